package velocity

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ddnsgen/ddnsgen/internal/lab/gate"
)

// -update is accepted so that `go test ./... -update` works across the
// module; this package has no golden files.
var _ = flag.Bool("update", false, "unused")

var (
	availableOnce sync.Once
	availableErr  error

	sharedOnce   sync.Once
	sharedEngine *Engine
	sharedErr    error
)

// TestMain stops the shared engine and prints one line naming the tests
// skipped for want of Java or the jars (see gate.Report).
func TestMain(m *testing.M) {
	code := m.Run()
	if sharedEngine != nil {
		sharedEngine.Close()
	}
	gate.Report()
	os.Exit(code)
}

// requireLab skips the test when Java or the Velocity jars are missing, and
// fails it instead when DDNSGEN_LAB=require. These are render tests: they
// run whether or not the lab is on.
func requireLab(t testing.TB) {
	t.Helper()
	availableOnce.Do(func() { availableErr = Available(Options{}) })
	if availableErr == nil {
		return
	}
	if mode, _ := gate.Current(); mode == gate.Require {
		t.Fatalf("%s=require but: %v", gate.Name, availableErr)
	}
	gate.Skipped(t, "java and the Velocity jars (apt-get install default-jre-headless velocity)")
	t.Skipf("skipping (set %s=require to fail instead): %v", gate.Name, availableErr)
}

// shared is one Engine for the whole package's tests (a JVM start costs
// about a second); TestMain closes it.
func shared(t testing.TB) *Engine {
	t.Helper()
	requireLab(t)
	sharedOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		sharedEngine, sharedErr = Start(ctx, Options{})
	})
	if sharedErr != nil {
		t.Fatalf("Start: %v", sharedErr)
	}
	return sharedEngine
}

