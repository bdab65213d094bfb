package local_test

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/ddnsgen/ddnsgen/local/route53"
)

// acmeSpec is golden/acme.yaml: the five devices of devices.yaml with the
// acme-dns endpoint.
var acmeSpec = stackSpec{
	golden: "acme.yaml", zones: devicesSpec.zones, literal: devicesSpec.literal,
	keys: devicesSpec.keys, types: devicesSpec.types,
}

// acmeValue is a value of the shape ACME's key authorisation digests have.
const acmeValue = "LPsIwTo7o8BoG0-vjCyGQGBWSVIPxI-i_X336eUOQZo"

// acmeAnswer is the JSON an acme-dns answer carries.
type acmeAnswer struct {
	TXT     string `json:"txt"`
	Error   string `json:"error"`
	Message string `json:"message"`
	Source  string `json:"source"`
	Via     string `json:"-"` // the X-Ddnsgen-Via header
}

// post sends a body to the lab with curl, as an acme-dns client would, and
// returns the status and the body (and sets s.via).
func (s *stack) post(path, contentType, body string, headers ...string) (int, string) {
	s.t.Helper()
	args := []string{"-sS", "--max-time", "20", "-w", "\n%header{x-ddnsgen-via}\n%{http_code}", "-o", "-", "-X", "POST", "--data-binary", "@-"}
	if contentType != "" {
		args = append(args, "-H", "Content-Type: "+contentType)
	}
	for _, h := range headers {
		args = append(args, "-H", h)
	}
	cmd := exec.Command("curl", append(args, s.api.URL+path)...)
	cmd.Stdin = strings.NewReader(body)
	out, err := cmd.Output()
	if err != nil {
		s.t.Fatalf("curl %v: %v", args, err)
	}
	text := string(out)
	i := strings.LastIndex(text, "\n")
	code, _ := strconv.Atoi(text[i+1:])
	text = text[:i]
	i = strings.LastIndex(text, "\n")
	s.via = text[i+1:]
	return code, text[:i]
}

// txt reads a zone's TXT records from moto as "name ttl values" lines.
func (s *stack) txt(zone string) []string {
	s.t.Helper()
	var out []string
	for _, r := range s.recordSets(zone) {
		if r.Type == "TXT" {
			out = append(out, fmt.Sprintf("%s %s %s", strings.TrimSuffix(r.Name, "."), r.TTL, strings.Join(r.Values, ",")))
		}
	}
	sort.Strings(out)
	return out
}

// TestACMELab drives golden/acme.yaml's POST /ddns/update as acme-dns
// clients do: every device for every name, then the refusals and hostile
// bodies, checking the answer and the TXT records in moto each time.
func TestACMELab(t *testing.T) { forEachWorld(t, acmeLab) }

