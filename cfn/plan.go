package cfn

import (
	"cmp"
	"fmt"
	"math"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/awslabs/goformation/v7/cloudformation/tags"
)

// plan is a validated Config with every default filled in, in the order the
// template is written: zones, records and devices sorted by name.
type plan struct {
	prefix      string
	tags        []tags.Tag // sorted by key
	role        string     // an existing role's logical ID, or ""
	apiName     string
	description string
	stage       string
	zones       []*zonePlan
	records     []*recordPlan
	byName      map[string]*recordPlan // records by name, for record()
	devices     []*devicePlan
	open        bool
	dyndns2     bool
	// queryCredentials adds /nic/update-url (credentials in the query).
	queryCredentials bool
	acme             bool
	myip             bool
	dualstack        bool
	domain           *domainPlan // nil: no custom domain
	limits           Limits
	ops              opsPlan
	warnings         []string
}

type zonePlan struct {
	ref      string // an existing AWS::Route53::HostedZone's logical ID, or ""
	name     string
	stageVar string // the stage variable that holds the id: ddns_zone_1, …
	id       string // literal id, or "" when param is set
	param    string // template parameter that holds the id
	// records of this zone, sorted
	records []*recordPlan
}

type recordPlan struct {
	index int // position in Config.Records, for errors
	name  string
	ttl   int
	types []string // sorted: A before AAAA
	zone  *zonePlan
	// iid is the interface identifier, four hextets, or "".
	iid string
}

type devicePlan struct {
	index   int // position in Config.Devices, for errors; -1 for the implicit device
	name    string
	id      string // logical-ID suffix: "" for the implicit device
	records []*recordPlan
}

