package local

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/ddnsgen/ddnsgen/local/route53"
	"github.com/ddnsgen/ddnsgen/local/velocity"
)

// backendResponse is what the integration endpoint answered.
type backendResponse struct {
	status int
	header http.Header
	body   string
}

// integrate runs the method's integration: request template, the call to
// the AWS service (or, for MOCK, the status the request template named),
// integration response selection, response template.
func (s *Server) integrate(w http.ResponseWriter, r *http.Request, c *call) {
	in := c.method.integration
	if in.typ != "AWS" && in.typ != "MOCK" {
		s.logf("%s: integration type %s is not modelled by the lab\n", c.method.logicalID, in.typ)
		s.gateway(w, r, c, "API_CONFIGURATION_ERROR")
		return
	}
	// The request template is chosen by Content-Type; none sent counts as
	// application/json.
	ct := "application/json"
	if v := r.Header.Get("Content-Type"); v != "" {
		if mt, _, err := mime.ParseMediaType(v); err == nil {
			ct = mt
		} else {
			ct = v
		}
	}
	tmpl, ok := in.templates[ct]
	var payload string
	req := velocity.Request{
		Body: c.body, Path: c.pathParams, QueryString: c.query, Header: c.header,
		Context: c.context, StageVariables: c.stage.variables,
	}
	overrides := velocity.RequestOverride{}
	var responseOverride velocity.ResponseOverride
	switch {
	case ok:
		req.Template = tmpl
		res, err := s.engine.Render(req)
		if err != nil {
			s.logf("%s: request template: %v\n", c.method.logicalID, err)
			s.gateway(w, r, c, "API_CONFIGURATION_ERROR")
			return
		}
		payload = res.Output
		overrides = res.RequestOverride
		responseOverride = res.ResponseOverride
	case in.passthrough == "NEVER" || (in.passthrough == "WHEN_NO_TEMPLATES" && len(in.templates) > 0):
		s.gateway(w, r, c, "UNSUPPORTED_MEDIA_TYPE")
		return
	default:
		payload = c.body
	}

	var backend *backendResponse
	var err error
	if in.typ == "MOCK" {
		backend, err = mockResponse(payload)
	} else {
		backend, err = s.callAWS(r.Context(), c, in, payload, overrides)
	}
	if err != nil {
		s.logf("%s: integration: %v\n", c.method.logicalID, err)
		s.gateway(w, r, c, "API_CONFIGURATION_ERROR")
		return
	}

	// The integration response: the first whose SelectionPattern matches the
	// backend's status, else the default one.
	var chosen *integrationResponse
	status := strconv.Itoa(backend.status)
	for _, ir := range in.responses {
		if ir.pattern != nil && ir.pattern.MatchString(status) {
			chosen = ir
			break
		}
	}
	if chosen == nil {
		for _, ir := range in.responses {
			if ir.pattern == nil {
				chosen = ir
				break
			}
		}
	}
	if chosen == nil {
		s.logf("%s: no integration response for status %s and no default\n", c.method.logicalID, status)
		s.gateway(w, r, c, "API_CONFIGURATION_ERROR")
		return
	}
	out := backend.body
	code, _ := strconv.Atoi(chosen.status)
	header := http.Header{}
	for k, v := range chosen.params {
		name, ok := strings.CutPrefix(k, "method.response.header.")
		if !ok {
			continue
		}
		switch {
		case strings.HasPrefix(v, "'"):
			header.Set(name, strings.Trim(v, "'"))
		case strings.HasPrefix(v, "integration.response.header."):
			header.Set(name, backend.header.Get(strings.TrimPrefix(v, "integration.response.header.")))
		}
	}
	if len(chosen.templates) > 0 {
		// The response template is chosen by Accept; none (or */*) means
		// application/json, no match means the first template.
		key := pickResponseTemplate(chosen.templates, r.Header.Get("Accept"))
		// What the request template put in $context.requestOverride reaches
		// the response template only in the world that carries it.
		// For MOCK integrations it does in both worlds (AWS-validated).
		carried := velocity.RequestOverride{}
		if s.o.Carry || in.typ == "MOCK" {
			carried = overrides
		}
		res, err := s.engine.Render(velocity.Request{
			Template: chosen.templates[key], Body: backend.body,
			Path: c.pathParams, QueryString: c.query, Header: c.header,
			Context: c.context, StageVariables: c.stage.variables,
			RequestOverride: carried, ResponseOverride: responseOverride,
		})
		if err != nil {
			s.logf("%s: response template: %v\n", c.method.logicalID, err)
			s.gateway(w, r, c, "API_CONFIGURATION_ERROR")
			return
		}
		out = res.Output
		if res.ResponseOverride.Status != 0 {
			code = res.ResponseOverride.Status
		}
		for k, v := range res.ResponseOverride.Header {
			header.Set(k, v)
		}
		if header.Get("Content-Type") == "" {
			header.Set("Content-Type", key)
		}
	}
	if header.Get("Content-Type") == "" {
		header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		w.Header()[remapped(k)] = v
	}
	w.WriteHeader(code)
	io.WriteString(w, out)
}

