package e2e

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The space-time diagram's zoom, as a student uses it: "+" and "−" (by
// mouse and by keyboard), Ctrl + wheel, and the keys - and + while the
// diagram has the focus. Each step doubles or halves the room between two
// events of the run (the first leader's election and the last commit); the
// moment being looked at stays in place (the current instant when it is
// in view, else the middle of the view; for the wheel, the moment under
// the pointer); paused, scrolling up reveals the run's first events; the zoom stops at a limit either way, with the focus still on
// the button, and never zooms to nothing.
func TestSpaceTimeZoom(t *testing.T) {
	p := openAt(t, "?peers=3&seed=1&paused=1", 1280, 800)
	p.click("[data-tab=diagram]")
	p.until("a leader and two seconds", `document.querySelector(".peer.leader") !== null && Number(document.querySelector("[data-clock]").textContent.replace(/[^0-9]/g, "")) >= 2000`, 4000)

	// gap: on screen, px from the first leader's mark down to the last commit's.
	gap := func() float64 {
		t.Helper()
		return js[float64](p, `(() => {
			const y = (el) => { const r = el.getBoundingClientRect(); return r.top + r.height / 2; };
			const commits = document.querySelectorAll(".st-mark.commit path");
			return y(commits[commits.length - 1]) - y(document.querySelector(".st-mark.leader circle"));
		})()`)
	}
	// inView: the ms of the run the span says fit in the view, paused.
	inView := func() float64 {
		t.Helper()
		text := js[string](p, `document.querySelector("[data-st-span]").textContent`)
		seen, _, ok := strings.Cut(text, " of ")
		if !ok || !strings.HasSuffix(text, " in view") {
			t.Errorf("paused, the diagram says %q: not how much of the run is in view", text)
			return math.NaN()
		}
		return duration(t, seen)
	}
	near := func(what string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1.5 {
			t.Errorf("%s: %.1f px, want %.1f", what, got, want)
		}
	}
	visible := func(sel string) bool {
		return js[bool](p, fmt.Sprintf(`(() => {
			const el = document.querySelector(%q), box = document.querySelector("[data-st-scroll]").getBoundingClientRect();
			const r = el.getBoundingClientRect();
			return r.bottom > box.top && r.top < box.bottom;
		})()`, sel))
	}
	g0 := gap()
	if g0 < 50 {
		t.Fatalf("the leader's mark and the last commit are %.1f px apart", g0)
	}
	v0 := inView()
	if !visible(".st-now") {
		t.Error("paused, the diagram does not show the current instant")
	}

	// The buttons: "+" doubles the room, "−" halves it, and the span says
	// how much of the run the view holds; the current instant stays in view.
	p.click("[data-st-zoom=in]")
	near("zoomed in once", gap(), 2*g0)
	if v := inView(); math.Abs(v-v0/2) > 1 {
		t.Errorf("zoomed in, %.0f ms in view; before, %.0f ms", v, v0)
	}
	if !visible(".st-now") {
		t.Error("zoomed in, the current instant left the view")
	}
	p.click("[data-st-zoom=out]")
	p.click("[data-st-zoom=out]")
	near("zoomed out twice", gap(), g0/2)

	// Scrolling up (the wheel, without Ctrl) reveals the run's first events.
	p.click("[data-st-zoom=in]") // the default zoom again
	if visible(".st-mark.leader circle") {
		t.Fatal("the first leader's mark is in view at 2 s: nothing to scroll to")
	}
	box := js[[]float64](p, `(() => { const r = document.querySelector("[data-st-scroll]").getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; })()`)
	for i := 0; i < 60 && !visible(".st-mark.leader circle"); i++ {
		p.do("scroll up", wheelAt(box[0], box[1], -100))
	}
	if !visible(".st-mark.leader circle") {
		t.Errorf("scrolled up to %.0f px, the first leader's mark is not in view", js[float64](p, `document.querySelector("[data-st-scroll]").scrollTop`))
	}
	for i := 0; i < 60 && js[float64](p, `document.querySelector("[data-st-scroll]").scrollTop`) > 0; i++ {
		p.do("scroll up", wheelAt(box[0], box[1], -100))
	}
	if !js[bool](p, `(() => {
		const zero = [...document.querySelectorAll(".st-time")].find((e) => e.textContent === "0 ms");
		const box = document.querySelector("[data-st-scroll]").getBoundingClientRect(), r = zero ? zero.getBoundingClientRect() : null;
		return r !== null && r.top >= box.top && r.bottom <= box.bottom;
	})()`) {
		t.Error("scrolled to the top, the diagram does not show the run's start (0 ms)")
	}
	near("scrolled, the same zoom", gap(), g0)

	// Zooming while looking at that moment keeps it in view: put the
	// leader's mark in the middle of the view, as a student scrolls to it.
	markAt := func() float64 {
		return js[float64](p, `(() => {
			const r = document.querySelector(".st-mark.leader circle").getBoundingClientRect();
			return r.top + r.height / 2 - document.querySelector("[data-st-scroll]").getBoundingClientRect().top;
		})()`)
	}
	p.do("look at the election", chromedp.Evaluate[chromedp.Void](`(() => {
		const s = document.querySelector("[data-st-scroll]");
		const r = document.querySelector(".st-mark.leader circle").getBoundingClientRect();
		s.scrollTop += r.top + r.height / 2 - s.getBoundingClientRect().top - s.clientHeight / 2;
	})()`))
	mid := markAt()
	p.click("[data-st-zoom=in]")
	near("zoomed in at the election", gap(), 2*g0)
	near("the election's place in the view", markAt(), mid)

	// Ctrl + wheel: a notch zooms one step, about the pointer, and the
	// page itself does not zoom.
	pointer := js[[]float64](p, `(() => { const r = document.querySelector(".st-mark.leader circle").getBoundingClientRect(); return [r.left + r.width / 2 + 20, r.top + r.height / 2]; })()`)
	under := markAt()
	wheel := func(dy float64) chromedp.Action[chromedp.Void] {
		return wheelAt(pointer[0], pointer[1], dy, chromedp.ModifierCtrl)
	}
	p.do("Ctrl + wheel down", wheel(100))
	near("Ctrl + wheel down", gap(), g0)
	near("the election under the pointer", markAt(), under)
	// A pinch on a touchpad comes as many small Ctrl + wheel events: they
	// zoom by what they add up to (here, less than a notch), not a step each.
	for i := 0; i < 8; i++ {
		p.do("pinch", wheelAt(box[0], box[1], -4, chromedp.ModifierCtrl))
	}
	if g := gap(); g > 2*g0+1.5 {
		t.Errorf("a pinch of 8 small events zoomed from %.1f px to %.1f px: more than one step", g0, g)
	}
	p.do("Ctrl + wheel up", wheel(-100))
	near("Ctrl + wheel up", gap(), 2*g0)
	if z := js[float64](p, `visualViewport.scale`); z != 1 {
		t.Errorf("Ctrl + wheel on the diagram zoomed the page to %.2f", z)
	}

	// The limits, by keyboard: Tab to "+", Enter until it stops. The focus
	// stays on the button, which says it can go no further.
	p.do("focus −", chromedp.Evaluate[chromedp.Void](`document.querySelector("[data-st-zoom=out]").focus()`))
	p.do("Tab to +", chromedp.KeyEvent(kb.Tab))
	if !js[bool](p, `document.activeElement === document.querySelector("[data-st-zoom=in]")`) {
		t.Fatal("Tab from − does not reach +")
	}
	for i := 0; i < 12; i++ {
		p.do("press Enter", chromedp.KeyEvent(kb.Enter))
	}
	most := gap()
	if most > 8*g0+2 || most < 4*g0-2 {
		t.Errorf("zoomed in as far as it goes: %.1f px, from %.1f px at the start", most, g0)
	}
	if !js[bool](p, `document.activeElement === document.querySelector("[data-st-zoom=in]")`) {
		t.Errorf("at the zoom's limit the focus left + for %s", js[string](p, `document.activeElement.outerHTML.slice(0, 80)`))
	}
	if got := js[string](p, `String(document.querySelector("[data-st-zoom=in]").getAttribute("aria-disabled"))`); got != "true" {
		t.Errorf("at the limit, + has aria-disabled=%q", got)
	}
	p.shot("92-diagram-zoomed-in-1280x800")
	speed := js[string](p, `document.querySelector("[data-speed]").value`)
	// The keys - and + zoom while the diagram has the focus (elsewhere
	// they set the speed).
	p.do("focus the diagram", chromedp.Evaluate[chromedp.Void](`document.querySelector("[data-st-scroll]").focus()`))
	if !js[bool](p, `document.activeElement === document.querySelector("[data-st-scroll]")`) {
		t.Fatal("the diagram's scrolling area takes no focus: no keyboard to scroll it")
	}
	for i := 0; i < 12; i++ {
		p.do("press -", chromedp.KeyEvent("-"))
	}
	least := gap()
	if least < 1 || least > g0/4+1 {
		t.Errorf("zoomed out as far as it goes: %.1f px, from %.1f px at the start", least, g0)
	}
	if got := js[string](p, `String(document.querySelector("[data-st-zoom=out]").getAttribute("aria-disabled"))`); got != "true" {
		t.Errorf("at the limit, − has aria-disabled=%q", got)
	}
	if got := js[string](p, `document.querySelector("[data-speed]").value`); got != speed {
		t.Errorf("- in the diagram changed the speed from %s to %s", speed, got)
	}
	p.do("press +", chromedp.KeyEvent("+"))
	near("+ in the diagram", gap(), 2*least)

	// Playing, it shows the last moments, and zooming in shows half as long.
	p.do("zoom back", chromedp.Evaluate[chromedp.Void](`(() => { for (let i = 0; i < 3; i++) document.querySelector("[data-st-zoom=in]").click(); })()`))
	p.click("[data-play]")
	p.poll("the diagram to follow the run", `document.querySelector("[data-st-span]").textContent.startsWith("the last")`)
	last := func() float64 {
		return duration(t, strings.TrimPrefix(js[string](p, `document.querySelector("[data-st-span]").textContent`), "the last "))
	}
	before := last()
	p.click("[data-st-zoom=in]")
	if after := last(); math.Abs(after-before/2) > 1 {
		t.Errorf("playing, zoomed in: the last %.0f ms, before the last %.0f ms", after, before)
	}
	p.pause()
	p.poll("the whole run again", `document.querySelector("[data-st-span]").textContent.endsWith(" in view")`)
	wide := inView()
	span := js[string](p, `document.querySelector("[data-st-span]").textContent`)
	// What the view holds reads on one line beside the buttons, in a
	// laptop's dock as in a wider one.
	for _, size := range []struct{ w, h int64 }{{1280, 800}, {1024, 700}} {
		p.do("resize the window", chromedp.EmulateViewport(size.w, size.h))
		js[bool](p, twoFrames)
		if n := js[int](p, textLines+`("[data-st-span]")`); n != 1 {
			t.Errorf("at %dx%d the diagram's %q takes %d lines", size.w, size.h, js[string](p, `document.querySelector("[data-st-span]").textContent`), n)
		}
		p.shot(fmt.Sprintf("92-diagram-paused-%dx%d", size.w, size.h))
	}
	p.do("back to 1280x800", chromedp.EmulateViewport(1280, 800))
	js[bool](p, twoFrames)
	p.do("narrow the window", chromedp.EmulateViewport(390, 844))
	p.do("show the diagram", chromedp.Evaluate[chromedp.Void](`document.querySelector("[data-spacetime]").scrollIntoView()`))
	// Stacked on a phone, the diagram is taller, and says so.
	p.poll("the span to follow the taller view", fmt.Sprintf(`document.querySelector("[data-st-span]").textContent !== %q`, span))
	if narrow := inView(); !(narrow > wide) {
		t.Errorf("at 390 px, %.0f ms in view; at 1280x800, %.0f ms", narrow, wide)
	}
	p.shot("92-diagram-zoomed-in-390x844")
	if js[bool](p, `document.documentElement.scrollWidth > innerWidth`) {
		t.Error("at 390 px the page scrolls sideways")
	}
}

// wheelAt turns the mouse wheel by dy px at x, y, with modifier keys held.
// Chromium asks for both deltas, and the protocol's encoding leaves out a
// zero: the horizontal one is a billionth of a pixel.
func wheelAt(x, y, dy float64, mods ...chromedp.Modifier) chromedp.Action[chromedp.Void] {
	return chromedp.MouseEvent(input.DispatchMouseEventTypeMouseWheel, x, y, chromedp.ButtonModifiers(mods...), func(e *input.DispatchMouseEventParams) {
		e.DeltaX, e.DeltaY = 1e-9, dy
	})
}

// duration reads "94 ms", "1,200 ms" or "2.4 s" as ms.
func duration(t *testing.T, s string) float64 {
	t.Helper()
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	unit := 1.0
	switch {
	case strings.HasSuffix(s, " ms"):
		s = strings.TrimSuffix(s, " ms")
	case strings.HasSuffix(s, " s"):
		s, unit = strings.TrimSuffix(s, " s"), 1000
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("not a duration: %q", s)
	}
	return v * unit
}
