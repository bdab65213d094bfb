package local_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ddnsgen/ddnsgen/cfn"
	"github.com/ddnsgen/ddnsgen/internal/lab"
)

const routerPassword = "routerpassw0rd123456"

// runFor runs a client for at most d; timedOut says it was still running
// then (and was killed, with its process group).
func runFor(t *testing.T, d time.Duration, name string, args ...string) (out string, code int, timedOut bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	b, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		return string(b), -1, true
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatalf("%s: %v\n%s", name, err, b)
	}
	return string(b), code, false
}

// ddclientOnce runs ddclient 3.10 once as the README configures it, with
// the cache file given (kept between runs, as a daemon keeps it).
func ddclientOnce(t *testing.T, api, cache, ip string) (string, int) {
	c := readmeBlock(t, "ddclient.conf")
	c = swap(t, c, "use=web, web=https://checkip.amazonaws.com/", "use=ip, ip="+ip)
	c = swap(t, c, "ssl=yes", "ssl=no")
	c = swap(t, c, "server=API.execute-api.REGION.amazonaws.com", "server="+strings.TrimPrefix(api, "http://"))
	c = swap(t, c, "password=YOUR_PASSWORD", "password="+routerPassword)
	c = swap(t, c, "home.example.com, vpn.example.com", "home.acme.local, vpn.acme.local")
	path := filepath.Join(t.TempDir(), "ddclient.conf")
	if err := os.WriteFile(path, []byte(c), 0o600); err != nil {
		t.Fatal(err)
	}
	out, code, _ := runFor(t, 90*time.Second, "ddclient", "-daemon=0", "-foreground", "-file", path,
		"-cache", cache, "-verbose", "-noquiet")
	return out, code
}

