package cfn_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/iam"
	"github.com/awslabs/goformation/v7/cloudformation/route53"
	"github.com/awslabs/goformation/v7/cloudformation/s3"

	"github.com/ddnsgen/ddnsgen/cfn"
)

// TestAddToClash: AddTo refuses to overwrite anything, lists every clash,
// and leaves the template as it was.
func TestAddToClash(t *testing.T) {
	tmpl := cloudformation.NewTemplate()
	tmpl.Resources["RestApi"] = &s3.Bucket{}
	tmpl.Resources["Role"] = &s3.Bucket{}
	tmpl.Parameters["HostedZoneId"] = cloudformation.Parameter{Type: "String"}
	tmpl.Outputs["UpdateUrl"] = cloudformation.Output{Value: "x"}
	before, err := cfn.JSON(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	_, err = cfn.AddTo(tmpl, cfn.Config{})
	var clash *cfn.ClashError
	if !errors.As(err, &clash) {
		t.Fatalf("err = %v, want a *ClashError", err)
	}
	want := "cfn: the template already has resources RestApi, Role; parameters HostedZoneId; outputs UpdateUrl: give the dynamic DNS stack a Config.Prefix of its own"
	if err.Error() != want {
		t.Errorf("err = %q\nwant %q", err, want)
	}
	after, _ := cfn.JSON(tmpl)
	if string(after) != string(before) {
		t.Error("a refused AddTo changed the template")
	}
	// With a prefix it fits beside them.
	if _, err := cfn.AddTo(tmpl, cfn.Config{Prefix: "Home"}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"HomeRestApi", "HomeRole", "HomeUpdateMethod", "RestApi"} {
		if tmpl.Resources[id] == nil {
			t.Errorf("no resource %s", id)
		}
	}
	if _, ok := tmpl.Parameters["HomeHostedZoneId"]; !ok {
		t.Error("no parameter HomeHostedZoneId")
	}
}

func TestAddToReferences(t *testing.T) {
	trusting := &iam.Role{AssumeRolePolicyDocument: map[string]any{"Statement": []any{map[string]any{
		"Effect": "Allow", "Principal": map[string]any{"Service": "apigateway.amazonaws.com"}, "Action": "sts:AssumeRole"}}}}
	lambdaRole := &iam.Role{AssumeRolePolicyDocument: map[string]any{"Statement": []any{map[string]any{
		"Effect": "Allow", "Principal": map[string]any{"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}}}}
	zoneCfg := func(ref string) cfn.Config {
		return cfn.Config{Records: []cfn.Record{{Name: "a.example.com"}}, Zones: []cfn.Zone{{Name: "example.com", Ref: ref}}}
	}
	for _, c := range []struct {
		what  string
		setup func(*cloudformation.Template)
		cfg   cfn.Config
		want  string
	}{
		{"a role not in the template", nil, cfn.Config{Role: "Nope"}, `role "Nope": names no AWS::IAM::Role of the template`},
		{"a role that does not trust API Gateway", func(t *cloudformation.Template) { t.Resources["R"] = lambdaRole },
			cfn.Config{Role: "R"}, `role "R": the role does not trust apigateway.amazonaws.com`},
		{"a bucket as the zone", func(t *cloudformation.Template) { t.Resources["Z"] = &s3.Bucket{} },
			zoneCfg("Z"), `zones[0].ref "Z": names no AWS::Route53::HostedZone of the template`},
		{"a zone with an id and a ref", func(t *cloudformation.Template) { t.Resources["Z"] = &route53.HostedZone{} },
			cfn.Config{Records: []cfn.Record{{Name: "a.example.com"}}, Zones: []cfn.Zone{{Name: "example.com", Ref: "Z", ID: "Z1"}}},
			`zones[0].ref "Z": a zone has an id or a ref, not both`},
		{"a bad prefix", nil, cfn.Config{Prefix: "my-stack"}, `prefix "my-stack": a prefix is 1-32 letters and digits, starting with an upper-case letter`},
		{"a tag for AWS", nil, cfn.Config{Tags: map[string]string{"aws:x": "y"}}, `tags "aws:x=y": a tag key is`},
	} {
		tmpl := cloudformation.NewTemplate()
		if c.setup != nil {
			c.setup(tmpl)
		}
		_, err := cfn.AddTo(tmpl, c.cfg)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.what, err, c.want)
		}
	}
	// The references work when they are right, and the role gets the policy.
	tmpl := cloudformation.NewTemplate()
	tmpl.Resources["GatewayRole"] = trusting
	tmpl.Resources["Zone"] = &route53.HostedZone{Name: cloudformation.String("example.com")}
	cfg := zoneCfg("Zone")
	cfg.Role = "GatewayRole"
	stack, err := cfn.AddTo(tmpl, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if stack.Role != "GatewayRole" || stack.Policy != "Policy" || tmpl.Resources["Role"] != nil {
		t.Errorf("stack %+v: want the template's role with a Policy attached, and no new role", stack)
	}
	p, ok := tmpl.Resources["Policy"].(*iam.Policy)
	if !ok || len(p.Roles) != 1 {
		t.Fatalf("no policy attached to the role: %#v", tmpl.Resources["Policy"])
	}
	// Build writes a new template: it cannot honour references.
	if _, err := cfn.Build(cfg); err == nil || !strings.Contains(err.Error(), "use AddTo") {
		t.Errorf("Build with references: err = %v, want one that points to AddTo", err)
	}
}

// The curl and cron outputs name a URL the first device can call: its first
// name's zone, and that name when it has several.
func TestExampleURLOutputs(t *testing.T) {
	tmpl, err := cfn.Build(cfn.Config{
		Zones:   []cfn.Zone{{Name: "example.com"}, {Name: "example.org"}},
		Records: []cfn.Record{{Name: "x.example.org"}, {Name: "z.example.com"}, {Name: "w.example.com"}},
		Devices: []cfn.Device{{Name: "a", Records: []string{"x.example.org"}}, {Name: "b", Records: []string{"z.example.com", "w.example.com"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `curl -sS -H "x-api-key: $DDNS_API_KEY" 'https://${RestApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/ddns/${HostedZoneIdExampleOrg}'`
	if got := outputText(t, tmpl, "CurlCommand"); got != want {
		t.Errorf("CurlCommand is\n%s\nwant device a's URL:\n%s", got, want)
	}
	tmpl, err = cfn.Build(cfn.Config{
		Records: []cfn.Record{{Name: "z.example.com"}, {Name: "w.example.com"}},
		Devices: []cfn.Device{{Name: "b", Records: []string{"z.example.com", "w.example.com"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	want = `*/5 * * * * curl -fsS -m 20 -H "x-api-key: $DDNS_API_KEY" 'https://${RestApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/ddns/${HostedZoneId}?hostname=w.example.com' >/dev/null`
	if got := outputText(t, tmpl, "CronLine"); got != want {
		t.Errorf("CronLine is\n%s\nwant the device's first name:\n%s", got, want)
	}
}
