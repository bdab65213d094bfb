package templates

import (
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/ddnsgen/ddnsgen/internal/lab"
	"github.com/ddnsgen/ddnsgen/local/velocity"
)

// world is one way AWS may behave where it has not said how it behaves.
type world struct {
	// carry: a response template reads the $context.requestOverride the
	// request template set (AWS-validated for MOCK integrations only).
	carry bool
	// zoneFirst: Route 53 answers NoSuchHostedZone for an unknown zone
	// before IAM is asked (else IAM's AccessDenied comes first).
	zoneFirst bool
}

func (w world) String() string { return fmt.Sprintf("carry=%v,zoneFirst=%v", w.carry, w.zoneFirst) }

var worlds = []world{{false, false}, {false, true}, {true, false}, {true, true}}

// fault is what Route 53 does to an accepted batch instead of taking it.
type fault string

const (
	noFault      fault = ""
	throttled    fault = "Throttling"
	roleRefused  fault = "AccessDenied" // the role's policy drifted
	serverFailed fault = "ServiceUnavailable"
	noEcho       fault = "no echo" // a 2xx without the Comment (not what Route 53 does)
	htmlFailure  fault = "html"    // a 5xx whose body is no Route 53 error (a proxy's page)
)

const (
	labAccount = "123456789012"
	labRole    = "ddns-Role-1X2Y3Z4W5V6U"
)

// route53 answers a rendered change batch the way Route 53 and IAM answer
// (see FIELD-NOTES): a success echoes the batch's Comment in ChangeInfo; a
// zone the role may not touch is AccessDenied naming the account, the role
// and the zone, or NoSuchHostedZone naming the zone when Route 53 looks the
// zone up first.
func route53(t *testing.T, w world, f fault, zone, batch string) (int, string) {
	t.Helper()
	var req struct {
		Comment string `xml:"ChangeBatch>Comment"`
	}
	if err := xml.Unmarshal([]byte(batch), &req); err != nil {
		t.Fatalf("the change batch is not XML: %v\n%s", err, batch)
	}
	denied := func(z string) (int, string) {
		return 403, `<?xml version="1.0"?>
<ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:sts::` + labAccount + `:assumed-role/` + labRole + `/BackplaneAssumeRoleSession is not authorized to perform: route53:ChangeResourceRecordSets on resource: arn:aws:route53:::hostedzone/` + z + ` because no identity-based policy allows the route53:ChangeResourceRecordSets action</Message></Error><RequestId>0f7e1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b</RequestId></ErrorResponse>`
	}
	if strings.HasPrefix(zone, "DDNSGENR") {
		if w.zoneFirst {
			return 404, `<?xml version="1.0"?>
<ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Error><Type>Sender</Type><Code>NoSuchHostedZone</Code><Message>No hosted zone found with ID: ` + zone + `</Message></Error><RequestId>0f7e1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b</RequestId></ErrorResponse>`
		}
		return denied(zone)
	}
	switch f {
	case throttled:
		return 400, `<?xml version="1.0"?>
<ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>r</RequestId></ErrorResponse>`
	case roleRefused:
		return denied(zone)
	case serverFailed:
		return 503, `<?xml version="1.0"?>
<ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Error><Type>Receiver</Type><Code>ServiceUnavailable</Code><Message>Service unavailable for account ` + labAccount + `</Message></Error><RequestId>r</RequestId></ErrorResponse>`
	case htmlFailure:
		return 502, `<html><body><h1>502 Bad Gateway</h1> account ` + labAccount + `</body></html>`
	}
	comment := "<Comment>" + req.Comment + "</Comment>"
	if f == noEcho {
		comment = ""
	}
	return 200, `<?xml version="1.0" encoding="UTF-8"?>
<ChangeResourceRecordSetsResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ChangeInfo><Id>/change/C2682N5HXP0BZ4</Id><Status>PENDING</Status><SubmittedAt>2026-11-27T08:00:00.000Z</SubmittedAt>` + comment + `</ChangeInfo></ChangeResourceRecordSetsResponse>`
}

