package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/sim"
)

// waitFor polls cond (a JavaScript expression) for up to d of wall time:
// for work that runs in the search worker, in the background.
func (p *page) waitFor(what, cond string, d time.Duration) {
	p.t.Helper()
	ctx, cancel := p.within(d)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](cond, chromedp.WithPollingInterval(100*time.Millisecond))); err != nil {
		p.shot("failed-" + strings.ReplaceAll(what, " ", "-"))
		p.mu.Lock()
		problems := strings.Join(p.problems, "\n")
		p.mu.Unlock()
		state, _ := chromedp.Run(p.ctx, chromedp.Evaluate[string](`[document.querySelector("[data-toast]").textContent, document.querySelector("[data-search-text]").textContent, document.querySelector("[data-violation-title]").textContent].join(" | ")`))
		p.t.Fatalf("waiting for %s: %v\n%s\npage: %s", what, err, problems, state)
	}
}

// A student breaks a rule of the paper and asks for a run where that
// fails: the search runs in a worker (the page keeps answering), the run
// it finds is shown paused a little before the violation, with what is
// about to fail; playing on pauses at the violation, which the checks name
// in the paper's words, with the servers and entries involved outlined.
func TestBreakARuleAndFindACounterexample(t *testing.T) {
	p := openAt(t, "?peers=3&seed=1&paused=1", 1280, 800)
	p.click("[data-tab=checks]")
	p.shot("60-checks-1280x800")
	if got := js[int](p, `document.querySelectorAll("[data-check-list] .check.ok").length`); got != 7 {
		t.Errorf("%d guarantees shown as holding, want 7", got)
	}
	p.set("[data-rule]", "vote-any-log")
	if about := js[string](p, `document.querySelector("[data-rule-about]").textContent`); !strings.Contains(about, "Leader Completeness") {
		t.Errorf("the rule's note %q does not say what it protects", about)
	}
	const searchWasm = `performance.getEntriesByType("resource").some((e) => e.name.includes("raftplay-search"))`
	if js[bool](p, searchWasm) {
		t.Error("the search worker's wasm loaded before a search was asked for")
	}
	p.click("[data-rule-search]")
	p.waitFor("the search to find a run", `document.querySelector("[data-violation-title]").textContent.includes("will fail at")`, 90*time.Second)
	if !js[bool](p, `document.querySelector("[data-search-progress]").hidden`) {
		t.Error("the progress bar stays after the search")
	}
	if js[bool](p, searchWasm) {
		t.Error("the search worker's wasm was fetched by the page, not by the worker")
	}
	title := js[string](p, `document.querySelector("[data-violation-title]").textContent`)
	if !strings.HasPrefix(title, "Leader Completeness will fail at ") {
		t.Fatalf("the found run's title %q, want Leader Completeness", title)
	}
	if g := js[string](p, `document.querySelector("[data-guide]").textContent`); !strings.Contains(g, "The search found this run") {
		t.Errorf("the guide does not say where the run came from: %s", g)
	}
	p.shot("61-counterexample-found-1280x800")
	if p.playing() {
		t.Fatal("the found run plays: it should wait, paused, before the violation")
	}
	p.click("[data-play]")
	p.waitFor("the run to pause at the violation", `document.querySelector("[data-violation-title]").textContent.startsWith("Leader Completeness failed at ")`, 30*time.Second)
	p.waitFor("playback to stop", `document.querySelector("[data-play]").getAttribute("aria-pressed") === "false"`, 5*time.Second)
	at := js[string](p, `document.querySelector("[data-violation-title]").textContent`)
	if !strings.Contains(title, strings.TrimPrefix(strings.Split(at, " failed at ")[1], "")[:5]) {
		t.Errorf("it paused at %q; the search said %q", at, title)
	}
	for what, cond := range map[string]string{
		"the paper's words":         `document.querySelector("[data-violation-quote]").textContent.includes("that entry will be present in the logs of the leaders")`,
		"a server outlined":         `document.querySelector(".peer.culprit") !== null`,
		"an entry outlined":         `document.querySelector(".log-slot.culprit") !== null`,
		"the tab says it":           `document.querySelector("[data-tab=checks]").textContent === "Checks ✗ 1"`,
		"the guarantee crossed out": `document.querySelector('[data-property="leader-completeness"]').classList.contains("broken")`,
	} {
		if !js[bool](p, cond) {
			t.Errorf("at the violation: no %s", what)
		}
	}
	// The tab's mark keeps the dock's tabs on one row, on a laptop as on
	// a phone.
	for _, size := range []struct{ w, h int64 }{{1280, 800}, {1024, 700}, {390, 844}} {
		p.do("resize the window", chromedp.EmulateViewport(size.w, size.h))
		js[bool](p, twoFrames)
		if n := js[int](p, tabRows); n != 1 {
			t.Errorf("at %dx%d, with a check failed, the dock's tabs take %d rows", size.w, size.h, n)
		}
	}
	p.do("back to 1280x800", chromedp.EmulateViewport(1280, 800))
	p.shot("62-violation-1280x800")
	p.do("narrow the window", chromedp.EmulateViewport(390, 844))
	p.shot("63-violation-390x844")
	if js[bool](p, `document.documentElement.scrollWidth > innerWidth`) {
		t.Error("at 390 px the page scrolls sideways")
	}
	// The event log speaks the simulator's words.
	p.click("[data-tab=events]")
	if ev := js[string](p, `document.querySelector("[data-events]").textContent`); !strings.Contains(ev, "Leader Completeness VIOLATED") {
		t.Errorf("the event log does not name the violation: %.300s", ev)
	}
	p.checkConsole()
}

