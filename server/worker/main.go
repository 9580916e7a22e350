//go:build js && wasm

// Command worker is the Raft playground on Cloudflare Workers.
//
// The Workers assets binding serves the site's files before this worker
// runs, with the _headers file the site build derives from server.Handler;
// what reaches the worker (the API and unknown paths) is answered by the
// API half of the same handler, so both halves follow one set of rules.
// syumai/workers starts a fresh Go instance for every request: the worker
// must keep no state, and server.NewAPI keeps none.
package main

import (
	"github.com/raftplay/raftplay/server"
	"github.com/syumai/workers"
)

func main() {
	workers.Serve(server.NewAPI())
}
