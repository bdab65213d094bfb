package local_test

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"

	"github.com/ddnsgen/ddnsgen/local/route53"
)

// specNamed is the lab spec of a golden file.
func specNamed(t *testing.T, golden string) stackSpec {
	for _, s := range labSpecs {
		if s.golden == golden {
			return s
		}
	}
	t.Fatalf("no lab spec for %s", golden)
	return stackSpec{}
}

// basic is an Authorization header.
func basic(user, pass string) string {
	return "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

// TestDynDNS2Answers drives /nic/update with every answer dyndns2 has, and
// hostile input, and checks each answer line and the records afterwards.
func TestDynDNS2Answers(t *testing.T) {
	forEachWorld(t, dyndns2Answers)
}

func dyndns2Answers(t *testing.T, w labWorld) {
	spec := specNamed(t, "dyndns2-devices.yaml")
	s := startStack(t, spec, w)
	router := basic("router", s.params["PasswordRouter"])
	nas := basic("nas", s.params["PasswordNas"])
	from := "X-Lab-Source-Ip: 192.0.2.10"
	type rec struct{ name, typ, value string }
	cases := []struct {
		what    string
		query   string
		headers []string
		status  int
		answer  string // the whole body
		changed []rec  // records that must hold these values afterwards; nil: nothing changes
	}{
		{"one name, the caller's address", "hostname=home.acme.local", []string{router, from}, 200,
			"good 192.0.2.10\n", []rec{{"home.acme.local", "A", "192.0.2.10"}}},
		{"myip", "hostname=home.acme.local&myip=198.51.100.1", []string{router, from}, 200,
			"good 198.51.100.1\n", []rec{{"home.acme.local", "A", "198.51.100.1"}}},
		{"empty myip (ddclient 3.10 without an address)", "hostname=vpn.acme.local&myip=", []string{router, from}, 200,
			"good 192.0.2.10\n", []rec{{"vpn.acme.local", "A", "192.0.2.10"}}},
		{"IPv6 myip sets AAAA", "hostname=home.acme.local&myip=2001:db8::10", []string{router, from}, 200,
			"good 2001:db8::10\n", []rec{{"home.acme.local", "AAAA", "2001:db8::10"}}},
		{"IPv4 and IPv6 (ddclient 3.11)", "hostname=vpn.acme.local&myip=198.51.100.2,2001:db8::2", []string{router, from}, 200,
			"good 198.51.100.2,2001:db8::2\n", []rec{{"vpn.acme.local", "A", "198.51.100.2"}, {"vpn.acme.local", "AAAA", "2001:db8::2"}}},
		{"two names, one request", "hostname=home.acme.local,vpn.acme.local&myip=198.51.100.3", []string{router, from}, 200,
			"good 198.51.100.3\ngood 198.51.100.3\n", []rec{{"home.acme.local", "A", "198.51.100.3"}, {"vpn.acme.local", "A", "198.51.100.3"}}},
		{"unknown parameters are ignored", "system=dyndns&hostname=home.acme.local&myip=198.51.100.4&wildcard=NOCHG&mx=&backmx=NO&offline=NO", []string{router, from}, 200,
			"good 198.51.100.4\n", []rec{{"home.acme.local", "A", "198.51.100.4"}}},
		{"upper case and a trailing dot", "hostname=HOME.acme.local.&myip=198.51.100.5", []string{router, from}, 200,
			"good 198.51.100.5\n", []rec{{"home.acme.local", "A", "198.51.100.5"}}},
		{"a name twice", "hostname=home.acme.local,home.acme.local&myip=198.51.100.6", []string{router, from}, 200,
			"good 198.51.100.6\ngood 198.51.100.6\n", []rec{{"home.acme.local", "A", "198.51.100.6"}}},
		{"own and other's name", "hostname=vpn.acme.local,nas.acme.local&myip=198.51.100.7", []string{router, from}, 200,
			"good 198.51.100.7\nnohost\n", []rec{{"vpn.acme.local", "A", "198.51.100.7"}}},
		{"another device's credentials", "hostname=home.acme.local&myip=203.0.113.66", []string{nas, from}, 200, "nohost\n", nil},
		{"a name of no zone", "hostname=www.example.org", []string{router, from}, 200, "nohost\n", nil},
		{"a malformed name", "hostname=home..acme.local", []string{router, from}, 200, "notfqdn\n", nil},
		{"only commas", "hostname=,,", []string{router, from}, 200, "notfqdn\n", nil},
		{"XML in the name", "hostname=" + url.QueryEscape("home.acme.local</Name><Name>x"), []string{router, from}, 200, "notfqdn\n", nil},
		{"CRLF in the name", "hostname=" + url.QueryEscape("home.acme.local\r\ngood 1.2.3.4"), []string{router, from}, 200, "notfqdn\n", nil},
		{"no hostname, several names", "", []string{router, from}, 200, "notfqdn\n", nil},
		{"100 names", "hostname=" + strings.TrimSuffix(strings.Repeat("home.acme.local,", 100), ","), []string{router, from}, 200,
			strings.Repeat("numhost\n", 100), nil},
		{"1,500 names (more than #foreach takes)", "hostname=" + strings.TrimSuffix(strings.Repeat("a.b,", 1500), ","), []string{router, from}, 200,
			strings.Repeat("numhost\n", 1000), nil},
		{"myip with a port", "hostname=home.acme.local&myip=" + url.QueryEscape("198.51.100.9:8080"), []string{router, from}, 200, "dnserr\n", nil},
		{"myip in brackets", "hostname=home.acme.local&myip=" + url.QueryEscape("[2001:db8::9]"), []string{router, from}, 200, "dnserr\n", nil},
		{"XML and CRLF in myip", "hostname=home.acme.local&myip=" + url.QueryEscape("1.2.3.4</Value>\r\n"), []string{router, from}, 200, "dnserr\n", nil},
		{"no credentials", "hostname=home.acme.local&myip=203.0.113.66", []string{from}, 401, "badauth\n", nil},
		{"a wrong password", "hostname=home.acme.local&myip=203.0.113.66", []string{basic("router", "wrong-password-123"), from}, 401, "badauth\n", nil},
		{"a prefix of the password", "hostname=home.acme.local&myip=203.0.113.66", []string{basic("router", s.params["PasswordRouter"][:10]), from}, 401, "badauth\n", nil},
		{"the password and more", "hostname=home.acme.local&myip=203.0.113.66", []string{basic("router", s.params["PasswordRouter"]+"x"), from}, 401, "badauth\n", nil},
		{"an empty password", "hostname=home.acme.local&myip=203.0.113.66", []string{basic("router", ""), from}, 401, "badauth\n", nil},
		{"no colon", "hostname=home.acme.local&myip=203.0.113.66", []string{"Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte("router")), from}, 401, "badauth\n", nil},
		{"not base64", "hostname=home.acme.local&myip=203.0.113.66", []string{"Authorization: Basic !!!not*base64", from}, 401, "badauth\n", nil},
		{"another scheme", "hostname=home.acme.local&myip=203.0.113.66", []string{"Authorization: Bearer " + s.params["PasswordRouter"], from}, 401, "badauth\n", nil},
		{"VTL in the user name", "hostname=home.acme.local&myip=203.0.113.66", []string{basic("#set($known = true)", s.params["PasswordRouter"]), from}, 401, "badauth\n", nil},
		{"another device's password", "hostname=home.acme.local&myip=203.0.113.66", []string{basic("router", s.params["PasswordNas"]), from}, 401, "badauth\n", nil},
		{"two names, bad credentials", "hostname=home.acme.local,vpn.acme.local", []string{basic("router", "nope"), from}, 401, "badauth\nbadauth\n", nil},
	}
	for _, c := range cases {
		before := s.snapshot()
		path := "/ddns/nic/update"
		if c.query != "" {
			path += "?" + c.query
		}
		code, body := s.curl(path, c.headers...)
		if code != c.status || body != c.answer {
			t.Errorf("%s: %d %q, want %d %q", c.what, code, body, c.status, c.answer)
		}
		if c.changed == nil {
			s.unchanged(before, c.what)
		}
		for _, r := range c.changed {
			if !s.hasRecord("acme.local", r.name, r.typ, 60, r.value) {
				t.Errorf("%s: no record %s %s %s; records %q", c.what, r.name, r.typ, r.value, s.records("acme.local"))
			}
		}
	}

	// Route 53's errors: throttling and server errors are 503 911 (come
	// back later: a 200 911 is success to OPNsense and fatal to inadyn's
	// custom provider), any other error 200 dnserr; nothing changes.
	for _, c := range []struct {
		fault  *route53.Error
		status int
		answer string
	}{
		{route53.Throttling(), 503, "911\n"},
		{route53.PriorRequestNotComplete(), 503, "911\n"},
		{route53.InternalFailure(), 503, "911\n"},
		{route53.ServiceUnavailable(), 503, "911\n"},
		{route53.InvalidChangeBatch("RRSet of type A with DNS name home.acme.local. is not permitted"), 200, "dnserr\n"},
		{route53.NoSuchHostedZone(s.zones["acme.local"]), 200, "dnserr\n"},
	} {
		before := s.snapshot()
		s.fault.set(c.fault)
		code, body := s.curl("/ddns/nic/update?hostname=home.acme.local&myip=203.0.113.77", router, from)
		s.fault.set(nil)
		if code != c.status || body != c.answer {
			t.Errorf("Route 53 %s: %d %q, want %d %q", c.fault.Code, code, body, c.status, c.answer)
		}
		s.unchanged(before, "Route 53 "+c.fault.Code)
	}
}

// TestDynDNS2Headers: the answer is text, and a refused login asks for
// Basic credentials (routers that wait for a challenge then send them).
func TestDynDNS2Headers(t *testing.T) {
	forEachWorld(t, dyndns2Headers)
}

func dyndns2Headers(t *testing.T, w labWorld) {
	spec := specNamed(t, "dyndns2.yaml")
	s := startStack(t, spec, w)
	// No credentials: API Gateway's own challenge (the request validator's
	// gateway response). Wrong ones: the template's 401 badauth, without a
	// challenge (an integration response's WWW-Authenticate would reach the
	// caller renamed x-amzn-Remapped-WWW-Authenticate, so none is set).
	for _, c := range []struct {
		headers []string
		status  int
		want    []string
		not     []string
	}{
		{[]string{basic("default", s.params["Password"])}, 200, []string{"Content-Type: text/plain; charset=utf-8"}, []string{"Www-Authenticate", "Remapped"}},
		{nil, 401, []string{"Content-Type: text/plain; charset=utf-8", `Www-Authenticate: Basic realm="ddnsgen"`}, nil},
		{[]string{basic("default", "wrongpassword0000")}, 401, []string{"Content-Type: text/plain; charset=utf-8"}, []string{"Www-Authenticate", "Remapped"}},
	} {
		code, resp := s.head("/ddns/nic/update?hostname=myddns.acme.local&myip=192.0.2.3", c.headers...)
		if code != c.status {
			t.Errorf("%v: status %d, want %d", c.headers, code, c.status)
		}
		for _, h := range c.want {
			if !strings.Contains(resp, h) {
				t.Errorf("%v: the answer lacks %q:\n%s", c.headers, h, resp)
			}
		}
		for _, h := range c.not {
			if strings.Contains(resp, h) {
				t.Errorf("%v: the answer has %q:\n%s", c.headers, h, resp)
			}
		}
	}
}
