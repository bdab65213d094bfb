package templates

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ddnsgen/ddnsgen/internal/lab"
	"github.com/ddnsgen/ddnsgen/local/velocity"
)

// acmeData: two devices, one name each, in one zone.
func acmeData() Data {
	return Data{
		MaxNames: 20,
		Records: []Record{
			{Name: "home.acme.local", ZoneVar: "ddns_zone_1", TTL: 60, Types: []string{"A"}},
			{Name: "nas.acme.local", ZoneVar: "ddns_zone_1", TTL: 60, Types: []string{"A"}},
		},
		Devices: []Device{
			{Name: "router", Key: "KEYROUTER", Names: []string{"home.acme.local"}},
			{Name: "nas", Key: "KEYNAS", Names: []string{"nas.acme.local"}},
		},
	}
}

const acmeValue = "LPsIwTo7o8BoG0-vjCyGQGBWSVIPxI-i_X336eUOQZo"

// acmeCall is what a caller sends to POST /update.
type acmeCall struct {
	key, user, body string
}

func renderACMERequest(t *testing.T, c acmeCall) velocity.Result {
	t.Helper()
	tmpl, err := ACMERequest(acmeData())
	if err != nil {
		t.Fatal(err)
	}
	header := map[string]string{"Content-Type": "application/json"}
	if c.user != "" {
		header["X-Api-User"] = c.user
	}
	res, err := lab.Velocity(t).Render(velocity.Request{
		Template:       tmpl,
		Body:           c.body,
		Header:         header,
		Context:        map[string]any{"identity": map[string]any{"sourceIp": "192.0.2.1", "apiKeyId": c.key}},
		StageVariables: map[string]string{"ddns_zone_1": "ZONE1"},
	})
	if err != nil {
		t.Fatalf("%+v: %v", c, err)
	}
	return res
}

// route53Answer is what AWS sends back for a rendered request: IAM's
// AccessDenied for any zone but ZONE1 (the role's only one), else
// Route 53's success with the comment echoed, as AWS documents it.
func route53Answer(req velocity.Result) (Route53Class, string) {
	zone := req.RequestOverride.Path["hosted_zone_id"]
	if zone != "ZONE1" {
		return Route53ClientError, `<?xml version="1.0"?><ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:sts::123456789012:assumed-role/ddns-Role-ABC/BackplaneAssumeRoleSession is not authorized to perform: route53:ChangeResourceRecordSets on resource: arn:aws:route53:::hostedzone/` + zone + ` because no identity-based policy allows the route53:ChangeResourceRecordSets action</Message></Error><RequestId>r</RequestId></ErrorResponse>`
	}
	comment := ""
	if i := strings.Index(req.Output, "<Comment>"); i >= 0 {
		j := strings.Index(req.Output, "</Comment>")
		comment = req.Output[i : j+len("</Comment>")]
	}
	return Route53OK, `<?xml version="1.0"?><ChangeResourceRecordSetsResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ChangeInfo><Id>/change/C2682N5HXP0BZ4</Id><Status>PENDING</Status><SubmittedAt>2026-11-27T08:00:00.000Z</SubmittedAt>` + comment + `</ChangeInfo></ChangeResourceRecordSetsResponse>`
}

// answer renders the response template for a Route 53 answer, with or
// without the request template's overrides (the carry).
func answerACME(t *testing.T, class Route53Class, body string, req velocity.Result, carry bool) (int, map[string]string) {
	t.Helper()
	r := velocity.Request{Template: ACMEResponse(class), Body: body}
	if carry {
		r.RequestOverride = req.RequestOverride
	}
	res, err := lab.Velocity(t).Render(r)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]string
	if err := json.Unmarshal([]byte(res.Output), &out); err != nil {
		t.Fatalf("answer is not JSON: %v\n%s", err, res.Output)
	}
	if _, ok := out["header X-Ddnsgen-Via"]; ok {
		t.Errorf("the body says how the answer travelled (the X-Ddnsgen-Via header's job): %s", res.Output)
	}
	// How the answer travelled: the header, under a key no body has.
	out["header X-Ddnsgen-Via"] = res.ResponseOverride.Header["X-Ddnsgen-Via"]
	return res.ResponseOverride.Status, out
}

