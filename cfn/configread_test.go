package cfn

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// sameNodes says where a and b differ in what a config is read from:
// kind, tag, value, style, line, column and content (not comments).
func sameNodes(a, b *yaml.Node, path string) string {
	if a.Kind != b.Kind || a.Tag != b.Tag || a.Value != b.Value || a.Style != b.Style || a.Line != b.Line || a.Column != b.Column || len(a.Content) != len(b.Content) {
		return fmt.Sprintf("%s: plainYAML {%v %s %q style %v at %d:%d, %d in it}, yaml.v3 {%v %s %q style %v at %d:%d, %d in it}", path,
			a.Kind, a.Tag, a.Value, a.Style, a.Line, a.Column, len(a.Content), b.Kind, b.Tag, b.Value, b.Style, b.Line, b.Column, len(b.Content))
	}
	for i := range a.Content {
		if d := sameNodes(a.Content[i], b.Content[i], fmt.Sprintf("%s/%d", path, i)); d != "" {
			return d
		}
	}
	return ""
}

// plainAsYAMLv3 fails unless plainYAML reads file as yaml.v3's parser
// does, or leaves it to yaml.v3; it says whether plainYAML read it.
func plainAsYAMLv3(t *testing.T, name string, file []byte) bool {
	t.Helper()
	got, ok := plainYAML(file)
	if !ok {
		return false
	}
	dec := yaml.NewDecoder(bytes.NewReader(file))
	var doc, extra yaml.Node
	if err := dec.Decode(&doc); err != nil {
		t.Errorf("%s: plainYAML read it, yaml.v3 says %v:\n%s", name, err, file)
		return true
	}
	if dec.Decode(&extra) == nil || len(doc.Content) != 1 {
		t.Errorf("%s: plainYAML read it, yaml.v3 reads another document or none:\n%s", name, file)
		return true
	}
	if d := sameNodes(got, doc.Content[0], ""); d != "" {
		t.Errorf("%s: %s\n%s", name, d, file)
	}
	return true
}

// configFiles are the config files of the repository: testdata and the
// YAML blocks of docs/configuration.md.
func configFiles(t *testing.T) map[string][]byte {
	files := map[string][]byte{}
	paths, _ := filepath.Glob("../cmd/ddnsgen/testdata/*.yaml")
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files[p] = b
	}
	readme, err := os.ReadFile("../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllSubmatch(readme, -1) {
		files[fmt.Sprintf("docs/configuration.md yaml block %d", i)] = m[1]
	}
	if len(files) < 3 {
		t.Fatalf("only %d config files", len(files))
	}
	return files
}

