package cfn

import (
	"regexp"
	"sync"
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
