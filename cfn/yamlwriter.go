package cfn

import (
	"bytes"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// This file writes a node tree as YAML, byte for byte as gopkg.in/yaml.v3's
// Encoder (SetIndent(2)) writes the yaml.Node tree ddnsgen used to build:
// block mappings and sequences, {} and [] when empty, the nodes markFlow
// marks in flow style ({k: v}, [a, b]; yaml.v3's FlowStyle), one-key
// intrinsic mappings as short tags (!Ref x, !GetAtt A.B, !Sub s, !X v),
// multi-line strings as literal blocks where YAML allows one. The rules for
// choosing a scalar's style (in flow context too: a scalar with , [ ] { }
// or : is quoted there), and the indentation, follow yaml.v3's emitter
// (emitterc.go, itself a port of libyaml); writer_test.go checks the two
// agree on every golden, on random trees and on random strings, with flow
// collections unwrapped (width 0), as yaml.v3 writes them. Shapes it does not write
// (a key longer than 128 bytes or of several lines, which YAML writes as a
// complex "? " key; a tag other than letters and digits) go to yaml.v3
// itself (yamlByEncoder).

// yamlWriter is the part of yaml.v3's emitter state that matters for these
// shapes: no comments and no anchors. yaml.v3 never folds a line (its best
// width is unlimited); with width set, this writer breaks a flow collection
// before an item that would end past that column (see flowCollection).
type yamlWriter struct {
	out        []byte
	column     int
	indent     int
	whitespace bool // the last character written is white space
	indention  bool // only indentation written on this line so far
	flowLevel  int  // how many flow collections the writer is in
	width      int  // 0: unlimited, as yaml.v3
}

// writeYAML writes root as a YAML document; ok is false for a shape it
// leaves to yaml.v3. width is the column flow collections wrap at, 0 for
// none (yaml.v3's bytes).
func writeYAML(root *node, sizeHint, width int) (out []byte, ok bool) {
	w := &yamlWriter{out: make([]byte, 0, sizeHint), indent: -1, whitespace: true, indention: true, width: width}
	if !w.value(root, "", false) {
		return nil, false
	}
	w.indent = -1
	w.writeIndent() // the document's end
	return w.out, true
}

// short returns the short form of a one-key intrinsic mapping, as its tag
// and the node the tag goes on, or "" and n.
func short(n *node) (string, *node) {
	if n.kind != mappingNode || len(n.content) != 2 {
		return "", n
	}
	key, val := n.content[0].value, n.content[1]
	switch {
	case key == "Ref":
		return "!Ref", val
	case key == "Fn::GetAtt" && val.kind == sequenceNode && len(val.content) == 2 &&
		val.content[0].kind >= stringNode && val.content[1].kind >= stringNode:
		return "!GetAtt", &node{kind: stringNode, value: val.content[0].value + "." + val.content[1].value}
	case strings.HasPrefix(key, "Fn::"):
		return "!" + key[len("Fn::"):], val
	}
	return "", n
}

// value writes n, not a key; inSeq says it is a sequence's item.
func (w *yamlWriter) value(n *node, tag string, inSeq bool) bool {
	if tag != "" {
		for i := 1; i < len(tag); i++ {
			if !isAlnum(tag[i]) {
				return false
			}
		}
		if len(tag) == 1 {
			return false
		}
	}
	switch n.kind {
	case mappingNode, sequenceNode:
		w.tag(tag)
		if len(n.content) == 0 {
			open, closing := "{", "}"
			if n.kind == sequenceNode {
				open, closing = "[", "]"
			}
			w.indicator(open, true, true, false)
			w.indicator(closing, false, false, false)
			return true
		}
		if n.flow || w.flowLevel > 0 {
			return w.flowCollection(n, inSeq)
		}
		saved := w.increaseIndent(false, inSeq)
		if n.kind == sequenceNode {
			for _, c := range n.content {
				w.writeIndent()
				w.indicator("-", true, false, true)
				t, c := short(c)
				if !w.value(c, t, true) {
					return false
				}
			}
		} else {
			for i := 0; i+1 < len(n.content); i += 2 {
				w.writeIndent()
				if !w.key(n.content[i].value) {
					return false
				}
				w.indicator(":", false, false, false)
				t, v := short(n.content[i+1])
				if !w.value(v, t, false) {
					return false
				}
			}
		}
		w.indent = saved
		return true
	}
	a := analyze(n.value)
	style := stylePlain
	switch {
	case strings.Contains(n.value, "\n"):
		style = styleLiteral
	case tag == "" && n.kind == stringNode && !resolvesToString(n.value):
		style = styleDouble
	}
	flow := w.flowLevel > 0
	if style == stylePlain && (!flow && !a.blockPlain || flow && (!a.flowPlain || n.value == "")) {
		style = styleSingle
	}
	if style == styleSingle && !a.singleQuoted {
		style = styleDouble
	}
	if style == styleLiteral && (!a.block || flow) {
		style = styleDouble
	}
	w.tag(tag)
	saved := w.increaseIndent(true, inSeq)
	w.scalar(n.value, style)
	w.indent = saved
	return true
}

// key writes a mapping's key: a simple key, or false for one YAML writes
// as a complex key.
func (w *yamlWriter) key(k string) bool {
	a := analyze(k)
	if a.multiline || len(k) > 128 {
		return false
	}
	style := stylePlain
	if !resolvesToString(k) {
		style = styleDouble
	}
	plain := a.blockPlain
	if w.flowLevel > 0 {
		plain = a.flowPlain
	}
	if style == stylePlain && (!plain || k == "") {
		style = styleSingle
	}
	if style == styleSingle && !a.singleQuoted {
		style = styleDouble
	}
	saved := w.increaseIndent(true, false)
	w.scalar(k, style)
	w.indent = saved
	return true
}

// flowCollection writes a non-empty mapping or sequence in flow style,
// {k: v, k: v} or [a, b], as yaml.v3 writes a node of FlowStyle; what it
// holds is written in flow style too. With w.width set, an item (a
// mapping's key and value) that would end at or past that column goes on a
// new line at the collection's indentation, unless it starts there already:
// YAML lets a flow collection span lines, and a long list stays readable.
// The text read back is the same.
func (w *yamlWriter) flowCollection(n *node, inSeq bool) bool {
	open, closing, step := "[", "]", 1
	if n.kind == mappingNode {
		open, closing, step = "{", "}", 2
	}
	w.indicator(open, true, true, false)
	saved := w.increaseIndent(true, inSeq)
	w.flowLevel++
	for i := 0; i < len(n.content); i += step {
		if i > 0 {
			w.indicator(",", false, false, false)
		}
		mark := *w
		mark.out = nil
		start := len(w.out)
		if !w.flowItem(n, i) {
			return false
		}
		if w.width > 0 && mark.column > w.indent && w.column >= w.width && bytes.IndexByte(w.out[start:], '\n') < 0 {
			out := w.out[:start]
			*w = mark
			w.out = out
			w.writeIndent()
			if !w.flowItem(n, i) {
				return false
			}
		}
	}
	w.flowLevel--
	w.indent = saved
	w.indicator(closing, false, false, false)
	return true
}

// flowItem writes the item of a flow collection at content[i].
func (w *yamlWriter) flowItem(n *node, i int) bool {
	if n.kind == sequenceNode {
		t, c := short(n.content[i])
		return w.value(c, t, false)
	}
	if !w.key(n.content[i].value) {
		return false
	}
	w.indicator(":", false, false, false)
	t, v := short(n.content[i+1])
	return w.value(v, t, false)
}

func (w *yamlWriter) tag(tag string) {
	if tag == "" {
		return
	}
	if !w.whitespace {
		w.put(' ')
	}
	w.out = append(w.out, tag...)
	w.column += len(tag)
	w.whitespace = false
	w.indention = false
}

func (w *yamlWriter) increaseIndent(flow, inSeq bool) int {
	saved := w.indent
	switch {
	case w.indent < 0 && flow:
		w.indent = 2
	case w.indent < 0:
		w.indent = 0
	case inSeq: // the first indent inside a sequence skips the "- "
		w.indent += 2
	default:
		w.indent = 2 * ((w.indent + 2) / 2)
	}
	return saved
}

func (w *yamlWriter) put(c byte) {
	w.out = append(w.out, c)
	w.column++
}

func (w *yamlWriter) putBreak() {
	w.out = append(w.out, '\n')
	w.column = 0
	w.indention = true
}

// write copies the character at s[i] and returns the index after it.
func (w *yamlWriter) write(s string, i int) int {
	n := width(s[i])
	if n == 0 || i+n > len(s) {
		n = 1
	}
	w.out = append(w.out, s[i:i+n]...)
	w.column++
	return i + n
}

// writeBreak copies the line break at s[i].
func (w *yamlWriter) writeBreak(s string, i int) int {
	if s[i] == '\n' {
		w.putBreak()
		return i + 1
	}
	i = w.write(s, i)
	w.column = 0
	w.indention = true
	return i
}

func (w *yamlWriter) writeIndent() {
	indent := max(w.indent, 0)
	if !w.indention || w.column > indent || (w.column == indent && !w.whitespace) {
		w.putBreak()
	}
	for w.column < indent {
		w.put(' ')
	}
	w.whitespace = true
}

func (w *yamlWriter) indicator(s string, needWhitespace, isWhitespace, isIndention bool) {
	if needWhitespace && !w.whitespace {
		w.put(' ')
	}
	w.out = append(w.out, s...)
	w.column += len(s)
	w.whitespace = isWhitespace
	w.indention = w.indention && isIndention
}

type scalarStyle uint8

const (
	stylePlain scalarStyle = iota
	styleSingle
	styleDouble
	styleLiteral
)

func (w *yamlWriter) scalar(s string, style scalarStyle) {
	switch style {
	case stylePlain:
		w.plain(s)
	case styleSingle:
		w.singleQuoted(s)
	case styleDouble:
		w.doubleQuoted(s)
	case styleLiteral:
		w.literal(s)
	}
}

func (w *yamlWriter) plain(s string) {
	if len(s) > 0 && !w.whitespace {
		w.put(' ')
	}
	if printableASCII(s) { // no line breaks: the string as it is
		w.out = append(w.out, s...)
		w.column += len(s)
		if len(s) > 0 {
			w.whitespace = false
		}
		w.indention = false
		return
	}
	breaks := false
	for i := 0; i < len(s); {
		switch {
		case s[i] == ' ':
			i = w.write(s, i)
		case isBreak(s, i):
			if !breaks && s[i] == '\n' {
				w.putBreak()
			}
			i = w.writeBreak(s, i)
			breaks = true
		default:
			if breaks {
				w.writeIndent()
			}
			i = w.write(s, i)
			w.indention = false
			breaks = false
		}
	}
	if len(s) > 0 {
		w.whitespace = false
	}
	w.indention = false
}

func (w *yamlWriter) singleQuoted(s string) {
	w.indicator("'", true, false, false)
	if printableASCII(s) && !strings.Contains(s, "'") {
		w.out = append(w.out, s...)
		w.column += len(s)
		w.indicator("'", false, false, false)
		w.whitespace = false
		w.indention = false
		return
	}
	breaks := false
	for i := 0; i < len(s); {
		switch {
		case s[i] == ' ':
			i = w.write(s, i)
		case isBreak(s, i):
			if !breaks && s[i] == '\n' {
				w.putBreak()
			}
			i = w.writeBreak(s, i)
			breaks = true
		default:
			if breaks {
				w.writeIndent()
			}
			if s[i] == '\'' {
				w.put('\'')
			}
			i = w.write(s, i)
			w.indention = false
			breaks = false
		}
	}
	w.indicator("'", false, false, false)
	w.whitespace = false
	w.indention = false
}

func (w *yamlWriter) doubleQuoted(s string) {
	w.indicator(`"`, true, false, false)
	bom := strings.HasPrefix(s, "\xEF\xBB\xBF") // yaml.v3 escapes every character then
	for i := 0; i < len(s); {
		if !isPrintable(s, i) || bom || isBreak(s, i) || s[i] == '"' || s[i] == '\\' {
			octet := s[i]
			var n int
			var v rune
			switch {
			case octet&0x80 == 0x00:
				n, v = 1, rune(octet&0x7F)
			case octet&0xE0 == 0xC0:
				n, v = 2, rune(octet&0x1F)
			case octet&0xF0 == 0xE0:
				n, v = 3, rune(octet&0x0F)
			case octet&0xF8 == 0xF0:
				n, v = 4, rune(octet&0x07)
			}
			for k := 1; k < n; k++ {
				v = v<<6 + rune(s[i+k])&0x3F
			}
			i += n
			w.put('\\')
			switch v {
			case 0x00:
				w.put('0')
			case 0x07:
				w.put('a')
			case 0x08:
				w.put('b')
			case 0x09:
				w.put('t')
			case 0x0A:
				w.put('n')
			case 0x0b:
				w.put('v')
			case 0x0c:
				w.put('f')
			case 0x0d:
				w.put('r')
			case 0x1b:
				w.put('e')
			case 0x22:
				w.put('"')
			case 0x5c:
				w.put('\\')
			case 0x85:
				w.put('N')
			case 0xA0:
				w.put('_')
			case 0x2028:
				w.put('L')
			case 0x2029:
				w.put('P')
			default:
				digits := 8
				switch {
				case v <= 0xFF:
					w.put('x')
					digits = 2
				case v <= 0xFFFF:
					w.put('u')
					digits = 4
				default:
					w.put('U')
				}
				for k := (digits - 1) * 4; k >= 0; k -= 4 {
					w.put("0123456789ABCDEF"[(v>>uint(k))&0x0F])
				}
			}
			continue
		}
		i = w.write(s, i)
	}
	w.indicator(`"`, false, false, false)
	w.whitespace = false
	w.indention = false
}

func (w *yamlWriter) literal(s string) {
	w.indicator("|", true, false, false)
	if len(s) > 0 && (s[0] == ' ' || isBreak(s, 0)) {
		w.indicator("2", false, false, false) // the indentation, when the text's own starts it
	}
	// Chomping: "-" without a final line break, "+" with more than one.
	chomp := ""
	if len(s) == 0 {
		chomp = "-"
	} else {
		i := len(s) - 1
		for i > 0 && s[i]&0xC0 == 0x80 {
			i--
		}
		switch {
		case !isBreak(s, i):
			chomp = "-"
		case i == 0:
			chomp = "+"
		default:
			i--
			for i > 0 && s[i]&0xC0 == 0x80 {
				i--
			}
			if isBreak(s, i) {
				chomp = "+"
			}
		}
	}
	if chomp != "" {
		w.indicator(chomp, false, false, false)
	}
	w.whitespace = true
	breaks := true
	for i := 0; i < len(s); {
		if isBreak(s, i) {
			i = w.writeBreak(s, i)
			breaks = true
			continue
		}
		if breaks {
			w.writeIndent()
		}
		// The rest of the line at once.
		j := i + 1
		for j < len(s) && s[j] != '\n' && s[j] != '\r' && s[j] < utf8.RuneSelf {
			j++
		}
		if j == i+1 {
			i = w.write(s, i)
		} else {
			w.out = append(w.out, s[i:j]...)
			w.column += j - i
			i = j
		}
		w.indention = false
		breaks = false
	}
}

// analysis is what yaml.v3's emitter learns of a scalar to choose its style.
type analysis struct {
	multiline, blockPlain, flowPlain, singleQuoted, block bool
}

// analyze is yaml.v3's yaml_emitter_analyze_scalar.
func analyze(s string) analysis {
	if len(s) == 0 {
		return analysis{blockPlain: true, singleQuoted: true}
	}
	if printableASCII(s) {
		return analyzeASCII(s)
	}
	var (
		blockIndicators, flowIndicators, lineBreaks, special, tabs           bool
		leadingSpace, leadingBreak, trailingSpace, trailingBreak, breakSpace bool
		spaceBreak, previousSpace, previousBreak                             bool
	)
	if strings.HasPrefix(s, "---") || strings.HasPrefix(s, "...") {
		blockIndicators, flowIndicators = true, true
	}
	precededByWhitespace := true
	for i, n := 0, 0; i < len(s); i += n {
		n = width(s[i])
		if n == 0 {
			n = 1
		}
		followedByWhitespace := i+n >= len(s) || s[i+n] == ' ' || s[i+n] == '\t'
		c := s[i]
		if i == 0 {
			switch c {
			case '#', ',', '[', ']', '{', '}', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
				blockIndicators, flowIndicators = true, true
			case '?', ':':
				flowIndicators = true
				if followedByWhitespace {
					blockIndicators = true
				}
			case '-':
				if followedByWhitespace {
					blockIndicators, flowIndicators = true, true
				}
			}
		} else {
			switch c {
			case ',', '?', '[', ']', '{', '}':
				flowIndicators = true
			case ':':
				flowIndicators = true
				if followedByWhitespace {
					blockIndicators = true
				}
			case '#':
				if precededByWhitespace {
					blockIndicators, flowIndicators = true, true
				}
			}
		}
		if c == '\t' {
			tabs = true
		} else if !isPrintable(s, i) {
			special = true
		}
		switch {
		case c == ' ':
			if i == 0 {
				leadingSpace = true
			}
			if i+n == len(s) {
				trailingSpace = true
			}
			if previousBreak {
				breakSpace = true
			}
			previousSpace, previousBreak = true, false
		case isBreak(s, i):
			lineBreaks = true
			if i == 0 {
				leadingBreak = true
			}
			if i+n == len(s) {
				trailingBreak = true
			}
			if previousSpace {
				spaceBreak = true
			}
			previousSpace, previousBreak = false, true
		default:
			previousSpace, previousBreak = false, false
		}
		precededByWhitespace = isBlankz(s, i)
	}
	a := analysis{multiline: lineBreaks, blockPlain: true, flowPlain: true, singleQuoted: true, block: true}
	if leadingSpace || leadingBreak || trailingSpace || trailingBreak {
		a.blockPlain, a.flowPlain = false, false
	}
	if trailingSpace {
		a.block = false
	}
	if breakSpace {
		a.blockPlain, a.flowPlain, a.singleQuoted = false, false, false
	}
	if spaceBreak || tabs || special {
		a.blockPlain, a.flowPlain, a.singleQuoted = false, false, false
	}
	if spaceBreak || special {
		a.block = false
	}
	if lineBreaks {
		a.blockPlain, a.flowPlain = false, false
	}
	if blockIndicators {
		a.blockPlain = false
	}
	if flowIndicators {
		a.flowPlain = false
	}
	return a
}

// printableASCII is whether s has only the characters from space to ~.
func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7E {
			return false
		}
	}
	return true
}

