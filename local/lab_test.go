package local_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/ddnsgen/ddnsgen/internal/lab"
	"github.com/ddnsgen/ddnsgen/local"
	"github.com/ddnsgen/ddnsgen/local/route53"
)

var (
	seedSpec = stackSpec{
		golden: "seed.yaml", zones: []string{"acme.local"}, params: map[string]string{"HostedZoneId": "acme.local"},
		keys:  map[string][]string{"ApiKey": {"myddns.acme.local"}},
		types: map[string][]string{"myddns.acme.local": {"A"}},
	}
	devicesSpec = stackSpec{
		golden: "devices.yaml", zones: []string{"acme.local"}, literal: "acme.local",
		keys: map[string][]string{
			"ApiKeyRouter":       {"home.acme.local", "vpn.acme.local"},
			"ApiKeyBackupRouter": {"home.acme.local", "vpn.acme.local"},
			"ApiKeyNas":          {"nas.acme.local"},
			"ApiKeyLaptop":       {"laptop.acme.local"},
			"ApiKeyOffice":       {"office.acme.local"},
		},
		types: map[string][]string{
			"home.acme.local": {"A", "AAAA"}, "vpn.acme.local": {"A", "AAAA"}, "nas.acme.local": {"A", "AAAA"},
			"laptop.acme.local": {"A", "AAAA"}, "office.acme.local": {"A", "AAAA"},
		},
	}
)

// labSpecs are the golden templates the lab serves, and what each holds.
var labSpecs = []stackSpec{
	seedSpec,
	{golden: "seed.json", zones: seedSpec.zones, params: seedSpec.params, keys: seedSpec.keys, types: seedSpec.types},
	{
		golden: "baked.yaml", zones: []string{"example.com"}, literal: "example.com",
		keys:  map[string][]string{"ApiKey": {"home.example.com"}},
		types: map[string][]string{"home.example.com": {"A"}},
		ttl:   300,
	},
	{golden: "open.yaml", zones: seedSpec.zones, params: seedSpec.params, types: seedSpec.types},
	{
		golden: "multizone.yaml", zones: []string{"acme.local", "example.com"}, literal: "acme.local",
		params: map[string]string{"HostedZoneId": "example.com"},
		keys:   map[string][]string{"ApiKey": {"home.acme.local", "nas.acme.local", "vpn.example.com"}},
		types:  map[string][]string{"home.acme.local": {"A"}, "nas.acme.local": {"A"}, "vpn.example.com": {"A"}},
	},
	devicesSpec,
	{
		golden: "ipv6only.yaml", zones: seedSpec.zones, params: seedSpec.params,
		keys:  map[string][]string{"ApiKey": {"v6.acme.local"}},
		types: map[string][]string{"v6.acme.local": {"AAAA"}},
	},
	{
		golden: "dyndns2.yaml", zones: seedSpec.zones, params: seedSpec.params, keys: seedSpec.keys, types: seedSpec.types,
		users: map[string]string{"default": "Password"},
	},
	{golden: "sam.yaml", sam: true, zones: seedSpec.zones, params: seedSpec.params, keys: seedSpec.keys, types: seedSpec.types},
	{golden: "sam-devices.json", sam: true, zones: devicesSpec.zones, literal: devicesSpec.literal, keys: devicesSpec.keys, types: devicesSpec.types},
	{
		golden: "openapi.yaml", openapi: true, openapiPlain: "seed.yaml",
		zones: seedSpec.zones, params: seedSpec.params, keys: seedSpec.keys, types: seedSpec.types,
	},
	{
		golden: "openapi-devices.json", openapi: true, openapiPlain: "dyndns2-devices.yaml",
		zones: devicesSpec.zones, literal: devicesSpec.literal, keys: devicesSpec.keys, types: devicesSpec.types,
		users: map[string]string{"router": "PasswordRouter", "backup-router": "PasswordBackupRouter", "nas": "PasswordNas", "laptop": "PasswordLaptop", "office": "PasswordOffice"},
	},
	{
		golden: "embedded.yaml", stackZones: map[string]string{"lab.example.com": "LabZone"}, ttl: 120,
		keys:  map[string][]string{"DdnsApiKey": {"gw.lab.example.com"}},
		types: map[string][]string{"gw.lab.example.com": {"A", "AAAA"}},
	},
	{
		golden: "two-stacks.yaml", zones: []string{"acme.local", "example.com"},
		params:  map[string]string{"HomeHostedZoneId": "acme.local", "OfficeHostedZoneId": "example.com"},
		users:   map[string]string{"default": "OfficePassword"},
		restAPI: "HomeRestApi",
		keys:    map[string][]string{"HomeApiKey": {"home.acme.local"}},
		types:   map[string][]string{"home.acme.local": {"A"}},
	},
	{
		golden: "two-stacks.yaml", zones: []string{"acme.local", "example.com"},
		params:  map[string]string{"HomeHostedZoneId": "acme.local", "OfficeHostedZoneId": "example.com"},
		users:   map[string]string{"default": "OfficePassword"},
		restAPI: "OfficeRestApi", stage: "office",
		keys:  map[string][]string{"OfficeApiKey": {"office.example.com"}},
		types: map[string][]string{"office.example.com": {"A"}},
	},
	{
		golden: "dyndns2-devices.yaml", zones: devicesSpec.zones, literal: devicesSpec.literal, keys: devicesSpec.keys, types: devicesSpec.types,
		users: map[string]string{"router": "PasswordRouter", "backup-router": "PasswordBackupRouter", "nas": "PasswordNas", "laptop": "PasswordLaptop", "office": "PasswordOffice"},
	},
	// GET /myip (a MOCK) beside the updates: they behave as without it.
	{
		golden: "myip-dyndns2.yaml", zones: devicesSpec.zones, literal: devicesSpec.literal, keys: devicesSpec.keys, types: devicesSpec.types,
		users: map[string]string{"router": "PasswordRouter", "backup-router": "PasswordBackupRouter", "nas": "PasswordNas", "laptop": "PasswordLaptop", "office": "PasswordOffice"},
	},
}

