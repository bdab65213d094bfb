package cfn

import (
	"strconv"

	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/apigateway"

	"github.com/ddnsgen/ddnsgen/templates"
)

// Logical IDs of the acme-dns endpoint (Config.ACME).
const (
	IDAcmeResource = "AcmeUpdateResource"
	IDAcmeMethod   = "AcmeUpdateMethod"
)

// AcmeChallengePrefix starts the name of the TXT record an ACME DNS-01
// challenge is answered with (RFC 8555, section 8.4).
const AcmeChallengePrefix = "_acme-challenge."

// maxAcmeName is the longest record name whose challenge name,
// _acme-challenge.NAME, is still a DNS name (253 characters).
const maxAcmeName = 253 - len(AcmeChallengePrefix)

// checkACME: the acme-dns endpoint tells devices apart by their API keys,
// and writes _acme-challenge.NAME, which must be a name.
func (p *plan) checkACME() error {
	if p.open {
		return configError("acme", "true", "the acme-dns endpoint needs API keys (a certificate for a name is only as safe as the key that may set its challenge): drop open (-api-key=false)")
	}
	for _, r := range p.records {
		if len(r.name) > maxAcmeName {
			return configError(fieldName("records", r.index, "name"), r.name,
				"with acme a name is at most "+strconv.Itoa(maxAcmeName)+" characters, so that "+AcmeChallengePrefix+"NAME is at most 253")
		}
	}
	return nil
}

// acmeStatement is the role's right to answer ACME DNS-01 challenges for
// the zone's names: UPSERT of TXT records named _acme-challenge.NAME,
// nothing else. Names are listed as IAM normalises them: lower case, and
// "_" is kept as it is.
func (b *builder) acmeStatement(z *zonePlan) []Statement {
	if !b.p.acme {
		return nil
	}
	var names []string
	for _, r := range z.records {
		names = append(names, AcmeChallengePrefix+r.name)
	}
	return []Statement{{
		Sid:      "UpsertAcmeChallengeTXTIn" + camel(z.name),
		Effect:   "Allow",
		Action:   "route53:ChangeResourceRecordSets",
		Resource: cloudformation.Sub("arn:${AWS::Partition}:route53:::hostedzone/" + z.subID()),
		Condition: map[string]map[string][]string{
			"ForAllValues:StringEquals": {
				keyNames:   names,
				keyTypes:   {"TXT"},
				keyActions: {"UPSERT"},
			},
		},
	}}
}

// roleDescription says what the role may do.
func (b *builder) roleDescription() string {
	if b.p.acme {
		return "Lets API Gateway upsert the records of " + b.p.summary() + ", their _acme-challenge TXT records and nothing else"
	}
	return "Lets API Gateway upsert the records of " + b.p.summary() + " and nothing else"
}

// acme adds POST /update, the acme-dns protocol: lego, acme.sh, certbot
// hooks, Caddy and Traefik set a device's _acme-challenge TXT record with
// the device's name (X-Api-User) and API key (X-Api-Key).
func (b *builder) acme() error {
	p := b.p
	if !p.acme {
		return nil
	}
	request, err := templates.ACMERequest(b.templateData())
	if err != nil {
		return err
	}
	b.texts[IDAcmeMethod+" request template"] = request
	b.t.Resources[b.id(IDAcmeResource)] = &apigateway.Resource{
		RestApiId: cloudformation.Ref(b.id(IDRestAPI)),
		ParentId:  cloudformation.GetAtt(b.id(IDRestAPI), "RootResourceId"),
		PathPart:  "update",
	}
	answer := func(c templates.Route53Class) map[string]string {
		return map[string]string{"application/json": templates.ACMEResponse(c)}
	}
	// One template per class of Route 53 answer; each sets the exact status.
	responses := []apigateway.Method_IntegrationResponse{
		{StatusCode: "200", ResponseTemplates: answer(templates.Route53OK)},
		{StatusCode: "400", SelectionPattern: cloudformation.String(`4\d{2}`), ResponseTemplates: answer(templates.Route53ClientError)},
		{StatusCode: "502", SelectionPattern: cloudformation.String(`5\d{2}`), ResponseTemplates: answer(templates.Route53ServerError)},
	}
	var methodResponses []apigateway.Method_MethodResponse
	for _, s := range []string{"200", "400", "401", "403", "429", "502"} {
		methodResponses = append(methodResponses, apigateway.Method_MethodResponse{StatusCode: s})
	}
	integration := b.route53Integration(request, "stageVariables."+p.zones[0].stageVar, responses)
	// acme.sh's dns_acmedns posts its JSON without a Content-Type, so curl
	// labels it a form: the same template reads either (it reads the body
	// as text, whatever its label); any other type is answered 415.
	integration.RequestTemplates["application/x-www-form-urlencoded"] = integration.RequestTemplates["application/json"]
	b.t.Resources[b.id(IDAcmeMethod)] = &apigateway.Method{
		RestApiId:         cloudformation.Ref(b.id(IDRestAPI)),
		ResourceId:        cloudformation.Ref(b.id(IDAcmeResource)),
		HttpMethod:        "POST",
		AuthorizationType: cloudformation.String("NONE"),
		ApiKeyRequired:    cloudformation.Bool(true),
		// The template sets the zone of the name; the default is the
		// stack's first zone, never anything the caller sent.
		Integration:     integration,
		MethodResponses: methodResponses,
	}
	b.methods = append(b.methods, b.id(IDAcmeMethod))
	return nil
}
