package cfn

import (
	"bytes"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"

	"github.com/ddnsgen/ddnsgen/internal/typo"

	"gopkg.in/yaml.v3"
)

// Defaults: the zero Config is the seed article's stack, made safe.
const (
	DefaultAPIName    = "DynamicDNS"
	DefaultStage      = "ddns"
	DefaultRecordName = "myddns.acme.local"
	DefaultTTL        = 60
	DefaultDevice     = "default"
)

// Config describes one dynamic DNS stack. Its zero value is the seed stack:
// the A record myddns.acme.local (TTL 60) in a hosted zone chosen at deploy
// time, updated by one API key. Every field is optional.
//
// Config is also the schema of the CLI's -config file (YAML, keys as in the
// yaml tags below; unknown keys are errors).
type Config struct {
	// APIName names the REST API (default "DynamicDNS").
	APIName string `yaml:"api_name"`
	// Description is the template's Description (a default names ddnsgen).
	Description string `yaml:"description"`
	// Stage is the API stage, the first path segment of the update URL
	// (default "ddns").
	Stage string `yaml:"stage"`
	// Zones are the hosted zones the records live in. Each record belongs to
	// the zone whose name is its longest suffix. Without zones, one zone is
	// assumed whose name is the records' common parent domain.
	Zones []Zone `yaml:"zones"`
	// Records are the names the stack may update (default: myddns.acme.local).
	Records []Record `yaml:"records"`
	// Devices each get an API key (and, with DynDNS2, a password) and may
	// update only their own records. Without devices there is one device,
	// "default", that owns every record.
	Devices []Device `yaml:"devices"`
	// Open drops the API key: anyone who knows the URL may point the records
	// at any address. It is the seed article's stack; use it only to try.
	Open bool `yaml:"open"`
	// IPv4Only keeps the endpoint IPv4-only even when a record takes AAAA.
	// By default the endpoint is dual-stack when any record takes AAAA, so
	// that IPv6 callers can reach it.
	IPv4Only bool `yaml:"ipv4_only"`
	// DynDNS2 adds the endpoint routers, ddclient and inadyn speak:
	// GET /STAGE/nic/update?hostname=NAME&myip=IP with HTTP Basic auth (user
	// = device name, password = a NoEcho template parameter per device).
	DynDNS2 bool `yaml:"dyndns2"`
	// QueryCredentials adds GET /STAGE/nic/update-url: the dyndns2 endpoint
	// for routers that can put credentials only in the URL (FritzBox,
	// Synology), as ?username=DEVICE&password=PASSWORD. It has no Basic
	// challenge (/nic/update keeps it), and costs a second copy of the
	// dyndns2 mapping templates. Needs DynDNS2.
	QueryCredentials bool `yaml:"query_credentials"`
	// ACME adds the acme-dns endpoint ACME clients (lego, acme.sh, certbot
	// hooks, Caddy, Traefik) use to answer DNS-01 challenges: POST
	// /STAGE/update with headers X-Api-User (the device name) and X-Api-Key
	// (its API key) and the JSON body {"subdomain": NAME, "txt": VALUE}. It
	// sets the TXT record _acme-challenge.NAME of the device's own names, and
	// the role may write those TXT records and nothing more.
	ACME bool `yaml:"acme"`
	// MyIP adds GET /STAGE/myip, which answers the caller's address as text
	// (IPv4 or IPv6, as it came), for a device behind NAT to learn when its
	// address changed without calling Route 53: a MOCK integration, no role.
	// It answers only a device's API key and, with DynDNS2, also its Basic
	// credentials. It adds two resources and ~1 KB; with it an API key's
	// daily quota defaults to 4320 (an IPv4 and an IPv6 poll a minute, and
	// the updates).
	MyIP bool `yaml:"myip"`
	// Limits are the throttles and quotas; zero fields take the defaults.
	Limits Limits `yaml:"limits"`
	// Domain is a custom domain for the API, e.g. "ddns.example.com", in
	// one of Zones: the stage is served at its root (https://DOMAIN/ZONEID,
	// https://DOMAIN/nic/update), with a certificate that CloudFormation
	// requests from ACM and validates by DNS in that zone, and alias records
	// A (and AAAA when dual-stack) to it. Not a record of Records.
	Domain string `yaml:"domain"`
	// CertificateARN is an existing ACM certificate for Domain, instead of
	// a new one. It must be in the stack's region (the domain is REGIONAL)
	// and cover Domain.
	CertificateARN string `yaml:"certificate_arn"`
	// DisableExecuteAPI turns off the API's default execute-api endpoint,
	// so that Domain is the only way in (needs Domain).
	DisableExecuteAPI bool `yaml:"disable_execute_api"`

	// AccessLogs adds a CloudWatch log group and the stage's access log:
	// one JSON line per request with the time, request id, source address,
	// API key id (the device), method, resource path, status, Route 53's
	// status and latency. Never the query string or a header: credentials
	// may be in either. API Gateway needs the account's CloudWatch Logs role
	// set once per region (see AccountLogsRole).
	AccessLogs bool `yaml:"access_logs"`
	// LogRetentionDays is how long the access log is kept (default 90): one
	// of CloudWatch Logs' periods, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180,
	// 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653.
	LogRetentionDays int `yaml:"log_retention_days"`
	// AccountLogsRole also sets the ACCOUNT-WIDE API Gateway setting
	// (AWS::ApiGateway::Account) to a new role that may write CloudWatch
	// logs. It replaces any role already set for every API in the region,
	// and is kept when the stack is deleted. Leave it off when the account
	// has one (aws apigateway get-account).
	AccountLogsRole bool `yaml:"account_logs_role"`
	// Alarms mail an address when the stage answers 5XX, refuses many
	// requests, or Route 53 is slow.
	Alarms Alarms `yaml:"alarms"`
	// WAFRate adds an AWS WAF web ACL to the stage that blocks a source
	// address above this many requests per 5 minutes (10 at least): 429,
	// and with DynDNS2 503 911 on /nic/update (a rule of its own, counted
	// apart). 0: no web ACL. It costs about $6 a month, $7 with DynDNS2
	// (see README).
	WAFRate int `yaml:"waf_rate"`

	// Prefix starts the logical ID of every resource, parameter and output
	// ddnsgen adds (e.g. "Home": HomeRestApi, HomeHostedZoneId,
	// HomeUpdateUrl), so that several stacks fit in one template. 1-32
	// letters and digits, starting with an upper-case letter.
	Prefix string `yaml:"prefix"`
	// Tags go on every resource that takes tags: the REST API, its stage,
	// the API keys, the usage plan and the role.
	Tags map[string]string `yaml:"tags"`
	// Role is the logical ID of an AWS::IAM::Role already in the template
	// (AddTo only) for API Gateway to assume instead of a new one. It must
	// trust apigateway.amazonaws.com; ddnsgen attaches its least-privilege
	// policy to it as an AWS::IAM::Policy.
	Role string `yaml:"role"`
}

