// Command ddnsgen writes the CloudFormation template of a dynamic DNS stack
// in which API Gateway calls Route 53 directly: no server, no Lambda.
//
//	ddnsgen > ddns.yaml
//	aws cloudformation deploy --template-file ddns.yaml --stack-name ddns \
//	    --capabilities CAPABILITY_IAM --parameter-overrides HostedZoneId=Z…
//
// Run ddnsgen -h for the flags; the README explains each.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/awslabs/goformation/v7/cloudformation"

	"github.com/ddnsgen/ddnsgen/cfn"
	"github.com/ddnsgen/ddnsgen/internal/typo"
)

// Exit codes.
const (
	exitOK    = 0
	exitIO    = 1 // the output could not be written
	exitUsage = 2 // bad flags, bad config: nothing was written
)

func main() {
	if len(os.Args) < 2 || os.Args[1] != "local" {
		// Writing a template is one short burst (about 20 MB allocated for
		// the largest stack): collecting garbage during it costs a third of
		// the process's time and saves nothing. The limit still collects if
		// some input makes it grow.
		debug.SetGCPercent(-1)
		debug.SetMemoryLimit(256 << 20)
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// usageError is bad input: exit 2, one line on stderr, nothing on stdout.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

func run(args []string, stdout, stderr io.Writer) int {
	var err error
	switch {
	case len(args) > 0 && args[0] == "help":
		err = help(args[1:], stdout, stderr)
	case len(args) > 0 && !strings.HasPrefix(args[0], "-"):
		sub := args[0]
		cmd, ok := subcommands[sub]
		if !ok {
			err = usagef("unknown subcommand %q: %sthe subcommands are %s (see ddnsgen help)", sub, didYouMean(sub), strings.Join(subcommandNames(), ", "))
			break
		}
		err = cmd(args[1:], stdout, stderr)
	default:
		err = generate(args, stdout, stderr)
	}
	var u *usageError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &u):
		fmt.Fprintf(stderr, "ddnsgen: %s\n", u.msg)
		return exitUsage
	default:
		fmt.Fprintf(stderr, "ddnsgen: %v\n", err)
		return exitIO
	}
}

// subcommands are ddnsgen's subcommands, each in its own file with its own
// flag set and usage text (shown by ddnsgen SUB -h and ddnsgen help SUB).
var subcommands = map[string]func(args []string, stdout, stderr io.Writer) error{
	"local": func(args []string, stdout, stderr io.Writer) error {
		ctx, stop := signalContext()
		defer stop()
		return runLocal(ctx, args, stdout, stderr)
	},
	"client": func(args []string, stdout, _ io.Writer) error { return runClient(args, stdout) },
	"check":  runCheck,
}

func subcommandNames() []string {
	var names []string
	for name := range subcommands {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// didYouMean is "did you mean local? " when sub is a typo of a subcommand
// (the same edit distance as the flags' suggestions), else "".
func didYouMean(sub string) string {
	if best := typo.Nearest(sub, append(subcommandNames(), "help")); best != "" {
		return "did you mean " + best + "? "
	}
	return ""
}

// help is `ddnsgen help [SUB]`: the usage text, or a subcommand's.
func help(args []string, stdout, stderr io.Writer) error {
	switch {
	case len(args) == 0:
		_, err := parseFlags([]string{"-h"}, stdout)
		return err
	case len(args) > 1:
		return usagef("help: one subcommand at a time (ddnsgen help SUBCOMMAND)")
	}
	cmd, ok := subcommands[args[0]]
	if !ok {
		return usagef("help %q: %sthe subcommands are %s", args[0], didYouMean(args[0]), strings.Join(subcommandNames(), ", "))
	}
	return cmd([]string{"-h"}, stdout, stderr)
}

func generate(args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stdout)
	if err != nil {
		return err
	}
	if o.version {
		fmt.Fprintln(stdout, "ddnsgen", version())
		return nil
	}
	cfg, err := o.config()
	if err != nil {
		return err
	}
	out, warnings, err := o.templateBytes(cfg)
	if err != nil {
		return o.explain(err)
	}
	for _, w := range warnings {
		fmt.Fprintf(stderr, "ddnsgen: warning: %s\n", w)
	}
	if o.format != "yaml" && o.format != "json" && cfg.DualStack() {
		fmt.Fprintf(stderr, "ddnsgen: warning: -format %s cannot make the API dual-stack (SAM drops IpAddressType; OpenAPI has none): "+
			"IPv6 callers cannot reach it until you run aws apigateway update-rest-api --rest-api-id ID "+
			"--patch-operations op=replace,path=/endpointConfiguration/ipAddressType,value=dualstack\n", o.format)
	}
	if len(out) > cfn.MaxInlineTemplate && !strings.HasPrefix(o.format, "openapi") {
		fmt.Fprintf(stderr, "ddnsgen: note: the template is %d bytes, over CloudFormation's 51,200 for an inline template: deploy it with --s3-bucket BUCKET\n", len(out))
	}
	if o.output == "" {
		_, err = stdout.Write(out)
		return err
	}
	if err := writeAtomic(o.output, out); err != nil {
		// Name the path given, not the temporary file beside it.
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("-o %q: cannot write it: %v", o.output, err)
	}
	return nil
}

// writeAtomic writes b to path through a temporary file in the same
// directory, so that path is either the old file or the whole new one.
func writeAtomic(path string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // fails harmlessly once renamed
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// version is the module version when installed with go install
// MODULE@VERSION; built from a clone, the commit it was built from (and
// "+dirty" when the tree had changes); "unknown" when neither is recorded
// (go run, go test).
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown (no build information)"
	}
	return versionOf(info)
}

func versionOf(info *debug.BuildInfo) string {
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, modified, at string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		case "vcs.time":
			at = s.Value
		}
	}
	if rev == "" {
		return "unknown (built without version control information: go install ./cmd/ddnsgen from a clone records the commit)"
	}
	v := "commit " + rev
	if modified == "true" {
		v += "+dirty"
	}
	if at != "" {
		v += " (" + at + ")"
	}
	return v
}

// templateBytes builds the template (or document) in the chosen format and
// writes it, and returns the bytes with the Config's warnings.
func (o *options) templateBytes(cfg cfn.Config) ([]byte, []string, error) {
	var out []byte
	var err error
	switch o.format {
	case "openapi", "openapi-json":
		var doc cfn.Document
		if doc, err = cfn.OpenAPI(cfg, cfn.OpenAPIOptions{RoleARN: o.roleARN, Region: o.region}); err != nil {
			return nil, nil, err
		}
		if o.format == "openapi" {
			out, err = doc.YAML()
		} else {
			out, err = doc.JSON()
		}
	default: // yaml, json, sam, sam-json
		build := cfn.Build
		if strings.HasPrefix(o.format, "sam") {
			build = cfn.BuildSAM
		}
		var t *cloudformation.Template
		if t, err = build(cfg); err != nil {
			return nil, nil, err
		}
		if o.format == "yaml" || o.format == "sam" {
			out, err = cfn.YAML(t)
		} else {
			out, err = cfn.JSON(t)
		}
	}
	if err != nil {
		return nil, nil, err
	}
	return out, cfg.Warnings(), nil
}
