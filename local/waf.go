package local

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
)

// webACL is an AWS::WAFv2::WebACL associated with a stage: its rate-based
// rules, in priority order, in front of everything API Gateway does (a
// request it blocks spends no throttle token and counts against no quota).
// The lab models what ddnsgen writes: rate-based rules that aggregate by
// source address, optionally scoped down by a match on the URI path, with
// a Block action; the default action Allow.
type webACL struct {
	rules []*wafRule
}

type wafRule struct {
	name     string
	priority int
	limit    int
	window   time.Duration
	scope    *wafMatch // nil: every request
	status   int
	body     string
	bodyType string
	headers  map[string]string

	mu sync.Mutex
	// seen are the times of each source address's requests within the
	// window (the ones blocked too: AWS WAF counts every request that
	// matches the rule's scope).
	seen map[string][]time.Time
	// blocked and decided: the last verdict per address and when it was
	// made (Options.WAFDelay).
	blocked map[string]bool
	decided map[string]time.Time
}

// wafMatch is a ByteMatchStatement on the URI path, or its negation.
type wafMatch struct {
	not        bool
	search     string
	constraint string
	transforms []string
}

func (m *wafMatch) matches(path string) bool {
	for _, t := range m.transforms {
		switch t {
		case "URL_DECODE":
			if d, err := url.PathUnescape(path); err == nil {
				path = d
			}
		case "LOWERCASE":
			path = strings.ToLower(path)
		}
	}
	var ok bool
	switch m.constraint {
	case "CONTAINS":
		ok = strings.Contains(path, m.search)
	case "STARTS_WITH":
		ok = strings.HasPrefix(path, m.search)
	case "ENDS_WITH":
		ok = strings.HasSuffix(path, m.search)
	case "EXACTLY":
		ok = path == m.search
	}
	return ok != m.not
}

