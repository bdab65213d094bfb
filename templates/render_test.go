package templates

import (
	"os"
	"strings"
	"testing"

	"github.com/ddnsgen/ddnsgen/internal/lab"
	"github.com/ddnsgen/ddnsgen/local/velocity"
)

// TestMain stops the shared Velocity engine and prints one line naming the
// lab tests skipped and why (see lab.Run).
func TestMain(m *testing.M) { os.Exit(lab.Run(m)) }

// render runs a template in Apache Velocity 1.7 with what API Gateway gives
// a request template.
func render(t *testing.T, tmpl, apiKeyID, sourceIP string, query map[string]string) velocity.Result {
	t.Helper()
	res, err := lab.Velocity(t).Render(velocity.Request{
		Template:       tmpl,
		Path:           map[string]string{"zone_id": "ZONE1"},
		QueryString:    query,
		Header:         map[string]string{},
		Context:        map[string]any{"identity": map[string]any{"sourceIp": sourceIP, "apiKeyId": apiKeyID}},
		StageVariables: map[string]string{"ddns_zone_1": "ZONE1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// A key that is in the usage plan but belongs to no device of the template
// (added by hand, or an imported API whose ddns_key_N is unset) is refused.
func TestUnknownAPIKey(t *testing.T) {
	d := seedData()
	d.Devices[0].Key = "KEYOFDEFAULT"
	tmpl, err := UpdateRequest(d)
	if err != nil {
		t.Fatal(err)
	}
	res := render(t, tmpl, "SOMEOTHERKEY", "192.0.2.1", nil)
	if got := res.RequestOverride.Path["hosted_zone_id"]; got != "DDNSGENRK" {
		t.Errorf("a refused request goes to zone %q, want DDNSGENRK (verdict K, unknown key)", got)
	}
	if !strings.Contains(res.Output, "<Action>DELETE</Action><ResourceRecordSet><Name>refused.ddnsgen.invalid</Name>") {
		t.Errorf("a refused request sends:\n%s", res.Output)
	}
	// The device's own key is taken.
	res = render(t, tmpl, "KEYOFDEFAULT", "192.0.2.1", nil)
	if !strings.Contains(res.Output, "<Name>myddns.acme.local</Name><Type>A</Type><TTL>60</TTL>\n<ResourceRecords><ResourceRecord><Value>192.0.2.1</Value>") {
		t.Errorf("the device's own key: \n%s", res.Output)
	}
	if res.RequestOverride.Path["hosted_zone_id"] != "ZONE1" {
		t.Errorf("the zone sent to is %q, want the stage variable's ZONE1", res.RequestOverride.Path["hosted_zone_id"])
	}
}

// Generated templates have no comment lines but the header: the comments
// live in templates/, not in every stack's 51,200-byte budget.
func TestLeanTemplates(t *testing.T) {
	d := seedData()
	d.Users = []User{{Name: "default", Names: []string{"myddns.acme.local"}, PasswordStage: "ddns_password_default"}}
	req, err := UpdateRequest(d)
	if err != nil {
		t.Fatal(err)
	}
	dd, err := DynDNS2Request(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{req, dd, UpdateResponse(d), DynDNS2Response(false), DynDNS2Response(true)} {
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
