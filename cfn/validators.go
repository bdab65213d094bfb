package cfn

import (
	"regexp"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// pattern is a regular expression compiled on first use, so that a
// process pays only for the expressions it asks.
type pattern struct {
	expr string
	re   func() *regexp.Regexp
}

func regexpPattern(expr string) *pattern {
	return &pattern{expr: expr, re: sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })}
}

// MatchString is whether s matches the pattern.
func (p *pattern) MatchString(s string) bool { return p.re().MatchString(s) }

// String is the regular expression.
func (p *pattern) String() string { return p.expr }

func isAlnum(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9'
}

// ruleFreeText is what free text (a description, a tag) that reaches the
// template may not hold: characters a reader of the template or of the AWS
// console cannot see or that reorder what is shown (a U+202E turns
// "exe.txt" into "txt.exe"), and CloudFormation's dynamic references, which
// CloudFormation would replace with a secret's or parameter's value.
const ruleFreeText = "free text has no control characters, no invisible formatting characters (bidi overrides and isolates such as U+202E, zero-width characters, line and paragraph separators) and no {{resolve: (a CloudFormation dynamic reference)"

// freeTextOK says whether s keeps ruleFreeText.
func freeTextOK(s string) bool {
	if strings.Contains(strings.ToLower(s), "{{resolve:") {
		return false
	}
	for _, r := range s {
		// Cc: C0 and C1 controls (tab and newline too); Cf: format
		// characters (U+061C, U+200B-U+200F, U+202A-U+202E, U+2060-U+2069,
		// U+FEFF, ...); Zl and Zp: U+2028 and U+2029, line breaks in YAML.
		if r == utf8.RuneError || unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp) {
			return false
		}
	}
	return true
}

// refusalPrefix starts the hosted zone ids that the templates send a
// refused request's harmless change to (DDNSGENR<verdict>) and read back
// from Route 53's answer: a configured zone with such an id would have its
// every update read as a refusal.
const refusalPrefix = "DDNSGENR"

const ruleRefusalZone = "a hosted zone id starting with " + refusalPrefix + " is the name ddnsgen's templates give a refused request's change, and its every answer would be read as a refusal: Route 53 does not give such ids, check it"