// TestPlainYAML: plainYAML reads the repository's config files, and the
// 240-device file of the CDK comparison, as yaml.v3 does (not leaving them
// to it), and reads each of thousands of variants of them as yaml.v3 does
// or leaves it to yaml.v3: lines re-indented, split, joined and
// commented, and tokens YAML gives meaning to put in.
func TestPlainYAML(t *testing.T) {
	files := configFiles(t)
	var big strings.Builder
	big.WriteString("zones:\n  - {name: example.com, id: Z0123456789ABCDEFGHIJ}\nrecords:\n")
	for i := 1; i <= 240; i++ {
		fmt.Fprintf(&big, "  - {name: device%03d.example.com, types: [A, AAAA]}\n", i)
	}
	big.WriteString("devices:\n")
	for i := 1; i <= 240; i++ {
		fmt.Fprintf(&big, "  - {name: device%03d, records: [device%03d.example.com]}\n", i, i)
	}
	files["240 devices"] = []byte(big.String())
	files["block style"] = []byte(`# a comment
zones:
- name: acme.local
  id: Z0123456789ABCDEFGHIJ   # trailing
records:
  -   name: home.acme.local
      ttl: 60
      types:
      - A
      - AAAA
  - name: 'vpn.acme.local'
    types: ["A"]
devices:
  - name: router
    records:
        - home.acme.local
        - vpn.acme.local
limits: {key_rate: 1, key_burst: 2}
open: false
tags: {team: net, cost-centre: c42}
`)
	for name, f := range files {
		if !plainAsYAMLv3(t, name, f) {
			t.Errorf("%s: left to yaml.v3:\n%s", name, f)
		}
	}
	// What yaml.v3 refuses is left to it: a key of over 1,024 characters,
	// nesting over 10,000 deep (plainYAML leaves anything over 100).
	long := strings.Repeat("k", 1025)
	deep := func(n int) []byte {
		return []byte("records: " + strings.Repeat("[", n) + "x" + strings.Repeat("]", n) + "\n")
	}
	for name, f := range map[string][]byte{
		"a long block key": []byte("tags:\n  " + long + ": v\n"), "a long flow key": []byte("tags: {" + long + ": v}\n"),
		"a long key after a dash": []byte("records:\n  - " + long + ": v\n"), "10,001 deep": deep(10001),
		"101 deep in blocks": []byte(strings.Repeat("a:\n", 101) + "b: c\n"),
	} {
		if plainAsYAMLv3(t, name, f) {
			t.Errorf("%s: read, not left to yaml.v3", name)
		}
	}
	// Deep enough to overflow a reader that recursed without a limit.
	if _, err := ParseConfig(deep(5_000_000)); err == nil || !strings.Contains(err.Error(), "max depth") {
		t.Errorf("a file 5,000,000 lists deep: %v", err)
	}
	tokens := []string{
		"", " ", "  ", "\t", "#", " #c", "# c", ":", ": ", "::", "-", "- ", "--- ", "---", "...", "?", "? ", ",", "[", "]", "{", "}", "{}", "[]",
		"'", "''", `"`, `""`, `\`, "&a ", "*a", "!!str ", "!x ", "|", ">", "%", "@", "`", "~", "null", "Null", "true", "no", "yes", "y",
		"0", "007", "0x1", "1e3", "1.5", ".5", "-1", "+1", "12:30", "2001-12-14", "é", "\r", "\n", "\n  ", "\n- ", "a: b", "a:b", "x", "x y",
		"<<", "=", "/", "a#b", " - ", "\u00a0", "\ufeff",
	}
	r := rand.New(rand.NewSource(7))
	var sources [][]byte
	for _, f := range files {
		sources = append(sources, f)
	}
	read, left := 0, 0
	n := 20000
	if testing.Short() {
		n = 2000
	}
	for i := range n {
		src := sources[r.Intn(len(sources))]
		lines := strings.Split(string(src), "\n")
		if len(lines) > 30 {
			lines = lines[:30]
		}
		for range 1 + r.Intn(3) {
			j := r.Intn(len(lines))
			l := lines[j]
			switch r.Intn(5) {
			case 0: // a token put in
				k := r.Intn(len(l) + 1)
				lines[j] = l[:k] + tokens[r.Intn(len(tokens))] + l[k:]
			case 1: // re-indented
				lines[j] = strings.Repeat(" ", r.Intn(7)) + strings.TrimLeft(l, " ")
			case 2: // split
				k := r.Intn(len(l) + 1)
				lines = append(lines[:j], append([]string{l[:k], strings.Repeat(" ", r.Intn(7)) + l[k:]}, lines[j+1:]...)...)
			case 3: // joined with the next
				if j+1 < len(lines) {
					lines = append(lines[:j], append([]string{l + lines[j+1]}, lines[j+2:]...)...)
				}
			case 4: // a character dropped
				if l != "" {
					k := r.Intn(len(l))
					lines[j] = l[:k] + l[k+1:]
				}
			}
		}
		if plainAsYAMLv3(t, fmt.Sprintf("variant %d", i), []byte(strings.Join(lines, "\n"))) {
			read++
		} else {
			left++
		}
		if t.Failed() {
			return
		}
	}
	t.Logf("read %d, left %d", read, left)
	if read < n/10 || left < n/10 {
		t.Errorf("plainYAML read %d variants and left %d to yaml.v3: the variants no longer test both", read, left)
	}
}

// FuzzPlainYAML: whatever plainYAML reads, yaml.v3 reads the same.
func FuzzPlainYAML(f *testing.F) {
	f.Add([]byte("records: [{name: a.acme.local, ttl: 60}]\n"))
	f.Add([]byte("records:\n- name: a.acme.local\n  types:\n  - A\n"))
	f.Fuzz(func(t *testing.T, b []byte) { plainAsYAMLv3(t, "fuzz", b) })
}
