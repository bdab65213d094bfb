package route53

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// request wraps changes in a ChangeResourceRecordSetsRequest on one line,
// as the SDKs and mapping templates send it.
func request(changes ...string) string {
	return `<ChangeResourceRecordSetsRequest xmlns="` + Namespace + `"><ChangeBatch><Changes>` +
		strings.Join(changes, "") + `</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>`
}

// change is one simple record set; values go in as written (raw XML).
func change(action, name, typ, ttl string, values ...string) string {
	var rr strings.Builder
	for _, v := range values {
		rr.WriteString("<ResourceRecord><Value>" + v + "</Value></ResourceRecord>")
	}
	return "<Change><Action>" + action + "</Action><ResourceRecordSet><Name>" + name + "</Name><Type>" + typ +
		"</Type><TTL>" + ttl + "</TTL><ResourceRecords>" + rr.String() + "</ResourceRecords></ResourceRecordSet></Change>"
}

// schemaMessage is Route 53's InvalidInput message for a schema violation
// the validator notices just after marker (the first occurrence) on a
// one-line body.
func schemaMessage(body, marker, msg string) string {
	i := strings.Index(body, marker)
	if i < 0 {
		panic("marker " + marker + " not in body")
	}
	return fmt.Sprintf("Invalid XML ; javax.xml.stream.XMLStreamException: org.xml.sax.SAXParseException; lineNumber: 1; columnNumber: %d; %s", i+len(marker)+1, msg)
}

// expected renders Xerces' list of expected elements.
func expected(names ...string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = `"` + Namespace + `":` + n
	}
	return "{" + strings.Join(q, ", ") + "}"
}

// The seed's mapping template renders this (pretty-printed) document.
const seedBody = `<?xml version="1.0" encoding="UTF-8"?>
<ChangeResourceRecordSetsRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/">
  <ChangeBatch>
    <Comment>ddns update</Comment>
    <Changes>
      <Change>
        <Action>UPSERT</Action>
        <ResourceRecordSet>
          <Name>myddns.acme.local</Name>
          <Type>A</Type>
          <TTL>60</TTL>
          <ResourceRecords>
            <ResourceRecord>
              <Value>203.0.113.7</Value>
            </ResourceRecord>
          </ResourceRecords>
        </ResourceRecordSet>
      </Change>
    </Changes>
  </ChangeBatch>
</ChangeResourceRecordSetsRequest>
`

