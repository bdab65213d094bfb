package cfn_test

import (
	"bytes"
	"fmt"
	"slices"
	"testing"

	"github.com/ddnsgen/ddnsgen/cfn"
)

// TestRender: Render gives the bytes YAML(Build(cfg)) and JSON(Build(cfg))
// give, cfg.Warnings(), and Build's error, for stacks of every kind.
func TestRender(t *testing.T) {
	configs := []cfn.Config{
		{},
		{Open: true},
		{DynDNS2: true, ACME: true, IPv4Only: true},
		{Domain: "ddns.acme.local", CertificateARN: testCertificate},
		{AccessLogs: true, Alarms: cfn.Alarms{Email: "a@example.com"}, WAFRate: 100},
		{Zones: []cfn.Zone{{Name: "acme.local", ID: "X123"}}, Limits: cfn.Limits{StageRate: 1, KeyRate: 5}},
		devicesConfig(7, true),
		devicesConfig(cfn.MaxDevices, false),
		devicesConfig(cfn.MaxDevices+1, false),                                  // refused
		{Records: []cfn.Record{{Name: "a..acme.local"}}},                        // refused
		{Devices: []cfn.Device{{Name: "r", Records: []string{"b.acme.local"}}}}, // refused
	}
	warned, refused := 0, 0
	for i, c := range configs {
		name := fmt.Sprintf("config %d", i)
		tmpl, buildErr := cfn.Build(c)
		for _, asJSON := range []bool{false, true} {
			out, warnings, err := cfn.Render(c, asJSON)
			if buildErr != nil {
				refused++
				if err == nil || err.Error() != buildErr.Error() || out != nil {
					t.Errorf("%s: Render: %v, want Build's error %v", name, err, buildErr)
				}
				continue
			}
			if err != nil {
				t.Fatalf("%s: Render: %v", name, err)
			}
			write := cfn.YAML
			if asJSON {
				write = cfn.JSON
			}
			want, err := write(tmpl)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out, want) {
				t.Errorf("%s (JSON %v): Render's %d bytes differ from Build's %d", name, asJSON, len(out), len(want))
			}
			if !slices.Equal(warnings, c.Warnings()) {
				t.Errorf("%s: Render warns %q, Warnings says %q", name, warnings, c.Warnings())
			}
			if len(warnings) > 0 {
				warned++
			}
		}
	}
	if warned < 6 || refused != 6 {
		t.Errorf("%d renders warned and %d were refused: the configs no longer test warnings and errors", warned, refused)
	}
}
