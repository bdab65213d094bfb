package cfn

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

// hostile are pieces of strings that YAML treats specially: words it reads
// as other types, indicators, quotes, line breaks, white space at either
// end, non-ASCII and non-printable characters, and Fn::Sub references.
var hostile = []string{
	"", " ", "  ", "a", "Ab", "yes", "no", "on", "off", "y", "n", "null", "Null", "~", "true", "False", "TRUE",
	"1", "-1", "+1", "0", "-0", "007", "08", "0x1F", "0o17", "0b101", "-0b101", "-0o7", "1_000", "1e3", "1E+3", ".5", "5.",
	"-.5", "1.5e-7", ".inf", "-.Inf", ".NaN", "+.INF", "<<", "2010-09-09", "2001-12-14t21:59:43.10-05:00",
	"2002-12-14 21:59:43.1", "1234-", "-", "- ", "-a", "?", "? ", ":", ": ", "a:", "a: b", "a:b", "#", " #", "a #b", "a#b",
	"'", "''", "\"", "\\", "\\n", "\n", "\n\n", "\r", "\r\n", "\t", " \n", "\n ", "\u0085", "\u2028", "\u2029",
	"\u00a0", "\ufeff", "\x00", "\x07", "\x1b", "\x7f", "\x1f", "é", "日本", "😀", "\uFFFE", "\xff", "---", "...", "--- a",
	"{", "}", "[", "]", ",", "&a", "*a", "!x", "!", "|", ">", "%", "@", "`", "${Res}", "${Res.Attr}", "${AWS::Region}",
	"${!Lit}", "${Res.}", "${Res..x}", "$", "<b>&amp;</b>", strings.Repeat("x", 129), strings.Repeat("ab ", 50),
	"line one\nline two\n", "  indented\n", "tail \nx", "x\n\n\n", "#if($a)\n  #set($b = 1)\n#end\n",
}

func hostileString(r *rand.Rand) string {
	var b strings.Builder
	for range r.Intn(4) {
		b.WriteString(hostile[r.Intn(len(hostile))])
	}
	return b.String()
}

// randomValue is a property value of any shape a template may hold:
// scalars, lists, maps, goformation's intrinsics, and (rarely) a literal
// intrinsic map that Template.JSON evaluates.
func randomValue(r *rand.Rand, ids []string, depth int) any {
	id := func() string { return ids[r.Intn(len(ids))] }
	k := r.Intn(24)
	if depth > 3 && k >= 12 {
		k %= 12
	}
	switch k {
	case 0, 1, 2, 3:
		return hostileString(r)
	case 4:
		return []any{1, -7, 3.25, 1e21, 1e-7, 12345678901234567, 0.1, int64(-1) << 62}[r.Intn(8)]
	case 5:
		return r.Intn(2) == 0
	case 6:
		return nil
	case 7:
		return cloudformation.Ref(id())
	case 8:
		return cloudformation.GetAtt(id(), hostileString(r))
	case 9:
		return cloudformation.Sub(hostileString(r) + "${" + id() + "}" + hostileString(r))
	case 10:
		return cloudformation.Join(hostileString(r), []string{cloudformation.Ref(id()), hostileString(r)})
	case 11:
		return []any{
			cloudformation.If("Cond", hostileString(r), cloudformation.Ref(id())),
			cloudformation.Select(1, []string{"a", cloudformation.GetAtt(id(), "Arn")}),
			cloudformation.Base64(hostileString(r)),
			cloudformation.ImportValue(hostileString(r)),
			cloudformation.GetAZs(""),
			cloudformation.FindInMap("M", hostileString(r), "k"),
			cloudformation.SubVars("${x}-${"+id()+"}", map[string]any{"x": "y"}),
			cloudformation.Split(",", hostileString(r)),
			cloudformation.CIDR("10.0.0.0/16", "4", "8"),
		}[r.Intn(9)]
	case 12, 13, 14:
		var l []any
		for range r.Intn(4) {
			l = append(l, randomValue(r, ids, depth+1))
		}
		return l
	case 15:
		// A one-key map: written as a tag when its key is Ref or Fn::…
		return map[string]any{[]string{"Fn::Foo", "Fn::", "Fn::a-b", "Fn::!x", "Fn::GetAtt", "Other"}[r.Intn(6)]: randomValue(r, ids, depth+1)}
	case 16:
		if r.Intn(8) == 0 { // a literal intrinsic, which Template.JSON evaluates
			return map[string]any{"Fn::Sub": "${" + id() + "}"}
		}
		fallthrough
	default:
		m := map[string]any{}
		for range r.Intn(5) {
			key := hostileString(r)
			if r.Intn(2) == 0 {
				key = "Key" + key
			}
			m[key] = randomValue(r, ids, depth+1)
		}
		return m
	}
}

