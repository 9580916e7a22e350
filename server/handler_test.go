package server

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestContentTypes(t *testing.T) {
	h := newTestHandler(t)
	for path, want := range map[string]string{
		"/":                 "text/html; charset=utf-8",
		"/?seed=42&peers=5": "text/html; charset=utf-8", // a shared run
		"/index.html":       "text/html; charset=utf-8",
		"/embed.html":       "text/html; charset=utf-8",
		"/docs/":            "text/html; charset=utf-8",
		"/" + testJS:        "text/javascript; charset=utf-8",
		"/" + testCSS:       "text/css; charset=utf-8",
		"/" + testWasm:      "application/wasm", // what instantiateStreaming insists on
		"/" + testPNG:       "image/png",
		"/no/such/page.txt": "text/html; charset=utf-8", // the 404 page
	} {
		for _, enc := range []string{"", "br, gzip"} {
			resp := do(h, "GET", path, "Accept-Encoding", enc)
			if got := resp.Header.Get("Content-Type"); got != want {
				t.Errorf("GET %s (Accept-Encoding %q): Content-Type %q, want %q", path, enc, got, want)
			}
		}
	}
}

func TestPrecompressedVariants(t *testing.T) {
	h := newTestHandler(t)
	for _, tc := range []struct {
		path, accept string
		coding, body string
	}{
		{"/", "", "", "<!doctype html><p>index</p>"},
		{"/", "gzip, deflate, br", "br", "BR(index)"},
		{"/", "gzip", "gzip", "GZ(index)"},
		{"/", "br;q=0, gzip", "gzip", "GZ(index)"},
		{"/" + testJS, "br", "br", "BR(js)"},
		{"/" + testWasm, "gzip, br", "br", "BR(wasm)"},
		{"/" + testWasm, "gzip", "", "\x00asm\x01\x00\x00\x00"}, // it has no .gz
		{"/" + testCSS, "br, gzip", "gzip", "GZ(css)"},
		{"/" + testPNG, "br, gzip", "", "\x89PNG"},
	} {
		resp := do(h, "GET", tc.path, "Accept-Encoding", tc.accept)
		if got := resp.Header.Get("Content-Encoding"); got != tc.coding {
			t.Errorf("GET %s (Accept-Encoding %q): Content-Encoding %q, want %q", tc.path, tc.accept, got, tc.coding)
		}
		if got := body(t, resp); got != tc.body {
			t.Errorf("GET %s (Accept-Encoding %q): body %q, want %q", tc.path, tc.accept, got, tc.body)
		}
		if got, want := resp.Header.Get("Content-Length"), fmt.Sprint(len(tc.body)); got != want {
			t.Errorf("GET %s (Accept-Encoding %q): Content-Length %q, want %s", tc.path, tc.accept, got, want)
		}
	}
}

// Every response for a file with variants varies on Accept-Encoding, the
// identity one included, or a shared cache could hand brotli to a client
// that cannot read it. A file without variants does not vary.
func TestVary(t *testing.T) {
	h := newTestHandler(t)
	for _, path := range []string{"/", "/" + testJS, "/" + testWasm, "/" + testCSS} {
		for _, enc := range []string{"", "br", "gzip", "identity"} {
			if got := do(h, "GET", path, "Accept-Encoding", enc).Header.Get("Vary"); got != "Accept-Encoding" {
				t.Errorf("GET %s (Accept-Encoding %q): Vary %q, want Accept-Encoding", path, enc, got)
			}
		}
	}
	if got := do(h, "GET", "/"+testPNG, "Accept-Encoding", "br").Header.Get("Vary"); got != "" {
		t.Errorf("GET /%s: Vary %q for a file with no variants", testPNG, got)
	}
}

func TestCaching(t *testing.T) {
	h := newTestHandler(t)
	for path, want := range map[string]string{
		"/":            "no-cache",
		"/index.html":  "no-cache",
		"/embed.html":  "no-cache",
		"/" + testPNG:  "no-cache",
		"/" + testJS:   "public, max-age=31536000, immutable",
		"/" + testCSS:  "public, max-age=31536000, immutable",
		"/" + testWasm: "public, max-age=31536000, immutable",
		"/missing.js":  "no-store",
		"/healthz":     "no-store",
	} {
		if got := do(h, "GET", path).Header.Get("Cache-Control"); got != want {
			t.Errorf("GET %s: Cache-Control %q, want %q", path, got, want)
		}
	}
}

