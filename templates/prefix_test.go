package templates

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"regexp"
	"strings"
	"testing"

	"github.com/ddnsgen/ddnsgen/internal/lab"
	"github.com/ddnsgen/ddnsgen/local/velocity"
)

func prefixData() Data {
	return Data{
		MaxNames: 20,
		Records: []Record{
			{Name: "nas.acme.local", ZoneVar: "ddns_zone_1", TTL: 60, Types: []string{"A", "AAAA"}, InterfaceID: "1234:5678:9abc:def0"},
			{Name: "cam.acme.local", ZoneVar: "ddns_zone_1", TTL: 60, Types: []string{"AAAA"}, InterfaceID: "0:0:0:1"},
			{Name: "home.acme.local", ZoneVar: "ddns_zone_1", TTL: 60, Types: []string{"A", "AAAA"}},
		},
		Devices: []Device{{Name: "router", Key: "KEYROUTER", Names: []string{"nas.acme.local", "cam.acme.local", "home.acme.local"}}},
		Users:   []User{{Name: "router", Names: []string{"nas.acme.local", "cam.acme.local", "home.acme.local"}, PasswordStage: "ddns_password_router"}},
	}
}

var aaaaValue = regexp.MustCompile(`<Type>AAAA</Type><TTL>\d+</TTL>\n<ResourceRecords><ResourceRecord><Value>([^<]*)</Value>`)

// The AAAA value a prefix and an interface id make is the prefix's first 64
// bits and the id, whatever form the prefix is written in: checked against
// net/netip on generated prefixes written compressed, with leading zeros, in
// upper case.
func TestPrefixArithmetic(t *testing.T) {
	request, err := UpdateRequest(prefixData())
	if err != nil {
		t.Fatal(err)
	}
	eng := lab.Velocity(t)
	r := rand.New(rand.NewPCG(7, 11))
	forms := []func(netip.Addr) string{
		func(a netip.Addr) string { return a.String() },                  // compressed, lower case
		func(a netip.Addr) string { return strings.ToUpper(a.String()) }, // upper case
		func(a netip.Addr) string { return a.StringExpanded() },          // every group, leading zeros
		func(a netip.Addr) string { // groups without leading zeros, no ::
			b := a.As16()
			var g []string
			for i := 0; i < 16; i += 2 {
				g = append(g, fmt.Sprintf("%x", uint16(b[i])<<8|uint16(b[i+1])))
			}
			return strings.Join(g, ":")
		},
	}
	for i := range 120 {
		var b [16]byte
		for j := range 8 {
			b[j] = byte(r.IntN(256))
		}
		b[0] = 0x20 | b[0]&0x1f // 2000::/3, global unicast
		if i%3 == 0 {
			b[4], b[5], b[6], b[7] = 0, 0, 0, 0 // long runs of zeros, for ::
		}
		if i%5 == 0 {
			b[2], b[3] = 0, 0
		}
		length := 64
		if i%4 == 1 {
			length = 48 + r.IntN(17)
			p, _ := netip.AddrFrom16(b).Prefix(length) // what is past the length is zero
			b = p.Addr().As16()
		}
		prefix := forms[i%len(forms)](netip.AddrFrom16(b)) + fmt.Sprintf("/%d", length)
		want := b
		copy(want[8:], []byte{0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0})
		res, err := eng.Render(velocity.Request{
			Template: request, Path: map[string]string{"zone_id": "ZONE1"},
			QueryString: map[string]string{"hostname": "nas.acme.local", "ip6lanprefix": prefix},
			Header:      map[string]string{}, StageVariables: map[string]string{"ddns_zone_1": "ZONE1"},
			Context: map[string]any{"identity": map[string]any{"sourceIp": "192.0.2.1", "apiKeyId": "KEYROUTER"}},
		})
		if err != nil {
			t.Fatal(err)
		}
		m := aaaaValue.FindStringSubmatch(res.Output)
		if m == nil {
			t.Errorf("prefix %s: no AAAA change:\n%s", prefix, res.Output)
			continue
		}
		got, err := netip.ParseAddr(m[1])
		if err != nil || got != netip.AddrFrom16(want) {
			t.Errorf("prefix %s: AAAA %q, want %s", prefix, m[1], netip.AddrFrom16(want))
		}
		if !strings.Contains(res.Output, "<Type>A</Type><TTL>60</TTL>\n<ResourceRecords><ResourceRecord><Value>192.0.2.1</Value>") {
			t.Errorf("prefix %s: the name's A record is not the caller's address:\n%s", prefix, res.Output)
		}
	}
}

