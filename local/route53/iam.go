package route53

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// The Route 53 condition keys of ChangeResourceRecordSets. IAM compares key
// names without regard to case; these are the spellings AWS documents.
const (
	KeyNormalizedRecordNames = "route53:ChangeResourceRecordSetsNormalizedRecordNames"
	KeyRecordTypes           = "route53:ChangeResourceRecordSetsRecordTypes"
	KeyActions               = "route53:ChangeResourceRecordSetsActions"
)

// ActionChangeResourceRecordSets is the IAM action Authorize evaluates.
const ActionChangeResourceRecordSets = "route53:ChangeResourceRecordSets"

// knownKeys maps a lower-case key name to its documented spelling.
var knownKeys = map[string]string{
	strings.ToLower(KeyNormalizedRecordNames): KeyNormalizedRecordNames,
	strings.ToLower(KeyRecordTypes):           KeyRecordTypes,
	strings.ToLower(KeyActions):               KeyActions,
}

// Policy is a parsed identity-based policy. The zero Policy allows nothing.
type Policy struct {
	statements []statement
}

type statement struct {
	sid        string
	deny       bool
	actions    []string // lower case; matched without regard to case
	notAction  bool
	resources  []string
	notRes     bool
	conditions []condition
}

type condition struct {
	set    string // "", "ForAllValues" or "ForAnyValue"
	op     string // StringEquals, StringNotEquals, StringLike, StringNotLike, Null
	key    string // documented spelling
	values []string
}

// ParsePolicy reads an identity-based policy document: Version, and
// Statement as one object or a list; each statement with Sid, Effect,
// Action or NotAction, Resource or NotResource (string or list, with * and
// ? wildcards), and Condition.
//
// Conditions may use StringEquals, StringNotEquals, StringLike and
// StringNotLike with ForAllValues: or ForAnyValue:, and Null, on the three
// Route 53 keys above. Everything else (other operators or keys, a plain
// String operator on these multi-valued keys, policy variables, Principal,
// unknown or repeated elements) is an error rather than a guess, so a
// policy the lab cannot evaluate exactly is never evaluated.
func ParsePolicy(doc []byte) (*Policy, error) {
	v, err := decodeStrictJSON(doc)
	if err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	}
	top, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("policy: the document is not a JSON object")
	}
	for k := range top {
		switch k {
		case "Version", "Id", "Statement":
		default:
			return nil, fmt.Errorf("policy: unknown element %q (an identity-based policy has Version, Id and Statement)", k)
		}
	}
	if ver, ok := top["Version"]; ok && ver != "2012-10-17" && ver != "2008-10-17" {
		return nil, fmt.Errorf("policy: Version %v: IAM knows only 2012-10-17 and 2008-10-17", ver)
	}
	var raw []any
	switch s := top["Statement"].(type) {
	case map[string]any:
		raw = []any{s}
	case []any:
		raw = s
	case nil:
		return nil, errors.New("policy: no Statement")
	default:
		return nil, errors.New("policy: Statement must be an object or a list of objects")
	}
	p := &Policy{}
	for i, r := range raw {
		obj, ok := r.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("policy: statement %d is not an object", i)
		}
		st, err := parseStatement(obj)
		if err != nil {
			return nil, fmt.Errorf("policy: statement %d: %w", i, err)
		}
		p.statements = append(p.statements, st)
	}
	return p, nil
}

func parseStatement(obj map[string]any) (statement, error) {
	var st statement
	for k := range obj {
		switch k {
		case "Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition":
		case "Principal", "NotPrincipal":
			return st, fmt.Errorf("%s belongs in resource-based policies, not identity-based ones", k)
		default:
			return st, fmt.Errorf("unknown element %q", k)
		}
	}
	if sid, ok := obj["Sid"]; ok {
		s, ok := sid.(string)
		if !ok {
			return st, errors.New("Sid must be a string")
		}
		st.sid = s
	}
	switch obj["Effect"] {
	case "Allow":
	case "Deny":
		st.deny = true
	default:
		return st, fmt.Errorf("Effect %v: must be \"Allow\" or \"Deny\"", obj["Effect"])
	}

	var err error
	st.actions, st.notAction, err = oneOf(obj, "Action", "NotAction")
	if err != nil {
		return st, err
	}
	for i, a := range st.actions {
		if a != "*" && !strings.Contains(a, ":") {
			return st, fmt.Errorf("action %q: must be \"*\" or service:action", a)
		}
		st.actions[i] = strings.ToLower(a)
	}
	st.resources, st.notRes, err = oneOf(obj, "Resource", "NotResource")
	if err != nil {
		return st, err
	}
	for _, r := range st.resources {
		if strings.Contains(r, "${") {
			return st, fmt.Errorf("resource %q: policy variables are not supported by the lab", r)
		}
	}
	if c, ok := obj["Condition"]; ok {
		st.conditions, err = parseConditions(c)
		if err != nil {
			return st, err
		}
	}
	return st, nil
}

