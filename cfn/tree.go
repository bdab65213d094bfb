package cfn

import (
	"container/heap"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"

	"github.com/awslabs/goformation/v7/cloudformation"
)

// node is one value of a template, in the order the writers write it. A
// mapping's content is key, value, key, value; a key is a stringNode.
type node struct {
	kind    nodeKind
	value   string // a scalar's text: a string, or a number, true, false or null as JSON writes it
	content []*node
}

type nodeKind uint8

const (
	mappingNode nodeKind = iota + 1
	sequenceNode
	stringNode
	literalNode // a number, true, false or null
)

// get returns the value of key in mapping n, or nil.
func (n *node) get(key string) *node {
	if n.kind != mappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.content); i += 2 {
		if n.content[i].value == key {
			return n.content[i+1]
		}
	}
	return nil
}

// tree is t as a node tree in the order we write: t marshalled once and
// read once, goformation's intrinsic placeholders (base64 strings) turned
// into the mappings they stand for, keys sorted as goformation's
// Template.JSON sorts them, then put in AWS's order.
//
// Template.JSON also evaluates any mapping of t whose key is an intrinsic
// function's (a literal {"Ref": …} in a property of type any, which
// ddnsgen never writes). Such a template takes Template.JSON's own path,
// so that every template gives what Template.JSON would.
func tree(t *cloudformation.Template) (*node, error) {
	root, err := readTemplate(t)
	if err != nil {
		return nil, err
	}
	order(root, sectionOrder)
	for _, section := range []struct {
		name  string
		order []string
	}{
		{"Parameters", []string{"Type", "Description"}},
		{"Resources", []string{"Type", "Condition", "DependsOn", "Metadata", "DeletionPolicy", "UpdateReplacePolicy", "Properties"}},
		{"Outputs", []string{"Description", "Value", "Export", "Condition"}},
	} {
		if s := root.get(section.name); s != nil {
			for i := 1; i < len(s.content); i += 2 {
				order(s.content[i], section.order)
			}
		}
	}
	if res := root.get("Resources"); res != nil {
		orderByDependency(res)
	}
	orderPolicies(root)
	orderResponses(root)
	return root, nil
}

// readTemplate is t as nodes in encoding/json's order (sorted keys).
func readTemplate(t *cloudformation.Template) (*node, error) {
	root, evaluated, err := readMarshalled(t)
	if err == nil && evaluated {
		var j []byte
		if j, err = t.JSON(); err != nil {
			return nil, fmt.Errorf("cfn: marshalling template: %w", err)
		}
		root, err = (&jsonReader{data: j, sorted: true}).read()
	}
	if err != nil {
		return nil, err
	}
	if root.kind != mappingNode {
		return nil, fmt.Errorf("cfn: reading marshalled template: not an object")
	}
	return root, nil
}

// readMarshalled reads t as json.Marshal writes it, but each resource as
// its own MarshalJSON writes it: json.Marshal would check and compact that
// again, a quarter of the time of writing a large stack.
func readMarshalled(t *cloudformation.Template) (root *node, evaluated bool, err error) {
	rest := *t
	rest.Resources = nil
	j, err := json.Marshal(&rest)
	if err != nil {
		return nil, false, fmt.Errorf("cfn: marshalling template: %w", err)
	}
	r := &jsonReader{data: j, decode: true, sorted: true}
	if root, err = r.read(); err != nil {
		return nil, false, fmt.Errorf("cfn: reading marshalled template: %w", err)
	}
	if len(t.Resources) == 0 || root.kind != mappingNode {
		return root, r.evaluated, nil
	}
	resources := r.newNode(mappingNode, "")
	for _, id := range slices.Sorted(maps.Keys(t.Resources)) {
		b, err := marshalResource(t.Resources[id])
		if err != nil {
			return nil, false, fmt.Errorf("cfn: marshalling template: resource %s: %w", id, err)
		}
		rr := &jsonReader{data: b, decode: true, sorted: true, nodes: r.nodes, bytes: r.bytes}
		v, err := rr.read()
		if err != nil {
			return nil, false, fmt.Errorf("cfn: reading marshalled template: resource %s: %w", id, err)
		}
		r.nodes, r.bytes, r.evaluated = rr.nodes, rr.bytes, r.evaluated || rr.evaluated
		resources.content = append(resources.content, r.newNode(stringNode, id), v)
	}
	i := 0
	for i < len(root.content) && root.content[i].value < "Resources" {
		i += 2
	}
	root.content = slices.Insert(root.content, i, r.newNode(stringNode, "Resources"), resources)
	return root, r.evaluated, nil
}

