package templates

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/ddnsgen/ddnsgen/internal/lab"
	"github.com/ddnsgen/ddnsgen/local/velocity"
)

// fleet is a stack of n devices, each with its own record, over three zones,
// two TTLs, A, AAAA and both, some records with an interface id; every
// fourth device also updates a shared name, every even one has its key id
// in a stage variable (an imported API), and three dyndns2 users. The last
// device's key variable is left unset in fleetStage.
func fleet(n int) Data {
	d := Data{MaxNames: 20}
	types := [][]string{{"A"}, {"AAAA"}, {"A", "AAAA"}}
	for i := 1; i <= n; i++ {
		r := Record{Name: fmt.Sprintf("d%03d.acme.local", i), ZoneVar: fmt.Sprintf("ddns_zone_%d", i%3+1), TTL: []int{60, 300}[i%2], Types: types[i%3]}
		if i%5 == 0 && len(r.Types) == 2 {
			r.InterfaceID = fmt.Sprintf("1234:5678:9abc:%x", i)
		}
		d.Records = append(d.Records, r)
		dev := Device{Name: fmt.Sprintf("d%03d", i), Key: fmt.Sprintf("KEY%03d", i), Names: []string{r.Name}}
		if i%2 == 0 {
			dev.Key, dev.KeyVar = "", fmt.Sprintf("ddns_key_%d", i)
		}
		if i%4 == 0 {
			dev.Names = append(dev.Names, "nas.acme.local")
		}
		d.Devices = append(d.Devices, dev)
	}
	d.Records = append(d.Records, Record{Name: "nas.acme.local", ZoneVar: "ddns_zone_1", TTL: 60, Types: []string{"A", "AAAA"}, InterfaceID: "0:0:0:1"})
	for i := 1; i <= 3; i++ {
		d.Users = append(d.Users, User{Name: fmt.Sprintf("d%03d", i), Names: d.Devices[i-1].Names, PasswordStage: fmt.Sprintf("ddns_password_%d", i)})
	}
	return d
}

// fleetStage is the stage variables of fleet(n): zones ZONE1-3, key ids
// VKEY<i> (but the last device's), passwords.
func fleetStage(n int) map[string]string {
	s := map[string]string{"ddns_zone_1": "ZONE1", "ddns_zone_2": "ZONE2", "ddns_zone_3": "ZONE3"}
	for i := 2; i < n; i += 2 {
		s[fmt.Sprintf("ddns_key_%d", i)] = fmt.Sprintf("VKEY%d", i)
	}
	for i := 1; i <= 3; i++ {
		s[fmt.Sprintf("ddns_password_%d", i)] = fmt.Sprintf("password%d", i)
	}
	return s
}

// forms renders a request template with the tables in each form: a line
// per entry, packed with a row per record, and packed with the devices rows
// adding the records they name; and checks the forms differ.
func forms(t *testing.T, d Data, request func(Data) (string, error)) (lines, explicit, packed string) {
	t.Helper()
	var out [3]string
	for i, p := range []packing{packNever, packExplicit, packAlways} {
		d.pack = p
		var err error
		if out[i], err = request(d); err != nil {
			t.Fatal(err)
		}
	}
	lines, explicit, packed = out[0], out[1], out[2]
	if !strings.Contains(packed, "#set($ddns_rows") || !strings.Contains(explicit, "#set($ddns_rows") || strings.Contains(lines, "#set($ddns_rows") {
		t.Fatalf("the forms are not packed and line per entry:\n%s", packed)
	}
	if strings.Contains(packed, "#set($ddns_devices") && (explicit == packed || !strings.Contains(packed, "$ddns_records.containsKey($ddns_n)")) {
		t.Fatalf("the devices rows do not add their records:\n%s", packed)
	}
	return lines, explicit, packed
}

