package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"gopkg.in/yaml.v3"

	"github.com/ddnsgen/ddnsgen/internal/lab"
	"github.com/ddnsgen/ddnsgen/local"
	"github.com/ddnsgen/ddnsgen/local/velocity"
)

// labWorld is how the lab's API Gateway treats $context.requestOverride in
// response templates, and the X-Ddnsgen-Via a correct stack then answers with.
type labWorld struct {
	name  string
	carry bool
	via   string
}

var labWorlds = []labWorld{
	{"pessimistic", false, "echo"},
	{"carry", true, "echo+carry"},
}

// TestCheckLab runs `ddnsgen check` against the lab serving golden
// dyndns2-devices.yaml (device nas: one name, a key and a dyndns2 password),
// and against two broken copies of it, in each lab world.
func TestCheckLab(t *testing.T) {
	lab.Require(t, append([]string{"moto_server", "aws", "java"}, velocity.DefaultJars...)...)
	ctx := context.Background()
	eng, err := velocity.Start(ctx, velocity.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	moto := lab.StartMoto(t)
	zone := moto.CreateHostedZone(t, "acme.local")
	golden, err := os.ReadFile(goldenDir + "/dyndns2-devices.yaml")
	if err != nil {
		t.Fatal(err)
	}
	golden = bytes.ReplaceAll(golden, []byte("Z0123456789ABCDEFGHIJ"), []byte(zone))
	const key = "labKeyNas0123456789abcdefghijklmnopqrstu"
	params := map[string]string{}
	for _, p := range []string{"PasswordRouter", "PasswordBackupRouter", "PasswordNas", "PasswordLaptop", "PasswordOffice"} {
		params[p] = "pw" + p + "0123456789"
	}
	args := func(api *local.API) []string {
		return []string{"-url", api.URL + "/ddns/" + zone, "-key", key, "-other", "laptop.acme.local", "-dyndns2", "nas:" + params["PasswordNas"]}
	}
	// serve starts the lab on a template and returns its API; throttled
	// keeps the stack's throttles on (the check's -interval must respect them).
	serve := func(t *testing.T, w labWorld, tmpl []byte, throttled bool) *local.API {
		o := local.Options{
			Template: tmpl, Parameters: params, Route53URL: moto.URL, Engine: eng, Unthrottled: !throttled,
			APIKeys: map[string]string{"ApiKeyNas": key}, Log: labLog{t}, Carry: w.carry,
		}
		srv, err := local.Start(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { srv.Close() })
		return srv.APIs[0]
	}
	// Records are read and set straight from moto (the aws CLI is slow to
	// start): every case starts from these values.
	const nasBefore, laptopBefore = "192.0.2.10", "192.0.2.20"
	reset := func() {
		route53Call(t, moto.URL, "POST", zone, `<?xml version="1.0" encoding="UTF-8"?>
<ChangeResourceRecordSetsRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ChangeBatch><Changes>`+
			upsertXML("nas.acme.local", nasBefore)+upsertXML("laptop.acme.local", laptopBefore)+`</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>`)
	}
	record := func(name string) string {
		var list struct {
			Sets []struct {
				Name   string
				Type   string
				Values []string `xml:"ResourceRecords>ResourceRecord>Value"`
			} `xml:"ResourceRecordSets>ResourceRecordSet"`
		}
		if err := xml.Unmarshal(route53Call(t, moto.URL, "GET", zone, ""), &list); err != nil {
			t.Fatal(err)
		}
		for _, r := range list.Sets {
			if strings.TrimSuffix(r.Name, ".") == name && r.Type == "A" {
				return strings.Join(r.Values, ",")
			}
		}
		return ""
	}

	for _, w := range labWorlds {
		t.Run(w.name, func(t *testing.T) {
			t.Run("correct", func(t *testing.T) {
				reset()
				api := serve(t, w, golden, true)
				code, out, errOut := runCheckCommand(t, append(args(api), "-interval", "1.1s", "-v")...)
				if code != 0 || errOut != "" {
					t.Errorf("exit %d, stderr %q\n%s", code, errOut, out)
				}
				// The rows TestCheckDocs shows (its fake stack answers as
				// this one does), with -v's VIA column.
				for check, line := range map[string]string{
					"update":                 "update 200 updated nas.acme.local A 127.0.0.1 " + w.via + " pass",
					"wrong API key":          `wrong API key 403 {"message":"Forbidden"} - pass`,
					"malformed hostname":     "malformed hostname 400 BadHostname: name 1 of hostname is not a domain name " + w.via + " pass",
					"unknown hostname":       "unknown hostname 400 UnknownHostname: name 1 of hostname is not a name this stack updates " + w.via + " pass",
					"another device's name":  "another device's name 403 NotYourHostname: name 1 of hostname belongs to another device " + w.via + " pass",
					"dyndns2 wrong password": "dyndns2 wrong password 401 badauth - pass",
					"dyndns2 no credentials": `dyndns2 no credentials 401 badauth, WWW-Authenticate: Basic realm="ddnsgen" - pass`,
					"dyndns2 update":         "dyndns2 update 200 good 127.0.0.1 - pass",
				} {
					if got := tableLine(out, check); got != line {
						t.Errorf("table line of %q:\n got %q\nwant %q", check, got, line)
					}
				}
				if got, want := lastLine(out), "ddnsgen check: answers via "+w.via+": "+viaMeaning[w.via]; got != want {
					t.Errorf("summary:\n got %q\nwant %q", got, want)
				}
				if got := record("nas.acme.local"); got != "127.0.0.1" {
					t.Errorf("nas.acme.local A is %q after the check, want 127.0.0.1", got)
				}
				if got := record("laptop.acme.local"); got != laptopBefore {
					t.Errorf("the refusals changed laptop.acme.local: A %s, was %s", got, laptopBefore)
				}
			})

			t.Run("a refusal reaches Route 53 as an update", func(t *testing.T) {
				reset()
				// The request templates forget to check that the name is the device's.
				broken := replaceAll(t, golden, "!$device.names.contains($name)", "false")
				api := serve(t, w, broken, false)
				code, out, _ := runCheckCommand(t, args(api)...)
				if code != 1 {
					t.Errorf("exit %d, want 1\n%s", code, out)
				}
				want := "another device's name 200 updated laptop.acme.local A 127.0.0.1 FAIL: the refusal was answered as an update: it changed laptop.acme.local (unless -other is one of this key's own names)"
				if got := tableLine(out, "another device's name"); got != want {
					t.Errorf("table line:\n got %q\nwant %q", got, want)
				}
				if got := lastLine(out); got != "ddnsgen check: 7 passed, 1 failed" {
					t.Errorf("summary %q", got)
				}
				if got := record("laptop.acme.local"); got != "127.0.0.1" {
					t.Errorf("the broken stack did not really update laptop.acme.local (A %q): the case proves nothing", got)
				}
			})

			t.Run("4xx passes Route 53's text through", func(t *testing.T) {
				broken := passRoute53Text(t, golden, "UpdateMethod")
				api := serve(t, w, broken, false)
				code, out, _ := runCheckCommand(t, args(api)...)
				if code != 1 {
					t.Errorf("exit %d, want 1\n%s", code, out)
				}
				for _, check := range []string{"malformed hostname", "unknown hostname", "another device's name"} {
					got := tableLine(out, check)
					// The broken template answers 400 with Route 53's own text.
					if !regexp.MustCompile(`^` + regexp.QuoteMeta(check) + ` 4\d\d Route 53's XML: AccessDenied FAIL: wanted 4`).MatchString(got) {
						t.Errorf("table line of %q: %q, want a FAIL", check, got)
					}
					leak := tableLine(out, "leak: "+check)
					if !strings.Contains(leak, "FAIL: the stack leaked an ARN (arn:…), an AWS account id (12 digits), an assumed role (assumed-role/…), a role name (…-Role-…)") {
						t.Errorf("table line of %q: %q, want the leak named", "leak: "+check, leak)
					}
				}
				if got := lastLine(out); got != "ddnsgen check: 5 passed, 6 failed" {
					t.Errorf("summary %q", got)
				}
				if strings.Contains(out, "123456789012") || strings.Contains(out, "arn:aws") {
					t.Errorf("the table repeats the leaked text:\n%s", out)
				}
			})
		})
	}
}

// route53Call sends a SigV4-signed Route 53 request for a zone's record
// sets to moto: GET lists them, POST changes them.
func route53Call(t *testing.T, motoURL, method, zone, body string) []byte {
	t.Helper()
	path := "/2013-04-01/hostedzone/" + zone + "/rrset"
	if method == "POST" {
		path += "/"
	}
	req, _ := http.NewRequest(method, motoURL+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/xml")
	}
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"},
		req, hex.EncodeToString(sum[:]), "route53", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("moto: %s %s: %d %s", method, path, resp.StatusCode, b)
	}
	return b
}

