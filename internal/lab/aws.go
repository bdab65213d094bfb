package lab

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// AWS runs the aws CLI with args against this server (environment from Env,
// one-minute timeout) and returns its stdout, JSON unless args say otherwise.
// A non-zero exit fails the test with the command line, stdout and stderr.
//
//	zones := m.AWS(t, "route53", "list-hosted-zones")
func (m *Moto) AWS(tb testing.TB, args ...string) []byte {
	tb.Helper()
	stdout, _, err := m.TryAWS(tb, args...)
	if err != nil {
		tb.Fatalf("lab: aws failed against moto on %s:\n%v", m.URL, err)
	}
	return stdout
}

// TryAWS is AWS for commands that may fail: it returns stdout, stderr and,
// for a non-zero exit or a timeout, an error whose message holds the command
// line and both outputs. It skips the test when aws is not installed.
func (m *Moto) TryAWS(tb testing.TB, args ...string) (stdout, stderr []byte, err error) {
	tb.Helper()
	Require(tb, "aws")
	return run(awsTimeout, m.Env(), "aws", args...)
}

// callerRefs makes caller references unique within the test binary; the time
// keeps them unique across runs against a long-lived server.
var callerRefs atomic.Int64

// CreateHostedZone creates a public hosted zone with `aws route53
// create-hosted-zone` and returns its bare id, without the "/hostedzone/"
// prefix. moto's ids are 22 upper-case letters and digits and may start with
// a digit (real ones start with Z).
func (m *Moto) CreateHostedZone(tb testing.TB, name string) (zoneID string) {
	tb.Helper()
	ref := fmt.Sprintf("ddnsgen-lab-%d-%d", time.Now().UnixNano(), callerRefs.Add(1))
	out := m.AWS(tb, "route53", "create-hosted-zone", "--name", name, "--caller-reference", ref)
	var created struct {
		HostedZone struct{ Id string }
	}
	if err := json.Unmarshal(out, &created); err != nil {
		tb.Fatalf("lab: read create-hosted-zone's answer: %v\n%s", err, out)
	}
	zoneID = strings.TrimPrefix(created.HostedZone.Id, "/hostedzone/")
	if zoneID == "" || strings.Contains(zoneID, "/") {
		tb.Fatalf("lab: create-hosted-zone answered an unexpected zone id %q:\n%s", created.HostedZone.Id, out)
	}
	return zoneID
}

// Record is one resource record set as `aws route53
// list-resource-record-sets` reports it.
type Record struct {
	// Name is fully qualified, with the trailing dot Route 53 always
	// answers. moto keeps the case and a literal "*" as they were sent (real
	// Route 53 lists "*" as \052), and lists a record created by
	// CloudFormation without the dot: Records adds it (see Records).
	Name string
	// Type is the record type: A, AAAA, TXT, NS, SOA, …
	Type string
	// TTL in seconds; 0 for an alias record, which has none.
	TTL int64
	// Values are the record's values, sorted; nil for an alias record.
	Values []string
}

// String renders a record as one line, "home.example.com. A 60 192.0.2.1", so
// a failed comparison reads like a zone file.
func (r Record) String() string {
	return fmt.Sprintf("%s %s %d %s", r.Name, r.Type, r.TTL, strings.Join(r.Values, ","))
}

// Records lists every record set in the zone (the CLI follows Route 53's
// pagination), sorted by name, then type, then values, with each record's
// values sorted: equal zones give equal slices, so a test can assert a
// record's state and that nothing else changed.
//
// moto 5.2 keeps a record set's name as it was created: one made by an
// AWS::Route53::RecordSet as "a.example.com" is listed without the dot, and
// an UPSERT of "a.example.com." then adds a second record set instead of
// replacing it (Route 53 would replace it). Records gives both the dot, so
// that case shows as two Records with the same Name and Type. A new moto zone holds an NS
// and an SOA record (moto 5.2 renders the SOA value as a Python dict literal,
// "{'Value': 'ns-2048.awsdns-64.com. hostmaster.example.com. 1 7200 900 1209600 86400'}").
func (m *Moto) Records(tb testing.TB, zoneID string) []Record {
	tb.Helper()
	out := m.AWS(tb, "route53", "list-resource-record-sets", "--hosted-zone-id", zoneID)
	var listed struct {
		ResourceRecordSets []struct {
			Name            string
			Type            string
			TTL             int64
			ResourceRecords []struct{ Value string }
		}
	}
	if err := json.Unmarshal(out, &listed); err != nil {
		tb.Fatalf("lab: read list-resource-record-sets' answer: %v\n%s", err, out)
	}
	records := make([]Record, 0, len(listed.ResourceRecordSets))
	for _, set := range listed.ResourceRecordSets {
		r := Record{Name: fullyQualified(set.Name), Type: set.Type, TTL: set.TTL}
		for _, rr := range set.ResourceRecords {
			r.Values = append(r.Values, rr.Value)
		}
		slices.Sort(r.Values)
		records = append(records, r)
	}
	slices.SortFunc(records, func(a, b Record) int {
		return cmp.Or(
			cmp.Compare(a.Name, b.Name),
			cmp.Compare(a.Type, b.Type),
			slices.Compare(a.Values, b.Values),
			cmp.Compare(a.TTL, b.TTL),
		)
	})
	return records
}

func fullyQualified(name string) string {
	if strings.HasSuffix(name, ".") {
		return name
	}
	return name + "."
}
