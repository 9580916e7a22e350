package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// Membership changes as a student makes them (dissertation chapter 4): a
// server added with "Add a server" appears in the ring, catches up as a
// learner (drawn dashed, not counted), then votes, and the majority grows;
// the leader removed from its menu hands over and steps down, drawn out of
// the cluster, and the majority shrinks. Looked at at 1280x800 and 390 px.
func TestAddAServerThenRemoveTheLeader(t *testing.T) {
	p := openAt(t, "?peers=3&seed=4", 1280, 800)
	p.stepUntil("a leader is elected", `document.querySelector(".peer.leader") !== null`, 300)
	// Right after its election, the leader refuses a change until its
	// no-op commits (dissertation section 4.1), and the page says so. The
	// new server s4 has started, out of the cluster.
	p.click("[data-add-server]")
	p.poll("the refusal said", `!document.querySelector("[data-toast]").hidden && document.querySelector("[data-toast]").textContent.includes("no-op")`)
	p.poll("s4 out of the cluster", `document.querySelector('.peer[data-peer="4"]') !== null && document.querySelector('.peer[data-peer="4"]').dataset.standing === "out"`)
	p.until("the leader's no-op committed", `document.querySelector("[data-logs]").textContent.includes("commit 2")`, 1000)
	summary := func() string { return js[string](p, `document.querySelector("[data-summary]").textContent`) }
	if s := summary(); !strings.Contains(s, "A majority is 2 of 3 servers") {
		t.Fatalf("the summary before any change: %q", s)
	}
	p.click("[data-add-server]")
	p.poll("s4 in the ring", `document.querySelector('.peer[data-peer="4"]') !== null`)
	p.stepUntil("s4 a learner", `document.querySelector('.peer[data-peer="4"]').dataset.standing === "learner"`, 50)
	if role := js[string](p, `document.querySelector('.peer[data-peer="4"] .peer-role').textContent`); role != "learner" {
		t.Errorf("s4's role label while it catches up: %q, want learner", role)
	}
	// Its log row says what the ring says.
	logHead := func(id int) string {
		return js[string](p, fmt.Sprintf(`[...document.querySelectorAll("[data-logs] .log-head")].map((h) => h.textContent).find((t) => t.startsWith("s%d ")) || ""`, id))
	}
	if h := logHead(4); !strings.HasPrefix(h, "s4 learner") {
		t.Errorf("s4's log row while it catches up: %q, want it named s4 learner", h)
	}
	if s := summary(); !strings.Contains(s, "s4 is a learner") || !strings.Contains(s, "A majority is 2 of 3 servers") {
		t.Errorf("the summary while s4 catches up: %q", s)
	}
	p.shot("70-learner-catching-up-1280x800")
	p.until("s4 votes", `document.querySelector('.peer[data-peer="4"]').dataset.standing === "voter"`, 3000)
	if s := summary(); !strings.Contains(s, "A majority is 3 of 4 servers") {
		t.Errorf("the summary once s4 votes: %q", s)
	}
	if ev := js[string](p, `document.querySelector("[data-events]").textContent`); !strings.Contains(ev, "adds s4 as a learner") || !strings.Contains(ev, "s4 has caught up") {
		t.Errorf("the event log does not tell s4's addition: %.400s", ev)
	}
	p.shot("71-s4-votes-1280x800")
	p.do("narrow the window", chromedp.EmulateViewport(390, 844))
	p.shot("71-s4-votes-390x844")
	p.do("widen the window", chromedp.EmulateViewport(1280, 800))

	// The change that made s4 a voter commits within a round trip or two.
	t0 := p.clock()
	p.until("300 ms more", fmt.Sprintf(`Number(document.querySelector("[data-clock]").textContent.replace(/[^0-9]/g, "")) >= %d`, t0+300), 400)
	lead, term := p.leader()
	p.click(fmt.Sprintf(`.peer[data-peer="%d"]`, lead))
	p.poll("the leader's menu", `document.querySelector("[data-popover] [data-do=remove]") !== null`)
	p.shot("72-remove-leader-menu-1280x800")
	p.click("[data-popover] [data-do=remove]")
	p.until("another leader", fmt.Sprintf(`(() => { const l = [...document.querySelectorAll(".peer.leader")].filter((g) => g.dataset.peer !== "%d"); return l.length > 0; })()`, lead), 3000)
	p.until("the old leader out of the cluster", fmt.Sprintf(`document.querySelector('.peer[data-peer="%d"]').dataset.standing === "out"`, lead), 2000)
	if h, want := logHead(lead), fmt.Sprintf("s%d out", lead); !strings.HasPrefix(h, want) {
		t.Errorf("the removed server's log row: %q, want it named %s", h, want)
	}
	if got, gotTerm := p.leader(); got == lead || gotTerm <= term {
		t.Errorf("s%d leads term %d after s%d (term %d) removed itself", got, gotTerm, lead, term)
	}
	if cls := js[string](p, fmt.Sprintf(`document.querySelector('.peer[data-peer="%d"]').getAttribute("class")`, lead)); strings.Contains(cls, "leader") {
		t.Errorf("the removed s%d is still drawn %q", lead, cls)
	}
	if s := summary(); !strings.Contains(s, "A majority is 2 of 3 servers") {
		t.Errorf("the summary after the leader's removal: %q", s)
	}
	if ev := js[string](p, `document.querySelector("[data-events]").textContent`); !strings.Contains(ev, "removes itself") || !strings.Contains(ev, "steps down") {
		t.Errorf("the event log does not tell the leader's removal: %.400s", ev)
	}
	// Beside Add a server, how the cluster differs from the setup's three.
	want := fmt.Sprintf("s%d out of the cluster, s4 added; New run starts with 3 servers.", lead)
	if lead == 4 {
		want = "s4 out of the cluster; New run starts with 3 servers."
	}
	if note := js[string](p, `document.querySelector("[data-setup-note]").textContent`); note != want {
		t.Errorf("the note under the setup: %q, want %q", note, want)
	}
	// That note, two lines, and Add a server are in view in the guide.
	if cut := js[[]string](p, membershipCut); len(cut) > 0 {
		t.Errorf("at 1280x800, the leader removed: %q", cut)
	}
	p.shot("73-leader-removed-1280x800")
	p.do("narrow the window", chromedp.EmulateViewport(390, 844))
	p.shot("73-leader-removed-390x844")
}
