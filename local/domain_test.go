package local_test

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ddnsgen/ddnsgen/internal/lab"
	"github.com/ddnsgen/ddnsgen/local"
)

// domainLab is a golden with a custom domain served by the lab, Route 53
// being a fresh moto. moto's CloudFormation cannot deploy these goldens
// (it has no AWS::ApiGateway::DomainName; cmd/ddnsgen's TestGoldenDeploys
// makes the domain through moto's APIs instead), so only the zone is made
// in moto here.
type domainLab struct {
	t      *testing.T
	moto   *lab.Moto
	zone   string
	srv    *local.Server
	domain *local.Domain
	key    string
}

func startDomainLab(t *testing.T, golden string, sam bool) *domainLab {
	t.Helper()
	lab.Require(t, "moto_server", "aws", "curl")
	eng := lab.Velocity(t)
	l := &domainLab{t: t, moto: lab.StartMoto(t), key: "key-domain-0123456789abcdefghijklmn"}
	b, err := os.ReadFile(filepath.Join("..", "golden", golden))
	if err != nil {
		t.Fatal(err)
	}
	zoneName := "acme.local"
	if strings.Contains(string(b), "ddns.example.com") {
		zoneName = "example.com"
	}
	l.zone = l.moto.CreateHostedZone(t, zoneName)
	b = []byte(strings.ReplaceAll(string(b), goldenZoneID, l.zone))
	if sam {
		src := filepath.Join(t.TempDir(), golden)
		if err := os.WriteFile(src, b, 0o644); err != nil {
			t.Fatal(err)
		}
		if b, err = os.ReadFile(lab.SAMTranslate(t, src)); err != nil {
			t.Fatal(err)
		}
	}
	params := map[string]string{}
	if strings.Contains(string(b), "HostedZoneId:\n    Type: AWS::Route53::HostedZone::Id") || strings.Contains(string(b), `"HostedZoneId": {`) {
		params["HostedZoneId"] = l.zone
	}
	if strings.Contains(string(b), "\n  Password:\n") {
		params["Password"] = "pwdomain0123456789"
	}
	l.srv, err = local.Start(context.Background(), local.Options{
		Template: b, Parameters: params, Route53URL: l.moto.URL, APIKeys: map[string]string{"ApiKey": l.key},
		TrustSourceIPHeader: true, Unthrottled: true, Engine: eng, Log: testLog{t},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.srv.Close() })
	if len(l.srv.Domains) != 1 {
		t.Fatalf("the lab serves %d custom domains, want 1", len(l.srv.Domains))
	}
	l.domain = l.srv.Domains[0]
	if !slices.Equal(l.domain.BasePaths, []string{""}) {
		t.Fatalf("domain %s maps base paths %q, want only the root", l.domain.Name, l.domain.BasePaths)
	}
	return l
}

// curl calls base+path as a router would call https://DOMAIN/path: the
// domain's name resolved to the lab's port, so Host is the domain.
func (l *domainLab) curl(base, path string, headers ...string) (int, string) {
	l.t.Helper()
	port := base[strings.LastIndex(base, ":")+1:]
	args := []string{"-sS", "--max-time", "20", "-o", "-", "-w", "\n%{http_code}"}
	url := base + path
	if base == l.domain.URL {
		args = append(args, "--resolve", l.domain.Name+":"+port+":127.0.0.1")
		url = "http://" + l.domain.Name + ":" + port + path
	}
	for _, h := range headers {
		args = append(args, "-H", h)
	}
	out, err := exec.Command("curl", append(args, url)...).Output()
	if err != nil {
		l.t.Fatalf("curl %v: %v", args, err)
	}
	text := string(out)
	i := strings.LastIndex(text, "\n")
	code, _ := strconv.Atoi(text[i+1:])
	return code, text[:i]
}

// has reports whether moto holds exactly this record.
func (l *domainLab) has(name, typ, value string) bool {
	l.t.Helper()
	for _, r := range l.moto.Records(l.t, l.zone) {
		if r.Name == name+"." && r.Type == typ && strings.Join(r.Values, ",") == value {
			return true
		}
	}
	return false
}

