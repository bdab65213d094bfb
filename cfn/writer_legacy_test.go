package cfn

// The writer as it was before it had its own YAML writer and JSON reader:
// goformation's Template.JSON, read by yaml.v3 into a yaml.Node tree,
// restyled and written by yaml.v3. writer_test.go checks the new writer
// against it byte for byte.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/awslabs/goformation/v7/cloudformation"
	"gopkg.in/yaml.v3"
)

// YAML returns t in the style of AWS's documentation: sections in AWS's
// order, Type before Properties, two-space indent, short intrinsic tags
// (!Ref, !Sub, !GetAtt A.B) and multi-line strings as literal blocks. The
// same template always gives the same bytes.
func legacyYAML(t *cloudformation.Template) ([]byte, error) {
	root, err := legacyTree(t)
	if err != nil {
		return nil, err
	}
	legacyBlock(root)
	shorten(root)
	legacyMarkFlow(root)
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
func legacyJSON(t *cloudformation.Template) ([]byte, error) {
	root, err := legacyTree(t)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := legacyWriteJSON(&buf, root, ""); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// tree is t as a YAML node tree in the order we write.
func legacyTree(t *cloudformation.Template) (*yaml.Node, error) {
	j, err := t.JSON() // resolves goformation's intrinsic placeholders
	if err != nil {
		return nil, fmt.Errorf("cfn: marshalling template: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(yamlSafe(j), &doc); err != nil {
		return nil, fmt.Errorf("cfn: reading marshalled template: %w", err)
	}
	root := doc.Content[0]
	legacyOrder(root, sectionOrder)
	for _, section := range []struct {
		name  string
		order []string
	}{
		{"Parameters", []string{"Type", "Description"}},
		{"Resources", []string{"Type", "Condition", "DependsOn", "Metadata", "DeletionPolicy", "UpdateReplacePolicy", "Properties"}},
		{"Outputs", []string{"Description", "Value", "Export", "Condition"}},
	} {
		if s := legacyGet(root, section.name); s != nil {
			for i := 1; i < len(s.Content); i += 2 {
				legacyOrder(s.Content[i], section.order)
			}
		}
	}
	if res := legacyGet(root, "Resources"); res != nil {
		legacyOrderByDependency(res)
	}
	legacyOrderPolicies(root)
	legacyOrderResponses(root)
	return root, nil
}

// get returns the value of key in mapping n, or nil.
func legacyGet(n *yaml.Node, key string) *yaml.Node {
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
func legacyOrder(n *yaml.Node, first []string) {
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
func legacyOrderByDependency(resources *yaml.Node) {
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
		legacyRefersTo(entries[id].v, func(target string) {
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

var legacySubRef = regexp.MustCompile(`\$\{([A-Za-z0-9]+)(\.[A-Za-z0-9.]+)?\}`)

// refersTo calls fn with every logical ID n refers to.
func legacyRefersTo(n *yaml.Node, fn func(string)) {
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
				for _, m := range legacySubRef.FindAllStringSubmatch(s.Value, -1) {
					fn(m[1])
				}
			}
		}
	}
	for _, c := range n.Content {
		legacyRefersTo(c, fn)
	}
}

// orderPolicies writes IAM policy documents the way AWS's docs do: Version
// before Statement, and Sid, Effect, Principal, Action, Resource, Condition.
func legacyOrderPolicies(n *yaml.Node) {
	if n.Kind == yaml.MappingNode {
		if st := legacyGet(n, "Statement"); st != nil && legacyGet(n, "Version") != nil {
			legacyOrder(n, []string{"Version", "Statement"})
			if st.Kind == yaml.SequenceNode {
				for _, s := range st.Content {
					legacyOrder(s, []string{"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"})
				}
			}
		}
	}
	for _, c := range n.Content {
		legacyOrderPolicies(c)
	}
}

// writeJSON writes n as JSON: mappings as objects in their order, scalars by
// their YAML tag (the tree came from JSON, so every scalar has one).
func legacyWriteJSON(buf *bytes.Buffer, n *yaml.Node, indent string) error {
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
			legacyWriteString(buf, n.Content[i].Value)
			buf.WriteString(": ")
			if err := legacyWriteJSON(buf, n.Content[i+1], inner); err != nil {
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
			if err := legacyWriteJSON(buf, c, inner); err != nil {
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
			legacyWriteString(buf, n.Value)
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

func legacyWriteString(buf *bytes.Buffer, s string) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	buf.Write(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}

// writeDocument writes a document that is no template (an OpenAPI
// document) in the same style, keys in the order the value gives them.
func legacyWriteDocument(v any, asYAML bool) ([]byte, error) {
	j, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("cfn: marshalling document: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(yamlSafe(j), &doc); err != nil {
		return nil, fmt.Errorf("cfn: reading marshalled document: %w", err)
	}
	root := doc.Content[0]
	var buf bytes.Buffer
	if !asYAML {
		if err := legacyWriteJSON(&buf, root, ""); err != nil {
			return nil, err
		}
		buf.WriteByte('\n')
		return buf.Bytes(), nil
	}
	legacyBlock(root)
	shorten(root)
	legacyMarkFlow(root)
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

func legacyOrderResponses(n *yaml.Node) {
	if n.Kind == yaml.MappingNode && legacyGet(n, "StatusCode") != nil {
		legacyOrder(n, []string{"StatusCode", "SelectionPattern"})
	}
	for _, c := range n.Content {
		legacyOrderResponses(c)
	}
}

// yamlSafe escapes the characters that yaml.v3 cannot read raw in a JSON
// string: it refuses DEL, the C1 controls but NEL, U+FFFE and U+FFFF, and
// folds NEL into a space. The old writer failed on the first (an error) and
// changed the second; the reference reads what Template.JSON wrote.
func yamlSafe(j []byte) []byte {
	var out []byte
	for i := 0; i < len(j); {
		r, size := utf8.DecodeRune(j[i:])
		if r == 0x7f || r >= 0x80 && r <= 0x9f || r == 0xfffe || r == 0xffff || r == 0xfeff {
			out = fmt.Appendf(out, `\u%04x`, r)
		} else {
			out = append(out, j[i:i+size]...)
		}
		i += size
	}
	return out
}

// legacyBlock sets every mapping and sequence to block style: a tree read
// from JSON is all flow.
func legacyBlock(n *yaml.Node) {
	if n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode {
		n.Style = 0
	}
	for _, c := range n.Content {
		legacyBlock(c)
	}
}

// legacyMarkFlow is markFlow's rule on the yaml.Node tree after shorten,
// where an intrinsic written as a short tag on one scalar is a scalar: the
// Properties of an ApiKey or UsagePlanKey whose values are all scalars, and
// the lists of scalars of an IAM policy statement's Condition, in flow style.
func legacyMarkFlow(root *yaml.Node) {
	allScalars := func(n *yaml.Node, step int) bool {
		for i := step - 1; i < len(n.Content); i += step {
			if n.Content[i].Kind != yaml.ScalarNode {
				return false
			}
		}
		return true
	}
	if res := legacyGet(root, "Resources"); res != nil && res.Kind == yaml.MappingNode {
		for i := 1; i < len(res.Content); i += 2 {
			typ, props := legacyGet(res.Content[i], "Type"), legacyGet(res.Content[i], "Properties")
			if typ != nil && (typ.Value == "AWS::ApiGateway::ApiKey" || typ.Value == "AWS::ApiGateway::UsagePlanKey") &&
				props != nil && props.Kind == yaml.MappingNode && allScalars(props, 2) {
				props.Style = yaml.FlowStyle
			}
		}
	}
	var conditions func(n *yaml.Node)
	conditions = func(n *yaml.Node) {
		if st := legacyGet(n, "Statement"); st != nil && st.Kind == yaml.SequenceNode && legacyGet(n, "Version") != nil {
			for _, s := range st.Content {
				cond := legacyGet(s, "Condition")
				if cond == nil || cond.Kind != yaml.MappingNode {
					continue
				}
				for i := 1; i < len(cond.Content); i += 2 {
					if op := cond.Content[i]; op.Kind == yaml.MappingNode {
						for j := 1; j < len(op.Content); j += 2 {
							if l := op.Content[j]; l.Kind == yaml.SequenceNode && allScalars(l, 1) {
								l.Style = yaml.FlowStyle
							}
						}
					}
				}
			}
		}
		for _, c := range n.Content {
			conditions(c)
		}
	}
	conditions(root)
}
