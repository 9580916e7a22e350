package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The guided lessons (issue 11), played through the page as a student
// does, in one tab: the picker starts the first lesson; Play, then → (or
// Next), to the end of each, the clock stopping at each step's end; the
// last step offers the next lesson; the last three lessons with reduced
// motion. One question answered wrong and one right. Screenshots of each
// lesson's first and last step at 1280x800 and 390 wide.
func TestLessonsPlay(t *testing.T) {
	p := openAt(t, "", 1280, 800)
	index := js[[]struct{ Name, Title string }](p, `fetch("lessons/index.json").then((r) => r.json())`)
	if len(index) != 10 {
		t.Fatalf("%d lessons on offer, want 10", len(index))
	}
	if n := js[int](p, `document.querySelectorAll("[data-lesson-pick] option:not([value=''])").length`); n != len(index) {
		t.Errorf("the picker offers %d lessons, want %d", n, len(index))
	}
	p.set("[data-speed]", "9") // 10x: the steps are what is tested, not the pace
	p.set("[data-lesson-pick]", index[0].Name)
	p.click("[data-lesson-picker] button")
	for i, l := range index {
		if i == len(index)-3 {
			// The last three lessons with reduced motion asked for: each
			// step is shown played at once, and the lesson goes on the same.
			p.do("ask for reduced motion", reducedMotion())
		}
		p.poll("lesson "+l.Name, fmt.Sprintf(`document.querySelector(".lesson-title").textContent === %q && document.querySelector("[data-lesson]").dataset.step === "1"`, l.Title))
		if got := js[string](p, `document.querySelector(".lesson-kicker").textContent`); got != fmt.Sprintf("Lesson %d of %d", i+1, len(index)) {
			t.Errorf("%s: kicker %q", l.Name, got)
		}
		if q := p.location(); !strings.Contains(q, "lesson="+l.Name+"&step=1") {
			t.Errorf("%s: the address says %s", l.Name, q)
		}
		steps := js[int](p, `document.querySelectorAll(".lesson-steps button").length`)
		if steps < 5 || steps > 15 {
			t.Errorf("%s: %d steps", l.Name, steps)
		}
		for n := 1; n <= steps; n++ {
			if n == 1 {
				p.lessonShots(fmt.Sprintf("lesson-%d-%s-first", i+1, l.Name))
			}
			p.checkStepStart(n)
			if shown := js[bool](p, `(() => { const s = document.querySelector("[data-lesson-summary]"); return !s.hidden && s.textContent !== ""; })()`); shown != (n == 1) {
				t.Errorf("%s step %d: the lesson's summary shown: %v, want it above step 1 only", l.Name, n, shown)
			}
			if l.Name == "lock" && (n == 3 || n == 5) {
				p.click(`[data-lesson-question] input[data-option="1"]`) // "error": wrong at step 3, right at step 5
			}
			if i >= len(index)-3 && !js[bool](p, `document.querySelector("[data-lesson-play]").hidden`) {
				if got := js[string](p, `document.querySelector("[data-lesson-play]").textContent`); got != "Show what happens" {
					t.Errorf("%s step %d with reduced motion: the play button says %q", l.Name, n, got)
				}
			}
			p.playStep()
			if l.Name == "lock" {
				switch verdict := js[string](p, `document.querySelector("[data-lesson-result]").dataset.verdict || ""`); {
				case n == 3 && verdict != "wrong", n == 5 && verdict != "right":
					t.Errorf("lock step %d: verdict %q after answering error", n, verdict)
				}
			}
			if n < steps {
				p.press("ArrowRight")
				p.poll("the next step", fmt.Sprintf(`document.querySelector("[data-lesson]").dataset.step === "%d"`, n+1))
			}
		}
		if got := js[string](p, `document.querySelector("[data-lesson-result]").textContent`); !strings.Contains(got, "End of the lesson") {
			t.Errorf("%s: the last step's result says %q", l.Name, got)
		}
		p.lessonShots(fmt.Sprintf("lesson-%d-%s-last", i+1, l.Name))
		if i+1 < len(index) {
			p.click("[data-lesson-next-lesson]")
		}
	}
}

