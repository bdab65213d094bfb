package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

const (
	fakeZone     = "Z0123456789ABCDEFGHIJ"
	fakeKey      = "fakeKeyNas0123456789abcdefghijklmnopqrs"
	fakePassword = "pwNas0123456789abcdef"
)

// fakeStack plays a deployed stack's answers (the spec's), with switches
// that break it the ways a real stack could be broken.
type fakeStack struct {
	prefix string            // "/ddns" (execute-api URL) or "" (custom domain)
	device string            // the key's device, also the dyndns2 user
	owners map[string]string // name → device
	via    *string           // the X-Ddnsgen-Via header; nil: none
	// viaInBody puts via in the body's "via" field instead, as stacks of
	// an older ddnsgen did.
	viaInBody bool

	unknownUpdates bool   // an unknown name is updated (a refusal reaching Route 53)
	refusalIs200   bool   // BadHostname is answered with status 200
	leak           string // appended to the BadHostname message (Route 53's text passed through)
	unknownSays    string // the UnknownHostname message
	noChallenge    bool   // no WWW-Authenticate when no credentials come
	address        string // the address the stack sets ("": the caller's)
	recordType     string // the type the stack says it set ("": A)
	sleep          time.Duration
	noDyndns2      bool   // the stack has no /nic/update
	throttle       string // a hostname answered 429 by API Gateway
}

func newFakeStack() *fakeStack {
	via := "echo"
	return &fakeStack{prefix: "/ddns", via: &via, device: "nas", owners: map[string]string{"nas.acme.local": "nas", "laptop.acme.local": "laptop"}}
}

