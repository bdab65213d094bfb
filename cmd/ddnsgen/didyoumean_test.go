package main

import (
	"bytes"
	"testing"
)

// TestDidYouMean: a mistyped flag of any subcommand, and a mistyped
// subcommand, get the same one-line suggestion as ddnsgen's own flags:
// nothing on stdout, exit 2.
func TestDidYouMean(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-nmae", "a.example.com"}, "ddnsgen: -nmae is not a flag: did you mean -name? (see ddnsgen -h)\n"},
		{[]string{"check", "-hostnme", "a.example.com"}, "ddnsgen: check: -hostnme is not a flag: did you mean -hostname? (see ddnsgen check -h)\n"},
		{[]string{"check", "-nosuchflag"}, "ddnsgen: check: -nosuchflag is not a flag (see ddnsgen check -h)\n"},
		{[]string{"client", "-dydns2", "x"}, "ddnsgen: client: -dydns2 is not a flag: did you mean -dyndns2? (see ddnsgen client -h)\n"},
		{[]string{"local", "-tempalte", "x"}, "ddnsgen: local: -tempalte is not a flag: did you mean -template? (see ddnsgen local -h)\n"},
		{[]string{"lcoal"}, `ddnsgen: unknown subcommand "lcoal": did you mean local? the subcommands are check, client, local (see ddnsgen help)` + "\n"},
		{[]string{"chek", "-url", "x"}, `ddnsgen: unknown subcommand "chek": did you mean check? the subcommands are check, client, local (see ddnsgen help)` + "\n"},
		{[]string{"hlep"}, `ddnsgen: unknown subcommand "hlep": did you mean help? the subcommands are check, client, local (see ddnsgen help)` + "\n"},
		{[]string{"help", "clinet"}, `ddnsgen: help "clinet": did you mean client? the subcommands are check, client, local` + "\n"},
		{[]string{"deploy"}, `ddnsgen: unknown subcommand "deploy": the subcommands are check, client, local (see ddnsgen help)` + "\n"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(c.args, &stdout, &stderr)
		if code != exitUsage || stdout.Len() != 0 || stderr.String() != c.want {
			t.Errorf("ddnsgen %q: exit %d, stdout %q, stderr %q\nwant exit 2, no stdout, stderr %q", c.args, code, stdout.String(), stderr.String(), c.want)
		}
	}
}
