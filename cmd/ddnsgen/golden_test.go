package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/iam"
	"github.com/awslabs/goformation/v7/cloudformation/route53"
	"github.com/awslabs/goformation/v7/cloudformation/s3"
	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/ddnsgen/ddnsgen/cfn"
)

var update = flag.Bool("update", false, "rewrite golden/ from the current output (then read the diff)")

// goldenDir holds the templates the tests compare: the spec a reviewer reads.
const goldenDir = "../../golden"

// goldenCase is one golden file and the ddnsgen command that writes it,
// or the library call (build, described by how).
type goldenCase struct {
	file  string
	args  []string
	what  string
	build func() ([]byte, error)
	how   string
}

var goldenCases = []goldenCase{
	{file: "seed.yaml", what: "no flags: the seed stack, made safe"},
	{file: "seed.json", args: []string{"-format", "json"}, what: "the seed stack as JSON"},
	{file: "baked.yaml", args: []string{"-zone-id", "Z0123456789ABCDEFGHIJ", "-name", "home.example.com", "-ttl", "300"},
		what: "zone id, name and TTL baked in: no parameters"},
	{file: "open.yaml", args: []string{"-api-key=false"}, what: "the seed's open endpoint: no API key"},
	{file: "multizone.yaml", args: []string{"-zone", "acme.local=Z0123456789ABCDEFGHIJ", "-zone", "example.com",
		"-name", "home.acme.local", "-name", "nas.acme.local", "-name", "vpn.example.com"},
		what: "three names in two zones, one zone id baked in and one a parameter"},
	{file: "devices.yaml", args: devicesArgs, what: "five devices with their own API keys, some names shared and some not; A and AAAA (dual-stack)"},
	{file: "dyndns2.yaml", args: []string{"-dyndns2"}, what: "the seed stack with the dyndns2 endpoint for routers, ddclient and inadyn"},
	{file: "dyndns2-devices.yaml", args: append([]string{"-dyndns2"}, devicesArgs...), what: "the five devices with dyndns2: a password parameter each"},
	{file: "routers.yaml", args: []string{"-dyndns2", "-query-credentials", "-type", "A,AAAA",
		"-device", "fritzbox=home.acme.local,nas.acme.local", "-device", "synology=files.acme.local",
		"-interface-id", "nas.acme.local=::1234:5678:9abc:def0"},
		what: "routers that send credentials in the URL (/nic/update-url) and a host behind one (an interface id, set from ip6lanprefix)"},
	{file: "acme.yaml", args: append([]string{"-acme"}, devicesArgs...),
		what: "the five devices with the acme-dns endpoint: each may set the _acme-challenge TXT records of its own names"},
	{file: "myip.yaml", args: []string{"-myip"},
		what: "the seed stack with GET /ddns/myip: the caller's address for its API key (a MOCK integration); the key's daily quota 4320"},
	{file: "myip-dyndns2.yaml", args: append([]string{"-myip", "-dyndns2"}, devicesArgs...),
		what: "the five devices with dyndns2 and GET /ddns/myip: the address for a device's API key and Basic credentials"},
	{file: "sam-myip.yaml", args: []string{"-format", "sam", "-myip", "-dyndns2"},
		what: "AWS SAM with dyndns2 and the myip endpoint: a mock integration in the OpenAPI body"},
	{file: "openapi-myip.yaml", args: []string{"-format", "openapi", "-role-arn", roleARN, "-myip", "-dyndns2"},
		what: "the seed API with dyndns2 and GET /myip (a mock integration), for import-rest-api"},
	{file: "ipv6only.yaml", args: []string{"-name", "v6.acme.local", "-type", "AAAA"}, what: "an AAAA-only record: IPv4 callers get a clear 400"},
	{file: "sam.yaml", args: []string{"-format", "sam"}, what: "the seed stack as AWS SAM: an AWS::Serverless::Api with an OpenAPI body"},
	{file: "sam-devices.json", args: append([]string{"-format", "sam-json"}, devicesArgs...), what: "the five devices as AWS SAM, in JSON"},
	{file: "openapi.yaml", args: []string{"-format", "openapi", "-role-arn", roleARN}, what: "the seed API alone, for import-rest-api"},
	{file: "openapi-devices.json", args: append([]string{"-format", "openapi-json", "-role-arn", roleARN, "-dyndns2"}, devicesArgs...),
		what: "the five devices' API with dyndns2, for import-rest-api, in JSON"},
	{file: "domain.yaml", args: []string{"-domain", "ddns.acme.local", "-dyndns2"},
		what: "the seed stack with dyndns2 on a custom domain: a new certificate validated by DNS, the stage at the root, an A alias"},
	{file: "domain-certificate.yaml", args: []string{"-domain", "ddns.example.com", "-certificate-arn", certificateARN, "-disable-execute-api",
		"-zone-id", "Z0123456789ABCDEFGHIJ", "-name", "home.example.com"},
		what: "a custom domain with an existing certificate, the execute-api endpoint turned off"},
	{file: "domain-dualstack.yaml", args: []string{"-domain", "ddns.acme.local", "-name", "home.acme.local", "-type", "A,AAAA", "-dyndns2"},
		what: "a dual-stack custom domain in front of a dual-stack API: A and AAAA aliases"},
	{file: "sam-domain.yaml", args: []string{"-format", "sam", "-domain", "ddns.acme.local", "-disable-execute-api"},
		what: "AWS SAM with the custom domain as plain CloudFormation beside the AWS::Serverless::Api"},
	{file: "access-logs.yaml", args: []string{"-access-logs", "-log-retention", "30"},
		what: "the seed stack with a JSON access log kept 30 days (the account's logs role set elsewhere)"},
	{file: "alarms.yaml", args: []string{"-alarm-email", "ops@example.com"},
		what: "the seed stack with alarms on 5XX answers, refused requests and Route 53 latency, mailed through SNS"},
	{file: "waf.yaml", args: []string{"-waf-rate", "100"}, what: "the seed stack behind an AWS WAF web ACL: 100 requests per 5 minutes per address"},
	{file: "ops.yaml", args: append([]string{"-dyndns2", "-access-logs", "-account-logs-role", "-alarm-email", "ops@example.com",
		"-alarm-4xx", "50", "-alarm-latency", "1500", "-waf-rate", "300"}, devicesArgs...),
		what: "the five devices with dyndns2, access logs and the account-wide logs role, alarms and the web ACL"},
	{file: "sam-ops.yaml", args: []string{"-format", "sam", "-access-logs", "-alarm-email", "ops@example.com", "-waf-rate", "100"},
		what: "the seed stack as AWS SAM with access logs, alarms and the web ACL (on SAM's stage, RestApi.Stage)"},
	{file: "embedded.yaml", build: embedded, how: "cfn.AddTo: embedded() in cmd/ddnsgen/golden_test.go",
		what: "added to a template with its own S3 bucket, role and hosted zone; prefix and tags"},
	{file: "two-stacks.yaml", build: twoStacks, how: "cfn.AddTo twice: twoStacks() in cmd/ddnsgen/golden_test.go",
		what: "two dynamic DNS stacks in one template, prefixes Home and Office"},
}

