// Package templates holds the API Gateway mapping templates (Velocity, VTL) of a
// ddnsgen stack and the Route 53 XML they render.
//
// It knows nothing of CloudFormation: the cfn package hands it the stack's
// records, zones and devices as plain strings (an API key id may be a
// placeholder such as ${ApiKey} that CloudFormation fills in later; zone ids
// and passwords are read from stage variables) and gets back the template
// text. Every value is checked here against a narrow
// character set before it is written into VTL, so nothing can break out of a
// quoted literal.
package templates

import (
	_ "embed"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

var (
	//go:embed decide.vtl
	decideVTL string
	//go:embed update-request.vtl
	updateRequestVTL string
	//go:embed update-check.vtl
	updateCheckVTL string
	//go:embed changebatch.vtl
	changeBatchVTL string
	//go:embed update-response.vtl
	updateResponseVTL string
	//go:embed dyndns2-failed.vtl
	dyndns2FailedVTL string
	//go:embed dyndns2-request.vtl
	dyndns2RequestVTL string
	//go:embed dyndns2-answer.vtl
	dyndns2AnswerVTL string
	//go:embed dyndns2-response.vtl
	dyndns2ResponseVTL string
)

// MaxTemplateBytes is API Gateway's limit on one mapping template.
const MaxTemplateBytes = 300 * 1024

// Data is what a mapping template knows about the stack.
type Data struct {
	// Records are the names the stack may update.
	Records []Record
	// Devices map API key ids to the names each may update. Ignored when Open.
	Devices []Device
	// Users are the devices of the dyndns2 endpoint: a user name, the names
	// it may update, and the stage variable that holds its password.
	Users []User
	// Open means no API key: anyone may update any record.
	Open bool
	// MaxNames is the most names one request may carry.
	MaxNames int
	// pack forces a form of the records and devices tables (tests); the
	// zero value picks the shorter.
	pack packing
}

// Record is one name the stack may update.
type Record struct {
	Name string // lower-case, no trailing dot
	// ZoneVar is the stage variable that holds the record's hosted zone id:
	// read per request, so a new zone id takes effect without a new
	// deployment of the API.
	ZoneVar string
	TTL     int      // seconds
	Types   []string // "A", "AAAA"
	// InterfaceID is the last 64 bits of the record's IPv6 address as four
	// lower-case hextets without leading zeros ("1234:5678:9abc:def0"),
	// for a host behind a router that sends its delegated prefix
	// (ip6lanprefix); "" for none.
	InterfaceID string
}

// User is a device of the dyndns2 endpoint.
type User struct {
	Name          string   // the HTTP Basic user name
	Names         []string // record names
	PasswordStage string   // the stage variable holding the password
}

// Device is one API key and the names it may update.
type Device struct {
	Name string // shown in change comments and error messages
	Key  string // the API key id (or a placeholder for it)
	// KeyVar, when set instead of Key, is the stage variable holding the API
	// key id (for an API imported from OpenAPI, where no id is known yet).
	KeyVar string
	Names  []string // record names
}

var (
	// literal is what may stand between single quotes in VTL: a name, a
	// number, or a ${Placeholder}. No quote, no #, no backslash, no space.
	literal = newCharset(1, 255, "A-Za-z0-9._:${}-")
	rrtype  = typeRule{}
	iid     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9a-f]{1,4}(:[0-9a-f]{1,4}){3}$`) })
	// deviceName is what the templates' answers and the dyndns2 login take
	// for a device (cfn's rule for device names).
	deviceName = newCharset(1, 32, "a-z0-9-")
	// stageVar is a stage variable name, as API Gateway allows them.
	stageVar = newCharset(1, 64, "A-Za-z0-9_")
)

// typeRule is ^(A|AAAA)$.
type typeRule struct{}

func (typeRule) MatchString(s string) bool { return s == "A" || s == "AAAA" }

// charset is a rule such as ^[A-Za-z0-9_]{1,64}$, checked by a table
// instead of a regular expression: a table per stack's every name is what
// generating a large stack spent most of its time in.
type charset struct {
	min, max int
	ok       [256]bool
}

// newCharset takes a bracket expression's body: characters and a-z ranges.
func newCharset(min, max int, set string) *charset {
	c := &charset{min: min, max: max}
	for i := 0; i < len(set); i++ {
		if i+2 < len(set) && set[i+1] == '-' {
			for b := set[i]; b <= set[i+2]; b++ {
				c.ok[b] = true
			}
			i += 2
			continue
		}
		c.ok[set[i]] = true
	}
	return c
}

// MatchString reports whether s is min to max bytes of the set.
func (c *charset) MatchString(s string) bool {
	if len(s) < c.min || len(s) > c.max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !c.ok[s[i]] {
			return false
		}
	}
	return true
}

// UpdateRequest renders the request template of the JSON update endpoint
// (GET /{zone_id}?hostname=&ip=): it turns the caller's API key, query and
// address into a Route 53 ChangeResourceRecordSetsRequest, or into a change
// the role may not make when the request is refused.
func UpdateRequest(d Data) (string, error) {
	data, err := d.vtl(forKeys)
	if err != nil {
		return "", err
	}
	return lean("request template of the update endpoint",
		data, d.only(updateRequestVTL), d.only(d.decide()), updateCheckVTL, changeBatchVTL), nil
}

// UpdateResponse renders the response template of the JSON update endpoint,
// one for every status Route 53 answers with (the default integration
// response): the names updated, as JSON, for a 2xx; a refused request's own
// error, or Route 53's, with a status that matches it, for the rest (502 for
// a Route 53 failure). Never 200 but for a change Route 53 took.
func UpdateResponse(d Data) string {
	return lean("response template of the update endpoint", d.only(updateResponseVTL))
}

// DynDNS2Request renders the request template of the dyndns2 endpoint
// (GET /nic/update?hostname=&myip= with HTTP Basic credentials): it checks
// the credentials and turns the request into a change batch, like
// UpdateRequest, and carries one dyndns2 answer per name to the response.
func DynDNS2Request(d Data) (string, error) {
	data, err := d.vtl(forUsers)
	if err != nil {
		return "", err
	}
	return lean("request template of the dyndns2 endpoint",
		data, d.only(dyndns2RequestVTL), d.only(d.decide()), dyndns2AnswerVTL, changeBatchVTL), nil
}

// DynDNS2Busy and DynDNS2BusyStatus are the dyndns2 answer to a transient
// condition (a throttle, a WAF block, Route 53's Throttling,
// PriorRequestNotComplete or 5xx): "come back later" in a form every
// client retries without taking it for success. A 5xx, because inadyn
// retries a 5xx but exits on 429, 400 or a 200 whose body it cannot match,
// ddclient retries any non-2xx, and OPNsense's native client counts any
// 2xx as success; 911, dyndns2's own word for it (Synology maps it; pfSense
// and OpenWrt search the body for good or nochg, which it lacks). The body
// holds none of the words inadyn's custom provider takes for success (ok,
// good, true, updated, success, nochg).
const (
	DynDNS2Busy       = "911\n"
	DynDNS2BusyStatus = 503
)

// DynDNS2Response renders the response template of the dyndns2 endpoint:
// plain text, one line per requested name. serverError marks the template
// of the integration response for Route 53's 5xx answers, which become 911
// ("come back later").
func DynDNS2Response(serverError bool) string {
	if serverError {
		return lean("response template of the dyndns2 endpoint, Route 53 5xx", dyndns2FailedVTL)
	}
	return lean("response template of the dyndns2 endpoint", dyndns2ResponseVTL)
}

// decide is decide.vtl, less the reading of ip6lanprefix when no record
// has an interface id to complete it with (a stack pays for it only when it
// uses it; the parameter is then ignored, like any unknown one).
func (d Data) decide() string {
	for _, r := range d.Records {
		if r.InterfaceID != "" {
			return decideVTL
		}
	}
	begin := strings.Index(decideVTL, "## ddnsgen:prefix-begin")
	end := strings.Index(decideVTL, "## ddnsgen:prefix-end")
	return decideVTL[:begin] + decideVTL[end:]
}

// only keeps the lines of src that end in "## only:X" when X holds for the
// stack, without that comment, and drops them when it does not: prefix (a
// record has an interface id, so ip6lanprefix is read), open (no API key)
// and keys (an API key per device). Other lines stay as they are.
func (d Data) only(src string) string {
	prefix := false
	for _, r := range d.Records {
		prefix = prefix || r.InterfaceID != ""
	}
	holds := map[string]bool{"prefix": prefix, "open": d.Open, "keys": !d.Open}
	var b strings.Builder
	for _, line := range strings.SplitAfter(src, "\n") {
		code, x, found := strings.Cut(line, " ## only:")
		if !found {
			b.WriteString(line)
			continue
		}
		if holds[strings.TrimSpace(x)] {
			b.WriteString(code + "\n")
		}
	}
	return b.String()
}

// lean drops the full-line ## comments of template source: they explain
// the logic here, in templates/, but would cost every stack ~6 KB of its
// 51,200-byte inline template budget. The header line stays and says where
// the commented source is.
func lean(header string, parts ...string) string {
	var b strings.Builder
	b.WriteString("## ddnsgen: " + header + " (commented source: ddnsgen/templates)\n")
	for _, p := range parts {
		for _, line := range strings.SplitAfter(p, "\n") {
			if !strings.HasPrefix(strings.TrimSpace(line), "##") && line != "" {
				b.WriteString(line)
			}
		}
	}
	return b.String()
}

// vtl writes the tables a template reads: $ddns_records and
// $ddns_maxNames, and for reader forKeys $ddns_devices (or, for an open
// stack, $ddns_anyone), for forUsers $ddns_users. The records and
// devices tables each come in two forms that build the same maps: a line
// per entry, or packed rows in a multi-line string that one #foreach
// unpacks (see packRecords, packDevices); each table takes whichever is
// shorter, so a small stack reads as before and a large one fits
// CloudFormation's 51,200 bytes.
func (d Data) vtl(reader tablesFor) (string, error) {
	var b strings.Builder
	if d.MaxNames < 1 {
		return "", fmt.Errorf("templates: MaxNames %d must be at least 1", d.MaxNames)
	}
	values := make([]string, len(d.Records))
	for i, r := range d.Records {
		v, err := recordValue(r)
		if err != nil {
			return "", err
		}
		values[i] = v
	}
	records := d.recordLines(values)
	if reader == forUsers {
		b.WriteString(d.tables(records, values, "", false))
		if err := d.userLines(&b); err != nil {
			return "", err
		}
	} else if d.Open {
		b.WriteString(d.tables(records, values, "", false))
		var all []string
		for _, r := range d.Records {
			all = append(all, r.Name)
		}
		names, err := list("record name", all)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "#set($ddns_anyone = {'name': 'anyone', 'names': %s})\n", names)
	} else {
		devices, err := d.deviceLines()
		if err != nil {
			return "", err
		}
		b.WriteString(d.tables(records, values, devices, true))
	}
	fmt.Fprintf(&b, "#set($ddns_maxNames = %d)\n", d.MaxNames)
	return b.String(), nil
}

// tablesFor is which of a stack's callers a template knows: the devices
// and their API keys (the update and acme-dns endpoints, or anyone for an
// open stack) or the dyndns2 users.
type tablesFor int

const (
	forKeys tablesFor = iota
	forUsers
)

// userLines writes the dyndns2 users table, a line per user.
func (d Data) userLines(b *strings.Builder) error {
	b.WriteString("#set($ddns_users = {})\n")
	for _, u := range d.Users {
		if !deviceName.MatchString(u.Name) {
			return fmt.Errorf("templates: user name %q is not 1-32 lower-case letters, digits and hyphens", u.Name)
		}
		name, err := quote("user name", u.Name)
		if err != nil {
			return err
		}
		names, err := list("record name", u.Names)
		if err != nil {
			return err
		}
		if !stageVar.MatchString(u.PasswordStage) {
			return fmt.Errorf("templates: user %s: %q is not a stage variable name", u.Name, u.PasswordStage)
		}
		fmt.Fprintf(b, "#set($discard = $ddns_users.put(%s, {'name': %s, 'names': %s, 'secret': \"$!stageVariables.%s\"}))\n",
			name, name, names, u.PasswordStage)
	}
	return nil
}

// tables is the records table and, unless the stack is open, the devices
// table, in the shortest of their forms: each a line per entry or packed,
// or both packed with the devices rows adding the records they name (see
// implicitRecords). records and devices are the line-per-entry forms.
func (d Data) tables(records string, values []string, devices string, withDevices bool) string {
	const head = "#set($ddns_devices = {})\n"
	if !withDevices {
		return d.pack.choose(records, packRecords(d.Records, values, nil))
	}
	// Each form is its records part and its devices part, joined once the
	// shortest is known.
	forms := [][2]string{
		{records, devices},
		{d.pack.choose(records, packRecords(d.Records, values, nil)), d.pack.choose(devices, packDevices(d.Devices, false))},
	}
	if implicit := implicitRecords(d.Records, values, d.Devices); implicit != nil && d.pack != packNever && d.pack != packExplicit {
		r, dev := packRecords(d.Records, values, implicit), packDevices(d.Devices, true)
		if r != "" && dev != "" {
			forms = append(forms, [2]string{r, dev})
		}
	}
	best := forms[0]
	switch d.pack {
	case packNever:
	case packAlways, packExplicit:
		best = forms[len(forms)-1]
	default:
		for _, f := range forms[1:] {
			if len(f[0])+len(f[1]) < len(best[0])+len(best[1]) {
				best = f
			}
		}
	}
	return best[0] + head + best[1]
}

// quote is s between single quotes, once literal has checked it.
func quote(what, s string) (string, error) {
	if !literal.MatchString(s) {
		return "", fmt.Errorf("templates: %s %q has characters a mapping template cannot carry", what, s)
	}
	return "'" + s + "'", nil
}

// list is a VTL list literal of quoted items.
func list(what string, items []string) (string, error) {
	out := make([]string, len(items))
	for i, s := range items {
		v, err := quote(what, s)
		if err != nil {
			return "", err
		}
		out[i] = v
	}
	return "[" + strings.Join(out, ", ") + "]", nil
}

// recordValue is the VTL map of a record without its name: {'zone': ...,
// 'ttl': ..., 'types': [...]} and 'iid' when it has one. It checks every
// field.
func recordValue(r Record) (string, error) {
	if _, err := quote("record name", r.Name); err != nil {
		return "", err
	}
	if !stageVar.MatchString(r.ZoneVar) {
		return "", fmt.Errorf("templates: record %s: zone %q is not a stage variable name", r.Name, r.ZoneVar)
	}
	for _, t := range r.Types {
		if !rrtype.MatchString(t) {
			return "", fmt.Errorf("templates: record %s: type %q is not A or AAAA", r.Name, t)
		}
	}
	types, _ := list("type", r.Types)
	if r.TTL < 0 {
		return "", fmt.Errorf("templates: record %s: TTL %d is negative", r.Name, r.TTL)
	}
	extra := ""
	if r.InterfaceID != "" {
		if !iid().MatchString(r.InterfaceID) || !slices.Contains(r.Types, "AAAA") {
			return "", fmt.Errorf("templates: record %s: interface id %q is not four hextets of an AAAA record", r.Name, r.InterfaceID)
		}
		extra = ", 'iid': '" + r.InterfaceID + "'"
	}
	return fmt.Sprintf("{'zone': \"$!stageVariables.%s\", 'ttl': %s, 'types': %s%s}", r.ZoneVar, strconv.Itoa(r.TTL), types, extra), nil
}

// recordLines is the records table, a line per record; values are the
// records' checked values (recordValue).
func (d Data) recordLines(values []string) string {
	var b strings.Builder
	b.WriteString("#set($ddns_records = {})\n")
	for i, r := range d.Records {
		fmt.Fprintf(&b, "#set($discard = $ddns_records.put('%s', %s))\n", r.Name, values[i])
	}
	return b.String()
}

// keyExpr is the VTL expression of the device's API key id (a quoted id,
// or its stage variable), once the device's name and key are checked.
func (dev Device) keyExpr() (string, error) {
	if !deviceName.MatchString(dev.Name) {
		return "", fmt.Errorf("templates: device name %q is not 1-32 lower-case letters, digits and hyphens", dev.Name)
	}
	if dev.KeyVar == "" {
		return quote("API key id", dev.Key)
	}
	if !stageVar.MatchString(dev.KeyVar) {
		return "", fmt.Errorf("templates: device %s: %q is not a stage variable name", dev.Name, dev.KeyVar)
	}
	return "\"$!stageVariables." + dev.KeyVar + "\"", nil
}

// deviceLines fills the devices table, a line per device.
func (d Data) deviceLines() (string, error) {
	var b strings.Builder
	for _, dev := range d.Devices {
		key, err := dev.keyExpr()
		if err != nil {
			return "", err
		}
		names, err := list("record name", dev.Names)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "#set($discard = $ddns_devices.put(%s, {'name': '%s', 'names': %s}))\n", key, dev.Name, names)
	}
	return b.String(), nil
}
