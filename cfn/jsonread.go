package cfn

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// intrinsicKeys are the keys goformation's intrinsics.ProcessJSON (behind
// Template.JSON) evaluates: a placeholder string that decodes to a one-key
// object with one of them is that object.
var intrinsicKeys = map[string]bool{
	"Fn::Base64": true, "Fn::And": true, "Fn::Equals": true, "Fn::If": true, "Fn::Not": true,
	"Fn::Or": true, "Fn::FindInMap": true, "Fn::GetAtt": true, "Fn::GetAZs": true,
	"Fn::ImportValue": true, "Fn::Join": true, "Fn::Select": true, "Fn::Split": true,
	"Fn::Sub": true, "Ref": true, "Fn::Cidr": true, "Fn::Transform": true,
}

// jsonReader reads JSON that encoding/json wrote (so valid) into nodes.
type jsonReader struct {
	data []byte
	pos  int
	// decode turns goformation's placeholders into the intrinsics they
	// stand for, and writes numbers as float64s, as Template.JSON does.
	decode bool
	// sorted sorts each object's keys (the last of equal keys wins), as
	// Template.JSON's round trip through map[string]any does.
	sorted bool
	// evaluated is set when an object has a key Template.JSON would
	// evaluate rather than keep.
	evaluated bool
	// nodes and bytes are slabs that nodes and decoded placeholders come
	// from, to allocate less often.
	nodes []node
	bytes []byte
}

func (r *jsonReader) read() (*node, error) { return r.readValue(false) }

// readValue reads the whole of r.data; top as for value.
func (r *jsonReader) readValue(top bool) (n *node, err error) {
	defer func() {
		if e := recover(); e != nil {
			if je, ok := e.(jsonError); ok {
				n, err = nil, je
				return
			}
			panic(e)
		}
	}()
	n = r.value(top)
	r.space()
	if r.pos != len(r.data) {
		r.fail("data after the value")
	}
	return n, nil
}

type jsonError string

func (e jsonError) Error() string { return string(e) }

func (r *jsonReader) fail(what string) {
	panic(jsonError(fmt.Sprintf("JSON at byte %d: %s", r.pos, what)))
}

func (r *jsonReader) newNode(k nodeKind, value string) *node {
	if len(r.nodes) == cap(r.nodes) {
		r.nodes = make([]node, 0, 256)
	}
	r.nodes = append(r.nodes, node{kind: k, value: value})
	return &r.nodes[len(r.nodes)-1]
}

func (r *jsonReader) space() {
	for r.pos < len(r.data) {
		switch r.data[r.pos] {
		case ' ', '\t', '\n', '\r':
			r.pos++
		default:
			return
		}
	}
}

// value reads one value; top says it is a decoded placeholder's object,
// whose one key Template.JSON keeps rather than evaluates.
func (r *jsonReader) value(top bool) *node {
	r.space()
	if r.pos >= len(r.data) {
		r.fail("unexpected end")
	}
	switch c := r.data[r.pos]; {
	case c == '{':
		return r.object(top)
	case c == '[':
		r.pos++
		n := r.newNode(sequenceNode, "")
		r.space()
		if r.pos < len(r.data) && r.data[r.pos] == ']' {
			r.pos++
			n.content = []*node{}
			return n
		}
		for {
			n.content = append(n.content, r.value(false))
			r.space()
			if r.pos >= len(r.data) {
				r.fail("unexpected end in an array")
			}
			r.pos++
			switch r.data[r.pos-1] {
			case ',':
				continue
			case ']':
				return n
			}
			r.fail("expected , or ]")
		}
	case c == '"':
		s := r.string()
		if r.decode {
			if n := r.placeholder(s); n != nil {
				return n
			}
		}
		return r.newNode(stringNode, s)
	default:
		start := r.pos
		for r.pos < len(r.data) {
			c := r.data[r.pos]
			if c == ',' || c == '}' || c == ']' || c == ' ' || c == '\n' || c == '\t' || c == '\r' {
				break
			}
			r.pos++
		}
		lit := string(r.data[start:r.pos])
		switch {
		case lit == "true" || lit == "false" || lit == "null":
		case lit == "" || !(lit[0] == '-' || '0' <= lit[0] && lit[0] <= '9'):
			r.fail("unexpected " + strconv.Quote(lit))
		case r.decode:
			lit = float64Text(lit)
			if lit == "" {
				r.evaluated = true // out of float64's range: let Template.JSON say so
				lit = "0"
			}
		}
		return r.newNode(literalNode, lit)
	}
}

