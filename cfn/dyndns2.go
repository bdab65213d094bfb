package cfn

import (
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

// dyndns2 adds GET /nic/update, the password parameters, and fills in the
// template data's users.
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
	// Every answer is text with status 200 (401 for badauth), whatever Route
	// 53 answered: clients read the body of a 2xx only. The templates set
	// the status; integration responses are keyed by status code, so each
	// class of Route 53 answer needs its own before the override.
	text := map[string]string{"method.response.header.Content-Type": "'text/plain; charset=utf-8'"}
	textHeaders := map[string]string{"method.response.header.Content-Type": "false", "method.response.header.WWW-Authenticate": "false"}
	answer := map[string]string{"application/json": templates.DynDNS2Response(false)}
	b.t.Resources[b.id(IDNicUpdateMethod)] = &apigateway.Method{
		RestApiId:         cloudformation.Ref(b.id(IDRestAPI)),
		ResourceId:        cloudformation.Ref(b.id(IDNicUpdateResource)),
		HttpMethod:        "GET",
		AuthorizationType: cloudformation.String("NONE"),
		ApiKeyRequired:    cloudformation.Bool(false),
		RequestParameters: map[string]string{
			"method.request.querystring.hostname": "false",
			"method.request.querystring.myip":     "false",
			"method.request.header.Authorization": "false",
		},
		Integration: b.route53Integration(request,
			// The template sets the zone of the names; this is only the default.
			"stageVariables."+p.zones[0].stageVar,
			[]apigateway.Method_IntegrationResponse{
				{StatusCode: "200", ResponseTemplates: answer, ResponseParameters: text},
				{StatusCode: "400", SelectionPattern: cloudformation.String(`4\d{2}`), ResponseTemplates: answer, ResponseParameters: text},
				{StatusCode: "503", SelectionPattern: cloudformation.String(`5\d{2}`), ResponseTemplates: map[string]string{"application/json": templates.DynDNS2Response(true)}, ResponseParameters: text},
			}),
		MethodResponses: []apigateway.Method_MethodResponse{
			{StatusCode: "200", ResponseParameters: textHeaders},
			{StatusCode: "400", ResponseParameters: textHeaders},
			{StatusCode: "401", ResponseParameters: textHeaders},
			{StatusCode: "503", ResponseParameters: textHeaders},
		},
	}
	b.methods = append(b.methods, b.id(IDNicUpdateMethod))
	return nil
}
