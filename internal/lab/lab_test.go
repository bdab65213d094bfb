package lab_test

import (
	"encoding/json"
	"errors"
	"flag"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ddnsgen/ddnsgen/internal/lab"
	"github.com/ddnsgen/ddnsgen/internal/lab/gate"
)

// -update is accepted so that `go test ./... -update` (which regenerates
// other packages' golden files) also works here; this package has none.
var _ = flag.Bool("update", false, "unused")

func TestMain(m *testing.M) { os.Exit(lab.Run(m)) }

// TestRequire: the lab's one switch. Unset, a lab test is skipped; 1 runs
// it and skips it for a missing tool; require fails it for a missing tool;
// any other value fails, so that a typo cannot pass by skipping. Velocity
// tests (Tools alone) run whatever the switch says. Every skip is counted
// in the one line the package prints (gate.Summary).
func TestRequire(t *testing.T) {
	present := filepath.Join(t.TempDir(), "velocity-1.7.jar")
	if err := os.WriteFile(present, []byte("jar"), 0o644); err != nil {
		t.Fatal(err)
	}
	missingJar := filepath.Join(t.TempDir(), "velocity-1.7.jar")

	tests := []struct {
		name        string
		labEnv      string
		labTest     bool // Require, else Tools
		tools       []string
		wantFail    bool
		wantSkip    bool
		wantInText  []string
		wantSummary string
	}{
		{
			name:        "the lab is off: a lab test is skipped, saying how to run it",
			labTest:     true,
			tools:       []string{"sh"},
			wantSkip:    true,
			wantInText:  []string{"set DDNSGEN_LAB=1 to run it"},
			wantSummary: "lab: 1 test skipped (set DDNSGEN_LAB=1 to run them; DDNSGEN_LAB=require to fail on a missing tool) in github.com/ddnsgen/ddnsgen/internal/lab",
		},
		{
			name:     "DDNSGEN_LAB=0 is off too",
			labEnv:   "0",
			labTest:  true,
			tools:    []string{"sh"},
			wantSkip: true,
		},
		{
			name:    "the lab is on: present command and file",
			labEnv:  "1",
			labTest: true,
			tools:   []string{"sh", present},
		},
		{
			name:        "the lab is on: missing tools skip with how to install them",
			labEnv:      "1",
			labTest:     true,
			tools:       []string{"sh", "ddnsgen-no-such-tool", missingJar},
			wantSkip:    true,
			wantInText:  []string{"install ddnsgen-no-such-tool and " + missingJar + " (apt-get install velocity) or set DDNSGEN_LAB=require"},
			wantSummary: "lab: 1 test skipped for want of " + missingJar + " (apt-get install velocity), ddnsgen-no-such-tool (DDNSGEN_LAB=require fails them instead) in github.com/ddnsgen/ddnsgen/internal/lab",
		},
		{
			name:     "a directory is not a file",
			labEnv:   "1",
			labTest:  true,
			tools:    []string{t.TempDir() + "/"},
			wantSkip: true,
		},
		{
			name:       "DDNSGEN_LAB=require makes a missing tool a failure",
			labEnv:     "require",
			labTest:    true,
			tools:      []string{"ddnsgen-no-such-tool", "cfn-lint-ddnsgen-missing"},
			wantFail:   true,
			wantInText: []string{"ddnsgen-no-such-tool", "cfn-lint-ddnsgen-missing", "DDNSGEN_LAB=require"},
		},
		{
			name:       "any other DDNSGEN_LAB value fails, naming it",
			labEnv:     "requried",
			labTest:    true,
			tools:      []string{"sh"},
			wantFail:   true,
			wantInText: []string{`DDNSGEN_LAB="requried": want 1`},
		},
		{
			name:  "the lab is off: a Velocity test runs",
			tools: []string{"sh", present},
		},
		{
			name:        "the lab is off: a Velocity test without java is skipped, saying how to install it",
			tools:       []string{"ddnsgen-no-such-java"},
			wantSkip:    true,
			wantInText:  []string{"install ddnsgen-no-such-java"},
			wantSummary: "lab: 1 test skipped for want of ddnsgen-no-such-java (DDNSGEN_LAB=require fails them instead) in github.com/ddnsgen/ddnsgen/internal/lab",
		},
		{
			name:     "DDNSGEN_LAB=require makes a Velocity test without java a failure",
			labEnv:   "require",
			tools:    []string{"ddnsgen-no-such-java"},
			wantFail: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(lab.RequireEnv, tt.labEnv)
			gate.Reset()
			t.Cleanup(gate.Reset) // the stand-in's skips are not this package's
			reached := false
			r := record(t, func(tb testing.TB) {
				if tt.labTest {
					lab.Require(tb, tt.tools...)
				} else {
					lab.Tools(tb, tt.tools...)
				}
				reached = true
			})
			if r.Failed() != tt.wantFail || r.Skipped() != tt.wantSkip {
				t.Fatalf("%q with %s=%q: failed=%v skipped=%v, want failed=%v skipped=%v; it said: %s",
					tt.tools, lab.RequireEnv, tt.labEnv, r.Failed(), r.Skipped(), tt.wantFail, tt.wantSkip, r.Text())
			}
			if reached == (tt.wantFail || tt.wantSkip) {
				t.Errorf("returned=%v, want it to return only when the test is to run", reached)
			}
			for _, want := range tt.wantInText {
				if !strings.Contains(r.Text(), want) {
					t.Errorf("the message does not mention %q: %s", want, r.Text())
				}
			}
			if tt.wantSummary != "" {
				if got := gate.Summary(); got != tt.wantSummary {
					t.Errorf("the package's summary line is\n%s\nwant\n%s", got, tt.wantSummary)
				}
			}
		})
	}
}