// oneOf reads exactly one of two elements holding a string or a list of
// strings, and says which one it was.
func oneOf(obj map[string]any, name, notName string) ([]string, bool, error) {
	v, has := obj[name]
	nv, hasNot := obj[notName]
	switch {
	case has && hasNot:
		return nil, false, fmt.Errorf("%s and %s together", name, notName)
	case !has && !hasNot:
		return nil, false, fmt.Errorf("neither %s nor %s", name, notName)
	case hasNot:
		list, err := stringList(notName, nv)
		return list, true, err
	}
	list, err := stringList(name, v)
	return list, false, err
}

func stringList(name string, v any) ([]string, error) {
	switch t := v.(type) {
	case string:
		return []string{t}, nil
	case []any:
		var list []string
		for _, e := range t {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("%s: %v is not a string", name, e)
			}
			list = append(list, s)
		}
		if len(list) == 0 {
			return nil, fmt.Errorf("%s: empty list", name)
		}
		return list, nil
	}
	return nil, fmt.Errorf("%s must be a string or a list of strings", name)
}

func parseConditions(v any) ([]condition, error) {
	block, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("Condition must be an object")
	}
	var conds []condition
	for operator, keys := range block {
		set, op, _ := strings.Cut(operator, ":")
		if op == "" {
			set, op = "", operator
		}
		switch set {
		case "", "ForAllValues", "ForAnyValue":
		default:
			return nil, fmt.Errorf("condition operator %q: unknown qualifier %q", operator, set)
		}
		switch op {
		case "StringEquals", "StringNotEquals", "StringLike", "StringNotLike":
			if set == "" {
				return nil, fmt.Errorf("condition operator %q on a multi-valued key: use ForAllValues:%s or ForAnyValue:%s", operator, op, op)
			}
		case "Null":
			if set != "" {
				return nil, fmt.Errorf("condition operator %q: Null takes no set qualifier", operator)
			}
		default:
			return nil, fmt.Errorf("condition operator %q is not supported by the lab", operator)
		}
		m, ok := keys.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("condition %q must map keys to values", operator)
		}
		for k, raw := range m {
			key, ok := knownKeys[strings.ToLower(k)]
			if !ok {
				return nil, fmt.Errorf("condition key %q is not supported by the lab (only %s, %s and %s)", k, KeyNormalizedRecordNames, KeyRecordTypes, KeyActions)
			}
			values, err := conditionValues(raw)
			if err != nil {
				return nil, fmt.Errorf("condition %s %s: %w", operator, k, err)
			}
			if op == "Null" && len(values) != 1 {
				return nil, fmt.Errorf("condition Null %s: give one value, \"true\" or \"false\"", k)
			}
			for _, val := range values {
				if strings.Contains(val, "${") {
					return nil, fmt.Errorf("condition %s %s: value %q: policy variables are not supported by the lab", operator, k, val)
				}
				if op == "Null" && val != "true" && val != "false" {
					return nil, fmt.Errorf("condition Null %s: value %q must be \"true\" or \"false\"", k, val)
				}
			}
			conds = append(conds, condition{set: set, op: op, key: key, values: values})
		}
	}
	return conds, nil
}

