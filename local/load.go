package local

import (
	"crypto/rand"
	"fmt"
	"github.com/ddnsgen/ddnsgen/templates"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// Key is an API key the lab accepts.
type Key struct {
	LogicalID string // the AWS::ApiGateway::ApiKey resource
	ID        string // what $context.identity.apiKeyId says
	Name      string
	Value     string // what a client sends in x-api-key
}

// stack is a template loaded the way CloudFormation and API Gateway would
// hold it once deployed.
type stack struct {
	apis  []*restAPI
	roles map[string]*role // by ARN
	keys  []*Key
	// domains are the custom domains (see domain.go).
	domains []*domain
	// hostedZones are the template's AWS::Route53::HostedZone resources:
	// id → name.
	hostedZones map[string]string
}

// randomKey is an API key value like API Gateway's: 40 letters and digits.
func randomKey() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 40)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

func load(o *Options, tmpl []byte) (*stack, error) {
	doc, err := parseTemplate(tmpl)
	if err != nil {
		return nil, err
	}
	given := o.Parameters
	if o.ChooseSecrets {
		given = maps.Clone(o.Parameters)
		if given == nil {
			given = map[string]string{}
		}
		chooseSecrets(doc, given)
	}
	params, err := checkParameters(doc, given)
	if err != nil {
		return nil, err
	}
	resources, err := doc.resources()
	if err != nil {
		return nil, err
	}
	r := &resolver{values: map[string]string{}, attrs: map[string]string{}}
	for k, v := range params {
		r.values[k] = v
	}
	r.values["AWS::Region"] = o.Region
	r.values["AWS::Partition"] = "aws"
	r.values["AWS::URLSuffix"] = "amazonaws.com"
	r.values["AWS::AccountId"] = o.AccountID
	r.values["AWS::StackName"] = o.StackName
	r.values["AWS::StackId"] = "arn:aws:cloudformation:" + o.Region + ":" + o.AccountID + ":stack/" + o.StackName + "/" + physicalID(o.StackName, "stack", 12)

	// Physical ids first: properties refer to them.
	for _, res := range resources {
		id := physicalID(o.StackName, res.id, 10)
		switch res.typ {
		case "AWS::ApiGateway::RestApi":
			r.attrs[res.id+".RootResourceId"] = physicalID(o.StackName, res.id+"/", 10)
		case "AWS::ApiGateway::Stage":
			name, err := r.str(res.properties["StageName"])
			if err != nil {
				return nil, fmt.Errorf("%s.StageName: %w", res.id, err)
			}
			id = name
		case "AWS::IAM::Role":
			name := o.StackName + "-" + res.id + "-" + strings.ToUpper(physicalID(o.StackName, res.id, 12))
			if n, ok := res.properties["RoleName"].(string); ok {
				name = n
			}
			id = name
			r.attrs[res.id+".Arn"] = "arn:aws:iam::" + o.AccountID + ":role/" + name
			r.attrs[res.id+".RoleId"] = "AROA" + strings.ToUpper(physicalID(o.StackName, res.id+"/roleid", 17))
		case "AWS::Route53::HostedZone":
			id = madeUpZoneID(o.StackName, res.id)
		}
		if given, ok := o.PhysicalIDs[res.id]; ok {
			id = given
		}
		r.values[res.id] = id
	}

	st := &stack{roles: map[string]*role{}, hostedZones: map[string]string{}}
	for _, res := range resources {
		if res.typ == "AWS::Route53::HostedZone" {
			if name, err := r.str(res.properties["Name"]); err == nil {
				st.hostedZones[r.values[res.id]] = name
			}
		}
	}
	apis := map[string]*restAPI{}   // by physical id
	nodes := map[string]*pathNode{} // by physical id
	for _, res := range resources {
		if res.typ == "AWS::ApiGateway::RestApi" {
			api := &restAPI{
				logicalID: res.id, id: r.values[res.id],
				stages: map[string]*stage{}, responses: map[string]*gatewayResponse{},
			}
			api.root = &pathNode{path: "/", id: r.attrs[res.id+".RootResourceId"], methods: map[string]*method{}}
			nodes[api.root.id] = api.root
			if body, ok := res.properties["Body"]; ok {
				// An API defined by OpenAPI (import-rest-api, SAM).
				resolved, err := r.resolve(body)
				if err != nil {
					return nil, fmt.Errorf("%s.Body: %w", res.id, err)
				}
				if err := loadOpenAPI(api, resolved, o.StackName); err != nil {
					return nil, fmt.Errorf("%s.Body: %w", res.id, err)
				}
			}
			apis[api.id] = api
			st.apis = append(st.apis, api)
		}
	}
	apiOf := func(res *resource) (*restAPI, error) {
		id, err := r.str(res.properties["RestApiId"])
		if err != nil {
			return nil, fmt.Errorf("%s.RestApiId: %w", res.id, err)
		}
		api := apis[id]
		if api == nil {
			return nil, fmt.Errorf("%s: RestApiId %q is no RestApi of this template", res.id, id)
		}
		return api, nil
	}

	// Resources form a tree; a child may be listed before its parent.
	pending := map[string]*resource{}
	for _, res := range resources {
		if res.typ == "AWS::ApiGateway::Resource" {
			pending[res.id] = res
		}
	}
	for len(pending) > 0 {
		progress := false
		for _, id := range slices.Sorted(maps.Keys(pending)) {
			res := pending[id]
			parentID, err := r.str(res.properties["ParentId"])
			if err != nil {
				return nil, fmt.Errorf("%s.ParentId: %w", res.id, err)
			}
			parent := nodes[parentID]
			if parent == nil {
				continue
			}
			part, _ := res.properties["PathPart"].(string)
			n := &pathNode{part: part, id: r.values[res.id], methods: map[string]*method{}}
			n.path = strings.TrimSuffix(parent.path, "/") + "/" + part
			parent.children = append(parent.children, n)
			nodes[n.id] = n
			delete(pending, id)
			progress = true
		}
		if !progress {
			return nil, fmt.Errorf("resources %v have no parent in this template", slices.Sorted(maps.Keys(pending)))
		}
	}

	validators := map[string]*requestValidator{} // by physical id
	for _, res := range resources {
		if res.typ != "AWS::ApiGateway::RequestValidator" {
			continue
		}
		if _, err := apiOf(res); err != nil {
			return nil, err
		}
		v := &requestValidator{
			parameters: boolOf(res.properties["ValidateRequestParameters"]),
			body:       boolOf(res.properties["ValidateRequestBody"]),
		}
		validators[r.values[res.id]] = v
	}

	methods := map[string]*method{} // by logical id
	for _, res := range resources {
		if res.typ != "AWS::ApiGateway::Method" {
			continue
		}
		if _, err := apiOf(res); err != nil {
			return nil, err
		}
		m, err := loadMethod(r, res)
		if err != nil {
			return nil, err
		}
		if ref, ok := res.properties["RequestValidatorId"]; ok {
			id, err := r.str(ref)
			if err != nil {
				return nil, fmt.Errorf("%s.RequestValidatorId: %w", res.id, err)
			}
			v := validators[id]
			if v == nil {
				return nil, fmt.Errorf("%s: RequestValidatorId %q is no RequestValidator of this template", res.id, id)
			}
			if err := m.useValidator(v); err != nil {
				return nil, fmt.Errorf("%s: %w", res.id, err)
			}
		}
		nodeID, err := r.str(res.properties["ResourceId"])
		if err != nil {
			return nil, fmt.Errorf("%s.ResourceId: %w", res.id, err)
		}
		n := nodes[nodeID]
		if n == nil {
			return nil, fmt.Errorf("%s: ResourceId %q is no resource of this template", res.id, nodeID)
		}
		if n.methods[m.httpMethod] != nil {
			return nil, fmt.Errorf("%s: resource %s already has a %s method", res.id, n.path, m.httpMethod)
		}
		n.methods[m.httpMethod] = m
		methods[res.id] = m
	}

	deployments := map[string]*resource{} // by physical id
	for _, res := range resources {
		if res.typ == "AWS::ApiGateway::Deployment" {
			deployments[r.values[res.id]] = res
			if err := checkDeployment(res, resources); err != nil {
				return nil, err
			}
		}
	}
	for _, res := range resources {
		switch res.typ {
		case "AWS::ApiGateway::Stage":
			api, err := apiOf(res)
			if err != nil {
				return nil, err
			}
			depID, err := r.str(res.properties["DeploymentId"])
			if err != nil || deployments[depID] == nil {
				return nil, fmt.Errorf("%s: DeploymentId is no Deployment of this template", res.id)
			}
			s := &stage{name: r.values[res.id], throttles: map[string]*bucket{}}
			vars, err := r.resolve(res.properties["Variables"])
			if err != nil {
				return nil, fmt.Errorf("%s.Variables: %w", res.id, err)
			}
			s.variables = stringMap(vars)
			for _, ms := range anyList(res.properties["MethodSettings"]) {
				m, _ := ms.(map[string]any)
				rate, okRate := number(m["ThrottlingRateLimit"])
				burst, okBurst := number(m["ThrottlingBurstLimit"])
				if !okRate || !okBurst {
					continue
				}
				path, _ := m["ResourcePath"].(string)
				verb, _ := m["HttpMethod"].(string)
				if path == "/*" && verb == "*" {
					s.throttle = newBucket(rate, int(burst))
					continue
				}
				p, err := methodSettingsPath(path)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", res.id, err)
				}
				s.throttles[verb+" "+p] = newBucket(rate, int(burst))
			}
			api.stages[s.name] = s
		case "AWS::ApiGateway::ApiKey":
			k := &Key{LogicalID: res.id, ID: r.values[res.id], Value: o.APIKeys[res.id]}
			if k.Name, err = r.str(res.properties["Name"]); err != nil {
				return nil, fmt.Errorf("%s.Name: %w", res.id, err)
			}
			if v, ok := res.properties["Value"]; ok && k.Value == "" {
				if k.Value, err = r.str(v); err != nil {
					return nil, fmt.Errorf("%s.Value: %w", res.id, err)
				}
			}
			if k.Value == "" {
				k.Value = randomKey()
			}
			if e, ok := res.properties["Enabled"]; ok && !boolOf(e) {
				continue // a disabled key is refused like an unknown one
			}
			st.keys = append(st.keys, k)
		case "AWS::IAM::Role":
			trust, err := r.jsonOf(res.properties["AssumeRolePolicyDocument"])
			if err != nil {
				return nil, fmt.Errorf("%s.AssumeRolePolicyDocument: %w", res.id, err)
			}
			rl := &role{arn: r.attrs[res.id+".Arn"], trust: trust}
			if len(anyList(res.properties["ManagedPolicyArns"])) > 0 {
				return nil, fmt.Errorf("%s: the lab cannot evaluate managed policies (ManagedPolicyArns)", res.id)
			}
			for _, p := range anyList(res.properties["Policies"]) {
				pm, _ := p.(map[string]any)
				doc, err := r.jsonOf(pm["PolicyDocument"])
				if err != nil {
					return nil, fmt.Errorf("%s.Policies: %w", res.id, err)
				}
				rl.policies = append(rl.policies, doc)
			}
			st.roles[rl.arn] = rl
		}
	}
	// Policies attached to roles from outside the role resource.
	for _, res := range resources {
		if res.typ != "AWS::IAM::Policy" && res.typ != "AWS::IAM::RolePolicy" {
			continue
		}
		doc, err := r.jsonOf(res.properties["PolicyDocument"])
		if err != nil {
			return nil, fmt.Errorf("%s.PolicyDocument: %w", res.id, err)
		}
		names := anyList(res.properties["Roles"])
		if rn, ok := res.properties["RoleName"]; ok {
			names = append(names, rn)
		}
		for _, n := range names {
			name, err := r.str(n)
			if err != nil {
				return nil, fmt.Errorf("%s.Roles: %w", res.id, err)
			}
			arn := "arn:aws:iam::" + o.AccountID + ":role/" + name
			if st.roles[arn] == nil {
				st.roles[arn] = &role{arn: arn}
			}
			st.roles[arn].policies = append(st.roles[arn].policies, doc)
		}
	}

	plans := map[string]*usagePlan{}
	for _, res := range resources {
		switch res.typ {
		case "AWS::ApiGateway::UsagePlan":
			up := &usagePlan{id: r.values[res.id], keys: map[string]*Key{}, buckets: map[string]*bucket{}, counters: map[string]int{}}
			if th, ok := res.properties["Throttle"].(map[string]any); ok {
				up.rate, _ = number(th["RateLimit"])
				b, _ := number(th["BurstLimit"])
				up.burst = int(b)
			}
			if q, ok := res.properties["Quota"].(map[string]any); ok {
				if period, _ := q["Period"].(string); period != "DAY" {
					return nil, fmt.Errorf("%s: the lab models only daily quotas", res.id)
				}
				l, _ := number(q["Limit"])
				up.quota = int(l)
			}
			plans[up.id] = up
			for _, as := range anyList(res.properties["ApiStages"]) {
				m, _ := as.(map[string]any)
				apiID, err := r.str(m["ApiId"])
				if err != nil {
					return nil, fmt.Errorf("%s.ApiStages: %w", res.id, err)
				}
				stageName, err := r.str(m["Stage"])
				if err != nil {
					return nil, fmt.Errorf("%s.ApiStages: %w", res.id, err)
				}
				api := apis[apiID]
				if api == nil || api.stages[stageName] == nil {
					return nil, fmt.Errorf("%s.ApiStages: no stage %q of API %q", res.id, stageName, apiID)
				}
				api.stages[stageName].plans = append(api.stages[stageName].plans, up)
			}
		case "AWS::ApiGateway::GatewayResponse":
			api, err := apiOf(res)
			if err != nil {
				return nil, err
			}
			typ, _ := res.properties["ResponseType"].(string)
			templates, err := r.resolve(res.properties["ResponseTemplates"])
			if err != nil {
				return nil, fmt.Errorf("%s.ResponseTemplates: %w", res.id, err)
			}
			params, err := r.resolve(res.properties["ResponseParameters"])
			if err != nil {
				return nil, fmt.Errorf("%s.ResponseParameters: %w", res.id, err)
			}
			gr := &gatewayResponse{templates: stringMap(templates), params: stringMap(params)}
			if sc, ok := res.properties["StatusCode"]; ok {
				if gr.status, err = r.str(sc); err != nil {
					return nil, fmt.Errorf("%s.StatusCode: %w", res.id, err)
				}
			}
			api.responses[typ] = gr
		}
	}
	for _, res := range resources {
		if res.typ != "AWS::ApiGateway::UsagePlanKey" {
			continue
		}
		keyID, err := r.str(res.properties["KeyId"])
		if err != nil {
			return nil, fmt.Errorf("%s.KeyId: %w", res.id, err)
		}
		planID, err := r.str(res.properties["UsagePlanId"])
		if err != nil {
			return nil, fmt.Errorf("%s.UsagePlanId: %w", res.id, err)
		}
		up := plans[planID]
		if up == nil {
			return nil, fmt.Errorf("%s: UsagePlanId %q is no usage plan of this template", res.id, planID)
		}
		for _, k := range st.keys {
			if k.ID == keyID {
				up.keys[k.ID] = k
			}
		}
	}
	sort.Slice(st.keys, func(i, j int) bool { return st.keys[i].LogicalID < st.keys[j].LogicalID })
	if err := loadWAF(r, resources, apis); err != nil {
		return nil, err
	}
	if st.domains, err = loadDomains(r, resources, apis); err != nil {
		return nil, err
	}
	return st, nil
}