// With reduced motion asked for, a step is shown played at once, without
// moving messages.
func TestLessonReducedMotion(t *testing.T) {
	p := openURL(t, baseURL+"?lesson=election&step=2", reducedMotion(), chromedp.EmulateViewport(1280, 800))
	if got := js[string](p, `document.querySelector("[data-lesson-play]").textContent`); got != "Show what happens" {
		t.Errorf("the play button says %q", got)
	}
	if got := js[string](p, `document.getElementById("playground").dataset.lessonMsgs`); got != "vote" {
		t.Errorf("step 2 names RequestVote; the ring marks messages %q, want vote", got)
	}
	p.checkStepStart(2)
	p.playStep()
	if p.playing() {
		t.Error("the run plays on after the step was shown")
	}
	if got := js[string](p, `document.querySelector("[data-lesson-said]").getAttribute("aria-live") + " " + document.querySelector("[data-lesson-result]").getAttribute("aria-live")`); got != "polite polite" {
		t.Errorf("captions and results are live regions %q, want polite", got)
	}
	// The client panel's hint does not invite a student to leave the
	// lesson unawares; once exploring, it suggests requests again.
	hint := func() string {
		return js[string](p, `getComputedStyle(document.querySelector(".requests"), "::before").content`)
	}
	if h := hint(); !strings.Contains(h, "takes the run off the lesson's path") {
		t.Errorf("in a lesson, the client panel's hint says %s", h)
	}
	p.click("[data-lesson-explore]")
	p.poll("the lesson left", `document.querySelector("[data-lesson]").hidden`)
	if h := hint(); !strings.Contains(h, "Try: alice sends lock to s1") {
		t.Errorf("exploring, the client panel's hint says %s", h)
	}
}

