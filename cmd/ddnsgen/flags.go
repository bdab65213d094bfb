package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/ddnsgen/ddnsgen/internal/typo"

	"gopkg.in/yaml.v3"

	"github.com/ddnsgen/ddnsgen/cfn"
)

// options are the parsed flags.
type options struct {
	fs *flag.FlagSet

	configFile       string
	configBytes      []byte // the -config file, for the line of a Build error
	zoneID           string
	zones            listFlag
	names            listFlag
	iids             listFlag
	devices          listFlag
	ttl              int
	types            string
	stage            string
	apiName          string
	apiKey           bool
	ipv4Only         bool
	dyndns2          bool
	queryCredentials bool
	acme             bool
	myip             bool
	limits           cfn.Limits

	domain            string
	certificateARN    string
	disableExecuteAPI bool

	accessLogs      bool
	logRetention    int
	accountLogsRole bool
	alarms          cfn.Alarms
	wafRate         int

	format  string
	output  string
	version bool
	roleARN string
	region  string
}

// formats are -format's values.
var formats = []string{"yaml", "json", "sam", "sam-json", "openapi", "openapi-json"}

// listFlag is a repeatable flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, " ") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

const usageText = `Usage:

	ddnsgen [flags] > ddns.yaml     write a stack's CloudFormation template
	ddnsgen local [flags]           serve a template's API on 127.0.0.1, as API Gateway would
	ddnsgen check [flags]           try a deployed stack: one update, then refusals
	ddnsgen client [flags]          print a device's set-ups: curl, cron, systemd, sh, ddclient, inadyn
	ddnsgen help [SUBCOMMAND]       this text, or a subcommand's flags

Writes the CloudFormation template of a dynamic DNS stack: API Gateway calls
Route 53 directly (no Lambda). With no flags: the A record myddns.acme.local,
TTL 60, one API key, hosted zone id asked for at deploy time.

Flags:
`

