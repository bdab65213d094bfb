package local_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// allRecords reads every record set of a zone from moto, as "name type ttl
// values" lines in moto's order.
func (s *stack) allRecords(zone string) []string {
	s.t.Helper()
	var out []string
	for _, r := range s.recordSets(zone) {
		out = append(out, fmt.Sprintf("%s %s %s %s", r.Name, r.Type, r.TTL, strings.Join(r.Values, ",")))
	}
	return out
}

// seedCNAME writes a CNAME into moto directly (moto checks no record rule).
func (s *stack) seedCNAME(zone, name, target string) {
	s.t.Helper()
	s.moto.AWS(s.t, "route53", "change-resource-record-sets", "--hosted-zone-id", s.zones[zone], "--change-batch",
		`{"Changes":[{"Action":"UPSERT","ResourceRecordSet":{"Name":"`+name+`","Type":"CNAME","TTL":300,"ResourceRecords":[{"Value":"`+target+`"}]}}]}`)
}

// TestLabRecordRules: on the moto path too, Route 53's record rules hold
// (moto itself writes an A record or an ACME TXT beside a CNAME and answers
// 200): a name holding a CNAME refuses the JSON update, the dyndns2 update
// (with a second name in the batch) and the ACME TXT, each with the
// caller's answer for InvalidChangeBatch, and nothing is written.
func TestLabRecordRules(t *testing.T) { forEachWorld(t, labRecordRules) }

func labRecordRules(t *testing.T, w labWorld) {
	t.Run("json and dyndns2", func(t *testing.T) {
		s := startStack(t, specNamed(t, "dyndns2-devices.yaml"), w)
		s.seedCNAME("acme.local", "vpn.acme.local", "elsewhere.example.com")
		before := s.allRecords("acme.local")
		code, body := s.curl("/ddns/"+s.zones["acme.local"]+"?hostname=home.acme.local,vpn.acme.local&ip=192.0.2.5", s.keyHeader("ApiKeyRouter")...)
		if a := decode(t, body); code != 400 || a.Error != "InvalidChangeBatch" || a.Source != "route53" {
			t.Errorf("JSON update of a name holding a CNAME: %d %s, want 400 InvalidChangeBatch", code, body)
		}
		code, body = s.curl("/ddns/nic/update?hostname=home.acme.local,vpn.acme.local&myip=192.0.2.5", basic("router", s.params["PasswordRouter"]))
		if code != 200 || body != "dnserr\n" {
			t.Errorf("dyndns2 update of a name holding a CNAME: %d %q, want 200 dnserr", code, body)
		}
		if after := s.allRecords("acme.local"); !reflect.DeepEqual(after, before) {
			t.Errorf("records changed:\nbefore %q\nafter  %q", before, after)
		}
	})
	t.Run("acme", func(t *testing.T) {
		s := startStack(t, acmeSpec, w)
		s.seedCNAME("acme.local", "_acme-challenge.home.acme.local", "home.acme-validations.example.net")
		before := s.allRecords("acme.local")
		code, body := s.post("/ddns/update", "application/json", `{"subdomain":"home.acme.local","txt":"`+acmeValue+`"}`,
			"X-Api-User: router", "X-Api-Key: "+s.keys["ApiKeyRouter"])
		if code != 400 || !strings.Contains(body, `"error":"InvalidChangeBatch","source":"route53"`) {
			t.Errorf("ACME TXT at a CNAME's name: %d %s, want 400 InvalidChangeBatch", code, body)
		}
		if after := s.allRecords("acme.local"); !reflect.DeepEqual(after, before) {
			t.Errorf("records changed:\nbefore %q\nafter  %q", before, after)
		}
	})
}