// Zone is a Route 53 hosted zone.
type Zone struct {
	// Name is the zone's domain, e.g. "acme.local".
	Name string `yaml:"name"`
	// ID is the hosted zone id, e.g. "Z0123456789ABCDEFGHIJ" (a leading
	// "/hostedzone/" is dropped). Empty (and no Ref): a template parameter
	// asks for it at deploy time.
	ID string `yaml:"id"`
	// Ref is the logical ID of an AWS::Route53::HostedZone already in the
	// template (AddTo only), instead of an ID.
	Ref string `yaml:"ref"`
}

// Record is a DNS name the stack may update.
type Record struct {
	// Name is a fully qualified domain name; upper case is lower-cased and
	// one trailing dot dropped.
	Name string `yaml:"name"`
	// TTL in seconds, 0..2147483647 (nil: DefaultTTL).
	TTL *int `yaml:"ttl"`
	// Types are the record types a caller may set: "A" (IPv4), "AAAA"
	// (IPv6), or both (default: A).
	Types []string `yaml:"types"`
	// InterfaceID is the fixed last 64 bits of the IPv6 address of a host
	// behind a router, e.g. "::1234:5678:9abc:def0" (a record that takes
	// AAAA). A request with ip6lanprefix=PREFIX/LEN (a FritzBox's
	// <ip6lanprefix>) sets the record's AAAA to the prefix's first 64 bits
	// followed by this.
	InterfaceID string `yaml:"interface_id"`
}

