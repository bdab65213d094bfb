package cfn

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/intrinsics"
	"gopkg.in/yaml.v3"
)

// YAML returns t in the style of AWS's documentation: sections in AWS's
// order, Type before Properties, each resource after the resources it
// refers to, two-space indent, short intrinsic tags (!Ref, !Sub, !GetAtt
// A.B) and multi-line strings as literal blocks. The same template always
// gives the same bytes. A template over MaxTemplateBytes as written is
// refused with a *TemplateSizeError.
func YAML(t *cloudformation.Template) ([]byte, error) {
	root, err := templateTree(t)
	if err != nil {
		return nil, err
	}
	blockItems := styleYAML(root, maxFlowList)
	out, err := encodeYAML(root)
	// A list written a line per item costs each item its indent, "- " and a
	// line break more than [a, b] does: fewer than itemLineCost bytes where
	// IAM conditions sit. Where that is what keeps the template from being
	// deployed inline (without --s3-bucket), each list of scalars goes on
	// one line, however long.
	const itemLineCost = 64
	if err == nil && len(out) > MaxInlineTemplate && len(out)-itemLineCost*blockItems <= MaxInlineTemplate {
		styleYAML(root, math.MaxInt)
		if oneLine, err := encodeYAML(root); err == nil && len(oneLine) <= MaxInlineTemplate {
			out = oneLine
		}
	}
	return checkTemplateSize(out, "YAML", err)
}

// JSON returns t as JSON indented two spaces, keys in the order YAML
// writes them, without escaping <, > and & (the mapping templates are full
// of them). A template over MaxTemplateBytes as written is refused with a
// *TemplateSizeError.
func JSON(t *cloudformation.Template) ([]byte, error) {
	root, err := templateTree(t)
	if err != nil {
		return nil, err
	}
	out, err := encodeJSON(root)
	return checkTemplateSize(out, "JSON", err)
}

// TemplateSizeError is a template whose bytes, as YAML or JSON wrote them,
// are more than CloudFormation takes even from S3 (MaxTemplateBytes).
type TemplateSizeError struct {
	Format string // "YAML" or "JSON"
	Bytes  int
}

func (e *TemplateSizeError) Error() string {
	return fmt.Sprintf("the template is %d bytes of %s, over the %d bytes CloudFormation takes even from S3: put fewer devices, names or resources in one stack",
		e.Bytes, e.Format, MaxTemplateBytes)
}

func checkTemplateSize(out []byte, format string, err error) ([]byte, error) {
	if err != nil {
		return nil, err
	}
	if len(out) > MaxTemplateBytes {
		return nil, &TemplateSizeError{Format: format, Bytes: len(out)}
	}
	return out, nil
}

// templateTree is t as yaml.v3 nodes in the order YAML and JSON write it:
// goformation's Template.JSON (its intrinsic placeholders turned into the
// mappings they stand for, keys sorted) read back, then put in AWS's order
// (see orderTemplate).
func templateTree(t *cloudformation.Template) (*yaml.Node, error) {
	j, err := t.JSON()
	if err != nil {
		return nil, fmt.Errorf("cfn: marshalling template: %w", err)
	}
	root, err := readJSON(j)
	if err != nil {
		return nil, fmt.Errorf("cfn: reading marshalled template: %w", err)
	}
	orderTemplate(root)
	return root, nil
}

// documentTree is v (an OpenAPI document) as yaml.v3 nodes, keys in the
// order v's MarshalJSON gives them.
func documentTree(v any) (*yaml.Node, error) {
	j, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("cfn: marshalling document: %w", err)
	}
	root, err := readJSON(j)
	if err != nil {
		return nil, fmt.Errorf("cfn: reading marshalled document: %w", err)
	}
	return root, nil
}

// readJSON reads a JSON object into yaml.v3 nodes, keys in the order
// written. encoding/json reads it: yaml.v3 refuses some characters JSON
// strings may hold (U+007F, U+0085, U+FFFE).
func readJSON(j []byte) (*yaml.Node, error) {
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.UseNumber()
	root, err := readJSONValue(dec)
	if err != nil {
		return nil, err
	}
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("not a JSON object")
	}
	return root, nil
}

