package main

// What comes back from a stack, and how the check reads and prints it:
// answers, how each travelled (X-Ddnsgen-Via), AWS details that must never
// show, masking.

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// answer is what came back for one request.
type answer struct {
	status int
	header http.Header
	body   string
	err    error
	local  net.Addr // this end of the connection
	proxy  bool     // the request went through an HTTP proxy
}

// do sends a request and reads the whole answer (at most 1 MB).
// Requests are -interval apart, so that the check's own requests do not
// trip the stack's throttles.
func (c *checker) do(req *http.Request) answer {
	var a answer
	if !c.last.IsZero() {
		select {
		case <-time.After(time.Until(c.last.Add(c.o.interval))):
		case <-req.Context().Done():
		}
	}
	c.last = time.Now()
	if p := c.client.Transport.(*http.Transport).Proxy; p != nil {
		if u, err := p(req); err == nil && u != nil {
			a.proxy = true
		}
	}
	trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) { a.local = info.Conn.LocalAddr() }}
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
	resp, err := c.client.Do(req)
	if err != nil {
		a.err = err
		return a
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	a.status, a.header, a.body, a.err = resp.StatusCode, resp.Header, string(b), err
	return a
}

// describeRequest is a request as -v shows it, credentials masked.
func (c *checker) describeRequest(req *http.Request) string {
	s := req.Method + " " + req.URL.String()
	if k := req.Header.Get("x-api-key"); k != "" {
		if k == c.o.key {
			s += " (x-api-key: your key " + maskSecret(k) + ")"
		} else {
			s += " (x-api-key: " + k + ")"
		}
	}
	if user, pass, ok := req.BasicAuth(); ok {
		if pass == c.o.password {
			s += " (Basic auth " + user + ":****)"
		} else {
			s += " (Basic auth " + user + ":" + pass + ")"
		}
	}
	return s
}

// record adds a row for an answer, then a row of its own for any AWS
// detail the answer shows.
func (c *checker) record(name string, req *http.Request, a answer, via, fail string) {
	body := printable(c.redact(a.body), true)
	full := "no answer: " + printable(c.redact(fmt.Sprint(a.err)), false)
	if a.err == nil {
		var h []string
		for _, k := range []string{"Content-Type", viaHeader, "WWW-Authenticate", "X-Amzn-Remapped-WWW-Authenticate"} {
			if v := a.header.Get(k); v != "" {
				h = append(h, k+": "+printable(c.redact(v), false))
			}
		}
		full = fmt.Sprintf("%d %s\n%s\n\n%s", a.status, http.StatusText(a.status), strings.Join(h, "\n"), body)
	}
	c.rows = append(c.rows, checkRow{name: name, got: c.describe(a), via: via, fail: fail, req: c.describeRequest(req), full: full})
	if short, long := leaks(a.body); len(short) > 0 {
		c.rows = append(c.rows, checkRow{name: "leak: " + name, got: strings.Join(short, ", "), via: "-",
			fail: "the stack leaked " + joinAnd(long) + " (an answer must never show them)"})
	}
}

// describe is an answer in a table cell: status and a short body.
func (c *checker) describe(a answer) string {
	if a.err != nil {
		var ne net.Error
		if errors.As(a.err, &ne) && ne.Timeout() {
			return fmt.Sprintf("no answer within %v", c.o.timeout)
		}
		return shorten("no answer: "+c.redact(a.err.Error()), 72)
	}
	s := fmt.Sprintf("%d %s", a.status, c.redact(shortBody(a.body)))
	if v := a.header.Get("WWW-Authenticate"); v != "" {
		s += ", WWW-Authenticate: " + c.redact(v)
	}
	return shorten(printable(s, false), 80)
}

// printable replaces what a terminal or the table would take for control
// (tabs, escape sequences; newlines too unless keepNewlines) with "?": an
// answer's text is the stack's, not ours.
func printable(s string, keepNewlines bool) string {
	return strings.Map(func(r rune) rune {
		if (r == '\n' && keepNewlines) || (unicode.IsPrint(r) && r != utf8.RuneError) {
			return r
		}
		return '?'
	}, s)
}

