package templates

import (
	"flag"
	"math/rand/v2"
	"net/netip"
	"regexp"
	"strings"
	"testing"
)

var _ = flag.Bool("update", false, "unused here: accepted so that go test ./... -update works")

func seedData() Data {
	return Data{
		MaxNames: 20,
		Records:  []Record{{Name: "myddns.acme.local", ZoneVar: "ddns_zone_1", TTL: 60, Types: []string{"A"}}},
		Devices:  []Device{{Name: "default", Key: "${ApiKey}", Names: []string{"myddns.acme.local"}}},
	}
}

// The logic of every template is fixed text: CloudFormation's Fn::Sub must
// find no ${ in it, or it would try to fill it in.
func TestLogicHasNoSubstitutions(t *testing.T) {
	for name, text := range map[string]string{
		"decide.vtl": decideVTL, "update-request.vtl": updateRequestVTL, "update-check.vtl": updateCheckVTL,
		"changebatch.vtl": changeBatchVTL, "update-response.vtl": updateResponseVTL,
		"dyndns2-request.vtl": dyndns2RequestVTL, "dyndns2-answer.vtl": dyndns2AnswerVTL,
		"dyndns2-response.vtl": dyndns2ResponseVTL,
	} {
		if strings.Contains(text, "${") {
			t.Errorf("%s contains ${, which Fn::Sub would substitute", name)
		}
		for i, line := range strings.Split(text, "\n") {
			if strings.HasSuffix(line, " ") || strings.HasSuffix(line, "\t") {
				t.Errorf("%s:%d has trailing white space (it would force quoted YAML)", name, i+1)
			}
		}
	}
}

// Data values are written between single quotes; anything that could end
// the literal or start a directive is refused.
func TestDataRefusesUnsafeValues(t *testing.T) {
	hostile := []string{"a'b", "a#set($x=1)", "a\nb", `a\b`, "a b", "", strings.Repeat("a", 256), "a\"b", "a)b"}
	for _, v := range hostile {
		for field, mutate := range map[string]func(*Data){
			"record name":  func(d *Data) { d.Records[0].Name = v },
			"zone":         func(d *Data) { d.Records[0].ZoneVar = v },
			"device name":  func(d *Data) { d.Devices[0].Name = v },
			"API key id":   func(d *Data) { d.Devices[0].Key = v },
			"device names": func(d *Data) { d.Devices[0].Names = []string{v} },
		} {
			d := seedData()
			mutate(&d)
			if out, err := UpdateRequest(d); err == nil {
				t.Errorf("%s %q was accepted; the template reads:\n%s", field, v, out)
			}
		}
	}
	d := seedData()
	d.Records[0].Types = []string{"MX"}
	if _, err := UpdateRequest(d); err == nil || !strings.Contains(err.Error(), `type "MX" is not A or AAAA`) {
		t.Errorf("type MX: err = %v", err)
	}
}

func TestDataBlock(t *testing.T) {
	d := seedData()
	d.Records = append(d.Records, Record{Name: "v6.acme.local", ZoneVar: "ddns_zone_2", TTL: 0, Types: []string{"A", "AAAA"}})
	out, err := UpdateRequest(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"#set($discard = $ddns_records.put('myddns.acme.local', {'zone': \"$!stageVariables.ddns_zone_1\", 'ttl': 60, 'types': ['A']}))\n",
		"#set($discard = $ddns_records.put('v6.acme.local', {'zone': \"$!stageVariables.ddns_zone_2\", 'ttl': 0, 'types': ['A', 'AAAA']}))\n",
		"#set($discard = $ddns_devices.put('${ApiKey}', {'name': 'default', 'names': ['myddns.acme.local']}))\n",
		"#set($ddns_maxNames = 20)\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("request template lacks %q", want)
		}
	}
	d.Open = true
	out, err = UpdateRequest(d)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "#set($ddns_anyone = {'name': 'anyone', 'names': ['myddns.acme.local', 'v6.acme.local']})\n") ||
		strings.Contains(out, "$ddns_devices.put") {
		t.Error("an open endpoint's template should let anyone update every name and list no keys")
	}
}

