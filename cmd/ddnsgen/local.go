package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/ddnsgen/ddnsgen/local"
)

const localUsage = `Usage: ddnsgen local -template ddns.yaml [-route53 URL] [flags]

Serves a generated template's REST API on 127.0.0.1 the way API Gateway
would: API keys, usage plans, mapping templates rendered by Apache Velocity
1.7, and the Route 53 integration checked as Route 53 and IAM check it. The
records are kept in process (a hosted zone for each zone of the template; a
zone id parameter without a value gets a made-up id): each change is logged
on stderr, and GET /_local/records on the server lists every record. With
-route53 they go (SigV4-signed) to that Route 53 endpoint instead, e.g. a
moto_server. Needs java and the velocity package (apt-get install velocity).

Where AWS's behaviour is neither documented nor validated, the lab models it
both ways and starts in the pessimistic world: a response template does not
see the $context.requestOverride its request template set (-carry: it does),
and IAM is asked before Route 53 looks a hosted zone up (-zone-lookup-first:
an unknown zone is NoSuchHostedZone before IAM is asked). With -v, or when
a switch is given, it says which world it models on stderr.

Once serving it prints every login a device needs: API keys, each dyndns2
device's user and password (a NoEcho password parameter that -parameter does
not give gets a random one), and what to paste into curl, a FRITZ!Box, a
Synology, ddclient and inadyn.

Flags:
`

// runLocal is `ddnsgen local`: it serves until ctx ends (Ctrl-C).
func runLocal(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("ddnsgen local", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var (
		templatePath, route53URL, addr, stackName string
		params, keys                              listFlag
		trustHeader, carry, zoneLookupFirst       bool
		verbose                                   bool
	)
	fs.StringVar(&templatePath, "template", "", "the generated template (`file`, YAML or JSON)")
	fs.StringVar(&route53URL, "route53", "", "Route 53 endpoint `URL`, e.g. http://127.0.0.1:5000 (moto_server); default: records kept in process")
	fs.Var(&params, "parameter", "a template parameter, `NAME=VALUE`, repeatable (e.g. HostedZoneId=Z…)")
	fs.Var(&keys, "api-key", "fix an API key's value: `LOGICALID=VALUE`, repeatable (default: random)")
	fs.StringVar(&addr, "addr", "127.0.0.1:0", "listen `address` (loopback only)")
	fs.StringVar(&stackName, "stack-name", "ddns", "the `name` ${AWS::StackName} stands for")
	fs.BoolVar(&trustHeader, "trust-source-ip-header", false, "let the "+local.SourceIPHeader+" header set the caller's address (for trying IPv6 or other callers)")
	fs.BoolVar(&carry, "carry", false, "model the carry: a response template reads the $context.requestOverride its request template set (validated on AWS only for MOCK integrations)")
	fs.BoolVar(&zoneLookupFirst, "zone-lookup-first", false, "model Route 53 looking a hosted zone up before IAM is asked (an unknown zone answers NoSuchHostedZone, not AccessDenied)")
	fs.BoolVar(&verbose, "v", false, "say on stderr which world the lab models (-carry, -zone-lookup-first)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, localUsage)
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			return err
		}
		return usagef("local: %v (see ddnsgen local -h)", flagError(fs, err))
	}
	if templatePath == "" {
		return usagef("local: -template is required (see ddnsgen local -h)")
	}
	if fs.NArg() > 0 {
		return usagef("local: unexpected argument %q", fs.Arg(0))
	}
	if u, err := url.Parse(route53URL); route53URL != "" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
		return usagef("local: -route53 %q: the Route 53 endpoint is a URL with scheme http or https and a host, e.g. http://127.0.0.1:5000", route53URL)
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
		TrustSourceIPHeader: trustHeader, Carry: carry, ZoneLookupFirst: zoneLookupFirst, Log: stderr,
		ChooseSecrets: true,
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
	if verbose || carry || zoneLookupFirst {
		fmt.Fprintln(stderr, worldLine(carry, zoneLookupFirst))
	}
	printBanner(stdout, srv.APIs, srv.Domains)
	fmt.Fprintf(stdout, "Records: GET %s%s\n", srv.APIs[0].URL, local.RecordsPath)
	fmt.Fprintln(stdout, "Serving until Ctrl-C.")
	<-ctx.Done()
	return nil
}

// worldLine says which answers to AWS's undocumented behaviours the lab
// models, and how to switch each.
func worldLine(carry, zoneLookupFirst bool) string {
	c := "carry=off (a response template sees no $context.requestOverride from its request template; -carry to model the carry)"
	if carry {
		c = "carry=on (a response template reads the $context.requestOverride its request template set; drop -carry for the pessimistic world)"
	}
	z := "zone-lookup-first=off (IAM is asked before Route 53 looks the hosted zone up; -zone-lookup-first for the other order)"
	if zoneLookupFirst {
		z = "zone-lookup-first=on (Route 53 answers NoSuchHostedZone before IAM is asked; drop -zone-lookup-first for the other order)"
	}
	return "ddnsgen local: modelling " + c + ", " + z
}

// signalContext ends on SIGINT or SIGTERM.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}
