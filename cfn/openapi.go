package cfn

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/apigateway"
	"github.com/awslabs/goformation/v7/cloudformation/serverless"
)

// OpenAPIOptions are what an OpenAPI document for import needs that a
// CloudFormation template would have filled in.
type OpenAPIOptions struct {
	// RoleARN is the role API Gateway assumes to call Route 53 (required).
	// It must trust apigateway.amazonaws.com and allow what the stack's own
	// role allows: ChangeResourceRecordSets, UPSERT of the configured names
	// and types (see README, "Security model").
	RoleARN string
	// Region goes in the Route 53 integration's URI (default us-east-1):
	// Route 53 is global, so any region works.
	Region string
}

// Document is an OpenAPI document, written with its YAML or JSON method.
type Document struct{ v ordered }

// ordered is a JSON object that keeps its keys in the order given.
type ordered []field

type field struct {
	key   string
	value any
}

// MarshalJSON writes the object in order.
func (o ordered) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(f.key)
		b.Write(k)
		b.WriteByte(':')
		v, err := json.Marshal(f.value)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// YAML writes the document in the style of the templates.
func (d Document) YAML() ([]byte, error) {
	root, err := documentTree(d.v)
	if err != nil {
		return nil, err
	}
	styleYAML(root, maxFlowList)
	return encodeYAML(root)
}

// JSON writes the document as indented JSON without HTML escaping.
func (d Document) JSON() ([]byte, error) {
	root, err := documentTree(d.v)
	if err != nil {
		return nil, err
	}
	return encodeJSON(root)
}

var (
	roleARNRE = regexpPattern(`^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$`)
	regionRE  = regexpPattern(`^[a-z]{2}(-[a-z]+)+-[0-9]$`)
)

// OpenAPI returns the API of cfg's stack alone, as an OpenAPI 3 document
// with API Gateway's extensions, for `aws apigateway import-rest-api`.
// What CloudFormation would otherwise create is the importer's to create:
// the role, the stage with its variables (ddns_zone_N: the zone ids,
// ddns_key_N: the API key ids, ddns_password_DEVICE: dyndns2 passwords),
// the API keys and the usage plan. An OpenAPI document cannot make the API
// dual-stack either.
func OpenAPI(cfg Config, o OpenAPIOptions) (Document, error) {
	if !roleARNRE.MatchString(o.RoleARN) {
		return Document{}, configError("role_arn", o.RoleARN, "an IAM role ARN, arn:aws:iam::123456789012:role/NAME")
	}
	if o.Region == "" {
		o.Region = "us-east-1"
	}
	if !regionRE.MatchString(o.Region) {
		return Document{}, configError("region", o.Region, "a region name such as us-east-1")
	}
	p, err := cfg.plan(false)
	if err != nil {
		return Document{}, err
	}
	if p.domain != nil {
		return Document{}, configError("domain", p.domain.name, "an OpenAPI document holds the API alone, and a custom domain is a certificate, a domain name, a base path mapping and DNS records beside it: "+
			"generate a CloudFormation or SAM template instead (format yaml, json or sam), or create the domain yourself (see README, \"Custom domain\")")
	}
	if f, v := p.ops.field(); f != "" {
		return Document{}, configError(f, v, "an OpenAPI document holds the API alone: access logs, alarms and the web ACL go with the CloudFormation formats")
	}
	if err := p.checkDevices(); err != nil {
		return Document{}, err
	}
	vars := len(p.zones) + len(p.devices)
	if p.dyndns2 {
		vars += len(p.dyndns2Users())
	}
	if vars > MaxStageVariables {
		return Document{}, configError("devices", strconv.Itoa(len(p.devices)), fmt.Sprintf(
			"imported from OpenAPI, each zone id, API key id and password is a stage variable, and a stage holds %d", MaxStageVariables))
	}
	b := &builder{p: p, t: cloudformation.NewTemplate(), texts: map[string]string{}, openapi: &o}
	if err := b.build(); err != nil {
		return Document{}, err
	}
	if err := checkCounts(b.t, b.texts); err != nil {
		return Document{}, err
	}
	return Document{b.openAPI()}, nil
}