// TestLab serves every golden template and drives its update endpoint with
// curl: every key × every name × IPv4 and IPv6, then the error cases. Each
// case asserts the status and body the caller sees and the records in moto.
//
// One table of cases (the parts below), run per world. A world changes only
// the answer a template gives: whether the response template sees the
// $context.requestOverride its request template set (carry), and which of
// IAM and Route 53's zone lookup refuses a change first (zone-lookup-first).
// The request template, the change batch and the records are the same in
// every world; the response template is one text for every golden here
// (the lines for interface ids, in routers.yaml only, are run in both worlds
// by TestRouterRecipes). So each golden is deployed once, and each world
// covers what only it can show:
//
//	world                        goldens              parts
//	carry=off (pessimistic)      every golden         keys and names, refusals, Route 53 errors, hostile input
//	carry=on                     everyWorldGoldens    keys and names, refusals, Route 53 errors, hostile input
//	carry=off,zone-lookup-first  everyWorldGoldens    refusals, Route 53 errors
//	carry=on,zone-lookup-first   everyWorldGoldens    refusals, Route 53 errors
//
// carry=off proves every golden's request template (its devices, names,
// types, TTLs, zones; SAM, OpenAPI, embedded and two stacks) against moto,
// with the answer read from Route 53's echo alone. carry=on shows the same
// answers when the carried override also arrives, and where only it arrives
// (a Route 53 error echoes no comment). zone-lookup-first shows that a
// refusal is still named when Route 53's NoSuchHostedZone comes before
// IAM's AccessDenied, and how Route 53's errors read when the zone lookup
// meets them first. The golden shapes everyWorldGoldens holds are those the
// answer can differ by: a key of one name, keys of several names and both
// families, no key, SAM, an imported OpenAPI document, a prefixed stack on
// its own stage.
func TestLab(t *testing.T) {
	lab.Require(t, "moto_server", "aws", "curl")
	type part struct {
		name string
		run  func(s *stack, spec stackSpec)
	}
	all := []part{
		{"keys and names", (*stack).everyKeyAndName},
		{"refusals", (*stack).refusals},
		{"route53 errors", (*stack).route53Errors},
		{"hostile input", (*stack).hostile},
	}
	worlds := []struct {
		labWorld
		parts []part
		every bool // every golden, else everyWorldGoldens
	}{
		{carryWorlds[0], all, true},
		{carryWorlds[1], all, false},
		{zoneFirstWorlds[0], all[1:3], false},
		{zoneFirstWorlds[1], all[1:3], false},
	}
	for _, spec := range labSpecs {
		name := spec.golden
		if spec.restAPI != "" {
			name += "/" + spec.restAPI
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel() // each its own moto; they share the one JVM
			shareDeployments(t)
			round := 0
			for _, w := range worlds {
				if !w.every && !everyWorldGoldens[name] {
					continue
				}
				t.Run(w.name, func(t *testing.T) {
					s := startStack(t, spec, w.labWorld)
					s.round = round
					for _, p := range w.parts {
						t.Run(p.name, func(t *testing.T) {
							s.t = t
							p.run(s, spec)
						})
					}
				})
				round++
			}
		})
	}
}

