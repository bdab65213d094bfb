package cfn

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

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
	return yamlBytes(root, flowWidth)
}

// JSON returns t as indented JSON with the same key order as YAML, and
// without escaping <, > and & (the mapping templates are full of them).
func JSON(t *cloudformation.Template) ([]byte, error) {
	root, err := tree(t)
	if err != nil {
		return nil, err
	}
	return jsonBytes(root), nil
}

// writeDocument writes a document that is no template (an OpenAPI
// document) in the same style, keys in the order the value gives them.
func writeDocument(v any, asYAML bool) ([]byte, error) {
	root, err := documentTree(v)
	if err != nil {
		return nil, err
	}
	if !asYAML {
		return jsonBytes(root), nil
	}
	return yamlBytes(root, flowWidth)
}

// flowWidth is the column a flow collection wraps at in the YAML we write
// (yaml.v3 never wraps: the few shapes it writes for us keep long lines).
const flowWidth = 120

// yamlBytes writes root as YAML, flow collections wrapped at width (0:
// not wrapped, yaml.v3's bytes).
func yamlBytes(root *node, width int) ([]byte, error) {
	markFlow(root)
	if out, ok := writeYAML(root, 64<<10, width); ok {
		return out, nil
	}
	return yamlByEncoder(root)
}

// flowTypes are the resource types whose Properties YAML writes in flow
// style: a stack has one of each per device.
var flowTypes = map[string]bool{"AWS::ApiGateway::ApiKey": true, "AWS::ApiGateway::UsagePlanKey": true}

// markFlow marks the nodes YAML writes in flow style ({k: v} and [a, b]):
// small values a stack repeats per device, where a line per value would
// cost most of the bytes of a device (CloudFormation takes 51,200 bytes of
// template inline). They are:
//   - the Properties of each resource of a type in flowTypes whose every
//     value is a scalar or an intrinsic written as a short tag on one
//     (!Ref x, !Sub s, !GetAtt A.B): {Enabled: true, Name: !Sub '…'};
//   - in an IAM policy document (a mapping with Version and Statement),
//     each list of scalars a statement's Condition gives a key:
//     route53:ChangeResourceRecordSetsNormalizedRecordNames: [a.example.com, b.example.com].
//
// Anything else stays in block style. JSON is written the same either way.
func markFlow(root *node) {
	if res := root.get("Resources"); res != nil {
		for i := 1; i < len(res.content); i += 2 {
			r := res.content[i]
			typ, props := r.get("Type"), r.get("Properties")
			if typ != nil && flowTypes[typ.value] && props != nil && props.kind == mappingNode && flatValues(props) {
				props.flow = true
			}
		}
	}
	markConditionLists(root)
}

// flatValues is whether every value of mapping n is written as one scalar.
func flatValues(n *node) bool {
	for i := 1; i < len(n.content); i += 2 {
		if _, v := short(n.content[i]); v.kind == mappingNode || v.kind == sequenceNode {
			return false
		}
	}
	return true
}

func markConditionLists(n *node) {
	if n.kind == mappingNode && n.get("Version") != nil {
		if st := n.get("Statement"); st != nil && st.kind == sequenceNode {
			for _, s := range st.content {
				cond := s.get("Condition")
				if cond == nil || cond.kind != mappingNode {
					continue
				}
				for i := 1; i < len(cond.content); i += 2 {
					op := cond.content[i]
					if op.kind != mappingNode {
						continue
					}
					for j := 1; j < len(op.content); j += 2 {
						if l := op.content[j]; l.kind == sequenceNode && scalars(l) {
							l.flow = true
						}
					}
				}
			}
		}
	}
	for _, c := range n.content {
		markConditionLists(c)
	}
}

// scalars is whether every item of sequence n is written as one scalar.
func scalars(n *node) bool {
	for _, c := range n.content {
		if _, v := short(c); v.kind == mappingNode || v.kind == sequenceNode {
			return false
		}
	}
	return true
}

func jsonBytes(root *node) []byte {
	w := &jsonWriter{out: make([]byte, 0, 64<<10)}
	w.value(root, 0)
	w.out = append(w.out, '\n')
	return w.out
}

// jsonWriter writes nodes as JSON, two spaces an indent.
type jsonWriter struct{ out []byte }

func (w *jsonWriter) newline(depth int) {
	w.out = append(w.out, '\n')
	for range depth {
		w.out = append(w.out, "  "...)
	}
}

