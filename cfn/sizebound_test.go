package cfn

import (
	"encoding/base64"
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/awslabs/goformation/v7/cloudformation"
)

// boundHolds fails unless jsonSizeBound is at least the template's size as
// JSON writes it, and returns the two.
func boundHolds(t *testing.T, name string, tmpl *cloudformation.Template) (bound, size int, ok bool) {
	t.Helper()
	bound, ok, err := jsonSizeBound(tmpl)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	j, err := JSON(tmpl)
	if err != nil {
		return bound, 0, ok // the writers refuse it too
	}
	if ok && bound < len(j) {
		t.Errorf("%s: bound %d bytes, but JSON writes %d", name, bound, len(j))
	}
	return bound, len(j), ok
}

// TestSizeBound: the bound Build checks the 1 MB limit with holds for every
// golden template, every stack the writer tests build, and random templates
// of every shape (hostile strings, numbers, intrinsics); and it settles
// every stack Build makes without reading the tree, at most 1.2 times the
// real size.
func TestSizeBound(t *testing.T) {
	golden := goldenTemplates(t, "*")
	for _, g := range golden {
		boundHolds(t, g.path, g.tmpl)
	}
	if len(golden) < 20 {
		t.Fatalf("only %d golden templates", len(golden))
	}
	for _, n := range []int{0, 1, 98, MaxDevices} {
		var c Config
		if n > 0 {
			c = Config{Zones: []Zone{{Name: "example.com", ID: "Z0123456789ABCDEFGHIJ"}}, DynDNS2: n < 99, ACME: n == 1}
		}
		for i := 0; i < n; i++ {
			name := fmt.Sprintf("d%d.example.com", i)
			c.Records = append(c.Records, Record{Name: name, Types: [][]string{{"A"}, {"AAAA"}, {"A", "AAAA"}}[i%3]})
			c.Devices = append(c.Devices, Device{Name: fmt.Sprintf("d%d", i), Records: []string{name}})
		}
		tmpl, err := Build(c)
		if err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("%d devices", n)
		bound, size, ok := boundHolds(t, name, tmpl)
		if !ok || float64(bound) > 1.2*float64(size) {
			t.Errorf("%s: bound %d bytes (settles it: %v) for a template of %d", name, bound, ok, size)
		}
	}
	// Random templates: the bound settles each one the tree reads without
	// Template.JSON (those with literal intrinsics it leaves to the tree).
	r := rand.New(rand.NewSource(1))
	settled := 0
	for i := range 1000 {
		name := fmt.Sprintf("random template %d", i)
		tmpl := randomTemplate(r)
		_, _, ok := boundHolds(t, name, tmpl)
		if _, evaluated, err := readMarshalled(tmpl); err == nil && !evaluated && !ok {
			t.Errorf("%s: the tree reads it without Template.JSON, but the bound leaves it to the tree", name)
		}
		if ok {
			settled++
		}
	}
	if settled < 200 || settled > 800 {
		t.Errorf("the bound settles %d of 1,000 random templates: they no longer cover both paths", settled)
	}
	for i, a := range hostile {
		for _, b := range hostile {
			if i%7 != 0 && len(b) > 3 {
				continue // as TestWriterScalars
			}
			boundHolds(t, fmt.Sprintf("%q+%q", a, b), scalarTemplate(a+b))
		}
	}
}

// TestSizeBoundEscapes: the bound holds, or leaves the template to the
// tree, where a placeholder's text reads otherwise once unescaped or
// written out: non-ASCII keys (U+FFFD for an invalid byte, \u2028), an
// intrinsic's key written with an escape (Template.JSON evaluates it), and
// base64 wrapped at 76 columns (its line breaks escaped as \n). Each
// template is over 1 MB as JSON, and the size check refuses it.
func TestSizeBoundEscapes(t *testing.T) {
	placeholder := func(json string) string { return base64.StdEncoding.EncodeToString([]byte(json)) }
	withProperties := func(n int, value func(i int) string) *cloudformation.Template {
		tmpl := cloudformation.NewTemplate()
		props := map[string]any{}
		for i := range n {
			props[string(rune('A'+i))] = value(i)
		}
		tmpl.Resources["C"] = &cloudformation.CustomResource{Type: "Custom::X", Properties: props}
		return tmpl
	}
	cases := map[string]*cloudformation.Template{}
	for name, key := range map[string]string{"invalid bytes in a key": strings.Repeat("\xff", 150000), "U+2028 in a key": strings.Repeat("\u2028", 100000)} {
		cases[name] = withProperties(4, func(int) string { return placeholder(`{"Fn::Sub":["x",{"` + key + `":"v"}]}`) })
	}
	escaped := withProperties(20, func(int) string { return placeholder(`{"Fn::Join":["",[{"Re\u0066":"P"}]]}`) })
	escaped.Parameters["P"] = cloudformation.Parameter{Type: "String", Default: strings.Repeat("x", 100000)}
	cases["an escaped Ref"] = escaped
	wrapped := placeholder(`{"Fn::Join":["",[` + strings.Repeat(`0,`, 100000) + `0]]}`)
	var w strings.Builder
	for len(wrapped) > 76 {
		w.WriteString(wrapped[:76] + "\n")
		wrapped = wrapped[76:]
	}
	w.WriteString(wrapped)
	cases["wrapped base64"] = withProperties(2, func(int) string { return w.String() })
	for name, tmpl := range cases {
		_, size, _ := boundHolds(t, name, tmpl)
		if size <= MaxTemplateBytes {
			t.Errorf("%s: %d bytes, not over 1 MB: the case no longer tests the check", name, size)
		}
		if err := checkTemplateSize(tmpl); err == nil {
			t.Errorf("%s: the size check took a template of %d bytes", name, size)
		}
	}
}

// TestTemplateSizeLimit: a stack added to a template that takes it over
// CloudFormation's 1 MB is refused, whether the bound or the tree settles
// it; one just under is taken, though its bound is over.
func TestTemplateSizeLimit(t *testing.T) {
	withText := func(text string) *cloudformation.Template {
		tmpl := cloudformation.NewTemplate()
		tmpl.Resources["Big"] = &cloudformation.CustomResource{Type: "Custom::Big", Properties: map[string]any{"Text": text}}
		return tmpl
	}
	empty := withText("")
	if _, err := AddTo(empty, Config{}); err != nil {
		t.Fatal(err)
	}
	j, err := JSON(empty)
	if err != nil {
		t.Fatal(err)
	}
	overhead := len(j) // the seed stack, and the big resource without its text
	for _, c := range []struct {
		name  string
		text  string
		taken bool
	}{
		{"well over", strings.Repeat("x", MaxTemplateBytes), false},
		{"just over", strings.Repeat("x", MaxTemplateBytes-overhead+1), false},
		{"at the limit", strings.Repeat("x", MaxTemplateBytes-overhead), true},
		// < is written as \u003c by encoding/json, as < by ddnsgen: the
		// bound is over 1 MB, the template is not.
		{"at the limit, bound over", strings.Repeat("<", MaxTemplateBytes-overhead), true},
	} {
		tmpl := withText(c.text)
		_, err := AddTo(tmpl, Config{})
		if c.taken {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
				continue
			}
			j, err := JSON(tmpl)
			if err != nil || len(j) != MaxTemplateBytes {
				t.Errorf("%s: the template is %d bytes (%v), want %d", c.name, len(j), err, MaxTemplateBytes)
			}
			continue
		}
		want := "the template is over CloudFormation's 1048576 bytes"
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %q", c.name, err, want)
		}
	}
}
