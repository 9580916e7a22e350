//go:build js && wasm

package main

import "runtime/debug"

// gcPercent is GOGC for the page. A wasm's linear memory only ever grows,
// so the heap's high-water mark is what the tab keeps: with GOGC=100 the
// heap reaches twice what is live before a collection. At 50 it reaches one
// and a half times (an hour of 9 peers at 4 writes a second, TestLongRunMemory:
// 75 MB instead of 87 MB), at no cost measurable per frame (BenchmarkFrame).
// A soft memory limit (debug.SetMemoryLimit) would cap the mark, but once
// the live heap nears it the collector runs without pause: a frame went
// from 2 ms to 130 ms.
const gcPercent = 50

func boundMemory() { debug.SetGCPercent(gcPercent) }