// A link to a step opens it; the keyboard goes back and on; touching the
// run offers the way back; Explore from here leaves the lesson with the run
// where it is, and Step, Back and share links go on working; a reload
// comes back to the same step.
func TestLessonExplore(t *testing.T) {
	p := openAt(t, "?lesson=partition&step=3", 1280, 800)
	if got := js[string](p, `document.querySelector("[data-lesson]").dataset.step`); got != "3" {
		t.Fatalf("opened at step %s, want 3", got)
	}
	if got := js[string](p, `document.querySelector("[data-lesson-caption]").textContent`); !strings.Contains(got, "bob sends lock to s1") {
		t.Errorf("step 3's caption: %q", got)
	}
	if got := js[string](p, `[...document.querySelectorAll("[data-lesson-caption] .lesson-server")].map((s) => s.textContent).join(" ")`); got != "s1 s2 s3 s4 s5" {
		t.Errorf("the caption marks the servers %q", got)
	}
	if got := js[string](p, `document.getElementById("playground").dataset.lessonServers`); got != "1 2 3 4 5" {
		t.Errorf("the ring marks the servers %q", got)
	}
	if got := js[string](p, `[...document.querySelectorAll(".index-row .lesson-mark")].map((s) => s.textContent).join(" ")`); got != "3" {
		t.Errorf("the logs mark the columns %q, want entry 3's", got)
	}
	// Step 3 plays until a leader is elected, which says who wins: with a
	// question on show, the panel does not say it.
	if got := js[string](p, `(() => { const u = document.querySelector(".lesson-until"); return u.hidden ? "" : u.textContent; })()`); got != "" {
		t.Errorf("under a question, the panel says %q", got)
	}
	p.checkStepStart(3)
	p.press("ArrowRight")
	p.poll("step 4", `document.querySelector("[data-lesson]").dataset.step === "4"`)
	step4 := p.location()
	if !strings.Contains(step4, "lesson=partition") || !strings.Contains(step4, "step=4") {
		t.Errorf("the address says %s at step 4", step4)
	}
	p.press("ArrowLeft")
	p.poll("step 3", `document.querySelector("[data-lesson]").dataset.step === "3"`)
	p.set("[data-speed]", "9")
	p.playStep()
	if v := js[string](p, `document.querySelector("[data-lesson-result]").dataset.verdict`); v != "shown" {
		t.Errorf("unanswered, the result is %q, want the answer shown", v)
	}

	// Touching the run: a request from the client panel.
	p.request("eve", 2, "lock")
	p.poll("the offer to go back", `!document.querySelector("[data-lesson-touched]").hidden`)
	p.click("[data-lesson-restore]")
	p.poll("the step again", `document.querySelector("[data-lesson-touched]").hidden && document.querySelector("[data-lesson]").dataset.state === "start"`)
	p.checkStepStart(3)

	// Explore from here, halfway through the step.
	p.click("[data-step]") // the toolbar's Step: one event on
	p.poll("a step", `Number(document.querySelector("[data-clock]").textContent.replace(/[^0-9]/g, "")) > Number(document.querySelector("[data-lesson]").dataset.start)`)
	at := p.clock()
	p.click("[data-lesson-explore]")
	p.poll("the lesson to close", `document.querySelector("[data-lesson]").hidden`)
	if p.clock() != at {
		t.Errorf("exploring moved the run from %d to %d ms", at, p.clock())
	}
	loc := p.location()
	if strings.Contains(loc, "lesson=") || !strings.Contains(loc, "#run=") {
		t.Errorf("after exploring the address is %s: want a link to this run, not to the lesson", loc)
	}
	before := js[string](p, `document.getElementById("playground").dataset.seq`)
	p.click("[data-step]")
	p.poll("Step to work", fmt.Sprintf(`document.getElementById("playground").dataset.seq !== %q`, before))
	p.click("[data-back]")
	p.poll("Back to work", fmt.Sprintf(`Number(document.querySelector("[data-clock]").textContent.replace(/[^0-9]/g, "")) <= %d`, p.clock()))
	// The link replays the same run: it opens where the lesson left it.
	q := openAt(t, strings.TrimPrefix(loc, baseURL), 1280, 800)
	if q.clock() != at {
		t.Errorf("the explore link opens at %d ms, want %d", q.clock(), at)
	}

	// A reload comes back to the step the address names.
	again := openAt(t, strings.TrimPrefix(step4, baseURL), 1280, 800)
	if got := js[string](again, `document.querySelector("[data-lesson]").dataset.step`); got != "4" {
		t.Errorf("reloaded at step %s, want 4", got)
	}
}

// A broken lesson name says so and leaves a working page.
func TestLessonUnknown(t *testing.T) {
	p := open(t, "?lesson=nosuch")
	if got := js[string](p, `document.querySelector("[data-toast]").textContent`); !strings.Contains(got, `no lesson "nosuch"`) {
		t.Errorf("the notice says %q", got)
	}
	if !js[bool](p, `document.querySelector("[data-lesson]").hidden`) {
		t.Error("a lesson panel is shown for an unknown lesson")
	}
}

// playStep plays the step on show to its end (if it plays) and checks the
// run stopped exactly there.
func (p *page) playStep() {
	p.t.Helper()
	if js[bool](p, `document.querySelector("[data-lesson-play]").hidden`) {
		return
	}
	p.trail()
	p.click("[data-lesson-play]")
	p.pollOr("the step to play to its end", `document.querySelector("[data-lesson]").dataset.state === "done"`, `window.__trail.slice(-30).join("\n")`)
	// However long the result, Back, Play and Next stay in view of a guide
	// that scrolls (on a phone the page scrolls, and the guide with it).
	if hid := js[string](p, `(() => {
		const g = document.querySelector("[data-guide]");
		if (!["auto", "scroll"].includes(getComputedStyle(g).overflowY)) return "";
		const guide = g.getBoundingClientRect();
		return ["[data-lesson-back]", "[data-lesson-play]", "[data-lesson-next]"].filter((sel) => {
			const b = document.querySelector(sel), r = b.getBoundingClientRect();
			return !b.hidden && (r.top < Math.max(guide.top, 0) - 1 || r.bottom > Math.min(guide.bottom, innerHeight) + 1);
		}).join(" ");
	})()`); hid != "" {
		p.shot("failed-nav-" + p.t.Name())
		p.t.Errorf("step %s played: %s out of view", js[string](p, `document.querySelector("[data-lesson]").dataset.step`), hid)
	}
	if end := js[int](p, `Number(document.querySelector("[data-lesson]").dataset.end)`); p.clock() != end {
		p.t.Errorf("step %s stopped at %d ms, want its end, %d ms", js[string](p, `document.querySelector("[data-lesson]").dataset.step`), p.clock(), end)
	}
}

