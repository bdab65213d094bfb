package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/ddnsgen/ddnsgen/cfn"
	"github.com/ddnsgen/ddnsgen/internal/lab"
)

// TestGoldenLint: every golden template is cfn-lint clean: no errors, no
// warnings, and no informational findings either.
// SAM goldens are linted as aws-sam-translator translates them.
func TestGoldenLint(t *testing.T) {
	var paths []string
	for _, c := range goldenCases {
		path := filepath.Join(goldenDir, c.file)
		switch {
		case strings.HasPrefix(c.file, "sam"):
			paths = append(paths, lab.SAMTranslate(t, path))
		case strings.HasPrefix(c.file, "openapi"):
			// Not a template: TestGoldenDeploys imports it.
		default:
			paths = append(paths, path)
		}
	}
	lab.CfnLint(t, paths...)
}

// TestGoldenDeploys: every golden template deploys to moto with `aws
// cloudformation deploy`, as the README tells a user to (CREATE_COMPLETE),
// and every OpenAPI golden imports with `aws apigateway import-rest-api`.
//
// SAM goldens are not deployed here: moto's CloudFormation cannot make a
// RestApi from an OpenAPI Body (it answers "The REST API doesn't contain
// any methods") nor import one holding intrinsic functions. They are
// translated, linted (TestGoldenLint) and served by the lab (local.TestLab)
// instead. Nor are those the lab deploys itself (deployedByTheLab).
func TestGoldenDeploys(t *testing.T) {
	lab.Require(t, "moto_server", "aws")
	moto := lab.StartMoto(t)
	zones := map[string]string{}
	for _, name := range []string{"acme.local", "example.com"} {
		zones[name] = moto.CreateHostedZone(t, name)
	}
	for i, c := range goldenCases {
		if strings.HasPrefix(c.file, "sam") || deployedByTheLab[c.file] != "" {
			continue
		}
		t.Run(c.file, func(t *testing.T) {
			path := filepath.Join(goldenDir, c.file)
			if strings.HasPrefix(c.file, "openapi") {
				// The API alone: imported as its README section says.
				out := moto.AWS(t, "apigateway", "import-rest-api", "--body", "fileb://"+lab.MotoMockWorkaround(t, path),
					"--parameters", "endpointConfigurationTypes=REGIONAL", "--query", "id", "--output", "text")
				id := strings.TrimSpace(string(out))
				res := string(moto.AWS(t, "apigateway", "get-resources", "--rest-api-id", id, "--query", "items[].path", "--output", "text"))
				if !strings.Contains(res, "/{zone_id}") {
					t.Errorf("the imported API has resources %q, want /{zone_id}", res)
				}
				return
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			tmpl, err := cfn.Parse(b)
			if err != nil {
				t.Fatal(err)
			}
			params := map[string]string{}
			for name, p := range tmpl.Parameters {
				switch {
				case p.Type == "AWS::Route53::HostedZone::Id":
					zone := "acme.local"
					if p.Description != nil && strings.Contains(*p.Description, "example.com") {
						zone = "example.com"
					}
					params[name] = zones[zone]
				case strings.Contains(name, cfn.ParamPassword):
					params[name] = "secret0123456789" + strings.Repeat("x", len(name)%7)
				default:
					t.Fatalf("parameter %s: the test does not know what to give it", name)
				}
			}
			// The case's number keeps names apart; a letter ran out after z.
			stack := "golden-" + strings.NewReplacer(".", "-").Replace(c.file) + "-" + fmt.Sprint(i)
			// A custom domain is made outside moto's CloudFormation (see
			// domainDeployment), the rest deployed as a user would.
			deployed, domainCheck := domainDeployment(t, moto, b, zones, params)
			if deployed == "" {
				deployed = lab.MotoMockWorkaround(t, path)
			}
			moto.Deploy(t, deployed, stack, params)
			if domainCheck != nil {
				domainCheck(stack)
			}
			resources := moto.ListStackResources(t, stack)
			var have []string
			for id := range resources {
				have = append(have, id)
			}
			sort.Strings(have)
			for _, want := range []string{cfn.IDRestAPI, cfn.IDUpdateMethod, cfn.IDZoneResource} {
				found := false
				for _, id := range have {
					found = found || strings.HasSuffix(id, want)
				}
				if !found {
					t.Errorf("stack %s has no *%s; it has %v", stack, want, have)
				}
			}
		})
	}
}

// deployedByTheLab are the goldens a lab test of package local deploys to
// moto exactly as TestGoldenDeploys would (Moto.Deploy: `aws cloudformation
// deploy`, CREATE_COMPLETE) before it serves them: golden → that test.
// TestGoldenDeploys leaves them to it rather than deploy each twice.
var deployedByTheLab = map[string]string{
	"seed.yaml": "TestLab", "seed.json": "TestLab", "baked.yaml": "TestLab", "open.yaml": "TestLab",
	"multizone.yaml": "TestLab", "devices.yaml": "TestLab", "ipv6only.yaml": "TestLab", "dyndns2.yaml": "TestLab",
	"dyndns2-devices.yaml": "TestLab", "embedded.yaml": "TestLab", "two-stacks.yaml": "TestLab",
	"routers.yaml": "TestRouterRecipes", "acme.yaml": "TestACMELab", "ops.yaml": "TestOpsTemplateServes",
}

// TestGoldenDeploysLeavesToTheLab: every golden TestGoldenDeploys leaves to
// a lab test of package local is still named in that package's tests, and
// the test still exists, so no golden drops out of both.
func TestGoldenDeploysLeavesToTheLab(t *testing.T) {
	files, err := filepath.Glob("../../local/*_test.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no tests of package local: %v", err)
	}
	var src strings.Builder
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src.Write(b)
	}
	golden := map[string]bool{}
	for _, c := range goldenCases {
		golden[c.file] = true
	}
	for file, test := range deployedByTheLab {
		if !golden[file] {
			t.Errorf("deployedByTheLab names %s, which is no golden", file)
		}
		if !strings.Contains(src.String(), `"`+file+`"`) || !strings.Contains(src.String(), "func "+test+"(t *testing.T)") {
			t.Errorf("%s is left to local.%s, but local's tests no longer name it or have that test: deploy it in TestGoldenDeploys", file, test)
		}
	}
}