// shortBody says what a body holds in a few words: the updated records, the
// error, API Gateway's message, or the text's lines.
func shortBody(body string) string {
	var j struct {
		Updated []updatedRecord `json:"updated"`
		Error   *string         `json:"error"`
		Message *string         `json:"message"`
	}
	if json.Unmarshal([]byte(body), &j) == nil {
		switch {
		case j.Updated != nil:
			var parts []string
			for _, u := range j.Updated {
				parts = append(parts, u.Name+" "+u.Type+" "+u.Value)
			}
			return "updated " + strings.Join(parts, ", ")
		case j.Error != nil && j.Message != nil:
			return *j.Error + ": " + *j.Message
		case j.Error != nil:
			return *j.Error
		case j.Message != nil:
			return `{"message":"` + *j.Message + `"}`
		}
	}
	if m := xmlErrorCode().FindStringSubmatch(body); m != nil {
		return "Route 53's XML: " + m[1]
	}
	return strings.Join(strings.Fields(body), " ")
}

// xmlErrorCode finds the code of a Route 53 error passed through as it came.
var xmlErrorCode = lazyRE(`<Code>([A-Za-z0-9.]{1,64})</Code>`)

func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

type updatedRecord struct {
	Name  string `json:"name"`
	Type  string `json:"type"`
	Value string `json:"value"`
}

// jsonAnswer is the JSON endpoint's answer, as the spec gives it.
type jsonAnswer struct {
	Updated []updatedRecord `json:"updated"`
	Error   string          `json:"error"`
	Message string          `json:"message"`
	Via     *string         `json:"via"` // where stacks of an older ddnsgen said it
}

// viaHeader says how an answer of the stack's own travelled through API
// Gateway: echo, echo+carry, carry or none (see viaMeaning).
const viaHeader = "X-Ddnsgen-Via"

// viaOf reads how an integration answer travelled, for -v's VIA column and
// the summary; fail is set when it is something the spec does not know.
func (c *checker) viaOf(check string, a answer, j *jsonAnswer) (via, fail string) {
	if j == nil {
		return "-", ""
	}
	if j.Error == "" && j.Updated == nil {
		return "-", "" // API Gateway's own answer ({"message":…}): no template ran
	}
	v := a.header.Get(viaHeader)
	if v == "" && j.Via != nil {
		v = *j.Via
	}
	switch v {
	case "":
		c.vias = append(c.vias, viaSeen{check, ""})
		return "?", ""
	case "echo", "echo+carry", "carry", "none":
		c.vias = append(c.vias, viaSeen{check, v})
		return v, ""
	}
	return "?", fmt.Sprintf("%s %q is none of echo, echo+carry, carry, none", viaHeader, shorten(printable(v, false), 20))
}

func parseJSONAnswer(body string) *jsonAnswer {
	var j jsonAnswer
	if json.Unmarshal([]byte(body), &j) != nil {
		return nil
	}
	return &j
}

