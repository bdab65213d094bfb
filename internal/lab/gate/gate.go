// Package gate is the lab's one switch, the environment variable
// DDNSGEN_LAB, and the one line a test binary prints about the tests it
// skipped.
//
//	DDNSGEN_LAB unset  lab tests are skipped: `go test ./...` stays quick
//	DDNSGEN_LAB=1      lab tests run; one whose tool is missing is skipped
//	DDNSGEN_LAB=require lab tests run; a missing tool fails the test (CI)
//
// A lab test is one that starts a tool other than the Velocity renderer
// (moto_server, the aws CLI, cfn-lint, ddclient, a certificate authority …).
// Velocity render tests run by default; without Java they are skipped, and
// fail with DDNSGEN_LAB=require.
//
// It is a package of its own, apart from internal/lab, so that the tests of
// local/velocity (which internal/lab imports) can use it too.
package gate

import (
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Name is the environment variable that switches the lab on.
const Name = "DDNSGEN_LAB"

// Mode is what DDNSGEN_LAB asks for.
type Mode int

const (
	// Off: lab tests are skipped (DDNSGEN_LAB unset, empty or 0).
	Off Mode = iota
	// On: lab tests run, and skip when a tool is missing (DDNSGEN_LAB=1).
	On
	// Require: lab tests run, and fail when a tool is missing
	// (DDNSGEN_LAB=require).
	Require
)

// Current reads DDNSGEN_LAB. Any value but "", "0", "1" and "require" is an
// error, so that a typo on CI cannot turn the lab into a run that passes by
// skipping.
func Current() (Mode, error) {
	switch v := os.Getenv(Name); v {
	case "", "0":
		return Off, nil
	case "1":
		return On, nil
	case "require":
		return Require, nil
	default:
		return Off, fmt.Errorf("%s=%q: want 1 (run the lab, skip what is missing) or require (run the lab, fail on a missing tool), or leave it unset", Name, v)
	}
}

// OffReason is the group of tests skipped because the lab is switched off.
const OffReason = ""

var (
	mu      sync.Mutex
	skipped = map[string]map[string]bool{} // reason → top-level test names
)

// Skipped notes that the test is about to be skipped for reason: OffReason,
// or the missing tool and how to install it ("cfn-lint (pip install
// cfn-lint)"). Report counts each top-level test once per reason.
func Skipped(tb testing.TB, reason string) {
	name, _, _ := strings.Cut(tb.Name(), "/")
	mu.Lock()
	defer mu.Unlock()
	if skipped[reason] == nil {
		skipped[reason] = map[string]bool{}
	}
	skipped[reason][name] = true
}

// Reset forgets every skip noted so far: for the tests of a helper that
// skips a stand-in test.
func Reset() {
	mu.Lock()
	defer mu.Unlock()
	skipped = map[string]map[string]bool{}
}

// Summary is the one line that says which tests were skipped and why, or ""
// when none was: e.g.
//
//	lab: 14 tests skipped (set DDNSGEN_LAB=1 to run them; DDNSGEN_LAB=require to fail on a missing tool) in example.com/pkg
func Summary() string {
	mu.Lock()
	defer mu.Unlock()
	var parts []string
	off := len(skipped[OffReason])
	if off > 0 {
		parts = append(parts, fmt.Sprintf("%s skipped (set %s=1 to run them; %s=require to fail on a missing tool)", count(off), Name, Name))
	}
	var missing []string
	tests := map[string]bool{}
	for reason, names := range skipped {
		if reason == OffReason {
			continue
		}
		missing = append(missing, reason)
		for name := range names {
			tests[name] = true
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		what := count(len(tests)) + " skipped"
		if off > 0 {
			what = strconv.Itoa(len(tests)) + " more"
		}
		parts = append(parts, fmt.Sprintf("%s for want of %s (%s=require fails them instead)", what, strings.Join(missing, ", "), Name))
	}
	if len(parts) == 0 {
		return ""
	}
	return "lab: " + strings.Join(parts, "; ") + " in " + packagePath()
}

func count(tests int) string {
	if tests == 1 {
		return "1 test"
	}
	return strconv.Itoa(tests) + " tests"
}

// packagePath is the import path of the package under test.
func packagePath() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		return strings.TrimSuffix(info.Path, ".test")
	}
	return "this package"
}

// Report prints Summary, if any, where the person who ran go test sees it;
// a TestMain calls it after m.Run.
//
// `go test ./...` shows nothing a passing package prints unless -v is given
// (package list mode keeps only its "ok" line), and a skip is a pass. So
// without -v the line goes straight to the go command's own standard error
// when that is a terminal or a pipe (Linux; see parentStderr); with -v or
// -json, or anywhere else, to standard output as usual.
func Report() {
	line := Summary()
	if line == "" {
		return
	}
	var w io.Writer = os.Stdout
	if v := flag.Lookup("test.v"); v == nil || v.Value.String() == "false" {
		if f := parentStderr(); f != nil {
			defer f.Close()
			w = f
		}
	}
	fmt.Fprintln(w, line)
}
