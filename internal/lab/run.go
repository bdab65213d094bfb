package lab

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// Timeouts for one run of a tool. They are generous for a loaded two-core
// machine and short enough that a hung tool fails its test rather than the
// whole suite's -timeout.
const (
	awsTimeout     = time.Minute      // one aws call against moto
	deployTimeout  = 3 * time.Minute  // aws cloudformation deploy (change set + waiters)
	cfnLintTimeout = 3 * time.Minute  // cfn-lint on a few templates
	motoStartLimit = 30 * time.Second // moto_server answering after start
	stopGrace      = 3 * time.Second  // SIGTERM → SIGKILL
	pipeGrace      = 5 * time.Second  // output pipes held open by a killed tool's children
)

// runError is a tool run that failed: it exited non-zero, was killed at its
// timeout, or could not start. Its message holds the command line and
// everything the tool wrote, so a test failure explains itself.
type runError struct {
	command string
	stdout  []byte
	stderr  []byte
	cause   string
	err     error
}

func (e *runError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "$ %s\n%s", e.command, e.cause)
	writeSection(&b, "stdout", e.stdout)
	writeSection(&b, "stderr", e.stderr)
	return b.String()
}

func (e *runError) Unwrap() error { return e.err }

func writeSection(b *strings.Builder, name string, text []byte) {
	fmt.Fprintf(b, "\n--- %s ---\n", name)
	if len(bytes.TrimSpace(text)) == 0 {
		b.WriteString("(empty)")
		return
	}
	b.Write(bytes.TrimRight(text, "\n"))
}

// run runs name with args in env and returns what it wrote to stdout and
// stderr. A non-zero exit, a timeout or a failure to start is a *runError.
// The tool runs in its own process group; at the timeout the whole group is
// killed.
func run(timeout time.Duration, env []string, name string, args ...string) (stdout, stderr []byte, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()

	var outBuf, errBuf bytes.Buffer
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = env
	cmd.Stdin = nil // reads from the null device: no tool waits on a terminal
	cmd.Stdout = &outBuf
	cmd.Stderr = &errBuf
	ownProcessGroup(cmd)
	cmd.Cancel = func() error { return killGroup(cmd.Process.Pid) }
	cmd.WaitDelay = pipeGrace

	runErr := cmd.Run()
	stdout, stderr = outBuf.Bytes(), errBuf.Bytes()
	if runErr == nil {
		return stdout, stderr, nil
	}
	cause := runErr.Error()
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		cause = fmt.Sprintf("killed after %s: no answer within the lab's timeout (%v)", timeout, runErr)
	}
	return stdout, stderr, &runError{
		command: commandLine(name, args),
		stdout:  stdout,
		stderr:  stderr,
		cause:   cause,
		err:     runErr,
	}
}

// exitCode is the exit status of a run, or -1 when the tool did not exit by
// itself (never started, killed at the timeout).
func exitCode(err error) int {
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		return exitErr.ExitCode()
	}
	if err == nil {
		return 0
	}
	return -1
}

// commandLine renders a command as a shell would need it, for messages a
// reader may paste into a terminal.
func commandLine(name string, args []string) string {
	parts := make([]string, 0, 1+len(args))
	for _, s := range append([]string{name}, args...) {
		parts = append(parts, shellQuote(s))
	}
	return strings.Join(parts, " ")
}

func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=.,/:@+%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// toolEnv is this process's environment without any AWS_ variable and
// without proxy settings, so a tool never picks up a developer's real
// credentials, profile, region or endpoint, and loopback traffic goes direct.
func toolEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		upper := strings.ToUpper(name)
		if strings.HasPrefix(upper, "AWS_") || strings.HasSuffix(upper, "_PROXY") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "NO_PROXY=127.0.0.1,localhost", "no_proxy=127.0.0.1,localhost")
}
