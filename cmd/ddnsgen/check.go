package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"
)

const checkUsage = `Usage: ddnsgen check -url UPDATE_URL -key API_KEY [-hostname NAME] [-other NAME] [-dyndns2 USER:PASSWORD] [flags]

Checks a deployed stack from the outside, the way the lab checks a template,
reading answers only (no AWS credentials needed). It makes ONE real update:
your own name (-hostname, or the key's only name) is pointed at this
machine's address as API Gateway sees it. Every other request is one the
stack must refuse without changing anything: a wrong API key, a malformed
name, an unknown name, another device's name (-other), and with -dyndns2 a
dyndns2 update of the same name, then a wrong password and no credentials.
Any AWS account id, ARN or role name in an answer is a failed check. When
an answer makes the rest meaningless (a wrong key or password, nothing
answering at the URL) it stops there and says what to fix.

It prints a table and a summary; -v adds every answer in full and how each
travelled through API Gateway (the X-Ddnsgen-Via header). Exit status: 0
every check passed, 1 something misbehaved or the check stopped, 2 bad usage.

Flags:
`

// checkOptions are `ddnsgen check`'s parsed flags.
type checkOptions struct {
	updateURL  *url.URL
	dyndns2URL *url.URL
	key        string
	hostname   string
	other      string
	user       string
	password   string
	address    netip.Addr // the caller's address as the user knows it; invalid: not given
	timeout    time.Duration
	interval   time.Duration // between requests
	verbose    bool
}

// zoneIDSegment is the last path segment of an update URL: a hosted zone id.
var zoneIDSegment = lazyRE(`^[A-Z0-9]{1,32}$`)

// hostnamePattern is a fully qualified name as the stack takes it.
var hostnamePattern = lazyRE(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

func parseCheckFlags(args []string, stdout io.Writer) (*checkOptions, error) {
	fs := flag.NewFlagSet("ddnsgen check", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var rawURL, key, hostname, other, dyndns2, address string
	o := &checkOptions{}
	fs.StringVar(&rawURL, "url", "", "the stack's update `URL` (its UpdateUrl output): https://ID.execute-api.REGION.amazonaws.com/STAGE/ZONEID")
	fs.StringVar(&key, "key", "", "the device's API `key` (the value, not the id; never printed)")
	fs.StringVar(&hostname, "hostname", "", "the `name` to update (default: none sent, for a key that may update one name)")
	fs.StringVar(&other, "other", "", "a `name` of the stack that this key may NOT update: checks it is refused (403 NotYourHostname)")
	fs.StringVar(&dyndns2, "dyndns2", "", "a dyndns2 device's `USER:PASSWORD`: also checks the dyndns2 endpoint (the password is never printed)")
	fs.StringVar(&address, "address", "", "the `address` the stack should see for this machine (default: its own, when no NAT or proxy is in between)")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Second, "how long to wait for each answer")
	fs.DurationVar(&o.interval, "interval", 1100*time.Millisecond, "time between requests, to stay within the stack's throttles (ddnsgen's default: 1 request a second per key and on /nic/update)")
	fs.BoolVar(&o.verbose, "v", false, "print every answer in full (credentials masked) and how each travelled (the VIA column)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, checkUsage)
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			return nil, err
		}
		return nil, usagef("check: %v (see ddnsgen check -h)", flagError(fs, err))
	}
	if fs.NArg() > 0 {
		return nil, usagef("check: unexpected argument %q (see ddnsgen check -h)", fs.Arg(0))
	}
	if rawURL == "" || key == "" {
		return nil, usagef("check: -url and -key are required (see ddnsgen check -h)")
	}
	var err error
	if o.updateURL, o.dyndns2URL, err = parseUpdateURL(rawURL); err != nil {
		return nil, err
	}
	if !printableNoSpace(key) {
		return nil, usagef("check: -key: an API key is printable ASCII characters without spaces (the value is not shown: it is a secret)")
	}
	o.key = key
	if o.hostname, err = checkHostname("-hostname", hostname); err != nil {
		return nil, err
	}
	if o.other, err = checkHostname("-other", other); err != nil {
		return nil, err
	}
	if o.other != "" && o.other == o.hostname {
		return nil, usagef("check: -other %q: it is the name to update (-hostname); give a name of the stack that this key may not update", other)
	}
	if dyndns2 != "" {
		user, pass, ok := strings.Cut(dyndns2, ":")
		switch {
		case !ok || user == "" || pass == "":
			return nil, usagef("check: -dyndns2: write USER:PASSWORD, both non-empty (the value is not shown: it holds a password)")
		case !printableNoSpace(user):
			return nil, usagef("check: -dyndns2 %q: the user name is printable ASCII characters without spaces", user+":****")
		case !printableNoSpace(pass):
			return nil, usagef("check: -dyndns2 %q: the password is printable ASCII characters without spaces (not shown)", user+":****")
		}
		o.user, o.password = user, pass
	}
	if address != "" {
		a, err := netip.ParseAddr(address)
		if err != nil || a.Zone() != "" {
			return nil, usagef("check: -address %q: not an IPv4 or IPv6 address", address)
		}
		o.address = a.Unmap()
	}
	if o.timeout <= 0 {
		return nil, usagef("check: -timeout %v: give a positive duration, e.g. 10s", o.timeout)
	}
	if o.interval < 0 || o.interval > time.Minute {
		return nil, usagef("check: -interval %v: give a duration from 0s to 1m, e.g. 1.1s", o.interval)
	}
	return o, nil
}