// roleARN is the role the OpenAPI goldens name.
const roleARN = "arn:aws:iam::123456789012:role/ddns-route53"

// certificateARN is the existing certificate domain-certificate.yaml uses.
const certificateARN = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"

// devicesArgs are the flags equivalent to testdata/devices.yaml.
var devicesArgs = []string{
	"-zone-id", "Z0123456789ABCDEFGHIJ", "-type", "A,AAAA",
	"-name", "home.acme.local", "-name", "vpn.acme.local", "-name", "nas.acme.local",
	"-name", "laptop.acme.local", "-name", "office.acme.local",
	"-device", "router=home.acme.local,vpn.acme.local", "-device", "backup-router=home.acme.local,vpn.acme.local",
	"-device", "nas=nas.acme.local", "-device", "laptop=laptop.acme.local", "-device", "office=office.acme.local",
}

// generateGolden runs ddnsgen as a user would and returns stdout, failing
// the test on a non-zero exit.
func generateGolden(t *testing.T, args []string) []byte {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := run(args, &stdout, &stderr); code != 0 {
		t.Fatalf("ddnsgen %s: exit %d: %s", strings.Join(args, " "), code, stderr.String())
	}
	return stdout.Bytes()
}

// output is what a golden case writes: ddnsgen's stdout, or the library's.
func (c goldenCase) output(t *testing.T) []byte {
	t.Helper()
	if c.build == nil {
		return generateGolden(t, c.args)
	}
	b, err := c.build()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (c goldenCase) command() string {
	if c.build != nil {
		return c.how
	}
	return strings.TrimSpace("ddnsgen " + strings.Join(c.args, " "))
}

func TestGolden(t *testing.T) {
	for _, c := range goldenCases {
		t.Run(c.file, func(t *testing.T) {
			got := c.output(t)
			path := filepath.Join(goldenDir, c.file)
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./... -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("%s differs from %s (-want +got):\n%s", c.command(), path, diff)
			}
			if again := c.output(t); !bytes.Equal(again, got) {
				t.Errorf("%s is not deterministic: a second run gave other bytes", c.command())
			}
		})
	}
	if *update {
		writeGoldenIndex(t)
	}
}

// TestGoldenIndex keeps golden/README.md, the list of golden files and the
// commands that write them, in step with goldenCases.
func TestGoldenIndex(t *testing.T) {
	want, err := os.ReadFile(filepath.Join(goldenDir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), goldenIndex()); diff != "" {
		t.Errorf("golden/README.md is stale (run go test ./... -update) (-want +got):\n%s", diff)
	}
}

func goldenIndex() string {
	var b strings.Builder
	b.WriteString("# Golden templates\n\nWritten by `go test ./cmd/ddnsgen -update`; every test compares against them.\n" +
		"Each is cfn-lint clean and deploys to moto (TestGoldenLint, TestGoldenDeploys).\n\n" +
		"| file | command | what it shows |\n|---|---|---|\n")
	for _, c := range goldenCases {
		fmt.Fprintf(&b, "| [%s](%s) | `%s` | %s |\n", c.file, c.file, c.command(), c.what)
	}
	return b.String()
}

