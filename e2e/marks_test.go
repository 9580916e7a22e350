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
