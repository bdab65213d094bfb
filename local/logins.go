package local

import (
	"crypto/rand"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// Login is a dyndns2 device of a stage: its user name and password (the
// stage variable ddns_password_USER that ddnsgen's templates compare Basic
// auth with), and the names it may update with their record types.
type Login struct {
	Stage    string
	User     string
	Password string
	Names    []string
	Types    map[string][]string // name → "A", "AAAA"
}

// Logins lists the API's dyndns2 logins, by stage and user name.
func (a *API) Logins() []Login {
	names, types := a.dyndns2Names()
	var out []Login
	for _, stageName := range a.Stages {
		vars := a.api.stages[stageName].variables
		for _, v := range slices.Sorted(maps.Keys(vars)) {
			user, ok := strings.CutPrefix(v, "ddns_password_")
			if !ok {
				continue
			}
			l := Login{Stage: stageName, User: user, Password: vars[v], Names: names[user], Types: map[string][]string{}}
			for _, n := range l.Names {
				l.Types[n] = types[n]
			}
			out = append(out, l)
		}
	}
	return out
}

// HasRoute reports whether the API serves verb at path (e.g. "GET",
// "/nic/update-url").
func (a *API) HasRoute(verb, path string) bool { return a.method(verb, path) != nil }

// The dyndns2 request template's own tables: which names each user may
// update, and each name's record types (ddnsgen writes them one a line).
var (
	userLineRE   = regexp.MustCompile(`\$ddns_users\.put\('([a-z0-9-]{1,32})', \{'name': '[a-z0-9-]{1,32}', 'names': \[([^\]]*)\]`)
	recordLineRE = regexp.MustCompile(`\$ddns_records\.put\('([a-z0-9.-]{1,253})', \{[^\n]*'types': \[([^\]]*)\]`)
	quotedRE     = regexp.MustCompile(`'([^']*)'`)
)

// dyndns2Names reads, from the request template of GET /nic/update (or
// /nic/update-url), each user's names and each name's types.
func (a *API) dyndns2Names() (names, types map[string][]string) {
	names, types = map[string][]string{}, map[string][]string{}
	for _, path := range []string{"/nic/update", "/nic/update-url"} {
		m := a.method("GET", path)
		if m == nil || m.integration == nil {
			continue
		}
		for _, tmpl := range m.integration.templates {
			for _, u := range userLineRE.FindAllStringSubmatch(tmpl, -1) {
				names[u[1]] = nil
				for _, q := range quotedRE.FindAllStringSubmatch(u[2], -1) {
					names[u[1]] = append(names[u[1]], q[1])
				}
			}
			for _, r := range recordLineRE.FindAllStringSubmatch(tmpl, -1) {
				types[r[1]] = nil
				for _, q := range quotedRE.FindAllStringSubmatch(r[2], -1) {
					types[r[1]] = append(types[r[1]], q[1])
				}
			}
		}
		return names, types
	}
	return names, types
}

func (a *API) method(verb, path string) *method {
	n := a.api.root
	for _, part := range strings.Split(strings.Trim(path, "/"), "/") {
		var next *pathNode
		for _, c := range n.children {
			if c.part == part {
				next = c
			}
		}
		if next == nil {
			return nil
		}
		n = next
	}
	return n.methods[verb]
}

// randomSecret is a password for a NoEcho parameter the user gave no value:
// 32 letters and digits (ddnsgen's passwords are 16-128 of them).
func randomSecret() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 32)
	rand.Read(b) // never fails on Linux (Go 1.24: never returns an error)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// chooseSecrets gives each NoEcho String parameter without a value or a
// Default a random one (as API keys get one), into given; it returns the
// names chosen, sorted.
func chooseSecrets(doc document, given map[string]string) []string {
	decl, _ := doc["Parameters"].(map[string]any)
	var chosen []string
	for name, v := range decl {
		p, _ := v.(map[string]any)
		if _, ok := given[name]; ok || p == nil || !boolOf(p["NoEcho"]) || p["Type"] != "String" {
			continue
		}
		if _, has := p["Default"]; has {
			continue
		}
		given[name] = randomSecret()
		chosen = append(chosen, name)
	}
	sort.Strings(chosen)
	return chosen
}
