package cfn

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

// sameAsLegacy fails unless YAML and JSON write t exactly as the writer
// they replace (yaml.v3 over goformation's Template.JSON) did: the same
// bytes, or both an error.
func sameAsLegacy(t *testing.T, name string, tmpl *cloudformation.Template) {
	t.Helper()
	for _, w := range []struct {
		format      string
		now, legacy func(*cloudformation.Template) ([]byte, error)
	}{{"YAML", YAML, legacyYAML}, {"JSON", JSON, legacyJSON}} {
		want, wantErr := w.legacy(tmpl)
		now := w.now
		if w.format == "YAML" {
			now = unwrappedYAML // yaml.v3 does not wrap flow collections
		}
		got, err := now(tmpl)
		if (err != nil) != (wantErr != nil) {
			t.Errorf("%s: %s: err = %v, yaml.v3's writer: %v", name, w.format, err, wantErr)
			continue
		}
		if w.format == "JSON" && err == nil {
			root, err := tree(tmpl)
			if err != nil {
				t.Fatal(err)
			}
			if n := jsonSize(root); n != len(got) {
				t.Errorf("%s: jsonSize is %d, JSON %d bytes", name, n, len(got))
			}
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: %s differs from yaml.v3's writer (-yaml.v3 +ours):\n%s", name, w.format, cmp.Diff(string(want), string(got)))
		}
		if w.format == "YAML" && err == nil {
			sameData(t, name, tmpl, got)
		}
	}
}

// unwrappedYAML is YAML with flow collections on one line each, as yaml.v3
// writes them.
func unwrappedYAML(tmpl *cloudformation.Template) ([]byte, error) {
	root, err := tree(tmpl)
	if err != nil {
		return nil, err
	}
	return yamlBytes(root, 0)
}

// sameData fails unless YAML's output, flow collections wrapped, reads
// back (yaml.v3) as the unwrapped one does.
func sameData(t *testing.T, name string, tmpl *cloudformation.Template, unwrapped []byte) {
	t.Helper()
	wrapped, err := YAML(tmpl)
	if err != nil {
		t.Errorf("%s: YAML: %v", name, err)
		return
	}
	if bytes.Equal(wrapped, unwrapped) {
		return
	}
	want, err1 := yamlData(unwrapped)
	got, err2 := yamlData(wrapped)
	if err1 != nil || err2 != nil {
		t.Errorf("%s: reading back: %v, %v\n%s", name, err1, err2, wrapped)
		return
	}
	if reflect.DeepEqual(want, got) { // cmp.Diff is slow on these trees: only to explain a failure
		return
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("%s: wrapped YAML reads back differently (-unwrapped +wrapped):\n%s\n%s", name, d, wrapped)
	}
}

// yamlValue is a YAML node as its reader sees it: tag, scalar value and
// content, without style or position.
type yamlValue struct {
	Kind    yaml.Kind
	Tag     string
	Value   string
	Content []yamlValue
}

func yamlData(b []byte) (yamlValue, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return yamlValue{}, err
	}
	var conv func(n *yaml.Node) yamlValue
	conv = func(n *yaml.Node) yamlValue {
		v := yamlValue{Kind: n.Kind, Tag: n.Tag, Value: n.Value}
		if n.Kind != yaml.ScalarNode {
			v.Value = ""
		}
		for _, c := range n.Content {
			v.Content = append(v.Content, conv(c))
		}
		return v
	}
	return conv(&doc), nil
}

