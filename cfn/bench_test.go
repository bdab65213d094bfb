package cfn_test

import (
	"errors"
	"fmt"
	"strings"
	"syscall"
	"testing"

	"github.com/ddnsgen/ddnsgen/cfn"
)

// devicesConfig is a stack of n devices, each with its own name.
func devicesConfig(n int, dyndns2 bool) cfn.Config {
	c := cfn.Config{Zones: []cfn.Zone{{Name: "example.com", ID: "Z0123456789ABCDEFGHIJ"}}, DynDNS2: dyndns2}
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("device%04d.example.com", i)
		c.Records = append(c.Records, cfn.Record{Name: name, Types: []string{"A", "AAAA"}})
		c.Devices = append(c.Devices, cfn.Device{Name: fmt.Sprintf("device%04d", i), Records: []string{name}})
	}
	return c
}

// BenchmarkBuild builds and writes stacks of 1, 100 and the most devices a
// stack holds, and 1,000 (which Build refuses: the benchmark is the cost of
// refusing). It reports the template's size and resource count.
func BenchmarkBuild(b *testing.B) {
	for _, n := range []int{1, 100, cfn.MaxDevices, 1000} {
		b.Run(fmt.Sprintf("devices=%d", n), func(b *testing.B) {
			cfg := devicesConfig(n, false)
			var size, resources int
			b.ReportAllocs()
			cpu := cpuTime()
			for i := 0; i < b.N; i++ {
				t, err := cfn.Build(cfg)
				if n > cfn.MaxDevices {
					var ce *cfn.ConfigError
					if !errors.As(err, &ce) {
						b.Fatalf("%d devices: err = %v, want a ConfigError", n, err)
					}
					continue
				}
				if err != nil {
					b.Fatal(err)
				}
				y, err := cfn.YAML(t)
				if err != nil {
					b.Fatal(err)
				}
				size, resources = len(y), len(t.Resources)
			}
			b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
			if n <= cfn.MaxDevices {
				b.ReportMetric(float64(size), "bytes")
				b.ReportMetric(float64(resources), "resources")
			}
		})
	}
}

// BenchmarkBuildAlone is Build without writing the template, for the
// largest stack and for 100 devices.
func BenchmarkBuildAlone(b *testing.B) {
	for _, n := range []int{100, cfn.MaxDevices} {
		b.Run(fmt.Sprintf("devices=%d", n), func(b *testing.B) {
			cfg := devicesConfig(n, false)
			b.ReportAllocs()
			cpu := cpuTime()
			for i := 0; i < b.N; i++ {
				if _, err := cfn.Build(cfg); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
		})
	}
}

// devicesFile is the -config file of bench/cli-vs-cdk.sh: n devices, each
// with a name of its own (A and AAAA), in one-line flow mappings.
func devicesFile(n int) []byte {
	var b strings.Builder
	b.WriteString("zones:\n  - {name: example.com, id: Z0123456789ABCDEFGHIJ}\nrecords:\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "  - {name: device%03d.example.com, types: [A, AAAA]}\n", i)
	}
	b.WriteString("devices:\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "  - {name: device%03d, records: [device%03d.example.com]}\n", i, i)
	}
	return []byte(b.String())
}

// BenchmarkParseConfig reads the 240-device file of bench/cli-vs-cdk.sh.
func BenchmarkParseConfig(b *testing.B) {
	file := devicesFile(240)
	b.ReportAllocs()
	cpu := cpuTime()
	for i := 0; i < b.N; i++ {
		cfg, err := cfn.ParseConfig(file)
		if err != nil || len(cfg.Devices) != 240 {
			b.Fatalf("%d devices, %v", len(cfg.Devices), err)
		}
	}
	b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
}

// cpuTime is the CPU time this process has used, user and system, in ns:
// on a shared machine a benchmark's wall time says more about the other
// processes than about the code, its CPU time less so.
func cpuTime() int64 {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return u.Utime.Nano() + u.Stime.Nano()
}

// TestLargestStack: the most devices a stack holds build into a template
// CloudFormation takes (500 resources, 1 MB), and one more is refused with
// an error that says how many fit.
func TestLargestStack(t *testing.T) {
	tmpl, err := cfn.Build(devicesConfig(cfn.MaxDevices, false))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(tmpl.Resources); n > cfn.MaxResources || n < cfn.MaxResources-1 {
		t.Errorf("%d devices make %d resources; want the most that fit in %d", cfn.MaxDevices, n, cfn.MaxResources)
	}
	y, err := cfn.YAML(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	if len(y) > cfn.MaxTemplateBytes {
		t.Errorf("the template is %d bytes, over %d", len(y), cfn.MaxTemplateBytes)
	}
	_, err = cfn.Build(devicesConfig(cfn.MaxDevices+1, false))
	want := fmt.Sprintf(`devices "%d": %d devices need 501 resources and a stack holds 500: at most %d devices a stack; split them over several stacks`,
		cfn.MaxDevices+1, cfn.MaxDevices+1, cfn.MaxDevices)
	if err == nil || err.Error() != want {
		t.Errorf("one device too many: %v\nwant %s", err, want)
	}
	// The role's policy lists the 246 names once (they take both A and
	// AAAA), within IAM's 10,240 characters.
	j, err := cfn.JSON(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(j), `"device0245.example.com"`); n != 1 { // in double quotes: the policy's list
		t.Errorf("the role's policy lists the last name %d times, want once", n)
	}
	// Names of one family and of both are listed twice: that many overflow.
	mixed := devicesConfig(cfn.MaxDevices, false)
	for i := range mixed.Records {
		if i%2 == 0 {
			mixed.Records[i].Types = []string{"A"}
		}
		mixed.Records[i].Name = strings.Repeat("x", 20) + mixed.Records[i].Name
		mixed.Devices[i].Records = []string{mixed.Records[i].Name}
	}
	if _, err := cfn.Build(mixed); err == nil || !strings.Contains(err.Error(), "IAM takes at most 10240 characters") {
		t.Errorf("an oversized role policy: err = %v", err)
	}
	// With dyndns2 each password is a stage variable; a stage holds 100.
	if _, err := cfn.Build(devicesConfig(99, true)); err != nil {
		t.Errorf("99 dyndns2 devices: %v", err)
	}
	if _, err := cfn.Build(devicesConfig(100, true)); err == nil {
		t.Error("100 dyndns2 devices and a zone (101 stage variables) were accepted")
	}
}