func marshalResource(res cloudformation.Resource) ([]byte, error) {
	m, ok := res.(json.Marshaler)
	if !ok {
		return json.Marshal(res)
	}
	if v := reflect.ValueOf(res); v.Kind() == reflect.Pointer && v.IsNil() {
		return []byte("null"), nil
	}
	return m.MarshalJSON()
}

var sectionOrder = []string{
	"AWSTemplateFormatVersion", "Transform", "Description", "Metadata", "Parameters",
	"Mappings", "Conditions", "Resources", "Outputs",
}

// order moves the listed keys of mapping n to the front, in the listed
// order; the other keys keep theirs (alphabetical, from encoding/json).
func order(n *node, first []string) {
	if n.kind != mappingNode {
		return
	}
	rank := func(key string) int {
		for i, k := range first {
			if k == key {
				return i
			}
		}
		return len(first)
	}
	type pair struct{ k, v *node }
	pairs := make([]pair, 0, len(n.content)/2)
	for i := 0; i+1 < len(n.content); i += 2 {
		pairs = append(pairs, pair{n.content[i], n.content[i+1]})
	}
	slices.SortStableFunc(pairs, func(a, b pair) int { return rank(a.k.value) - rank(b.k.value) })
	n.content = n.content[:0]
	for _, p := range pairs {
		n.content = append(n.content, p.k, p.v)
	}
}

// orderByDependency writes each resource after the resources it refers to
// (Ref, Fn::GetAtt, ${} in Fn::Sub, DependsOn), alphabetically where the
// order is free. A reader meets a resource before its users, and tools that
// create resources in file order (moto's change sets ignore DependsOn) get
// a Deployment after its Methods.
//
// It is Kahn's algorithm with the ready resources in a heap, so the next one
// is always the first ready one alphabetically: O(n log n + references).
// Resources in a cycle (CloudFormation would refuse them) come last,
// alphabetically.
func orderByDependency(resources *node) {
	type entry struct {
		k, v  *node
		users []int // resources that refer to this one
		wait  int   // resources this one refers to, not yet written
		done  bool
	}
	n := len(resources.content) / 2
	entries := make([]entry, n)
	index := make(map[string]int, n)
	for i := range entries {
		entries[i] = entry{k: resources.content[2*i], v: resources.content[2*i+1]}
	}
	slices.SortStableFunc(entries, func(a, b entry) int { return strings.Compare(a.k.value, b.k.value) })
	for i := range entries {
		index[entries[i].k.value] = i
	}
	seen := make(map[int]bool)
	for i := range entries {
		clear(seen)
		refersTo(entries[i].v, func(target string) {
			if j, ok := index[target]; ok && j != i && !seen[j] {
				seen[j] = true
				entries[j].users = append(entries[j].users, i)
				entries[i].wait++
			}
		})
	}
	ready := &intHeap{}
	for i := range entries {
		if entries[i].wait == 0 {
			ready.ints = append(ready.ints, i)
		}
	}
	heap.Init(ready)
	resources.content = resources.content[:0]
	for ready.Len() > 0 {
		i := heap.Pop(ready).(int)
		entries[i].done = true
		resources.content = append(resources.content, entries[i].k, entries[i].v)
		for _, u := range entries[i].users {
			if entries[u].wait--; entries[u].wait == 0 {
				heap.Push(ready, u)
			}
		}
	}
	for i := range entries { // a cycle: keep the rest alphabetical
		if !entries[i].done {
			resources.content = append(resources.content, entries[i].k, entries[i].v)
		}
	}
}

