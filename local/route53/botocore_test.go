package route53

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"reflect"
	"strings"
	"testing"

	"github.com/ddnsgen/ddnsgen/internal/lab"
)

// botocore is AWS's own Python SDK core: its serializer writes the XML
// every AWS CLI and boto3 user sends, and its parser reads Route 53's
// answers. These tests use it as an independent check on both directions.

const botocoreScript = `
import json, sys
import botocore.session
from botocore import parsers, serialize
op = botocore.session.get_session().get_service_model('route53').operation_model('ChangeResourceRecordSets')
job = json.load(sys.stdin)
out = []
if job['do'] == 'serialize':
    ser = serialize.create_serializer('rest-xml', include_validation=True)
    for params in job['items']:
        out.append(ser.serialize_to_request(params, op)['body'].decode('utf-8'))
else:
    p = parsers.create_parser('rest-xml')
    for body in job['items']:
        r = p.parse({'status_code': 400, 'headers': {}, 'body': body.encode('utf-8')}, op.output_shape)
        out.append({'Error': r.get('Error', {}), 'RequestId': r['ResponseMetadata'].get('RequestId', '')})
json.dump(out, sys.stdout)
`

func runBotocore(t *testing.T, do string, items any, out any) {
	t.Helper()
	lab.Require(t, "python3")
	lab.PythonModule(t, "botocore", "boto3")
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Fatal(err)
	}
	in, _ := json.Marshal(map[string]any{"do": do, "items": items})
	cmd := exec.Command(python, "-c", botocoreScript)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("botocore: %v\n%s", err, stderr.String())
	}
	if err := json.Unmarshal(stdout, out); err != nil {
		t.Fatalf("botocore output: %v\n%s", err, stdout)
	}
}

// Whatever botocore serializes for a simple record set, ParseChangeBatch
// reads back unchanged. botocore writes members in the order of the
// caller's dict: Go maps arrive sorted by key (the order the AWS SDK for Go
// v2 writes), the raw JSON document in the order of the API reference.
func TestBotocoreRequestsAreAccepted(t *testing.T) {
	rrs := func(name, typ string, ttl int64, values ...string) map[string]any {
		var rr []map[string]string
		for _, v := range values {
			rr = append(rr, map[string]string{"Value": v})
		}
		return map[string]any{"Name": name, "Type": typ, "TTL": ttl, "ResourceRecords": rr}
	}
	params := []any{
		map[string]any{"HostedZoneId": "Z1", "ChangeBatch": map[string]any{"Changes": []any{
			map[string]any{"Action": "UPSERT", "ResourceRecordSet": rrs("myddns.acme.local", "A", 60, "203.0.113.7")}}}},
		map[string]any{"HostedZoneId": "Z1", "ChangeBatch": map[string]any{"Comment": `ddns & <"update"> é`, "Changes": []any{
			map[string]any{"Action": "DELETE", "ResourceRecordSet": rrs("www.example.com", "CNAME", 300, "old.example.com")},
			map[string]any{"Action": "CREATE", "ResourceRecordSet": rrs("www.example.com", "CNAME", 300, "new.example.com")},
			map[string]any{"Action": "UPSERT", "ResourceRecordSet": rrs("v6.example.com", "AAAA", 0, "2001:db8::1", "2001:db8::2")},
			map[string]any{"Action": "UPSERT", "ResourceRecordSet": rrs("t.example.com", "TXT", 2147483647, `"a \"quoted\" <word>" "x&y"`)}}}},
		json.RawMessage(`{"HostedZoneId": "Z1", "ChangeBatch": {"Comment": "c", "Changes": [{"Action": "CREATE", "ResourceRecordSet":
			{"Name": "*.Example.com.", "Type": "A", "TTL": 60, "ResourceRecords": [{"Value": "192.0.2.1"}]}}]}}`),
	}
	want := []*ChangeBatch{
		{Changes: []Change{{Action: "UPSERT", Name: "myddns.acme.local", NormalizedName: "myddns.acme.local", Type: "A", TTL: 60, Values: []string{"203.0.113.7"}}}},
		{Comment: `ddns & <"update"> é`, Changes: []Change{
			{Action: "DELETE", Name: "www.example.com", NormalizedName: "www.example.com", Type: "CNAME", TTL: 300, Values: []string{"old.example.com"}},
			{Action: "CREATE", Name: "www.example.com", NormalizedName: "www.example.com", Type: "CNAME", TTL: 300, Values: []string{"new.example.com"}},
			{Action: "UPSERT", Name: "v6.example.com", NormalizedName: "v6.example.com", Type: "AAAA", TTL: 0, Values: []string{"2001:db8::1", "2001:db8::2"}},
			{Action: "UPSERT", Name: "t.example.com", NormalizedName: "t.example.com", Type: "TXT", TTL: 2147483647, Values: []string{`"a \"quoted\" <word>" "x&y"`}},
		}},
		{Comment: "c", Changes: []Change{{Action: "CREATE", Name: "*.Example.com.", NormalizedName: `\052.example.com`, Type: "A", TTL: 60, Values: []string{"192.0.2.1"}}}},
	}
	var bodies []string
	runBotocore(t, "serialize", params, &bodies)
	if len(bodies) != len(want) {
		t.Fatalf("botocore serialized %d requests, want %d", len(bodies), len(want))
	}
	order := []string{"<Name>", "<ResourceRecords>", "<TTL>", "<Type>"}
	if !inOrder(bodies[0], order) || !inOrder(bodies[2], []string{"<Name>", "<Type>", "<TTL>", "<ResourceRecords>"}) {
		t.Fatalf("botocore did not write the two orders this test is about:\n%s\n%s", bodies[0], bodies[2])
	}
	for i, body := range bodies {
		got, err := ParseChangeBatch([]byte(body))
		if err != nil {
			t.Errorf("botocore's body refused: %v\n%s", err, body)
			continue
		}
		if !reflect.DeepEqual(got, want[i]) {
			t.Errorf("botocore's body read as\n %+v\nwant %+v\n%s", got, want[i], body)
		}
	}
}

