package cfn

import (
	"strconv"
	"strings"

	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/apigateway"

	"github.com/ddnsgen/ddnsgen/templates"
)

// Logical IDs and names of the dyndns2 endpoint.
const (
	IDNicResource       = "NicResource"
	IDNicUpdateResource = "NicUpdateResource"
	IDNicUpdateMethod   = "NicUpdateMethod"
	// IDNicAuthValidator makes the Authorization header required on
	// /nic/update, and IDNicAuthChallenge answers its absence with HTTP
	// Basic's challenge (see dyndns2 below).
	IDNicAuthValidator = "NicAuthValidator"
	IDNicAuthChallenge = "NicAuthChallenge"
	// IDNicThrottled answers a throttled request in a way a dyndns2 client
	// retries (see dyndns2 below).
	IDNicThrottled = "NicThrottled"
	// IDNicUpdateURLResource and IDNicUpdateURLMethod are GET
	// /nic/update-url, for routers that send credentials in the query
	// (Config.QueryCredentials).
	IDNicUpdateURLResource = "NicUpdateUrlResource"
	IDNicUpdateURLMethod   = "NicUpdateUrlMethod"
	// ParamPassword is the NoEcho parameter of a device's dyndns2 password;
	// devices other than the implicit one append their CamelCase name.
	ParamPassword = "Password"
)

// passwordRule is what CloudFormation checks a password parameter against:
// letters and digits only, so that it is safe in a stage variable and in
// any router's form.
const passwordPattern = "^[A-Za-z0-9]{16,128}$"

// dyndns2Users are the devices the dyndns2 endpoint knows: every device, or
// for an open endpoint the implicit one.
func (p *plan) dyndns2Users() []*devicePlan {
	if p.open {
		return []*devicePlan{{index: -1, name: DefaultDevice, records: p.records}}
	}
	return p.devices
}

// stageVariable is the stage variable that holds a device's password.
func (d *devicePlan) stageVariable() string {
	return "ddns_password_" + strings.ReplaceAll(d.name, "-", "_")
}

func (p *plan) passwordParam(d *devicePlan) string { return p.prefix + ParamPassword + d.id }

// dyndns2 adds GET /nic/update (with Basic's challenge), GET
// /nic/update-url with Config.QueryCredentials, and the password
// parameters.
func (b *builder) dyndns2() error {
	p := b.p
	if !p.dyndns2 {
		return nil
	}
	d := b.templateData()
	for _, dev := range p.dyndns2Users() {
		u := templates.User{Name: dev.name, PasswordStage: dev.stageVariable()}
		for _, r := range dev.records {
			u.Names = append(u.Names, r.name)
		}
		d.Users = append(d.Users, u)
		b.t.Parameters[p.passwordParam(dev)] = cloudformation.Parameter{
			Type: "String",
			Description: cloudformation.String("dyndns2 password of device " + dev.name +
				" (user name " + dev.name + "): 16-128 letters and digits, e.g. from: openssl rand -hex 16"),
			NoEcho:                cloudformation.Bool(true),
			AllowedPattern:        cloudformation.String(passwordPattern),
			ConstraintDescription: cloudformation.String("a password is 16-128 letters and digits"),
		}
	}
	request, err := templates.DynDNS2Request(d)
	if err != nil {
		return err
	}
	b.texts[IDNicUpdateMethod+" request template"] = request
	b.t.Resources[b.id(IDNicResource)] = &apigateway.Resource{
		RestApiId: cloudformation.Ref(b.id(IDRestAPI)),
		ParentId:  cloudformation.GetAtt(b.id(IDRestAPI), "RootResourceId"),
		PathPart:  "nic",
	}
	b.t.Resources[b.id(IDNicUpdateResource)] = &apigateway.Resource{
		RestApiId: cloudformation.Ref(b.id(IDRestAPI)),
		ParentId:  cloudformation.Ref(b.id(IDNicResource)),
		PathPart:  "update",
	}
	// A caller that sends no credentials (curl --anyauth, older pfSense) is
	// asked for them: HTTP Basic's challenge. An integration response cannot
	// carry WWW-Authenticate (on AWS integrations API Gateway renames it
	// x-amzn-Remapped-WWW-Authenticate), so API Gateway answers it itself:
	// the Authorization header is required, and the gateway response for a
	// missing required parameter becomes the challenge. It is the API's only
	// request validator, so no other method can raise it.
	b.t.Resources[b.id(IDNicAuthValidator)] = &apigateway.RequestValidator{
		RestApiId:                 cloudformation.Ref(b.id(IDRestAPI)),
		Name:                      cloudformation.String("dyndns2-credentials"),
		ValidateRequestParameters: cloudformation.Bool(true),
		ValidateRequestBody:       cloudformation.Bool(false),
	}
	b.t.Resources[b.id(IDNicAuthChallenge)] = &apigateway.GatewayResponse{
		RestApiId:    cloudformation.Ref(b.id(IDRestAPI)),
		ResponseType: "BAD_REQUEST_PARAMETERS",
		StatusCode:   cloudformation.String("401"),
		ResponseParameters: map[string]string{
			"gatewayresponse.header.WWW-Authenticate": `'Basic realm="ddnsgen"'`,
			"gatewayresponse.header.Content-Type":     "'text/plain; charset=utf-8'",
		},
		ResponseTemplates: map[string]string{"application/json": "badauth\n", "text/plain": "badauth\n"},
	}
	// A throttled request is answered by API Gateway itself, by the API's
	// one THROTTLED gateway response: no per-resource answer, and its body
	// is no template that could tell the endpoints apart. API Gateway's
	// default, 429, makes inadyn (and UniFi with it) exit, so with dyndns2
	// every throttled caller gets what every dyndns2 client retries,
	// templates.DynDNS2Busy: 503 and 911. A JSON caller retries a 503 (with
	// Retry-After) as it would a 429. QUOTA_EXCEEDED keeps its 429: only a
	// method that takes an API key has a quota, and /nic/update takes none.
	b.t.Resources[b.id(IDNicThrottled)] = &apigateway.GatewayResponse{
		RestApiId:    cloudformation.Ref(b.id(IDRestAPI)),
		ResponseType: "THROTTLED",
		StatusCode:   cloudformation.String(strconv.Itoa(templates.DynDNS2BusyStatus)),
		ResponseParameters: map[string]string{
			"gatewayresponse.header.Content-Type": "'text/plain; charset=utf-8'",
			"gatewayresponse.header.Retry-After":  "'1'",
		},
		ResponseTemplates: map[string]string{"application/json": templates.DynDNS2Busy, "text/plain": templates.DynDNS2Busy},
	}
	b.apiParts = append(b.apiParts, b.id(IDNicAuthValidator), b.id(IDNicAuthChallenge), b.id(IDNicThrottled))
	b.nicMethod(IDNicUpdateMethod, IDNicUpdateResource, request, true)
	if p.queryCredentials {
		// Routers that can put credentials only in the URL (FritzBox,
		// Synology) send none in a header: they get a resource of their own,
		// without the challenge, and the same template (a header still wins).
		b.t.Resources[b.id(IDNicUpdateURLResource)] = &apigateway.Resource{
			RestApiId: cloudformation.Ref(b.id(IDRestAPI)),
			ParentId:  cloudformation.Ref(b.id(IDNicResource)),
			PathPart:  "update-url",
		}
		b.texts[IDNicUpdateURLMethod+" request template"] = request
		b.nicMethod(IDNicUpdateURLMethod, IDNicUpdateURLResource, request, false)
	}
	return nil
}

