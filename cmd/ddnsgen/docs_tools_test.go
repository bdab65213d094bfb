package main

// Tests of documentation blocks that are more than a command to run: the
// README's first try of `ddnsgen local`, the library example, the config
// file, and the CDK, Terraform and benchmark blocks (docs_test.go explains
// how a block names the test that checks it).

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/ddnsgen/ddnsgen/internal/lab"
)

// claimedBlocks are the blocks of file that name test, in order.
func claimedBlocks(t *testing.T, file, test string) []docBlock {
	t.Helper()
	var out []docBlock
	for _, b := range readDocBlocks(t, file) {
		if claims(b, test) {
			out = append(out, b)
		}
	}
	return out
}

// TestReadmeTryLocal follows the README's "Try it without AWS": it writes
// the template, starts `ddnsgen local` as shown (on a free port instead of
// 8080), and sends the two curl lines with the URL and key it printed: the
// update answers as the README shows, and /_local/records lists the record.
func TestReadmeTryLocal(t *testing.T) {
	lab.Require(t, "java", "/usr/share/java/velocity-1.7.jar", "curl", "bash")
	blocks := claimedBlocks(t, "README.md", "TestReadmeTryLocal")
	if len(blocks) != 2 {
		t.Fatalf("the README has %d blocks claimed by TestReadmeTryLocal, want 2 (start, curl)", len(blocks))
	}
	start := strings.Split(strings.TrimSpace(blocks[0].text), "\n")
	if len(start) != 3 || start[0] != "go install ./cmd/ddnsgen" || !strings.HasPrefix(start[2], "ddnsgen local ") {
		t.Fatalf("the README's start block is not install, generate, serve:\n%s", blocks[0].text)
	}
	// start[0] is the install block TestReadmeWalkthrough runs.
	dir := t.TempDir()
	if out, ok := docShell(t, dir, start[1]); !ok {
		t.Fatalf("%s failed:\n%s", start[1], out)
	}
	port := strconv.Itoa(lab.FreePort(t))
	serve := exec.Command("bash", "-c", "exec "+strings.ReplaceAll(start[2], "8080", port))
	serve.Dir = dir
	serve.Env = append(os.Environ(), "PATH="+ddnsgenBinary(t)+string(os.PathListSeparator)+os.Getenv("PATH"))
	var stderr syncBuffer
	serve.Stderr = &stderr
	stdout, err := serve.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string)
	go func() {
		s := bufio.NewScanner(stdout)
		for s.Scan() {
			lines <- s.Text()
		}
		close(lines)
	}()
	defer func() {
		serve.Process.Kill()
		serve.Wait()
	}()
	var banner strings.Builder
	deadline := time.After(time.Minute)
wait:
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				serve.Wait()
				t.Fatalf("ddnsgen local stopped:\n%s\n%s", banner.String(), stderr.String())
			}
			banner.WriteString(l + "\n")
			if strings.Contains(l, "Serving until Ctrl-C.") {
				break wait
			}
		case <-deadline:
			t.Fatalf("ddnsgen local did not start:\n%s\n%s", banner.String(), stderr.String())
		}
	}
	go func() {
		for range lines {
		}
	}()
	url := regexp.MustCompile(`update URL: (\S+)`).FindStringSubmatch(banner.String())
	key := regexp.MustCompile(`API key \S+ \(ApiKey, id \S+\): (\S+)`).FindStringSubmatch(banner.String())
	if url == nil || key == nil {
		t.Fatalf("ddnsgen local printed no update URL or API key:\n%s", banner.String())
	}
	calls := strings.Split(strings.TrimSpace(strings.NewReplacer("UPDATE_URL", url[1], "KEY", key[1], "8080", port).Replace(blocks[1].text)), "\n")
	if len(calls) != 2 {
		t.Fatalf("the README's curl block has %d lines, want 2", len(calls))
	}
	readme, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	shown := regexp.MustCompile("The first answers `([^`]*)…}`").FindSubmatch(readme)
	if shown == nil {
		t.Fatal("the README does not show the update's answer")
	}
	if got, ok := docShell(t, dir, calls[0]); !ok || !strings.HasPrefix(got, string(shown[1])) {
		t.Errorf("%s\nanswered %q, the README shows %q…", calls[0], got, shown[1])
	}
	if got, ok := docShell(t, dir, calls[1]); !ok || !strings.Contains(got, "myddns.acme.local") || !strings.Contains(got, "127.0.0.1") {
		t.Errorf("%s\nanswered %q: no record myddns.acme.local 127.0.0.1", calls[1], got)
	}
}

