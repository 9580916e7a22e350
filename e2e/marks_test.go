package e2e

import (
	"fmt"
	"testing"
)

// marksOnLabels lists, in words, the marks drawn in the ring that cover a
// server's label: each loss's burst and each message's entry count that
// shows (sel picks which: ".bursts .burst-ring" or ".msg-count").
const marksOnLabels = `((sel) => {
	const meets = (a, b) => Math.min(a.right, b.right) > Math.max(a.left, b.left) && Math.min(a.bottom, b.bottom) > Math.max(a.top, b.top);
	const labels = [...document.querySelectorAll(".peer-info")];
	const out = [];
	for (const el of document.querySelectorAll(sel)) {
		if (!el.checkVisibility({ opacityProperty: true, visibilityProperty: true }) || el.textContent === "" && el.tagName === "text") continue;
		const r = el.getBoundingClientRect();
		for (const l of labels) if (meets(r, l.getBoundingClientRect())) out.push(sel + " " + JSON.stringify(el.textContent) + " at " + [r.left, r.top].map(Math.round) + " over s" + l.dataset.peer + "'s " + [...l.querySelectorAll("tspan")].map((t) => t.textContent).join(" / "));
	}
	return out;
})`

// shownBursts is the number of losses marked on the ring.
const shownBursts = `[...document.querySelectorAll(".bursts .burst")].filter((el) => el.checkVisibility({ opacityProperty: true, visibilityProperty: true })).length`

// A lost message's mark and a message's entry count never cover a
// server's label, in the lessons' steps where a student saw them do it.
func TestMarksOffLabels(t *testing.T) {
	for _, c := range []struct {
		lesson string
		step   int
	}{{"figure8", 5}, {"figure8", 8}, {"restriction", 5}, {"election", 6}, {"partition", 4}, {"lock", 2}} {
		for _, w := range []int64{1280, 390} {
			t.Run(fmt.Sprintf("%s-%d-%d", c.lesson, c.step, w), func(t *testing.T) {
				p := openAt(t, fmt.Sprintf("?lesson=%s&step=%d", c.lesson, c.step), w, map[int64]int64{1280: 800, 390: 844}[w])
				p.set("[data-speed]", "9")
				p.playStep()
				for _, sel := range []string{".bursts .burst-ring", ".msg-count"} {
					if over := js[[]string](p, fmt.Sprintf("%s(%q)", marksOnLabels, sel)); len(over) > 0 {
						t.Errorf("%d marks over labels at %d ms: %q", len(over), p.clock(), over)
					}
				}
				p.shot(fmt.Sprintf("34-marks-%s-%d-%d", c.lesson, c.step, w))
			})
		}
	}
}

// A loss is marked for a short span of simulated time: paused, a step
// that shows a loss shows its mark, and 100 ms later it is gone, however
// fast the page got there.
func TestLossMarkFades(t *testing.T) {
	p := openAt(t, "?lesson=figure8&step=5", 1280, 800)
	p.set("[data-speed]", "9")
	p.playStep() // s5 is down: the leader's messages to it are lost
	p.stepUntil("a loss marked", shownBursts+" > 0", 200)
	js[bool](p, `(window.__shown = [...document.querySelectorAll(".bursts .burst")].filter((el) => el.checkVisibility({ opacityProperty: true, visibilityProperty: true }))).length > 0`)
	before := p.clock()
	p.click("[data-skip]")
	p.poll("the clock to advance", fmt.Sprintf(`Number(document.querySelector("[data-clock]").textContent.replace(/[^0-9]/g, "")) >= %d`, before+100))
	if n := js[int](p, `window.__shown.filter((el) => el.isConnected && el.checkVisibility({ opacityProperty: true, visibilityProperty: true })).length`); n > 0 {
		t.Errorf("%d losses marked at %d ms still marked at %d ms", n, before, p.clock())
	}
	p.shot("34-loss-faded")
}

// markersCut lists, in words, the leader's markers in the logs ("▼ next",
// "▲ match") that are cut off by their row or cover an entry, and the
// entries whose lines are cut.
const markersCut = `(() => {
	const meets = (a, b) => Math.min(a.right, b.right) > Math.max(a.left, b.left) + 0.5 && Math.min(a.bottom, b.bottom) > Math.max(a.top, b.top) + 0.5;
	const out = [];
	for (const m of document.querySelectorAll(".log-row .marker")) {
		if (!m.checkVisibility()) continue;
		const row = m.closest(".log-row"), r = m.getBoundingClientRect(), rr = row.getBoundingClientRect();
		const name = row.querySelector(".log-head strong").textContent + "'s " + JSON.stringify(m.textContent);
		if (r.top < rr.top - 0.5 || r.bottom > rr.bottom + 0.5) out.push(name + " cut by its row: " + [r.top, r.bottom].map(Math.round) + " in " + [rr.top, rr.bottom].map(Math.round));
		for (const c of row.querySelectorAll(".log-cell:not(.empty), .log-snap")) if (meets(r, c.getBoundingClientRect())) out.push(name + " over " + JSON.stringify(c.textContent));
	}
	// And the entries keep their lines whole in the room left them.
	for (const c of document.querySelectorAll(".log-row .log-cell:not(.empty)")) if (c.scrollHeight > c.clientHeight + 1) out.push("entry " + JSON.stringify(c.textContent) + " cut: " + c.scrollHeight + " px in " + c.clientHeight);
	return out;
})()`

// The leader's markers in the logs are read whole, clear of the entries,
// in the lessons' steps where a student saw them cut or overlapping.
func TestLogMarkersClear(t *testing.T) {
	for _, c := range []struct {
		lesson string
		step   int
	}{{"replication", 5}, {"snapshots", 7}, {"figure8", 7}, {"partition", 4}} {
		for _, w := range []int64{1280, 390} {
			t.Run(fmt.Sprintf("%s-%d-%d", c.lesson, c.step, w), func(t *testing.T) {
				p := openAt(t, fmt.Sprintf("?lesson=%s&step=%d", c.lesson, c.step), w, map[int64]int64{1280: 800, 390: 844}[w])
				p.set("[data-speed]", "9")
				p.playStep()
				if n := js[int](p, `[...document.querySelectorAll(".log-row .marker")].filter((m) => m.checkVisibility()).length`); n == 0 {
					t.Fatal("no markers shown")
				}
				if cut := js[[]string](p, markersCut); len(cut) > 0 {
					t.Errorf("%d markers cut or over entries at %d ms: %q", len(cut), p.clock(), cut)
				}
				p.shot(fmt.Sprintf("34-markers-%s-%d-%d", c.lesson, c.step, w))
			})
		}
	}
}
