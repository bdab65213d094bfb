package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/apigateway"
	"github.com/awslabs/goformation/v7/cloudformation/certificatemanager"
	"github.com/awslabs/goformation/v7/cloudformation/route53"

	"github.com/ddnsgen/ddnsgen/cfn"
	"github.com/ddnsgen/ddnsgen/internal/lab"
)

// goldenZoneID is the zone id the goldens bake in.
const goldenZoneID = "Z0123456789ABCDEFGHIJ"

// domainDeployment prepares a golden with a custom domain for moto, whose
// CloudFormation (5.2) has no AWS::CertificateManager::Certificate,
// AWS::ApiGateway::DomainName or AWS::ApiGateway::BasePathMapping: it skips
// them, and then fails the whole stack on the alias records'
// Fn::GetAtt DomainName.RegionalDomainName ("Template error: instance of
// Fn::GetAtt references undefined resource DomainName"). So the test does
// what CloudFormation would through moto's own APIs, with the template's
// properties:
//   - the certificate: acm request-certificate (DNS validation), and the
//     validation CNAME ACM asks for written into the hosted zone the
//     template names (CloudFormation writes it; moto never issues the
//     certificate: it stays PENDING_VALIDATION);
//   - the domain name: apigateway create-domain-name with the template's
//     certificate, endpoint type, IP address type and security policy;
//   - the rest of the template, alias records included, deployed with
//     `aws cloudformation deploy`, the aliases pointing at the
//     RegionalDomainName and RegionalHostedZoneId moto gave the domain;
//   - the base path mapping, once the stack is up: create-base-path-mapping
//     of the stage at the root (moto skips AWS::ApiGateway::Stage, so the
//     stage is made with create-deployment first).
//
// The alias records are then read back from the zone.
//
// It returns the template to deploy and the check to run after the deploy,
// or "" when the golden has no custom domain.
func domainDeployment(t *testing.T, moto *lab.Moto, b []byte, zones, params map[string]string) (string, func(stack string)) {
	t.Helper()
	tmpl, err := cfn.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	var dn *cfn.DomainName
	for _, r := range tmpl.Resources {
		if d, ok := r.(*cfn.DomainName); ok {
			dn = d
		}
	}
	if dn == nil {
		return "", nil
	}
	zoneName := ""
	for z := range zones {
		if strings.HasSuffix(dn.DomainName, "."+z) && len(z) > len(zoneName) {
			zoneName = z
		}
	}
	// A baked-in zone id becomes the id moto gave the zone.
	if tmpl, err = cfn.Parse(bytes.ReplaceAll(b, []byte(goldenZoneID), []byte(zones[zoneName]))); err != nil {
		t.Fatal(err)
	}
	value := func(s *string) string { // a literal or a Ref to a parameter
		if s == nil {
			return ""
		}
		for name, v := range params {
			if *s == cloudformation.Ref(name) {
				return v
			}
		}
		return *s
	}
	certificate := dn.RegionalCertificateArn
	var stage, restAPI string
	for id, r := range tmpl.Resources {
		switch r := r.(type) {
		case *certificatemanager.Certificate:
			certificate = jsonOut(t, moto.AWS(t, "acm", "request-certificate", "--domain-name", r.DomainName,
				"--validation-method", *r.ValidationMethod, "--query", "CertificateArn"))
			opt := r.DomainValidationOptions[0]
			zoneID := value(opt.HostedZoneId)
			if zoneID != zones[zoneName] || opt.DomainName != dn.DomainName {
				t.Errorf("the certificate is validated in zone %q for %q, want %s (%s) for %s", zoneID, opt.DomainName, zones[zoneName], zoneName, dn.DomainName)
			}
			var cname struct{ Name, Type, Value string }
			if err := json.Unmarshal(moto.AWS(t, "acm", "describe-certificate", "--certificate-arn", certificate,
				"--query", "Certificate.DomainValidationOptions[0].ResourceRecord"), &cname); err != nil {
				t.Fatal(err)
			}
			batch := `{"Changes":[{"Action":"UPSERT","ResourceRecordSet":{"Name":"` + cname.Name + `","Type":"` + cname.Type +
				`","TTL":300,"ResourceRecords":[{"Value":"` + cname.Value + `"}]}}]}`
			moto.AWS(t, "route53", "change-resource-record-sets", "--hosted-zone-id", zoneID, "--change-batch", batch)
			delete(tmpl.Resources, id)
		case *apigateway.BasePathMapping:
			if r.BasePath != nil {
				t.Errorf("BasePathMapping has BasePath %q; the stage belongs at the root", *r.BasePath)
			}
			delete(tmpl.Resources, id)
		case *cfn.DomainName:
			delete(tmpl.Resources, id)
		case *apigateway.Stage:
			stage = *r.StageName
		case *cfn.RestAPI:
			restAPI = id
		}
	}
	if strings.HasPrefix(certificate, "{") { // Ref Certificate
		t.Fatalf("the DomainName's certificate %s is not the template's Certificate", certificate)
	}
	var created struct {
		RegionalDomainName, RegionalHostedZoneId string
		EndpointConfiguration                    struct {
			Types         []string
			IpAddressType string
		}
	}
	out := moto.AWS(t, "apigateway", "create-domain-name", "--domain-name", dn.DomainName,
		"--regional-certificate-arn", certificate, "--security-policy", dn.SecurityPolicy,
		"--endpoint-configuration", "types="+strings.Join(dn.EndpointConfiguration.Types, ",")+",ipAddressType="+dn.EndpointConfiguration.IpAddressType)
	if err := json.Unmarshal(out, &created); err != nil {
		t.Fatal(err)
	}
	if created.EndpointConfiguration.IpAddressType != dn.EndpointConfiguration.IpAddressType {
		t.Errorf("create-domain-name made a %q domain, the template asks for %q", created.EndpointConfiguration.IpAddressType, dn.EndpointConfiguration.IpAddressType)
	}
	var aliases []string
	for _, r := range tmpl.Resources {
		if rs, ok := r.(*route53.RecordSet); ok {
			rs.AliasTarget.DNSName = created.RegionalDomainName
			rs.AliasTarget.HostedZoneId = created.RegionalHostedZoneId
			aliases = append(aliases, rs.Type)
		}
	}
	y, err := cfn.YAML(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "without-domain.yaml")
	if err := os.WriteFile(path, y, 0o644); err != nil {
		t.Fatal(err)
	}
	return path, func(stackName string) {
		t.Helper()
		apiID := moto.ListStackResources(t, stackName)[restAPI]
		moto.AWS(t, "apigateway", "create-deployment", "--rest-api-id", apiID, "--stage-name", stage)
		moto.AWS(t, "apigateway", "create-base-path-mapping", "--domain-name", dn.DomainName, "--rest-api-id", apiID, "--stage", stage)
		got := jsonOut(t, moto.AWS(t, "apigateway", "get-base-path-mappings", "--domain-name", dn.DomainName,
			"--query", "items[].[basePath,restApiId,stage]", "--output", "json"))
		if want := `[["(none)","` + apiID + `","` + stage + `"]]`; strings.Join(strings.Fields(got), "") != want {
			t.Errorf("base path mappings %s, want %s", got, want)
		}
		var sets []struct {
			Name        string
			Type        string
			AliasTarget struct{ DNSName, HostedZoneId string }
		}
		if err := json.Unmarshal(moto.AWS(t, "route53", "list-resource-record-sets", "--hosted-zone-id", zones[zoneName],
			"--query", "ResourceRecordSets[?AliasTarget]"), &sets); err != nil {
			t.Fatal(err)
		}
		var have []string
		for _, s := range sets {
			if strings.TrimSuffix(s.Name, ".") == dn.DomainName && strings.TrimSuffix(s.AliasTarget.DNSName, ".") == created.RegionalDomainName &&
				s.AliasTarget.HostedZoneId == created.RegionalHostedZoneId {
				have = append(have, s.Type)
			}
		}
		if strings.Join(have, ",") != strings.Join(slices.Sorted(slices.Values(aliases)), ",") {
			t.Errorf("alias records of %s to %s: %v, want %v (all alias sets: %+v)", dn.DomainName, created.RegionalDomainName, have, slices.Sorted(slices.Values(aliases)), sets)
		}
		// DisableExecuteApiEndpoint is not checked here: moto's CloudFormation
		// makes a RestApi from its Name, Description and
		// EndpointConfiguration only. cfn-lint checks the property, and the
		// lab answers 403 on a disabled execute-api endpoint (local.TestDomain).
	}
}