// TestDocLibraryExample runs docs/library.md's program, placed in the
// module by an overlay (nothing is written to the tree): it adds the stack to
// a template that already holds a bucket, and writes both.
func TestDocLibraryExample(t *testing.T) {
	blocks := claimedBlocks(t, "docs/library.md", "TestDocLibraryExample")
	if len(blocks) != 1 {
		t.Fatalf("docs/library.md has %d blocks claimed by TestDocLibraryExample, want 1", len(blocks))
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "main.go")
	if err := os.WriteFile(src, []byte(blocks[0].text), 0o644); err != nil {
		t.Fatal(err)
	}
	pkg, err := filepath.Abs("docexample")
	if err != nil {
		t.Fatal(err)
	}
	overlay, _ := json.Marshal(map[string]any{"Replace": map[string]string{filepath.Join(pkg, "main.go"): src}})
	if err := os.WriteFile(filepath.Join(dir, "overlay.json"), overlay, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "run", "-overlay", filepath.Join(dir, "overlay.json"), "./docexample")
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("go run: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "API DdnsRestApi, stage ddns, outputs [DdnsApiKeyId ") {
		t.Errorf("the program logged %q", stderr.String())
	}
	for _, want := range []string{"\n  Backups:\n", "\n  DdnsRestApi:\n", "gw.example.com"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("the template it wrote lacks %q", want)
		}
	}
}

// TestDocConfigFile: docs/configuration.md's config file is read by
// `ddnsgen -config` without a complaint, and the template updates its names.
func TestDocConfigFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "ddns.yaml")
	if err := os.WriteFile(file, []byte(docBlockText(t, "docs/configuration.md", "config-file")), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb strings.Builder
	if code := run([]string{"-config", file}, &out, &errb); code != 0 || errb.Len() != 0 {
		t.Fatalf("ddnsgen -config: exit %d\n%s", code, errb.String())
	}
	for _, name := range []string{"home.example.com", "vpn.example.com", "nas.example.com", "cabin.example.org", "/nic/update"} {
		if !strings.Contains(out.String(), name) {
			t.Errorf("the template lacks %s", name)
		}
	}
}

// seedTemplate is what `ddnsgen -name home.example.com` writes, read.
func seedTemplate(t *testing.T) (raw []byte, parsed struct {
	Parameters map[string]struct {
		Default any `yaml:"Default"`
	} `yaml:"Parameters"`
	Outputs map[string]any `yaml:"Outputs"`
}) {
	t.Helper()
	var out, errb strings.Builder
	if code := run([]string{"-name", "home.example.com"}, &out, &errb); code != 0 {
		t.Fatalf("ddnsgen: exit %d: %s", code, errb.String())
	}
	if err := yaml.Unmarshal([]byte(out.String()), &parsed); err != nil {
		t.Fatal(err)
	}
	return []byte(out.String()), parsed
}

