package route53

import (
	"slices"
	"strings"
)

const zoneARNPrefix = "arn:aws:route53:::hostedzone/"

// HostedZones returns the hosted zones the policy's Allow statements let
// ChangeResourceRecordSets change, by id, each with the record names
// (NormalizeRecordName's form) their route53:ChangeResourceRecordSets-
// NormalizedRecordNames conditions list with StringEquals. A resource with a
// wildcard names no zone and is left out. The in-process Route 53 makes
// these zones, so that a role can change what it could change on AWS.
func (p *Policy) HostedZones() map[string][]string {
	out := map[string][]string{}
	for _, st := range p.statements {
		if st.deny || st.notRes || matchAny(st.actions, strings.ToLower(ActionChangeResourceRecordSets)) == st.notAction {
			continue
		}
		var names []string
		for _, c := range st.conditions {
			if c.key == KeyNormalizedRecordNames && c.op == "StringEquals" {
				names = append(names, c.values...)
			}
		}
		for _, res := range st.resources {
			id, ok := strings.CutPrefix(res, zoneARNPrefix)
			if !ok || id == "" || strings.ContainsAny(id, "*?/") {
				continue
			}
			for _, n := range names {
				if !slices.Contains(out[id], n) {
					out[id] = append(out[id], n)
				}
			}
			if out[id] == nil {
				out[id] = []string{}
			}
		}
	}
	return out
}

// GuessZoneName is the name of the hosted zone that holds these record
// names (NormalizeRecordName's form), when nothing else says it: the
// longest name that ends every name's parent, where a parent of one label
// (a top-level domain) counts as the name itself. "home.acme.local" and
// "_acme-challenge.home.acme.local" give "acme.local"; "acme.local" and
// "home.acme.local" give "acme.local". It returns "" for no names, or names
// that share no domain.
func GuessZoneName(names []string) string {
	var common []string
	for i, n := range names {
		labels := strings.Split(strings.TrimSuffix(n, "."), ".")
		if len(labels) > 2 {
			labels = labels[1:]
		}
		if i == 0 {
			common = labels
			continue
		}
		k := 0
		for k < len(common) && k < len(labels) && common[len(common)-1-k] == labels[len(labels)-1-k] {
			k++
		}
		common = common[len(common)-k:]
	}
	return strings.Join(common, ".")
}