// The packed tables build the same maps as a line per entry: every request,
// rendered through Velocity with each form, makes the same change batch to
// the same zone (or the same refusal).
func TestPackedTablesAnswerAlike(t *testing.T) {
	const n = 24
	d := fleet(n)
	stage := fleetStage(n)
	type req struct {
		key, zone string
		query     map[string]string
		header    map[string]string
		body      string
	}
	var update, dyn, acme []req
	for i, dev := range d.Devices {
		key := dev.Key
		if dev.KeyVar != "" {
			key = stage[dev.KeyVar]
		}
		zone := stage[fmt.Sprintf("ddns_zone_%d", (i+1)%3+1)]
		update = append(update,
			req{key: key, zone: zone, query: map[string]string{"ip": "192.0.2.7,2001:db8::7"}},
			req{key: key, zone: zone, query: map[string]string{"hostname": strings.Join(dev.Names, ","), "ip": "2001:db8::7", "ip6lanprefix": "2001:db8:1:2::/64"}},
			req{key: key, zone: "ZONE1", query: map[string]string{"hostname": "nas.acme.local", "ip": "192.0.2.7"}},
			req{key: key, zone: zone, query: map[string]string{"hostname": d.Devices[(i+1)%n].Names[0], "ip": "192.0.2.7"}})
		acme = append(acme, req{key: key, header: map[string]string{"X-Api-User": dev.Name}, body: `{"subdomain":"` + dev.Names[0] + `","txt":"` + strings.Repeat("x", 43) + `"}`})
	}
	update = append(update, req{key: "", zone: "ZONE1", query: map[string]string{"ip": "192.0.2.7"}}, req{key: "NOSUCHKEY", zone: "ZONE1", query: map[string]string{"ip": "192.0.2.7"}})
	for i, u := range d.Users {
		for _, pass := range []string{stage[u.PasswordStage], "password" + fmt.Sprint(i+2)} {
			dyn = append(dyn, req{query: map[string]string{"hostname": strings.Join(u.Names, ","), "myip": "192.0.2.7,2001:db8::7", "username": u.Name, "password": pass}})
		}
	}
	open := d
	open.Open = true
	var anyone []req
	for i, r := range d.Records[:8] {
		anyone = append(anyone, req{zone: stage[r.ZoneVar], query: map[string]string{"hostname": r.Name + "," + d.Records[i+3].Name, "ip": "192.0.2.7,2001:db8::7"}})
	}
	for _, c := range []struct {
		name     string
		data     Data
		template func(Data) (string, error)
		reqs     []req
	}{{"update", d, UpdateRequest, update}, {"dyndns2", d, DynDNS2Request, dyn}, {"acme-dns", d, ACMERequest, acme}, {"open", open, UpdateRequest, anyone}} {
		lines, explicit, packed := forms(t, c.data, c.template)
		changes := 0
		for _, r := range c.reqs {
			var got [3]velocity.Result
			for i, tmpl := range []string{lines, explicit, packed} {
				res, err := lab.Velocity(t).Render(velocity.Request{
					Template: tmpl, Path: map[string]string{"zone_id": r.zone}, QueryString: r.query, Header: r.header, Body: r.body,
					Context:        map[string]any{"identity": map[string]any{"sourceIp": "192.0.2.9", "apiKeyId": r.key}},
					StageVariables: stage,
				})
				if err != nil {
					t.Fatalf("%s %+v: %v", c.name, r, err)
				}
				got[i] = res
			}
			for i, form := range []string{"packed, a row per record", "packed, records added by the devices rows"} {
				if g := got[i+1]; strings.TrimSpace(got[0].Output) != strings.TrimSpace(g.Output) || !reflect.DeepEqual(got[0].RequestOverride, g.RequestOverride) {
					t.Errorf("%s %+v:\nline per entry: %v\n%s\n%s: %v\n%s", c.name, r, got[0].RequestOverride, got[0].Output, form, g.RequestOverride, g.Output)
				}
			}
			if strings.Contains(got[0].Output, "<Action>UPSERT</Action>") {
				changes++
			}
		}
		// The requests are not all refused alike: many are changes.
		if changes < len(c.reqs)/3 {
			t.Errorf("%s: only %d of %d requests make a change: the fleet or the requests are broken", c.name, changes, len(c.reqs))
		}
	}
}