// own starts an Engine for one test and closes it when the test ends.
func own(t *testing.T, opts Options) *Engine {
	t.Helper()
	requireLab(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	e, err := Start(ctx, opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func render(t *testing.T, e *Engine, req Request) Result {
	t.Helper()
	res, err := e.Render(req)
	if err != nil {
		t.Fatalf("Render(%q): %v", req.Template, err)
	}
	return res
}

// renderCase is one template and the output it must give.
type renderCase struct {
	name     string
	template string
	want     string
}

func runCases(t *testing.T, base Request, cases []renderCase) {
	t.Helper()
	e := shared(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := base
			req.Template = tc.template
			got := render(t, e, req).Output
			if got != tc.want {
				t.Errorf("template %s\n got: %q\nwant: %q", tc.template, got, tc.want)
			}
		})
	}
}

func TestInputBodyAndParams(t *testing.T) {
	base := Request{
		Body:        `{"a":1}`,
		Path:        map[string]string{"zone_id": "Z123", "both": "from-path"},
		QueryString: map[string]string{"hostname": "a.example.com", "both": "from-query", "Case": "query"},
		Header:      map[string]string{"X-Api-Key": "k", "both": "from-header", "case": "header"},
	}
	runCases(t, base, []renderCase{
		{"body is raw", `$input.body`, `{"a":1}`},
		{"path param", `$input.params('zone_id')`, `Z123`},
		{"query param", `$input.params('hostname')`, `a.example.com`},
		{"header param", `$input.params('X-Api-Key')`, `k`},
		{"path wins over query and header", `$input.params('both')`, `from-path`},
		{"header name is matched exactly", `[$input.params('x-api-key')]`, `[]`},
		{"names are case-sensitive", `$input.params('Case') $input.params('case')`, `query header`},
		{"absent param is empty string", `[$input.params('nope')]#if($input.params('nope') == "") empty#end`, `[] empty`},
		{"params() has three maps", `$input.params().keySet()`, `[path, querystring, header]`},
		{"params() by type", `$input.params().querystring.hostname $input.params().path.get('zone_id') $input.params().header.X-Api-Key`, `a.example.com Z123 k`},
		{"params() iterates sorted names", `#foreach($n in $input.params().querystring.keySet())$n;#end`, `Case;both;hostname;`},
	})
	runCases(t, Request{}, []renderCase{
		{"empty body reads as {}", `$input.body`, `{}`},
		{"empty body json", `$input.json('$')`, `{}`},
		{"no params at all", `$input.params()`, `{path={}, querystring={}, header={}}`},
	})
}

func TestInputJSONPath(t *testing.T) {
	base := Request{Body: `{"name":"dev-1","ttl":60,"ratio":1.5,"big":10000000000,"ok":true,"none":null,
		"nested":{"foo":"bar","list":[{"nested":"bar"}]},"list":[{"foo":"bar"},{"foo":"baz"}],
		"a b":"spaced","ips":["192.0.2.1","2001:db8::1"]}`}
	runCases(t, base, []renderCase{
		{"root as json", `$input.json('$.nested')`, `{"foo":"bar","list":[{"nested":"bar"}]}`},
		{"dotted path", `$input.path('$.nested.foo')`, `bar`},
		{"bracket name", `$input.path("$['a b']") $input.path('$["name"]')`, `spaced dev-1`},
		{"index", `$input.path('$.list[1].foo') $input.path('$.ips[0]')`, `baz 192.0.2.1`},
		{"path without $", `$input.path('nested.foo')`, `bar`},
		{"object prints as java map", `$input.path('$.nested')`, `{foo=bar, list=[{"nested":"bar"}]}`},
		{"array prints as json", `$input.path('$.list')`, `[{"foo":"bar"},{"foo":"baz"}]`},
		{"array size and loop", `$input.path('$.ips').size():#foreach($ip in $input.path('$.ips'))$ip,#end`, `2:192.0.2.1,2001:db8::1,`},
		{"object fields", `#set($n = $input.path('$.nested'))$n.foo $n.list[0].nested`, `bar bar`},
		{"numbers and booleans", `$input.path('$.ttl') $input.path('$.ratio') $input.path('$.big') $input.path('$.ok')`, `60 1.5 10000000000 true`},
		{"integer arithmetic", `#set($t = $input.path('$.ttl') + 1)$t`, `61`},
		{"json of scalars", `$input.json('$.name') $input.json('$.ttl') $input.json('$.ok') $input.json('$.none')`, `"dev-1" 60 true null`},
		{"missing path is null", `[$input.path('$.missing')][$input.path('$.nested.missing.deeper')][$input.path('$.list[9]')]`, `[][][]`},
		{"missing path json is null", `$input.json('$.missing')`, `null`},
		{"missing path takes #else", `#if($input.path('$.missing'))set#{else}unset#end`, `unset`},
	})
}

func TestTemplateErrors(t *testing.T) {
	e := shared(t)
	cases := []struct {
		name     string
		req      Request
		kind     ErrorKind
		line     int
		column   int
		contains string
	}{
		{"unclosed #if", Request{Template: "line one\n#if($x)\nno end"}, Parse, 3, 6, "Encountered"},
		{"bad directive syntax", Request{Template: "a\n  #set($x = )"}, Parse, 2, 13, "Encountered"},
		{"base64Decode of non-base64", Request{Template: "ok\n  $util.base64Decode('not base64!')"}, Method, 2, 9, "$util.base64Decode failed"},
		{"urlDecode of a bad escape", Request{Template: "$util.urlDecode('%zz')"}, Method, 1, 7, "urlDecode"},
		{"parseJson of bad JSON", Request{Template: "$util.parseJson('{nope')"}, Method, 1, 7, "expected a string key"},
		{"unsupported JSONPath: deep scan", Request{Body: `{}`, Template: "$input.path('$..a')"}, Method, 1, 8, `JSONPath "$..a": deep scan`},
		{"unsupported JSONPath: wildcard", Request{Body: `{}`, Template: "$input.json('$.a[*]')"}, Method, 1, 8, "bracket expression [*]"},
		{"unsupported JSONPath: negative index", Request{Body: `{}`, Template: "$input.path('$.a[-1]')"}, Method, 1, 8, "bracket expression [-1]"},
		{"unsupported JSONPath: filter", Request{Body: `{}`, Template: "$input.path('$.a[?(@.b)]')"}, Method, 1, 8, "not supported"},
		{"body is not JSON", Request{Body: `<ErrorResponse/>`, Template: "$input.path('$.a')"}, Method, 1, 8, "the body is not JSON"},
		{"1001 iterations", Request{Template: "x\n#foreach($i in [1..1001])$i#end"}, LoopLimit, 2, 1, "more than 1000 iterations"},
		{"1001 iterations over params", Request{Template: "#foreach($k in $input.params().querystring.keySet())#end", QueryString: manyParams(1001)}, LoopLimit, 1, 1, "1000"},
		{"status not a number", Request{Template: `#set($context.responseOverride.status = "teapot")`}, Override, 0, 0, `got String "teapot"`},
		{"status out of range", Request{Template: `#set($context.responseOverride.status = 700)`}, Override, 0, 0, "700, not an HTTP status code"},
		{"override map replaced", Request{Template: `#set($context.requestOverride = "x")`}, Override, 0, 0, "not a map"},
		{"#parse finds nothing", Request{Template: `#parse('/etc/passwd')`}, Runtime, 0, 0, "ResourceNotFound"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.Render(tc.req)
			var te *TemplateError
			if !errors.As(err, &te) {
				t.Fatalf("Render(%q) = %v; want a *TemplateError", tc.req.Template, err)
			}
			if te.Kind != tc.kind || te.Line != tc.line || te.Column != tc.column {
				t.Errorf("error at kind %q line %d column %d; want %q line %d column %d\nerror: %v",
					te.Kind, te.Line, te.Column, tc.kind, tc.line, tc.column, err)
			}
			if !strings.Contains(te.Message, tc.contains) {
				t.Errorf("message %q does not contain %q", te.Message, tc.contains)
			}
			// The same engine renders the next template.
			res, err := e.Render(Request{Template: "still $context.ok", Context: map[string]any{"ok": "working"}})
			if err != nil || res.Output != "still working" {
				t.Fatalf("render after the error: %q, %v", res.Output, err)
			}
		})
	}
}

