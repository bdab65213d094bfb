package local

import (
	"slices"
	"testing"
	"time"
)

// TestWAFRuleCountsPerAddress: a rate-based rule counts each source
// address's requests in its scope over the window, blocks an address above
// the limit (its blocked requests count too) and lets it through once the
// window has passed; with a delay, a verdict stands that long (AWS WAF's
// detection lag).
func TestWAFRuleCountsPerAddress(t *testing.T) {
	newRule := func() *wafRule {
		return &wafRule{limit: 3, window: 10 * time.Second, status: 503,
			scope: &wafMatch{search: "/nic/update", constraint: "CONTAINS", transforms: []string{"URL_DECODE"}},
			seen:  map[string][]time.Time{}, blocked: map[string]bool{}, decided: map[string]time.Time{}}
	}
	t0 := time.Unix(1000, 0)
	r := newRule()
	var got []bool
	for i := range 5 {
		got = append(got, r.block("192.0.2.1", "/ddns/nic/update", t0.Add(time.Duration(i)*time.Second), 0))
	}
	if want := []bool{false, false, false, true, true}; !slices.Equal(got, want) {
		t.Errorf("one address, 5 requests in 5 s, limit 3: blocked %v, want %v", got, want)
	}
	if r.block("192.0.2.2", "/ddns/nic/update", t0.Add(5*time.Second), 0) {
		t.Error("another address is blocked")
	}
	if r.block("192.0.2.1", "/ddns/Z123", t0.Add(5*time.Second), 0) {
		t.Error("a path outside the rule's scope is blocked")
	}
	if !r.block("192.0.2.1", "/ddns/nic/%75pdate", t0.Add(6*time.Second), 0) {
		t.Error("a URL-encoded /nic/update escapes the rule")
	}
	if r.block("192.0.2.1", "/ddns/nic/update", t0.Add(30*time.Second), 0) {
		t.Error("still blocked after the window")
	}
	// With a 5 s delay the verdict is made on the first request and stands.
	r = newRule()
	got = got[:0]
	for i := range 8 {
		got = append(got, r.block("192.0.2.1", "/ddns/nic/update", t0.Add(time.Duration(i)*time.Second), 5*time.Second))
	}
	if want := []bool{false, false, false, false, false, true, true, true}; !slices.Equal(got, want) {
		t.Errorf("with a 5 s delay: blocked %v, want %v", got, want)
	}
}
