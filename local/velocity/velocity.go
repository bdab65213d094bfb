// Package velocity renders API Gateway REST API mapping templates with a real
// Apache Velocity 1.7 engine and stand-ins for what API Gateway gives a
// template: $input, $util, $context and $stageVariables.
//
// An Engine is one long-lived JVM running Render.java, a Java 17 single-file
// program embedded in this package. Start one, render many templates, Close it:
//
//	eng, err := velocity.Start(ctx, velocity.Options{})
//	if err != nil { ... }
//	defer eng.Close()
//	res, err := eng.Render(velocity.Request{
//		Template: `<Value>$context.identity.sourceIp</Value>`,
//		Context:  map[string]any{"identity": map[string]any{"sourceIp": "192.0.2.1"}},
//	})
//
// # What a template sees
//
//   - $input.body is Request.Body as a string; an empty body reads as "{}",
//     as on AWS.
//   - $input.params() is a map with the keys path, querystring and header.
//     $input.params('x') is x's value from path, querystring or header,
//     searched in that order, names matched exactly (case-sensitive: AWS
//     documents header names and query parameters as case-sensitive for REST
//     APIs); "" when x is in none of them.
//   - $input.path('$.a') and $input.json('$.a') apply JSONPath to the body
//     and give Java objects and JSON text. Objects are maps that print as
//     {a=1}, arrays are lists that print as JSON ([{"a":1}]), as AWS prints
//     them. A path that matches nothing gives null ($input.json: "null").
//     Only a subset of JSONPath is understood: $, $.a.b, $['a'], $.a[0], and
//     a path without the leading "$" (read as "$." + path). Wildcards, "..",
//     filters, slices and negative indexes fail with a TemplateError that
//     says so, and so does a body that is not JSON.
//   - $util has exactly AWS's six functions: escapeJavaScript (Apache
//     Commons Lang 2 StringEscapeUtils: escapes ' as \' and / as \/, and
//     every non-ASCII character as \uXXXX), parseJson (same objects as
//     $input.path; invalid JSON fails), urlEncode and urlDecode
//     (application/x-www-form-urlencoded, UTF-8: space is "+"), base64Encode
//     and base64Decode (standard alphabet, padding optional, UTF-8 text;
//     input that is not base64 fails with a TemplateError). A null argument
//     gives null, which renders as nothing.
//   - $context is Request.Context, plus $context.requestOverride (maps
//     header, path, querystring) and $context.responseOverride (map header,
//     and status once set) seeded from Request.RequestOverride and
//     Request.ResponseOverride and read back into Result. So
//     #set($context.responseOverride.header.Content-Type = "text/plain")
//     works: Velocity 1.7 accepts hyphens in property names.
//   - $stageVariables is Request.StageVariables.
//
// Every string a template sees is a java.lang.String, so .matches(),
// .split(), .replaceAll(), .toLowerCase(), .length() and the rest work.
// Values are data: "#set($x=1)" or "${x}" inside a parameter renders as that
// text and is never evaluated.
//
// # How this differs from stock Velocity 1.7, and from AWS
//
//   - A reference without a value renders as nothing, not as its own text
//     ("$foo") as stock Velocity would. AWS was observed to do this
//     (LocalStack's tests validated against AWS: a #set to a missing JSONPath
//     result, and $input.body.x, both render empty). Such references are
//     listed in Result.NullReferences so a typo stays visible.
//   - Comparisons are stock 1.7: $missing == "" is false here, while AWS was
//     observed to answer true. Write "$!x" == "" to mean "empty or missing"
//     in both.
//   - #set($x = <null>) leaves $x as it was (stock 1.7,
//     directive.set.null.allowed=false); AWS's behaviour is not documented.
//   - A #foreach that would start its 1,001st iteration fails with a
//     TemplateError of kind LoopLimit. AWS documents the 1,000-iteration
//     limit but not what happens past it.
//   - A line holding only #set, #if, #else, #end or #foreach loses its
//     newline but keeps its indentation, which then starts the next line
//     (stock 1.7). That AWS runs Velocity 1.x is inferred, not documented:
//     templates validated against AWS use hyphenated names such as
//     $context.requestOverride.header.X-Amz-Target, which Velocity 2 refuses
//     by default.
//   - A hyphen continues a name: "$a-x" is the reference a-x (renders
//     nothing); write "${a}-x".
//   - #parse and #include find nothing, and templates cannot reach
//     java.lang.Class, ClassLoader, System or reflection (SecureUberspector).
package velocity