// mockResponse is what a MOCK integration answers: no backend is called;
// the request template's output, a JSON object, names the status that
// picks the integration response ({"statusCode": 200}), and the response
// template reads an empty body. An empty output (no template, nothing
// passed through) counts as 200; anything else that is not such an object
// is a configuration error, as API Gateway answers it (500).
func mockResponse(payload string) (*backendResponse, error) {
	out := &backendResponse{status: http.StatusOK, header: http.Header{}}
	if strings.TrimSpace(payload) == "" {
		return out, nil
	}
	// A whole number only: whether API Gateway takes "200" (a string) is
	// undocumented, and ddnsgen's templates write a number.
	var v struct {
		StatusCode json.RawMessage `json:"statusCode"`
	}
	if err := json.Unmarshal([]byte(payload), &v); err != nil || v.StatusCode == nil {
		return nil, fmt.Errorf("MOCK integration: the request template's output %.60q is not a JSON object with a statusCode", payload)
	}
	code, err := strconv.Atoi(string(v.StatusCode))
	if err != nil || code < 100 || code > 599 {
		return nil, fmt.Errorf("MOCK integration: statusCode %s is not a whole number that is an HTTP status", v.StatusCode)
	}
	out.status = code
	return out, nil
}

// remappedHeaders are the headers API Gateway renames to
// x-amzn-Remapped-NAME when the integration response of an AWS or HTTP
// (non-proxy) integration sets them, by method response header mapping or
// $context.responseOverride.header: AWS's list of reserved headers ("Amazon
// API Gateway important notes for REST APIs"), as LocalStack's
// AWS-validated test_apigateway_header_remapping_aws observed it
// (localstack/services/apigateway/next_gen/execute_api/handlers/
// method_response.py). Gateway responses are not remapped.
var remappedHeaders = map[string]string{}

func init() {
	for _, name := range []string{
		"Connection", "Content-Length", "Date", "Server", // every integration type
		"Authorization", "Content-MD5", "Expect", "Host", "Max-Forwards", "Proxy-Authenticate",
		"Trailer", "Upgrade", "User-Agent", "WWW-Authenticate",
	} {
		remappedHeaders[http.CanonicalHeaderKey(name)] = name
	}
}

// remapped is the name a header set by an integration response reaches the
// caller under.
func remapped(name string) string {
	if n, ok := remappedHeaders[http.CanonicalHeaderKey(name)]; ok {
		return "x-amzn-Remapped-" + n
	}
	return name
}

func pickResponseTemplate(templates map[string]string, accept string) string {
	keys := slices.Sorted(maps.Keys(templates))
	want := "application/json"
	if accept != "" && accept != "*/*" {
		want = strings.TrimSpace(strings.Split(strings.Split(accept, ",")[0], ";")[0])
	}
	if _, ok := templates[want]; ok {
		return want
	}
	return keys[0]
}

var awsURI = regexp.MustCompile(`^arn:aws[a-z-]*:apigateway:([a-z0-9-]+):([a-z0-9-]+):path/(.*)$`)

