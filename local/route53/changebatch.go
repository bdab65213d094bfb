// Package route53 makes the checks real Route 53 and IAM make on a
// ChangeResourceRecordSets call and moto_server does not, so that the local
// lab refuses what AWS would refuse, with the answer AWS would give.
//
// The lab passes every body a mapping template renders to ParseChangeBatch,
// then the role's policies to Authorize; only a batch that passes both goes
// on to moto. Every refusal is an *Error whose Body is the XML Route 53
// sends. Where AWS's behaviour is not documented the package refuses with
// CodeLabUnsupported (HTTP 501) rather than guess that AWS would accept.
package route53

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"
	"unicode/utf16"
)

// MaxRequestBytes bounds the body ParseChangeBatch reads. A batch within
// Route 53's own limits (1,000 ResourceRecord elements, 32,000 characters
// of values) is far smaller; what Route 53 answers to a larger body is not
// documented, so the lab refuses it with CodeLabUnsupported.
const MaxRequestBytes = 1 << 20

// Route 53's limits on one request (DNSLimitations, "Maximums on API
// requests"); an UPSERT counts its records and characters twice. A request
// over them fails whatever its number of Change elements, so the records
// limit also bounds the changes in a batch of plain records.
const (
	maxRecordsPerRequest    = 1000
	maxValueCharsPerRequest = 32000
	maxValuesPerRecordSet   = 400
)

// ChangeBatch is a ChangeResourceRecordSetsRequest that passed every check.
type ChangeBatch struct {
	Comment string
	Changes []Change
}

// Change is one <Change>: a simple record set (Name, Type, TTL, values).
type Change struct {
	Action string // CREATE, DELETE or UPSERT
	Name   string // as the request gave it
	// NormalizedName is Name as IAM compares it (see NormalizeRecordName).
	NormalizedName string
	Type           string
	TTL            int64
	Values         []string
}

// ParseChangeBatch checks a ChangeResourceRecordSets request body the way
// Route 53 does and returns its changes, or an *Error:
//
//   - MalformedInput: not well-formed XML, a DOCTYPE or entity declaration,
//     or a root element other than ChangeResourceRecordSetsRequest;
//   - InvalidInput: the document breaks Route 53's XML schema (wrong
//     namespace, an unknown, repeated or missing element, text where only
//     elements belong, Comment over 256 characters, TTL outside
//     0..2147483647, an unknown Action or Type), or a record set without
//     both TTL and ResourceRecords;
//   - InvalidChangeBatch: a name or value Route 53 refuses, a duplicate
//     value, the same record set changed twice, or a limit exceeded;
//   - CodeLabUnsupported: something valid for Route 53 that the lab does
//     not check (routing policies, alias records, types other than A,
//     AAAA, CNAME and TXT, processing instructions).
//
// The elements of a structure may come in any order (see schemaType).
// Schema errors carry Xerces' message and the line and column where the
// validator stops, as Route 53's do.
func ParseChangeBatch(body []byte) (*ChangeBatch, error) {
	if len(body) > MaxRequestBytes {
		return nil, labUnsupported("request body is %d bytes; the lab reads at most %d", len(body), MaxRequestBytes)
	}
	root, err := parseDocument(body)
	if err != nil {
		return nil, err
	}
	batch := newChangeBatch(root)
	if err := batch.check(); err != nil {
		return nil, err
	}
	return batch, nil
}

// particle is one member of a structure, or the item of a list.
type particle struct {
	name     string
	required bool
	typ      *schemaType // nil: valid for Route 53, not checked by the lab
}

// schemaType is an element's type: a structure (members in any order, each
// at most once), a list (one or more of its single item), or text checked by
// check, which returns a Xerces facet message or "".
//
// Members may come in any order although botocore's model and the API
// reference list them in one: the AWS SDK for Go v2, which Terraform and
// external-dns use, writes them alphabetically (<Name>, <ResourceRecords>,
// <TTL>, <Type>; <Changes> before <Comment>) and botocore in the caller's
// dict order, and Route 53 accepts both. Order errors on record
// ("Invalid content was found starting with element 'TTL'") all come from
// the 2012 API versions.
type schemaType struct {
	members []particle
	list    bool
	check   func(text string) string
}