// everyWorldGoldens are the labSpecs (golden, or golden/restAPI) TestLab runs in
// every world: one of each shape an answer can differ by.
var everyWorldGoldens = map[string]bool{
	"seed.yaml":                     true, // a key of one name; the zone a parameter
	"devices.yaml":                  true, // keys of several names, shared names, A and AAAA
	"open.yaml":                     true, // no API key
	"sam-devices.json":              true, // AWS SAM, as aws-sam-translator translates it
	"openapi-devices.json":          true, // an imported OpenAPI document, keys as stage variables
	"two-stacks.yaml/OfficeRestApi": true, // a prefixed stack on a stage of its own, beside another
}

// addr4 and addr6 are the test addresses a case takes in the stack's round
// (TestLab serves one deployment in several worlds): n is the case's own
// number, below 60.
func (s *stack) addr4(prefix string, n int) string { return fmt.Sprintf("%s.%d", prefix, n+60*s.round) }
func (s *stack) addr6(prefix string, n int) string {
	return fmt.Sprintf("%s%x", prefix, n+0x100*s.round)
}

// keyHeader is the x-api-key header for a key, or nothing for an open
// endpoint.
func (s *stack) keyHeader(logical string) []string {
	if logical == "" {
		return nil
	}
	return []string{"x-api-key: " + s.keys[logical]}
}

// callers are the API key logical IDs to try ("" for the open endpoint).
func callers(spec stackSpec) []string {
	if spec.keys == nil {
		return []string{""}
	}
	var out []string
	for k := range spec.keys {
		out = append(out, k)
	}
	return out
}

func owns(spec stackSpec, key, name string) bool {
	if spec.keys == nil {
		return true
	}
	for _, n := range spec.keys[key] {
		if n == name {
			return true
		}
	}
	return false
}

func takes(spec stackSpec, name, typ string) bool {
	for _, t := range spec.types[name] {
		if t == typ {
			return true
		}
	}
	return false
}

type apiAnswer struct {
	Updated []struct {
		Name, Type, Value string
		TTL               int
	}
	Change  string
	Error   string
	Message string
	Source  string
}

// decode reads a JSON answer, failing the test if it names the lab stack's
// account or role: IAM's and Route 53's messages do, and must never reach
// a caller.
func decode(t *testing.T, body string) apiAnswer {
	t.Helper()
	for _, secret := range []string{labAccountID, "assumed-role/", "BackplaneAssumeRoleSession"} {
		if strings.Contains(body, secret) {
			t.Errorf("the answer names the stack's account or role (%q): %s", secret, body)
		}
	}
	var a apiAnswer
	if err := json.Unmarshal([]byte(body), &a); err != nil {
		t.Fatalf("the answer is not JSON: %v\n%s", err, body)
	}
	return a
}

func (s *stack) everyKeyAndName(spec stackSpec) {
	t := s.t
	n := 0
	for _, key := range callers(spec) {
		for _, name := range spec.names() {
			zone := spec.zoneOf(name)
			for _, family := range []string{"A", "AAAA"} {
				n++
				ip := s.addr4("203.0.113", n)
				if family == "AAAA" {
					ip = s.addr6("2001:db8::", n)
				}
				before := s.snapshot()
				path := "/" + spec.stageName() + "/" + s.zones[zone] + "?hostname=" + name
				code, body := s.curl(path, append(s.keyHeader(key), "X-Lab-Source-Ip: "+ip)...)
				what := fmt.Sprintf("key %q, %s from %s", key, name, ip)
				a := decode(t, body)
				switch {
				case !owns(spec, key, name):
					if code != 403 || a.Error != "NotYourHostname" {
						t.Errorf("%s: %d %s, want 403 NotYourHostname", what, code, body)
					}
					s.unchanged(before, what)
				case !takes(spec, name, family):
					if code != 400 || a.Error != "WrongAddressFamily" {
						t.Errorf("%s: %d %s, want 400 WrongAddressFamily", what, code, body)
					}
					s.unchanged(before, what)
				default:
					if code != 200 || len(a.Updated) != 1 || a.Updated[0].Name != name || a.Updated[0].Type != family ||
						a.Updated[0].Value != ip || a.Updated[0].TTL != spec.recordTTL() || !strings.HasPrefix(a.Change, "/change/") {
						t.Errorf("%s: %d %s, want 200 with %s %s %s TTL %d", what, code, body, name, family, ip, spec.recordTTL())
					}
					if !s.hasRecord(zone, name, family, spec.recordTTL(), ip) {
						t.Errorf("%s: moto has no record %s %s %s; it has %q", what, name, family, ip, s.records(zone))
					}
				}
			}
		}
	}
}