// conditionValues reads a condition's value: a string, a boolean or number
// (IAM reads them as their text), or a non-empty list of those.
func conditionValues(v any) ([]string, error) {
	one := func(e any) (string, error) {
		switch t := e.(type) {
		case string:
			return t, nil
		case bool:
			return fmt.Sprint(t), nil
		case json.Number:
			return t.String(), nil
		}
		return "", fmt.Errorf("value %v is not a string", e)
	}
	list, isList := v.([]any)
	if !isList {
		s, err := one(v)
		return []string{s}, err
	}
	if len(list) == 0 {
		return nil, errors.New("empty list of values")
	}
	var out []string
	for _, e := range list {
		s, err := one(e)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// DefaultPrincipal is the caller Authorize names in its denials.
const DefaultPrincipal = "arn:aws:sts::123456789012:assumed-role/ROLE/SESSION"

// Authorize evaluates route53:ChangeResourceRecordSets on zoneARN (e.g.
// "arn:aws:route53:::hostedzone/Z123") under the given identity-based
// policies, with the condition keys of batch (see ConditionValues). An
// explicit Deny wins; otherwise one Allow is enough; otherwise the request
// is implicitly denied. A denial is a 403 AccessDenied *Error with AWS's
// message for the case:
//
//	User: arn:aws:sts::123456789012:assumed-role/ROLE/SESSION is not authorized to perform: route53:ChangeResourceRecordSets on resource: arn:aws:route53:::hostedzone/Z123 because no identity-based policy allows the route53:ChangeResourceRecordSets action
//	User: … on resource: … with an explicit deny in an identity-based policy
//
// The caller named is DefaultPrincipal; AuthorizeAs names another.
func Authorize(policies []*Policy, zoneARN string, batch *ChangeBatch) error {
	return AuthorizeAs(DefaultPrincipal, policies, zoneARN, batch)
}

// AssumedRoleARN returns the ARN of a session of the role roleARN
// ("arn:aws:iam::ACCOUNT:role/PATH/NAME"), as AWS names the caller in a
// denial: "arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION".
func AssumedRoleARN(roleARN, session string) (string, error) {
	parts := strings.SplitN(roleARN, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" || !strings.HasPrefix(parts[5], "role/") {
		return "", fmt.Errorf("%q is not an IAM role ARN (arn:PARTITION:iam::ACCOUNT:role/NAME)", roleARN)
	}
	name := parts[5][strings.LastIndex(parts[5], "/")+1:]
	return fmt.Sprintf("arn:%s:sts::%s:assumed-role/%s/%s", parts[1], parts[4], name, session), nil
}

// AuthorizeAs is Authorize naming principal, such as an AssumedRoleARN, as
// the caller.
func AuthorizeAs(principal string, policies []*Policy, zoneARN string, batch *ChangeBatch) error {
	if batch == nil {
		return errors.New("route53: Authorize needs the parsed change batch")
	}
	ctx := batch.ConditionValues()
	allowed := false
	for _, p := range policies {
		for _, st := range p.statements {
			if !st.applies(ActionChangeResourceRecordSets, zoneARN, ctx) {
				continue
			}
			if st.deny {
				return accessDenied(principal, zoneARN, "with an explicit deny in an identity-based policy")
			}
			allowed = true
		}
	}
	if !allowed {
		return accessDenied(principal, zoneARN, "because no identity-based policy allows the "+ActionChangeResourceRecordSets+" action")
	}
	return nil
}

func accessDenied(principal, resource, context string) *Error {
	return &Error{
		Status:  http.StatusForbidden,
		Code:    "AccessDenied",
		Message: fmt.Sprintf("User: %s is not authorized to perform: %s on resource: %s %s", principal, ActionChangeResourceRecordSets, resource, context),
	}
}

func (st statement) applies(action, resource string, ctx map[string][]string) bool {
	if matchAny(st.actions, strings.ToLower(action)) == st.notAction {
		return false
	}
	if matchAny(st.resources, resource) == st.notRes {
		return false
	}
	for _, c := range st.conditions {
		if !c.holds(ctx) {
			return false
		}
	}
	return true
}

// holds evaluates the condition against the request context. ctx maps the
// documented key spellings to the request's values; an absent key and an
// empty list both mean "no values".
func (c condition) holds(ctx map[string][]string) bool {
	got := ctx[c.key]
	if c.op == "Null" {
		return (len(got) == 0) == (c.values[0] == "true")
	}
	// ForAllValues: every request value satisfies the operator (true for
	// none at all); ForAnyValue: at least one does (false for none).
	for _, v := range got {
		ok := c.matches(v)
		if c.set == "ForAllValues" && !ok {
			return false
		}
		if c.set == "ForAnyValue" && ok {
			return true
		}
	}
	return c.set == "ForAllValues"
}

// matches applies the operator to one request value: the positive
// operators need one policy value to match, the negated ones none.
func (c condition) matches(v string) bool {
	found := false
	for _, want := range c.values {
		switch c.op {
		case "StringEquals", "StringNotEquals":
			found = found || v == want
		case "StringLike", "StringNotLike":
			found = found || glob(want, v)
		}
	}
	if c.op == "StringNotEquals" || c.op == "StringNotLike" {
		return !found
	}
	return found
}

func matchAny(patterns []string, s string) bool {
	for _, p := range patterns {
		if glob(p, s) {
			return true
		}
	}
	return false
}

// glob reports whether s matches pattern, where * matches any run of
// characters (also none) and ? exactly one; everything else, including a
// backslash, stands for itself.
func glob(pattern, s string) bool {
	p, t := []rune(pattern), []rune(s)
	pi, ti := 0, 0
	star, mark := -1, 0
	for ti < len(t) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == t[ti]):
			pi++
			ti++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, ti
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			ti = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// decodeStrictJSON decodes one JSON value into maps, slices, strings,
// booleans and json.Numbers, refusing a repeated key in any object (where
// encoding/json would keep the last one silently) and trailing data.
func decodeStrictJSON(doc []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(doc))
	d.UseNumber()
	v, err := decodeValue(d)
	if err != nil {
		return nil, err
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, errors.New("data after the JSON document")
	}
	return v, nil
}

func decodeValue(d *json.Decoder) (any, error) {
	tok, err := d.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			m := map[string]any{}
			for d.More() {
				kt, err := d.Token()
				if err != nil {
					return nil, err
				}
				k := kt.(string)
				if _, dup := m[k]; dup {
					return nil, fmt.Errorf("key %q appears twice in one object", k)
				}
				if m[k], err = decodeValue(d); err != nil {
					return nil, err
				}
			}
			_, err := d.Token() // '}'
			return m, err
		case '[':
			list := []any{}
			for d.More() {
				v, err := decodeValue(d)
				if err != nil {
					return nil, err
				}
				list = append(list, v)
			}
			_, err := d.Token() // ']'
			return list, err
		}
	}
	return tok, nil
}
