package main

// The documentation's tests. Every fenced block of README.md and docs/*.md
// names the test that checks it, in an HTML comment on the line right above
// the block (other marker comments may sit between):
//
//	<!-- test: TestName -->
//	```sh
//	ddnsgen > ddns.yaml
//	```
//
// TestDocBlocksClaimed fails on a block without a claim, or one whose test
// does not exist. A test that reads a block finds it by a marker of its own
// (<!-- walkthrough -->, <!-- ddclient.conf -->, ...) with docBlockText.
//
// Blocks claimed by TestDocCommands are run here, with ddnsgen built from
// this tree: a ```sh block must exit 0; a ```console block shows commands
// after "$ " and, below each, the output it must print (stdout and stderr
// together). Only blocks that need no AWS and no network are run here;
// blocks that call AWS, curl or a client are claimed by the lab test that
// does what they show.

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode"

	"github.com/ddnsgen/ddnsgen/internal/lab"
)

const repoRoot = "../.."

// docBlock is one fenced block of a documentation file.
type docBlock struct {
	file    string   // relative to the repository's root
	line    int      // of the opening fence, from 1
	lang    string   // the fence's info string: sh, console, yaml, ...
	text    string   // the lines between the fences, the fence's indent removed
	markers []string // the HTML comments right above it, without <!-- -->
	tests   []string // the tests its "test:" markers name
}

func (b docBlock) String() string { return b.file + ":" + strconv.Itoa(b.line) }

