//go:build js

package simbench

import "time"

// cpuTime cannot be read in WebAssembly; there the program has one thread,
// so wall time is what it used (when nothing else shares the core).
func cpuTime() (time.Duration, bool) { return 0, false }
