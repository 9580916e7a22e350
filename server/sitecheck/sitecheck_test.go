package sitecheck

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/raftplay/raftplay/server"
	"github.com/raftplay/raftplay/server/sitebuild"
)

// realSite is the site built from the repository's web/ and Go's own
// wasm_exec.js, with a stand-in wasm (compiling the real one belongs to
// `make site`; here only its bytes travel). It is built once for all tests:
// brotli at full quality is the slow part.
var realSite struct {
	once sync.Once
	dir  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if realSite.dir != "" {
		os.RemoveAll(realSite.dir)
	}
	os.Exit(code)
}

func buildRealSite(t *testing.T) string {
	t.Helper()
	realSite.once.Do(func() {
		realSite.dir, realSite.err = os.MkdirTemp("", "raftplay-site-")
		if realSite.err != nil {
			return
		}
		goroot, err := exec.Command("go", "env", "GOROOT").Output()
		if err != nil {
			realSite.err = err
			return
		}
		wasmExec, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(goroot)), "lib", "wasm", "wasm_exec.js"))
		if err != nil {
			realSite.err = err
			return
		}
		_, realSite.err = sitebuild.Build(sitebuild.Options{
			Web:      os.DirFS("../../web"),
			Wasm:     []byte("\x00asm\x01\x00\x00\x00" + strings.Repeat("\x00", 4096)),
			WasmExec: wasmExec,
			// The search worker's, which searchworker.js loads.
			SearchWasm: []byte("\x00asm\x01\x00\x00\x00"),
			Out:        filepath.Join(realSite.dir, "dist"),
		})
	})
	if realSite.err != nil {
		t.Fatal(realSite.err)
	}
	return filepath.Join(realSite.dir, "dist")
}

// The static distribution works from a plain file server under a
// sub-path, the way a course site would host it.
func TestDistUnderSubPath(t *testing.T) {
	dist := buildRealSite(t)
	const prefix = "/courses/distributed-systems/raft/"
	srv := ServeDir(dist, prefix)
	defer srv.Close()

	fetched, err := Check(context.Background(), srv.Client(), srv.URL+prefix, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, f := range fetched {
		if !strings.HasPrefix(f.URL, srv.URL+prefix) {
			t.Errorf("fetched %s, outside the sub-path", f.URL)
		}
		paths = append(paths, strings.TrimPrefix(f.URL, srv.URL+prefix))
	}
	got := strings.Join(paths, " ")
	for _, want := range []string{"raftplay.", "wasm_exec.", "main.", "style.", "embed.html"} {
		if !strings.Contains(got, want) {
			t.Errorf("the check never fetched %s*: %s", want, got)
		}
	}
	if resp, err := srv.Client().Get(srv.URL + "/index.html"); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("the site answers at the server root too; the test would not prove sub-path serving")
	}
}

// The localhost server passes every rule, the API included.
func TestHandlerPassesTheFullCheck(t *testing.T) {
	srv := httptest.NewUnstartedServer(nil) // its address is the page's public URL
	h, err := server.New(os.DirFS(buildRealSite(t)), server.Options{PublicURL: "http://" + srv.Listener.Addr().String() + "/"})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = h
	srv.Start()
	defer srv.Close()
	if _, err := Check(context.Background(), srv.Client(), srv.URL+"/", Options{Headers: true}); err != nil {
		t.Fatal(err)
	}
	if err := CheckAPI(context.Background(), srv.Client(), srv.URL+"/"); err != nil {
		t.Fatal(err)
	}
}

// The check must be able to fail: each breakage below is one a deployment
// could really suffer.
func TestCheckCatchesBrokenSites(t *testing.T) {
	dist := buildRealSite(t)
	h, err := server.New(os.DirFS(dist), server.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		wrap  func(http.ResponseWriter, *http.Request, http.Handler)
		opts  Options
		wants string
	}{
		{"wasm as octet-stream", func(w http.ResponseWriter, r *http.Request, next http.Handler) {
			next.ServeHTTP(override(w, "Content-Type", "application/octet-stream", strings.HasSuffix(r.URL.Path, ".wasm")), r)
		}, Options{}, "application/wasm"},
		{"missing module", func(w http.ResponseWriter, r *http.Request, next http.Handler) {
			if strings.Contains(r.URL.Path, "/main.") {
				http.NotFound(w, r)
				return
			}
			next.ServeHTTP(w, r)
		}, Options{}, "status 404"},
		{"no CSP", func(w http.ResponseWriter, r *http.Request, next http.Handler) {
			next.ServeHTTP(override(w, "Content-Security-Policy", "", true), r)
		}, Options{Headers: true}, "Content-Security-Policy"},
		{"framing forbidden", func(w http.ResponseWriter, r *http.Request, next http.Handler) {
			next.ServeHTTP(override(w, "X-Frame-Options", "DENY", true), r)
		}, Options{Headers: true}, "forbids embedding"},
		{"hashed file not immutable", func(w http.ResponseWriter, r *http.Request, next http.Handler) {
			next.ServeHTTP(override(w, "Cache-Control", "no-cache", true), r)
		}, Options{Headers: true}, "want immutable"},
		{"no 304", func(w http.ResponseWriter, r *http.Request, next http.Handler) {
			r.Header.Del("If-None-Match")
			next.ServeHTTP(w, r)
		}, Options{Headers: true}, "want 304"},
		{"uncompressed wasm", func(w http.ResponseWriter, r *http.Request, next http.Handler) {
			r.Header.Del("Accept-Encoding")
			next.ServeHTTP(w, r)
		}, Options{Headers: true}, "uncompressed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { tc.wrap(w, r, h) }))
			defer srv.Close()
			_, err := Check(context.Background(), srv.Client(), srv.URL+"/", tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.wants) {
				t.Fatalf("error %v, want one about %q", err, tc.wants)
			}
		})
	}
}

// override sets (or, given "", deletes) one response header just before
// the handler's headers go out, when on is set.
func override(w http.ResponseWriter, key, value string, on bool) http.ResponseWriter {
	if !on {
		return w
	}
	return &headerOverride{ResponseWriter: w, key: key, value: value}
}

type headerOverride struct {
	http.ResponseWriter
	key, value string
	wrote      bool
}

func (o *headerOverride) WriteHeader(code int) {
	if !o.wrote {
		o.wrote = true
		if o.value == "" {
			o.Header().Del(o.key)
		} else {
			o.Header().Set(o.key, o.value)
		}
	}
	o.ResponseWriter.WriteHeader(code)
}

func (o *headerOverride) Write(b []byte) (int, error) {
	if !o.wrote {
		o.WriteHeader(http.StatusOK)
	}
	return o.ResponseWriter.Write(b)
}