// The request template takes as an IPv6 address exactly what net/netip
// parses as one without a zone, less the IPv4-mapped forms (::ffff:…, no
// AAAA value): rendered in Velocity, for hand-picked and generated
// addresses in every written form, and broken ones.
func TestIPv6Addresses(t *testing.T) {
	d := Data{
		MaxNames: 20,
		Records:  []Record{{Name: "v6.acme.local", ZoneVar: "ddns_zone_1", TTL: 60, Types: []string{"AAAA"}}},
		Devices:  []Device{{Name: "router", Key: "KEYROUTER", Names: []string{"v6.acme.local"}}},
	}
	tmpl, err := UpdateRequest(d)
	if err != nil {
		t.Fatal(err)
	}
	cases := []string{
		"::", "::1", "1::", "2001:db8::1", "2001:0db8:0000:0000:0000:ff00:0042:8329", "fe80::1:2:3:4",
		"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "::ffff:192.0.2.1", "64:ff9b::192.0.2.33",
		"1:2:3:4:5:6:1.2.3.4", "2001:DB8::A", "::ffff:0:192.0.2.1", "::1.2.3.4", "1::1.2.3.4", "0:ffff::1",
		":", ":::", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::1", "g::1", "fe80::1%eth0", "[::1]", "::1/64",
		"1.2.3.4", "::ffff:256.1.1.1", "::ffff:01.2.3.4", "1:2:3:4:5:6:7:1.2.3.4", " ::1", "::1 ",
		"2001:db8::1:2:3:4:5:6", "1:2:3:4:5::6:7:8", "1:2:3:4:5:6:7", ":1:2:3:4:5:6:7", "1:2:3:4:5:6:7:",
		"::1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8::", "1::2:3:4:5:6:7", "1:2:3:4:5:6::1.2.3.4", "::1.2.3", "::1.2.3.4.5",
		"1:2:3:4:5:6:7:8:", "::ffff", "::0:0.0.0.0", "a:b:c:d:e:f:a:b", "A:B:C:D:E:F:0:1", "00000::1", "0000::1",
	}
	// Generated: random addresses, written compressed, expanded, in upper
	// case and with a dotted tail, and each broken by one edit.
	rng := rand.New(rand.NewPCG(6, 64))
	for range 40 {
		var a [16]byte
		for i := range a {
			if rng.IntN(3) > 0 { // runs of zero groups, so that :: shows up
				a[i] = byte(rng.IntN(256))
			}
		}
		addr := netip.AddrFrom16(a)
		if addr.Is4In6() {
			continue
		}
		c, x := addr.String(), addr.StringExpanded()
		tail := netip.AddrFrom4([4]byte(a[12:])).String()
		dotted := strings.Join(strings.Split(x, ":")[:6], ":") + ":" + tail
		cases = append(cases, c, x, strings.ToUpper(c), dotted)
		for _, s := range []string{c, x, dotted} {
			i := rng.IntN(len(s))
			cases = append(cases, s[:i]+s[i+1:], s[:i]+":"+s[i:], s[:i]+"0"+s[i:], s+":1", "1:"+s)
		}
	}
	mapped := regexp.MustCompile(`^[0:]*ffff:`)
	for _, s := range cases {
		a, err := netip.ParseAddr(s)
		want := err == nil && a.Is6() && a.Zone() == "" && !mapped.MatchString(strings.ToLower(s))
		res := render(t, tmpl, "KEYROUTER", "192.0.2.1", map[string]string{"ip": s})
		zone := res.RequestOverride.Path["hosted_zone_id"]
		got := zone == "ZONE1" && strings.Contains(res.Output, "<Value>"+strings.ToLower(s)+"</Value>")
		refusal := "DDNSGENRI"
		if err == nil && a.Is4() {
			refusal = "DDNSGENRG1" // an address, of the family the name does not take
		}
		if got != want || (!got && zone != refusal) {
			t.Errorf("ip=%q: taken %v (zone %s), netip says %v", s, got, zone, want)
		}
	}
}

// Every "## only:X" of the template sources names a condition Data.only
// knows: an unknown one would drop its line from every stack.
func TestOnlyMarkers(t *testing.T) {
	marker := regexp.MustCompile(` ## only:(\S*)`)
	for name, text := range allVTL() {
		for _, m := range marker.FindAllStringSubmatch(text, -1) {
			if m[1] != "prefix" && m[1] != "open" && m[1] != "keys" {
				t.Errorf("%s: ## only:%s is no condition (prefix, open, keys)", name, m[1])
			}
		}
	}
	d := seedData()
	if got := d.only("a ## only:keys\nb ## only:open\nc ## only:prefix\nd\n"); got != "a\nd\n" {
		t.Errorf("a keyed stack without interface ids keeps %q", got)
	}
	d.Open = true
	d.Records[0].InterfaceID = "0:0:0:1"
	if got := d.only("a ## only:keys\nb ## only:open\nc ## only:prefix\nd\n"); got != "b\nc\nd\n" {
		t.Errorf("an open stack with an interface id keeps %q", got)
	}
}

// The character rules read as the regular expressions they stand for.
func TestCharsets(t *testing.T) {
	for _, c := range []struct {
		set  *charset
		re   string
		with []string
	}{
		{literal, `^[A-Za-z0-9._:${}-]{1,255}$`, nil},
		{bare, `^[A-Za-z0-9._:-]{1,255}$`, nil},
		{deviceName, `^[a-z0-9-]{1,32}$`, nil},
		{stageVar, `^[A-Za-z0-9_]{1,64}$`, nil},
	} {
		re := regexp.MustCompile(c.re)
		cases := []string{"", "a", "A-b_c.d:e${F}", strings.Repeat("a", 32), strings.Repeat("a", 33), strings.Repeat("a", 64),
			strings.Repeat("a", 65), strings.Repeat("b", 255), strings.Repeat("b", 256), "a b", "a'b", "a#b", "a\\b", "é", "a\nb", "-", "_", "Z9"}
		for b := 0; b < 256; b++ {
			cases = append(cases, "x"+string(rune(b))+"y", string([]byte{byte(b)}))
		}
		for _, s := range cases {
			if got, want := c.set.MatchString(s), re.MatchString(s); got != want {
				t.Errorf("%s on %q: %v, the expression says %v", c.re, s, got, want)
			}
		}
	}
}
