package server

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/fstest"
)

// Names in the test site, shaped like the site build's output.
const (
	testJS   = "main.0123456789ab.js"
	testWasm = "raftplay.abcdef012345.wasm"
	testCSS  = "style.00112233aabb.css"
	testPNG  = "logo.png"
)

// testSite is a small built site: an index with both variants, hashed
// files with one or both, a file with none, a sub-directory page, and a
// hidden file that must never be served.
func testSite() fstest.MapFS {
	f := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	return fstest.MapFS{
		"index.html":         f("<!doctype html><p>index</p>"),
		"index.html.br":      f("BR(index)"),
		"index.html.gz":      f("GZ(index)"),
		"embed.html":         f("<!doctype html><p>embed</p>"),
		testJS:               f("export const x = 1;"),
		testJS + ".br":       f("BR(js)"),
		testJS + ".gz":       f("GZ(js)"),
		testWasm:             f("\x00asm\x01\x00\x00\x00"),
		testWasm + ".br":     f("BR(wasm)"),
		testCSS:              f("body{margin:0}"),
		testCSS + ".gz":      f("GZ(css)"),
		testPNG:              f("\x89PNG"),
		"docs/index.html":    f("<!doctype html><p>docs</p>"),
		".gitignore":         f("*"),
		".hidden/secret.txt": f("secret"),
	}
}

func newTestHandler(t *testing.T) *Handler {
	t.Helper()
	h, err := New(testSite(), Options{PublicURL: "http://example.com/"})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// do sends one request to h and returns the response.
func do(h http.Handler, method, target string, header ...string) *http.Response {
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func body(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestLoadSiteRejectsWhatTheBuildNeverMakes(t *testing.T) {
	for name, fsys := range map[string]fstest.MapFS{
		"no index":             {"main.0123456789ab.js": {Data: []byte("x")}},
		"unknown type":         {"index.html": {}, "notes.docx": {}},
		"variant with no file": {"index.html": {}, "gone.js.br": {}},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := New(fsys, Options{}); err == nil {
				t.Fatal("New accepted a site the build cannot produce")
			}
		})
	}
}

func TestHashedNames(t *testing.T) {
	for _, tc := range []struct {
		name string
		want bool
	}{
		{"main.0123456789ab.js", true},
		{"render/svg.abcdefabcdef.js", true},
		{"raftplay.000000000000.wasm", true},
		{"main.js", false},
		{"main.0123456789AB.js", false}, // upper case is not what we write
		{"main.0123456789a.js", false},  // too short
		{"0123456789ab.js", false},      // no stem
		{"main.0123456789ab", false},    // no extension
		{"jquery.min.js", false},
	} {
		if got := IsHashed(tc.name); got != tc.want {
			t.Errorf("IsHashed(%q) = %v, want %v", tc.name, got, tc.want)
		}
	}
	if got := HashedName("render/svg.js", "0123456789ab"); got != "render/svg.0123456789ab.js" || !IsHashed(got) {
		t.Errorf("HashedName = %q, not recognised by IsHashed", got)
	}
}