// float64Text is number as encoding/json writes it once read into a
// float64, or "" when it does not fit one.
func float64Text(number string) string {
	if len(number) <= 15 {
		plain := true
		for i := 0; i < len(number); i++ {
			if c := number[i]; !('0' <= c && c <= '9' || c == '-' && i == 0) {
				plain = false
				break
			}
		}
		if plain { // an integer float64 holds exactly, written back the same
			return number
		}
	}
	f, err := strconv.ParseFloat(number, 64)
	if err != nil {
		return ""
	}
	b, err := json.Marshal(f)
	if err != nil {
		return ""
	}
	return string(b)
}

func (r *jsonReader) object(top bool) *node {
	r.pos++ // {
	n := r.newNode(mappingNode, "")
	n.content = []*node{}
	r.space()
	if r.pos < len(r.data) && r.data[r.pos] == '}' {
		r.pos++
		return n
	}
	for {
		r.space()
		if r.pos >= len(r.data) || r.data[r.pos] != '"' {
			r.fail("expected a key")
		}
		key := r.string()
		if r.decode && !top && intrinsicKeys[key] {
			r.evaluated = true
		}
		r.space()
		if r.pos >= len(r.data) || r.data[r.pos] != ':' {
			r.fail("expected :")
		}
		r.pos++
		v := r.value(false)
		n.content = append(n.content, r.newNode(stringNode, key), v)
		r.space()
		if r.pos >= len(r.data) {
			r.fail("unexpected end in an object")
		}
		r.pos++
		switch r.data[r.pos-1] {
		case ',':
			continue
		case '}':
			if r.sorted {
				sortKeys(n)
			}
			return n
		}
		r.fail("expected , or }")
	}
}

// sortKeys sorts a mapping's keys bytewise and keeps the last of equal keys,
// as a round trip through map[string]any does.
func sortKeys(n *node) {
	sorted := true
	for i := 2; i < len(n.content); i += 2 {
		if n.content[i-2].value >= n.content[i].value {
			sorted = false
			break
		}
	}
	if sorted {
		return
	}
	sort.Stable(pairs(n.content))
	out := n.content[:0]
	for i := 0; i+1 < len(n.content); i += 2 {
		if i+2 < len(n.content) && n.content[i+2].value == n.content[i].value {
			continue // a later one wins
		}
		out = append(out, n.content[i], n.content[i+1])
	}
	n.content = out
}

// pairs sorts a mapping's content by key, in place.
type pairs []*node

func (p pairs) Len() int           { return len(p) / 2 }
func (p pairs) Less(i, j int) bool { return p[2*i].value < p[2*j].value }
func (p pairs) Swap(i, j int) {
	p[2*i], p[2*j] = p[2*j], p[2*i]
	p[2*i+1], p[2*j+1] = p[2*j+1], p[2*i+1]
}

// string reads a JSON string. Invalid UTF-8 becomes U+FFFD, byte by byte,
// as encoding/json reads it.
func (r *jsonReader) string() string {
	r.pos++ // "
	start := r.pos
	ascii := true
	for r.pos < len(r.data) {
		c := r.data[r.pos]
		if c == '"' {
			// r.data is never written to once read: the string can share it.
			s := unsafe.String(unsafe.SliceData(r.data[start:]), r.pos-start)
			r.pos++
			if ascii {
				return s
			}
			return validUTF8(s)
		}
		if c == '\\' {
			break
		}
		ascii = ascii && c < utf8.RuneSelf
		r.pos++
	}
	var b []byte
	b = append(b, r.data[start:r.pos]...)
	for r.pos < len(r.data) {
		c := r.data[r.pos]
		switch c {
		case '"':
			r.pos++
			return validUTF8(string(b))
		case '\\':
			if r.pos+1 >= len(r.data) {
				r.fail("unexpected end in a string")
			}
			e := r.data[r.pos+1]
			r.pos += 2
			switch e {
			case '"', '\\', '/':
				b = append(b, e)
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				rr := r.hex4()
				if utf16.IsSurrogate(rr) {
					rr2 := rune(-1)
					if r.pos+1 < len(r.data) && r.data[r.pos] == '\\' && r.data[r.pos+1] == 'u' {
						save := r.pos
						r.pos += 2
						rr2 = r.hex4()
						if d := utf16.DecodeRune(rr, rr2); d != utf8.RuneError {
							b = utf8.AppendRune(b, d)
							continue
						}
						r.pos = save
					}
					rr = utf8.RuneError
				}
				b = utf8.AppendRune(b, rr)
			default:
				r.fail("bad escape")
			}
		default:
			b = append(b, c)
			r.pos++
		}
	}
	r.fail("unexpected end in a string")
	return ""
}