func structure(members ...particle) *schemaType { return &schemaType{members: members} }

func list(item string, typ *schemaType) *schemaType {
	return &schemaType{members: []particle{{item, true, typ}}, list: true}
}

var (
	nameType        = &schemaType{check: maxLength("DNSName", 1024)}
	valueType       = &schemaType{check: maxLength("RData", 4000)}
	commentType     = &schemaType{check: maxLength("ResourceDescription", 256)}
	actionType      = &schemaType{check: enumeration("CREATE", "DELETE", "UPSERT")}
	recordTypeNames = []string{"SOA", "A", "TXT", "NS", "CNAME", "MX", "NAPTR", "PTR", "SRV", "SPF", "AAAA", "CAA", "DS", "TLSA", "SSHFP", "SVCB", "HTTPS"}
	recordTypeType  = &schemaType{check: enumeration(recordTypeNames...)}
	ttlType         = &schemaType{check: checkTTL}

	// Members in the order of botocore's model, which is the order Xerces
	// lists them in when it says what it expected.
	resourceRecordSetType = structure(
		particle{"Name", true, nameType},
		particle{"Type", true, recordTypeType},
		particle{"SetIdentifier", false, nil},
		particle{"Weight", false, nil},
		particle{"Region", false, nil},
		particle{"GeoLocation", false, nil},
		particle{"Failover", false, nil},
		particle{"MultiValueAnswer", false, nil},
		particle{"TTL", false, ttlType},
		particle{"ResourceRecords", false, list("ResourceRecord", structure(particle{"Value", true, valueType}))},
		particle{"AliasTarget", false, nil},
		particle{"HealthCheckId", false, nil},
		particle{"TrafficPolicyInstanceId", false, nil},
		particle{"CidrRoutingConfig", false, nil},
		particle{"GeoProximityLocation", false, nil},
	)
	changeType = structure(
		particle{"Action", true, actionType},
		particle{"ResourceRecordSet", true, resourceRecordSetType},
	)
	changeBatchType = structure(
		particle{"Comment", false, commentType},
		particle{"Changes", true, list("Change", changeType)},
	)
	requestType = structure(particle{"ChangeBatch", true, changeBatchType})
)

const rootName = "ChangeResourceRecordSetsRequest"

// node is a validated element: its text, or its children in order.
type node struct {
	name string
	text string
	kids []*node
}

func (n *node) child(name string) *node {
	for _, k := range n.kids {
		if k.name == name {
			return k
		}
	}
	return nil
}

type parser struct {
	d *xml.Decoder
}

// couldNotParse is Route 53's answer to a body that is not well-formed XML.
func couldNotParse() *Error { return MalformedInput("Could not parse XML") }

func parseDocument(body []byte) (*node, error) {
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = true
	p := &parser{d: d}
	var root *node
	for first := true; ; first = false {
		tok, err := d.Token()
		if err == io.EOF {
			if root == nil {
				return nil, couldNotParse()
			}
			return root, nil
		}
		if err != nil {
			return nil, couldNotParse()
		}
		switch t := tok.(type) {
		case xml.ProcInst:
			if !(first && t.Target == "xml") {
				return nil, labUnsupported("processing instruction <?%s?>", t.Target)
			}
		case xml.Directive:
			// A DOCTYPE, with or without entity declarations: refused, so
			// that no entity is ever expanded.
			return nil, couldNotParse()
		case xml.Comment:
		case xml.CharData:
			if !isXMLSpace(string(t)) {
				return nil, couldNotParse()
			}
		case xml.StartElement:
			if root != nil {
				return nil, couldNotParse() // a second root element
			}
			if t.Name.Local != rootName {
				return nil, MalformedInput(t.Name.Local + " is not valid, expected " + rootName)
			}
			if t.Name.Space != Namespace {
				return nil, p.schemaError("cvc-elt.1: Cannot find the declaration of element '" + rootName + "'.")
			}
			if root, err = p.element(t, requestType); err != nil {
				return nil, err
			}
		case xml.EndElement:
			return nil, couldNotParse()
		}
	}
}