// methodSettingsPath decodes a MethodSettings ResourcePath: a slash, then
// the resource path with each "/" written "~1" (and "~" as "~0", as in a
// JSON pointer), so "/~1nic~1update" is the resource /nic/update and "/~1"
// the root.
func methodSettingsPath(p string) (string, error) {
	rest, ok := strings.CutPrefix(p, "/")
	if !ok || strings.Contains(p, "*") || !strings.HasPrefix(rest, "~1") {
		return "", fmt.Errorf("MethodSettings ResourcePath %q: the lab models /* and single resource paths such as /~1nic~1update", p)
	}
	return strings.ReplaceAll(strings.ReplaceAll(rest, "~1", "/"), "~0", "~"), nil
}

// requestValidator is an AWS::ApiGateway::RequestValidator (or an entry of
// x-amazon-apigateway-request-validators).
type requestValidator struct {
	parameters bool // ValidateRequestParameters
	body       bool // ValidateRequestBody
}

// useValidator makes the method validate its requests with v.
func (m *method) useValidator(v *requestValidator) error {
	if v.body {
		return fmt.Errorf("the request validator validates the body (ValidateRequestBody): the lab models only ValidateRequestParameters")
	}
	m.validateParameters = v.parameters
	return nil
}

// checkDeployment refuses a Deployment that does not DependsOn every method
// of its API: CloudFormation could create it first, and the stage would
// serve an API without them (or fail with "The REST API doesn't contain any
// methods").
func checkDeployment(dep *resource, resources []*resource) error {
	on := map[string]bool{}
	for _, d := range dep.dependsOn {
		on[d] = true
	}
	for _, res := range resources {
		if res.typ == "AWS::ApiGateway::Method" && !on[res.id] &&
			fmt.Sprint(res.properties["RestApiId"]) == fmt.Sprint(dep.properties["RestApiId"]) {
			return fmt.Errorf("deployment %s does not DependsOn method %s: CloudFormation may deploy the API before the method exists", dep.id, res.id)
		}
	}
	return nil
}