func textLines(body string) []string {
	var out []string
	for _, l := range strings.Split(body, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func allEqual(lines []string, v string) bool {
	for _, l := range lines {
		if l != v {
			return false
		}
	}
	return true
}

const accountID = "an AWS account id (12 digits)"

// What an answer must never show: AWS text that names the account, a
// role, or the role's session.
var leakPatterns = []struct {
	short, what string
	re          func() *regexp.Regexp
}{
	{"ARN", "an ARN (arn:…)", lazyRE(`arn:[A-Za-z0-9:/+=,.@_*-]*`)},
	{"account id", accountID, lazyRE(`(^|[^0-9A-Za-z])[0-9]{12}([^0-9A-Za-z]|$)`)},
	{"assumed-role", "an assumed role (assumed-role/…)", lazyRE(`assumed-role[A-Za-z0-9:/+=,.@_-]*`)},
	{"role name", "a role name (…-Role-…)", lazyRE(`[A-Za-z0-9+=,.@_-]*Role[A-Za-z0-9]*-[A-Z0-9]{8,}`)},
	{"role session", "API Gateway's role session (BackplaneAssumeRoleSession)", lazyRE(`BackplaneAssumeRoleSession`)},
	{"role id", "a role id (AROA…)", lazyRE(`AROA[A-Z0-9]{12,}`)},
	{"IAM text", "IAM's error text (… is not authorized to perform …)", lazyRE(`is not authorized to perform`)},
}

var twelveDigits = lazyRE(`[0-9]{12}`)

// leaks names the kinds of AWS detail a text shows, in a word and in full.
func leaks(s string) (short, long []string) {
	for _, p := range leakPatterns {
		if p.re().MatchString(s) {
			short = append(short, p.short)
			long = append(long, p.what)
		}
	}
	return short, long
}

// redact hides AWS details and the credentials in text the check prints.
func (c *checker) redact(s string) string {
	for _, p := range leakPatterns {
		s = p.re().ReplaceAllStringFunc(s, func(m string) string {
			if p.what == accountID { // keep the characters around the digits
				return twelveDigits().ReplaceAllString(m, "[account id]")
			}
			return "[redacted]"
		})
	}
	if c.o.key != "" {
		s = strings.ReplaceAll(s, c.o.key, "[API key]")
	}
	if c.o.password != "" {
		s = strings.ReplaceAll(s, c.o.password, "[password]")
	}
	return s
}

func joinAnd(items []string) string {
	if len(items) <= 1 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// maskSecret shows a secret's last four characters at most.
func maskSecret(s string) string {
	if len(s) < 16 {
		return "****"
	}
	return "****" + s[len(s)-4:]
}

// viaMeaning says what each answer path shows, as measured.
var viaMeaning = map[string]string{
	"echo":       "the answers were read from Route 53's echo; no $context.requestOverride reached the response templates",
	"echo+carry": "the answers were read from Route 53's echo, and the $context.requestOverride of the request templates reached the response templates too",
	"carry":      "Route 53's echo did not reach the response templates; the answers came from $context.requestOverride alone",
	"none":       "neither Route 53's echo nor $context.requestOverride reached the response templates",
}

// viaLine is the summary's second line: with -v how the answers travelled;
// without, only a path worth reporting from a real API Gateway (not
// ddnsgen local on this machine, whose path is the world it was started
// in), as one neutral line. "": nothing to say.
func (c *checker) viaLine() string {
	summary := c.viaSummary()
	if c.o.verbose {
		return summary
	}
	h := c.o.updateURL.Hostname()
	if loopback(h) || h == "[::1]" || len(c.vias) == 0 || summary == "answers via echo: "+viaMeaning["echo"] {
		return ""
	}
	return summary + ` (see "The answer path" in the docs: we would like to hear of it)`
}

// viaSummary says how the answers travelled.
func (c *checker) viaSummary() string {
	if len(c.vias) == 0 {
		return "answer path unknown: no answer of the stack's own said"
	}
	var order []string
	by := map[string][]string{}
	for _, v := range c.vias {
		if by[v.via] == nil {
			order = append(order, v.via)
		}
		by[v.via] = append(by[v.via], v.check)
	}
	if len(order) == 1 {
		if order[0] == "" {
			return "answers carry no " + viaHeader + " header: the stack was generated by an older ddnsgen (generate and deploy it again), or this API Gateway drops headers a response template sets"
		}
		return "answers via " + order[0] + ": " + viaMeaning[order[0]]
	}
	var parts []string
	for _, v := range order {
		name := v
		if v == "" {
			name = "no via"
		}
		parts = append(parts, name+" ("+strings.Join(by[v], ", ")+")")
	}
	return "answers via " + joinAnd(parts) + ": mixed answer paths, please send us this table"
}
