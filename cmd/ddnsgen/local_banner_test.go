package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ddnsgen/ddnsgen/internal/lab"
)

// startLocal runs `ddnsgen local` with args until the test ends, and
// returns its banner and what it writes to stderr.
func startLocal(t *testing.T, args ...string) (string, *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout syncBuffer
	stderr := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- runLocal(ctx, args, &stdout, stderr) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("ddnsgen local: %v", err)
		}
	})
	deadline := time.After(time.Minute)
	for !strings.Contains(stdout.String(), "Serving until Ctrl-C.") {
		select {
		case err := <-done:
			done <- err
			t.Fatalf("ddnsgen local stopped: %v\n%s", err, stderr.String())
		case <-deadline:
			t.Fatalf("ddnsgen local did not start:\n%s\n%s", stdout.String(), stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	return stdout.String(), stderr
}

// TestLocalBanner: `ddnsgen local` on golden/routers.yaml lists every login
// (the FritzBox's password as -parameter gives it, the Synology's chosen),
// and what it prints for each client works as printed: the FRITZ!Box URL
// filled in as the router fills it, the curl lines, and the ddnsgen client
// command. The banner is docs/local.md's example, secrets and port aside.
func TestLocalBanner(t *testing.T) {
	lab.Require(t, "moto_server", "aws", "java", "/usr/share/java/velocity-1.7.jar", "sh", "curl")
	moto := lab.StartMoto(t)
	zone := moto.CreateHostedZone(t, "acme.local")
	const fritzPass = "fritzboxPassw0rd0123"
	banner, _ := startLocal(t, "-template", goldenDir+"/routers.yaml", "-route53", moto.URL,
		"-parameter", "HostedZoneId="+zone, "-parameter", "PasswordFritzbox="+fritzPass)

	find := func(re string) []string {
		t.Helper()
		m := regexp.MustCompile(re).FindStringSubmatch(banner)
		if m == nil {
			t.Fatalf("the banner has no line matching %s:\n%s", re, banner)
		}
		return m
	}
	find(`(?m)^  dyndns2 user fritzbox, password ` + fritzPass + ` \(names home\.acme\.local, nas\.acme\.local\)$`)
	synoPass := find(`(?m)^  dyndns2 user synology, password ([A-Za-z0-9]{32}) \(names files\.acme\.local\)$`)[1]
	get := func(u string) (int, string) {
		t.Helper()
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, strings.TrimSpace(string(b))
	}
	sh := func(line string) string {
		t.Helper()
		out, err := exec.Command("sh", "-c", line).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", line, err, out)
		}
		return strings.TrimSpace(string(out))
	}

	t.Run("FRITZ!Box URL", func(t *testing.T) {
		fritz := find(`FRITZ!Box update URL: (\S+username=fritzbox\S+)`)[1]
		filled := strings.NewReplacer("<domain>", "home.acme.local", "<ipaddr>", "198.51.100.20", "<ip6addr>", "2001:db8:20::1").Replace(fritz)
		if code, body := get(filled); code != 200 || body != "good 198.51.100.20,2001:db8:20::1" {
			t.Errorf("%s: %d %q", filled, code, body)
		}
	})
	t.Run("Synology URL", func(t *testing.T) {
		syno := find(`Synology query URL: (\S+username=synology\S+)`)[1]
		filled := strings.NewReplacer("__HOSTNAME__", "files.acme.local", "__MYIP__", "198.51.100.30").Replace(syno)
		if code, body := get(filled); code != 200 || body != "good 198.51.100.30" {
			t.Errorf("%s: %d %q", filled, code, body)
		}
	})
	t.Run("dyndns2 curl", func(t *testing.T) {
		line := find(`(?m)^    (curl -sS -u 'synology:` + synoPass + `' \S+)$`)[1]
		if out := sh(line); out != "good 127.0.0.1" {
			t.Errorf("%s: %q", line, out)
		}
	})
	t.Run("API key curl", func(t *testing.T) {
		line := find(`(?m)^    (curl -sS -H 'x-api-key: \S+' '\S+\?hostname=home\.acme\.local')$`)[1]
		if out := sh(line); !strings.Contains(out, `{"name":"home.acme.local","type":"A","value":"127.0.0.1","ttl":60}`) {
			t.Errorf("%s: %q", line, out)
		}
	})
	t.Run("ddnsgen client", func(t *testing.T) {
		line := find(`whole set-ups: ddnsgen (client -url \S+ -dyndns2 fritzbox:\S+ -hostname \S+ -type \S+ -format ddclient)`)[1]
		var out, errb bytes.Buffer
		if code := run(strings.Fields(line), &out, &errb); code != 0 {
			t.Fatalf("ddnsgen %s: exit %d %s", line, code, errb.String())
		}
		server := find(`ddclient\.conf: protocol=dyndns2, ssl=no, (server=\S+), script=/ddns/nic/update`)[1]
		for _, want := range []string{"ssl=no\n", strings.TrimSuffix(server, ",") + "\n", "script=/ddns/nic/update\n", "login=fritzbox\n", "password=" + fritzPass + "\n", "home.acme.local, nas.acme.local\n"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("ddnsgen %s lacks %q:\n%s", line, want, out.String())
			}
		}
	})

	t.Run("docs/local.md", func(t *testing.T) {
		docs := docsFile(t, "docs/local.md")
		args := docsCommand(t, readmeBlock(t, docs, "local-command"))
		if strings.Join(args[:2], " ") != "ddnsgen local" {
			t.Fatalf("the local-command block is not ddnsgen local: %q", args)
		}
		want := readmeBlock(t, docs, "local-output")
		port := regexp.MustCompile(`127\.0\.0\.1:[0-9]+`)
		got := port.ReplaceAllString(banner, "127.0.0.1:8080")
		got = strings.ReplaceAll(got, zone, "Z0123456789ABCDEFGHIJ")
		// The keys and the chosen password are random: the docs' stand in
		// for them, in order of appearance.
		secret := regexp.MustCompile(`\b([A-Za-z0-9]{40}|[A-Za-z0-9]{32})\b`)
		var docSecrets []string
		for _, s := range secret.FindAllString(want, -1) {
			if !slices.Contains(docSecrets, s) {
				docSecrets = append(docSecrets, s)
			}
		}
		ours := map[string]string{}
		got = secret.ReplaceAllStringFunc(got, func(s string) string {
			if _, ok := ours[s]; !ok && len(ours) < len(docSecrets) {
				ours[s] = docSecrets[len(ours)]
			}
			if r, ok := ours[s]; ok {
				return r
			}
			return s
		})
		if got != want {
			t.Errorf("docs/local.md's banner differs from ddnsgen local's:\n--- docs/local.md\n%s--- ddnsgen local\n%s", want, got)
		}
	})
}