import (
	"bufio"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

//go:embed Render.java
var renderJava []byte

// DefaultJars is the classpath Start uses when Options.Jars is nil: what
// Debian's "velocity" package installs (apt-get install velocity).
var DefaultJars = []string{
	"/usr/share/java/velocity-1.7.jar",
	"/usr/share/java/commons-collections3.jar",
	"/usr/share/java/commons-lang.jar",
}

// DefaultTimeout bounds one Render when Options.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// Options says where Java and the Velocity jars are. The zero value uses
// "java" from PATH and DefaultJars.
type Options struct {
	// Java is the java binary, a path or a name looked up in PATH; "" means
	// "java". It must run single-file source programs (Java 11 or newer).
	Java string
	// Jars is the classpath: Velocity 1.7, Commons Collections 3 and Commons
	// Lang 2. Nil means DefaultJars.
	Jars []string
	// Timeout bounds one Render; a render still running then has its JVM
	// killed, and the Engine answers every later call with an error.
	// Zero means DefaultTimeout.
	Timeout time.Duration
}

// ErrClosed is returned by Render after Close.
var ErrClosed = errors.New("velocity: engine is closed")

// Available reports whether Start can work with opts: nil, or an error that
// names everything missing, fit for a test's skip message. It runs
// "java -version" once.
func Available(opts Options) error {
	_, _, err := opts.resolve(true)
	return err
}

func (o Options) resolve(checkVersion bool) (java string, jars []string, err error) {
	var problems []error
	name := o.Java
	if name == "" {
		name = "java"
	}
	java, lookErr := exec.LookPath(name)
	if lookErr != nil {
		problems = append(problems, fmt.Errorf("java %q not found (apt-get install openjdk-17-jre-headless): %w", name, lookErr))
	} else if checkVersion {
		if err := checkJava(java); err != nil {
			problems = append(problems, err)
		}
	}
	jars = o.Jars
	if jars == nil {
		jars = DefaultJars
	}
	if len(jars) == 0 {
		problems = append(problems, errors.New("Options.Jars is empty: Velocity 1.7, Commons Collections 3 and Commons Lang 2 are needed"))
	}
	for _, j := range jars {
		if st, err := os.Stat(j); err != nil {
			problems = append(problems, fmt.Errorf("jar %s is missing (apt-get install velocity): %w", j, err))
		} else if st.IsDir() {
			problems = append(problems, fmt.Errorf("jar %s is a directory", j))
		}
	}
	if len(problems) > 0 {
		return "", nil, fmt.Errorf("velocity: cannot start: %w", errors.Join(problems...))
	}
	return java, jars, nil
}

var javaVersion = regexp.MustCompile(`version "(\d+)(?:\.(\d+))?`)

func checkJava(java string) error {
	out, err := exec.Command(java, "-version").CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s -version failed: %v: %s", java, err, strings.TrimSpace(string(out)))
	}
	m := javaVersion.FindStringSubmatch(string(out))
	if m == nil {
		return fmt.Errorf("%s -version: no version in %q", java, strings.TrimSpace(string(out)))
	}
	major, _ := strconv.Atoi(m[1])
	if major == 1 && m[2] != "" { // "1.8.0_392"
		major, _ = strconv.Atoi(m[2])
	}
	if major < 11 {
		return fmt.Errorf("%s is Java %d; running Render.java as a source file needs Java 11 or newer", java, major)
	}
	return nil
}

// Engine is one JVM rendering templates. Its methods are safe for concurrent
// use; renders are serialised to the JVM one at a time.
type Engine struct {
	timeout time.Duration
	grace   time.Duration // how long Close lets the JVM exit by itself
	dir     string
	cmd     *exec.Cmd
	stdin   *os.File
	stdout  *os.File
	out     *bufio.Reader
	stderr  *tail
	exited  chan struct{} // closed once the JVM has exited and been reaped

	mu     sync.Mutex // serialises renders; guards broken
	broken error      // why the JVM can no longer be used
	closed atomic.Bool

	closeOnce sync.Once
	closeErr  error
}