// readJSONValue reads the next value of dec. A string is a scalar tagged
// !!str; a number, true, false or null one without a tag, its text as
// encoding/json wrote it, so that YAML writes it plain and JSON as it was.
func readJSONValue(dec *json.Decoder) (*yaml.Node, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch v := tok.(type) {
	case json.Delim: // { or [
		n := &yaml.Node{Kind: yaml.SequenceNode}
		if v == '{' {
			n.Kind = yaml.MappingNode
		}
		for dec.More() {
			if n.Kind == yaml.MappingNode {
				key, err := dec.Token()
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key.(string)})
			}
			item, err := readJSONValue(dec)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, item)
		}
		_, err := dec.Token() // } or ]
		return n, err
	case string:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v}, nil
	case json.Number:
		return &yaml.Node{Kind: yaml.ScalarNode, Value: v.String()}, nil
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Value: strconv.FormatBool(v)}, nil
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Value: "null"}, nil
}

// styleYAML restyles a tree read from JSON for YAML (restyle, markFlow
// with lists of scalars up to maxList long in flow style), and returns how
// many items the longer lists hold.
func styleYAML(root *yaml.Node, maxList int) (blockItems int) {
	restyle(root)
	return markFlow(root, maxList)
}

// encodeYAML writes root with yaml.v3's encoder, two spaces an indent.
func encodeYAML(root *yaml.Node) ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return nil, fmt.Errorf("cfn: writing YAML: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("cfn: writing YAML: %w", err)
	}
	return b.Bytes(), nil
}

// restyle sets n and everything in it to the block style, which leaves
// quoting to yaml.v3 and makes a multi-line string a literal block, and
// writes each one-key intrinsic mapping with its short tag.
func restyle(n *yaml.Node) {
	n.Style = 0
	if first, _ := utf8.DecodeRuneInString(n.Value); first != ' ' && unicode.IsSpace(first) && strings.Contains(n.Value, "\n") {
		// yaml.v3 (v3.0.1) reads a literal block that starts with a line
		// break without it, and refuses one that starts with a tab.
		n.Style = yaml.DoubleQuotedStyle
	}
	for i, c := range n.Content {
		if tagged := shortTag(c); tagged != nil {
			n.Content[i] = tagged
			c = tagged
		}
		restyle(c)
	}
}

// shortTag is the short form of a one-key intrinsic mapping, or nil:
// {"Ref": x} is !Ref x, {"Fn::GetAtt": [A, B]} is !GetAtt A.B, and
// {"Fn::X": v} is !X v.
func shortTag(n *yaml.Node) *yaml.Node {
	if n.Kind != yaml.MappingNode || len(n.Content) != 2 {
		return nil
	}
	key, val := n.Content[0].Value, n.Content[1]
	name, fn := strings.CutPrefix(key, "Fn::")
	switch {
	case key == "Fn::GetAtt" && val.Kind == yaml.SequenceNode && len(val.Content) == 2 && val.Content[0].Kind == yaml.ScalarNode &&
		val.Content[1].Kind == yaml.ScalarNode && !strings.Contains(val.Content[0].Value, "."): // A.B.C is A's B.C
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!GetAtt", Value: val.Content[0].Value + "." + val.Content[1].Value}
	case val.Kind == yaml.ScalarNode && val.Tag != "!!str":
		return nil // !Ref 1 would read back as the string "1"
	case key == "Ref" || fn && isWord(name): // not Fn::ForEach::Name, which has no short form
		tagged := *val
		tagged.Tag = "!" + strings.TrimPrefix(key, "Fn::")
		return &tagged
	}
	return nil
}

// isWord is whether s is letters and digits, at least one.
func isWord(s string) bool {
	for i := range len(s) {
		if !isAlnum(s[i]) {
			return false
		}
	}
	return s != ""
}

// flowTypes are the resource types whose Properties YAML writes in flow
// style ({Enabled: true, Name: !Sub '…'}) when each value is one scalar: a
// stack has one of each per device, and a line per value would cost a
// good part of a device's share of the 51,200 bytes a template passed
// inline may have.
var flowTypes = map[string]bool{"AWS::ApiGateway::ApiKey": true, "AWS::ApiGateway::UsagePlanKey": true}

// maxFlowList is the longest list of scalars, written in flow style
// ([a, b]), that an IAM condition gives on the line of its key: the types
// and actions, and a few names. A longer list gets a line per item.
const maxFlowList = 64