// callAWS makes the integration request to an AWS service. Only Route 53
// is modelled: its calls go through the checks real Route 53 and IAM make
// (route53.ParseChangeBatch, the role's policies, the record rules of
// route53.ApplyChanges) before reaching the lab's Route 53 (moto or the
// in-process one).
func (s *Server) callAWS(ctx context.Context, c *call, in *integration, payload string, ov velocity.RequestOverride) (*backendResponse, error) {
	m := awsURI.FindStringSubmatch(in.uri)
	if m == nil {
		return nil, fmt.Errorf("integration Uri %q: the lab models only path-style AWS service URIs", in.uri)
	}
	if m[2] != "route53" {
		return nil, fmt.Errorf("integration Uri %q: the lab models only Route 53", in.uri)
	}
	// Parameter mapping, then the template's overrides.
	path, query, header := map[string]string{}, url.Values{}, http.Header{}
	for k, src := range in.params {
		v, err := c.source(src)
		if err != nil {
			return nil, fmt.Errorf("request parameter %s: %w", k, err)
		}
		switch {
		case strings.HasPrefix(k, "integration.request.path."):
			path[strings.TrimPrefix(k, "integration.request.path.")] = v
		case strings.HasPrefix(k, "integration.request.querystring."):
			query.Set(strings.TrimPrefix(k, "integration.request.querystring."), v)
		case strings.HasPrefix(k, "integration.request.header."):
			header.Set(strings.TrimPrefix(k, "integration.request.header."), v)
		}
	}
	for k, v := range ov.Path {
		path[k] = v
	}
	for k, v := range ov.QueryString {
		query.Set(k, v)
	}
	for k, v := range ov.Header {
		header.Set(k, v)
	}
	var missing error
	p := regexp.MustCompile(`\{([^}]+)\}`).ReplaceAllStringFunc(m[3], func(x string) string {
		name := x[1 : len(x)-1]
		v, ok := path[name]
		if !ok && missing == nil {
			missing = fmt.Errorf("integration path parameter %s has no value", name)
		}
		return url.PathEscape(v)
	})
	if missing != nil {
		return nil, missing
	}

	// Assume the role, as API Gateway would.
	rl := s.st.roles[in.credentials]
	if rl == nil {
		return nil, fmt.Errorf("credentials %q: no role of this template has that ARN", in.credentials)
	}
	if !trustsAPIGateway(rl.trust) {
		return nil, fmt.Errorf("role %s does not trust apigateway.amazonaws.com with sts:AssumeRole", rl.arn)
	}

	resp, batch, zone, err := s.checkRoute53(ctx, in.httpMethod, "/"+p, []byte(payload), rl)
	if err != nil || resp != nil {
		return resp, err
	}
	target := "/" + p
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	out, err := s.route53Call(ctx, in.httpMethod, target, []byte(payload), header)
	if err != nil {
		return nil, err
	}
	if batch != nil && out.status == http.StatusOK {
		s.logChanges(zone, batch)
		out.body = echoComment(out.body, batch.Comment)
		out.header.Del("Content-Length")
	}
	return out, nil
}

// echoComment adds the change batch's Comment to the <ChangeInfo> of a
// ChangeResourceRecordSetsResponse, as Route 53 does and moto 5.2 does not.
// Comment is ChangeInfo's last member (Id, Status, SubmittedAt, Comment:
// Route 53 API reference, ChangeInfo), so it goes right before
// </ChangeInfo>. A response that already has one is left as it is.
func echoComment(body, comment string) string {
	if comment == "" {
		return body
	}
	end := strings.Index(body, "</ChangeInfo>")
	if end < 0 || strings.Contains(body[:end], "<Comment>") {
		return body
	}
	var esc strings.Builder
	xml.EscapeText(&esc, []byte(comment))
	return body[:end] + "<Comment>" + esc.String() + "</Comment>" + body[end:]
}

// lookUpZone asks Route 53 (GetHostedZone) whether a hosted zone exists:
// nil if it does, else the answer the ChangeResourceRecordSets call gets:
// NoSuchHostedZone, or whatever else Route 53 answered the lookup (a
// throttling error, a 5xx), as the call's own answer.
func (s *Server) lookUpZone(ctx context.Context, zone string) (*backendResponse, error) {
	resp, err := s.route53Call(ctx, http.MethodGet, "/2013-04-01/hostedzone/"+url.PathEscape(zone), nil, nil)
	if err != nil {
		return nil, err
	}
	switch resp.status {
	case http.StatusOK:
		return nil, nil
	case http.StatusNotFound:
		return errorResponse(route53.NoSuchHostedZone(zone)), nil
	}
	return resp, nil
}

var rrsetPath = regexp.MustCompile(`^/2013-04-01/hostedzone/([^/]+)/rrset/?$`)