// analyzeASCII is analyze for a string printableASCII: no line breaks,
// tabs or special characters, so only the indicators and spaces at either
// end matter.
func analyzeASCII(s string) analysis {
	a := analysis{blockPlain: true, flowPlain: true, singleQuoted: true, block: true}
	n := len(s)
	if s[0] == ' ' || s[n-1] == ' ' {
		a.blockPlain, a.flowPlain = false, false
	}
	if s[n-1] == ' ' {
		a.block = false
	}
	if strings.HasPrefix(s, "---") || strings.HasPrefix(s, "...") {
		a.blockPlain, a.flowPlain = false, false
	}
	followedBySpace := func(i int) bool { return i+1 >= n || s[i+1] == ' ' }
	switch s[0] {
	case '#', ',', '[', ']', '{', '}', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
		a.blockPlain, a.flowPlain = false, false
	case '?', ':':
		a.flowPlain = false
		if followedBySpace(0) {
			a.blockPlain = false
		}
	case '-':
		if followedBySpace(0) {
			a.blockPlain, a.flowPlain = false, false
		}
	}
	for i := 1; i < n && (a.blockPlain || a.flowPlain); i++ {
		switch s[i] {
		case ',', '?', '[', ']', '{', '}':
			a.flowPlain = false
		case ':':
			a.flowPlain = false
			if followedBySpace(i) {
				a.blockPlain = false
			}
		case '#':
			if s[i-1] == ' ' {
				a.blockPlain, a.flowPlain = false, false
			}
		}
	}
	return a
}