// Device is a client (a router, a server) with its own credentials.
type Device struct {
	// Name is 1-32 lower-case letters, digits and inner hyphens.
	Name string `yaml:"name"`
	// Records are the names (of Config.Records) this device may update.
	Records []string `yaml:"records"`
}

// Limits bound what callers can make the stack do. Zero fields take the
// defaults shown.
type Limits struct {
	// KeyRate is each API key's steady request rate per second (default 1).
	KeyRate float64 `yaml:"key_rate"`
	// KeyBurst is each API key's burst (default 2).
	KeyBurst int `yaml:"key_burst"`
	// KeyDailyQuota is each API key's requests per day (default 1440, one a
	// minute).
	KeyDailyQuota int `yaml:"key_daily_quota"`
	// StageRate is the whole API's request rate per second (default 2): it
	// keeps all callers together below Route 53's 5 requests a second per
	// account.
	StageRate float64 `yaml:"stage_rate"`
	// StageBurst is the whole API's burst (default 4).
	StageBurst int `yaml:"stage_burst"`
	// MaxHostnames is the most names one request may update (default 20).
	MaxHostnames int `yaml:"max_hostnames"`
	// DynDNS2Rate and DynDNS2Burst throttle the dyndns2 endpoint as a whole
	// (defaults 1 and 2): it has no API key to throttle per device, and
	// every call, refused or not, reaches Route 53.
	DynDNS2Rate  float64 `yaml:"dyndns2_rate"`
	DynDNS2Burst int     `yaml:"dyndns2_burst"`
}

// DefaultLimits are the limits a zero Limits field takes.
var DefaultLimits = Limits{
	KeyRate:       1,
	KeyBurst:      2,
	KeyDailyQuota: 1440,
	StageRate:     2,
	StageBurst:    4,
	MaxHostnames:  20,
	DynDNS2Rate:   1,
	DynDNS2Burst:  2,
}

// Int returns a pointer to v, for Record.TTL.
func Int(v int) *int { return &v }

// ConfigError is a Config value that breaks a rule. Field is the value's
// path in the Config as the -config file spells it, e.g. "records[1].name".
type ConfigError struct {
	Field string
	Value string
	Rule  string
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("%s %q: %s", e.Field, e.Value, e.Rule)
}

// configError is the *ConfigError of value at field breaking rule.
func configError(field, value, rule string) *ConfigError {
	return &ConfigError{Field: field, Value: value, Rule: rule}
}

// Validate reports the first value that breaks a rule, as a *ConfigError.
// Build validates too; Validate is for callers that only want the check.
func (c Config) Validate() error {
	_, err := c.plan(true)
	return err
}

// Warnings are things that are allowed but probably not meant: an open
// endpoint, a zone id without the usual Z, a stage rate above Route 53's.
// Validate the Config first: Warnings of an invalid Config are incomplete.
func (c Config) Warnings() []string {
	p, err := c.plan(true)
	if err != nil {
		return nil
	}
	return p.warnings
}

// fieldName renders a path element such as records[2].name.
func fieldName(list string, i int, field string) string {
	if field == "" {
		return fmt.Sprintf("%s[%d]", list, i)
	}
	return fmt.Sprintf("%s[%d].%s", list, i, field)
}

// camel turns a lower-case DNS-ish name into a logical-ID part:
// "home-router" → "HomeRouter", "acme.local" → "AcmeLocal".
func camel(s string) string {
	var b strings.Builder
	up := true
	for _, r := range s {
		switch {
		case r == '-' || r == '.':
			up = true
		case up && r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
			up = false
		default:
			b.WriteRune(r)
			up = false
		}
	}
	return b.String()
}

