package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/ddnsgen/ddnsgen/local"
)

const localUsage = `Usage: ddnsgen local -template ddns.yaml -route53 URL [flags]

Serves a generated template's REST API on 127.0.0.1 the way API Gateway
would: API keys, usage plans, mapping templates rendered by Apache Velocity
1.7, and the Route 53 integration sent (SigV4-signed, after Route 53's and
IAM's checks) to the Route 53 endpoint given, e.g. a moto_server. Needs java
and the velocity package (apt-get install velocity).

Flags:
`

// runLocal is `ddnsgen local`: it serves until ctx ends (Ctrl-C).
func runLocal(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("ddnsgen local", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var (
		templatePath, route53URL, addr, stackName string
		params, keys                              listFlag
		trustHeader                               bool
	)
	fs.StringVar(&templatePath, "template", "", "the generated template (`file`, YAML or JSON)")
	fs.StringVar(&route53URL, "route53", "", "Route 53 endpoint `URL`, e.g. http://127.0.0.1:5000 (moto_server)")
	fs.Var(&params, "parameter", "a template parameter, `NAME=VALUE`, repeatable (e.g. HostedZoneId=Z…)")
	fs.Var(&keys, "api-key", "fix an API key's value: `LOGICALID=VALUE`, repeatable (default: random)")
	fs.StringVar(&addr, "addr", "127.0.0.1:0", "listen `address` (loopback only)")
	fs.StringVar(&stackName, "stack-name", "ddns", "the `name` ${AWS::StackName} stands for")
	fs.BoolVar(&trustHeader, "trust-source-ip-header", false, "let the "+local.SourceIPHeader+" header set the caller's address (for trying IPv6 or other callers)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, localUsage)
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			return err
		}
		return usagef("local: %v (see ddnsgen local -h)", err)
	}
	if templatePath == "" || route53URL == "" {
		return usagef("local: -template and -route53 are required (see ddnsgen local -h)")
	}
	if fs.NArg() > 0 {
		return usagef("local: unexpected argument %q", fs.Arg(0))
	}
	if !strings.HasPrefix(addr, "127.") && !strings.HasPrefix(addr, "[::1]") && !strings.HasPrefix(addr, "localhost:") {
		return usagef("local: -addr %q: the lab listens on loopback only (127.0.0.1:PORT)", addr)
	}
	tmpl, err := os.ReadFile(templatePath)
	if err != nil {
		return usagef("local: -template %q: %v", templatePath, err)
	}
	o := local.Options{
		Template: tmpl, Route53URL: route53URL, Addr: addr, StackName: stackName,
		Parameters: map[string]string{}, APIKeys: map[string]string{},
		TrustSourceIPHeader: trustHeader, Log: stderr,
	}
	for _, p := range params {
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			return usagef("local: -parameter %q: write NAME=VALUE", p)
		}
		o.Parameters[k] = v
	}
	for _, p := range keys {
		k, v, ok := strings.Cut(p, "=")
		if !ok || v == "" {
			return usagef("local: -api-key %q: write LOGICALID=VALUE", p)
		}
		o.APIKeys[k] = v
	}
	srv, err := local.Start(ctx, o)
	if err != nil {
		return err
	}
	defer srv.Close()
	for _, api := range srv.APIs {
		fmt.Fprintf(stdout, "RestApi %s (id %s) at %s\n", api.LogicalID, api.ID, api.URL)
		for _, route := range api.Routes() {
			fmt.Fprintf(stdout, "  %s\n", route)
		}
		for _, u := range api.UpdateURLs() {
			fmt.Fprintf(stdout, "  update URL: %s\n", u)
		}
		for _, k := range api.Keys {
			fmt.Fprintf(stdout, "  API key %s (%s, id %s): %s\n", k.Name, k.LogicalID, k.ID, k.Value)
		}
	}
	for _, d := range srv.Domains {
		fmt.Fprintf(stdout, "Custom domain %s at %s (send Host: %s)\n", d.Name, d.URL, d.Name)
		for _, route := range d.Routes() {
			fmt.Fprintf(stdout, "  %s\n", route)
		}
	}
	fmt.Fprintln(stdout, "Serving until Ctrl-C.")
	<-ctx.Done()
	return nil
}

// signalContext ends on SIGINT or SIGTERM.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}
