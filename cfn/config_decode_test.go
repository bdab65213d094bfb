package cfn

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"gopkg.in/yaml.v3"
)

// TestParseConfigReadsAsYAMLv3: ParseConfig reads a file's values as
// yaml.v3's decoder does (the fields of every type, each written in every
// spelling YAML allows, plain, quoted, tagged, aliased), and refuses what
// yaml.v3 cannot read.
func TestParseConfigReadsAsYAMLv3(t *testing.T) {
	spellings := []string{
		"true", "false", "True", "FALSE", "yes", "No", "on", "off", "y", "n",
		"0", "1", "-1", "+1", "007", "010", "08", "0x1F", "0o17", "0b101", "1_000", "-0", "99999999999999999999", "2147483647", "-2147483648",
		"1.5", "-0.25", ".5", "1e3", "1E+3", ".inf", "-.Inf", ".nan",
		"abc", "a b", "'x'", `"5"`, `"true"`, "''", `""`, "~", "null", "", "2001-12-14",
		"!!str 5", "!!str true", `!!int "5"`, "!!float 1", "!!bool yes", "!!binary aGk=", "!!null ''",
		"[a]", "{a: b}", "&x 5", "|\n    text",
	}
	fields := []string{
		"api_name", "description", "stage", "open", "dyndns2", "log_retention_days", "waf_rate", "prefix",
		"limits:\n  key_rate", "limits:\n  key_burst", "limits:\n  max_hostnames", "alarms:\n  latency_ms",
		"records:\n  - name: a.acme.local\n    ttl", "records:\n  - name: a.acme.local\n    types:\n      -",
		"tags:\n  k", "zones:\n  - name",
	}
	decoded := 0
	for _, f := range fields {
		for _, v := range spellings {
			file := fmt.Sprintf("%s: %s\n", f, v)
			if !strings.Contains(f, "records") {
				file += "records: [{name: a.acme.local}]\n"
			}
			got, err := ParseConfig([]byte(file))
			var want Config
			var doc yaml.Node
			if yaml.Unmarshal([]byte(file), &doc) != nil {
				if err == nil {
					t.Errorf("%q: read, but it is not YAML", file)
				}
				continue
			}
			wantErr := doc.Content[0].Decode(&want)
			switch {
			case wantErr != nil && err == nil:
				t.Errorf("%q: read as %+v, but yaml.v3 says %v", file, got, wantErr)
			case err == nil:
				decoded++
				if diff := cmp.Diff(want, got, cmpopts.EquateNaNs()); diff != "" {
					t.Errorf("%q: read otherwise than by yaml.v3 (-yaml.v3 +ParseConfig):\n%s", file, diff)
				}
			}
		}
	}
	if decoded < 300 {
		t.Errorf("only %d files read: the spellings no longer test the reader", decoded)
	}
	// yaml.v3 drops a null item from a list whose items cannot be null
	// (records, types, a device's records), through an alias too.
	for _, file := range []string{
		"records: [~, {name: a.acme.local}]\n",
		"records: [{name: a.acme.local, types: [A, ~]}]\n",
		"records:\n  - name: a.acme.local\n    types:\n      - AAAA\n      -\n",
		"records: [{name: &n a.acme.local}]\ndevices: [{name: r, records: [*n, null]}]\n",
		"records: [{name: a.acme.local}]\nzones: [&z ~, {name: acme.local}, *z]\n",
	} {
		got, err := ParseConfig([]byte(file))
		var want Config
		if werr := yaml.Unmarshal([]byte(file), &want); werr != nil {
			t.Fatal(werr)
		}
		if err != nil {
			t.Errorf("%q: %v", file, err)
		} else if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%q: read otherwise than by yaml.v3 (-yaml.v3 +ParseConfig):\n%s", file, diff)
		}
	}
}
