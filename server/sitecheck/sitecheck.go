// Package sitecheck checks over HTTP, as a browser would fetch it, that a
// served playground is whole: the page loads, every stylesheet, script
// (following ES module imports) and the wasm it references resolves with
// the right type, the wasm is WebAssembly, and, where our rules apply, the
// headers are right. It deliberately shares no parsing with the site build,
// so it can catch the build's mistakes.
//
// It checks three deployments: dist/ behind a plain static file server
// under a sub-path (ServeDir), the localhost server, and `wrangler dev`
// (the Workers smoke test). Browser tests can reuse ServeDir and Check to
// get a served dist/ and know it is sound before driving a browser at it.
package sitecheck

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/andybalholm/brotli"
	"github.com/raftplay/raftplay/server"
)

// ServeDir serves dir under prefix (for example "/courses/raft/") with a
// plain http.FileServer and nothing of ours, as a static host would. The
// page is at srv.URL + prefix. Close the server when done.
func ServeDir(dir, prefix string) *httptest.Server {
	mux := http.NewServeMux()
	mux.Handle(prefix, http.StripPrefix(strings.TrimSuffix(prefix, "/"), http.FileServer(http.Dir(dir))))
	return httptest.NewServer(mux)
}

// Options says which rules apply where the site is served.
type Options struct {
	// Headers checks the playground's header rules: the CSP, nosniff,
	// Referrer-Policy, framing allowed, immutable caching for hashed
	// names, revalidation (ETag and 304) for the page, and a compressed
	// wasm for a client that accepts brotli. Our handler and the Workers
	// _headers give these; a plain static host does not.
	Headers bool
}

// Fetch records one response the check looked at.
type Fetch struct {
	URL, Type, Encoding string
	Status, Bytes       int // Bytes as transferred
}

func (f Fetch) String() string {
	enc := f.Encoding
	if enc == "" {
		enc = "identity"
	}
	return fmt.Sprintf("%d %-28s %-8s %8d  %s", f.Status, f.Type, enc, f.Bytes, f.URL)
}

type checker struct {
	ctx     context.Context
	client  *http.Client
	opts    Options
	fetched []Fetch
	seen    map[string]bool
	errs    []error
	wasm    map[string]int // data-wasm references per page
}

func (c *checker) fail(format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf(format, args...))
}

// Check fetches the page at pageURL and everything it references. It
// returns what it fetched and every problem found, joined.
func Check(ctx context.Context, client *http.Client, pageURL string, opts Options) ([]Fetch, error) {
	c := &checker{ctx: ctx, client: client, opts: opts, seen: map[string]bool{}, wasm: map[string]int{}}
	page, err := url.Parse(pageURL)
	if err != nil {
		return nil, err
	}
	for _, p := range []*url.URL{page, page.ResolveReference(&url.URL{Path: "embed.html"})} {
		c.visit(p)
		if n := c.wasm[p.String()]; n != 1 {
			c.fail("%s references %d wasm files through data-wasm, want 1", p, n)
		}
	}
	if opts.Headers {
		c.checkRevalidation(page)
	}
	return c.fetched, errors.Join(c.errs...)
}

var (
	htmlRef   = regexp.MustCompile(`\s(src|href|data-wasm)\s*=\s*["']([^"']+)["']`)
	jsImport  = regexp.MustCompile(`(?:\bfrom|\bimport)\s*\(?\s*["']([^"']+)["']`)
	cssImport = regexp.MustCompile(`@import\s+["']([^"']+)["']|url\(\s*["']?([^"')]+)["']?\s*\)`)
)

// visit fetches u once and follows what it references.
func (c *checker) visit(u *url.URL) {
	key := u.String()
	if c.seen[key] {
		return
	}
	c.seen[key] = true
	resp, body, err := c.get(u, nil)
	if err != nil {
		c.fail("GET %s: %v", u, err)
		return
	}
	if resp.StatusCode != http.StatusOK {
		c.fail("GET %s: status %d", u, resp.StatusCode)
		return
	}
	ext := path.Ext(u.Path)
	if ext == "" || strings.HasSuffix(u.Path, "/") {
		ext = ".html"
	}
	c.checkType(u, resp, ext)
	if c.opts.Headers {
		c.checkHeaders(u, resp, ext)
	}
	switch ext {
	case ".html":
		for _, m := range htmlRef.FindAllStringSubmatch(string(body), -1) {
			if ref, ok := local(m[2]); ok {
				if m[1] == "data-wasm" {
					c.wasm[key]++
				}
				c.visit(u.ResolveReference(ref))
			}
		}
	case ".js", ".mjs":
		for _, m := range jsImport.FindAllStringSubmatch(string(body), -1) {
			if strings.HasPrefix(m[1], "./") || strings.HasPrefix(m[1], "../") {
				ref, _ := local(m[1])
				c.visit(u.ResolveReference(ref))
			}
		}
	case ".css":
		for _, m := range cssImport.FindAllStringSubmatch(string(body), -1) {
			if ref, ok := local(m[1] + m[2]); ok {
				c.visit(u.ResolveReference(ref))
			}
		}
	case ".wasm":
		if !bytes.HasPrefix(body, []byte("\x00asm")) {
			c.fail("%s: not WebAssembly after decoding (starts %q)", u, body[:min(len(body), 8)])
		}
	}
}

