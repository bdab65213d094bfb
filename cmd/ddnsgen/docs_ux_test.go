package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// docsFile is the text of a documentation file (README.md, docs/NAME.md),
// named relative to the repository's root.
func docsFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// docsCommand is the argument list of a ```sh block's one command (lines
// joined at a trailing backslash, double quotes dropped), program name
// first.
func docsCommand(t *testing.T, block string) []string {
	t.Helper()
	line := strings.ReplaceAll(strings.TrimSpace(block), "\\\n", " ")
	if strings.Contains(line, "\n") {
		t.Fatalf("the block holds more than one command: %q", block)
	}
	return strings.Fields(strings.ReplaceAll(line, `"`, ""))
}

// TestCheckDocs: the `ddnsgen check` command of docs/check.md, run against a
// stack that answers as a correct one does (the lab's answers: see
// TestCheckLab), prints the output shown there, and the stopped run shows
// the one fix.
func TestCheckDocs(t *testing.T) {
	docs := docsFile(t, "docs/check.md")
	const docsURL = "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/ddns/" + fakeZone
	run := func(t *testing.T, marker string, f *fakeStack, key string) (int, string) {
		args := docsCommand(t, readmeBlock(t, docs, marker+"-command"))
		if args[0] != "ddnsgen" || args[1] != "check" {
			t.Fatalf("the %s block is not a ddnsgen check command: %q", marker, args)
		}
		srv := f.serve(t)
		for i, a := range args {
			args[i] = strings.NewReplacer(docsURL, srv.URL+"/ddns/"+fakeZone, "$DDNS_API_KEY", key, "$PASSWORD", fakePassword).Replace(a)
		}
		code, out, _ := runCheckCommand(t, args[2:]...)
		out = strings.ReplaceAll(out, srv.URL+"/ddns/"+fakeZone, docsURL)
		out = strings.ReplaceAll(out, fakeKey[len(fakeKey)-4:], "wxyz")
		if want := readmeBlock(t, docs, marker+"-output"); out != want {
			t.Errorf("docs/check.md's %s output differs from the command's:\n--- docs/check.md\n%s--- output\n%s", marker, want, out)
		}
		return code, out
	}
	t.Run("a correct stack", func(t *testing.T) {
		f := newFakeStack()
		f.device, f.address = "router", "203.0.113.7"
		f.owners = map[string]string{"home.example.com": "router", "nas.example.com": "nas"}
		if code, _ := run(t, "check", f, fakeKey); code != 0 {
			t.Errorf("exit %d", code)
		}
	})
	t.Run("a wrong key", func(t *testing.T) {
		f := newFakeStack()
		if code, _ := run(t, "check-stopped", f, "wrongKey0123456789abcdefghijklmwxyz"); code != 1 {
			t.Errorf("exit %d", code)
		}
	})
}

// TestDidYouMeanDocs runs each "$ ddnsgen ..." line of docs/configuration.md's typing
// help and compares stderr with the line after it (stdout empty, exit 2).
func TestDidYouMeanDocs(t *testing.T) {
	lines := strings.Split(strings.TrimSpace(readmeBlock(t, docsFile(t, "docs/configuration.md"), "typo-session")), "\n")
	if len(lines)%2 != 0 || len(lines) == 0 {
		t.Fatalf("the typo-session block is not $ command / error pairs: %q", lines)
	}
	for i := 0; i < len(lines); i += 2 {
		args := strings.Fields(strings.TrimPrefix(lines[i], "$ "))
		if !strings.HasPrefix(lines[i], "$ ddnsgen ") {
			t.Fatalf("line %q is not a ddnsgen command", lines[i])
		}
		var stdout, stderr strings.Builder
		code := run(args[1:], &stdout, &stderr)
		if code != exitUsage || stdout.Len() != 0 || stderr.String() != lines[i+1]+"\n" {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 2 and %q", lines[i], code, stdout.String(), stderr.String(), lines[i+1])
		}
	}
}
