package cfn

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/iam"
)

// Stack names what AddTo added to a template, for the code that builds the
// rest of it: the logical IDs to Ref or GetAtt, and the names of the
// parameters and outputs.
type Stack struct {
	RestAPI    string // AWS::ApiGateway::RestApi
	Stage      string // AWS::ApiGateway::Stage
	StageName  string // the stage's name: the update URL's first path segment
	Deployment string // AWS::ApiGateway::Deployment
	Methods    []string
	// Role is the role API Gateway assumes: the one AddTo added, or
	// Config.Role. Policy is the AWS::IAM::Policy attached to Config.Role.
	Role   string
	Policy string
	// UsagePlan and APIKeys (device name → AWS::ApiGateway::ApiKey) are
	// empty for an open endpoint.
	UsagePlan string
	APIKeys   map[string]string
	// DomainName is the AWS::ApiGateway::DomainName of Config.Domain, and
	// Certificate the AWS::CertificateManager::Certificate made for it
	// (empty with Config.CertificateARN or without a domain).
	DomainName  string
	Certificate string
	Parameters  []string
	Outputs     []string
	// AccessLogs (AWS::Logs::LogGroup), AlarmTopic (AWS::SNS::Topic) and
	// WebACL (AWS::WAFv2::WebACL) are set when the Config asks for them.
	AccessLogs, AlarmTopic, WebACL string
}

// ClashError is AddTo refusing to overwrite what a template already has.
type ClashError struct {
	Resources, Parameters, Outputs []string
}

func (e *ClashError) Error() string {
	var parts []string
	for _, c := range []struct {
		kind  string
		names []string
	}{{"resources", e.Resources}, {"parameters", e.Parameters}, {"outputs", e.Outputs}} {
		if len(c.names) > 0 {
			parts = append(parts, c.kind+" "+strings.Join(c.names, ", "))
		}
	}
	return "cfn: the template already has " + strings.Join(parts, "; ") +
		": give the dynamic DNS stack a Config.Prefix of its own"
}

// AddTo adds the dynamic DNS stack cfg describes to t: its resources,
// parameters and outputs, each logical ID starting with cfg.Prefix. It
// refuses, with a *ClashError listing every clash, to overwrite anything t
// already has, and checks the whole template against CloudFormation's
// limits on counts (YAML and JSON check its size as written). cfg.Role and
// a Zone's Ref may name resources already in t.
//
// On error t is unchanged.
func AddTo(t *cloudformation.Template, cfg Config) (*Stack, error) {
	p, err := cfg.plan(true)
	if err != nil {
		return nil, err
	}
	return addStack(t, p)
}

// addStack adds the stack p plans to t: AddTo's work once cfg is planned.
func addStack(t *cloudformation.Template, p *plan) (*Stack, error) {
	if err := p.checkDevices(); err != nil {
		return nil, err
	}
	if err := p.checkReferences(t); err != nil {
		return nil, err
	}
	if err := p.checkAccount(t); err != nil {
		return nil, err
	}
	// Build beside t, then merge: t stays as it was if anything fails.
	b := &builder{p: p, t: cloudformation.NewTemplate(), texts: map[string]string{}}
	if err := b.build(); err != nil {
		return nil, err
	}
	clash := &ClashError{}
	for _, id := range slices.Sorted(maps.Keys(b.t.Resources)) {
		if _, ok := t.Resources[id]; ok {
			clash.Resources = append(clash.Resources, id)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(b.t.Parameters)) {
		if _, ok := t.Parameters[id]; ok {
			clash.Parameters = append(clash.Parameters, id)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(b.t.Outputs)) {
		if _, ok := t.Outputs[id]; ok {
			clash.Outputs = append(clash.Outputs, id)
		}
	}
	if len(clash.Resources)+len(clash.Parameters)+len(clash.Outputs) > 0 {
		return nil, clash
	}
	merged := *t
	merged.Resources = cloudformation.Resources{}
	merged.Parameters = cloudformation.Parameters{}
	merged.Outputs = cloudformation.Outputs{}
	for _, from := range []*cloudformation.Template{t, b.t} {
		for k, v := range from.Resources {
			merged.Resources[k] = v
		}
		for k, v := range from.Parameters {
			merged.Parameters[k] = v
		}
		for k, v := range from.Outputs {
			merged.Outputs[k] = v
		}
	}
	if merged.Description == "" {
		merged.Description = b.t.Description
	}
	if merged.AWSTemplateFormatVersion == "" {
		merged.AWSTemplateFormatVersion = "2010-09-09"
	}
	if err := checkPolicySize(b.policy); err != nil {
		return nil, err
	}
	if err := checkCounts(&merged, b.texts); err != nil {
		return nil, err
	}
	*t = merged

	s := &Stack{
		RestAPI:    b.id(IDRestAPI),
		Stage:      b.id(IDStage),
		StageName:  p.stage,
		Deployment: b.deployment,
		Methods:    b.methods,
		Role:       b.id(IDRole),
		Parameters: slices.Sorted(maps.Keys(b.t.Parameters)),
		Outputs:    slices.Sorted(maps.Keys(b.t.Outputs)),
	}
	if p.role != "" {
		s.Role, s.Policy = p.role, b.id(IDPolicy)
	}
	if d := p.domain; d != nil {
		s.DomainName = b.id(IDDomainName)
		if d.certificateARN == "" {
			s.Certificate = b.id(IDCertificate)
		}
	}
	if p.ops.accessLogs {
		s.AccessLogs = b.id(IDAccessLogs)
	}
	if p.ops.alarms.Email != "" {
		s.AlarmTopic = b.id(IDAlarmTopic)
	}
	if p.ops.wafRate != 0 {
		s.WebACL = b.id(IDWebACL)
	}
	if !p.open {
		s.UsagePlan = b.id(IDUsagePlan)
		s.APIKeys = map[string]string{}
		for _, d := range p.devices {
			s.APIKeys[d.name] = b.id(IDApiKey + d.id)
		}
	}
	return s, nil
}

// checkReferences: Config.Role and each Zone.Ref name resources of t of the
// right type, and the role trusts API Gateway.
func (p *plan) checkReferences(t *cloudformation.Template) error {
	for i, z := range p.zones {
		if z.ref == "" {
			continue
		}
		r, ok := t.Resources[z.ref]
		if !ok || r.AWSCloudFormationType() != "AWS::Route53::HostedZone" {
			return configError(fmt.Sprintf("zones[%d].ref", i), z.ref, "names no AWS::Route53::HostedZone of the template")
		}
	}
	if p.role == "" {
		return nil
	}
	r, ok := t.Resources[p.role].(*iam.Role)
	if !ok {
		return configError("role", p.role, "names no AWS::IAM::Role of the template")
	}
	trust, err := json.Marshal(r.AssumeRolePolicyDocument)
	if err != nil || !strings.Contains(string(trust), `"apigateway.amazonaws.com"`) {
		return configError("role", p.role, "the role does not trust apigateway.amazonaws.com (AssumeRolePolicyDocument), so API Gateway could not assume it")
	}
	return nil
}