func inOrder(s string, parts []string) bool {
	at := 0
	for _, p := range parts {
		i := strings.Index(s[at:], p)
		if i < 0 {
			return false
		}
		at += i + len(p)
	}
	return true
}

// botocore reads every body Body writes to the same code, message and type,
// and the request id. It reads no code from LegacyBody: that shape only
// ever worked through per-SDK special cases, so a response template must
// not rely on <Code> for InvalidChangeBatch.
func TestBotocoreReadsErrorBodies(t *testing.T) {
	errs := []*Error{
		InvalidInput(`Invalid XML ; cvc-complex-type.2.4.a: One of '{"ns":TTL}' is expected & <more>`),
		InvalidChangeBatch("Invalid Resource Record: 'FATAL problem: ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address) encountered with '1.2.3''", "Duplicate Resource Record: '192.0.2.1'"),
		accessDenied(testPrincipal, testZone, "with an explicit deny in an identity-based policy"),
		Throttling(),
		PriorRequestNotComplete(),
		NoSuchHostedZone("ZX"),
		InternalFailure(),
		ServiceUnavailable(),
	}
	const rid = "0b5a4a5e-1234-4c2a-9d6f-0123456789ab"
	var bodies []string
	for _, e := range errs {
		e.RequestID = rid
		bodies = append(bodies, string(e.Body()))
	}
	bodies = append(bodies, string(errs[1].LegacyBody()))
	type parsed struct {
		Error     map[string]string
		RequestId string
	}
	var got []parsed
	runBotocore(t, "parse", bodies, &got)
	for i, e := range errs {
		want := map[string]string{"Code": e.Code, "Message": e.Message, "Type": e.Type()}
		if !reflect.DeepEqual(got[i].Error, want) || got[i].RequestId != rid {
			t.Errorf("botocore read %s as %v, request id %q; want %v, %q", e.Code, got[i].Error, got[i].RequestId, want, rid)
		}
	}
	if legacy := got[len(errs)]; legacy.Error["Code"] != "" || legacy.RequestId != rid {
		t.Errorf("botocore read the legacy InvalidChangeBatch body as %v, request id %q; want no code", legacy.Error, legacy.RequestId)
	}
}
