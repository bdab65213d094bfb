package cfn

import (
	"errors"
	"math/rand"
	"regexp"
	"strings"
	"testing"
)

// TestPatternsMatchTheirExpressions: each pattern matched by a loop says
// what its regular expression says, at and around its length bounds.
func TestPatternsMatchTheirExpressions(t *testing.T) {
	patterns := []*pattern{labelRE, prefixRE, logicalRE, zoneIDRE, deviceRE, stageRE, apiRE, tagRE, roleARNRE, regionRE}
	r := rand.New(rand.NewSource(3))
	const alphabet = "aAzZ09-_. :/=+@é\n\x00"
	var inputs []string
	for _, n := range []int{0, 1, 2, 3, 31, 32, 33, 62, 63, 64, 127, 128, 129, 254, 255, 256} {
		for range 40 {
			var b strings.Builder
			for range n {
				b.WriteByte(alphabet[r.Intn(len(alphabet))])
			}
			inputs = append(inputs, b.String())
			inputs = append(inputs, strings.Repeat("a", n), strings.Repeat("Z", n), "-"+strings.Repeat("a", n), strings.Repeat("a", n)+"-",
				"A"+strings.Repeat("b", n), "a"+strings.Repeat("-", n)+"a")
		}
	}
	inputs = append(inputs, "home", "Z0123456789ABCDEFGHIJ", "DynamicDNS", "api", "eu-west-1", "arn:aws:iam::123456789012:role/x")
	for _, p := range patterns {
		re := regexp.MustCompile(p.String())
		for _, s := range inputs {
			if got, want := p.MatchString(s), re.MatchString(s); got != want {
				t.Errorf("%s on %q: %v, the regular expression says %v", p, s, got, want)
			}
		}
	}
}

// TestPlaceholderText: a value that is goformation's base64 text of an
// intrinsic function would reach the template as the function (the
// writers decode it wherever it is a whole value, as Template.JSON does):
// it is refused, naming the field; other base64 text is taken.
func TestPlaceholderText(t *testing.T) {
	const ref = "eyJSZWYiOiJBV1M6OlN0YWNrTmFtZSJ9" // {"Ref":"AWS::StackName"}
	for field, c := range map[string]Config{
		"api_name":    {APIName: ref},
		"stage":       {Stage: ref},
		"description": {Description: ref},
		"tags":        {Tags: map[string]string{"team": ref}},
	} {
		_, err := Build(c)
		if err == nil || !strings.HasPrefix(err.Error(), field+" ") || !strings.Contains(err.Error(), "base64 text of a CloudFormation function") {
			t.Errorf("%s: err = %v", field, err)
		}
	}
	// The same letters, not an intrinsic's: taken as text.
	tmpl, err := Build(Config{Stage: "eyJhIjoxfQ", Tags: map[string]string{"team": "eyJhIjoxfQ=="}}) // {"a":1}
	if err != nil {
		t.Fatal(err)
	}
	y, err := YAML(tmpl)
	if err != nil || !strings.Contains(string(y), "eyJhIjoxfQ==") {
		t.Errorf("the tag's text is not in the template (%v)", err)
	}
}

// TestFreeTextRefused (red team, issue 22): control characters, bidi
// overrides and isolates, invisible characters and CloudFormation dynamic
// references are refused in every free-text field that reaches the
// template, naming the field; ordinary text (accents, emoji) is kept.
func TestFreeTextRefused(t *testing.T) {
	hostile := []string{"a\x00b", "a\tb", "a\nb", "a\x1bb", "a\u0085b", "a\u202ab", "a\u202eb", "a\u2066b", "a\u2069b",
		"a\u200bb", "a\u200fb", "a\u061cb", "a\ufeffb", "a\u2028b", "a\u2029b", "a\xffb",
		"{{resolve:ssm:/p}}", "x {{RESOLVE:secretsmanager:s}}"}
	for _, h := range hostile {
		for _, c := range []struct {
			field string
			cfg   Config
		}{
			{"description", Config{Description: h}},
			{"api_name", Config{APIName: h}},
			{"stage", Config{Stage: h}},
			{"tags", Config{Tags: map[string]string{"team": h}}},
			{"tags", Config{Tags: map[string]string{h: "x"}}},
		} {
			err := c.cfg.Validate()
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Field != c.field || strings.Contains(err.Error(), "\n") {
				t.Errorf("%s %q: %v, want a one-line ConfigError of %s", c.field, h, err, c.field)
			}
		}
		if err := (Config{Description: h}).Validate(); err == nil || !strings.Contains(err.Error(), ruleFreeText) {
			t.Errorf("description %q: %v, want the free-text rule", h, err)
		}
	}
	for _, ok := range []string{"Home router — Müller's ☕ 😀", "a {{ b }} c", "resolve: later"} {
		if err := (Config{Description: ok, Tags: map[string]string{"owner": "Müller"}}).Validate(); err != nil {
			t.Errorf("description %q: %v, want it kept", ok, err)
		}
	}
}

// TestRefusalZoneIDRefused (red team, issue 22): a zone id in the templates'
// refusal namespace (DDNSGENR...) is an error, not a warning.
func TestRefusalZoneIDRefused(t *testing.T) {
	for _, id := range []string{"DDNSGENRN1", "DDNSGENRG", "/hostedzone/DDNSGENRA", "DDNSGENR"} {
		err := Config{Zones: []Zone{{ID: id}}}.Validate()
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.Field != "zones[0].id" || ce.Rule != ruleRefusalZone {
			t.Errorf("zone id %q: %v, want the refusal-namespace rule", id, err)
		}
	}
	for _, id := range []string{"DDNSGEN1", "ZDDNSGENRN1", "Z0123456789ABCDEFGHIJ"} {
		if err := (Config{Zones: []Zone{{ID: id}}}).Validate(); err != nil {
			t.Errorf("zone id %q: %v, want it accepted", id, err)
		}
	}
}
