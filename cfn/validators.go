package cfn

import (
	"regexp"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// pattern matches what its regular expression matches. The expressions of
// names (a run of characters from a class, of a bounded length) are matched
// by a loop: compiled, a counted repetition such as {1,255} expands into
// that many instructions, which every ddnsgen process paid for at start-up
// (2-3 ms, more than building a small stack). The others are compiled on
// first use.
type pattern struct {
	expr string
	run  *run // nil: compile expr
	re   func() *regexp.Regexp
}

// run is ^[first][middle]*[last]$ of min to max bytes; one byte is first.
type run struct {
	first, middle, last func(byte) bool
	min, max            int
}

func runPattern(expr string, r run) *pattern { return &pattern{expr: expr, run: &r} }

func regexpPattern(expr string) *pattern {
	return &pattern{expr: expr, re: sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })}
}

// MatchString is whether s matches the pattern.
func (p *pattern) MatchString(s string) bool {
	r := p.run
	if r == nil {
		return p.re().MatchString(s)
	}
	n := len(s)
	if n < r.min || n > r.max || n == 0 {
		return n == 0 && r.min == 0
	}
	if !r.first(s[0]) {
		return false
	}
	if n == 1 {
		return true
	}
	for i := 1; i < n-1; i++ {
		if !r.middle(s[i]) {
			return false
		}
	}
	return r.last(s[n-1])
}

// String is the regular expression.
func (p *pattern) String() string { return p.expr }

func lowerOrDigit(c byte) bool       { return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' }
func lowerDigitOrHyphen(c byte) bool { return lowerOrDigit(c) || c == '-' }
func upper(c byte) bool              { return 'A' <= c && c <= 'Z' }
func upperOrDigit(c byte) bool       { return upper(c) || '0' <= c && c <= '9' }
func stageChar(c byte) bool          { return isAlnum(c) || c == '_' || c == '-' }
func apiChar(c byte) bool            { return isAlnum(c) || c == ' ' || c == '.' || c == '_' || c == '-' }
func isAlnum(c byte) bool            { return upperOrDigit(c) || 'a' <= c && c <= 'z' }

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
