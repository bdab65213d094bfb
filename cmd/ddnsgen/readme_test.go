package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ddnsgen/ddnsgen/internal/lab"
)

// TestReadmeWalkthrough runs the README's walk-through blocks (those marked
// <!-- walkthrough -->) verbatim with bash, with ddnsgen built from this tree
// on the PATH and the aws CLI pointed at moto: the commands a new user types
// generate a template that deploys.
func TestReadmeWalkthrough(t *testing.T) {
	lab.Require(t, "moto_server", "aws", "bash", "go")
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var script []string
	for _, part := range strings.Split(string(b), "<!-- walkthrough -->")[1:] {
		start := strings.Index(part, "```")
		start += strings.Index(part[start:], "\n") + 1
		end := strings.Index(part[start:], "```")
		script = append(script, part[start:start+end])
	}
	if len(script) != 3 {
		t.Fatalf("the README has %d walk-through blocks, want 3 (generate, deploy, outputs)", len(script))
	}
	bin := t.TempDir()
	if out, err := exec.Command("go", "build", "-o", filepath.Join(bin, "ddnsgen"), ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	moto := lab.StartMoto(t)
	dir := t.TempDir()
	cmd := exec.Command("bash", "-euo", "pipefail", "-c", strings.Join(script, "\n"))
	cmd.Dir = dir
	cmd.Env = append(moto.Env(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "HOME="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the walk-through failed: %v\n%s\n--- script ---\n%s", err, out, strings.Join(script, "\n"))
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
}
