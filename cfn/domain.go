package cfn

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/apigateway"
	"github.com/awslabs/goformation/v7/cloudformation/certificatemanager"
	"github.com/awslabs/goformation/v7/cloudformation/route53"
	"github.com/awslabs/goformation/v7/cloudformation/tags"
)

// Logical IDs of the custom domain's resources (Config.Domain).
const (
	IDCertificate     = "Certificate"
	IDDomainName      = "DomainName"
	IDBasePathMapping = "BasePathMapping"
	// IDDomainAlias is the alias record; its type follows: DomainAliasA,
	// DomainAliasAAAA.
	IDDomainAlias = "DomainAlias"
)

var certificateARNRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^arn:aws[a-z-]*:acm:([a-z]{2}(-[a-z]+)+-[0-9]):[0-9]{12}:certificate/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
})

const (
	ruleCertificateARN = "an ACM certificate ARN, arn:aws:acm:REGION:123456789012:certificate/UUID, of a certificate in the stack's region (a REGIONAL custom domain takes a certificate from its own region, not us-east-1's unless the stack is there)"
	// ACM puts the first name of a certificate in its subject's common
	// name, which X.509 bounds at 64 characters.
	maxCertificateName = 64
)

// domainPlan is a validated custom domain.
type domainPlan struct {
	name           string
	zone           *zonePlan
	certificateARN string // an existing certificate, or "": ddnsgen makes one
	disableDefault bool   // DisableExecuteApiEndpoint
}

// addDomain checks Config.Domain, CertificateARN and DisableExecuteAPI once
// the zones and records are known.
func (p *plan) addDomain(c Config) error {
	if c.Domain == "" {
		switch {
		case c.CertificateARN != "":
			return configError("certificate_arn", c.CertificateARN, "a certificate is for a custom domain: set domain too")
		case c.DisableExecuteAPI:
			return configError("disable_execute_api", "true", "without a custom domain (domain) the execute-api endpoint is the only way in: set domain too, or drop disable_execute_api")
		}
		return nil
	}
	name, rule := normalizeName(c.Domain)
	if rule != "" {
		return configError("domain", c.Domain, rule)
	}
	d := &domainPlan{name: name, disableDefault: c.DisableExecuteAPI}
	for _, z := range p.zones {
		if (name == z.name || strings.HasSuffix(name, "."+z.name)) && (d.zone == nil || len(z.name) > len(d.zone.name)) {
			d.zone = z
		}
	}
	if d.zone == nil {
		return configError("domain", c.Domain, fmt.Sprintf(
			"the custom domain must lie in one of the stack's hosted zones (%s): its alias records, and the certificate's validation record, go there", p.zoneList()))
	}
	if r := p.record(name); r != nil {
		return configError("domain", c.Domain, "the custom domain is also one of the records: an update would replace its alias record; give the API a name of its own, e.g. ddns."+d.zone.name)
	}
	if c.CertificateARN != "" {
		m := certificateARNRE().FindStringSubmatch(c.CertificateARN)
		if m == nil {
			return configError("certificate_arn", c.CertificateARN, ruleCertificateARN)
		}
		d.certificateARN = c.CertificateARN
		p.warnings = append(p.warnings, "certificate_arn is in "+m[1]+": a REGIONAL custom domain takes a certificate from its own region, so deploy the stack in "+m[1]+
			", and the certificate must cover "+name)
	} else if len(name) > maxCertificateName {
		return configError("domain", c.Domain, fmt.Sprintf(
			"ACM puts a certificate's first name in its common name, at most %d characters: use a shorter name, or an existing certificate that lists it (certificate_arn)", maxCertificateName))
	}
	p.domain = d
	return nil
}

// DomainName is an AWS::ApiGateway::DomainName with the properties ddnsgen
// sets. It stands in for goformation's apigateway.DomainName, which
// (v7.14.9) lacks EndpointConfiguration.IpAddressType: a custom domain has
// its own IP address type (default ipv4), so a dual-stack API behind an
// IPv4 domain silently loses every IPv6 caller.
type DomainName struct {
	DomainName             string
	RegionalCertificateArn string
	EndpointConfiguration  EndpointConfiguration
	SecurityPolicy         string
	Tags                   []tags.Tag
}

// AWSCloudFormationType implements cloudformation.Resource.
func (d *DomainName) AWSCloudFormationType() string { return "AWS::ApiGateway::DomainName" }

