package lab

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// cfn-lint's exit status is a bit mask of what it found.
const (
	cfnLintErrors        = 2
	cfnLintWarnings      = 4
	cfnLintInformational = 8
)

// CfnLint runs cfn-lint on the templates and fails the test, with cfn-lint's
// full output, unless it exits 0 and prints nothing: no errors, no warnings
// and no informational findings.
//
// CfnLint is stricter than a bare `cfn-lint template.yaml`: it also turns on
// the informational rules (--include-checks I), which flag ARNs with a
// hard-coded partition (I3042), IAM statements whose resources do not fit
// their actions (I3510), invalid AllowedPattern regexes (I2003) and templates
// approaching CloudFormation's size, resource, parameter and output limits
// (I1002, I3010, I2010, I6010). A generated template should have none; a test
// of a deliberately large stack asserts the findings it expects with
// CfnLintOutput instead.
//
// The run does not depend on the machine: cfn-lint reads no .cfnlintrc (an
// empty config file is passed), and checks region us-east-1 whatever
// AWS_REGION says. CfnLint skips the test when cfn-lint is not installed.
func CfnLint(tb testing.TB, paths ...string) {
	tb.Helper()
	Require(tb, "cfn-lint")
	if len(paths) == 0 {
		tb.Fatalf("lab: CfnLint needs at least one template path")
	}
	output, code, err := CfnLintOutput(paths...)
	if err != nil {
		tb.Fatalf("lab: %v", err)
	}
	if code != 0 || strings.TrimSpace(output) != "" {
		tb.Fatalf("lab: %s %s (exit status %d):\n%s",
			describeFindings(code), strings.Join(paths, ", "), code, strings.TrimRight(output, "\n"))
	}
}

// CfnLintOutput runs cfn-lint on the templates exactly as CfnLint does and
// returns what it printed (stdout and stderr, stdout first) and its exit
// status: 0 when it found nothing, else a sum of 2 (errors), 4 (warnings) and
// 8 (informational findings); a template that cannot be read or parsed is an
// error (E0000, E0003); 1 means cfn-lint itself failed (bad arguments, a
// crash). The error is non-nil only when cfn-lint could not be run to its
// end: not installed, or killed at the three-minute timeout.
func CfnLintOutput(paths ...string) (string, int, error) {
	args := append([]string{
		"--config-file", os.DevNull,
		"--regions", "us-east-1",
		"--include-checks", "I",
		"--",
	}, paths...)
	stdout, stderr, err := run(cfnLintTimeout, toolEnv(), "cfn-lint", args...)
	output := string(stdout) + string(stderr)
	code := exitCode(err)
	if code < 0 {
		return output, code, fmt.Errorf("cfn-lint did not run to its end: %w", err)
	}
	return output, code, nil
}

// describeFindings says what cfn-lint's exit status means, as the start of
// a sentence that names the templates next.
func describeFindings(code int) string {
	if code&1 != 0 || code > cfnLintErrors|cfnLintWarnings|cfnLintInformational {
		return "cfn-lint itself failed (not a finding) on"
	}
	var found []string
	if code&cfnLintErrors != 0 {
		found = append(found, "errors")
	}
	if code&cfnLintWarnings != 0 {
		found = append(found, "warnings")
	}
	if code&cfnLintInformational != 0 {
		found = append(found, "informational findings")
	}
	if len(found) == 0 {
		return "cfn-lint exited 0 but printed something for"
	}
	return "cfn-lint found " + strings.Join(found, " and ") + " in"
}
