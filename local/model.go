package local

import (
	"crypto/sha256"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// restAPI is one AWS::ApiGateway::RestApi with everything that serves it.
type restAPI struct {
	logicalID string
	id        string
	root      *pathNode
	stages    map[string]*stage // by stage name
	responses map[string]*gatewayResponse
	// executeAPIDisabled: DisableExecuteApiEndpoint (see domain.go).
	executeAPIDisabled bool
}

// pathNode is a resource of the API's path tree.
type pathNode struct {
	part     string // "{zone_id}", "nic", "" for the root
	path     string // "/{zone_id}"
	id       string
	children []*pathNode
	methods  map[string]*method // by HTTP method
}

type method struct {
	logicalID      string
	httpMethod     string
	apiKeyRequired bool
	params         map[string]bool // method.request.* → required
	// validateParameters: the method's request validator checks that the
	// required params are there (ValidateRequestParameters).
	validateParameters bool
	integration        *integration
	statuses           map[string]bool // method response status codes
}

type integration struct {
	typ         string
	httpMethod  string
	uri         string
	credentials string
	passthrough string
	params      map[string]string // integration.request.* → source expression
	templates   map[string]string // request templates by content type
	responses   []*integrationResponse
}

type integrationResponse struct {
	status    string
	pattern   *regexp.Regexp // nil: the default response
	templates map[string]string
	params    map[string]string
}

type stage struct {
	name      string
	throttle  *bucket            // stage-wide method throttling ("/*" "*")
	throttles map[string]*bucket // per method: "GET /nic/update"
	variables map[string]string
	plans     []*usagePlan
	waf       *webACL // nil: no web ACL
}

// allow applies the stage's method throttling: a method's own setting if it
// has one, else the stage-wide one.
func (st *stage) allow(path, method string) bool {
	if b := st.throttles[method+" "+path]; b != nil {
		return b.take()
	}
	if b := st.throttles["* "+path]; b != nil {
		return b.take()
	}
	return st.throttle == nil || st.throttle.take()
}

type usagePlan struct {
	mu       sync.Mutex // guards buckets, day and counters
	id       string
	day      string // the UTC day the counters count
	rate     float64
	burst    int
	quota    int
	keys     map[string]*Key // by key id
	buckets  map[string]*bucket
	counters map[string]int
}

type gatewayResponse struct {
	status    string
	templates map[string]string
	params    map[string]string
}

// role is an IAM role the integrations may assume.
type role struct {
	arn      string
	trust    []byte   // assume-role policy document (JSON)
	policies [][]byte // identity policies (JSON)
}

// physicalID makes a stable id for a resource: the same stack and logical ID
// always give the same id, which keeps lab logs comparable between runs.
func physicalID(stack, logicalID string, n int) string {
	sum := sha256.Sum256([]byte(stack + "/" + logicalID))
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteByte(alphabet[int(sum[i])%len(alphabet)])
	}
	return b.String()
}

// checkParameters gives each template parameter its value as CloudFormation
// would: the given one or the Default, checked against the parameter's
// constraints.
func checkParameters(doc document, given map[string]string) (map[string]string, error) {
	decl, _ := doc["Parameters"].(map[string]any)
	out := map[string]string{}
	var names []string
	for name := range given {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if _, ok := decl[name]; !ok {
			return nil, fmt.Errorf("parameter %s does not exist in the template", name)
		}
	}
	names = names[:0]
	for name := range decl {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		p, _ := decl[name].(map[string]any)
		v, ok := given[name]
		if !ok {
			d, has := p["Default"]
			if !has {
				return nil, fmt.Errorf("parameter %s needs a value", name)
			}
			v = fmt.Sprint(d)
		}
		if err := checkParameter(name, v, p); err != nil {
			return nil, err
		}
		out[name] = v
	}
	return out, nil
}

func checkParameter(name, v string, p map[string]any) error {
	if pat, ok := p["AllowedPattern"].(string); ok {
		re, err := regexp.Compile(`^(?:` + pat + `)$`)
		if err != nil {
			return fmt.Errorf("parameter %s: AllowedPattern %q does not compile: %v", name, pat, err)
		}
		if !re.MatchString(v) {
			msg, _ := p["ConstraintDescription"].(string)
			if msg == "" {
				msg = "must match pattern " + pat
			}
			return fmt.Errorf("parameter %s %q: %s", name, v, msg)
		}
	}
	if allowed, ok := p["AllowedValues"].([]any); ok {
		found := false
		for _, a := range allowed {
			found = found || fmt.Sprint(a) == v
		}
		if !found {
			return fmt.Errorf("parameter %s %q: not one of the allowed values %v", name, v, allowed)
		}
	}
	if n, ok := number(p["MinLength"]); ok && float64(len(v)) < n {
		return fmt.Errorf("parameter %s: shorter than MinLength %v", name, n)
	}
	if n, ok := number(p["MaxLength"]); ok && float64(len(v)) > n {
		return fmt.Errorf("parameter %s: longer than MaxLength %v", name, n)
	}
	if typ, _ := p["Type"].(string); typ == "Number" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(f) {
			return fmt.Errorf("parameter %s %q: not a number", name, v)
		}
		if n, ok := number(p["MinValue"]); ok && f < n {
			return fmt.Errorf("parameter %s %q: below MinValue %v", name, v, n)
		}
		if n, ok := number(p["MaxValue"]); ok && f > n {
			return fmt.Errorf("parameter %s %q: above MaxValue %v", name, v, n)
		}
	}
	return nil
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int:
		return float64(n), true
	case float64:
		return n, true
	case string:
		f, err := strconv.ParseFloat(n, 64)
		return f, err == nil
	}
	return 0, false
}

func stringMap(v any) map[string]string {
	m, _ := v.(map[string]any)
	out := map[string]string{}
	for k, val := range m {
		switch x := val.(type) {
		case string:
			out[k] = x
		case bool:
			out[k] = strconv.FormatBool(x)
		default:
			out[k] = fmt.Sprint(x)
		}
	}
	return out
}

func boolOf(v any) bool {
	switch b := v.(type) {
	case bool:
		return b
	case string:
		return strings.EqualFold(b, "true")
	}
	return false
}
