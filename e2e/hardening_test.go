package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/raftplay/raftplay/raft/sim"
	"github.com/raftplay/raftplay/raft/sim/fixture"
)

// link is the share link of a definition at instant t, as the page's Copy
// link button makes it (web/js/share.js).
func link(t *testing.T, def sim.Definition, at int64) string {
	return fmt.Sprintf("%s#run=%s&t=%d", baseURL, packRun(t, string(def.AppendJSON(nil))), at)
}

// wasm runs a raftplay call in the page and returns its answer as JSON.
func wasm(p *page, call string) string {
	return js[string](p, `raftplay.`+call+`.then((r) => JSON.stringify(r))`)
}

// The share link of issue 9 (fixture.Hostile: five servers on 1 ms ticks,
// a network that duplicates and reorders every message, a snapshot per
// entry, the campaign's faults) used to leave the page at "Replaying the
// shared run: 95%" until the tab ran out of memory. It replays with its
// progress shown, the page becomes ready at the link's instant, and the
// simulator answers.
func TestHostileShareLink(t *testing.T) {
	p := openWithin(t, link(t, fixture.Hostile(), fixture.HostileEndMs), 3*time.Minute)
	if p.playing() {
		t.Error("a shared instant should open paused")
	}
	if got := p.clock(); got != fixture.HostileEndMs {
		t.Errorf("the page shows %d ms, want the link's %d", got, fixture.HostileEndMs)
	}
	if !js[bool](p, `document.querySelector("[data-halted]").hidden && document.querySelector("[data-work]").hidden`) {
		t.Error("a run that replayed to its end shows a halt or a progress bar")
	}
	if st := wasm(p, "status()"); !strings.Contains(st, fmt.Sprintf(`"time":%d`, fixture.HostileEndMs)) || !strings.Contains(st, `"halted":""`) {
		t.Errorf("raftplay.status() = %s", st)
	}
	p.shot("11-hostile-link")
	before := js[string](p, `document.getElementById("playground").dataset.seq`)
	p.click("[data-step]")
	p.poll("the step to show", fmt.Sprintf(`document.getElementById("playground").dataset.seq !== %q`, before))
}

// While a long replay runs, the page shows how far it got and a Cancel
// button; canceling leaves a working page: a new run, and a note that says
// what happened.
func TestCancelSharedReplay(t *testing.T) {
	tab, cancel := chromedp.NewContext(browser)
	defer cancel()
	if err := chromedp.Do(tab); err != nil {
		t.Fatal(err)
	}
	p := &page{t: t, ctx: tab}
	p.do("open the link", chromedp.Navigate(link(t, fixture.Hostile(), fixture.HostileEndMs)))
	p.poll("the replay's progress", `!document.querySelector("[data-work]").hidden &&
		/^Replaying the shared run to 17,000 ms: \d+%$/.test(document.querySelector("[data-work-text]").textContent)`)
	p.shot("12-replay-progress")
	p.click("[data-work-cancel]")
	p.poll("the page to be ready", `document.getElementById("playground").dataset.state === "ready"`)
	p.pause()
	if !js[bool](p, `document.querySelector("[data-work]").hidden`) {
		t.Error("the progress bar stays after the cancel")
	}
	if toast := js[string](p, `document.querySelector("[data-toast]").textContent`); !strings.Contains(toast, "canceled the shared run's replay") {
		t.Errorf("the notice says %q", toast)
	}
	if st := wasm(p, "status()"); !strings.Contains(st, `"run":1,`) || !strings.Contains(st, `"halted":""`) {
		t.Errorf("after the cancel, raftplay.status() = %s, want the page's first run", st)
	}
	before := js[string](p, `document.getElementById("playground").dataset.seq`)
	p.click("[data-step]")
	p.poll("the step to show", fmt.Sprintf(`document.getElementById("playground").dataset.seq !== %q`, before))
}

// A run whose messages outnumber the simulator's limit stops where it met
// it, and the page says so next to the cluster; everything up to there
// can still be read, actions are refused with the reason, and Back works.
func TestRunStopsAtTheLimit(t *testing.T) {
	c := sim.DefaultConfig()
	c.Peers, c.TickMs, c.HeartbeatMs, c.ElectionMinMs, c.ElectionMaxMs = 9, 1, 2, 3, 6
	c.Net = sim.Link{LatencyMinMs: 10_000, LatencyMaxMs: 10_000}
	p := openWithin(t, link(t, sim.Definition{Config: c, Seed: 1}, 5000), time.Minute)
	halted := js[string](p, `(() => { const h = document.querySelector("[data-halted]"); return h.hidden ? "" : h.textContent; })()`)
	if !strings.Contains(halted, "The run stopped at") || !strings.Contains(halted, "more than the limit of 10000") {
		t.Fatalf("the page shows %q", halted)
	}
	at := p.clock()
	if at == 0 || at >= 5000 {
		t.Fatalf("the clock shows %d ms", at)
	}
	if toast := js[string](p, `document.querySelector("[data-toast]").textContent`); strings.Contains(toast, "5,000") || !strings.Contains(toast, thousands(at)+" ms, where it stopped") {
		t.Errorf("the notice says %q: want the instant where the run stopped, %d ms, not the link's 5,000", toast, at)
	}
	// Of its 10,000 messages in flight the ring draws the oldest few
	// hundred, and says how many more there are.
	drawn := js[[]int](p, `raftplay.snapshot().then((s) => [document.querySelectorAll(".msg[data-id]").length, s.messages.length, Math.min(...s.messages.map((m) => m.id)), Math.min(...[...document.querySelectorAll(".msg[data-id]")].map((g) => Number(g.dataset.id)))])`)
	note := js[string](p, `(() => { const n = document.querySelector("[data-undrawn]"); return n.hidden ? "" : n.textContent; })()`)
	if drawn[1] <= 10000 || drawn[0] != 400 || drawn[2] != drawn[3] {
		t.Errorf("%d messages drawn of %d in flight (the oldest drawn: %d, in flight: %d): want the 400 oldest", drawn[0], drawn[1], drawn[3], drawn[2])
	}
	if want := thousands(drawn[1]-drawn[0]) + " more messages in flight are not drawn"; !strings.Contains(note, want) {
		t.Errorf("the ring's note says %q, want %q", note, want)
	}
	p.shot("13-run-stopped")
	p.click("[data-play]")
	p.poll("play to stop", `document.querySelector("[data-play]").getAttribute("aria-pressed") === "false"`)
	if got := p.clock(); got != at {
		t.Errorf("the clock moved from %d to %d ms on a stopped run", at, got)
	}
	p.do("send a request", chromedp.Click(chromedp.CSS(`[data-client-form] button[data-op="lock"]`)))
	p.poll("the refusal", `document.querySelector("[data-toast]").textContent.includes("more than the limit")`)
	p.click("[data-back]")
	p.poll("the clock to go back", fmt.Sprintf(`Number(document.querySelector("[data-clock]").textContent.replace(/[^0-9]/g, "")) < %d`, at))
	if !js[bool](p, `document.querySelector("[data-halted]").hidden`) {
		t.Error("the notice stays after going back to before the limit")
	}
	if n := js[int](p, `raftplay.snapshot().then((s) => s.messages.length)`); n <= 400 && !js[bool](p, `document.querySelector("[data-undrawn]").hidden`) {
		t.Errorf("with %d messages in flight, the note on messages not drawn stays", n)
	}
}
