package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ddnsgen/ddnsgen/internal/lab"
	"github.com/ddnsgen/ddnsgen/local"
	"github.com/ddnsgen/ddnsgen/local/route53"
)

// route53Store is the Route 53 the emulator calls in the hook and poll
// tests: local/route53's in-process Route 53 (the one `ddnsgen local` keeps
// records in) with one zone, acme.local, served on 127.0.0.1 as a Route 53
// endpoint, and when each record set last changed, which the timing tests
// measure.
type route53Store struct {
	*route53.Memory
	URL  string
	Zone string

	mu      sync.Mutex
	changed map[string]time.Time // by "name TYPE", the name without its dot
}

type storedRecord struct {
	value string // the values, comma-separated
	at    time.Time
}

// startRoute53 serves a Route 53 holding the hosted zone acme.local with
// the id zone.
func startRoute53(t *testing.T, zone string) *route53Store {
	t.Helper()
	s := &route53Store{Memory: route53.NewMemory(), Zone: zone, changed: map[string]time.Time{}}
	if err := s.AddZone(zone, "acme.local"); err != nil {
		t.Fatal(err)
	}
	s.OnChange = func(_ route53.Zone, c route53.Change) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.changed[recordKey(c.NormalizedName, c.Type)] = time.Now()
	}
	srv := httptest.NewServer(s.Memory)
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

func recordKey(name, typ string) string {
	return strings.TrimSuffix(strings.ToLower(name), ".") + " " + typ
}

// record is the record set name TYPE of the zone, and when it changed.
func (s *route53Store) record(name, typ string) storedRecord {
	records, _ := s.Records(s.Zone)
	for _, r := range records {
		if recordKey(r.Name, r.Type) == recordKey(name, typ) {
			s.mu.Lock()
			defer s.mu.Unlock()
			return storedRecord{strings.Join(r.Values, ","), s.changed[recordKey(name, typ)]}
		}
	}
	return storedRecord{}
}

