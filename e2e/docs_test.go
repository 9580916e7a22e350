//go:build docs

package e2e

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

var docsShot = envOr("RAFTPLAY_DOCS_SHOT", "../docs/screenshot.png")

// TestREADMEScreenshot makes the README's picture (`make screenshot`), at
// a laptop's 1280x800: five servers, s2 leading term 2, alice holding the
// lock, bob refused, two more requests on their way, caught while
// AppendEntries carry them.
func TestREADMEScreenshot(t *testing.T) {
	p := openAt(t, "?peers=5&seed=3", 1280, 800)
	p.until("a leader is elected", `document.querySelector(".peer.leader") !== null`, 3000)
	if got := p.outcome(p.request("alice", 2, "lock"), 2000); got != "ok" {
		t.Fatalf("alice's lock: %s", got)
	}
	if got := p.outcome(p.request("bob", 3, "lock"), 2000); got != "error" {
		t.Fatalf("bob's lock: %s", got)
	}
	p.request("alice", 2, "unlock")
	p.request("bob", 4, "lock")
	p.stepUntil("entries on their way to the followers, a reply on its way back",
		`document.querySelectorAll(".msg[data-id].append:not(.heartbeat)").length >= 2 && document.querySelector(".msg[data-id].append-reply") !== null`, 200)
	// A few events on, so the entries are out on their links.
	for range 4 {
		before := js[string](p, `document.getElementById("playground").dataset.seq`)
		p.click("[data-step]")
		p.poll("the step to show", fmt.Sprintf(`document.getElementById("playground").dataset.seq !== %q`, before))
	}
	ctx, cancel := p.within(30 * time.Second)
	defer cancel()
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(docsShot, buf, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s (%d bytes)", docsShot, len(buf))
}
