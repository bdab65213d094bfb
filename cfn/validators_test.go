package cfn

import (
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
