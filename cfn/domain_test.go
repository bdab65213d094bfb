package cfn_test

import (
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/apigateway"
	"github.com/awslabs/goformation/v7/cloudformation/certificatemanager"
	"github.com/awslabs/goformation/v7/cloudformation/iam"
	"github.com/awslabs/goformation/v7/cloudformation/route53"
	"github.com/google/go-cmp/cmp"

	"github.com/ddnsgen/ddnsgen/cfn"
)

const testCertificate = "arn:aws:acm:eu-central-1:123456789012:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"

func build(t *testing.T, c cfn.Config) *cloudformation.Template {
	t.Helper()
	tmpl, err := cfn.Build(c)
	if err != nil {
		t.Fatal(err)
	}
	return tmpl
}

func marshal(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestDomainAddsOnlyItsResources: a custom domain adds the certificate
// (unless one is given), the domain name, the base path mapping and the
// alias records, and changes nothing else but the RestApi's
// DisableExecuteApiEndpoint and the outputs. In particular the IAM role of
// the update path gains no right: the alias records are written by
// CloudFormation, not by the API.
func TestDomainAddsOnlyItsResources(t *testing.T) {
	dualstack := cfn.Config{
		Zones:   []cfn.Zone{{Name: "example.com", ID: "Z0123456789ABCDEFGHIJ"}},
		Records: []cfn.Record{{Name: "home.example.com", Types: []string{"A", "AAAA"}}, {Name: "nas.example.com"}},
		Devices: []cfn.Device{{Name: "router", Records: []string{"home.example.com"}}, {Name: "nas", Records: []string{"nas.example.com"}}},
		DynDNS2: true,
	}
	for _, c := range []struct {
		name    string
		base    cfn.Config
		domain  cfn.Config // the domain fields only
		added   []string
		changed []string
	}{
		{"seed, new certificate", cfn.Config{}, cfn.Config{Domain: "ddns.acme.local"},
			[]string{"BasePathMapping", "Certificate", "DomainAliasA", "DomainName"}, nil},
		{"dual-stack devices, existing certificate, no execute-api", dualstack,
			cfn.Config{Domain: "ddns.example.com", CertificateARN: testCertificate, DisableExecuteAPI: true},
			[]string{"BasePathMapping", "DomainAliasA", "DomainAliasAAAA", "DomainName"}, []string{"RestApi"}},
		{"prefix", cfn.Config{Prefix: "Home", Records: []cfn.Record{{Name: "home.acme.local"}}}, cfn.Config{Domain: "acme.local"},
			[]string{"HomeBasePathMapping", "HomeCertificate", "HomeDomainAliasA", "HomeDomainName"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := build(t, c.base)
			with := c.base
			with.Domain, with.CertificateARN, with.DisableExecuteAPI = c.domain.Domain, c.domain.CertificateARN, c.domain.DisableExecuteAPI
			after := build(t, with)
			var added, changed []string
			for _, id := range slices.Sorted(maps.Keys(after.Resources)) {
				old, ok := before.Resources[id]
				switch {
				case !ok:
					added = append(added, id)
				case marshal(t, old) != marshal(t, after.Resources[id]):
					changed = append(changed, id)
				}
			}
			// The Deployment's id hashes the API, which DisableExecuteApiEndpoint
			// changes: a new Deployment then, and the Stage points at it.
			for id := range before.Resources {
				if _, ok := after.Resources[id]; !ok && !strings.Contains(id, "Deployment") {
					t.Errorf("the domain removed resource %s", id)
				}
			}
			added = slices.DeleteFunc(added, func(id string) bool { return strings.Contains(id, "Deployment") })
			if diff := cmp.Diff(c.added, added); diff != "" {
				t.Errorf("resources added (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(c.changed, slices.DeleteFunc(changed, func(id string) bool { return strings.HasSuffix(id, "Stage") })); diff != "" {
				t.Errorf("resources changed (-want +got):\n%s", diff)
			}
			// The role, its trust and its policy: byte for byte the same.
			for id, r := range before.Resources {
				if strings.HasPrefix(r.AWSCloudFormationType(), "AWS::IAM::") {
					if got, want := marshal(t, after.Resources[id]), marshal(t, r); got != want {
						t.Errorf("%s changed with the domain:\nbefore %s\nafter  %s", id, want, got)
					}
				}
			}
			for id, r := range after.Resources {
				if _, ok := before.Resources[id]; !ok && strings.HasPrefix(r.AWSCloudFormationType(), "AWS::IAM::") {
					t.Errorf("the domain added IAM resource %s", id)
				}
			}
		})
	}
}

// TestDomainMatchesAPIAddressType: the domain is dual-stack exactly when
// the API is, with an AAAA alias then; an IPv4 domain in front of a
// dual-stack API would lose every IPv6 caller.
func TestDomainMatchesAPIAddressType(t *testing.T) {
	for _, c := range []struct {
		types    []string
		ipv4Only bool
		want     string
		aliases  []string
	}{
		{[]string{"A"}, false, "ipv4", []string{"A"}},
		{[]string{"A", "AAAA"}, false, "dualstack", []string{"A", "AAAA"}},
		{[]string{"AAAA"}, false, "dualstack", []string{"A", "AAAA"}},
		{[]string{"A", "AAAA"}, true, "ipv4", []string{"A"}},
	} {
		tmpl := build(t, cfn.Config{Records: []cfn.Record{{Name: "home.example.com", Types: c.types}}, IPv4Only: c.ipv4Only, Domain: "ddns.example.com"})
		api := tmpl.Resources["RestApi"].(*cfn.RestAPI)
		d := tmpl.Resources["DomainName"].(*cfn.DomainName)
		if d.EndpointConfiguration.IpAddressType != c.want || api.EndpointConfiguration.IpAddressType != c.want {
			t.Errorf("types %v, ipv4-only %v: domain %s, API %s, want both %s", c.types, c.ipv4Only,
				d.EndpointConfiguration.IpAddressType, api.EndpointConfiguration.IpAddressType, c.want)
		}
		if !slices.Equal(d.EndpointConfiguration.Types, []string{"REGIONAL"}) {
			t.Errorf("domain endpoint types %v, want REGIONAL", d.EndpointConfiguration.Types)
		}
		var aliases []string
		for id, r := range tmpl.Resources {
			if rs, ok := r.(*route53.RecordSet); ok {
				aliases = append(aliases, rs.Type)
				if rs.Name != "ddns.example.com" || rs.AliasTarget == nil ||
					rs.AliasTarget.DNSName != cloudformation.GetAtt("DomainName", "RegionalDomainName") ||
					rs.AliasTarget.HostedZoneId != cloudformation.GetAtt("DomainName", "RegionalHostedZoneId") ||
					*rs.HostedZoneId != cloudformation.Ref("HostedZoneId") {
					t.Errorf("%s is not an alias of ddns.example.com to the domain in the stack's zone: %s", id, marshal(t, rs))
				}
			}
		}
		slices.Sort(aliases)
		if !slices.Equal(aliases, c.aliases) {
			t.Errorf("types %v, ipv4-only %v: alias records %v, want %v", c.types, c.ipv4Only, aliases, c.aliases)
		}
	}
}

// TestDomainCertificate: the certificate is validated by DNS in the zone
// the domain lies in (the longest), or an existing one is used as given.
func TestDomainCertificate(t *testing.T) {
	tmpl := build(t, cfn.Config{
		Zones:   []cfn.Zone{{Name: "example.com", ID: "Z0123456789ABCDEFGHIJ"}, {Name: "home.example.com"}},
		Records: []cfn.Record{{Name: "www.example.com"}, {Name: "nas.home.example.com"}},
		Domain:  "ddns.home.example.com",
	})
	cert := tmpl.Resources["Certificate"].(*certificatemanager.Certificate)
	want := &certificatemanager.Certificate{
		DomainName:       "ddns.home.example.com",
		ValidationMethod: cloudformation.String("DNS"),
		DomainValidationOptions: []certificatemanager.Certificate_DomainValidationOption{{
			DomainName: "ddns.home.example.com", HostedZoneId: cloudformation.String(cloudformation.Ref("HostedZoneId")),
		}},
	}
	if diff := cmp.Diff(marshal(t, want), marshal(t, cert)); diff != "" {
		t.Errorf("certificate (-want +got):\n%s", diff)
	}
	d := tmpl.Resources["DomainName"].(*cfn.DomainName)
	if d.RegionalCertificateArn != cloudformation.Ref("Certificate") || d.SecurityPolicy != "TLS_1_2" {
		t.Errorf("domain name %s: want the new certificate and TLS 1.2", marshal(t, d))
	}
	m := tmpl.Resources["BasePathMapping"].(*apigateway.BasePathMapping)
	if m.BasePath != nil || *m.Stage != cloudformation.Ref("Stage") || *m.RestApiId != cloudformation.Ref("RestApi") || m.DomainName != cloudformation.Ref("DomainName") {
		t.Errorf("base path mapping %s: want the stage at the root of the domain", marshal(t, m))
	}

	c := cfn.Config{Domain: "ddns.acme.local", CertificateARN: testCertificate}
	tmpl = build(t, c)
	if _, ok := tmpl.Resources["Certificate"]; ok {
		t.Error("a certificate was made although one was given")
	}
	if got := tmpl.Resources["DomainName"].(*cfn.DomainName).RegionalCertificateArn; got != testCertificate {
		t.Errorf("RegionalCertificateArn %q, want %q", got, testCertificate)
	}
	if w := strings.Join(c.Warnings(), "\n"); !strings.Contains(w, "certificate_arn is in eu-central-1") || !strings.Contains(w, "deploy the stack in eu-central-1") {
		t.Errorf("warnings %q do not name the certificate's region", w)
	}
}

// TestDomainOutputs: the update URLs, the curl and cron lines and the
// dyndns2 server and path are the custom domain's, the stage at its root.
func TestDomainOutputs(t *testing.T) {
	tmpl := build(t, cfn.Config{
		Zones:   []cfn.Zone{{Name: "example.com", ID: "Z0123456789ABCDEFGHIJ"}, {Name: "acme.local", ID: "ZACME"}},
		Records: []cfn.Record{{Name: "home.example.com"}, {Name: "nas.acme.local"}},
		Domain:  "ddns.example.com", DynDNS2: true,
		Devices: []cfn.Device{{Name: "router", Records: []string{"home.example.com"}}, {Name: "nas", Records: []string{"nas.acme.local"}}},
	})
	want := map[string]string{
		"UpdateUrlExampleCom": "https://ddns.example.com/Z0123456789ABCDEFGHIJ",
		"UpdateUrlAcmeLocal":  "https://ddns.example.com/ZACME",
		"CurlCommand":         `curl -sS -H "x-api-key: $DDNS_API_KEY" 'https://ddns.example.com/ZACME'`,
		"CronLine":            `*/5 * * * * curl -fsS -m 20 -H "x-api-key: $DDNS_API_KEY" 'https://ddns.example.com/ZACME' >/dev/null`,
		"DynDNS2Server":       "ddns.example.com",
		"DynDNS2Script":       "/nic/update",
	}
	for name, v := range want {
		if got := outputText(t, tmpl, name); got != v {
			t.Errorf("output %s = %q, want %q", name, got, v)
		}
	}
}

// TestDomainRefusals: each bad domain setting names the field, the value
// and the rule.
func TestDomainRefusals(t *testing.T) {
	long := strings.Repeat("a", 50) + ".ddns.acme.local" // 66 characters
	for _, c := range []struct {
		cfg   cfn.Config
		field string
		value string
		rule  string
	}{
		{cfn.Config{Domain: "ddns.example.com"}, "domain", "ddns.example.com", "must lie in one of the stack's hosted zones (acme.local)"},
		{cfn.Config{Domain: "myddns.acme.local"}, "domain", "myddns.acme.local", "also one of the records"},
		{cfn.Config{Domain: "dd ns.acme.local"}, "domain", "dd ns.acme.local", `label "dd ns"`},
		{cfn.Config{Domain: "*.acme.local"}, "domain", "*.acme.local", "wildcard"},
		{cfn.Config{Domain: long}, "domain", long, "at most 64 characters"},
		{cfn.Config{CertificateARN: testCertificate}, "certificate_arn", testCertificate, "set domain too"},
		{cfn.Config{DisableExecuteAPI: true}, "disable_execute_api", "true", "the only way in"},
		{cfn.Config{Domain: "ddns.acme.local", CertificateARN: "arn:aws:iam::123456789012:server-certificate/x"},
			"certificate_arn", "arn:aws:iam::123456789012:server-certificate/x", "an ACM certificate ARN"},
		{cfn.Config{Domain: "ddns.acme.local", CertificateARN: "arn:aws:acm::123456789012:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"},
			"certificate_arn", "arn:aws:acm::123456789012:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "in the stack's region"},
		{cfn.Config{Domain: "ddns.acme.local", CertificateARN: testCertificate + "'"}, "certificate_arn", testCertificate + "'", "an ACM certificate ARN"},
	} {
		err := c.cfg.Validate()
		var ce *cfn.ConfigError
		if !errors.As(err, &ce) || ce.Field != c.field || ce.Value != c.value || !strings.Contains(ce.Rule, c.rule) {
			t.Errorf("%+v: err = %v, want field %s, value %q, rule containing %q", c.cfg, err, c.field, c.value, c.rule)
		}
	}
	// A long name is fine with an existing certificate, and so is another
	// partition's.
	for _, c := range []cfn.Config{
		{Domain: long, CertificateARN: testCertificate},
		{Domain: "ddns.acme.local", CertificateARN: "arn:aws-cn:acm:cn-north-1:123456789012:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"},
		{Domain: "acme.local"}, // the zone's apex takes an alias too
	} {
		if err := c.Validate(); err != nil {
			t.Errorf("%+v: %v", c, err)
		}
	}
	// An OpenAPI document cannot hold a custom domain.
	_, err := cfn.OpenAPI(cfn.Config{Domain: "ddns.acme.local"}, cfn.OpenAPIOptions{RoleARN: "arn:aws:iam::123456789012:role/r"})
	var ce *cfn.ConfigError
	if !errors.As(err, &ce) || ce.Field != "domain" || !strings.Contains(ce.Rule, "OpenAPI document holds the API alone") {
		t.Errorf("OpenAPI with a domain: err = %v", err)
	}
}

// TestDomainSAM: SAM keeps the domain as plain resources beside the
// AWS::Serverless::Api, mapped to the stage SAM makes; the role is the
// same as without the domain.
func TestDomainSAM(t *testing.T) {
	tmpl, err := cfn.BuildSAM(cfn.Config{Domain: "ddns.acme.local", DisableExecuteAPI: true})
	if err != nil {
		t.Fatal(err)
	}
	m := tmpl.Resources["BasePathMapping"].(*apigateway.BasePathMapping)
	if *m.Stage != cloudformation.Ref("RestApi.Stage") {
		t.Errorf("SAM base path mapping stage %s, want Ref RestApi.Stage", *m.Stage)
	}
	if j := marshal(t, tmpl.Resources["RestApi"]); !strings.Contains(j, `"DisableExecuteApiEndpoint":true`) {
		t.Errorf("SAM API without DisableExecuteApiEndpoint: %s", j)
	}
	plain, err := cfn.BuildSAM(cfn.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := marshal(t, tmpl.Resources["Role"].(*iam.Role)), marshal(t, plain.Resources["Role"].(*iam.Role)); got != want {
		t.Errorf("SAM role changed with the domain:\n%s\n%s", want, got)
	}
}

// TestDomainAddTo: AddTo names the domain's resources, in the template's
// own hosted zone.
func TestDomainAddTo(t *testing.T) {
	tmpl := cloudformation.NewTemplate()
	tmpl.Resources["LabZone"] = &route53.HostedZone{Name: cloudformation.String("lab.example.com")}
	s, err := cfn.AddTo(tmpl, cfn.Config{
		Prefix: "Ddns", Zones: []cfn.Zone{{Name: "lab.example.com", Ref: "LabZone"}},
		Records: []cfn.Record{{Name: "gw.lab.example.com"}}, Domain: "ddns.lab.example.com",
	})
	if err != nil {
		t.Fatal(err)
	}
	if s.DomainName != "DdnsDomainName" || s.Certificate != "DdnsCertificate" {
		t.Errorf("Stack.DomainName %q, Certificate %q", s.DomainName, s.Certificate)
	}
	cert := tmpl.Resources[s.Certificate].(*certificatemanager.Certificate)
	alias := tmpl.Resources["DdnsDomainAliasA"].(*route53.RecordSet)
	if *cert.DomainValidationOptions[0].HostedZoneId != cloudformation.Ref("LabZone") || *alias.HostedZoneId != cloudformation.Ref("LabZone") {
		t.Errorf("validation in %s, alias in %s: want both in Ref LabZone", *cert.DomainValidationOptions[0].HostedZoneId, *alias.HostedZoneId)
	}
	if m := tmpl.Resources["DdnsBasePathMapping"].(*apigateway.BasePathMapping); m.DomainName != cloudformation.Ref("DdnsDomainName") || *m.Stage != cloudformation.Ref("DdnsStage") {
		t.Errorf("base path mapping %s", marshal(t, m))
	}
}