// element validates the content of the element start opened, up to and
// including its end tag.
func (p *parser) element(start xml.StartElement, typ *schemaType) (*node, error) {
	for _, a := range start.Attr {
		if a.Name.Space == "xmlns" || a.Name.Space == "" && a.Name.Local == "xmlns" {
			continue
		}
		if a.Name.Space != "" {
			return nil, labUnsupported("attribute %s:%s on element %s", a.Name.Space, a.Name.Local, start.Name.Local)
		}
		return nil, p.schemaError(fmt.Sprintf("cvc-complex-type.3.2.2: Attribute '%s' is not allowed to appear in element '%s'.", a.Name.Local, start.Name.Local))
	}
	n := &node{name: start.Name.Local}
	var text strings.Builder
	sawText := false
	var seen content
	for {
		tok, err := p.d.Token()
		if err != nil {
			return nil, couldNotParse()
		}
		switch t := tok.(type) {
		case xml.CharData:
			text.Write(t)
			if !isXMLSpace(string(t)) {
				sawText = true
			}
		case xml.Comment:
		case xml.ProcInst:
			return nil, labUnsupported("processing instruction <?%s?>", t.Target)
		case xml.Directive:
			return nil, couldNotParse()
		case xml.StartElement:
			if typ.check != nil {
				return nil, p.schemaError(fmt.Sprintf("cvc-type.3.1.2: Element '%s' is a simple type, so it must have no element information item [children].", start.Name.Local))
			}
			var next *particle
			if t.Name.Space == Namespace {
				next = seen.accept(typ, t.Name.Local)
			}
			if next == nil {
				expected := seen.expected(typ)
				if len(expected) == 0 {
					return nil, p.schemaError(fmt.Sprintf("cvc-complex-type.2.4.d: Invalid content was found starting with element '%s'. No child element is expected at this point.", t.Name.Local))
				}
				return nil, p.schemaError(fmt.Sprintf("cvc-complex-type.2.4.a: Invalid content was found starting with element '%s'. One of '%s' is expected.", t.Name.Local, qualified(expected)))
			}
			if next.typ == nil {
				return nil, labUnsupported("ResourceRecordSet element %s is valid for Route 53 but not checked by the lab (only simple records with TTL and ResourceRecords are)", next.name)
			}
			kid, err := p.element(t, next.typ)
			if err != nil {
				return nil, err
			}
			n.kids = append(n.kids, kid)
		case xml.EndElement:
			if typ.check != nil {
				n.text = text.String()
				if msg := typ.check(n.text); msg != "" {
					return nil, p.schemaError(msg)
				}
				return n, nil
			}
			if sawText {
				return nil, p.schemaError(fmt.Sprintf("cvc-complex-type.2.3: Element '%s' cannot have character [children], because the type's content type is element-only.", start.Name.Local))
			}
			if !seen.complete(typ) {
				return nil, p.schemaError(fmt.Sprintf("cvc-complex-type.2.4.b: The content of element '%s' is not complete. One of '%s' is expected.", start.Name.Local, qualified(seen.expected(typ))))
			}
			return n, nil
		}
	}
}

// schemaError is Route 53's InvalidInput for a schema violation at the
// decoder's position (just after the markup that broke the schema).
func (p *parser) schemaError(msg string) *Error {
	line, col := p.d.InputPos()
	return InvalidInput(fmt.Sprintf("Invalid XML ; javax.xml.stream.XMLStreamException: org.xml.sax.SAXParseException; lineNumber: %d; columnNumber: %d; %s", line, col, msg))
}

// content tracks the children an element has had so far.
type content struct {
	seen  map[string]bool
	items int
}

// accept records name as the next child and returns its particle, or nil
// if the type does not allow it here.
func (c *content) accept(t *schemaType, name string) *particle {
	if t.list {
		if name != t.members[0].name {
			return nil
		}
		c.items++
		return &t.members[0]
	}
	for i := range t.members {
		if p := &t.members[i]; p.name == name && !c.seen[name] {
			if c.seen == nil {
				c.seen = map[string]bool{}
			}
			c.seen[name] = true
			return p
		}
	}
	return nil
}

