package local

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/ddnsgen/ddnsgen/local/route53"
	"github.com/ddnsgen/ddnsgen/local/velocity"
)

// Options configure a lab server. Template is required.
type Options struct {
	// Template is a generated template, YAML or JSON.
	Template []byte
	// Parameters are the template's parameter values (as --parameter-overrides
	// would give them); each is checked against the parameter's constraints.
	Parameters map[string]string
	// Route53URL is the Route 53 endpoint the integrations call, e.g. a
	// moto_server on http://127.0.0.1:5000. Calls are SigV4-signed. Start
	// refuses an endpoint that does not answer as Route 53 does. Empty:
	// Route 53 in process (Server.Route53), with a hosted zone for each zone
	// the template's roles may change; a hosted zone id parameter without a
	// value then gets a made-up id.
	Route53URL string
	// StackName, Region and AccountID fill in the pseudo parameters
	// (defaults: "ddns", "us-east-1", "123456789012").
	StackName string
	Region    string
	AccountID string
	// APIKeys fixes the value of API keys by logical ID; the others get a
	// random 40-character value.
	APIKeys map[string]string
	// PhysicalIDs gives resources the ids of a deployed stack (logical ID →
	// what Ref answers), e.g. a hosted zone the template creates; the
	// others get stable made-up ids.
	PhysicalIDs map[string]string
	// TrustSourceIPHeader makes the X-Lab-Source-Ip request header set
	// $context.identity.sourceIp, so one loopback client can play callers
	// from anywhere (an IPv6 router, the console's test button). Never
	// enable it on a server others can reach.
	TrustSourceIPHeader bool
	// Carry says whether a response template of an AWS integration reads
	// the $context.requestOverride its request template set. AWS documents
	// requestOverride for request templates only and has been seen to carry
	// it into the response template only for MOCK integrations, so the zero
	// value (false) is the pessimistic world: the response template sees
	// the maps header, path and querystring, empty. True models the carry.
	// The overrides change the integration request in both worlds (that is
	// documented).
	Carry bool
	// ZoneLookupFirst says which check Route 53 makes first when a
	// ChangeResourceRecordSets call names a hosted zone that does not
	// exist: true answers NoSuchHostedZone (404, "No hosted zone found with
	// ID: ID") before IAM is asked; false (the zero value) asks IAM first,
	// which answers AccessDenied unless the role's policy covers
	// arn:aws:route53:::hostedzone/ID. AWS documents neither order.
	ZoneLookupFirst bool
	// WAFDelay is how long a web ACL's rate-based verdict on a source
	// address stands before its rate is looked at again. AWS WAF estimates
	// rates periodically and detects a rate above the limit "usually below
	// 30 seconds" late (rate-based rule caveats); the zero value decides on
	// every request, as a WAF without lag would.
	WAFDelay time.Duration
	// ChooseSecrets gives each NoEcho String parameter that has neither a
	// value in Parameters nor a Default a random value of 32 letters and
	// digits (a dyndns2 password), as API keys get one; API.Logins shows
	// them. Off: such a parameter is an error, as in CloudFormation.
	ChooseSecrets bool
	// Unthrottled turns off stage and usage-plan throttling (quotas still
	// count), so that a test can send requests back to back. The throttles
	// themselves are tested with it off.
	Unthrottled bool
	// Addr is the listen address of the first API (default 127.0.0.1:0);
	// each further RestApi gets the next free port.
	Addr string
	// Engine renders the mapping templates; nil starts one for the server
	// (one JVM) with Velocity's options.
	Engine   *velocity.Engine
	Velocity velocity.Options
	// Log gets one line per request; nil discards them.
	Log io.Writer
}

// SourceIPHeader is the header TrustSourceIPHeader honours.
const SourceIPHeader = "X-Lab-Source-Ip"

// Server serves each RestApi of a template on its own loopback port.
type Server struct {
	APIs []*API
	// Domains are the template's custom domains, each on its own port.
	Domains []*Domain

	o         Options
	st        *stack
	engine    *velocity.Engine
	ownEngine bool
	client    *http.Client
	// route53URL is where Route 53 calls go: Options.Route53URL, or the
	// in-process memory's.
	route53URL string
	memory     *route53.Memory // nil: Route53URL is an endpoint
	servers    []*http.Server
	logMu      sync.Mutex // Log is written from concurrent requests
	closeOnce  sync.Once
	closeErr   error
}

// API is one served RestApi.
type API struct {
	LogicalID string
	ID        string   // the RestApi's id
	URL       string   // http://127.0.0.1:PORT; the stage is the first path segment
	Stages    []string // stage names
	Keys      []Key    // the API keys of the usage plans of its stages

	api *restAPI
}