// waitRecord waits (up to 20 s) until the record holds value, and returns
// when it changed to it.
func (s *route53Store) waitRecord(t *testing.T, name, typ, value string) time.Time {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if r := s.record(name, typ); r.value == value {
			return r.at
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatalf("%s %s is %q after 20 s, want %q", name, typ, s.record(name, typ).value, value)
	return time.Time{}
}

// hookLab is golden/myip.yaml served by the emulator in front of the
// Route 53 store, behind a proxy that notes when each request arrives
// (the moment the update left the host) and plays the NAT: it sets the
// source address the API sees.
type hookLab struct {
	r53     *route53Store
	url     string // the proxy's update URL, /ddns/ZONE
	mu      sync.Mutex
	arrived []arrival
	nat     string
}

type arrival struct {
	path string
	at   time.Time
}

// startHookLab serves golden/myip.yaml (the seed stack with GET /myip).
func startHookLab(t *testing.T) *hookLab {
	t.Helper()
	r53 := startRoute53(t, "Z0FAKEROUTE53ZONE01")
	return startLabFor(t, r53, "myip.yaml", map[string]string{"HostedZoneId": r53.Zone}, map[string]string{"ApiKey": testKey})
}

func startLabFor(t *testing.T, r53 *route53Store, golden string, params, keys map[string]string) *hookLab {
	t.Helper()
	lab.Require(t, "java", "/usr/share/java/velocity-1.7.jar", "curl", "sh")
	tmpl, err := os.ReadFile(filepath.Join(goldenDir, golden))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := local.Start(context.Background(), local.Options{
		Template: tmpl, Route53URL: r53.URL, Unthrottled: true, TrustSourceIPHeader: true,
		Parameters: params, APIKeys: keys,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	target, _ := url.Parse(srv.APIs[0].URL)
	upstream := httputil.NewSingleHostReverseProxy(target)
	h := &hookLab{r53: r53, nat: "198.51.100.1"}
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		h.arrived = append(h.arrived, arrival{r.URL.Path, time.Now()})
		r.Header.Set(local.SourceIPHeader, h.nat)
		h.mu.Unlock()
		upstream.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	h.url = proxy.URL + "/ddns/" + r53.Zone
	return h
}

// requestsSince are the paths of the requests that arrived after t0, and
// when the first of them (with path suffix want) arrived.
func (h *hookLab) requestsSince(t0 time.Time, want string) (paths []string, first time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, a := range h.arrived {
		if a.at.After(t0) {
			paths = append(paths, a.path)
			if first.IsZero() && strings.HasSuffix(a.path, want) {
				first = a.at
			}
		}
	}
	return paths, first
}

// hookEvent is how one dispatcher runs a hook: the command line and the
// environment it gives, for an event that brings address addr.
type hookEvent struct {
	hook     string
	fire     func(hookPath, addr string) *exec.Cmd
	negative func(hookPath string) *exec.Cmd // an event the hook must ignore
}

var hookEvents = []hookEvent{
	{"networkmanager", func(p, addr string) *exec.Cmd {
		// NetworkManager-dispatcher(8): $1 interface, $2 action, and the
		// connection in the environment.
		c := exec.Command(p, "eth0", "dhcp4-change")
		c.Env = []string{"CONNECTION_ID=Wired connection 1", "DEVICE_IFACE=eth0", "DEVICE_IP_IFACE=eth0",
			"IP4_NUM_ADDRESSES=1", "IP4_ADDRESS_0=" + addr + "/24 192.0.2.254", "NM_DISPATCHER_ACTION=dhcp4-change"}
		return c
	}, func(p string) *exec.Cmd {
		c := exec.Command(p, "eth0", "down")
		c.Env = []string{"DEVICE_IFACE=eth0", "NM_DISPATCHER_ACTION=down"}
		return c
	}},
	{"networkd", func(p, addr string) *exec.Cmd {
		// networkd-dispatcher: no arguments, the link in the environment.
		c := exec.Command(p)
		c.Env = []string{"IFACE=eth0", "STATE=routable", "AdministrativeState=configured", "OperationalState=routable",
			"IP_ADDRS=" + addr, "IP6_ADDRS="}
		return c
	}, func(p string) *exec.Cmd {
		c := exec.Command(p)
		c.Env = []string{"IFACE=lo", "STATE=routable"}
		return c
	}},
	{"dhcpcd", func(p, addr string) *exec.Cmd {
		// dhcpcd-run-hooks(8) sources the exit hook with $reason set.
		c := exec.Command("sh", "-c", `. "$0"`, p)
		c.Env = []string{"reason=RENEW", "interface=eth0", "ifname=eth0", "new_ip_address=" + addr, "old_ip_address=192.0.2.1", "pid=1"}
		return c
	}, func(p string) *exec.Cmd {
		c := exec.Command("sh", "-c", `. "$0"`, p)
		c.Env = []string{"reason=EXPIRE", "interface=eth0"}
		return c
	}},
	{"ppp", func(p, addr string) *exec.Cmd {
		// Debian's /etc/ppp/ip-up: run-parts on ip-up.d with pppd's six
		// arguments, PPP_* in the environment.
		c := exec.Command("run-parts", "--arg=ppp0", "--arg=/dev/ttyUSB0", "--arg=115200", "--arg="+addr,
			"--arg=192.0.2.254", "--arg=wan", filepath.Dir(p))
		c.Env = []string{"PPP_IFACE=ppp0", "PPP_TTY=/dev/ttyUSB0", "PPP_SPEED=115200", "PPP_LOCAL=" + addr,
			"PPP_REMOTE=192.0.2.254", "PPP_IPPARAM=wan", "PATH=/usr/local/sbin:/usr/sbin:/sbin:/usr/local/bin:/usr/bin:/bin"}
		return c
	}, nil},
	{"openwrt", func(p, addr string) *exec.Cmd {
		// hotplug-call sources each script of hotplug.d/iface in a subshell.
		c := exec.Command("sh", "-c", `( . "$0" )`, p)
		c.Env = []string{"ACTION=ifupdate", "IFUPDATE_ADDRESSES=1", "INTERFACE=wan", "DEVICE=pppoe-wan"}
		return c
	}, func(p string) *exec.Cmd {
		c := exec.Command("sh", "-c", `( . "$0" )`, p)
		c.Env = []string{"ACTION=ifup", "INTERFACE=lan", "DEVICE=br-lan"}
		return c
	}},
}

// eventRuns is how many events each hook test fires (the median and the
// worst of them are logged).
const eventRuns = 10

// TestClientHooks: each event hook ddnsgen client prints is shellcheck
// clean and, run the way its dispatcher runs it (argv, environment,
// sourced or executed, run-parts), makes the script update the record in
// the emulator; an event it must ignore sends nothing. It logs the time
// from the event to the request and to the record (median and worst of
// eventRuns); the timings are measured, not asserted.
func TestClientHooks(t *testing.T) {
	lab.Require(t, "shellcheck", "run-parts")
	h := startHookLab(t)
	for i, ev := range hookEvents {
		t.Run(ev.hook, func(t *testing.T) {
			dir := t.TempDir()
			script, addrFile, state := filepath.Join(dir, "ddnsgen-update"), filepath.Join(dir, "addr"), filepath.Join(dir, "state")
			args := []string{"-url", h.url, "-key", testKey, "-script-path", script, "-address-command", "cat " + addrFile}
			if err := os.WriteFile(script, []byte(clientOut(t, append(args, "-format", "script")...)), 0o700); err != nil {
				t.Fatal(err)
			}
			hookPath := filepath.Join(dir, "hook.d", "ddnsgen-update")
			os.Mkdir(filepath.Dir(hookPath), 0o755)
			text := clientOut(t, append(args, "-format", ev.hook)...)
			if err := os.WriteFile(hookPath, []byte(text), 0o755); err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command("shellcheck", "--shell=sh", "--severity=style", hookPath).CombinedOutput(); err != nil {
				t.Errorf("shellcheck: %v\n%s\n%s", err, out, text)
			}
			var toRequest, toRecord, requestToRecord []time.Duration
			for n := 0; n < eventRuns; n++ {
				addr := fmt.Sprintf("192.0.2.%d", 10+i*eventRuns+n)
				if err := os.WriteFile(addrFile, []byte(addr+"\n"), 0o600); err != nil {
					t.Fatal(err)
				}
				cmd := ev.fire(hookPath, addr)
				cmd.Env = append(cmd.Env, "DDNS_STATE="+state)
				if !slices.ContainsFunc(cmd.Env, func(e string) bool { return strings.HasPrefix(e, "PATH=") }) {
					cmd.Env = append(cmd.Env, "PATH="+os.Getenv("PATH"))
				}
				t0 := time.Now()
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("firing the %s hook: %v\n%s", ev.hook, err, out)
				}
				changed := h.r53.waitRecord(t, "myddns.acme.local", "A", addr)
				_, sent := h.requestsSince(t0, "/ddns/"+h.r53.Zone)
				toRequest = append(toRequest, sent.Sub(t0))
				toRecord = append(toRecord, changed.Sub(t0))
				requestToRecord = append(requestToRecord, changed.Sub(sent))
				waitState(t, state, addr) // the script has finished
			}
			t.Logf("%s: event to request: median %v, worst %v; request to record: median %v, worst %v; event to record: median %v, worst %v (of %d)",
				ev.hook, median(toRequest), slices.Max(toRequest), median(requestToRecord), slices.Max(requestToRecord),
				median(toRecord), slices.Max(toRecord), eventRuns)
			if ev.negative != nil {
				os.WriteFile(addrFile, []byte("192.0.2.250\n"), 0o600)
				t0 := time.Now()
				cmd := ev.negative(hookPath)
				cmd.Env = append(cmd.Env, "DDNS_STATE="+state, "PATH="+os.Getenv("PATH"))
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("an ignored event: %v\n%s", err, out)
				}
				time.Sleep(time.Second)
				if paths, _ := h.requestsSince(t0, ""); len(paths) > 0 {
					t.Errorf("an event the hook must ignore sent %v", paths)
				}
			}
		})
	}
}

// waitState waits until the script has saved addr as the address it set.
func waitState(t *testing.T, state, addr string) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		if b, _ := os.ReadFile(state); strings.HasPrefix(string(b), addr+" ") {
			return
		}
	}
	b, _ := os.ReadFile(state)
	t.Fatalf("the script did not save %s: state %q", addr, b)
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return (s[(len(s)-1)/2] + s[len(s)/2]) / 2
}