var (
	labelRE   = regexpPattern(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
	prefixRE  = regexpPattern(`^[A-Z][A-Za-z0-9]{0,31}$`)
	logicalRE = regexpPattern(`^[A-Za-z0-9]{1,255}$`)
	tagRE     = regexpPattern(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)
	zoneIDRE  = regexpPattern(`^[A-Z0-9]{1,32}$`)
	deviceRE  = regexpPattern(`^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$`)
	stageRE   = regexpPattern(`^[A-Za-z0-9_-]{1,128}$`)
	apiRE     = regexpPattern(`^[A-Za-z0-9][A-Za-z0-9 ._-]{0,127}$`)
)

// Rules, worded once for errors and for the README.
const (
	ruleZoneID = "a hosted zone id is 1-32 upper-case letters and digits, e.g. Z0123456789ABCDEFGHIJ"
	ruleStage  = "a stage name is 1-128 letters, digits, hyphens and underscores"
	ruleAPI    = "an API name is 1-128 letters, digits, spaces, dots, hyphens and underscores, starting with a letter or digit"
	ruleDevice = "a device name is 1-32 lower-case letters, digits and hyphens, not starting or ending with a hyphen"
	ruleTTL    = "a TTL is a whole number of seconds from 0 to 2147483647"
	rulePrefix = "a prefix is 1-32 letters and digits, starting with an upper-case letter"
	ruleRef    = "a logical ID is 1-255 letters and digits"
	ruleTag    = "a tag key is 1-128 and a value 0-256 letters, digits, spaces and _ . : / = + - @, and a key does not start with aws:"
	// rulePlaceholder: goformation writes an intrinsic function (Ref,
	// Fn::Sub, ...) as the base64 text of its JSON, and the writers turn
	// such text back into the function wherever it is a whole value.
	rulePlaceholder = "the base64 text of a CloudFormation function ({\"Ref\": ...}) would reach the template as that function, not as text: write another value"
)

// normalizeName lower-cases a record or zone name, drops one trailing dot
// and checks it is a domain name of at least two labels. It returns the
// rule broken, or "".
func normalizeName(s string) (string, string) {
	n := strings.ToLower(strings.TrimSuffix(s, "."))
	if n == "" {
		return "", "a name is needed"
	}
	for _, r := range n {
		if r > 0x7f {
			return "", "only ASCII names: write an internationalised name in its xn-- (punycode) form"
		}
	}
	if len(n) > 253 {
		return "", "a name is at most 253 characters"
	}
	labels := strings.Split(n, ".")
	if len(labels) < 2 {
		return "", "a fully qualified name has at least two labels, e.g. home.example.com"
	}
	for _, l := range labels {
		switch {
		case l == "":
			return "", "a name has no empty labels (two dots in a row, or a leading dot)"
		case l == "*":
			return "", "wildcard names are not supported: a dynamic DNS client updates one name"
		case len(l) > 63:
			return "", "label " + strconv.Quote(l) + " is longer than 63 characters"
		case !labelRE.MatchString(l):
			return "", "label " + strconv.Quote(l) + " has characters other than letters, digits and inner hyphens"
		}
	}
	return n, ""
}

func normalizeZoneID(s string) (string, string) {
	id := strings.TrimPrefix(s, "/hostedzone/")
	if !zoneIDRE.MatchString(id) {
		return "", ruleZoneID
	}
	if isPlaceholder(id) {
		return "", rulePlaceholder
	}
	if strings.HasPrefix(id, refusalPrefix) {
		return "", ruleRefusalZone
	}
	return id, ""
}

// plan validates c and fills in its defaults. embedded allows what only
// AddTo can honour: references to resources already in the template.
func (c Config) plan(embedded bool) (*plan, error) {
	// The count first: refusing a thousand devices costs next to nothing.
	if err := checkDeviceCount(len(c.Devices), fixedResources); err != nil {
		return nil, err
	}
	p := &plan{
		prefix:           c.Prefix,
		role:             c.Role,
		apiName:          c.APIName,
		description:      c.Description,
		stage:            c.Stage,
		open:             c.Open,
		dyndns2:          c.DynDNS2,
		queryCredentials: c.QueryCredentials,
		acme:             c.ACME,
		myip:             c.MyIP,
		limits:           c.Limits.withDefaults(),
	}
	if p.apiName == "" {
		p.apiName = DefaultAPIName
	}
	if !apiRE.MatchString(p.apiName) {
		return nil, configError("api_name", p.apiName, ruleAPI)
	}
	if p.stage == "" {
		p.stage = DefaultStage
	}
	if !stageRE.MatchString(p.stage) {
		return nil, configError("stage", p.stage, ruleStage)
	}
	if len(p.description) > 1024 || strings.Contains(p.description, "${") {
		return nil, configError("description", p.description, "a description is at most 1024 characters and has no ${")
	}
	for _, f := range []struct{ name, value string }{{"api_name", p.apiName}, {"stage", p.stage}, {"description", p.description}} {
		if !freeTextOK(f.value) {
			return nil, configError(f.name, f.value, ruleFreeText)
		}
		if isPlaceholder(f.value) {
			return nil, configError(f.name, f.value, rulePlaceholder)
		}
	}
	if p.prefix != "" && !prefixRE.MatchString(p.prefix) {
		return nil, configError("prefix", p.prefix, rulePrefix)
	}
	if p.role != "" {
		if !embedded {
			return nil, configError("role", p.role, "names a role already in a template: use AddTo, which adds to that template (Build writes a new one)")
		}
		if !logicalRE.MatchString(p.role) {
			return nil, configError("role", p.role, ruleRef)
		}
	}
	if err := p.addTags(c.Tags); err != nil {
		return nil, err
	}
	if err := p.checkLimits(); err != nil {
		return nil, err
	}
	if err := p.addRecords(c.Records); err != nil {
		return nil, err
	}
	if err := p.addZones(c.Zones, embedded); err != nil {
		return nil, err
	}
	if err := p.addDevices(c.Devices); err != nil {
		return nil, err
	}
	for _, r := range p.records {
		for _, t := range r.types {
			if t == "AAAA" && !c.IPv4Only {
				p.dualstack = true
			}
		}
	}
	if p.queryCredentials && !p.dyndns2 {
		return nil, configError("query_credentials", "true", "credentials in the URL are for the dyndns2 endpoint: set dyndns2 too")
	}
	if p.dyndns2 {
		if err := p.checkDynDNS2(); err != nil {
			return nil, err
		}
	}
	if err := p.addDomain(c); err != nil {
		return nil, err
	}
	if err := p.addOps(c); err != nil {
		return nil, err
	}
	if p.acme {
		if err := p.checkACME(); err != nil {
			return nil, err
		}
	}
	if p.myip {
		if err := p.checkMyIP(c); err != nil {
			return nil, err
		}
	}
	if p.open {
		p.warnings = append(p.warnings, "open endpoint (no API key): anyone who finds the URL can point "+
			p.recordList()+" at any address")
	}
	return p, nil
}

// maxSummary is the longest list of names a description gives: the stack's
// and the role's descriptions stay lines of about 160 characters in YAML.
const maxSummary = 50

// summary names the records for a description: all of them when the list
// is short, else how many and in which zones (or how many zones).
func (p *plan) summary() string {
	if list := p.recordList(); len(list) <= maxSummary {
		return list
	}
	if zones := p.zoneList(); len(zones) <= maxSummary {
		return plural(len(p.records), "name") + " in " + zones
	}
	return plural(len(p.records), "name") + " in " + plural(len(p.zones), "zone")
}

func (p *plan) recordList() string {
	names := make([]string, len(p.records))
	for i, r := range p.records {
		names[i] = r.name
	}
	return strings.Join(names, ", ")
}

// withDefaults is l with each zero field DefaultLimits'.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	d.KeyRate = cmp.Or(l.KeyRate, d.KeyRate)
	d.KeyBurst = cmp.Or(l.KeyBurst, d.KeyBurst)
	d.KeyDailyQuota = cmp.Or(l.KeyDailyQuota, d.KeyDailyQuota)
	d.StageRate = cmp.Or(l.StageRate, d.StageRate)
	d.StageBurst = cmp.Or(l.StageBurst, d.StageBurst)
	d.MaxHostnames = cmp.Or(l.MaxHostnames, d.MaxHostnames)
	d.DynDNS2Rate = cmp.Or(l.DynDNS2Rate, d.DynDNS2Rate)
	d.DynDNS2Burst = cmp.Or(l.DynDNS2Burst, d.DynDNS2Burst)
	return d
}

