package cfn

import (
	"bytes"
	"fmt"
	"io"
	"strings"

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
	// ACME adds the acme-dns endpoint ACME clients (lego, acme.sh, certbot
	// hooks, Caddy, Traefik) use to answer DNS-01 challenges: POST
	// /STAGE/update with headers X-Api-User (the device name) and X-Api-Key
	// (its API key) and the JSON body {"subdomain": NAME, "txt": VALUE}. It
	// sets the TXT record _acme-challenge.NAME of the device's own names, and
	// the role may write those TXT records and nothing more.
	ACME bool `yaml:"acme"`
	// Limits are the throttles and quotas; zero fields take the defaults.
	Limits Limits `yaml:"limits"`

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

func bad(field, value, rule string) *ConfigError {
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
// the yaml tags of Config's fields; an unknown key is an error, so a typo
// cannot silently fall back to a default.
func ParseConfig(b []byte) (Config, error) {
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil && err != io.EOF {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	var extra any
	if err := dec.Decode(&extra); err != io.EOF {
		return Config{}, fmt.Errorf("config: one YAML document only")
	}
	return c, nil
}

// DualStack reports whether the endpoint is dual-stack: a record takes
// AAAA and IPv4Only is not set. (SAM and OpenAPI cannot say so: see
// BuildSAM.)
func (c Config) DualStack() bool {
	p, err := c.plan(true)
	return err == nil && p.dualstack
}
