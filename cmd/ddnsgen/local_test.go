package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ddnsgen/ddnsgen/internal/lab"
)

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestLocalCommand runs `ddnsgen local` on the seed template as the README
// shows, reads the update URL and key it prints, and updates the record.
// It runs in both worlds of the carry (the default one, and -carry), on one
// moto; each world sets the record to an address of its own.
func TestLocalCommand(t *testing.T) {
	lab.Require(t, "moto_server", "aws", "java", "/usr/share/java/velocity-1.7.jar")
	moto := lab.StartMoto(t)
	zone := moto.CreateHostedZone(t, "acme.local")
	for _, w := range []struct {
		name  string
		flags []string
		ip    string
	}{{"carry=off", nil, "192.0.2.33"}, {"carry=on", []string{"-carry"}, "192.0.2.34"}} {
		t.Run(w.name, func(t *testing.T) { localCommand(t, moto, zone, w.ip, w.flags) })
	}
}

func localCommand(t *testing.T, moto *lab.Moto, zone, ip string, flags []string) {
	out, _ := startLocal(t, append([]string{"-template", goldenDir + "/seed.yaml", "-route53", moto.URL,
		"-parameter", "HostedZoneId=" + zone, "-trust-source-ip-header"}, flags...)...)
	url := regexp.MustCompile(`update URL: (\S+)`).FindStringSubmatch(out)
	key := regexp.MustCompile(`API key \S+ \(ApiKey, id \S+\): (\S+)`).FindStringSubmatch(out)
	if url == nil || key == nil || !strings.HasSuffix(url[1], "/ddns/"+zone) {
		t.Fatalf("the output lacks the update URL or the key:\n%s", out)
	}
	req, _ := http.NewRequest("GET", url[1], nil)
	req.Header.Set("x-api-key", key[1])
	req.Header.Set("X-Lab-Source-Ip", ip)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"value":"`+ip+`"`) {
		t.Errorf("%d %s", resp.StatusCode, body)
	}
	found := false
	for _, r := range moto.Records(t, zone) {
		found = found || (r.Name == "myddns.acme.local." && r.Type == "A" && len(r.Values) == 1 && r.Values[0] == ip)
	}
	if !found {
		t.Errorf("moto has no A record myddns.acme.local %s: %v", ip, moto.Records(t, zone))
	}
}

// TestLocalBadRoute53: an endpoint that is not an http(s) URL with a host
// is bad usage (it used to be accepted, and every request then failed).
func TestLocalBadRoute53(t *testing.T) {
	for _, v := range []string{"127.0.0.1:5931", "localhost", "ftp://127.0.0.1:5931", "http://", "http:///path"} {
		var stdout, stderr bytes.Buffer
		code := run([]string{"local", "-template", goldenDir + "/seed.yaml", "-route53", v}, &stdout, &stderr)
		want := `ddnsgen: local: -route53 "` + v + `": the Route 53 endpoint is a URL with scheme http or https and a host, e.g. http://127.0.0.1:5000` + "\n"
		if code != 2 || stdout.Len() != 0 || stderr.String() != want {
			t.Errorf("-route53 %q: exit %d, stdout %q, stderr %q; want exit 2, nothing on stdout, stderr %q", v, code, stdout.String(), stderr.String(), want)
		}
	}
}

