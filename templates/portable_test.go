package templates

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
)

// allVTL is every template source, by file name.
func allVTL() map[string]string {
	return map[string]string{
		"decide.vtl": decideVTL, "update-request.vtl": updateRequestVTL, "update-check.vtl": updateCheckVTL,
		"changebatch.vtl": changeBatchVTL, "update-response.vtl": updateResponseVTL,
		"dyndns2-request.vtl": dyndns2RequestVTL, "dyndns2-answer.vtl": dyndns2AnswerVTL, "dyndns2-response.vtl": dyndns2ResponseVTL,
		"dyndns2-failed.vtl": dyndns2FailedVTL,
		"acme-request.vtl":   acmeRequestVTL, "acme-response.vtl": acmeResponseVTL,
		"myip-request.vtl": myIPRequestVTL, "myip-response.vtl": myIPResponseVTL,
		"the packed tables (pack.go)": packedTables(),
	}
}

// packedTables is the VTL that packRecords and packDevices write.
func packedTables() string {
	d := fleet(8)
	d.pack = packAlways
	s, err := d.vtl(forKeys)
	if err != nil || !strings.Contains(s, "$ddns_group") {
		panic(fmt.Sprintf("the tables of fleet(8) are not packed (%v):\n%s", err, s))
	}
	return s
}

// code is a template without its comments and string literals, where a
// method call or a reference can be read off.
func code(vtl string) string {
	var b strings.Builder
	for _, line := range strings.Split(vtl, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "##") {
			continue
		}
		b.WriteString(regexp.MustCompile(`'[^']*'`).ReplaceAllString(line, "''") + "\n")
	}
	return b.String()
}

// Every Java method a template calls is listed, with its evidence, in the
// docs/testing.md's "What only real AWS can prove": only real AWS proves them.
func TestREADMEListsEveryJavaMethod(t *testing.T) {
	readme, err := os.ReadFile("../docs/testing.md")
	if err != nil {
		t.Fatal(err)
	}
	section := string(readme)
	if i := strings.Index(section, "**The Java methods the templates call.**"); i >= 0 {
		section = section[i:]
	} else {
		t.Fatal("docs/testing.md has no list of the Java methods the templates call")
	}
	if i := strings.Index(section, "\n- **"); i >= 0 {
		section = section[:i]
	}
	call := regexp.MustCompile(`\.([A-Za-z][A-Za-z0-9]*)\(`)
	seen := map[string]bool{}
	for name, text := range allVTL() {
		for _, m := range call.FindAllStringSubmatch(code(text), -1) {
			if !seen[m[1]] && !strings.Contains(section, "`"+m[1]+"`") && !strings.Contains(section, "."+m[1]+"()`") {
				t.Errorf("%s calls .%s(), which docs/testing.md's list of Java methods lacks", name, m[1])
			}
			seen[m[1]] = true
		}
	}
	if len(seen) < 10 {
		t.Fatalf("found only %d methods: the pattern is broken", len(seen))
	}
}

// Only what means the same in Velocity 1.7 and 2.x: no $velocityCount
// (removed in 2.0), no hyphen in a reference's name (2.x refuses it by
// default), no #include, #parse or macros.
func TestTemplatesArePortableVelocity(t *testing.T) {
	hyphen := regexp.MustCompile(`\$!?\{?[A-Za-z][A-Za-z0-9_.]*-[A-Za-z]`)
	for name, text := range allVTL() {
		c := code(text)
		for _, bad := range []string{"velocityCount", "#include", "#parse", "#macro", "#define", "#evaluate"} {
			if strings.Contains(c, bad) {
				t.Errorf("%s uses %s", name, bad)
			}
		}
		if m := hyphen.FindString(c); m != "" {
			t.Errorf("%s has a hyphenated reference %q", name, m)
		}
	}
}