// first is a key and a name it owns, in the first name's zone.
func first(spec stackSpec) (key, name, zone string) {
	name = spec.names()[0]
	for _, k := range callers(spec) {
		if owns(spec, k, name) {
			return k, name, spec.zoneOf(name)
		}
	}
	return "", name, spec.zoneOf(name)
}

func (s *stack) refusals(spec stackSpec) {
	t := s.t
	key, name, zone := first(spec)
	path := "/" + spec.stageName() + "/" + s.zones[zone] + "?hostname=" + name
	family := spec.types[name][0]
	ip := s.addr4("198.51.100", 7)
	if family == "AAAA" {
		ip = s.addr6("2001:db8:ffff::", 7)
	}
	from := "X-Lab-Source-Ip: " + ip
	type refusal struct {
		what    string
		path    string
		headers []string
		status  int
		want    string // a JSON field "error" value, or the gateway's message
	}
	cases := []refusal{
		{"the console's test button", path, append(s.keyHeader(key), "X-Lab-Source-Ip: test-invoke-source-ip"), 400, "BadAddress"},
		{"a zone id not the name's", "/" + spec.stageName() + "/ZNOTTHEZONE0123456789?hostname=" + name, append(s.keyHeader(key), from), 400, "WrongZone"},
		{"a name of no zone", "/" + spec.stageName() + "/" + s.zones[zone] + "?hostname=other.invalid", append(s.keyHeader(key), from), 400, "UnknownHostname"},
		{"a name twice", path + "," + name, append(s.keyHeader(key), from), 400, "DuplicateHostname"},
		{"only commas", "/" + spec.stageName() + "/" + s.zones[zone] + "?hostname=,,", append(s.keyHeader(key), from), 400, "BadHostname"},
		{"a bad ip", path + "&ip=300.1.2.3", append(s.keyHeader(key), from), 400, "BadAddress"},
		{"an unknown path", "/" + spec.stageName() + "/" + s.zones[zone] + "/more", s.keyHeader(key), 403, "Missing Authentication Token"},
		{"an unknown stage", "/nostage/" + s.zones[zone], s.keyHeader(key), 403, "Missing Authentication Token"},
		{"an XML body type", path, append(s.keyHeader(key), from, "Content-Type: application/xml"), 415, "Unsupported Media Type"},
	}
	if spec.keys != nil {
		cases = append(cases,
			refusal{"no API key", path, []string{from}, 403, "Forbidden"},
			refusal{"a wrong API key", path, []string{from, "x-api-key: " + strings.Repeat("x", 40)}, 403, "Forbidden"},
		)
		if len(spec.keys[key]) > 1 {
			cases = append(cases, refusal{"no hostname for a key of several names", "/" + spec.stageName() + "/" + s.zones[zone],
				append(s.keyHeader(key), from), 400, "HostnameRequired"})
		}
	}
	for _, c := range cases {
		before := s.snapshot()
		code, body := s.curl(c.path, c.headers...)
		a := decode(t, body)
		got := a.Error
		if got == "" {
			var gw struct{ Message string }
			_ = json.Unmarshal([]byte(body), &gw)
			got = gw.Message
		}
		if code != c.status || got != c.want {
			t.Errorf("%s: %d %s, want %d %s", c.what, code, body, c.status, c.want)
		}
		s.unchanged(before, c.what)
	}
	// Without hostname a key of one name updates it (the seed's URL).
	if spec.keys == nil || len(spec.keys[key]) == 1 {
		code, body := s.curl("/"+spec.stageName()+"/"+s.zones[zone], append(s.keyHeader(key), from)...)
		if code != 200 || !s.hasRecord(zone, name, family, spec.recordTTL(), ip) {
			t.Errorf("no hostname, one name: %d %s; records %q", code, body, s.records(zone))
		}
	}
}