func parseFlags(args []string, stdout io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("ddnsgen", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are ours to print, in one line
	o.fs = fs
	fs.StringVar(&o.configFile, "config", "", "read the stack from this YAML `file` (the fields of cfn.Config; see docs/configuration.md)")
	fs.StringVar(&o.zoneID, "zone-id", "", "hosted zone `id` (e.g. Z0123456789ABCDEFGHIJ); empty: a HostedZoneId parameter asks at deploy time")
	fs.Var(&o.zones, "zone", "hosted zone `NAME[=ID]`, repeatable, for records in several zones")
	fs.Var(&o.names, "name", "record `name` to update, repeatable (default myddns.acme.local)")
	fs.Var(&o.iids, "interface-id", "`NAME=::IID`, repeatable: the last 64 bits of NAME's IPv6 address (e.g. home.example.com=::1234:5678:9abc:def0), for a host behind a router that sends ip6lanprefix")
	fs.Var(&o.devices, "device", "a device with its own API key: `NAME=host1[,host2]`, repeatable")
	fs.IntVar(&o.ttl, "ttl", cfn.DefaultTTL, "record TTL in `seconds` (0..2147483647)")
	fs.StringVar(&o.types, "type", "A", "record `types` callers may set: A, AAAA or A,AAAA")
	fs.StringVar(&o.stage, "stage", cfn.DefaultStage, "API stage `name`: the first path segment of the update URL")
	fs.StringVar(&o.apiName, "api-name", cfn.DefaultAPIName, "REST API `name`")
	fs.BoolVar(&o.apiKey, "api-key", true, "require an API key (x-api-key); -api-key=false is the seed's open endpoint")
	fs.BoolVar(&o.ipv4Only, "ipv4-only", false, "keep the endpoint IPv4-only even when a record takes AAAA")
	fs.BoolVar(&o.dyndns2, "dyndns2", false, "add GET /STAGE/nic/update for routers, ddclient and inadyn (HTTP Basic auth; a password parameter per device)")
	fs.BoolVar(&o.queryCredentials, "query-credentials", false, "with -dyndns2: add GET /STAGE/nic/update-url, which takes ?username=DEVICE&password=PASSWORD, for routers that cannot send Basic auth (FritzBox, Synology)")
	fs.StringVar(&o.domain, "domain", "", "serve the API at https://`NAME`/ (e.g. ddns.example.com, in one of the zones): an ACM certificate validated by DNS, a custom domain and alias records")
	fs.StringVar(&o.certificateARN, "certificate-arn", "", "-domain: use this existing ACM certificate (`ARN`, in the stack's region) instead of a new one")
	fs.BoolVar(&o.disableExecuteAPI, "disable-execute-api", false, "-domain: turn off the execute-api endpoint, so the custom domain is the only way in")
	fs.BoolVar(&o.myip, "myip", false, "add GET /STAGE/myip, which answers the caller's address as text (a MOCK integration: no Route 53 call), only to a device's API key (and, with -dyndns2, its password); for ddnsgen client -poll behind NAT. Raises -key-quota's default to 4320 (polls every 60 s of IPv4 and IPv6, and the updates)")
	fs.BoolVar(&o.acme, "acme", false, "add POST /STAGE/update, the acme-dns protocol (lego, acme.sh, certbot hooks): each device may set the _acme-challenge TXT records of its own names")
	fs.Float64Var(&o.limits.DynDNS2Rate, "dyndns2-rate", cfn.DefaultLimits.DynDNS2Rate, "the dyndns2 endpoint's `rate` in requests per second, all callers together")
	fs.IntVar(&o.limits.DynDNS2Burst, "dyndns2-burst", cfn.DefaultLimits.DynDNS2Burst, "the dyndns2 endpoint's burst (`requests`)")
	fs.Float64Var(&o.limits.KeyRate, "key-rate", cfn.DefaultLimits.KeyRate, "each API key's `rate` in requests per second")
	fs.IntVar(&o.limits.KeyBurst, "key-burst", cfn.DefaultLimits.KeyBurst, "each API key's burst (`requests`)")
	fs.IntVar(&o.limits.KeyDailyQuota, "key-quota", cfn.DefaultLimits.KeyDailyQuota, "each API key's `requests` per day")
	fs.Float64Var(&o.limits.StageRate, "stage-rate", cfn.DefaultLimits.StageRate, "all callers' `rate` together, in requests per second")
	fs.IntVar(&o.limits.StageBurst, "stage-burst", cfn.DefaultLimits.StageBurst, "all callers' burst (`requests`)")
	fs.IntVar(&o.limits.MaxHostnames, "max-hostnames", cfn.DefaultLimits.MaxHostnames, "most `names` one request may update")
	fs.BoolVar(&o.accessLogs, "access-logs", false, "log each request to a CloudWatch log group as a JSON line (no query string, no headers); needs the account's API Gateway logs role (see -account-logs-role)")
	fs.IntVar(&o.logRetention, "log-retention", cfn.DefaultLogRetentionDays, "-access-logs: keep the log this many `days` (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)")
	fs.BoolVar(&o.accountLogsRole, "account-logs-role", false, "-access-logs: ACCOUNT-WIDE: also set the region's API Gateway CloudWatch role (AWS::ApiGateway::Account) to a new one, replacing any role every API of the account logs with; kept when the stack is deleted. Off: set it once yourself (see docs/operations.md)")
	fs.StringVar(&o.alarms.Email, "alarm-email", "", "mail CloudWatch alarms (5XX answers, refused requests, Route 53 latency) to this `address` through an SNS topic; confirm the subscription mail")
	fs.IntVar(&o.alarms.ServerErrors, "alarm-5xx", cfn.DefaultAlarmServerErrors, "-alarm-email: alarm at this many 5XX `answers` in 5 minutes")
	fs.IntVar(&o.alarms.Refused, "alarm-4xx", cfn.DefaultAlarmRefused, "-alarm-email: alarm at this many refused (4XX) `answers` in 5 minutes")
	fs.IntVar(&o.alarms.LatencyMS, "alarm-latency", cfn.DefaultAlarmLatencyMS, "-alarm-email: alarm when Route 53's average answer time stays at this many `ms` or more for 15 minutes")
	fs.IntVar(&o.wafRate, "waf-rate", 0, "add an AWS WAF web ACL that blocks a source address above this many `requests` per 5 minutes (429; with dyndns2, 503 911 on the /nic/update paths; 10 at least; about $6 a month, $7 with dyndns2); 0: none")
	fs.StringVar(&o.format, "format", "yaml", "output `format`: yaml, json (CloudFormation), sam, sam-json (AWS SAM), openapi, openapi-json (the API alone, for import-rest-api)")
	fs.StringVar(&o.roleARN, "role-arn", "", "-format openapi: the `ARN` of the role API Gateway assumes to call Route 53")
	fs.StringVar(&o.region, "region", "us-east-1", "-format openapi: the `region` in the Route 53 integration URI (any works: Route 53 is global)")
	fs.StringVar(&o.output, "o", "", "write to `file` (atomically) instead of stdout")
	fs.BoolVar(&o.version, "version", false, "print the version and exit")

	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usageText)
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			fs.SetOutput(io.Discard)
			return nil, err
		}
		return nil, usagef("%v (see ddnsgen -h)", flagError(fs, err))
	}
	if fs.NArg() > 0 {
		return nil, usagef("unexpected argument %q: ddnsgen takes only flags (see ddnsgen -h)", fs.Arg(0))
	}
	known := false
	for _, f := range formats {
		known = known || f == o.format
	}
	if !known {
		return nil, usagef("-format %q: the formats are %s", o.format, strings.Join(formats, ", "))
	}
	openapi := strings.HasPrefix(o.format, "openapi")
	if openapi && o.roleARN == "" {
		return nil, usagef("-role-arn \"\": -format %s needs the role API Gateway is to assume (see docs/other-tools.md)", o.format)
	}
	if !openapi && (o.set("role-arn") || o.set("region")) {
		return nil, usagef("-role-arn and -region go with -format openapi only (CloudFormation fills them in otherwise)")
	}
	return o, nil
}

