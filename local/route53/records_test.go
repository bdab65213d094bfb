package route53

import (
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func mustBatch(t *testing.T, changes ...string) *ChangeBatch {
	t.Helper()
	b, err := ParseChangeBatch([]byte(request(changes...)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The zone acme.local. with an A record at home, a CNAME at www and a TXT
// at the apex.
var acme = Zone{ID: "Z0123456789ABCDEFGHIJ", Name: "acme.local."}

func acmeRecords() []Record {
	return []Record{
		{Name: "acme.local.", Type: "TXT", TTL: 300, Values: []string{`"v=spf1 -all"`}},
		{Name: "home.acme.local.", Type: "A", TTL: 60, Values: []string{"192.0.2.1"}},
		// moto keeps names as sent: no trailing dot, any case.
		{Name: "WWW.acme.local", Type: "CNAME", TTL: 300, Values: []string{"home.acme.local"}},
	}
}

// Each of Route 53's record rules, with its message (see ApplyChanges for
// where each text was seen).
func TestApplyChangesRefuses(t *testing.T) {
	for _, c := range []struct {
		what    string
		changes []string
		want    []string
	}{
		{"an A record at a CNAME's name",
			[]string{change("UPSERT", "www.acme.local", "A", "60", "192.0.2.7")},
			[]string{"RRSet of type A with DNS name www.acme.local. is not permitted because a conflicting RRSet of type CNAME with the same DNS name already exists in zone acme.local."}},
		{"an ACME TXT at a CNAME's name",
			[]string{change("UPSERT", "WWW.acme.local.", "TXT", "60", `"abc"`)},
			[]string{"RRSet of type TXT with DNS name www.acme.local. is not permitted because a conflicting RRSet of type CNAME with the same DNS name already exists in zone acme.local."}},
		{"a CNAME at an A record's name",
			[]string{change("UPSERT", "home.acme.local", "CNAME", "60", "elsewhere.example.com")},
			[]string{"RRSet of type CNAME with DNS name home.acme.local. is not permitted as it conflicts with other records with the same DNS name in zone acme.local."}},
		{"a CNAME at the apex",
			[]string{change("CREATE", "acme.local", "CNAME", "60", "elsewhere.example.com")},
			[]string{"RRSet of type CNAME with DNS name acme.local. is not permitted at apex in zone acme.local."}},
		{"a name outside the zone",
			[]string{change("UPSERT", "home.example.com", "A", "60", "192.0.2.7")},
			[]string{"RRSet with DNS name home.example.com. is not permitted in zone acme.local."}},
		{"CREATE of a record that exists",
			[]string{change("CREATE", "home.acme.local", "A", "60", "192.0.2.7")},
			[]string{"Tried to create resource record set [name='home.acme.local.', type='A'] but it already exists"}},
		{"DELETE of a record that does not exist",
			[]string{change("DELETE", "nas.acme.local", "A", "60", "192.0.2.7")},
			[]string{"Tried to delete resource record set [name='nas.acme.local.', type='A'] but it was not found"}},
		{"DELETE with other values",
			[]string{change("DELETE", "home.acme.local", "A", "60", "192.0.2.9")},
			[]string{"Tried to delete resource record set [name='home.acme.local.', type='A'] but the values provided do not match the current values"}},
		{"DELETE with another TTL",
			[]string{change("DELETE", "home.acme.local", "A", "61", "192.0.2.1")},
			[]string{"Tried to delete resource record set [name='home.acme.local.', type='A'] but the values provided do not match the current values"}},
		{"every problem of the batch, in order, and the good change not applied",
			[]string{
				change("UPSERT", "nas.acme.local", "A", "60", "192.0.2.8"),
				change("UPSERT", "www.acme.local", "AAAA", "60", "2001:db8::1"),
				change("CREATE", "home.acme.local", "A", "60", "192.0.2.7"),
			},
			[]string{
				"RRSet of type AAAA with DNS name www.acme.local. is not permitted because a conflicting RRSet of type CNAME with the same DNS name already exists in zone acme.local.",
				"Tried to create resource record set [name='home.acme.local.', type='A'] but it already exists",
			}},
		{"a record added at a CNAME the same batch creates",
			[]string{
				change("CREATE", "vpn.acme.local", "CNAME", "60", "home.acme.local"),
				change("CREATE", "vpn.acme.local", "TXT", "60", `"x"`),
			},
			[]string{"RRSet of type TXT with DNS name vpn.acme.local. is not permitted because a conflicting RRSet of type CNAME with the same DNS name already exists in zone acme.local."}},
	} {
		records := acmeRecords()
		_, err := ApplyChanges(acme, records, mustBatch(t, c.changes...))
		var e *Error
		if !errors.As(err, &e) || e.Code != "InvalidChangeBatch" || e.Status != 400 || !reflect.DeepEqual(e.Messages, c.want) {
			t.Errorf("%s: got %v, want InvalidChangeBatch %q", c.what, err, c.want)
			continue
		}
		if want := "[" + strings.Join(c.want, ", ") + "]"; e.Message != want {
			t.Errorf("%s: message %q, want %q", c.what, e.Message, want)
		}
		if !reflect.DeepEqual(records, acmeRecords()) {
			t.Errorf("%s: the records passed in were changed", c.what)
		}
	}
}

func TestApplyChangesAccepts(t *testing.T) {
	for _, c := range []struct {
		what    string
		changes []string
		want    []string // name type ttl values, in list order
	}{
		{"an UPSERT of a new and of an existing record",
			[]string{change("UPSERT", "home.acme.local", "A", "60", "192.0.2.7"), change("UPSERT", "Nas.acme.local.", "AAAA", "300", "2001:db8::8")},
			[]string{"acme.local. TXT 300 \"v=spf1 -all\"", "home.acme.local. A 60 192.0.2.7", "nas.acme.local. AAAA 300 2001:db8::8", "www.acme.local. CNAME 300 home.acme.local"}},
		{"an identical UPSERT",
			[]string{change("UPSERT", "home.acme.local", "A", "60", "192.0.2.1")},
			[]string{"acme.local. TXT 300 \"v=spf1 -all\"", "home.acme.local. A 60 192.0.2.1", "www.acme.local. CNAME 300 home.acme.local"}},
		{"a CNAME replaced by an A record in one batch (AWS's documented way)",
			[]string{change("DELETE", "www.acme.local", "CNAME", "300", "home.acme.local"), change("CREATE", "www.acme.local", "A", "60", "192.0.2.7")},
			[]string{"acme.local. TXT 300 \"v=spf1 -all\"", "home.acme.local. A 60 192.0.2.1", "www.acme.local. A 60 192.0.2.7"}},
		{"A, AAAA and TXT at the apex and beside each other",
			[]string{change("UPSERT", "acme.local", "A", "60", "192.0.2.7"), change("UPSERT", "_acme-challenge.home.acme.local", "TXT", "60", `"x"`), change("UPSERT", "home.acme.local", "TXT", "60", `"y"`)},
			[]string{"acme.local. A 60 192.0.2.7", "acme.local. TXT 300 \"v=spf1 -all\"", "home.acme.local. A 60 192.0.2.1", "home.acme.local. TXT 60 \"y\"", "_acme-challenge.home.acme.local. TXT 60 \"x\"", "www.acme.local. CNAME 300 home.acme.local"}},
	} {
		after, err := ApplyChanges(acme, acmeRecords(), mustBatch(t, c.changes...))
		if err != nil {
			t.Errorf("%s: %v", c.what, err)
			continue
		}
		var got []string
		for _, r := range after {
			got = append(got, r.Name+" "+r.Type+" "+strconv.FormatInt(r.TTL, 10)+" "+strings.Join(r.Values, ","))
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\ngot  %q\nwant %q", c.what, got, c.want)
		}
	}
}

// call sends one request to h and returns the status and body.
func call(t *testing.T, h http.Handler, method, path, body string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, strings.NewReader(body)))
	b, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, string(b)
}

func TestMemoryServesRoute53(t *testing.T) {
	m := NewMemory()
	if err := m.AddZone(acme.ID, "ACME.local"); err != nil {
		t.Fatal(err)
	}
	var logged []string
	m.OnChange = func(z Zone, c Change) { logged = append(logged, z.Name+" "+c.Action+" "+c.NormalizedName) }
	rrset := "/2013-04-01/hostedzone/" + acme.ID + "/rrset/"

	// ChangeResourceRecordSets: the ChangeInfo, the Comment echoed.
	body := strings.Replace(request(change("UPSERT", "home.acme.local", "A", "60", "192.0.2.7")), "<Changes>", "<Comment>ddnsgen u &lt;1&gt;</Comment><Changes>", 1)
	code, out := call(t, m, "POST", rrset, body)
	var resp struct {
		XMLName    xml.Name
		ChangeInfo struct{ Id, Status, SubmittedAt, Comment string }
	}
	if err := xml.Unmarshal([]byte(out), &resp); err != nil || code != 200 || resp.XMLName.Local != "ChangeResourceRecordSetsResponse" || resp.XMLName.Space != Namespace {
		t.Fatalf("change: %d %s", code, out)
	}
	if !strings.HasPrefix(out, `<?xml version="1.0" encoding="UTF-8"?>`+"\n") || !strings.Contains(out, "<Comment>ddnsgen u &lt;1&gt;</Comment></ChangeInfo>") ||
		resp.ChangeInfo.Status != "PENDING" || len(resp.ChangeInfo.Id) != len("/change/")+21 || !strings.HasPrefix(resp.ChangeInfo.Id, "/change/C") {
		t.Errorf("change answer %s", out)
	}
	if want := []string{"acme.local. UPSERT home.acme.local"}; !reflect.DeepEqual(logged, want) {
		t.Errorf("OnChange got %q, want %q", logged, want)
	}

	// GetChange: in sync.
	code, out = call(t, m, "GET", "/2013-04-01"+resp.ChangeInfo.Id, "")
	if code != 200 || !strings.Contains(out, "<GetChangeResponse") || !strings.Contains(out, "<Status>INSYNC</Status>") {
		t.Errorf("GetChange: %d %s", code, out)
	}
	if code, out = call(t, m, "GET", "/2013-04-01/change/CNOSUCHCHANGE", ""); code != 404 || !strings.Contains(out, "<Code>NoSuchChange</Code>") {
		t.Errorf("GetChange of no change: %d %s", code, out)
	}

	// A refused batch: Route 53's error, nothing written, nothing logged.
	code, out = call(t, m, "POST", rrset, request(change("CREATE", "home.acme.local", "CNAME", "60", "x.example.com")))
	if code != 400 || !strings.Contains(out, "<Code>InvalidChangeBatch</Code><Message>[RRSet of type CNAME with DNS name home.acme.local. is not permitted as it conflicts with other records with the same DNS name in zone acme.local.]</Message>") {
		t.Errorf("CNAME beside A: %d %s", code, out)
	}
	code, out = call(t, m, "POST", rrset, request(change("UPSERT", "home.acme.local", "TXT", "60", "unquoted")))
	if code != 400 || !strings.Contains(out, "InvalidCharacterString") {
		t.Errorf("an unquoted TXT value: %d %s", code, out)
	}
	if len(logged) != 1 {
		t.Errorf("refused batches were logged: %q", logged)
	}

	// ListResourceRecordSets: apex SOA and NS, then the record; paged.
	code, out = call(t, m, "GET", strings.TrimSuffix(rrset, "/"), "")
	var list struct {
		Sets []struct {
			Name, Type string
			TTL        int64
			Values     []string `xml:"ResourceRecords>ResourceRecord>Value"`
		} `xml:"ResourceRecordSets>ResourceRecordSet"`
		IsTruncated                    bool
		NextRecordName, NextRecordType string
	}
	if err := xml.Unmarshal([]byte(out), &list); err != nil || code != 200 || len(list.Sets) != 3 {
		t.Fatalf("list: %d %s", code, out)
	}
	if s := list.Sets[2]; s.Name != "home.acme.local." || s.Type != "A" || s.TTL != 60 || !reflect.DeepEqual(s.Values, []string{"192.0.2.7"}) || list.Sets[0].Type != "NS" || list.Sets[1].Type != "SOA" {
		t.Errorf("list: %s", out)
	}
	_, out = call(t, m, "GET", strings.TrimSuffix(rrset, "/")+"?maxitems=1&name=acme.local.&type=SOA", "")
	list.Sets, list.IsTruncated = nil, false
	xml.Unmarshal([]byte(out), &list)
	if len(list.Sets) != 1 || list.Sets[0].Type != "SOA" || !list.IsTruncated || list.NextRecordName != "home.acme.local." || list.NextRecordType != "A" {
		t.Errorf("second page: %s", out)
	}

	// GetHostedZone.
	code, out = call(t, m, "GET", "/2013-04-01/hostedzone/"+acme.ID, "")
	if code != 200 || !strings.Contains(out, "<Id>/hostedzone/"+acme.ID+"</Id><Name>acme.local.</Name>") || !strings.Contains(out, "<ResourceRecordSetCount>3</ResourceRecordSetCount>") {
		t.Errorf("GetHostedZone: %d %s", code, out)
	}

	// ListHostedZones: the zone, with its record count.
	code, out = call(t, m, "GET", "/2013-04-01/hostedzone?maxitems=1", "")
	if code != 200 || !strings.Contains(out, "<ListHostedZonesResponse") ||
		!strings.Contains(out, "<HostedZones><HostedZone><Id>/hostedzone/"+acme.ID+"</Id><Name>acme.local.</Name>") ||
		!strings.Contains(out, "<ResourceRecordSetCount>3</ResourceRecordSetCount></HostedZone></HostedZones>") {
		t.Errorf("ListHostedZones: %d %s", code, out)
	}

	// An unknown zone, everywhere: NoSuchHostedZone.
	for _, c := range [][2]string{{"POST", "/2013-04-01/hostedzone/DDNSGENRU/rrset/"}, {"GET", "/2013-04-01/hostedzone/DDNSGENRU/rrset"}, {"GET", "/2013-04-01/hostedzone/DDNSGENRU"}} {
		code, out := call(t, m, c[0], c[1], request(change("DELETE", "refused.ddnsgen.invalid", "TXT", "0", `"refused"`)))
		if code != 404 || !strings.Contains(out, "<Code>NoSuchHostedZone</Code><Message>No hosted zone found with ID: DDNSGENRU</Message>") {
			t.Errorf("%s %s: %d %s", c[0], c[1], code, out)
		}
	}
	if code, out := call(t, m, "DELETE", "/2013-04-01/hostedzone/"+acme.ID, ""); code != 501 || !strings.Contains(out, CodeLabUnsupported) {
		t.Errorf("a call the lab does not serve: %d %s", code, out)
	}
}

func TestMemoryAddZone(t *testing.T) {
	m := NewMemory()
	if err := m.AddZone("Z1", "acme.local."); err != nil {
		t.Fatal(err)
	}
	if err := m.AddZone("Z1", "acme.local"); err != nil {
		t.Errorf("the same zone twice: %v", err)
	}
	for _, c := range [][2]string{{"Z1", "example.com"}, {"z2", "example.com"}, {"Z2", "bad name"}} {
		if err := m.AddZone(c[0], c[1]); err == nil {
			t.Errorf("AddZone(%q, %q) took it", c[0], c[1])
		}
	}
	if got := m.Zones(); !reflect.DeepEqual(got, []Zone{{ID: "Z1", Name: "acme.local."}}) {
		t.Errorf("Zones() = %v", got)
	}
}
