//go:build js && wasm

package main

import (
	"encoding/json"
	"math"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall/js"
	"testing"
	"time"

	"github.com/raftplay/raftplay/raft/sim"
	"github.com/raftplay/raftplay/raft/sim/fixture"
	"github.com/raftplay/raftplay/wasm/api"
)

// NaN and Infinity through the real bridge: JSON.stringify makes them null
// inside an object and "null" on their own; each is refused by name.
func TestNonFiniteNumbers(t *testing.T) {
	nan, inf := js.Global().Get("NaN"), js.Global().Get("Infinity")
	obj := func(k string, v js.Value) js.Value {
		o := js.Global().Get("Object").New()
		o.Set(k, v)
		return o
	}
	fails(t, "bad_argument", []string{"options.peers", "null", "NaN and Infinity"}, "create", obj("peers", nan))
	fails(t, "bad_argument", []string{"options.peers", "null"}, "create", obj("peers", inf))
	fails(t, "bad_argument", []string{"options.seed", "null"}, "create", obj("seed", js.Global().Call("Number", "1e400")))
	ok(t, "create")
	fails(t, "out_of_range", []string{"ms must be a whole number from 0 to 3600000, got NaN"}, "advance", nan)
	fails(t, "out_of_range", []string{"got Infinity"}, "advance", inf)
	fails(t, "out_of_range", []string{"got -Infinity"}, "advance", math.Inf(-1))
	fails(t, "unknown_peer", []string{"no peer NaN"}, "crash", math.NaN())
	fails(t, "bad_argument", []string{"advance options.after", "null"}, "advance", 0, obj("after", nan))
}

// wasmMemory is the WebAssembly memory the Go runtime holds (it never
// gives any back), in MB.
func wasmMemory() float64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return mb(ms.Sys)
}

// The share link of issue 9 (fixture.Hostile: five servers on 1 ms ticks,
// a network that duplicates and reorders every message, snapshots after
// every entry, the campaign's faults) replays through the page's API to
// its end, within bounded memory, and the page answers right after.
// Before the replication fix it sent the page's wasm out of memory.
func TestHostileLinkReplays(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(50)) // as the page sets GOGC (web/js/loader.js)
	def := fixture.Hostile()
	text := string(def.AppendJSON(nil))
	start := time.Now()
	st := ok(t, "replay", text, fixture.HostileEndMs)
	took := time.Since(start)
	if st.Get("time").Int() != fixture.HostileEndMs || st.Get("halted").String() != "" {
		t.Fatalf("replayed to %d ms of %d, halted %q", st.Get("time").Int(), fixture.HostileEndMs, st.Get("halted").String())
	}
	mem := wasmMemory()
	t.Logf("replayed %d events (%d actions) to %d ms in %v; wasm memory %.1f MB",
		st.Get("seq").Int(), len(def.Actions), fixture.HostileEndMs, took.Round(time.Millisecond), mem)
	if mem > 128 {
		t.Errorf("wasm memory %.1f MB after the replay, over 128 MB", mem)
	}
	// The page goes on: it reads, acts and advances.
	if snap := ok(t, "snapshot"); snap.Get("peers").Length() != 5 {
		t.Fatalf("snapshot: %.200s", stringify(snap))
	}
	ok(t, "write", map[string]any{"client": "alice", "op": "lock", "peer": 1})
	if st := ok(t, "advance", 1000); st.Get("time").Int() != fixture.HostileEndMs+1000 {
		t.Fatalf("advance after the replay: %s", stringify(st))
	}
}

// A run whose messages outgrow the limit stops there, says why, and keeps
// answering, within bounded memory.
func TestInFlightLimitInWasm(t *testing.T) {
	if n := raftplay().Get("limits").Get("inFlight").Int(); n != api.MaxInFlight {
		t.Fatalf("limits.inFlight = %d", n)
	}
	ok(t, "create", map[string]any{"peers": sim.MaxDisplay, "tickMs": 1, "heartbeatMs": 2, "electionMinMs": 3, "electionMaxMs": 6,
		"net": map[string]any{"latencyMinMs": 10_000, "latencyMaxMs": 10_000}})
	st := ok(t, "advance", 60_000, map[string]any{"after": 0, "limit": 100, "snapshot": true})
	h := st.Get("halted").String()
	if !strings.Contains(h, "more than the limit of 10000") || st.Get("time").Int() >= 60_000 || st.Get("next").Int() != -1 {
		t.Fatalf("halted %q at %d ms", h, st.Get("time").Int())
	}
	t.Logf("%s; %d messages in the snapshot; wasm memory %.1f MB", h, st.Get("snapshot").Get("messages").Length(), wasmMemory())
	fails(t, "halted", []string{"more than the limit"}, "crash", 1)
	var def map[string]any
	if err := json.Unmarshal([]byte(stringify(ok(t, "definition"))), &def); err != nil || def["config"] == nil {
		t.Fatalf("definition: %v", err)
	}
	ok(t, "create")
}
