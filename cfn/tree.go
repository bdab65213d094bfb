package cfn

import (
	"container/heap"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/awslabs/goformation/v7/cloudformation"
)

// node is one value of a template, in the order the writers write it. A
// mapping's content is key, value, key, value; a key is a stringNode.
type node struct {
	kind    nodeKind
	value   string // a scalar's text: a string, or a number, true, false or null as JSON writes it
	content []*node
	flow    bool // YAML writes this mapping or sequence in flow style (see markFlow)
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
	var r *jsonReader
	var resources *node
	err = eachMarshalled(t, func(id string, j []byte) error {
		if r == nil { // the template without its resources
			r = &jsonReader{data: j, decode: true, sorted: true}
			if root, err = r.read(); err != nil {
				return fmt.Errorf("cfn: reading marshalled template: %w", err)
			}
			if root.kind == mappingNode && len(t.Resources) > 0 {
				resources = r.newNode(mappingNode, "")
			}
			return nil
		}
		if resources == nil {
			return nil
		}
		rr := &jsonReader{data: j, decode: true, sorted: true, nodes: r.nodes, bytes: r.bytes}
		v, err := rr.read()
		if err != nil {
			return fmt.Errorf("cfn: reading marshalled template: resource %s: %w", id, err)
		}
		r.nodes, r.bytes, r.evaluated = rr.nodes, rr.bytes, r.evaluated || rr.evaluated
		resources.content = append(resources.content, r.newNode(stringNode, id), v)
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	if resources == nil {
		return root, r.evaluated, nil
	}
	i := 0
	for i < len(root.content) && root.content[i].value < "Resources" {
		i += 2
	}
	root.content = slices.Insert(root.content, i, r.newNode(stringNode, "Resources"), resources)
	return root, r.evaluated, nil
}

// eachMarshalled calls f with t marshalled without its resources (id ""),
// then with each resource as its own MarshalJSON writes it, by id.
func eachMarshalled(t *cloudformation.Template, f func(id string, j []byte) error) error {
	rest := *t
	rest.Resources = nil
	j, err := json.Marshal(&rest)
	if err != nil {
		return fmt.Errorf("cfn: marshalling template: %w", err)
	}
	if err := f("", j); err != nil {
		return err
	}
	for _, id := range slices.Sorted(maps.Keys(t.Resources)) {
		b, err := marshalResource(t.Resources[id])
		if err != nil {
			return fmt.Errorf("cfn: marshalling template: resource %s: %w", id, err)
		}
		if err := f(id, b); err != nil {
			return err
		}
	}
	return nil
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