// TestLargestStackDeploys: a stack of the most devices one holds (cfn.MaxDevices,
// 499 resources) deploys to moto.
func TestLargestStackDeploys(t *testing.T) {
	lab.Require(t, "moto_server", "aws")
	cfg := cfn.Config{Zones: []cfn.Zone{{Name: "example.com", ID: "Z0123456789ABCDEFGHIJ"}}}
	for i := 0; i < cfn.MaxDevices; i++ {
		name := fmt.Sprintf("device%04d.example.com", i)
		cfg.Records = append(cfg.Records, cfn.Record{Name: name})
		cfg.Devices = append(cfg.Devices, cfn.Device{Name: fmt.Sprintf("device%04d", i), Records: []string{name}})
	}
	tmpl, err := cfn.Build(cfg)
	if err != nil {
		t.Fatal(err)
	}
	y, err := cfn.YAML(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "largest.yaml")
	if err := os.WriteFile(path, y, 0o644); err != nil {
		t.Fatal(err)
	}
	// cfn-lint's one remark is that 499 resources approach the limit.
	if out, code, err := lab.CfnLintOutput(path); err != nil || code != 8 || !strings.Contains(out, "I3010") || strings.Count(out, "\n\n") > 1 {
		t.Errorf("cfn-lint: exit %d, %v:\n%s", code, err, out)
	}
	moto := lab.StartMoto(t)
	moto.Deploy(t, path, "largest", nil)
	if n := len(moto.ListStackResources(t, "largest")); n < 5 {
		t.Errorf("the stack has %d resources moto made", n)
	}
}
