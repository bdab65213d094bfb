package lab

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Moto is a moto_server the test started on 127.0.0.1. It lives until the
// test (and its subtests) end: StartMoto's cleanup stops it.
type Moto struct {
	// URL is the server's address, http://127.0.0.1:PORT.
	URL string
	// Port is the loopback TCP port the server listens on.
	Port int

	configFile      string // empty AWS config, so no user's ~/.aws applies
	credentialsFile string
	cmd             *exec.Cmd
	logPath         string        // moto_server's stdout and stderr, interleaved
	exited          chan struct{} // closed when the process has been reaped
	exitErr         error         // valid after exited is closed
	stopOnce        sync.Once
}

// errPortTaken means moto_server could not bind its port: another process got
// it between FreePort and moto's bind.
var errPortTaken = errors.New("port already in use")

// StartMoto starts moto_server (moto's standalone server) on a free loopback
// port, in a process group of its own, and returns once it answers HTTP. If
// moto does not come up, the test fails with everything moto printed.
//
// A cleanup registered on tb stops the server when the test ends, also when it
// fails: SIGTERM to the process group, SIGKILL after a short grace, then the
// process is reaped. If the test failed, moto's output is logged first. Each
// call starts a separate server with empty state.
//
// StartMoto skips the test when moto_server is not installed (see Require).
func StartMoto(tb testing.TB) *Moto {
	tb.Helper()
	Require(tb, "moto_server")
	dir := tb.TempDir()
	configFile, credentialsFile, err := writeAWSConfig(dir)
	if err != nil {
		tb.Fatalf("lab: %v", err)
	}
	var lastErr error
	for range 3 {
		m, err := startMoto(tb, FreePort(tb), dir)
		if err == nil {
			m.configFile, m.credentialsFile = configFile, credentialsFile
			return m
		}
		lastErr = err
		if !errors.Is(err, errPortTaken) {
			break
		}
	}
	tb.Fatalf("lab: %v", lastErr)
	return nil
}

// writeAWSConfig writes the config and credentials files Env points the aws
// CLI at: the same values as Env's variables, so neither a developer's
// ~/.aws nor a default profile can change what a test does.
func writeAWSConfig(dir string) (config, credentials string, err error) {
	config = filepath.Join(dir, "aws-config")
	credentials = filepath.Join(dir, "aws-credentials")
	if err := os.WriteFile(config, []byte("[default]\nregion = us-east-1\noutput = json\n"), 0o600); err != nil {
		return "", "", fmt.Errorf("write aws config: %w", err)
	}
	if err := os.WriteFile(credentials, []byte("[default]\naws_access_key_id = test\naws_secret_access_key = test\n"), 0o600); err != nil {
		return "", "", fmt.Errorf("write aws credentials: %w", err)
	}
	return config, credentials, nil
}

// startMoto starts one moto_server on port and waits until it answers. On
// error the process has been stopped. The cleanup is registered before
// waiting, so a tb.Fatalf anywhere later still stops the server.
func startMoto(tb testing.TB, port int, dir string) (*Moto, error) {
	tb.Helper()
	m := &Moto{
		URL:     "http://127.0.0.1:" + strconv.Itoa(port),
		Port:    port,
		logPath: filepath.Join(dir, fmt.Sprintf("moto_server-%d.log", port)),
		exited:  make(chan struct{}),
	}
	// moto writes straight into a file rather than through a pipe the test
	// copies: a warning it prints while answering a request is in the log by
	// the time the client has the answer.
	logFile, err := os.Create(m.logPath)
	if err != nil {
		return nil, fmt.Errorf("create moto_server's log: %w", err)
	}
	defer logFile.Close() // the child holds its own descriptors
	m.cmd = exec.Command("moto_server", "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	m.cmd.Dir = dir
	m.cmd.Env = append(toolEnv(), "PYTHONUNBUFFERED=1")
	m.cmd.Stdout = logFile
	m.cmd.Stderr = logFile
	ownProcessGroup(m.cmd)
	if err := m.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start moto_server: %w", err)
	}
	go func() {
		m.exitErr = m.cmd.Wait()
		close(m.exited)
	}()
	tb.Cleanup(func() {
		m.stop()
		if tb.Failed() {
			tb.Logf("lab: moto_server on %s printed (last lines):\n%s", m.URL, lastLines(m.Log(), 200))
		}
	})

	if err := m.waitUntilAnswering(motoStartLimit); err != nil {
		m.stop()
		return nil, err
	}
	return m, nil
}