// runPolled runs the script once, as its timer or cron would, and returns
// its output and exit status.
func runPolled(t *testing.T, script, state string) (string, int) {
	t.Helper()
	cmd := exec.Command("sh", script)
	cmd.Env = append(os.Environ(), "DDNS_STATE="+state, "DDNS_TRIES=1")
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return string(out), ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), 0
}

// TestClientPoll: behind NAT (the proxy sets the address the API sees),
// the script of -poll asks GET /STAGE/myip on every run and calls the
// update only when the answer changed; a wrong key or password stops it
// (exit 1) with the status. It logs the time from a run's start to the
// record (median and worst of eventRuns), measured, not asserted.
func TestClientPoll(t *testing.T) {
	h := startHookLab(t)
	dir := t.TempDir()
	script, state := filepath.Join(dir, "ddnsgen-update"), filepath.Join(dir, "state")
	args := []string{"-url", h.url, "-key", testKey, "-script-path", script, "-poll", "60"}
	if err := os.WriteFile(script, []byte(clientOut(t, append(args, "-format", "script")...)), 0o700); err != nil {
		t.Fatal(err)
	}
	if cron := clientOut(t, append(args, "-format", "cron")...); cron != "* * * * * "+script+" >/dev/null\n" {
		t.Errorf("-poll 60's cron line is %q", cron)
	}
	if timer := clientOut(t, append(args, "-format", "timer")...); !strings.Contains(timer, "\nOnUnitActiveSec=60s\n") {
		t.Errorf("-poll 60's timer:\n%s", timer)
	}
	zonePath := "/ddns/" + h.r53.Zone
	var toRecord []time.Duration
	for n := 0; n <= eventRuns; n++ {
		h.mu.Lock()
		h.nat = fmt.Sprintf("198.51.100.%d", 10+n)
		h.mu.Unlock()
		t0 := time.Now()
		out, code := runPolled(t, script, state)
		changed := h.r53.waitRecord(t, "myddns.acme.local", "A", fmt.Sprintf("198.51.100.%d", 10+n))
		paths, _ := h.requestsSince(t0, "")
		if code != 0 || !slices.Equal(paths, []string{"/ddns/myip", zonePath}) {
			t.Errorf("a run after the address changed: exit %d, requests %v (want /ddns/myip, then %s):\n%s", code, paths, zonePath, out)
		}
		if n > 0 { // the first run sets the record for the first time
			toRecord = append(toRecord, changed.Sub(t0))
		}
		// The next run, same address: one question, no update.
		t1 := time.Now()
		out, code = runPolled(t, script, state)
		if paths, _ := h.requestsSince(t1, ""); code != 0 || !slices.Equal(paths, []string{"/ddns/myip"}) || out != "" {
			t.Errorf("a run with the same address: exit %d, requests %v (want /ddns/myip alone), output %q", code, paths, out)
		}
	}
	t.Logf("poll run to record: median %v, worst %v (of %d)", median(toRecord), slices.Max(toRecord), len(toRecord))

	// A wrong key: API Gateway's 403 stops the script, no update is tried.
	bad := filepath.Join(dir, "bad-key")
	os.WriteFile(bad, []byte(clientOut(t, "-url", h.url, "-key", "wrongKey0123456789abcdefABCD", "-poll", "60", "-format", "script")), 0o700)
	t0 := time.Now()
	out, code := runPolled(t, bad, filepath.Join(dir, "bad-state"))
	if paths, _ := h.requestsSince(t0, ""); code != 1 || !strings.Contains(out, "refused, HTTP 403") || !slices.Equal(paths, []string{"/ddns/myip"}) {
		t.Errorf("a wrong key: exit %d, requests %v:\n%s", code, paths, out)
	}
}

