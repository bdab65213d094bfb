package local

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// loadOpenAPI adds the paths and operations of an OpenAPI document with API
// Gateway's extensions (x-amazon-apigateway-integration) to api, as
// import-rest-api would.
func loadOpenAPI(api *restAPI, body any, stack string) error {
	doc, ok := body.(map[string]any)
	if !ok {
		return fmt.Errorf("the OpenAPI document is not a mapping")
	}
	schemes := map[string]bool{} // API key security schemes
	if comps, ok := doc["components"].(map[string]any); ok {
		if ss, ok := comps["securitySchemes"].(map[string]any); ok {
			for name, v := range ss {
				if m, ok := v.(map[string]any); ok && m["type"] == "apiKey" {
					schemes[name] = true
				}
			}
		}
	}
	// Request validators by name, and the one every operation uses unless
	// it names another.
	validators := map[string]*requestValidator{}
	if vs, ok := doc["x-amazon-apigateway-request-validators"].(map[string]any); ok {
		for name, v := range vs {
			vm, _ := v.(map[string]any)
			validators[name] = &requestValidator{
				parameters: boolOf(vm["validateRequestParameters"]),
				body:       boolOf(vm["validateRequestBody"]),
			}
		}
	}
	defaultValidator, _ := doc["x-amazon-apigateway-request-validator"].(string)
	if grs, ok := doc["x-amazon-apigateway-gateway-responses"].(map[string]any); ok {
		for typ, v := range grs {
			gm, _ := v.(map[string]any)
			gr := &gatewayResponse{
				templates: stringMap(gm["responseTemplates"]),
				params:    stringMap(gm["responseParameters"]),
			}
			if sc, ok := gm["statusCode"]; ok {
				gr.status = fmt.Sprint(sc)
			}
			api.responses[typ] = gr
		}
	}
	paths, _ := doc["paths"].(map[string]any)
	for _, path := range slices.Sorted(maps.Keys(paths)) {
		node := api.root
		for _, part := range strings.Split(strings.Trim(path, "/"), "/") {
			if part == "" {
				continue
			}
			var next *pathNode
			for _, c := range node.children {
				if c.part == part {
					next = c
				}
			}
			if next == nil {
				next = &pathNode{part: part, path: strings.TrimSuffix(node.path, "/") + "/" + part,
					id: physicalID(stack, api.logicalID+path+part, 10), methods: map[string]*method{}}
				node.children = append(node.children, next)
			}
			node = next
		}
		ops, _ := paths[path].(map[string]any)
		for verb, v := range ops {
			op, ok := v.(map[string]any)
			if !ok {
				continue
			}
			m, err := openAPIMethod(strings.ToUpper(verb), op, schemes)
			if err != nil {
				return fmt.Errorf("%s %s: %w", strings.ToUpper(verb), path, err)
			}
			name := defaultValidator
			if n, ok := op["x-amazon-apigateway-request-validator"].(string); ok {
				name = n
			}
			if name != "" {
				v := validators[name]
				if v == nil {
					return fmt.Errorf("%s %s: x-amazon-apigateway-request-validator %q is not in x-amazon-apigateway-request-validators", strings.ToUpper(verb), path, name)
				}
				if err := m.useValidator(v); err != nil {
					return fmt.Errorf("%s %s: %w", strings.ToUpper(verb), path, err)
				}
			}
			node.methods[m.httpMethod] = m
		}
	}
	return nil
}

func openAPIMethod(verb string, op map[string]any, schemes map[string]bool) (*method, error) {
	m := &method{logicalID: fmt.Sprint(op["operationId"]), httpMethod: verb, params: map[string]bool{}, statuses: map[string]bool{}}
	for _, s := range anyList(op["security"]) {
		if req, ok := s.(map[string]any); ok {
			for name := range req {
				m.apiKeyRequired = m.apiKeyRequired || schemes[name]
			}
		}
	}
	for _, p := range anyList(op["parameters"]) {
		pm, _ := p.(map[string]any)
		in := map[string]string{"path": "path", "query": "querystring", "header": "header"}[fmt.Sprint(pm["in"])]
		m.params["method.request."+in+"."+fmt.Sprint(pm["name"])] = boolOf(pm["required"])
	}
	if responses, ok := op["responses"].(map[string]any); ok {
		for status := range responses {
			m.statuses[status] = true
		}
	}
	x, ok := op["x-amazon-apigateway-integration"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("no x-amazon-apigateway-integration")
	}
	in := &integration{
		typ:         strings.ToUpper(fmt.Sprint(x["type"])),
		httpMethod:  fmt.Sprint(x["httpMethod"]),
		uri:         fmt.Sprint(x["uri"]),
		credentials: fmt.Sprint(x["credentials"]),
		passthrough: strings.ToUpper(fmt.Sprint(x["passthroughBehavior"])),
		params:      stringMap(x["requestParameters"]),
		templates:   stringMap(x["requestTemplates"]),
	}
	m.integration = in
	responses, _ := x["responses"].(map[string]any)
	for _, key := range slices.Sorted(maps.Keys(responses)) {
		rm, _ := responses[key].(map[string]any)
		pattern := key
		if key == "default" {
			pattern = ""
		}
		if err := m.addResponse(fmt.Sprint(rm["statusCode"]), pattern, stringMap(rm["responseTemplates"]), stringMap(rm["responseParameters"])); err != nil {
			return nil, err
		}
	}
	if err := in.checkSize(); err != nil {
		return nil, err
	}
	return m, nil
}
