package local_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/ddnsgen/ddnsgen/internal/lab"
	"github.com/ddnsgen/ddnsgen/local"
)

// The tests in this file check one behaviour of the lab each, on a small
// template of their own and a stand-in Route 53, so that they hold whatever
// the generated templates do.

// behaviourTemplate is an API with:
//   - GET /{zone_id}: an AWS integration to Route 53 whose request template
//     sets $context.requestOverride.path.answer and sends a batch with a
//     Comment (and the q parameter and X-Bin header in it), and whose
//     response templates print what they see of the carry and the body;
//     its 200 response sets WWW-Authenticate and Authorization headers;
//   - GET /nic/update: the same integration behind a request validator that
//     requires the Authorization header, with BAD_REQUEST_PARAMETERS
//     customised (401, WWW-Authenticate, text/plain "badauth");
//   - GET /keyed: like /nic/update, but also requiring an API key, and
//     without a customised gateway response for its stage (it uses the
//     default one's message).
const behaviourTemplate = `
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  RestApi:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: lab
  ZoneResource:
    Type: AWS::ApiGateway::Resource
    Properties:
      RestApiId: !Ref RestApi
      ParentId: !GetAtt RestApi.RootResourceId
      PathPart: "{zone_id}"
  NicResource:
    Type: AWS::ApiGateway::Resource
    Properties:
      RestApiId: !Ref RestApi
      ParentId: !GetAtt RestApi.RootResourceId
      PathPart: nic
  UpdateResource:
    Type: AWS::ApiGateway::Resource
    Properties:
      RestApiId: !Ref RestApi
      ParentId: !Ref NicResource
      PathPart: update
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: apigateway.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: route53
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: route53:ChangeResourceRecordSets
                Resource: arn:aws:route53:::hostedzone/ZKNOWN
  Validator:
    Type: AWS::ApiGateway::RequestValidator
    Properties:
      RestApiId: !Ref RestApi
      ValidateRequestParameters: true
      ValidateRequestBody: false
  NoCredentials:
    Type: AWS::ApiGateway::GatewayResponse
    Properties:
      RestApiId: !Ref RestApi
      ResponseType: BAD_REQUEST_PARAMETERS
      StatusCode: "401"
      ResponseParameters:
        gatewayresponse.header.WWW-Authenticate: "'Basic realm=\"ddnsgen\"'"
      ResponseTemplates:
        text/plain: badauth
  ZoneMethod:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref RestApi
      ResourceId: !Ref ZoneResource
      HttpMethod: GET
      AuthorizationType: NONE
      RequestParameters:
        method.request.path.zone_id: true
%SHARED%  UpdateMethod:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref RestApi
      ResourceId: !Ref UpdateResource
      HttpMethod: GET
      AuthorizationType: NONE
      RequestValidatorId: !Ref Validator
      RequestParameters:
        method.request.header.Authorization: true
        method.request.querystring.hostname: false
%SHARED%`

// sharedMethod is what the methods of behaviourTemplate have in common:
// their method responses and integration (CloudFormation takes no YAML
// aliases, nor does the lab).
const sharedMethod = `      MethodResponses: 
        - StatusCode: "200"
        - StatusCode: "400"
      Integration:
        Type: AWS
        IntegrationHttpMethod: POST
        Uri: arn:aws:apigateway:us-east-1:route53:path/2013-04-01/hostedzone/{id}/rrset/
        Credentials: !GetAtt Role.Arn
        PassthroughBehavior: NEVER
        RequestParameters:
          integration.request.path.id: method.request.path.zone_id
        RequestTemplates:
          application/json: |-
            #set($context.requestOverride.path.answer = "carried")
            <?xml version="1.0" encoding="UTF-8"?>
            <ChangeResourceRecordSetsRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ChangeBatch><Comment>DDNSGEN a&amp;b &lt;c&gt; q=$input.params('q') h=$input.params('X-Bin')</Comment><Changes><Change><Action>UPSERT</Action><ResourceRecordSet><Name>a.example.com</Name><Type>A</Type><TTL>60</TTL><ResourceRecords><ResourceRecord><Value>192.0.2.1</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></Change></Changes></ChangeBatch></ChangeResourceRecordSetsRequest>
        IntegrationResponses:
          - StatusCode: "200"
            ResponseParameters:
              method.response.header.WWW-Authenticate: "'Basic realm=\"lab\"'"
              method.response.header.X-Plain: "'kept'"
            ResponseTemplates:
              application/json: |-
                #set($context.responseOverride.header.Authorization = "Bearer lab")
                carry=[$!context.requestOverride.path.answer]|$input.body
          - StatusCode: "400"
            SelectionPattern: 4\d{2}
            ResponseTemplates:
              application/json: carry=[$!context.requestOverride.path.answer]|$input.body
`

