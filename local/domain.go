package local

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// Domain is a custom domain name of the template (AWS::ApiGateway::DomainName)
// served on a loopback port of its own, as API Gateway serves it on its own
// host: each base path mapping's stage at its base path, a mapping without
// one at the root (https://DOMAIN/nic/update, https://DOMAIN/ZONEID).
type Domain struct {
	Name string // e.g. ddns.example.com
	URL  string // http://127.0.0.1:PORT; a client may send Host: Name
	// BasePaths are the mapped base paths, sorted; "" is the root.
	BasePaths []string

	d *domain
}

// domain is a loaded custom domain: its base path mappings by base path
// ("" for the root).
type domain struct {
	name     string
	mappings map[string]*basePathMapping
}

type basePathMapping struct {
	api   *restAPI
	stage string
}

// loadDomains reads the template's custom domains and base path mappings,
// and which APIs turn their execute-api endpoint off. It runs once the
// APIs and stages are loaded.
func loadDomains(r *resolver, resources []*resource, apis map[string]*restAPI) ([]*domain, error) {
	byLogical := map[string]*domain{}
	var out []*domain
	for _, res := range resources {
		switch res.typ {
		case "AWS::ApiGateway::DomainName":
			name, err := r.str(res.properties["DomainName"])
			if err != nil {
				return nil, fmt.Errorf("%s.DomainName: %w", res.id, err)
			}
			d := &domain{name: name, mappings: map[string]*basePathMapping{}}
			byLogical[res.id] = d
			out = append(out, d)
			// Ref of a DomainName is its name, as on AWS.
			r.values[res.id] = name
		case "AWS::ApiGateway::RestApi":
			disabled := boolOf(res.properties["DisableExecuteApiEndpoint"])
			// An OpenAPI body (SAM's DisableExecuteApiEndpoint) says it with
			// x-amazon-apigateway-endpoint-configuration: at the top in
			// Swagger 2, in a server object in OpenAPI 3.
			if body, ok := res.properties["Body"].(map[string]any); ok {
				places := []any{body}
				places = append(places, anyList(body["servers"])...)
				for _, p := range places {
					m, _ := p.(map[string]any)
					if ec, ok := m["x-amazon-apigateway-endpoint-configuration"].(map[string]any); ok {
						disabled = disabled || boolOf(ec["disableExecuteApiEndpoint"])
					}
				}
			}
			if api := apis[r.values[res.id]]; api != nil {
				api.executeAPIDisabled = disabled
			}
		}
	}
	for _, res := range resources {
		if res.typ != "AWS::ApiGateway::BasePathMapping" {
			continue
		}
		var d *domain
		if ref, ok := res.properties["DomainName"].(map[string]any); ok {
			if id, ok := ref["Ref"].(string); ok {
				d = byLogical[id]
			}
		}
		if d == nil {
			name, err := r.str(res.properties["DomainName"])
			if err != nil {
				return nil, fmt.Errorf("%s.DomainName: %w", res.id, err)
			}
			for _, x := range out {
				if x.name == name {
					d = x
				}
			}
			if d == nil {
				return nil, fmt.Errorf("%s: DomainName %q is no AWS::ApiGateway::DomainName of this template", res.id, name)
			}
		}
		apiID, err := r.str(res.properties["RestApiId"])
		if err != nil {
			return nil, fmt.Errorf("%s.RestApiId: %w", res.id, err)
		}
		api := apis[apiID]
		if api == nil {
			return nil, fmt.Errorf("%s: RestApiId %q is no RestApi of this template", res.id, apiID)
		}
		stageName, err := r.str(res.properties["Stage"])
		if err != nil || api.stages[stageName] == nil {
			return nil, fmt.Errorf("%s: Stage %q is no stage of API %s (a mapping without a stage is not modelled)", res.id, stageName, api.logicalID)
		}
		base := ""
		if v, ok := res.properties["BasePath"]; ok {
			if base, err = r.str(v); err != nil {
				return nil, fmt.Errorf("%s.BasePath: %w", res.id, err)
			}
			if base == "(none)" {
				base = ""
			}
			if strings.Contains(base, "/") {
				return nil, fmt.Errorf("%s: BasePath %q: the lab models single-segment base paths", res.id, base)
			}
		}
		if d.mappings[base] != nil {
			return nil, fmt.Errorf("%s: domain %s already maps base path %q", res.id, d.name, base)
		}
		d.mappings[base] = &basePathMapping{api: api, stage: stageName}
	}
	return out, nil
}

// executeAPIHandler serves the API's default (execute-api) endpoint, which
// answers 403 Forbidden to everything once DisableExecuteApiEndpoint is set.
func (s *Server) executeAPIHandler(api *restAPI) http.Handler {
	h := s.handler(api)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if api.executeAPIDisabled {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("x-amzn-ErrorType", "ForbiddenException")
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `{"message":"Forbidden"}`)
			s.logf("%s %s %s 403 execute-api endpoint disabled\n", time.Now().Format(time.RFC3339), r.Method, redacted(r.URL))
			return
		}
		h.ServeHTTP(w, r)
	})
}

// serveDomains starts a listener per custom domain.
func (s *Server) serveDomains() error {
	for _, d := range s.st.domains {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		dom := &Domain{Name: d.name, URL: "http://" + ln.Addr().String(), d: d}
		for base := range d.mappings {
			dom.BasePaths = append(dom.BasePaths, base)
		}
		sort.Strings(dom.BasePaths)
		handlers := map[*restAPI]http.Handler{}
		for _, m := range d.mappings {
			if handlers[m.api] == nil {
				handlers[m.api] = s.handler(m.api)
			}
		}
		srv := &http.Server{Handler: s.domainHandler(d, handlers), ReadHeaderTimeout: 10 * time.Second}
		s.servers = append(s.servers, srv)
		s.Domains = append(s.Domains, dom)
		go srv.Serve(ln)
	}
	return nil
}

// domainHandler routes a request on the custom domain to the stage its
// base path maps: the first path segment if it is a base path, else the
// root mapping with the whole path. The API then sees the path under its
// stage, as on the execute-api host.
func (s *Server) domainHandler(d *domain, handlers map[*restAPI]http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path := r.URL.EscapedPath()
		first, rest, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
		m, sub := d.mappings[first], "/"+rest
		if first == "" || m == nil {
			m, sub = d.mappings[""], path
		}
		if m == nil {
			// API Gateway's answer for a path no mapping takes.
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `{"message":"Forbidden"}`)
			return
		}
		raw := "/" + url.PathEscape(m.stage) + sub
		p, err := url.PathUnescape(raw)
		if err != nil {
			http.Error(w, `{"message":"Bad Request"}`, http.StatusBadRequest)
			return
		}
		r2 := r.Clone(r.Context())
		r2.URL.Path, r2.URL.RawPath = p, raw
		handlers[m.api].ServeHTTP(w, r2)
	})
}

// Routes lists the domain's methods as "GET http://127.0.0.1:PORT/PATH"
// (Host: the domain's name), sorted.
func (d *Domain) Routes() []string {
	var out []string
	for base, m := range d.d.mappings {
		prefix := d.URL
		if base != "" {
			prefix += "/" + base
		}
		var walk func(n *pathNode)
		walk = func(n *pathNode) {
			for verb := range n.methods {
				out = append(out, verb+" "+prefix+strings.TrimSuffix(n.path, "/"))
			}
			for _, c := range n.children {
				walk(c)
			}
		}
		walk(m.api.root)
	}
	sort.Strings(out)
	return out
}
