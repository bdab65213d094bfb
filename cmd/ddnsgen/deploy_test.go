package main

import (
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
func TestGoldenLint(t *testing.T) {
	var paths []string
	for _, c := range goldenCases {
		paths = append(paths, filepath.Join(goldenDir, c.file))
	}
	lab.CfnLint(t, paths...)
}

// TestGoldenDeploys: every golden template deploys to moto with `aws
// cloudformation deploy`, as the README tells a user to (CREATE_COMPLETE).
func TestGoldenDeploys(t *testing.T) {
	lab.Require(t, "moto_server", "aws")
	moto := lab.StartMoto(t)
	zones := map[string]string{}
	for _, name := range []string{"acme.local", "example.com"} {
		zones[name] = moto.CreateHostedZone(t, name)
	}
	for i, c := range goldenCases {
		t.Run(c.file, func(t *testing.T) {
			path := filepath.Join(goldenDir, c.file)
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
			stack := "golden-" + strings.NewReplacer(".", "-").Replace(c.file) + "-" + string(rune('a'+i))
			moto.Deploy(t, path, stack, params)
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
