package local

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ddnsgen/ddnsgen/local/route53"
)

// goldenPolicies loads a golden template's role policies, evaluable and as
// documents.
func goldenPolicies(t *testing.T, golden string) ([]*route53.Policy, []map[string]any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "golden", golden))
	if err != nil {
		t.Fatal(err)
	}
	st, err := load(&Options{StackName: "ddns", Region: "us-east-1", AccountID: "123456789012"}, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.roles) != 1 {
		t.Fatalf("%s: %d roles, want 1", golden, len(st.roles))
	}
	var policies []*route53.Policy
	var docs []map[string]any
	for _, r := range st.roles {
		for _, doc := range r.policies {
			p, err := route53.ParsePolicy(doc)
			if err != nil {
				t.Fatal(err)
			}
			policies = append(policies, p)
			var m map[string]any
			if err := json.Unmarshal(doc, &m); err != nil {
				t.Fatal(err)
			}
			docs = append(docs, m)
		}
	}
	return policies, docs
}

// TestACMERolePolicy: with -acme the role may also UPSERT the TXT record
// _acme-challenge.NAME of each configured name, and nothing else: no other
// action, type, name or zone, and no batch that mixes a challenge with an
// address. Its A/AAAA statements are those of the same stack without -acme.
func TestACMERolePolicy(t *testing.T) {
	const zone = "arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ"
	policies, docs := goldenPolicies(t, "acme.yaml")
	names := []string{"home.acme.local", "vpn.acme.local", "nas.acme.local", "laptop.acme.local", "office.acme.local"}
	value := map[string]string{"A": "192.0.2.1", "AAAA": "2001:db8::1", "TXT": `"LPsIwTo7o8BoG0-vjCyGQGBWSVIPxI-i_X336eUOQZo"`, "CNAME": "x.example.com"}
	check := func(zoneARN string, allowed bool, changes ...[3]string) {
		t.Helper()
		var xml strings.Builder
		xml.WriteString(`<ChangeResourceRecordSetsRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ChangeBatch><Changes>`)
		for _, ch := range changes {
			fmt.Fprintf(&xml, `<Change><Action>%s</Action><ResourceRecordSet><Name>%s</Name><Type>%s</Type><TTL>60</TTL><ResourceRecords><ResourceRecord><Value>%s</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></Change>`,
				ch[0], ch[1], ch[2], value[ch[2]])
		}
		xml.WriteString(`</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>`)
		batch, err := route53.ParseChangeBatch([]byte(xml.String()))
		if err != nil {
			t.Fatalf("%v: %v", changes, err)
		}
		err = route53.Authorize(policies, zoneARN, batch)
		if allowed && err != nil {
			t.Errorf("%v: denied (%v), want allowed", changes, err)
		}
		if !allowed && err == nil {
			t.Errorf("%v: allowed, want denied", changes)
		}
	}
	for _, n := range names {
		challenge := "_acme-challenge." + n
		check(zone, true, [3]string{"UPSERT", challenge, "TXT"})
		check(zone, true, [3]string{"UPSERT", strings.ToUpper(challenge) + ".", "TXT"}) // IAM compares the normalised name
		check("arn:aws:route53:::hostedzone/ZOTHER", false, [3]string{"UPSERT", challenge, "TXT"})
		check("arn:aws:route53:::hostedzone/DDNSGENRACMEUSER", false, [3]string{"UPSERT", challenge, "TXT"})
		for _, action := range []string{"CREATE", "DELETE"} {
			check(zone, false, [3]string{action, challenge, "TXT"})
		}
		for _, typ := range []string{"A", "AAAA", "CNAME"} {
			check(zone, false, [3]string{"UPSERT", challenge, typ})
		}
		// The name itself takes no TXT, and no other _ name is open.
		check(zone, false, [3]string{"UPSERT", n, "TXT"})
		check(zone, false, [3]string{"UPSERT", "_acme-challenge.x." + n, "TXT"})
		check(zone, false, [3]string{"UPSERT", "_dmarc." + n, "TXT"})
		check(zone, false, [3]string{"UPSERT", "_acme-challenge." + n + ".evil.example", "TXT"})
		// A challenge and an address in one batch: no statement allows both.
		check(zone, false, [3]string{"UPSERT", challenge, "TXT"}, [3]string{"UPSERT", n, "A"})
		// The addresses stay as they were.
		check(zone, true, [3]string{"UPSERT", n, "A"})
		check(zone, true, [3]string{"UPSERT", n, "AAAA"})
	}
	check(zone, false, [3]string{"UPSERT", "_acme-challenge.acme.local", "TXT"})
	check(zone, false, [3]string{"UPSERT", "_acme-challenge.other.acme.local", "TXT"})

	// The A/AAAA statements are exactly those of devices.yaml, the same
	// stack without -acme; the one statement more is the TXT one.
	_, plain := goldenPolicies(t, "devices.yaml")
	statements := func(docs []map[string]any, withTXT bool) []any {
		var out []any
		for _, d := range docs {
			for _, st := range d["Statement"].([]any) {
				types := st.(map[string]any)["Condition"].(map[string]any)["ForAllValues:StringEquals"].(map[string]any)["route53:ChangeResourceRecordSetsRecordTypes"]
				if isTXT := fmt.Sprint(types) == "[TXT]"; isTXT == withTXT {
					out = append(out, st)
				}
			}
		}
		return out
	}
	if diff := cmp.Diff(statements(plain, false), statements(docs, false)); diff != "" {
		t.Errorf("-acme changed the A/AAAA statements (-devices.yaml +acme.yaml):\n%s", diff)
	}
	if n := len(statements(docs, true)); n != 1 {
		t.Errorf("%d TXT statements, want 1", n)
	}
}
