package route53

import (
	"crypto/rand"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Memory is Route 53 in process: hosted zones and their record sets in
// memory, served over Route 53's REST/XML protocol (ServeHTTP) for the calls
// the local lab makes:
//
//	POST /2013-04-01/hostedzone/ID/rrset[/]  ChangeResourceRecordSets
//	GET  /2013-04-01/hostedzone/ID/rrset     ListResourceRecordSets
//	GET  /2013-04-01/hostedzone/ID           GetHostedZone
//	GET  /2013-04-01/hostedzone              ListHostedZones (one page)
//	GET  /2013-04-01/change/ID               GetChange
//
// A change batch goes through ParseChangeBatch and ApplyChanges: Memory
// refuses what Route 53 refuses, with its answer, and applies a batch whole
// or not at all. IAM is not Memory's business (the lab asks Authorize
// before it calls Route 53). Requests are not checked for a signature.
type Memory struct {
	// OnChange, if set, is called for every change of an applied batch,
	// in order, while no other batch can be applied: it holds the Memory's
	// lock, so it must not call the Memory's methods.
	OnChange func(zone Zone, c Change)

	mu      sync.Mutex
	zones   map[string]*memoryZone
	changes map[string]ChangeInfo
}

type memoryZone struct {
	Zone
	records []Record
}

// ChangeInfo is what Route 53 says about an applied batch.
type ChangeInfo struct {
	ID          string // "/change/C…"
	Status      string // PENDING when applied, INSYNC on GetChange
	SubmittedAt time.Time
	Comment     string
}

// NewMemory returns a Route 53 without hosted zones.
func NewMemory() *Memory {
	return &Memory{zones: map[string]*memoryZone{}, changes: map[string]ChangeInfo{}}
}

var zoneIDPattern = regexp.MustCompile(`^[A-Z0-9]{1,32}$`)

// AddZone creates the hosted zone name with the id given, holding the SOA
// and NS record sets Route 53 puts at the apex of a new public zone.
func (m *Memory) AddZone(id, name string) error {
	if !zoneIDPattern.MatchString(id) {
		return fmt.Errorf("hosted zone id %q: 1-32 upper-case letters and digits", id)
	}
	n, err := NormalizeRecordName(name)
	if err != nil || n == "" {
		return fmt.Errorf("hosted zone name %q is not a domain name", name)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if z, ok := m.zones[id]; ok {
		if z.Name != n+"." {
			return fmt.Errorf("hosted zone %s is %s already", id, z.Name)
		}
		return nil
	}
	// Route 53's delegation sets are four of its name servers; these are
	// shaped like them.
	servers := []string{"ns-1.awsdns-01.org.", "ns-2.awsdns-02.co.uk.", "ns-3.awsdns-03.com.", "ns-4.awsdns-04.net."}
	m.zones[id] = &memoryZone{Zone: Zone{ID: id, Name: n + "."}, records: []Record{
		{Name: n + ".", Type: "NS", TTL: 172800, Values: servers},
		{Name: n + ".", Type: "SOA", TTL: 900, Values: []string{servers[0] + " awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400"}},
	}}
	return nil
}

// Zones lists the hosted zones by name.
func (m *Memory) Zones() []Zone {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Zone
	for _, z := range m.zones {
		out = append(out, z.Zone)
	}
	slices.SortFunc(out, func(a, b Zone) int { return strings.Compare(a.Name+a.ID, b.Name+b.ID) })
	return out
}

// Records returns a zone's record sets in Route 53's order.
func (m *Memory) Records(zoneID string) ([]Record, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	z, ok := m.zones[zoneID]
	if !ok {
		return nil, false
	}
	out := make([]Record, len(z.records))
	for i, r := range z.records {
		r.Values = slices.Clone(r.Values)
		out[i] = r
	}
	return out, true
}

// Change applies a batch to a zone: NoSuchHostedZone for an unknown id, the
// error of ApplyChanges, or the new change's ChangeInfo.
func (m *Memory) Change(zoneID string, b *ChangeBatch) (ChangeInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	z, ok := m.zones[zoneID]
	if !ok {
		return ChangeInfo{}, NoSuchHostedZone(zoneID)
	}
	after, err := ApplyChanges(z.Zone, z.records, b)
	if err != nil {
		return ChangeInfo{}, err
	}
	z.records = after
	info := ChangeInfo{ID: "/change/" + newChangeID(), Status: "PENDING", SubmittedAt: time.Now().UTC(), Comment: b.Comment}
	m.changes[info.ID] = info
	if m.OnChange != nil {
		for _, c := range b.Changes {
			m.OnChange(z.Zone, c)
		}
	}
	return info, nil
}

// newChangeID is an id like Route 53's: C and 20 upper-case letters and
// digits.
func newChangeID() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, 21)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	b[0] = 'C'
	return string(b)
}

