package route53

import (
	"errors"
	"strings"
	"testing"
)

const (
	testPrincipal = "arn:aws:sts::123456789012:assumed-role/DdnsRole/BackplaneAssumeRoleSession"
	testZone      = "arn:aws:route53:::hostedzone/Z11111112222222333333"
)

func mustPolicy(t *testing.T, doc string) *Policy {
	t.Helper()
	p, err := ParsePolicy([]byte(doc))
	if err != nil {
		t.Fatalf("ParsePolicy: %v\n%s", err, doc)
	}
	return p
}

// conditionPolicy allows the action on any resource under one condition.
func conditionPolicy(operator, key, values string) string {
	return `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"route53:ChangeResourceRecordSets","Resource":"*",` +
		`"Condition":{"` + operator + `":{"` + key + `":` + values + `}}}}`
}

// Truth tables of the set operators. IAM: "ForAllValues ... returns true if
// the context key in the request is empty or missing"; ForAnyValue needs
// at least one request value to match, so it is false for none.
func TestConditionTruthTable(t *testing.T) {
	none, a, b, ab := []string{}, []string{"a.example.com"}, []string{"b.example.com"}, []string{"a.example.com", "b.example.com"}
	type row struct {
		request []string
		want    bool
	}
	tests := []struct {
		operator string
		values   string
		rows     []row
	}{
		{"ForAllValues:StringEquals", `["a.example.com"]`, []row{{nil, true}, {none, true}, {a, true}, {b, false}, {ab, false}}},
		{"ForAnyValue:StringEquals", `["a.example.com"]`, []row{{nil, false}, {none, false}, {a, true}, {b, false}, {ab, true}}},
		{"ForAllValues:StringNotEquals", `["a.example.com"]`, []row{{none, true}, {a, false}, {b, true}, {ab, false}}},
		{"ForAnyValue:StringNotEquals", `["a.example.com"]`, []row{{none, false}, {a, false}, {b, true}, {ab, true}}},
		{"ForAllValues:StringLike", `["a.*"]`, []row{{none, true}, {a, true}, {b, false}, {ab, false}}},
		{"ForAnyValue:StringLike", `["a.*"]`, []row{{none, false}, {a, true}, {b, false}, {ab, true}}},
		{"ForAllValues:StringNotLike", `["a.*"]`, []row{{none, true}, {a, false}, {b, true}, {ab, false}}},
		{"ForAnyValue:StringNotLike", `["a.*"]`, []row{{none, false}, {a, false}, {b, true}, {ab, true}}},
		{"ForAllValues:StringEquals", `["a.example.com","b.example.com"]`, []row{{none, true}, {a, true}, {b, true}, {ab, true}}},
		{"ForAllValues:StringLike", `["?.example.com"]`, []row{{a, true}, {[]string{"ab.example.com"}, false}}},
		{"Null", `"true"`, []row{{nil, true}, {none, true}, {a, false}}},
		{"Null", `"false"`, []row{{nil, false}, {none, false}, {a, true}}},
		{"Null", `true`, []row{{none, true}, {a, false}}},
	}
	for _, tt := range tests {
		p := mustPolicy(t, conditionPolicy(tt.operator, KeyNormalizedRecordNames, tt.values))
		for _, r := range tt.rows {
			ctx := map[string][]string{}
			if r.request != nil {
				ctx[KeyNormalizedRecordNames] = r.request
			}
			if got := p.statements[0].applies(ActionChangeResourceRecordSets, testZone, ctx); got != r.want {
				t.Errorf("%s %s with request values %q: %v, want %v", tt.operator, tt.values, r.request, got, r.want)
			}
		}
	}
}

// Condition key names are case-insensitive in IAM; values compared with
// StringEquals and StringLike are case-sensitive.
func TestConditionCase(t *testing.T) {
	ctx := map[string][]string{KeyNormalizedRecordNames: {"example.com"}, KeyRecordTypes: {"A"}}
	tests := []struct {
		key, values string
		want        bool
	}{
		{"ROUTE53:changeresourcerecordsetsnormalizedrecordnames", `["example.com"]`, true},
		{KeyNormalizedRecordNames, `["Example.com"]`, false},
		{"route53:ChangeResourceRecordSetsRecordTypes", `["a"]`, false},
		{"route53:changeresourcerecordsetsrecordtypes", `["A"]`, true},
	}
	for _, tt := range tests {
		p := mustPolicy(t, conditionPolicy("ForAllValues:StringEquals", tt.key, tt.values))
		if got := p.statements[0].applies(ActionChangeResourceRecordSets, testZone, ctx); got != tt.want {
			t.Errorf("%s %s: %v, want %v", tt.key, tt.values, got, tt.want)
		}
	}
}