// flagError adds "did you mean -name?" to the flag package's error for an
// unknown flag that is a typo of a known one.
func flagError(fs *flag.FlagSet, err error) error {
	const prefix = "flag provided but not defined: -"
	msg := err.Error()
	if !strings.HasPrefix(msg, prefix) {
		return err
	}
	typed := strings.TrimPrefix(msg, prefix)
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	best := typo.Nearest(typed, names)
	if best == "" {
		return fmt.Errorf("-%s is not a flag", typed)
	}
	return fmt.Errorf("-%s is not a flag: did you mean -%s?", typed, best)
}

// set reports whether the flag was given on the command line.
func (o *options) set(name string) bool {
	found := false
	o.fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			found = true
		}
	})
	return found
}

// stackFlags are the flags that describe the stack (all but output flags).
var stackFlags = []string{"zone-id", "zone", "name", "device", "ttl", "type", "stage", "api-name",
	"api-key", "ipv4-only", "dyndns2", "dyndns2-rate", "dyndns2-burst", "key-rate", "key-burst", "key-quota", "stage-rate", "stage-burst", "max-hostnames",
	"query-credentials", "interface-id", "acme", "myip",
	"domain", "certificate-arn", "disable-execute-api",
	"access-logs", "log-retention", "account-logs-role", "alarm-email", "alarm-5xx", "alarm-4xx", "alarm-latency", "waf-rate"}

var deviceFlagRE = lazyRE(`^([^=]*)=(.*)$`)

