package gate

import (
	"testing"
)

func TestCurrent(t *testing.T) {
	for _, c := range []struct {
		value   string
		want    Mode
		wantErr bool
	}{
		{"", Off, false},
		{"0", Off, false},
		{"1", On, false},
		{"require", Require, false},
		{"yes", Off, true},
		{"REQUIRE", Off, true},
	} {
		t.Setenv(Name, c.value)
		got, err := Current()
		if got != c.want || (err != nil) != c.wantErr {
			t.Errorf("%s=%q: %v, %v; want %v (error %v)", Name, c.value, got, err, c.want, c.wantErr)
		}
	}
}

// One line for the whole package: tests skipped because the lab is off,
// then those skipped for a missing tool, each test counted once.
func TestSummary(t *testing.T) {
	Reset()
	t.Cleanup(Reset)
	if got := Summary(); got != "" {
		t.Errorf("with nothing skipped the summary is %q, want none", got)
	}
	test := func(name string) testing.TB { return named{t, name} }
	Skipped(test("TestA/one"), OffReason)
	Skipped(test("TestA/two"), OffReason)
	Skipped(test("TestB"), OffReason)
	Skipped(test("TestC"), "java (apt-get install default-jre-headless)")
	Skipped(test("TestC/sub"), "cfn-lint (pip install cfn-lint)")
	want := "lab: 2 tests skipped (set DDNSGEN_LAB=1 to run them; DDNSGEN_LAB=require to fail on a missing tool); " +
		"1 more for want of cfn-lint (pip install cfn-lint), java (apt-get install default-jre-headless) (DDNSGEN_LAB=require fails them instead)" +
		" in github.com/ddnsgen/ddnsgen/internal/lab/gate"
	if got := Summary(); got != want {
		t.Errorf("summary\n%s\nwant\n%s", got, want)
	}
}

// named is a test that says it has another name.
type named struct {
	testing.TB
	name string
}

func (n named) Name() string { return n.name }