// markFlow sets flow style on the Properties of the resources of
// flowTypes, and on the lists of scalars of IAM policy conditions up to
// maxList long as [a, b]; it returns how many items the longer ones hold.
// It runs after restyle, on short tags. JSON is written the same either way.
func markFlow(root *yaml.Node, maxList int) (blockItems int) {
	if res := valueOf(root, "Resources"); res != nil {
		for i := 1; i < len(res.Content); i += 2 {
			typ, props := valueOf(res.Content[i], "Type"), valueOf(res.Content[i], "Properties")
			if typ != nil && flowTypes[typ.Value] && props != nil && props.Kind == yaml.MappingNode && scalarsOnly(props) {
				props.Style = yaml.FlowStyle
			}
		}
	}
	return markConditionLists(root, maxList)
}

func markConditionLists(n *yaml.Node, maxList int) (blockItems int) {
	if statements := valueOf(n, "Statement"); statements != nil && valueOf(n, "Version") != nil {
		for _, s := range statements.Content {
			cond := valueOf(s, "Condition")
			if cond == nil {
				continue
			}
			for i := 1; i < len(cond.Content); i += 2 {
				if op := cond.Content[i]; op.Kind == yaml.MappingNode {
					for j := 1; j < len(op.Content); j += 2 {
						switch l := op.Content[j]; {
						case l.Kind != yaml.SequenceNode || !scalarsOnly(l):
						case flowLength(l) <= maxList:
							l.Style = yaml.FlowStyle
						default:
							blockItems += len(l.Content)
						}
					}
				}
			}
		}
	}
	for _, c := range n.Content {
		blockItems += markConditionLists(c, maxList)
	}
	return blockItems
}

// scalarsOnly is whether everything in mapping or sequence n is a scalar.
func scalarsOnly(n *yaml.Node) bool {
	for _, c := range n.Content {
		if c.Kind != yaml.ScalarNode {
			return false
		}
	}
	return true
}

// flowLength is about the length of sequence n of scalars as [a, b].
func flowLength(n *yaml.Node) int {
	length := len("[]")
	for i, c := range n.Content {
		length += len(c.Value)
		if i > 0 {
			length += len(", ")
		}
	}
	return length
}

// valueOf is the value of key in mapping n, or nil.
func valueOf(n *yaml.Node, key string) *yaml.Node {
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

// encodeJSON writes a tree read from JSON as JSON indented two spaces,
// keys in the tree's order, strings written by encoding/json without
// escaping <, > and &.
func encodeJSON(root *yaml.Node) ([]byte, error) {
	var compact bytes.Buffer
	strs := json.NewEncoder(&compact)
	strs.SetEscapeHTML(false)
	if err := writeJSON(&compact, strs, root); err != nil {
		return nil, fmt.Errorf("cfn: writing JSON: %w", err)
	}
	var out bytes.Buffer
	if err := json.Indent(&out, compact.Bytes(), "", "  "); err != nil {
		return nil, fmt.Errorf("cfn: writing JSON: %w", err)
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// writeJSON appends n to b as compact JSON; strs writes strings to b.
func writeJSON(b *bytes.Buffer, strs *json.Encoder, n *yaml.Node) error {
	switch n.Kind {
	case yaml.MappingNode, yaml.SequenceNode:
		open, end := byte('['), byte(']')
		if n.Kind == yaml.MappingNode {
			open, end = '{', '}'
		}
		b.WriteByte(open)
		for i, c := range n.Content {
			switch {
			case i > 0 && n.Kind == yaml.MappingNode && i%2 == 1:
				b.WriteByte(':')
			case i > 0:
				b.WriteByte(',')
			}
			if err := writeJSON(b, strs, c); err != nil {
				return err
			}
		}
		b.WriteByte(end)
	case yaml.ScalarNode:
		if n.Tag != "!!str" {
			b.WriteString(n.Value) // a number, true, false or null as encoding/json wrote it (readJSONValue)
			return nil
		}
		if err := strs.Encode(n.Value); err != nil {
			return err
		}
		b.Truncate(b.Len() - 1) // the line break Encode ends a value with
	default:
		return fmt.Errorf("a YAML node of kind %d in a tree read from JSON", n.Kind)
	}
	return nil
}

// isPlaceholder says whether s is text that Template.JSON writes as an
// intrinsic function rather than as itself: goformation's intrinsics are
// placeholder strings (base64 of the function's JSON), and a value a user
// gives must not be taken for one.
func isPlaceholder(s string) bool {
	j, err := json.Marshal([]string{s})
	if err != nil {
		return false
	}
	processed, err := intrinsics.ProcessJSON(j, nil)
	if err != nil {
		return false
	}
	var back []any
	if err := json.Unmarshal(processed, &back); err != nil || len(back) != 1 {
		return false
	}
	_, text := back[0].(string)
	return !text
}