// docFiles are README.md and docs/*.md, relative to the repository's root.
func docFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(repoRoot, "docs", "*.md"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no docs/*.md: %v", err)
	}
	out := []string{"README.md"}
	for _, f := range files {
		out = append(out, filepath.Join("docs", filepath.Base(f)))
	}
	return out
}

// readDocBlocks returns every fenced block of a documentation file.
func readDocBlocks(t *testing.T, file string) []docBlock {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, file))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	var blocks []docBlock
	for i := 0; i < len(lines); i++ {
		trimmed := strings.TrimLeft(lines[i], " ")
		if !strings.HasPrefix(trimmed, "```") {
			continue
		}
		indent := len(lines[i]) - len(trimmed)
		blk := docBlock{file: file, line: i + 1, lang: strings.TrimPrefix(trimmed, "```")}
		for j := i - 1; j >= 0; j-- {
			c := strings.TrimSpace(lines[j])
			if !strings.HasPrefix(c, "<!--") || !strings.HasSuffix(c, "-->") {
				break
			}
			m := strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(c, "<!--"), "-->"))
			blk.markers = append(blk.markers, m)
			if names, ok := strings.CutPrefix(m, "test:"); ok {
				for _, n := range strings.Split(names, ",") {
					blk.tests = append(blk.tests, strings.TrimSpace(n))
				}
			}
		}
		var body []string
		for i++; i < len(lines) && strings.TrimSpace(lines[i]) != "```"; i++ {
			body = append(body, strings.TrimPrefix(lines[i], strings.Repeat(" ", indent)))
		}
		if i == len(lines) {
			t.Fatalf("%s: the block is never closed", blk)
		}
		blk.text = strings.Join(body, "\n") + "\n"
		blocks = append(blocks, blk)
	}
	return blocks
}

// docBlockText is the text of the one block of file marked <!-- marker -->.
func docBlockText(t *testing.T, file, marker string) string {
	t.Helper()
	var found []docBlock
	for _, b := range readDocBlocks(t, file) {
		for _, m := range b.markers {
			if m == marker {
				found = append(found, b)
			}
		}
	}
	if len(found) != 1 {
		t.Fatalf("%s has %d blocks marked <!-- %s -->, want 1", file, len(found), marker)
	}
	return found[0].text
}

// testNames are the names of the Test functions of the repository.
func testNames(t *testing.T) map[string]bool {
	t.Helper()
	names := map[string]bool{}
	decl := regexp.MustCompile(`(?m)^func (Test[A-Za-z0-9_]*)\(`)
	err := filepath.WalkDir(repoRoot, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if strings.HasSuffix(path, "_test.go") {
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, m := range decl.FindAllStringSubmatch(string(b), -1) {
				names[m[1]] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// TestDocBlocksClaimed: every fenced block of the documentation names an
// existing test that checks it.
func TestDocBlocksClaimed(t *testing.T) {
	names := testNames(t)
	count := 0
	for _, f := range docFiles(t) {
		for _, b := range readDocBlocks(t, f) {
			count++
			if len(b.tests) == 0 {
				t.Errorf("%s: a ```%s block no test claims: put <!-- test: TestName --> right above it, naming the test that checks it", b, b.lang)
			}
			for _, n := range b.tests {
				if !names[n] {
					t.Errorf("%s: <!-- test: %s -->: there is no such test", b, n)
				}
			}
		}
	}
	if count < 20 {
		t.Errorf("found only %d blocks: the parser is broken", count)
	}
}

var (
	buildOnce sync.Once
	builtDir  string
	buildErr  error
	buildOut  []byte
)

// ddnsgenBinary builds ddnsgen from this tree once per test process and
// returns the directory that holds it.
func ddnsgenBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		builtDir, buildErr = os.MkdirTemp("", "ddnsgen-docs-")
		if buildErr == nil {
			buildOut, buildErr = exec.Command("go", "build", "-o", builtDir, ".").CombinedOutput()
		}
	})
	if buildErr != nil {
		t.Fatalf("go build: %v\n%s", buildErr, buildOut)
	}
	return builtDir
}

// docShell runs script with bash in dir, ddnsgen first in PATH, and
// returns its output (stdout and stderr together) and whether it exited 0.
func docShell(t *testing.T, dir, script string) (string, bool) {
	t.Helper()
	cmd := exec.Command("bash", "-euo", "pipefail", "-c", script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PATH="+ddnsgenBinary(t)+string(os.PathListSeparator)+os.Getenv("PATH"), "HOME="+dir,
		// The documentation's example secrets, of the forms ddnsgen takes.
		"DDNS_API_KEY=a1B2c3D4e5F6g7H8i9J0a1B2c3D4e5F6g7H8wxyz")
	out, err := cmd.CombinedOutput()
	return string(out), err == nil
}

// needsNetwork: a command a block run here must not hold (it would reach
// AWS or another machine).
var needsNetwork = regexp.MustCompile(`(?m)(^|[|;&(]\s*)(aws|curl|wget|ddnsgen (local|check))\b|^\$ (aws|curl|ddnsgen (local|check))\b`)

// TestDocCommands runs the blocks claimed by it (see the file's comment).
func TestDocCommands(t *testing.T) {
	ran := 0
	for _, f := range docFiles(t) {
		for _, b := range readDocBlocks(t, f) {
			if !claims(b, "TestDocCommands") {
				continue
			}
			ran++
			if needsNetwork.MatchString(b.text) {
				t.Errorf("%s: the block calls AWS or the network: claim it by the lab test that runs it, not TestDocCommands", b)
				continue
			}
			dir := t.TempDir()
			switch b.lang {
			case "sh":
				if out, ok := docShell(t, dir, b.text); !ok {
					t.Errorf("%s: the block failed:\n%s\n--- block ---\n%s", b, out, b.text)
				}
			case "console":
				for _, step := range consoleSteps(b.text) {
					if got, _ := docShell(t, dir, step.command); got != step.output {
						t.Errorf("%s: $ %s\nprints:\n%s\nthe documentation shows:\n%s", b, step.command, got, step.output)
					}
				}
			default:
				t.Errorf("%s: TestDocCommands runs ```sh and ```console blocks, not ```%s", b, b.lang)
			}
		}
	}
	if ran == 0 {
		t.Error("no block is claimed by TestDocCommands")
	}
}

func claims(b docBlock, test string) bool {
	for _, n := range b.tests {
		if n == test {
			return true
		}
	}
	return false
}

// consoleStep is a command of a ```console block and the output shown
// below it.
type consoleStep struct{ command, output string }

// consoleSteps splits a console block at its "$ " lines; a command's line
// that ends in a backslash continues on the next.
func consoleSteps(text string) []consoleStep {
	var steps []consoleStep
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		cmd, ok := strings.CutPrefix(lines[i], "$ ")
		if !ok {
			if len(steps) > 0 {
				steps[len(steps)-1].output += lines[i] + "\n"
			}
			continue
		}
		for strings.HasSuffix(cmd, "\\") && i+1 < len(lines) {
			i++
			cmd += "\n" + lines[i]
		}
		steps = append(steps, consoleStep{command: cmd})
	}
	return steps
}

// TestReadmeTestCommand: the README's test commands are the quick run and
// the run with the lab on, and its contributors' block is .ci/setup and the
// very go test command .ci/run runs (CI runs what the README says).
func TestReadmeTestCommand(t *testing.T) {
	var blocks []string
	for _, b := range readDocBlocks(t, "README.md") {
		if claims(b, "TestReadmeTestCommand") {
			blocks = append(blocks, b.text)
		}
	}
	ci, err := os.ReadFile(filepath.Join(repoRoot, ".ci", "run"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^(` + lab.RequireEnv + `=require go test [^|>\n]*?)\s*(2>&1|\||$)`).FindSubmatch(ci)
	if m == nil {
		t.Fatalf(".ci/run runs no %s=require go test command", lab.RequireEnv)
	}
	if !regexp.MustCompile(`(?m)^\.ci/setup$`).Match(ci) {
		t.Errorf(".ci/run does not call .ci/setup")
	}
	want := []string{
		"go test ./...\n" + lab.RequireEnv + "=1 go test ./...\n",
		".ci/setup\n" + string(m[1]) + "\n",
	}
	if !slices.Equal(blocks, want) {
		t.Errorf("the README's test blocks are\n%q\nwant\n%q", blocks, want)
	}
}

// headingAnchor is the anchor GitHub gives a Markdown heading.
func headingAnchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// TestDocLinks: every relative link of the documentation leads to a file of
// the repository, and its #anchor to a heading of that file.
func TestDocLinks(t *testing.T) {
	anchors := map[string]map[string]bool{}
	anchorsOf := func(file string) map[string]bool {
		if a, ok := anchors[file]; ok {
			return a
		}
		a := map[string]bool{}
		if b, err := os.ReadFile(filepath.Join(repoRoot, file)); err == nil {
			for _, m := range regexp.MustCompile(`(?m)^#+ (.*)$`).FindAllStringSubmatch(string(b), -1) {
				a[headingAnchor(m[1])] = true
			}
		}
		anchors[file] = a
		return a
	}
	link := regexp.MustCompile(`\]\(([^)\s]+)\)`)
	for _, f := range docFiles(t) {
		b, err := os.ReadFile(filepath.Join(repoRoot, f))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range link.FindAllStringSubmatch(string(b), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			path, anchor, _ := strings.Cut(target, "#")
			file := f
			if path != "" {
				file = filepath.Clean(filepath.Join(filepath.Dir(f), path))
				if _, err := os.Stat(filepath.Join(repoRoot, file)); err != nil {
					t.Errorf("%s: the link %s leads to no file", f, target)
					continue
				}
			}
			if anchor != "" && !anchorsOf(file)[anchor] {
				t.Errorf("%s: the link %s leads to no heading of %s", f, target, file)
			}
		}
	}
}
