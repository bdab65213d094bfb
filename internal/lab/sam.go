package lab

import (
	_ "embed"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ddnsgen/ddnsgen/internal/lab/gate"
)

//go:embed sam-translate.py
var samTranslateScript []byte

// SAMTranslate runs aws-sam-translator (the library behind CloudFormation's
// AWS::Serverless-2016-10-31 transform) on a SAM template and returns the
// path of the plain CloudFormation JSON it gives. No AWS call is made.
func SAMTranslate(tb testing.TB, path string) string {
	tb.Helper()
	Require(tb, "python3")
	dir := tb.TempDir()
	script := filepath.Join(dir, "sam-translate.py")
	if err := os.WriteFile(script, samTranslateScript, 0o644); err != nil {
		tb.Fatal(err)
	}
	stdout, stderr, err := run(awsTimeout, append(toolEnv(), "AWS_DEFAULT_REGION=us-east-1"), "python3", script, path)
	if err != nil {
		if mode, _ := gate.Current(); strings.Contains(string(stderr), "No module named 'samtranslator'") && mode != gate.Require {
			gate.Skipped(tb, "aws-sam-translator (pip install aws-sam-translator)")
			tb.Skipf("aws-sam-translator is not installed (pip install aws-sam-translator), or set %s=require to make this a failure", RequireEnv)
		}
		tb.Fatalf("lab: sam-translate %s: %v", path, err)
	}
	out := filepath.Join(dir, strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))+"-translated.json")
	if err := os.WriteFile(out, stdout, 0o644); err != nil {
		tb.Fatal(err)
	}
	return out
}
