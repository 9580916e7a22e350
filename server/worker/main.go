//go:build js && wasm

// Command worker is the Raft playground on Cloudflare Workers.
//
// The Workers assets binding serves the site's files before this worker
// runs, with the _headers file the site build derives from server.Handler;
// what reaches the worker (the API and unknown paths) is answered by the
// API half of the same handler, so both halves follow one set of rules.
// syumai/workers starts a fresh Go instance for every request: the worker
// must keep no state, and server.NewAPI keeps none.
//
// The variable PUBLIC_URL (wrangler.toml's [vars]) is where the page is,
// as for cmd/playground's -public-url: oEmbed answers are built from it,
// never from the request. Unset, oEmbed embeds nothing.
//
// Short links are kept in Workers KV (links.go), where a namespace is
// bound as LINKS.
package main

import (
	"github.com/raftplay/raftplay/server"
	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
)

func main() {
	h, err := server.NewAPI(server.Options{PublicURL: cloudflare.Getenv("PUBLIC_URL")})
	if err != nil {
		// A deployment's mistake: say so in its logs and serve the
		// rest, with no oEmbed, rather than fail every request.
		println("raftplay worker: " + err.Error() + "; oEmbed is off")
		h, _ = server.NewAPI(server.Options{})
	}
	workers.Serve(h.EnableShortLinks(kvLinks{}))
}
