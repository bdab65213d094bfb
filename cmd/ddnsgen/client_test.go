package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ddnsgen/ddnsgen/internal/lab"
	"github.com/ddnsgen/ddnsgen/local"
)

const (
	testURL      = "https://abc123defg.execute-api.eu-west-1.amazonaws.com/ddns/Z0123456789ABCDEFGHIJ"
	testKey      = "k3yK3yk3yK3yk3yK3yk3yK3y"
	testPassword = "0123456789abcdef0123"
)

// clientOut runs ddnsgen client and returns its stdout, failing on an error.
func clientOut(t *testing.T, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := run(append([]string{"client"}, args...), &stdout, &stderr); code != 0 {
		t.Fatalf("ddnsgen client %v: exit %d: %s", args, code, stderr.String())
	}
	return stdout.String()
}

func TestClientBadInput(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{nil, `client: -url is required: the stack's UpdateUrl output`},
		{[]string{"-url", testURL}, `client: give -key API_KEY or -dyndns2 USER:PASSWORD (or both)`},
		{[]string{"-url", "ftp://x/ddns/Z1", "-key", testKey}, `client: -url "ftp://x/ddns/Z1": an update URL is https://HOST/STAGE/ZONEID`},
		{[]string{"-url", "https://x.example/ddns", "-key", testKey}, `client: -url "https://x.example/ddns": an update URL's path is /STAGE/ZONEID (the UpdateUrl output), not "/ddns"`},
		{[]string{"-url", "https://x.example/ddns/hostedzone/Z1", "-key", testKey}, `an update URL's path is /STAGE/ZONEID`},
		{[]string{"-url", testURL + "?hostname=a.example.com", "-key", testKey}, `give the URL without ?query (use -hostname for names)`},
		{[]string{"-url", "http://abc.execute-api.eu-west-1.amazonaws.com/ddns/Z1", "-key", testKey}, `plain http would send the key in clear: use https`},
		{[]string{"-url", testURL, "-key", "short"}, `client: -key "short": an API key here is 20-128 letters, digits and ._~+/=-`},
		{[]string{"-url", testURL, "-key", testKey + "'; rm -rf /"}, `client: -key "`},
		{[]string{"-url", testURL, "-dyndns2", "router"}, `client: -dyndns2 "router": write USER:PASSWORD`},
		{[]string{"-url", testURL, "-dyndns2", "Router:" + testPassword}, `client: -dyndns2 user "Router": a device name is 1-32 lower-case letters`},
		{[]string{"-url", testURL, "-dyndns2", "router:short"}, `client: -dyndns2: the password (5 characters) is not 16-128 letters and digits`},
		{[]string{"-url", testURL, "-key", testKey, "-hostname", "a b.example.com"}, `client: -hostname "a b.example.com": "a b.example.com" is not a fully qualified name`},
		{[]string{"-url", testURL, "-key", testKey, "-type", "MX"}, `client: -type "MX": a record type is A (IPv4) or AAAA (IPv6), or A,AAAA`},
		{[]string{"-url", testURL, "-key", testKey, "-format", "ddclient"}, `client: -format ddclient: ddclient speaks dyndns2 only: give -dyndns2 USER:PASSWORD`},
		{[]string{"-url", testURL, "-key", testKey, "-format", "xml"}, `client: -format "xml": the formats are all, curl, cron, script, service, timer, networkmanager, networkd, dhcpcd, ppp, openwrt, ddclient, inadyn`},
		{[]string{"-url", testURL, "-key", testKey, "-script-path", "bin/x"}, `client: -script-path "bin/x": an absolute path`},
		{[]string{"-url", testURL, "-key", testKey, "-address-command", "echo '1.2.3.4'"}, `client: -address-command "echo '1.2.3.4'": quotes, % and newlines cannot go into the script and the config files`},
		{[]string{"-url", testURL, "-kye", testKey}, `client: -kye is not a flag: did you mean -key? (see ddnsgen client -h)`},
		{[]string{"-url", testURL, "-key", testKey, "extra"}, `client: unexpected argument "extra"`},
		{[]string{"-url", testURL, "-key", testKey, "-poll", "30"}, `client: -poll 30: an interval is 60 to 3600 seconds in whole minutes`},
		{[]string{"-url", testURL, "-key", testKey, "-poll", "90"}, `client: -poll 90: an interval is 60 to 3600 seconds in whole minutes`},
		{[]string{"-url", testURL, "-key", testKey, "-poll", "60", "-address-command", "cat /run/addr"}, `client: -poll 60: give -poll or -address-command, not both`},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(append([]string{"client"}, c.args...), &stdout, &stderr)
			if code != 2 || stdout.Len() != 0 || strings.Count(stderr.String(), "\n") != 1 || !strings.Contains(stderr.String(), c.want) {
				t.Errorf("exit %d, stdout %d bytes, stderr %q\nwant exit 2 and one line containing %q", code, stdout.Len(), stderr.String(), c.want)
			}
			if strings.Contains(stderr.String(), testPassword) {
				t.Errorf("the error repeats the password: %q", stderr.String())
			}
		})
	}
}