// intHeap is a min-heap of indexes into the sorted resources.
type intHeap struct{ ints []int }

func (h *intHeap) Len() int           { return len(h.ints) }
func (h *intHeap) Less(i, j int) bool { return h.ints[i] < h.ints[j] }
func (h *intHeap) Swap(i, j int)      { h.ints[i], h.ints[j] = h.ints[j], h.ints[i] }
func (h *intHeap) Push(x any)         { h.ints = append(h.ints, x.(int)) }
func (h *intHeap) Pop() any {
	x := h.ints[len(h.ints)-1]
	h.ints = h.ints[:len(h.ints)-1]
	return x
}

// refersTo calls fn with every logical ID n refers to.
func refersTo(n *node, fn func(string)) {
	if n.kind == mappingNode {
		for i := 0; i+1 < len(n.content); i += 2 {
			key, val := n.content[i].value, n.content[i+1]
			switch key {
			case "Ref":
				id, _, _ := strings.Cut(val.value, ".") // SAM's Api.Stage is Api's
				fn(id)
			case "DependsOn":
				if val.kind == stringNode || val.kind == literalNode {
					fn(val.value)
				}
				for _, c := range val.content {
					fn(c.value)
				}
			case "Fn::GetAtt":
				if val.kind == sequenceNode && len(val.content) > 0 {
					fn(val.content[0].value)
				}
			case "Fn::Sub":
				s := val
				if val.kind == sequenceNode && len(val.content) > 0 {
					s = val.content[0]
				}
				subRefs(s.value, fn)
			}
		}
	}
	for _, c := range n.content {
		refersTo(c, fn)
	}
}

// subRefs calls fn with the logical ID of each ${Id} and ${Id.Attribute} in
// a Fn::Sub string: what `\$\{([A-Za-z0-9]+)(\.[A-Za-z0-9.]+)?\}` finds.
func subRefs(s string, fn func(string)) {
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			return
		}
		s = s[i+2:]
		j := 0
		for j < len(s) && isAlnum(s[j]) {
			j++
		}
		if j == 0 || j == len(s) {
			continue
		}
		id, end := s[:j], j
		if s[end] == '.' {
			k := end + 1
			for k < len(s) && (isAlnum(s[k]) || s[k] == '.') {
				k++
			}
			if k == end+1 {
				continue
			}
			end = k
		}
		if end < len(s) && s[end] == '}' {
			fn(id)
			s = s[end+1:]
		}
	}
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// orderPolicies writes IAM policy documents the way AWS's docs do: Version
// before Statement, and Sid, Effect, Principal, Action, Resource, Condition.
func orderPolicies(n *node) {
	if n.kind == mappingNode {
		if st := n.get("Statement"); st != nil && n.get("Version") != nil {
			order(n, []string{"Version", "Statement"})
			if st.kind == sequenceNode {
				for _, s := range st.content {
					order(s, []string{"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"})
				}
			}
		}
	}
	for _, c := range n.content {
		orderPolicies(c)
	}
}

// orderResponses puts StatusCode and SelectionPattern first in integration
// and method responses: they say which response it is.
func orderResponses(n *node) {
	if n.kind == mappingNode && n.get("StatusCode") != nil {
		order(n, []string{"StatusCode", "SelectionPattern"})
	}
	for _, c := range n.content {
		orderResponses(c)
	}
}

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
	if len(s) < 4 {
		return nil
	}
	// A JSON object, after any white space, starts with "{": in base64 its
	// first character is e ("{"), I (space), C (tab, line feed) or D (CR).
	// The decoder skips line breaks in s.
	first := strings.TrimLeft(s, "\r\n")
	if first == "" || !(first[0] == 'e' || first[0] == 'I' || first[0] == 'C' || first[0] == 'D') {
		return nil
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isAlnum(c) || c == '+' || c == '/' || c == '=' || c == '\r' || c == '\n') {
			return nil
		}
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