func randomTemplate(r *rand.Rand) *cloudformation.Template {
	t := cloudformation.NewTemplate()
	t.Description = hostileString(r)
	var ids []string
	for i := range 1 + r.Intn(25) {
		ids = append(ids, fmt.Sprintf("R%c%d", 'A'+r.Intn(26), i))
	}
	ids = append(ids, "AWS::Region")
	for _, id := range ids[:len(ids)-1] {
		res := &cloudformation.CustomResource{Type: "Custom::Thing", Properties: map[string]any{}}
		switch r.Intn(4) {
		case 0: // written in flow style when its values are scalars
			res.Type = []string{"AWS::ApiGateway::ApiKey", "AWS::ApiGateway::UsagePlanKey"}[r.Intn(2)]
			for range r.Intn(5) {
				res.Properties[hostileString(r)] = randomValue(r, ids, 4)
			}
		case 1: // a policy document, its Condition's lists in flow style
			res.Properties["PolicyDocument"] = randomPolicy(r, ids)
		}
		for range r.Intn(6) {
			res.Properties[hostileString(r)] = randomValue(r, ids, 0)
		}
		for range r.Intn(3) {
			res.AWSCloudFormationDependsOn = append(res.AWSCloudFormationDependsOn, ids[r.Intn(len(ids))])
		}
		t.Resources[id] = res
	}
	for range r.Intn(3) {
		t.Parameters["P"+hostileString(r)] = cloudformation.Parameter{Type: "String", Description: cloudformation.String(hostileString(r))}
	}
	for range r.Intn(3) {
		t.Outputs["O"+hostileString(r)] = cloudformation.Output{Value: randomValue(r, ids, 2), Description: cloudformation.String(hostileString(r))}
	}
	return t
}

// randomPolicy is an IAM policy document whose statements' conditions
// hold lists of random values.
func randomPolicy(r *rand.Rand, ids []string) map[string]any {
	var statements []any
	for range 1 + r.Intn(3) {
		op := map[string]any{}
		for range 1 + r.Intn(3) {
			var l []any
			for range r.Intn(12) {
				l = append(l, randomValue(r, ids, 4))
			}
			op["route53:"+hostileString(r)] = l
		}
		statements = append(statements, map[string]any{
			"Effect": "Allow", "Action": "route53:ChangeResourceRecordSets",
			"Condition": map[string]any{"ForAllValues:StringEquals": op, hostileString(r): op},
		})
	}
	return map[string]any{"Version": "2012-10-17", "Statement": statements}
}

// sameAsTemplateJSON fails unless JSON(tmpl) holds what goformation's
// Template.JSON holds (we only reorder keys and do not escape <, > and &),
// and YAML(tmpl) reads back (yaml.v3, short tags expanded) as the same
// data: the short tags, quoting and flow collections change nothing a
// CloudFormation reader sees.
func sameAsTemplateJSON(t *testing.T, name string, tmpl *cloudformation.Template) {
	t.Helper()
	want, err := tmpl.JSON()
	if err != nil {
		t.Fatalf("%s: Template.JSON: %v", name, err)
	}
	got, err := JSON(tmpl)
	if err != nil {
		t.Fatalf("%s: JSON: %v", name, err)
	}
	var wantData, gotData any
	if err := json.Unmarshal(want, &wantData); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(got, &gotData); err != nil {
		t.Fatalf("%s: JSON wrote what does not read back: %v", name, err)
	}
	if !reflect.DeepEqual(wantData, gotData) {
		t.Errorf("%s: JSON holds other data than Template.JSON (-Template.JSON +JSON):\n%s", name, cmp.Diff(wantData, gotData))
	}
	y, err := YAML(tmpl)
	if err != nil {
		t.Fatalf("%s: YAML: %v", name, err)
	}
	sameAsJSON(t, name, tmpl, y)
}