// batchOf builds a batch as ParseChangeBatch would return it.
func batchOf(t *testing.T, changes ...string) *ChangeBatch {
	t.Helper()
	b, err := ParseChangeBatch([]byte(request(changes...)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func implicitDeny(zone string) string {
	return "User: " + testPrincipal + " is not authorized to perform: route53:ChangeResourceRecordSets on resource: " + zone +
		" because no identity-based policy allows the route53:ChangeResourceRecordSets action"
}

func explicitDeny(zone string) string {
	return "User: " + testPrincipal + " is not authorized to perform: route53:ChangeResourceRecordSets on resource: " + zone +
		" with an explicit deny in an identity-based policy"
}

// The first four policies are AWS's examples, verbatim, from
// https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/specifying-rrset-conditions.html
const (
	docsNames = `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "route53:ChangeResourceRecordSets",
            "Resource": "arn:aws:route53:::hostedzone/Z11111112222222333333",
            "Condition": {
                "ForAllValues:StringEquals":{
                    "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["example.com", "marketing.example.com"]
                }
            }
          }
        ]
}`
	docsBeta = `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "route53:ChangeResourceRecordSets",
            "Resource": "arn:aws:route53:::hostedzone/Z11111112222222333333",
            "Condition": {
                "ForAllValues:StringLike":{
                     "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["*-beta.example.com"]
                }
            }
          }
        ]
}`
	docsWildcard = `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "route53:ChangeResourceRecordSets",
            "Resource": "arn:aws:route53:::hostedzone/Z11111112222222333333",
            "Condition": {
                "ForAllValues:StringEquals":{
                     "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["\\052.example.com"]
                }
            }
          }
        ]
}`
	docsTypes = `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "route53:ChangeResourceRecordSets",
            "Resource": "arn:aws:route53:::hostedzone/Z11111112222222333333",
            "Condition": {
                "ForAllValues:StringEquals":{
                     "route53:ChangeResourceRecordSetsRecordTypes": ["A", "AAAA"]
                }
            }
          }
        ]
}`
	// What a ddnsgen stack grants: UPSERT of A and AAAA records of two names.
	ddnsPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"route53:ChangeResourceRecordSets",
	  "Resource":"arn:aws:route53:::hostedzone/Z11111112222222333333",
	  "Condition":{"ForAllValues:StringEquals":{
	    "route53:ChangeResourceRecordSetsNormalizedRecordNames":["home.example.com","nas.example.com"],
	    "route53:ChangeResourceRecordSetsRecordTypes":["A","AAAA"],
	    "route53:ChangeResourceRecordSetsActions":["UPSERT"]}}}]}`
	allowAll         = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`
	denyAcmeTXT      = `{"Version":"2012-10-17","Statement":{"Sid":"NoAcme","Effect":"Deny","Action":"route53:*","Resource":"*","Condition":{"ForAnyValue:StringLike":{"route53:ChangeResourceRecordSetsNormalizedRecordNames":["_acme-challenge.*"]}}}}`
	denyOtherThanA   = `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"route53:ChangeResourceRecordSets","Resource":"*","Condition":{"ForAnyValue:StringNotEquals":{"route53:ChangeResourceRecordSetsRecordTypes":"A"}}}}`
	denyEverything   = `{"Version":"2012-10-17","Statement":{"Effect":"Deny","NotAction":"iam:*","Resource":"*"}}`
	allowOtherZone   = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"route53:ChangeResourceRecordSets","Resource":"arn:aws:route53:::hostedzone/ZOTHER"}}`
	allowAllZones    = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"route53:ChangeResourceRecordSets","Resource":"arn:aws:route53:::hostedzone/*"}}`
	allowNotOther    = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"route53:ChangeResourceRecordSets","NotResource":"arn:aws:route53:::hostedzone/ZOTHER"}}`
	allowNotList     = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","NotAction":["route53:List*","route53:Get*"],"Resource":"*"}}`
	allowListOnly    = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["route53:List*","route53:Get*"],"Resource":"*"}}`
	allowPrefix      = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"route53:Change*","Resource":"*"}}`
	allowOneChar     = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"route53:ChangeResourceRecordSet?","Resource":"*"}}`
	allowUpperAction = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ROUTE53:changeresourcerecordsets","Resource":"*"}}`
	allowLowerZone   = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"route53:ChangeResourceRecordSets","Resource":"arn:aws:route53:::hostedzone/z11111112222222333333"}}`
)

func TestAuthorize(t *testing.T) {
	a := func(name string) string { return change("UPSERT", name, "A", "60", "192.0.2.1") }
	tests := []struct {
		name     string
		policies []string
		zone     string
		changes  []string
		denial   string // "" means allowed
	}{
		{"docs: listed name", []string{docsNames}, testZone, []string{a("example.com")}, ""},
		{"docs: both listed names", []string{docsNames}, testZone, []string{a("Example.com."), a("marketing.example.com")}, ""},
		{"docs: a name not listed", []string{docsNames}, testZone, []string{a("www.example.com")}, implicitDeny(testZone)},
		{"docs: one name of the batch not listed", []string{docsNames}, testZone, []string{a("example.com"), a("www.example.com")}, implicitDeny(testZone)},
		{"docs: -beta suffix", []string{docsBeta}, testZone, []string{a("app-beta.example.com")}, ""},
		{"docs: not a -beta name", []string{docsBeta}, testZone, []string{a("beta.example.com")}, implicitDeny(testZone)},
		{"docs: wildcard record as \\052", []string{docsWildcard}, testZone, []string{a("*.example.com")}, ""},
		{"docs: \\052 is not an IAM wildcard", []string{docsWildcard}, testZone, []string{a("www.example.com")}, implicitDeny(testZone)},
		{"docs: A and AAAA", []string{docsTypes}, testZone, []string{a("h.example.com"), change("UPSERT", "h.example.com", "AAAA", "60", "2001:db8::1")}, ""},
		{"docs: TXT is not A or AAAA", []string{docsTypes}, testZone, []string{change("UPSERT", "h.example.com", "TXT", "60", `"x"`)}, implicitDeny(testZone)},
		{"ddns: allowed name, type and action", []string{ddnsPolicy}, testZone, []string{a("home.example.com"), change("UPSERT", "nas.example.com", "AAAA", "60", "2001:db8::1")}, ""},
		{"ddns: DELETE is not allowed", []string{ddnsPolicy}, testZone, []string{change("DELETE", "home.example.com", "A", "60", "192.0.2.1")}, implicitDeny(testZone)},
		{"ddns: another zone", []string{ddnsPolicy}, "arn:aws:route53:::hostedzone/ZOTHER", []string{a("home.example.com")}, implicitDeny("arn:aws:route53:::hostedzone/ZOTHER")},
		{"no policies", nil, testZone, []string{a("home.example.com")}, implicitDeny(testZone)},
		{"deny wins over allow in another policy", []string{allowAll, denyAcmeTXT}, testZone, []string{a("home.example.com"), change("UPSERT", "_acme-challenge.example.com", "TXT", "60", `"t"`)}, explicitDeny(testZone)},
		{"a deny that does not apply", []string{allowAll, denyAcmeTXT}, testZone, []string{a("home.example.com")}, ""},
		{"deny with ForAnyValue:StringNotEquals", []string{allowAll, denyOtherThanA}, testZone, []string{a("h.example.com"), change("UPSERT", "h.example.com", "AAAA", "60", "2001:db8::1")}, explicitDeny(testZone)},
		{"deny with NotAction", []string{allowAll, denyEverything}, testZone, []string{a("h.example.com")}, explicitDeny(testZone)},
		{"resource of another zone", []string{allowOtherZone}, testZone, []string{a("h.example.com")}, implicitDeny(testZone)},
		{"resource wildcard", []string{allowAllZones}, testZone, []string{a("h.example.com")}, ""},
		{"NotResource", []string{allowNotOther}, testZone, []string{a("h.example.com")}, ""},
		{"NotResource excluding this zone", []string{allowNotOther}, "arn:aws:route53:::hostedzone/ZOTHER", []string{a("h.example.com")}, implicitDeny("arn:aws:route53:::hostedzone/ZOTHER")},
		{"NotAction", []string{allowNotList}, testZone, []string{a("h.example.com")}, ""},
		{"other actions only", []string{allowListOnly}, testZone, []string{a("h.example.com")}, implicitDeny(testZone)},
		{"action prefix wildcard", []string{allowPrefix}, testZone, []string{a("h.example.com")}, ""},
		{"action ? wildcard", []string{allowOneChar}, testZone, []string{a("h.example.com")}, ""},
		{"action names ignore case", []string{allowUpperAction}, testZone, []string{a("h.example.com")}, ""},
		{"resource ARNs do not ignore case", []string{allowLowerZone}, testZone, []string{a("h.example.com")}, implicitDeny(testZone)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var policies []*Policy
			for _, doc := range tt.policies {
				policies = append(policies, mustPolicy(t, doc))
			}
			err := AuthorizeAs(testPrincipal, policies, tt.zone, batchOf(t, tt.changes...))
			if tt.denial == "" {
				if err != nil {
					t.Fatalf("denied: %v", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v, want a 403 AccessDenied *Error", err)
			}
			if e.Status != 403 || e.Code != "AccessDenied" || e.Message != tt.denial {
				t.Errorf("got  %d %s %q\nwant 403 AccessDenied %q", e.Status, e.Code, e.Message, tt.denial)
			}
		})
	}
}

// A denial comes back in Route 53's body shape, like a captured one
// (ansible/workshops#1054): Sender, AccessDenied, the IAM message.
func TestAccessDeniedBody(t *testing.T) {
	err := AuthorizeAs(testPrincipal, nil, testZone, batchOf(t, change("UPSERT", "h.example.com", "A", "60", "192.0.2.1")))
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v", err)
	}
	e.RequestID = "7fc337a6-6940-4930-9594-cf19af9f1d73"
	want := `<?xml version="1.0"?>` + "\n" + `<ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>` +
		implicitDeny(testZone) + `</Message></Error><RequestId>7fc337a6-6940-4930-9594-cf19af9f1d73</RequestId></ErrorResponse>`
	if got := string(e.Body()); got != want {
		t.Errorf("Body:\n got %q\nwant %q", got, want)
	}
}

func TestParsePolicyForms(t *testing.T) {
	for _, doc := range []string{
		`{"Statement":{"Effect":"Allow","Action":"route53:ChangeResourceRecordSets","Resource":"*"}}`,
		`{"Version":"2008-10-17","Id":"x","Statement":[{"Sid":"One","Effect":"Allow","Action":["route53:ChangeResourceRecordSets"],"Resource":["arn:aws:route53:::hostedzone/Z1","*"],"Condition":{}}]}`,
		conditionPolicy("ForAllValues:StringEquals", KeyActions, `"UPSERT"`),
		conditionPolicy("Null", KeyActions, `false`),
	} {
		p, err := ParsePolicy([]byte(doc))
		if err != nil {
			t.Errorf("ParsePolicy(%s): %v", doc, err)
			continue
		}
		if err := Authorize([]*Policy{p}, testZone, batchOf(t, change("UPSERT", "h.example.com", "A", "60", "192.0.2.1"))); err != nil {
			t.Errorf("%s: %v", doc, err)
		}
	}
}

func TestParsePolicyRefuses(t *testing.T) {
	stmt := func(body string) string { return `{"Version":"2012-10-17","Statement":` + body + `}` }
	allow := `"Effect":"Allow","Action":"route53:ChangeResourceRecordSets","Resource":"*"`
	tests := []struct{ doc, want string }{
		{`not json`, "policy: invalid character 'o' in literal null (expecting 'u')"},
		{`[]`, "policy: the document is not a JSON object"},
		{`{"Version":"2012-10-17","Statement":[],"Extra":1}`, `policy: unknown element "Extra" (an identity-based policy has Version, Id and Statement)`},
		{`{"Version":"2012-10-17","Version":"2008-10-17","Statement":[]}`, `policy: key "Version" appears twice in one object`},
		{`{"Version":"2012-10-17","Statement":{` + allow + `}} {}`, "policy: data after the JSON document"},
		{`{"Version":"2021-01-01","Statement":[]}`, "policy: Version 2021-01-01: IAM knows only 2012-10-17 and 2008-10-17"},
		{`{"Version":"2012-10-17"}`, "policy: no Statement"},
		{stmt(`"x"`), "policy: Statement must be an object or a list of objects"},
		{stmt(`["x"]`), "policy: statement 0 is not an object"},
		{stmt(`{` + allow + `,"Principal":"*"}`), "policy: statement 0: Principal belongs in resource-based policies, not identity-based ones"},
		{stmt(`{` + allow + `,"Effects":"Allow"}`), `policy: statement 0: unknown element "Effects"`},
		{stmt(`{"Effect":"allow","Action":"*","Resource":"*"}`), `policy: statement 0: Effect allow: must be "Allow" or "Deny"`},
		{stmt(`{"Effect":"Allow","Action":"*","NotAction":"*","Resource":"*"}`), "policy: statement 0: Action and NotAction together"},
		{stmt(`{"Effect":"Allow","Resource":"*"}`), "policy: statement 0: neither Action nor NotAction"},
		{stmt(`{"Effect":"Allow","Action":"*"}`), "policy: statement 0: neither Resource nor NotResource"},
		{stmt(`{"Effect":"Allow","Action":"ChangeResourceRecordSets","Resource":"*"}`), `policy: statement 0: action "ChangeResourceRecordSets": must be "*" or service:action`},
		{stmt(`{"Effect":"Allow","Action":[],"Resource":"*"}`), "policy: statement 0: Action: empty list"},
		{stmt(`{"Effect":"Allow","Action":[1],"Resource":"*"}`), "policy: statement 0: Action: 1 is not a string"},
		{stmt(`{"Effect":"Allow","Action":"*","Resource":"arn:aws:route53:::hostedzone/${aws:username}"}`), `policy: statement 0: resource "arn:aws:route53:::hostedzone/${aws:username}": policy variables are not supported by the lab`},
		{stmt(`{` + allow + `,"Condition":[]}`), "policy: statement 0: Condition must be an object"},
		{conditionPolicy("StringEquals", KeyRecordTypes, `"A"`), `policy: statement 0: condition operator "StringEquals" on a multi-valued key: use ForAllValues:StringEquals or ForAnyValue:StringEquals`},
		{conditionPolicy("StringEqualsIfExists", KeyRecordTypes, `"A"`), `policy: statement 0: condition operator "StringEqualsIfExists" is not supported by the lab`},
		{conditionPolicy("ForAllValues:StringEqualsIgnoreCase", KeyRecordTypes, `"A"`), `policy: statement 0: condition operator "ForAllValues:StringEqualsIgnoreCase" is not supported by the lab`},
		{conditionPolicy("IpAddress", "aws:SourceIp", `"192.0.2.0/24"`), `policy: statement 0: condition operator "IpAddress" is not supported by the lab`},
		{conditionPolicy("ForEachValue:StringEquals", KeyRecordTypes, `"A"`), `policy: statement 0: condition operator "ForEachValue:StringEquals": unknown qualifier "ForEachValue"`},
		{conditionPolicy("ForAllValues:Null", KeyRecordTypes, `"true"`), `policy: statement 0: condition operator "ForAllValues:Null": Null takes no set qualifier`},
		{conditionPolicy("ForAllValues:StringEquals", "aws:SourceIp", `"192.0.2.1"`), `policy: statement 0: condition key "aws:SourceIp" is not supported by the lab (only route53:ChangeResourceRecordSetsNormalizedRecordNames, route53:ChangeResourceRecordSetsRecordTypes and route53:ChangeResourceRecordSetsActions)`},
		{conditionPolicy("ForAllValues:StringEquals", KeyRecordTypes, `[]`), "policy: statement 0: condition ForAllValues:StringEquals route53:ChangeResourceRecordSetsRecordTypes: empty list of values"},
		{conditionPolicy("ForAllValues:StringEquals", KeyRecordTypes, `{"a":1}`), "policy: statement 0: condition ForAllValues:StringEquals route53:ChangeResourceRecordSetsRecordTypes: value map[a:1] is not a string"},
		{conditionPolicy("ForAllValues:StringLike", KeyNormalizedRecordNames, `"${aws:username}.example.com"`), `policy: statement 0: condition ForAllValues:StringLike route53:ChangeResourceRecordSetsNormalizedRecordNames: value "${aws:username}.example.com": policy variables are not supported by the lab`},
		{conditionPolicy("Null", KeyRecordTypes, `"maybe"`), `policy: statement 0: condition Null route53:ChangeResourceRecordSetsRecordTypes: value "maybe" must be "true" or "false"`},
		{conditionPolicy("Null", KeyRecordTypes, `["true","false"]`), `policy: statement 0: condition Null route53:ChangeResourceRecordSetsRecordTypes: give one value, "true" or "false"`},
	}
	for _, tt := range tests {
		_, err := ParsePolicy([]byte(tt.doc))
		if err == nil {
			t.Errorf("ParsePolicy(%s) accepted it; want %q", tt.doc, tt.want)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("ParsePolicy(%s):\n got %q\nwant %q", tt.doc, err.Error(), tt.want)
		}
	}
}

// Authorize names DefaultPrincipal; the message is otherwise AuthorizeAs's.
func TestAuthorizeNamesDefaultPrincipal(t *testing.T) {
	err := Authorize(nil, testZone, batchOf(t, change("UPSERT", "h.example.com", "A", "60", "192.0.2.1")))
	want := strings.Replace(implicitDeny(testZone), testPrincipal, "arn:aws:sts::123456789012:assumed-role/ROLE/SESSION", 1)
	var e *Error
	if !errors.As(err, &e) || e.Message != want {
		t.Errorf("got %v\nwant 403 AccessDenied %q", err, want)
	}
}

func TestAssumedRoleARN(t *testing.T) {
	tests := []struct{ role, want, err string }{
		{"arn:aws:iam::123456789012:role/DdnsRole", "arn:aws:sts::123456789012:assumed-role/DdnsRole/s1", ""},
		{"arn:aws:iam::123456789012:role/service-role/path/DdnsRole", "arn:aws:sts::123456789012:assumed-role/DdnsRole/s1", ""},
		{"arn:aws-cn:iam::123456789012:role/R", "arn:aws-cn:sts::123456789012:assumed-role/R/s1", ""},
		{"arn:aws:iam::123456789012:user/bob", "", `"arn:aws:iam::123456789012:user/bob" is not an IAM role ARN (arn:PARTITION:iam::ACCOUNT:role/NAME)`},
		{"DdnsRole", "", `"DdnsRole" is not an IAM role ARN (arn:PARTITION:iam::ACCOUNT:role/NAME)`},
	}
	for _, tt := range tests {
		got, err := AssumedRoleARN(tt.role, "s1")
		errText := ""
		if err != nil {
			errText = err.Error()
		}
		if got != tt.want || errText != tt.err {
			t.Errorf("AssumedRoleARN(%q) = %q, %q; want %q, %q", tt.role, got, errText, tt.want, tt.err)
		}
	}
}

func TestAuthorizeWithoutBatch(t *testing.T) {
	err := Authorize(nil, testZone, nil)
	var e *Error
	if err == nil || errors.As(err, &e) || !strings.Contains(err.Error(), "parsed change batch") {
		t.Errorf("got %v, want a plain error asking for the batch", err)
	}
}

func TestGlob(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"*", "", true},
		{"*", "anything", true},
		{"a*b", "ab", true},
		{"a*b", "axxb", true},
		{"a*b", "axxbc", false},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"*.example.com", "example.com", false},
		{"*-beta.example.com", "app-beta.example.com", true},
		{`\052.example.com`, `\052.example.com`, true},
		{`\052.example.com`, `x.example.com`, false},
		{"arn:aws:route53:::hostedzone/*", "arn:aws:route53:::hostedzone/Z1", true},
		{"a**", "abc", true},
		{"?é", "xé", true},
	}
	for _, tt := range tests {
		if got := glob(tt.pattern, tt.s); got != tt.want {
			t.Errorf("glob(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}