// config turns the flags (or the -config file) into a cfn.Config.
func (o *options) config() (cfn.Config, error) {
	if o.configFile != "" {
		for _, f := range stackFlags {
			if o.set(f) {
				return cfn.Config{}, usagef("-%s: cannot be combined with -config (put it in %s)", f, o.configFile)
			}
		}
		b, err := os.ReadFile(o.configFile)
		if err != nil {
			return cfn.Config{}, usagef("-config %q: %v", o.configFile, err)
		}
		o.configBytes = b
		c, err := cfn.ParseConfig(b)
		if err != nil {
			return cfn.Config{}, usagef("-config %q: %s", o.configFile, strings.TrimPrefix(err.Error(), "config: "))
		}
		return c, nil
	}
	// A Config's zero values mean "the default"; on the command line an
	// explicit empty or zero value is a mistake.
	for _, f := range []struct {
		name, value string
		zero        bool
		rule        string
	}{
		{"stage", o.stage, o.stage == "", "a stage name is 1-128 letters, digits, hyphens and underscores"},
		{"api-name", o.apiName, o.apiName == "", "an API name is 1-128 letters, digits, spaces, dots, hyphens and underscores"},
		{"key-rate", fmt.Sprint(o.limits.KeyRate), o.limits.KeyRate == 0, "a rate is more than 0 and at most 10000 requests a second"},
		{"stage-rate", fmt.Sprint(o.limits.StageRate), o.limits.StageRate == 0, "a rate is more than 0 and at most 10000 requests a second"},
		{"key-burst", fmt.Sprint(o.limits.KeyBurst), o.limits.KeyBurst == 0, "must be from 1 to 5000"},
		{"stage-burst", fmt.Sprint(o.limits.StageBurst), o.limits.StageBurst == 0, "must be from 1 to 5000"},
		{"key-quota", fmt.Sprint(o.limits.KeyDailyQuota), o.limits.KeyDailyQuota == 0, "must be from 1 to 100000000"},
		{"max-hostnames", fmt.Sprint(o.limits.MaxHostnames), o.limits.MaxHostnames == 0, "must be from 1 to 1000"},
		{"dyndns2-rate", fmt.Sprint(o.limits.DynDNS2Rate), o.limits.DynDNS2Rate == 0, "a rate is more than 0 and at most 10000 requests a second"},
		{"dyndns2-burst", fmt.Sprint(o.limits.DynDNS2Burst), o.limits.DynDNS2Burst == 0, "must be from 1 to 5000"},
		{"log-retention", fmt.Sprint(o.logRetention), o.logRetention == 0, "CloudWatch Logs keeps logs for one of the periods -h lists"},
		{"alarm-5xx", fmt.Sprint(o.alarms.ServerErrors), o.alarms.ServerErrors == 0, "must be from 1 to 1000000"},
		{"alarm-4xx", fmt.Sprint(o.alarms.Refused), o.alarms.Refused == 0, "must be from 1 to 1000000"},
		{"alarm-latency", fmt.Sprint(o.alarms.LatencyMS), o.alarms.LatencyMS == 0, "must be from 1 to 29000 ms"},
	} {
		if f.zero {
			return cfn.Config{}, usagef("-%s %q: %s", f.name, f.value, f.rule)
		}
	}
	c := cfn.Config{
		APIName:          o.apiName,
		Stage:            o.stage,
		Open:             !o.apiKey,
		IPv4Only:         o.ipv4Only,
		DynDNS2:          o.dyndns2,
		QueryCredentials: o.queryCredentials,
		ACME:             o.acme,
		MyIP:             o.myip,
		Limits:           o.limits,

		Domain:            o.domain,
		CertificateARN:    o.certificateARN,
		DisableExecuteAPI: o.disableExecuteAPI,

		AccessLogs:      o.accessLogs,
		AccountLogsRole: o.accountLogsRole,
		Alarms:          cfn.Alarms{Email: o.alarms.Email},
		WAFRate:         o.wafRate,
	}
	if o.myip && !o.set("key-quota") {
		c.Limits.KeyDailyQuota = 0 // the myip default (cfn.MyIPKeyDailyQuota)
	}
	if o.set("domain") && o.domain == "" {
		return c, usagef("-domain \"\": a custom domain is a name in one of the zones, e.g. ddns.example.com")
	}
	// The defaults these flags show are the Config's; passing them only
	// when given keeps "-log-retention without -access-logs" an error.
	if o.set("log-retention") {
		c.LogRetentionDays = o.logRetention
	}
	if o.set("alarm-5xx") {
		c.Alarms.ServerErrors = o.alarms.ServerErrors
	}
	if o.set("alarm-4xx") {
		c.Alarms.Refused = o.alarms.Refused
	}
	if o.set("alarm-latency") {
		c.Alarms.LatencyMS = o.alarms.LatencyMS
	}
	if o.set("zone-id") && len(o.zones) > 0 {
		return c, usagef("-zone-id %q: use -zone NAME=ID for each zone when there are several", o.zoneID)
	}
	if o.set("zone-id") {
		c.Zones = []cfn.Zone{{ID: o.zoneID}}
		if o.zoneID == "" {
			return c, usagef("-zone-id \"\": a hosted zone id is 1-32 upper-case letters and digits, e.g. Z0123456789ABCDEFGHIJ")
		}
	}
	for _, z := range o.zones {
		name, id, _ := strings.Cut(z, "=")
		c.Zones = append(c.Zones, cfn.Zone{Name: name, ID: id})
	}
	var types []string
	for _, t := range strings.Split(o.types, ",") {
		types = append(types, strings.TrimSpace(t))
	}
	// The record names: -name, then any -device host not named already.
	names := append([]string(nil), o.names...)
	known := map[string]bool{}
	for _, n := range names {
		known[normalize(n)] = true
	}
	for _, d := range o.devices {
		m := deviceFlagRE().FindStringSubmatch(d)
		if m == nil || m[2] == "" {
			return c, usagef("-device %q: write NAME=host1[,host2]", d)
		}
		dev := cfn.Device{Name: m[1]}
		for _, h := range strings.Split(m[2], ",") {
			dev.Records = append(dev.Records, h)
			if !known[normalize(h)] {
				known[normalize(h)] = true
				names = append(names, h)
			}
		}
		c.Devices = append(c.Devices, dev)
	}
	for _, n := range names {
		c.Records = append(c.Records, cfn.Record{Name: n, TTL: cfn.Int(o.ttl), Types: types})
	}
	if len(names) == 0 && (o.set("ttl") || o.set("type")) {
		c.Records = []cfn.Record{{Name: cfn.DefaultRecordName, TTL: cfn.Int(o.ttl), Types: types}}
	}
	for _, f := range o.iids {
		name, iid, ok := strings.Cut(f, "=")
		i := slices.IndexFunc(c.Records, func(r cfn.Record) bool { return normalize(r.Name) == normalize(name) })
		if !ok || iid == "" || i < 0 {
			return c, usagef("-interface-id %q: write NAME=::1234:5678:9abc:def0 with NAME one of the records (-name or -device)", f)
		}
		c.Records[i].InterfaceID = iid
	}
	return c, nil
}

