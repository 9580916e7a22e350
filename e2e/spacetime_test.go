package e2e

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// nowShown says, in words, what is wrong with how the diagram marks the
// instant ms: where its line across sits on the diagram's axis, and
// whether it is in view and drawn (inside the picture). "" if all is well.
const nowShown = `((ms) => {
	const ticks = [...document.querySelectorAll(".st-time")].map((t) => {
		const s = t.textContent, r = t.getBoundingClientRect();
		return [s.endsWith(" ms") ? parseFloat(s.replace(",", "")) : parseFloat(s) * 1000, r.top + r.height / 2];
	});
	if (ticks.length < 2) return "fewer than two times on the axis";
	const [a, b] = [ticks[0], ticks.at(-1)];
	const line = document.querySelector(".st-now").getBoundingClientRect();
	const at = a[0] + ((line.top - a[1]) * (b[0] - a[0])) / (b[1] - a[1]);
	const view = document.querySelector("[data-st-scroll]").getBoundingClientRect();
	const pic = document.querySelector("[data-st-svg]").getBoundingClientRect();
	const out = [];
	if (Math.abs(at - ms) > 2) out.push("the line across is at " + at.toFixed(0) + " ms on the axis");
	if (line.top < view.top || line.top > view.bottom) out.push("the line across is out of view (" + line.top.toFixed(0) + " px; the view " + view.top.toFixed(0) + " to " + view.bottom.toFixed(0) + ")");
	if (line.top > pic.bottom) out.push("the line across is below the picture's foot (" + line.top.toFixed(0) + " px, the foot " + pic.bottom.toFixed(0) + ")");
	return out.join("; ");
})`