func width(b byte) int {
	switch {
	case b&0x80 == 0x00:
		return 1
	case b&0xE0 == 0xC0:
		return 2
	case b&0xF0 == 0xE0:
		return 3
	case b&0xF8 == 0xF0:
		return 4
	}
	return 0
}

// at is s[i], or 0 past its end (yaml.v3 reads its value's bytes the same
// way, past the end of a character only inside valid UTF-8).
func at(s string, i int) byte {
	if i < len(s) {
		return s[i]
	}
	return 0
}

func isBreak(s string, i int) bool {
	c := s[i]
	return c == '\r' || c == '\n' ||
		c == 0xC2 && at(s, i+1) == 0x85 ||
		c == 0xE2 && at(s, i+1) == 0x80 && (at(s, i+2) == 0xA8 || at(s, i+2) == 0xA9)
}

func isBlankz(s string, i int) bool {
	return s[i] == ' ' || s[i] == '\t' || s[i] == 0 || isBreak(s, i)
}

func isPrintable(s string, i int) bool {
	c := s[i]
	return c == 0x0A ||
		c >= 0x20 && c <= 0x7E ||
		c == 0xC2 && at(s, i+1) >= 0xA0 ||
		c > 0xC2 && c < 0xED ||
		c == 0xED && at(s, i+1) < 0xA0 ||
		c == 0xEE ||
		c == 0xEF && !(at(s, i+1) == 0xBB && at(s, i+2) == 0xBF) &&
			!(at(s, i+1) == 0xBF && (at(s, i+2) == 0xBE || at(s, i+2) == 0xBF))
}

