package route53

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Namespace is the XML namespace of Route 53's 2013-04-01 API. Requests must
// use it and error bodies declare it.
const Namespace = "https://route53.amazonaws.com/doc/2013-04-01/"

// CodeLabUnsupported is the code of an Error the lab itself raises when a
// request is outside what this package can judge (an element Route 53
// accepts but the lab does not check, a body larger than MaxRequestBytes,
// an escape whose meaning AWS does not document). Real Route 53 never sends
// it; the lab answers 501 so that nothing it cannot check is forwarded as if
// it had passed.
const CodeLabUnsupported = "DdnsgenLabUnsupported"

// Error is an answer Route 53 (or IAM in front of it) gives instead of
// applying a change batch. Status is the HTTP status, Code and Message are
// what the body carries. Body renders it byte for byte as Route 53 does.
type Error struct {
	Status  int
	Code    string
	Message string
	// Messages lists the separate problems of an InvalidChangeBatch error;
	// Message is them joined the way Route 53 joins them: "[a, b]".
	Messages []string
	// RequestID goes in the body's <RequestId> and the x-amzn-RequestId
	// header. Body, LegacyBody and WriteResponse set a new one (see
	// NewRequestID) when it is empty, so one answer's header and body agree.
	RequestID string
}

// Error returns "route53: STATUS CODE: MESSAGE".
func (e *Error) Error() string {
	return fmt.Sprintf("route53: %d %s: %s", e.Status, e.Code, e.Message)
}

// Type is the <Type> element of the body: "Sender" for a 4xx, "Receiver"
// for a 5xx.
func (e *Error) Type() string {
	if e.Status >= 500 {
		return "Receiver"
	}
	return "Sender"
}

// Body returns the body Route 53 sends with this error:
//
//	<?xml version="1.0"?>
//	<ErrorResponse xmlns="…"><Error><Type>Sender</Type><Code>…</Code><Message>…</Message></Error><RequestId>…</RequestId></ErrorResponse>
//
// with one newline after the declaration and none at the end (a captured
// 400 InvalidInput answer was exactly 259 bytes, which only this layout
// gives). InvalidChangeBatch comes in this shape too, with Message "[a, b]"
// (bodies captured in 2014, 2018 and 2024; aws-sdk-kotlin#1435: "Route53 no
// longer returns non-standard InvalidChangeBatch errors"); LegacyBody gives
// the other shape.
func (e *Error) Body() []byte {
	requestID := e.requestID()
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?>` + "\n")
	b.WriteString(`<ErrorResponse xmlns="` + Namespace + `"><Error><Type>`)
	b.WriteString(e.Type())
	b.WriteString("</Type><Code>")
	b.WriteString(escapeText(e.Code))
	b.WriteString("</Code><Message>")
	b.WriteString(escapeText(e.Message))
	b.WriteString("</Message></Error><RequestId>")
	b.WriteString(escapeText(requestID))
	b.WriteString("</RequestId></ErrorResponse>")
	return []byte(b.String())
}

// LegacyBody returns the shape Route 53 used for InvalidChangeBatch before
// late 2024, which the AWS SDKs still special-case:
//
//	<?xml version="1.0" encoding="UTF-8"?>
//	<InvalidChangeBatch xmlns="…"><Messages><Message>…</Message></Messages><RequestId>…</RequestId></InvalidChangeBatch>
//
// It has no <Code>. Use it to check that a response template copes with
// both shapes. For any other code it returns Body.
func (e *Error) LegacyBody() []byte {
	if e.Code != "InvalidChangeBatch" {
		return e.Body()
	}
	requestID := e.requestID()
	messages := e.Messages
	if messages == nil {
		messages = []string{e.Message}
	}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<InvalidChangeBatch xmlns="` + Namespace + `"><Messages>`)
	for _, m := range messages {
		b.WriteString("<Message>" + escapeText(m) + "</Message>")
	}
	b.WriteString("</Messages><RequestId>" + escapeText(requestID) + "</RequestId></InvalidChangeBatch>")
	return []byte(b.String())
}

// WriteResponse writes the error as Route 53 answers it: the status, a
// text/xml body from Body, and the request id in x-amzn-RequestId.
func (e *Error) WriteResponse(w http.ResponseWriter) {
	body := e.Body()
	h := w.Header()
	h.Set("Content-Type", "text/xml")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("x-amzn-RequestId", e.RequestID)
	w.WriteHeader(e.Status)
	w.Write(body)
}

func (e *Error) requestID() string {
	if e.RequestID == "" {
		e.RequestID = NewRequestID()
	}
	return e.RequestID
}

// NewRequestID returns a random request id in the form Route 53 uses now:
// a lower-case version 4 UUID.
func NewRequestID() string {
	var u [16]byte
	rand.Read(u[:])
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// InvalidChangeBatch is Route 53's 400 for a batch that is well-formed but
// cannot be applied; each message names one problem.
func InvalidChangeBatch(messages ...string) *Error {
	return &Error{
		Status:   http.StatusBadRequest,
		Code:     "InvalidChangeBatch",
		Message:  "[" + strings.Join(messages, ", ") + "]",
		Messages: messages,
	}
}

// InvalidInput is Route 53's 400 for a request that breaks its XML schema
// or request rules.
func InvalidInput(message string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "InvalidInput", Message: message}
}

// MalformedInput is Route 53's 400 for a body that is not the expected
// document at all.
func MalformedInput(message string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "MalformedInput", Message: message}
}

// Throttling is the 400 Route 53 sends above five requests a second per
// account (DNSLimitations: Code Throttling, Message "Rate exceeded").
func Throttling() *Error {
	return &Error{Status: http.StatusBadRequest, Code: "Throttling", Message: "Rate exceeded"}
}

// PriorRequestNotComplete is the 400 Route 53 sends while it is still
// applying an earlier change to the same zone (message from DNSLimitations).
func PriorRequestNotComplete() *Error {
	return &Error{
		Status:  http.StatusBadRequest,
		Code:    "PriorRequestNotComplete",
		Message: "The request was rejected because Route 53 was still processing a prior request.",
	}
}

// NoSuchHostedZone is the 404 for an unknown zone id.
func NoSuchHostedZone(zoneID string) *Error {
	return &Error{Status: http.StatusNotFound, Code: "NoSuchHostedZone", Message: "No hosted zone found with ID: " + zoneID}
}

// InternalFailure is the 500 of AWS's common errors.
func InternalFailure() *Error {
	return &Error{
		Status:  http.StatusInternalServerError,
		Code:    "InternalFailure",
		Message: "The request processing has failed because of an unknown error, exception or failure.",
	}
}

// ServiceUnavailable is the 503 of AWS's common errors.
func ServiceUnavailable() *Error {
	return &Error{
		Status:  http.StatusServiceUnavailable,
		Code:    "ServiceUnavailable",
		Message: "The request has failed due to a temporary failure of the server.",
	}
}

func labUnsupported(format string, args ...any) *Error {
	return &Error{
		Status:  http.StatusNotImplemented,
		Code:    CodeLabUnsupported,
		Message: "ddnsgen lab: " + fmt.Sprintf(format, args...),
	}
}

// escapeText escapes a message the way Route 53 does: &, < and > as
// entities and " as &quot; (seen in a captured body); ' stays as it is.
func escapeText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}
