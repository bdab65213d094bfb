package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// -acme refuses what it cannot keep safe, in the user's words: exit 2,
// nothing on stdout.
func TestACMEBadInput(t *testing.T) {
	long := strings.Repeat("abcdefghi.", 23) + "example.com" // 241 characters: _acme-challenge. makes 257
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-acme", "-api-key=false"}, `ddnsgen: -acme "true": the acme-dns endpoint needs API keys`},
		{[]string{"-acme", "-name", long}, `ddnsgen: -name "` + long + `": with acme a name is at most 237 characters, so that _acme-challenge.NAME is at most 253`},
	} {
		var stdout, stderr bytes.Buffer
		code := run(c.args, &stdout, &stderr)
		if code != 2 || stdout.Len() != 0 || !strings.HasPrefix(stderr.String(), c.want) {
			t.Errorf("ddnsgen %s: exit %d, stdout %d bytes, stderr %q; want exit 2, no stdout, %q",
				strings.Join(c.args, " "), code, stdout.Len(), stderr.String(), c.want)
		}
	}
	// The same long name without -acme is fine.
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-name", long}, &stdout, &stderr); code != 0 {
		t.Errorf("without -acme a %d-character name: exit %d: %s", len(long), code, stderr.String())
	}
}

// -acme adds POST /update in every format, and the config file's acme: true
// is the flag.
func TestACMEFormats(t *testing.T) {
	for _, args := range [][]string{
		{"-acme"},
		{"-acme", "-format", "json"},
		{"-acme", "-format", "sam"},
		{"-acme", "-format", "openapi", "-role-arn", roleARN}, // the API alone: no role
	} {
		role := args[len(args)-1] != roleARN
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != 0 {
			t.Fatalf("ddnsgen %s: exit %d: %s", strings.Join(args, " "), code, stderr.String())
		}
		out := stdout.String()
		if !strings.Contains(out, "request template of the acme-dns endpoint") {
			t.Errorf("ddnsgen %s: no acme-dns endpoint in the output", strings.Join(args, " "))
		}
		if role && !strings.Contains(out, "_acme-challenge.myddns.acme.local") {
			t.Errorf("ddnsgen %s: the role has no right to the TXT record", strings.Join(args, " "))
		}
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(file, []byte("acme: true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var fromFile, fromFlag, stderr bytes.Buffer
	if code := run([]string{"-config", file}, &fromFile, &stderr); code != 0 {
		t.Fatalf("-config: exit %d: %s", code, stderr.String())
	}
	run([]string{"-acme"}, &fromFlag, &stderr)
	if fromFile.String() != fromFlag.String() {
		t.Error("acme: true in a config file gives another template than -acme")
	}
}