func manyParams(n int) map[string]string {
	m := make(map[string]string, n)
	for i := range n {
		m[fmt.Sprintf("p%04d", i)] = "v"
	}
	return m
}

func TestForeachLimitAllowsExactly1000(t *testing.T) {
	runCases(t, Request{}, []renderCase{
		{"1000 iterations", `#foreach($i in [1..1000])#set($last = $i)#end$last`, `1000`},
		{"the limit is per loop", `#set($n = 0)#foreach($i in [1..1000])#foreach($j in [1..3])#set($n = $n + 1)#end#end$n`, `3000`},
	})
}

func TestUtil(t *testing.T) {
	runCases(t, Request{Body: `{"errorMessage":"{\"key1\":\"var1\",\"key2\":{\"arr\":[1,2,3]}}"}`}, []renderCase{
		{"escapeJavaScript single quote", `$util.escapeJavaScript("it's")`, `it\'s`},
		{"escapeJavaScript double quote, slash, backslash", `$util.escapeJavaScript('say "a/b\c"')`, `say \"a\/b\\c\"`},
		{"escapeJavaScript non-ASCII", `$util.escapeJavaScript('é日')`, `\u00E9\u65E5`},
		{"escapeJavaScript AWS's JSON idiom", `$util.escapeJavaScript("it's").replaceAll("\\'","'")`, `it's`},
		{"parseJson AWS doc example", `#set($o = $util.parseJson($input.path('$.errorMessage')))$o.key2.arr[0] $o.key1`, `1 var1`},
		{"parseJson array and scalar", `$util.parseJson('[1,"a",{"b":null}]') $util.parseJson('"s"') $util.parseJson('42')`, `[1,"a",{"b":null}] s 42`},
		{"urlEncode form encoding", `$util.urlEncode('a b&c=d/é~*')`, `a+b%26c%3Dd%2F%C3%A9%7E*`},
		{"urlDecode", `$util.urlDecode('a+b%26c%3Dd%2F%C3%A9')`, `a b&c=d/é`},
		{"base64Encode UTF-8", `$util.base64Encode('héllo')`, `aMOpbGxv`},
		{"base64Decode padded and unpadded", `$util.base64Decode('aMOpbGxv') $util.base64Decode('YQ==') $util.base64Decode('YQ')`, `héllo a a`},
		{"base64 of Basic auth", `#set($c = $util.base64Decode('dXNlcjpwYXNz'))$c.split(':')[0]/$c.split(':')[1]`, `user/pass`},
		{"null argument renders nothing", `[$util.urlEncode($missing)][$util.base64Encode($missing)]`, `[][]`},
		{"no functions beyond AWS's six", `[$util.escapeXml('<')][$util.toJson('x')]`, `[][]`},
	})
	// escapeJavaScript of control characters, from a parameter value.
	res := render(t, shared(t), Request{
		Template:    `$util.escapeJavaScript($input.params('v'))`,
		QueryString: map[string]string{"v": "a\r\nb\tc\x00'\"/"},
	})
	if want := `a\r\nb\tc\u0000\'\"\/`; res.Output != want {
		t.Errorf("escapeJavaScript(CR LF TAB NUL ' \" /) = %q; want %q", res.Output, want)
	}
}