// The space-time diagram follows each Step at once (the new instant marked
// and in view), and draws, at a paused instant, the very messages the
// ring shows in flight (the same ids, counted), with the run's earlier
// messages above them; a click on an arrow selects the message in the ring
// and a click in the ring selects the arrow; the SVG it saves opens as a
// picture with every arrow in it; playing, it shows the last seconds,
// paused the whole run.
func TestSpaceTimeDiagram(t *testing.T) {
	p := openAt(t, "?peers=3&seed=1&paused=1", 1280, 800)
	p.click("[data-tab=diagram]")
	p.until("a leader and its first AppendEntries", `document.querySelector(".peer.leader") !== null`, 3000)
	// Each Step (the button, the key) shows its new instant at once: the
	// line across at that time on the diagram's axis, in view, drawn.
	for i := 0; i < 6; i++ {
		before := js[string](p, `document.getElementById("playground").dataset.seq`)
		if i%2 == 0 {
			p.click("[data-step]")
		} else {
			p.do("press .", chromedp.KeyEvent("."))
		}
		p.poll("the step to show", fmt.Sprintf(`document.getElementById("playground").dataset.seq !== %q`, before))
		js[bool](p, twoFrames)
		clock := p.clock()
		if where := js[string](p, fmt.Sprintf("%s(%d)", nowShown, clock)); where != "" {
			t.Errorf("step %d, to %d ms: %s", i+1, clock, where)
		}
	}
	p.stepUntil("two messages in flight", `document.querySelectorAll("[data-messages] .msg[data-id]").length >= 2`, 200)
	ring := js[[]int](p, `[...document.querySelectorAll("[data-messages] .msg[data-id]")].map((g) => Number(g.dataset.id)).sort((a, b) => a - b)`)
	drawn := js[[]int](p, `[...document.querySelectorAll(".st-msg.inflight")].map((g) => Number(g.dataset.id)).sort((a, b) => a - b)`)
	if !slices.Equal(ring, drawn) {
		t.Fatalf("in flight: the ring shows %v, the diagram %v", ring, drawn)
	}
	all := js[int](p, `document.querySelectorAll(".st-msg").length`)
	if all <= len(drawn) {
		t.Errorf("%d arrows for %d messages in flight: the run's earlier messages are missing", all, len(drawn))
	}
	for what, sel := range map[string]string{
		"a line per server":     `.st-line`,
		"a leader's election":   `.st-mark.leader`,
		"a commit":              `.st-mark.commit`,
		"the current instant":   `.st-now`,
		"a delivered arrowhead": `.st-msg:not(.inflight) .st-arrow[marker-end]`,
	} {
		if !js[bool](p, fmt.Sprintf(`document.querySelector(%q) !== null`, sel)) {
			t.Errorf("the diagram has no %s (%s)", what, sel)
		}
	}
	if got := js[string](p, `document.querySelector("[data-st-span]").textContent`); !strings.HasPrefix(got, "the whole run: ") && !strings.HasSuffix(got, " in view") {
		t.Errorf("paused, the diagram says %q, want the whole run", got)
	}
	p.shot("70-diagram-1280x800")

	// From the diagram to the ring: an arrow in flight that no other
	// covers where the click lands.
	first := js[int](p, `(() => {
		for (const g of document.querySelectorAll(".st-msg.inflight")) {
			const r = g.querySelector(".st-hit").getBoundingClientRect();
			const at = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
			if (at && at.closest(".st-msg") === g) return Number(g.dataset.id);
		}
		return 0;
	})()`)
	if first == 0 {
		t.Fatal("every arrow in flight is covered by another")
	}
	second := ring[0]
	if second == first {
		second = ring[1]
	}
	p.click(fmt.Sprintf(`.st-msg[data-id="%d"] .st-hit`, first))
	if got := js[int](p, `Number((document.querySelector("[data-messages] .msg.selected") || {dataset: {id: 0}}).dataset.id)`); got != first {
		t.Errorf("clicked arrow %d in the diagram; the ring selected %d", first, got)
	}
	// From the ring to the diagram, once the message's card is closed.
	p.do("close the card", chromedp.KeyEvent(kb.Escape))
	p.poll("the card to close", `document.querySelector("[data-popover]").hidden`)
	p.click(fmt.Sprintf(`[data-messages] .msg[data-id="%d"]`, second))
	if got := js[int](p, `Number((document.querySelector(".st-msg.selected") || {dataset: {id: 0}}).dataset.id)`); got != second {
		t.Errorf("clicked message %d in the ring; the diagram selected %d", second, got)
	}
	p.do("close the card", chromedp.KeyEvent(kb.Escape))

	// The SVG it saves opens, with an arrow for each message drawn.
	p.do("catch the download", chromedp.Evaluate[chromedp.Void](`(() => {
		const make = URL.createObjectURL;
		URL.createObjectURL = (b) => { window.savedBlob = b; return make(b); };
	})()`))
	p.click("[data-st-save]")
	got := js[[]int](p, `(async () => {
		const text = await window.savedBlob.text();
		const doc = new DOMParser().parseFromString(text, "image/svg+xml");
		if (doc.querySelector("parsererror")) return [0, 0];
		const img = new Image();
		img.src = URL.createObjectURL(new Blob([text], { type: "image/svg+xml" }));
		await img.decode();
		return [img.naturalWidth, doc.querySelectorAll("g[data-id] > line").length / 2];
	})()`)
	if got[0] == 0 || got[1] != all {
		t.Errorf("the saved SVG: %d px wide, %d arrows; want a picture with %d arrows", got[0], got[1], all)
	}

	// Playing, the last seconds; paused again, the whole run.
	p.click("[data-play]")
	p.poll("the diagram to follow the run", `document.querySelector("[data-st-span]").textContent.startsWith("the last")`)
	p.pause()
	p.poll("the whole run again", `/^the whole run: |of .* in view$/.test(document.querySelector("[data-st-span]").textContent)`)
	p.do("narrow the window", chromedp.EmulateViewport(390, 844))
	p.click("[data-tab=diagram]")
	p.shot("71-diagram-390x844")
	if js[bool](p, `document.documentElement.scrollWidth > innerWidth`) {
		t.Error("at 390 px the page scrolls sideways")
	}
	p.checkConsole()
}
