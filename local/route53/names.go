package route53

import (
	"fmt"
	"net/netip"
	"strings"
	"unicode/utf8"
)

// Limits from Route 53's DNS Domain Name Format page: "Each label can be up
// to 63 bytes long. The total length of a domain name cannot exceed 255
// bytes, including the dots."
const (
	maxLabelBytes = 63
	maxNameBytes  = 255
)

// NormalizeRecordName returns name as IAM sees it in the condition key
// route53:ChangeResourceRecordSetsNormalizedRecordNames: letters in lower
// case (also ones given as escapes), no trailing dot, and every byte other
// than a-z, 0-9, '-', '_' and the '.' between labels written as a
// three-digit octal escape ("*.example.com" → `\052.example.com`).
//
// name is what a request's <Name> holds. An error says why Route 53 would
// refuse the name; a policy value built from such a name can never match.
func NormalizeRecordName(name string) (string, error) {
	labels, problem := parseName(name)
	if problem != nil {
		return "", problem
	}
	return normalizeLabels(labels), nil
}

// nameProblem is a name Route 53 refuses; its text is Route 53's FATAL
// problem message, which callers wrap as the context requires.
type nameProblem struct{ msg string }

func (p *nameProblem) Error() string { return p.msg }

func fatal(kind, description, subject string) *nameProblem {
	return &nameProblem{fmt.Sprintf("FATAL problem: %s (%s) encountered with '%s'", kind, description, subject)}
}

// parseName splits a name in Route 53's presentation format into labels of
// raw bytes. It returns a *nameProblem for a name Route 53 refuses and an
// *Error (CodeLabUnsupported) for an escape AWS does not document.
func parseName(name string) ([][]byte, error) {
	var labels [][]byte
	var label []byte
	var rawLabel strings.Builder // the label as written, for messages
	var rawLabels []string
	endedWithDot := false
	for i := 0; i < len(name); {
		endedWithDot = false
		c := name[i]
		switch {
		case c == '\\':
			b, ok := octalEscape(name[i:])
			if !ok {
				return nil, labUnsupported("name %q: Route 53 documents only \\ followed by three octal digits (000-377)", name)
			}
			label = append(label, b)
			rawLabel.WriteString(name[i : i+4])
			i += 4
		case c == '.':
			labels = append(labels, label)
			rawLabels = append(rawLabels, rawLabel.String())
			label, rawLabel = nil, strings.Builder{}
			endedWithDot = true
			i++
		case c <= ' ' || c >= 0x7f:
			r, _ := utf8.DecodeRuneInString(name[i:])
			return nil, fatal("UnsupportedCharacter", "Value contains unsupported characters", string(r))
		default:
			label = append(label, c)
			rawLabel.WriteByte(c)
			i++
		}
	}
	// A trailing dot is optional: "www.example.com." and "www.example.com"
	// are the same name. Without one, the last label is still open.
	if !endedWithDot {
		labels = append(labels, label)
		rawLabels = append(rawLabels, rawLabel.String())
	}
	total := 0
	for i, l := range labels {
		if len(l) == 0 {
			return nil, fatal("DomainLabelEmpty", "Domain label is empty", name)
		}
		if len(l) > maxLabelBytes {
			return nil, fatal("DomainLabelTooLong", "Domain label is too long", truncate(rawLabels[i], maxLabelBytes+1))
		}
		total += len(l) + 1
	}
	if total > maxNameBytes {
		return nil, fatal("DomainNameTooLong", "Domain name is too long", name)
	}
	return labels, nil
}

// octalEscape reads `\ooo` at the start of s.
func octalEscape(s string) (byte, bool) {
	if len(s) < 4 {
		return 0, false
	}
	v := 0
	for _, d := range s[1:4] {
		if d < '0' || d > '7' {
			return 0, false
		}
		v = v*8 + int(d-'0')
	}
	if v > 0377 {
		return 0, false
	}
	return byte(v), true
}