// Only a global unicast prefix of /64 or shorter, with nothing set past its
// first 64 bits, is taken; an IPv4-mapped address is no AAAA value.
func TestPrefixAndMappedRefused(t *testing.T) {
	request, err := UpdateRequest(prefixData())
	if err != nil {
		t.Fatal(err)
	}
	responses := func(int) string { return UpdateResponse(prefixData()) }
	for _, p := range []string{
		"2001:db8:1:2::/65", "2001:db8:1:2::/128", "2001:db8:1:2::/0", "2001:db8:1:2::", "fe80::/64", "fd00:1:2:3::/64",
		"::/64", "ff02::/64", "2001:db8::1/64", "2001:db8:1:2:0:0:0:1/64", "1.2.3.4/24", "2001:db8:1:2::/064",
		"2001:db8:1:2::/6x", "2001:db8:::/64", "2001:db8:1:2::/64/64", "2001:db8:1:2::%eth0/64", "<x>/64",
		"2001:db8:1:2::/64\n", strings.Repeat("2001:", 20) + ":/64",
	} {
		status, header, body := exchangeWithHeaders(t, world{}, request, responses, call{key: "KEYROUTER", sourceIP: "192.0.2.7",
			query: map[string]string{"hostname": "nas.acme.local", "ip6lanprefix": p}})
		if want := `{"error":"BadPrefix","message":"ip6lanprefix must be a global IPv6 prefix of /64 or shorter, such as 2001:db8:1:2::/64"}`; status != 400 || strings.TrimSpace(body) != want || header["X-Ddnsgen-Via"] != "echo" {
			t.Errorf("ip6lanprefix %q: %d %v %s", p, status, header, body)
		}
	}
	for _, ip := range []string{"::ffff:192.0.2.1", "::FFFF:c000:201", "0:0:0:0:0:ffff:192.0.2.1", "0::ffff:1.2.3.4"} {
		status, body := exchange(t, world{}, request, responses, call{key: "KEYROUTER", sourceIP: "192.0.2.7",
			query: map[string]string{"hostname": "home.acme.local", "ip": ip}})
		if status != 400 || !strings.Contains(body, `"error":"BadAddress"`) {
			t.Errorf("ip %q: %d %s", ip, status, body)
		}
	}
}