// Start starts a JVM and waits until Velocity is ready (about a second: the
// JVM compiles Render.java first). ctx bounds only that wait; the JVM then
// runs until Close.
func Start(ctx context.Context, opts Options) (*Engine, error) {
	java, jars, err := opts.resolve(false)
	if err != nil {
		return nil, err
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	dir, err := os.MkdirTemp("", "ddnsgen-velocity-")
	if err != nil {
		return nil, fmt.Errorf("velocity: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "Render.java"), renderJava, 0o600); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("velocity: %w", err)
	}
	// Our own pipes rather than cmd.StdinPipe/StdoutPipe: cmd.Wait closes
	// those, and Wait runs in its own goroutine here.
	inR, inW, err := os.Pipe()
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("velocity: %w", err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		os.RemoveAll(dir)
		return nil, fmt.Errorf("velocity: %w", err)
	}
	e := &Engine{
		timeout: timeout,
		grace:   3 * time.Second,
		dir:     dir,
		stdin:   inW,
		stdout:  outR,
		out:     bufio.NewReaderSize(outR, 64<<10),
		stderr:  &tail{max: 16 << 10},
		exited:  make(chan struct{}),
	}
	e.cmd = exec.Command(java,
		// Two cores and small heaps: a serial collector and no perf file.
		"-XX:+UseSerialGC", "-XX:-UsePerfData", "-Xshare:auto",
		"-cp", strings.Join(jars, string(os.PathListSeparator)),
		"Render.java")
	e.cmd.Dir = dir
	e.cmd.Stdin = inR
	e.cmd.Stdout = outW
	e.cmd.Stderr = e.stderr
	err = e.cmd.Start()
	inR.Close()
	outW.Close()
	if err != nil {
		inW.Close()
		outR.Close()
		os.RemoveAll(dir)
		return nil, fmt.Errorf("velocity: starting %s: %w", java, err)
	}
	go func() {
		e.cmd.Wait()
		close(e.exited)
	}()

	ready := make(chan error, 1)
	go func() {
		v, err := readFrame(e.out)
		if err == nil {
			if m, ok := v.(map[string]any); !ok || m["ready"] == nil {
				err = fmt.Errorf("protocol: first frame is %v, not a ready message", v)
			}
		}
		ready <- err
	}()
	select {
	case err = <-ready:
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err != nil {
		e.kill()
		<-e.exited
		e.stdin.Close()
		e.stdout.Close()
		os.RemoveAll(dir)
		return nil, fmt.Errorf("velocity: the JVM did not become ready: %w%s", err, e.stderr.forError())
	}
	return e, nil
}

// kill kills the JVM unless it has already exited.
func (e *Engine) kill() {
	select {
	case <-e.exited:
	default:
		e.cmd.Process.Kill()
	}
}

// Close stops the JVM: it closes the JVM's stdin, which makes Render.java
// exit, and kills the process if it has not exited within three seconds
// (a render in progress is not waited for: it fails with ErrClosed). Then it
// removes the temporary directory. Calling Close again does nothing and
// returns the first call's result.
func (e *Engine) Close() error {
	e.closeOnce.Do(func() {
		e.closed.Store(true)
		e.stdin.Close()
		select {
		case <-e.exited:
		case <-time.After(e.grace):
			e.cmd.Process.Kill()
			<-e.exited
		}
		e.stdout.Close()
		if err := os.RemoveAll(e.dir); err != nil {
			e.closeErr = fmt.Errorf("velocity: %w", err)
		}
	})
	return e.closeErr
}

// RequestOverride is $context.requestOverride: what a request template
// overrides in the integration request.
type RequestOverride struct {
	Header      map[string]string
	Path        map[string]string
	QueryString map[string]string
}

// ResponseOverride is $context.responseOverride: what a template overrides
// in the method response.
type ResponseOverride struct {
	Status int // 0 when not set
	Header map[string]string
}

// Request is one template and everything it may read. Every string in it
// must be valid UTF-8: Render refuses one that is not, naming the field,
// because a Java string could not carry it unchanged.
type Request struct {
	Template string
	// Body is what $input.body sees: the method request body in a request
	// template, the integration response body in a response template.
	Body string
	// Path, QueryString and Header are the method request parameters, as
	// $input.params() holds them (keys path, querystring, header).
	Path, QueryString, Header map[string]string
	// Context is the $context tree: strings, bools, integers, floats and
	// nested map[string]any, map[string]string, []any or []string, e.g.
	// {"identity": {"sourceIp": "192.0.2.1", "apiKeyId": "k1"}, "stage": "ddns"}.
	// Its requestOverride and responseOverride, if any, are replaced by the
	// engine's (see the fields below).
	Context map[string]any
	// StageVariables is $stageVariables.
	StageVariables map[string]string
	// RequestOverride and ResponseOverride seed $context.requestOverride and
	// $context.responseOverride: pass a request template's Result here to let
	// the response template read what the request template set.
	RequestOverride  RequestOverride
	ResponseOverride ResponseOverride
}

// Result is what a template produced.
type Result struct {
	Output string
	// RequestOverride and ResponseOverride are $context.requestOverride and
	// $context.responseOverride after rendering, seeds included. The maps are
	// never nil. A value the template set to a non-string reads as Java
	// prints it (400, [a, b]); a null value is left out.
	RequestOverride  RequestOverride
	ResponseOverride ResponseOverride
	// NullReferences lists each reference that had no value and so rendered
	// as nothing, as written (e.g. "$context.identity.sourceIP"), in order of
	// first use. Quiet references ($!x) are not listed.
	NullReferences []string
}

// ErrorKind says what kind of failure a TemplateError is.
type ErrorKind string

const (
	// Parse: the template is not valid VTL.
	Parse ErrorKind = "parse"
	// Method: a method the template called failed, e.g. $util.base64Decode
	// of text that is not base64, an unsupported JSONPath, a body that is
	// not JSON.
	Method ErrorKind = "method"
	// LoopLimit: a #foreach went past 1,000 iterations.
	LoopLimit ErrorKind = "foreach-limit"
	// Override: the template left $context.requestOverride or
	// $context.responseOverride unusable, e.g. a status that is not 100-599.
	Override ErrorKind = "override"
	// Runtime: any other failure Velocity reported while rendering.
	Runtime ErrorKind = "runtime"
)

// TemplateError is a failure of the template itself. The Engine stays
// usable after one.
type TemplateError struct {
	Kind ErrorKind
	// Line and Column locate the failure in Request.Template, both 1-based;
	// 0 when Velocity did not say.
	Line, Column int
	Message      string
}

func (e *TemplateError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("velocity: %s error at line %d, column %d: %s", e.Kind, e.Line, e.Column, e.Message)
	}
	return fmt.Sprintf("velocity: %s error: %s", e.Kind, e.Message)
}

// Render renders one template. A failure of the template is a
// *TemplateError and leaves the Engine usable. Any other error means the
// request could not be sent (e.g. a field is not valid UTF-8) or the Engine
// is unusable: closed, its JVM died, or it was killed after Options.Timeout.
func (e *Engine) Render(req Request) (Result, error) {
	frame, err := encodeRequest(req)
	if err != nil {
		return Result{}, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed.Load() {
		return Result{}, ErrClosed
	}
	if e.broken != nil {
		return Result{}, e.broken
	}
	timedOut := make(chan struct{})
	timer := time.AfterFunc(e.timeout, func() {
		close(timedOut)
		e.kill()
	})
	v, err := e.roundTrip(frame)
	if !timer.Stop() {
		<-timedOut
		if err == nil {
			err = errors.New("timed out")
		}
	}
	if err != nil {
		switch {
		case e.closed.Load():
			e.broken = ErrClosed
		case isClosed(timedOut):
			<-e.exited
			e.broken = fmt.Errorf("velocity: a render took longer than %v; the JVM was killed and the engine is unusable", e.timeout)
		default:
			e.kill()
			<-e.exited
			e.broken = fmt.Errorf("velocity: the JVM failed (%v; %v); the engine is unusable%s", err, e.cmd.ProcessState, e.stderr.forError())
		}
		return Result{}, e.broken
	}
	return decodeResult(v)
}

func isClosed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

func (e *Engine) roundTrip(frame []byte) (any, error) {
	if _, err := e.stdin.Write(frame); err != nil {
		return nil, err
	}
	return readFrame(e.out)
}

// encodeRequest builds the frame Render.java's render method reads.
func encodeRequest(req Request) ([]byte, error) {
	var e encoder
	e.tag(tagMap)
	e.u32(9)
	steps := []struct {
		key   string
		write func() error
	}{
		{"template", func() error { return e.str(req.Template, "Request.Template") }},
		{"body", func() error { return e.str(req.Body, "Request.Body") }},
		{"path", func() error { return e.stringMap(req.Path, "Request.Path") }},
		{"querystring", func() error { return e.stringMap(req.QueryString, "Request.QueryString") }},
		{"header", func() error { return e.stringMap(req.Header, "Request.Header") }},
		{"context", func() error {
			if req.Context == nil {
				e.tag(tagNull)
				return nil
			}
			return e.value(req.Context, "Request.Context", 0)
		}},
		{"stageVariables", func() error { return e.stringMap(req.StageVariables, "Request.StageVariables") }},
		{"requestOverride", func() error {
			e.tag(tagMap)
			e.u32(3)
			e.bytes("header")
			if err := e.stringMap(req.RequestOverride.Header, "Request.RequestOverride.Header"); err != nil {
				return err
			}
			e.bytes("path")
			if err := e.stringMap(req.RequestOverride.Path, "Request.RequestOverride.Path"); err != nil {
				return err
			}
			e.bytes("querystring")
			return e.stringMap(req.RequestOverride.QueryString, "Request.RequestOverride.QueryString")
		}},
		{"responseOverride", func() error {
			e.tag(tagMap)
			e.u32(2)
			e.bytes("status")
			if req.ResponseOverride.Status != 0 {
				e.int(int64(req.ResponseOverride.Status))
			} else {
				e.tag(tagNull)
			}
			e.bytes("header")
			return e.stringMap(req.ResponseOverride.Header, "Request.ResponseOverride.Header")
		}},
	}
	for _, s := range steps {
		e.bytes(s.key)
		if err := s.write(); err != nil {
			return nil, err
		}
	}
	if len(e.buf) > maxFrame {
		return nil, fmt.Errorf("velocity: request of %d bytes is larger than %d", len(e.buf), maxFrame)
	}
	return e.frame(), nil
}

func decodeResult(v any) (Result, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return Result{}, fmt.Errorf("velocity: protocol: answer is %T, not a map", v)
	}
	if detail, ok := m["error"].(map[string]any); ok {
		kind, _ := detail["kind"].(string)
		msg, _ := detail["message"].(string)
		line, _ := detail["line"].(int64)
		col, _ := detail["column"].(int64)
		if kind == "internal" {
			return Result{}, fmt.Errorf("velocity: internal error in Render.java: %s", msg)
		}
		return Result{}, &TemplateError{Kind: ErrorKind(kind), Line: int(line), Column: int(col), Message: msg}
	}
	var r Result
	r.Output, _ = m["output"].(string)
	ro, _ := m["requestOverride"].(map[string]any)
	r.RequestOverride = RequestOverride{
		Header:      stringsOf(ro["header"]),
		Path:        stringsOf(ro["path"]),
		QueryString: stringsOf(ro["querystring"]),
	}
	so, _ := m["responseOverride"].(map[string]any)
	r.ResponseOverride.Header = stringsOf(so["header"])
	status, _ := so["status"].(int64)
	if status != 0 && (status < 100 || status > 599) {
		return Result{}, &TemplateError{Kind: Override,
			Message: fmt.Sprintf("$context.responseOverride.status is %d, not an HTTP status code (100-599)", status)}
	}
	r.ResponseOverride.Status = int(status)
	if l, ok := m["nullReferences"].([]any); ok {
		for _, x := range l {
			if s, ok := x.(string); ok {
				r.NullReferences = append(r.NullReferences, s)
			}
		}
	}
	return r, nil
}

func stringsOf(v any) map[string]string {
	m, _ := v.(map[string]any)
	out := make(map[string]string, len(m))
	for k, x := range m {
		s, _ := x.(string)
		out[k] = s
	}
	return out
}

// tail keeps the last max bytes written to it: the JVM's stderr, for errors.
type tail struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

// forError is the captured stderr as a suffix for an error message.
func (t *tail) forError() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := strings.TrimSpace(string(t.buf))
	if s == "" {
		return ""
	}
	return "; JVM stderr:\n" + s
}
