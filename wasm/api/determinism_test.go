package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/raftplay/raftplay/raft/sim"
)

// Determinism across platforms: native Go writes, for a few definitions,
// the hash of the trace a run gives (peers inline); the WebAssembly tests
// of package main (wasm/bridge_test.go) replay the same definitions
// through the page's API, peers on goroutines, and must get the same
// hashes. `make wasm-test` runs both, passing the file between them in
// RAFTPLAY_TRACES; this test always computes the traces and checks they
// are not trivial, and writes the file when that variable is set.

// TraceCase is one definition with the trace it must give.
type TraceCase struct {
	Name       string          `json:"name"`
	Until      int64           `json:"until"`
	Definition json.RawMessage `json:"definition"`
	Events     uint64          `json:"events"` // the last event's seq
	SHA256     string          `json:"sha256"` // of the trace document, as exportTrace gives it
}

func TestNativeTraces(t *testing.T) {
	var cases []TraceCase
	for _, c := range traceDefinitions(t) {
		def, until := c.def, c.until
		def.Config.Goroutines = false
		s, err := sim.New(def, sim.Options{TraceLimit: TraceWindow, Check: true})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		s.RunUntil(until)
		if v := s.Violations(); len(v) > 0 {
			t.Fatalf("%s: safety violation: %s", c.name, v[0].AppendJSON(nil))
		}
		trace := s.TraceJSON()
		s.Close()
		// Sanity: the runs must exercise what they are about, or the
		// comparison could pass on an empty trace.
		for _, want := range c.mustSee {
			if !bytes.Contains(trace, []byte(want)) {
				t.Fatalf("%s: the trace never shows %s", c.name, want)
			}
		}
		if s.LastSeq() < 500 {
			t.Fatalf("%s: only %d events", c.name, s.LastSeq())
		}
		sum := sha256.Sum256(trace)
		cases = append(cases, TraceCase{
			Name: c.name, Until: until, Definition: def.AppendJSON(nil),
			Events: s.LastSeq(), SHA256: hex.EncodeToString(sum[:]),
		})
	}
	if path := os.Getenv("RAFTPLAY_TRACES"); path != "" {
		out, err := json.MarshalIndent(cases, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, out, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %d native traces to %s", len(cases), path)
	}
}

type traceDef struct {
	name    string
	def     sim.Definition
	until   int64
	mustSee []string
}

// traceDefinitions builds the runs compared across platforms. The faults
// run is recorded live through the API, so that its drop names a message
// really in flight.
func traceDefinitions(t *testing.T) []traceDef {
	talk, err := sim.RunScenario("talk", 1, false, sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer talk.Close()

	s := newSession(t, Config{})
	s.call("create", map[string]any{"peers": 5, "seed": 11,
		"net": map[string]any{"loss": 0.03, "duplicate": 0.05, "reorder": 0.1}})
	s.call("advance", 1000)
	s.call("write", map[string]any{"client": "alice", "op": "lock", "peer": 2})
	s.call("advance", 300)
	s.call("read", map[string]any{"client": "bob", "peer": 4})
	s.call("partition", [][]int{{1, 2}, {3, 4, 5}})
	s.call("advance", 1500)
	s.call("write", map[string]any{"client": "bob", "op": "lock", "peer": 1})
	s.call("write", map[string]any{"client": "carol", "op": "lock", "peer": 5})
	s.call("advance", 800)
	s.call("heal")
	s.call("crash", 3)
	s.call("cut", 4, 5)
	s.call("advance", 1200)
	s.call("restart", 3)
	s.call("restore", 4, 5)
	s.call("network", map[string]any{"latencyMinMs": 5, "latencyMaxMs": 60})
	snap := s.call("advance", 5, map[string]any{"snapshot": true})["snapshot"].(map[string]any)
	s.call("drop", num(snap["messages"].([]any)[0].(map[string]any)["id"]))
	s.call("write", map[string]any{"client": "alice", "op": "unlock", "peer": 3})
	faults, _ := DecodeDefinition(s.call("definition"))

	// The teacher's controls, recorded live: aligned timers split the first
	// vote; a follower is timed out by hand; spread timers after a crash.
	s = newSession(t, Config{})
	s.call("create", map[string]any{"peers": 5, "seed": 3})
	s.call("timers", "align")
	s.call("advance", 1500)
	lead := num(s.call("status")["leader"])
	s.call("timeout", lead%5+1)
	s.call("advance", 1000)
	s.call("crash", num(s.call("status")["leader"]))
	s.call("timers", "spread")
	s.call("advance", 1000)
	teacher, _ := DecodeDefinition(s.call("definition"))

	// Membership changes, recorded live: a new server added and made a
	// voter, the leader removed, a removed server added back.
	s = newSession(t, Config{})
	s.call("create", map[string]any{"peers": 3, "seed": 4})
	s.call("advance", 1000)
	s.call("add")
	s.call("advance", 1000)
	lead = num(s.call("status")["leader"])
	s.call("remove", lead)
	s.call("advance", 1000)
	s.call("add", lead)
	s.call("advance", 1000)
	members, _ := DecodeDefinition(s.call("definition"))

	// Figure 8 and its other future: the page plays one, then the other.
	fig8, err := sim.RunScenario("figure8", 2, false, sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer fig8.Close()
	fig8def := fig8.Definition()
	fig8e, err := fig8def.Branch(len(fig8def.Actions) - 1)
	if err != nil {
		t.Fatal(err)
	}

	busy := sim.Definition{Config: sim.DefaultConfig(), Seed: 5}
	busy.Config.Peers = 9
	for at := int64(600); at < 12_000; at += 40 {
		n := at / 40
		op := "lock"
		if n%3 == 0 {
			op = "unlock"
		}
		a := sim.Action{At: at, Kind: sim.ActWrite, Peer: raftID(1 + n%9), Client: "c" + strconv.FormatInt(n%4, 10)}
		a.Op = sim.ParseOp(op)
		busy.Actions = append(busy.Actions, a)
	}
	return []traceDef{
		{"talk", talk.Definition(), 4000, []string{`"outcome":"ok"`, `"outcome":"error"`}},
		{"faults", faults, 9000, []string{`"reason":"user"`, `"reason":"partition"`, `"kind":"crash"`, `"kind":"restart"`, `"dup":true`, `"reason":"loss"`}},
		{"busy9", busy, 13_000, []string{`"kind":"apply"`, `"kind":"reply"`, `"peer":9`}},
		{"teacher", teacher, 4000, []string{`"kind":"timers","mode":"align"`, `"kind":"timers","mode":"spread"`, `"kind":"timeout","peer":`}},
		{"figure8", fig8def, 10_000, []string{`"kind":"mark"`, `"rewind":`, `"kind":"truncate"`, `"maxEntries":1`}},
		{"figure8e", fig8e, 10_000, []string{`Figure 8 (e), continued`, `"reason":"user"`}},
		{"membership", members, 5000, []string{`"op":"promote"`, `"op":"stepdown"`, `"learners":[`}},
	}
}

// The session's trace document is sim.TraceJSON's, byte for byte, when
// the run has no pending actions and ran its peers inline.
func TestExportTraceIsTraceJSON(t *testing.T) {
	w := NewWorker(Config{Window: -1})
	go w.Run()
	s := &session{t, w}
	s.call("create", map[string]any{"peers": 3, "seed": 4})
	s.call("advance", 1000)
	s.call("write", map[string]any{"client": "x", "op": "lock", "peer": 1})
	s.call("advance", 1000)
	got := s.call("exportTrace")["json"].(string)
	def, _ := DecodeDefinition(s.call("definition"))
	r, err := sim.New(def, sim.Options{TraceLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	r.RunUntil(2000)
	if want := string(r.TraceJSON()); got != want {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		t.Fatalf("exportTrace and sim.TraceJSON part at byte %d:\n%s\nwant\n%s", i, excerpt(got, i), excerpt(want, i))
	}
	if !strings.Contains(got, `"kind":"apply"`) {
		t.Fatal("trivial trace")
	}
}

func excerpt(s string, i int) string { return s[max(0, i-100):min(len(s), i+100)] }