// parseUpdateURL checks an update URL and derives the dyndns2 URL from it:
// the last path segment (the zone id) replaced by nic/update.
func parseUpdateURL(raw string) (update, dyndns2 *url.URL, err error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, nil, usagef("check: -url %q: not a URL", raw)
	}
	scheme := strings.ToLower(u.Scheme)
	switch {
	case scheme != "http" && scheme != "https":
		return nil, nil, usagef("check: -url %q: only http:// and https:// URLs", raw)
	case u.Host == "" || u.Opaque != "":
		return nil, nil, usagef("check: -url %q: the URL has no host", raw)
	case u.User != nil:
		return nil, nil, usagef("check: -url: the URL holds a user name or password (not shown); give dyndns2 credentials with -dyndns2 USER:PASSWORD")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return nil, nil, usagef("check: -url %q: give the update URL without ?query or #fragment (the name goes in -hostname)", raw)
	}
	u.Scheme = scheme
	path := strings.TrimSuffix(u.Path, "/")
	i := strings.LastIndex(path, "/")
	if i < 0 || !zoneIDSegment().MatchString(path[i+1:]) {
		return nil, nil, usagef("check: -url %q: the update URL ends with the hosted zone id, as the stack's UpdateUrl output shows (https://ID.execute-api.REGION.amazonaws.com/STAGE/ZONEID)", raw)
	}
	u.Path, u.RawPath = path, ""
	d := *u
	d.Path = path[:i] + "/nic/update"
	return u, &d, nil
}

// unencrypted reports whether requests to u cross a network in clear text:
// http:// to anything but this machine.
func unencrypted(u *url.URL) bool {
	if u.Scheme != "http" || u.Hostname() == "localhost" {
		return false
	}
	ip := net.ParseIP(u.Hostname())
	return ip == nil || !ip.IsLoopback()
}

func checkHostname(flagName, v string) (string, error) {
	if v == "" {
		return "", nil
	}
	name := strings.TrimSuffix(strings.ToLower(v), ".")
	if len(name) > 253 || !hostnamePattern().MatchString(name) {
		return "", usagef("check: %s %q: not a fully qualified name (one name of letters, digits, inner hyphens and dots, at most 253 characters)", flagName, v)
	}
	return name, nil
}

