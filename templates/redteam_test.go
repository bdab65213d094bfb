package templates

import (
	"strings"
	"testing"

	"github.com/ddnsgen/ddnsgen/internal/lab"
	"github.com/ddnsgen/ddnsgen/local/velocity"
)

// answerWithRole runs c through request template, an AWS that answers as
// route53() does but with the stack role named role (CloudFormation names it
// STACK-LOGICALID-RANDOM), and the response template.
func answerWithRole(t *testing.T, role, request, response string, c call) (int, string) {
	t.Helper()
	eng := lab.Velocity(t)
	stage := map[string]string{"ddns_zone_1": "ZONE1", "ddns_zone_2": "ZONE2", "ddns_password_router": "s3cretpassw0rd123456"}
	ctx := map[string]any{"identity": map[string]any{"sourceIp": c.sourceIP, "apiKeyId": c.key}}
	header := c.header
	if header == nil {
		header = map[string]string{}
	}
	path := map[string]string{"zone_id": "ZONE1"}
	req, err := eng.Render(velocity.Request{Template: request, Path: path, QueryString: c.query, Header: header, Context: ctx, StageVariables: stage})
	if err != nil {
		t.Fatal(err)
	}
	zone := req.RequestOverride.Path["hosted_zone_id"]
	if !strings.HasPrefix(zone, "DDNSGENR") && c.fault != roleRefused {
		t.Fatalf("the request was not refused (zone %s): the case is broken", zone)
	}
	body := `<?xml version="1.0"?>
<ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:sts::` + labAccount + `:assumed-role/` + role + `/BackplaneAssumeRoleSession is not authorized to perform: route53:ChangeResourceRecordSets on resource: arn:aws:route53:::hostedzone/` + zone + ` because no identity-based policy allows the route53:ChangeResourceRecordSets action</Message></Error><RequestId>0f7e1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b</RequestId></ErrorResponse>`
	res, err := eng.Render(velocity.Request{Template: response, Body: body, Path: path, QueryString: c.query, Header: header, Context: ctx, StageVariables: stage})
	if err != nil {
		t.Fatal(err)
	}
	return res.ResponseOverride.Status, strings.TrimSpace(res.Output)
}

// Red team: the refusal's verdict is read from the first DDNSGENR<letters>
// anywhere in IAM's message, and that message names the stack's role
// (STACK-Role-RANDOM) before the refused zone. A stack whose name holds
// DDNSGENR and an upper-case letter or digit (DDNSGENRELAY, or a Config
// prefix DDNSGENR...) then answers every refusal, and the role's own
// AccessDenied, from letters of the role's name: a wrong status and error.
func TestRefusalVerdictNotReadFromRoleName(t *testing.T) {
	const role = "DDNSGENRELAY-Role-1X2Y3Z4W5V6U"
	update, err := UpdateRequest(answersData())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		call   call
		status int
		error  string
	}{
		{"another device's name", call{key: "KEYLAPTOP", sourceIP: "192.0.2.7", query: map[string]string{"hostname": "home.acme.local"}}, 403, `"error":"NotYourHostname"`},
		{"unknown key", call{key: "NOSUCHKEY", sourceIP: "192.0.2.7"}, 403, `"error":"UnknownApiKey"`},
		{"the role refused", call{key: "KEYROUTER", sourceIP: "192.0.2.7", query: map[string]string{"hostname": "home.acme.local"}, fault: roleRefused}, 502, `"error":"RoleRefused"`},
	} {
		status, body := answerWithRole(t, role, update, UpdateResponse(answersData()), c.call)
		if status != c.status || !strings.Contains(body, c.error) {
			t.Errorf("update, %s, role %s: %d %s\nwant %d %s", c.name, role, status, body, c.status, c.error)
		}
	}
	dyn, err := DynDNS2Request(answersData())
	if err != nil {
		t.Fatal(err)
	}
	status, body := answerWithRole(t, role, dyn, DynDNS2Response(false),
		call{header: basic("router", "guess"), sourceIP: "192.0.2.7", query: map[string]string{"hostname": "home.acme.local"}})
	if status != 401 || body != "badauth" {
		t.Errorf("dyndns2, wrong password, role %s: %d %q, want 401 badauth", role, status, body)
	}
}

// Red team: the dyndns2 answer trusts the runs in the echoed comment to
// match the addresses listed after them. A 2xx whose comment promises a P
// (or Q) line without its address, or a run past #foreach's 1,000, makes
// the response template fail, which API Gateway answers 500 instead of a
// dyndns2 answer. (Route 53 echoes only what the request template wrote,
// which is consistent: this takes a Route 53 answer ddnsgen did not cause.)
func TestDynDNS2AnswerSurvivesAnInconsistentEcho(t *testing.T) {
	for _, comment := range []string{"ddnsgen d router 192.0.2.7 P", "ddnsgen d router 192.0.2.7 G9999"} {
		body := `<?xml version="1.0" encoding="UTF-8"?>
<ChangeResourceRecordSetsResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ChangeInfo><Id>/change/C2682N5HXP0BZ4</Id><Status>PENDING</Status><SubmittedAt>2026-11-27T08:00:00.000Z</SubmittedAt><Comment>` + comment + `</Comment></ChangeInfo></ChangeResourceRecordSetsResponse>`
		res, err := lab.Velocity(t).Render(velocity.Request{Template: DynDNS2Response(false), Body: body, Header: map[string]string{}, Context: map[string]any{}})
		if err != nil {
			t.Errorf("comment %q: the response template fails (API Gateway answers 500): %v", comment, err)
			continue
		}
		if res.ResponseOverride.Status != 200 || !strings.HasPrefix(res.Output, "good") {
			t.Errorf("comment %q: %d %q, want 200 and good lines", comment, res.ResponseOverride.Status, res.Output)
		}
	}
}
