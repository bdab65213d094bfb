package cfn

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/awslabs/goformation/v7/cloudformation"
	"gopkg.in/yaml.v3"
)

// YAML returns t in the style of AWS's documentation: sections in AWS's
// order, Type before Properties, two-space indent, short intrinsic tags
// (!Ref, !Sub, !GetAtt A.B) and multi-line strings as literal blocks. The
// same template always gives the same bytes.
func YAML(t *cloudformation.Template) ([]byte, error) {
	root, err := tree(t)
	if err != nil {
		return nil, err
	}
	shorten(root)
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return nil, fmt.Errorf("cfn: writing YAML: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("cfn: writing YAML: %w", err)
	}
	return buf.Bytes(), nil
}

// JSON returns t as indented JSON with the same key order as YAML, and
// without escaping <, > and & (the mapping templates are full of them).
func JSON(t *cloudformation.Template) ([]byte, error) {
	root, err := tree(t)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := writeJSON(&buf, root, ""); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// tree is t as a YAML node tree in the order we write.
func tree(t *cloudformation.Template) (*yaml.Node, error) {
	j, err := t.JSON() // resolves goformation's intrinsic placeholders
	if err != nil {
		return nil, fmt.Errorf("cfn: marshalling template: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(j, &doc); err != nil {
		return nil, fmt.Errorf("cfn: reading marshalled template: %w", err)
	}
	root := doc.Content[0]
	order(root, sectionOrder)
	for _, section := range []struct {
		name  string
		order []string
	}{
		{"Parameters", []string{"Type", "Description"}},
		{"Resources", []string{"Type", "Condition", "DependsOn", "Metadata", "DeletionPolicy", "UpdateReplacePolicy", "Properties"}},
		{"Outputs", []string{"Description", "Value", "Export", "Condition"}},
	} {
		if s := get(root, section.name); s != nil {
			for i := 1; i < len(s.Content); i += 2 {
				order(s.Content[i], section.order)
			}
		}
	}
	if res := get(root, "Resources"); res != nil {
		orderByDependency(res)
	}
	orderPolicies(root)
	orderResponses(root)
	return root, nil
}

var sectionOrder = []string{
	"AWSTemplateFormatVersion", "Transform", "Description", "Metadata", "Parameters",
	"Mappings", "Conditions", "Resources", "Outputs",
}

// get returns the value of key in mapping n, or nil.
func get(n *yaml.Node, key string) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// order moves the listed keys of mapping n to the front, in the listed
// order; the other keys keep theirs (alphabetical, from encoding/json).
func order(n *yaml.Node, first []string) {
	if n.Kind != yaml.MappingNode {
		return
	}
	rank := func(key string) int {
		for i, k := range first {
			if k == key {
				return i
			}
		}
		return len(first)
	}
	type pair struct{ k, v *yaml.Node }
	pairs := make([]pair, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		pairs = append(pairs, pair{n.Content[i], n.Content[i+1]})
	}
	// A stable insertion sort: the lists are short.
	for i := 1; i < len(pairs); i++ {
		for j := i; j > 0 && rank(pairs[j].k.Value) < rank(pairs[j-1].k.Value); j-- {
			pairs[j], pairs[j-1] = pairs[j-1], pairs[j]
		}
	}
	n.Content = n.Content[:0]
	for _, p := range pairs {
		n.Content = append(n.Content, p.k, p.v)
	}
}

// orderByDependency writes each resource after the resources it refers to
// (Ref, Fn::GetAtt, ${} in Fn::Sub, DependsOn), alphabetically where the
// order is free. A reader meets a resource before its users, and tools that
// create resources in file order (moto's change sets ignore DependsOn) get
// a Deployment after its Methods.
func orderByDependency(resources *yaml.Node) {
	type entry struct{ k, v *yaml.Node }
	entries := map[string]entry{}
	var ids []string
	for i := 0; i+1 < len(resources.Content); i += 2 {
		id := resources.Content[i].Value
		entries[id] = entry{resources.Content[i], resources.Content[i+1]}
		ids = append(ids, id)
	}
	sort.Strings(ids)
	deps := map[string]map[string]bool{}
	for _, id := range ids {
		deps[id] = map[string]bool{}
		refersTo(entries[id].v, func(target string) {
			if _, ok := entries[target]; ok && target != id {
				deps[id][target] = true
			}
		})
	}
	resources.Content = resources.Content[:0]
	done := map[string]bool{}
	for len(done) < len(ids) {
		progress := false
		for _, id := range ids { // the first ready one, alphabetically
			if done[id] {
				continue
			}
			ready := true
			for d := range deps[id] {
				ready = ready && done[d]
			}
			if ready {
				done[id] = true
				resources.Content = append(resources.Content, entries[id].k, entries[id].v)
				progress = true
				break
			}
		}
		if !progress { // a cycle: CloudFormation would refuse it; keep the rest alphabetical
			for _, id := range ids {
				if !done[id] {
					done[id] = true
					resources.Content = append(resources.Content, entries[id].k, entries[id].v)
				}
			}
		}
	}
}

var subRef = regexp.MustCompile(`\$\{([A-Za-z0-9]+)(\.[A-Za-z0-9.]+)?\}`)

// refersTo calls fn with every logical ID n refers to.
func refersTo(n *yaml.Node, fn func(string)) {
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i].Value, n.Content[i+1]
			switch key {
			case "Ref":
				fn(strings.SplitN(val.Value, ".", 2)[0]) // SAM's Api.Stage is Api's
			case "DependsOn":
				if val.Kind == yaml.ScalarNode {
					fn(val.Value)
				}
				for _, c := range val.Content {
					fn(c.Value)
				}
			case "Fn::GetAtt":
				if val.Kind == yaml.SequenceNode && len(val.Content) > 0 {
					fn(val.Content[0].Value)
				}
			case "Fn::Sub":
				s := val
				if val.Kind == yaml.SequenceNode && len(val.Content) > 0 {
					s = val.Content[0]
				}
				for _, m := range subRef.FindAllStringSubmatch(s.Value, -1) {
					fn(m[1])
				}
			}
		}
	}
	for _, c := range n.Content {
		refersTo(c, fn)
	}
}