func TestStringMethods(t *testing.T) {
	base := Request{
		Context:     map[string]any{"identity": map[string]any{"sourceIp": "192.0.2.10", "apiKeyId": "AbC123"}},
		QueryString: map[string]string{"hostname": "Home.Example.com,nas.example.com"},
	}
	runCases(t, base, []renderCase{
		{"matches", `$context.identity.sourceIp.matches('^[0-9.]+$') $context.identity.sourceIp.matches('^[a-z]+$')`, `true false`},
		{"split", `#foreach($h in $input.params('hostname').split(','))[$h]#end`, `[Home.Example.com][nas.example.com]`},
		{"toLowerCase and toUpperCase", `$input.params('hostname').toLowerCase() $context.identity.apiKeyId.toUpperCase()`, `home.example.com,nas.example.com ABC123`},
		{"contains", `$context.identity.sourceIp.contains(':') $context.identity.sourceIp.contains('.')`, `false true`},
		{"length", `$context.identity.apiKeyId.length()`, `6`},
		{"replaceAll and replaceFirst", `$context.identity.sourceIp.replaceAll('\.', '-') $context.identity.sourceIp.replaceFirst('\d+', 'x')`, `192-0-2-10 x.0.2.10`},
		{"startsWith and endsWith", `$context.identity.sourceIp.startsWith('192.') $context.identity.sourceIp.endsWith('.11')`, `true false`},
		{"substring", `$context.identity.sourceIp.substring(0, 3)`, `192`},
		{"equals and ==", `$context.identity.apiKeyId.equals('AbC123') #if($context.identity.apiKeyId == 'AbC123')eq#end`, `true eq`},
		{"equalsIgnoreCase and trim", `$context.identity.apiKeyId.equalsIgnoreCase('abc123') [$input.params('hostname').substring(0,5).trim()]`, `true [Home.]`},
	})
}

func TestContextAndStageVariables(t *testing.T) {
	base := Request{
		Context: map[string]any{
			"stage":            "ddns",
			"requestId":        "req-1",
			"requestTimeEpoch": int64(1700000000000),
			"identity":         map[string]any{"sourceIp": "2001:db8::1", "apiKeyId": "key1"},
			"authorizer":       map[string]string{"principalId": "dev"},
			"flag":             true,
			"ratio":            0.5,
			"list":             []string{"a", "b"},
			"nothing":          nil,
		},
		StageVariables: map[string]string{"zone": "Z1", "ttl": "60"},
	}
	runCases(t, base, []renderCase{
		{"nested values", `$context.stage $context.requestId $context.identity.sourceIp $context.identity.apiKeyId $context.authorizer.principalId`, `ddns req-1 2001:db8::1 key1 dev`},
		{"typed values", `$context.requestTimeEpoch $context.flag $context.ratio $context.list.size() $context.list[1]`, `1700000000000 true 0.5 2 b`},
		{"integer comparison", `#if($context.requestTimeEpoch > 1600000000000)later#end`, `later`},
		{"nil renders nothing", `[$context.nothing]`, `[]`},
		{"stage variables, three syntaxes", `$stageVariables.zone $stageVariables['ttl'] ${stageVariables['zone']}`, `Z1 60 Z1`},
		{"missing stage variable", `[$stageVariables.nope]`, `[]`},
		{"override maps exist from the start", `$context.requestOverride $context.responseOverride`, `{header={}, path={}, querystring={}} {header={}}`},
	})
}