func TestRevalidation(t *testing.T) {
	h := newTestHandler(t)
	first := do(h, "GET", "/", "Accept-Encoding", "br")
	etag := first.Header.Get("ETag")
	if etag == "" || !strings.HasPrefix(etag, `"`) {
		t.Fatalf("GET /: ETag %q, want a strong ETag", etag)
	}
	plainTag := do(h, "GET", "/").Header.Get("ETag")
	if plainTag == etag {
		t.Fatalf("brotli and identity share ETag %s; each representation needs its own", etag)
	}

	for _, tc := range []struct {
		ifNoneMatch, accept string
		want                int
	}{
		{etag, "br", http.StatusNotModified},
		{"W/" + etag, "br", http.StatusNotModified}, // If-None-Match compares weakly
		{`"other", ` + etag, "br", http.StatusNotModified},
		{"*", "br", http.StatusNotModified},
		{etag, "", http.StatusOK}, // a different representation now
		{plainTag, "", http.StatusNotModified},
		{`"stale"`, "br", http.StatusOK},
	} {
		resp := do(h, "GET", "/", "If-None-Match", tc.ifNoneMatch, "Accept-Encoding", tc.accept)
		if resp.StatusCode != tc.want {
			t.Errorf("If-None-Match %s, Accept-Encoding %q: status %d, want %d", tc.ifNoneMatch, tc.accept, resp.StatusCode, tc.want)
		}
		if resp.StatusCode == http.StatusNotModified {
			if b := body(t, resp); b != "" {
				t.Errorf("304 with a body: %q", b)
			}
			if resp.Header.Get("ETag") == "" || resp.Header.Get("Cache-Control") != "no-cache" {
				t.Errorf("304 lost its ETag or Cache-Control: %v", resp.Header)
			}
		}
	}
}

func TestRangeServesIdentityBytes(t *testing.T) {
	h := newTestHandler(t)
	resp := do(h, "GET", "/"+testWasm, "Range", "bytes=0-3", "Accept-Encoding", "br")
	if resp.StatusCode != http.StatusPartialContent || resp.Header.Get("Content-Encoding") != "" {
		t.Fatalf("range: status %d, Content-Encoding %q", resp.StatusCode, resp.Header.Get("Content-Encoding"))
	}
	if got := body(t, resp); got != "\x00asm" {
		t.Fatalf("range body %q, want the first 4 bytes of the wasm", got)
	}
}

// The security headers ride on every response, errors included, and the
// page may be framed by anyone.
func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	h := newTestHandler(t)
	for _, tc := range []struct{ method, path string }{
		{"GET", "/"}, {"GET", "/" + testWasm}, {"HEAD", "/embed.html"}, {"GET", "/nope"},
		{"POST", "/"}, {"GET", "/a/../b"}, {"GET", "/healthz"},
		{"GET", "/oembed?url=http://example.com/"},
	} {
		resp := do(h, tc.method, tc.path)
		hdr := resp.Header
		csp := hdr.Get("Content-Security-Policy")
		for _, part := range []string{"script-src 'self' 'wasm-unsafe-eval'", "frame-ancestors *", "default-src 'self'", "style-src 'self'"} {
			if !strings.Contains(csp, part) {
				t.Errorf("%s %s: CSP %q lacks %q", tc.method, tc.path, csp, part)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "'unsafe-eval'") {
			t.Errorf("%s %s: CSP allows inline code or eval: %q", tc.method, tc.path, csp)
		}
		if hdr.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s %s: no nosniff", tc.method, tc.path)
		}
		if hdr.Get("Referrer-Policy") == "" {
			t.Errorf("%s %s: no Referrer-Policy", tc.method, tc.path)
		}
		if hdr.Get("X-Frame-Options") != "" {
			t.Errorf("%s %s: X-Frame-Options would forbid embedding", tc.method, tc.path)
		}
	}
}