// orderPolicies writes IAM policy documents the way AWS's docs do: Version
// before Statement, and Sid, Effect, Principal, Action, Resource, Condition.
func orderPolicies(n *yaml.Node) {
	if n.Kind == yaml.MappingNode {
		if st := get(n, "Statement"); st != nil && get(n, "Version") != nil {
			order(n, []string{"Version", "Statement"})
			if st.Kind == yaml.SequenceNode {
				for _, s := range st.Content {
					order(s, []string{"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"})
				}
			}
		}
	}
	for _, c := range n.Content {
		orderPolicies(c)
	}
}

// orderResponses puts StatusCode and SelectionPattern first in integration
// and method responses: they say which response it is.
func orderResponses(n *yaml.Node) {
	if n.Kind == yaml.MappingNode && get(n, "StatusCode") != nil {
		order(n, []string{"StatusCode", "SelectionPattern"})
	}
	for _, c := range n.Content {
		orderResponses(c)
	}
}

// shorten restyles the tree for YAML: {"Ref": x} becomes !Ref x, {"Fn::Sub":
// s} becomes !Sub s, {"Fn::GetAtt": [a, b]} becomes !GetAtt a.b, any other
// {"Fn::X": v} becomes !X v; multi-line strings become literal blocks.
func shorten(n *yaml.Node) {
	for i, c := range n.Content {
		if short := intrinsic(c); short != nil {
			n.Content[i] = short
			c = short
		}
		shorten(c)
	}
	if n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode {
		n.Style = 0 // block style: the tree came from JSON, which is all flow
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" {
		n.Style = 0
		if strings.Contains(n.Value, "\n") && !trailingSpace(n.Value) {
			n.Style = yaml.LiteralStyle
		}
	}
}