func (f *fakeStack) serve(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(f.sleep)
		caller, _, _ := net.SplitHostPort(r.RemoteAddr)
		if f.address != "" {
			caller = f.address
		}
		switch r.URL.Path {
		case f.prefix + "/" + fakeZone:
			if f.throttle != "" && r.URL.Query().Get("hostname") == f.throttle {
				w.WriteHeader(429)
				fmt.Fprint(w, `{"message":"Too Many Requests"}`)
				return
			}
			f.update(w, r, caller)
		case f.prefix + "/nic/update":
			if f.noDyndns2 {
				w.WriteHeader(403)
				fmt.Fprint(w, `{"message":"Missing Authentication Token"}`)
				return
			}
			f.dyndns2(w, r, caller)
		default:
			w.WriteHeader(403)
			fmt.Fprint(w, `{"message":"Missing Authentication Token"}`)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func (f *fakeStack) answer(w http.ResponseWriter, status int, v map[string]any) {
	switch {
	case f.via != nil && f.viaInBody:
		v["via"] = *f.via
	case f.via != nil:
		w.Header().Set("X-Ddnsgen-Via", *f.via)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (f *fakeStack) update(w http.ResponseWriter, r *http.Request, caller string) {
	if r.Header.Get("x-api-key") != fakeKey {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(403)
		fmt.Fprint(w, `{"message":"Forbidden"}`)
		return
	}
	name := r.URL.Query().Get("hostname")
	if name == "" {
		var mine []string
		for n, owner := range f.owners {
			if owner == f.device {
				mine = append(mine, n)
			}
		}
		if len(mine) != 1 {
			f.answer(w, 400, map[string]any{"error": "HostnameRequired", "message": "this key may update more than one name: say which with ?hostname=NAME[,NAME]"})
			return
		}
		name = mine[0]
	}
	switch owner, known := f.owners[name]; {
	case !hostnamePattern().MatchString(name) && f.refusalIs200:
		f.answer(w, 200, map[string]any{"error": "BadHostname", "message": "name 1 of hostname is not a domain name"})
	case !hostnamePattern().MatchString(name):
		f.answer(w, 400, map[string]any{"error": "BadHostname", "message": "name 1 of hostname is not a domain name" + f.leak})
	case !known && !f.unknownUpdates:
		msg := "name 1 of hostname is not a name this stack updates"
		if f.unknownSays != "" {
			msg = f.unknownSays
		}
		f.answer(w, 400, map[string]any{"error": "UnknownHostname", "message": msg})
	case known && owner != f.device:
		f.answer(w, 403, map[string]any{"error": "NotYourHostname", "message": "name 1 of hostname belongs to another device"})
	default:
		typ := f.recordType
		if typ == "" {
			typ = "A"
		}
		f.answer(w, 200, map[string]any{"updated": []map[string]any{{"name": name, "type": typ, "value": caller, "ttl": 60}}, "change": "/change/C2682N5HXP0BZ4"})
	}
}

func (f *fakeStack) dyndns2(w http.ResponseWriter, r *http.Request, caller string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	user, pass, ok := r.BasicAuth()
	switch {
	case !ok:
		if !f.noChallenge {
			w.Header().Set("WWW-Authenticate", `Basic realm="ddnsgen"`)
		}
		w.WriteHeader(401)
		fmt.Fprintln(w, "badauth")
	case user != f.device || pass != fakePassword:
		w.WriteHeader(401)
		fmt.Fprintln(w, "badauth")
	case f.owners[r.URL.Query().Get("hostname")] != f.device:
		fmt.Fprintln(w, "nohost")
	default:
		fmt.Fprintln(w, "good "+caller)
	}
}

// runCheckCommand runs `ddnsgen check` as main does.
func runCheckCommand(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(append([]string{"check", "-interval", "0"}, args...), &out, &errb)
	for _, secret := range []string{fakeKey, fakePassword} {
		if strings.Contains(out.String()+errb.String(), secret) {
			t.Errorf("the output shows a credential:\n%s\n%s", out.String(), errb.String())
		}
	}
	return code, out.String(), errb.String()
}

// allArgs are every flag for srv (or for the URL prefix alone, srv nil).
func allArgs(srv *httptest.Server, prefix string) []string {
	if srv != nil {
		prefix = srv.URL + prefix
	} else {
		prefix += "/ddns"
	}
	return []string{"-url", prefix + "/" + fakeZone, "-key", fakeKey, "-other", "laptop.acme.local", "-dyndns2", "nas:" + fakePassword}
}

// tableLine finds the table line of a check: its cells, spaced.
func tableLine(out, check string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, check+"  ") {
			return strings.Join(strings.Fields(l), " ")
		}
	}
	return ""
}

func lastLine(out string) string {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	return lines[len(lines)-1]
}

const echoSummary = "ddnsgen check: answers via echo: the answers were read from Route 53's echo; no $context.requestOverride reached the response templates"

func TestCheckCorrectStack(t *testing.T) {
	for _, prefix := range []string{"/ddns", ""} { // execute-api URL, custom domain
		t.Run("prefix="+prefix, func(t *testing.T) {
			f := newFakeStack()
			f.prefix = prefix
			srv := f.serve(t)
			code, out, errOut := runCheckCommand(t, allArgs(srv, prefix)...)
			if code != 0 || errOut != "" {
				t.Fatalf("exit %d, stderr %q\n%s", code, errOut, out)
			}
			if !strings.Contains(out, "this makes ONE real update: the key's name will point at this machine's address") {
				t.Errorf("the output does not say it makes one real update first:\n%s", out)
			}
			want := []string{
				"CHECK GOT RESULT",
				"update 200 updated nas.acme.local A 127.0.0.1 pass",
				`wrong API key 403 {"message":"Forbidden"} pass`,
				"malformed hostname 400 BadHostname: name 1 of hostname is not a domain name pass",
				"unknown hostname 400 UnknownHostname: name 1 of hostname is not a name this stack updates pass",
				"another device's name 403 NotYourHostname: name 1 of hostname belongs to another device pass",
				"dyndns2 update 200 good 127.0.0.1 pass",
				"dyndns2 wrong password 401 badauth pass",
				`dyndns2 no credentials 401 badauth, WWW-Authenticate: Basic realm="ddnsgen" pass`,
				"ddnsgen check: 8 passed, 0 failed",
			}
			lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
			if len(lines) != 2+len(want) {
				t.Fatalf("want two lines of intent, a header, 8 rows and the summary (no word on how answers travelled: that is -v's):\n%s", out)
			}
			for i, line := range want {
				if got := strings.Join(strings.Fields(lines[2+i]), " "); got != line {
					t.Errorf("line %d:\n got %q\nwant %q", 3+i, got, line)
				}
			}
		})
	}
}

// TestCheckBrokenStacks: each way a stack can misbehave is a FAIL line,
// exit 1 and a summary that counts it.
func TestCheckBrokenStacks(t *testing.T) {
	tests := []struct {
		name    string
		breakIt func(*fakeStack)
		fails   map[string]string // check → its table line
		summary string
	}{
		{
			name:    "a refusal answered 200",
			breakIt: func(f *fakeStack) { f.unknownUpdates = true },
			fails: map[string]string{
				"unknown hostname": "unknown hostname 200 updated ddnsgen-check-unknown.nas.acme.local A 127.0.0.1 FAIL: the refusal was answered as an update: it changed ddnsgen-check-unknown.nas.acme.local",
			},
			summary: "7 passed, 1 failed",
		},
		{
			name:    "-other is not a name of the stack",
			breakIt: func(f *fakeStack) { delete(f.owners, "laptop.acme.local") },
			fails: map[string]string{
				"another device's name": "another device's name 400 UnknownHostname: name 1 of hostname is not a name this stack updates FAIL: wanted 403 NotYourHostname: -other is not a name of this stack",
			},
			summary: "7 passed, 1 failed",
		},
		{
			name:    "a refusal's status 200",
			breakIt: func(f *fakeStack) { f.refusalIs200 = true },
			fails: map[string]string{
				"malformed hostname": "malformed hostname 200 BadHostname: name 1 of hostname is not a domain name FAIL: wanted 400 BadHostname: a refusal answered 200",
			},
			summary: "7 passed, 1 failed",
		},
		{
			name: "a leaked ARN",
			breakIt: func(f *fakeStack) {
				f.leak = ": User: arn:aws:sts::123456789012:assumed-role/ddns-Role-1A2B3C4D5E6F/BackplaneAssumeRoleSession is not authorized to perform: route53:ChangeResourceRecordSets"
			},
			fails: map[string]string{
				"malformed hostname": "malformed hostname 400 BadHostname: name 1 of hostname is not a domain name: User: [redacted] [red… pass",
				"leak: malformed hostname": "leak: malformed hostname ARN, account id, assumed-role, role name, role session, IAM text FAIL: the stack leaked an ARN (arn:…), " +
					"an AWS account id (12 digits), an assumed role (assumed-role/…), a role name (…-Role-…), API Gateway's role session (BackplaneAssumeRoleSession) " +
					"and IAM's error text (… is not authorized to perform …) (an answer must never show them)",
			},
			summary: "8 passed, 1 failed",
		},
		{
			name:    "a missing challenge",
			breakIt: func(f *fakeStack) { f.noChallenge = true },
			fails: map[string]string{
				"dyndns2 no credentials": "dyndns2 no credentials 401 badauth FAIL: no WWW-Authenticate: Basic challenge (clients that wait for one never send their password)",
			},
			summary: "7 passed, 1 failed",
		},
		{
			name:    "a wrong address",
			breakIt: func(f *fakeStack) { f.address = "192.0.2.1" },
			fails: map[string]string{
				"update":         "update 200 updated nas.acme.local A 192.0.2.1 FAIL: set 192.0.2.1, not this machine's address 127.0.0.1",
				"dyndns2 update": "dyndns2 update 200 good 192.0.2.1 FAIL: set 192.0.2.1, not 127.0.0.1",
			},
			summary: "6 passed, 2 failed",
		},
		{
			name:    "a wrong record type",
			breakIt: func(f *fakeStack) { f.recordType = "AAAA" },
			fails: map[string]string{
				"update": "update 200 updated nas.acme.local AAAA 127.0.0.1 FAIL: a AAAA record with the address 127.0.0.1",
			},
			summary: "7 passed, 1 failed",
		},
		{
			name:    "an unknown via",
			breakIt: func(f *fakeStack) { v := "telepathy"; f.via = &v },
			fails: map[string]string{
				"update": `update 200 updated nas.acme.local A 127.0.0.1 FAIL: X-Ddnsgen-Via "telepathy" is none of echo, echo+carry, carry, none`,
			},
			summary: "4 passed, 4 failed",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeStack()
			tt.breakIt(f)
			srv := f.serve(t)
			code, out, errOut := runCheckCommand(t, allArgs(srv, "/ddns")...)
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			for check, line := range tt.fails {
				if got := tableLine(out, check); got != line {
					t.Errorf("table line of %q:\n got %q\nwant %q", check, got, line)
				}
			}
			if got := lastLine(out); got != "ddnsgen check: "+tt.summary {
				t.Errorf("summary %q, want %q", got, tt.summary)
			}
			if !strings.Contains(errOut, "ddnsgen: check: ") || !strings.Contains(errOut, "checks failed") {
				t.Errorf("stderr %q", errOut)
			}
			if strings.Contains(out, "123456789012") || strings.Contains(out, "arn:aws") {
				t.Errorf("the table repeats the leaked text:\n%s", out)
			}
		})
	}
}

// TestCheckControlCharacters: an answer's tabs and escape sequences reach
// neither the table nor the terminal.
func TestCheckControlCharacters(t *testing.T) {
	f := newFakeStack()
	f.unknownSays = "not\tours\x1b[31m red"
	srv := f.serve(t)
	code, out, _ := runCheckCommand(t, append(allArgs(srv, "/ddns"), "-v")...)
	if code != 0 {
		t.Errorf("exit %d\n%s", code, out)
	}
	if got, want := tableLine(out, "unknown hostname"), "unknown hostname 400 UnknownHostname: not?ours?[31m red echo pass"; got != want { // -v: the VIA column
		t.Errorf("table line:\n got %q\nwant %q", got, want)
	}
	if strings.ContainsAny(out, "\t\x1b") {
		t.Errorf("the output holds a tab or an escape:\n%q", out)
	}
}

// TestCheckVia: how the answers travelled (the X-Ddnsgen-Via header, or an
// older stack's "via" field) is said with -v only, in the VIA column and a
// second summary line; without -v the output has neither.
func TestCheckVia(t *testing.T) {
	str := func(s string) *string { return &s }
	tests := []struct {
		via    *string
		inBody bool
		want   string
	}{
		{str("echo"), false, echoSummary},
		{str("echo+carry"), false, "ddnsgen check: answers via echo+carry: the answers were read from Route 53's echo, and the $context.requestOverride of the request templates reached the response templates too"},
		{str("carry"), false, "ddnsgen check: answers via carry: Route 53's echo did not reach the response templates; the answers came from $context.requestOverride alone"},
		{str("echo"), true, echoSummary},
		{nil, false, "ddnsgen check: answers carry no X-Ddnsgen-Via header: the stack was generated by an older ddnsgen (generate and deploy it again), or this API Gateway drops headers a response template sets"},
	}
	for _, tt := range tests {
		f := newFakeStack()
		f.via, f.viaInBody = tt.via, tt.inBody
		srv := f.serve(t)
		args := []string{"-url", srv.URL + "/ddns/" + fakeZone, "-key", fakeKey}
		code, out, _ := runCheckCommand(t, args...)
		if code != 0 || lastLine(out) != "ddnsgen check: 4 passed, 0 failed" || strings.Contains(out, "VIA") || strings.Contains(out, "echo") {
			t.Errorf("without -v: exit %d, want the summary alone, no VIA:\n%s", code, out)
		}
		code, out, _ = runCheckCommand(t, append(args, "-v")...)
		if code != 0 {
			t.Errorf("exit %d\n%s", code, out)
		}
		lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
		if got := lines[len(lines)-2:]; got[0] != "ddnsgen check: 4 passed, 0 failed" || got[1] != tt.want {
			t.Errorf("-v summary %q, want %q", got, tt.want)
		}
		if !strings.HasPrefix(strings.Join(strings.Fields(tableLine(out, "CHECK")), " "), "CHECK GOT VIA RESULT") {
			t.Errorf("-v has no VIA column:\n%s", out)
		}
	}
}

// TestCheckViaReport: without -v, a stack on AWS (not ddnsgen local on this
// machine) whose answers travelled other than the usual way gets one
// neutral line asking for a report; the usual way gets none.
func TestCheckViaReport(t *testing.T) {
	aws, _, _ := parseUpdateURL("https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/ddns/" + fakeZone)
	lab, _, _ := parseUpdateURL("http://127.0.0.1:8080/ddns/" + fakeZone)
	for _, c := range []struct {
		u    *url.URL
		vias []string
		want string
	}{
		{aws, []string{"echo", "echo"}, ""},
		{lab, []string{"echo+carry", "echo+carry"}, ""},
		{aws, []string{"echo+carry", "echo+carry"}, `answers via echo+carry: the answers were read from Route 53's echo, and the $context.requestOverride of the request templates reached the response templates too (see "The answer path" in the docs: we would like to hear of it)`},
		{aws, []string{"echo", "none"}, `answers via echo (update) and none (malformed hostname): mixed answer paths, please send us this table (see "The answer path" in the docs: we would like to hear of it)`},
	} {
		ch := &checker{o: &checkOptions{updateURL: c.u}}
		for i, v := range c.vias {
			ch.vias = append(ch.vias, viaSeen{[]string{"update", "malformed hostname"}[i], v})
		}
		if got := ch.viaLine(); got != c.want {
			t.Errorf("%s %v:\n got %q\nwant %q", c.u.Host, c.vias, got, c.want)
		}
	}
}

// TestCheckStops: an answer that makes the later checks meaningless (a
// wrong key or password, nothing answering, no such path, a key of several
// names, a throttle) ends the run with the one fix: no FAIL row (none of
// them is a failure of the stack), exit 1, the fix on stdout and stderr.
func TestCheckStops(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()
	tests := []struct {
		name    string
		breakIt func(*fakeStack)
		args    func(url string) []string
		rows    []string // the table's rows after its header
		fix     string
	}{
		{
			name: "a wrong API key",
			args: func(u string) []string { return []string{"-url", u + "/ddns/" + fakeZone, "-key", "not" + fakeKey} },
			rows: []string{`update 403 {"message":"Forbidden"} stopped`},
			fix:  "API Gateway refused the API key: give -key the key's value (aws apigateway get-api-key --api-key ID --include-value prints it), of a key in this stage's usage plan",
		},
		{
			name: "a wrong dyndns2 password",
			args: func(u string) []string {
				return []string{"-url", u + "/ddns/" + fakeZone, "-key", fakeKey, "-dyndns2", "nas:wrong" + fakePassword}
			},
			rows: []string{
				"update 200 updated nas.acme.local A 127.0.0.1 pass",
				`wrong API key 403 {"message":"Forbidden"} pass`,
				"malformed hostname 400 BadHostname: name 1 of hostname is not a domain name pass",
				"unknown hostname 400 UnknownHostname: name 1 of hostname is not a name this stack updates pass",
				"dyndns2 update 401 badauth stopped",
			},
			fix: "the stack refused -dyndns2's user and password: the user is the device's name, the password the one its Password parameter was deployed with (the stack's PasswordsCommand output prints them)",
		},
		{
			name:    "no dyndns2 endpoint",
			breakIt: func(f *fakeStack) { f.noDyndns2 = true },
			args:    func(u string) []string { return allArgs(nil, u) },
			rows: []string{
				"update 200 updated nas.acme.local A 127.0.0.1 pass",
				`wrong API key 403 {"message":"Forbidden"} pass`,
				"malformed hostname 400 BadHostname: name 1 of hostname is not a domain name pass",
				"unknown hostname 400 UnknownHostname: name 1 of hostname is not a name this stack updates pass",
				"another device's name 403 NotYourHostname: name 1 of hostname belongs to another device pass",
				`dyndns2 update 403 {"message":"Missing Authentication Token"} stopped`,
			},
			fix: "the stack has no dyndns2 endpoint at /ddns/nic/update: drop -dyndns2, or generate the stack with ddnsgen -dyndns2",
		},
		{
			name: "the URL's path is not the stack's",
			args: func(u string) []string { return []string{"-url", u + "/prod/" + fakeZone, "-key", fakeKey} },
			rows: []string{`update 403 {"message":"Missing Authentication Token"} stopped`},
			fix:  "the stack has no update method at this path: give -url the stack's UpdateUrl output (https://ID.execute-api.REGION.amazonaws.com/STAGE/ZONEID)",
		},
		{
			name:    "a key of several names",
			breakIt: func(f *fakeStack) { f.owners["vpn.acme.local"] = "nas" },
			args:    func(u string) []string { return []string{"-url", u + "/ddns/" + fakeZone, "-key", fakeKey} },
			rows:    []string{"update 400 HostnameRequired: this key may update more than one name: say which with ?h… stopped"},
			fix:     "this key may update several names: give -hostname NAME (one of them)",
		},
		{
			name:    "a throttled refusal",
			breakIt: func(f *fakeStack) { f.throttle = checkMalformedName },
			args:    func(u string) []string { return []string{"-url", u + "/ddns/" + fakeZone, "-key", fakeKey} },
			rows: []string{
				"update 200 updated nas.acme.local A 127.0.0.1 pass",
				`wrong API key 403 {"message":"Forbidden"} pass`,
				`malformed hostname 429 {"message":"Too Many Requests"} stopped`,
			},
			fix: "throttled (another client of the key, or its daily quota): run it again later, or with a longer -interval",
		},
		{
			name:    "no answer in time",
			breakIt: func(f *fakeStack) { f.sleep = 500 * time.Millisecond },
			args: func(u string) []string {
				return []string{"-url", u + "/ddns/" + fakeZone, "-key", fakeKey, "-hostname", "nas.acme.local", "-timeout", "100ms"}
			},
			rows: []string{"update no answer within 100ms stopped"},
			fix:  "no answer from HOST within 100ms: check -url and this machine's network, or give a longer -timeout",
		},
		{
			name: "nothing listening",
			args: func(string) []string { return []string{"-url", closedURL + "/ddns/" + fakeZone, "-key", fakeKey} },
			rows: []string{"update " + shorten(`no answer: Get "`+closedURL+"/ddns/"+fakeZone+`": dial tcp `+strings.TrimPrefix(closedURL, "http://")+": connect: connection refused", 72) + " stopped"},
			fix:  "nothing answered at " + strings.TrimPrefix(closedURL, "http://") + ": check -url (the stack's UpdateUrl output) and this machine's network",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeStack()
			if tt.breakIt != nil {
				tt.breakIt(f)
			}
			srv := f.serve(t)
			fix := strings.ReplaceAll(tt.fix, "HOST", strings.TrimPrefix(srv.URL, "http://"))
			code, out, errOut := runCheckCommand(t, tt.args(srv.URL)...)
			if code != 1 || errOut != "ddnsgen: check: stopped: "+fix+"\n" {
				t.Errorf("exit %d, stderr %q; want 1, %q", code, errOut, "ddnsgen: check: stopped: "+fix)
			}
			lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
			want := append(append([]string{"CHECK GOT RESULT"}, tt.rows...), fmt.Sprintf("ddnsgen check: stopped after %d of the checks: %s", len(tt.rows), fix))
			if len(lines) != 2+len(want) {
				t.Fatalf("want two lines of intent, the header, %d rows and the fix:\n%s", len(tt.rows), out)
			}
			for i, line := range want {
				if i < len(want)-1 {
					lines[2+i] = strings.Join(strings.Fields(lines[2+i]), " ")
				}
				if lines[2+i] != line {
					t.Errorf("line %d:\n got %q\nwant %q", 3+i, lines[2+i], line)
				}
			}
			if strings.Contains(out, "FAIL") {
				t.Errorf("a FAIL row for what is not a failure of the stack:\n%s", out)
			}
		})
	}
}