func TestMethods(t *testing.T) {
	h := newTestHandler(t)
	for _, m := range []string{"POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND"} {
		for _, path := range []string{"/", "/" + testWasm, "/healthz", "/nope"} {
			resp := do(h, m, path)
			if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" {
				t.Errorf("%s %s: status %d, Allow %q; want 405 and GET, HEAD", m, path, resp.StatusCode, resp.Header.Get("Allow"))
			}
		}
	}
	resp := do(h, "HEAD", "/"+testWasm, "Accept-Encoding", "br")
	if resp.StatusCode != http.StatusOK || body(t, resp) != "" || resp.Header.Get("Content-Length") != fmt.Sprint(len("BR(wasm)")) {
		t.Errorf("HEAD: status %d, Content-Length %q; want 200, no body, the brotli length", resp.StatusCode, resp.Header.Get("Content-Length"))
	}
}

func TestPathsThatTryToEscape(t *testing.T) {
	h := newTestHandler(t)
	for _, target := range []string{
		"/../etc/passwd",
		"/docs/../index.html",
		"/%2e%2e/%2e%2e/etc/passwd",
		"/%2E%2E/index.html",
		"/docs%2Findex.html",
		"/docs%2findex.html",
		"/..%2F..%2Fetc%2Fpasswd",
		"/..%5C..%5Cwindows%5Cwin.ini",
		"/%5Cindex.html",
		"//etc/passwd",
		"/docs//index.html",
		"/./index.html",
		"/index.html/.",
		"/index.html%00.png",
		"/index.html%0a",
	} {
		if got := do(h, "GET", target).StatusCode; got != http.StatusBadRequest {
			t.Errorf("GET %s: status %d, want 400", target, got)
		}
	}
}

func TestUnknownPathsAndNoListings(t *testing.T) {
	h := newTestHandler(t)
	for _, target := range []string{
		"/etc/passwd",
		"/C:/Windows/win.ini",
		"/.gitignore",
		"/.hidden/secret.txt",
		"/docs",          // a directory without its slash: no redirect, no listing
		"/index.html.br", // variants are served by negotiation, not by name
		"/" + testJS + ".gz",
		"/main.js", // the unhashed source name
		"/missing/",
		"/favicon.ico",
		"/index.html/",
	} {
		resp := do(h, "GET", target)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", target, resp.StatusCode)
			continue
		}
		if b := body(t, resp); b != NotFoundPage {
			t.Errorf("GET %s: 404 body is not the 404 page: %q", target, b)
		}
	}
}

// Go's server passes the request target through without cleaning it (only
// ServeMux cleans), so the checks above must hold on the wire too.
func TestRawRequestTargetsOverTCP(t *testing.T) {
	srv := httptest.NewServer(newTestHandler(t))
	defer srv.Close()
	for target, want := range map[string]int{
		"/../../etc/passwd":              http.StatusBadRequest,
		"/%2e%2e%2f%2e%2e%2fetc/passwd":  http.StatusBadRequest,
		"http://evil.example/index.html": http.StatusOK, // absolute-form: only the path counts
		"/" + testWasm:                   http.StatusOK,
	} {
		conn, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n", target)
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("GET %s: %v", target, err)
		}
		if resp.StatusCode != want {
			t.Errorf("GET %s on the wire: status %d, want %d", target, resp.StatusCode, want)
		}
		resp.Body.Close()
		conn.Close()
	}
}

func TestAPIOnlyHandler(t *testing.T) {
	h, err := NewAPI(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := do(h, "GET", "/healthz").StatusCode; got != http.StatusOK {
		t.Errorf("worker /healthz: status %d", got)
	}
	if got := do(h, "GET", "/").StatusCode; got != http.StatusNotFound {
		t.Errorf("worker /: status %d, want 404 (assets are served before the worker)", got)
	}
	if got := do(h, "POST", "/healthz").StatusCode; got != http.StatusMethodNotAllowed {
		t.Errorf("worker POST: status %d, want 405", got)
	}
}