func TestHostileValuesRenderAsText(t *testing.T) {
	long := strings.Repeat("0123456789abcdef", 100<<10/16) // 100 KiB
	values := map[string]string{
		"crlf":          "line1\r\nline2\r\n",
		"nul":           "a\x00b",
		"quotes":        `'single' "double" \backslash`,
		"set directive": "#set($x = 1)$x",
		"dollar":        "$ $$ $100",
		"braces":        "${} ${context.stage} $!{x}",
		"reference":     "$context.stage $input.body $util.base64Encode('x')",
		"directives":    "#if(true)yes#end #foreach($i in [1..3])$i#end ## comment\n#* block *#",
		"xml":           "</Value><Action>DELETE</Action>",
		"non-ascii":     "é 日本 🦀 \u2028",
		"long":          long,
	}
	e := shared(t)
	for name, v := range values {
		t.Run(name, func(t *testing.T) {
			req := Request{
				Body:           v,
				Path:           map[string]string{"p": v},
				QueryString:    map[string]string{"q": v},
				Header:         map[string]string{"h": v},
				Context:        map[string]any{"c": v, "identity": map[string]any{"sourceIp": v}},
				StageVariables: map[string]string{"s": v},
				RequestOverride: RequestOverride{
					Path: map[string]string{"o": v},
				},
			}
			for _, tpl := range []string{
				`$input.body`,
				`$input.params('p')`,
				`$input.params('q')`,
				`$input.params('h')`,
				`$input.params().header.h`,
				`$context.c`,
				`$context.identity.sourceIp`,
				`$stageVariables.s`,
				`$context.requestOverride.path.o`,
			} {
				req.Template = tpl
				res := render(t, e, req)
				if res.Output != v {
					t.Errorf("%s with a %s value: got %d bytes %q…; want the value unchanged (%d bytes)",
						tpl, name, len(res.Output), trunc(res.Output), len(v))
				}
			}
			// A value carried through an override comes back unchanged too.
			req.Template = `#set($context.requestOverride.header.X = $input.params('q'))`
			res := render(t, e, req)
			if res.RequestOverride.Header["X"] != v || res.RequestOverride.Path["o"] != v {
				t.Errorf("override with a %s value changed it", name)
			}
		})
	}
}

func trunc(s string) string {
	if len(s) > 60 {
		return s[:60]
	}
	return s
}

func TestTemplateTextSurvives(t *testing.T) {
	// CRLF, NUL, non-ASCII and a long literal in the template itself.
	tpl := "<A>\r\n\x00é🦀 " + strings.Repeat("x", 100<<10) + "</A>\r\n"
	res := render(t, shared(t), Request{Template: tpl})
	if res.Output != tpl {
		t.Errorf("template text changed: got %d bytes, want %d", len(res.Output), len(tpl))
	}
}

