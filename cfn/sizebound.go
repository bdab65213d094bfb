package cfn

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"unsafe"

	"github.com/awslabs/goformation/v7/cloudformation"
)

// jsonSizeBound is at least the size of t as JSON writes it (jsonSize of
// its tree), worked out from t marshalled, without reading it into a tree:
// Build checks the 1 MB limit with it, and reads the tree only when the
// bound is over. ok is false when only the tree can say: t has a mapping
// Template.JSON would evaluate, a number out of float64's range, or
// brackets over 64 deep.
//
// JSON writes the marshalled text with a line break and indent before each
// element and each closing bracket, and a space after each colon. It
// writes each string no longer than encoding/json did (it does not escape
// <, > and &), except non-ASCII in a decoded placeholder, which is counted
// at 6 bytes a byte (an invalid byte becomes U+FFFD; U+2028 is escaped).
func jsonSizeBound(t *cloudformation.Template) (bound int, ok bool, err error) {
	var b sizeBounder
	ok = true
	err = eachMarshalled(t, func(id string, j []byte) error {
		if !ok {
			return nil
		}
		if id == "" {
			// The template without resources, then "Resources": {…} in it.
			n, res := b.bound(j, 0, false)
			ok = res == bounded
			bound += n + len(",\n  \"Resources\": {\n  }") + len("\n")
			return nil
		}
		n, res := b.bound(j, 2, false)
		ok = res == bounded
		bound += 1 + 2*2 + jsonStringSize(id) + len(": ") + n + len(",")
		return nil
	})
	return bound, ok, err
}

// sizeBounder bounds marshalled JSON's size as JSON writes it; scratch
// holds decoded placeholders.
type sizeBounder struct{ scratch []byte }

// boundResult says how bound ended.
type boundResult uint8

const (
	bounded   boundResult = iota
	treeOnly              // Template.JSON evaluates a mapping, a number is out of range, or it nests too deep
	malformed             // not JSON (a decoded string that is no placeholder)
)

// bound bounds data's size written at depth (the brackets around it).
// decoded says data is a decoded placeholder, whose one key is an
// intrinsic's.
func (b *sizeBounder) bound(data []byte, depth int, decoded bool) (size int, res boundResult) {
	var objects [64]bool // for each open bracket: is it an object's?
	open := 0
	key := false // the next string is a key
	for i := 0; i < len(data); i++ {
		switch c := data[i]; c {
		case ' ', '\t', '\n', '\r':
			// encoding/json writes none; a placeholder's own white space is
			// counted as text (more than it costs).
			size++
		case '{', '[':
			if open == len(objects) {
				return 0, treeOnly
			}
			objects[open] = c == '{'
			open++
			key = c == '{'
			depth++
			size += 1 + 1 + 2*depth // the bracket; the first element's line
		case ',':
			if open == 0 {
				return 0, malformed
			}
			key = objects[open-1]
			size += 1 + 1 + 2*depth
		case '}', ']':
			if open == 0 {
				return 0, malformed
			}
			open--
			depth--
			size += 1 + 1 + 2*depth // the line before the bracket; the bracket
		case ':':
			key = false
			size += len(": ")
		case '"':
			end := i + 1
			for end < len(data) && data[end] != '"' {
				if data[end] == '\\' {
					end++
				}
				end++
			}
			if end >= len(data) {
				return 0, malformed
			}
			s := unsafe.String(unsafe.SliceData(data[i+1:]), end-i-1) // data is not written to
			n := end + 1 - i
			if escaped(s) {
				// The reader compares and decodes the string unescaped: a
				// key written "Re\u0066", a placeholder whose line breaks
				// are written \n.
				var u string
				if json.Unmarshal(data[i:end+1], &u) != nil {
					return 0, malformed
				}
				s = u
			}
			switch {
			case key:
				if intrinsicKeys[s] && !(decoded && open == 1) {
					return 0, treeOnly // Template.JSON evaluates this mapping
				}
				if decoded {
					n += 5 * nonASCII(data[i+1:end])
				}
			case mayBePlaceholder(s):
				sub, res := b.placeholder(s, depth)
				if res == treeOnly {
					return 0, treeOnly
				}
				if res == bounded {
					n = max(n, sub)
				}
			case decoded:
				n += 5 * nonASCII(data[i+1:end])
			}
			size += n
			i = end
		default: // a number, true, false or null
			end := i
			for end < len(data) && !isJSONDelimiter(data[end]) {
				end++
			}
			lit := data[i:end]
			n := len(lit)
			if c == '-' || '0' <= c && c <= '9' {
				text := float64Text(unsafe.String(unsafe.SliceData(lit), len(lit)))
				if text == "" {
					return 0, treeOnly // out of float64's range (or, decoded, no number)
				}
				n = max(n, len(text))
			}
			size += n
			i = end - 1
		}
	}
	return size, bounded
}

// placeholder bounds the size of the intrinsic that placeholder s stands
// for, written at depth: malformed when s is no placeholder.
func (b *sizeBounder) placeholder(s string, depth int) (int, boundResult) {
	need := base64.StdEncoding.DecodedLen(len(s))
	if cap(b.scratch) < need {
		b.scratch = make([]byte, max(need, 4<<10))
	}
	buf := b.scratch[:need]
	n, err := base64.StdEncoding.Decode(buf, unsafe.Slice(unsafe.StringData(s), len(s))) // read only
	if err != nil {
		return 0, malformed
	}
	// The decoded text is bounded before the scratch is used again. Text
	// that is not JSON is no placeholder, and what the bound says of it is
	// of no account: the tree keeps the string.
	sub := sizeBounder{}
	return sub.bound(buf[:n], depth, true)
}

// nonASCII counts b's bytes from 0x80: JSON writes each in at most 6.
func nonASCII(b []byte) int {
	n := 0
	for _, c := range b {
		if c >= 0x80 {
			n++
		}
	}
	return n
}

// escaped says whether the reader may read string s (as marshalled, escapes
// and all) as an intrinsic's key or a placeholder that the bound cannot
// tell from s as written: s has an escape, and is short (a key) or has
// nothing but base64's characters and escapes (a placeholder whose line
// breaks are escaped). Other escaped strings are counted as written.
func escaped(s string) bool {
	if strings.IndexByte(s, '\\') < 0 {
		return false
	}
	if len(s) <= 6*len("Fn::ImportValue") {
		return true
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(isAlnum(c) || c == '+' || c == '/' || c == '=' || c == '\\') {
			return false
		}
	}
	return true
}

func isJSONDelimiter(c byte) bool {
	return c == ',' || c == '}' || c == ']' || c == ':' || c == ' ' || c == '\t' || c == '\n' || c == '\r'
}

// checkTemplateSize refuses t when it is over CloudFormation's 1 MB as
// JSON (the larger of the two forms ddnsgen writes). The bound settles it
// almost always; the tree, which costs more, only near the limit.
func checkTemplateSize(t *cloudformation.Template) error {
	bound, ok, err := jsonSizeBound(t)
	if err != nil {
		return err
	}
	if ok && bound <= MaxTemplateBytes {
		return nil
	}
	root, err := readTemplate(t)
	if err != nil {
		return err
	}
	return checkTreeSize(root)
}

// checkTreeSize refuses a template (root, as read) over 1 MB as JSON.
func checkTreeSize(root *node) error {
	if n := jsonSize(root); n > MaxTemplateBytes {
		return bad("devices", strconv.Itoa(n)+" bytes", "the template is over CloudFormation's "+strconv.Itoa(MaxTemplateBytes)+" bytes")
	}
	return nil
}