// A prefix answers like any update, in both endpoints and every world: the
// names with an interface id get theirs, the others the request's address.
func TestPrefixAnswers(t *testing.T) {
	d := prefixData()
	update, err := UpdateRequest(d)
	if err != nil {
		t.Fatal(err)
	}
	dyn, err := DynDNS2Request(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range worlds {
		via := map[bool]string{false: "echo", true: "echo+carry"}[w.carry]
		status, header, body := exchangeWithHeaders(t, w, update, func(int) string { return UpdateResponse(prefixData()) }, call{key: "KEYROUTER", sourceIP: "192.0.2.7", query: map[string]string{"hostname": "nas.acme.local,home.acme.local", "ip": "198.51.100.4,2001:db8:ffff::4", "ip6lanprefix": "2001:DB8:0001:0200::/56"}})
		want := `{"updated":[{"name":"nas.acme.local","type":"A","value":"198.51.100.4","ttl":60},{"name":"nas.acme.local","type":"AAAA","value":"2001:db8:1:200:1234:5678:9abc:def0","ttl":60},{"name":"home.acme.local","type":"A","value":"198.51.100.4","ttl":60},{"name":"home.acme.local","type":"AAAA","value":"2001:db8:ffff::4","ttl":60}],"change":"/change/C2682N5HXP0BZ4"}`
		if status != 200 || strings.TrimSpace(body) != want || header["X-Ddnsgen-Via"] != via {
			t.Errorf("%v: JSON: %d %v %s\nwant X-Ddnsgen-Via: %s %s", w, status, header, body, via, want)
		}
		status, body = exchange(t, w, dyn, func(class int) string { return DynDNS2Response(class == 5) },
			call{header: basic("router", "s3cretpassw0rd123456"), sourceIP: "192.0.2.7",
				query: map[string]string{"hostname": "cam.acme.local,nas.acme.local,home.acme.local,cam.acme.local", "myip": "2001:db8:ffff::4", "ip6lanprefix": "2001:db8:1:2::/64"}})
		want = "good 2001:db8:1:2:0:0:0:1\ngood 2001:db8:1:2:1234:5678:9abc:def0\ngood 2001:db8:ffff::4\ngood 2001:db8:1:2:0:0:0:1\n"
		if status != 200 || body != want {
			t.Errorf("%v: dyndns2: %d %q\nwant %q", w, status, body, want)
		}
	}
}

// A stack without an interface id carries no prefix code, and ignores
// ip6lanprefix like any parameter it does not know.
func TestPrefixCodeOnlyWhenUsed(t *testing.T) {
	with, err := UpdateRequest(prefixData())
	if err != nil {
		t.Fatal(err)
	}
	without, err := UpdateRequest(answersData())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(with, "$prefixParam.toLowerCase()") || strings.Contains(without, "$prefixParam.toLowerCase()") {
		t.Error("the prefix code should be in the stack with an interface id only")
	}
	status, body := exchange(t, world{}, without, func(int) string { return UpdateResponse(prefixData()) }, call{key: "KEYLAPTOP", sourceIP: "192.0.2.8", query: map[string]string{"ip6lanprefix": "garbage"}})
	if status != 200 || !strings.Contains(body, `"value":"192.0.2.8"`) {
		t.Errorf("ip6lanprefix on a stack without interface ids: %d %s", status, body)
	}
}

// A router that lacks one of its addresses fills in an empty side
// (FritzBox's myip=<ipaddr>,<ip6addr> on DS-Lite): the other side is taken;
// nothing at all means the caller's address.
func TestEmptyAddressSide(t *testing.T) {
	request, err := DynDNS2Request(prefixData())
	if err != nil {
		t.Fatal(err)
	}
	router := basic("router", "s3cretpassw0rd123456")
	for myip, want := range map[string]string{
		",2001:db8::7":   "good 2001:db8::7\n",
		"198.51.100.7,":  "good 198.51.100.7\n",
		",":              "good 192.0.2.7\n",
		",,2001:db8::7,": "dnserr\n",
	} {
		status, body := exchange(t, world{}, request, func(class int) string { return DynDNS2Response(class == 5) },
			call{header: router, sourceIP: "192.0.2.7", query: map[string]string{"hostname": "home.acme.local", "myip": myip}})
		if status != 200 || body != want {
			t.Errorf("myip=%q: %d %q, want %q", myip, status, body, want)
		}
	}
}

// Found by a red-team review: empty fields count alike wherever they stand;
// five names behind a router fit in the change's comment (each carries only
// its own IPv6); an IPv4-mapped caller is its IPv4; an unset zone id is no
// zone.
func TestRedTeamFindings(t *testing.T) {
	d := prefixData()
	for i := range 4 {
		n := fmt.Sprintf("p%d.acme.local", i)
		d.Records = append(d.Records, Record{Name: n, ZoneVar: "ddns_zone_1", TTL: 60, Types: []string{"A", "AAAA"}, InterfaceID: fmt.Sprintf("1234:5678:9abc:def%d", i)})
		d.Devices[0].Names = append(d.Devices[0].Names, n)
		d.Users[0].Names = append(d.Users[0].Names, n)
	}
	d.Records = append(d.Records, Record{Name: "unset.acme.local", ZoneVar: "ddns_zone_9", TTL: 60, Types: []string{"A"}})
	d.Devices[0].Names = append(d.Devices[0].Names, "unset.acme.local")
	dyn, err := DynDNS2Request(d)
	if err != nil {
		t.Fatal(err)
	}
	update, err := UpdateRequest(d)
	if err != nil {
		t.Fatal(err)
	}
	router := basic("router", "s3cretpassw0rd123456")
	dyndns2 := func(class int) string { return DynDNS2Response(class == 5) }
	for _, w := range worlds {
		for host, want := range map[string]string{
			"home.acme.local,":  "good 192.0.2.7\n",
			",home.acme.local":  "good 192.0.2.7\n",
			"home.acme.local,,": "good 192.0.2.7\n",
		} {
			if status, body := exchange(t, w, dyn, dyndns2, call{header: router, sourceIP: "192.0.2.7", query: map[string]string{"hostname": host}}); status != 200 || body != want {
				t.Errorf("%v: hostname=%q: %d %q, want %q", w, host, status, body, want)
			}
		}
		status, body := exchange(t, w, dyn, dyndns2, call{header: router, sourceIP: "192.0.2.7", query: map[string]string{
			"hostname": "nas.acme.local,p0.acme.local,p1.acme.local,p2.acme.local,p3.acme.local", "myip": "203.0.113.10", "ip6lanprefix": "2001:db8:1:2::/64"}})
		want := "good 203.0.113.10,2001:db8:1:2:1234:5678:9abc:def0\n"
		for i := range 4 {
			want += fmt.Sprintf("good 203.0.113.10,2001:db8:1:2:1234:5678:9abc:def%d\n", i)
		}
		if status != 200 || body != want {
			t.Errorf("%v: five names behind the router: %d %q\nwant %q", w, status, body, want)
		}
		if status, body := exchange(t, w, dyn, dyndns2, call{header: router, sourceIP: "::ffff:192.0.2.9", query: map[string]string{"hostname": "home.acme.local"}}); status != 200 || body != "good 192.0.2.9\n" {
			t.Errorf("%v: an IPv4-mapped caller: %d %q", w, status, body)
		}
		status, body = exchange(t, w, update, func(int) string { return UpdateResponse(prefixData()) },
			call{key: "KEYROUTER", sourceIP: "192.0.2.7", query: map[string]string{"hostname": "unset.acme.local"}})
		if status != 400 || !strings.Contains(body, `"error":"MixedZones"`) {
			t.Errorf("%v: a name whose zone id is unset: %d %s", w, status, body)
		}
	}
	d.Devices[0].Name = "Router"
	if _, err := UpdateRequest(d); err == nil {
		t.Error("a device name the answers cannot carry was accepted")
	}
}
