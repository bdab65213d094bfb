package lab

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// MotoMockWorkaround returns the path of a copy of a template (or OpenAPI
// document) that moto 5.2 can deploy, or path itself when it has no MOCK
// integration. moto reads IntegrationHttpMethod and Uri of every
// integration (CloudFormation) and needs httpMethod and uri (import-rest-
// api), where AWS documents both as not to be given for MOCK ("if you
// specify MOCK, this property is optional"; the URI: "don't specify this
// property"): the copy adds them for moto alone. The templates stay as AWS
// documents them; the local emulator serves the MOCK itself.
func MotoMockWorkaround(tb testing.TB, path string) string {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	s := string(b)
	out := strings.ReplaceAll(s, "\n        Type: MOCK\n", "\n        IntegrationHttpMethod: GET\n        Uri: moto-needs-one\n        Type: MOCK\n")
	out = strings.ReplaceAll(out, "\n        type: mock\n", "\n        type: mock\n        httpMethod: GET\n        uri: moto-needs-one\n")
	if out == s {
		return path
	}
	copied := filepath.Join(tb.TempDir(), filepath.Base(path))
	if err := os.WriteFile(copied, []byte(out), 0o644); err != nil {
		tb.Fatal(err)
	}
	return copied
}
