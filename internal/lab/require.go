package lab

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// RequireEnv is the environment variable that turns a missing tool from a
// skipped test into a failed one: DDNSGEN_LAB=require (set it on CI, where
// every tool is installed, so a broken install cannot pass silently).
const RequireEnv = "DDNSGEN_LAB"

// installHints says how to get each tool the lab knows. Jars are matched by
// base name.
var installHints = map[string]string{
	"moto_server":              "pip install 'moto[server]'",
	"aws":                      "pip install awscli",
	"cfn-lint":                 "pip install cfn-lint",
	"java":                     "apt-get install default-jre-headless",
	"ddclient":                 "apt-get install ddclient",
	"inadyn":                   "apt-get install inadyn",
	"curl":                     "apt-get install curl",
	"lego":                     "apt-get install lego",
	"pebble":                   "apt-get install pebble",
	"certbot":                  "apt-get install certbot",
	"velocity-1.7.jar":         "apt-get install velocity",
	"commons-collections3.jar": "apt-get install libcommons-collections3-java",
	"commons-lang.jar":         "apt-get install libcommons-lang-java",
}

// Require makes sure every tool is present before a test uses it. A tool is a
// command name looked up in PATH ("moto_server", "aws", "cfn-lint", "java",
// "ddclient", "inadyn", "curl") or a file path (anything with a slash, such as
// /usr/share/java/velocity-1.7.jar), which must be an existing regular file.
//
// When something is missing the test is skipped with a message naming each
// missing tool and how to install it, or fails (tb.Fatalf) when DDNSGEN_LAB is
// "require". Either way Require does not return in that case.
func Require(tb testing.TB, tools ...string) {
	tb.Helper()
	var missing []string
	for _, tool := range tools {
		if !installed(tool) {
			missing = append(missing, withHint(tool))
		}
	}
	if len(missing) == 0 {
		return
	}
	what := strings.Join(missing, " and ")
	if os.Getenv(RequireEnv) == "require" {
		tb.Fatalf("lab: this test needs %s, which is missing (%s=require makes a missing tool a failure)", what, RequireEnv)
	}
	tb.Skipf("lab: this test needs a tool that is missing: install %s or set %s=require to make this a failure", what, RequireEnv)
}

func installed(tool string) bool {
	if strings.ContainsRune(tool, '/') || strings.ContainsRune(tool, filepath.Separator) {
		info, err := os.Stat(tool)
		return err == nil && info.Mode().IsRegular()
	}
	_, err := exec.LookPath(tool)
	return err == nil
}

func withHint(tool string) string {
	if hint, ok := installHints[filepath.Base(tool)]; ok {
		return fmt.Sprintf("%s (%s)", tool, hint)
	}
	return tool
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago. It
// picks one at random below Linux's ephemeral range (32768-60999), which the
// kernel never hands out on its own (not to a listener on port 0, not to an
// outgoing connection): only another explicit bind can take it before the
// caller binds it, so a port is rarely lost between the two. StartMoto
// retries all the same.
func FreePort(tb testing.TB) int {
	tb.Helper()
	for range 50 {
		port := 20000 + rand.IntN(12000)
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			continue
		}
		l.Close()
		return port
	}
	tb.Fatalf("lab: no free port on 127.0.0.1 between 20000 and 32000 after 50 tries")
	return 0
}