// TestClientSetups: what each set-up says, checked the way its program
// would read it: sh -n and shellcheck for the shell, systemd-analyze verify
// for the units.
func TestClientSetups(t *testing.T) {
	base := []string{"-url", testURL, "-key", testKey, "-hostname", "home.example.com"}
	dyn := []string{"-url", testURL, "-dyndns2", "router:" + testPassword, "-hostname", "home.example.com,vpn.example.com"}
	t.Run("curl", func(t *testing.T) {
		got := clientOut(t, append(base, "-format", "curl")...)
		want := "curl -sS -m 20 -H 'x-api-key: " + testKey + "' 'https://abc123defg.execute-api.eu-west-1.amazonaws.com/ddns/Z0123456789ABCDEFGHIJ?hostname=home.example.com'\n"
		if got != want {
			t.Errorf("got  %q\nwant %q", got, want)
		}
		got = clientOut(t, append(dyn, "-format", "curl")...)
		want = "curl -sS -m 20 -u 'router:" + testPassword + "' 'https://abc123defg.execute-api.eu-west-1.amazonaws.com/ddns/nic/update?hostname=home.example.com,vpn.example.com'\n"
		if got != want {
			t.Errorf("dyndns2: got  %q\nwant %q", got, want)
		}
	})
	t.Run("cron", func(t *testing.T) {
		got := clientOut(t, append(base, "-format", "cron", "-script-path", "/opt/ddns/update")...)
		if got != "*/5 * * * * /opt/ddns/update >/dev/null\n" {
			t.Errorf("cron line %q", got)
		}
	})
	t.Run("shell", func(t *testing.T) {
		lab.Require(t, "sh", "shellcheck")
		dir := t.TempDir()
		for i, args := range [][]string{
			append(base, "-format", "script"),
			append(dyn, "-format", "script", "-type", "A,AAAA"),
			append(base, "-format", "script", "-type", "AAAA", "-address-command", "ip -6 -o addr show dev eth0 scope global | sed -n 1p"),
		} {
			path := filepath.Join(dir, fmt.Sprintf("update%d", i))
			if err := os.WriteFile(path, []byte(clientOut(t, args...)), 0o700); err != nil {
				t.Fatal(err)
			}
			curl := filepath.Join(dir, fmt.Sprintf("curl%d", i))
			line := clientOut(t, append(append([]string(nil), args...), "-format", "curl")...)
			if err := os.WriteFile(curl, []byte("#!/bin/sh\n"+line), 0o700); err != nil {
				t.Fatal(err)
			}
			for _, p := range []string{path, curl} {
				if out, err := exec.Command("sh", "-n", p).CombinedOutput(); err != nil {
					t.Errorf("sh -n %v: %v\n%s", args, err, out)
				}
				// Every finding, even style, fails the test.
				if out, err := exec.Command("shellcheck", "--shell=sh", "--severity=style", p).CombinedOutput(); err != nil {
					t.Errorf("shellcheck %v: %v\n%s", args, err, out)
				}
			}
		}
	})
	t.Run("systemd", func(t *testing.T) {
		dir := t.TempDir()
		script := filepath.Join(dir, "ddnsgen-update")
		args := append(base, "-script-path", script)
		service := clientOut(t, append(args, "-format", "service")...)
		timer := clientOut(t, append(args, "-format", "timer")...)
		for _, want := range []string{"ExecStart=" + script + "\n", "StateDirectory=ddnsgen-update\n", "Type=oneshot\n", "Description=Point home.example.com at this host's address (ddnsgen)\n"} {
			if !strings.Contains(service, want) {
				t.Errorf("the service lacks %q:\n%s", want, service)
			}
		}
		if !strings.Contains(timer, "OnUnitActiveSec=5min\n") || !strings.Contains(timer, "WantedBy=timers.target\n") {
			t.Errorf("timer:\n%s", timer)
		}
		// Only this check depends on systemd; the others above ran. With
		// DDNSGEN_LAB=require (CI) a missing systemd-analyze fails the test.
		lab.Require(t, "systemd-analyze")
		for name, text := range map[string]string{script: clientOut(t, append(args, "-format", "script")...),
			script + ".service": service, script + ".timer": timer} {
			mode := os.FileMode(0o644)
			if name == script {
				mode = 0o700
			}
			if err := os.WriteFile(name, []byte(text), mode); err != nil {
				t.Fatal(err)
			}
		}
		out, err := exec.Command("systemd-analyze", "verify", "--man=no", script+".service", script+".timer").CombinedOutput()
		if err != nil || len(bytes.TrimSpace(out)) > 0 {
			t.Errorf("systemd-analyze verify: %v\n%s", err, out)
		}
		// The check can fail: a unit with a typo does not pass.
		bad := strings.Replace(service, "Type=oneshot", "Type=oneshoot", 1)
		os.WriteFile(script+".service", []byte(bad), 0o644)
		if out, err := exec.Command("systemd-analyze", "verify", "--man=no", script+".service").CombinedOutput(); err == nil && len(bytes.TrimSpace(out)) == 0 {
			t.Error("systemd-analyze verify accepted Type=oneshoot")
		}
	})
	t.Run("ddclient and inadyn", func(t *testing.T) {
		d := clientOut(t, append(dyn, "-format", "ddclient")...)
		for _, want := range []string{"protocol=dyndns2\n", "ssl=yes\n", "server=abc123defg.execute-api.eu-west-1.amazonaws.com\n",
			"script=/ddns/nic/update\n", "login=router\n", "password=" + testPassword + "\n", "home.example.com, vpn.example.com\n"} {
			if !strings.Contains(d, want) {
				t.Errorf("ddclient.conf lacks %q:\n%s", want, d)
			}
		}
		in := clientOut(t, append(dyn, "-format", "inadyn")...)
		if strings.Contains(in, "allow-ipv6") {
			t.Errorf("inadyn.conf for A-only names allows IPv6:\n%s", in)
		}
		for _, want := range []string{"ssl            = true\n", `ddns-path      = "/ddns/nic/update?hostname=%h&myip=%i"` + "\n", "hostname       = { home.example.com, vpn.example.com }\n"} {
			if !strings.Contains(in, want) {
				t.Errorf("inadyn.conf lacks %q:\n%s", want, in)
			}
		}
		if in6 := clientOut(t, append(dyn, "-format", "inadyn", "-type", "A,AAAA")...); !strings.HasPrefix(in6, "period = 300\nallow-ipv6 = true\n") {
			t.Errorf("inadyn.conf for names that take AAAA:\n%s", in6)
		}
		// The lab's http URL turns TLS off.
		if d := clientOut(t, "-url", "http://127.0.0.1:8080/ddns/Z1", "-dyndns2", "router:"+testPassword, "-format", "ddclient"); !strings.Contains(d, "ssl=no\n") {
			t.Errorf("ddclient.conf for http:\n%s", d)
		}
	})
	t.Run("all", func(t *testing.T) {
		all := clientOut(t, dyn...)
		for _, f := range clientFormats {
			if !strings.Contains(all, "# ==== "+clientTitles[f]+" ====\n") {
				t.Errorf("-format all lacks %s", f)
			}
		}
		for _, want := range []string{"chmod 700 /usr/local/sbin/ddnsgen-update", "chmod 600 /etc/ddclient.conf", "chmod 600 /etc/inadyn.conf"} {
			if !strings.Contains(all, want) {
				t.Errorf("-format all does not say %q", want)
			}
		}
		if keyOnly := clientOut(t, base...); strings.Contains(keyOnly, "protocol=dyndns2") || strings.Contains(keyOnly, "custom ddnsgen") ||
			!strings.HasSuffix(keyOnly, "# ddclient and inadyn speak dyndns2 only: add -dyndns2 USER:PASSWORD for their stanzas.\n") {
			t.Errorf("without -dyndns2, -format all prints ddclient or inadyn set-ups, or does not say why not:\n%s", keyOnly)
		}
		// A trailing slash on the URL is dropped.
		if got := clientOut(t, "-url", testURL+"/", "-key", testKey, "-format", "curl"); !strings.HasSuffix(got, "/ddns/Z0123456789ABCDEFGHIJ'\n") {
			t.Errorf("with a trailing slash: %q", got)
		}
	})
}