// trail has the page note, from now on, the clicks it gets and each
// change of the lesson's step, its playback and the Play button, with the
// time: what a failing wait says it saw.
func (p *page) trail() {
	p.t.Helper()
	js[bool](p, `(() => {
		if (window.__trail) return true;
		const trail = (window.__trail = []);
		const box = document.querySelector("[data-lesson]"), play = document.querySelector("[data-play]");
		const note = (what) => trail.push(Math.round(performance.now()) + " ms " + what + " (step " + box.dataset.step + " " + box.dataset.state +
			", clock " + document.querySelector("[data-clock]").textContent + ", playing " + play.getAttribute("aria-pressed") + ")");
		document.addEventListener("click", (e) => note("click at " + e.clientX + "," + e.clientY + " on " + e.target.outerHTML.slice(0, 80)), true);
		new MutationObserver(() => note("lesson box")).observe(box, { attributes: true, attributeFilter: ["data-step", "data-state"] });
		new MutationObserver(() => note("Play button")).observe(play, { attributes: true, attributeFilter: ["aria-pressed"] });
		return true;
	})()`)
}

// checkStepStart checks that step n is on show at its start.
func (p *page) checkStepStart(n int) {
	p.t.Helper()
	box := js[map[string]string](p, `({...document.querySelector("[data-lesson]").dataset})`)
	if box["step"] != fmt.Sprint(n) {
		p.t.Errorf("step %s on show, want %d", box["step"], n)
	}
	if got := fmt.Sprint(p.clock()); got != box["start"] {
		p.t.Errorf("step %d shows %s ms, want its start, %s ms", n, got, box["start"])
	}
	if js[string](p, `document.querySelector("[data-lesson-caption]").textContent`) == "" {
		p.t.Errorf("step %d has no caption", n)
	}
}

// lessonShots saves the page at 1280x800 and at 390 wide.
func (p *page) lessonShots(name string) {
	p.t.Helper()
	p.shot(name + "-1280")
	p.do("narrow the window", chromedp.EmulateViewport(390, 844))
	p.shot(name + "-390")
	if w := js[int](p, `document.documentElement.scrollWidth`); w > 390 {
		p.t.Errorf("%s: at 390 px wide the page is %d px wide", name, w)
	}
	p.do("widen the window", chromedp.EmulateViewport(1280, 800))
}

func (p *page) press(key string) {
	p.t.Helper()
	k := map[string]string{"ArrowRight": kb.ArrowRight, "ArrowLeft": kb.ArrowLeft}[key]
	p.do("press "+key, chromedp.Evaluate[chromedp.Void](`document.activeElement && document.activeElement.blur()`), chromedp.KeyEvent(k))
}

func (p *page) location() string { return js[string](p, `location.href`) }

func reducedMotion() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-reduced-motion", Value: "reduce"}},
		})
		return err
	})
}

// A lesson embeds: with view=ring in an 800x560 frame, its caption and
// buttons sit under the ring, and nothing scrolls.
func TestLessonEmbed(t *testing.T) {
	p := openAt(t, "embed.html?lesson=partition&step=3&view=ring", 800, 560)
	if !js[bool](p, `(() => { const r = document.querySelector("[data-lesson-caption]").getBoundingClientRect(); return r.height > 0 && r.bottom <= innerHeight; })()`) {
		t.Error("the caption is not in view")
	}
	if !js[bool](p, `(() => { const r = document.querySelector("[data-lesson-next]").getBoundingClientRect(); return r.height > 0 && r.bottom <= innerHeight; })()`) {
		t.Error("the Next button is not in view")
	}
	if w, h := js[int](p, `document.documentElement.scrollWidth`), js[int](p, `document.documentElement.scrollHeight`); w > 800 || h > 560 {
		t.Errorf("the page is %dx%d in an 800x560 frame: it scrolls", w, h)
	}
	p.shot("lesson-embed-800x560")
}