func normalize(name string) string { return strings.ToLower(strings.TrimSuffix(name, ".")) }

// fieldFlags maps a Config field path to the flag that sets it.
var fieldFlags = []struct{ field, flag string }{
	{"records[].name", "-name"},
	{"records[].ttl", "-ttl"},
	{"records[].types", "-type"},
	{"records[].interface_id", "-interface-id"},
	{"records", "-name"},
	{"zones[].id", "-zone-id"},
	{"zones[].name", "-zone"},
	{"zones", "-zone"},
	{"devices[].records[]", "-device"},
	{"devices[].name", "-device"},
	{"devices[].records", "-device"},
	{"devices", "-device"},
	{"stage", "-stage"},
	{"api_name", "-api-name"},
	{"limits.key_rate", "-key-rate"},
	{"limits.key_burst", "-key-burst"},
	{"limits.key_daily_quota", "-key-quota"},
	{"limits.stage_rate", "-stage-rate"},
	{"limits.stage_burst", "-stage-burst"},
	{"limits.max_hostnames", "-max-hostnames"},
	{"limits.dyndns2_rate", "-dyndns2-rate"},
	{"limits.dyndns2_burst", "-dyndns2-burst"},
	{"dyndns2", "-dyndns2"},
	{"query_credentials", "-query-credentials"},
	{"domain", "-domain"},
	{"certificate_arn", "-certificate-arn"},
	{"disable_execute_api", "-disable-execute-api"},
	{"access_logs", "-access-logs"},
	{"log_retention_days", "-log-retention"},
	{"account_logs_role", "-account-logs-role"},
	{"alarms.email", "-alarm-email"},
	{"alarms.server_errors", "-alarm-5xx"},
	{"alarms.refused", "-alarm-4xx"},
	{"alarms.latency_ms", "-alarm-latency"},
	{"waf_rate", "-waf-rate"},
	{"acme", "-acme"},
	{"myip", "-myip"},
	{"role_arn", "-role-arn"},
	{"region", "-region"},
}