func (r *jsonReader) hex4() rune {
	if r.pos+4 > len(r.data) {
		r.fail("short \\u escape")
	}
	v, err := strconv.ParseUint(string(r.data[r.pos:r.pos+4]), 16, 32)
	if err != nil {
		r.fail("bad \\u escape")
	}
	r.pos += 4
	return rune(v)
}

func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		c, size := utf8.DecodeRuneInString(s[i:])
		b.WriteRune(c) // RuneError for each invalid byte
		i += size
	}
	return b.String()
}

// placeholder returns the intrinsic a goformation placeholder stands for
// (a base64 string of a one-key JSON object whose key is an intrinsic
// function's), or nil when s is an ordinary string.
func (r *jsonReader) placeholder(s string) *node {
	if !mayBePlaceholder(s) {
		return nil
	}
	// Decoded into the reader's byte slab: the strings read from it share it.
	need := base64.StdEncoding.DecodedLen(len(s))
	if cap(r.bytes)-len(r.bytes) < need {
		r.bytes = make([]byte, 0, max(need, 16<<10))
	}
	buf := r.bytes[len(r.bytes) : len(r.bytes)+need]
	n, err := base64.StdEncoding.Decode(buf, unsafe.Slice(unsafe.StringData(s), len(s))) // read only
	if err != nil || !json.Valid(buf[:n]) {
		return nil
	}
	r.bytes = r.bytes[:len(r.bytes)+n]
	sub := jsonReader{data: buf[:n], decode: true, sorted: true, nodes: r.nodes, bytes: r.bytes}
	v, err := sub.readValue(true)
	r.nodes, r.bytes = sub.nodes, sub.bytes
	if err != nil || v.kind != mappingNode || len(v.content) != 2 || !intrinsicKeys[v.content[0].value] {
		return nil
	}
	// sub read the object's value as Template.JSON does (placeholders
	// within decoded, objects within evaluated); its key stays.
	r.evaluated = r.evaluated || sub.evaluated
	return v
}

// isPlaceholder says whether s is a goformation placeholder: base64 text
// that the writers (as Template.JSON) write as the intrinsic it decodes to.
func isPlaceholder(s string) bool {
	return (&jsonReader{decode: true}).placeholder(s) != nil
}

// mayBePlaceholder says whether s may be a goformation placeholder: base64
// that may decode to a JSON object.
func mayBePlaceholder(s string) bool {
	if len(s) < 4 {
		return false
	}
	// A JSON object, after any white space, starts with "{": in base64 its
	// first character is e ("{"), I (space), C (tab, line feed) or D (CR).
	// The decoder skips line breaks in s.
	first := strings.TrimLeft(s, "\r\n")
	if first == "" || !(first[0] == 'e' || first[0] == 'I' || first[0] == 'C' || first[0] == 'D') {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isAlnum(c) || c == '+' || c == '/' || c == '=' || c == '\r' || c == '\n') {
			return false
		}
	}
	return true
}

// documentTree is v (a document that is no template) as nodes, keys in the
// order json.Marshal gives them and numbers as it writes them.
func documentTree(v any) (*node, error) {
	j, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("cfn: marshalling document: %w", err)
	}
	r := &jsonReader{data: j}
	n, err := r.read()
	if err != nil {
		return nil, fmt.Errorf("cfn: reading marshalled document: %w", err)
	}
	return n, nil
}