var (
	rrsetPath  = regexp.MustCompile(`^/2013-04-01/hostedzone/([^/]+)/rrset/?$`)
	zonePath   = regexp.MustCompile(`^/2013-04-01/hostedzone/([^/]+)$`)
	zonesPath  = regexp.MustCompile(`^/2013-04-01/hostedzone/?$`)
	changePath = regexp.MustCompile(`^/2013-04-01/change/([^/]+)$`)
)

// ServeHTTP answers a Route 53 API call.
func (m *Memory) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	switch {
	case r.Method == http.MethodPost && rrsetPath.MatchString(path):
		body, err := io.ReadAll(io.LimitReader(r.Body, MaxRequestBytes+1))
		if err != nil {
			InternalFailure().WriteResponse(w)
			return
		}
		batch, err := ParseChangeBatch(body)
		if err == nil {
			var info ChangeInfo
			if info, err = m.Change(rrsetPath.FindStringSubmatch(path)[1], batch); err == nil {
				writeXML(w, changeResponse{XMLName: xml.Name{Space: Namespace, Local: "ChangeResourceRecordSetsResponse"}, ChangeInfo: xmlChangeInfo(info)})
				return
			}
		}
		writeError(w, err)
	case r.Method == http.MethodGet && rrsetPath.MatchString(path):
		m.listRecords(w, r, rrsetPath.FindStringSubmatch(path)[1])
	case r.Method == http.MethodGet && zonePath.MatchString(path):
		id := zonePath.FindStringSubmatch(path)[1]
		records, ok := m.Records(id)
		if !ok {
			NoSuchHostedZone(id).WriteResponse(w)
			return
		}
		m.mu.Lock()
		z := m.zones[id].Zone
		m.mu.Unlock()
		var ns []string
		for _, rec := range records {
			if rec.Type == "NS" && rec.Name == z.Name {
				for _, v := range rec.Values {
					ns = append(ns, strings.TrimSuffix(v, "."))
				}
			}
		}
		writeXML(w, getHostedZoneResponse{
			HostedZone:  xmlHostedZone{ID: "/hostedzone/" + z.ID, Name: z.Name, CallerReference: "ddnsgen-local-" + z.ID, Count: len(records)},
			NameServers: ns,
		})
	case r.Method == http.MethodGet && zonesPath.MatchString(path):
		// ListHostedZones: what `ddnsgen local -route53 URL` asks at start
		// to see that the endpoint answers as Route 53 does. The lab's
		// zones fit on one page.
		resp := listZonesResponse{MaxItems: 100}
		for _, z := range m.Zones() {
			records, _ := m.Records(z.ID)
			resp.Zones = append(resp.Zones, xmlHostedZone{ID: "/hostedzone/" + z.ID, Name: z.Name, CallerReference: "ddnsgen-local-" + z.ID, Count: len(records)})
		}
		writeXML(w, resp)
	case r.Method == http.MethodGet && changePath.MatchString(path):
		id := "/change/" + changePath.FindStringSubmatch(path)[1]
		m.mu.Lock()
		info, ok := m.changes[id]
		m.mu.Unlock()
		if !ok {
			(&Error{Status: http.StatusNotFound, Code: "NoSuchChange", Message: "A change with the specified change ID does not exist."}).WriteResponse(w)
			return
		}
		// The lab's name servers are in sync as soon as a change is made.
		info.Status = "INSYNC"
		writeXML(w, changeResponse{XMLName: xml.Name{Space: Namespace, Local: "GetChangeResponse"}, ChangeInfo: xmlChangeInfo(info)})
	default:
		labUnsupported("%s %s is not a Route 53 call the lab serves", r.Method, path).WriteResponse(w)
	}
}