func trailingSpace(s string) bool {
	for _, line := range strings.Split(s, "\n") {
		if strings.HasSuffix(line, " ") || strings.HasSuffix(line, "\t") {
			return true
		}
	}
	return strings.HasPrefix(s, " ")
}

// intrinsic returns the short form of a one-key intrinsic mapping, or nil.
func intrinsic(n *yaml.Node) *yaml.Node {
	if n.Kind != yaml.MappingNode || len(n.Content) != 2 {
		return nil
	}
	key, val := n.Content[0].Value, n.Content[1]
	var tag string
	switch {
	case key == "Ref":
		tag = "!Ref"
	case key == "Fn::GetAtt" && val.Kind == yaml.SequenceNode && len(val.Content) == 2 &&
		val.Content[0].Kind == yaml.ScalarNode && val.Content[1].Kind == yaml.ScalarNode:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!GetAtt", Value: val.Content[0].Value + "." + val.Content[1].Value}
	case strings.HasPrefix(key, "Fn::"):
		tag = "!" + strings.TrimPrefix(key, "Fn::")
	default:
		return nil
	}
	short := *val
	short.Tag = tag
	short.Style = 0
	if short.Kind == yaml.ScalarNode && strings.Contains(short.Value, "\n") && !trailingSpace(short.Value) {
		short.Style = yaml.LiteralStyle
	}
	return &short
}

// writeJSON writes n as JSON: mappings as objects in their order, scalars by
// their YAML tag (the tree came from JSON, so every scalar has one).
func writeJSON(buf *bytes.Buffer, n *yaml.Node, indent string) error {
	inner := indent + "  "
	switch n.Kind {
	case yaml.MappingNode:
		if len(n.Content) == 0 {
			buf.WriteString("{}")
			return nil
		}
		buf.WriteString("{\n")
		for i := 0; i+1 < len(n.Content); i += 2 {
			buf.WriteString(inner)
			writeString(buf, n.Content[i].Value)
			buf.WriteString(": ")
			if err := writeJSON(buf, n.Content[i+1], inner); err != nil {
				return err
			}
			if i+2 < len(n.Content) {
				buf.WriteByte(',')
			}
			buf.WriteByte('\n')
		}
		buf.WriteString(indent + "}")
	case yaml.SequenceNode:
		if len(n.Content) == 0 {
			buf.WriteString("[]")
			return nil
		}
		buf.WriteString("[\n")
		for i, c := range n.Content {
			buf.WriteString(inner)
			if err := writeJSON(buf, c, inner); err != nil {
				return err
			}
			if i+1 < len(n.Content) {
				buf.WriteByte(',')
			}
			buf.WriteByte('\n')
		}
		buf.WriteString(indent + "]")
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!str":
			writeString(buf, n.Value)
		case "!!int", "!!float", "!!bool":
			buf.WriteString(n.Value)
		case "!!null":
			buf.WriteString("null")
		default:
			return fmt.Errorf("cfn: writing JSON: scalar %q has tag %s", n.Value, n.Tag)
		}
	default:
		return fmt.Errorf("cfn: writing JSON: unexpected YAML node kind %d", n.Kind)
	}
	return nil
}

func writeString(buf *bytes.Buffer, s string) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	buf.Write(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}

// writeDocument writes a document that is no template (an OpenAPI
// document) in the same style, keys in the order the value gives them.
func writeDocument(v any, asYAML bool) ([]byte, error) {
	j, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("cfn: marshalling document: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(j, &doc); err != nil {
		return nil, fmt.Errorf("cfn: reading marshalled document: %w", err)
	}
	root := doc.Content[0]
	var buf bytes.Buffer
	if !asYAML {
		if err := writeJSON(&buf, root, ""); err != nil {
			return nil, err
		}
		buf.WriteByte('\n')
		return buf.Bytes(), nil
	}
	shorten(root)
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return nil, fmt.Errorf("cfn: writing YAML: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