func jsonOut(t *testing.T, b []byte) string {
	t.Helper()
	var s any
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	if str, ok := s.(string); ok {
		return str
	}
	return string(b)
}

// TestDomainBadInput: the domain flags' refusals exit 2 with one line that
// names the flag, the value and the rule, and write nothing to stdout.
func TestDomainBadInput(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"-domain", ""}, `-domain "": a custom domain is a name in one of the zones, e.g. ddns.example.com`},
		{[]string{"-domain", "ddns.example.com"}, `-domain "ddns.example.com": the custom domain must lie in one of the stack's hosted zones (acme.local)`},
		{[]string{"-domain", "myddns.acme.local"}, `-domain "myddns.acme.local": the custom domain is also one of the records`},
		{[]string{"-domain", "ddns.acme.local</DomainName>"}, `-domain "ddns.acme.local</DomainName>": label "local</domainname>" has characters`},
		{[]string{"-disable-execute-api"}, `-disable-execute-api "true": without a custom domain (domain) the execute-api endpoint is the only way in`},
		{[]string{"-certificate-arn", certificateARN}, `-certificate-arn "` + certificateARN + `": a certificate is for a custom domain: set domain too`},
		{[]string{"-domain", "ddns.acme.local", "-certificate-arn", "arn:aws:acm:us-east-1:123456789012:certificate/${AWS::AccountId}"},
			`-certificate-arn "arn:aws:acm:us-east-1:123456789012:certificate/${AWS::AccountId}": an ACM certificate ARN`},
		{[]string{"-format", "openapi", "-role-arn", roleARN, "-domain", "ddns.acme.local"},
			`-domain "ddns.acme.local": an OpenAPI document holds the API alone`},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) { refused(t, c.args, c.want) })
	}
}