func (s *stack) route53Errors(spec stackSpec) {
	t := s.t
	key, name, zone := first(spec)
	family := spec.types[name][0]
	ip := "192.0.2.99"
	if family == "AAAA" {
		ip = "2001:db8:99::1"
	}
	// A Route 53 error of a change the template accepted is named by its
	// code (ours where Route 53's would mislead the caller: the role, or the
	// stack's zone, is the operator's to fix), with a fixed message: Route
	// 53's and IAM's own text can name the account and the role.
	for _, c := range []struct {
		fault  *route53.Error
		status int
		error  string
	}{
		{route53.Throttling(), 429, "Throttling"},
		{route53.PriorRequestNotComplete(), 429, "PriorRequestNotComplete"},
		{&route53.Error{Status: 403, Code: "AccessDenied", Message: "User: arn:aws:sts::" + labAccountID + ":assumed-role/ddns-Role-0123456789AB/BackplaneAssumeRoleSession is not authorized to perform: route53:ChangeResourceRecordSets on resource: arn:aws:route53:::hostedzone/" + s.zones[zone] + " with an explicit deny in a service control policy"}, 502, "RoleRefused"},
		{route53.NoSuchHostedZone(s.zones[zone]), 502, "ZoneNotFound"},
		{route53.InvalidChangeBatch("Tried to create resource record set [name='" + name + ".', type='A'] but it already exists"), 400, "InvalidChangeBatch"},
		{route53.InternalFailure(), 502, "InternalFailure"},
		{route53.ServiceUnavailable(), 502, "ServiceUnavailable"},
	} {
		before := s.snapshot()
		s.fault.set(c.fault)
		calls := s.fault.count()
		code, body := s.curl("/"+spec.stageName()+"/"+s.zones[zone]+"?hostname="+name, append(s.keyHeader(key), "X-Lab-Source-Ip: "+ip)...)
		s.fault.set(nil)
		if s.fault.count() == calls { // one call, or two where the zone is looked up first
			t.Fatalf("%s: the call did not reach Route 53", c.fault.Code)
		}
		a := decode(t, body)
		if code != c.status || a.Error != c.error || a.Source != "route53" || a.Message == "" || strings.Contains(body, c.fault.Message) {
			t.Errorf("Route 53 %d %s: the caller got %d %s, want %d naming %s with a message of ours", c.fault.Status, c.fault.Code, code, body, c.status, c.error)
		}
		s.unchanged(before, "Route 53 "+c.fault.Code)
	}
}

func (s *stack) hostile(spec stackSpec) {
	t := s.t
	key, name, zone := first(spec)
	base := "/" + spec.stageName() + "/" + s.zones[zone]
	from := "X-Lab-Source-Ip: " + s.addr4("192.0.2", 1)
	for _, q := range []string{
		"hostname=" + url.QueryEscape(name+"</Name><Name>evil.acme.local"),
		"hostname=" + url.QueryEscape("#set($refused = false)"),
		"hostname=" + url.QueryEscape("${AWS::AccountId}.acme.local"),
		"hostname=" + url.QueryEscape("$context.identity.sourceIp"),
		"hostname=" + url.QueryEscape(name+"\r\nX-Injected: 1"),
		"hostname=" + url.QueryEscape("*.acme.local"),
		"hostname=" + strings.Repeat("a", 5000) + ".acme.local",
		"hostname=" + strings.Repeat("a", 64) + ".acme.local",
		"hostname=" + url.QueryEscape("bücher.acme.local"),
		"hostname=" + name + "&ip=" + url.QueryEscape("1.2.3.4</Value><Value>5.6.7.8"),
		"hostname=" + name + "&ip=" + url.QueryEscape("::1%eth0"),
		"hostname=" + name + "&ip=" + url.QueryEscape("[2001:db8::1]"),
		"hostname=" + name + "&ip=" + url.QueryEscape("1.2.3.4:8080"),
		"hostname=" + name + "&ip=" + url.QueryEscape("#set($x = 1)"),
		"hostname=" + name + "&ip=" + strings.Repeat("1", 10000),
	} {
		before := s.snapshot()
		code, body := s.curl(base+"?"+q, append(s.keyHeader(key), from)...)
		if code != 400 {
			t.Errorf("?%.80s: %d %s, want 400", q, code, body)
		}
		a := decode(t, body)
		if a.Error == "" || strings.ContainsAny(a.Message, "<>#${}\r\n") {
			t.Errorf("?%.80s: the error %s echoes what it refused", q, body)
		}
		s.unchanged(before, "?"+q)
	}
	// Hostile headers do not reach the change batch: the caller's address
	// comes from the connection, never from a header API Gateway does not
	// set, and a CRLF cannot split a request header.
	before := s.snapshot()
	code, body := s.curl(base+"?hostname="+name, append(s.keyHeader(key), from, "X-Forwarded-For: 6.6.6.6", "hostname: evil.acme.local")...)
	switch {
	case takes(spec, name, "A"):
		if code != 200 || !s.hasRecord(zone, name, "A", spec.recordTTL(), s.addr4("192.0.2", 1)) {
			t.Errorf("with X-Forwarded-For and a hostname header: %d %s; records %q", code, body, s.records(zone))
		}
	default:
		if code != 400 {
			t.Errorf("with X-Forwarded-For and a hostname header: %d %s, want 400", code, body)
		}
		s.unchanged(before, "hostile headers")
	}
	for _, r := range s.records(zone) {
		if strings.Contains(r, "6.6.6.6") || strings.HasPrefix(r, "evil.") {
			t.Errorf("a request header reached the record %q", r)
		}
	}
}