// TestClientPollDynDNS2: on a stack with dyndns2 the script of -poll sends
// the device's key and its Basic credentials to GET /STAGE/myip; a wrong
// password is refused (401, exit 1).
func TestClientPollDynDNS2(t *testing.T) {
	const routerKey = "routerKey0123456789abcdefABCDEF"
	r53 := startRoute53(t, "Z0123456789ABCDEFGHIJ")
	params := map[string]string{}
	for _, d := range []string{"Router", "BackupRouter", "Nas", "Laptop", "Office"} {
		params["Password"+d] = d + "Password0123456789"
	}
	h := startLabFor(t, r53, "myip-dyndns2.yaml", params, map[string]string{"ApiKeyRouter": routerKey})
	dir := t.TempDir()
	for _, c := range []struct {
		password string
		code     int
		want     string
	}{
		{"RouterPassword0123456789", 0, "set to 198.51.100.1"},
		{"WrongPassword0123456789x", 1, "refused, HTTP 401: badauth"},
	} {
		script := filepath.Join(dir, "ddnsgen-update-"+c.password)
		os.WriteFile(script, []byte(clientOut(t, "-url", h.url, "-key", routerKey, "-dyndns2", "router:"+c.password,
			"-hostname", "home.acme.local", "-poll", "60", "-format", "script")), 0o700)
		out, code := runPolled(t, script, filepath.Join(dir, "state-"+c.password))
		if code != c.code || !strings.Contains(out, c.want) {
			t.Errorf("password %s: exit %d:\n%s\nwant exit %d and %q", c.password, code, out, c.code, c.want)
		}
	}
	if got := r53.record("home.acme.local", "A").value; got != "198.51.100.1" {
		t.Errorf("home.acme.local A is %q, want 198.51.100.1", got)
	}
}