func TestParseChangeBatchAccepts(t *testing.T) {
	one := func(action, name, normalized, typ string, ttl int64, values ...string) []Change {
		return []Change{{Action: action, Name: name, NormalizedName: normalized, Type: typ, TTL: ttl, Values: values}}
	}
	tests := []struct {
		name    string
		body    string
		comment string
		changes []Change
	}{
		{"the seed's pretty-printed request", seedBody, "ddns update", one("UPSERT", "myddns.acme.local", "myddns.acme.local", "A", 60, "203.0.113.7")},
		{"trailing dot and upper case", request(change("CREATE", "Home.Example.COM.", "A", "300", "192.0.2.1")), "",
			one("CREATE", "Home.Example.COM.", "home.example.com", "A", 300, "192.0.2.1")},
		{"wildcard name", request(change("DELETE", "*.example.com", "A", "60", "192.0.2.1")), "",
			one("DELETE", "*.example.com", `\052.example.com`, "A", 60, "192.0.2.1")},
		{"TTL 0", request(change("UPSERT", "a.example.com", "A", "0", "0.0.0.0")), "", one("UPSERT", "a.example.com", "a.example.com", "A", 0, "0.0.0.0")},
		{"TTL maximum, XSD white space, sign and leading zeros", request(change("UPSERT", "a.example.com", "A", " +02147483647\n", "255.255.255.255")), "",
			one("UPSERT", "a.example.com", "a.example.com", "A", 2147483647, "255.255.255.255")},
		{"several values", request(change("UPSERT", "a.example.com", "A", "60", "192.0.2.1", "192.0.2.2")), "",
			one("UPSERT", "a.example.com", "a.example.com", "A", 60, "192.0.2.1", "192.0.2.2")},
		{"AAAA, compressed and full", request(change("UPSERT", "v6.example.com", "AAAA", "60", "2001:db8::1", "2001:0db8:85a3:0:0:8a2e:0370:7334")), "",
			one("UPSERT", "v6.example.com", "v6.example.com", "AAAA", 60, "2001:db8::1", "2001:0db8:85a3:0:0:8a2e:0370:7334")},
		{"TXT with several strings and escapes (AWS's examples)", request(change("UPSERT", "t.example.com", "TXT", "60",
			`"This string includes \"quotation marks\"."`, `"The last character in this string is an accented e specified in octal format: \351"`, `"v=spf1 ip4:192.168.0.1/16 -all" "second"`)), "",
			one("UPSERT", "t.example.com", "t.example.com", "TXT", 60, `"This string includes \"quotation marks\"."`, `"The last character in this string is an accented e specified in octal format: \351"`, `"v=spf1 ip4:192.168.0.1/16 -all" "second"`)},
		{"TXT string of exactly 255 characters", request(change("UPSERT", "t.example.com", "TXT", "60", `"`+strings.Repeat("x", 255)+`"`)), "",
			one("UPSERT", "t.example.com", "t.example.com", "TXT", 60, `"`+strings.Repeat("x", 255)+`"`)},
		{"CNAME", request(change("CREATE", "www.example.com", "CNAME", "60", "hostname.example.com")), "",
			one("CREATE", "www.example.com", "www.example.com", "CNAME", 60, "hostname.example.com")},
		{"CDATA is only text", request(change("UPSERT", "<![CDATA[a.example.com]]>", "A", "60", "<![CDATA[192.0.2.1]]>")), "",
			one("UPSERT", "a.example.com", "a.example.com", "A", 60, "192.0.2.1")},
		{"comments are skipped, text around them joined", request(change("UPSERT", "a.<!-- x -->example.com", "A", "60", "192.0.<!--y-->2.1")), "",
			one("UPSERT", "a.example.com", "a.example.com", "A", 60, "192.0.2.1")},
		{"namespace by prefix", `<r:ChangeResourceRecordSetsRequest xmlns:r="` + Namespace + `"><r:ChangeBatch><r:Changes><r:Change><r:Action>UPSERT</r:Action><r:ResourceRecordSet><r:Name>a.example.com</r:Name><r:Type>A</r:Type><r:TTL>60</r:TTL><r:ResourceRecords><r:ResourceRecord><r:Value>192.0.2.1</r:Value></r:ResourceRecord></r:ResourceRecords></r:ResourceRecordSet></r:Change></r:Changes></r:ChangeBatch></r:ChangeResourceRecordSetsRequest>`, "",
			one("UPSERT", "a.example.com", "a.example.com", "A", 60, "192.0.2.1")},
		{"comment of 256 characters", strings.Replace(request(change("UPSERT", "a.example.com", "A", "60", "192.0.2.1")), "<Changes>", "<Comment>"+strings.Repeat("é", 256)+"</Comment><Changes>", 1), strings.Repeat("é", 256),
			one("UPSERT", "a.example.com", "a.example.com", "A", 60, "192.0.2.1")},
		// Exactly what the AWS SDK for Go v2 sends (members in alphabetical
		// order, <Changes> before <Comment>): Route 53 accepts it.
		{"any order: the AWS SDK for Go v2's", `<ChangeResourceRecordSetsRequest xmlns="` + Namespace + `"><ChangeBatch><Changes><Change><Action>UPSERT</Action><ResourceRecordSet><Name>a.example.com</Name><ResourceRecords><ResourceRecord><Value>192.0.2.1</Value></ResourceRecord></ResourceRecords><TTL>60</TTL><Type>A</Type></ResourceRecordSet></Change></Changes><Comment>Managed by Terraform</Comment></ChangeBatch></ChangeResourceRecordSetsRequest>`, "Managed by Terraform",
			one("UPSERT", "a.example.com", "a.example.com", "A", 60, "192.0.2.1")},
		{"any order: Type first, Action last", request(`<Change><ResourceRecordSet><Type>A</Type><TTL>60</TTL><ResourceRecords><ResourceRecord><Value>192.0.2.1</Value></ResourceRecord></ResourceRecords><Name>a.example.com</Name></ResourceRecordSet><Action>CREATE</Action></Change>`), "",
			one("CREATE", "a.example.com", "a.example.com", "A", 60, "192.0.2.1")},
		{"DELETE then CREATE of one record set (AWS's documented replace)", request(
			change("DELETE", "www.example.com", "A", "60", "192.0.2.1"),
			change("CREATE", "WWW.example.com.", "A", "60", "192.0.2.2")), "",
			[]Change{
				{Action: "DELETE", Name: "www.example.com", NormalizedName: "www.example.com", Type: "A", TTL: 60, Values: []string{"192.0.2.1"}},
				{Action: "CREATE", Name: "WWW.example.com.", NormalizedName: "www.example.com", Type: "A", TTL: 60, Values: []string{"192.0.2.2"}},
			}},
		{"same name, different types", request(
			change("UPSERT", "h.example.com", "A", "60", "192.0.2.1"),
			change("UPSERT", "h.example.com", "AAAA", "60", "2001:db8::1")), "",
			[]Change{
				{Action: "UPSERT", Name: "h.example.com", NormalizedName: "h.example.com", Type: "A", TTL: 60, Values: []string{"192.0.2.1"}},
				{Action: "UPSERT", Name: "h.example.com", NormalizedName: "h.example.com", Type: "AAAA", TTL: 60, Values: []string{"2001:db8::1"}},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := ParseChangeBatch([]byte(tt.body))
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if b.Comment != tt.comment {
				t.Errorf("Comment %q, want %q", b.Comment, tt.comment)
			}
			if !reflect.DeepEqual(b.Changes, tt.changes) {
				t.Errorf("Changes:\n got %+v\nwant %+v", b.Changes, tt.changes)
			}
		})
	}
}

