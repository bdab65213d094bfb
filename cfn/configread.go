package cfn

import (
	"strings"

	"gopkg.in/yaml.v3"
)

// plainYAML reads the plainest config files into the nodes yaml.v3's
// parser gives them (kind, tag, value, style, line and column), several
// times faster: a config of 240 devices took 5 ms to parse. ok is false
// for anything else, which is left to yaml.v3, so a file means the same
// either way. It reads:
//   - block mappings and sequences, indented with spaces, a sequence's
//     items at or in from its key, an item's mapping beside its dash;
//   - flow mappings and sequences that end on their line;
//   - keys and plain scalars of letters, digits and . _ / @ + = - (inner
//     spaces too), a word or a decimal whole number; quoted scalars
//     without quotes, escapes or # in them;
//   - comments, after a space or on lines of their own.
//
// Not tabs, CR, non-ASCII, documents (---), directives, anchors, aliases,
// tags, block scalars, multi-line scalars or flows, empty values, or any
// other scalar (numbers other than whole ones, dates, a leading dot).
func plainYAML(b []byte) (root *yaml.Node, ok bool) {
	var p plainReader
	if !p.split(b) || len(p.lines) == 0 {
		return nil, false
	}
	defer func() {
		if e := recover(); e != nil {
			if e != errNotPlain {
				panic(e)
			}
			root, ok = nil, false
		}
	}()
	root = p.block(p.lines[0].indent)
	if p.i != len(p.lines) {
		return nil, false
	}
	return root, true
}

// plainLine is a line with text: its number, its indent, and its text
// without the indent, a comment or trailing spaces.
type plainLine struct {
	num, indent int
	text        string
}

type plainReader struct {
	lines []plainLine
	i     int // the next line to read
	depth int // collections open, block and flow
}

// Limits past which plainYAML leaves a file to yaml.v3: yaml.v3 refuses a
// key of more than 1024 characters (its simple keys) and nesting deeper
// than 10000; a config file has neither.
const (
	maxPlainKey   = 1024
	maxPlainDepth = 100
)

// open counts a collection opened, failing past maxPlainDepth; close
// counts it closed.
func (p *plainReader) open() {
	if p.depth++; p.depth > maxPlainDepth {
		fail()
	}
}

func (p *plainReader) close() { p.depth-- }

type notPlain struct{}

// errNotPlain is panicked, and recovered by plainYAML, when the file is
// not one plainYAML reads.
var errNotPlain = &notPlain{}

func (*notPlain) Error() string { return "not plain YAML" }

func fail() { panic(errNotPlain) }

// split fills p.lines; false: the file has what plainYAML does not read.
func (p *plainReader) split(b []byte) bool {
	s := string(b)
	for num := 1; s != ""; num++ {
		line := s
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			line, s = s[:i], s[i+1:]
		} else {
			s = ""
		}
		for i := 0; i < len(line); i++ {
			if c := line[i]; c == '\t' || c == '\r' || c >= 0x7f || c < 0x20 {
				return false
			}
		}
		if i := strings.IndexByte(line, '#'); i >= 0 {
			if i > 0 && line[i-1] != ' ' || strings.ContainsAny(line, `'"`) {
				return false
			}
			line = line[:i]
		}
		text := strings.TrimLeft(line, " ")
		text = strings.TrimRight(text, " ")
		if text == "" {
			continue
		}
		if text[0] == '%' || strings.HasPrefix(text, "---") || strings.HasPrefix(text, "...") {
			return false
		}
		p.lines = append(p.lines, plainLine{num: num, indent: len(line) - len(strings.TrimLeft(line, " ")), text: text})
	}
	return true
}

// block reads the mapping or sequence whose lines are at indent.
func (p *plainReader) block(indent int) *yaml.Node {
	if isItem(p.lines[p.i].text) {
		return p.sequence(indent)
	}
	return p.mapping(indent)
}

func isItem(text string) bool { return strings.HasPrefix(text, "- ") }

func (p *plainReader) sequence(indent int) *yaml.Node {
	p.open()
	defer p.close()
	first := p.lines[p.i]
	n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: first.num, Column: indent + 1}
	for p.i < len(p.lines) && p.lines[p.i].indent == indent && isItem(p.lines[p.i].text) {
		l := p.lines[p.i]
		rest := strings.TrimLeft(l.text[2:], " ")
		col := indent + len(l.text) - len(rest)
		switch {
		case rest[0] == '{' || rest[0] == '[' || !strings.Contains(rest, ":"):
			n.Content = append(n.Content, p.inline(rest, l.num, col))
			p.i++
		default: // a mapping beside the dash: its lines are at col
			p.lines[p.i] = plainLine{num: l.num, indent: col, text: rest}
			n.Content = append(n.Content, p.mapping(col))
		}
		p.after(indent)
	}
	return n
}