// expected lists what may come next, as Xerces lists it: a list's item, or
// every member not seen yet.
func (c *content) expected(t *schemaType) []string {
	var names []string
	for _, p := range t.members {
		if t.list || !c.seen[p.name] {
			names = append(names, p.name)
		}
	}
	return names
}

func (c *content) complete(t *schemaType) bool {
	if t.list {
		return c.items > 0
	}
	for _, p := range t.members {
		if p.required && !c.seen[p.name] {
			return false
		}
	}
	return true
}

func qualified(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = `"` + Namespace + `":` + n
	}
	return "{" + strings.Join(q, ", ") + "}"
}

func isXMLSpace(s string) bool {
	return strings.Trim(s, " \t\r\n") == ""
}

func maxLength(typeName string, max int) func(string) string {
	return func(s string) string {
		// Xerces counts Java chars: UTF-16 code units.
		if n := len(utf16.Encode([]rune(s))); n > max {
			return fmt.Sprintf("cvc-maxLength-valid: Value '%s' with length = '%d' is not facet-valid with respect to maxLength '%d' for type '%s'.", s, n, max, typeName)
		}
		return ""
	}
}

func enumeration(values ...string) func(string) string {
	return func(s string) string {
		for _, v := range values {
			if s == v {
				return ""
			}
		}
		return fmt.Sprintf("cvc-enumeration-valid: Value '%s' is not facet-valid with respect to enumeration '[%s]'. It must be a value from the enumeration.", s, strings.Join(values, ", "))
	}
}

// checkTTL checks an xs:long restricted to 0..2147483647. Like any XSD
// number it may carry surrounding white space, a sign and leading zeros.
func checkTTL(s string) string {
	v, ok := parseXSDInteger(s)
	switch {
	case !ok:
		return fmt.Sprintf("cvc-datatype-valid.1.2.1: '%s' is not a valid value for 'integer'.", strings.Trim(s, " \t\r\n"))
	case v.Sign() < 0:
		return fmt.Sprintf("cvc-minInclusive-valid: Value '%s' is not facet-valid with respect to minInclusive '0' for type 'TTL'.", strings.Trim(s, " \t\r\n"))
	case v.Cmp(big.NewInt(2147483647)) > 0:
		return fmt.Sprintf("cvc-maxInclusive-valid: Value '%s' is not facet-valid with respect to maxInclusive '2147483647' for type 'TTL'.", strings.Trim(s, " \t\r\n"))
	}
	return ""
}

func parseXSDInteger(s string) (*big.Int, bool) {
	s = strings.Trim(s, " \t\r\n")
	digits := strings.TrimLeft(s, "+-")
	if len(s)-len(digits) > 1 || digits == "" || strings.Trim(digits, "0123456789") != "" {
		return nil, false
	}
	v, ok := new(big.Int).SetString(s, 10)
	return v, ok
}

// newChangeBatch reads a validated tree; the schema guarantees the
// required elements are there.
func newChangeBatch(root *node) *ChangeBatch {
	cb := root.child("ChangeBatch")
	b := &ChangeBatch{}
	if c := cb.child("Comment"); c != nil {
		b.Comment = c.text
	}
	for _, ch := range cb.child("Changes").kids {
		rrs := ch.child("ResourceRecordSet")
		c := Change{
			Action: ch.child("Action").text,
			Name:   rrs.child("Name").text,
			Type:   rrs.child("Type").text,
			TTL:    -1, // no TTL element
		}
		if t := rrs.child("TTL"); t != nil {
			v, _ := parseXSDInteger(t.text)
			c.TTL = v.Int64()
		}
		if rr := rrs.child("ResourceRecords"); rr != nil {
			c.Values = []string{}
			for _, r := range rr.kids {
				c.Values = append(c.Values, r.child("Value").text)
			}
		}
		b.Changes = append(b.Changes, c)
	}
	return b
}