// nicMethod adds a dyndns2 GET method; challenge makes the Authorization
// header required, so that a request without it gets Basic's challenge.
func (b *builder) nicMethod(methodID, resourceID, request string, challenge bool) {
	p := b.p
	// Every answer is text with status 200 (401 for badauth), whatever Route
	// 53 answered: clients read the body of a 2xx only. The templates set
	// the status ($context.responseOverride.status, documented); the default
	// integration response takes Route 53's 2xx and 4xx answers alike (were
	// the override lost, badauth would be a 200 whose body still says
	// badauth, which ddclient and inadyn read as a failure).
	text := map[string]string{"method.response.header.Content-Type": "'text/plain; charset=utf-8'"}
	textHeaders := map[string]string{"method.response.header.Content-Type": "false"}
	answer := map[string]string{"application/json": templates.DynDNS2Response(false)}
	params := map[string]string{
		"method.request.querystring.hostname":     "false",
		"method.request.querystring.myip":         "false",
		"method.request.querystring.ip6lanprefix": "false",
		"method.request.header.Authorization":     "false",
	}
	var validator *string
	if challenge {
		params["method.request.header.Authorization"] = "true"
		validator = cloudformation.String(cloudformation.Ref(b.id(IDNicAuthValidator)))
	} else {
		params["method.request.querystring.username"] = "false"
		params["method.request.querystring.password"] = "false"
	}
	b.t.Resources[b.id(methodID)] = &apigateway.Method{
		RestApiId:          cloudformation.Ref(b.id(IDRestAPI)),
		ResourceId:         cloudformation.Ref(b.id(resourceID)),
		HttpMethod:         "GET",
		AuthorizationType:  cloudformation.String("NONE"),
		ApiKeyRequired:     cloudformation.Bool(false),
		RequestValidatorId: validator,
		RequestParameters:  params,
		Integration: b.route53Integration(request,
			// The template sets the zone of the names; this is only the default.
			"stageVariables."+p.zones[0].stageVar,
			[]apigateway.Method_IntegrationResponse{
				// Route 53's 2xx and 4xx answers: one template reads both.
				{StatusCode: "200", ResponseTemplates: answer, ResponseParameters: text},
				{StatusCode: "503", SelectionPattern: cloudformation.String(`5\d{2}`), ResponseTemplates: map[string]string{"application/json": templates.DynDNS2Response(true)}, ResponseParameters: text},
			}),
		MethodResponses: []apigateway.Method_MethodResponse{
			{StatusCode: "200", ResponseParameters: textHeaders},
			{StatusCode: "400", ResponseParameters: textHeaders},
			{StatusCode: "401", ResponseParameters: textHeaders},
			{StatusCode: "503", ResponseParameters: textHeaders},
		},
	}
	b.methods = append(b.methods, b.id(methodID))
}
