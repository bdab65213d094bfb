package cfn_test

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/ddnsgen/ddnsgen/cfn"
)

// inlineConfig is the stack the size goals speak of: n devices with a name
// each (d001 updates d001.acme.local, as the seed's name is in acme.local),
// A only, default options (the zone id a parameter).
func inlineConfig(n int, dyndns2 bool) cfn.Config {
	c := cfn.Config{Zones: []cfn.Zone{{Name: "acme.local"}}, DynDNS2: dyndns2}
	for i := 1; i <= n; i++ {
		dev := fmt.Sprintf("d%03d", i)
		c.Records = append(c.Records, cfn.Record{Name: dev + ".acme.local", Types: []string{"A"}})
		c.Devices = append(c.Devices, cfn.Device{Name: dev, Records: []string{dev + ".acme.local"}})
	}
	return c
}

func templateBytes(t *testing.T, c cfn.Config, json bool) int {
	t.Helper()
	tmpl, err := cfn.Build(c)
	if err != nil {
		t.Fatal(err)
	}
	var out []byte
	if json {
		out, err = cfn.JSON(tmpl)
	} else {
		out, err = cfn.YAML(tmpl)
	}
	if err != nil {
		t.Fatal(err)
	}
	return len(out)
}

// largestInline is the most devices whose template fits CloudFormation's
// 51,200 bytes for a template passed inline (deploy without --s3-bucket).
func largestInline(t *testing.T, dyndns2, json bool) int {
	limit := cfn.MaxDevices
	if dyndns2 {
		limit = cfn.MaxStageVariables - 1 // a zone id and a password each
	}
	return sort.Search(limit, func(i int) bool {
		return templateBytes(t, inlineConfig(i+1, dyndns2), json) > cfn.MaxInlineTemplate
	})
}

// The size goals: the seed stack in 20 KB, and 100 devices in one inline
// YAML template; docs/limits.md's table of the largest inline stacks is what
// ddnsgen makes today.
func TestInlineBudget(t *testing.T) {
	if n := templateBytes(t, cfn.Config{}, false); n > 20480 {
		t.Errorf("the seed stack is %d bytes of YAML, over its budget of 20,480", n)
	}
	if n := templateBytes(t, inlineConfig(100, false), false); n > cfn.MaxInlineTemplate {
		t.Errorf("100 devices take %d bytes of YAML, over the %d of an inline template", n, cfn.MaxInlineTemplate)
	}
	readme, err := os.ReadFile("../docs/limits.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range []struct {
		name string
		json bool
	}{{"YAML", false}, {"JSON", true}} {
		row := fmt.Sprintf("| %s | %d | %d |", format.name,
			largestInline(t, false, format.json), largestInline(t, true, format.json))
		if !strings.Contains(string(readme), "\n"+row+"\n") {
			t.Errorf("docs/limits.md's table of the largest inline stacks should have the row\n%s", row)
		}
	}
}