// check makes Route 53's checks beyond the schema, in the order: record
// sets missing TTL or values (InvalidInput), what the lab cannot judge,
// request limits, then every name and value problem of every change
// together in one InvalidChangeBatch, as Route 53 lists them.
func (b *ChangeBatch) check() error {
	for _, c := range b.Changes {
		if c.TTL < 0 || c.Values == nil {
			return InvalidInput(fmt.Sprintf("Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found none in Change with [Action=%s, Name=%s, Type=%s, SetIdentifier=null]", c.Action, c.Name, c.Type))
		}
	}
	records, chars := 0, 0
	for _, c := range b.Changes {
		switch c.Type {
		case "A", "AAAA", "CNAME", "TXT":
		default:
			return labUnsupported("record type %s: the lab checks only A, AAAA, CNAME and TXT records", c.Type)
		}
		if c.Type == "CNAME" && len(c.Values) > 1 {
			return labUnsupported("CNAME %s has %d values; Route 53 refuses this, with a message the lab does not know", c.Name, len(c.Values))
		}
		weight := 1
		if c.Action == "UPSERT" {
			weight = 2
		}
		records += weight * len(c.Values)
		for _, v := range c.Values {
			chars += weight * len(utf16.Encode([]rune(v)))
		}
	}
	if records > maxRecordsPerRequest {
		return InvalidChangeBatch(fmt.Sprintf("Number of records limit of %d exceeded.", maxRecordsPerRequest))
	}
	if chars > maxValueCharsPerRequest {
		return InvalidChangeBatch(fmt.Sprintf("RDATA character limit of %d exceeded.", maxValueCharsPerRequest))
	}

	var problems []string
	for i := range b.Changes {
		c := &b.Changes[i]
		labels, err := parseName(c.Name)
		var p *nameProblem
		switch {
		case errors.As(err, &p):
			problems = append(problems, p.msg)
		case err != nil:
			return err
		default:
			c.NormalizedName = normalizeLabels(labels)
		}
		if len(c.Values) > maxValuesPerRecordSet {
			problems = append(problems, fmt.Sprintf("Cannot have more than %d records in a RRSet.", maxValuesPerRecordSet))
		}
		seen := map[string]bool{}
		for _, v := range c.Values {
			msg, key, err := checkValue(c.Type, v)
			if err != nil {
				return err
			}
			if msg != "" {
				problems = append(problems, msg)
				continue
			}
			if seen[key] {
				problems = append(problems, "Duplicate Resource Record: '"+v+"'")
			}
			seen[key] = true
		}
	}
	problems = append(problems, b.repeatedRecordSets()...)
	if len(problems) > 0 {
		return InvalidChangeBatch(problems...)
	}
	return nil
}

// repeatedRecordSets reports a record set (name and type) changed more than
// once. The one repeat AWS documents as valid is a DELETE followed by a
// CREATE (replacing a record in one transaction); the lab refuses the rest.
func (b *ChangeBatch) repeatedRecordSets() []string {
	type set struct{ name, typ string }
	actions := map[set][]string{}
	var order []set
	for _, c := range b.Changes {
		if c.NormalizedName == "" {
			continue // its name was already reported
		}
		k := set{c.NormalizedName, c.Type}
		if actions[k] == nil {
			order = append(order, k)
		}
		actions[k] = append(actions[k], c.Action)
	}
	var problems []string
	for _, k := range order {
		a := actions[k]
		if len(a) == 1 || len(a) == 2 && a[0] == "DELETE" && a[1] == "CREATE" {
			continue
		}
		problems = append(problems, fmt.Sprintf("The request contains an invalid set of changes for a resource record set '%s %s.'", k.typ, k.name))
	}
	return problems
}

// ConditionValues returns the request context IAM evaluates for this batch:
// the values of route53:ChangeResourceRecordSetsNormalizedRecordNames,
// route53:ChangeResourceRecordSetsRecordTypes and
// route53:ChangeResourceRecordSetsActions, each without repeats, in the
// order they first appear.
func (b *ChangeBatch) ConditionValues() map[string][]string {
	ctx := map[string][]string{
		KeyNormalizedRecordNames: nil,
		KeyRecordTypes:           nil,
		KeyActions:               nil,
	}
	add := func(key, v string) {
		for _, have := range ctx[key] {
			if have == v {
				return
			}
		}
		ctx[key] = append(ctx[key], v)
	}
	for _, c := range b.Changes {
		add(KeyNormalizedRecordNames, c.NormalizedName)
		add(KeyRecordTypes, c.Type)
		add(KeyActions, c.Action)
	}
	return ctx
}
