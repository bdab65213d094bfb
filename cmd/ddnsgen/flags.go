package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/ddnsgen/ddnsgen/cfn"
)

// options are the parsed flags.
type options struct {
	fs *flag.FlagSet

	configFile string
	zoneID     string
	zones      listFlag
	names      listFlag
	devices    listFlag
	ttl        int
	types      string
	stage      string
	apiName    string
	apiKey     bool
	ipv4Only   bool
	dyndns2    bool
	acme       bool
	limits     cfn.Limits

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

const usageText = `Usage: ddnsgen [flags] > ddns.yaml

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
	fs.StringVar(&o.configFile, "config", "", "read the stack from this YAML `file` (the fields of cfn.Config; see README)")
	fs.StringVar(&o.zoneID, "zone-id", "", "hosted zone `id` (e.g. Z0123456789ABCDEFGHIJ); empty: a HostedZoneId parameter asks at deploy time")
	fs.Var(&o.zones, "zone", "hosted zone `NAME[=ID]`, repeatable, for records in several zones")
	fs.Var(&o.names, "name", "record `name` to update, repeatable (default myddns.acme.local)")
	fs.Var(&o.devices, "device", "a device with its own API key: `NAME=host1[,host2]`, repeatable")
	fs.IntVar(&o.ttl, "ttl", cfn.DefaultTTL, "record TTL in `seconds` (0..2147483647)")
	fs.StringVar(&o.types, "type", "A", "record `types` callers may set: A, AAAA or A,AAAA")
	fs.StringVar(&o.stage, "stage", cfn.DefaultStage, "API stage `name`: the first path segment of the update URL")
	fs.StringVar(&o.apiName, "api-name", cfn.DefaultAPIName, "REST API `name`")
	fs.BoolVar(&o.apiKey, "api-key", true, "require an API key (x-api-key); -api-key=false is the seed's open endpoint")
	fs.BoolVar(&o.ipv4Only, "ipv4-only", false, "keep the endpoint IPv4-only even when a record takes AAAA")
	fs.BoolVar(&o.dyndns2, "dyndns2", false, "add GET /STAGE/nic/update for routers, ddclient and inadyn (HTTP Basic auth; a password parameter per device)")
	fs.BoolVar(&o.acme, "acme", false, "add POST /STAGE/update, the acme-dns protocol (lego, acme.sh, certbot hooks): each device may set the _acme-challenge TXT records of its own names")
	fs.Float64Var(&o.limits.DynDNS2Rate, "dyndns2-rate", cfn.DefaultLimits.DynDNS2Rate, "the dyndns2 endpoint's `rate` in requests per second, all callers together")
	fs.IntVar(&o.limits.DynDNS2Burst, "dyndns2-burst", cfn.DefaultLimits.DynDNS2Burst, "the dyndns2 endpoint's burst (`requests`)")
	fs.Float64Var(&o.limits.KeyRate, "key-rate", cfn.DefaultLimits.KeyRate, "each API key's `rate` in requests per second")
	fs.IntVar(&o.limits.KeyBurst, "key-burst", cfn.DefaultLimits.KeyBurst, "each API key's burst (`requests`)")
	fs.IntVar(&o.limits.KeyDailyQuota, "key-quota", cfn.DefaultLimits.KeyDailyQuota, "each API key's `requests` per day")
	fs.Float64Var(&o.limits.StageRate, "stage-rate", cfn.DefaultLimits.StageRate, "all callers' `rate` together, in requests per second")
	fs.IntVar(&o.limits.StageBurst, "stage-burst", cfn.DefaultLimits.StageBurst, "all callers' burst (`requests`)")
	fs.IntVar(&o.limits.MaxHostnames, "max-hostnames", cfn.DefaultLimits.MaxHostnames, "most `names` one request may update")
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
		return nil, usagef("%v (see ddnsgen -h)", err)
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
		return nil, usagef("-role-arn \"\": -format %s needs the role API Gateway is to assume (see README, \"AWS SAM and OpenAPI\")", o.format)
	}
	if !openapi && (o.set("role-arn") || o.set("region")) {
		return nil, usagef("-role-arn and -region go with -format openapi only (CloudFormation fills them in otherwise)")
	}
	return o, nil
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
	"api-key", "ipv4-only", "dyndns2", "acme", "dyndns2-rate", "dyndns2-burst", "key-rate", "key-burst", "key-quota", "stage-rate", "stage-burst", "max-hostnames"}

var deviceFlagRE = regexp.MustCompile(`^([^=]*)=(.*)$`)

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
		c, err := cfn.ParseConfig(b)
		if err != nil {
			return cfn.Config{}, usagef("-config %q: %v", o.configFile, err)
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
	} {
		if f.zero {
			return cfn.Config{}, usagef("-%s %q: %s", f.name, f.value, f.rule)
		}
	}
	c := cfn.Config{
		APIName:  o.apiName,
		Stage:    o.stage,
		Open:     !o.apiKey,
		IPv4Only: o.ipv4Only,
		DynDNS2:  o.dyndns2,
		ACME:     o.acme,
		Limits:   o.limits,
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
		m := deviceFlagRE.FindStringSubmatch(d)
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
	return c, nil
}

func normalize(name string) string { return strings.ToLower(strings.TrimSuffix(name, ".")) }

// fieldFlags maps a Config field path to the flag that sets it.
var fieldFlags = []struct{ field, flag string }{
	{"records[].name", "-name"},
	{"records[].ttl", "-ttl"},
	{"records[].types", "-type"},
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
	{"acme", "-acme"},
	{"role_arn", "-role-arn"},
	{"region", "-region"},
}

var indexRE = regexp.MustCompile(`\[\d+\]`)

// explain turns a Build error into a usage error naming the flag (or the
// config file's field) that holds the bad value.
func (o *options) explain(err error) error {
	var ce *cfn.ConfigError
	if !errors.As(err, &ce) {
		return err
	}
	if o.configFile != "" {
		return usagef("-config %q: %v", o.configFile, ce)
	}
	field := indexRE.ReplaceAllString(ce.Field, "[]")
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
			return usagef("%s %s: %s", m.flag, strconv.Quote(ce.Value), ce.Rule)
		}
	}
	return usagef("%v", ce)
}