// TestWriterGoldens: every template in golden/, read back with its
// intrinsics kept, is written as yaml.v3 wrote it; every document too.
func TestWriterGoldens(t *testing.T) {
	files, err := filepath.Glob("../golden/*")
	if err != nil || len(files) < 10 {
		t.Fatalf("golden files: %v, %v", files, err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		switch ext := filepath.Ext(f); {
		case ext != ".yaml" && ext != ".json":
			continue
		case bytes.Contains(b, []byte("openapi")) && !bytes.Contains(b, []byte("Resources")):
			// A document: the writer takes it as json.Marshal gives it.
			var v any
			if ext == ".json" {
				err = json.Unmarshal(b, &v)
			} else {
				err = yaml.Unmarshal(b, &v)
			}
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			for _, asYAML := range []bool{true, false} {
				want, err1 := legacyWriteDocument(v, asYAML)
				got, err2 := writeDocument(v, asYAML)
				if err1 != nil || err2 != nil || !bytes.Equal(got, want) {
					t.Errorf("%s (YAML %v): differs from yaml.v3's writer (%v, %v):\n%s", f, asYAML, err1, err2, cmp.Diff(string(want), string(got)))
				}
			}
		default:
			tmpl, err := Parse(b)
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			sameAsLegacy(t, f, tmpl)
		}
	}
}

// TestWriterBuilds: the stacks Build makes, the largest among them.
func TestWriterBuilds(t *testing.T) {
	configs := map[string]Config{"seed": {}, "open": {Open: true}}
	for _, n := range []int{1, 7, 98, MaxDevices} {
		for _, dyndns2 := range []bool{false, true} {
			if dyndns2 && n > 98 {
				continue
			}
			c := Config{Zones: []Zone{{Name: "example.com", ID: "Z0123456789ABCDEFGHIJ"}}, DynDNS2: dyndns2}
			if n > 1 {
				c.Zones = append(c.Zones, Zone{Name: "example.org"})
			}
			for i := 0; i < n; i++ {
				name := fmt.Sprintf("d%d.example.%s", i, []string{"com", "org"}[i%2])
				c.Records = append(c.Records, Record{Name: name, Types: [][]string{{"A"}, {"AAAA"}, {"A", "AAAA"}}[i%3]})
				c.Devices = append(c.Devices, Device{Name: fmt.Sprintf("d%d", i), Records: []string{name}})
			}
			configs[fmt.Sprintf("%d devices, dyndns2 %v", n, dyndns2)] = c
		}
	}
	for name, c := range configs {
		tmpl, err := Build(c)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		sameAsLegacy(t, name, tmpl)
		// And by the fast paths: no Template.JSON, no yaml.v3.
		if _, evaluated, err := readMarshalled(tmpl); err != nil || evaluated {
			t.Errorf("%s: read through Template.JSON (%v)", name, err)
		}
		root, err := tree(tmpl)
		if err != nil {
			t.Fatal(err)
		}
		markFlow(root)
		if _, ok := writeYAML(root, 0, flowWidth); !ok {
			t.Errorf("%s: written by yaml.v3, not writeYAML", name)
		}
	}
}

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
		if r.Intn(8) == 0 { // a literal intrinsic: Template.JSON's own path
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

// TestWriterRandomTemplates: random templates of every shape goformation
// holds are written as yaml.v3 wrote them.
func TestWriterRandomTemplates(t *testing.T) {
	n := 1000
	if testing.Short() {
		n = 200
	}
	r := rand.New(rand.NewSource(14))
	for i := range n {
		sameAsLegacy(t, fmt.Sprintf("random template %d", i), randomTemplate(r))
		if t.Failed() {
			return
		}
	}
}

// TestWriterScalars: each hostile string, and each pair of them, as a key,
// a value, a list item, a tagged value and a DependsOn.
func TestWriterScalars(t *testing.T) {
	for i, a := range hostile {
		for _, b := range hostile {
			if i%7 != 0 && len(b) > 3 {
				continue // every string with itself and the short ones; the rest at random
			}
			sameAsLegacy(t, fmt.Sprintf("%q+%q", a, b), scalarTemplate(a+b))
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
		sameAsLegacy(t, fmt.Sprintf("%q", s), scalarTemplate(s))
	})
}

// TestOrderByDependency: the heap gives the order the quadratic loop gave,
// cycles and references to nothing included.
func TestOrderByDependency(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for i := range 300 {
		n := 1 + r.Intn(60)
		res := map[string]any{}
		for j := range n {
			props := map[string]any{}
			for k := range r.Intn(4) {
				target := fmt.Sprintf("R%d", r.Intn(n+3)) // some name nothing
				props[fmt.Sprint(k)] = []any{
					map[string]any{"Ref": target + ".Stage"},
					map[string]any{"Fn::GetAtt": []any{target, "Arn"}},
					map[string]any{"Fn::Sub": "x${" + target + "}${AWS::Region}${" + target + ".A.b}"},
					map[string]any{"Fn::Sub": []any{"${" + target + "}", map[string]any{}}},
				}[r.Intn(4)]
			}
			entry := map[string]any{"Type": "T", "Properties": props}
			if r.Intn(3) == 0 {
				entry["DependsOn"] = fmt.Sprintf("R%d", r.Intn(n))
			}
			res[fmt.Sprintf("R%d", j)] = entry
		}
		j, err := json.Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		var want yaml.Node
		if err := yaml.Unmarshal(j, &want); err != nil {
			t.Fatal(err)
		}
		legacyOrderByDependency(want.Content[0])
		rd := &jsonReader{data: j, sorted: true}
		got, err := rd.read()
		if err != nil {
			t.Fatal(err)
		}
		orderByDependency(got)
		var wantIDs, gotIDs []string
		for k := 0; k < len(want.Content[0].Content); k += 2 {
			wantIDs = append(wantIDs, want.Content[0].Content[k].Value)
			gotIDs = append(gotIDs, got.content[k].value)
		}
		if d := cmp.Diff(wantIDs, gotIDs); d != "" {
			t.Fatalf("graph %d: order differs (-quadratic +heap):\n%s", i, d)
		}
	}
}

// TestAppendJSONString: strings as encoding/json writes them with HTML
// escaping off.
func TestAppendJSONString(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	cases := append([]string(nil), hostile...)
	for range 2000 {
		cases = append(cases, hostileString(r))
	}
	for _, s := range cases {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		want := strings.TrimSuffix(b.String(), "\n")
		if got := string(appendJSONString(nil, s)); got != want {
			t.Errorf("%q: %s, want %s", s, got, want)
		}
	}
}

// BenchmarkOrderByDependency orders a chain of resources given in reverse,
// each referring to the next: the heap against the quadratic loop it
// replaced.
func BenchmarkOrderByDependency(b *testing.B) {
	for _, n := range []int{500, 1000, 2000} {
		res := map[string]any{}
		for i := range n {
			res[fmt.Sprintf("R%05d", i)] = map[string]any{"Type": "T", "Properties": map[string]any{"P": map[string]any{"Ref": fmt.Sprintf("R%05d", i+1)}}}
		}
		j, err := json.Marshal(res)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("resources=%d/heap", n), func(b *testing.B) {
			for range b.N {
				root, err := (&jsonReader{data: j, sorted: true}).read()
				if err != nil {
					b.Fatal(err)
				}
				orderByDependency(root)
			}
		})
		b.Run(fmt.Sprintf("resources=%d/quadratic", n), func(b *testing.B) {
			for range b.N {
				var doc yaml.Node
				if err := yaml.Unmarshal(j, &doc); err != nil {
					b.Fatal(err)
				}
				legacyOrderByDependency(doc.Content[0])
			}
		})
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
		case n.Tag == "!GetAtt":
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
	for i, line := range strings.Split(string(y), "\n") {
		flow := strings.Contains(line, "Properties: {") || strings.Contains(line, ".example.com,") || strings.HasSuffix(line, ".example.com]")
		if flow && len(line) > flowWidth {
			t.Errorf("line %d is %d columns, over %d: %s", i+1, len(line), flowWidth, line)
		}
	}
}
