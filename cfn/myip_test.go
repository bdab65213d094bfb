package cfn

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/awslabs/goformation/v7/cloudformation/apigateway"
)

// TestMyIPOptional: GET /myip costs a stack nothing unless it asks for it;
// asked for, it is two resources (a resource and its MOCK method, no role
// and no Route 53 URI), about 1.8 KB, and a key quota that leaves room for
// a poll a minute per address family besides the updates.
func TestMyIPOptional(t *testing.T) {
	without, err := Build(Config{})
	if err != nil {
		t.Fatal(err)
	}
	with, err := Build(Config{MyIP: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(with.Resources) != len(without.Resources)+2 {
		t.Errorf("myip adds %d resources, want 2", len(with.Resources)-len(without.Resources))
	}
	for id := range without.Resources {
		if strings.HasPrefix(id, "MyIp") {
			t.Errorf("a stack without myip has %s", id)
		}
	}
	m, ok := with.Resources[IDMyIPMethod].(*apigateway.Method)
	if !ok {
		t.Fatalf("no %s", IDMyIPMethod)
	}
	in := m.Integration
	if in.Type != "MOCK" || in.Credentials != nil || in.Uri != nil || *in.PassthroughBehavior != "NEVER" || !*m.ApiKeyRequired {
		t.Errorf("the myip method: type %s, credentials %v, uri %v, passthrough %s, key required %v; want MOCK, none, none, NEVER, true",
			in.Type, in.Credentials, in.Uri, *in.PassthroughBehavior, *m.ApiKeyRequired)
	}
	stage := with.Resources[IDStage].(*apigateway.Stage)
	found := false
	for _, s := range stage.MethodSettings {
		found = found || (*s.ResourcePath == "/~1myip" && *s.HttpMethod == "GET" && *s.ThrottlingRateLimit == MyIPRate && *s.ThrottlingBurstLimit == MyIPBurst)
	}
	if !found {
		t.Errorf("the stage does not throttle GET /myip on its own: %+v", stage.MethodSettings)
	}
	a, _ := YAML(without)
	b, _ := YAML(with)
	t.Logf("myip adds %d bytes to the seed stack's YAML", len(b)-len(a))
	if len(b)-len(a) > 2500 {
		t.Errorf("myip adds %d bytes, more than the 2,500 it should cost", len(b)-len(a))
	}
	for _, c := range []struct {
		limits Limits
		want   int
	}{{Limits{}, MyIPKeyDailyQuota}, {Limits{KeyDailyQuota: 1000}, 1000}} {
		tmpl, err := Build(Config{MyIP: true, Limits: c.limits})
		if err != nil {
			t.Fatal(err)
		}
		plan := tmpl.Resources[IDUsagePlan].(*apigateway.UsagePlan)
		if got := *plan.Quota.Limit; got != c.want {
			t.Errorf("limits %+v: the key quota is %d, want %d", c.limits, got, c.want)
		}
	}
}

// TestMyIPNeedsCredentials: an open stack has no device credentials to
// ask for, unless it has dyndns2 passwords; then the method wants no key.
func TestMyIPNeedsCredentials(t *testing.T) {
	_, err := Build(Config{MyIP: true, Open: true})
	var ce *ConfigError
	if !errors.As(err, &ce) || ce.Field != "myip" || !strings.Contains(ce.Rule, "API keys or dyndns2 passwords") {
		t.Errorf("an open stack with myip: %v", err)
	}
	tmpl, err := Build(Config{MyIP: true, Open: true, DynDNS2: true})
	if err != nil {
		t.Fatal(err)
	}
	m := tmpl.Resources[IDMyIPMethod].(*apigateway.Method)
	if *m.ApiKeyRequired || !strings.Contains(m.Integration.RequestTemplates["application/json"], "ddns_password_default") {
		t.Errorf("open with dyndns2: key required %v, template:\n%s", *m.ApiKeyRequired, m.Integration.RequestTemplates["application/json"])
	}
}

// TestMyIPDeviceCeiling: GET /myip's two resources come out of the 500 a
// stack holds: a stack of MaxDevices devices with it is refused before it
// is built, with the number it holds.
func TestMyIPDeviceCeiling(t *testing.T) {
	cfg := Config{MyIP: true, Zones: []Zone{{Name: "example.com", ID: "Z0123456789ABCDEFGHIJ"}}}
	for i := 0; i < MaxDevices; i++ {
		name := "device" + strconv.Itoa(i) + ".example.com"
		cfg.Records = append(cfg.Records, Record{Name: name})
		cfg.Devices = append(cfg.Devices, Device{Name: "device" + strconv.Itoa(i), Records: []string{name}})
	}
	_, err := Build(cfg)
	var ce *ConfigError
	if !errors.As(err, &ce) || ce.Field != "devices" || !strings.Contains(ce.Rule, "at most 245 devices a stack") {
		t.Errorf("%d devices with myip: %v", MaxDevices, err)
	}
	cfg.Devices, cfg.Records = cfg.Devices[:MaxDevices-1], cfg.Records[:MaxDevices-1]
	if _, err := Build(cfg); err != nil {
		t.Errorf("%d devices with myip: %v", MaxDevices-1, err)
	}
}