// ParseConfig reads a Config from YAML (the CLI's -config file). Keys are
// the yaml tags of Config's fields. The file is checked before it is read
// into a Config, and an error names the line and the key as written:
//   - an unknown key is an error (with the nearest valid key), so a typo
//     cannot silently fall back to a default;
//   - a value of the wrong kind (a word for a number, a list for a name);
//   - an empty file (or an empty mapping): it would be the placeholder
//     stack, which is never what a file means;
//   - a limit, stage or api_name written as 0 or "": a Config's zero value
//     means "the default", but a value written in a file is used as
//     written, as on the command line (-key-rate 0 is refused too): leave
//     the key out for the default.
func ParseConfig(b []byte) (Config, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&doc); err != nil && err != io.EOF {
		return Config{}, fmt.Errorf("config: %s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err != io.EOF {
		return Config{}, fmt.Errorf("config: line %d: a second YAML document (---): one document only", extra.Line)
	}
	var root *yaml.Node
	if len(doc.Content) > 0 {
		root = doc.Content[0]
	}
	if root == nil || root.Tag == "!!null" || (root.Kind == yaml.MappingNode && len(root.Content) == 0) {
		return Config{}, fmt.Errorf("config: the file is empty: it would be the placeholder stack (myddns.acme.local); write records (and zones, devices) as the README shows")
	}
	var c Config
	if err := decodeNode(root, reflect.ValueOf(&c).Elem(), ""); err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	return c, nil
}

// writtenZero are the keys whose zero value means "the default" in a
// Config, and which are therefore refused when a file writes them as zero.
var writtenZero = map[string]string{
	"stage":                  ruleStage,
	"api_name":               ruleAPI,
	"limits.key_rate":        "a rate is more than 0 and at most 10000 requests a second; leave the key out for the default",
	"limits.stage_rate":      "a rate is more than 0 and at most 10000 requests a second; leave the key out for the default",
	"limits.dyndns2_rate":    "a rate is more than 0 and at most 10000 requests a second; leave the key out for the default",
	"limits.key_burst":       "must be from 1 to 5000; leave the key out for the default",
	"limits.stage_burst":     "must be from 1 to 5000; leave the key out for the default",
	"limits.dyndns2_burst":   "must be from 1 to 5000; leave the key out for the default",
	"limits.key_daily_quota": "must be from 1 to 100000000; leave the key out for the default",
	"limits.max_hostnames":   "must be from 1 to 1000; leave the key out for the default",
	"log_retention_days":     "a retention is one of CloudWatch's periods (1, 3, 5, 7, 14, 30, 60, 90, ... days); leave the key out for the default (90)",
	"alarms.server_errors":   "a threshold is at least 1; leave the key out for the default",
	"alarms.refused":         "a threshold is at least 1; leave the key out for the default",
	"alarms.latency_ms":      "a threshold is at least 1 millisecond; leave the key out for the default",
}

var kindNames = map[yaml.Kind]string{
	yaml.MappingNode:  "a mapping (key: value)",
	yaml.SequenceNode: "a list",
	yaml.ScalarNode:   "a single value",
	yaml.AliasNode:    "an alias",
}