func TestFreePortCanBeBound(t *testing.T) {
	t.Parallel()
	port := lab.FreePort(t)
	if port <= 0 || port > 65535 {
		t.Fatalf("FreePort = %d, not a TCP port", port)
	}
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatalf("port %d from FreePort cannot be bound: %v", port, err)
	}
	l.Close()
}

func TestMotoStopsWhenTheTestEnds(t *testing.T) {
	t.Parallel()
	lab.Require(t, "moto_server") // before the subtest, so a missing tool skips this test
	var m *lab.Moto
	t.Run("running", func(t *testing.T) {
		m = lab.StartMoto(t)
		if want := "http://127.0.0.1:" + strconv.Itoa(m.Port); m.URL != want {
			t.Errorf("URL = %q, want %q", m.URL, want)
		}
		resp, err := http.Get(m.URL + "/moto-api/")
		if err != nil {
			t.Fatalf("moto does not answer after StartMoto returned: %v", err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET /moto-api/ = %s, want 200", resp.Status)
		}
		if !lab.ProcessExists(m.Pid()) {
			t.Errorf("moto_server's pid %d does not exist while the test runs", m.Pid())
		}
	})
	if m == nil {
		t.Fatal("the subtest did not start moto")
	}
	assertStopped(t, m)
}

func TestMotoStopsWhenTheTestFails(t *testing.T) {
	t.Parallel()
	lab.Require(t, "moto_server") // before the subtest, so a missing tool skips this test
	var m *lab.Moto
	var r *recorder
	t.Run("failing", func(t *testing.T) {
		r = record(t, func(tb testing.TB) {
			m = lab.StartMoto(tb)
			tb.Fatalf("a deliberate failure after StartMoto")
		})
	})
	if m == nil {
		t.Fatalf("StartMoto did not return: %s", r.Text())
	}
	assertStopped(t, m)
	if !strings.Contains(r.Text(), "moto_server on "+m.URL+" printed") || !strings.Contains(r.Text(), "Running on http://127.0.0.1:"+strconv.Itoa(m.Port)) {
		t.Errorf("a failed test's cleanup did not log moto_server's output; the test saw:\n%s", r.Text())
	}
}

// assertStopped checks that moto's port is closed and its process and
// process group are gone.
func assertStopped(t *testing.T, m *lab.Moto) {
	t.Helper()
	if conn, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(m.Port), time.Second); err == nil {
		conn.Close()
		t.Errorf("port %d still accepts connections after the test's cleanup", m.Port)
	}
	if lab.ProcessExists(m.Pid()) {
		t.Errorf("moto_server's pid %d still exists after the test's cleanup", m.Pid())
	}
	if lab.GroupExists(m.Pid()) {
		t.Errorf("moto_server's process group %d still has members after the test's cleanup", m.Pid())
	}
}