func TestCheckVerbose(t *testing.T) {
	f := newFakeStack()
	srv := f.serve(t)
	code, out, _ := runCheckCommand(t, append(allArgs(srv, "/ddns"), "-v")...)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	for _, want := range []string{
		"--- update: GET " + srv.URL + "/ddns/" + fakeZone + " (x-api-key: your key ****" + fakeKey[len(fakeKey)-4:] + ")\n200 OK\nContent-Type: application/json\nX-Ddnsgen-Via: echo\n\n" +
			`{"change":"/change/C2682N5HXP0BZ4","updated":[{"name":"nas.acme.local","ttl":60,"type":"A","value":"127.0.0.1"}]}`,
		"--- dyndns2 no credentials: GET " + srv.URL + "/ddns/nic/update?hostname=nas.acme.local\n401 Unauthorized\nContent-Type: text/plain; charset=utf-8\nWWW-Authenticate: Basic realm=\"ddnsgen\"\n\nbadauth",
		"--- dyndns2 update: GET " + srv.URL + "/ddns/nic/update?hostname=nas.acme.local (Basic auth nas:****)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("-v output lacks %q:\n%s", want, out)
		}
	}
}

func TestCheckUsage(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{nil, "ddnsgen: check: -url and -key are required (see ddnsgen check -h)"},
		{[]string{"-url", "ftp://x.example.com/ddns/Z1", "-key", fakeKey}, `ddnsgen: check: -url "ftp://x.example.com/ddns/Z1": only http:// and https:// URLs`},
		{[]string{"-url", "file:///etc/passwd", "-key", fakeKey}, `ddnsgen: check: -url "file:///etc/passwd": only http:// and https:// URLs`},
		{[]string{"-url", "https://x.example.com/ddns", "-key", fakeKey}, `ddnsgen: check: -url "https://x.example.com/ddns": the update URL ends with the hosted zone id`},
		{[]string{"-url", "https://x.example.com/ddns/Z1?hostname=a.b", "-key", fakeKey}, `ddnsgen: check: -url "https://x.example.com/ddns/Z1?hostname=a.b": give the update URL without ?query or #fragment`},
		{[]string{"-url", "https://u:secretpw@x.example.com/ddns/Z1", "-key", fakeKey}, "ddnsgen: check: -url: the URL holds a user name or password (not shown)"},
		{[]string{"-url", "https:///ddns/Z1", "-key", fakeKey}, `ddnsgen: check: -url "https:///ddns/Z1": the URL has no host`},
		{[]string{"-url", "https://x.example.com/ddns/Z1", "-key", "with space" + fakeKey}, "ddnsgen: check: -key: an API key is printable ASCII characters without spaces (the value is not shown: it is a secret)"},
		{[]string{"-url", "https://x.example.com/ddns/Z1", "-key", fakeKey, "-hostname", "a b.acme.local"}, `ddnsgen: check: -hostname "a b.acme.local": not a fully qualified name`},
		{[]string{"-url", "https://x.example.com/ddns/Z1", "-key", fakeKey, "-other", "a.acme.local,b.acme.local"}, `ddnsgen: check: -other "a.acme.local,b.acme.local": not a fully qualified name`},
		{[]string{"-url", "https://x.example.com/ddns/Z1", "-key", fakeKey, "-hostname", "a.acme.local", "-other", "A.acme.local."}, `ddnsgen: check: -other "A.acme.local.": it is the name to update (-hostname)`},
		{[]string{"-url", "https://x.example.com/ddns/Z1", "-key", fakeKey, "-dyndns2", fakePassword}, "ddnsgen: check: -dyndns2: write USER:PASSWORD, both non-empty (the value is not shown: it holds a password)"},
		{[]string{"-url", "https://x.example.com/ddns/Z1", "-key", fakeKey, "-dyndns2", "nas:" + fakePassword + " x"}, `ddnsgen: check: -dyndns2 "nas:****": the password is printable ASCII characters without spaces (not shown)`},
		{[]string{"-url", "https://x.example.com/ddns/Z1", "-key", fakeKey, "-address", "home"}, `ddnsgen: check: -address "home": not an IPv4 or IPv6 address`},
		{[]string{"-url", "https://x.example.com/ddns/Z1", "-key", fakeKey, "-timeout", "0s"}, "ddnsgen: check: -timeout 0s: give a positive duration, e.g. 10s"},
		{[]string{"-url", "https://x.example.com/ddns/Z1", "-key", fakeKey, "-interval", "-1s"}, "ddnsgen: check: -interval -1s: give a duration from 0s to 1m, e.g. 1.1s"},
		{[]string{"-url", "https://x.example.com/ddns/Z1", "-key", fakeKey, "extra"}, `ddnsgen: check: unexpected argument "extra"`},
		{[]string{"-nosuchflag"}, "ddnsgen: check: -nosuchflag is not a flag (see ddnsgen check -h)"},
	}
	for _, tt := range tests {
		code, out, errOut := runCheckCommand(t, tt.args...)
		if code != 2 || out != "" || !strings.HasPrefix(errOut, tt.want) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("ddnsgen check %q: exit %d, stdout %q, stderr %q; want exit 2, no stdout, stderr starting %q", tt.args, code, out, errOut, tt.want)
		}
		if strings.Contains(errOut, "secretpw") {
			t.Errorf("stderr shows the URL's password: %q", errOut)
		}
	}
}