// Start loads the template and starts serving.
func Start(ctx context.Context, o Options) (*Server, error) {
	if o.StackName == "" {
		o.StackName = "ddns"
	}
	if o.Region == "" {
		o.Region = "us-east-1"
	}
	if o.AccountID == "" {
		o.AccountID = "123456789012"
	}
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	if o.Route53URL == "" {
		if err := inProcessParameters(&o); err != nil {
			return nil, fmt.Errorf("local: %w", err)
		}
	}
	st, err := load(&o, o.Template)
	if err != nil {
		return nil, fmt.Errorf("local: %w", err)
	}
	if len(st.apis) == 0 {
		return nil, errors.New("local: the template has no AWS::ApiGateway::RestApi")
	}
	s := &Server{o: o, st: st, engine: o.Engine, client: &http.Client{Timeout: 29 * time.Second}, route53URL: o.Route53URL}
	if o.Route53URL == "" {
		err = s.startInProcess()
	} else {
		err = s.checkEndpoint(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("local: %w", err)
	}
	if s.engine == nil {
		if s.engine, err = velocity.Start(ctx, o.Velocity); err != nil {
			return nil, fmt.Errorf("local: %w", err)
		}
		s.ownEngine = true
	}
	addr := o.Addr
	for _, api := range st.apis {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("local: %w", err)
		}
		addr = "127.0.0.1:0"
		a := &API{LogicalID: api.logicalID, ID: api.id, URL: "http://" + ln.Addr().String(), api: api}
		seen := map[string]bool{}
		for _, name := range slices.Sorted(maps.Keys(api.stages)) {
			a.Stages = append(a.Stages, name)
			for _, p := range api.stages[name].plans {
				for _, k := range p.keys {
					if !seen[k.ID] {
						seen[k.ID] = true
						a.Keys = append(a.Keys, *k)
					}
				}
			}
		}
		sort.Slice(a.Keys, func(i, j int) bool { return a.Keys[i].LogicalID < a.Keys[j].LogicalID })
		srv := &http.Server{Handler: s.executeAPIHandler(api), ReadHeaderTimeout: 10 * time.Second}
		s.servers = append(s.servers, srv)
		s.APIs = append(s.APIs, a)
		go srv.Serve(ln)
	}
	if err := s.serveDomains(); err != nil {
		s.Close()
		return nil, fmt.Errorf("local: %w", err)
	}
	return s, nil
}

// Close stops the listeners and, if the server started it, the JVM.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		for _, srv := range s.servers {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			if err := srv.Shutdown(ctx); err != nil && s.closeErr == nil {
				s.closeErr = err
			}
			cancel()
		}
		if s.ownEngine && s.engine != nil {
			if err := s.engine.Close(); err != nil && s.closeErr == nil {
				s.closeErr = err
			}
		}
	})
	return s.closeErr
}

// call is one request on its way through the API.
type call struct {
	api        *restAPI
	stage      *stage
	node       *pathNode
	method     *method
	requestID  string
	pathParams map[string]string
	query      map[string]string
	header     map[string]string
	body       string
	context    map[string]any
	key        *Key
	// errorMessage is $context.error.message of a gateway response, when
	// it is not the response type's default.
	errorMessage string
}