// local parses a reference to another file of the site, and reports false
// for fragments, data: and other schemes, and protocol-relative URLs.
func local(ref string) (*url.URL, bool) {
	u, err := url.Parse(ref)
	if err != nil || u.Scheme != "" || u.Host != "" || u.Path == "" {
		return nil, false
	}
	return u, true
}

// wantTypes is what each kind of file must be served as. JavaScript has
// two names in the wild; both work for module scripts.
var wantTypes = map[string][]string{
	".html": {"text/html"},
	".js":   {"text/javascript", "application/javascript"},
	".mjs":  {"text/javascript", "application/javascript"},
	".css":  {"text/css"},
	".wasm": {"application/wasm"},
	".png":  {"image/png"},
	".svg":  {"image/svg+xml"},
}

func (c *checker) checkType(u *url.URL, resp *http.Response, ext string) {
	want, ok := wantTypes[ext]
	if !ok {
		return
	}
	got, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if err != nil || !slices.Contains(want, got) {
		c.fail("%s: Content-Type %q, want %s", u, resp.Header.Get("Content-Type"), strings.Join(want, " or "))
	}
}

// checkHeaders applies the header rules to one response.
func (c *checker) checkHeaders(u *url.URL, resp *http.Response, ext string) {
	h := resp.Header
	csp := h.Get("Content-Security-Policy")
	for _, part := range []string{"script-src 'self' 'wasm-unsafe-eval'", "frame-ancestors *"} {
		if !strings.Contains(csp, part) {
			c.fail("%s: Content-Security-Policy %q lacks %s", u, csp, part)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		c.fail("%s: Content-Security-Policy allows inline code", u)
	}
	if h.Get("X-Content-Type-Options") != "nosniff" {
		c.fail("%s: X-Content-Type-Options %q", u, h.Get("X-Content-Type-Options"))
	}
	if h.Get("Referrer-Policy") == "" {
		c.fail("%s: no Referrer-Policy", u)
	}
	if xfo := h.Get("X-Frame-Options"); xfo != "" {
		c.fail("%s: X-Frame-Options %q forbids embedding", u, xfo)
	}
	cc := h.Get("Cache-Control")
	switch {
	case server.IsHashed(u.Path) && !strings.Contains(cc, "immutable"):
		c.fail("%s: hashed name, Cache-Control %q, want immutable", u, cc)
	case !server.IsHashed(u.Path) && strings.Contains(cc, "immutable"):
		c.fail("%s: unhashed name cached as immutable", u)
	case ext == ".html" && !strings.Contains(cc, "no-cache") && !strings.Contains(cc, "max-age=0"):
		c.fail("%s: Cache-Control %q lets a browser keep an old page without asking", u, cc)
	}
	if ext == ".wasm" && h.Get("Content-Encoding") == "" {
		c.fail("%s: sent uncompressed to a client that accepts brotli", u)
	}
}

// checkRevalidation asks for the page again with its ETag: a cached copy
// must be confirmed with a 304 rather than sent again.
func (c *checker) checkRevalidation(page *url.URL) {
	resp, _, err := c.get(page, nil)
	if err != nil {
		c.fail("GET %s: %v", page, err)
		return
	}
	etag := resp.Header.Get("ETag")
	if etag == "" {
		c.fail("%s: no ETag to revalidate with", page)
		return
	}
	again, _, err := c.get(page, http.Header{"If-None-Match": {etag}})
	if err != nil {
		c.fail("GET %s: %v", page, err)
	} else if again.StatusCode != http.StatusNotModified {
		c.fail("%s: If-None-Match %s answered %d, want 304", page, etag, again.StatusCode)
	}
}

// get fetches u as a browser would (accepting brotli and gzip), records
// the fetch, and returns the decoded body.
func (c *checker) get(u *url.URL, extra http.Header) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(c.ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Accept-Encoding", "gzip, deflate, br")
	for k, v := range extra {
		req.Header[k] = v
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, nil, err
	}
	c.fetched = append(c.fetched, Fetch{
		URL: u.String(), Status: resp.StatusCode, Bytes: len(raw),
		Type: resp.Header.Get("Content-Type"), Encoding: resp.Header.Get("Content-Encoding"),
	})
	body, err := decode(resp.Header.Get("Content-Encoding"), raw)
	return resp, body, err
}

// decode undoes a Content-Encoding. An empty body (a 304, say, where some
// servers keep the header) has nothing to decode.
func decode(coding string, b []byte) ([]byte, error) {
	switch {
	case coding == "" || len(b) == 0:
		return b, nil
	}
	switch coding {
	case "br":
		return io.ReadAll(brotli.NewReader(bytes.NewReader(b)))
	case "gzip":
		r, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, err
		}
		return io.ReadAll(r)
	}
	return nil, fmt.Errorf("unexpected Content-Encoding %q", coding)
}
