package local

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ddnsgen/ddnsgen/local/route53"
)

// TestRolePolicy evaluates the role of generated stacks against every kind
// of change batch: IAM must allow exactly the configured names with their
// configured types, UPSERT only, in their own zone, even if a mapping
// template went wrong.
func TestRolePolicy(t *testing.T) {
	for _, c := range []struct {
		golden string
		zones  map[string]string   // zone name → id in the template
		types  map[string][]string // record → types
		params map[string]string
	}{
		{
			golden: "multizone.yaml",
			zones:  map[string]string{"acme.local": "Z0123456789ABCDEFGHIJ", "example.com": "ZEXAMPLE"},
			types:  map[string][]string{"home.acme.local": {"A"}, "nas.acme.local": {"A"}, "vpn.example.com": {"A"}},
			params: map[string]string{"HostedZoneId": "ZEXAMPLE"},
		},
		{
			golden: "devices.yaml",
			zones:  map[string]string{"acme.local": "Z0123456789ABCDEFGHIJ"},
			types: map[string][]string{"home.acme.local": {"A", "AAAA"}, "vpn.acme.local": {"A", "AAAA"}, "nas.acme.local": {"A", "AAAA"},
				"laptop.acme.local": {"A", "AAAA"}, "office.acme.local": {"A", "AAAA"}},
		},
		{
			golden: "ipv6only.yaml",
			zones:  map[string]string{"acme.local": "ZACME"},
			types:  map[string][]string{"v6.acme.local": {"AAAA"}},
			params: map[string]string{"HostedZoneId": "ZACME"},
		},
		{
			golden: "seed.yaml",
			zones:  map[string]string{"acme.local": "ZACME"},
			types:  map[string][]string{"myddns.acme.local": {"A"}},
			params: map[string]string{"HostedZoneId": "ZACME"},
		},
	} {
		t.Run(c.golden, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("..", "golden", c.golden))
			if err != nil {
				t.Fatal(err)
			}
			o := &Options{StackName: "ddns", Region: "us-east-1", AccountID: "123456789012", Parameters: c.params}
			st, err := load(o, b)
			if err != nil {
				t.Fatal(err)
			}
			if len(st.roles) != 1 {
				t.Fatalf("%d roles, want 1", len(st.roles))
			}
			var policies []*route53.Policy
			for _, r := range st.roles {
				for _, doc := range r.policies {
					p, err := route53.ParsePolicy(doc)
					if err != nil {
						t.Fatal(err)
					}
					policies = append(policies, p)
				}
			}
			zoneOf := func(name string) string {
				for z := range c.zones {
					if strings.HasSuffix(name, "."+z) {
						return z
					}
				}
				return ""
			}
			takes := func(name, typ string) bool {
				for _, x := range c.types[name] {
					if x == typ {
						return true
					}
				}
				return false
			}
			check := func(zone string, allowed bool, changes ...[3]string) {
				t.Helper()
				var xml strings.Builder
				xml.WriteString(`<ChangeResourceRecordSetsRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ChangeBatch><Changes>`)
				for _, ch := range changes {
					value := "192.0.2.1"
					switch ch[2] {
					case "AAAA":
						value = "2001:db8::1"
					case "TXT":
						value = `"refused"`
					}
					fmt.Fprintf(&xml, `<Change><Action>%s</Action><ResourceRecordSet><Name>%s</Name><Type>%s</Type><TTL>60</TTL><ResourceRecords><ResourceRecord><Value>%s</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></Change>`,
						ch[0], ch[1], ch[2], value)
				}
				xml.WriteString(`</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>`)
				batch, err := route53.ParseChangeBatch([]byte(xml.String()))
				if err != nil {
					t.Fatalf("%v: %v", changes, err)
				}
				err = route53.Authorize(policies, "arn:aws:route53:::hostedzone/"+c.zones[zone], batch)
				if allowed && err != nil {
					t.Errorf("in %s, %v: denied (%v), want allowed", zone, changes, err)
				}
				if !allowed && err == nil {
					t.Errorf("in %s, %v: allowed, want denied", zone, changes)
				}
			}
			var names []string
			for n := range c.types {
				names = append(names, n)
			}
			for _, n := range names {
				for _, typ := range []string{"A", "AAAA", "TXT", "CNAME"} {
					check(zoneOf(n), takes(n, typ), [3]string{"UPSERT", n, typ})
					check(zoneOf(n), false, [3]string{"DELETE", n, typ})
					check(zoneOf(n), false, [3]string{"CREATE", n, typ})
					for z := range c.zones {
						if z != zoneOf(n) {
							check(z, false, [3]string{"UPSERT", n, typ})
						}
					}
				}
				// Both families at once: only for names that take both.
				check(zoneOf(n), takes(n, "A") && takes(n, "AAAA"), [3]string{"UPSERT", n, "A"}, [3]string{"UPSERT", n, "AAAA"})
				// A configured name with one that is not.
				check(zoneOf(n), false, [3]string{"UPSERT", n, "A"}, [3]string{"UPSERT", "other." + zoneOf(n), "A"})
				check(zoneOf(n), false, [3]string{"UPSERT", "x" + n, "A"})
				for _, m := range names {
					if m == n || zoneOf(m) != zoneOf(n) {
						continue
					}
					for _, typ := range []string{"A", "AAAA"} {
						check(zoneOf(n), takes(n, typ) && takes(m, typ), [3]string{"UPSERT", n, typ}, [3]string{"UPSERT", m, typ})
					}
				}
			}
			// The change a refused request sends.
			for z := range c.zones {
				check(z, false, [3]string{"DELETE", "refused.ddnsgen.invalid", "TXT"})
			}
		})
	}
}
