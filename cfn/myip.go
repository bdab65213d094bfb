package cfn

import (
	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/apigateway"

	"github.com/ddnsgen/ddnsgen/templates"
)

// Logical IDs of the address endpoint, GET /STAGE/myip (Config.MyIP).
const (
	IDMyIPResource = "MyIpResource"
	IDMyIPMethod   = "MyIpMethod"
)

// MyIPKeyDailyQuota is each API key's daily quota when the stack has the
// address endpoint and Limits.KeyDailyQuota is not set: a device that
// polls every 60 seconds asks 1,440 times a day per address family, as
// many as the default quota, which would leave its updates none by the end
// of the day. Three a minute: an IPv4 and an IPv6 poll, and the updates.
const MyIPKeyDailyQuota = 4320

// MyIPRate and MyIPBurst throttle GET /myip as a whole (each key keeps its
// own throttle and quota). It calls no backend, so it need not share the
// stage's rate, which keeps the updates below Route 53's 5 requests a
// second: a stack's most devices (245) polling every 60 seconds make ~4 a
// second, twice the stage's default.
const (
	MyIPRate  = 10
	MyIPBurst = 20
)

// myIPThrottle is GET /myip's method setting of the stage.
func (b *builder) myIPThrottle() []apigateway.Stage_MethodSetting {
	if !b.p.myip {
		return nil
	}
	return []apigateway.Stage_MethodSetting{{
		HttpMethod:           cloudformation.String("GET"),
		ResourcePath:         cloudformation.String("/~1myip"), // "/myip", the slash escaped
		ThrottlingRateLimit:  cloudformation.Float64(MyIPRate),
		ThrottlingBurstLimit: cloudformation.Int(MyIPBurst),
	}}
}

// myIPStatuses describe GET /myip's answers in an OpenAPI document.
var myIPStatuses = map[string]string{
	"200": "OK: the caller's address, as text",
	"401": "dyndns2: bad credentials (badauth)",
}

// checkMyIP: the endpoint answers only a device's credentials, so a stack
// must have some.
func (p *plan) checkMyIP(c Config) error {
	if p.open && !p.dyndns2 {
		return configError("myip", "true", "the address endpoint answers only a device's credentials: it needs API keys or dyndns2 passwords")
	}
	if c.Limits.KeyDailyQuota == 0 {
		p.limits.KeyDailyQuota = MyIPKeyDailyQuota
	}
	return nil
}

// myIP adds GET /STAGE/myip: the caller's address as text, from a MOCK
// integration (no backend call, no role). API Gateway checks the device's
// API key (ApiKeyRequired; usage-plan throttles and quota apply); a stack
// with dyndns2 also wants the device's Basic credentials, which the request
// template checks (a wrong password answers 401 badauth). Any Content-Type
// but the template's is refused (PassthroughBehavior NEVER): a passed-
// through body would pick the MOCK's status itself.
func (b *builder) myIP() error {
	p := b.p
	if !p.myip {
		return nil
	}
	var users []templates.User
	var devices []templates.Device // whose key goes with whose password
	if p.dyndns2 {
		for _, dev := range p.dyndns2Users() {
			users = append(users, templates.User{Name: dev.name, PasswordStage: dev.stageVariable()})
		}
		if !p.open {
			devices = b.templateData().Devices
		}
	}
	request, err := templates.MyIPRequest(users, devices)
	if err != nil {
		return err
	}
	response := templates.MyIPResponse()
	b.texts[IDMyIPMethod+" request template"] = request
	b.texts[IDMyIPMethod+" response template"] = response
	b.t.Resources[b.id(IDMyIPResource)] = &apigateway.Resource{
		RestApiId: cloudformation.Ref(b.id(IDRestAPI)),
		ParentId:  cloudformation.GetAtt(b.id(IDRestAPI), "RootResourceId"),
		PathPart:  "myip",
	}
	text := map[string]string{"method.response.header.Content-Type": "'text/plain; charset=utf-8'"}
	textHeaders := map[string]string{"method.response.header.Content-Type": "false"}
	b.t.Resources[b.id(IDMyIPMethod)] = &apigateway.Method{
		RestApiId:         cloudformation.Ref(b.id(IDRestAPI)),
		ResourceId:        cloudformation.Ref(b.id(IDMyIPResource)),
		HttpMethod:        "GET",
		AuthorizationType: cloudformation.String("NONE"),
		ApiKeyRequired:    cloudformation.Bool(!p.open),
		Integration: &apigateway.Method_Integration{
			Type:                "MOCK",
			PassthroughBehavior: cloudformation.String("NEVER"),
			RequestTemplates:    map[string]string{"application/json": sub(request)},
			IntegrationResponses: []apigateway.Method_IntegrationResponse{
				{StatusCode: "200", ResponseTemplates: map[string]string{"application/json": response}, ResponseParameters: text},
				{StatusCode: "401", SelectionPattern: cloudformation.String("401"),
					ResponseTemplates: map[string]string{"application/json": templates.MyIPRefused}, ResponseParameters: text},
			},
		},
		MethodResponses: []apigateway.Method_MethodResponse{
			{StatusCode: "200", ResponseParameters: textHeaders},
			{StatusCode: "401", ResponseParameters: textHeaders},
		},
	}
	b.methods = append(b.methods, b.id(IDMyIPMethod))
	// The resource is part of the API definition: the Deployment's hash
	// covers it.
	b.apiParts = append(b.apiParts, b.id(IDMyIPResource))
	return nil
}