func TestStartMotoReportsWhyMotoDied(t *testing.T) {
	t.Parallel()
	lab.Require(t, "moto_server")
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	port := busy.Addr().(*net.TCPAddr).Port

	m, err := lab.StartMotoOnPort(t, port)
	if err == nil {
		t.Fatalf("moto_server started on port %d, which the test holds (pid %d)", port, m.Pid())
	}
	if !errors.Is(err, lab.ErrPortTaken) {
		t.Errorf("the error is not ErrPortTaken, so StartMoto would not retry on another port: %v", err)
	}
	if !strings.Contains(err.Error(), "in use") {
		t.Errorf("the error does not show what moto_server printed about the port:\n%v", err)
	}
}

var zoneIDPattern = regexp.MustCompile(`^[A-Z0-9]{1,32}$`)

func TestHostedZoneRoundTrip(t *testing.T) {
	t.Parallel()
	m := lab.StartMoto(t)
	zone := m.CreateHostedZone(t, "example.com")
	if !zoneIDPattern.MatchString(zone) {
		t.Fatalf("CreateHostedZone = %q, want upper-case letters and digits (no /hostedzone/ prefix)", zone)
	}
	if other := m.CreateHostedZone(t, "example.com"); other == zone {
		t.Errorf("a second zone for the same name got the same id %s", zone)
	}

	records := m.Records(t, zone)
	var types []string
	for _, r := range records {
		if r.Name != "example.com." {
			t.Errorf("a new zone holds %v, want only the apex's records", r)
		}
		types = append(types, r.Type)
	}
	if !slices.Equal(types, []string{"NS", "SOA"}) {
		t.Fatalf("a new zone's record types are %q, want NS and SOA:\n%v", types, records)
	}

	m.AWS(t, "route53", "change-resource-record-sets", "--hosted-zone-id", zone, "--change-batch", `{"Changes": [
		{"Action": "UPSERT", "ResourceRecordSet": {"Name": "home.example.com", "Type": "A", "TTL": 60,
			"ResourceRecords": [{"Value": "192.0.2.7"}, {"Value": "192.0.2.1"}]}},
		{"Action": "UPSERT", "ResourceRecordSet": {"Name": "a.example.com.", "Type": "AAAA", "TTL": 300,
			"ResourceRecords": [{"Value": "2001:db8::1"}]}}]}`)
	got := m.Records(t, zone)
	want := append([]lab.Record{
		{Name: "a.example.com.", Type: "AAAA", TTL: 300, Values: []string{"2001:db8::1"}},
		{Name: "home.example.com.", Type: "A", TTL: 60, Values: []string{"192.0.2.1", "192.0.2.7"}},
	}, records...)
	slices.SortFunc(want, func(a, b lab.Record) int { return strings.Compare(a.Name+" "+a.Type, b.Name+" "+b.Type) })
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Records after two UPSERTs:\n got %v\nwant %v", got, want)
	}
}

func TestAWSShowsWhyACommandFailed(t *testing.T) {
	t.Parallel()
	m := lab.StartMoto(t)
	const missingZone = "Z0000000000000000000000"

	stdout, stderr, err := m.TryAWS(t, "route53", "list-resource-record-sets", "--hosted-zone-id", missingZone)
	if err == nil {
		t.Fatalf("listing a zone that does not exist succeeded:\n%s", stdout)
	}
	if !strings.Contains(string(stderr), "NoSuchHostedZone") {
		t.Errorf("TryAWS's stderr does not carry the CLI's error:\n%s", stderr)
	}
	if !strings.Contains(err.Error(), "aws route53 list-resource-record-sets --hosted-zone-id "+missingZone) || !strings.Contains(err.Error(), "NoSuchHostedZone") {
		t.Errorf("TryAWS's error does not show the command line and its stderr:\n%v", err)
	}

	r := record(t, func(tb testing.TB) { m.Records(tb, missingZone) })
	if !r.Failed() || !strings.Contains(r.Text(), "NoSuchHostedZone") || !strings.Contains(r.Text(), m.URL) {
		t.Errorf("Records on a missing zone: failed=%v, want a failure naming the error and the server; it said:\n%s", r.Failed(), r.Text())
	}
}

