package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	neturl "net/url"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/raftplay/raftplay/server"
)

// By default the playground is reachable from this machine only; -public
// (or an -addr) opens it.
func TestListenAddr(t *testing.T) {
	for _, tc := range []struct {
		flag, port string
		public     bool
		want       string
	}{
		{"", "", false, "127.0.0.1:8080"},
		{"", "9000", false, "127.0.0.1:9000"},
		{"", "", true, ":8080"},
		{"", "9000", true, ":9000"},
		{"127.0.0.1:7000", "9000", true, "127.0.0.1:7000"},
		{":7000", "", false, ":7000"},
	} {
		if got := listenAddr(tc.flag, tc.port, tc.public); got != tc.want {
			t.Errorf("listenAddr(%q, %q, %v) = %q, want %q", tc.flag, tc.port, tc.public, got, tc.want)
		}
	}
}

func TestPageURL(t *testing.T) {
	for addr, want := range map[string]string{
		"[::]:8080":      "http://localhost:8080/",
		"0.0.0.0:8080":   "http://localhost:8080/",
		"127.0.0.1:9000": "http://127.0.0.1:9000/",
		"[::1]:9000":     "http://[::1]:9000/",
	} {
		a, err := net.ResolveTCPAddr("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := pageURL(a); got != want {
			t.Errorf("pageURL(%s) = %q, want %q", addr, got, want)
		}
	}
}

// run prints the URL, serves the site there, and returns cleanly when
// its context ends.
func TestRunServesUntilCancelled(t *testing.T) {
	site := fstest.MapFS{"index.html": {Data: []byte("<!doctype html><p>hello")}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- run(ctx, "127.0.0.1:0", "", site, pw) }()

	line := make([]byte, 256)
	n, err := pr.Read(line)
	if err != nil {
		t.Fatal(err)
	}
	url, ok := strings.CutPrefix(strings.TrimSpace(string(line[:n])), "Raft playground: ")
	if !ok {
		t.Fatalf("printed %q, want the page URL", line[:n])
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), "hello") {
		t.Fatalf("GET %s: %d %q", url, resp.StatusCode, b)
	}

	// oEmbed answers point at the printed address, whatever Host a
	// request claims.
	req, _ := http.NewRequest("GET", url+"oembed?url="+neturl.QueryEscape(url+"?seed=3"), nil)
	req.Host = "evil.example"
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var embed server.OEmbed
	err = json.NewDecoder(resp.Body).Decode(&embed)
	resp.Body.Close()
	if want := `src="` + url + `embed.html?seed=3"`; err != nil || resp.StatusCode != http.StatusOK || !strings.Contains(embed.HTML, want) {
		t.Fatalf("oEmbed with Host evil.example: %d %+v (%v), want an iframe with %s", resp.StatusCode, embed, err, want)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run returned %v after cancel", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after its context ended")
	}
}

func TestRunRefusesAnUnbuiltSite(t *testing.T) {
	err := run(context.Background(), "127.0.0.1:0", "", fstest.MapFS{".gitignore": {}}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "make site") {
		t.Fatalf("error %v, want one that says to build the site", err)
	}
}