func (p *plan) checkLimits() error {
	l := p.limits
	rate := func(field string, v float64) error {
		if math.IsNaN(v) || v <= 0 || v > 10000 {
			return configError(field, strconv.FormatFloat(v, 'g', -1, 64), "a rate is more than 0 and at most 10000 requests a second")
		}
		return nil
	}
	count := func(field string, v, max int) error {
		if v < 1 || v > max {
			return configError(field, strconv.Itoa(v), fmt.Sprintf("must be from 1 to %d", max))
		}
		return nil
	}
	for _, err := range []error{
		rate("limits.key_rate", l.KeyRate),
		count("limits.key_burst", l.KeyBurst, 5000),
		count("limits.key_daily_quota", l.KeyDailyQuota, 100000000),
		rate("limits.stage_rate", l.StageRate),
		count("limits.stage_burst", l.StageBurst, 5000),
		// Route 53 takes at most 1,000 changes a batch; API Gateway's #foreach
		// stops after 1,000 iterations.
		count("limits.max_hostnames", l.MaxHostnames, 1000),
		rate("limits.dyndns2_rate", l.DynDNS2Rate),
		count("limits.dyndns2_burst", l.DynDNS2Burst, 5000),
	} {
		if err != nil {
			return err
		}
	}
	if l.StageRate > 5 {
		p.warnings = append(p.warnings, "limits.stage_rate "+strconv.FormatFloat(l.StageRate, 'g', -1, 64)+
			" is above Route 53's 5 requests a second per account: callers may see Throttling")
	}
	return nil
}