func (s *Server) handler(api *restAPI) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		if r.URL.Path == RecordsPath {
			s.serveRecords(w, r)
			return
		}
		c := &call{api: api, requestID: route53.NewRequestID()}
		rec := &statusRecorder{ResponseWriter: w}
		rec.Header().Set("x-amzn-RequestId", c.requestID)
		s.serve(rec, r, c)
		who := "-"
		if c.key != nil {
			who = c.key.Name
		}
		s.logf("%s %s %s %d key=%s %s\n", start.Format(time.RFC3339), r.Method, redacted(r.URL), rec.status, who, time.Since(start).Round(time.Millisecond))
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request, c *call) {
	segs := strings.Split(strings.TrimPrefix(r.URL.EscapedPath(), "/"), "/")
	c.stage = c.api.stages[segs[0]]
	if c.stage == nil {
		s.gateway(w, r, c, "MISSING_AUTHENTICATION_TOKEN")
		return
	}
	// AWS WAF sees the request before API Gateway does: a blocked request
	// is answered by WAF and spends no throttle token.
	if rule := c.stage.waf.check(s.sourceIP(r), r.URL.Path, time.Now(), s.o.WAFDelay); rule != nil {
		rule.answer(w)
		return
	}
	var ok bool
	c.node, c.pathParams, ok = match(c.api.root, segs[1:])
	if !ok {
		s.gateway(w, r, c, "MISSING_AUTHENTICATION_TOKEN")
		return
	}
	c.method = c.node.methods[r.Method]
	if c.method == nil {
		s.gateway(w, r, c, "MISSING_AUTHENTICATION_TOKEN")
		return
	}
	// API Gateway decodes parameters to Java strings; a byte sequence that
	// is not UTF-8 becomes U+FFFD there (Java's decoder replaces what it
	// cannot decode). AWS does not document this case: see validUTF8.
	c.query = map[string]string{}
	for k, v := range r.URL.Query() {
		c.query[validUTF8(k)] = validUTF8(v[len(v)-1]) // API Gateway keeps the last of repeated parameters
	}
	c.header = map[string]string{}
	for k, v := range r.Header {
		c.header[validUTF8(k)] = validUTF8(strings.Join(v, ","))
	}
	for k, v := range c.pathParams {
		c.pathParams[k] = validUTF8(v)
	}
	// The order of API Gateway's checks: the API key, then throttling (the
	// key's usage plan before the stage, as AWS documents), then request
	// validation. AWS does not document where validation sits; LocalStack's
	// request chain, rebuilt against AWS, checks the API key first
	// (localstack/services/apigateway/next_gen/execute_api/gateway.py).
	if m := c.method; m.apiKeyRequired {
		c.key = c.stage.key(r.Header.Get("X-Api-Key"))
		if c.key == nil {
			s.gateway(w, r, c, "INVALID_API_KEY")
			return
		}
	}
	if c.key != nil && !s.o.Unthrottled && !c.stage.keyThrottle(c.key) {
		s.gateway(w, r, c, "THROTTLED")
		return
	}
	if !s.o.Unthrottled && !c.stage.allow(c.node.path, r.Method) {
		s.gateway(w, r, c, "THROTTLED")
		return
	}
	if c.key != nil && !c.stage.countQuota(c.key) {
		s.gateway(w, r, c, "QUOTA_EXCEEDED")
		return
	}
	if missing := c.missingParameters(); len(missing) > 0 {
		c.errorMessage = "Missing required request parameters: [" + strings.Join(missing, ", ") + "]"
		s.gateway(w, r, c, "BAD_REQUEST_PARAMETERS")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 10<<20+1))
	if err != nil || len(body) > 10<<20 {
		s.gateway(w, r, c, "REQUEST_TOO_LARGE")
		return
	}
	c.body = validUTF8(string(body))
	c.context = s.contextOf(r, c)
	s.integrate(w, r, c)
}

// match walks the path tree; a {param} part matches any one segment.
func match(root *pathNode, segs []string) (*pathNode, map[string]string, bool) {
	params := map[string]string{}
	n := root
	if len(segs) == 1 && segs[0] == "" {
		return n, params, true
	}
	for _, seg := range segs {
		value, err := url.PathUnescape(seg)
		if err != nil || seg == "" {
			return nil, nil, false
		}
		var next *pathNode
		for _, child := range n.children {
			if child.part == value {
				next = child
				break
			}
		}
		if next == nil {
			for _, child := range n.children {
				if m := pathParam.FindStringSubmatch(child.part); m != nil {
					next = child
					params[m[1]] = value
					break
				}
			}
		}
		if next == nil {
			return nil, nil, false
		}
		n = next
	}
	return n, params, true
}

// key finds the API key a client sent among the stage's usage plans.
func (st *stage) key(value string) *Key {
	if value == "" {
		return nil
	}
	for _, p := range st.plans {
		for _, k := range p.keys {
			if k.Value == value {
				return k
			}
		}
	}
	return nil
}

// keyThrottle applies the per-key throttle of the key's usage plans. AWS
// applies it before the stage's method throttling ("How throttling limit
// settings are applied", API Gateway developer guide), so a request it
// refuses spends no stage token.
func (st *stage) keyThrottle(k *Key) bool {
	for _, p := range st.plans {
		if p.keys[k.ID] == nil || p.rate <= 0 {
			continue
		}
		p.mu.Lock()
		b := p.buckets[k.ID]
		if b == nil {
			b = newBucket(p.rate, p.burst)
			p.buckets[k.ID] = b
		}
		p.mu.Unlock()
		if !b.take() {
			return false
		}
	}
	return true
}