func normalizeLabels(labels [][]byte) string {
	var b strings.Builder
	for i, l := range labels {
		if i > 0 {
			b.WriteByte('.')
		}
		for _, c := range l {
			switch {
			case 'A' <= c && c <= 'Z':
				b.WriteByte(c + 'a' - 'A')
			case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_':
				b.WriteByte(c)
			default:
				fmt.Fprintf(&b, "\\%03o", c)
			}
		}
	}
	return b.String()
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// invalidRecord wraps a FATAL problem the way Route 53 reports a bad value.
func invalidRecord(problem string) string {
	return "Invalid Resource Record: '" + problem + "'"
}

// checkValue returns Route 53's message for a value it refuses for the
// record type, and a key under which two values count as duplicates. An
// *Error (CodeLabUnsupported) means the lab cannot judge the value.
func checkValue(typ, value string) (message, key string, err error) {
	switch typ {
	case "A":
		if !isDottedQuad(value) {
			return invalidRecord(fatal("ARRDATAIllegalIPv4Address", "Value is not a valid IPv4 address", value).msg), "", nil
		}
		return "", value, nil
	case "AAAA":
		a, perr := netip.ParseAddr(value)
		if perr != nil || !a.Is6() || a.Zone() != "" {
			return invalidRecord(fatal("AAAARRDATAIllegalIPv6Address", "Value is not a valid IPv6 address", value).msg), "", nil
		}
		return "", a.String(), nil
	case "CNAME":
		labels, perr := parseName(value)
		if p, ok := perr.(*nameProblem); ok {
			return invalidRecord(p.msg), "", nil
		}
		if perr != nil {
			return "", "", perr
		}
		return "", normalizeLabels(labels), nil
	case "TXT":
		problem, err := checkTXT(value)
		if problem != "" || err != nil {
			return problem, "", err
		}
		return "", value, nil
	}
	return "", "", labUnsupported("record type %s: the lab checks only A, AAAA, CNAME and TXT values", typ)
}

// isDottedQuad accepts exactly four decimal numbers 0-255 joined by dots,
// with no leading zeros ("01.2.3.4" is refused) and no spaces.
func isDottedQuad(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return false
	}
	for _, p := range parts {
		if len(p) == 0 || len(p) > 3 || len(p) > 1 && p[0] == '0' {
			return false
		}
		n := 0
		for _, d := range p {
			if d < '0' || d > '9' {
				return false
			}
			n = n*10 + int(d-'0')
		}
		if n > 255 {
			return false
		}
	}
	return true
}

// checkTXT checks a TXT value: one or more strings in double quotes,
// separated by spaces, each at most 255 characters after unescaping (\" and
// \\ for a quote or backslash, \ooo for any byte).
func checkTXT(value string) (string, error) {
	notQuoted := invalidRecord(fatal("InvalidCharacterString", "Value should be enclosed in quotation marks", value).msg)
	tooLong := invalidRecord(fatal("CharacterStringTooLong", "Value is too long", value).msg)
	i, count := 0, 0
	for {
		for i < len(value) && value[i] == ' ' {
			i++
		}
		if i == len(value) {
			break
		}
		if value[i] != '"' {
			return notQuoted, nil
		}
		i++
		n := 0
		for {
			if i == len(value) {
				return notQuoted, nil
			}
			c := value[i]
			if c == '"' {
				i++
				break
			}
			switch {
			case c == '\\' && i+1 < len(value) && (value[i+1] == '"' || value[i+1] == '\\'):
				i += 2
			case c == '\\':
				if _, ok := octalEscape(value[i:]); !ok {
					return "", labUnsupported("TXT value %q: Route 53 documents only \\\", \\\\ and \\ooo escapes", value)
				}
				i += 4
			case c < ' ' || c >= 0x7f:
				return "", labUnsupported("TXT value %q: Route 53 asks for bytes outside printable ASCII as \\ooo escapes; what it does with raw ones is not documented", value)
			default:
				i++
			}
			n++
		}
		if n > 255 {
			return tooLong, nil
		}
		count++
		if i < len(value) && value[i] != ' ' {
			return notQuoted, nil
		}
	}
	if count == 0 {
		return notQuoted, nil
	}
	return "", nil
}