// Every case, in both worlds (the response template can or cannot read the
// request's overrides): the same status and error, read from what Route 53
// sent back.
func TestACMEAnswers(t *testing.T) {
	good := `{"subdomain":"home.acme.local","txt":"` + acmeValue + `"}`
	for _, c := range []struct {
		what   string
		call   acmeCall
		status int
		error  string // "" on success
	}{
		{"the device's own name", acmeCall{"KEYROUTER", "router", good}, 200, ""},
		{"lego's spelling of the keys", acmeCall{"KEYROUTER", "router", `{"SubDomain":"home.acme.local","Txt":"` + acmeValue + `"}`}, 200, ""},
		{"the challenge name as subdomain", acmeCall{"KEYROUTER", "router", `{"subdomain":"_acme-challenge.Home.acme.local.","txt":"` + acmeValue + `"}`}, 200, ""},
		{"no such key", acmeCall{"KEYOTHER", "router", good}, 401, "forbidden"},
		{"another device's user", acmeCall{"KEYROUTER", "nas", good}, 401, "forbidden"},
		{"no user", acmeCall{"KEYROUTER", "", good}, 401, "forbidden"},
		{"another device's name", acmeCall{"KEYNAS", "nas", good}, 403, "not_your_subdomain"},
		{"a name of no device", acmeCall{"KEYROUTER", "router", `{"subdomain":"other.acme.local","txt":"` + acmeValue + `"}`}, 400, "bad_subdomain"},
		{"not a name", acmeCall{"KEYROUTER", "router", `{"subdomain":"home..acme.local","txt":"` + acmeValue + `"}`}, 400, "bad_subdomain"},
		{"short value", acmeCall{"KEYROUTER", "router", `{"subdomain":"home.acme.local","txt":"abc"}`}, 400, "bad_txt"},
		{"value with a dot", acmeCall{"KEYROUTER", "router", `{"subdomain":"home.acme.local","txt":"` + acmeValue[:42] + `."}`}, 400, "bad_txt"},
		{"empty body", acmeCall{"KEYROUTER", "router", ``}, 400, "malformed_json_payload"},
		{"not JSON", acmeCall{"KEYROUTER", "router", `subdomain=home.acme.local`}, 400, "malformed_json_payload"},
		{"an array", acmeCall{"KEYROUTER", "router", `[` + good + `]`}, 400, "malformed_json_payload"},
		{"a number", acmeCall{"KEYROUTER", "router", `{"subdomain":1,"txt":"` + acmeValue + `"}`}, 400, "malformed_json_payload"},
		{"nested", acmeCall{"KEYROUTER", "router", `{"subdomain":{"a":"home.acme.local"},"txt":"` + acmeValue + `"}`}, 400, "malformed_json_payload"},
		{"missing txt", acmeCall{"KEYROUTER", "router", `{"subdomain":"home.acme.local"}`}, 400, "malformed_json_payload"},
		{"subdomain twice", acmeCall{"KEYROUTER", "router", `{"subdomain":"home.acme.local","SubDomain":"home.acme.local"}`}, 400, "malformed_json_payload"},
		{"an extra key", acmeCall{"KEYROUTER", "router", `{"subdomain":"home.acme.local","txt":"` + acmeValue + `","x":"y"}`}, 400, "malformed_json_payload"},
		{"an escape", acmeCall{"KEYROUTER", "router", `{"subdomain":"home\u002eacme.local","txt":"` + acmeValue + `"}`}, 400, "malformed_json_payload"},
		{"unicode", acmeCall{"KEYROUTER", "router", `{"subdomain":"hömé.acme.local","txt":"` + acmeValue + `"}`}, 400, "malformed_json_payload"},
		{"XML in the value", acmeCall{"KEYROUTER", "router", `{"subdomain":"home.acme.local","txt":"</Value><x>` + acmeValue + `"}`}, 400, "malformed_json_payload"},
		{"huge", acmeCall{"KEYROUTER", "router", `{"subdomain":"home.acme.local","txt":"` + strings.Repeat("A", 5000) + `"}`}, 400, "malformed_json_payload"},
	} {
		t.Run(c.what, func(t *testing.T) {
			req := renderACMERequest(t, c.call)
			class, body := route53Answer(req)
			if c.error == "" {
				want := `<Change><Action>UPSERT</Action><ResourceRecordSet><Name>_acme-challenge.home.acme.local</Name><Type>TXT</Type><TTL>60</TTL>` +
					"\n" + `<ResourceRecords><ResourceRecord><Value>"` + acmeValue + `"</Value>`
				if !strings.Contains(req.Output, want) {
					t.Errorf("the change batch lacks %s:\n%s", want, req.Output)
				}
			} else if class != Route53ClientError {
				t.Fatalf("a refused request went to zone %q:\n%s", req.RequestOverride.Path["hosted_zone_id"], req.Output)
			}
			for _, carry := range []bool{false, true} {
				status, out := answerACME(t, class, body, req, carry)
				wantVia := map[bool]string{false: "echo", true: "echo+carry"}[carry]
				if status != c.status || out["error"] != c.error || out["header X-Ddnsgen-Via"] != wantVia {
					t.Errorf("carry %v: %d %v, want %d error %q via %s", carry, status, out, c.status, c.error, wantVia)
				}
				if c.error == "" && out["txt"] != acmeValue {
					t.Errorf("carry %v: txt %q, want %q", carry, out["txt"], acmeValue)
				}
				if strings.Contains(out["message"], "123456789012") || strings.Contains(out["message"], "arn:") {
					t.Errorf("carry %v: IAM's text reached the caller: %q", carry, out["message"])
				}
			}
		})
	}
}