func TestDyndns2URL(t *testing.T) {
	for in, want := range map[string]string{
		"https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/ddns/Z0123456789ABCDEFGHIJ":  "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/ddns/nic/update",
		"https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/ddns/Z0123456789ABCDEFGHIJ/": "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/ddns/nic/update",
		"https://ddns.example.com/Z0123456789ABCDEFGHIJ":                                     "https://ddns.example.com/nic/update",
		"HTTP://127.0.0.1:8080/ddns/Z1":                                                      "http://127.0.0.1:8080/ddns/nic/update",
	} {
		_, d, err := parseUpdateURL(in)
		if err != nil || d.String() != want {
			t.Errorf("parseUpdateURL(%q): %v, %v; want %s", in, d, err, want)
		}
	}
}

func TestCheckPlainHTTPWarning(t *testing.T) {
	for raw, want := range map[string]bool{
		"http://127.0.0.1:8080/ddns/Z1":   false,
		"http://[::1]:8080/ddns/Z1":       false,
		"http://localhost:8080/ddns/Z1":   false,
		"http://ddns.example.com/Z1":      true,
		"http://192.0.2.1/ddns/Z1":        true,
		"https://ddns.example.com/Z1":     false,
		"HTTP://ddns.example.com/ddns/Z1": true,
	} {
		u, _, err := parseUpdateURL(raw)
		if err != nil {
			t.Fatal(err)
		}
		if got := unencrypted(u); got != want {
			t.Errorf("unencrypted(%s) = %v, want %v", raw, got, want)
		}
	}
}

func TestCheckHelp(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"check", "-h"}, &out, &errb); code != 0 || !regexp.MustCompile(`(?s)^Usage: ddnsgen check -url UPDATE_URL -key API_KEY.*-dyndns2 USER:PASSWORD`).MatchString(out.String()) {
		t.Errorf("exit %d\n%s", code, out.String())
	}
}
