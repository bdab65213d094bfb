package local_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ddnsgen/ddnsgen/internal/lab"
)

// readmeBlock is the fenced block that follows <!-- marker --> in
// docs/routers.md: the client tests configure the clients exactly as users
// are told to.
func readmeBlock(t *testing.T, marker string) string {
	t.Helper()
	b, err := os.ReadFile("../docs/routers.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	i := strings.Index(text, "<!-- "+marker+" -->")
	if i < 0 {
		t.Fatalf("docs/routers.md has no <!-- %s --> block", marker)
	}
	text = text[i:]
	start := strings.Index(text, "```")
	start += strings.Index(text[start:], "\n") + 1
	end := strings.Index(text[start:], "```")
	return text[start : start+end]
}

// swap replaces old by new in s, failing the test when old is not there
// (the documentation changed: the test must follow it).
func swap(t *testing.T, s, old, new string) string {
	t.Helper()
	if !strings.Contains(s, old) {
		t.Fatalf("docs/routers.md's configuration no longer contains %q:\n%s", old, s)
	}
	return strings.ReplaceAll(s, old, new)
}

func runClient(t *testing.T, name string, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	// Its own process group, killed whole on timeout: a client that forks
	// leaves nothing behind.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	code := 0
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatalf("%s: %v\n%s", name, err, out)
	}
	return string(out), code
}

// TestDDClient runs Debian's ddclient 3.10 against the lab, configured as
// the README says (over plain HTTP to 127.0.0.1 instead of HTTPS to AWS).
func TestDDClient(t *testing.T) {
	lab.Require(t, "ddclient")
	forEachWorld(t, ddclientRuns)
}