func loadMethod(r *resolver, res *resource) (*method, error) {
	p := res.properties
	m := &method{logicalID: res.id, params: map[string]bool{}, statuses: map[string]bool{}}
	m.httpMethod, _ = p["HttpMethod"].(string)
	m.apiKeyRequired = boolOf(p["ApiKeyRequired"])
	if at, _ := p["AuthorizationType"].(string); at != "" && at != "NONE" {
		return nil, fmt.Errorf("%s: the lab serves only AuthorizationType NONE, not %s", res.id, at)
	}
	for k, v := range stringMap(p["RequestParameters"]) {
		m.params[k] = v == "true"
	}
	for _, mr := range anyList(p["MethodResponses"]) {
		mm, _ := mr.(map[string]any)
		m.statuses[fmt.Sprint(mm["StatusCode"])] = true
	}
	ip, _ := p["Integration"].(map[string]any)
	if ip == nil {
		return nil, fmt.Errorf("%s: no Integration", res.id)
	}
	params, err := r.resolve(ip["RequestParameters"])
	if err != nil {
		return nil, fmt.Errorf("%s.Integration.RequestParameters: %w", res.id, err)
	}
	in := &integration{params: stringMap(params)}
	in.typ, _ = ip["Type"].(string)
	in.httpMethod, _ = ip["IntegrationHttpMethod"].(string)
	in.passthrough, _ = ip["PassthroughBehavior"].(string)
	if in.uri, err = r.str(ip["Uri"]); err != nil {
		return nil, fmt.Errorf("%s.Integration.Uri: %w", res.id, err)
	}
	if in.credentials, err = r.str(ip["Credentials"]); err != nil {
		return nil, fmt.Errorf("%s.Integration.Credentials: %w", res.id, err)
	}
	requestTemplates, err := r.resolve(ip["RequestTemplates"])
	if err != nil {
		return nil, fmt.Errorf("%s.Integration.RequestTemplates: %w", res.id, err)
	}
	in.templates = stringMap(requestTemplates)
	m.integration = in
	for _, x := range anyList(ip["IntegrationResponses"]) {
		xm, _ := x.(map[string]any)
		tm, err := r.resolve(xm["ResponseTemplates"])
		if err != nil {
			return nil, fmt.Errorf("%s.Integration.IntegrationResponses: %w", res.id, err)
		}
		pattern, _ := xm["SelectionPattern"].(string)
		if err := m.addResponse(fmt.Sprint(xm["StatusCode"]), pattern, stringMap(tm), stringMap(xm["ResponseParameters"])); err != nil {
			return nil, fmt.Errorf("%s: %w", res.id, err)
		}
	}
	if err := in.checkSize(); err != nil {
		return nil, fmt.Errorf("%s: %w", res.id, err)
	}
	return m, nil
}