// BuildSAM returns cfg's stack as an AWS SAM template: the REST API is an
// AWS::Serverless::Api whose DefinitionBody is the OpenAPI document (the
// same mapping templates), beside the same role, keys and usage plan. SAM
// drops a dual-stack endpoint (EndpointConfiguration.IpAddressType); the
// template then outputs the command that turns it on.
func BuildSAM(cfg Config) (*cloudformation.Template, error) {
	p, err := cfg.plan(false)
	if err != nil {
		return nil, err
	}
	if err := p.checkDevices(); err != nil {
		return nil, err
	}
	b := &builder{p: p, t: cloudformation.NewTemplate(), texts: map[string]string{}}
	if err := b.build(); err != nil {
		return nil, err
	}
	body := b.openAPI()
	stage := b.t.Resources[b.id(IDStage)].(*apigateway.Stage)
	var settings []any
	for _, s := range stage.MethodSettings {
		settings = append(settings, map[string]any{
			"HttpMethod": *s.HttpMethod, "ResourcePath": *s.ResourcePath,
			"ThrottlingRateLimit": *s.ThrottlingRateLimit, "ThrottlingBurstLimit": *s.ThrottlingBurstLimit,
		})
	}
	var tagMap map[string]string
	if len(p.tags) > 0 {
		tagMap = map[string]string{}
		for _, tg := range p.tags {
			tagMap[tg.Key] = tg.Value
		}
	}
	for _, id := range append(append([]string{b.id(IDRestAPI), b.id(IDZoneResource), b.id(IDNicResource), b.id(IDNicUpdateResource),
		b.id(IDNicUpdateURLResource), b.id(IDAcmeResource), b.id(IDMyIPResource), b.deployment, b.id(IDStage)}, b.methods...), b.apiParts...) {
		delete(b.t.Resources, id)
	}
	api := &serverless.Api{
		Name:                  cloudformation.String(p.apiName),
		Description:           cloudformation.String("Dynamic DNS: updates " + p.summary() + " in Route 53"),
		StageName:             p.stage,
		DefinitionBody:        body,
		EndpointConfiguration: &serverless.Api_EndpointConfiguration{Type: cloudformation.String("REGIONAL")},
		MethodSettings:        settings,
		Variables:             stage.Variables,
		Tags:                  tagMap,
	}
	b.t.Resources[b.id(IDRestAPI)] = api
	b.samOps(api, stage)
	if p.domain != nil && p.domain.disableDefault {
		api.DisableExecuteApiEndpoint = cloudformation.Bool(true)
	}
	// SAM names the stage it makes RestApi.Stage.
	samStage := cloudformation.String(cloudformation.Ref(b.id(IDRestAPI) + ".Stage"))
	if up, ok := b.t.Resources[b.id(IDUsagePlan)].(*apigateway.UsagePlan); ok {
		up.ApiStages[0].Stage = samStage
	}
	// The custom domain stays plain CloudFormation beside the SAM API (not
	// SAM's Api.Domain): the same resources and IP address type as the
	// yaml format, whatever SAM version transforms it.
	if m, ok := b.t.Resources[b.id(IDBasePathMapping)].(*apigateway.BasePathMapping); ok {
		m.Stage = samStage
	}
	if p.dualstack {
		b.t.Outputs[b.id("EnableDualStackCommand")] = cloudformation.Output{
			Description: cloudformation.String("SAM cannot make the API dual-stack: run this once after deploying, or IPv6 callers cannot reach it"),
			Value: cloudformation.SubVars("aws apigateway update-rest-api --rest-api-id ${"+b.id(IDRestAPI)+"} --region ${AWS::Region} --patch-operations ${Patch}",
				map[string]any{"Patch": "op=replace,path=/endpointConfiguration/ipAddressType,value=dualstack"}), // a line short enough to read
		}
	}
	b.t.Transform = &cloudformation.Transform{String: cloudformation.String("AWS::Serverless-2016-10-31")}
	if err := checkPolicySize(b.policy); err != nil {
		return nil, err
	}
	if err := checkCounts(b.t, b.texts); err != nil {
		return nil, err
	}
	return b.t, nil
}

// openAPI turns the methods the builder made into an OpenAPI document.
func (b *builder) openAPI() ordered {
	paths := ordered{}
	for _, m := range []struct{ id, path string }{
		{b.id(IDUpdateMethod), "/{zone_id}"},
		{b.id(IDNicUpdateMethod), "/nic/update"},
		{b.id(IDNicUpdateURLMethod), "/nic/update-url"},
		{b.id(IDAcmeMethod), "/update"},
		{b.id(IDMyIPMethod), "/myip"},
	} {
		method, ok := b.t.Resources[m.id].(*apigateway.Method)
		if !ok {
			continue
		}
		paths = append(paths, field{m.path, ordered{{strings.ToLower(method.HttpMethod), operation(m.id, method)}}})
	}
	doc := ordered{
		{"openapi", "3.0.1"},
		{"info", ordered{
			{"title", b.p.apiName},
			{"description", "Dynamic DNS: updates " + b.p.summary() + " in Route 53, no Lambda (generated by ddnsgen)"},
			{"version", "1.0"},
		}},
		{"paths", paths},
	}
	if !b.p.open {
		doc = append(doc,
			field{"components", ordered{{"securitySchemes", ordered{{"api_key", ordered{
				{"type", "apiKey"}, {"name", "x-api-key"}, {"in", "header"},
			}}}}}},
			field{"x-amazon-apigateway-api-key-source", "HEADER"},
		)
	}
	if v, ok := b.t.Resources[b.id(IDNicAuthValidator)].(*apigateway.RequestValidator); ok {
		doc = append(doc, field{"x-amazon-apigateway-request-validators", ordered{{*v.Name, ordered{
			{"validateRequestParameters", *v.ValidateRequestParameters},
			{"validateRequestBody", *v.ValidateRequestBody},
		}}}})
	}
	var responses ordered
	for _, id := range []string{IDNicAuthChallenge, IDNicThrottled} {
		if g, ok := b.t.Resources[b.id(id)].(*apigateway.GatewayResponse); ok {
			responses = append(responses, field{g.ResponseType, ordered{
				{"statusCode", *g.StatusCode},
				{"responseParameters", g.ResponseParameters},
				{"responseTemplates", g.ResponseTemplates},
			}})
		}
	}
	if len(responses) > 0 {
		doc = append(doc, field{"x-amazon-apigateway-gateway-responses", responses})
	}
	return doc
}