func upsertXML(name, value string) string {
	return "<Change><Action>UPSERT</Action><ResourceRecordSet><Name>" + name + "</Name><Type>A</Type><TTL>60</TTL>" +
		"<ResourceRecords><ResourceRecord><Value>" + value + "</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></Change>"
}

func replaceAll(t *testing.T, b []byte, old, new string) []byte {
	t.Helper()
	if !bytes.Contains(b, []byte(old)) {
		t.Fatalf("the golden template no longer holds %q: break it another way", old)
	}
	return bytes.ReplaceAll(b, []byte(old), []byte(new))
}

// passRoute53Text makes a method answer a Route 53 error with Route 53's body
// as it came (in its 4xx integration response, or in the default one that
// answers every status).
func passRoute53Text(t *testing.T, tmpl []byte, method string) []byte {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal(tmpl, &doc); err != nil {
		t.Fatal(err)
	}
	get := func(n *yaml.Node, key string) *yaml.Node {
		if n == nil || n.Kind != yaml.MappingNode {
			return nil
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				return n.Content[i+1]
			}
		}
		return nil
	}
	responses := get(get(get(get(get(doc.Content[0], "Resources"), method), "Properties"), "Integration"), "IntegrationResponses")
	changed := 0
	for _, r := range responses.Content {
		// The 4xx response, or the one default response that answers every
		// status: a Route 53 error's body goes out as it came, with a 400.
		p := get(r, "SelectionPattern")
		if p == nil && len(responses.Content) > 1 || p != nil && !strings.HasPrefix(p.Value, "4") {
			continue
		}
		templates := get(r, "ResponseTemplates").Content
		for i := 1; i < len(templates); i += 2 {
			templates[i].Value = "#if(!$input.body.contains('<ChangeInfo>'))\n#set($context.responseOverride.status = 400)\n$input.body\n#else\n" + templates[i].Value + "#end\n"
			changed++
		}
	}
	if changed == 0 {
		t.Fatalf("%s has no integration response template for a 4xx to break", method)
	}
	out, err := yaml.Marshal(&doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// labLog writes the lab's request log to the test's.
type labLog struct{ t *testing.T }

func (l labLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}