func (p *plan) addRecords(records []Record) error {
	if len(records) == 0 {
		records = []Record{{Name: DefaultRecordName}}
	}
	seen := map[string]bool{}
	for i, r := range records {
		name, rule := normalizeName(r.Name)
		if rule != "" {
			return configError(fieldName("records", i, "name"), r.Name, rule)
		}
		if seen[name] {
			return configError(fieldName("records", i, "name"), r.Name, "each record is listed once")
		}
		seen[name] = true
		rp := &recordPlan{index: i, name: name, ttl: DefaultTTL}
		if r.TTL != nil {
			rp.ttl = *r.TTL
			if rp.ttl < 0 || rp.ttl > math.MaxInt32 {
				return configError(fieldName("records", i, "ttl"), strconv.Itoa(rp.ttl), ruleTTL)
			}
		}
		types := map[string]bool{}
		for _, t := range r.Types {
			u := strings.ToUpper(t)
			if u != "A" && u != "AAAA" {
				return configError(fieldName("records", i, "types"), t, "a record type is A (IPv4) or AAAA (IPv6)")
			}
			types[u] = true
		}
		if len(types) == 0 {
			types["A"] = true
		}
		for _, t := range []string{"A", "AAAA"} {
			if types[t] {
				rp.types = append(rp.types, t)
			}
		}
		if r.InterfaceID != "" {
			iid, rule := interfaceID(r.InterfaceID)
			if rule == "" && !types["AAAA"] {
				rule = "an interface id completes an IPv6 address: the record must take AAAA (types: [A, AAAA] or [AAAA])"
			}
			if rule != "" {
				return configError(fieldName("records", i, "interface_id"), r.InterfaceID, rule)
			}
			rp.iid = iid
		}
		p.records = append(p.records, rp)
	}
	sort.Slice(p.records, func(i, j int) bool { return p.records[i].name < p.records[j].name })
	return nil
}

func (p *plan) addTags(in map[string]string) error {
	if len(in) > 50 {
		return configError("tags", strconv.Itoa(len(in)), "at most 50 tags (a stage takes no more)")
	}
	for k, v := range in {
		if !freeTextOK(k) || !freeTextOK(v) {
			return configError("tags", k+"="+v, ruleFreeText)
		}
		if k == "" || len(k) > 128 || len(v) > 256 || strings.HasPrefix(strings.ToLower(k), "aws:") ||
			!tagRE.MatchString(k) || !tagRE.MatchString(v) {
			return configError("tags", k+"="+v, ruleTag)
		}
		if isPlaceholder(k) || isPlaceholder(v) {
			return configError("tags", k+"="+v, rulePlaceholder)
		}
		p.tags = append(p.tags, tags.Tag{Key: k, Value: v})
	}
	sort.Slice(p.tags, func(i, j int) bool { return p.tags[i].Key < p.tags[j].Key })
	return nil
}

