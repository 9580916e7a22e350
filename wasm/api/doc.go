// Package api is the playground's JavaScript API (wasm/API.md) without the
// JavaScript: everything of it that can run and be tested natively.
//
// The page calls a method of globalThis.raftplay; package main (wasm/,
// built for js/wasm) turns each argument into JSON text and hands the call
// to a Worker with Submit, which never waits. The Worker's goroutine runs
// the calls in order on its Session, the one run of raft/sim: Parse reads
// the arguments, the decoders check them (messages a student can act on,
// error codes of API.md), the simulator acts, and the answer goes back as
// JSON bytes, which package main hands to JSON.parse and to the call's
// Promise. Long work runs in slices; between them the Worker calls its
// Yield, with which package main gives the browser a turn.
//
// Nothing here imports syscall/js, fmt or encoding/json: the first would
// tie the package to the browser, the other two weigh about a quarter of a
// megabyte in the download.
package api
