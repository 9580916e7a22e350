//go:build js && wasm

package main

import "runtime/debug"

// memoryLimit is where the garbage collector starts working harder. A
// wasm's linear memory only ever grows, so its size is the heap's high-water
// mark: with the default GOGC the heap may reach twice what is live before a
// collection, and the page keeps that memory for good. A soft limit keeps
// the high-water mark near what is live, within the 64 MB budget as long as
// the run itself fits.
const memoryLimit = 48 << 20

func boundMemory() { debug.SetMemoryLimit(memoryLimit) }
