package route53

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// A body captured from Route 53 (aws/aws-cli#2071, botocore debug log,
// "content-length: 259"): Body must reproduce it byte for byte.
func TestBodyMatchesCapturedRoute53Answer(t *testing.T) {
	const captured = `<?xml version="1.0"?>` + "\n" +
		`<ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Error><Type>Sender</Type><Code>InvalidInput</Code><Message>Invalid request</Message></Error><RequestId>b3d152ee-4c60-11e6-b37d-d531c61ec201</RequestId></ErrorResponse>`
	e := InvalidInput("Invalid request")
	e.RequestID = "b3d152ee-4c60-11e6-b37d-d531c61ec201"
	got := string(e.Body())
	if got != captured {
		t.Errorf("Body:\n got %q\nwant %q", got, captured)
	}
	if len(got) != 259 {
		t.Errorf("Body is %d bytes; the captured answer had Content-Length 259", len(got))
	}
}

// The InvalidChangeBatch body Route 53 has sent since late 2024
// (aws/aws-sdk-kotlin#1435): the generic shape, messages joined as "[a, b]".
func TestInvalidChangeBatchBody(t *testing.T) {
	e := InvalidChangeBatch(
		"Tried to delete resource record set [name='test.blerg.com.', type='CNAME'] but the values provided do not match the current values",
		"Tried to create resource record set [name='test.blerg.com.', type='CNAME'] but it already exists",
	)
	want := `<?xml version="1.0"?>` + "\n" +
		`<ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Error><Type>Sender</Type><Code>InvalidChangeBatch</Code>` +
		`<Message>[Tried to delete resource record set [name='test.blerg.com.', type='CNAME'] but the values provided do not match the current values, Tried to create resource record set [name='test.blerg.com.', type='CNAME'] but it already exists]</Message>` +
		`</Error><RequestId>ca6b6a9b-f2be-44c9-8d94-f7dfb3448d10</RequestId></ErrorResponse>`
	e.RequestID = "ca6b6a9b-f2be-44c9-8d94-f7dfb3448d10"
	if got := string(e.Body()); got != want {
		t.Errorf("Body:\n got %q\nwant %q", got, want)
	}
	if e.Status != 400 || len(e.Messages) != 2 {
		t.Errorf("status %d, %d messages; want 400 and 2", e.Status, len(e.Messages))
	}
}