func (p *plainReader) mapping(indent int) *yaml.Node {
	p.open()
	defer p.close()
	first := p.lines[p.i]
	n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: first.num, Column: indent + 1}
	for p.i < len(p.lines) && p.lines[p.i].indent == indent {
		l := p.lines[p.i]
		colon := strings.IndexByte(l.text, ':')
		if colon <= 0 || colon > maxPlainKey || colon+1 < len(l.text) && l.text[colon+1] != ' ' || strings.TrimRight(l.text[:colon], " ") != l.text[:colon] {
			fail()
		}
		key := plainScalar(l.text[:colon], l.num, indent)
		rest := strings.TrimLeft(l.text[colon+1:], " ")
		var value *yaml.Node
		if rest == "" { // the value is the block on the next lines
			p.i++
			if p.i == len(p.lines) {
				fail() // an empty value
			}
			next := p.lines[p.i]
			switch {
			case next.indent > indent:
				value = p.block(next.indent)
			case next.indent == indent && isItem(next.text):
				value = p.sequence(indent)
			default:
				fail() // an empty value
			}
		} else {
			value = p.inline(rest, l.num, indent+len(l.text)-len(rest))
			p.i++
		}
		n.Content = append(n.Content, key, value)
		p.after(indent)
	}
	return n
}

// after fails unless the next line, if any, is at indent or less in: a
// line further in would continue a scalar, or be a mistake.
func (p *plainReader) after(indent int) {
	if p.i < len(p.lines) && p.lines[p.i].indent > indent {
		fail()
	}
}

// inline reads a value that is the rest of its line, from column col (0-based).
func (p *plainReader) inline(text string, line, col int) *yaml.Node {
	if text[0] != '{' && text[0] != '[' {
		return scalar(text, line, col)
	}
	f := flowReader{text: text, line: line, col: col, p: p}
	n := f.value()
	if f.pos != len(text) {
		fail()
	}
	return n
}

// flowReader reads a flow mapping or sequence on one line.
type flowReader struct {
	text      string
	pos       int
	line, col int
	p         *plainReader // for its depth
}

func (f *flowReader) spaces() {
	for f.pos < len(f.text) && f.text[f.pos] == ' ' {
		f.pos++
	}
}

func (f *flowReader) value() *yaml.Node {
	f.spaces()
	if f.pos == len(f.text) {
		fail()
	}
	start := f.pos
	switch f.text[f.pos] {
	case '{', '[':
		f.p.open()
		defer f.p.close()
		mapping := f.text[f.pos] == '{'
		end := byte(']')
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle, Line: f.line, Column: f.col + start + 1}
		if mapping {
			end = '}'
			n.Kind, n.Tag = yaml.MappingNode, "!!map"
		}
		f.pos++
		f.spaces()
		if f.pos < len(f.text) && f.text[f.pos] == end {
			f.pos++
			return n
		}
		for {
			if mapping {
				f.spaces()
				k := f.pos
				for f.pos < len(f.text) && f.text[f.pos] != ':' {
					f.pos++
				}
				if f.pos+1 >= len(f.text) || f.text[f.pos+1] != ' ' || f.pos-k > maxPlainKey {
					fail()
				}
				n.Content = append(n.Content, plainScalar(f.text[k:f.pos], f.line, f.col+k))
				f.pos++
			}
			n.Content = append(n.Content, f.value())
			f.spaces()
			if f.pos == len(f.text) {
				fail()
			}
			c := f.text[f.pos]
			f.pos++
			if c == end {
				return n
			}
			if c != ',' {
				fail()
			}
		}
	}
	end := f.pos
	if c := f.text[f.pos]; c == '\'' || c == '"' {
		if end = strings.IndexByte(f.text[f.pos+1:], c); end < 0 {
			fail()
		}
		end += f.pos + 2
	} else {
		for end < len(f.text) && !strings.ContainsRune(",]}", rune(f.text[end])) {
			end++
		}
	}
	f.pos = end
	return scalar(strings.TrimRight(f.text[start:end], " "), f.line, f.col+start)
}

// scalar reads a plain or quoted scalar that is all of text.
func scalar(text string, line, col int) *yaml.Node {
	if text == "" {
		fail()
	}
	if q := text[0]; q == '\'' || q == '"' {
		if len(text) < 2 || text[len(text)-1] != q || strings.ContainsAny(text[1:len(text)-1], `'"\`) {
			fail()
		}
		style := yaml.SingleQuotedStyle
		if q == '"' {
			style = yaml.DoubleQuotedStyle
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Style: style, Value: text[1 : len(text)-1], Line: line, Column: col + 1}
	}
	return plainScalar(text, line, col)
}

// plainScalar is a plain scalar of letters, digits, . _ / @ + = - and
// inner spaces: a word (a string, or true, false or null as YAML reads
// them) or a decimal whole number.
func plainScalar(text string, line, col int) *yaml.Node {
	if text == "" || text[0] == ' ' || text[len(text)-1] == ' ' {
		fail()
	}
	for i := 0; i < len(text); i++ {
		if c := text[i]; !(isAlnum(c) || strings.IndexByte("._/@+=- ", c) >= 0) {
			fail()
		}
	}
	tag := "!!str"
	switch c := text[0]; {
	case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
		switch text {
		case "true", "True", "TRUE", "false", "False", "FALSE":
			tag = "!!bool"
		case "null", "Null", "NULL":
			tag = "!!null"
		}
	case plainDecimal(text) && c != '-':
		tag = "!!int"
	default:
		fail()
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: text, Line: line, Column: col + 1}
}
