package local_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/apigateway"
	"github.com/awslabs/goformation/v7/cloudformation/iam"
	"gopkg.in/yaml.v3"

	"github.com/ddnsgen/ddnsgen/cfn"
	"github.com/ddnsgen/ddnsgen/internal/lab"
	"github.com/ddnsgen/ddnsgen/local"
	"github.com/ddnsgen/ddnsgen/local/route53"
)

var _ = flag.Bool("update", false, "unused here: accepted so that go test ./... -update works")

// TestMain stops the shared Velocity engine and prints one line naming the
// lab tests skipped and why (see lab.Run).
func TestMain(m *testing.M) { os.Exit(lab.Run(m)) }

// goldenZoneID is the zone id the golden templates bake in; the lab swaps
// it for the id moto gave the zone.
const goldenZoneID = "Z0123456789ABCDEFGHIJ"

// stack is a golden template deployed to moto and served by the lab.
type stack struct {
	t      *testing.T
	moto   *lab.Moto
	srv    *local.Server
	api    *local.API
	fault  *faultInjector
	zones  map[string]string // zone name → moto's id
	keys   map[string]string // ApiKey logical ID → value
	params map[string]string
	path   string // the template file as deployed
	// round is how many worlds served this deployment before this one
	// (TestLab): a case that sets a record takes an address of its round,
	// so that the record shows this round's change.
	round int
	via   string // the X-Ddnsgen-Via header of the last answer to post
}

// stackSpec says what a golden template holds, from the test's side.
type stackSpec struct {
	golden  string
	zones   []string          // zone names to create
	literal string            // the zone whose id the golden bakes in
	params  map[string]string // zone parameter → zone name
	// keys maps each ApiKey logical ID to the names it may update; nil for an
	// open endpoint (every name, no key).
	keys map[string][]string
	// types are each record's types.
	types map[string][]string
	// users are the dyndns2 devices: name → password parameter.
	users map[string]string
	// ttl of every record (0: 60).
	ttl int
	// stackZones are zones the template itself creates: name → logical ID.
	stackZones map[string]string
	// restAPI is the logical ID of the API to drive (default: the only one);
	// stage its stage (default ddns).
	restAPI string
	stage   string
	// sam: the golden is AWS SAM, served as aws-sam-translator translates
	// it (moto's CloudFormation cannot deploy its OpenAPI body, so only the
	// zones are made in moto).
	sam bool
	// openapi: the golden is the API alone, served as its importer would
	// set it up beside the plain template's other resources (from
	// openapiPlain): stage variables ddns_key_N, the role's name.
	openapi      bool
	openapiPlain string
}

func (s stackSpec) stageName() string {
	if s.stage == "" {
		return "ddns"
	}
	return s.stage
}

func (s stackSpec) recordTTL() int {
	if s.ttl == 0 {
		return 60
	}
	return s.ttl
}

