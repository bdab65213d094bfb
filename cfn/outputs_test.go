package cfn

import (
	"encoding/json"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/ddnsgen/ddnsgen/internal/lab"
)

// TestListAPIKeysCommand runs the ListApiKeysCommand output, as a user pastes
// it (its three lines, or the one line the console shows), against moto: it
// prints the name and value of each key of the stack's usage plan, and no
// other key, not even one whose name starts with the stack's name ("home"
// and "home-office"). moto does not create usage plans or keys from a
// template, so the test creates them as CloudFormation would.
func TestListAPIKeysCommand(t *testing.T) {
	lab.Require(t, "moto_server", "aws", "bash")
	tmpl, err := Build(Config{
		Zones:   []Zone{{Name: "acme.local", ID: "Z0123456789ABCDEFGHIJ"}},
		Records: []Record{{Name: "home.acme.local"}, {Name: "nas.acme.local"}},
		Devices: []Device{{Name: "router", Records: []string{"home.acme.local"}}, {Name: "nas", Records: []string{"nas.acme.local"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	j, err := JSON(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Outputs map[string]struct {
			Value struct {
				Sub json.RawMessage `json:"Fn::Sub"`
			}
		}
	}
	if err := json.Unmarshal(j, &doc); err != nil {
		t.Fatal(err)
	}
	var command string
	if json.Unmarshal(doc.Outputs[OutputListAPIKeysCommand].Value.Sub, &command) != nil || command == "" {
		t.Fatalf("no %s output (a Fn::Sub string) in:\n%s", OutputListAPIKeysCommand, j)
	}

	m := lab.StartMoto(t)
	plan := func(name string) string {
		var p struct{ ID string }
		if err := json.Unmarshal(m.AWS(t, "apigateway", "create-usage-plan", "--name", name), &p); err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	key := func(name, plan string) string {
		var k struct{ ID, Value string }
		if err := json.Unmarshal(m.AWS(t, "apigateway", "create-api-key", "--name", name, "--enabled"), &k); err != nil {
			t.Fatal(err)
		}
		if plan != "" {
			m.AWS(t, "apigateway", "create-usage-plan-key", "--usage-plan-id", plan, "--key-id", k.ID, "--key-type", "API_KEY")
		}
		return name + "\t" + k.Value
	}
	home, office := plan("home"), plan("home-office")
	want := []string{key("home-router", home), key("home-nas", home)}
	key("home-office-router", office) // another stack's key, its name starting with home-
	key("home-spare", "")             // a key in no usage plan

	slices.Sort(want)
	script := strings.NewReplacer("${"+IDUsagePlan+"}", home, "${AWS::Region}", "us-east-1").Replace(command)
	if strings.Contains(script, "${") {
		t.Fatalf("%s has a reference the test does not fill in: %s", OutputListAPIKeysCommand, script)
	}
	// As written, and as the console shows it: its lines run together.
	for _, script := range []string{script, strings.ReplaceAll(script, "\n", " ")} {
		cmd := exec.Command("bash", "-euo", "pipefail", "-c", script)
		cmd.Env = m.Env()
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s failed: %v\n%s\n--- command ---\n%s", OutputListAPIKeysCommand, err, out, script)
		}
		got := strings.Split(strings.TrimSpace(string(out)), "\n")
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s printed:\n%s\nwant (name, tab, value):\n%s\n--- command ---\n%s", OutputListAPIKeysCommand, strings.Join(got, "\n"), strings.Join(want, "\n"), script)
		}
	}
}