func ddclientRuns(t *testing.T, w labWorld) {
	s := startStack(t, specNamed(t, "dyndns2-devices.yaml"), w)
	host := strings.TrimPrefix(s.api.URL, "http://")
	conf := func(t *testing.T, password, use string) string {
		c := readmeBlock(t, "ddclient.conf")
		c = swap(t, c, "use=web, web=https://checkip.amazonaws.com/", use)
		c = swap(t, c, "ssl=yes", "ssl=no")
		c = swap(t, c, "server=API.execute-api.REGION.amazonaws.com", "server="+host)
		c = swap(t, c, "password=YOUR_PASSWORD", "password="+password)
		c = swap(t, c, "home.example.com, vpn.example.com", "home.acme.local, vpn.acme.local")
		dir := t.TempDir()
		path := filepath.Join(dir, "ddclient.conf")
		if err := os.WriteFile(path, []byte(c), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	ddclient := func(t *testing.T, path string) (string, int) {
		return runClient(t, "ddclient", "-daemon=0", "-foreground", "-file", path,
			"-cache", filepath.Join(t.TempDir(), "ddclient.cache"), "-verbose", "-noquiet")
	}

	t.Run("updates both names in one request", func(t *testing.T) {
		out, code := ddclient(t, conf(t, s.params["PasswordRouter"], "use=ip, ip=192.0.2.44"))
		if code != 0 || strings.Count(out, "SUCCESS:") != 2 {
			t.Errorf("ddclient exit %d, want 0 and two SUCCESS lines:\n%s", code, out)
		}
		for _, n := range []string{"home.acme.local", "vpn.acme.local"} {
			if !s.hasRecord("acme.local", n, "A", 60, "192.0.2.44") {
				t.Errorf("no A record %s 192.0.2.44: %q", n, s.records("acme.local"))
			}
		}
	})
	t.Run("IPv6 sets AAAA", func(t *testing.T) {
		out, code := ddclient(t, conf(t, s.params["PasswordRouter"], "use=ip, ip=2001:db8::44"))
		if code != 0 || !strings.Contains(out, "SUCCESS:") {
			t.Errorf("ddclient exit %d:\n%s", code, out)
		}
		if !s.hasRecord("acme.local", "home.acme.local", "AAAA", 60, "2001:db8::44") {
			t.Errorf("no AAAA record: %q", s.records("acme.local"))
		}
	})
	t.Run("a wrong password fails and changes nothing", func(t *testing.T) {
		before := s.snapshot()
		out, code := ddclient(t, conf(t, "wrongwrongwrong123456", "use=ip, ip=192.0.2.45"))
		if code == 0 || !strings.Contains(out, "FAILED:") || !strings.Contains(out, "badauth") {
			t.Errorf("ddclient exit %d, want a failure naming badauth:\n%s", code, out)
		}
		s.unchanged(before, "ddclient with a wrong password")
	})
}

// TestInadyn runs inadyn 2.10 against the lab, configured as the README says
// (plain HTTP to 127.0.0.1; the address from a command, and a cache file so
// that inadyn asks no DNS server and no public IP service).
func TestInadyn(t *testing.T) {
	lab.Require(t, "inadyn")
	forEachWorld(t, inadynRuns)
}

func inadynRuns(t *testing.T, w labWorld) {
	s := startStack(t, specNamed(t, "dyndns2-devices.yaml"), w)
	host := strings.TrimPrefix(s.api.URL, "http://")
	inadyn := func(t *testing.T, password, ip string) (string, int) {
		c := readmeBlock(t, "inadyn.conf")
		c = swap(t, c, "ssl            = true", "ssl            = false")
		c = swap(t, c, "ddns-server    = API.execute-api.REGION.amazonaws.com", "ddns-server    = "+host)
		c = swap(t, c, "password       = YOUR_PASSWORD", "password       = "+password)
		c = swap(t, c, "hostname       = { home.example.com, vpn.example.com }",
			"hostname       = { home.acme.local, vpn.acme.local }\n    checkip-command = \"/bin/echo "+ip+"\"")
		dir := t.TempDir()
		path := filepath.Join(dir, "inadyn.conf")
		if err := os.WriteFile(path, []byte(c), 0o600); err != nil {
			t.Fatal(err)
		}
		cache := filepath.Join(dir, "cache")
		if err := os.Mkdir(cache, 0o700); err != nil {
			t.Fatal(err)
		}
		for _, n := range []string{"home.acme.local", "vpn.acme.local"} {
			if err := os.WriteFile(filepath.Join(cache, n+".cache"), []byte("192.0.2.1"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		return runClient(t, "inadyn", "-1", "--foreground", "-f", path, "--cache-dir", cache,
			"-P", filepath.Join(dir, "inadyn.pid"), "-l", "info")
	}

	t.Run("updates each name", func(t *testing.T) {
		out, code := inadyn(t, s.params["PasswordRouter"], "192.0.2.55")
		if code != 0 || strings.Count(out, "Successful alias table update") != 2 {
			t.Errorf("inadyn exit %d, want 0 and two successful updates:\n%s", code, out)
		}
		for _, n := range []string{"home.acme.local", "vpn.acme.local"} {
			if !s.hasRecord("acme.local", n, "A", 60, "192.0.2.55") {
				t.Errorf("no A record %s: %q", n, s.records("acme.local"))
			}
		}
	})
	t.Run("IPv6 sets AAAA", func(t *testing.T) {
		out, code := inadyn(t, s.params["PasswordRouter"], "2001:db8::55")
		if code != 0 || !strings.Contains(out, "Successful alias table update") {
			t.Errorf("inadyn exit %d:\n%s", code, out)
		}
		if !s.hasRecord("acme.local", "vpn.acme.local", "AAAA", 60, "2001:db8::55") {
			t.Errorf("no AAAA record: %q", s.records("acme.local"))
		}
	})
	t.Run("a wrong password fails and changes nothing", func(t *testing.T) {
		before := s.snapshot()
		out, code := inadyn(t, "wrongwrongwrong123456", "192.0.2.56")
		if code != 50 || !strings.Contains(out, "badauth") {
			t.Errorf("inadyn exit %d, want 50 (authentication failure) naming badauth:\n%s", code, out)
		}
		s.unchanged(before, "inadyn with a wrong password")
	})
}
