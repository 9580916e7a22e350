// Package jsonio reads and writes the JSON of raft/sim's trace format
// (TRACE.md) and of the playground's API (wasm/API.md): one writer, one
// parser and one reader of an object's fields, for the simulator, the
// playground and raftsim alike, so that a trace is written the same way
// everywhere, byte for byte.
//
// It is written by hand: encoding/json would add about a quarter of a
// megabyte to the playground's WebAssembly download, and the writer is on
// its hot path (every frame). Errors carry a code of the playground's API
// and words a student can act on.
package jsonio