func (w *jsonWriter) value(n *node, depth int) {
	switch n.kind {
	case mappingNode:
		if len(n.content) == 0 {
			w.out = append(w.out, "{}"...)
			return
		}
		w.out = append(w.out, '{')
		for i := 0; i+1 < len(n.content); i += 2 {
			if i > 0 {
				w.out = append(w.out, ',')
			}
			w.newline(depth + 1)
			w.out = appendJSONString(w.out, n.content[i].value)
			w.out = append(w.out, ": "...)
			w.value(n.content[i+1], depth+1)
		}
		w.newline(depth)
		w.out = append(w.out, '}')
	case sequenceNode:
		if len(n.content) == 0 {
			w.out = append(w.out, "[]"...)
			return
		}
		w.out = append(w.out, '[')
		for i, c := range n.content {
			if i > 0 {
				w.out = append(w.out, ',')
			}
			w.newline(depth + 1)
			w.value(c, depth+1)
		}
		w.newline(depth)
		w.out = append(w.out, ']')
	case stringNode:
		w.out = appendJSONString(w.out, n.value)
	default:
		w.out = append(w.out, n.value...)
	}
}

// appendJSONString appends s as encoding/json writes a string with HTML
// escaping off.
func appendJSONString(out []byte, s string) []byte {
	const hex = "0123456789abcdef"
	out = append(out, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			out = append(out, s[start:i]...)
			switch c {
			case '"', '\\':
				out = append(out, '\\', c)
			case '\b':
				out = append(out, '\\', 'b')
			case '\f':
				out = append(out, '\\', 'f')
			case '\n':
				out = append(out, '\\', 'n')
			case '\r':
				out = append(out, '\\', 'r')
			case '\t':
				out = append(out, '\\', 't')
			default:
				out = append(out, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			out = append(out, s[start:i]...)
			out = append(out, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			out = append(out, s[start:i]...)
			out = append(out, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	out = append(out, s[start:]...)
	return append(out, '"')
}

// yamlByEncoder writes root with yaml.v3's encoder, for the shapes
// writeYAML leaves to it: the yaml.Node tree is the one ddnsgen built before
// it had its own writer, with the nodes markFlow marked in flow style (on
// one line each: yaml.v3 does not wrap them).
func yamlByEncoder(root *node) ([]byte, error) {
	y := toYAMLNode(root)
	shorten(y)
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(y); err != nil {
		return nil, fmt.Errorf("cfn: writing YAML: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("cfn: writing YAML: %w", err)
	}
	return buf.Bytes(), nil
}

// toYAMLNode is n as yaml.v3 reads n written as JSON.
func toYAMLNode(n *node) *yaml.Node {
	switch n.kind {
	case mappingNode, sequenceNode:
		y := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		if n.kind == sequenceNode {
			y = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		}
		if n.flow {
			y.Style = yaml.FlowStyle
		}
		for _, c := range n.content {
			y.Content = append(y.Content, toYAMLNode(c))
		}
		return y
	case stringNode:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: n.value}
	}
	// A number, true, false or null: written plain, its tag implied.
	return &yaml.Node{Kind: yaml.ScalarNode, Value: n.value}
}

// shorten restyles the tree for YAML: {"Ref": x} becomes !Ref x, {"Fn::Sub":
// s} becomes !Sub s, {"Fn::GetAtt": [a, b]} becomes !GetAtt a.b, any other
// {"Fn::X": v} becomes !X v; multi-line strings become literal blocks.
// Mappings and sequences keep their style.
func shorten(n *yaml.Node) {
	for i, c := range n.Content {
		if short := intrinsic(c); short != nil {
			n.Content[i] = short
			c = short
		}
		shorten(c)
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

// jsonSize is len(jsonBytes(root)), counted rather than written.
func jsonSize(root *node) int { return jsonValueSize(root, 0) + 1 }

func jsonValueSize(n *node, depth int) int {
	switch n.kind {
	case mappingNode, sequenceNode:
		if len(n.content) == 0 {
			return 2
		}
		size := 2 + 1 + 2*depth // the brackets, and the last line's break and indent
		step := 1
		if n.kind == mappingNode {
			step = 2
		}
		for i := 0; i < len(n.content); i += step {
			size += 1 + 2*(depth+1) // a line's break and indent
			if i > 0 {
				size++ // the comma
			}
			if n.kind == mappingNode {
				size += jsonStringSize(n.content[i].value) + len(": ")
			}
			size += jsonValueSize(n.content[i+step-1], depth+1)
		}
		return size
	case stringNode:
		return jsonStringSize(n.value)
	}
	return len(n.value)
}

// jsonStringSize is len(appendJSONString(nil, s)).
func jsonStringSize(s string) int {
	size := 2
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c >= 0x20 && c != '"' && c != '\\':
				size++
			case c == '"' || c == '\\' || c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t':
				size += 2
			default:
				size += 6
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || r == '\u2028' || r == '\u2029' {
			size += 6
		} else {
			size += n
		}
		i += n
	}
	return size
}