// waitUntilAnswering polls moto's own dashboard (/moto-api/) until it answers
// as moto, the process exits, or the limit passes.
func (m *Moto) waitUntilAnswering(limit time.Duration) error {
	client := &http.Client{
		Timeout:   time.Second,
		Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true},
	}
	deadline := time.Now().Add(limit)
	for {
		select {
		case <-m.exited:
			err := fmt.Errorf("moto_server -p %d exited before answering (%v); it printed:\n%s", m.Port, m.exitErr, m.Log())
			if strings.Contains(m.Log(), "in use") {
				err = fmt.Errorf("%w: %w", errPortTaken, err)
			}
			return err
		default:
		}
		if answersAsMoto(client, m.URL+"/moto-api/") {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("moto_server on %s did not answer within %s; it printed:\n%s", m.URL, limit, m.Log())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func answersAsMoto(client *http.Client, url string) bool {
	resp, err := client.Get(url)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode == http.StatusOK && strings.Contains(string(body), "Moto")
}

// stop ends the server: SIGTERM to its group, SIGKILL after stopGrace, and
// waits until the process is reaped. Safe to call more than once.
func (m *Moto) stop() {
	m.stopOnce.Do(func() {
		pid := m.cmd.Process.Pid
		select {
		case <-m.exited:
		default:
			_ = terminateGroup(pid)
			select {
			case <-m.exited:
			case <-time.After(stopGrace):
				_ = killGroup(pid)
				<-m.exited
			}
		}
		// Anything the server forked into its group goes with it.
		_ = killGroup(pid)
	})
}

// Pid is the process id of moto_server (also its process group id).
func (m *Moto) Pid() int { return m.cmd.Process.Pid }

// Log returns everything moto_server has printed so far: its request log
// and warnings, e.g. "No Moto CloudFormation support for AWS::ApiGateway::Stage".
// After the test's cleanups have run it is gone.
func (m *Moto) Log() string {
	b, err := os.ReadFile(m.logPath)
	if err != nil {
		return fmt.Sprintf("(moto_server's log is unreadable: %v)", err)
	}
	return string(b)
}

// logSize is the length of moto's log so far: Log()[logSize():] is what moto
// printed since.
func (m *Moto) logSize() int {
	info, err := os.Stat(m.logPath)
	if err != nil {
		return 0
	}
	return int(info.Size())
}

// Env is the environment for an AWS client pointed at this server: the test
// process's environment without any AWS_ or proxy variable, plus
//
//	AWS_ENDPOINT_URL=<URL>
//	AWS_ACCESS_KEY_ID=test, AWS_SECRET_ACCESS_KEY=test
//	AWS_DEFAULT_REGION=us-east-1, AWS_REGION=us-east-1
//	AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE: files in the test's temp dir
//	AWS_DEFAULT_OUTPUT=json, AWS_PAGER=""
//	AWS_EC2_METADATA_DISABLED=true (never ask 169.254.169.254 for anything)
//	AWS_MAX_ATTEMPTS=1 (moto has no transient errors: show a failure at once)
//	NO_PROXY=127.0.0.1,localhost
//
// so a developer's real credentials, profile, region or endpoint can never be
// used. Each call returns a new slice the caller may append to.
func (m *Moto) Env() []string {
	return append(toolEnv(),
		"AWS_ENDPOINT_URL="+m.URL,
		"AWS_ACCESS_KEY_ID=test",
		"AWS_SECRET_ACCESS_KEY=test",
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_REGION=us-east-1",
		"AWS_CONFIG_FILE="+m.configFile,
		"AWS_SHARED_CREDENTIALS_FILE="+m.credentialsFile,
		"AWS_DEFAULT_OUTPUT=json",
		"AWS_PAGER=",
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_MAX_ATTEMPTS=1",
	)
}

var unsupportedType = regexp.MustCompile(`No Moto CloudFormation support for (\S+)`)

// SkippedResourceTypes lists, sorted, the resource types moto_server has
// reported it skipped in any stack so far ("No Moto CloudFormation support
// for …"): it created nothing for them, listed them with empty ids, and a
// !Ref to them resolved to nothing. With moto 5.2 that includes
// AWS::ApiGateway::Stage, ApiKey, UsagePlan and UsagePlanKey.
func (m *Moto) SkippedResourceTypes() []string {
	return skippedTypes(m.Log())
}

func skippedTypes(log string) []string {
	var types []string
	for _, match := range unsupportedType.FindAllStringSubmatch(log, -1) {
		if !slices.Contains(types, match[1]) {
			types = append(types, match[1])
		}
	}
	slices.Sort(types)
	return types
}

// lastLines returns at most n trailing lines of s.
func lastLines(s string, n int) string {
	lines := strings.SplitAfter(strings.TrimRight(s, "\n"), "\n")
	if len(lines) <= n {
		return strings.Join(lines, "")
	}
	return fmt.Sprintf("(%d earlier lines left out)\n", len(lines)-n) + strings.Join(lines[len(lines)-n:], "")
}