// TestDomainConfigFile: the config file's domain keys give the template the
// flags give, and the region note of an existing certificate is printed.
func TestDomainConfigFile(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "domain.yaml")
	if err := os.WriteFile(conf, []byte(`zones:
  - name: example.com
    id: Z0123456789ABCDEFGHIJ
records:
  - name: home.example.com
domain: ddns.example.com
certificate_arn: `+certificateARN+`
disable_execute_api: true
`), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-config", conf}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	golden, err := os.ReadFile(filepath.Join(goldenDir, "domain-certificate.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if stdout.String() != string(golden) {
		t.Error("the config file's domain keys give another template than the flags of domain-certificate.yaml")
	}
	want := "ddnsgen: warning: certificate_arn is in us-east-1: a REGIONAL custom domain takes a certificate from its own region, so deploy the stack in us-east-1, and the certificate must cover ddns.example.com\n"
	if stderr.String() != want {
		t.Errorf("stderr = %q, want %q", stderr.String(), want)
	}
	for _, f := range []string{"-domain", "-certificate-arn", "-disable-execute-api"} {
		args := []string{"-config", conf, f + "=x"}
		if f == "-disable-execute-api" {
			args[2] = f
		}
		stderr.Reset()
		if code := run(args, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), f+": cannot be combined with -config") {
			t.Errorf("%v: exit %d, %q", args, code, stderr.String())
		}
	}
}

// TestLocalCommandDomain runs `ddnsgen local` on the custom-domain golden:
// it prints the domain's port and its routes at the root, and a dyndns2
// update sent there as a router would (Host: the domain, no /STAGE)
// changes the record in moto.
func TestLocalCommandDomain(t *testing.T) {
	lab.Require(t, "moto_server", "aws", "java", "/usr/share/java/velocity-1.7.jar")
	moto := lab.StartMoto(t)
	zone := moto.CreateHostedZone(t, "acme.local")
	out, _ := startLocal(t, []string{"-template", goldenDir + "/domain.yaml", "-route53", moto.URL,
		"-parameter", "HostedZoneId=" + zone, "-parameter", "Password=pwlocal0123456789", "-trust-source-ip-header"}...)
	m := regexp.MustCompile(`Custom domain ddns\.acme\.local at (http://127\.0\.0\.1:\d+) \(send Host: ddns\.acme\.local\)\n`).FindStringSubmatch(out)
	if m == nil || !strings.Contains(out, "  GET "+m[1]+"/nic/update\n") || !strings.Contains(out, "  GET "+m[1]+"/{zone_id}\n") {
		t.Fatalf("the output lacks the custom domain and its routes at the root:\n%s", out)
	}
	req, _ := http.NewRequest("GET", m[1]+"/nic/update?hostname=myddns.acme.local&myip=198.51.100.40", nil)
	req.Host = "ddns.acme.local"
	req.SetBasicAuth("default", "pwlocal0123456789")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "good 198.51.100.40\n" {
		t.Errorf("%d %q, want 200 \"good 198.51.100.40\\n\"", resp.StatusCode, body)
	}
	found := false
	for _, r := range moto.Records(t, zone) {
		found = found || (r.Name == "myddns.acme.local." && r.Type == "A" && strings.Join(r.Values, ",") == "198.51.100.40")
	}
	if !found {
		t.Errorf("moto has no A record myddns.acme.local 198.51.100.40: %v", moto.Records(t, zone))
	}
}
