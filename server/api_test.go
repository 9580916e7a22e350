package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestHealth(t *testing.T) {
	resp := do(newTestHandler(t), "GET", "/healthz")
	var got Health
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if got.Status != "ok" || got.Version == "" || got.Version != Version() {
		t.Fatalf("health = %+v", got)
	}
}

var iframeSrc = regexp.MustCompile(`^<iframe src="([^"]*)" width="(\d+)" height="(\d+)" title="Raft playground" loading="lazy"></iframe>$`)

func TestOEmbed(t *testing.T) {
	root := newTestHandler(t) // public at http://example.com/
	sub, err := New(testSite(), Options{PublicURL: "https://Example.org:443/course/raft"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		h           *Handler
		link, extra string
		wantSrc     string
		wantW       int
		wantH       int
	}{
		{root, "http://example.com/", "", "http://example.com/embed.html", 1024, 720},
		{root, "http://example.com", "", "http://example.com/embed.html", 1024, 720},
		{root, "http://EXAMPLE.com:80/index.html?seed=42#t=1500", "", "http://example.com/embed.html?seed=42#t=1500", 1024, 720},
		{root, "http://example.com/embed.html", "&maxwidth=500&maxheight=9999", "http://example.com/embed.html", 500, 720},
		{root, `http://example.com/?q="><script>`, "", `http://example.com/embed.html?q=&#34;&gt;&lt;script&gt;`, 1024, 720},
		{sub, "https://example.org/course/raft/?peers=5", "", "https://example.org:443/course/raft/embed.html?peers=5", 1024, 720},
		{sub, "https://example.org:443/course/raft/index.html", "", "https://example.org:443/course/raft/embed.html", 1024, 720},
		// The iframe fits the view the link asks for.
		{root, "http://example.com/?view=ring%2Blogs&scenario=talk", "", "http://example.com/embed.html?view=ring%2Blogs&amp;scenario=talk", 800, 560},
		{root, "http://example.com/?view=ring+logs", "", "http://example.com/embed.html?view=ring+logs", 800, 560},
		{root, "http://example.com/?view=ring", "&maxheight=300", "http://example.com/embed.html?view=ring", 800, 300},
		{root, "http://example.com/?view=nonsense", "", "http://example.com/embed.html?view=nonsense", 1024, 720},
	} {
		target := "/oembed?url=" + url.QueryEscape(tc.link) + tc.extra
		resp := do(tc.h, "GET", target)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d", target, resp.StatusCode)
			continue
		}
		if resp.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("%s: no CORS header for in-browser consumers", target)
		}
		var got OEmbed
		if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
			t.Fatal(err)
		}
		m := iframeSrc.FindStringSubmatch(got.HTML)
		if got.Type != "rich" || got.Version != "1.0" || m == nil {
			t.Errorf("%s: unexpected answer %+v", target, got)
			continue
		}
		if m[1] != tc.wantSrc || got.Width != tc.wantW || got.Height != tc.wantH ||
			m[2] != strconv.Itoa(tc.wantW) || m[3] != strconv.Itoa(tc.wantH) {
			t.Errorf("%s: iframe %q %dx%d, want src %q %dx%d", target, m[1], got.Width, got.Height, tc.wantSrc, tc.wantW, tc.wantH)
		}
	}
}

// The answer is built from the configured public URL and the query alone:
// a request with another Host (or the headers proxies add) gets the same
// bytes, so no request can make a cache keep an iframe of another site.
func TestOEmbedIgnoresTheRequestsHost(t *testing.T) {
	h := newTestHandler(t)
	target := "/oembed?url=" + url.QueryEscape("http://example.com/?seed=7")
	want := body(t, do(h, "GET", target))
	for _, header := range [][]string{
		{"Host", "evil.example"},
		{"Host", "example.com.evil.example"},
		{"X-Forwarded-Host", "evil.example"},
		{"X-Forwarded-Proto", "https"},
		{"Forwarded", "host=evil.example;proto=https"},
	} {
		req := httptest.NewRequest("GET", target, nil)
		req.Header.Set(header[0], header[1])
		if header[0] == "Host" {
			req.Host = header[1]
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if got := rec.Body.String(); rec.Code != http.StatusOK || got != want {
			t.Errorf("with %s: %s: status %d, body %s, want the same answer as without: %s", header[0], header[1], rec.Code, got, want)
		}
	}
	// A link to the host the request names, but not the configured one,
	// is not ours.
	req := httptest.NewRequest("GET", "/oembed?url="+url.QueryEscape("http://evil.example/"), nil)
	req.Host = "evil.example"
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotFound || strings.Contains(rec.Body.String(), "iframe") {
		t.Errorf("a link to the request's own Host: status %d, body %q, want 404", rec.Code, rec.Body.String())
	}
	if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("the refusal is cacheable: Cache-Control %q", cc)
	}
}

