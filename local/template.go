package local

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// document is a CloudFormation template as plain values: maps, lists,
// strings, numbers and booleans, with short intrinsic tags (!Ref, !Sub,
// !GetAtt) turned into their long forms ({"Ref": …}, {"Fn::Sub": …}).
type document map[string]any

// parseTemplate reads YAML or JSON.
func parseTemplate(b []byte) (document, error) {
	var n yaml.Node
	if err := yaml.Unmarshal(b, &n); err != nil {
		return nil, fmt.Errorf("reading template: %w", err)
	}
	if len(n.Content) == 0 {
		return nil, fmt.Errorf("reading template: it is empty")
	}
	v, err := plain(n.Content[0])
	if err != nil {
		return nil, fmt.Errorf("reading template: %w", err)
	}
	doc, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("reading template: the top level is not a mapping")
	}
	return document(doc), nil
}

// plain converts a YAML node to plain values, expanding intrinsic tags.
func plain(n *yaml.Node) (any, error) {
	var v any
	switch n.Kind {
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			val, err := plain(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[n.Content[i].Value] = val
		}
		v = m
	case yaml.SequenceNode:
		l := []any{}
		for _, c := range n.Content {
			val, err := plain(c)
			if err != nil {
				return nil, err
			}
			l = append(l, val)
		}
		v = l
	case yaml.ScalarNode:
		if strings.HasPrefix(n.Tag, "!!") || n.Tag == "" {
			if err := n.Decode(&v); err != nil {
				return nil, err
			}
		} else {
			v = n.Value
		}
	case yaml.AliasNode:
		return nil, fmt.Errorf("line %d: CloudFormation does not take YAML aliases", n.Line)
	default:
		return nil, fmt.Errorf("line %d: unexpected YAML node", n.Line)
	}
	switch tag := n.Tag; {
	case tag == "!Ref":
		return map[string]any{"Ref": v}, nil
	case tag == "!GetAtt":
		if s, ok := v.(string); ok {
			a, b, _ := strings.Cut(s, ".")
			return map[string]any{"Fn::GetAtt": []any{a, b}}, nil
		}
		return map[string]any{"Fn::GetAtt": v}, nil
	case strings.HasPrefix(tag, "!") && !strings.HasPrefix(tag, "!!"):
		return map[string]any{"Fn::" + tag[1:]: v}, nil
	}
	return v, nil
}

// resource is one entry of Resources.
type resource struct {
	id         string
	typ        string
	properties map[string]any
	dependsOn  []string
}

func (d document) resources() ([]*resource, error) {
	raw, _ := d["Resources"].(map[string]any)
	var out []*resource
	for id, v := range raw {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("resource %s is not a mapping", id)
		}
		r := &resource{id: id}
		r.typ, _ = m["Type"].(string)
		r.properties, _ = m["Properties"].(map[string]any)
		if r.properties == nil {
			r.properties = map[string]any{}
		}
		switch dep := m["DependsOn"].(type) {
		case string:
			r.dependsOn = []string{dep}
		case []any:
			for _, x := range dep {
				s, _ := x.(string)
				r.dependsOn = append(r.dependsOn, s)
			}
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out, nil
}

// resolver evaluates the intrinsic functions the lab understands: Ref,
// Fn::Sub (string form), Fn::GetAtt, Fn::Join, Fn::Select. Anything else is
// an error, never a silent guess.
type resolver struct {
	values map[string]string // Ref targets: parameters, pseudo parameters, resources
	attrs  map[string]string // "Logical.Attribute"
}

var subVar = regexp.MustCompile(`\$\{([^}]*)\}`)

func (r *resolver) resolve(v any) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 1 {
			for k, arg := range x {
				if k == "Ref" || strings.HasPrefix(k, "Fn::") {
					return r.intrinsic(k, arg)
				}
			}
		}
		out := map[string]any{}
		for k, val := range x {
			rv, err := r.resolve(val)
			if err != nil {
				return nil, err
			}
			out[k] = rv
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, val := range x {
			rv, err := r.resolve(val)
			if err != nil {
				return nil, err
			}
			out[i] = rv
		}
		return out, nil
	}
	return v, nil
}

func (r *resolver) intrinsic(fn string, arg any) (any, error) {
	switch fn {
	case "Ref":
		name, _ := arg.(string)
		v, ok := r.values[name]
		if !ok {
			return nil, fmt.Errorf("Ref %q: no such parameter or resource", name)
		}
		return v, nil
	case "Fn::GetAtt":
		l, _ := arg.([]any)
		if len(l) != 2 {
			return nil, fmt.Errorf("Fn::GetAtt %v: want [Resource, Attribute]", arg)
		}
		key := fmt.Sprint(l[0]) + "." + fmt.Sprint(l[1])
		v, ok := r.attrs[key]
		if !ok {
			return nil, fmt.Errorf("Fn::GetAtt %s: the lab does not know this attribute", key)
		}
		return v, nil
	case "Fn::Sub":
		s, ok := arg.(string)
		if !ok {
			return nil, fmt.Errorf("Fn::Sub with a variable map is not supported by the lab")
		}
		var err error
		out := subVar.ReplaceAllStringFunc(s, func(m string) string {
			name := m[2 : len(m)-1]
			if strings.HasPrefix(name, "!") {
				return "${" + name[1:] + "}"
			}
			if v, ok := r.values[name]; ok {
				return v
			}
			if v, ok := r.attrs[name]; ok {
				return v
			}
			if err == nil {
				err = fmt.Errorf("Fn::Sub: ${%s} names no parameter, resource or attribute", name)
			}
			return m
		})
		return out, err
	case "Fn::Join":
		l, _ := arg.([]any)
		if len(l) != 2 {
			return nil, fmt.Errorf("Fn::Join %v: want [delimiter, [values]]", arg)
		}
		items, err := r.resolve(l[1])
		if err != nil {
			return nil, err
		}
		list, _ := items.([]any)
		parts := make([]string, len(list))
		for i, p := range list {
			parts[i] = fmt.Sprint(p)
		}
		return strings.Join(parts, fmt.Sprint(l[0])), nil
	}
	return nil, fmt.Errorf("%s: the lab does not evaluate this function", fn)
}

// str resolves v and requires a string.
func (r *resolver) str(v any) (string, error) {
	rv, err := r.resolve(v)
	if err != nil {
		return "", err
	}
	switch s := rv.(type) {
	case string:
		return s, nil
	case nil:
		return "", nil
	case bool, int, float64:
		return fmt.Sprint(s), nil
	}
	return "", fmt.Errorf("want a string, have %T", rv)
}

// jsonOf resolves v and marshals it, for policy documents.
func (r *resolver) jsonOf(v any) ([]byte, error) {
	rv, err := r.resolve(v)
	if err != nil {
		return nil, err
	}
	return json.Marshal(rv)
}