// TestWriterRandomTemplates: random templates of every shape goformation
// holds, hostile strings in every place.
func TestWriterRandomTemplates(t *testing.T) {
	r := rand.New(rand.NewSource(14))
	for i := range 100 {
		sameAsTemplateJSON(t, fmt.Sprintf("random template %d", i), randomTemplate(r))
		if t.Failed() {
			return
		}
	}
}

// TestWriterScalars: each hostile string, alone and before each of a few
// that YAML gives meaning to, as a key, a value, a list item, a tagged
// value and a DependsOn.
func TestWriterScalars(t *testing.T) {
	for _, a := range hostile {
		for _, b := range []string{"", " ", "\n", "\t", ":", "#", "'", "\u0085"} {
			sameAsTemplateJSON(t, fmt.Sprintf("%q+%q", a, b), scalarTemplate(a+b))
		}
	}
}

func scalarTemplate(s string) *cloudformation.Template {
	t := cloudformation.NewTemplate()
	t.Description = s
	t.Resources["Thing"] = &cloudformation.CustomResource{Type: "Custom::Thing", Properties: map[string]any{
		"Value": s, "Key" + s: s, s: []any{s, map[string]any{s: s}}, "ASub": cloudformation.Sub(s),
		"ARef": cloudformation.Ref(s), "AGetAtt": cloudformation.GetAtt(s, s), "AJoin": cloudformation.Join(s, []string{s}),
		"PolicyDocument": map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
			"Effect": "Allow", "Condition": map[string]any{"ForAllValues:StringEquals": map[string]any{s: []any{s, s, cloudformation.Ref(s), 1}}},
		}}},
	}}
	// Written in flow style: {K: v, …}.
	t.Resources["Key"] = &cloudformation.CustomResource{Type: "AWS::ApiGateway::ApiKey", Properties: map[string]any{
		"Name": cloudformation.Sub(s), "Value": s, "Key" + s: s, s: cloudformation.Ref(s), "GetAtt": cloudformation.GetAtt("Thing", s),
	}}
	return t
}

// FuzzWriterScalar: any string, as in TestWriterScalars.
func FuzzWriterScalar(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sameAsTemplateJSON(t, fmt.Sprintf("%q", s), scalarTemplate(s))
	})
}