func TestInvalidUTF8IsRefused(t *testing.T) {
	e := shared(t)
	_, err := e.Render(Request{Template: "$input.body", Body: "\xff\xfe"})
	var te *TemplateError
	if err == nil || errors.As(err, &te) || !strings.Contains(err.Error(), "Request.Body is not valid UTF-8") {
		t.Fatalf("Render with a non-UTF-8 body: %v; want an error naming Request.Body", err)
	}
	_, err = e.Render(Request{Template: "x", Header: map[string]string{"X-Bad": "\xc3"}})
	if err == nil || !strings.Contains(err.Error(), `Request.Header["X-Bad"]`) {
		t.Fatalf("Render with a non-UTF-8 header: %v; want an error naming the header", err)
	}
	_, err = e.Render(Request{Template: "x", Context: map[string]any{"c": make(chan int)}})
	if err == nil || !strings.Contains(err.Error(), `Request.Context["c"] has type chan int`) {
		t.Fatalf("Render with a channel in Context: %v; want an error naming it", err)
	}
	if res := render(t, e, Request{Template: "fine"}); res.Output != "fine" {
		t.Fatalf("engine unusable after refused requests: %q", res.Output)
	}
}

func TestOverridesRequestToResponse(t *testing.T) {
	e := shared(t)
	requestTemplate := `#set($ip = $context.identity.sourceIp)
#if(!$ip.matches('^[0-9.]+$'))
#set($context.requestOverride.path.verdict = "badip")
#set($context.responseOverride.status = 400)
#set($context.responseOverride.header.Content-Type = "text/plain")
#else
#set($context.requestOverride.path.verdict = "ok")
#end
#set($context.requestOverride.querystring.hostname = $input.params('hostname'))
#set($context.requestOverride.header.X-Amz-Target = "Route53.Change")
<ip>$ip</ip>`
	req := Request{
		Template:    requestTemplate,
		QueryString: map[string]string{"hostname": "a.example.com"},
		Context:     map[string]any{"identity": map[string]any{"sourceIp": "not-an-ip"}},
		RequestOverride: RequestOverride{
			Header: map[string]string{"Seeded": "yes"},
		},
	}
	res := render(t, e, req)
	want := Result{
		Output: "<ip>not-an-ip</ip>",
		RequestOverride: RequestOverride{
			Header:      map[string]string{"Seeded": "yes", "X-Amz-Target": "Route53.Change"},
			Path:        map[string]string{"verdict": "badip"},
			QueryString: map[string]string{"hostname": "a.example.com"},
		},
		ResponseOverride: ResponseOverride{Status: 400, Header: map[string]string{"Content-Type": "text/plain"}},
	}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Fatalf("request template result (-want +got):\n%s", diff)
	}

	// The response template sees what the request template set.
	responseTemplate := `#if($context.requestOverride.path.verdict == "badip")notfqdn#{else}good $context.requestOverride.querystring.hostname#end status=$context.responseOverride.status`
	res2 := render(t, e, Request{
		Template:         responseTemplate,
		Body:             "<ChangeResourceRecordSetsResponse/>",
		RequestOverride:  res.RequestOverride,
		ResponseOverride: res.ResponseOverride,
	})
	if res2.Output != "notfqdn status=400" {
		t.Errorf("response template output %q; want %q", res2.Output, "notfqdn status=400")
	}
	if diff := cmp.Diff(res.RequestOverride, res2.RequestOverride); diff != "" {
		t.Errorf("seeded request override not returned unchanged (-want +got):\n%s", diff)
	}
	if res2.ResponseOverride.Status != 400 {
		t.Errorf("seeded status %d; want 400", res2.ResponseOverride.Status)
	}

	// A status set as a numeric string is accepted; a replaced header map is read.
	res3 := render(t, e, Request{Template: `#set($context.responseOverride.status = "204")#set($context.responseOverride.header = {"A": "b", "N": 5})`})
	if res3.ResponseOverride.Status != 204 || res3.ResponseOverride.Header["A"] != "b" || res3.ResponseOverride.Header["N"] != "5" {
		t.Errorf("got %+v; want status 204, headers A=b N=5", res3.ResponseOverride)
	}
	// Request.Context cannot smuggle in its own override maps.
	res4 := render(t, e, Request{Template: `$context.requestOverride.path.size()`,
		Context: map[string]any{"requestOverride": map[string]any{"path": map[string]any{"x": "1"}}}})
	if res4.Output != "0" {
		t.Errorf("Request.Context's requestOverride was used: %q", res4.Output)
	}
}