// call is one request to an endpoint.
type call struct {
	key, sourceIP, zoneInPath string
	query, header             map[string]string
	fault                     fault
}

// exchange runs a request through the request template, Route 53 and the
// response template chosen by Route 53's status class, as API Gateway does,
// and returns the status and body the caller gets.
func exchange(t *testing.T, w world, request string, responses func(class int) string, c call) (int, string) {
	t.Helper()
	status, _, body := exchangeWithHeaders(t, w, request, responses, c)
	return status, body
}

// viaPath is how an answer of the JSON endpoint travelled, by world: the
// X-Ddnsgen-Via header it carries.
type viaPath int

const (
	echoed    viaPath = iota // Route 53's answer echoed the verdict: echo (echo+carry where the carry works)
	notEchoed                // Route 53 failed: none (carry where the carry works)
)

func (v viaPath) in(w world) string {
	switch {
	case v == echoed && w.carry:
		return "echo+carry"
	case v == echoed:
		return "echo"
	case w.carry:
		return "carry"
	}
	return "none"
}

// exchangeWithHeaders is exchange that also returns the headers the response
// template set through $context.responseOverride.header.
func exchangeWithHeaders(t *testing.T, w world, request string, responses func(class int) string, c call) (int, map[string]string, string) {
	t.Helper()
	eng := lab.Velocity(t)
	if c.zoneInPath == "" {
		c.zoneInPath = "ZONE1"
	}
	stage := map[string]string{"ddns_zone_1": "ZONE1", "ddns_zone_2": "ZONE2", "ddns_password_router": "s3cretpassw0rd123456", "ddns_password_laptop": "an0therpassw0rd12345"}
	ctx := map[string]any{"identity": map[string]any{"sourceIp": c.sourceIP, "apiKeyId": c.key}}
	header := c.header
	if header == nil {
		header = map[string]string{}
	}
	req, err := eng.Render(velocity.Request{
		Template: request, Path: map[string]string{"zone_id": c.zoneInPath}, QueryString: c.query,
		Header: header, Context: ctx, StageVariables: stage,
	})
	if err != nil {
		t.Fatalf("request template: %v", err)
	}
	zone := req.RequestOverride.Path["hosted_zone_id"]
	status, body := route53(t, w, c.fault, zone, req.Output)
	carried := velocity.RequestOverride{}
	if w.carry {
		carried = req.RequestOverride
	}
	res, err := eng.Render(velocity.Request{
		Template: responses(status / 100), Body: body, Path: map[string]string{"zone_id": c.zoneInPath},
		QueryString: c.query, Header: header, Context: ctx, StageVariables: stage, RequestOverride: carried,
	})
	if err != nil {
		t.Fatalf("response template (Route 53 answered %d):\n%s\n%v", status, body, err)
	}
	if len(res.NullReferences) > 0 {
		t.Errorf("response template has references without a value: %v", res.NullReferences)
	}
	return res.ResponseOverride.Status, res.ResponseOverride.Header, res.Output
}

// leak is what must never reach a caller: the account, the role, an ARN.
var leak = regexp.MustCompile(`\d{12}|arn:|assumed-role|` + labRole + `|Backplane`)

func answersData() Data {
	return Data{
		MaxNames: 30,
		Records: []Record{
			{Name: "home.acme.local", ZoneVar: "ddns_zone_1", TTL: 60, Types: []string{"A"}},
			{Name: "nas.acme.local", ZoneVar: "ddns_zone_1", TTL: 300, Types: []string{"A", "AAAA"}},
			{Name: "v6.acme.local", ZoneVar: "ddns_zone_1", TTL: 60, Types: []string{"AAAA"}},
			{Name: "cabin.other.local", ZoneVar: "ddns_zone_2", TTL: 60, Types: []string{"A"}},
			{Name: "laptop.acme.local", ZoneVar: "ddns_zone_1", TTL: 60, Types: []string{"A"}},
		},
		Devices: []Device{
			{Name: "router", Key: "KEYROUTER", Names: []string{"home.acme.local", "nas.acme.local", "v6.acme.local", "cabin.other.local"}},
			{Name: "laptop", Key: "KEYLAPTOP", Names: []string{"laptop.acme.local"}},
		},
		Users: []User{
			{Name: "router", Names: []string{"home.acme.local", "nas.acme.local", "v6.acme.local"}, PasswordStage: "ddns_password_router"},
			{Name: "laptop", Names: []string{"laptop.acme.local"}, PasswordStage: "ddns_password_laptop"},
		},
	}
}

