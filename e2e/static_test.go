package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/raftplay/raftplay/server/sitecheck"
)

// dist/ as a course site hosts it: plain files from a static file server,
// under a sub-path, with none of our server's rules. The page and
// embed.html (the iframe version) load everything from under that path,
// draw the cluster and elect a leader.
func TestStaticSubPath(t *testing.T) {
	if _, err := os.Stat(filepath.Join(*distDir, "index.html")); err != nil {
		t.Fatalf("no static site in %s (make dist writes it): %v", *distDir, err)
	}
	// dist/ is a copy of the built site: a stale copy would test old code.
	if built, err := os.ReadFile("../build/site/index.html"); err == nil {
		if copied, _ := os.ReadFile(filepath.Join(*distDir, "index.html")); !bytes.Equal(built, copied) {
			t.Fatalf("%s is older than build/site (make dist copies it)", *distDir)
		}
	}
	const prefix = "/courses/raft/"
	srv := sitecheck.ServeDir(*distDir, prefix)
	t.Cleanup(srv.Close)
	base := srv.URL + prefix

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := sitecheck.Check(ctx, srv.Client(), base, sitecheck.Options{}); err != nil {
		t.Fatalf("dist/ under %s is not whole: %v", prefix, err)
	}

	for _, tc := range []struct {
		name, path string
		embed      bool
		peers      int
	}{
		{"page", "", false, 3},
		{"embed", "embed.html?peers=5&seed=7", true, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := openURL(t, base+tc.path)
			outside := js[[]string](p, fmt.Sprintf(`performance.getEntriesByType("resource").map((e) => e.name).filter((u) => !u.startsWith(%q))`, base))
			if len(outside) > 0 {
				t.Errorf("fetched from outside %s: %v", prefix, outside)
			}
			wasm := js[int](p, `performance.getEntriesByType("resource").filter((e) => e.name.endsWith(".wasm")).length`)
			if wasm != 1 {
				t.Errorf("%d wasm files fetched, want 1", wasm)
			}
			if got := js[bool](p, `document.documentElement.hasAttribute("data-embed")`); got != tc.embed {
				t.Errorf("data-embed on <html> is %v, want %v", got, tc.embed)
			}
			if n := js[int](p, `document.querySelectorAll(".peer").length`); n != tc.peers {
				t.Fatalf("%d servers drawn, want %d", n, tc.peers)
			}
			p.until("a leader is elected", `document.querySelector(".peer.leader") !== null`, 3000)
			if tc.embed {
				// An iframe is small: the ring and the controls must fit
				// without the page scrolling sideways.
				p.do("an iframe's size", chromedp.EmulateViewport(800, 600))
				if w := js[int](p, `document.documentElement.scrollWidth - document.documentElement.clientWidth`); w > 0 {
					t.Errorf("the embedded page scrolls sideways by %d px at 800x600", w)
				}
			}
			p.shot("20-static-" + strings.ToLower(tc.name))
		})
	}
}
