package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBadInput: every bad value exits 2 with one line on stderr that names
// the flag, the value and the rule, and writes nothing to stdout.
func TestBadInput(t *testing.T) {
	cases := []struct {
		args []string
		want string // the whole stderr line
	}{
		{[]string{"-zone-id", "z0123"}, `-zone-id "z0123": a hosted zone id is 1-32 upper-case letters and digits`},
		{[]string{"-zone-id", "Z012345678901234567890123456789012"}, `-zone-id "Z012345678901234567890123456789012": a hosted zone id is 1-32`},
		{[]string{"-zone-id", "Z123</Id>"}, `-zone-id "Z123</Id>": a hosted zone id is`},
		{[]string{"-zone-id", "${AWS::AccountId}"}, `-zone-id "${AWS::AccountId}": a hosted zone id is`},
		{[]string{"-zone-id", ""}, `-zone-id "": a hosted zone id is`},
		{[]string{"-name", "a b.example.com"}, `-name "a b.example.com": label "a b" has characters other than letters, digits and inner hyphens`},
		{[]string{"-name", "myddns.acme.local</Name>"}, `-name "myddns.acme.local</Name>": label "local</name>" has characters`},
		{[]string{"-name", "#set($x=1).acme.local"}, `-name "#set($x=1).acme.local": label "#set($x=1)" has characters`},
		{[]string{"-name", "${AWS::AccountId}.acme.local"}, `-name "${AWS::AccountId}.acme.local": label "${aws::accountid}" has characters`},
		{[]string{"-name", "*.acme.local"}, `-name "*.acme.local": wildcard names are not supported`},
		{[]string{"-name", "localhost"}, `-name "localhost": a fully qualified name has at least two labels`},
		{[]string{"-name", "a..acme.local"}, `-name "a..acme.local": a name has no empty labels`},
		{[]string{"-name", "-a.acme.local"}, `-name "-a.acme.local": label "-a" has characters other than letters, digits and inner hyphens`},
		{[]string{"-name", strings.Repeat("a", 64) + ".acme.local"}, `label "` + strings.Repeat("a", 64) + `" is longer than 63 characters`},
		{[]string{"-name", strings.Repeat("abcdefghi.", 26) + "com"}, `a name is at most 253 characters`},
		{[]string{"-name", "bücher.example.com"}, `-name "bücher.example.com": only ASCII names: write an internationalised name in its xn-- (punycode) form`},
		{[]string{"-name", "a.acme.local", "-name", "A.acme.local."}, `-name "A.acme.local.": each record is listed once`},
		{[]string{"-ttl", "-1"}, `-ttl "-1": a TTL is a whole number of seconds from 0 to 2147483647`},
		{[]string{"-ttl", "2147483648"}, `-ttl "2147483648": a TTL is a whole number of seconds from 0 to 2147483647`},
		{[]string{"-ttl", "sixty"}, `invalid value "sixty" for flag -ttl: parse error`},
		{[]string{"-type", "MX"}, `-type "MX": a record type is A (IPv4) or AAAA (IPv6)`},
		{[]string{"-stage", "prod/v1"}, `-stage "prod/v1": a stage name is 1-128 letters, digits, hyphens and underscores`},
		{[]string{"-stage", ""}, `-stage "": a stage name is`},
		{[]string{"-api-name", "My API<script>"}, `-api-name "My API<script>": an API name is 1-128 letters, digits, spaces, dots, hyphens and underscores`},
		{[]string{"-api-name", "${AWS::StackName}"}, `-api-name "${AWS::StackName}": an API name is`},
		{[]string{"-format", "xml"}, `-format "xml": the formats are yaml, json, sam, sam-json, openapi, openapi-json`},
		{[]string{"-api-key=maybe"}, `invalid boolean value "maybe" for -api-key`},
		{[]string{"-nope"}, `flag provided but not defined: -nope (see ddnsgen -h)`},
		{[]string{"extra"}, `unexpected argument "extra": ddnsgen takes only flags`},
		{[]string{"-device", "home"}, `-device "home": write NAME=host1[,host2]`},
		{[]string{"-device", "Home=a.acme.local"}, `-device "Home": a device name is 1-32 lower-case letters, digits and hyphens`},
		{[]string{"-device", "a=x.acme.local", "-device", "a=y.acme.local"}, `-device "a": each device is listed once`},
		{[]string{"-device", "a-1b=x.acme.local", "-device", "a1b=y.acme.local"}, `-device "a1b": its logical ID A1b is also that of device "a-1b": rename one`},
		{[]string{"-api-key=false", "-device", "a=x.acme.local"}, `-device "a": an open endpoint has no API keys`},
		{[]string{"-name", "a.acme.local", "-name", "b.example.com"}, `-zone "": the records a.acme.local, b.example.com share no parent domain: name their zones`},
		{[]string{"-zone", "acme.local", "-name", "b.example.com"}, `-name "b.example.com": the name is in none of the zones (acme.local)`},
		{[]string{"-zone-id", "Z1", "-zone", "acme.local=Z2"}, `-zone-id "Z1": use -zone NAME=ID for each zone when there are several`},
		{[]string{"-key-rate", "0"}, `-key-rate "0": a rate is more than 0 and at most 10000 requests a second`},
		{[]string{"-max-hostnames", "1001"}, `-max-hostnames "1001": must be from 1 to 1000`},
		{[]string{"-device", "r=bad_name.example.com"}, `-device "bad_name.example.com": label "bad_name" has characters other than letters, digits and inner hyphens`},
		{[]string{"-name", "ok.example.com", "-device", "r=ok.example.com,bad_name.example.com"}, `-device "bad_name.example.com": label "bad_name"`},
		{[]string{"-dyndns2", "-zone", "a.com", "-zone", "b.com", "-device", "r=x.a.com,y.b.com"},
			`-device "r": with dyndns2 a device's names must share a zone (one request, one Route 53 change batch): x.a.com is in a.com, y.b.com in b.com; split the device`},
		{[]string{"-dyndns2", "-api-key=false", "-zone", "a.com", "-zone", "b.com", "-name", "x.a.com", "-name", "y.b.com"},
			`-dyndns2 "true": with dyndns2 a device's names must share a zone`},
		{[]string{"-type", "A,AAAA", "-max-hostnames", "501"}, `-max-hostnames "501": with names that take A and AAAA a request may make two changes a name, and a batch takes 1,000: at most 500`},
		{[]string{"-format", "openapi"}, `-role-arn "": -format openapi needs the role API Gateway is to assume (see README, "AWS SAM and OpenAPI")`},
		{[]string{"-region", "eu-west-1"}, `-role-arn and -region go with -format openapi only`},
		{[]string{"-format", "openapi", "-role-arn", "arn:aws:iam::1:role/x"}, `-role-arn "arn:aws:iam::1:role/x": an IAM role ARN`},
		{[]string{"-config", "no-such-file.yaml"}, `-config "no-such-file.yaml": open no-such-file.yaml: no such file or directory`},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(c.args, &stdout, &stderr)
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout has %d bytes, want none", stdout.Len())
			}
			lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
			if len(lines) != 1 || !strings.HasPrefix(lines[0], "ddnsgen: ") || !strings.Contains(lines[0], c.want) {
				t.Errorf("stderr = %q\nwant one line containing %q", stderr.String(), c.want)
			}
		})
	}
}