// Every answer of the JSON endpoint is the same in every world, and none
// names the account, the role or an ARN.
func TestUpdateAnswersInEveryWorld(t *testing.T) {
	request, err := UpdateRequest(answersData())
	if err != nil {
		t.Fatal(err)
	}
	responses := func(int) string { return UpdateResponse(answersData()) }
	q := func(kv ...string) map[string]string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	cases := []struct {
		name   string
		call   call
		status int
		body   string
		via    viaPath
	}{
		{"own name", call{key: "KEYROUTER", sourceIP: "192.0.2.7", query: q("hostname", "home.acme.local")}, 200,
			`{"updated":[{"name":"home.acme.local","type":"A","value":"192.0.2.7","ttl":60}],"change":"/change/C2682N5HXP0BZ4"}`, echoed},
		{"one name, no hostname", call{key: "KEYLAPTOP", sourceIP: "192.0.2.8"}, 200,
			`{"updated":[{"name":"laptop.acme.local","type":"A","value":"192.0.2.8","ttl":60}],"change":"/change/C2682N5HXP0BZ4"}`, echoed},
		{"both families", call{key: "KEYROUTER", sourceIP: "192.0.2.7", query: q("hostname", "NAS.acme.local.", "ip", "198.51.100.1,2001:DB8::1")}, 200,
			`{"updated":[{"name":"nas.acme.local","type":"A","value":"198.51.100.1","ttl":300},{"name":"nas.acme.local","type":"AAAA","value":"2001:db8::1","ttl":300}],"change":"/change/C2682N5HXP0BZ4"}`, echoed},
		{"two addresses, names of one family each", call{key: "KEYROUTER", sourceIP: "192.0.2.7", query: q("hostname", "home.acme.local,nas.acme.local", "ip", "198.51.100.1,2001:db8::1")}, 200,
			`{"updated":[{"name":"home.acme.local","type":"A","value":"198.51.100.1","ttl":60},{"name":"nas.acme.local","type":"A","value":"198.51.100.1","ttl":300}],"change":"/change/C2682N5HXP0BZ4"}`, echoed},
		{"IPv6 caller", call{key: "KEYROUTER", sourceIP: "2001:db8::42", query: q("hostname", "v6.acme.local")}, 200,
			`{"updated":[{"name":"v6.acme.local","type":"AAAA","value":"2001:db8::42","ttl":60}],"change":"/change/C2682N5HXP0BZ4"}`, echoed},
		{"unknown key", call{key: "SOMEOTHERKEY", sourceIP: "192.0.2.7"}, 403,
			`{"error":"UnknownApiKey","message":"this API key belongs to no device of this stack"}`, echoed},
		{"another device's name", call{key: "KEYLAPTOP", sourceIP: "192.0.2.7", query: q("hostname", "home.acme.local")}, 403,
			`{"error":"NotYourHostname","message":"name 1 of hostname belongs to another device"}`, echoed},
		{"own then another's", call{key: "KEYROUTER", sourceIP: "192.0.2.7", query: q("hostname", "home.acme.local,laptop.acme.local")}, 403,
			`{"error":"NotYourHostname","message":"name 2 of hostname belongs to another device"}`, echoed},
		{"A-only name, IPv6", call{key: "KEYROUTER", sourceIP: "192.0.2.7", query: q("hostname", "home.acme.local", "ip", "2001:db8::1")}, 400,
			`{"error":"WrongAddressFamily","message":"name 1 of hostname takes IPv4 (A) addresses only"}`, echoed},
		{"AAAA-only name, IPv4", call{key: "KEYROUTER", sourceIP: "192.0.2.7", query: q("hostname", "v6.acme.local")}, 400,
			`{"error":"WrongAddressFamily","message":"name 1 of hostname takes IPv6 (AAAA) addresses only"}`, echoed},
		{"wrong zone in the path", call{key: "KEYROUTER", sourceIP: "192.0.2.7", zoneInPath: "ZONE2", query: q("hostname", "home.acme.local")}, 400,
			`{"error":"WrongZone","message":"the zone id in the path is not the zone of the names in hostname"}`, echoed},
		{"unknown name", call{key: "KEYROUTER", sourceIP: "192.0.2.7", query: q("hostname", "home.acme.local,nope.acme.local")}, 400,
			`{"error":"UnknownHostname","message":"name 2 of hostname is not a name this stack updates"}`, echoed},
		{"malformed name", call{key: "KEYROUTER", sourceIP: "192.0.2.7", query: q("hostname", "-a.acme.local")}, 400,
			`{"error":"BadHostname","message":"name 1 of hostname is not a domain name"}`, echoed},
		{"hostile hostname", call{key: "KEYROUTER", sourceIP: "192.0.2.7", query: q("hostname", "a.acme.local</Name>#set($x=1)${AWS::AccountId}")}, 400,
			`{"error":"BadHostname","message":"hostname must be names of letters, digits, hyphens and dots, separated by commas"}`, echoed},
		{"twice", call{key: "KEYROUTER", sourceIP: "192.0.2.7", query: q("hostname", "home.acme.local,home.acme.local")}, 400,
			`{"error":"DuplicateHostname","message":"name 2 of hostname is named twice"}`, echoed},
		{"two zones", call{key: "KEYROUTER", sourceIP: "192.0.2.7", query: q("hostname", "home.acme.local,cabin.other.local")}, 400,
			`{"error":"MixedZones","message":"name 2 of hostname is in another zone than the first name: update each zone with its own request"}`, echoed},
		{"hostname required", call{key: "KEYROUTER", sourceIP: "192.0.2.7"}, 400,
			`{"error":"HostnameRequired","message":"this key may update more than one name: say which with ?hostname=NAME[,NAME]"}`, echoed},
		{"too many", call{key: "KEYROUTER", sourceIP: "192.0.2.7", query: q("hostname", strings.Repeat("home.acme.local,", 31))}, 400,
			`{"error":"TooManyHostnames","message":"at most 30 names in one request"}`, echoed},
		{"bad ip", call{key: "KEYROUTER", sourceIP: "192.0.2.7", query: q("hostname", "home.acme.local", "ip", "192.0.2.1</Value>")}, 400,
			`{"error":"BadAddress","message":"ip is not an IPv4 or IPv6 address (or one of each, separated by a comma)"}`, echoed},
		{"console test button", call{key: "KEYROUTER", sourceIP: "test-invoke-source-ip", query: q("hostname", "home.acme.local")}, 400,
			`{"error":"BadAddress","message":"the caller address is not an IP address (the console test button sends test-invoke-source-ip): pass ?ip=ADDRESS"}`, echoed},
		{"throttled", call{key: "KEYROUTER", sourceIP: "192.0.2.7", query: q("hostname", "home.acme.local"), fault: throttled}, 429,
			`{"error":"Throttling","source":"route53","message":"Route 53 is busy: try again later"}`, notEchoed},
		{"the role refused", call{key: "KEYROUTER", sourceIP: "192.0.2.7", query: q("hostname", "home.acme.local"), fault: roleRefused}, 502,
			`{"error":"RoleRefused","source":"route53","message":"Route 53 refused the stack role: check that its policy (or an SCP, or a permissions boundary) allows these names and types here"}`, notEchoed},
		{"Route 53 down", call{key: "KEYROUTER", sourceIP: "192.0.2.7", query: q("hostname", "home.acme.local"), fault: serverFailed}, 502,
			`{"error":"ServiceUnavailable","source":"route53","message":"Route 53 failed: try again later"}`, notEchoed},
		{"no Route 53 error in the body", call{key: "KEYROUTER", sourceIP: "192.0.2.7", query: q("hostname", "home.acme.local"), fault: htmlFailure}, 502,
			`{"error":"Unknown","source":"route53","message":"Route 53 failed: try again later"}`, notEchoed},
	}
	for _, w := range worlds {
		for _, c := range cases {
			t.Run(w.String()+"/"+c.name, func(t *testing.T) {
				status, header, body := exchangeWithHeaders(t, w, request, responses, c.call)
				if status != c.status || strings.TrimSpace(body) != c.body {
					t.Errorf("got %d %s\nwant %d %s", status, strings.TrimSpace(body), c.status, c.body)
				}
				if got, want := header["X-Ddnsgen-Via"], c.via.in(w); got != want || len(header) != 1 {
					t.Errorf("headers %v, want X-Ddnsgen-Via: %s alone", header, want)
				}
				if m := leak.FindString(body); m != "" {
					t.Errorf("the answer leaks %q: %s", m, body)
				}
			})
		}
	}
}

