package jsonio

import (
	"strconv"
	"unicode/utf8"
)

// Writer appends JSON to B. It keeps no other state than whether a comma
// is due, so it lives on the stack: w := Writer{B: b}; w.Open('{') ...
// w.Close('}'); return w.B.
type Writer struct {
	B     []byte
	comma bool
}

// NewObject starts an object at the end of b; End finishes it.
func NewObject(b []byte) *Writer {
	w := &Writer{B: b}
	w.Open('{')
	return w
}

// End closes the object NewObject opened and returns the bytes.
func (w *Writer) End() []byte {
	w.Close('}')
	return w.B
}

// Key writes an object's key (and the comma before it, if due).
func (w *Writer) Key(k string) *Writer {
	if w.comma {
		w.B = append(w.B, ',')
	}
	w.comma = true
	w.B = append(w.B, '"')
	w.B = append(w.B, k...)
	w.B = append(w.B, '"', ':')
	return w
}

// Open starts an object or an array ('{' or '[').
func (w *Writer) Open(c byte) { w.B = append(w.B, c); w.comma = false }

// Close ends an object or an array ('}' or ']').
func (w *Writer) Close(c byte) { w.B = append(w.B, c); w.comma = true }

// Elem starts an array element (the comma before it, if due).
func (w *Writer) Elem() {
	if w.comma {
		w.B = append(w.B, ',')
	}
	w.comma = true
}

func (w *Writer) Uint(k string, v uint64) { w.Key(k).B = strconv.AppendUint(w.B, v, 10) }

func (w *Writer) Int(k string, v int64) { w.Key(k).B = strconv.AppendInt(w.B, v, 10) }

func (w *Writer) Float(k string, v float64) { w.Key(k).B = strconv.AppendFloat(w.B, v, 'g', -1, 64) }

func (w *Writer) Bool(k string, v bool) { w.Key(k).B = strconv.AppendBool(w.B, v) }

func (w *Writer) Str(k, v string) { w.Key(k).B = AppendString(w.B, v) }

// Raw writes v, which is already JSON.
func (w *Writer) Raw(k string, v []byte) { w.Key(k).B = append(w.B, v...) }

// The nonzero writers keep a trace small: absent means zero.

func (w *Writer) UintNZ(k string, v uint64) {
	if v != 0 {
		w.Uint(k, v)
	}
}

func (w *Writer) StrNZ(k, v string) {
	if v != "" {
		w.Str(k, v)
	}
}

func (w *Writer) TrueNZ(k string, v bool) {
	if v {
		w.Bool(k, true)
	}
}

// Uints writes a list of numbers.
func (w *Writer) Uints(k string, vs []uint64) {
	w.Key(k).B = append(w.B, '[')
	for i, v := range vs {
		if i > 0 {
			w.B = append(w.B, ',')
		}
		w.B = strconv.AppendUint(w.B, v, 10)
	}
	w.B = append(w.B, ']')
}

// Strs writes a list of strings.
func (w *Writer) Strs(k string, vs []string) {
	w.Key(k).B = append(w.B, '[')
	for i, v := range vs {
		if i > 0 {
			w.B = append(w.B, ',')
		}
		w.B = AppendString(w.B, v)
	}
	w.B = append(w.B, ']')
}

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string, as everything here writes one:
// invalid UTF-8 becomes U+FFFD, and '<', '>' and '&' are escaped so that
// the JSON is safe inside HTML too.
func AppendString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x7f:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else if r == '\u2028' || r == '\u2029' {
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
