package cfn_test

import (
	"fmt"
	"strings"

	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/s3"

	"github.com/ddnsgen/ddnsgen/cfn"
)

// The zero Config is the seed stack: the A record myddns.acme.local, one API
// key, and the hosted zone id as a parameter.
func ExampleBuild() {
	t, err := cfn.Build(cfn.Config{})
	if err != nil {
		panic(err)
	}
	for _, id := range []string{"RestApi", "UpdateMethod", "Role", "ApiKey", "UsagePlan", "Stage"} {
		fmt.Println(id, t.Resources[id].AWSCloudFormationType())
	}
	fmt.Println("parameter:", t.Parameters["HostedZoneId"].Type)
	// Output:
	// RestApi AWS::ApiGateway::RestApi
	// UpdateMethod AWS::ApiGateway::Method
	// Role AWS::IAM::Role
	// ApiKey AWS::ApiGateway::ApiKey
	// UsagePlan AWS::ApiGateway::UsagePlan
	// Stage AWS::ApiGateway::Stage
	// parameter: AWS::Route53::HostedZone::Id
}

// A Config with its own name, TTL and zone id needs no parameters at deploy
// time; an AAAA record makes the endpoint dual-stack so IPv6 callers reach
// it, and the role may set A and AAAA records of that name.
func ExampleConfig() {
	t, err := cfn.Build(cfn.Config{
		Records: []cfn.Record{{Name: "home.example.com", TTL: cfn.Int(300), Types: []string{"A", "AAAA"}}},
		Zones:   []cfn.Zone{{Name: "example.com", ID: "Z0123456789ABCDEFGHIJ"}},
	})
	if err != nil {
		panic(err)
	}
	y, err := cfn.YAML(t)
	if err != nil {
		panic(err)
	}
	fmt.Println("parameters:", len(t.Parameters))
	for _, line := range strings.Split(string(y), "\n") {
		if strings.Contains(line, "IpAddressType") || strings.Contains(line, "Sid:") {
			fmt.Println(strings.TrimSpace(line))
		}
	}
	// Output:
	// parameters: 0
	// IpAddressType: dualstack
	// - Sid: UpsertAAndAAAAInExampleCom
}

// A bad value comes back as a *ConfigError naming the field, the value and
// the rule.
func ExampleConfig_Validate() {
	err := cfn.Config{Records: []cfn.Record{{Name: "a b.example.com"}}}.Validate()
	fmt.Println(err)
	// Output:
	// records[0].name "a b.example.com": label "a b" has characters other than letters, digits and inner hyphens
}

// AddTo puts the dynamic DNS stack into a template that has other
// resources, under a prefix, and says what it added.
func ExampleAddTo() {
	t := cloudformation.NewTemplate()
	t.Resources["Backups"] = &s3.Bucket{}

	stack, err := cfn.AddTo(t, cfn.Config{
		Prefix:  "Ddns",
		Records: []cfn.Record{{Name: "gw.example.com"}},
		Zones:   []cfn.Zone{{Name: "example.com", ID: "Z0123456789ABCDEFGHIJ"}},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("API:", stack.RestAPI, "stage:", stack.Stage, stack.StageName)
	fmt.Println("keys:", stack.APIKeys)
	fmt.Println("outputs:", strings.Join(stack.Outputs, " "))
	fmt.Println("still there:", t.Resources["Backups"].AWSCloudFormationType())

	// A second stack with the same prefix would overwrite the first.
	_, err = cfn.AddTo(t, cfn.Config{Prefix: "Ddns"})
	fmt.Println(err != nil)
	// Output:
	// API: DdnsRestApi stage: DdnsStage ddns
	// keys: map[default:DdnsApiKey]
	// outputs: DdnsApiKeyId DdnsCronLine DdnsCurlCommand DdnsGetApiKeyCommand DdnsUpdateUrl DdnsUsagePlanId
	// still there: AWS::S3::Bucket
	// true
}
