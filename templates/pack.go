package templates

import (
	"fmt"
	"strconv"
	"strings"
)

// The packed tables. A stack of many devices pays for its records and
// devices tables once per record and once per device, in every request
// template and again in the 12 spaces of indentation that CloudFormation's
// YAML gives each line. Packed, an entry costs little more than its names:
//
//	#set($ddns_origin = 'acme.local')
//	#set($ddns_rows = "
//	d001 ${ApiKeyD001} d001; d002 ${ApiKeyD002} d002 nas vpn.example.com.
//	")
//	#foreach($ddns_row in $ddns_rows.trim().split('\n|; '))
//	...
//
// Several devices share a line, separated by "; ", and their names are
// relative to an origin as in a zone file (rowOrigin). Records of the first
// group that the devices name get no row of their own: the devices rows add
// them (implicitRecords).
//
// The rows are a double-quoted VTL string, which Velocity interpolates: a
// row carries nothing but names, numbers and the ${ApiKey} placeholders
// CloudFormation fills in (checked by bare and placeholder: no #, $, quote,
// backslash or space can come from a value), and the $!stageVariables
// references written here, whose values API Gateway limits to characters
// without a space or a line break. Each row is one #foreach iteration and
// API Gateway stops a #foreach after 1,000, so rows come in strings of at
// most packRows, and no line is wider than packWidth (but for one entry
// that is wider by itself).

const (
	// packWidth is the most columns of a packed line (of record rows, or
	// of devices separated by "; "): CloudFormation's YAML indents it 12
	// more, to at most 120 columns.
	packWidth = 108
	// packRows is the most rows one #foreach unpacks.
	packRows = 1000
	// packNames is the most names of a device row: its #foreach runs
	// once per field, and the name and key are two.
	packNames = 998
)

var (
	// bare is what a packed row may carry of a value: literal less $ { }.
	bare = newCharset(1, 255, "A-Za-z0-9._:-")
	// placeholder is a ${Name} that CloudFormation's Fn::Sub fills in.
	placeholder = placeholderRule{}
)

// placeholderRule is ^\$\{[A-Za-z0-9]{1,255}\}$, checked without a regular
// expression (its counted repetition costs milliseconds to compile).
type placeholderRule struct{}

func (placeholderRule) MatchString(s string) bool {
	return strings.HasPrefix(s, "${") && strings.HasSuffix(s, "}") && alnum.MatchString(s[2:max(2, len(s)-1)])
}

// alnum is letters and digits, 1 to 255 of them.
var alnum = newCharset(1, 255, "A-Za-z0-9")

// packing is how a table is written.
type packing int

const (
	packShorter  packing = iota // the shorter form
	packNever                   // a line per entry
	packAlways                  // packed, when the table can be, with implicit records when it can be
	packExplicit                // packed, each record in a row of its own
)

// choose is the packed form of a table when there is one and it is
// shorter than the line-per-entry form (or forced), else the
// line-per-entry form.
func (p packing) choose(lines, packed string) string {
	if packed != "" && (p == packAlways || p == packExplicit || p == packShorter && len(packed) < len(lines)) {
		return packed
	}
	return lines
}

// packRecords is the records table as groups and rows: a group per
// distinct record value (zone, TTL, types, interface id), written once as
// in the line-per-entry form, and rows of a group's number and its names.
// The records of a group share its map; the templates only read them.
// "" when the records cannot be packed: none, a name a row cannot carry,
// or a name twice (the line-per-entry form keeps the last; grouped, the
// order changes).
//
// implicit, when not nil, names the records of the first group that the
// packed devices rows add themselves (see packDevices): they get no row.
func packRecords(records []Record, values []string, implicit map[string]bool) string {
	if len(records) == 0 {
		return ""
	}
	var groups []string
	group := map[string]int{}
	var names [][]string
	seen := map[string]bool{}
	for i, r := range records {
		if !bare.MatchString(r.Name) || seen[r.Name] {
			return ""
		}
		seen[r.Name] = true
		v := values[i]
		g, ok := group[v]
		if !ok {
			g = len(groups)
			group[v] = g
			groups = append(groups, v)
			names = append(names, nil)
		}
		if g == 0 && implicit[r.Name] {
			continue
		}
		names[g] = append(names[g], r.Name)
	}
	var b strings.Builder
	b.WriteString("#set($ddns_records = {})\n#set($ddns_group = {})\n")
	var rows []string
	for g, v := range groups {
		id := strconv.Itoa(g + 1)
		fmt.Fprintf(&b, "#set($discard = $ddns_group.put('%s', %s))\n", id, v)
		if len(names[g]) == 0 {
			continue
		}
		row := id
		for _, n := range names[g] {
			if row != id && len(row)+1+len(n) > packWidth {
				rows = append(rows, row)
				row = id
			}
			row += " " + n
		}
		rows = append(rows, row)
	}
	writeRows(&b, rows, `#set($ddns_f = $ddns_row.split(' '))
#foreach($ddns_n in $ddns_f)#if($foreach.count > 1)#set($discard = $ddns_records.put($ddns_n, $ddns_group.get($ddns_f.get(0))))#end#end
`)
	return b.String()
}

