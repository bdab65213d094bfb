package main

import (
	"fmt"
	"net/netip"
	"strings"
)

// notPublic are the address ranges the client script never takes for the
// host's public address (what others reach it at): what net/netip calls
// not global unicast or private, and the IANA special-purpose ranges that
// are not globally reachable (IPv4 and IPv6 Special-Purpose Address
// Registries: documentation, benchmarking, shared CGNAT space, ...).
// TestClientAddressFilter checks the table against net/netip, and the
// script's filter, made from it, against the table.
var notPublic = []struct{ prefix, what string }{
	{"0.0.0.0/8", "this network"},
	{"10.0.0.0/8", "private"},
	{"100.64.0.0/10", "shared address space (CGNAT)"},
	{"127.0.0.0/8", "loopback"},
	{"169.254.0.0/16", "link-local"},
	{"172.16.0.0/12", "private"},
	{"192.0.0.0/24", "IETF protocol assignments"},
	{"192.0.2.0/24", "documentation (TEST-NET-1)"},
	{"192.88.99.0/24", "6to4 relay anycast (deprecated)"},
	{"192.168.0.0/16", "private"},
	{"198.18.0.0/15", "benchmarking"},
	{"198.51.100.0/24", "documentation (TEST-NET-2)"},
	{"203.0.113.0/24", "documentation (TEST-NET-3)"},
	{"224.0.0.0/4", "multicast"},
	{"240.0.0.0/4", "reserved, and the limited broadcast address"},
	{"::/128", "unspecified"},
	{"::1/128", "loopback"},
	{"::ffff:0:0/96", "IPv4-mapped"},
	{"64:ff9b:1::/48", "IPv4-IPv6 translation, local use"},
	{"100::/64", "discard-only"},
	{"2001::/23", "IETF protocol assignments"},
	{"2001:db8::/32", "documentation"},
	{"3fff::/20", "documentation"},
	{"5f00::/16", "segment routing (SRv6) SIDs"},
	{"fc00::/7", "unique local (ULA)"},
	{"fe80::/10", "link-local"},
	{"ff00::/8", "multicast"},
}

// hexForm is an address as the script's hexaddr prints it: "4" and 8
// lower-case hex digits, or "6" and 32.
func hexForm(a netip.Addr) string {
	if a.Is4() {
		return fmt.Sprintf("4%x", a.AsSlice())
	}
	return fmt.Sprintf("6%x", a.AsSlice())
}

// casePattern is a sh case pattern that matches exactly the hex forms of
// the addresses in p: the prefix's whole hex digits, then the digits its
// last bits allow.
func casePattern(p netip.Prefix) string {
	h := hexForm(p.Masked().Addr())
	whole, rest := p.Bits()/4, p.Bits()%4
	pat := h[:1+whole]
	if rest > 0 {
		d := strings.IndexByte("0123456789abcdef", h[1+whole])
		mask := 0xf << (4 - rest) & 0xf
		pat += "["
		for v := 0; v < 16; v++ {
			if v&mask == d&mask {
				pat += string("0123456789abcdef"[v])
			}
		}
		pat += "]"
	}
	if p.Bits() < p.Addr().BitLen() {
		pat += "*"
	}
	return pat
}

// notPublicCases are the case arms of the script's public().
func notPublicCases() string {
	var b strings.Builder
	for i, r := range notPublic {
		if i > 0 {
			b.WriteString("\n\t")
		}
		fmt.Fprintf(&b, "%s) return 1 ;; # %s %s", casePattern(netip.MustParsePrefix(r.prefix)), r.prefix, r.what)
	}
	return b.String()
}