// countQuota counts the request against the key's daily quotas and reports
// whether it is within them.
func (st *stage) countQuota(k *Key) bool {
	for _, p := range st.plans {
		if p.keys[k.ID] == nil || p.quota <= 0 {
			continue
		}
		p.mu.Lock()
		if day := time.Now().UTC().Format("2006-01-02"); day != p.day {
			p.day, p.counters = day, map[string]int{} // a new day, new quotas
		}
		p.counters[k.ID]++
		over := p.counters[k.ID] > p.quota
		p.mu.Unlock()
		if over {
			return false
		}
	}
	return true
}

// missingParameters is what the method's request validator finds missing:
// the names of the required request parameters the request lacks, sorted
// by their method.request.* keys (as LocalStack's AWS-validated validator
// lists them), or nil when the method validates no parameters.
func (c *call) missingParameters() []string {
	if !c.method.validateParameters {
		return nil
	}
	var missing []string
	for _, k := range slices.Sorted(maps.Keys(c.method.params)) {
		if !c.method.params[k] {
			continue
		}
		where, name, _ := strings.Cut(strings.TrimPrefix(k, "method.request."), ".")
		present := true
		switch where {
		case "header":
			_, present = c.header[http.CanonicalHeaderKey(name)]
		case "querystring":
			_, present = c.query[name]
		case "path":
			_, present = c.pathParams[name]
		}
		if !present {
			missing = append(missing, name)
		}
	}
	return missing
}

// validUTF8 replaces each byte that is not part of a UTF-8 sequence with
// U+FFFD. What API Gateway does with such a parameter is not documented; it
// decodes parameters to Java strings, and Java's decoder replaces what it
// cannot decode, so the lab passes the value on that way (the most
// plausible answer, not an observed one) rather than refusing the request.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// sourceIP is $context.identity.sourceIp: the caller's address.
func (s *Server) sourceIP(r *http.Request) string {
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		ip = r.RemoteAddr
	}
	if s.o.TrustSourceIPHeader {
		if v := r.Header.Get(SourceIPHeader); v != "" {
			ip = v
		}
	}
	return ip
}

func (s *Server) contextOf(r *http.Request, c *call) map[string]any {
	ip := s.sourceIP(r)
	identity := map[string]any{
		"sourceIp":  ip,
		"userAgent": validUTF8(r.UserAgent()),
		"apiKey":    "",
		"apiKeyId":  "",
	}
	if c.key != nil {
		identity["apiKey"] = c.key.Value
		identity["apiKeyId"] = c.key.ID
	}
	now := time.Now().UTC()
	var stageName, resourceID, resourcePath string
	if c.stage != nil {
		stageName = c.stage.name
	}
	if c.node != nil {
		resourceID, resourcePath = c.node.id, c.node.path
	}
	return map[string]any{
		"requestId":         c.requestID,
		"extendedRequestId": c.requestID,
		"accountId":         s.o.AccountID,
		"apiId":             c.api.id,
		"stage":             stageName,
		"resourceId":        resourceID,
		"resourcePath":      resourcePath,
		"httpMethod":        r.Method,
		"path":              validUTF8(r.URL.Path),
		"protocol":          r.Proto,
		"domainName":        r.Host,
		"requestTime":       now.Format("02/Jan/2006:15:04:05 -0700"),
		"requestTimeEpoch":  now.UnixMilli(),
		"identity":          identity,
	}
}

// Default gateway responses: API Gateway's statuses and messages
// ($context.error.message).
var gatewayDefaults = map[string]struct {
	status  int
	message string
}{
	"MISSING_AUTHENTICATION_TOKEN": {403, "Missing Authentication Token"},
	"INVALID_API_KEY":              {403, "Forbidden"},
	"THROTTLED":                    {429, "Too Many Requests"},
	"QUOTA_EXCEEDED":               {429, "Limit Exceeded"},
	"UNSUPPORTED_MEDIA_TYPE":       {415, "Unsupported Media Type"},
	"REQUEST_TOO_LARGE":            {413, "Request Too Long"},
	"BAD_REQUEST_PARAMETERS":       {400, "Missing required request parameters"},
	"API_CONFIGURATION_ERROR":      {500, "Internal server error"},
	"INTEGRATION_FAILURE":          {504, "Internal server error"},
}

