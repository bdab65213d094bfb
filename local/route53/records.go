package route53

import (
	"fmt"
	"slices"
	"strings"
)

// Zone is a hosted zone: its id (without "/hostedzone/") and its name as
// Route 53 lists it, lower case with a trailing dot ("acme.local.").
type Zone struct {
	ID   string
	Name string
}

// Record is one simple record set as ListResourceRecordSets lists it: the
// name in the form NormalizeRecordName gives, with a trailing dot.
type Record struct {
	Name   string
	Type   string
	TTL    int64
	Values []string
}

// ApplyChanges applies a batch that passed ParseChangeBatch to a zone's
// record sets the way Route 53 does: change by change, each seeing the
// changes before it, and all or nothing. It returns the record sets after
// the batch, or an InvalidChangeBatch *Error that lists every change it
// refuses, in Route 53's words:
//
//   - a name outside the zone: "RRSet with DNS name N. is not permitted in
//     zone Z.";
//   - a CNAME at the zone apex: "RRSet of type CNAME with DNS name Z. is not
//     permitted at apex in zone Z.";
//   - a CNAME where a record of another type has its name: "RRSet of type
//     CNAME with DNS name N. is not permitted as it conflicts with other
//     records with the same DNS name in zone Z.";
//   - any other type where a CNAME has its name: "RRSet of type T with DNS
//     name N. is not permitted because a conflicting RRSet of type CNAME with
//     the same DNS name already exists in zone Z.";
//   - CREATE of a record set that exists: "Tried to create resource record
//     set [name='N.', type='T'] but it already exists";
//   - DELETE of one that does not: "Tried to delete resource record set
//     [name='N.', type='T'] but it was not found", or whose TTL or values
//     differ: "... but the values provided do not match the current values".
//
// The texts are Route 53's as captured in published logs and issues (none
// is documented): the CNAME conflicts in aws/aws-sdk-java#1996 and
// presslabs/zinc#178 and in external-dns logs of 2020 and 2023 (the older
// captures have two spaces in "type  CNAME"; the 2023 one, the newest, has
// one, which is what the lab sends); the apex, zone, CREATE and DELETE
// texts in Terraform, CloudFormation and CI logs. Route 53 joins several
// into one InvalidChangeBatch (a 2023 external-dns log shows two).
// Response templates read the code, never the text.
//
// records is not modified. Names in records may be in any case, with or
// without the trailing dot (moto keeps them as they were sent).
func ApplyChanges(zone Zone, records []Record, b *ChangeBatch) ([]Record, error) {
	zoneName := strings.TrimSuffix(strings.ToLower(zone.Name), ".")
	type key struct{ name, typ string }
	working := map[key]Record{}
	for _, r := range records {
		r.Name = canonicalName(r.Name)
		working[key{r.Name, r.Type}] = r
	}
	typesAt := func(name string) []string {
		var types []string
		for k := range working {
			if k.name == name {
				types = append(types, k.typ)
			}
		}
		return types
	}
	in := " in zone " + zoneName + "."
	var problems []string
	for _, c := range b.Changes {
		name := c.NormalizedName + "."
		k := key{name, c.Type}
		current, exists := working[k]
		switch {
		case c.NormalizedName != zoneName && !strings.HasSuffix(c.NormalizedName, "."+zoneName):
			problems = append(problems, "RRSet with DNS name "+name+" is not permitted"+in)
			continue
		case c.Action == "DELETE" && !exists:
			problems = append(problems, fmt.Sprintf("Tried to delete resource record set [name='%s', type='%s'] but it was not found", name, c.Type))
			continue
		case c.Action == "DELETE":
			if current.TTL != c.TTL || !sameValues(current.Values, c.Values) {
				problems = append(problems, fmt.Sprintf("Tried to delete resource record set [name='%s', type='%s'] but the values provided do not match the current values", name, c.Type))
				continue
			}
			delete(working, k)
			continue
		case c.Action == "CREATE" && exists:
			problems = append(problems, fmt.Sprintf("Tried to create resource record set [name='%s', type='%s'] but it already exists", name, c.Type))
			continue
		case c.Type == "CNAME" && c.NormalizedName == zoneName:
			problems = append(problems, "RRSet of type CNAME with DNS name "+name+" is not permitted at apex"+in)
			continue
		}
		others := slices.DeleteFunc(typesAt(name), func(t string) bool { return t == c.Type })
		switch {
		case c.Type == "CNAME" && len(others) > 0:
			problems = append(problems, "RRSet of type CNAME with DNS name "+name+" is not permitted as it conflicts with other records with the same DNS name"+in)
			continue
		case slices.Contains(others, "CNAME"):
			problems = append(problems, "RRSet of type "+c.Type+" with DNS name "+name+" is not permitted because a conflicting RRSet of type CNAME with the same DNS name already exists"+in)
			continue
		}
		working[k] = Record{Name: name, Type: c.Type, TTL: c.TTL, Values: slices.Clone(c.Values)}
	}
	if len(problems) > 0 {
		return nil, InvalidChangeBatch(problems...)
	}
	out := make([]Record, 0, len(working))
	for _, r := range working {
		out = append(out, r)
	}
	SortRecords(out)
	return out, nil
}

// canonicalName is a listed name in NormalizeRecordName's form with a
// trailing dot; a name that form cannot hold stays as it is, lower case.
func canonicalName(name string) string {
	if n, err := NormalizeRecordName(name); err == nil {
		return n + "."
	}
	return strings.ToLower(name)
}

// sameValues compares two record sets' values as sets: Route 53 keeps no
// order among them.
func sameValues(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// SortRecords puts record sets in the order ListResourceRecordSets lists
// them: by name with its labels reversed (acme.local. before
// home.acme.local.), then by type.
func SortRecords(records []Record) {
	slices.SortFunc(records, func(a, b Record) int {
		if c := slices.Compare(reversedLabels(a.Name), reversedLabels(b.Name)); c != 0 {
			return c
		}
		return strings.Compare(a.Type, b.Type)
	})
}

func reversedLabels(name string) []string {
	labels := strings.Split(strings.TrimSuffix(name, "."), ".")
	slices.Reverse(labels)
	return labels
}