// inadynOnce runs `inadyn -1` as the README configures it for at most d,
// with the cache directory given (its cache files say 192.0.2.1 at first).
func inadynOnce(t *testing.T, api, dir, ip string, d time.Duration) (string, int, bool) {
	c := readmeBlock(t, "inadyn.conf")
	c = swap(t, c, "ssl            = true", "ssl            = false")
	c = swap(t, c, "ddns-server    = API.execute-api.REGION.amazonaws.com", "ddns-server    = "+strings.TrimPrefix(api, "http://"))
	c = swap(t, c, "password       = YOUR_PASSWORD", "password       = "+routerPassword)
	c = swap(t, c, "hostname       = { home.example.com, vpn.example.com }",
		"hostname       = { home.acme.local, vpn.acme.local }\n    checkip-command = \"/bin/echo "+ip+"\"")
	path := filepath.Join(dir, "inadyn.conf")
	if err := os.WriteFile(path, []byte(c), 0o600); err != nil {
		t.Fatal(err)
	}
	cache := filepath.Join(dir, "cache")
	if _, err := os.Stat(cache); err != nil {
		if err := os.Mkdir(cache, 0o700); err != nil {
			t.Fatal(err)
		}
		for _, n := range []string{"home.acme.local", "vpn.acme.local"} {
			if err := os.WriteFile(filepath.Join(cache, n+".cache"), []byte("192.0.2.1"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	return runFor(t, d, "inadyn", "-1", "--foreground", "-f", path, "--cache-dir", cache,
		"-P", filepath.Join(dir, "inadyn.pid"), "-l", "info")
}

// throttleFlood keeps the dyndns2 throttle spent from 127.0.0.2 until the
// returned stop is called.
func throttleFlood(t *testing.T, api string) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		c := from("127.0.0.2")
		for {
			select {
			case <-done:
				return
			default:
			}
			getFrom(t, c, api+"/ddns/nic/update?hostname=home.acme.local", "", "")
			time.Sleep(10 * time.Millisecond)
		}
	}()
	return func() { close(done); wg.Wait() }
}

// wafTrip sends 11 requests from the clients' own address (127.0.0.1):
// one more than the web ACL's limit of 10.
func wafTrip(t *testing.T, api string) {
	c := &http.Client{Timeout: 10 * time.Second}
	for range 11 {
		getFrom(t, c, api+"/ddns/nic/update?hostname=home.acme.local", "", "")
	}
	if a := getFrom(t, c, api+"/ddns/nic/update?hostname=home.acme.local", "", ""); a.status != 503 || a.body != "911\n" {
		t.Fatalf("the web ACL does not block 127.0.0.1: %d %q", a.status, a.body)
	}
}

// shortWindow shortens the web ACL's rate window from 5 minutes to 3
// seconds, so that a block passes within the test (AWS takes 60 s at
// least; the lab does not check).
func shortWindow(b []byte) []byte {
	return []byte(strings.ReplaceAll(string(b), "EvaluationWindowSec: 300", "EvaluationWindowSec: 3"))
}

// transientConditions are the conditions a dyndns2 client must retry
// through, each with the stack that shows it and how to bring it on: a
// throttle spent by a flood, and a WAF rate rule tripped (its window cut to
// seconds by shortWindow).
var transientConditions = []struct {
	name   string
	waf    int
	limits cfn.Limits
	edit   func([]byte) []byte
	start  func(t *testing.T, api string) (stop func())
}{
	{"throttled", 0, cfn.Limits{DynDNS2Rate: 0.5, DynDNS2Burst: 2}, nil, throttleFlood},
	{"WAF-blocked", 10, cfn.Limits{}, shortWindow, func(t *testing.T, api string) func() { wafTrip(t, api); return func() {} }},
}

// TestDDClientRetriesTransientAnswers (issue 22): ddclient 3.10, throttled
// by API Gateway or blocked by AWS WAF, reads the answer (503, 911) as a
// failure to retry (no FAILED line, exit 0: it stays a running daemon), and
// the next run, once the condition has passed, updates both names.
func TestDDClientRetriesTransientAnswers(t *testing.T) {
	lab.Require(t, "ddclient", "moto_server")
	for _, c := range transientConditions {
		t.Run(c.name, func(t *testing.T) {
			srv, _ := servedStack(t, c.waf, 0, c.limits, c.edit)
			api := srv.APIs[0].URL
			cache := filepath.Join(t.TempDir(), "ddclient.cache")
			stop := c.start(t, api)
			out, code := ddclientOnce(t, api, cache, "192.0.2.44")
			stop()
			if code != 0 || strings.Contains(out, "SUCCESS:") || strings.Contains(out, "FAILED:") {
				t.Errorf("%s: ddclient exit %d, want 0 without SUCCESS or FAILED (a non-2xx to retry):\n%s", c.name, code, out)
			}
			time.Sleep(4 * time.Second) // the throttle refills; the WAF window passes
			out, code = ddclientOnce(t, api, cache, "192.0.2.44")
			if code != 0 || strings.Count(out, "SUCCESS:") != 2 {
				t.Errorf("%s, then passed: ddclient exit %d, want 0 and two SUCCESS lines:\n%s", c.name, code, out)
			}
		})
	}
}

// TestInadynRetriesTransientAnswers (issue 22): inadyn 2.10 (UniFi's
// client), throttled or WAF-blocked, does not exit (a 429 or 403 would make
// it exit): `inadyn -1` is still running, waiting to retry, when the test
// stops it after 8 s; once the condition has passed a new run updates both
// names and exits 0.
func TestInadynRetriesTransientAnswers(t *testing.T) {
	lab.Require(t, "inadyn", "moto_server")
	for _, c := range transientConditions {
		t.Run(c.name, func(t *testing.T) {
			srv, _ := servedStack(t, c.waf, 0, c.limits, c.edit)
			api := srv.APIs[0].URL
			dir := t.TempDir()
			stop := c.start(t, api)
			out, code, running := inadynOnce(t, api, dir, "192.0.2.55", 8*time.Second)
			stop()
			// (A throttle token the flood left may let one name through.)
			if !running || !strings.Contains(out, "[503 Service Unavailable] 911") || !strings.Contains(out, "Will retry") || strings.Contains(out, "exiting") {
				t.Errorf("%s: inadyn exit %d (running %v), want it still running after a 503, to retry:\n%s", c.name, code, running, out)
			}
			done := strings.Count(out, "Successful alias table update")
			time.Sleep(4 * time.Second)
			out, code, running = inadynOnce(t, api, dir, "192.0.2.55", 60*time.Second)
			if running || code != 0 || done+strings.Count(out, "Successful alias table update") != 2 || strings.Contains(out, "error") {
				t.Errorf("%s, then passed: inadyn exit %d, want 0 and the names not yet updated updated:\n%s", c.name, code, out)
			}
		})
	}
}