// TestLocalServesMyIP: `ddnsgen local` serves a stack's GET /STAGE/myip:
// the key it prints gets the address the request came from; another key
// gets 403.
func TestLocalServesMyIP(t *testing.T) {
	lab.Require(t, "java", "/usr/share/java/velocity-1.7.jar")
	r53 := startRoute53(t, "Z0FAKEROUTE53ZONE01")
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- runLocal(ctx, []string{"-template", goldenDir + "/myip.yaml", "-route53", r53.URL,
			"-parameter", "HostedZoneId=" + r53.Zone, "-trust-source-ip-header"}, &stdout, &stderr)
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("ddnsgen local: %v", err)
		}
	}()
	for deadline := time.Now().Add(time.Minute); !strings.Contains(stdout.String(), "Serving until Ctrl-C."); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("ddnsgen local did not start:\n%s\n%s", stdout.String(), stderr.String())
		}
	}
	out := stdout.String()
	update := regexp.MustCompile(`update URL: (\S+)`).FindStringSubmatch(out)
	key := regexp.MustCompile(`API key \S+ \(ApiKey, id \S+\): (\S+)`).FindStringSubmatch(out)
	if update == nil || key == nil {
		t.Fatalf("the output lacks the update URL or the key:\n%s", out)
	}
	myip := strings.TrimSuffix(update[1], r53.Zone) + "myip"
	for _, c := range []struct {
		key, want string
		status    int
	}{{key[1], "2001:db8::7\n", 200}, {"wrongKey0123456789abcdefABCD", `{"message":"Forbidden"}`, 403}} {
		req, _ := http.NewRequest("GET", myip, nil)
		req.Header.Set("x-api-key", c.key)
		req.Header.Set(local.SourceIPHeader, "2001:db8::7")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status || string(body) != c.want {
			t.Errorf("GET %s with key %s: %d %q, want %d %q", myip, c.key, resp.StatusCode, body, c.status, c.want)
		}
	}
}

// TestHookStateIsTheServices: a hook's script keeps its state where the
// systemd service's does, whatever the script is called, so that the hook
// and the timer agree on the address last set.
func TestHookStateIsTheServices(t *testing.T) {
	args := []string{"-url", testURL, "-key", testKey, "-script-path", "/opt/ddns/home-update"}
	service := clientOut(t, append(args, "-format", "service")...)
	script := clientOut(t, append(args, "-format", "script")...)
	dir := regexp.MustCompile(`(?m)^StateDirectory=(\S+)$`).FindStringSubmatch(service)
	file := regexp.MustCompile(`(?m)^STATE=\$\{DDNS_STATE:-\$\{STATE_DIRECTORY:-.*\}/([A-Za-z0-9._-]+)\}$`).FindStringSubmatch(script)
	if dir == nil || file == nil {
		t.Fatalf("no StateDirectory in the service or no state file in the script:\n%s", service)
	}
	want := "DDNS_STATE=${DDNS_STATE:-/var/lib/" + dir[1] + "/" + file[1] + "}"
	for _, h := range clientHooks {
		if hook := clientOut(t, append(args, "-format", h)...); !strings.Contains(hook, want) {
			t.Errorf("the %s hook does not set %s:\n%s", h, want, hook)
		}
	}
}