func (p *plan) addZones(zones []Zone, embedded bool) error {
	if len(zones) == 0 {
		zones = []Zone{{}}
	}
	if len(zones) > 50 {
		return configError("zones", strconv.Itoa(len(zones)), "at most 50 zones in one stack")
	}
	names := map[string]bool{}
	ids := map[string]bool{}
	for i, z := range zones {
		zp := &zonePlan{}
		if z.Name == "" {
			if len(zones) > 1 {
				return configError(fieldName("zones", i, "name"), "", "with more than one zone, each zone needs its name")
			}
			zp.name = p.commonParent()
			if zp.name == "" {
				return configError("zones", "", fmt.Sprintf("the records %s share no parent domain: name their zones", p.recordList()))
			}
		} else {
			name, rule := normalizeName(z.Name)
			if rule != "" {
				return configError(fieldName("zones", i, "name"), z.Name, rule)
			}
			zp.name = name
		}
		if names[zp.name] {
			return configError(fieldName("zones", i, "name"), z.Name, "each zone is listed once")
		}
		names[zp.name] = true
		if z.Ref != "" {
			switch {
			case !embedded:
				return configError(fieldName("zones", i, "ref"), z.Ref, "names a hosted zone already in a template: use AddTo, which adds to that template (Build writes a new one)")
			case z.ID != "":
				return configError(fieldName("zones", i, "ref"), z.Ref, "a zone has an id or a ref, not both")
			case !logicalRE.MatchString(z.Ref):
				return configError(fieldName("zones", i, "ref"), z.Ref, ruleRef)
			}
			zp.ref = z.Ref
		}
		if z.ID != "" {
			id, rule := normalizeZoneID(z.ID)
			if rule != "" {
				return configError(fieldName("zones", i, "id"), z.ID, rule)
			}
			if ids[id] {
				return configError(fieldName("zones", i, "id"), z.ID, "each zone id is listed once")
			}
			ids[id] = true
			zp.id = id
			if !strings.HasPrefix(id, "Z") {
				p.warnings = append(p.warnings, "zone id "+id+" does not start with Z as Route 53's ids usually do: check it")
			}
		}
		p.zones = append(p.zones, zp)
	}
	sort.Slice(p.zones, func(i, j int) bool { return p.zones[i].name < p.zones[j].name })
	for i, z := range p.zones {
		z.stageVar = "ddns_zone_" + strconv.Itoa(i+1)
	}
	params := 0
	for _, z := range p.zones {
		if z.id == "" && z.ref == "" {
			params++
		}
	}
	for _, z := range p.zones {
		if z.id != "" || z.ref != "" {
			continue
		}
		z.param = p.prefix + "HostedZoneId"
		if params > 1 {
			z.param += camel(z.name)
		}
	}
	for _, r := range p.records {
		for _, z := range p.zones {
			inZone := r.name == z.name || strings.HasSuffix(r.name, "."+z.name) // the apex too
			if inZone && (r.zone == nil || len(z.name) > len(r.zone.name)) {
				r.zone = z
			}
		}
		if r.zone == nil {
			return configError(fieldName("records", r.index, "name"), r.name, fmt.Sprintf("the name is in none of the zones (%s)", p.zoneList()))
		}
		r.zone.records = append(r.zone.records, r)
	}
	for _, z := range p.zones {
		if len(z.records) == 0 {
			return configError("zones", z.name, "no record is in this zone")
		}
	}
	return nil
}

func (p *plan) zoneList() string {
	names := make([]string, len(p.zones))
	for i, z := range p.zones {
		names[i] = z.name
	}
	return strings.Join(names, ", ")
}

// commonParent is the longest domain of two or more labels that is a strict
// parent of every record, or "".
func (p *plan) commonParent() string {
	var common []string
	for i, r := range p.records {
		labels := strings.Split(r.name, ".")[1:]
		if i == 0 {
			common = labels
			continue
		}
		n := 0
		for n < len(common) && n < len(labels) &&
			common[len(common)-1-n] == labels[len(labels)-1-n] {
			n++
		}
		common = common[len(common)-n:]
	}
	if len(common) < 2 {
		return ""
	}
	return strings.Join(common, ".")
}

func (p *plan) record(name string) *recordPlan {
	if len(p.records) > 8 {
		if len(p.byName) != len(p.records) { // names are unique: a map of another size is stale
			p.byName = make(map[string]*recordPlan, len(p.records))
			for _, r := range p.records {
				p.byName[r.name] = r
			}
		}
		return p.byName[name]
	}
	for _, r := range p.records {
		if r.name == name {
			return r
		}
	}
	return nil
}

