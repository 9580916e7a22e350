//go:build js && wasm

package main

import (
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"testing"
	"time"
)

// TestLongRunMemory plays a busy 9-peer cluster through the page's API, as
// the page does it: each second of virtual time, the clients' writes (one
// every EVERY_MS, from four clients taking turns, to every peer in turn),
// then a one-second advance. Memory must stay within the page's budget and
// stop growing once the run is steady (logs compacted, the event history
// full) except for the writes the run's definition records: the live heap
// at the end is checked against the one halfway.
// `make test` plays 10 minutes of virtual time (seconds of wall time); the
// hour the budget speaks of takes minutes, so it runs when asked:
//
//	RAFTPLAY_LONG_RUN=1 GOOS=js GOARCH=wasm go test -exec=$(go env GOROOT)/lib/wasm/go_js_wasm_exec \
//	    -run LongRunMemory -v -timeout 60m ./wasm
//
// RAFTPLAY_LONG_RUN_EVERY_MS sets the load: one write every so many ms
// (default 50, i.e. 20 writes a second).
//
// A wasm's memory only grows, so what it measures is the process's
// high-water mark: tests run before it in the same process would set it
// (replaying and exporting the native traces reaches 50-115 MB). It must run
// in a process of its own, as `make wasm-test` runs it, and says so when not.
func TestLongRunMemory(t *testing.T) {
	seconds := int64(600)
	if os.Getenv("RAFTPLAY_LONG_RUN") != "" {
		seconds = 3600
	}
	defer debug.SetGCPercent(debug.SetGCPercent(50)) // as the page sets GOGC (web/js/loader.js)
	every := int64(50)
	if v, err := strconv.ParseInt(os.Getenv("RAFTPLAY_LONG_RUN_EVERY_MS"), 10, 64); err == nil && v > 0 {
		every = v
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	if ms.Sys > aloneMax<<20 {
		t.Fatalf("wasm memory is already %.1f MB, set by the tests run before this one in the same process: "+
			"run it alone, with -run '^TestLongRunMemory$' (make wasm-test does)", mb(ms.Sys))
	}
	ok(t, "create", map[string]any{"peers": 9, "seed": 1})
	live := func() uint64 {
		runtime.GC()
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	start := time.Now()
	var after int64
	var half uint64
	var halfWrites int64
	n := int64(0)
	for sec := int64(1); sec <= seconds; sec++ {
		for ; n*every < sec*1000; n++ {
			op := "lock"
			if n/4%2 == 1 {
				op = "unlock"
			}
			ok(t, "write", map[string]any{"client": "c" + strconv.FormatInt(n%4, 10), "op": op, "peer": 1 + n%9})
		}
		st := ok(t, "advance", 1000, map[string]any{"after": after, "limit": 100})
		after = int64(st.Get("seq").Int())
		if sec == seconds/2 {
			half, halfWrites = live(), n
		}
		if sec%600 == 0 {
			runtime.ReadMemStats(&ms)
			t.Logf("%2d min: %d events, heap in use %.1f MB, wasm memory (Sys) %.1f MB, %v",
				sec/60, after, mb(ms.HeapInuse), mb(ms.Sys), time.Since(start).Round(time.Second))
		}
	}
	snap := ok(t, "snapshot")
	end := live()
	t.Logf("after %d min, a write every %d ms (%d writes): %d events, %s log entries, live heap %.1f MB (%.1f MB halfway), heap in use %.1f MB, wasm memory (Sys) %.1f MB, wall %v",
		seconds/60, every, n, after, stringify(snap.Get("peers").Index(0).Get("lastIndex")), mb(end), mb(half), mb(ms.HeapInuse), mb(ms.Sys), time.Since(start).Round(time.Second))
	if ms.Sys > 64<<20 {
		t.Errorf("wasm memory %.1f MB, over the 64 MB budget", mb(ms.Sys))
	}
	// Steady state: logs are compacted and the event history is full, so
	// what stays live grows only with the run's definition, which records
	// every write for replay (about 200 bytes each, 100,000 at most): not
	// with the millions of events and entries the run goes through.
	if allowed := half + uint64(n-halfWrites)*512 + 1<<20; end > allowed {
		t.Errorf("live heap grew from %.1f MB halfway to %.1f MB at the end, over the %.1f MB that %d more recorded writes explain",
			mb(half), mb(end), mb(allowed), n-halfWrites)
	}
}

// aloneMax is more than the wasm memory a test process holds when this test
// is the first to run in it (2 MB at start, about 5 MB after the API tests).
const aloneMax = 16

func mb(n uint64) float64 { return float64(n) / (1 << 20) }