// The membership lesson as a student plays it, step 2 to step 7: s4 is in
// the ring as a learner from the step that adds it, and the run answers
// that s1 commits without it; once caught up it votes; four voters with
// two crashed commit nothing; the removed s1 hands over, is drawn out of
// the cluster, and the event log says why it stepped down; the new leader
// refuses a change before its no-op commits, and the log says so; once it
// has committed, s1 is a voter again. Screenshots at 1280x800.
func TestLessonMembership(t *testing.T) {
	p := openAt(t, "?lesson=membership&step=2", 1280, 800)
	p.set("[data-speed]", "9") // 10x: the steps are what is tested, not the pace
	standing := func(id int) string {
		return js[string](p, fmt.Sprintf(`(() => { const g = document.querySelector('.peer[data-peer="%d"]'); return g ? g.dataset.standing : "not drawn"; })()`, id))
	}
	result := func() string { return js[string](p, `document.querySelector("[data-lesson-result]").textContent`) }
	events := func() string { return js[string](p, `document.querySelector("[data-events]").textContent`) }
	next := func(n int) {
		p.press("ArrowRight")
		p.poll(fmt.Sprintf("step %d", n), fmt.Sprintf(`document.querySelector("[data-lesson]").dataset.step === "%d"`, n))
		p.checkStepStart(n)
	}

	p.checkStepStart(2)
	if s := standing(4); s != "learner" {
		t.Errorf("at step 2's start, s4 is %q, want a learner: the step adds it", s)
	}
	p.playStep()
	if r := result(); !strings.Contains(r, "The answer: Yes") || !strings.Contains(r, "counts in no majority") {
		t.Errorf("step 2's result: %q", r)
	}
	if role := js[string](p, `document.querySelector('.peer[data-peer="4"] .peer-role').textContent`); role != "learner" {
		t.Errorf("s4's role label at step 2's end: %q, want learner", role)
	}
	p.shot("lesson-membership-2-played-1280")

	next(3)
	p.playStep()
	if s := standing(4); s != "voter" {
		t.Errorf("at step 3's end, s4 is %q, want a voter", s)
	}

	next(4)
	p.playStep()
	if r := result(); !strings.Contains(r, "The answer: No") || !strings.Contains(r, "A majority of 4 is 3") {
		t.Errorf("step 4's result: %q", r)
	}
	p.shot("lesson-membership-4-played-1280")

	next(5)
	p.playStep()
	next(6)
	p.shot("lesson-membership-6-start-1280")
	p.playStep()
	if s := standing(1); s != "out" {
		t.Errorf("at step 6's end, s1 is %q, want out of the cluster", s)
	}
	if lead, _ := p.leader(); lead != 2 {
		t.Errorf("s%d leads at step 6's end, want s2, as the lesson's answer says", lead)
	}
	if ev := events(); !strings.Contains(ev, "s1 stepped down: it is no longer a member") {
		t.Errorf("the event log does not say why s1 stepped down: %.600s", ev)
	}
	p.shot("lesson-membership-6-played-1280")

	next(7)
	p.playStep()
	if ev := events(); !strings.Contains(ev, "s2 cannot add s1: s2 has just been elected") {
		t.Errorf("the event log does not give s2's refusal: %.600s", ev)
	}
	if s := standing(1); s != "out" {
		t.Errorf("at step 7's end, s1 is %q, want still out", s)
	}
	p.shot("lesson-membership-7-played-1280")

	next(8)
	p.playStep()
	if s := standing(1); s != "voter" {
		t.Errorf("at step 8's end, s1 is %q, want a voter again: s2's no-op has committed, so it takes the change", s)
	}
	p.shot("lesson-membership-8-played-1280")
}
