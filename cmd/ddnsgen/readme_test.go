package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ddnsgen/ddnsgen/internal/lab"
)

// TestReadmeWalkthrough runs the README's install block (<!-- install -->,
// in the repository's root) and its walk-through blocks (<!-- walkthrough
// -->) verbatim with bash, with the aws CLI pointed at moto holding the zone
// example.com: the commands a new user types install ddnsgen, find the bare
// zone id, and generate a template that deploys.
func TestReadmeWalkthrough(t *testing.T) {
	lab.Require(t, "moto_server", "aws", "bash", "go")
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := func(marker string) []string {
		var out []string
		for _, part := range strings.Split(string(b), "<!-- "+marker+" -->")[1:] {
			start := strings.Index(part, "```")
			start += strings.Index(part[start:], "\n") + 1
			end := strings.Index(part[start:], "```")
			out = append(out, part[start:start+end])
		}
		return out
	}
	install, script := blocks("install"), blocks("walkthrough")
	if len(install) != 1 || len(script) != 4 {
		t.Fatalf("the README has %d install and %d walk-through blocks, want 1 and 4 (zone id, generate, deploy, outputs)", len(install), len(script))
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	bin, dir := t.TempDir(), t.TempDir()
	moto := lab.StartMoto(t)
	zone := moto.CreateHostedZone(t, "example.com")
	moto.CreateHostedZone(t, "example.org") // another zone, listed too
	// The user's Go setup, kept although HOME changes.
	env := append(moto.Env(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "HOME="+dir, "GOBIN="+bin, "GOPROXY=off")
	for _, v := range []string{"GOPATH", "GOMODCACHE", "GOCACHE", "GOFLAGS", "GOTOOLCHAIN", "GOENV"} {
		out, err := exec.Command("go", "env", v).Output()
		if err != nil {
			t.Fatal(err)
		}
		env = append(env, v+"="+strings.TrimSpace(string(out)))
	}
	text := "cd " + root + "\n" + install[0] + "\ncd " + dir + "\n" + strings.Join(script, "\n")
	cmd := exec.Command("bash", "-euo", "pipefail", "-c", text)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the walk-through failed: %v\n%s\n--- script ---\n%s", err, out, text)
	}
	if _, err := os.Stat(filepath.Join(bin, "ddnsgen")); err != nil {
		t.Errorf("the install block put no ddnsgen in GOBIN: %v", err)
	}
	// Step 1 prints the bare id, which the template's parameter takes.
	if !strings.HasPrefix(string(out), zone+"\n") {
		t.Errorf("step 1 printed %q, want the bare zone id %s first", out, zone)
	}
	tmpl, err := os.ReadFile(filepath.Join(dir, "ddns.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(tmpl), "home.example.com") {
		t.Error("the walk-through's template does not update home.example.com")
	}
	status := moto.AWS(t, "cloudformation", "describe-stacks", "--stack-name", "ddns", "--query", "Stacks[0].StackStatus", "--output", "text")
	if strings.TrimSpace(string(status)) != "CREATE_COMPLETE" {
		t.Errorf("stack ddns is %s", status)
	}
	params := moto.AWS(t, "cloudformation", "describe-stacks", "--stack-name", "ddns", "--query", "Stacks[0].Parameters[0].ParameterValue", "--output", "text")
	if strings.TrimSpace(string(params)) != zone {
		t.Errorf("the stack's HostedZoneId is %q, want %s", params, zone)
	}
}
