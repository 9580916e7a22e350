package api

import (
	"strconv"
	"unicode/utf8"
)

// writer appends one JSON object to a byte slice: the answers built here
// (statuses, batches, errors) are small and flat, and the big parts
// (events, snapshots, definitions) come ready-made from raft/sim.
type writer struct {
	b     []byte
	comma bool
}

func obj(b []byte) *writer { return &writer{b: append(b, '{')} }

func (w *writer) key(k string) *writer {
	if w.comma {
		w.b = append(w.b, ',')
	}
	w.comma = true
	w.b = append(w.b, '"')
	w.b = append(w.b, k...)
	w.b = append(w.b, '"', ':')
	return w
}

func (w *writer) int(k string, v int64) { w.key(k).b = strconv.AppendInt(w.b, v, 10) }

func (w *writer) uint(k string, v uint64) { w.key(k).b = strconv.AppendUint(w.b, v, 10) }

func (w *writer) bool(k string, v bool) { w.key(k).b = strconv.AppendBool(w.b, v) }

func (w *writer) str(k, v string) { w.key(k).b = appendString(w.b, v) }

// raw writes v, which is already JSON.
func (w *writer) raw(k string, v []byte) { w.key(k).b = append(w.b, v...) }

func (w *writer) end() []byte { return append(w.b, '}') }

// appendString appends s as a JSON string, with '<', '>' and '&' escaped
// as raft/sim does, so that any answer can be embedded in HTML safely.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for _, r := range s { // invalid UTF-8 arrives here as U+FFFD
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r == '\n':
			b = append(b, '\\', 'n')
		case r < 0x20 || r == '<' || r == '>' || r == '&' || r == 0x7f:
			b = append(b, '\\', 'u', '0', '0', hex[r>>4], hex[r&0xf])
		case r == '\u2028' || r == '\u2029':
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			b = utf8.AppendRune(b, r)
		}
	}
	return append(b, '"')
}