// The same API's /nic/update as an OpenAPI body (SAM, import-rest-api).
const behaviourOpenAPI = `
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  RestApi:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Body:
        openapi: 3.0.1
        info: {title: lab, version: "1"}
        x-amazon-apigateway-request-validators:
          params: {validateRequestParameters: true, validateRequestBody: false}
        x-amazon-apigateway-request-validator: params
        x-amazon-apigateway-gateway-responses:
          BAD_REQUEST_PARAMETERS:
            statusCode: 401
            responseParameters:
              gatewayresponse.header.WWW-Authenticate: "'Basic realm=\"ddnsgen\"'"
            responseTemplates:
              text/plain: badauth
        paths:
          /nic/update:
            get:
              operationId: update
              parameters:
                - {name: Authorization, in: header, required: true, schema: {type: string}}
              responses:
                "200": {description: ok}
              x-amazon-apigateway-integration:
                type: aws
                httpMethod: POST
                uri: arn:aws:apigateway:us-east-1:route53:path/2013-04-01/hostedzone/ZKNOWN/rrset/
                credentials: !GetAtt Role.Arn
                passthroughBehavior: never
                requestTemplates:
                  application/json: <ChangeResourceRecordSetsRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ChangeBatch><Changes><Change><Action>UPSERT</Action><ResourceRecordSet><Name>a.example.com</Name><Type>A</Type><TTL>60</TTL><ResourceRecords><ResourceRecord><Value>192.0.2.1</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></Change></Changes></ChangeBatch></ChangeResourceRecordSetsRequest>
                responses:
                  default:
                    statusCode: "200"
                    responseTemplates:
                      text/plain: good
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: apigateway.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: route53
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: route53:ChangeResourceRecordSets
                Resource: arn:aws:route53:::hostedzone/ZKNOWN
  Deployment:
    Type: AWS::ApiGateway::Deployment
    Properties:
      RestApiId: !Ref RestApi
  Stage:
    Type: AWS::ApiGateway::Stage
    Properties:
      RestApiId: !Ref RestApi
      DeploymentId: !Ref Deployment
      StageName: ddns
`

// withStage adds a deployment and a stage "ddns" to behaviourTemplate, and
// an API key method (/keyed) with its usage plan when keyed is set.
func withStage(keyed bool) string {
	t := behaviourTemplate
	dependsOn := "[ZoneMethod, UpdateMethod]"
	if keyed {
		dependsOn = "[ZoneMethod, UpdateMethod, KeyedMethod]"
		t += `
  KeyedResource:
    Type: AWS::ApiGateway::Resource
    Properties:
      RestApiId: !Ref RestApi
      ParentId: !GetAtt RestApi.RootResourceId
      PathPart: keyed
  KeyedMethod:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref RestApi
      ResourceId: !Ref KeyedResource
      HttpMethod: GET
      AuthorizationType: NONE
      ApiKeyRequired: true
      RequestValidatorId: !Ref Validator
      RequestParameters:
        method.request.header.X-Device: true
%SHARED%  ApiKey:
    Type: AWS::ApiGateway::ApiKey
    Properties:
      Name: lab
      Enabled: true
  UsagePlan:
    Type: AWS::ApiGateway::UsagePlan
    Properties:
      ApiStages:
        - ApiId: !Ref RestApi
          Stage: !Ref Stage
  UsagePlanKey:
    Type: AWS::ApiGateway::UsagePlanKey
    Properties:
      KeyId: !Ref ApiKey
      KeyType: API_KEY
      UsagePlanId: !Ref UsagePlan
`
	}
	t = strings.ReplaceAll(t, "%SHARED%", sharedMethod)
	return t + `
  Deployment:
    Type: AWS::ApiGateway::Deployment
    DependsOn: ` + dependsOn + `
    Properties:
      RestApiId: !Ref RestApi
  Stage:
    Type: AWS::ApiGateway::Stage
    Properties:
      RestApiId: !Ref RestApi
      DeploymentId: !Ref Deployment
      StageName: ddns
`
}