type domainNameProperties struct {
	DomainName             string                `json:"DomainName"`
	RegionalCertificateArn string                `json:"RegionalCertificateArn"`
	EndpointConfiguration  EndpointConfiguration `json:"EndpointConfiguration"`
	SecurityPolicy         string                `json:"SecurityPolicy,omitempty"`
	Tags                   []tags.Tag            `json:"Tags,omitempty"`
}

// MarshalJSON writes the resource as CloudFormation expects it.
func (d DomainName) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Type       string
		Properties domainNameProperties
	}{d.AWSCloudFormationType(), domainNameProperties(d)})
}

// UnmarshalJSON reads what MarshalJSON wrote.
func (d *DomainName) UnmarshalJSON(b []byte) error {
	var v struct {
		Type       string
		Properties domainNameProperties
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields() // a property we cannot carry is an error, not a loss
	if err := dec.Decode(&v); err != nil {
		return fmt.Errorf("AWS::ApiGateway::DomainName: %w", err)
	}
	*d = DomainName(v.Properties)
	return nil
}

// urlHost is the host of the update URLs: the custom domain, or the
// execute-api host (inside a Fn::Sub string).
func (b *builder) urlHost() string {
	if d := b.p.domain; d != nil {
		return d.name
	}
	return "${" + b.id(IDRestAPI) + "}.execute-api.${AWS::Region}.${AWS::URLSuffix}"
}

// urlStage is the path before the API's own paths: "/STAGE", or "" on the
// custom domain, whose base path mapping serves the stage at the root.
func (b *builder) urlStage() string {
	if b.p.domain != nil {
		return ""
	}
	return "/" + b.p.stage
}

// domain adds the custom domain: a certificate validated by DNS in the
// domain's hosted zone (CloudFormation writes the validation record and
// waits for the certificate), the REGIONAL domain name with the API's IP
// address type, the stage mapped at its root, and alias records A (and
// AAAA when dual-stack). The role of the update path gains nothing: these
// records are CloudFormation's to write, with the deployer's rights.
func (b *builder) domain() {
	d := b.p.domain
	if d == nil {
		return
	}
	certificate := d.certificateARN
	if certificate == "" {
		b.t.Resources[b.id(IDCertificate)] = &certificatemanager.Certificate{
			DomainName:       d.name,
			ValidationMethod: cloudformation.String("DNS"),
			DomainValidationOptions: []certificatemanager.Certificate_DomainValidationOption{{
				DomainName:   d.name,
				HostedZoneId: cloudformation.String(d.zone.value()),
			}},
			Tags: b.p.tags,
		}
		certificate = cloudformation.Ref(b.id(IDCertificate))
	}
	ipType := "ipv4"
	if b.p.dualstack {
		ipType = "dualstack"
	}
	b.t.Resources[b.id(IDDomainName)] = &DomainName{
		DomainName:             d.name,
		RegionalCertificateArn: certificate,
		EndpointConfiguration:  EndpointConfiguration{Types: []string{"REGIONAL"}, IpAddressType: ipType},
		SecurityPolicy:         "TLS_1_2",
		Tags:                   b.p.tags,
	}
	// No BasePath: the stage is served at the domain's root, so
	// https://DOMAIN/nic/update and https://DOMAIN/ZONEID work.
	b.t.Resources[b.id(IDBasePathMapping)] = &apigateway.BasePathMapping{
		DomainName: cloudformation.Ref(b.id(IDDomainName)),
		RestApiId:  cloudformation.String(cloudformation.Ref(b.id(IDRestAPI))),
		Stage:      cloudformation.String(cloudformation.Ref(b.id(IDStage))),
	}
	types := []string{"A"}
	if b.p.dualstack {
		types = append(types, "AAAA")
	}
	for _, typ := range types {
		b.t.Resources[b.id(IDDomainAlias+typ)] = &route53.RecordSet{
			HostedZoneId: cloudformation.String(d.zone.value()),
			Name:         d.name,
			Type:         typ,
			AliasTarget: &route53.RecordSet_AliasTarget{
				DNSName:              cloudformation.GetAtt(b.id(IDDomainName), "RegionalDomainName"),
				HostedZoneId:         cloudformation.GetAtt(b.id(IDDomainName), "RegionalHostedZoneId"),
				EvaluateTargetHealth: cloudformation.Bool(false),
			},
		}
	}
}
