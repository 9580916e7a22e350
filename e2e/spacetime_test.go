package e2e

import (
	"fmt"
	"slices"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The space-time diagram draws, at a paused instant, the very messages the
// ring shows in flight (the same ids, counted), with the run's earlier
// messages above them; a click on an arrow selects the message in the ring
// and a click in the ring selects the arrow; the SVG it saves opens as a
// picture with every arrow in it; playing, it shows the last seconds,
// paused the whole run.
func TestSpaceTimeDiagram(t *testing.T) {
	p := openAt(t, "?peers=3&seed=1&paused=1", 1280, 800)
	p.click("[data-tab=diagram]")
	p.until("a leader and its first AppendEntries", `document.querySelector(".peer.leader") !== null`, 3000)
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
	if got := js[string](p, `document.querySelector("[data-st-span]").textContent`); got == "" || got[:9] != "the whole" {
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
	p.poll("the whole run again", `document.querySelector("[data-st-span]").textContent.startsWith("the whole run")`)
	p.do("narrow the window", chromedp.EmulateViewport(390, 844))
	p.click("[data-tab=diagram]")
	p.shot("71-diagram-390x844")
	if js[bool](p, `document.documentElement.scrollWidth > innerWidth`) {
		t.Error("at 390 px the page scrolls sideways")
	}
	p.checkConsole()
}