// TestOrderByDependency: each resource comes after the resources it refers
// to (Ref, Fn::GetAtt, ${} in Fn::Sub, DependsOn), the first ready one
// alphabetically; resources in a cycle come last.
func TestOrderByDependency(t *testing.T) {
	tmpl := cloudformation.NewTemplate()
	thing := func(props map[string]any, dependsOn ...string) *cloudformation.CustomResource {
		return &cloudformation.CustomResource{Type: "Custom::Thing", Properties: props, AWSCloudFormationDependsOn: dependsOn}
	}
	tmpl.Resources["A"] = thing(map[string]any{"P": cloudformation.Sub("${D.Arn}-${AWS::Region}-${!Literal}")})
	tmpl.Resources["B"] = thing(nil)
	tmpl.Resources["C"] = thing(map[string]any{"P": cloudformation.Ref("B")}, "E")
	tmpl.Resources["D"] = thing(map[string]any{"P": cloudformation.GetAtt("B", "Arn")})
	tmpl.Resources["E"] = thing(nil)
	tmpl.Resources["X"] = thing(map[string]any{"P": cloudformation.Ref("Y")})
	tmpl.Resources["Y"] = thing(nil, "X")
	root, err := templateTree(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	res := valueOf(root, "Resources")
	for i := 0; i < len(res.Content); i += 2 {
		got = append(got, res.Content[i].Value)
	}
	if want := []string{"B", "D", "A", "E", "C", "X", "Y"}; !slices.Equal(got, want) {
		t.Errorf("resources in the order %v, want %v", got, want)
	}
}

// TestLongListsOnOneLineOnlyToFitInline: a long list of names in the
// role's policy is written a name a line, except where one line is what
// lets the template be deployed inline (100 devices).
func TestLongListsOnOneLineOnlyToFitInline(t *testing.T) {
	for _, c := range []struct {
		devices int
		flow    bool
	}{{30, false}, {100, true}} {
		var cfg Config
		for i := range c.devices {
			name := fmt.Sprintf("d%03d.acme.local", i)
			cfg.Records = append(cfg.Records, Record{Name: name})
			cfg.Devices = append(cfg.Devices, Device{Name: fmt.Sprintf("d%03d", i), Records: []string{name}})
		}
		tmpl, err := Build(cfg)
		if err != nil {
			t.Fatal(err)
		}
		y, err := YAML(tmpl)
		if err != nil {
			t.Fatal(err)
		}
		flow := strings.Contains(string(y), "NormalizedRecordNames: [d000.acme.local, d001.acme.local,")
		block := strings.Contains(string(y), "NormalizedRecordNames:\n                      - d000.acme.local\n")
		if flow != c.flow || block == c.flow || c.flow && len(y) > MaxInlineTemplate {
			t.Errorf("%d devices (%d bytes): names on one line %v, a name a line %v; want one line %v", c.devices, len(y), flow, block, c.flow)
		}
	}
}

// TestTemplateSizeError: a template over 1 MB as written is refused by
// YAML and JSON with an error of its own kind, naming its size.
func TestTemplateSizeError(t *testing.T) {
	tmpl := cloudformation.NewTemplate()
	tmpl.Resources["Big"] = &cloudformation.CustomResource{Type: "Custom::Thing", Properties: map[string]any{
		"Data": strings.Repeat("0123456789", MaxTemplateBytes/10),
	}}
	if _, err := AddTo(tmpl, Config{Prefix: "Ddns"}); err != nil {
		t.Fatalf("AddTo: %v", err)
	}
	for _, w := range []struct {
		format string
		write  func(*cloudformation.Template) ([]byte, error)
	}{{"YAML", YAML}, {"JSON", JSON}} {
		out, err := w.write(tmpl)
		var se *TemplateSizeError
		if !errors.As(err, &se) || out != nil || se.Format != w.format || se.Bytes <= MaxTemplateBytes {
			t.Fatalf("%s: %d bytes, error %#v", w.format, len(out), err)
		}
		want := fmt.Sprintf("the template is %d bytes of %s, over the 1048576 bytes CloudFormation takes even from S3", se.Bytes, w.format)
		if !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s: %v\nwant it to start %s", w.format, err, want)
		}
	}
}

// asJSONData is a YAML template as a CloudFormation reader sees it, read by
// yaml.v3: short tags expanded (!Ref x to {"Ref": x}, !GetAtt A.B to
// {"Fn::GetAtt": [A, B]}, !X v to {"Fn::X": v}), numbers as JSON numbers.
func asJSONData(b []byte) (any, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	var conv func(n *yaml.Node) (any, error)
	conv = func(n *yaml.Node) (any, error) {
		var v any
		switch n.Kind {
		case yaml.DocumentNode:
			return conv(n.Content[0])
		case yaml.MappingNode:
			m := map[string]any{}
			for i := 0; i+1 < len(n.Content); i += 2 {
				c, err := conv(n.Content[i+1])
				if err != nil {
					return nil, err
				}
				m[n.Content[i].Value] = c
			}
			v = m
		case yaml.SequenceNode:
			l := []any{}
			for _, c := range n.Content {
				x, err := conv(c)
				if err != nil {
					return nil, err
				}
				l = append(l, x)
			}
			v = l
		default:
			if !strings.HasPrefix(n.Tag, "!!") {
				v = n.Value
			} else if err := n.Decode(&v); err != nil {
				return nil, err
			}
		}
		switch {
		case n.Tag == "!Ref":
			return map[string]any{"Ref": v}, nil
		case n.Tag == "!GetAtt" && n.Kind == yaml.ScalarNode:
			res, attr, _ := strings.Cut(n.Value, ".")
			return map[string]any{"Fn::GetAtt": []any{res, attr}}, nil
		case strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!"):
			return map[string]any{"Fn::" + n.Tag[1:]: v}, nil
		}
		return v, nil
	}
	v, err := conv(&doc)
	if err != nil {
		return nil, err
	}
	// Numbers as JSON reads them.
	j, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	return out, json.Unmarshal(j, &out)
}