// implicitRecords is the records of the first group (the first record's
// value) that some device updates: packed devices rows that add their names
// to the records table, as records of that group, spare those a row of
// their own. nil when a device names a record that is not configured (it
// would become one).
func implicitRecords(records []Record, values []string, devices []Device) map[string]bool {
	if len(records) == 0 || len(devices) == 0 {
		return nil
	}
	first := values[0]
	value := make(map[string]string, len(records))
	for i, r := range records {
		value[r.Name] = values[i]
	}
	implicit := map[string]bool{}
	for _, dev := range devices {
		for _, n := range dev.Names {
			v, ok := value[n]
			if !ok {
				return nil
			}
			if v == first {
				implicit[n] = true
			}
		}
	}
	return implicit
}

// packDevices fills the devices table from rows of a device's name, its
// API key id and its names. "" when the devices cannot be packed: none, a
// device without names or with more than packNames, or a value a row
// cannot carry.
//
// With implicit, a device's name that the records table lacks is added
// to it as a record of the first group (see implicitRecords).
func packDevices(devices []Device, implicit bool) string {
	if len(devices) == 0 {
		return ""
	}
	rows := make([]string, len(devices))
	origin := ""
	if len(devices[0].Names) > 0 {
		origin = rowOrigin(devices)
	}
	for i, dev := range devices {
		key := dev.Key
		switch {
		case dev.KeyVar != "" && stageVar.MatchString(dev.KeyVar):
			key = "$!stageVariables." + dev.KeyVar
		case dev.KeyVar != "":
			return ""
		case !bare.MatchString(key) && !placeholder.MatchString(key):
			return ""
		}
		if !deviceName.MatchString(dev.Name) || len(dev.Names) == 0 || len(dev.Names) > packNames {
			return ""
		}
		for _, n := range dev.Names {
			if !bare.MatchString(n) {
				return ""
			}
		}
		rows[i] = dev.Name + " " + key
		for _, n := range dev.Names {
			rows[i] += " " + relative(n, origin)
		}
	}
	add := ""
	if implicit {
		add = "#if(!$ddns_records.containsKey($ddns_n))#set($discard = $ddns_records.put($ddns_n, $ddns_group.get('1')))#end"
	}
	expand := ""
	var b strings.Builder
	if origin != "" {
		fmt.Fprintf(&b, "#set($ddns_origin = '%s')\n", origin)
		expand = `#if($ddns_n.endsWith('.'))#set($ddns_n = $ddns_n.replaceFirst('\.$', ''))#else#set($ddns_n = "$ddns_n.$ddns_origin")#end`
	}
	writeRows(&b, rows, `#set($ddns_f = $ddns_row.split(' '))
#set($ddns_names = [])
#foreach($ddns_n in $ddns_f)#if($foreach.count > 2)`+expand+`#set($discard = $ddns_names.add($ddns_n))`+add+`#end#end
#set($discard = $ddns_devices.put($ddns_f.get(1), {'name': $ddns_f.get(0), 'names': $ddns_names}))
`)
	return b.String()
}

// rowOrigin is what a device row's names are relative to, as in a DNS zone
// file: the domain of the first device's first name ("acme.local" for
// home.acme.local), "" for none. In a row, a name under it is written
// without it ("home"), any other with a trailing dot ("vpn.example.com.").
func rowOrigin(devices []Device) string {
	_, o, _ := strings.Cut(devices[0].Names[0], ".")
	if !bare.MatchString(o) {
		return ""
	}
	return o
}

// relative is name as a device row writes it (see rowOrigin).
func relative(name, origin string) string {
	if origin == "" {
		return name
	}
	if rel, ok := strings.CutSuffix(name, "."+origin); ok {
		return rel
	}
	return name + "."
}

// writeRows writes rows (a record group's names, or a device) as strings
// of at most packRows rows, each followed by the #foreach that runs body once
// per row ($ddns_row). Rows share a line, separated by "; ", as long as it
// stays within packWidth columns.
func writeRows(b *strings.Builder, rows []string, body string) {
	for len(rows) > 0 {
		n := min(len(rows), packRows)
		var lines []string
		line := ""
		for _, r := range rows[:n] {
			if line != "" && len(line)+2+len(r) > packWidth {
				lines = append(lines, line)
				line = ""
			}
			if line != "" {
				line += "; "
			}
			line += r
		}
		lines = append(lines, line)
		b.WriteString("#set($ddns_rows = \"\n" + strings.Join(lines, "\n") + "\n\")\n")
		b.WriteString("#foreach($ddns_row in $ddns_rows.trim().split('\\n|; '))\n" + body + "#end\n")
		rows = rows[n:]
	}
}