// seedLike is n devices as the seed has one: a record of its own, A only,
// one zone, the key id a placeholder CloudFormation fills in.
func seedLike(n int) Data {
	d := Data{MaxNames: 20}
	for i := 1; i <= n; i++ {
		name := fmt.Sprintf("d%03d.acme.local", i)
		d.Records = append(d.Records, Record{Name: name, ZoneVar: "ddns_zone_1", TTL: 60, Types: []string{"A"}})
		d.Devices = append(d.Devices, Device{Name: fmt.Sprintf("d%03d", i), Key: fmt.Sprintf("${ApiKeyD%03d}", i), Names: []string{name}})
	}
	return d
}

func tables(t *testing.T, d Data, p packing) string {
	t.Helper()
	d.pack = p
	s, err := d.vtl(forKeys)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// yamlBytes is what text costs in a CloudFormation YAML template: its
// bytes and the 12 spaces that indent each of its lines in a literal block.
func yamlBytes(s string) int { return len(s) + 12*strings.Count(s, "\n") }

// Each table takes its shorter form: a small stack reads a line per entry
// (the seed's template is unchanged), a large one packed; the same data
// always gives the same text.
func TestPackedTablesOnlyWhenShorter(t *testing.T) {
	for n := 1; n <= 12; n++ {
		d := seedLike(n)
		auto, lines, packed := tables(t, d, packShorter), tables(t, d, packNever), tables(t, d, packAlways)
		if len(auto) > len(lines) || len(auto) > len(packed) {
			t.Errorf("%d devices: the tables take %d bytes, line per entry %d, packed %d", n, len(auto), len(lines), len(packed))
		}
		if again := tables(t, d, packShorter); again != auto {
			t.Errorf("%d devices: two renderings differ", n)
		}
		switch {
		case n <= 2 && auto != lines:
			t.Errorf("%d devices: packed, though longer:\n%s", n, auto)
		case n >= 6 && auto != packed:
			t.Errorf("%d devices: not packed:\n%s", n, auto)
		}
	}
	seed, err := UpdateRequest(seedData())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(seed, "#set($discard = $ddns_devices.put('${ApiKey}', {'name': 'default', 'names': ['myddns.acme.local']}))\n") {
		t.Errorf("the seed's device is not a line of its own:\n%s", seed)
	}
}

// At 100 devices the tables cost a sixth of what they cost a line per
// entry, counted as CloudFormation's YAML holds them.
func TestPackedTableBytes(t *testing.T) {
	d := seedLike(100)
	lines, auto := yamlBytes(tables(t, d, packNever)), yamlBytes(tables(t, d, packShorter))
	t.Logf("tables of 100 devices: %d bytes a line per entry (%d a device), %d packed (%d a device)", lines, lines/100, auto, auto/100)
	if auto > 40*100 {
		t.Errorf("packed, the tables of 100 devices take %d bytes, over 40 a device", auto)
	}
	if lines < 6*auto {
		t.Errorf("packing saves too little: %d bytes packed, %d a line per entry", auto, lines)
	}
}

var (
	// recordRow and deviceRow are what a packed row may be.
	recordRow = regexp.MustCompile(`^[0-9]+( [a-z0-9.-]+)+$`)
	deviceRow = regexp.MustCompile(`^[a-z0-9-]+ (\$\{[A-Za-z0-9]+\}|\$!stageVariables\.ddns_key_[0-9]+|[A-Z0-9]+)( [a-z0-9.-]+)+$`)
)

// rows are the packed rows of a template: each record row, and each
// device's entry (several may share a line, separated by "; ").
func rows(text string) []string {
	var out []string
	for _, chunk := range strings.Split(text, "#set($ddns_rows = \"\n")[1:] {
		for _, line := range strings.Split(chunk[:strings.Index(chunk, "\n\")\n")], "\n") {
			if len(line) > packWidth {
				out = append(out, "(a line wider than packWidth) "+line)
			}
			out = append(out, strings.Split(line, "; ")...)
		}
	}
	return out
}

// A row carries values and the references written for them, nothing else:
// no #, $, quote or backslash of a value reaches the interpolated string.
// A name or key a row cannot carry leaves its table a line per entry.
func TestPackedRowsCarryOnlyValues(t *testing.T) {
	text := tables(t, fleet(40), packShorter)
	rs := rows(text)
	if len(rs) < 40 {
		t.Fatalf("%d rows:\n%s", len(rs), text)
	}
	for _, r := range rs {
		if !recordRow.MatchString(r) && !deviceRow.MatchString(r) {
			t.Errorf("row %q is neither a record row nor a device row", r)
		}
		if recordRow.MatchString(r) && len(r) > packWidth {
			t.Errorf("row %q is wider than %d columns", r, packWidth)
		}
	}
	d := fleet(40)
	d.Records[3].Name = "d${x}.acme.local" // literal takes it, between single quotes
	text = tables(t, d, packShorter)
	if strings.Contains(text, "$ddns_group") || !strings.Contains(text, "$ddns_records.put('d${x}.acme.local'") || len(rows(text)) != 40 {
		t.Errorf("a record name with $ is packed, or the devices are not:\n%s", text)
	}
	d = fleet(40)
	d.Devices[4].Key = "${A}B"
	text = tables(t, d, packShorter)
	if !strings.Contains(text, "$ddns_group") || !strings.Contains(text, "$ddns_devices.put('${A}B'") || strings.Contains(text, "${A}B ") {
		t.Errorf("a key id with $ is packed, or the records are not:\n%s", text)
	}
}

// API Gateway stops a #foreach after 1,000 iterations: 1,200 records, one
// a row, and 1,001 devices are unpacked in chunks, and the last of each
// works.
func TestPackedRowsPastOneThousand(t *testing.T) {
	d := Data{MaxNames: 20}
	long := strings.Repeat("a", 50)
	for i := 1; i <= 1200; i++ {
		d.Records = append(d.Records, Record{Name: fmt.Sprintf("%s-%04d.acme.local", long, i), ZoneVar: fmt.Sprintf("ddns_zone_%d", i%2+1), TTL: 60, Types: []string{"A"}})
	}
	for i := 1; i <= 1001; i++ {
		d.Devices = append(d.Devices, Device{Name: fmt.Sprintf("d%04d", i), Key: fmt.Sprintf("KEY%04d", i), Names: []string{d.Records[i-1].Name, d.Records[1199].Name}})
	}
	d.pack = packExplicit // every record a row of its own
	tmpl, err := UpdateRequest(d)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(tmpl, "#foreach($ddns_row in"); got != 4 {
		t.Errorf("%d loops over rows, want 4 (1,200 record rows and 1,001 device rows in chunks of 1,000)", got)
	}
	for _, c := range []struct{ key, name, zone string }{
		{"KEY1001", d.Records[1000].Name, "ZONE2"},
		{"KEY0001", d.Records[1199].Name, "ZONE1"},
		{"KEY0002", d.Records[1].Name, "ZONE1"},
	} {
		res, err := lab.Velocity(t).Render(velocity.Request{
			Template: tmpl, Path: map[string]string{"zone_id": c.zone}, QueryString: map[string]string{"hostname": c.name, "ip": "192.0.2.7"},
			Context:        map[string]any{"identity": map[string]any{"sourceIp": "192.0.2.9", "apiKeyId": c.key}},
			StageVariables: map[string]string{"ddns_zone_1": "ZONE1", "ddns_zone_2": "ZONE2"},
		})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(res.Output, "<Action>UPSERT</Action><ResourceRecordSet><Name>"+c.name+"</Name><Type>A</Type><TTL>60</TTL>") || res.RequestOverride.Path["hosted_zone_id"] != c.zone {
			t.Errorf("%s updating %s: zone %v\n%s", c.key, c.name, res.RequestOverride.Path, res.Output)
		}
	}
}
