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

	"github.com/ddnsgen/ddnsgen/internal/lab/gate"
)

// RequireEnv is the lab's one switch, DDNSGEN_LAB (see package gate):
// unset, lab tests are skipped; 1 runs them and skips one whose tool is
// missing; require runs them and fails one whose tool is missing (CI, where
// every tool is installed, so a broken install cannot pass silently).
const RequireEnv = gate.Name

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
	"shellcheck":               "apt-get install shellcheck",
	"systemd-analyze":          "apt-get install systemd",
	"python3":                  "apt-get install python3",
	"velocity-1.7.jar":         "apt-get install velocity",
	"commons-collections3.jar": "apt-get install libcommons-collections3-java",
	"commons-lang.jar":         "apt-get install libcommons-lang-java",
}

// Require marks a lab test and makes sure every tool it uses is present.
// Unless DDNSGEN_LAB is set the test is skipped here: a lab test is one that
// starts a tool other than the Velocity renderer (moto_server, the aws CLI,
// cfn-lint, a DNS client, a certificate authority, a shell script), and
// plain `go test ./...` runs none of them. With the lab on, Require checks
// the tools as Tools does.
//
// Call it first in the test (before t.Parallel or subtests), so that a
// skipped lab test costs nothing.
func Require(tb testing.TB, tools ...string) {
	tb.Helper()
	mode, err := gate.Current()
	if err != nil {
		tb.Fatalf("lab: %v", err)
	}
	if mode == gate.Off {
		gate.Skipped(tb, gate.OffReason)
		tb.Skipf("lab: a lab test (set %s=1 to run it, %s=require to fail on a missing tool)", RequireEnv, RequireEnv)
	}
	Tools(tb, tools...)
}

// Tools makes sure every tool is present before a test uses it, whether or
// not the lab is on (the Velocity render tests use it for java and the
// jars). A tool is a command name looked up in PATH ("moto_server", "aws",
// "cfn-lint", "java", "ddclient", "inadyn", "curl") or a file path
// (anything with a slash, such as /usr/share/java/velocity-1.7.jar), which
// must be an existing regular file.
//
// When something is missing the test is skipped with a message naming each
// missing tool and how to install it, or fails (tb.Fatalf) when DDNSGEN_LAB
// is "require". Either way Tools does not return in that case.
func Tools(tb testing.TB, tools ...string) {
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
	mode, err := gate.Current()
	if err != nil {
		tb.Fatalf("lab: %v", err)
	}
	if mode == gate.Require {
		tb.Fatalf("lab: this test needs %s, which is missing (%s=require makes a missing tool a failure)", what, RequireEnv)
	}
	for _, m := range missing {
		gate.Skipped(tb, m)
	}
	tb.Skipf("lab: this test needs a tool that is missing: install %s or set %s=require to make this a failure", what, RequireEnv)
}

// Run runs a package's tests for its TestMain: it stops the Velocity engine
// they shared, if any, prints the one line that says which lab tests were
// skipped and why (see gate.Report), and returns the exit code:
//
//	func TestMain(m *testing.M) { os.Exit(lab.Run(m)) }
func Run(m *testing.M) int {
	code := m.Run()
	CloseVelocity()
	gate.Report()
	return code
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

// PythonModule makes sure python3 can import module (pip installs it as
// pipName), and skips or fails the test as Tools does when it cannot.
func PythonModule(tb testing.TB, module, pipName string) {
	tb.Helper()
	Tools(tb, "python3")
	if exec.Command("python3", "-c", "import "+module).Run() == nil {
		return
	}
	what := fmt.Sprintf("%s (pip install %s)", module, pipName)
	if mode, _ := gate.Current(); mode == gate.Require {
		tb.Fatalf("lab: this test needs the Python module %s, which python3 cannot import (%s=require makes a missing tool a failure)", what, RequireEnv)
	}
	gate.Skipped(tb, what)
	tb.Skipf("lab: this test needs the Python module %s, which python3 cannot import; or set %s=require to make this a failure", what, RequireEnv)
}