func writeGoldenIndex(t *testing.T) {
	if err := os.WriteFile(filepath.Join(goldenDir, "README.md"), []byte(goldenIndex()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestGoldenRoundTrip reads each golden file back (intrinsics kept as they
// are) and writes it again: the writer must give the same bytes, so that it
// is the exact inverse of a parse and loses nothing.
func TestGoldenRoundTrip(t *testing.T) {
	for _, c := range goldenCases {
		t.Run(c.file, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join(goldenDir, c.file))
			if err != nil {
				t.Fatal(err)
			}
			var got []byte
			if strings.HasPrefix(c.file, "openapi") {
				got = roundTripDocument(t, want, strings.HasSuffix(c.file, ".json"))
			} else {
				tmpl, err := cfn.Parse(want)
				if err != nil {
					t.Fatal(err)
				}
				write := cfn.YAML
				if strings.HasSuffix(c.file, ".json") {
					write = cfn.JSON
				}
				if got, err = write(tmpl); err != nil {
					t.Fatal(err)
				}
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("parse and write of %s changed it (-want +got):\n%s", c.file, diff)
			}
		})
	}
}

// TestConfigFileMatchesFlags: a -config file with the same fields as the
// flags gives the same template, byte for byte.
func TestConfigFileMatchesFlags(t *testing.T) {
	fromFile := generateGolden(t, []string{"-config", "testdata/devices.yaml"})
	fromFlags := generateGolden(t, devicesArgs)
	if diff := cmp.Diff(string(fromFlags), string(fromFile)); diff != "" {
		t.Errorf("-config testdata/devices.yaml differs from the equivalent flags (-flags +file):\n%s", diff)
	}
}

// embedded adds a stack to a template that has its own S3 bucket, the role
// API Gateway is to assume, and the hosted zone.
func embedded() ([]byte, error) {
	t := cloudformation.NewTemplate()
	t.Description = "Home lab: backups, and dynamic DNS for the gateway"
	t.Resources["Backups"] = &s3.Bucket{
		VersioningConfiguration: &s3.Bucket_VersioningConfiguration{Status: "Enabled"},
	}
	t.Resources["GatewayRole"] = &iam.Role{
		Description: cloudformation.String("Assumed by API Gateway"),
		AssumeRolePolicyDocument: map[string]any{
			"Version": "2012-10-17",
			"Statement": []any{map[string]any{
				"Effect": "Allow", "Principal": map[string]any{"Service": "apigateway.amazonaws.com"}, "Action": "sts:AssumeRole",
			}},
		},
	}
	t.Resources["LabZone"] = &route53.HostedZone{Name: cloudformation.String("lab.example.com")}
	_, err := cfn.AddTo(t, cfn.Config{
		Prefix:  "Ddns",
		Role:    "GatewayRole",
		Zones:   []cfn.Zone{{Name: "lab.example.com", Ref: "LabZone"}},
		Records: []cfn.Record{{Name: "gw.lab.example.com", TTL: cfn.Int(120), Types: []string{"A", "AAAA"}}},
		Tags:    map[string]string{"project": "homelab", "owner": "ops"},
	})
	if err != nil {
		return nil, err
	}
	return cfn.YAML(t)
}

// twoStacks puts two dynamic DNS stacks side by side in one template.
func twoStacks() ([]byte, error) {
	t := cloudformation.NewTemplate()
	t.Description = "Dynamic DNS for home and office, one stack each"
	for _, cfg := range []cfn.Config{
		{Prefix: "Home", Records: []cfn.Record{{Name: "home.acme.local"}}},
		{Prefix: "Office", Stage: "office", Records: []cfn.Record{{Name: "office.example.com"}}, DynDNS2: true},
	} {
		if _, err := cfn.AddTo(t, cfg); err != nil {
			return nil, err
		}
	}
	return cfn.YAML(t)
}

// roundTripDocument reads an OpenAPI golden and writes it again with the
// library's writer, keys in the order read.
func roundTripDocument(t *testing.T, b []byte, asJSON bool) []byte {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	d := cfn.DocumentOf(plainNode(doc.Content[0]))
	var out []byte
	var err error
	if asJSON {
		out, err = d.JSON()
	} else {
		out, err = d.YAML()
	}
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// plainNode turns a YAML node into values that keep their key order.
func plainNode(n *yaml.Node) any {
	switch n.Kind {
	case yaml.MappingNode:
		var m [][2]any
		for i := 0; i+1 < len(n.Content); i += 2 {
			m = append(m, [2]any{n.Content[i].Value, plainNode(n.Content[i+1])})
		}
		return m
	case yaml.SequenceNode:
		l := []any{}
		for _, c := range n.Content {
			l = append(l, plainNode(c))
		}
		return l
	}
	var v any
	_ = n.Decode(&v)
	return v
}
