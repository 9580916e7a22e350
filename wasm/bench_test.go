//go:build js && wasm

package main

import (
	"encoding/json"
	"syscall/js"
	"testing"

	"github.com/raftplay/raftplay/raft/sim"
	"github.com/raftplay/raftplay/wasm/api"
)

// How an answer crosses into JavaScript. The simulator writes JSON bytes
// cheaply, so the candidates are: JSON.parse of the bytes passed as a Go
// string (what bridge.parse does; syscall/js copies a string's bytes into
// JavaScript and decodes them with TextDecoder), the bytes copied with
// js.CopyBytesToJS into a Uint8Array then TextDecoder and JSON.parse in
// JavaScript, and js.ValueOf on Go maps (one crossing per field).
// Run: GOOS=js GOARCH=wasm go test -exec=$(go env GOROOT)/lib/wasm/go_js_wasm_exec -run '^$' -bench . ./wasm

// frameBatch is the events of 100 ms of a busy 9-peer cluster (about one
// animation frame at 6x speed), as the API answers them.
func frameBatch(b *testing.B) []byte {
	cfg := sim.DefaultConfig()
	cfg.Peers = 9
	def := sim.Definition{Config: cfg, Seed: 1}
	for at := int64(600); at < 3000; at += 20 {
		def.Actions = append(def.Actions, sim.Action{At: at, Kind: sim.ActWrite, Peer: 1 + raftID(at/20%9), Client: "c", Op: 1})
	}
	s, err := sim.New(def, sim.Options{TraceLimit: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	s.RunUntil(2900)
	seq := s.LastSeq()
	s.RunUntil(3000)
	evs, _ := s.Events(seq)
	out := []byte(`{"events":[`)
	for i := range evs {
		if i > 0 {
			out = append(out, ',')
		}
		out = evs[i].AppendJSON(out)
	}
	b.ReportMetric(float64(len(evs)), "events/op")
	return append(out, "]}"...)
}

func BenchmarkAnswer(b *testing.B) {
	answer := frameBatch(b)
	b.Logf("batch: %d bytes", len(answer))
	br := newBridge(api.Config{})
	b.Run("string+JSON.parse", func(b *testing.B) {
		for b.Loop() {
			br.parse(answer)
		}
	})
	b.Run("CopyBytesToJS+TextDecoder+JSON.parse", func(b *testing.B) {
		decoder := js.Global().Get("TextDecoder").New()
		u8 := js.Global().Get("Uint8Array")
		for b.Loop() {
			buf := u8.New(len(answer))
			js.CopyBytesToJS(buf, answer)
			br.json.Call("parse", decoder.Call("decode", buf))
		}
	})
	b.Run("js.ValueOf", func(b *testing.B) {
		var m map[string]any
		if err := json.Unmarshal(answer, &m); err != nil { // outside the loop: only the crossing is timed
			b.Fatal(err)
		}
		for b.Loop() {
			js.ValueOf(m)
		}
	})
}

// One animation frame of a busy 9-peer cluster through the page's API:
// advance 16 ms, with the new events and the snapshot.
func BenchmarkFrame(b *testing.B) {
	cfg := sim.DefaultConfig()
	cfg.Peers = 9
	def := sim.Definition{Config: cfg, Seed: 1}
	for at := int64(600); at < 3_600_000 && len(def.Actions) < sim.MaxActions; at += 50 {
		def.Actions = append(def.Actions, sim.Action{At: at, Kind: sim.ActWrite, Peer: 1 + raftID(at/50%9), Client: "c" + string(rune('a'+at/50%4)), Op: 1 + uint8Op(at/50%2)})
	}
	text := string(def.AppendJSON(nil))
	for _, c := range []struct {
		name string
		ms   int
		opts map[string]any
	}{
		{"advance", 16, map[string]any{}},
		{"advance+events", 16, map[string]any{"after": 0}},
		{"snapshot", 0, map[string]any{"snapshot": true}},
		{"advance+events+snapshot", 16, map[string]any{"after": 0, "snapshot": true}},
	} {
		b.Run(c.name, func(b *testing.B) {
			ok(b, "replay", text, 2000)
			if _, has := c.opts["after"]; has {
				c.opts["after"] = ok(b, "status").Get("seq").Int()
			}
			events := 0
			for b.Loop() {
				st := ok(b, "advance", c.ms, c.opts)
				if _, has := c.opts["after"]; has {
					events += st.Get("events").Get("events").Length()
					c.opts["after"] = st.Get("seq").Int()
				}
			}
			b.ReportMetric(float64(events)/float64(b.N), "events/op")
		})
	}
}