func TestParseChangeBatchRefuses(t *testing.T) {
	ok := change("UPSERT", "a.example.com", "A", "60", "192.0.2.1")
	withRRS := func(rrs string) string {
		return request("<Change><Action>UPSERT</Action><ResourceRecordSet>" + rrs + "</ResourceRecordSet></Change>")
	}
	afterType := []string{"SetIdentifier", "Weight", "Region", "GeoLocation", "Failover", "MultiValueAnswer", "TTL", "ResourceRecords", "AliasTarget", "HealthCheckId", "TrafficPolicyInstanceId", "CidrRoutingConfig", "GeoProximityLocation"}
	manyValues := func(n int, format string) []string {
		var v []string
		for i := 0; i < n; i++ {
			v = append(v, fmt.Sprintf(format, i/250, i%250))
		}
		return v
	}

	type refusal struct {
		name    string
		body    string
		status  int
		code    string
		message string
	}
	var tests []refusal
	add := func(name, body string, status int, code, message string) {
		tests = append(tests, refusal{name, body, status, code, message})
	}
	schema := func(name, body, marker, msg string) {
		add(name, body, 400, "InvalidInput", schemaMessage(body, marker, msg))
	}
	batch := func(name, body string, messages ...string) {
		add(name, body, 400, "InvalidChangeBatch", "["+strings.Join(messages, ", ")+"]")
	}
	lab := func(name, body, message string) {
		add(name, body, 501, CodeLabUnsupported, "ddnsgen lab: "+message)
	}

	// Not XML, or XML Route 53 will not read.
	add("not XML", "UPSERT a.example.com A 192.0.2.1", 400, "MalformedInput", "Could not parse XML")
	add("empty body", "", 400, "MalformedInput", "Could not parse XML")
	add("truncated", request(ok)[:120], 400, "MalformedInput", "Could not parse XML")
	add("DTD with an external entity (XXE)", `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>`+strings.Replace(request(ok), "a.example.com", "&xxe;", 1), 400, "MalformedInput", "Could not parse XML")
	add("DTD with nested entities (billion laughs)", `<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>`+request(ok), 400, "MalformedInput", "Could not parse XML")
	add("undeclared entity", strings.Replace(request(ok), "a.example.com", "&xxe;.example.com", 1), 400, "MalformedInput", "Could not parse XML")
	add("text after the root element", request(ok)+"junk", 400, "MalformedInput", "Could not parse XML")
	add("a second root element", request(ok)+request(ok), 400, "MalformedInput", "Could not parse XML")
	add("mismatched end tag", strings.Replace(request(ok), "</Name>", "</Nam>", 1), 400, "MalformedInput", "Could not parse XML")
	add("invalid UTF-8", strings.Replace(request(ok), "a.example.com", "a\xff.example.com", 1), 400, "MalformedInput", "Could not parse XML")
	add("wrong root element (captured answer)", `<?xml version="1.0" encoding="UTF-8"?><ChangeBatch xmlns="`+Namespace+`"><Changes>`+ok+`</Changes></ChangeBatch>`,
		400, "MalformedInput", "ChangeBatch is not valid, expected ChangeResourceRecordSetsRequest")

	// The XML schema.
	noNS := strings.Replace(request(ok), ` xmlns="`+Namespace+`"`, "", 1)
	schema("root without the namespace", noNS, "<ChangeResourceRecordSetsRequest>", "cvc-elt.1: Cannot find the declaration of element 'ChangeResourceRecordSetsRequest'.")
	oldNS := strings.Replace(request(ok), Namespace, "https://route53.amazonaws.com/doc/2012-12-12/", 1)
	schema("root in an older API's namespace", oldNS, `2012-12-12/">`, "cvc-elt.1: Cannot find the declaration of element 'ChangeResourceRecordSetsRequest'.")
	nested := `<ChangeResourceRecordSetsRequest xmlns="` + Namespace + `">` + request(ok) + `</ChangeResourceRecordSetsRequest>`
	schema("nested ChangeResourceRecordSetsRequest", nested, `<ChangeResourceRecordSetsRequest xmlns="`+Namespace+`"><ChangeResourceRecordSetsRequest xmlns="`+Namespace+`">`,
		"cvc-complex-type.2.4.a: Invalid content was found starting with element 'ChangeResourceRecordSetsRequest'. One of '"+expected("ChangeBatch")+"' is expected.")
	childNoNS := strings.Replace(request(ok), "<ChangeBatch>", `<ChangeBatch xmlns="">`, 1)
	schema("child element outside the namespace", childNoNS, `<ChangeBatch xmlns="">`,
		"cvc-complex-type.2.4.a: Invalid content was found starting with element 'ChangeBatch'. One of '"+expected("ChangeBatch")+"' is expected.")
	b := withRRS("<Name>a.example.com</Name><TTL>60</TTL><TTL>60</TTL><Type>A</Type>")
	schema("TTL twice", b, "<TTL>60</TTL><TTL>", "cvc-complex-type.2.4.a: Invalid content was found starting with element 'TTL'. One of '"+
		expected("Type", "SetIdentifier", "Weight", "Region", "GeoLocation", "Failover", "MultiValueAnswer", "ResourceRecords", "AliasTarget", "HealthCheckId", "TrafficPolicyInstanceId", "CidrRoutingConfig", "GeoProximityLocation")+"' is expected.")
	b = withRRS("<Name>a.example.com</Name><Name>b.example.com</Name>")
	schema("Name twice", b, "</Name><Name>", "cvc-complex-type.2.4.a: Invalid content was found starting with element 'Name'. One of '"+expected(append([]string{"Type"}, afterType...)...)+"' is expected.")
	b = strings.Replace(request(ok), "</ResourceRecordSet></Change>", "</ResourceRecordSet><ResourceRecordSet/></Change>", 1)
	schema("a second ResourceRecordSet in one Change", b, "</ResourceRecordSet><ResourceRecordSet/>", "cvc-complex-type.2.4.d: Invalid content was found starting with element 'ResourceRecordSet'. No child element is expected at this point.")
	b = strings.Replace(request(ok), "</Changes>", "</Changes><Comment>a</Comment><Comment>b</Comment>", 1)
	schema("Comment twice", b, "</Comment><Comment>", "cvc-complex-type.2.4.d: Invalid content was found starting with element 'Comment'. No child element is expected at this point.")
	b = strings.Replace(request(ok), "<Changes>", "<Changes><Foo/>", 1)
	schema("unknown element", b, "<Foo/>", "cvc-complex-type.2.4.a: Invalid content was found starting with element 'Foo'. One of '"+expected("Change")+"' is expected.")
	b = strings.Replace(request(ok), "<ChangeBatch>", "<ChangeBatch><HostedZoneId>Z1</HostedZoneId>", 1)
	schema("HostedZoneId in the body", b, "<HostedZoneId>", "cvc-complex-type.2.4.a: Invalid content was found starting with element 'HostedZoneId'. One of '"+expected("Comment", "Changes")+"' is expected.")
	b = strings.Replace(request(ok), "<Value>192.0.2.1</Value>", "<Value>192.0.2.1</Value><Value>192.0.2.2</Value>", 1)
	schema("two Values in one ResourceRecord", b, "</Value><Value>", "cvc-complex-type.2.4.d: Invalid content was found starting with element 'Value'. No child element is expected at this point.")
	b = withRRS("<Name>a.example.com</Name>")
	schema("ResourceRecordSet without Type", b, "</ResourceRecordSet>", "cvc-complex-type.2.4.b: The content of element 'ResourceRecordSet' is not complete. One of '"+expected(append([]string{"Type"}, afterType...)...)+"' is expected.")
	b = request("<Change><Action>UPSERT</Action></Change>")
	schema("Change without ResourceRecordSet", b, "</Change>", "cvc-complex-type.2.4.b: The content of element 'Change' is not complete. One of '"+expected("ResourceRecordSet")+"' is expected.")
	b = request()
	schema("no Change at all", b, "</Changes>", "cvc-complex-type.2.4.b: The content of element 'Changes' is not complete. One of '"+expected("Change")+"' is expected.")
	b = `<ChangeResourceRecordSetsRequest xmlns="` + Namespace + `"><ChangeBatch></ChangeBatch></ChangeResourceRecordSetsRequest>`
	schema("empty ChangeBatch", b, "</ChangeBatch>", "cvc-complex-type.2.4.b: The content of element 'ChangeBatch' is not complete. One of '"+expected("Comment", "Changes")+"' is expected.")
	b = withRRS("<Name>a.example.com</Name><Type>A</Type><TTL>60</TTL><ResourceRecords></ResourceRecords>")
	schema("empty ResourceRecords", b, "</ResourceRecords>", "cvc-complex-type.2.4.b: The content of element 'ResourceRecords' is not complete. One of '"+expected("ResourceRecord")+"' is expected.")
	b = withRRS("<Name>a.example.com</Name><Type>A</Type><TTL>60</TTL><ResourceRecords><ResourceRecord></ResourceRecord></ResourceRecords>")
	schema("ResourceRecord without Value", b, "</ResourceRecord>", "cvc-complex-type.2.4.b: The content of element 'ResourceRecord' is not complete. One of '"+expected("Value")+"' is expected.")
	b = withRRS("<Name>a.example.com</Name><Type>A</Type><Foo/>")
	schema("unknown element after Type", b, "<Foo/>", "cvc-complex-type.2.4.a: Invalid content was found starting with element 'Foo'. One of '"+expected(afterType...)+"' is expected.")
	b = strings.Replace(request(ok), "<Changes>", "<Changes>stray text", 1)
	schema("text between elements", b, "</Changes>", "cvc-complex-type.2.3: Element 'Changes' cannot have character [children], because the type's content type is element-only.")
	b = strings.Replace(request(ok), "<Change>", `<Change id="1">`, 1)
	schema("attribute", b, `<Change id="1">`, "cvc-complex-type.3.2.2: Attribute 'id' is not allowed to appear in element 'Change'.")
	b = strings.Replace(request(ok), "<Name>a.example.com</Name>", "<Name><b>a.example.com</b></Name>", 1)
	schema("element inside Name", b, "<Name><b>", "cvc-type.3.1.2: Element 'Name' is a simple type, so it must have no element information item [children].")
	b = strings.Replace(request(ok), "<Action>UPSERT", "<Action>upsert", 1)
	schema("lower-case Action", b, "</Action>", "cvc-enumeration-valid: Value 'upsert' is not facet-valid with respect to enumeration '[CREATE, DELETE, UPSERT]'. It must be a value from the enumeration.")
	b = strings.Replace(request(ok), "<Type>A<", "<Type> A<", 1)
	schema("Type with a space", b, "</Type>", "cvc-enumeration-valid: Value ' A' is not facet-valid with respect to enumeration '[SOA, A, TXT, NS, CNAME, MX, NAPTR, PTR, SRV, SPF, AAAA, CAA, DS, TLSA, SSHFP, SVCB, HTTPS]'. It must be a value from the enumeration.")
	b = request(change("UPSERT", "a.example.com", "A", "-1", "192.0.2.1"))
	schema("negative TTL", b, "</TTL>", "cvc-minInclusive-valid: Value '-1' is not facet-valid with respect to minInclusive '0' for type 'TTL'.")
	b = request(change("UPSERT", "a.example.com", "A", "2147483648", "192.0.2.1"))
	schema("TTL above 2147483647", b, "</TTL>", "cvc-maxInclusive-valid: Value '2147483648' is not facet-valid with respect to maxInclusive '2147483647' for type 'TTL'.")
	b = request(change("UPSERT", "a.example.com", "A", "99999999999999999999999", "192.0.2.1"))
	schema("TTL beyond 64 bits", b, "</TTL>", "cvc-maxInclusive-valid: Value '99999999999999999999999' is not facet-valid with respect to maxInclusive '2147483647' for type 'TTL'.")
	b = request(change("UPSERT", "a.example.com", "A", "1h", "192.0.2.1"))
	schema("TTL not a number", b, "</TTL>", "cvc-datatype-valid.1.2.1: '1h' is not a valid value for 'integer'.")
	b = request(change("UPSERT", "a.example.com", "A", "", "192.0.2.1"))
	schema("empty TTL", b, "</TTL>", "cvc-datatype-valid.1.2.1: '' is not a valid value for 'integer'.")
	long := strings.Repeat("c", 257)
	b = strings.Replace(request(ok), "<Changes>", "<Comment>"+long+"</Comment><Changes>", 1)
	schema("Comment over 256 characters", b, "</Comment>", "cvc-maxLength-valid: Value '"+long+"' with length = '257' is not facet-valid with respect to maxLength '256' for type 'ResourceDescription'.")
	longName := strings.Repeat("a.", 512) + "a"
	b = request(change("UPSERT", longName, "A", "60", "192.0.2.1"))
	schema("Name over 1024 characters", b, "</Name>", "cvc-maxLength-valid: Value '"+longName+"' with length = '1025' is not facet-valid with respect to maxLength '1024' for type 'DNSName'.")
	longValue := `"` + strings.Repeat("v", 4000) + `"`
	b = request(change("UPSERT", "t.example.com", "TXT", "60", longValue))
	schema("Value over 4000 characters", b, "</Value>", "cvc-maxLength-valid: Value '"+longValue+"' with length = '4002' is not facet-valid with respect to maxLength '4000' for type 'RData'.")

	// Route 53's request rules beyond the schema.
	add("no TTL", withRRS("<Name>a.example.com</Name><Type>A</Type><ResourceRecords><ResourceRecord><Value>192.0.2.1</Value></ResourceRecord></ResourceRecords>"), 400, "InvalidInput",
		"Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found none in Change with [Action=UPSERT, Name=a.example.com, Type=A, SetIdentifier=null]")
	add("no ResourceRecords", withRRS("<Name>a.example.com</Name><Type>A</Type><TTL>60</TTL>"), 400, "InvalidInput",
		"Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found none in Change with [Action=UPSERT, Name=a.example.com, Type=A, SetIdentifier=null]")

	// Names.
	batch("empty label (captured message)", request(change("UPSERT", "stage-socialmobileregistry..digitalgov.gov", "A", "60", "192.0.2.1")),
		"FATAL problem: DomainLabelEmpty (Domain label is empty) encountered with 'stage-socialmobileregistry..digitalgov.gov'")
	batch("empty name", request(change("UPSERT", "", "A", "60", "192.0.2.1")), "FATAL problem: DomainLabelEmpty (Domain label is empty) encountered with ''")
	batch("the root alone", request(change("UPSERT", ".", "A", "60", "192.0.2.1")), "FATAL problem: DomainLabelEmpty (Domain label is empty) encountered with '.'")
	label64 := "cname-apply-for-a-property-and-financial-affairs-deputyship-orders"
	batch("label over 63 bytes (captured message shows its first 64)", request(change("UPSERT", label64+".example.com", "TXT", "60", `"x"`)),
		"FATAL problem: DomainLabelTooLong (Domain label is too long) encountered with 'cname-apply-for-a-property-and-financial-affairs-deputyship-orde'")
	name256 := strings.Repeat(strings.Repeat("a", 63)+".", 3) + strings.Repeat("b", 63)
	batch("name over 255 bytes", request(change("UPSERT", name256, "A", "60", "192.0.2.1")),
		"FATAL problem: DomainNameTooLong (Domain name is too long) encountered with '"+name256+"'")
	batch("space in a name", request(change("UPSERT", "my host.example.com", "A", "60", "192.0.2.1")),
		"FATAL problem: UnsupportedCharacter (Value contains unsupported characters) encountered with ' '")
	batch("raw non-ASCII in a name", request(change("UPSERT", "exämple.com", "A", "60", "192.0.2.1")),
		"FATAL problem: UnsupportedCharacter (Value contains unsupported characters) encountered with 'ä'")
	lab("escape that is not three octal digits", request(change("UPSERT", `a\09.example.com`, "A", "60", "192.0.2.1")),
		`name "a\\09.example.com": Route 53 documents only \ followed by three octal digits (000-377)`)

	// Values.
	batch("A with three numbers (captured message)", request(change("UPSERT", "a.example.com", "A", "60", "1.2.3")),
		"Invalid Resource Record: 'FATAL problem: ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address) encountered with '1.2.3''")
	batch("A with a leading zero", request(change("UPSERT", "a.example.com", "A", "60", "192.0.2.01")),
		"Invalid Resource Record: 'FATAL problem: ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address) encountered with '192.0.2.01''")
	batch("A above 255", request(change("UPSERT", "a.example.com", "A", "60", "192.0.2.256")),
		"Invalid Resource Record: 'FATAL problem: ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address) encountered with '192.0.2.256''")
	batch("A with a space", request(change("UPSERT", "a.example.com", "A", "60", " 192.0.2.1")),
		"Invalid Resource Record: 'FATAL problem: ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address) encountered with ' 192.0.2.1''")
	batch("A holding an IPv6 address", request(change("UPSERT", "a.example.com", "A", "60", "2001:db8::1")),
		"Invalid Resource Record: 'FATAL problem: ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address) encountered with '2001:db8::1''")
	batch("CDATA with markup stays text", request(change("UPSERT", "a.example.com", "A", "60", "<![CDATA[<b>192.0.2.1</b>]]>")),
		"Invalid Resource Record: 'FATAL problem: ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address) encountered with '<b>192.0.2.1</b>''")
	batch("CDATA cannot close the Value early", request(change("UPSERT", "a.example.com", "A", "60", "<![CDATA[192.0.2.1</Value></ResourceRecord><ResourceRecord><Value>192.0.2.9]]>")),
		"Invalid Resource Record: 'FATAL problem: ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address) encountered with '192.0.2.1</Value></ResourceRecord><ResourceRecord><Value>192.0.2.9''")
	batch("AAAA holding an IPv4 address (captured message)", request(change("UPSERT", "a.example.com", "AAAA", "60", "73.151.1.2")),
		"Invalid Resource Record: 'FATAL problem: AAAARRDATAIllegalIPv6Address (Value is not a valid IPv6 address) encountered with '73.151.1.2''")
	batch("AAAA with a zone", request(change("UPSERT", "a.example.com", "AAAA", "60", "fe80::1%eth0")),
		"Invalid Resource Record: 'FATAL problem: AAAARRDATAIllegalIPv6Address (Value is not a valid IPv6 address) encountered with 'fe80::1%eth0''")
	batch("TXT without quotes (captured message)", request(change("UPSERT", "t.example.com", "TXT", "60", "ccEesV+N/LXO1MqHmXVUuRcsggM1TwsoxNuHrB1T10E=")),
		"Invalid Resource Record: 'FATAL problem: InvalidCharacterString (Value should be enclosed in quotation marks) encountered with 'ccEesV+N/LXO1MqHmXVUuRcsggM1TwsoxNuHrB1T10E=''")
	batch("TXT with an unclosed quote", request(change("UPSERT", "t.example.com", "TXT", "60", `"abc`)),
		`Invalid Resource Record: 'FATAL problem: InvalidCharacterString (Value should be enclosed in quotation marks) encountered with '"abc''`)
	batch("TXT with text after the quote", request(change("UPSERT", "t.example.com", "TXT", "60", `"abc"def`)),
		`Invalid Resource Record: 'FATAL problem: InvalidCharacterString (Value should be enclosed in quotation marks) encountered with '"abc"def''`)
	s256 := `"` + strings.Repeat("x", 256) + `"`
	batch("TXT string of 256 characters", request(change("UPSERT", "t.example.com", "TXT", "60", s256)),
		"Invalid Resource Record: 'FATAL problem: CharacterStringTooLong (Value is too long) encountered with '"+s256+"''")
	batch("CNAME to a bad name", request(change("UPSERT", "c.example.com", "CNAME", "60", "a..example.com")),
		"Invalid Resource Record: 'FATAL problem: DomainLabelEmpty (Domain label is empty) encountered with 'a..example.com''")
	batch("duplicate value (captured message)", request(change("UPSERT", "a.example.com", "A", "60", "10.160.0.188", "10.160.0.188")),
		"Duplicate Resource Record: '10.160.0.188'")
	batch("every problem of the batch in one answer", request(
		change("UPSERT", "a..example.com", "A", "60", "1.2.3"),
		change("UPSERT", "b.example.com", "TXT", "60", "plain")),
		"FATAL problem: DomainLabelEmpty (Domain label is empty) encountered with 'a..example.com'",
		"Invalid Resource Record: 'FATAL problem: ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address) encountered with '1.2.3''",
		"Invalid Resource Record: 'FATAL problem: InvalidCharacterString (Value should be enclosed in quotation marks) encountered with 'plain''")
	lab("TXT with a raw control character", request(change("UPSERT", "t.example.com", "TXT", "60", "\"a\tb\"")),
		`TXT value "\"a\tb\"": Route 53 asks for bytes outside printable ASCII as \ooo escapes; what it does with raw ones is not documented`)

	// The same record set twice.
	batch("two UPSERTs of one record set, names spelt differently", request(
		change("UPSERT", "www.example.com", "A", "60", "192.0.2.1"),
		change("UPSERT", "WWW.Example.com.", "A", "60", "192.0.2.2")),
		"The request contains an invalid set of changes for a resource record set 'A www.example.com.'")
	batch("DELETE twice (AWS: InvalidChangeBatch)", request(
		change("DELETE", "www.example.com", "CNAME", "60", "x.example.com"),
		change("DELETE", "www.example.com", "CNAME", "60", "x.example.com")),
		"The request contains an invalid set of changes for a resource record set 'CNAME www.example.com.'")
	batch("CREATE then DELETE", request(
		change("CREATE", "www.example.com", "A", "60", "192.0.2.1"),
		change("DELETE", "www.example.com", "A", "60", "192.0.2.1")),
		"The request contains an invalid set of changes for a resource record set 'A www.example.com.'")

	// Limits.
	batch("over 1,000 records: an UPSERT counts twice", request(
		change("UPSERT", "a.example.com", "A", "60", manyValues(250, "10.0.%d.%d")...),
		change("UPSERT", "b.example.com", "A", "60", manyValues(251, "10.1.%d.%d")...)),
		"Number of records limit of 1000 exceeded.")
	batch("1,001 records", request(
		change("CREATE", "a.example.com", "A", "60", manyValues(400, "10.0.%d.%d")...),
		change("CREATE", "b.example.com", "A", "60", manyValues(400, "10.1.%d.%d")...),
		change("CREATE", "c.example.com", "A", "60", manyValues(201, "10.2.%d.%d")...)),
		"Number of records limit of 1000 exceeded.")
	txt := manyValues(100, `"%03d`+strings.Repeat("x", 157)+`%03d"`) // 100 values of 165 characters: 16,500, twice 33,000
	batch("over 32,000 value characters: an UPSERT counts twice", request(change("UPSERT", "t.example.com", "TXT", "60", txt...)),
		"RDATA character limit of 32000 exceeded.")
	batch("over 400 values in one record set", request(change("CREATE", "a.example.com", "A", "60", manyValues(401, "10.0.%d.%d")...)),
		"Cannot have more than 400 records in a RRSet.")

	// Valid for Route 53, not checked by the lab.
	lab("SetIdentifier", withRRS("<Name>a.example.com</Name><Type>A</Type><SetIdentifier>one</SetIdentifier>"),
		"ResourceRecordSet element SetIdentifier is valid for Route 53 but not checked by the lab (only simple records with TTL and ResourceRecords are)")
	lab("alias record", withRRS("<Name>a.example.com</Name><Type>A</Type><AliasTarget><HostedZoneId>Z1</HostedZoneId></AliasTarget>"),
		"ResourceRecordSet element AliasTarget is valid for Route 53 but not checked by the lab (only simple records with TTL and ResourceRecords are)")
	lab("MX record", request(change("UPSERT", "a.example.com", "MX", "60", "10 mail.example.com")),
		"record type MX: the lab checks only A, AAAA, CNAME and TXT records")
	lab("CNAME with two values", request(change("UPSERT", "c.example.com", "CNAME", "60", "x.example.com", "y.example.com")),
		"CNAME c.example.com has 2 values; Route 53 refuses this, with a message the lab does not know")
	lab("processing instruction", strings.Replace(request(ok), "<Changes>", "<Changes><?php echo 1 ?>", 1), "processing instruction <?php?>")
	lab("xsi attribute", strings.Replace(request(ok), "<Change>", `<Change xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:nil="true">`, 1),
		"attribute http://www.w3.org/2001/XMLSchema-instance:nil on element Change")

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := ParseChangeBatch([]byte(tt.body))
			if err == nil {
				t.Fatalf("accepted: %+v", b)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is a %T, want *Error", err, err)
			}
			if e.Status != tt.status || e.Code != tt.code || e.Message != tt.message {
				t.Errorf("got  %d %s %q\nwant %d %s %q", e.Status, e.Code, e.Message, tt.status, tt.code, tt.message)
			}
		})
	}
}