// When Route 53 does not echo (or IAM does not name the zone), the carry
// alone answers; with neither, success is still 200.
func TestACMEAnswerFromCarry(t *testing.T) {
	ok := renderACMERequest(t, acmeCall{"KEYROUTER", "router", `{"subdomain":"home.acme.local","txt":"` + acmeValue + `"}`})
	noEcho := `<ChangeResourceRecordSetsResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ChangeInfo><Id>/change/C1</Id><Status>PENDING</Status></ChangeInfo></ChangeResourceRecordSetsResponse>`
	if status, out := answerACME(t, Route53OK, noEcho, ok, true); status != 200 || out["txt"] != acmeValue || out["header X-Ddnsgen-Via"] != "carry" {
		t.Errorf("no echo, carry: %d %v", status, out)
	}
	if status, out := answerACME(t, Route53OK, noEcho, ok, false); status != 200 || out["txt"] != "" || out["header X-Ddnsgen-Via"] != "none" {
		t.Errorf("no echo, no carry: %d %v", status, out)
	}
	refused := renderACMERequest(t, acmeCall{"KEYNAS", "nas", `{"subdomain":"home.acme.local","txt":"` + acmeValue + `"}`})
	opaque := `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>Access denied</Message></Error></ErrorResponse>`
	if status, out := answerACME(t, Route53ClientError, opaque, refused, true); status != 403 || out["error"] != "not_your_subdomain" || out["header X-Ddnsgen-Via"] != "carry" {
		t.Errorf("refusal, opaque 4xx, carry: %d %v", status, out)
	}
	// Without either, an AccessDenied is the role's (policy drift): never
	// a success, and IAM's text stays out.
	if status, out := answerACME(t, Route53ClientError, opaque, refused, false); status != 502 || out["error"] != "RoleRefused" || out["header X-Ddnsgen-Via"] != "none" {
		t.Errorf("refusal, opaque 4xx, no carry: %d %v", status, out)
	}
	// Route 53's own failures of an accepted change.
	for _, c := range []struct {
		class  Route53Class
		body   string
		status int
		error  string
	}{
		{Route53ClientError, `<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>`, 429, "Throttling"},
		{Route53ClientError, `<ErrorResponse><Error><Type>Sender</Type><Code>NoSuchHostedZone</Code><Message>No hosted zone found with ID: ZONE1</Message></Error></ErrorResponse>`, 502, "ZoneNotFound"},
		{Route53ClientError, `<InvalidChangeBatch xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Messages><Message>Tried to create a resource record set but it already exists</Message></Messages></InvalidChangeBatch>`, 400, "InvalidChangeBatch"},
		{Route53ServerError, `<ErrorResponse><Error><Type>Receiver</Type><Code>InternalFailure</Code></Error></ErrorResponse>`, 502, "Route53Unavailable"},
		// A refusal's verdict in a 5xx body is not trusted: Route 53 failed.
		{Route53ServerError, `No hosted zone found with ID: DDNSGENRACMEUSER`, 502, "Route53Unavailable"},
	} {
		for _, carry := range []bool{false, true} {
			status, out := answerACME(t, c.class, c.body, ok, carry)
			if status != c.status || out["error"] != c.error || out["source"] != "route53" {
				t.Errorf("%s %.40s carry %v: %d %v, want %d %s from route53", c.class, c.body, carry, status, out, c.status, c.error)
			}
		}
	}
	// A verdict that Route 53 names in NoSuchHostedZone (it looked the zone
	// up before IAM was asked) is read as well.
	status, out := answerACME(t, Route53ClientError, `<ErrorResponse><Error><Type>Sender</Type><Code>NoSuchHostedZone</Code><Message>No hosted zone found with ID: DDNSGENRACMEBADTXT</Message></Error></ErrorResponse>`, ok, false)
	if status != 400 || out["error"] != "bad_txt" || out["header X-Ddnsgen-Via"] != "echo" {
		t.Errorf("NoSuchHostedZone naming the verdict: %d %v", status, out)
	}
}

func TestACMERefusesOpen(t *testing.T) {
	d := acmeData()
	d.Open = true
	if _, err := ACMERequest(d); err == nil {
		t.Error("an open endpoint's acme-dns template was rendered")
	}
}

// The acme templates are fixed text for Fn::Sub (no ${), lean (no comment
// lines in a stack) and free of trailing white space.
func TestACMETemplateText(t *testing.T) {
	for name, text := range map[string]string{"acme-request.vtl": acmeRequestVTL, "acme-response.vtl": acmeResponseVTL} {
		if strings.Contains(text, "${") {
			t.Errorf("%s contains ${, which Fn::Sub would substitute", name)
		}
		for i, line := range strings.Split(text, "\n") {
			if strings.HasSuffix(line, " ") || strings.HasSuffix(line, "\t") {
				t.Errorf("%s:%d has trailing white space", name, i+1)
			}
		}
	}
	req, err := ACMERequest(acmeData())
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{req, ACMEResponse(Route53OK), ACMEResponse(Route53ClientError), ACMEResponse(Route53ServerError)} {
		lines := strings.Split(text, "\n")
		if !strings.HasPrefix(lines[0], "## ddnsgen: ") {
			t.Errorf("no header line: %q", lines[0])
		}
		for _, l := range lines[1:] {
			if strings.HasPrefix(strings.TrimSpace(l), "##") {
				t.Errorf("a comment line is left: %q", l)
			}
		}
	}
}
