// Package sitebuild turns the front-end source (web/), the playground's
// WebAssembly and Go's wasm_exec.js into the site that the server embeds,
// that dist/ ships to static hosts, and that Cloudflare Workers serves as
// assets.
//
// The build:
//
//  1. reads web/ (skipping hidden files, node_modules, *.md and
//     *.test.js / *_test.js) and adds raftplay.wasm, wasm_exec.js, an
//     embed.html (index.html marked with a data-embed attribute on <html>,
//     unless web/ has its own) and a 404.html;
//  2. finds the references between files: src, href and data-* attributes in
//     HTML; import/export specifiers, dynamic import("...") and
//     new URL("...", import.meta.url) in JavaScript; @import and url() in CSS;
//  3. gives scripts, stylesheets and the wasm content-hashed names
//     (main.js -> main.0123456789ab.js), leaf modules first so that a
//     module's name covers the names of everything it imports, and rewrites
//     every reference to match; HTML pages and images keep their names;
//  4. writes every file with .br and .gz variants beside it where they are
//     smaller, compressed once here rather than on every request.
//
// It also enforces what the server's Content-Security-Policy requires, so
// mistakes fail the build instead of silently failing in a browser: no
// inline <script> or <style>, no style="" or on*="" attributes, no
// javascript: URLs, and only relative URLs between files (absolute ones
// break when the site is served under a sub-path).
package sitebuild