// TestTerraformSnippet: docs/other-tools.md's Terraform block reads the file
// the README writes, gives every parameter of the template that has no
// default (and no other), asks for CAPABILITY_IAM and reads an output the
// template has. Where terraform is installed, the block is as `terraform fmt`
// writes it (the AWS provider, which validate needs, is not installed here).
func TestTerraformSnippet(t *testing.T) {
	hcl := docBlockText(t, "docs/other-tools.md", "terraform")
	_, tmpl := seedTemplate(t)
	if !strings.Contains(hcl, `template_body = file("ddns.yaml")`) {
		t.Error(`the block does not read ddns.yaml (template_body = file("ddns.yaml"))`)
	}
	if !strings.Contains(hcl, `capabilities  = ["CAPABILITY_IAM"]`) {
		t.Error("the block does not ask for CAPABILITY_IAM")
	}
	params := regexp.MustCompile(`(?s)parameters = \{(.*?)\}`).FindStringSubmatch(hcl)
	if params == nil {
		t.Fatal("the block has no parameters")
	}
	var given []string
	for _, m := range regexp.MustCompile(`(?m)^\s*(\w+)\s*=`).FindAllStringSubmatch(params[1], -1) {
		given = append(given, m[1])
	}
	var needed []string
	for name, p := range tmpl.Parameters {
		if p.Default == nil {
			needed = append(needed, name)
		}
	}
	slices.Sort(given)
	slices.Sort(needed)
	if !slices.Equal(given, needed) {
		t.Errorf("the block gives the parameters %v; the template needs %v", given, needed)
	}
	for _, m := range regexp.MustCompile(`outputs\["(\w+)"\]`).FindAllStringSubmatch(hcl, -1) {
		if _, ok := tmpl.Outputs[m[1]]; !ok {
			t.Errorf("the block reads the output %s, which the template lacks", m[1])
		}
	}
	if _, err := exec.LookPath("terraform"); err != nil {
		t.Log("terraform is not installed: the block's formatting is not checked")
		return
	}
	cmd := exec.Command("terraform", "fmt", "-")
	cmd.Stdin = strings.NewReader(hcl)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("terraform fmt: %v", err)
	}
	if string(out) != hcl {
		t.Errorf("terraform fmt writes the block as\n%s", out)
	}
}

// cdkModules is bench/cdk's node_modules, where the benchmark installed
// aws-cdk-lib; the tests that need it skip, saying so, without it.
func cdkModules(t *testing.T) string {
	t.Helper()
	lab.Require(t, "node")
	dir, err := filepath.Abs(filepath.Join(repoRoot, "bench", "cdk", "node_modules"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "aws-cdk-lib")); err != nil {
		t.Skip("aws-cdk-lib is not installed in bench/cdk/node_modules (bench/cli-vs-cdk.sh installs it on its first run)")
	}
	return dir
}