// checkRoute53 makes the checks of real Route 53 that moto skips, and IAM's,
// then Route 53's record rules against the zone's records: it returns the
// error response AWS would send, or nil, the parsed change batch and its
// zone to let the call through.
func (s *Server) checkRoute53(ctx context.Context, method, path string, body []byte, rl *role) (*backendResponse, *route53.ChangeBatch, route53.Zone, error) {
	var zone route53.Zone
	m := rrsetPath.FindStringSubmatch(path)
	if m == nil || method != http.MethodPost {
		return nil, nil, zone, nil
	}
	zoneID, _ := url.PathUnescape(m[1])
	if s.o.ZoneLookupFirst {
		// The world where Route 53 looks the zone up before IAM is asked
		// (undocumented, as is the other order).
		resp, err := s.lookUpZone(ctx, zoneID)
		if err != nil || resp != nil {
			return resp, nil, zone, err
		}
	}
	batch, err := route53.ParseChangeBatch(body)
	if err == nil {
		var policies []*route53.Policy
		for _, doc := range rl.policies {
			p, perr := route53.ParsePolicy(doc)
			if perr != nil {
				return nil, nil, zone, fmt.Errorf("the lab cannot evaluate role %s's policy: %w", rl.arn, perr)
			}
			policies = append(policies, p)
		}
		// API Gateway's session name for an integration role is not
		// documented; CloudTrail shows BackplaneAssumeRoleSession. The
		// account and role are the lab stack's own, so a test can check
		// that they never reach a caller.
		principal, perr := route53.AssumedRoleARN(rl.arn, "BackplaneAssumeRoleSession")
		if perr != nil {
			principal = route53.DefaultPrincipal
		}
		err = route53.AuthorizeAs(principal, policies, "arn:aws:route53:::hostedzone/"+zoneID, batch)
	}
	if err == nil {
		// Route 53 applies a batch IAM allowed to the zone's records.
		resp, zone, err := s.checkRecordRules(ctx, zoneID, batch)
		if err != nil || resp != nil {
			return resp, nil, zone, err
		}
		return nil, batch, zone, nil
	}
	re, ok := err.(*route53.Error)
	if !ok {
		re = route53.InvalidInput(err.Error())
	}
	if re.Code == route53.CodeLabUnsupported {
		return nil, nil, zone, fmt.Errorf("the lab cannot judge this change batch: %s", re.Message)
	}
	return errorResponse(re), nil, zone, nil
}

func errorResponse(e *route53.Error) *backendResponse {
	h := http.Header{}
	h.Set("Content-Type", "text/xml")
	return &backendResponse{status: e.Status, header: h, body: string(e.Body())}
}

// source evaluates a parameter-mapping source expression.
func (c *call) source(src string) (string, error) {
	switch {
	case strings.HasPrefix(src, "'") && strings.HasSuffix(src, "'") && len(src) >= 2:
		return src[1 : len(src)-1], nil
	case strings.HasPrefix(src, "method.request.path."):
		return c.pathParams[strings.TrimPrefix(src, "method.request.path.")], nil
	case strings.HasPrefix(src, "method.request.querystring."):
		return c.query[strings.TrimPrefix(src, "method.request.querystring.")], nil
	case strings.HasPrefix(src, "stageVariables."):
		return c.stage.variables[strings.TrimPrefix(src, "stageVariables.")], nil
	case strings.HasPrefix(src, "method.request.header."):
		name := strings.TrimPrefix(src, "method.request.header.")
		return c.header[http.CanonicalHeaderKey(name)], nil
	}
	return "", fmt.Errorf("source %q is not modelled by the lab", src)
}

// trustsAPIGateway reports whether a trust policy lets API Gateway assume
// the role.
func trustsAPIGateway(doc []byte) bool {
	var p struct {
		Statement []struct {
			Effect    string
			Principal map[string]any
			Action    any
		}
	}
	if json.Unmarshal(doc, &p) != nil {
		return false
	}
	for _, st := range p.Statement {
		if st.Effect != "Allow" || !contains(st.Action, "sts:AssumeRole") {
			continue
		}
		if contains(st.Principal["Service"], "apigateway.amazonaws.com") {
			return true
		}
	}
	return false
}

func contains(v any, want string) bool {
	switch x := v.(type) {
	case string:
		return x == want
	case []any:
		for _, e := range x {
			if e == want {
				return true
			}
		}
	}
	return false
}
