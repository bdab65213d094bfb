package cfn

import (
	"slices"
	"strings"

	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/iam"
)

// PolicyDocument is an IAM policy document.
type PolicyDocument struct {
	Version   string
	Statement []Statement
}

// Statement is one statement of a PolicyDocument.
type Statement struct {
	Sid       string `json:",omitempty"`
	Effect    string
	Principal map[string]string `json:",omitempty"`
	Action    string
	Resource  string                         `json:",omitempty"`
	Condition map[string]map[string][]string `json:",omitempty"`
}

// Condition keys Route 53 offers for ChangeResourceRecordSets.
const (
	keyNames   = "route53:ChangeResourceRecordSetsNormalizedRecordNames"
	keyTypes   = "route53:ChangeResourceRecordSetsRecordTypes"
	keyActions = "route53:ChangeResourceRecordSetsActions"
)

// role adds the role API Gateway assumes to call Route 53. It may UPSERT the
// configured names, with their configured types, in their zones: statements
// per zone and type, so that an A-only name cannot get an AAAA record even
// through a fault in the mapping template.
func (b *builder) role() {
	var statements []Statement
	for _, z := range b.p.zones {
		names := map[string][]string{} // by "A", "AAAA", "A,AAAA": the names that take them
		for _, r := range z.records {
			for _, types := range [][]string{{"A"}, {"AAAA"}, {"A", "AAAA"}} {
				if takes(r, types) {
					// Our names hold only a-z 0-9 - and dots, so their
					// normalized form (lower case, octal escapes) is the
					// name itself.
					key := strings.Join(types, ",")
					names[key] = append(names[key], r.name)
				}
			}
		}
		// A statement per family, and one for batches that set both families
		// of names that take both. The A,AAAA statement also allows batches
		// of one family of those names, so a family's own statement is left
		// out when all its names take both: a stack of dual-stack names lists
		// each name once (IAM takes 10,240 characters of inline policy).
		for _, types := range [][]string{{"A"}, {"AAAA"}, {"A", "AAAA"}} {
			key := strings.Join(types, ",")
			list := names[key]
			if len(list) == 0 || (len(types) == 1 && slices.Equal(list, names["A,AAAA"])) {
				continue
			}
			statements = append(statements, Statement{
				Sid:      "Upsert" + strings.Join(types, "And") + "In" + camel(z.name),
				Effect:   "Allow",
				Action:   "route53:ChangeResourceRecordSets",
				Resource: cloudformation.Sub("arn:${AWS::Partition}:route53:::hostedzone/" + z.subID()),
				Condition: map[string]map[string][]string{
					"ForAllValues:StringEquals": {
						keyNames:   list,
						keyTypes:   types,
						keyActions: {"UPSERT"},
					},
				},
			})
		}
		statements = append(statements, b.acmeStatement(z)...)
	}
	policy := PolicyDocument{Version: "2012-10-17", Statement: statements}
	b.policy = policy
	if b.p.role != "" {
		// The template's own role: attach the least-privilege policy to it.
		b.t.Resources[b.id(IDPolicy)] = &iam.Policy{
			PolicyName:     cloudformation.Sub("${AWS::StackName}-" + b.id("route53-upsert")),
			PolicyDocument: policy,
			Roles:          []string{cloudformation.Ref(b.p.role)},
		}
		return
	}
	b.t.Resources[b.id(IDRole)] = &iam.Role{
		Description: cloudformation.String(b.roleDescription()),
		AssumeRolePolicyDocument: PolicyDocument{
			Version: "2012-10-17",
			Statement: []Statement{{
				Effect:    "Allow",
				Principal: map[string]string{"Service": "apigateway.amazonaws.com"},
				Action:    "sts:AssumeRole",
			}},
		},
		Policies: []iam.Role_Policy{{
			PolicyName:     "route53-upsert-dynamic-dns-records",
			PolicyDocument: policy,
		}},
		Tags: b.p.tags,
	}
}

// takes reports whether the record takes every one of types.
func takes(r *recordPlan, types []string) bool {
	for _, t := range types {
		if !slices.Contains(r.types, t) {
			return false
		}
	}
	return true
}