// TestEnvIgnoresTheDevelopersAWSSettings sets what a developer's shell may
// hold (a profile, real-looking keys, a service endpoint, a proxy) and checks
// that the aws CLI still talks to moto with the lab's settings.
func TestEnvIgnoresTheDevelopersAWSSettings(t *testing.T) {
	dead := "http://127.0.0.1:9" // the discard port: nothing answers there
	for name, value := range map[string]string{
		"AWS_PROFILE":              "ddnsgen-lab-no-such-profile",
		"AWS_ACCESS_KEY_ID":        "AKIAIOSFODNN7EXAMPLE",
		"AWS_SECRET_ACCESS_KEY":    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		"AWS_ENDPOINT_URL_ROUTE53": dead,
		"AWS_CONFIG_FILE":          filepath.Join(t.TempDir(), "missing-config"),
		"AWS_REGION":               "eu-west-3",
		"HTTP_PROXY":               dead,
		"https_proxy":              dead,
		"NO_PROXY":                 "",
	} {
		t.Setenv(name, value)
	}
	m := lab.StartMoto(t)
	zone := m.CreateHostedZone(t, "env.example.com")

	var listed struct{ HostedZones []struct{ Id string } }
	if err := json.Unmarshal(m.AWS(t, "route53", "list-hosted-zones"), &listed); err != nil {
		t.Fatal(err)
	}
	if len(listed.HostedZones) != 1 || !strings.HasSuffix(listed.HostedZones[0].Id, "/"+zone) {
		t.Errorf("list-hosted-zones = %+v, want just moto's zone %s", listed.HostedZones, zone)
	}

	env := m.Env()
	for _, want := range []string{"AWS_ENDPOINT_URL=" + m.URL, "AWS_ACCESS_KEY_ID=test", "AWS_DEFAULT_REGION=us-east-1", "AWS_REGION=us-east-1", "AWS_PAGER=", "NO_PROXY=127.0.0.1,localhost"} {
		if !slices.Contains(env, want) {
			t.Errorf("Env() lacks %s", want)
		}
	}
	for _, kv := range env {
		name, value, _ := strings.Cut(kv, "=")
		switch {
		case name == "AWS_PROFILE", name == "AWS_ENDPOINT_URL_ROUTE53",
			strings.HasSuffix(strings.ToUpper(name), "_PROXY") && value == dead:
			t.Errorf("Env() passes on the developer's %s", kv)
		case name == "AWS_CONFIG_FILE" || name == "AWS_SHARED_CREDENTIALS_FILE":
			if _, err := os.Stat(value); err != nil {
				t.Errorf("Env() points %s at a file that is not there: %v", name, err)
			}
		}
	}
}

func TestDeployRole(t *testing.T) {
	t.Parallel()
	m := lab.StartMoto(t)
	zone := m.CreateHostedZone(t, "example.com")
	const template = "testdata/stacks/role.yaml"

	outputs := m.Deploy(t, template, "ddns-role", map[string]string{"HostedZoneId": zone})
	if len(outputs) != 0 {
		t.Errorf("moto returned Outputs for a change-set deploy (%v): it did not in moto 5.2; update Deploy's documentation", outputs)
	}
	resources := m.ListStackResources(t, "ddns-role")
	role := resources["Role"]
	if len(resources) != 1 || !strings.HasPrefix(role, "ddns-role-Role-") {
		t.Fatalf("ListStackResources = %v, want Role → a role named ddns-role-Role-…", resources)
	}
	if policy := rolePolicy(t, m, role); !strings.Contains(policy, "hostedzone/"+zone) {
		t.Errorf("the role's policy does not name the zone passed as HostedZoneId=%s:\n%s", zone, policy)
	}

	other := m.CreateHostedZone(t, "example.org")
	m.Deploy(t, template, "ddns-role", map[string]string{"HostedZoneId": other})
	status, params := describeStack(t, m, "ddns-role")
	if status != "UPDATE_COMPLETE" || params["HostedZoneId"] != other {
		t.Errorf("after a second Deploy the stack is %s with parameters %v, want UPDATE_COMPLETE with HostedZoneId=%s", status, params, other)
	}
	// moto 5.2 updates only a role's description and session length: its
	// inline policy keeps the first zone. Deploy's documentation says so.
	if policy := rolePolicy(t, m, role); !strings.Contains(policy, "hostedzone/"+zone) {
		t.Errorf("moto now updates a role's inline policy in a stack update; update Deploy's documentation:\n%s", policy)
	}

	_, err := m.TryDeploy(t, template, "ddns-role", map[string]string{"HostedZoneId": other})
	if err == nil || !strings.Contains(err.Error(), "No updates are to be performed") {
		t.Errorf("re-deploying an unchanged template: err = %v, want moto's \"No updates are to be performed\"", err)
	}
}