// addResponse adds an integration response; pattern "" is the default one.
func (m *method) addResponse(status, pattern string, templates, params map[string]string) error {
	ir := &integrationResponse{status: status, templates: templates, params: params}
	if pattern != "" {
		// API Gateway matches the whole status string (Java's matches()).
		re, err := regexp.Compile(`^(?:` + pattern + `)$`)
		if err != nil {
			return fmt.Errorf("selection pattern %q: %v", pattern, err)
		}
		ir.pattern = re
	}
	if !m.statuses[status] {
		return fmt.Errorf("integration response %s has no method response with that status", status)
	}
	m.integration.responses = append(m.integration.responses, ir)
	return nil
}

// checkSize refuses a request template over API Gateway's limit.
func (in *integration) checkSize() error {
	for ct, t := range in.templates {
		if len(t) > templates.MaxTemplateBytes {
			return fmt.Errorf("the %s request template is %d bytes; API Gateway takes at most %d", ct, len(t), templates.MaxTemplateBytes)
		}
	}
	return nil
}

func anyList(v any) []any {
	l, _ := v.([]any)
	return l
}

// pathParam matches a path part such as {zone_id} (or {proxy+}).
var pathParam = regexp.MustCompile(`^\{([A-Za-z0-9_.-]+)\+?\}$`)