func printableNoSpace(s string) bool {
	if s == "" || len(s) > 1024 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// Names the check makes up: each is refused by a correct stack.
const (
	checkMalformedName = "ddnsgen..check"
	checkUnknownLabel  = "ddnsgen-check-unknown"
	checkWrongKey      = "ddnsgen-check-not-an-api-key-0123456789"
	checkWrongPassword = "ddnsgenCheckWrongPassword0123456789"
)

// checkRow is one line of the table.
type checkRow struct {
	name string
	got  string
	via  string // "-": no answer path (not an integration's JSON answer)
	fail string // "": passed
	skip string // why the check did not run (not a failure of the stack)
	stop bool   // the answer makes the later checks meaningless: the run ends here
	req  string // for -v: the request, credentials masked
	full string // for -v: the whole answer, redacted
}

// checker runs the checks against one stack.
type checker struct {
	o      *checkOptions
	ctx    context.Context
	client *http.Client
	rows   []checkRow
	vias   []viaSeen
	last   time.Time // when the last request was sent
	// stopped is the one fix when an answer made the later checks
	// meaningless (a wrong key or password, nothing answering).
	stopped string
}

type viaSeen struct{ check, via string }

// checksFailed is the error of a run where something misbehaved (exit 1).
type checksFailed struct{ failed, total int }

func (e *checksFailed) Error() string {
	return fmt.Sprintf("check: %d of %d checks failed", e.failed, e.total)
}

// checkStopped is the error of a run that stopped early (exit 1).
type checkStopped struct{ fix string }

func (e *checkStopped) Error() string { return "check: stopped: " + e.fix }

// runCheck is `ddnsgen check`.
func runCheck(args []string, stdout, stderr io.Writer) error {
	return checkStack(context.Background(), args, stdout, stderr)
}

// checkStack runs the checks; ctx bounds the whole run.
func checkStack(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseCheckFlags(args, stdout)
	if err != nil {
		return err
	}
	if unencrypted(o.updateURL) {
		fmt.Fprintf(stderr, "ddnsgen: check: warning: -url is http://: the API key and password cross the network unencrypted (API Gateway serves https:// only)\n")
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	c := &checker{o: o, ctx: ctx, client: &http.Client{
		Transport: transport,
		Timeout:   o.timeout,
		// API Gateway does not redirect; following one would send the key
		// elsewhere.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
	name := o.hostname
	if name == "" {
		name = "the key's name"
	}
	fmt.Fprintf(stdout, "ddnsgen check: %s, API key %s\n", o.updateURL, maskSecret(o.key))
	fmt.Fprintf(stdout, "ddnsgen check: this makes ONE real update: %s will point at this machine's address as API Gateway sees it; every other request must change nothing.\n", name)
	c.run()

	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	via := func(r checkRow) string { return "" }
	if o.verbose {
		via = func(r checkRow) string { return r.via + "\t" }
	}
	fmt.Fprintf(tw, "CHECK\tGOT\t%sRESULT\n", via(checkRow{via: "VIA"}))
	failed, passed := 0, 0
	for _, r := range c.rows {
		result := "pass"
		switch {
		case r.fail != "":
			result = "FAIL: " + r.fail
			failed++
		case r.stop:
			result = "stopped"
		case r.skip != "":
			result = "not run: " + r.skip
		default:
			passed++
		}
		fmt.Fprintf(tw, "%s\t%s\t%s%s\n", r.name, r.got, via(r), result)
	}
	tw.Flush()
	if o.verbose {
		for _, r := range c.rows {
			if r.req == "" {
				continue
			}
			fmt.Fprintf(stdout, "\n--- %s: %s\n%s\n", r.name, r.req, strings.TrimRight(r.full, "\n"))
		}
		fmt.Fprintln(stdout)
	}
	if c.stopped != "" {
		fmt.Fprintf(stdout, "ddnsgen check: stopped after %d of the checks: %s\n", len(c.rows), c.stopped)
		return &checkStopped{c.stopped}
	}
	fmt.Fprintf(stdout, "ddnsgen check: %d passed, %d failed\n", passed, failed)
	if line := c.viaLine(); line != "" {
		fmt.Fprintf(stdout, "ddnsgen check: %s\n", line)
	}
	if failed > 0 {
		return &checksFailed{failed, len(c.rows)}
	}
	return nil
}

// run makes the checks in order; an answer that makes the later ones
// meaningless (c.stopped) ends the run.
func (c *checker) run() {
	o := c.o
	names, value := c.update()
	if c.stopped != "" {
		return
	}
	name := o.hostname
	if name == "" && len(names) > 0 {
		name = names[0]
	}

	c.refusal("wrong API key", c.updateRequest(o.hostname, checkWrongKey), 403, "", true)
	c.refusal("malformed hostname", c.updateRequest(checkMalformedName, o.key), 400, "BadHostname", false)
	if name == "" && c.stopped == "" {
		c.rows = append(c.rows, checkRow{name: "unknown hostname", got: "not sent", via: "-",
			skip: "the update failed before it said which name the key updates (-hostname NAME names it)"})
	} else {
		c.refusal("unknown hostname", c.updateRequest(unknownName(name), o.key), 400, "UnknownHostname", false)
	}
	if o.other != "" {
		c.refusal("another device's name", c.updateRequest(o.other, o.key), 403, "NotYourHostname", false)
	}
	if o.user == "" {
		return
	}
	// The real dyndns2 update first: if the stack refuses the user's own
	// password, the refusals of wrong ones prove nothing.
	c.dyndns2Update(name, value)
	c.badauth("dyndns2 wrong password", c.dyndns2Request(name, o.user, checkWrongPassword), false)
	c.badauth("dyndns2 no credentials", c.dyndns2Request(name, "", ""), true)
}

// stopAt ends the run at the check's row with the one fix.
func (c *checker) stopAt(check, fix string) {
	for i := range c.rows {
		if c.rows[i].name == check {
			c.rows[i].stop, c.rows[i].fail = true, ""
		}
	}
	c.stopped = fix
}

// unanswered is the fix when nothing answered a request to u.
func (c *checker) unanswered(a answer, u *url.URL, flagName string) string {
	var ne net.Error
	if errors.As(a.err, &ne) && ne.Timeout() {
		return fmt.Sprintf("no answer from %s within %v: check %s and this machine's network, or give a longer -timeout", u.Host, c.o.timeout, flagName)
	}
	return fmt.Sprintf("nothing answered at %s: check %s (the stack's UpdateUrl output) and this machine's network", u.Host, flagName)
}

// unknownName is a name in the same zone as name that no stack updates.
func unknownName(name string) string {
	if u := checkUnknownLabel + "." + name; len(u) <= 253 {
		return u
	}
	_, parent, _ := strings.Cut(name, ".")
	return checkUnknownLabel + "." + parent
}

func (c *checker) updateRequest(hostname, key string) *http.Request {
	u := *c.o.updateURL
	if hostname != "" {
		u.RawQuery = url.Values{"hostname": {hostname}}.Encode()
	}
	req, _ := http.NewRequestWithContext(c.ctx, http.MethodGet, u.String(), nil)
	req.Header.Set("x-api-key", key)
	return req
}

func (c *checker) dyndns2Request(hostname, user, password string) *http.Request {
	u := *c.o.dyndns2URL
	if hostname != "" {
		u.RawQuery = url.Values{"hostname": {hostname}}.Encode()
	}
	req, _ := http.NewRequestWithContext(c.ctx, http.MethodGet, u.String(), nil)
	if user != "" {
		req.SetBasicAuth(user, password)
	}
	return req
}

// update makes the one real update and checks that the answer lists the
// name(s) with this machine's address. It returns the names and address.
func (c *checker) update() (names []string, value string) {
	req := c.updateRequest(c.o.hostname, c.o.key)
	a := c.do(req)
	j := parseJSONAnswer(a.body)
	via, fail := "-", ""
	if a.err == nil {
		via, fail = c.viaOf("update", a, j)
	}
	want, known := c.callerAddress(a)
	switch {
	case a.err != nil:
		fail = "no answer"
	case a.status != 200 || j == nil || len(j.Updated) == 0:
		fail = "wanted 200 and the updated records"
		switch {
		case j != nil && j.Error == "HostnameRequired":
			fail += ": the key may update several names, give -hostname NAME"
		case j != nil && j.Error == "WrongAddressFamily":
			fail += ": the name does not take this machine's address family"
		case a.status == 429:
			fail += ": throttled (another client of the key, or a quota): run it again later, or with a longer -interval"
		case j != nil && j.Error == "RoleRefused":
			fail += ": Route 53 refused the stack's role: check its policy, SCPs and permissions boundaries"
		case j != nil && j.Error == "ZoneNotFound":
			fail += ": Route 53 knows no zone with the URL's zone id in this account"
		}
	default:
		for _, u := range j.Updated {
			names = append(names, u.Name)
			got, err := netip.ParseAddr(u.Value)
			switch {
			case c.o.hostname != "" && u.Name != c.o.hostname:
				fail = fmt.Sprintf("updated %q, not %q", u.Name, c.o.hostname)
			case err != nil:
				fail = fmt.Sprintf("the value %q is not an address", shorten(u.Value, 40))
			case known && got != want:
				fail = fmt.Sprintf("set %s, not this machine's address %s", got, want)
			case u.Type != map[bool]string{true: "A", false: "AAAA"}[got.Is4()]:
				fail = fmt.Sprintf("a %s record with the address %s", shorten(u.Type, 10), got)
			}
			if fail == "" && value == "" {
				value = got.String()
			}
		}
		if fail != "" {
			value = ""
		}
	}
	c.record("update", req, a, via, fail)
	switch {
	case a.err != nil:
		c.stopAt("update", c.unanswered(a, c.o.updateURL, "-url"))
	case a.status == 403 && j != nil && j.Message == "Forbidden" && j.Error == "":
		c.stopAt("update", "API Gateway refused the API key: give -key the key's value (aws apigateway get-api-key --api-key ID --include-value prints it), of a key in this stage's usage plan")
	case (a.status == 403 || a.status == 404) && j != nil && j.Message == "Missing Authentication Token":
		c.stopAt("update", "the stack has no update method at this path: give -url the stack's UpdateUrl output (https://ID.execute-api.REGION.amazonaws.com/STAGE/ZONEID)")
	case j != nil && j.Error == "HostnameRequired":
		c.stopAt("update", "this key may update several names: give -hostname NAME (one of them)")
	case a.status == 429:
		c.stopAt("update", "throttled (another client of the key, or its daily quota): run it again later, or with a longer -interval")
	}
	return names, value
}

// callerAddress is the address API Gateway should see for this machine:
// -address, else this end of the connection when no NAT or proxy can stand
// in between (a public or loopback address).
func (c *checker) callerAddress(a answer) (netip.Addr, bool) {
	if c.o.address.IsValid() {
		return c.o.address, true
	}
	if a.local == nil || a.proxy {
		return netip.Addr{}, false
	}
	ap, err := netip.ParseAddrPort(a.local.String())
	if err != nil {
		return netip.Addr{}, false
	}
	addr := ap.Addr().Unmap().WithZone("")
	cgnat := netip.MustParsePrefix("100.64.0.0/10")
	switch {
	case addr.IsLoopback():
		return addr, true
	case addr.IsPrivate(), addr.IsLinkLocalUnicast(), cgnat.Contains(addr), !addr.IsGlobalUnicast():
		return netip.Addr{}, false
	}
	return addr, true
}

// refusal checks a request the stack must refuse: the status, and the
// error code (or, for API Gateway's own answer, its message).
func (c *checker) refusal(name string, req *http.Request, status int, code string, gateway bool) {
	if c.stopped != "" {
		return
	}
	a := c.do(req)
	j := parseJSONAnswer(a.body)
	via, fail := "-", ""
	if !gateway && a.err == nil {
		via, fail = c.viaOf(name, a, j)
	}
	want := fmt.Sprintf("wanted %d %s", status, code)
	if gateway {
		want = fmt.Sprintf(`wanted %d {"message":"Forbidden"}`, status)
	}
	switch {
	case a.err != nil:
		fail = "no answer"
	case j != nil && len(j.Updated) > 0:
		fail = "the refusal was answered as an update: it changed " + j.Updated[0].Name
	case a.status >= 200 && a.status < 300:
		fail = want + ": a refusal answered " + fmt.Sprint(a.status)
	case a.status == 429:
		fail = want + ": throttled (another client of the key, or a quota): run it again later, or with a longer -interval"
	case a.status != status || j == nil:
		fail = want
	case gateway && j.Message != "Forbidden":
		fail = want
	case !gateway && j.Error != code:
		fail = want
	}
	if code == "NotYourHostname" && j != nil { // -other may be the user's slip
		switch {
		case len(j.Updated) > 0:
			fail += " (unless -other is one of this key's own names)"
		case j.Error == "UnknownHostname":
			fail += ": -other is not a name of this stack"
		}
	}
	c.record(name, req, a, via, fail)
	if a.status == 429 {
		c.stopAt(name, "throttled (another client of the key, or its daily quota): run it again later, or with a longer -interval")
	}
}

// badauth checks a dyndns2 request with wrong or no credentials: 401 and
// badauth, and with none the Basic challenge.
func (c *checker) badauth(name string, req *http.Request, challenge bool) {
	if c.stopped != "" {
		return
	}
	a := c.do(req)
	fail := ""
	lines := textLines(a.body)
	switch {
	case a.err != nil:
		fail = "no answer"
	case a.status != 401 || len(lines) == 0 || !allEqual(lines, "badauth"):
		fail = "wanted 401 badauth"
	case challenge && !strings.HasPrefix(strings.ToLower(a.header.Get("WWW-Authenticate")), "basic"):
		fail = "no WWW-Authenticate: Basic challenge (clients that wait for one never send their password)"
	}
	c.record(name, req, a, "-", fail)
}

// dyndns2Stop is the fix when the dyndns2 update's answer makes the
// dyndns2 refusals meaningless, or "".
func (c *checker) dyndns2Stop(a answer) string {
	j := parseJSONAnswer(a.body)
	switch {
	case a.err != nil:
		return c.unanswered(a, c.o.dyndns2URL, "-url")
	case a.status == 401:
		return "the stack refused -dyndns2's user and password: the user is the device's name, the password the one its Password parameter was deployed with (the stack's PasswordsCommand output prints them)"
	case (a.status == 403 || a.status == 404) && j != nil && j.Message == "Missing Authentication Token":
		return "the stack has no dyndns2 endpoint at " + c.o.dyndns2URL.Path + ": drop -dyndns2, or generate the stack with ddnsgen -dyndns2"
	case a.status == 429:
		return "throttled (another dyndns2 client): run it again later, or with a longer -interval"
	}
	return ""
}

// dyndns2Update checks one dyndns2 update of the same name to the same
// address: 200 and "good ADDRESS".
func (c *checker) dyndns2Update(name, value string) {
	if c.stopped != "" {
		return
	}
	req := c.dyndns2Request(name, c.o.user, c.o.password)
	a := c.do(req)
	want, known := c.callerAddress(a)
	if value != "" {
		want, known = netip.MustParseAddr(value), true
	}
	fail := ""
	lines := textLines(a.body)
	good, addr, _ := strings.Cut(strings.Join(lines, "\n"), " ")
	got, err := netip.ParseAddr(addr)
	switch {
	case a.err != nil:
		fail = "no answer"
	case a.status != 200 || len(lines) != 1 || good != "good" || err != nil:
		fail = "wanted 200 good ADDRESS"
		if known {
			fail = "wanted 200 good " + want.String()
		}
	case known && got.Unmap() != want:
		fail = fmt.Sprintf("set %s, not %s", got, want)
	}
	c.record("dyndns2 update", req, a, "-", fail)
	if fix := c.dyndns2Stop(a); fix != "" {
		c.stopAt("dyndns2 update", fix)
	}
}