// TestClientReadme: docs/routers.md's ddclient.conf and inadyn.conf blocks
// (which local.TestDDClient and local.TestInadyn run) are what ddnsgen client
// prints for its sample stack, and docs/routers.md shows that command.
func TestClientReadme(t *testing.T) {
	b, err := os.ReadFile("../../docs/routers.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	const cmd = "ddnsgen client -url https://API.execute-api.REGION.amazonaws.com/ddns/Z0123456789ABCDEFGHIJ -dyndns2 router:YOUR_PASSWORD -type A,AAAA -hostname home.example.com,vpn.example.com"
	if !strings.Contains(strings.ReplaceAll(readme, "\\\n    ", ""), cmd) {
		t.Errorf("the README does not show %q", cmd)
	}
	if !strings.Contains(readme, "ddnsgen -dyndns2 -type A,AAAA -device router=home.example.com,vpn.example.com") {
		t.Error("the README's dyndns2 sample stack is not the one whose names take A and AAAA")
	}
	args := strings.Fields(strings.Replace(cmd, "YOUR_PASSWORD", testPassword, 1))[2:]
	for _, f := range []string{"ddclient", "inadyn"} {
		want := strings.ReplaceAll(clientOut(t, append(args, "-format", f)...), testPassword, "YOUR_PASSWORD")
		if got := readmeBlock(t, readme, f+".conf"); got != want {
			t.Errorf("the README's %s.conf block:\n%s\nddnsgen client prints:\n%s", f, got, want)
		}
	}
}

// readmeBlock is the fenced block after <!-- marker -->.
func readmeBlock(t *testing.T, readme, marker string) string {
	t.Helper()
	i := strings.Index(readme, "<!-- "+marker+" -->")
	if i < 0 {
		t.Fatalf("the README has no <!-- %s --> block", marker)
	}
	text := readme[i:]
	start := strings.Index(text, "```")
	start += strings.Index(text[start:], "\n") + 1
	end := strings.Index(text[start:], "```")
	return text[start : start+end]
}

// TestClientScriptLab runs the printed script against the lab (ddnsgen's
// local API Gateway and moto), through a proxy that counts the requests
// and can answer 429 or 5xx in the API's place.
func TestClientScriptLab(t *testing.T) {
	lab.Require(t, "moto_server", "aws", "java", "/usr/share/java/velocity-1.7.jar", "curl", "sh")
	moto := lab.StartMoto(t)
	zone := moto.CreateHostedZone(t, "acme.local")
	tmpl, err := os.ReadFile(filepath.Join(goldenDir, "dyndns2.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv, err := local.Start(ctx, local.Options{
		Template: tmpl, Route53URL: moto.URL, Unthrottled: true,
		Parameters: map[string]string{"HostedZoneId": zone, "Password": testPassword},
		APIKeys:    map[string]string{"ApiKey": testKey},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	target, _ := url.Parse(srv.APIs[0].URL)
	upstream := httputil.NewSingleHostReverseProxy(target)
	var requests, inject atomic.Int32
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		if code := int(inject.Load()); code != 0 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(code)
			fmt.Fprint(w, `{"message":"Too Many Requests"}`)
			return
		}
		upstream.ServeHTTP(w, r)
	}))
	defer proxy.Close()

	record := func(t *testing.T) string {
		for _, r := range moto.Records(t, zone) {
			if r.Name == "myddns.acme.local." && r.Type == "A" && len(r.Values) == 1 {
				return r.Values[0]
			}
		}
		return ""
	}
	t.Run("ddclient", func(t *testing.T) {
		lab.Require(t, "ddclient")
		dir := t.TempDir()
		conf := filepath.Join(dir, "ddclient.conf")
		text := clientOut(t, "-url", proxy.URL+"/ddns/"+zone, "-dyndns2", "default:"+testPassword, "-hostname", "myddns.acme.local",
			"-address-command", "/bin/echo 192.0.2.77", "-format", "ddclient")
		if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		out, code := runTool(t, "ddclient", "-daemon=0", "-foreground", "-file", conf, "-cache", filepath.Join(dir, "cache"), "-verbose", "-noquiet")
		if code != 0 || !strings.Contains(out, "SUCCESS:") || record(t) != "192.0.2.77" {
			t.Errorf("ddclient with ddnsgen client's ddclient.conf: exit %d, record %q:\n%s\n%s", code, record(t), text, out)
		}
	})
	t.Run("inadyn", func(t *testing.T) {
		lab.Require(t, "inadyn")
		dir := t.TempDir()
		conf, cache := filepath.Join(dir, "inadyn.conf"), filepath.Join(dir, "cache")
		text := clientOut(t, "-url", proxy.URL+"/ddns/"+zone, "-dyndns2", "default:"+testPassword, "-hostname", "myddns.acme.local",
			"-address-command", "/bin/echo 192.0.2.78", "-format", "inadyn")
		os.Mkdir(cache, 0o700)
		// A cache file, so that inadyn asks no DNS server.
		os.WriteFile(filepath.Join(cache, "myddns.acme.local.cache"), []byte("192.0.2.1"), 0o600)
		if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		out, code := runTool(t, "inadyn", "-1", "--foreground", "-f", conf, "--cache-dir", cache, "-P", filepath.Join(dir, "pid"), "-l", "info")
		if code != 0 || !strings.Contains(out, "Successful alias table update") || record(t) != "192.0.2.78" {
			t.Errorf("inadyn with ddnsgen client's inadyn.conf: exit %d, record %q:\n%s\n%s", code, record(t), text, out)
		}
	})
	for _, mode := range []struct{ name, cred, value string }{
		{"API key", "-key", testKey},
		{"dyndns2", "-dyndns2", "default:" + testPassword},
	} {
		t.Run(mode.name, func(t *testing.T) {
			dir := t.TempDir()
			addrFile, state, script := filepath.Join(dir, "addr"), filepath.Join(dir, "state"), filepath.Join(dir, "ddnsgen-update")
			text := clientOut(t, "-url", proxy.URL+"/ddns/"+zone, mode.cred, mode.value, "-format", "script",
				"-address-command", "cat "+addrFile)
			if err := os.WriteFile(script, []byte(text), 0o700); err != nil {
				t.Fatal(err)
			}
			runScript := func(t *testing.T, addr string, env ...string) (string, int) {
				t.Helper()
				if err := os.WriteFile(addrFile, []byte(addr+"\n"), 0o600); err != nil {
					t.Fatal(err)
				}
				cmd := exec.Command("sh", script)
				cmd.Env = append(os.Environ(), append([]string{"DDNS_STATE=" + state, "DDNS_TRIES=1"}, env...)...)
				out, err := cmd.CombinedOutput()
				code := 0
				if ee, ok := err.(*exec.ExitError); ok {
					code = ee.ExitCode()
				} else if err != nil {
					t.Fatal(err)
				}
				return string(out), code
			}
			readState := func(t *testing.T) (addr string, failures, notBefore int64) {
				b, _ := os.ReadFile(state)
				f := strings.Fields(string(b))
				if len(f) != 4 {
					t.Fatalf("state file %q", b)
				}
				failures, _ = strconv.ParseInt(f[2], 10, 64)
				notBefore, _ = strconv.ParseInt(f[3], 10, 64)
				return f[0], failures, notBefore
			}
			clearBackoff := func(t *testing.T) {
				a, failures, _ := readState(t)
				os.WriteFile(state, []byte(fmt.Sprintf("%s 0 %d 0\n", a, failures)), 0o600)
			}
			requests.Store(0)
			inject.Store(0)

			out, code := runScript(t, "192.0.2.10")
			if code != 0 || requests.Load() != 1 || !strings.Contains(out, "set to 192.0.2.10") || record(t) != "192.0.2.10" {
				t.Fatalf("first run: exit %d, %d requests, record %q:\n%s", code, requests.Load(), record(t), out)
			}
			out, code = runScript(t, "192.0.2.10")
			if code != 0 || requests.Load() != 1 || out != "" {
				t.Errorf("the same address again: exit %d, %d requests (want 1: none more), output %q", code, requests.Load(), out)
			}
			out, code = runScript(t, "192.0.2.11")
			if code != 0 || requests.Load() != 2 || record(t) != "192.0.2.11" {
				t.Errorf("a new address: exit %d, %d requests, record %q:\n%s", code, requests.Load(), record(t), out)
			}

			// 429: two tries in the run (2 s apart), then a back-off of BACKOFF_MIN.
			inject.Store(429)
			start := time.Now()
			out, code = runScript(t, "192.0.2.12", "DDNS_TRIES=2")
			if code != 75 || requests.Load() != 4 || !strings.Contains(out, "HTTP 429") || time.Since(start) < 2*time.Second {
				t.Errorf("429: exit %d, %d requests (want 4), %v:\n%s", code, requests.Load(), time.Since(start), out)
			}
			addr, failures, notBefore := readState(t)
			if wait := notBefore - time.Now().Unix(); addr != "192.0.2.11" || failures != 1 || wait < 55 || wait > 60 {
				t.Errorf("after a 429 the state is %s, %d failures, next call in %d s (want 192.0.2.11, 1, 60)", addr, failures, wait)
			}
			out, code = runScript(t, "192.0.2.12")
			if code != 0 || requests.Load() != 4 || !strings.Contains(out, "backing off") {
				t.Errorf("while backing off: exit %d, %d requests (want 4: none more):\n%s", code, requests.Load(), out)
			}
			// A 5xx on the next try doubles the wait; the cap holds it.
			inject.Store(503)
			clearBackoff(t)
			out, code = runScript(t, "192.0.2.12")
			if _, failures, notBefore := readState(t); code != 75 || requests.Load() != 5 || failures != 2 || notBefore-time.Now().Unix() < 115 {
				t.Errorf("503: exit %d, %d requests, %d failures, wait %d s (want 120):\n%s", code, requests.Load(), failures, notBefore-time.Now().Unix(), out)
			}
			os.WriteFile(state, []byte("192.0.2.11 0 30 0\n"), 0o600)
			runScript(t, "192.0.2.12")
			if _, failures, notBefore := readState(t); failures != 31 || notBefore-time.Now().Unix() > 3600 || notBefore-time.Now().Unix() < 3590 {
				t.Errorf("after 31 failed runs: %d failures, wait %d s, want the cap, 3600", failures, notBefore-time.Now().Unix())
			}
			// Once the API answers again, the update goes through and the count resets.
			inject.Store(0)
			clearBackoff(t)
			out, code = runScript(t, "192.0.2.12")
			if _, failures, _ := readState(t); code != 0 || failures != 0 || record(t) != "192.0.2.12" {
				t.Errorf("after the back-off: exit %d, %d failures, record %q:\n%s", code, failures, record(t), out)
			}
			// A refusal is not retried, and changes nothing.
			out, code = runScript(t, "not-an-address")
			if code != 1 || !strings.Contains(out, "not an address") {
				t.Errorf("a bad ADDRESS_COMMAND output: exit %d:\n%s", code, out)
			}
		})
	}
}

// runTool runs a client program for at most 90 s, in its own process group
// (killed whole on timeout), and returns its output and exit status.
func runTool(t *testing.T, name string, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return string(out), exit.ExitCode()
	case err != nil:
		t.Fatalf("%s: %v\n%s", name, err, out)
	}
	return string(out), 0
}

// Without names, ddclient's and inadyn's stanzas carry a placeholder that
// says what to put there; with them, the names.
func TestClientNameList(t *testing.T) {
	u, _ := url.Parse("https://api.example.com/ddns/Z0123456789ABCDEFGHIJ")
	s := &clientSetup{url: u, user: "router", pass: "p", ipv4: true}
	for _, out := range []string{s.ddclient(), s.inadyn()} {
		if !strings.Contains(out, "YOUR.NAME.EXAMPLE") {
			t.Errorf("no placeholder for the names:\n%s", out)
		}
	}
	s.names = []string{"home.example.com", "vpn.example.com"}
	for _, out := range []string{s.ddclient(), s.inadyn()} {
		if !strings.Contains(out, "home.example.com, vpn.example.com") || strings.Contains(out, "YOUR.NAME.EXAMPLE") {
			t.Errorf("the names are not listed:\n%s", out)
		}
	}
}