func (p *plan) addDevices(devices []Device) error {
	if len(devices) == 0 {
		if !p.open {
			p.devices = []*devicePlan{{index: -1, name: DefaultDevice, records: p.records}}
		}
		return nil
	}
	if p.open {
		return configError("devices", devices[0].Name, "an open endpoint has no API keys, so it cannot tell devices apart: drop open or the devices")
	}
	names := map[string]bool{}
	ids := map[string]string{}
	owned := map[*recordPlan]bool{}
	for i, d := range devices {
		if !deviceRE.MatchString(d.Name) {
			return configError(fieldName("devices", i, "name"), d.Name, ruleDevice)
		}
		if names[d.Name] {
			return configError(fieldName("devices", i, "name"), d.Name, "each device is listed once")
		}
		names[d.Name] = true
		dp := &devicePlan{index: i, name: d.Name, id: camel(d.Name)}
		if other, ok := ids[dp.id]; ok {
			return configError(fieldName("devices", i, "name"), d.Name,
				fmt.Sprintf("its logical ID %s is also that of device %q: rename one", dp.id, other))
		}
		ids[dp.id] = d.Name
		if len(d.Records) == 0 {
			return configError(fieldName("devices", i, "records"), "", "a device updates at least one record")
		}
		mine := map[string]bool{}
		for j, rn := range d.Records {
			field := func() string { return fieldName("devices", i, "records") + "[" + strconv.Itoa(j) + "]" }
			name, rule := normalizeName(rn)
			if rule != "" {
				return configError(field(), rn, rule)
			}
			r := p.record(name)
			if r == nil {
				return configError(field(), rn, fmt.Sprintf("not one of the records (%s)", p.recordList()))
			}
			if mine[name] {
				return configError(field(), rn, "each record is listed once per device")
			}
			mine[name] = true
			owned[r] = true
			dp.records = append(dp.records, r)
		}
		sort.Slice(dp.records, func(a, b int) bool { return dp.records[a].name < dp.records[b].name })
		p.devices = append(p.devices, dp)
	}
	sort.Slice(p.devices, func(i, j int) bool { return p.devices[i].name < p.devices[j].name })
	for _, r := range p.records {
		if !owned[r] {
			return configError(fieldName("records", r.index, "name"), r.name, "no device may update this record: give it to a device or drop it")
		}
	}
	return nil
}

// checkDynDNS2: a dyndns2 request updates one device's names in one change
// batch, and a batch goes to one hosted zone.
func (p *plan) checkDynDNS2() error {
	for _, d := range p.dyndns2Users() {
		for _, r := range d.records {
			if r.zone == d.records[0].zone {
				continue
			}
			rule := fmt.Sprintf("with dyndns2 a device's names must share a zone (one request, one Route 53 change batch): %s is in %s, %s in %s",
				d.records[0].name, d.records[0].zone.name, r.name, r.zone.name)
			if d.index < 0 {
				return configError("dyndns2", "true", rule+"; give each zone's names to a device of their own")
			}
			return configError(fieldName("devices", d.index, "records"), d.name, rule+"; split the device")
		}
	}
	return nil
}

// interfaceID reads the last 64 bits of an IPv6 address, written as an
// address whose first 64 bits are zero ("::1234:5678:9abc:def0"), and
// returns them as four lower-case hextets without leading zeros, or the
// rule the text breaks.
func interfaceID(s string) (string, string) {
	const rule = "an interface id is the last 64 bits of an IPv6 address, written like ::1234:5678:9abc:def0 (the first 64 bits zero, the rest not all zero)"
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is6() || a.Is4In6() || a.Zone() != "" || strings.Contains(s, ".") {
		return "", rule
	}
	b := a.As16()
	var groups []string
	zero := true
	for i := 0; i < 16; i += 2 {
		g := uint16(b[i])<<8 | uint16(b[i+1])
		if i < 8 && g != 0 {
			return "", rule
		}
		if i >= 8 {
			groups = append(groups, strconv.FormatUint(uint64(g), 16))
			zero = zero && g == 0
		}
	}
	if zero {
		return "", rule
	}
	return strings.Join(groups, ":"), ""
}