// fakeRoute53 answers ChangeResourceRecordSets for any zone as moto 5.2
// does (no Comment in ChangeInfo), ListHostedZones, and GetHostedZone and
// ListResourceRecordSets for ZKNOWN (example.com, no records) only (ZBUSY:
// Throttling; others: NoSuchHostedZone).
type fakeRoute53 struct {
	*httptest.Server
	mu    sync.Mutex
	calls []string // "METHOD PATH"
}

func newFakeRoute53(t *testing.T) *fakeRoute53 {
	f := &fakeRoute53{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.calls = append(f.calls, r.Method+" "+r.URL.EscapedPath())
		f.mu.Unlock()
		w.Header().Set("Content-Type", "text/xml")
		switch {
		case r.Method == "GET" && r.URL.Path == "/2013-04-01/hostedzone":
			io.WriteString(w, `<ListHostedZonesResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><HostedZones></HostedZones><IsTruncated>false</IsTruncated><MaxItems>1</MaxItems></ListHostedZonesResponse>`)
		case r.Method == "GET" && r.URL.Path == "/2013-04-01/hostedzone/ZKNOWN":
			io.WriteString(w, `<GetHostedZoneResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><HostedZone><Id>/hostedzone/ZKNOWN</Id><Name>example.com.</Name></HostedZone></GetHostedZoneResponse>`)
		case r.Method == "GET" && r.URL.Path == "/2013-04-01/hostedzone/ZKNOWN/rrset":
			io.WriteString(w, `<ListResourceRecordSetsResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ResourceRecordSets></ResourceRecordSets><IsTruncated>false</IsTruncated><MaxItems>300</MaxItems></ListResourceRecordSetsResponse>`)
		case r.Method == "GET" && r.URL.Path == "/2013-04-01/hostedzone/ZBUSY":
			w.WriteHeader(400)
			io.WriteString(w, `<ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>r</RequestId></ErrorResponse>`)
		case r.Method == "GET":
			w.WriteHeader(404)
			io.WriteString(w, `<ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Error><Type>Sender</Type><Code>NoSuchHostedZone</Code><Message>No hosted zone found with ID: x</Message></Error><RequestId>r</RequestId></ErrorResponse>`)
		default:
			io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<ChangeResourceRecordSetsResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ChangeInfo><Id>/change/C2682N5HXP0BZ4</Id><Status>INSYNC</Status><SubmittedAt>2026-11-27T08:00:00.000Z</SubmittedAt></ChangeInfo></ChangeResourceRecordSetsResponse>`)
		}
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeRoute53) changes() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		if strings.HasPrefix(c, "POST ") {
			n++
		}
	}
	return n
}

// serveBehaviour serves tmpl with the given switches against a fake Route 53.
func serveBehaviour(t *testing.T, tmpl string, o local.Options) (*local.Server, *fakeRoute53) {
	t.Helper()
	lab.Tools(t, "java", "/usr/share/java/velocity-1.7.jar")
	f := newFakeRoute53(t)
	o.Template = []byte(tmpl)
	o.Route53URL = f.URL
	o.Engine = lab.Velocity(t)
	o.Unthrottled = true
	o.AccountID = "210987654321"
	o.Log = testLog{t}
	srv, err := local.Start(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv, f
}

type answer struct {
	status int
	header http.Header
	body   string
}

func get(t *testing.T, url string, headers ...string) answer {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, string(b)}
}

// TestCarry: a response template reads what the request template set in
// $context.requestOverride only in the carry world; the override reaches
// the integration request in both.
func TestCarry(t *testing.T) {
	for _, c := range []struct {
		carry bool
		want  string
	}{
		{false, "carry=[]|"},
		{true, "carry=[carried]|"},
	} {
		srv, f := serveBehaviour(t, withStage(false), local.Options{Carry: c.carry})
		for _, path := range []string{"/ddns/ZKNOWN", "/ddns/ZOTHER"} { // a 200 and a 403 response template
			a := get(t, srv.APIs[0].URL+path)
			if !strings.HasPrefix(a.body, c.want) {
				t.Errorf("Carry %v, %s: the response template printed %q, want it to start %q", c.carry, path, a.body, c.want)
			}
		}
		if f.changes() != 1 {
			t.Errorf("Carry %v: %d change calls reached Route 53, want 1 (ZKNOWN)", c.carry, f.changes())
		}
	}
}

// TestCommentEcho: a successful ChangeResourceRecordSets answer carries the
// batch's Comment, XML-escaped, as ChangeInfo's last member, although moto
// (here, its stand-in) leaves it out.
func TestCommentEcho(t *testing.T) {
	srv, _ := serveBehaviour(t, withStage(false), local.Options{})
	a := get(t, srv.APIs[0].URL+"/ddns/ZKNOWN")
	want := `<ChangeInfo><Id>/change/C2682N5HXP0BZ4</Id><Status>INSYNC</Status><SubmittedAt>2026-11-27T08:00:00.000Z</SubmittedAt><Comment>DDNSGEN a&amp;b &lt;c&gt; q= h=</Comment></ChangeInfo>`
	if a.status != 200 || !strings.Contains(a.body, want) {
		t.Errorf("%d %s\nwant the body to contain %s", a.status, a.body, want)
	}
}

// TestHeaderRemapping: headers an integration response sets, by mapping or
// by $context.responseOverride.header, reach the caller renamed when they
// are reserved; others keep their name.
func TestHeaderRemapping(t *testing.T) {
	srv, _ := serveBehaviour(t, withStage(false), local.Options{})
	a := get(t, srv.APIs[0].URL+"/ddns/ZKNOWN")
	for name, want := range map[string]string{
		"x-amzn-Remapped-WWW-Authenticate": `Basic realm="lab"`,
		"x-amzn-Remapped-Authorization":    "Bearer lab",
		"X-Plain":                          "kept",
		"WWW-Authenticate":                 "",
		"Authorization":                    "",
	} {
		if got := a.header.Get(name); got != want {
			t.Errorf("header %s: %q, want %q (headers %v)", name, got, want, a.header)
		}
	}
}

// TestAccessDenied: a batch for a zone the role's policy does not cover is
// refused by IAM before Route 53 sees it, with AWS's message naming the
// lab stack's own account and role.
func TestAccessDenied(t *testing.T) {
	srv, f := serveBehaviour(t, withStage(false), local.Options{})
	a := get(t, srv.APIs[0].URL+"/ddns/ZOTHER")
	re := regexp.MustCompile(`<Code>AccessDenied</Code><Message>User: arn:aws:sts::210987654321:assumed-role/ddns-Role-[A-Z0-9]{12}/BackplaneAssumeRoleSession is not authorized to perform: route53:ChangeResourceRecordSets on resource: arn:aws:route53:::hostedzone/ZOTHER because no identity-based policy allows the route53:ChangeResourceRecordSets action</Message>`)
	if a.status != 400 || !re.MatchString(a.body) {
		t.Errorf("%d %s\nwant 400 (the 4\\d{2} response) with AWS's AccessDenied message", a.status, a.body)
	}
	if f.changes() != 0 {
		t.Errorf("the refused batch reached Route 53")
	}
}

// TestZoneLookupFirst: for a zone that does not exist, the world where
// Route 53 looks the zone up first answers NoSuchHostedZone; the default
// world asks IAM first (AccessDenied). A zone that exists but is not the
// role's is AccessDenied in both, and a lookup Route 53 refuses (throttling)
// is the call's answer.
func TestZoneLookupFirst(t *testing.T) {
	for _, c := range []struct {
		first  bool
		path   string
		code   string
		detail string
	}{
		{false, "/ddns/ZMISSING", "AccessDenied", "on resource: arn:aws:route53:::hostedzone/ZMISSING because"},
		{true, "/ddns/ZMISSING", "NoSuchHostedZone", "<Message>No hosted zone found with ID: ZMISSING</Message>"},
		{true, "/ddns/ZKNOWN", "", ""}, // exists and allowed: 200
		// The lookup is part of the call: what Route 53 answers it is the
		// call's answer.
		{true, "/ddns/ZBUSY", "Throttling", "<Message>Rate exceeded</Message>"},
	} {
		srv, _ := serveBehaviour(t, withStage(false), local.Options{ZoneLookupFirst: c.first})
		a := get(t, srv.APIs[0].URL+c.path)
		if c.code == "" {
			if a.status != 200 {
				t.Errorf("ZoneLookupFirst %v, %s: %d %s, want 200", c.first, c.path, a.status, a.body)
			}
			continue
		}
		if a.status != 400 || !strings.Contains(a.body, "<Code>"+c.code+"</Code>") || !strings.Contains(a.body, c.detail) {
			t.Errorf("ZoneLookupFirst %v, %s: %d %s\nwant %s with %q", c.first, c.path, a.status, a.body, c.code, c.detail)
		}
	}
}

// TestRequestValidator: a request without a required header gets the
// BAD_REQUEST_PARAMETERS gateway response (here customised: 401, a
// WWW-Authenticate header that is not remapped, text/plain "badauth")
// and never reaches Route 53; with the header it goes through. The API key
// is checked before the validator, and without a customised response the
// default message names the missing parameters.
func TestRequestValidator(t *testing.T) {
	for _, c := range []struct{ name, tmpl string }{
		{"CloudFormation", withStage(true)},
		{"OpenAPI", behaviourOpenAPI},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv, f := serveBehaviour(t, c.tmpl, local.Options{APIKeys: map[string]string{"ApiKey": "lab-key-0123456789abcdefghijklmnopqrstu"}})
			base := srv.APIs[0].URL + "/ddns"
			a := get(t, base+"/nic/update")
			if a.status != 401 || a.body != "badauth" || a.header.Get("WWW-Authenticate") != `Basic realm="ddnsgen"` ||
				a.header.Get("x-amzn-Remapped-WWW-Authenticate") != "" || a.header.Get("Content-Type") != "text/plain" {
				t.Errorf("without Authorization: %d %v %q, want 401, WWW-Authenticate, text/plain badauth", a.status, a.header, a.body)
			}
			if f.changes() != 0 {
				t.Errorf("a request the validator refused reached Route 53")
			}
			a = get(t, base+"/nic/update", "Authorization: Basic eDp5")
			if a.status != 200 || f.changes() != 1 {
				t.Errorf("with Authorization: %d %q, %d calls to Route 53; want 200 and one call", a.status, a.body, f.changes())
			}
			if c.name != "CloudFormation" {
				return
			}
			// /keyed: neither key nor X-Device → the key is checked first.
			a = get(t, base+"/keyed")
			if a.status != 403 || a.body != `{"message":"Forbidden"}` {
				t.Errorf("/keyed without a key: %d %q, want 403 Forbidden", a.status, a.body)
			}
		})
	}
}

// TestRequestValidatorDefault: BAD_REQUEST_PARAMETERS without a
// GatewayResponse of its own answers API Gateway's default.
func TestRequestValidatorDefault(t *testing.T) {
	tmpl := strings.Replace(withStage(false), "ResponseType: BAD_REQUEST_PARAMETERS", "ResponseType: UNAUTHORIZED", 1)
	srv, _ := serveBehaviour(t, tmpl, local.Options{})
	a := get(t, srv.APIs[0].URL+"/ddns/nic/update")
	if a.status != 400 || a.body != `{"message":"Missing required request parameters: [Authorization]"}` ||
		a.header.Get("Content-Type") != "application/json" || a.header.Get("x-amzn-ErrorType") != "BadRequestException" {
		t.Errorf("%d %v %q, want 400 with the default message", a.status, a.header, a.body)
	}
}

// TestInvalidUTF8: bytes that are not UTF-8 in a query parameter, a header
// or the path reach the templates as U+FFFD instead of failing the request.
func TestInvalidUTF8(t *testing.T) {
	srv, _ := serveBehaviour(t, withStage(false), local.Options{})
	a := get(t, srv.APIs[0].URL+"/ddns/ZKNOWN?q=%FF", "X-Bin: \xff")
	if a.status != 200 || !strings.Contains(a.body, "q=\ufffd h=\ufffd</Comment>") {
		t.Errorf("query and header: %d %q, want 200 and U+FFFD for each", a.status, a.body)
	}
	a = get(t, srv.APIs[0].URL+"/ddns/%FF")
	if a.status != 400 || !strings.Contains(a.body, "hostedzone/\ufffd because") {
		t.Errorf("path: %d %q, want the 4xx response naming zone U+FFFD", a.status, a.body)
	}
}