func TestDeployAPIWhatMotoSkips(t *testing.T) {
	t.Parallel()
	m := lab.StartMoto(t)
	zone := m.CreateHostedZone(t, "example.com")

	m.Deploy(t, "testdata/stacks/api.yaml", "ddns-api", map[string]string{"HostedZoneId": zone})
	resources := m.ListStackResources(t, "ddns-api")
	for _, logical := range []string{"Role", "Api", "ZoneResource", "Method", "Deployment"} {
		if _, ok := resources[logical]; !ok {
			t.Errorf("ListStackResources has no %s: %v", logical, resources)
		}
	}
	for _, logical := range []string{"Stage", "Key", "UsagePlan", "UsagePlanKey"} {
		if _, ok := resources[logical]; ok {
			t.Errorf("ListStackResources lists %s, which moto 5.2 skipped; update the documentation: %v", logical, resources)
		}
	}
	wantSkipped := []string{"AWS::ApiGateway::ApiKey", "AWS::ApiGateway::Stage", "AWS::ApiGateway::UsagePlan", "AWS::ApiGateway::UsagePlanKey"}
	if got := m.SkippedResourceTypes(); !slices.Equal(got, wantSkipped) {
		t.Errorf("SkippedResourceTypes = %q, want %q", got, wantSkipped)
	}

	api := resources["Api"]
	var deployments struct{ Items []struct{ Id string } }
	if err := json.Unmarshal(m.AWS(t, "apigateway", "get-deployments", "--rest-api-id", api), &deployments); err != nil {
		t.Fatal(err)
	}
	if len(deployments.Items) != 1 {
		t.Errorf("REST API %s has %d deployments, want the stack's one", api, len(deployments.Items))
	}
	method := string(m.AWS(t, "apigateway", "get-method", "--rest-api-id", api, "--resource-id", resources["ZoneResource"], "--http-method", "GET"))
	if !strings.Contains(method, "route53:path/2013-04-01/hostedzone/{hosted_zone_id}/rrset/") {
		t.Errorf("the GET method's integration does not call Route 53:\n%s", method)
	}
	for _, dropped := range []string{"requestTemplates", "credentials", "requestParameters"} {
		if strings.Contains(method, dropped) {
			t.Errorf("moto now keeps an integration's %s; update Deploy's documentation:\n%s", dropped, method)
		}
	}
}

func TestDeployFailuresExplainThemselves(t *testing.T) {
	t.Parallel()
	m := lab.StartMoto(t)

	_, err := m.TryDeploy(t, "testdata/stacks/role.yaml", "no-params", nil)
	if err == nil {
		t.Fatal("deploying a template without its required parameter succeeded")
	}
	for _, want := range []string{"testdata/stacks/role.yaml", `"no-params"`, "HostedZoneId", "aws cloudformation deploy"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not mention %s:\n%v", want, err)
		}
	}

	r := record(t, func(tb testing.TB) {
		m.Deploy(tb, "testdata/stacks/api-deployment-first.yaml", "deployment-first", nil)
	})
	if !r.Failed() {
		t.Fatalf("Deploy of a Deployment listed before its Method did not fail the test: moto now honours DependsOn in change sets; update FIELD-NOTES and Deploy's documentation.\n%s", r.Text())
	}
	for _, want := range []string{"api-deployment-first.yaml", `"deployment-first"`, "contain any methods", "REVIEW_IN_PROGRESS"} {
		if !strings.Contains(r.Text(), want) {
			t.Errorf("Deploy's failure does not mention %s:\n%s", want, r.Text())
		}
	}
	if strings.Contains(r.Text(), "--parameter-overrides") {
		t.Errorf("Deploy passed --parameter-overrides without parameters:\n%s", r.Text())
	}
}

