package api

import (
	"strconv"

	"github.com/raftplay/raftplay/raft/sim"
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

// appendString appends s as a JSON string, escaped exactly as the trace's.
func appendString(b []byte, s string) []byte { return sim.AppendJSONString(b, s) }