// The clients' history is checked on demand, in the worker: a run that
// keeps every rule holds; one that answers reads locally does not.
func TestCheckTheClientsHistory(t *testing.T) {
	p := openAt(t, "?peers=3&seed=2&paused=1", 1280, 800)
	p.until("a leader", `document.querySelector(".peer.leader") !== null`, 3000)
	p.request("alice", 1, "lock")
	p.request("bob", 2, "read")
	p.until("the read's answer", `[...document.querySelectorAll("li.request")].every((r) => r.dataset.outcome !== "pending")`, 3000)
	p.click("[data-tab=checks]")
	p.click("[data-check-history]")
	p.waitFor("the check", `document.querySelector('[data-property="linearizability"] .check-state').textContent.startsWith("holds for the 2 client operations")`, 60*time.Second)
	p.shot("64-history-holds-1280x800")
	p.checkConsole()
}

// A search shows its progress and can be canceled: the run on screen stays.
func TestCancelASearch(t *testing.T) {
	p := openAt(t, "?peers=3&seed=1&paused=1", 1280, 800)
	seq := js[string](p, `document.getElementById("playground").dataset.seq`)
	p.click("[data-tab=checks]")
	p.set("[data-rule]", "commit-old-terms")
	p.click("[data-rule-search]")
	p.waitFor("the search's progress", `/^Searching: [1-9]/.test(document.querySelector("[data-search-text]").textContent)`, 60*time.Second)
	p.click("[data-search-cancel]")
	p.waitFor("the cancel", `document.querySelector("[data-toast]").textContent === "Search canceled."`, 10*time.Second)
	if !js[bool](p, `document.querySelector("[data-search-progress]").hidden && document.querySelector("[data-search-cancel]").hidden`) {
		t.Error("the progress bar or the Cancel button stays after canceling")
	}
	if now := js[string](p, `document.getElementById("playground").dataset.seq`); now != seq {
		t.Errorf("canceling a search changed the run on screen: seq %s, was %s", now, seq)
	}
	p.checkConsole()
}

// With the Checks tab open, pausing a run that played checks the clients'
// history by itself: no button to press.
func TestHistoryCheckedAtPause(t *testing.T) {
	p := openAt(t, "?peers=3&seed=2&paused=1", 1280, 800)
	p.until("a leader", `document.querySelector(".peer.leader") !== null && !document.querySelector("[data-summary]").textContent.includes("heard")`, 3000)
	p.click("[data-tab=checks]")
	p.request("alice", 1, "lock")
	p.request("bob", 2, "lock")
	p.click("[data-play]")
	p.waitFor("both answers", `[...document.querySelectorAll("li.request")].every((r) => r.dataset.outcome !== "pending")`, 60*time.Second)
	p.click("[data-play]")
	p.waitFor("the check at the pause", `document.querySelector('[data-property="linearizability"] .check-state').textContent.startsWith("holds for the 2 client operations")`, 60*time.Second)
	p.checkConsole()
}

// A share link to an instant after a violation (raftsim -break ... -link
// makes such links) opens with the broken property crossed out and
// explained, though the page's events begin long after the event that
// broke it: the window of recent events no longer holds it. Before, every
// check said "holds".
func TestShareLinkPastAViolation(t *testing.T) {
	o := sim.DefaultCampaign(3)
	o.Broken = raft.Break(raft.VoteAnyLog)
	res, err := sim.RunCampaign(3, o, 0)
	if err != nil || len(res.Violations) == 0 {
		t.Fatalf("campaign: %v, %d violations", err, len(res.Violations))
	}
	first := res.Violations[0]
	at := first.Time + 2000 // thousands of events later
	p := openURL(t, link(t, res.Sim.Definition(), at), chromedp.EmulateViewport(1280, 800))
	if got := p.clock(); got != int(at) {
		t.Fatalf("the page shows %d ms, want the link's %d", got, at)
	}
	p.poll("Leader Completeness crossed out", `document.querySelector('[data-property="leader-completeness"]').classList.contains("broken")`)
	if got := js[string](p, `document.querySelector('[data-property="leader-completeness"] .check-state').textContent`); !strings.Contains(got, fmt.Sprintf("%s ms", thousands(int(first.Time)))) {
		t.Errorf("Leader Completeness says %q, want it broken first at %d ms", got, first.Time)
	}
	if title := js[string](p, `document.querySelector("[data-violation-title]").textContent`); !strings.Contains(title, "Leader Completeness") {
		t.Errorf("the violation shown is %q, want the first one, Leader Completeness", title)
	}
	p.shot("63-share-link-past-a-violation-1280x800")
}