// sameAsJSON fails unless y, the YAML of tmpl, reads back (yaml.v3) as the
// JSON of tmpl reads: flow collections and the quoting they need change
// nothing a reader sees.
func sameAsJSON(t *testing.T, name string, tmpl *cloudformation.Template, y []byte) {
	t.Helper()
	j, err := JSON(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	var want any
	if err := json.Unmarshal(j, &want); err != nil {
		t.Fatal(err)
	}
	got, err := asJSONData(y)
	if err != nil {
		t.Fatalf("%s: reading the YAML back: %v", name, err)
	}
	if reflect.DeepEqual(want, got) {
		return
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("%s: the YAML reads back unlike the JSON (-JSON +YAML):\n%s", name, d)
	}
}

// goldenTemplate is a template of golden/: its path, its text, and the
// template Parse reads from it.
type goldenTemplate struct {
	path string
	text []byte
	tmpl *cloudformation.Template
}

// goldenTemplates are the YAML and JSON templates in golden/ whose names
// match pattern, OpenAPI documents left out; at least 10 of them.
func goldenTemplates(t *testing.T, pattern string) []goldenTemplate {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("../golden", pattern))
	if err != nil {
		t.Fatal(err)
	}
	var out []goldenTemplate
	for _, f := range files {
		if ext := filepath.Ext(f); ext != ".yaml" && ext != ".json" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte("openapi")) && !bytes.Contains(b, []byte("Resources")) {
			continue // a document, not a template
		}
		tmpl, err := Parse(b)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out = append(out, goldenTemplate{f, b, tmpl})
	}
	if len(out) < 10 {
		t.Fatalf("golden templates %s: only %d", pattern, len(out))
	}
	return out
}

// TestGoldenYAMLReadsAsJSON: every YAML template in golden/ reads back
// (yaml.v3) as the JSON of the same template (read by goformation's YAML
// reader, written by JSON), and so does YAML of the stacks Build makes.
func TestGoldenYAMLReadsAsJSON(t *testing.T) {
	for _, g := range goldenTemplates(t, "*.yaml") {
		sameAsJSON(t, g.path, g.tmpl, g.text)
	}
	c := Config{Zones: []Zone{{Name: "example.com", ID: "Z0123456789ABCDEFGHIJ"}}, DynDNS2: true}
	for i := range 60 {
		name := fmt.Sprintf("device-%d.example.com", i)
		c.Records = append(c.Records, Record{Name: name})
		c.Devices = append(c.Devices, Device{Name: fmt.Sprintf("device-%d", i), Records: []string{name}})
	}
	tmpl, err := Build(c)
	if err != nil {
		t.Fatal(err)
	}
	y, err := YAML(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	sameAsJSON(t, "60 devices", tmpl, y)
}

// vtlStatement is a mapping template's line that holds a Velocity
// directive: one statement, or a line of output that one #foreach writes,
// which Velocity (1.7 and 2.x alike) cannot split over lines without
// changing what it writes.
var vtlStatement = regexp.MustCompile(`#(if|elseif|set|foreach)\(`)

// TestGoldenLineLength: no line of a golden YAML template is longer than
// 160 characters, but a mapping template's line that is one Velocity
// statement. (JSON writes each string on one line, whatever its length.)
func TestGoldenLineLength(t *testing.T) {
	for _, g := range goldenTemplates(t, "*.yaml") {
		var doc yaml.Node
		if err := yaml.Unmarshal(g.text, &doc); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(g.text), "\n")
		inBlock := make([]bool, len(lines)) // the lines of literal blocks
		var mark func(n *yaml.Node)
		mark = func(n *yaml.Node) {
			if n.Style&yaml.LiteralStyle != 0 {
				for i := range strings.Count(n.Value, "\n") + 1 {
					inBlock[n.Line+i] = true // the block's lines follow its "|" line
				}
			}
			for _, c := range n.Content {
				mark(c)
			}
		}
		mark(&doc)
		for i, line := range lines {
			if len(line) > 160 && !(inBlock[i] && vtlStatement.MatchString(line)) {
				t.Errorf("%s:%d is %d characters: %s", g.path, i+1, len(line), line)
			}
		}
	}
}