var indexRE = lazyRE(`\[\d+\]`)

// explain turns a Build error into a usage error naming the flag (or the
// config file's key and line) that holds the bad value, in the terms the
// user typed.
func (o *options) explain(err error) error {
	var se *cfn.TemplateSizeError
	if errors.As(err, &se) {
		return usagef("%v", se)
	}
	var ce *cfn.ConfigError
	if !errors.As(err, &ce) {
		return err
	}
	value := strconv.Quote(ce.Value)
	if countRE().MatchString(ce.Value) && listFields[ce.Field] {
		// A count (300 devices), not a value the user wrote: not quoted.
		value = "(" + ce.Value + ")"
		if _, err := strconv.Atoi(ce.Value); err == nil {
			value = "(" + ce.Value + " given)"
		}
		if strings.Contains(ce.Rule, ce.Value) {
			value = ""
		}
	}
	if o.configFile != "" {
		where := ""
		if line := configLine(o.configBytes, ce.Field); line > 0 {
			where = fmt.Sprintf("line %d: ", line)
		}
		return usagef("-config %q: %s%s: %s", o.configFile, where, strings.TrimSpace(ce.Field+" "+value), ce.Rule)
	}
	field := indexRE().ReplaceAllString(ce.Field, "[]")
	// The default record, when the user named none: speak of what they did.
	if field == "records[].name" && len(o.names) == 0 && len(o.devices) == 0 {
		did := "no -name or -device given"
		if len(o.zones) > 0 {
			did = "-zone " + strings.Join(o.zones, " -zone ") + " without -name"
		}
		return usagef("%s: the record is then the default %s, and %s: give -name NAME", did, cfn.DefaultRecordName, ce.Rule)
	}
	if field == "myip" && !o.apiKey && o.configFile == "" {
		return usagef("-myip with -api-key=false: the address endpoint answers only a device's credentials: drop -api-key=false, or add -dyndns2 (passwords)")
	}
	if field == "devices" && !o.apiKey {
		return usagef("-api-key=false makes an open endpoint, which has no API keys to tell devices apart: drop -api-key=false or the -device flags")
	}
	for _, m := range fieldFlags {
		if field == m.field {
			if m.flag == "-zone-id" && len(o.zones) > 0 {
				m.flag = "-zone"
			}
			// Records after the -name ones came from -device hosts.
			var i int
			if _, err := fmt.Sscanf(ce.Field, "records[%d]", &i); err == nil && m.field == "records[].name" &&
				len(o.devices) > 0 && i >= len(o.names) {
				m.flag = "-device"
			}
			return usagef("%s: %s", strings.TrimSpace(m.flag+" "+value), ce.Rule)
		}
	}
	return usagef("%v", ce)
}

// listFields are the fields whose errors may be about a count.
var listFields = map[string]bool{"devices": true, "zones": true, "records": true, "tags": true}

// countRE matches the values of errors about how many there are
// ("300", "12000 bytes"), as opposed to a value the user wrote.
var countRE = lazyRE(`^[0-9]+( [a-z ]+)?$`)

// configLine is the line of the config file that holds field (a
// ConfigError's path, e.g. records[1].name), or 0.
func configLine(b []byte, field string) int {
	var doc yaml.Node
	if yaml.Unmarshal(b, &doc) != nil || len(doc.Content) == 0 {
		return 0
	}
	n := doc.Content[0]
	line := 0
	for _, part := range strings.Split(field, ".") {
		key, index, _ := strings.Cut(part, "[")
		var next *yaml.Node
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == key {
					next, line = n.Content[i+1], n.Content[i].Line
				}
			}
		}
		if next == nil {
			return line
		}
		n = next
		if index != "" {
			i, err := strconv.Atoi(strings.TrimSuffix(index, "]"))
			if err != nil || n.Kind != yaml.SequenceNode || i >= len(n.Content) {
				return line
			}
			n, line = n.Content[i], n.Content[i].Line
		}
	}
	return line
}

// lazyRE compiles pattern the first time it is used: a regular expression
// compiled when the program starts costs every run, and a counted
// repetition ({0,61}) costs milliseconds.
func lazyRE(pattern string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(pattern) })
}