// TestCDKInclude synthesizes docs/other-tools.md's CDK app with the
// template ddnsgen writes: the synthesized stack holds ddnsgen's resources,
// the zone id given as the parameter's value, the template's UpdateUrl
// output and the app's RestApiId.
func TestCDKInclude(t *testing.T) {
	modules := cdkModules(t)
	dir := t.TempDir()
	raw, _ := seedTemplate(t)
	for name, text := range map[string][]byte{"app.js": []byte(docBlockText(t, "docs/other-tools.md", "cdk-app")), "ddns.yaml": raw} {
		if err := os.WriteFile(filepath.Join(dir, name), text, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(modules, filepath.Join(dir, "node_modules")); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", "app.js")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CDK_OUTDIR="+filepath.Join(dir, "cdk.out"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("node app.js: %v\n%s", err, out)
	}
	synth, err := os.ReadFile(filepath.Join(dir, "cdk.out", "Ddns.template.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"AWS::ApiGateway::RestApi"`, `"AWS::IAM::Role"`, `"UpdateUrl"`, `"RestApiId"`, `Z0123456789ABCDEFGHIJ`, `home.example.com`} {
		if !strings.Contains(string(synth), want) {
			t.Errorf("the synthesized template lacks %s", want)
		}
	}
}

// TestBenchScript runs docs/speed.md's command with one run instead of 21:
// it prints both medians and the ratio.
func TestBenchScript(t *testing.T) {
	cdkModules(t)
	script := strings.Fields(docBlockText(t, "docs/speed.md", "test: TestBenchScript"))
	if len(script) != 2 || script[0] != "bench/cli-vs-cdk.sh" {
		t.Fatalf("docs/speed.md's command is %q", script)
	}
	cmd := exec.Command("bash", script[0], "1")
	cmd.Dir = repoRoot
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", script[0], err, out)
	}
	if !regexp.MustCompile(`(?m)^CDK/ddnsgen +[0-9.]+x +[0-9.]+x$`).Match(out) {
		t.Errorf("no ratio line in\n%s", out)
	}
}

// nodeText is a template value as CloudFormation makes it: a string, a !Sub's
// string (its ${} kept) or a !Join of such values, joined.
func nodeText(n *yaml.Node) string {
	if n.Tag != "!Join" {
		return n.Value
	}
	var words []string
	for _, w := range n.Content[1].Content {
		words = append(words, nodeText(w))
	}
	return strings.Join(words, n.Content[0].Value)
}

// TestReadmeStackOutputs: the commands of the README's walk-through steps 5
// and 6 are the stack's GetApiKeyCommand, CurlCommand and CronLine outputs
// for `ddnsgen -name home.example.com`, with the README's names for what
// CloudFormation fills in.
func TestReadmeStackOutputs(t *testing.T) {
	raw, _ := seedTemplate(t)
	var tmpl struct {
		Outputs map[string]struct {
			Value yaml.Node `yaml:"Value"`
		} `yaml:"Outputs"`
	}
	if err := yaml.Unmarshal(raw, &tmpl); err != nil {
		t.Fatal(err)
	}
	fill := strings.NewReplacer("${RestApi}", "API", "${AWS::Region}", "REGION", "${AWS::URLSuffix}", "amazonaws.com",
		"${HostedZoneId}", "Z0123456789ABCDEFGHIJ", "${ApiKey}", "KEYID")
	output := func(name string) string {
		v := tmpl.Outputs[name].Value
		return fill.Replace(nodeText(&v))
	}
	want := map[string]string{
		"stack-outputs": "export DDNS_API_KEY=$(" + output("GetApiKeyCommand") + ")\n" + output("CurlCommand") + "\n",
		"cron-line":     "DDNS_API_KEY=…\n" + output("CronLine") + "\n",
	}
	for marker, w := range want {
		if got := docBlockText(t, "README.md", marker); got != w {
			t.Errorf("the README's <!-- %s --> block is\n%s\nthe stack's outputs give\n%s", marker, got, w)
		}
	}
}

// TestDocAccessLogLine: docs/operations.md's access log line has the fields
// of the stage's log format, in its order (cfn's TestAccessLogFormat checks
// what each field logs).
func TestDocAccessLogLine(t *testing.T) {
	var out, errb strings.Builder
	if code := run([]string{"-access-logs"}, &out, &errb); code != 0 {
		t.Fatalf("ddnsgen -access-logs: exit %d: %s", code, errb.String())
	}
	var tmpl struct {
		Resources struct {
			Stage struct {
				Properties struct {
					AccessLogSetting struct {
						Format yaml.Node `yaml:"Format"`
					} `yaml:"AccessLogSetting"`
				} `yaml:"Properties"`
			} `yaml:"Stage"`
		} `yaml:"Resources"`
	}
	if err := yaml.Unmarshal([]byte(out.String()), &tmpl); err != nil {
		t.Fatal(err)
	}
	format := nodeText(&tmpl.Resources.Stage.Properties.AccessLogSetting.Format)
	keys := func(line string) []string {
		var k []string
		for _, m := range regexp.MustCompile(`"(\w+)":`).FindAllStringSubmatch(line, -1) {
			k = append(k, m[1])
		}
		return k
	}
	shown := docBlockText(t, "docs/operations.md", "access-log-line")
	if !json.Valid([]byte(shown)) {
		t.Errorf("the shown line is not JSON:\n%s", shown)
	}
	if got, want := keys(shown), keys(format); !slices.Equal(got, want) {
		t.Errorf("the shown line has the fields %v; the format has %v", got, want)
	}
}