// TestLocalWorlds: `ddnsgen local` says nothing of the lab's worlds unless
// asked (-v) or a switch is given; -carry and -zone-lookup-first switch and
// say so on stderr, with how to switch back.
func TestLocalWorlds(t *testing.T) {
	lab.Tools(t, "java", "/usr/share/java/velocity-1.7.jar")
	const off = "ddnsgen local: modelling carry=off (a response template sees no $context.requestOverride from its request template; -carry to model the carry), " +
		"zone-lookup-first=off (IAM is asked before Route 53 looks the hosted zone up; -zone-lookup-first for the other order)\n"
	for _, c := range []struct {
		flags []string
		want  string
	}{
		{nil, ""},
		{[]string{"-v"}, off},
		{[]string{"-carry", "-zone-lookup-first"}, "ddnsgen local: modelling carry=on (a response template reads the $context.requestOverride its request template set; drop -carry for the pessimistic world), " +
			"zone-lookup-first=on (Route 53 answers NoSuchHostedZone before IAM is asked; drop -zone-lookup-first for the other order)\n"},
	} {
		ctx, cancel := context.WithCancel(context.Background())
		var stdout, stderr syncBuffer
		done := make(chan error, 1)
		go func() {
			done <- runLocal(ctx, append([]string{"-template", goldenDir + "/seed.yaml",
				"-parameter", "HostedZoneId=ZLAB"}, c.flags...), &stdout, &stderr)
		}()
		deadline := time.After(time.Minute)
	wait:
		for !strings.Contains(stdout.String(), "Serving until Ctrl-C.") {
			select {
			case err := <-done:
				t.Fatalf("%v: ddnsgen local stopped: %v\n%s", c.flags, err, stderr.String())
			case <-deadline:
				break wait
			case <-time.After(50 * time.Millisecond):
			}
		}
		cancel()
		if err := <-done; err != nil {
			t.Errorf("%v: %v", c.flags, err)
		}
		if got := stderr.String(); got != c.want {
			t.Errorf("%v: stderr %q, want %q", c.flags, got, c.want)
		}
	}
	// A template that cannot start says why, and nothing of worlds.
	var stdout, stderr bytes.Buffer
	code := run([]string{"local", "-template", goldenDir + "/routers.yaml", "-route53", "http://127.0.0.1:1"}, &stdout, &stderr)
	if code == 0 || strings.Contains(stderr.String(), "modelling") || stdout.Len() != 0 {
		t.Errorf("a template without its HostedZoneId: exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
	}
}

// TestLocalUnreachableRoute53: an endpoint where nothing answers is
// refused at start with the reason (it used to say it was serving, then
// answer every request 500).
func TestLocalUnreachableRoute53(t *testing.T) {
	lab.Require(t, "java", "/usr/share/java/velocity-1.7.jar")
	var stdout, stderr bytes.Buffer
	code := run([]string{"local", "-template", goldenDir + "/seed.yaml", "-route53", "http://127.0.0.1:1", "-parameter", "HostedZoneId=ZLAB"}, &stdout, &stderr)
	// The line docs/local.md shows.
	want := docBlockText(t, "docs/local.md", "test: TestLocalUnreachableRoute53")
	if !strings.Contains(want, "http://127.0.0.1:1 does not answer") {
		t.Fatalf("docs/local.md shows %q, not the refusal of http://127.0.0.1:1", want)
	}
	if code != 1 || strings.Contains(stdout.String(), "Serving") || !strings.HasSuffix(stderr.String(), want) {
		t.Errorf("exit %d, stdout %q, stderr %q; want exit 1 and stderr ending %q", code, stdout.String(), stderr.String(), want)
	}
}

// TestLocalInProcess runs `ddnsgen local` with nothing but the template
// (no Route 53 endpoint, no zone id): the update writes the record, stderr
// logs the change and /_local/records lists it.
func TestLocalInProcess(t *testing.T) {
	lab.Require(t, "java", "/usr/share/java/velocity-1.7.jar")
	out, stderr := startLocal(t, []string{"-template", goldenDir + "/seed.yaml", "-trust-source-ip-header"}...)
	url := regexp.MustCompile(`update URL: (\S+)`).FindStringSubmatch(out)
	key := regexp.MustCompile(`API key \S+ \(ApiKey, id \S+\): (\S+)`).FindStringSubmatch(out)
	records := regexp.MustCompile(`Records: GET (\S+)`).FindStringSubmatch(out)
	if url == nil || key == nil || records == nil {
		t.Fatalf("the output lacks the update URL, the key or the records URL:\n%s", out)
	}
	get := func(u string, headers ...string) (int, string) {
		req, _ := http.NewRequest("GET", u, nil)
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get(url[1], "x-api-key", key[1], "X-Lab-Source-Ip", "192.0.2.33"); code != 200 || !strings.Contains(body, `"value":"192.0.2.33"`) {
		t.Errorf("update: %d %s", code, body)
	}
	if code, body := get(records[1]); code != 200 || !regexp.MustCompile(`(?m)^myddns\.acme\.local\. +60 +IN A +192\.0\.2\.33$`).MatchString(body) {
		t.Errorf("records: %d %s", code, body)
	}
	if !regexp.MustCompile(`(?m)^route53: \S+ UPSERT myddns\.acme\.local\. A 60 192\.0\.2\.33 \(hosted zone Z[A-Z0-9]{20} acme\.local\.\)$`).MatchString(stderr.String()) {
		t.Errorf("stderr has no line for the change:\n%s", stderr.String())
	}
}
