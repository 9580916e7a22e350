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

// TestLongRunMemory plays an hour of virtual time with 9 peers under a busy
// client load through the page's API, as the page does it: each second of
// virtual time, the clients' writes (one every EVERY_MS, from four clients
// taking turns, to every peer in turn), then a one-second advance. It
// reports the memory the wasm holds. It takes minutes, so it runs only
// when asked:
//
//	RAFTPLAY_LONG_RUN=1 GOOS=js GOARCH=wasm go test -exec=$(go env GOROOT)/lib/wasm/go_js_wasm_exec \
//	    -run LongRunMemory -v -timeout 60m ./wasm
//
// RAFTPLAY_LONG_RUN_EVERY_MS sets the load: one write every so many ms
// (default 50, i.e. 20 writes a second).
func TestLongRunMemory(t *testing.T) {
	if os.Getenv("RAFTPLAY_LONG_RUN") == "" {
		t.Skip("set RAFTPLAY_LONG_RUN=1 to play an hour of a busy 9-peer cluster")
	}
	defer debug.SetGCPercent(debug.SetGCPercent(50)) // as the page sets GOGC (web/js/loader.js)
	every := int64(50)
	if v, err := strconv.ParseInt(os.Getenv("RAFTPLAY_LONG_RUN_EVERY_MS"), 10, 64); err == nil && v > 0 {
		every = v
	}
	ok(t, "create", map[string]any{"peers": 9, "seed": 1})
	var ms runtime.MemStats
	start := time.Now()
	var after int64
	n := int64(0)
	for sec := int64(1); sec <= 3600; sec++ {
		for ; n*every < sec*1000; n++ {
			op := "lock"
			if n/4%2 == 1 {
				op = "unlock"
			}
			ok(t, "write", map[string]any{"client": "c" + strconv.FormatInt(n%4, 10), "op": op, "peer": 1 + n%9})
		}
		st := ok(t, "advance", 1000, map[string]any{"after": after, "limit": 100})
		after = int64(st.Get("seq").Int())
		if sec%600 == 0 {
			runtime.ReadMemStats(&ms)
			t.Logf("%2d min: %d events, heap in use %.1f MB, wasm memory (Sys) %.1f MB, %v",
				sec/60, after, mb(ms.HeapInuse), mb(ms.Sys), time.Since(start).Round(time.Second))
		}
	}
	snap := ok(t, "snapshot")
	runtime.GC()
	runtime.ReadMemStats(&ms)
	t.Logf("after 1 h, a write every %d ms (%d writes): %d events, %s log entries, heap in use %.1f MB after GC, wasm memory (Sys) %.1f MB, wall %v",
		every, n, after, stringify(snap.Get("peers").Index(0).Get("lastIndex")), mb(ms.HeapInuse), mb(ms.Sys), time.Since(start).Round(time.Second))
	if ms.Sys > 64<<20 {
		t.Errorf("wasm memory %.1f MB, over the 64 MB budget", mb(ms.Sys))
	}
}

func mb(n uint64) float64 { return float64(n) / (1 << 20) }