// gateway answers with a gateway response: the API's own (a
// GatewayResponse resource for the type, else for DEFAULT_4XX/DEFAULT_5XX),
// or API Gateway's default, {"message":$context.error.messageString}.
// API Gateway produces these itself, so their headers are not remapped
// (see remapped): a gateway response can send WWW-Authenticate.
func (s *Server) gateway(w http.ResponseWriter, r *http.Request, c *call, typ string) {
	d := gatewayDefaults[typ]
	status := d.status
	message := d.message
	if c.errorMessage != "" {
		message = c.errorMessage
	}
	quoted, _ := json.Marshal(message)
	body := `{"message":` + string(quoted) + `}`
	gr := c.api.responses[typ]
	if gr == nil {
		if status < 500 {
			gr = c.api.responses["DEFAULT_4XX"]
		} else {
			gr = c.api.responses["DEFAULT_5XX"]
		}
	}
	contentType := "application/json"
	if gr != nil {
		if gr.status != "" {
			fmt.Sscan(gr.status, &status)
		}
		for k, v := range gr.params {
			if name, ok := strings.CutPrefix(k, "gatewayresponse.header."); ok && strings.HasPrefix(v, "'") {
				w.Header().Set(name, strings.Trim(v, "'"))
			}
		}
		if len(gr.templates) > 0 {
			// Chosen by Accept like an integration response's template.
			key := pickResponseTemplate(gr.templates, r.Header.Get("Accept"))
			ctx := map[string]any{}
			if c.context != nil {
				maps.Copy(ctx, c.context)
			} else {
				maps.Copy(ctx, s.contextOf(r, c))
			}
			ctx["error"] = map[string]any{
				"message": message, "messageString": string(quoted), "responseType": typ,
				"validationErrorString": "",
			}
			res, err := s.engine.Render(velocity.Request{Template: gr.templates[key], Context: ctx, StageVariables: c.stageVariables()})
			if err != nil {
				s.logf("gateway response %s: template: %v\n", typ, err)
			} else {
				body = res.Output
				contentType = key
			}
		}
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", contentType)
	}
	w.Header().Set("x-amzn-ErrorType", errorType(typ))
	w.WriteHeader(status)
	io.WriteString(w, body)
}

func (c *call) stageVariables() map[string]string {
	if c.stage == nil {
		return nil
	}
	return c.stage.variables
}

func errorType(typ string) string {
	switch typ {
	case "MISSING_AUTHENTICATION_TOKEN":
		return "MissingAuthenticationTokenException"
	case "INVALID_API_KEY":
		return "ForbiddenException"
	case "THROTTLED", "QUOTA_EXCEEDED":
		return "TooManyRequestsException"
	case "UNSUPPORTED_MEDIA_TYPE":
		return "UnsupportedMediaTypeException"
	case "BAD_REQUEST_PARAMETERS":
		return "BadRequestException"
	}
	return "InternalServerErrorException"
}

// Routes lists the API's methods as "GET http://127.0.0.1:PORT/STAGE/PATH",
// sorted.
func (a *API) Routes() []string {
	var out []string
	var walk func(n *pathNode)
	walk = func(n *pathNode) {
		for verb := range n.methods {
			for _, st := range a.Stages {
				out = append(out, verb+" "+a.URL+"/"+st+strings.TrimSuffix(n.path, "/"))
			}
		}
		for _, c := range n.children {
			walk(c)
		}
	}
	walk(a.api.root)
	sort.Strings(out)
	return out
}

// UpdateURLs are the ddnsgen update URLs the API serves: its {zone_id}
// routes with each zone id of the stage's ddns_zone_N variables, sorted.
func (a *API) UpdateURLs() []string {
	var out []string
	for _, name := range a.Stages {
		st := a.api.stages[name]
		for _, v := range slices.Sorted(maps.Keys(st.variables)) {
			if !strings.HasPrefix(v, "ddns_zone_") {
				continue
			}
			for _, child := range a.api.root.children {
				if child.part == "{zone_id}" && child.methods["GET"] != nil {
					out = append(out, a.URL+"/"+name+"/"+st.variables[v])
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// logf writes a line to Options.Log, one request at a time.
func (s *Server) logf(format string, args ...any) {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	fmt.Fprintf(s.o.Log, format, args...)
}

// redacted is a request's path and query for the log, with the value of a
// password parameter (dyndns2's credentials in the URL) replaced: the lab
// logs no credentials, as a stack logs no query strings.
func redacted(u *url.URL) string {
	if u.RawQuery == "" {
		return u.EscapedPath()
	}
	parts := strings.Split(u.RawQuery, "&")
	for i, p := range parts {
		// The name as API Gateway reads it: decoded (pass%77ord is password).
		k, _, ok := strings.Cut(p, "=")
		if name, err := url.QueryUnescape(k); ok && (err != nil || strings.EqualFold(name, "password")) {
			parts[i] = k + "=REDACTED"
		}
	}
	return u.EscapedPath() + "?" + strings.Join(parts, "&")
}