func TestNullReferencesAreListed(t *testing.T) {
	res := render(t, shared(t), Request{
		Template: `<Value>$context.identity.sourceIP</Value>$missing$!quiet$missing$input.path('$.nope')`,
		Body:     `{}`,
		Context:  map[string]any{"identity": map[string]any{"sourceIp": "192.0.2.1"}},
	})
	if res.Output != "<Value></Value>" {
		t.Errorf("output %q; want null references rendered as nothing", res.Output)
	}
	want := []string{"$context.identity.sourceIP", "$missing", "$input.path('$.nope')"}
	if diff := cmp.Diff(want, res.NullReferences); diff != "" {
		t.Errorf("NullReferences (-want +got):\n%s", diff)
	}
}

// TestVelocity17Behaviour pins stock Velocity 1.7 behaviour that templates
// meet and that this package keeps (see the package comment).
func TestVelocity17Behaviour(t *testing.T) {
	runCases(t, Request{QueryString: map[string]string{"a": "A"}}, []renderCase{
		{"#set to null keeps the old value", `#set($x = "old")#set($x = $input.params().path.get('missing'))$x`, `old`},
		{"#set to null leaves an unset variable unset", `#set($y = $input.params().path.get('missing'))[$y]`, `[]`},
		{"null is not the empty string", `#set($m = $input.params().path.get('missing'))#if($m == "")eq#{else}ne#end #if("$!m" == "")quiet-eq#end`, `ne quiet-eq`},
		{"directive lines lose their newline, keep indentation",
			"a\n#set($v = 1)\nb\n  #set($w = 2)\nc\n#if(true)\nd\n#end\ne\n",
			"a\nb\n  c\nd\ne\n"},
		{"#else and #end lines too", "#if(false)\nx\n#else\ny\n#end\nz", "y\nz"},
		{"indented #foreach body", "#foreach($i in [1,2])\n  item $i\n#end\ndone", "  item 1\n  item 2\ndone"},
		{"inline directives keep the text around them", "x #if(true) y #end z", "x  y  z"},
		{"a hyphen continues an identifier", `#set($a = "A")[$a-x][${a}-x][$input.params('a')-x]`, `[][A-x][A-x]`},
		{"hyphenated property names", `#set($m = {})#set($m.Content-Type = "t")$m.Content-Type`, `t`},
		{"foreach helpers", `#foreach($i in ['a','b'])$foreach.count$i#if($foreach.hasNext),#end#end`, `1a,2b`},
		{"macros work", `#macro(twice $s)$s$s#end#twice('ab')`, `abab`},
		{"no backslash escapes in string literals", `#set($s = 'a\nb')$s.length()`, `4`},
	})
}

func TestConcurrentRender(t *testing.T) {
	e := shared(t)
	const workers, each = 6, 20
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				v := fmt.Sprintf("w%d-i%d-%s", w, i, strings.Repeat("x", i*100))
				res, err := e.Render(Request{
					Template:    `$input.params('v')|$context.n`,
					QueryString: map[string]string{"v": v},
					Context:     map[string]any{"n": i},
				})
				if err != nil {
					errs <- err
					return
				}
				if want := fmt.Sprintf("%s|%d", v, i); res.Output != want {
					errs <- fmt.Errorf("worker %d render %d: got %q, want %q", w, i, trunc(res.Output), trunc(want))
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestCloseStopsTheJVM(t *testing.T) {
	t.Parallel()
	e := own(t, Options{})
	if res := render(t, e, Request{Template: "up"}); res.Output != "up" {
		t.Fatalf("got %q", res.Output)
	}
	pid := e.cmd.Process.Pid
	if err := syscall.Kill(pid, 0); err != nil {
		t.Fatalf("JVM pid %d not running before Close: %v", pid, err)
	}
	if err := e.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("JVM pid %d still exists after Close (kill -0: %v)", pid, err)
	}
	if _, err := os.Stat(e.dir); !os.IsNotExist(err) {
		t.Errorf("temp dir %s still there after Close: %v", e.dir, err)
	}
	if err := e.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := e.Render(Request{Template: "x"}); !errors.Is(err, ErrClosed) {
		t.Errorf("Render after Close: %v; want ErrClosed", err)
	}
}

func TestCloseDuringARenderKillsTheJVM(t *testing.T) {
	t.Parallel()
	e := own(t, Options{})
	pid := e.cmd.Process.Pid
	e.grace = 500 * time.Millisecond
	done := make(chan error, 1)
	go func() {
		_, err := e.Render(Request{Template: slowTemplate})
		done <- err
	}()
	time.Sleep(300 * time.Millisecond) // let the render start
	start := time.Now()
	if err := e.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	// The busy JVM does not read its closed stdin, so Close waited out the
	// grace period and killed it.
	if took := time.Since(start); took < e.grace || took > e.grace+5*time.Second {
		t.Errorf("Close took %v; want the grace period (%v) and a kill", took, e.grace)
	}
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("JVM pid %d still exists after Close (kill -0: %v)", pid, err)
	}
	if err := <-done; !errors.Is(err, ErrClosed) {
		t.Errorf("the interrupted render: %v; want ErrClosed", err)
	}
}