// TestMotoDoesNotValidateWhatCloudFormationWould backs Deploy's documentation:
// real CloudFormation refuses this deploy three times over (the value breaks
// AllowedPattern, no such hosted zone exists, an IAM role without
// --capabilities); moto 5.2 creates the stack.
func TestMotoDoesNotValidateWhatCloudFormationWould(t *testing.T) {
	t.Parallel()
	m := lab.StartMoto(t)
	_, _, err := m.TryAWS(t, "cloudformation", "deploy", "--template-file", "testdata/stacks/role.yaml",
		"--stack-name", "unchecked", "--parameter-overrides", "HostedZoneId=not-a-zone")
	if err != nil {
		t.Errorf("moto now validates parameters or capabilities; update Deploy's documentation:\n%v", err)
	}
}

// describeStack returns a stack's status and parameters from describe-stacks.
func describeStack(t *testing.T, m *lab.Moto, stack string) (status string, params map[string]string) {
	t.Helper()
	var described struct {
		Stacks []struct {
			StackStatus string
			Parameters  []struct{ ParameterKey, ParameterValue string }
		}
	}
	if err := json.Unmarshal(m.AWS(t, "cloudformation", "describe-stacks", "--stack-name", stack), &described); err != nil || len(described.Stacks) != 1 {
		t.Fatalf("describe-stacks %s: %v %+v", stack, err, described)
	}
	params = map[string]string{}
	for _, p := range described.Stacks[0].Parameters {
		params[p.ParameterKey] = p.ParameterValue
	}
	return described.Stacks[0].StackStatus, params
}

func rolePolicy(t *testing.T, m *lab.Moto, role string) string {
	t.Helper()
	return string(m.AWS(t, "iam", "get-role-policy", "--role-name", role, "--policy-name", "change-records"))
}

func TestCfnLint(t *testing.T) {
	t.Parallel()
	lab.Require(t, "cfn-lint")

	t.Run("clean templates pass", func(t *testing.T) {
		t.Parallel()
		lab.CfnLint(t, "testdata/stacks/role.yaml", "testdata/stacks/api.yaml", "testdata/stacks/api-deployment-first.yaml")
	})

	t.Run("every kind of finding is reported", func(t *testing.T) {
		t.Parallel()
		output, code, err := lab.CfnLintOutput(
			"testdata/lint/error-unknown-property.yaml",
			"testdata/lint/warning-unused-parameter.yaml",
			"testdata/lint/informational-hardcoded-partition.yaml",
		)
		if err != nil {
			t.Fatal(err)
		}
		if code != 2|4|8 {
			t.Errorf("exit status = %d, want 14 (errors 2 + warnings 4 + informational 8)", code)
		}
		for _, want := range []string{
			"E3002", "testdata/lint/error-unknown-property.yaml:7:",
			"W2001", "testdata/lint/warning-unused-parameter.yaml:4:",
			"I3042", "testdata/lint/informational-hardcoded-partition.yaml:24:",
		} {
			if !strings.Contains(output, want) {
				t.Errorf("cfn-lint's output lacks %q:\n%s", want, output)
			}
		}
	})

	t.Run("an informational finding fails the test", func(t *testing.T) {
		t.Parallel()
		r := record(t, func(tb testing.TB) {
			lab.CfnLint(tb, "testdata/lint/informational-hardcoded-partition.yaml")
		})
		if !r.Failed() {
			t.Fatalf("CfnLint passed a template with an informational finding: %s", r.Text())
		}
		for _, want := range []string{"informational findings", "I3042", "informational-hardcoded-partition.yaml:24:"} {
			if !strings.Contains(r.Text(), want) {
				t.Errorf("CfnLint's failure lacks %q:\n%s", want, r.Text())
			}
		}
	})
}