// The validator's position counts lines too: a pretty-printed body reports
// the line of the offending markup.
func TestSchemaErrorPositionOnAPrettyPrintedBody(t *testing.T) {
	body := strings.Replace(seedBody, "<TTL>60</TTL>", "<TTL>sixty</TTL>", 1)
	_, err := ParseChangeBatch([]byte(body))
	want := "Invalid XML ; javax.xml.stream.XMLStreamException: org.xml.sax.SAXParseException; lineNumber: 11; columnNumber: 27; cvc-datatype-valid.1.2.1: 'sixty' is not a valid value for 'integer'."
	var e *Error
	if !errors.As(err, &e) || e.Message != want {
		t.Errorf("got %v\nwant InvalidInput %q", err, want)
	}
}

func TestParseChangeBatchRefusesHugeBodyQuickly(t *testing.T) {
	body := []byte(request(change("UPSERT", "a.example.com", "TXT", "60", `"`+strings.Repeat("x", 10<<20)+`"`)))
	start := time.Now()
	_, err := ParseChangeBatch(body)
	want := fmt.Sprintf("ddnsgen lab: request body is %d bytes; the lab reads at most 1048576", len(body))
	var e *Error
	if !errors.As(err, &e) || e.Status != 501 || e.Code != CodeLabUnsupported || e.Message != want {
		t.Errorf("got %v\nwant 501 %s %q", err, CodeLabUnsupported, want)
	}
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Errorf("refusing a 10 MB body took %v; it should not read it", d)
	}
}