func (s stackSpec) names() []string {
	var out []string
	for n := range s.types {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func (s stackSpec) zoneOf(name string) string {
	best := ""
	zones := append([]string(nil), s.zones...)
	for z := range s.stackZones {
		zones = append(zones, z)
	}
	for _, z := range zones {
		if strings.HasSuffix(name, "."+z) && len(z) > len(best) {
			best = z
		}
	}
	return best
}

// labAccountID is the account the lab stacks are served in: IAM's
// AccessDenied names it (and the role), and no answer may.
const labAccountID = "123456789012"

// labWorld is one answer to the behaviours of AWS that are neither
// documented nor validated: the lab models each both ways, and the tests
// run every case in each world.
type labWorld struct {
	name string
	// carry: a response template reads the $context.requestOverride its
	// request template set (local.Options.Carry).
	carry bool
	// zoneLookupFirst: Route 53 answers NoSuchHostedZone before IAM is
	// asked (local.Options.ZoneLookupFirst).
	zoneLookupFirst bool
}

// carryWorlds are the worlds every lab test runs in: the pessimistic one
// first.
var carryWorlds = []labWorld{
	{name: "carry=off"},
	{name: "carry=on", carry: true},
}

// zoneFirstWorlds add the other order of Route 53's checks, for the cases
// it can change (refusals and Route 53's errors).
var zoneFirstWorlds = []labWorld{
	{name: "carry=off,zone-lookup-first", zoneLookupFirst: true},
	{name: "carry=on,zone-lookup-first", carry: true, zoneLookupFirst: true},
}

// forEachWorld runs f as one sub-test per carry world, named for it (e.g.
// TestDynDNS2Answers/carry=off): one table of cases, run in every world.
// The worlds share one deployment of each golden (see shareDeployments).
func forEachWorld(t *testing.T, f func(t *testing.T, w labWorld)) {
	shareDeployments(t)
	for _, w := range carryWorlds {
		t.Run(w.name, func(t *testing.T) { f(t, w) })
	}
}

// deployment is a golden template deployed to a moto of its own: the zones
// it needs, made first, and the stack.
type deployment struct {
	moto     *lab.Moto
	zones    map[string]string // zone name → moto's id
	params   map[string]string
	template []byte // as served: translated (SAM), imported (OpenAPI), the zone id swapped in
	path     string // the template file as deployed
	physical map[string]string
}

// Deployments are shared by the sub-tests of an owner test (forEachWorld's,
// or TestLab's per golden): each world serves the same deployed stack with
// a server of its own, instead of starting a moto and deploying again. A
// world changes the answers a template gives (which response template sees
// what, which check Route 53 makes first), not the change batch a request
// template sends nor the records Route 53 keeps: the records a case writes
// are proven in the first world it runs in, its answers in each.
var (
	sharedMu    sync.Mutex
	owners      = map[string]*testing.T{}             // owner test's name → test
	deployments = map[string]map[string]*deployment{} // owner test's name → golden → deployment
)

// shareDeployments makes t the owner of the deployments its sub-tests make
// with startStack: they live until t ends.
func shareDeployments(t *testing.T) {
	sharedMu.Lock()
	defer sharedMu.Unlock()
	owners[t.Name()] = t
	deployments[t.Name()] = map[string]*deployment{}
	t.Cleanup(func() {
		sharedMu.Lock()
		defer sharedMu.Unlock()
		delete(owners, t.Name())
		delete(deployments, t.Name())
	})
}

// ownedBy is a sub-test whose cleanups and temporary directories belong to
// its owner test, so that what it starts outlives it.
type ownedBy struct {
	*testing.T
	owner *testing.T
}

func (o ownedBy) Cleanup(f func()) { o.owner.Cleanup(f) }
func (o ownedBy) TempDir() string  { return o.owner.TempDir() }

// deploymentOf returns the deployment of spec that t's owner holds, making
// it first if need be; a test without an owner deploys for itself.
func deploymentOf(t *testing.T, spec stackSpec) *deployment {
	t.Helper()
	sharedMu.Lock()
	var owner *testing.T
	for name, o := range owners {
		if strings.HasPrefix(t.Name(), name+"/") && (owner == nil || len(name) > len(owner.Name())) {
			owner = o
		}
	}
	key := spec.golden + "|" + spec.literal
	var d *deployment
	if owner != nil {
		d = deployments[owner.Name()][key]
	}
	sharedMu.Unlock()
	if d != nil {
		return d
	}
	var tb testing.TB = t
	if owner != nil {
		tb = ownedBy{T: t, owner: owner}
	}
	d = deploy(tb, spec)
	if owner != nil {
		sharedMu.Lock()
		deployments[owner.Name()][key] = d
		sharedMu.Unlock()
	}
	return d
}

// deploy creates the zones in a fresh moto and deploys the golden template
// with `aws cloudformation deploy`.
func deploy(t testing.TB, spec stackSpec) *deployment {
	d := &deployment{moto: lab.StartMoto(t), zones: map[string]string{}, params: map[string]string{}, physical: map[string]string{}}
	for _, z := range spec.zones {
		d.zones[z] = d.moto.CreateHostedZone(t, z)
	}
	b, err := os.ReadFile(filepath.Join("..", "golden", spec.golden))
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case spec.sam:
		src := filepath.Join(t.TempDir(), spec.golden)
		if err := os.WriteFile(src, b, 0o644); err != nil {
			t.Fatal(err)
		}
		if b, err = os.ReadFile(lab.SAMTranslate(t, src)); err != nil {
			t.Fatal(err)
		}
	case spec.openapi:
		b = importedAPI(t, spec, b)
	}
	if spec.literal != "" {
		b = []byte(strings.ReplaceAll(string(b), goldenZoneID, d.zones[spec.literal]))
	}
	d.template = b
	d.path = filepath.Join(t.TempDir(), spec.golden)
	if err := os.WriteFile(d.path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	for p, z := range spec.params {
		d.params[p] = d.zones[z]
	}
	for _, p := range spec.users {
		d.params[p] = "pw" + strings.Repeat(p, 3)[:18]
	}
	if !spec.sam && !spec.openapi {
		d.moto.Deploy(t, lab.MotoMockWorkaround(t, d.path), "ddns", d.params)
	}
	if len(spec.stackZones) > 0 {
		ids := d.moto.ListStackResources(t, "ddns")
		for zone, logical := range spec.stackZones {
			d.zones[zone] = strings.TrimPrefix(ids[logical], "/hostedzone/")
			d.physical[logical] = d.zones[zone]
		}
	}
	return d
}

// startStack serves the golden template, deployed to moto (see
// deploymentOf), with the lab in world w, Route 53 calls going through a
// fault injector in front of moto.
func startStack(t *testing.T, spec stackSpec, w labWorld) *stack {
	t.Helper()
	lab.Require(t, "moto_server", "aws", "curl")
	eng := lab.Velocity(t)
	d := deploymentOf(t, spec)
	s := &stack{t: t, moto: d.moto, zones: maps.Clone(d.zones), keys: map[string]string{}, params: maps.Clone(d.params), path: d.path}
	for k := range spec.keys {
		s.keys[k] = "key-" + k + "-0123456789abcdefghijklmn"
	}
	s.fault = newFaultInjector(t, s.moto.URL)
	var err error
	s.srv, err = local.Start(context.Background(), local.Options{
		Template: d.template, Parameters: s.params, Route53URL: s.fault.URL,
		APIKeys: s.keys, PhysicalIDs: d.physical, TrustSourceIPHeader: true, Unthrottled: true, Engine: eng,
		AccountID: labAccountID, Carry: w.carry, ZoneLookupFirst: w.zoneLookupFirst, Log: testLog{t},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.srv.Close() })
	s.api = s.srv.APIs[0]
	for _, api := range s.srv.APIs {
		if api.LogicalID == spec.restAPI {
			s.api = api
		}
	}
	if len(s.srv.APIs) > 1 && spec.restAPI == "" {
		t.Fatalf("the template has %d APIs: say which to drive", len(s.srv.APIs))
	}
	return s
}

type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

// curl calls the lab the way the README tells users to, and returns the
// status and body.
func (s *stack) curl(path string, headers ...string) (int, string) {
	s.t.Helper()
	code, out, err := s.runCurl([]string{"-o", "-"}, path, headers)
	if err != nil {
		s.t.Fatal(err)
	}
	return code, out
}

// head calls the lab like curl and returns the status and the response
// headers.
func (s *stack) head(path string, headers ...string) (int, string) {
	s.t.Helper()
	code, out, err := s.runCurl([]string{"-o", "/dev/null", "-D", "-"}, path, headers)
	if err != nil {
		s.t.Fatal(err)
	}
	return code, out
}

// curlQuiet is curl for goroutines other than the test's: a failure to run
// curl comes back as status 0.
func (s *stack) curlQuiet(path string, headers ...string) (int, string) {
	code, out, err := s.runCurl([]string{"-o", "-"}, path, headers)
	if err != nil {
		return 0, err.Error()
	}
	return code, out
}

// runCurl runs curl with the output flags given, and splits off the status
// it writes last.
func (s *stack) runCurl(output []string, path string, headers []string) (int, string, error) {
	args := append([]string{"-sS", "--max-time", "20", "-w", "\n%{http_code}"}, output...)
	for _, h := range headers {
		args = append(args, "-H", h)
	}
	args = append(args, s.api.URL+path)
	out, err := exec.Command("curl", args...).Output()
	if err != nil {
		return 0, "", fmt.Errorf("curl %v: %v", args, err)
	}
	text := string(out)
	i := strings.LastIndex(text, "\n")
	code, _ := strconv.Atoi(text[i+1:])
	return code, text[:i], nil
}

// records reads a zone's A and AAAA records from moto, as "name type ttl
// value" lines, sorted.
func (s *stack) records(zone string) []string {
	s.t.Helper()
	var out []string
	for _, r := range s.recordSets(zone) {
		if r.Type == "A" || r.Type == "AAAA" {
			out = append(out, fmt.Sprintf("%s %s %s %s", strings.TrimSuffix(r.Name, "."), r.Type, r.TTL, strings.Join(r.Values, ",")))
		}
	}
	sort.Strings(out)
	return out
}

// recordSet is one record set as moto lists it.
type recordSet struct {
	Name   string
	Type   string
	TTL    string
	Values []string `xml:"ResourceRecords>ResourceRecord>Value"`
}

// recordSets reads a zone's record sets from moto. It signs its request
// like any AWS client (moto routes by the signature's service).
func (s *stack) recordSets(zone string) []recordSet {
	s.t.Helper()
	req, _ := http.NewRequest("GET", s.moto.URL+"/2013-04-01/hostedzone/"+s.zones[zone]+"/rrset", nil)
	sum := sha256.Sum256(nil)
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"},
		req, hex.EncodeToString(sum[:]), "route53", "us-east-1", time.Now()); err != nil {
		s.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	var list struct {
		Sets []recordSet `xml:"ResourceRecordSets>ResourceRecordSet"`
	}
	body, _ := io.ReadAll(resp.Body)
	if err := xml.Unmarshal(body, &list); err != nil {
		s.t.Fatalf("reading records: %v\n%s", err, body)
	}
	return list.Sets
}

// snapshot is every zone's records.
func (s *stack) snapshot() map[string][]string {
	out := map[string][]string{}
	for z := range s.zones {
		out[z] = s.records(z)
	}
	return out
}

// unchanged fails the test if any record differs from before.
func (s *stack) unchanged(before map[string][]string, what string) {
	s.t.Helper()
	after := s.snapshot()
	for z := range before {
		if strings.Join(before[z], "\n") != strings.Join(after[z], "\n") {
			s.t.Errorf("%s changed records in %s:\nbefore %q\nafter  %q", what, z, before[z], after[z])
		}
	}
}

// hasRecord reports whether the zone holds exactly this record.
func (s *stack) hasRecord(zone, name, typ string, ttl int, value string) bool {
	want := fmt.Sprintf("%s %s %d %s", name, typ, ttl, value)
	for _, r := range s.records(zone) {
		if r == want {
			return true
		}
	}
	return false
}

// faultInjector stands between the lab and moto: it forwards every call,
// unless told to answer the next ones with a Route 53 error.
type faultInjector struct {
	*httptest.Server
	mu    sync.Mutex
	fault *route53.Error
	calls int
}

func newFaultInjector(t *testing.T, motoURL string) *faultInjector {
	u, err := url.Parse(motoURL)
	if err != nil {
		t.Fatal(err)
	}
	f := &faultInjector{}
	proxy := httputil.NewSingleHostReverseProxy(u)
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		fault := f.fault
		f.calls++
		f.mu.Unlock()
		if fault != nil {
			fault.WriteResponse(w)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *faultInjector) set(e *route53.Error) {
	f.mu.Lock()
	f.fault = e
	f.mu.Unlock()
}

func (f *faultInjector) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

// importedAPI is what a user who imports an OpenAPI golden ends up with:
// the plain template's role (named as the document's credentials say), API
// keys, usage plan and stage, with the API defined by the document and the
// stage variables ddns_key_N set to the keys' ids (devices in name order).
func importedAPI(t testing.TB, spec stackSpec, doc []byte) []byte {
	t.Helper()
	plain, err := os.ReadFile(filepath.Join("..", "golden", spec.openapiPlain))
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := cfn.Parse(plain)
	if err != nil {
		t.Fatal(err)
	}
	var body any
	if err := yaml.Unmarshal(doc, &body); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for id, r := range tmpl.Resources {
		switch r.(type) {
		case *apigateway.Method, *apigateway.Resource:
			delete(tmpl.Resources, id)
		case *apigateway.Deployment:
			r.(*apigateway.Deployment).AWSCloudFormationDependsOn = nil
		case *apigateway.ApiKey:
			keys = append(keys, id)
		case *iam.Role:
			r.(*iam.Role).RoleName = cloudformation.String("ddns-route53")
		}
	}
	sort.Strings(keys)
	tmpl.Resources[cfn.IDRestAPI] = &apigateway.RestApi{Name: cloudformation.String("DynamicDNS"), Body: body}
	stage := tmpl.Resources[cfn.IDStage].(*apigateway.Stage)
	for i, k := range keys {
		stage.Variables["ddns_key_"+strconv.Itoa(i+1)] = cloudformation.Ref(k)
	}
	out, err := cfn.YAML(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
