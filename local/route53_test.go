package local_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/ddnsgen/ddnsgen/internal/lab"
	"github.com/ddnsgen/ddnsgen/local"
	"github.com/ddnsgen/ddnsgen/local/route53"
)

// memStack is a golden template served with Route 53 in process: no moto,
// nothing to start first.
type memStack struct {
	t     *testing.T
	srv   *local.Server
	api   *local.API
	zones map[string]string // zone name (no trailing dot) → id
	log   *syncLog
}

// syncLog keeps what the server logs, for a test to read.
type syncLog struct {
	mu sync.Mutex
	b  strings.Builder
	t  *testing.T
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.t.Log(strings.TrimSuffix(string(p), "\n"))
	return l.b.Write(p)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// The dyndns2 goldens' password parameters, as the lab stacks set them.
var goldenPasswords = map[string]string{}

func init() {
	for _, p := range []string{"Password", "PasswordRouter", "PasswordBackupRouter", "PasswordNas", "PasswordLaptop", "PasswordOffice"} {
		goldenPasswords[p] = "pw" + strings.Repeat(p, 3)[:18]
	}
}

// startMemory serves a golden template with no Route 53 endpoint, in world
// w. Parameters are only the passwords the template declares; every API
// key of keys gets a fixed value.
func startMemory(t *testing.T, golden string, keys []string, w labWorld) *memStack {
	t.Helper()
	lab.Require(t, "java", "/usr/share/java/velocity-1.7.jar")
	b, err := os.ReadFile(filepath.Join("..", "golden", golden))
	if err != nil {
		t.Fatal(err)
	}
	params := map[string]string{}
	for p, v := range goldenPasswords {
		if strings.Contains(string(b), "\n  "+p+":\n") {
			params[p] = v
		}
	}
	fixed := map[string]string{}
	for _, k := range keys {
		fixed[k] = "key-" + k + "-0123456789abcdefghijklmn"
	}
	m := &memStack{t: t, zones: map[string]string{}, log: &syncLog{t: t}}
	m.srv, err = local.Start(context.Background(), local.Options{
		Template: b, Parameters: params, APIKeys: fixed, TrustSourceIPHeader: true, Unthrottled: true,
		Engine: lab.Velocity(t), AccountID: labAccountID, Carry: w.carry, ZoneLookupFirst: w.zoneLookupFirst, Log: m.log,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.srv.Close() })
	m.api = m.srv.APIs[0]
	for _, z := range m.srv.Route53().Zones() {
		m.zones[strings.TrimSuffix(z.Name, ".")] = z.ID
	}
	return m
}

// do sends a request to the API and returns the status and body.
func (m *memStack) do(method, path, body string, headers ...string) (int, string) {
	m.t.Helper()
	req, err := http.NewRequest(method, m.api.URL+path, strings.NewReader(body))
	if err != nil {
		m.t.Fatal(err)
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		m.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// records lists a zone's record sets as "name type ttl value[,value]".
func (m *memStack) records(zone string) []string {
	m.t.Helper()
	rs, ok := m.srv.Route53().Records(m.zones[zone])
	if !ok {
		m.t.Fatalf("no hosted zone %s in process (zones %v)", zone, m.zones)
	}
	var out []string
	for _, r := range rs {
		out = append(out, fmt.Sprintf("%s %s %d %s", r.Name, r.Type, r.TTL, strings.Join(r.Values, ",")))
	}
	return out
}

// seed writes record sets into a zone directly, as someone with the
// console would: Route 53's rules apply.
func (m *memStack) seed(zone string, changes ...string) {
	m.t.Helper()
	b, err := route53.ParseChangeBatch([]byte(`<ChangeResourceRecordSetsRequest xmlns="` + route53.Namespace + `"><ChangeBatch><Changes>` +
		strings.Join(changes, "") + `</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>`))
	if err == nil {
		_, err = m.srv.Route53().Change(m.zones[zone], b)
	}
	if err != nil {
		m.t.Fatalf("seeding %s: %v", zone, err)
	}
}

func upsert(name, typ, value string) string {
	return "<Change><Action>UPSERT</Action><ResourceRecordSet><Name>" + name + "</Name><Type>" + typ +
		"</Type><TTL>300</TTL><ResourceRecords><ResourceRecord><Value>" + value + "</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></Change>"
}

// TestInProcessUpdate: the seed template with nothing but itself (no zone
// id, no Route 53 endpoint): the update URL's zone exists, an update writes
// the record, the server logs the change and lists it at /_local/records; a
// refusal is still one (the refusal namespace's zones do not exist). In
// every world, the zone-lookup-first ones included.
func TestInProcessUpdate(t *testing.T) {
	for _, w := range append(append([]labWorld(nil), carryWorlds...), zoneFirstWorlds...) {
		t.Run(w.name, func(t *testing.T) { inProcessUpdate(t, w) })
	}
}

func inProcessUpdate(t *testing.T, w labWorld) {
	m := startMemory(t, "seed.yaml", []string{"ApiKey"}, w)
	zone := m.zones["acme.local"]
	if len(m.zones) != 1 || zone == "" {
		t.Fatalf("zones %v, want acme.local", m.zones)
	}
	if urls := m.api.UpdateURLs(); len(urls) != 1 || urls[0] != m.api.URL+"/ddns/"+zone {
		t.Errorf("update URLs %q, want the made-up zone's", urls)
	}
	code, body := m.do("GET", "/ddns/"+zone, "", "x-api-key: key-ApiKey-0123456789abcdefghijklmn", "X-Lab-Source-Ip: 192.0.2.33")
	a := decode(t, body)
	if code != 200 || len(a.Updated) != 1 || a.Updated[0].Name != "myddns.acme.local" || a.Updated[0].Value != "192.0.2.33" || !strings.HasPrefix(a.Change, "/change/C") {
		t.Errorf("update: %d %s", code, body)
	}
	want := []string{"acme.local. NS 172800 ns-1.awsdns-01.org.,ns-2.awsdns-02.co.uk.,ns-3.awsdns-03.com.,ns-4.awsdns-04.net.",
		"acme.local. SOA 900 ns-1.awsdns-01.org. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400",
		"myddns.acme.local. A 60 192.0.2.33"}
	if got := m.records("acme.local"); !reflect.DeepEqual(got, want) {
		t.Errorf("records %q, want %q", got, want)
	}
	if logged := m.log.String(); !strings.Contains(logged, " UPSERT myddns.acme.local. A 60 192.0.2.33 (hosted zone "+zone+" acme.local.)\n") {
		t.Errorf("no log line for the change:\n%s", logged)
	}
	code, listing := m.do("GET", local.RecordsPath, "")
	wantListing := "; hosted zone acme.local. (" + zone + ")\n" +
		"acme.local.        172800 IN NS  ns-1.awsdns-01.org.\n" +
		"acme.local.        172800 IN NS  ns-2.awsdns-02.co.uk.\n" +
		"acme.local.        172800 IN NS  ns-3.awsdns-03.com.\n" +
		"acme.local.        172800 IN NS  ns-4.awsdns-04.net.\n" +
		"acme.local.        900    IN SOA ns-1.awsdns-01.org. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400\n" +
		"myddns.acme.local. 60     IN A   192.0.2.33\n"
	if code != 200 || listing != wantListing {
		t.Errorf("%s: %d\n%s\nwant\n%s", local.RecordsPath, code, listing, wantListing)
	}
	checkDocs(t, m.api.URL, listing, m.log.String())
	// The refusal namespace is no zone: its refusals stay refusals.
	code, body = m.do("GET", "/ddns/"+zone+"?hostname=other.acme.local", "", "x-api-key: key-ApiKey-0123456789abcdefghijklmn")
	if a := decode(t, body); code != 400 || a.Error != "UnknownHostname" {
		t.Errorf("an unknown name: %d %s", code, body)
	}
}

// docsText is docs/local.md, the user documentation of the in-process
// Route 53.
func docsText(t *testing.T) string {
	b, err := os.ReadFile(filepath.Join("..", "docs", "local.md"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// checkDocs: the documentation shows the listing and the log line this
// server gave (its address as 127.0.0.1:8080, its time as the doc's).
func checkDocs(t *testing.T, apiURL, listing, logged string) {
	doc := docsText(t)
	want := "$ curl http://127.0.0.1:8080" + local.RecordsPath + "\n" + listing + "```"
	if !strings.Contains(doc, want) {
		t.Errorf("the documentation does not show this listing:\n%s", want)
	}
	line := regexp.MustCompile(`(?m)^route53: \S+ (.*)$`)
	shown, got := line.FindStringSubmatch(doc), line.FindStringSubmatch(logged)
	if shown == nil || got == nil || shown[1] != got[1] {
		t.Errorf("the documentation's log line %q is not the server's %q", shown, got)
	}
}

// TestInProcessZones: the zones are those the roles may change, named after
// the template's hosted zone resource or the names the role may change.
func TestInProcessZones(t *testing.T) {
	for _, c := range []struct {
		golden string
		want   []string
	}{
		{"multizone.yaml", []string{"acme.local.", "example.com."}},
		{"acme.yaml", []string{"acme.local."}},
		{"embedded.yaml", []string{"lab.example.com."}},
	} {
		m := startMemory(t, c.golden, nil, labWorld{})
		var got []string
		for _, z := range m.srv.Route53().Zones() {
			got = append(got, z.Name)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: zones %q, want %q", c.golden, got, c.want)
		}
	}
}

// TestInProcessRecordRules: Route 53's record rules reach each caller as
// its answer, with nothing written (red team, issue 22): a device whose
// name holds a CNAME (JSON, dyndns2, with a second name in the batch that
// must not be written either), an ACME TXT at a CNAME's name, and the same
// name twice in one request.
func TestInProcessRecordRules(t *testing.T) {
	forEachWorld(t, func(t *testing.T, w labWorld) {
		t.Run("json", func(t *testing.T) {
			m := startMemory(t, "devices.yaml", []string{"ApiKeyRouter"}, w)
			m.seed("acme.local", upsert("vpn.acme.local", "CNAME", "elsewhere.example.com"))
			before := m.records("acme.local")
			code, body := m.do("GET", "/ddns/"+m.zones["acme.local"]+"?hostname=home.acme.local,vpn.acme.local&ip=192.0.2.5",
				"", "x-api-key: key-ApiKeyRouter-0123456789abcdefghijklmn")
			a := decode(t, body)
			if code != 400 || a.Error != "InvalidChangeBatch" || a.Source != "route53" || !strings.Contains(a.Message, "CNAME") {
				t.Errorf("a name holding a CNAME: %d %s, want 400 InvalidChangeBatch naming the CNAME", code, body)
			}
			if after := m.records("acme.local"); !reflect.DeepEqual(after, before) {
				t.Errorf("records changed:\nbefore %q\nafter  %q", before, after)
			}
			if strings.Contains(m.log.String(), "UPSERT home.acme.local.") {
				t.Errorf("a refused change was logged as made")
			}
		})

		t.Run("dyndns2", func(t *testing.T) {
			m := startMemory(t, "dyndns2-devices.yaml", nil, w)
			m.seed("acme.local", upsert("vpn.acme.local", "CNAME", "elsewhere.example.com"))
			before := m.records("acme.local")
			auth := basic("router", goldenPasswords["PasswordRouter"])
			for _, q := range []string{"hostname=vpn.acme.local&myip=192.0.2.5", "hostname=home.acme.local,vpn.acme.local&myip=192.0.2.5"} {
				code, body := m.do("GET", "/ddns/nic/update?"+q, "", auth)
				if code != 200 || body != "dnserr\n" {
					t.Errorf("%s: %d %q, want 200 dnserr", q, code, body)
				}
			}
			if after := m.records("acme.local"); !reflect.DeepEqual(after, before) {
				t.Errorf("records changed:\nbefore %q\nafter  %q", before, after)
			}
			// The same name twice, as a router may send it: Route 53 would
			// refuse a batch that changes one record set twice ("The request
			// contains an invalid set of changes for a resource record set
			// 'A home.acme.local.'"), so the template sends it once, and
			// answers each name.
			for i, q := range []string{"hostname=home.acme.local,HOME.acme.local&myip=192.0.2.6", "hostname=home.acme.local,home.acme.local.&myip=192.0.2.7"} {
				ip := fmt.Sprintf("192.0.2.%d", 6+i)
				code, body := m.do("GET", "/ddns/nic/update?"+q, "", auth)
				if code != 200 || body != "good "+ip+"\ngood "+ip+"\n" {
					t.Errorf("%s: %d %q, want good twice", q, code, body)
				}
				if n := strings.Count(m.log.String(), " UPSERT home.acme.local. A 60 "+ip+" "); n != 1 {
					t.Errorf("%s: %d changes of home.acme.local logged, want 1", q, n)
				}
			}
		})

		t.Run("acme", func(t *testing.T) {
			m := startMemory(t, "acme.yaml", []string{"ApiKeyRouter"}, w)
			m.seed("acme.local", upsert("_acme-challenge.home.acme.local", "CNAME", "home.acme-validations.example.net"))
			before := m.records("acme.local")
			txt := strings.Repeat("Ab3_-", 8) + "xyz"
			code, body := m.do("POST", "/ddns/update", `{"subdomain":"home.acme.local","txt":"`+txt+`"}`,
				"Content-Type: application/json", "X-Api-User: router", "X-Api-Key: key-ApiKeyRouter-0123456789abcdefghijklmn")
			var a struct{ Error, Source, Txt string }
			json.Unmarshal([]byte(body), &a)
			if code != 400 || a.Error != "InvalidChangeBatch" || a.Source != "route53" || a.Txt != "" {
				t.Errorf("an ACME TXT at a CNAME's name: %d %s, want 400 InvalidChangeBatch from route53", code, body)
			}
			if after := m.records("acme.local"); !reflect.DeepEqual(after, before) {
				t.Errorf("records changed:\nbefore %q\nafter  %q", before, after)
			}
			// A TXT value Route 53 would refuse (a quote, 256 characters)
			// never gets that far: the template refuses it.
			for _, v := range []string{`x\"y`, strings.Repeat("a", 256)} {
				code, body := m.do("POST", "/ddns/update", `{"subdomain":"vpn.acme.local","txt":"`+v+`"}`,
					"Content-Type: application/json", "X-Api-User: router", "X-Api-Key: key-ApiKeyRouter-0123456789abcdefghijklmn")
				if code != 400 || strings.Contains(body, `"txt"`) {
					t.Errorf("txt %.20q: %d %s, want 400", v, code, body)
				}
			}
			if after := m.records("acme.local"); !reflect.DeepEqual(after, before) {
				t.Errorf("records changed:\nbefore %q\nafter  %q", before, after)
			}
		})
	})
}

// TestRecordsListingHostileValues: /_local/records lists what the Route 53
// endpoint holds, and an endpoint such as moto_server holds whatever anyone
// wrote to it (moto checks no value). A value or name with a newline or a
// control character must not forge a line of the listing nor reach the
// terminal raw: it is listed escaped, on its own line.
func TestRecordsListingHostileValues(t *testing.T) {
	lab.Require(t, "java", "/usr/share/java/velocity-1.7.jar")
	const zone = "Z0123456789ABCDEFGHIJ"
	mem := route53.NewMemory()
	if err := mem.AddZone(zone, "acme.local"); err != nil {
		t.Fatal(err)
	}
	endpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/rrset") {
			w.Header().Set("Content-Type", "text/xml")
			io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><ListResourceRecordSetsResponse xmlns="`+route53.Namespace+`"><ResourceRecordSets>`+
				`<ResourceRecordSet><Name>x&#10;forged.acme.local.</Name><Type>TXT</Type><TTL>60</TTL><ResourceRecords><ResourceRecord><Value>"a"&#13;&#10;evil.acme.local.  60 IN A 203.0.113.66&#9;x</Value></ResourceRecord></ResourceRecords></ResourceRecordSet>`+
				`</ResourceRecordSets><IsTruncated>false</IsTruncated><MaxItems>300</MaxItems></ListResourceRecordSetsResponse>`)
			return
		}
		mem.ServeHTTP(w, r)
	}))
	defer endpoint.Close()
	b, err := os.ReadFile(filepath.Join("..", "golden", "seed.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := local.Start(context.Background(), local.Options{
		Template: b, Parameters: map[string]string{"HostedZoneId": zone}, Route53URL: endpoint.URL,
		APIKeys: map[string]string{"ApiKey": "key-ApiKey-0123456789abcdefghijklmn"}, Unthrottled: true,
		Engine: lab.Velocity(t), AccountID: labAccountID, Log: testLog{t},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	resp, err := http.Get(srv.APIs[0].URL + local.RecordsPath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	listing, _ := io.ReadAll(resp.Body)
	lines := strings.Split(strings.TrimSuffix(string(listing), "\n"), "\n")
	if len(lines) != 2 || strings.ContainsAny(string(listing), "\r\t") {
		t.Errorf("%s lists one record set in %d lines, or with raw control characters (XML 1.0 carries tab, CR and LF):\n%q", local.RecordsPath, len(lines), listing)
	}
	for _, l := range lines {
		if strings.HasPrefix(l, "evil.") || strings.HasPrefix(l, "forged.") {
			t.Errorf("a value forged a line of the listing: %q", l)
		}
	}
}