// decodeNode checks a YAML node against the Go value it is read into, and
// reads it there; path is the key's path as the file spells it
// (records[0].ttl). yaml.v3 reads each scalar.
func decodeNode(n *yaml.Node, v reflect.Value, path string) error {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Tag == "!!null" {
		return nil // the zero value: checked by Validate
	}
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		v = v.Elem()
	}
	where := path
	if where == "" {
		where = "the top level"
	}
	want := func(kind yaml.Kind) error {
		if n.Kind != kind {
			return fmt.Errorf("line %d: %s: %s here, not %s", n.Line, where, kindNames[kind], kindNames[n.Kind])
		}
		return nil
	}
	switch v.Kind() {
	case reflect.Struct:
		if err := want(yaml.MappingNode); err != nil {
			return err
		}
		fields := yamlFields(v.Type())
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, item := n.Content[i], n.Content[i+1]
			f, ok := fields.index[k.Value]
			if !ok {
				msg := fmt.Sprintf("line %d: %s: unknown key %q", k.Line, where, k.Value)
				if path == "" {
					msg = fmt.Sprintf("line %d: unknown key %q", k.Line, k.Value)
				}
				if near := typo.Nearest(strings.ToLower(k.Value), fields.keys); near != "" {
					msg += fmt.Sprintf(": did you mean %s?", near)
				}
				return fmt.Errorf("%s (the keys are %s)", msg, strings.Join(fields.keys, ", "))
			}
			if err := uniqueKey(n, i, where); err != nil {
				return err
			}
			sub := k.Value
			if path != "" {
				sub = path + "." + k.Value
			}
			field := v.Field(f)
			if err := decodeNode(item, field, sub); err != nil {
				return err
			}
			if rule, ok := writtenZero[sub]; ok && item.Kind == yaml.ScalarNode && item.Tag != "!!null" && field.IsZero() {
				return fmt.Errorf("line %d: %s %q: %s", item.Line, sub, item.Value, rule)
			}
		}
	case reflect.Slice:
		if err := want(yaml.SequenceNode); err != nil {
			return err
		}
		v.Set(reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content)))
		kept := 0
		for i, item := range n.Content {
			if isNull(item) && !nullable(v.Type().Elem().Kind()) {
				continue // yaml.v3 drops a null item it cannot set
			}
			if err := decodeNode(item, v.Index(kept), path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
			kept++
		}
		v.SetLen(kept)
	case reflect.Map:
		if err := want(yaml.MappingNode); err != nil {
			return err
		}
		for i := 1; i < len(n.Content); i += 2 {
			if err := decodeNode(n.Content[i], reflect.New(v.Type().Elem()).Elem(), path+"."+n.Content[i-1].Value); err != nil {
				return err
			}
			if err := uniqueKey(n, i-1, where); err != nil {
				return err
			}
		}
		// Checked; yaml.v3 reads the keys.
		if err := n.Decode(v.Addr().Interface()); err != nil {
			return fmt.Errorf("line %d: %s: %s", n.Line, where, strings.TrimPrefix(err.Error(), "yaml: "))
		}
	default:
		if err := want(yaml.ScalarNode); err != nil {
			return err
		}
		// yaml.v3 reads 1.5 into an int as 1: a whole number is asked for.
		if v.Kind() == reflect.Int && n.Tag == "!!float" {
			return fmt.Errorf("line %d: %s %q: not a whole number", n.Line, where, n.Value)
		}
		if err := n.Decode(v.Addr().Interface()); err != nil {
			kind := map[reflect.Kind]string{reflect.Int: "a whole number", reflect.Float64: "a number", reflect.Bool: "true or false", reflect.String: "text"}[v.Kind()]
			return fmt.Errorf("line %d: %s %q: not %s", n.Line, where, n.Value, kind)
		}
	}
	return nil
}

// isNull says whether n is null, through an alias.
func isNull(n *yaml.Node) bool {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n.Tag == "!!null"
}

// nullable: yaml.v3 sets a null into a value of kind k (to its zero value);
// into any other kind it sets nothing.
func nullable(k reflect.Kind) bool {
	return k == reflect.Interface || k == reflect.Pointer || k == reflect.Map || k == reflect.Slice
}

// uniqueKey refuses mapping n's key at i when an earlier key is the same
// (yaml.v3 would refuse it too, in two lines).
func uniqueKey(n *yaml.Node, i int, where string) error {
	k := n.Content[i]
	for j := 0; j < i; j += 2 {
		if e := n.Content[j]; e.Value == k.Value && e.Kind == k.Kind && e.Tag == k.Tag {
			return fmt.Errorf("line %d: %s: key %q is written twice (first at line %d)", k.Line, where, k.Value, e.Line)
		}
	}
	return nil
}

// structFields are a struct's keys as a file writes them (yaml tags), in
// field order, and the index of each one's field.
type structFields struct {
	keys  []string
	index map[string]int
}

// yamlFields lists the yaml keys of struct type t, in order.
func yamlFields(t reflect.Type) *structFields {
	f := &structFields{index: map[string]int{}}
	for i := range t.NumField() {
		if tag := strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]; tag != "" && tag != "-" {
			f.keys = append(f.keys, tag)
			f.index[tag] = i
		}
	}
	return f
}

// DualStack reports whether the endpoint is dual-stack: a record takes
// AAAA and IPv4Only is not set. (SAM and OpenAPI cannot say so: see
// BuildSAM.)
func (c Config) DualStack() bool {
	p, err := c.plan(true)
	return err == nil && p.dualstack
}
