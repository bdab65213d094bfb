package velocity

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"reflect"
	"slices"
	"unicode/utf8"
)

// The wire format shared with Render.java (its top comment is the
// reference): a frame is a big-endian uint32 length and that many bytes
// holding one tagged value. Maps are written with sorted keys so a template
// iterating $context or $input.params() sees a stable order.

const (
	tagNull   = 'N'
	tagString = 'S'
	tagInt    = 'I'
	tagDouble = 'D'
	tagTrue   = 'T'
	tagFalse  = 'F'
	tagMap    = 'M'
	tagList   = 'L'
)

// maxFrame matches Render.java's MAX_FRAME.
const maxFrame = 64 << 20

// maxDepth bounds nesting in Request.Context (a cycle would otherwise loop).
const maxDepth = 64

type encoder struct {
	buf []byte
}

func (e *encoder) tag(t byte) { e.buf = append(e.buf, t) }

func (e *encoder) u32(n int) { e.buf = binary.BigEndian.AppendUint32(e.buf, uint32(n)) }

func (e *encoder) bytes(s string) {
	e.u32(len(s))
	e.buf = append(e.buf, s...)
}

// str writes a string value; field names the Request field for errors.
func (e *encoder) str(s, field string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("velocity: %s is not valid UTF-8 (a Java string cannot hold it unchanged)", field)
	}
	e.tag(tagString)
	e.bytes(s)
	return nil
}

func (e *encoder) int(n int64) {
	e.tag(tagInt)
	e.buf = binary.BigEndian.AppendUint64(e.buf, uint64(n))
}

func (e *encoder) stringMap(m map[string]string, field string) error {
	e.tag(tagMap)
	e.u32(len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if !utf8.ValidString(k) {
			return fmt.Errorf("velocity: a key of %s is not valid UTF-8", field)
		}
		e.bytes(k)
		if err := e.str(m[k], fmt.Sprintf("%s[%q]", field, k)); err != nil {
			return err
		}
	}
	return nil
}

// value writes one node of Request.Context.
func (e *encoder) value(v any, field string, depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("velocity: %s is nested more than %d levels deep", field, maxDepth)
	}
	switch x := v.(type) {
	case nil:
		e.tag(tagNull)
	case string:
		return e.str(x, field)
	case bool:
		if x {
			e.tag(tagTrue)
		} else {
			e.tag(tagFalse)
		}
	case int:
		e.int(int64(x))
	case int8:
		e.int(int64(x))
	case int16:
		e.int(int64(x))
	case int32:
		e.int(int64(x))
	case int64:
		e.int(x)
	case uint8:
		e.int(int64(x))
	case uint16:
		e.int(int64(x))
	case uint32:
		e.int(int64(x))
	case uint:
		if uint64(x) > math.MaxInt64 {
			return fmt.Errorf("velocity: %s = %d does not fit a Java long", field, x)
		}
		e.int(int64(x))
	case uint64:
		if x > math.MaxInt64 {
			return fmt.Errorf("velocity: %s = %d does not fit a Java long", field, x)
		}
		e.int(int64(x))
	case float32:
		e.tag(tagDouble)
		e.buf = binary.BigEndian.AppendUint64(e.buf, math.Float64bits(float64(x)))
	case float64:
		e.tag(tagDouble)
		e.buf = binary.BigEndian.AppendUint64(e.buf, math.Float64bits(x))
	case map[string]string:
		return e.stringMap(x, field)
	case map[string]any:
		e.tag(tagMap)
		e.u32(len(x))
		for _, k := range slices.Sorted(maps.Keys(x)) {
			if !utf8.ValidString(k) {
				return fmt.Errorf("velocity: a key of %s is not valid UTF-8", field)
			}
			e.bytes(k)
			if err := e.value(x[k], fmt.Sprintf("%s[%q]", field, k), depth+1); err != nil {
				return err
			}
		}
	case []string:
		e.tag(tagList)
		e.u32(len(x))
		for i, s := range x {
			if err := e.str(s, fmt.Sprintf("%s[%d]", field, i)); err != nil {
				return err
			}
		}
	case []any:
		e.tag(tagList)
		e.u32(len(x))
		for i, item := range x {
			if err := e.value(item, fmt.Sprintf("%s[%d]", field, i), depth+1); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("velocity: %s has type %s; use string, bool, integers, float64, map[string]any, map[string]string, []any or []string",
			field, reflect.TypeOf(v))
	}
	return nil
}

// frame returns the encoded value with its length prefix.
func (e *encoder) frame() []byte {
	out := make([]byte, 4, 4+len(e.buf))
	binary.BigEndian.PutUint32(out, uint32(len(e.buf)))
	return append(out, e.buf...)
}

// readFrame reads one frame and decodes its value.
func readFrame(r io.Reader) (any, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(hdr[:])
	if n > maxFrame {
		return nil, fmt.Errorf("protocol: frame of %d bytes refused", n)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, err
	}
	d := decoder{b: b}
	v, err := d.value(0)
	if err != nil {
		return nil, fmt.Errorf("protocol: %w", err)
	}
	if len(d.b) != 0 {
		return nil, errors.New("protocol: trailing bytes in frame")
	}
	return v, nil
}

type decoder struct {
	b []byte
}

var errShort = errors.New("frame ends early")

func (d *decoder) take(n int) ([]byte, error) {
	if n < 0 || n > len(d.b) {
		return nil, errShort
	}
	p := d.b[:n]
	d.b = d.b[n:]
	return p, nil
}

func (d *decoder) u32() (int, error) {
	p, err := d.take(4)
	if err != nil {
		return 0, err
	}
	return int(binary.BigEndian.Uint32(p)), nil
}

func (d *decoder) string() (string, error) {
	n, err := d.u32()
	if err != nil {
		return "", err
	}
	p, err := d.take(n)
	return string(p), err
}

// value decodes one value: nil, string, int64, float64, bool,
// map[string]any or []any.
func (d *decoder) value(depth int) (any, error) {
	if depth > maxDepth+8 {
		return nil, errors.New("value nested too deeply")
	}
	t, err := d.take(1)
	if err != nil {
		return nil, err
	}
	switch t[0] {
	case tagNull:
		return nil, nil
	case tagTrue:
		return true, nil
	case tagFalse:
		return false, nil
	case tagString:
		return d.string()
	case tagInt:
		p, err := d.take(8)
		if err != nil {
			return nil, err
		}
		return int64(binary.BigEndian.Uint64(p)), nil
	case tagDouble:
		p, err := d.take(8)
		if err != nil {
			return nil, err
		}
		return math.Float64frombits(binary.BigEndian.Uint64(p)), nil
	case tagMap:
		n, err := d.u32()
		if err != nil {
			return nil, err
		}
		m := make(map[string]any, min(n, 1024))
		for range n {
			k, err := d.string()
			if err != nil {
				return nil, err
			}
			if m[k], err = d.value(depth + 1); err != nil {
				return nil, err
			}
		}
		return m, nil
	case tagList:
		n, err := d.u32()
		if err != nil {
			return nil, err
		}
		l := make([]any, 0, min(n, 1024))
		for range n {
			v, err := d.value(depth + 1)
			if err != nil {
				return nil, err
			}
			l = append(l, v)
		}
		return l, nil
	default:
		return nil, fmt.Errorf("unknown tag %q", t[0])
	}
}