func TestOEmbedRefusals(t *testing.T) {
	h := newTestHandler(t)
	long := "http://example.com/?" + string(make([]byte, maxURLLength))
	for target, want := range map[string]int{
		"/oembed":                              http.StatusBadRequest,
		"/oembed?url=":                         http.StatusBadRequest,
		"/oembed?url=" + url.QueryEscape(long): http.StatusBadRequest,
		"/oembed?url=http://example.com/&maxwidth=-1":                            http.StatusBadRequest,
		"/oembed?url=http://example.com/&maxheight=wide":                         http.StatusBadRequest,
		"/oembed?url=http://example.com/&format=xml":                             http.StatusNotImplemented,
		"/oembed?url=http://other.example/":                                      http.StatusNotFound, // not our host
		"/oembed?url=http://example.com:8080/":                                   http.StatusNotFound, // nor our port
		"/oembed?url=https://example.com/":                                       http.StatusNotFound, // nor our scheme
		"/oembed?url=ftp://example.com/":                                         http.StatusNotFound,
		"/oembed?url=javascript:alert(1)":                                        http.StatusNotFound,
		"/oembed?url=http://user@example.com/":                                   http.StatusNotFound,
		"/oembed?url=http://example.com/main.js":                                 http.StatusNotFound, // not a page
		"/oembed?url=http://example.com/course/":                                 http.StatusNotFound, // not where the page is
		"/oembed?url=" + url.QueryEscape("http://example.com/x/../index.html"):   http.StatusNotFound, // not canonical
		"/oembed?url=" + url.QueryEscape("http://example.com//index.html"):       http.StatusNotFound,
		"/oembed?url=" + url.QueryEscape("http://example.com/%2e%2e/index.html"): http.StatusNotFound,
		"/oembed?url=" + url.QueryEscape("http://example.com/a%2f../"):           http.StatusNotFound,
		"/oembed?url=%25zz":                                                      http.StatusNotFound,
		"/oembed?url=http://example.com/&format=json":                            http.StatusOK,
	} {
		if got := do(h, "GET", target).StatusCode; got != want {
			t.Errorf("GET %s: status %d, want %d", target, got, want)
		}
	}
	// Without a public URL the server cannot vouch for any address.
	bare, err := New(testSite(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := do(bare, "GET", "/oembed?url=http://example.com/").StatusCode; got != http.StatusNotFound {
		t.Errorf("no public URL: status %d, want 404", got)
	}
}

func TestPublicURL(t *testing.T) {
	for _, bad := range []string{"example.com", "/raft/", "ftp://example.com/", "http://u@example.com/", "http://example.com/?x=1",
		"http://example.com/#x", "http://example.com/a/../b/", "http://", "mailto:a@example.com"} {
		if _, err := New(testSite(), Options{PublicURL: bad}); err == nil {
			t.Errorf("public URL %q accepted", bad)
		}
	}
}

// oneLink is a store holding one short link; down makes it fail.
type oneLink struct {
	id, fragment string
	down         error
}

func (s oneLink) Ready() error { return s.down }

func (s oneLink) Get(key string) (string, bool, error) {
	if s.down != nil {
		return "", false, s.down
	}
	return s.fragment, key == s.id, nil
}

func (s oneLink) Put(string, string) error { return errors.New("read only") }

// A short link embeds as the long link it stands for: embed.html with the
// run's fragment, and the short link's view, controls and paused, sized
// for the view. Without short links, or for an id not kept, it is not ours.
func TestOEmbedShortLink(t *testing.T) {
	const fragment = "run=AAAA&t=1200&client=alice&show=elect%2Clog&tab=network"
	id := shortLinkID(fragment)
	kept := newTestHandler(t).EnableShortLinks(oneLink{id: id, fragment: fragment})
	for _, tc := range []struct {
		h             *Handler
		link          string
		code          int
		src           string
		width, height int
	}{
		{kept, "http://example.com/r/" + id, 200, "http://example.com/embed.html#" + strings.ReplaceAll(fragment, "&", "&amp;"), 1024, 720},
		{kept, "http://example.com/r/" + id + "?view=ring%2Blogs&controls=minimal&peers=9#t=5", 200,
			"http://example.com/embed.html?controls=minimal&amp;view=ring%2Blogs#" + strings.ReplaceAll(fragment, "&", "&amp;"), 800, 560},
		{kept, "http://example.com/r/" + id + "?view=ring", 200, "http://example.com/embed.html?view=ring#" + strings.ReplaceAll(fragment, "&", "&amp;"), 800, 480},
		{kept, "http://example.com/r/AAAAAAAAAAAAAAAA", 404, "", 0, 0},
		{kept, "http://example.com/r/short", 404, "", 0, 0},
		{newTestHandler(t), "http://example.com/r/" + id, 404, "", 0, 0},
		{newTestHandler(t).EnableShortLinks(oneLink{down: errors.New("no KV")}), "http://example.com/r/" + id, 503, "", 0, 0},
	} {
		resp := do(tc.h, "GET", "/oembed?url="+url.QueryEscape(tc.link))
		if resp.StatusCode != tc.code {
			t.Errorf("%s: status %d, want %d", tc.link, resp.StatusCode, tc.code)
			continue
		}
		if tc.code != 200 {
			continue
		}
		var got OEmbed
		if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
			t.Fatal(err)
		}
		m := iframeSrc.FindStringSubmatch(got.HTML)
		if m == nil || m[1] != tc.src || got.Width != tc.width || got.Height != tc.height {
			t.Errorf("%s: %s %dx%d, want src %q %dx%d", tc.link, got.HTML, got.Width, got.Height, tc.src, tc.width, tc.height)
		}
	}
}
