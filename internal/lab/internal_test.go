package lab

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestDeployArgs(t *testing.T) {
	args, err := deployArgs("t.yaml", "ddns", map[string]string{"Zeta": "z", "Alpha": "a b", "Mid": ""})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"cloudformation", "deploy", "--template-file", "t.yaml", "--stack-name", "ddns",
		"--capabilities", "CAPABILITY_IAM", "CAPABILITY_NAMED_IAM",
		"--parameter-overrides", "Alpha=a b", "Mid=", "Zeta=z"}
	if !slices.Equal(args, want) {
		t.Errorf("deployArgs =\n%q\nwant\n%q", args, want)
	}

	args, err = deployArgs("t.yaml", "ddns", nil)
	if err != nil || slices.Contains(args, "--parameter-overrides") {
		t.Errorf("deployArgs without parameters = %q, %v; want no --parameter-overrides", args, err)
	}

	if _, err := deployArgs("t.yaml", "ddns", map[string]string{"A=B": "c"}); err == nil || !strings.Contains(err.Error(), `"A=B"`) {
		t.Errorf("deployArgs with a parameter name holding '=': err = %v, want one naming it", err)
	}
}

// TestRunKillsAHungTool checks that a tool which does not finish is killed at
// the timeout together with the children it started (which hold its output
// pipes), and that the error says so and keeps what it printed.
func TestRunKillsAHungTool(t *testing.T) {
	Tools(t, "sh", "sleep")
	start := time.Now()
	_, _, err := run(300*time.Millisecond, toolEnv(), "sh", "-c", "echo started; sleep 30 & sleep 30")
	elapsed := time.Since(start)
	if err == nil {
		t.Fatal("a tool that sleeps 30 s finished within a 300 ms timeout")
	}
	if elapsed > 5*time.Second {
		t.Errorf("run returned after %s; the timeout was 300ms", elapsed)
	}
	for _, want := range []string{"$ sh -c 'echo started; sleep 30 & sleep 30'", "killed after 300ms", "--- stdout ---\nstarted"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error lacks %q:\n%v", want, err)
		}
	}
	if code := exitCode(err); code != -1 {
		t.Errorf("exitCode of a killed tool = %d, want -1", code)
	}
}

func TestRunReportsExitStatus(t *testing.T) {
	Tools(t, "sh")
	stdout, stderr, err := run(10*time.Second, toolEnv(), "sh", "-c", "echo out; echo err >&2; exit 3")
	if string(stdout) != "out\n" || string(stderr) != "err\n" {
		t.Errorf("stdout, stderr = %q, %q", stdout, stderr)
	}
	if code := exitCode(err); code != 3 {
		t.Errorf("exitCode = %d, want 3 (err %v)", code, err)
	}
	if err == nil || !strings.Contains(err.Error(), "exit status 3\n--- stdout ---\nout\n--- stderr ---\nerr") {
		t.Errorf("the error does not show the status and both outputs:\n%v", err)
	}
}

func TestDescribeFindings(t *testing.T) {
	for code, want := range map[int]string{
		2:   "cfn-lint found errors in",
		12:  "cfn-lint found warnings and informational findings in",
		14:  "cfn-lint found errors and warnings and informational findings in",
		0:   "cfn-lint exited 0 but printed something for",
		1:   "cfn-lint itself failed (not a finding) on",
		127: "cfn-lint itself failed (not a finding) on", // a pyenv shim without cfn-lint
	} {
		if got := describeFindings(code); got != want {
			t.Errorf("describeFindings(%d) = %q, want %q", code, got, want)
		}
	}
}
