package server

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
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
	h := newTestHandler(t)
	for _, tc := range []struct {
		link, extra string
		wantSrc     string
		wantW       int
		wantH       int
	}{
		{"http://example.com/", "", "http://example.com/embed.html", 960, 640},
		{"https://example.com", "", "https://example.com/embed.html", 960, 640},
		{"http://EXAMPLE.com/index.html?seed=42#t=1500", "", "http://EXAMPLE.com/embed.html?seed=42#t=1500", 960, 640},
		{"http://example.com/course/raft/embed.html", "&maxwidth=500&maxheight=9999", "http://example.com/course/raft/embed.html", 500, 640},
		{`http://example.com/?q="><script>`, "", `http://example.com/embed.html?q=&#34;&gt;&lt;script&gt;`, 960, 640},
	} {
		target := "/oembed?url=" + url.QueryEscape(tc.link) + tc.extra
		resp := do(h, "GET", target)
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

func TestOEmbedRefusals(t *testing.T) {
	h := newTestHandler(t)
	long := "http://example.com/?" + string(make([]byte, maxURLLength))
	for target, want := range map[string]int{
		"/oembed":                              http.StatusBadRequest,
		"/oembed?url=":                         http.StatusBadRequest,
		"/oembed?url=" + url.QueryEscape(long): http.StatusBadRequest,
		"/oembed?url=http://example.com/&maxwidth=-1":    http.StatusBadRequest,
		"/oembed?url=http://example.com/&maxheight=wide": http.StatusBadRequest,
		"/oembed?url=http://example.com/&format=xml":     http.StatusNotImplemented,
		"/oembed?url=http://other.example/":              http.StatusNotFound, // not our host
		"/oembed?url=ftp://example.com/":                 http.StatusNotFound,
		"/oembed?url=javascript:alert(1)":                http.StatusNotFound,
		"/oembed?url=http://user@example.com/":           http.StatusNotFound,
		"/oembed?url=http://example.com/main.js":         http.StatusNotFound, // not a page
		"/oembed?url=%25zz":                              http.StatusNotFound,
		"/oembed?url=http://example.com/&format=json":    http.StatusOK,
	} {
		if got := do(h, "GET", target).StatusCode; got != want {
			t.Errorf("GET %s: status %d, want %d", target, got, want)
		}
	}
}