// resolvesToString is whether yaml.v3 reads s, written plain, as a string
// (not null, a bool, a number or a timestamp): its resolve function.
func resolvesToString(s string) bool {
	if s == "" {
		return false // null
	}
	switch s {
	case "true", "True", "TRUE", "false", "False", "FALSE", "~", "null", "Null", "NULL",
		".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF",
		"-.inf", "-.Inf", "-.INF":
		return false // ("<<" too is in its table, but only words starting with a sign, a digit, a dot or one of yYnNtTfFoO~ are looked up)
	}
	switch c := s[0]; {
	case c == '.':
		_, err := strconv.ParseFloat(s, 64)
		return err != nil
	case c == '+' || c == '-' || '0' <= c && c <= '9':
		if isTimestamp(s) {
			return false
		}
		plain := strings.ReplaceAll(s, "_", "")
		if _, err := strconv.ParseInt(plain, 0, 64); err == nil {
			return false
		}
		if _, err := strconv.ParseUint(plain, 0, 64); err == nil {
			return false
		}
		if yamlStyleFloat(plain) {
			if _, err := strconv.ParseFloat(plain, 64); err == nil {
				return false
			}
		}
		for _, p := range []struct {
			prefix string
			base   int
		}{{"0b", 2}, {"0o", 8}} {
			if rest, ok := strings.CutPrefix(plain, p.prefix); ok {
				if _, err := strconv.ParseInt(rest, p.base, 64); err == nil {
					return false
				}
				if _, err := strconv.ParseUint(rest, p.base, 64); err == nil {
					return false
				}
			} else if rest, ok := strings.CutPrefix(plain, "-"+p.prefix); ok {
				if _, err := strconv.ParseInt("-"+rest, p.base, 64); err == nil {
					return false
				}
			}
		}
	}
	return true
}

// yamlStyleFloat matches ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$.
func yamlStyleFloat(s string) bool {
	i := 0
	digits := func() int {
		start := i
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
		}
		return i - start
	}
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	} else {
		if digits() == 0 {
			return false
		}
		if i < len(s) && s[i] == '.' {
			i++
			digits()
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '-' || s[i] == '+') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

// isTimestamp is yaml.v3's parseTimestamp succeeding.
func isTimestamp(s string) bool {
	i := 0
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	if i != 4 || i == len(s) || s[i] != '-' {
		return false
	}
	for _, format := range []string{
		"2006-1-2T15:4:5.999999999Z07:00",
		"2006-1-2t15:4:5.999999999Z07:00",
		"2006-1-2 15:4:5.999999999",
		"2006-1-2",
	} {
		if _, err := time.Parse(format, s); err == nil {
			return true
		}
	}
	return false
}