// The carry is the second path: when Route 53's answer lacks the echo (it
// does not, as far as anyone has seen), a stack whose response templates
// can read $context.requestOverride still answers in full; one that cannot
// still says 200, since the change was taken.
func TestUpdateAnswerWithoutEcho(t *testing.T) {
	request, err := UpdateRequest(answersData())
	if err != nil {
		t.Fatal(err)
	}
	responses := func(int) string { return UpdateResponse(answersData()) }
	c := call{key: "KEYLAPTOP", sourceIP: "192.0.2.8", fault: noEcho}
	status, header, body := exchangeWithHeaders(t, world{carry: true}, request, responses, c)
	if want := `{"updated":[{"name":"laptop.acme.local","type":"A","value":"192.0.2.8","ttl":60}],"change":"/change/C2682N5HXP0BZ4"}`; status != 200 || strings.TrimSpace(body) != want || header["X-Ddnsgen-Via"] != "carry" {
		t.Errorf("carry, no echo: %d %v %s\nwant 200 X-Ddnsgen-Via: carry %s", status, header, body, want)
	}
	status, header, body = exchangeWithHeaders(t, world{}, request, responses, c)
	if want := `{"updated":null,"change":"/change/C2682N5HXP0BZ4","message":"Route 53 took the change; this answer cannot list the names"}`; status != 200 || strings.TrimSpace(body) != want || header["X-Ddnsgen-Via"] != "none" {
		t.Errorf("no carry, no echo: %d %v %s\nwant 200 X-Ddnsgen-Via: none %s", status, header, body, want)
	}
}