// The shape the AWS SDKs' customisations were written for (their tests use
// this body), kept so a lab can check a template reads both.
func TestLegacyBody(t *testing.T) {
	e := InvalidChangeBatch("Tried to create resource record set duplicate.example.com. type A, but it already exists", "a & <b>")
	want := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<InvalidChangeBatch xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Messages>` +
		`<Message>Tried to create resource record set duplicate.example.com. type A, but it already exists</Message>` +
		`<Message>a &amp; &lt;b&gt;</Message></Messages><RequestId>b25f48e8-84fd-11e6-80d9-574e0c4664cb</RequestId></InvalidChangeBatch>`
	e.RequestID = "b25f48e8-84fd-11e6-80d9-574e0c4664cb"
	if got := string(e.LegacyBody()); got != want {
		t.Errorf("LegacyBody:\n got %q\nwant %q", got, want)
	}
	other := Throttling()
	if string(other.LegacyBody()) != string(other.Body()) {
		t.Error("LegacyBody of a Throttling error should be its ordinary Body")
	}
}

func TestFaults(t *testing.T) {
	tests := []struct {
		name               string
		err                *Error
		status             int
		code, typ, message string
	}{
		{"throttling", Throttling(), 400, "Throttling", "Sender", "Rate exceeded"},
		{"prior request", PriorRequestNotComplete(), 400, "PriorRequestNotComplete", "Sender", "The request was rejected because Route 53 was still processing a prior request."},
		{"no such zone", NoSuchHostedZone("Z0123456789ABCDEFGHIJ"), 404, "NoSuchHostedZone", "Sender", "No hosted zone found with ID: Z0123456789ABCDEFGHIJ"},
		{"invalid change batch", InvalidChangeBatch("one"), 400, "InvalidChangeBatch", "Sender", "[one]"},
		{"internal failure", InternalFailure(), 500, "InternalFailure", "Receiver", "The request processing has failed because of an unknown error, exception or failure."},
		{"service unavailable", ServiceUnavailable(), 503, "ServiceUnavailable", "Receiver", "The request has failed due to a temporary failure of the server."},
		{"any status and code", &Error{Status: 429, Code: "Custom", Message: "m"}, 429, "Custom", "Sender", "m"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err.Status != tt.status || tt.err.Code != tt.code || tt.err.Message != tt.message || tt.err.Type() != tt.typ {
				t.Errorf("got %d %s %s %q, want %d %s %s %q", tt.err.Status, tt.err.Code, tt.err.Type(), tt.err.Message, tt.status, tt.code, tt.typ, tt.message)
			}
			want := `<?xml version="1.0"?>` + "\n" + `<ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Error><Type>` +
				tt.typ + "</Type><Code>" + tt.code + "</Code><Message>" + tt.message + "</Message></Error><RequestId>rid</RequestId></ErrorResponse>"
			tt.err.RequestID = "rid"
			if got := string(tt.err.Body()); got != want {
				t.Errorf("Body:\n got %q\nwant %q", got, want)
			}
		})
	}
}

// Route 53 escapes " as &quot; in messages (a captured cvc-complex-type
// message, mozilla/identity-ops#152) and leaves ' alone.
func TestBodyEscapesMessage(t *testing.T) {
	e := InvalidInput(`One of '{"ns":EvaluateTargetHealth}' & <x>`)
	want := `<?xml version="1.0"?>` + "\n" + `<ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Error><Type>Sender</Type><Code>InvalidInput</Code>` +
		`<Message>One of '{&quot;ns&quot;:EvaluateTargetHealth}' &amp; &lt;x&gt;</Message></Error><RequestId>r</RequestId></ErrorResponse>`
	e.RequestID = "r"
	if got := string(e.Body()); got != want {
		t.Errorf("Body:\n got %q\nwant %q", got, want)
	}
}

func TestWriteResponse(t *testing.T) {
	rec := httptest.NewRecorder()
	e := NoSuchHostedZone("ZX")
	e.RequestID = "req-1"
	e.WriteResponse(rec)
	if rec.Code != http.StatusNotFound {
		t.Errorf("status %d, want 404", rec.Code)
	}
	body := e.Body()
	for k, want := range map[string]string{"Content-Type": "text/xml", "X-Amzn-Requestid": "req-1", "Content-Length": strconv.Itoa(len(body))} {
		if got := rec.Header().Get(k); got != want {
			t.Errorf("header %s = %q, want %q", k, got, want)
		}
	}
	if got, want := rec.Body.String(), string(body); got != want {
		t.Errorf("body %q, want %q", got, want)
	}
}

// Without a request id, the first of Body, LegacyBody and WriteResponse
// sets one, and the header and body of the answer carry the same.
func TestRequestIDIsSetOnce(t *testing.T) {
	e := Throttling()
	rec := httptest.NewRecorder()
	e.WriteResponse(rec)
	id := rec.Header().Get("X-Amzn-Requestid")
	if id == "" || id != e.RequestID {
		t.Fatalf("header request id %q, error's %q", id, e.RequestID)
	}
	if !strings.Contains(rec.Body.String(), "<RequestId>"+id+"</RequestId>") {
		t.Errorf("body %q does not carry request id %q", rec.Body.String(), id)
	}
	if string(e.Body()) != rec.Body.String() {
		t.Error("a second Body differs from the first")
	}
}

func TestNewRequestID(t *testing.T) {
	uuid4 := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	a, b := NewRequestID(), NewRequestID()
	if !uuid4.MatchString(a) || !uuid4.MatchString(b) {
		t.Errorf("request ids %q, %q are not lower-case version 4 UUIDs", a, b)
	}
	if a == b {
		t.Errorf("two request ids are both %q", a)
	}
}
