package main

import (
	"math/rand/v2"
	"net/netip"
	"net/url"
	"os/exec"
	"strings"
	"testing"

	"github.com/ddnsgen/ddnsgen/internal/lab"
)

// tablePublic is the Go side of the filter: not in notPublic.
func tablePublic(a netip.Addr) bool {
	for _, r := range notPublic {
		if netip.MustParsePrefix(r.prefix).Contains(a) {
			return false
		}
	}
	return true
}

// filterSamples are addresses to try the filter on: each range's first and
// last address and their neighbours, named ones, and random ones of both
// families (a fixed seed: the same every run).
func filterSamples() []netip.Addr {
	var out []netip.Addr
	for _, r := range notPublic {
		p := netip.MustParsePrefix(r.prefix)
		first := p.Masked().Addr()
		last := first
		for i := 0; i < first.BitLen()-p.Bits(); i++ {
			b := last.AsSlice()
			bit := first.BitLen() - 1 - i
			b[bit/8] |= 1 << (7 - bit%8)
			last, _ = netip.AddrFromSlice(b)
		}
		out = append(out, first, last, first.Prev(), last.Next())
	}
	for _, s := range []string{"192.0.2.2", "8.8.8.8", "1.1.1.1", "203.0.113.7", "100.63.255.255", "100.128.0.0", "172.32.0.1",
		"2001:4860:4860::8888", "2a00:1450:4001::1", "::ffff:192.0.2.1", "fd12:3456::1", "fe80::1", "2002:c000:201::1", "64:ff9b::808:808"} {
		out = append(out, netip.MustParseAddr(s))
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 150; i++ {
		var b4 [4]byte
		var b16 [16]byte
		for j := range b4 {
			b4[j] = byte(r.UintN(256))
		}
		for j := range b16 {
			b16[j] = byte(r.UintN(256))
		}
		if i%2 == 0 { // mostly global unicast space, some of it in the table
			b16[0] = 0x20 | b16[0]&0x1f
		}
		if i%5 == 0 { // and runs of zeros, for :: compression
			for j := 4; j < 12; j++ {
				b16[j] = 0
			}
		}
		out = append(out, netip.AddrFrom4(b4), netip.AddrFrom16(b16))
	}
	var valid []netip.Addr
	for _, a := range out {
		if a.IsValid() {
			valid = append(valid, a)
		}
	}
	return valid
}

// TestClientAddressFilter: the script's public() agrees with the Go table
// on every sample, the table refuses everything net/netip calls not global
// unicast or private, and the documentation ranges (192.0.2.2 was taken).
func TestClientAddressFilter(t *testing.T) {
	samples := filterSamples()
	for _, a := range samples {
		if (!a.IsGlobalUnicast() || a.IsPrivate()) && tablePublic(a) {
			t.Errorf("%s: net/netip says it is not a public address, the table takes it", a)
		}
	}
	for _, s := range []string{"192.0.2.2", "198.51.100.1", "203.0.113.1", "2001:db8::1", "3fff::1", "100.64.0.1", "198.18.0.1", "fd00::1"} {
		if tablePublic(netip.MustParseAddr(s)) {
			t.Errorf("the table takes %s", s)
		}
	}
	for _, r := range notPublic {
		if p := netip.MustParsePrefix(r.prefix); p != p.Masked() {
			t.Errorf("%s has bits set past its length", r.prefix)
		}
	}

	lab.Require(t, "sh")
	s := &clientSetup{url: mustURL(t, "https://ddns.example.com/ddns/Z1"), stage: "ddns", key: "k"}
	script := s.script()
	start, end := strings.Index(script, "# hex4 A.B.C.D"), strings.Index(script, "# route_source")
	if start < 0 || end < 0 {
		t.Fatal("the script has no hex4 ... public functions")
	}
	// Each address in the forms a host prints it: compressed, and for
	// IPv6 expanded and upper case too.
	var lines, want []string
	for _, a := range samples {
		forms := []string{a.String()}
		if a.Is6() {
			forms = append(forms, a.StringExpanded(), strings.ToUpper(a.String()))
		}
		for _, f := range forms {
			lines = append(lines, f)
			want = append(want, map[bool]string{true: "1", false: "0"}[tablePublic(a)])
		}
	}
	// Not addresses at all: never public.
	for _, bad := range []string{"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1..2.3", "1:2", "1:::2", "1::2::3", ":1::2", "1::2:", "1:2:3:4:5:6:7:8:9", "12345::1", "g::1", "::ffff:1.2.3", "1.2.3.4/24", "*"} {
		lines = append(lines, bad)
		want = append(want, "0")
	}
	prog := script[start:end] + `while IFS= read -r a; do if public "$a"; then echo 1; else echo 0; fi; done`
	for _, shell := range []string{"sh", "bash"} {
		if _, err := exec.LookPath(shell); err != nil {
			continue
		}
		cmd := exec.Command(shell, "-c", prog)
		cmd.Stdin = strings.NewReader(strings.Join(lines, "\n") + "\n")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: %v", shell, err)
		}
		got := strings.Fields(string(out))
		if len(got) != len(want) {
			t.Fatalf("%s: %d answers for %d addresses", shell, len(got), len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%s: public %q = %s, the table says %s", shell, lines[i], got[i], want[i])
			}
		}
	}
}

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