func TestOpenEndpointWarns(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-api-key=false"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	want := "ddnsgen: warning: open endpoint (no API key): anyone who finds the URL can point myddns.acme.local at any address\n"
	if stderr.String() != want {
		t.Errorf("stderr = %q, want %q", stderr.String(), want)
	}
	if !strings.Contains(stdout.String(), "ApiKeyRequired: false") {
		t.Error("the open endpoint's method still requires an API key")
	}
}

func TestOutputFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ddns.yaml")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-o", path}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if stdout.Len() != 0 {
		t.Errorf("-o also wrote %d bytes to stdout", stdout.Len())
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join(goldenDir, "seed.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("-o wrote other bytes than stdout would")
	}

	// A failed run leaves the old file as it was, and no temporary files.
	if code := run([]string{"-o", path, "-ttl", "-5"}, &stdout, &stderr); code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	if again, _ := os.ReadFile(path); !bytes.Equal(again, want) {
		t.Error("a failed run changed the -o file")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("the directory holds %d entries, want only ddns.yaml", len(entries))
	}

	// An unwritable destination is an I/O error (exit 1), not bad input.
	stderr.Reset()
	if code := run([]string{"-o", filepath.Join(dir, "missing", "x.yaml")}, &stdout, &stderr); code != 1 {
		t.Errorf("exit %d for an unwritable -o, want 1 (stderr %q)", code, stderr.String())
	}
}

func TestHelpAndVersion(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-h"}, &stdout, &stderr); code != 0 {
		t.Fatalf("-h: exit %d", code)
	}
	for _, flag := range []string{"-zone-id", "-name", "-ttl", "-stage", "-api-name", "-api-key", "-format", "-o", "-version"} {
		if !strings.Contains(stdout.String(), "  "+flag) {
			t.Errorf("-h does not list %s", flag)
		}
	}
	stdout.Reset()
	if code := run([]string{"-version"}, &stdout, &stderr); code != 0 || !strings.HasPrefix(stdout.String(), "ddnsgen ") {
		t.Errorf("-version: exit %d, stdout %q", code, stdout.String())
	}
}

// TestLargeTemplateNote: over 51,200 bytes, ddnsgen says on stderr that
// deploy needs --s3-bucket, and still writes the template.
func TestLargeTemplateNote(t *testing.T) {
	args := []string{"-dyndns2", "-zone-id", "Z0123456789ABCDEFGHIJ"}
	for i := 0; i < 40; i++ {
		args = append(args, "-device", fmt.Sprintf("device%02d=device%02d.example.com", i, i))
	}
	var stdout, stderr bytes.Buffer
	if code := run(args, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	want := fmt.Sprintf("ddnsgen: note: the template is %d bytes, over CloudFormation's 51,200 for an inline template: deploy it with --s3-bucket BUCKET\n", stdout.Len())
	if stdout.Len() <= 51200 || stderr.String() != want {
		t.Errorf("%d bytes; stderr %q, want %q", stdout.Len(), stderr.String(), want)
	}
	stderr.Reset()
	if run(nil, &stdout, &stderr); stderr.Len() != 0 {
		t.Errorf("the seed stack got a note: %q", stderr.String())
	}
}
