package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ddnsgen/ddnsgen/cfn"
)

var update = flag.Bool("update", false, "rewrite golden/ from the current output (then read the diff)")

// goldenDir holds the templates the tests compare: the spec a reviewer reads.
const goldenDir = "../../golden"

// goldenCase is one golden file and the ddnsgen command that writes it.
type goldenCase struct {
	file string
	args []string
	what string
}

var goldenCases = []goldenCase{
	{"seed.yaml", nil, "no flags: the seed stack, made safe"},
	{"seed.json", []string{"-format", "json"}, "the seed stack as JSON"},
	{"baked.yaml", []string{"-zone-id", "Z0123456789ABCDEFGHIJ", "-name", "home.example.com", "-ttl", "300"}, "zone id, name and TTL baked in: no parameters"},
	{"open.yaml", []string{"-api-key=false"}, "the seed's open endpoint: no API key"},
	{"multizone.yaml", []string{"-zone", "acme.local=Z0123456789ABCDEFGHIJ", "-zone", "example.com",
		"-name", "home.acme.local", "-name", "nas.acme.local", "-name", "vpn.example.com"},
		"three names in two zones, one zone id baked in and one a parameter"},
	{"devices.yaml", devicesArgs, "five devices with their own API keys, some names shared and some not; A and AAAA (dual-stack)"},
	{"dyndns2.yaml", []string{"-dyndns2"}, "the seed stack with the dyndns2 endpoint for routers, ddclient and inadyn"},
	{"dyndns2-devices.yaml", append([]string{"-dyndns2"}, devicesArgs...), "the five devices with dyndns2: a password parameter each"},
	{"ipv6only.yaml", []string{"-name", "v6.acme.local", "-type", "AAAA"}, "an AAAA-only record: IPv4 callers get a clear 400"},
}

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

func TestGolden(t *testing.T) {
	for _, c := range goldenCases {
		t.Run(c.file, func(t *testing.T) {
			got := generateGolden(t, c.args)
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
				t.Errorf("ddnsgen %s differs from %s (-want +got):\n%s", strings.Join(c.args, " "), path, diff)
			}
			if again := generateGolden(t, c.args); !bytes.Equal(again, got) {
				t.Errorf("ddnsgen %s is not deterministic: a second run gave other bytes", strings.Join(c.args, " "))
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
		fmt.Fprintf(&b, "| [%s](%s) | `ddnsgen %s` | %s |\n", c.file, c.file, strings.Join(c.args, " "), c.what)
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
			tmpl, err := cfn.Parse(want)
			if err != nil {
				t.Fatal(err)
			}
			write := cfn.YAML
			if strings.HasSuffix(c.file, ".json") {
				write = cfn.JSON
			}
			got, err := write(tmpl)
			if err != nil {
				t.Fatal(err)
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