// slowTemplate would run for hours: a billion iterations, each loop within the limit.
const slowTemplate = `#foreach($i in [1..1000])#foreach($j in [1..1000])#foreach($k in [1..1000])#end#end#end`

func TestTimeoutKillsTheJVM(t *testing.T) {
	t.Parallel()
	e := own(t, Options{Timeout: 300 * time.Millisecond})
	pid := e.cmd.Process.Pid
	_, err := e.Render(Request{Template: slowTemplate})
	var te *TemplateError
	if err == nil || errors.As(err, &te) || !strings.Contains(err.Error(), "took longer than 300ms") {
		t.Fatalf("slow render: %v; want the timeout error", err)
	}
	if _, err2 := e.Render(Request{Template: "x"}); err2 == nil || err2.Error() != err.Error() {
		t.Errorf("render after the timeout: %v; want the same error again", err2)
	}
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("JVM pid %d still exists after the timeout (kill -0: %v)", pid, err)
	}
}

func TestAvailableAndStartExplainWhatIsMissing(t *testing.T) {
	opts := Options{Java: "/nonexistent/bin/java", Jars: []string{"/nonexistent/velocity.jar"}}
	err := Available(opts)
	if err == nil {
		t.Fatal("Available with missing java and jar: nil")
	}
	for _, want := range []string{`java "/nonexistent/bin/java" not found`, "jar /nonexistent/velocity.jar is missing"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Available: %v\nwant it to say %q", err, want)
		}
	}
	if _, err := Start(context.Background(), opts); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("Start with missing java: %v", err)
	}
	if err := Available(Options{Jars: []string{}}); err == nil || !strings.Contains(err.Error(), "Options.Jars is empty") {
		t.Errorf("Available with no jars: %v", err)
	}
}

func TestStartFailsWhenVelocityIsMissing(t *testing.T) {
	t.Parallel()
	requireLab(t)
	// Java is there but the classpath lacks Velocity: Render.java cannot compile.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	e, err := Start(ctx, Options{Jars: []string{DefaultJars[2]}})
	if err == nil {
		e.Close()
		t.Fatal("Start without the Velocity jar succeeded")
	}
	if !strings.Contains(err.Error(), "did not become ready") || !strings.Contains(err.Error(), "org.apache.velocity") {
		t.Errorf("Start without Velocity: %v\nwant it to show the compiler's complaint", err)
	}
}

func BenchmarkRender(b *testing.B) {
	e := shared(b)
	req := Request{
		Template: `#set($ip = $context.identity.sourceIp)
#if($ip.matches('^[0-9.]+$'))<Value>$ip</Value> $input.params('hostname')#end`,
		QueryString: map[string]string{"hostname": "a.example.com"},
		Context:     map[string]any{"identity": map[string]any{"sourceIp": "192.0.2.1"}},
	}
	for b.Loop() {
		if _, err := e.Render(req); err != nil {
			b.Fatal(err)
		}
	}
}