// listRecords answers ListResourceRecordSets, from the name and type given
// in the query on (as Route 53 pages), maxitems at a time (default and most
// 300).
func (m *Memory) listRecords(w http.ResponseWriter, r *http.Request, zoneID string) {
	records, ok := m.Records(zoneID)
	if !ok {
		NoSuchHostedZone(zoneID).WriteResponse(w)
		return
	}
	q := r.URL.Query()
	max := 300
	if v := q.Get("maxitems"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 300 {
			InvalidInput("1 validation error detected: Value '" + v + "' at 'maxItems' failed to satisfy constraint: Member must be a number from 1 to 300").WriteResponse(w)
			return
		}
		max = n
	}
	if name := q.Get("name"); name != "" {
		start := Record{Name: canonicalName(name), Type: q.Get("type")}
		i := 0
		for i < len(records) && lessRecord(records[i], start) {
			i++
		}
		records = records[i:]
	}
	resp := listResponse{MaxItems: max}
	for i, rec := range records {
		if i == max {
			resp.IsTruncated = true
			resp.NextRecordName, resp.NextRecordType = rec.Name, rec.Type
			break
		}
		x := xmlRecordSet{Name: rec.Name, Type: rec.Type, TTL: rec.TTL}
		for _, v := range rec.Values {
			x.Values = append(x.Values, v)
		}
		resp.Sets = append(resp.Sets, x)
	}
	writeXML(w, resp)
}

func lessRecord(a, b Record) bool {
	s := []Record{b, a}
	SortRecords(s)
	return s[0].Name == a.Name && s[0].Type == a.Type && (a.Name != b.Name || a.Type != b.Type)
}

type xmlChangeInfoT struct {
	ID          string `xml:"Id"`
	Status      string
	SubmittedAt string
	Comment     string `xml:",omitempty"`
}

func xmlChangeInfo(c ChangeInfo) xmlChangeInfoT {
	return xmlChangeInfoT{ID: c.ID, Status: c.Status, SubmittedAt: c.SubmittedAt.Format("2006-01-02T15:04:05.000Z"), Comment: c.Comment}
}

type changeResponse struct {
	XMLName    xml.Name
	ChangeInfo xmlChangeInfoT
}

type xmlHostedZone struct {
	ID              string `xml:"Id"`
	Name            string
	CallerReference string
	PrivateZone     bool `xml:"Config>PrivateZone"`
	Count           int  `xml:"ResourceRecordSetCount"`
}

type getHostedZoneResponse struct {
	XMLName     xml.Name `xml:"https://route53.amazonaws.com/doc/2013-04-01/ GetHostedZoneResponse"`
	HostedZone  xmlHostedZone
	NameServers []string `xml:"DelegationSet>NameServers>NameServer"`
}

type listZonesResponse struct {
	XMLName     xml.Name        `xml:"https://route53.amazonaws.com/doc/2013-04-01/ ListHostedZonesResponse"`
	Zones       []xmlHostedZone `xml:"HostedZones>HostedZone"`
	IsTruncated bool
	MaxItems    int
}

type xmlRecordSet struct {
	Name   string
	Type   string
	TTL    int64
	Values []string `xml:"ResourceRecords>ResourceRecord>Value"`
}

type listResponse struct {
	XMLName        xml.Name       `xml:"https://route53.amazonaws.com/doc/2013-04-01/ ListResourceRecordSetsResponse"`
	Sets           []xmlRecordSet `xml:"ResourceRecordSets>ResourceRecordSet"`
	IsTruncated    bool
	NextRecordName string `xml:",omitempty"`
	NextRecordType string `xml:",omitempty"`
	MaxItems       int
}

// writeXML writes a 200 answer as Route 53 does: text/xml, a declaration,
// then the document.
func writeXML(w http.ResponseWriter, v any) {
	b, err := xml.Marshal(v)
	if err != nil {
		InternalFailure().WriteResponse(w)
		return
	}
	body := append([]byte(`<?xml version="1.0" encoding="UTF-8"?>`+"\n"), b...)
	h := w.Header()
	h.Set("Content-Type", "text/xml")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("x-amzn-RequestId", NewRequestID())
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

func writeError(w http.ResponseWriter, err error) {
	e, ok := err.(*Error)
	if !ok {
		e = InternalFailure()
	}
	e.WriteResponse(w)
}