// block reports whether the rule blocks a request from ip to path at now.
// delay is how long a verdict stands before the rate is looked at again:
// AWS WAF estimates rates periodically, "usually below 30 seconds" behind
// (AWS WAF developer guide, rate-based rule caveats); 0 decides on every
// request, as if WAF had no lag.
func (r *wafRule) block(ip, path string, now time.Time, delay time.Duration) bool {
	if r.scope != nil && !r.scope.matches(path) {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	times := r.seen[ip]
	cut := 0
	for cut < len(times) && now.Sub(times[cut]) >= r.window {
		cut++
	}
	times = append(times[cut:], now)
	r.seen[ip] = times
	if last, ok := r.decided[ip]; !ok || now.Sub(last) >= delay {
		r.blocked[ip] = len(times) > r.limit
		r.decided[ip] = now
	}
	return r.blocked[ip]
}

// answer writes the rule's block answer.
func (r *wafRule) answer(w http.ResponseWriter) {
	for k, v := range r.headers {
		w.Header().Set(k, v)
	}
	if r.bodyType != "" {
		w.Header().Set("Content-Type", r.bodyType)
	}
	w.WriteHeader(r.status)
	io.WriteString(w, r.body)
}

// check runs the web ACL on a request; the rule that blocks it, or nil.
func (acl *webACL) check(ip, path string, now time.Time, delay time.Duration) *wafRule {
	if acl == nil {
		return nil
	}
	for _, r := range acl.rules {
		if r.block(ip, path, now, delay) {
			return r
		}
	}
	return nil
}

var wafContentTypes = map[string]string{
	"TEXT_PLAIN":       "text/plain",
	"TEXT_HTML":        "text/html",
	"APPLICATION_JSON": "application/json",
}

// loadWebACL reads an AWS::WAFv2::WebACL's rules.
func loadWebACL(r *resolver, res *resource) (*webACL, error) {
	p := res.properties
	if d, _ := p["DefaultAction"].(map[string]any); d == nil || d["Allow"] == nil {
		return nil, fmt.Errorf("%s: the lab models only a web ACL whose DefaultAction is Allow", res.id)
	}
	bodies := map[string]map[string]any{}
	if b, ok := p["CustomResponseBodies"].(map[string]any); ok {
		for k, v := range b {
			m, _ := v.(map[string]any)
			bodies[k] = m
		}
	}
	acl := &webACL{}
	for _, item := range anyList(p["Rules"]) {
		m, _ := item.(map[string]any)
		name, _ := m["Name"].(string)
		rule := &wafRule{name: name, status: 403, seen: map[string][]time.Time{}, blocked: map[string]bool{}, decided: map[string]time.Time{}}
		pr, _ := number(m["Priority"])
		rule.priority = int(pr)
		st, _ := m["Statement"].(map[string]any)
		rb, _ := st["RateBasedStatement"].(map[string]any)
		if rb == nil {
			return nil, fmt.Errorf("%s: rule %s: the lab models only rate-based rules", res.id, name)
		}
		if agg, _ := rb["AggregateKeyType"].(string); agg != "IP" {
			return nil, fmt.Errorf("%s: rule %s: the lab models only AggregateKeyType IP", res.id, name)
		}
		limit, _ := number(rb["Limit"])
		rule.limit = int(limit)
		window := 300.0
		if w, ok := number(rb["EvaluationWindowSec"]); ok {
			window = w
		}
		rule.window = time.Duration(window) * time.Second
		if sd, ok := rb["ScopeDownStatement"].(map[string]any); ok {
			match, err := loadWAFMatch(sd)
			if err != nil {
				return nil, fmt.Errorf("%s: rule %s: %w", res.id, name, err)
			}
			rule.scope = match
		}
		action, _ := m["Action"].(map[string]any)
		block, _ := action["Block"].(map[string]any)
		if block == nil {
			return nil, fmt.Errorf("%s: rule %s: the lab models only the Block action", res.id, name)
		}
		if cr, ok := block["CustomResponse"].(map[string]any); ok {
			code, _ := number(cr["ResponseCode"])
			rule.status = int(code)
			if key, ok := cr["CustomResponseBodyKey"].(string); ok {
				b := bodies[key]
				if b == nil {
					return nil, fmt.Errorf("%s: rule %s: no CustomResponseBodies entry %q", res.id, name, key)
				}
				content, err := r.str(b["Content"])
				if err != nil {
					return nil, fmt.Errorf("%s: CustomResponseBodies.%s: %w", res.id, key, err)
				}
				rule.body = content
				ct, _ := b["ContentType"].(string)
				rule.bodyType = wafContentTypes[ct]
			}
			rule.headers = map[string]string{}
			for _, h := range anyList(cr["ResponseHeaders"]) {
				hm, _ := h.(map[string]any)
				k, _ := hm["Name"].(string)
				v, _ := hm["Value"].(string)
				rule.headers[k] = v
			}
		}
		acl.rules = append(acl.rules, rule)
	}
	sort.Slice(acl.rules, func(i, j int) bool { return acl.rules[i].priority < acl.rules[j].priority })
	return acl, nil
}

func loadWAFMatch(st map[string]any) (*wafMatch, error) {
	if n, ok := st["NotStatement"].(map[string]any); ok {
		inner, _ := n["Statement"].(map[string]any)
		m, err := loadWAFMatch(inner)
		if err != nil {
			return nil, err
		}
		m.not = !m.not
		return m, nil
	}
	bm, _ := st["ByteMatchStatement"].(map[string]any)
	if bm == nil {
		return nil, fmt.Errorf("the lab models only a ByteMatchStatement (or its NotStatement) as a scope-down statement")
	}
	ftm, _ := bm["FieldToMatch"].(map[string]any)
	if _, ok := ftm["UriPath"]; !ok {
		return nil, fmt.Errorf("the lab models only a match on the UriPath")
	}
	m := &wafMatch{}
	m.search, _ = bm["SearchString"].(string)
	m.constraint, _ = bm["PositionalConstraint"].(string)
	for _, t := range anyList(bm["TextTransformations"]) {
		tm, _ := t.(map[string]any)
		typ, _ := tm["Type"].(string)
		m.transforms = append(m.transforms, typ)
	}
	return m, nil
}

// loadWAF reads the template's web ACLs and attaches each to the stage its
// AWS::WAFv2::WebACLAssociation names (arn:...:apigateway:REGION::/restapis/ID/stages/NAME).
func loadWAF(r *resolver, resources []*resource, apis map[string]*restAPI) error {
	acls := map[string]*webACL{}
	for _, res := range resources {
		if res.typ != "AWS::WAFv2::WebACL" {
			continue
		}
		acl, err := loadWebACL(r, res)
		if err != nil {
			return err
		}
		acls[res.id] = acl
	}
	for _, res := range resources {
		if res.typ != "AWS::WAFv2::WebACLAssociation" {
			continue
		}
		arn, err := r.str(res.properties["ResourceArn"])
		if err != nil {
			return fmt.Errorf("%s.ResourceArn: %w", res.id, err)
		}
		_, rest, _ := strings.Cut(arn, "::/restapis/")
		apiID, stageName, ok := strings.Cut(rest, "/stages/")
		api := apis[apiID]
		if !ok || api == nil || api.stages[stageName] == nil {
			return fmt.Errorf("%s.ResourceArn %q: no stage of this template's APIs", res.id, arn)
		}
		var aclID string
		switch v := res.properties["WebACLArn"].(type) {
		case map[string]any:
			if ga := anyList(v["Fn::GetAtt"]); len(ga) == 2 {
				aclID, _ = ga[0].(string)
			}
		case string:
			aclID, _, _ = strings.Cut(v, ".")
		}
		acl := acls[aclID]
		if acl == nil {
			return fmt.Errorf("%s.WebACLArn: the lab needs !GetAtt of a web ACL of this template", res.id)
		}
		api.stages[stageName].waf = acl
	}
	return nil
}