func operation(id string, m *apigateway.Method) ordered {
	var params []any
	for _, k := range slices.Sorted(maps.Keys(m.RequestParameters)) {
		parts := strings.SplitN(strings.TrimPrefix(k, "method.request."), ".", 2)
		in := map[string]string{"path": "path", "querystring": "query", "header": "header"}[parts[0]]
		params = append(params, ordered{
			{"name", parts[1]}, {"in", in}, {"required", m.RequestParameters[k] == "true"},
			{"schema", ordered{{"type", "string"}}},
		})
	}
	responses := ordered{}
	for _, r := range m.MethodResponses {
		desc := statusDescriptions[r.StatusCode]
		if strings.HasSuffix(id, IDMyIPMethod) {
			desc = myIPStatuses[r.StatusCode]
		}
		resp := ordered{{"description", desc}}
		if len(r.ResponseParameters) > 0 {
			headers := ordered{}
			for _, k := range slices.Sorted(maps.Keys(r.ResponseParameters)) {
				headers = append(headers, field{strings.TrimPrefix(k, "method.response.header."), ordered{{"schema", ordered{{"type", "string"}}}}})
			}
			resp = append(resp, field{"headers", headers})
		}
		responses = append(responses, field{r.StatusCode, resp})
	}
	in := m.Integration
	integrationResponses := ordered{}
	for _, r := range in.IntegrationResponses {
		key := "default"
		if r.SelectionPattern != nil {
			key = *r.SelectionPattern
		}
		resp := ordered{{"statusCode", r.StatusCode}}
		if len(r.ResponseParameters) > 0 {
			resp = append(resp, field{"responseParameters", r.ResponseParameters})
		}
		resp = append(resp, field{"responseTemplates", r.ResponseTemplates})
		integrationResponses = append(integrationResponses, field{key, resp})
	}
	op := ordered{{"operationId", id}}
	if len(params) > 0 {
		op = append(op, field{"parameters", params})
	}
	if m.ApiKeyRequired != nil && *m.ApiKeyRequired {
		op = append(op, field{"security", []any{ordered{{"api_key", []string{}}}}})
	}
	if m.RequestValidatorId != nil {
		// dyndns2's is the only request validator (see dyndns2.go).
		op = append(op, field{"x-amazon-apigateway-request-validator", "dyndns2-credentials"})
	}
	integration := ordered{{"type", strings.ToLower(in.Type)}}
	if in.Type != "MOCK" { // a MOCK integration calls nothing, as no one
		integration = append(integration,
			field{"httpMethod", *in.IntegrationHttpMethod},
			field{"uri", *in.Uri},
			field{"credentials", *in.Credentials})
	}
	integration = append(integration, field{"passthroughBehavior", strings.ToLower(*in.PassthroughBehavior)})
	if len(in.RequestParameters) > 0 {
		integration = append(integration, field{"requestParameters", in.RequestParameters})
	}
	integration = append(integration,
		field{"requestTemplates", in.RequestTemplates},
		field{"responses", integrationResponses})
	return append(op,
		field{"responses", responses},
		field{"x-amazon-apigateway-integration", integration},
	)
}

// statusDescriptions describe the update methods' statuses in an OpenAPI
// document.
var statusDescriptions = map[string]string{
	"200": "OK: the records were updated (dyndns2: one answer line per name)",
	"400": "Bad request: a bad name or address, or Route 53 refused the change",
	"401": "dyndns2: bad credentials (badauth)",
	"403": "Forbidden: an API key of no device, or a name the key may not update",
	"429": "Route 53 throttled the change: try again later",
	"502": "Route 53 failed, or refused the stack's role or zone: see the message",
	"503": "Route 53 failed",
}

// DocumentOf makes a Document of a value read back from one: mappings as
// [][2]any key-value pairs (to keep their order), lists as []any, and
// scalars. It is for tools that edit a generated OpenAPI document.
func DocumentOf(v any) Document {
	o, _ := orderedOf(v).(ordered)
	return Document{o}
}

func orderedOf(v any) any {
	switch x := v.(type) {
	case [][2]any:
		o := make(ordered, len(x))
		for i, kv := range x {
			o[i] = field{fmt.Sprint(kv[0]), orderedOf(kv[1])}
		}
		return o
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = orderedOf(e)
		}
		return l
	}
	return v
}