func basic(user, pass string) map[string]string {
	return map[string]string{"Authorization": "Basic " + b64(user+":"+pass)}
}

// Every dyndns2 answer is the same in every world: one line per name.
func TestDynDNS2AnswersInEveryWorld(t *testing.T) {
	request, err := DynDNS2Request(answersData())
	if err != nil {
		t.Fatal(err)
	}
	responses := func(class int) string { return DynDNS2Response(class == 5) }
	router := basic("router", "s3cretpassw0rd123456")
	q := func(host string, myip ...string) map[string]string {
		m := map[string]string{"hostname": host}
		if len(myip) > 0 {
			m["myip"] = myip[0]
		}
		return m
	}
	many := strings.TrimSuffix(strings.Repeat("nope.acme.local,-bad.acme.local,", 13), ",")
	cases := []struct {
		name   string
		call   call
		status int
		lines  string
	}{
		{"good", call{header: router, sourceIP: "192.0.2.7", query: q("home.acme.local")}, 200, "good 192.0.2.7"},
		{"myip", call{header: router, sourceIP: "192.0.2.7", query: q("home.acme.local", "198.51.100.9")}, 200, "good 198.51.100.9"},
		{"both families", call{header: router, sourceIP: "192.0.2.7", query: q("nas.acme.local", "198.51.100.9,2001:db8::9")}, 200,
			"good 198.51.100.9,2001:db8::9"},
		{"two names, the family both take", call{header: router, sourceIP: "192.0.2.7", query: q("nas.acme.local,v6.acme.local", "198.51.100.9,2001:db8::9")}, 200,
			"good 2001:db8::9\ngood 2001:db8::9"},
		{"own and another's", call{header: router, sourceIP: "192.0.2.7", query: q("home.acme.local,laptop.acme.local,-bad.acme.local,home.acme.local")}, 200,
			"good 192.0.2.7\nnohost\nnotfqdn\ngood 192.0.2.7"},
		{"only another's", call{header: router, sourceIP: "192.0.2.7", query: q("laptop.acme.local,-bad.acme.local,nope.acme.local")}, 200, "nohost\nnotfqdn\nnohost"},
		{"runs too long for a zone id", call{header: router, sourceIP: "192.0.2.7", query: q(many)}, 200, strings.Repeat("nohost\n", 26)},
		{"wrong password", call{header: basic("router", "guess"), sourceIP: "192.0.2.7", query: q("home.acme.local,nas.acme.local")}, 401, "badauth\nbadauth"},
		{"another device's password", call{header: basic("router", "an0therpassw0rd12345"), sourceIP: "192.0.2.7", query: q("home.acme.local")}, 401, "badauth"},
		{"no credentials", call{sourceIP: "192.0.2.7", query: q("home.acme.local")}, 401, "badauth"},
		{"bad hostname", call{header: router, sourceIP: "192.0.2.7", query: q("a b")}, 200, "notfqdn"},
		{"too many", call{header: router, sourceIP: "192.0.2.7", query: q(strings.Repeat("home.acme.local,", 31))}, 200, strings.TrimSpace(strings.Repeat("numhost\n", 31))},
		{"bad myip", call{header: router, sourceIP: "192.0.2.7", query: q("home.acme.local", "1.2.3.4:80")}, 200, "dnserr"},
		// Parameters other clients send (issue 22): myipv4/myipv6 stand for
		// myip; hostile ones are refused as a bad myip is; others are ignored.
		{"myipv4 and myipv6", call{header: router, sourceIP: "192.0.2.7", query: map[string]string{"hostname": "nas.acme.local", "myipv4": "198.51.100.9", "myipv6": "2001:db8::9"}}, 200,
			"good 198.51.100.9,2001:db8::9"},
		{"myipv6 alone", call{header: router, sourceIP: "192.0.2.7", query: map[string]string{"hostname": "v6.acme.local", "myipv6": "2001:db8::9"}}, 200, "good 2001:db8::9"},
		{"myip and myipv6", call{header: router, sourceIP: "192.0.2.7", query: map[string]string{"hostname": "nas.acme.local", "myip": "198.51.100.9", "myipv6": "2001:db8::9"}}, 200,
			"good 198.51.100.9,2001:db8::9"},
		{"myipv4 alone", call{header: router, sourceIP: "192.0.2.7", query: map[string]string{"hostname": "home.acme.local", "myipv4": "198.51.100.9"}}, 200, "good 198.51.100.9"},
		{"hostile myipv6", call{header: router, sourceIP: "192.0.2.7", query: map[string]string{"hostname": "nas.acme.local", "myipv4": "198.51.100.9", "myipv6": "2001:db8::9</Value></ResourceRecord>"}}, 200, "dnserr"},
		{"hostile myipv4", call{header: router, sourceIP: "192.0.2.7", query: map[string]string{"hostname": "home.acme.local", "myipv4": "#set($x = 1)${AWS::AccountId}"}}, 200, "dnserr"},
		{"pfSense's other parameters ignored", call{header: router, sourceIP: "192.0.2.7", query: map[string]string{"hostname": "home.acme.local", "myip": "198.51.100.9", "system": "dyndns", "wildcard": "ON", "mx": "", "backmx": "NO", "offline": "#if(", "myipv9": "x"}}, 200, "good 198.51.100.9"},
		// inadyn's custom provider appends the hostname to a ddns-path without
		// format specifiers (UniFi builds without %h: "?hostname=" + name):
		// an ordinary hostname. Before 2.9.1 its second host's request read
		// myip=IPNAME (inadyn #380): which name was meant is ambiguous, so it
		// is a bad myip, and nothing changes.
		{"UniFi's appended hostname", call{header: router, sourceIP: "192.0.2.7", query: map[string]string{"hostname": "home.acme.local"}}, 200, "good 192.0.2.7"},
		{"inadyn #380's myip=IPNAME", call{header: router, sourceIP: "192.0.2.7", query: map[string]string{"hostname": "home.acme.local", "myip": "198.51.100.9nas.acme.local"}}, 200, "dnserr"},
		{"throttled", call{header: router, sourceIP: "192.0.2.7", query: q("home.acme.local,nas.acme.local"), fault: throttled}, 503, "911"},
		{"Route 53 down", call{header: router, sourceIP: "192.0.2.7", query: q("home.acme.local"), fault: serverFailed}, 503, "911"},
		{"the role refused", call{header: router, sourceIP: "192.0.2.7", query: q("home.acme.local"), fault: roleRefused}, 200, "dnserr"},
	}
	for _, w := range worlds {
		for _, c := range cases {
			t.Run(w.String()+"/"+c.name, func(t *testing.T) {
				status, body := exchange(t, w, request, responses, c.call)
				if status != c.status || strings.TrimSpace(body) != strings.TrimSpace(c.lines) {
					t.Errorf("got %d\n%s\nwant %d\n%s", status, body, c.status, c.lines)
				}
				if m := leak.FindString(body); m != "" {
					t.Errorf("the answer leaks %q: %s", m, body)
				}
			})
		}
	}
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// An answer that would not fit in Route 53's 256-character comment is a
// refusal that changes nothing, in both endpoints.
func TestAnswerTooLongForTheComment(t *testing.T) {
	d := Data{MaxNames: 20}
	var names []string
	for i := range 6 {
		n := fmt.Sprintf("a-rather-long-name-for-a-home-server-number-%d.example.com", i)
		names = append(names, n)
		d.Records = append(d.Records, Record{Name: n, ZoneVar: "ddns_zone_1", TTL: 60, Types: []string{"A"}})
	}
	d.Devices = []Device{{Name: "router", Key: "KEYROUTER", Names: names}}
	d.Users = []User{{Name: "router", Names: names, PasswordStage: "ddns_password_router"}}
	request, err := UpdateRequest(d)
	if err != nil {
		t.Fatal(err)
	}
	dyn, err := DynDNS2Request(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range worlds {
		status, body := exchange(t, w, request, func(int) string { return UpdateResponse(answersData()) },
			call{key: "KEYROUTER", sourceIP: "192.0.2.7", query: map[string]string{"hostname": strings.Join(names[:5], ",")}})
		if want := `{"error":"TooManyHostnames","message":"these names do not fit in one change (Route 53 keeps 256 characters of its comment): send fewer names in one request"`; status != 400 || !strings.HasPrefix(body, want) {
			t.Errorf("%v: JSON: %d %s", w, status, body)
		}
		// dyndns2 needs one letter a name: 6 long names fit.
		status, body = exchange(t, w, dyn, func(class int) string { return DynDNS2Response(class == 5) },
			call{header: basic("router", "s3cretpassw0rd123456"), sourceIP: "192.0.2.7", query: map[string]string{"hostname": strings.Join(names, ",")}})
		if want := strings.Repeat("good 192.0.2.7\n", 6); status != 200 || body != want {
			t.Errorf("%v: dyndns2: %d %q, want %q", w, status, body, want)
		}
	}
}
