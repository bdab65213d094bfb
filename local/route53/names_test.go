package route53

import (
	"errors"
	"testing"
)

// Examples from AWS's documentation:
//
//   - https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/specifying-rrset-conditions.html
//     "All letters must be lowercase. The DNS name must be without the
//     trailing dot. Characters other than a–z, 0–9, - (hyphen), _
//     (underscore), and . (period, as a delimiter between labels) must use
//     escape codes in the format \three-digit octal code. For example, \052
//     is the octal code for character *." Its example policy allows
//     "*.example.com" as "\\052.example.com" (JSON for \052.example.com).
//   - https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DomainNameFormat.html
//     "Route 53 stores alphabetic characters as lowercase letters (a-z),
//     regardless of how you specify them: as uppercase letters, lowercase
//     letters, or the corresponding letters in escape codes." "to create a
//     hosted zone for exämple.com, you specify ex\344mple.com." "\.
//     (period), character 056 octal ... when used as a character in a
//     domain name."
func TestNormalizeRecordName(t *testing.T) {
	tests := []struct{ name, want string }{
		{"example.com", "example.com"},
		{"marketing.example.com", "marketing.example.com"},
		{"*.example.com", `\052.example.com`},
		{"*.example.com.", `\052.example.com`},
		{`\052.example.com`, `\052.example.com`},
		{"Example.COM.", "example.com"},
		{`\101\102c.example.com`, "abc.example.com"},
		{`ex\344mple.com`, `ex\344mple.com`},
		{`a\056b.example.com`, `a\056b.example.com`},
		{"prod.*.example.com", `prod.\052.example.com`},
		{"_acme-challenge.example.com", "_acme-challenge.example.com"},
		{"a+b@c.example.com", `a\053b\100c.example.com`},
		{`a\040b.example.com`, `a\040b.example.com`},
	}
	for _, tt := range tests {
		got, err := NormalizeRecordName(tt.name)
		if err != nil || got != tt.want {
			t.Errorf("NormalizeRecordName(%q) = %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
}

func TestNormalizeRecordNameRefuses(t *testing.T) {
	tests := []struct{ name, want string }{
		{"a..example.com", "FATAL problem: DomainLabelEmpty (Domain label is empty) encountered with 'a..example.com'"},
		{"a b.example.com", "FATAL problem: UnsupportedCharacter (Value contains unsupported characters) encountered with ' '"},
		{"", "FATAL problem: DomainLabelEmpty (Domain label is empty) encountered with ''"},
		{`a\400.example.com`, `ddnsgen lab: name "a\\400.example.com": Route 53 documents only \ followed by three octal digits (000-377)`},
		{`a.example.com\`, `ddnsgen lab: name "a.example.com\\": Route 53 documents only \ followed by three octal digits (000-377)`},
	}
	for _, tt := range tests {
		got, err := NormalizeRecordName(tt.name)
		if err == nil {
			t.Errorf("NormalizeRecordName(%q) = %q, want an error", tt.name, got)
			continue
		}
		var labErr *Error
		msg := err.Error()
		if errors.As(err, &labErr) {
			msg = labErr.Message
		}
		if msg != tt.want {
			t.Errorf("NormalizeRecordName(%q) error %q, want %q", tt.name, msg, tt.want)
		}
	}
}

// An escaped dot is part of a label, not a separator, so it neither ends
// the name nor splits it.
func TestEscapedDotIsPartOfTheLabel(t *testing.T) {
	got, err := NormalizeRecordName(`www\056.example.com.`)
	if err != nil || got != `www\056.example.com` {
		t.Errorf("got %q, %v", got, err)
	}
	got, err = NormalizeRecordName(`example.com\056`)
	if err != nil || got != `example.com\056` {
		t.Errorf("a final escaped dot: got %q, %v", got, err)
	}
}