// TestDomainRoot: on the custom domain the stage is served at the root, as
// the base path mapping says: /nic/update and /ZONEID without /STAGE,
// over IPv4 and IPv6, with the records read back from moto; the
// execute-api URL keeps its /STAGE prefix.
func TestDomainRoot(t *testing.T) {
	l := startDomainLab(t, "domain-dualstack.yaml", false)
	api := l.srv.APIs[0]
	auth := basic("default", "pwdomain0123456789")
	cases := []struct {
		what    string
		base    string
		path    string
		headers []string
		status  int
		body    string // a prefix of the body
		name    string // a record to read back
		typ     string
		value   string
	}{
		{"dyndns2 at the root, myip", l.domain.URL, "/nic/update?hostname=home.acme.local&myip=198.51.100.20", []string{auth}, 200,
			"good 198.51.100.20\n", "home.acme.local", "A", "198.51.100.20"},
		{"dyndns2 at the root, the caller's IPv6 address", l.domain.URL, "/nic/update?hostname=home.acme.local",
			[]string{auth, local.SourceIPHeader + ": 2001:db8::21"}, 200, "good 2001:db8::21\n", "home.acme.local", "AAAA", "2001:db8::21"},
		{"the JSON endpoint at the root", l.domain.URL, "/" + l.zone + "?ip=198.51.100.22", []string{"x-api-key: " + l.key}, 200,
			`{"updated":[{"name":"home.acme.local","type":"A","value":"198.51.100.22"`, "home.acme.local", "A", "198.51.100.22"},
		{"the JSON endpoint at the root, IPv6", l.domain.URL, "/" + l.zone, []string{"x-api-key: " + l.key, local.SourceIPHeader + ": 2001:db8::23"}, 200,
			`{"updated":[{"name":"home.acme.local","type":"AAAA","value":"2001:db8::23"`, "home.acme.local", "AAAA", "2001:db8::23"},
		{"a wrong password on the domain", l.domain.URL, "/nic/update?hostname=home.acme.local&myip=203.0.113.66", []string{basic("default", "wrong-password-123")}, 401,
			"badauth", "", "", ""},
		{"the stage is no path segment on the domain", l.domain.URL, "/ddns/nic/update?hostname=home.acme.local&myip=203.0.113.66", []string{auth}, 403,
			`{"message":"Missing Authentication Token"}`, "", "", ""},
		{"the execute-api URL keeps /STAGE", api.URL, "/ddns/nic/update?hostname=home.acme.local&myip=198.51.100.24", []string{auth}, 200,
			"good 198.51.100.24\n", "home.acme.local", "A", "198.51.100.24"},
	}
	for _, c := range cases {
		status, body := l.curl(c.base, c.path, c.headers...)
		if status != c.status || !strings.HasPrefix(body, c.body) {
			t.Errorf("%s: GET %s: %d %q, want %d %q…", c.what, c.path, status, body, c.status, c.body)
		}
		if c.name != "" && !l.has(c.name, c.typ, c.value) {
			t.Errorf("%s: moto has no %s %s %s: %v", c.what, c.name, c.typ, c.value, l.moto.Records(t, l.zone))
		}
	}
	if l.has("home.acme.local", "A", "203.0.113.66") {
		t.Error("a refused request changed the record")
	}
}

// TestDomainDisablesExecuteAPI: with DisableExecuteApiEndpoint the
// execute-api URL answers 403 Forbidden to everything and the custom
// domain is the only way in; the same for SAM's DisableExecuteApiEndpoint
// (an x-amazon-apigateway-endpoint-configuration in the API's body).
func TestDomainDisablesExecuteAPI(t *testing.T) {
	for _, c := range []struct {
		golden, name string
		sam          bool
	}{
		{"domain-certificate.yaml", "home.example.com", false},
		{"sam-domain.yaml", "myddns.acme.local", true},
	} {
		t.Run(c.golden, func(t *testing.T) {
			l := startDomainLab(t, c.golden, c.sam)
			key := "x-api-key: " + l.key
			if status, body := l.curl(l.srv.APIs[0].URL, "/ddns/"+l.zone+"?ip=203.0.113.66", key); status != 403 || body != `{"message":"Forbidden"}` {
				t.Errorf("execute-api URL: %d %q, want 403 Forbidden", status, body)
			}
			if status, body := l.curl(l.domain.URL, "/"+l.zone+"?ip=198.51.100.30", key); status != 200 || !strings.Contains(body, `"value":"198.51.100.30"`) {
				t.Errorf("custom domain: %d %q, want 200", status, body)
			}
			if !l.has(c.name, "A", "198.51.100.30") {
				t.Errorf("moto has no %s A 198.51.100.30: %v", c.name, l.moto.Records(t, l.zone))
			}
			if l.has(c.name, "A", "203.0.113.66") {
				t.Error("the disabled execute-api endpoint changed the record")
			}
		})
	}
}

// TestDisabledExecuteAPILogRedactsPasswords: a router still calling the
// execute-api URL once DisableExecuteApiEndpoint is set (403) sends its
// dyndns2 password in the query all the same; the log line of that
// refusal, like every other, holds no password.
func TestDisabledExecuteAPILogRedactsPasswords(t *testing.T) {
	lab.Require(t, "java", "/usr/share/java/velocity-1.7.jar")
	b, err := os.ReadFile(filepath.Join("..", "golden", "domain-certificate.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	log := &syncLog{t: t}
	srv, err := local.Start(context.Background(), local.Options{
		Template: b, APIKeys: map[string]string{"ApiKey": "key-domain-0123456789abcdefghijklmn"},
		Unthrottled: true, Engine: lab.Velocity(t), Log: log,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	resp, err := http.Get(srv.APIs[0].URL + "/ddns/nic/update-url?hostname=home.example.com&username=router&password=s3cretPassw0rd123456")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("execute-api URL: %d, want 403", resp.StatusCode)
	}
	if logged := log.String(); strings.Contains(logged, "s3cret") || !strings.Contains(logged, "password=REDACTED") {
		t.Errorf("the log holds the password (or no line for the request):\n%s", logged)
	}
}