func acmeLab(t *testing.T, w labWorld) {
	s := startStack(t, acmeSpec, w)
	const path = "/ddns/update"
	device := map[string]string{ // key logical ID → device name
		"ApiKeyRouter": "router", "ApiKeyBackupRouter": "backup-router", "ApiKeyNas": "nas", "ApiKeyLaptop": "laptop", "ApiKeyOffice": "office",
	}
	owns := func(key, name string) bool {
		for _, n := range acmeSpec.keys[key] {
			if n == name {
				return true
			}
		}
		return false
	}
	decodeAnswer := func(body string) acmeAnswer {
		t.Helper()
		var a acmeAnswer
		if err := json.Unmarshal([]byte(body), &a); err != nil {
			t.Fatalf("the answer is not JSON: %v: %q", err, body)
		}
		if strings.Contains(body, `"via"`) {
			t.Errorf("the body says how the answer travelled (the X-Ddnsgen-Via header's job): %s", body)
		}
		a.Via = s.via
		if a.Via == "" || a.Via == "none" {
			t.Errorf("via %q: the answer came from neither Route 53's echo nor the carry: %s", a.Via, body)
		}
		if strings.Contains(a.Message, "arn:") || strings.Contains(a.Message, "123456789012") {
			t.Errorf("IAM's text reached the caller: %s", body)
		}
		return a
	}
	addresses := s.snapshot()
	i := 0
	for _, key := range callers(acmeSpec) {
		for _, name := range acmeSpec.names() {
			i++
			value := fmt.Sprintf("%s%03d", acmeValue[:40], i)
			before := s.txt("acme.local")
			// lego's spelling: X-Api-Key and X-Api-User, keys SubDomain and Txt.
			code, body := s.post(path, "application/json", `{"SubDomain":"`+name+`","Txt":"`+value+`"}`,
				"X-Api-User: "+device[key], "X-Api-Key: "+s.keys[key])
			a := decodeAnswer(body)
			record := "_acme-challenge." + name + " 60 \"" + value + "\""
			if owns(key, name) {
				if code != 200 || a.TXT != value {
					t.Errorf("%s sets %s: %d %s, want 200 {\"txt\":%q}", device[key], name, code, body, value)
				}
				if !hasLine(s.txt("acme.local"), record) {
					t.Errorf("%s sets %s: moto holds %q, want %q among them", device[key], name, s.txt("acme.local"), record)
				}
				continue
			}
			if code != 403 || a.Error != "not_your_subdomain" || !strings.HasPrefix(a.Via, "echo") {
				t.Errorf("%s sets %s: %d %s, want 403 not_your_subdomain, via echo", device[key], name, code, body)
			}
			if after := s.txt("acme.local"); strings.Join(after, "\n") != strings.Join(before, "\n") {
				t.Errorf("%s sets %s (not its own): TXT records changed from %q to %q", device[key], name, before, after)
			}
		}
	}
	s.unchanged(addresses, "setting challenges")

	good := `{"subdomain":"home.acme.local","txt":"` + acmeValue + `"}`
	router := []string{"X-Api-User: router", "x-api-key: " + s.keys["ApiKeyRouter"]}
	for _, c := range []struct {
		what        string
		contentType string
		body        string
		headers     []string
		status      int
		error       string
	}{
		{"another device's user name", "application/json", good, []string{"X-Api-User: nas", "X-Api-Key: " + s.keys["ApiKeyRouter"]}, 401, "forbidden"},
		{"no user name", "application/json", good, []string{"X-API-KEY: " + s.keys["ApiKeyRouter"]}, 401, "forbidden"},
		{"a user name in upper case", "application/json", good, []string{"X-Api-User: ROUTER", "X-Api-Key: " + s.keys["ApiKeyRouter"]}, 401, "forbidden"},
		{"a name of no device", "application/json", `{"subdomain":"mail.acme.local","txt":"` + acmeValue + `"}`, router, 400, "bad_subdomain"},
		{"not a name", "application/json", `{"subdomain":"-home.acme.local","txt":"` + acmeValue + `"}`, router, 400, "bad_subdomain"},
		{"a value too short", "application/json", `{"subdomain":"home.acme.local","txt":"` + acmeValue[:42] + `"}`, router, 400, "bad_txt"},
		{"a value too long", "application/json", `{"subdomain":"home.acme.local","txt":"` + acmeValue + `A"}`, router, 400, "bad_txt"},
		{"a value with a dot", "application/json", `{"subdomain":"home.acme.local","txt":"` + acmeValue[:42] + `."}`, router, 400, "bad_txt"},
		{"no body", "application/json", ``, router, 400, "malformed_json_payload"},
		{"not JSON", "application/json", `subdomain=home.acme.local&txt=` + acmeValue, router, 400, "malformed_json_payload"},
		{"broken JSON", "application/json", `{"subdomain":"home.acme.local","txt":"` + acmeValue + `"`, router, 400, "malformed_json_payload"},
		{"an array", "application/json", `[` + good + `]`, router, 400, "malformed_json_payload"},
		{"a number", "application/json", `{"subdomain":"home.acme.local","txt":12345}`, router, 400, "malformed_json_payload"},
		{"nested", "application/json", `{"subdomain":["home.acme.local"],"txt":"` + acmeValue + `"}`, router, 400, "malformed_json_payload"},
		{"missing txt", "application/json", `{"subdomain":"home.acme.local"}`, router, 400, "malformed_json_payload"},
		{"an extra key", "application/json", `{"subdomain":"home.acme.local","txt":"` + acmeValue + `","allowfrom":"x"}`, router, 400, "malformed_json_payload"},
		{"a key twice", "application/json", `{"subdomain":"home.acme.local","subdomain":"nas.acme.local"}`, router, 400, "malformed_json_payload"},
		{"an escape", "application/json", `{"subdomain":"home.acme.local","txt":"\"` + acmeValue[:42] + `"}`, router, 400, "malformed_json_payload"},
		{"unicode", "application/json", `{"subdomain":"hôme.acme.local","txt":"` + acmeValue + `"}`, router, 400, "malformed_json_payload"},
		{"a VTL directive", "application/json", `{"subdomain":"#set($x=1)","txt":"` + acmeValue + `"}`, router, 400, "malformed_json_payload"},
		{"huge", "application/json", `{"subdomain":"home.acme.local","txt":"` + strings.Repeat("A", 1<<20) + `"}`, router, 400, "malformed_json_payload"},
		{"no Content-Type (curl says a form, as acme.sh's dns_acmedns sends it)", "application/x-www-form-urlencoded", `{"subdomain":"home.acme.local", "txt": "` + acmeValue[:42] + `."}`, router, 400, "bad_txt"},
		{"JSON with a charset", "application/json; charset=utf-8", `{"subdomain":"home.acme.local","txt":"` + acmeValue[:42] + `."}`, router, 400, "bad_txt"},
	} {
		before := s.txt("acme.local")
		code, body := s.post(path, c.contentType, c.body, c.headers...)
		a := decodeAnswer(body)
		if code != c.status || a.Error != c.error || a.Message == "" {
			t.Errorf("%s: %d %s, want %d %s with a message", c.what, code, body, c.status, c.error)
		}
		// The verdict is read from IAM's naming of the refused zone,
		// whether or not the carry also arrives.
		if !strings.HasPrefix(a.Via, "echo") {
			t.Errorf("%s: via %q, want the refusal read from Route 53's answer (echo)", c.what, a.Via)
		}
		if after := s.txt("acme.local"); strings.Join(after, "\n") != strings.Join(before, "\n") {
			t.Errorf("%s: TXT records changed from %q to %q", c.what, before, after)
		}
	}

	// API Gateway's own answers: no key, a wrong key, a body that is not JSON.
	for _, c := range []struct {
		what        string
		contentType string
		headers     []string
		status      int
	}{
		{"no API key", "application/json", []string{"X-Api-User: router"}, 403},
		{"a wrong API key", "application/json", []string{"X-Api-User: router", "X-Api-Key: not-a-key-of-this-stack-0123456789"}, 403},
		{"plain text", "text/plain", router, 415},
	} {
		before := s.txt("acme.local")
		if code, body := s.post(path, c.contentType, good, c.headers...); code != c.status {
			t.Errorf("%s: %d %s, want %d", c.what, code, body, c.status)
		}
		if after := s.txt("acme.local"); strings.Join(after, "\n") != strings.Join(before, "\n") {
			t.Errorf("%s: TXT records changed", c.what)
		}
	}

	// Route 53's failures of an accepted change: a fixed message, never
	// Route 53's text.
	for _, c := range []struct {
		fault  *route53.Error
		status int
		error  string
	}{
		{route53.Throttling(), 429, "Throttling"},
		{&route53.Error{Status: 403, Code: "AccessDenied", Message: "User: arn:aws:sts::123456789012:assumed-role/r/s is not authorized"}, 502, "RoleRefused"},
		{route53.NoSuchHostedZone(s.zones["acme.local"]), 502, "ZoneNotFound"},
		{route53.InternalFailure(), 502, "Route53Unavailable"},
	} {
		s.fault.set(c.fault)
		code, body := s.post(path, "application/json", good, router...)
		s.fault.set(nil)
		// Route 53's error of an accepted change carries no verdict:
		// X-Ddnsgen-Via says none where the carry is off (carry where it is
		// on), and the answer is Route 53's code.
		var a acmeAnswer
		if err := json.Unmarshal([]byte(body), &a); err != nil {
			t.Fatalf("Route 53 %s: the answer is not JSON: %v: %q", c.fault.Code, err, body)
		}
		if code != c.status || a.Error != c.error || a.Source != "route53" {
			t.Errorf("Route 53 %s: %d %s, want %d %s from route53", c.fault.Code, code, body, c.status, c.error)
		}
		if want := map[bool]string{false: "none", true: "carry"}[w.carry]; s.via != want {
			t.Errorf("Route 53 %s: X-Ddnsgen-Via %q, want %q", c.fault.Code, s.via, want)
		}
		if strings.Contains(body, c.fault.Message) {
			t.Errorf("Route 53 %s: its message reached the caller: %s", c.fault.Code, body)
		}
	}
	s.unchanged(addresses, "the acme-dns endpoint")
}

func hasLine(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