// Deep nesting stops at the first element the schema does not allow, so it
// costs nothing however deep it goes.
func TestParseChangeBatchRefusesDeepNesting(t *testing.T) {
	deep := strings.Repeat("<Change>", 50000) + strings.Repeat("</Change>", 50000)
	body := strings.Replace(request(), "<Changes></Changes>", "<Changes>"+deep+"</Changes>", 1)
	_, err := ParseChangeBatch([]byte(body))
	want := schemaMessage(body, "<Change><Change>", "cvc-complex-type.2.4.a: Invalid content was found starting with element 'Change'. One of '"+expected("Action", "ResourceRecordSet")+"' is expected.")
	var e *Error
	if !errors.As(err, &e) || e.Message != want {
		t.Errorf("got %v\nwant InvalidInput %q", err, want)
	}
}

func TestConditionValues(t *testing.T) {
	b, err := ParseChangeBatch([]byte(request(
		change("DELETE", "*.Example.com.", "A", "60", "192.0.2.1"),
		change("CREATE", "*.example.com", "A", "60", "192.0.2.2"),
		change("UPSERT", "_acme-challenge.example.com", "TXT", "60", `"token"`))))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		KeyNormalizedRecordNames: {`\052.example.com`, "_acme-challenge.example.com"},
		KeyRecordTypes:           {"A", "TXT"},
		KeyActions:               {"DELETE", "CREATE", "UPSERT"},
	}
	if got := b.ConditionValues(); !reflect.DeepEqual(got, want) {
		t.Errorf("ConditionValues:\n got %q\nwant %q", got, want)
	}
}
