package cfn

import (
	"container/heap"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// orderTemplate puts a template's keys (sorted, as Template.JSON writes
// them) in the order AWS's documentation writes them, and each resource
// after the resources it refers to (orderByDependency). Keys not listed
// keep their alphabetical order.
func orderTemplate(root *yaml.Node) {
	orderKeys(root, "AWSTemplateFormatVersion", "Transform", "Description", "Metadata", "Parameters",
		"Mappings", "Conditions", "Resources", "Outputs")
	for _, section := range []struct {
		name  string
		order []string
	}{
		{"Parameters", []string{"Type", "Description"}},
		{"Resources", []string{"Type", "Condition", "DependsOn", "Metadata", "DeletionPolicy", "UpdateReplacePolicy", "Properties"}},
		{"Outputs", []string{"Description", "Value", "Export", "Condition"}},
	} {
		if s := valueOf(root, section.name); s != nil {
			for i := 1; i < len(s.Content); i += 2 {
				orderKeys(s.Content[i], section.order...)
			}
		}
	}
	if res := valueOf(root, "Resources"); res != nil {
		orderByDependency(res)
	}
	orderNested(root)
}

// orderNested writes IAM policy documents the way AWS's docs do (Version
// before Statement; Sid, Effect, Principal, Action, Resource, Condition),
// and puts StatusCode and SelectionPattern first in integration and method
// responses: they say which response it is.
func orderNested(n *yaml.Node) {
	if n.Kind == yaml.MappingNode {
		if st := valueOf(n, "Statement"); st != nil && valueOf(n, "Version") != nil {
			orderKeys(n, "Version", "Statement")
			for _, s := range st.Content {
				orderKeys(s, "Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition")
			}
		}
		if valueOf(n, "StatusCode") != nil {
			orderKeys(n, "StatusCode", "SelectionPattern")
		}
	}
	for _, c := range n.Content {
		orderNested(c)
	}
}

// orderKeys moves the listed keys of mapping n to the front, in the listed
// order; the other keys keep theirs.
func orderKeys(n *yaml.Node, first ...string) {
	if n.Kind != yaml.MappingNode {
		return
	}
	rank := func(key string) int {
		if i := slices.Index(first, key); i >= 0 {
			return i
		}
		return len(first)
	}
	pairs := slices.Collect(slices.Chunk(n.Content, 2))
	slices.SortStableFunc(pairs, func(a, b []*yaml.Node) int { return rank(a[0].Value) - rank(b[0].Value) })
	n.Content = slices.Concat(pairs...)
}

// orderByDependency writes each resource after the resources it refers to
// (Ref, Fn::GetAtt, ${} in Fn::Sub, DependsOn), alphabetically where the
// order is free. A reader meets a resource before its users, and tools that
// create resources in file order (moto's change sets ignore DependsOn) get
// a Deployment after its Methods.
//
// It is Kahn's algorithm with the ready resources in a heap, so the next
// one is always the first ready one alphabetically. Resources in a cycle
// (CloudFormation would refuse them) come last, alphabetically.
func orderByDependency(resources *yaml.Node) {
	type entry struct {
		pair  []*yaml.Node // the logical ID and the resource
		users []int        // resources that refer to this one
		wait  int          // resources this one refers to, not yet written
		done  bool
	}
	var entries []entry
	for pair := range slices.Chunk(resources.Content, 2) {
		entries = append(entries, entry{pair: pair})
	}
	slices.SortStableFunc(entries, func(a, b entry) int { return strings.Compare(a.pair[0].Value, b.pair[0].Value) })
	index := make(map[string]int, len(entries))
	for i, e := range entries {
		index[e.pair[0].Value] = i
	}
	for i := range entries {
		seen := map[int]bool{}
		refersTo(entries[i].pair[1], func(target string) {
			if j, ok := index[target]; ok && j != i && !seen[j] {
				seen[j] = true
				entries[j].users = append(entries[j].users, i)
				entries[i].wait++
			}
		})
	}
	ready := &readyHeap{}
	for i := range entries {
		if entries[i].wait == 0 {
			heap.Push(ready, i)
		}
	}
	ordered := make([]*yaml.Node, 0, len(resources.Content))
	for ready.Len() > 0 {
		i := heap.Pop(ready).(int)
		entries[i].done = true
		ordered = append(ordered, entries[i].pair...)
		for _, u := range entries[i].users {
			if entries[u].wait--; entries[u].wait == 0 {
				heap.Push(ready, u)
			}
		}
	}
	for _, e := range entries { // a cycle: the rest alphabetically
		if !e.done {
			ordered = append(ordered, e.pair...)
		}
	}
	resources.Content = ordered
}

// readyHeap holds the indexes of the resources ready to be written, the
// alphabetically first on top.
type readyHeap []int

func (h readyHeap) Len() int           { return len(h) }
func (h readyHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h readyHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *readyHeap) Push(x any)        { *h = append(*h, x.(int)) }
func (h *readyHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// subReference is a ${LogicalId} or ${LogicalId.Attribute} in a Fn::Sub
// string (not ${AWS::Region}, not ${!Literal}).
var subReference = regexp.MustCompile(`\$\{([A-Za-z0-9]+)(\.[A-Za-z0-9.]+)?\}`)

// refersTo calls fn with every logical ID n refers to.
func refersTo(n *yaml.Node, fn func(id string)) {
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			switch key, val := n.Content[i].Value, n.Content[i+1]; key {
			case "Ref":
				id, _, _ := strings.Cut(val.Value, ".") // SAM's Api.Stage is Api's
				fn(id)
			case "DependsOn":
				if val.Kind == yaml.ScalarNode {
					fn(val.Value)
				}
				for _, c := range val.Content {
					fn(c.Value)
				}
			case "Fn::GetAtt":
				if val.Kind == yaml.SequenceNode && len(val.Content) > 0 {
					fn(val.Content[0].Value)
				}
			case "Fn::Sub":
				s := val
				if val.Kind == yaml.SequenceNode && len(val.Content) > 0 {
					s = val.Content[0]
				}
				for _, m := range subReference.FindAllStringSubmatch(s.Value, -1) {
					fn(m[1])
				}
			}
		}
	}
	for _, c := range n.Content {
		refersTo(c, fn)
	}
}
