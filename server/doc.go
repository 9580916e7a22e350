// Package server serves the Raft playground. Handler is the one source of
// truth for its routes and response headers: cmd/playground serves it on
// localhost with the site embedded (package embedded), and the Cloudflare
// Workers build gets its _headers file from it (CloudflareHeaders) and
// answers the API with its API half (NewAPI). Package sitebuild makes the
// site it serves; package sitecheck checks a deployment over HTTP.
//
// # Routes
//
//	GET /, /index.html    the playground page
//	GET /embed.html       the page for iframes (see below)
//	GET /<file>           any other file of the built site
//	GET /healthz          {"status":"ok","version":...}
//	GET /oembed?url=...   oEmbed (JSON, type rich) for a link to the page at
//	                      Options.PublicURL, built from it alone
//
// Where short links are enabled (EnableShortLinks: the Cloudflare worker,
// kept in Workers KV), also GET /r, POST /r and GET /r/<id>: see
// shortlink.go. Anything else is the 404 page. Only GET and HEAD are
// allowed, but POST /r (405 with Allow otherwise). Paths must be canonical: "." and ".." segments, "//",
// backslashes, control characters and percent-encoded slashes are a 400.
// Files are exact map keys resolved when the handler is built, so nothing
// outside the site can be named, and there are no directory listings.
//
// # Headers
//
// Every response carries ContentSecurityPolicy, X-Content-Type-Options:
// nosniff and Referrer-Policy: no-referrer, and no X-Frame-Options: the
// page is meant to be framed by course sites (CSP frame-ancestors *).
// Files are served with a fixed type per extension (types.go), the wasm as
// application/wasm so WebAssembly.instantiateStreaming works. The site
// build writes .br and .gz variants beside each file; the handler picks one
// by Accept-Encoding, with Vary: Accept-Encoding and an ETag per variant.
// Content-hashed names (main.0123456789ab.js) are cached for a year as
// immutable; everything else, the HTML first, is "no-cache" and answered
// with 304 when If-None-Match matches.
//
// # Contract with web/ and wasm/
//
// web/ is the front-end source: index.html, ES modules, CSS, images, no
// bundler. Every file in it is published except hidden files,
// node_modules, *.md and *.test.js / *_test.js; a file type not in
// types.go fails the build (add a row there to publish a new kind).
//
//   - Reference files by relative URL only ("main.js", "./view/svg.js"),
//     never "/main.js": the site must work under any sub-path.
//   - index.html loads wasm_exec.js as a classic script (<script
//     src="wasm_exec.js">), the modules with <script type="module">, and
//     names the wasm in a data attribute of the host element:
//     <div id="playground" data-wasm="raftplay.wasm">; the JS resolves it
//     against document.baseURI. The build adds raftplay.wasm and
//     wasm_exec.js and rewrites every such reference to the hashed names.
//   - Modules import each other with string literals ("./x.js"), also in
//     import("./x.js"); other assets a module needs are named with
//     new URL("icon.svg", import.meta.url). Computed import paths fail the
//     build, since they cannot follow a file to its hashed name.
//   - The CSP allows no inline code: no <script> without src, no <style>,
//     no style="" or on*="" attributes, no javascript: URLs (the build
//     rejects all of these), no eval or new Function, and no element
//     .setAttribute("style", ...); setting element.style.x from JS and
//     toggling classes is fine. Nothing loads from other origins: vendor
//     fonts and libraries into web/.
//   - embed.html is index.html with a data-embed attribute on <html>, so
//     CSS (html[data-embed]) or JS can show a compact layout in iframes; a
//     web/embed.html of its own replaces it. A run shared in the URL's
//     query or fragment survives in both, and in oEmbed.
//
// The wasm is built with GOOS=js GOARCH=wasm from ./wasm; its wasm_exec.js
// must come from the same Go (the Makefile copies
// $(go env GOROOT)/lib/wasm/wasm_exec.js).
package server