// TestDhcpcdHooksKeepTheirState: the dhcpcd hook is appended to
// /etc/dhcpcd.exit-hook, which dhcpcd-run-hooks sources in one shell, so
// two of them (two scripts: two stacks, or an IPv4 and an IPv6 one) run
// one after the other in that shell. Each script must get its own state
// file: with the first's, the second reads the first's address as its own
// last one and never updates on an event.
func TestDhcpcdHooksKeepTheirState(t *testing.T) {
	dir := t.TempDir()
	var exitHook strings.Builder
	for _, name := range []string{"home-update", "office-update"} {
		script := filepath.Join(dir, name)
		// A stand-in for the update script: it writes the state file it was given.
		body := "#!/bin/sh\nprintf '%s\\n' \"$DDNS_STATE\" >'" + script + ".ran'\n"
		if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
		exitHook.WriteString(clientOut(t, "-url", testURL, "-key", testKey, "-script-path", script, "-format", "dhcpcd"))
	}
	hook := filepath.Join(dir, "dhcpcd.exit-hook")
	if err := os.WriteFile(hook, []byte(exitHook.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	c := exec.Command("sh", "-c", `. "$0"`, hook)
	c.Env = []string{"reason=BOUND", "interface=eth0", "new_ip_address=192.0.2.9", "PATH=" + os.Getenv("PATH")}
	if out, err := c.CombinedOutput(); err != nil {
		t.Fatalf("sourcing the exit hook: %v\n%s", err, out)
	}
	for _, name := range []string{"home-update", "office-update"} {
		want := "/var/lib/" + name + "/ddnsgen-update.state\n"
		var got []byte
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if got, _ = os.ReadFile(filepath.Join(dir, name+".ran")); len(got) > 0 {
				break
			}
		}
		if string(got) != want {
			t.Errorf("%s ran with DDNS_STATE %q, want %q", name, got, want)
		}
	}
}

// TestHookEventBurstCallsOnce: NetworkManager fires up, dhcp4-change,
// dhcp6-change and connectivity-change together when a connection comes
// up, and each starts the script in the background. One address change is
// one update call: the runs take turns (flock), and the later ones find
// the address set. Without that, each event was a call against the key's
// daily quota and Route 53's rate.
func TestHookEventBurstCallsOnce(t *testing.T) {
	lab.Require(t, "flock")
	var mu sync.Mutex
	calls := 0
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		mu.Unlock()
		time.Sleep(300 * time.Millisecond) // an update takes a moment
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"updated":[{"name":"home.acme.local","type":"A","value":"198.51.100.7"}]}`)
	}))
	defer api.Close()
	dir := t.TempDir()
	script := filepath.Join(dir, "ddnsgen-update")
	args := []string{"-url", api.URL + "/ddns/Z0123456789ABCDEFGHIJ", "-key", testKey, "-address-command", "echo 198.51.100.7", "-script-path", script}
	hook := filepath.Join(dir, "90-ddnsgen-update")
	for path, format := range map[string]string{script: "script", hook: "networkmanager"} {
		if err := os.WriteFile(path, []byte(clientOut(t, append(args, "-format", format)...)), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	state := filepath.Join(dir, "state", "ddnsgen-update.state")
	for _, action := range []string{"up", "dhcp4-change", "dhcp6-change", "connectivity-change"} {
		c := exec.Command(hook, "eth0", action)
		c.Env = []string{"DDNS_STATE=" + state, "PATH=" + os.Getenv("PATH")}
		if out, err := c.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", action, err, out)
		}
	}
	waitState(t, state, "198.51.100.7")
	time.Sleep(2 * time.Second) // the later runs finish
	mu.Lock()
	defer mu.Unlock()
	if calls != 1 {
		t.Errorf("4 events for one address change made %d update calls, want 1", calls)
	}
}