// TestLabThrottles: with throttling on, a key's own usage-plan throttle is
// spent first and a request it refuses spends none of the stage's tokens
// (AWS applies the usage plan's limits before the stage's); the stage's
// throttle then holds all callers together; and a method's own stage
// throttle (MethodSettings ResourcePath /~1nic~1update) applies to that
// method. The requests it lets through are answered 415 (no template
// takes their body type), so no template is involved.
func TestLabThrottles(t *testing.T) {
	forEachWorld(t, labThrottles)
}

func labThrottles(t *testing.T, w labWorld) {
	lab.Tools(t, "java", "/usr/share/java/velocity-1.7.jar")
	eng := lab.Velocity(t)
	serve := func(golden string, keys map[string]string) *local.Server {
		b, err := os.ReadFile("../golden/" + golden)
		if err != nil {
			t.Fatal(err)
		}
		params := map[string]string{}
		for _, p := range []string{"PasswordRouter", "PasswordBackupRouter", "PasswordNas", "PasswordLaptop", "PasswordOffice"} {
			if strings.Contains(string(b), "  "+p+":\n") {
				params[p] = "pw" + strings.Repeat(p, 2)
			}
		}
		srv, err := local.Start(context.Background(), local.Options{
			Template: b, Parameters: params, Engine: eng, APIKeys: keys,
			Carry: w.carry, ZoneLookupFirst: w.zoneLookupFirst,
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { srv.Close() })
		return srv
	}
	get := func(url, key string) int {
		req, _ := http.NewRequest("GET", url, nil)
		// A body type no request template takes: API Gateway answers 415
		// once the throttles let the request through, without rendering a
		// template, so the requests are as close together as the buckets
		// assume (on /nic/update, the request validator's 401 comes first:
		// no credentials).
		req.Header.Set("Content-Type", "application/xml")
		if key != "" {
			req.Header.Set("x-api-key", key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		// THROTTLED: API Gateway's 429, or in a stack with dyndns2 the
		// answer every dyndns2 client retries, 503 911 (issue 22).
		nic := strings.Contains(url, "/nic/update")
		busy := resp.StatusCode == 429 || nic && resp.StatusCode == 503
		if !busy && (nic && resp.StatusCode != 401 || !nic && resp.StatusCode != 415) {
			t.Errorf("%s: %d %s, want 429 (503 on /nic/update), or else 401 (/nic/update: no credentials) or 415", url, resp.StatusCode, b)
		}
		if resp.StatusCode == 429 && string(b) != `{"message":"Too Many Requests"}` || resp.StatusCode == 503 && string(b) != "911\n" {
			t.Errorf("%d with body %q, want the THROTTLED gateway response", resp.StatusCode, b)
		}
		return resp.StatusCode
	}
	throttled := func(codes ...int) []bool {
		var out []bool
		for _, c := range codes {
			out = append(out, c == 429 || c == 503)
		}
		return out
	}

	keys := map[string]string{"ApiKeyNas": "nas-key-0123456789abcdefghij", "ApiKeyOffice": "office-key-0123456789abcdefghij",
		"ApiKeyLaptop": "laptop-key-0123456789abcdefghij"}
	srv := serve("devices.yaml", keys)
	url := srv.APIs[0].URL + "/ddns/ZNOTHING?hostname=x.invalid"
	// The nas key's burst is 2 (the usage plan): its third request at once
	// is throttled by the key, spending no stage token.
	if got := throttled(get(url, keys["ApiKeyNas"]), get(url, keys["ApiKeyNas"]), get(url, keys["ApiKeyNas"])); fmt.Sprint(got) != "[false false true]" {
		t.Errorf("nas key, three requests: throttled %v, want [false false true]", got)
	}
	// The stage's burst is 4 for all callers: two of the office key's pass
	// (the stage's third and fourth), then the laptop key's first request
	// finds the stage's bucket empty.
	if got := throttled(get(url, keys["ApiKeyOffice"]), get(url, keys["ApiKeyOffice"]), get(url, keys["ApiKeyLaptop"])); fmt.Sprint(got) != "[false false true]" {
		t.Errorf("office, office, laptop: throttled %v, want [false false true] (the stage's burst of 4 spent)", got)
	}

	// dyndns2: GET /nic/update has its own stage throttle, burst 2 (the
	// stage-wide burst is 4).
	srv = serve("dyndns2-devices.yaml", nil)
	nic := srv.APIs[0].URL + "/ddns/nic/update?hostname=x.invalid"
	if got := throttled(get(nic, ""), get(nic, ""), get(nic, "")); fmt.Sprint(got) != "[false false true]" {
		t.Errorf("/nic/update, three requests: throttled %v, want [false false true] (its MethodSettings burst of 2)", got)
	}
}

// TestLabTwoAddresses: given an IPv4 and an IPv6 address, a name gets the
// family it takes: A for an A-only name, AAAA for an AAAA-only one.
func TestLabTwoAddresses(t *testing.T) {
	for _, c := range []struct {
		golden, name, typ, value string
	}{
		{"seed.yaml", "myddns.acme.local", "A", "198.51.100.20"},
		{"ipv6only.yaml", "v6.acme.local", "AAAA", "2001:db8::20"},
	} {
		t.Run(c.golden, func(t *testing.T) {
			forEachWorld(t, func(t *testing.T, w labWorld) {
				spec := specNamed(t, c.golden)
				s := startStack(t, spec, w)
				code, body := s.curl("/ddns/"+s.zones["acme.local"]+"?ip=198.51.100.20,2001:db8::20", s.keyHeader("ApiKey")...)
				a := decode(t, body)
				if code != 200 || len(a.Updated) != 1 || a.Updated[0].Type != c.typ || a.Updated[0].Value != c.value {
					t.Errorf("%d %s, want 200 updating %s to %s", code, body, c.typ, c.value)
				}
				if !s.hasRecord("acme.local", c.name, c.typ, 60, c.value) {
					t.Errorf("records %q", s.records("acme.local"))
				}
			})
		})
	}
}

// TestLabConcurrent: the lab serves requests at once (one Velocity engine,
// usage-plan counters, the log), each getting its own answer.
func TestLabConcurrent(t *testing.T) {
	forEachWorld(t, func(t *testing.T, w labWorld) { labConcurrent(t, w) })
}

func labConcurrent(t *testing.T, w labWorld) {
	s := startStack(t, specNamed(t, "devices.yaml"), w)
	type result struct {
		code int
		body string
	}
	keys := []string{"ApiKeyNas", "ApiKeyLaptop", "ApiKeyOffice"}
	names := []string{"nas.acme.local", "laptop.acme.local", "office.acme.local"}
	results := make(chan result, 30)
	for i := 0; i < 30; i++ {
		go func(i int) {
			code, body := s.curlQuiet("/ddns/"+s.zones["acme.local"]+"?hostname="+names[i%3]+"&ip=203.0.113."+fmt.Sprint(i+1), s.keyHeader(keys[i%3])...)
			results <- result{code, body}
		}(i)
	}
	for i := 0; i < 30; i++ {
		r := <-results
		if r.code != 200 || !strings.Contains(r.body, `"updated":[{`) {
			t.Errorf("%d %s", r.code, r.body)
		}
	}
}
