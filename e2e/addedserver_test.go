package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// noteLinesInView is how many lines of the guide's "On screen now" notes
// are in view in the notes' box, scrolled to the top.
const noteLinesInView = `(() => {
	const scroller = document.querySelector(".guide-notes");
	scroller.scrollTop = 0;
	const notes = [...document.querySelectorAll(".note-now .note")];
	if (!notes.length) return 0;
	const box = scroller.getBoundingClientRect();
	const top = Math.max(box.top, notes[0].getBoundingClientRect().top);
	const bottom = Math.min(box.bottom, notes.at(-1).getBoundingClientRect().bottom);
	return Math.max(0, bottom - top) / parseFloat(getComputedStyle(notes[0]).lineHeight);
})()`

// twoFrames waits until the page has drawn twice: a resized window's
// ResizeObserver (the ring lays itself out again) has run by then.
const twoFrames = `new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => done(true))))`

// membershipCut lists, in words, what of the guide's membership row (Add
// a server, and the note on how the cluster differs from the start) is
// not in view in the guide.
const membershipCut = `(() => {
	const g = document.querySelector(".guide").getBoundingClientRect();
	return [["Add a server", "[data-add-server]"], ["the note on the membership", "[data-setup-note]"]].map(([what, sel]) => [what, document.querySelector(sel).getBoundingClientRect()])
		.filter(([, r]) => r.height === 0 || r.top < g.top - 1 || r.bottom > g.bottom + 1)
		.map(([what, r]) => what + " is cut off or out of the guide's view (" + [r.top, r.bottom].map(Math.round) + " px; the guide " + [g.top, g.bottom].map(Math.round) + ")");
})()`

// A run with a server added, as a student sees it: s4's label clear under
// it like the others'; each configuration entry's servers readable in its
// log cell ("s1–s3 +s4"), with a title naming the voters and the learner;
// the diagram drawing s4's line from when s4 started, not from 0 ms, and a
// removed server's line as out of the cluster after its removal; the
// dock's tabs on one row; the guide's note on the membership, and Add a
// server, in view. At 1280x800 and 1024x700.
func TestAddedServerOnScreen(t *testing.T) {
	p := openAt(t, "?peers=3&seed=4", 1280, 800)
	p.until("the leader's no-op committed", `document.querySelector(".peer.leader") !== null && document.querySelector("[data-logs]").textContent.includes("commit 2")`, 3000)
	p.until("a second later", `Number(document.querySelector("[data-clock]").textContent.replace(/[^0-9]/g, "")) >= 1200`, 1500)
	added := p.clock()
	p.click("[data-add-server]")
	p.poll("s4 in the ring", `document.querySelector('.peer[data-peer="4"]') !== null`)
	p.until("s4 votes", `document.querySelector('.peer[data-peer="4"]').dataset.standing === "voter"`, 3000)
	p.until("every server knows s4 votes", `[...document.querySelectorAll(".log-row:not(.index-row)")].every((r) => r.querySelectorAll(".log-cell.committed").length >= 4)`, 1000)
	// The guide speaks of the configuration in use, not of the first.
	if got := p.notes()["config"]; !strings.Contains(got, "#4 config s1–s4") || !strings.Contains(got, "latest configuration in its log") {
		t.Errorf("with s4 a voter, the guide's note on the configuration: %q", got)
	}

	for _, size := range []struct{ w, h int64 }{{1280, 800}, {1024, 700}} {
		p.do("resize the window", chromedp.EmulateViewport(size.w, size.h))
		js[bool](p, twoFrames)
		if off := js[[]string](p, labelsOffServer+"(true)"); len(off) > 0 {
			t.Errorf("at %dx%d with s4 added: %q", size.w, size.h, off)
		}
		// s4's configuration entries: their servers whole, and in the
		// title who votes and who does not yet.
		if cut := js[[][]string](p, configCellsCut+"(false)"); len(cut) > 0 {
			t.Errorf("at %dx%d, configuration entries cut their servers: %q", size.w, size.h, cut)
		}
		cells := js[[][]string](p, `[...[...document.querySelectorAll(".log-row:not(.index-row)")].at(-1).querySelectorAll(".log-cell")].filter((c) => c.querySelector(".cmd").textContent === "config").map((c) => [c.textContent, c.title])`)
		var texts []string
		for _, c := range cells {
			texts = append(texts, c[0])
		}
		want := []string{"t1config s1–s3", "t2config s1–s3 +s4", "t2config s1–s4"}
		if strings.Join(texts, "|") != strings.Join(want, "|") {
			t.Errorf("at %dx%d, s4's configuration entries read %q, want %q", size.w, size.h, texts, want)
		}
		if len(cells) == 3 && !strings.Contains(cells[1][1], "voters s1, s2 and s3; learner s4") {
			t.Errorf("the title of the entry that adds s4 as a learner: %q", cells[1][1])
		}
		if n := js[int](p, tabRows); n != 1 {
			t.Errorf("at %dx%d the dock's tabs take %d rows", size.w, size.h, n)
		}
		// The guide's notes on what is on screen show a few lines before
		// the student scrolls them.
		if lines := js[float64](p, noteLinesInView); lines < 3 {
			t.Errorf("at %dx%d the guide shows %.1f lines of its notes on what is on screen", size.w, size.h, lines)
		}
		// The run's setup, where the guide has room for it (1280x800),
		// is in view to its last line: the note beside Add a server.
		if size.w == 1280 {
			if cut := js[bool](p, `(() => { const n = document.querySelector("[data-setup-note]").getBoundingClientRect(), g = document.querySelector(".guide").getBoundingClientRect(); return n.bottom > g.bottom + 1; })()`); cut {
				t.Errorf("at 1280x800 the note beside Add a server is cut off at the guide's foot")
			}
		}
		p.shot(fmt.Sprintf("74-s4-added-%dx%d", size.w, size.h))
	}

	// s1 removed; some time on.
	p.do("back to 1280x800", chromedp.EmulateViewport(1280, 800))
	p.click(`.peer[data-peer="1"]`)
	p.poll("s1's menu", `document.querySelector("[data-popover] [data-do=remove]") !== null`)
	removed := p.clock()
	p.click("[data-popover] [data-do=remove]")
	p.until("s1 out of the cluster", `document.querySelector('.peer[data-peer="1"]').dataset.standing === "out"`, 2000)
	p.until("300 ms more", fmt.Sprintf(`Number(document.querySelector("[data-clock]").textContent.replace(/[^0-9]/g, "")) >= %d`, removed+300), 500)
	// The guide's note on the membership, now two lines, and Add a
	// server beside it are in view.
	if cut := js[[]string](p, membershipCut); len(cut) > 0 {
		t.Errorf("at 1280x800, with s1 removed: %q", cut)
	}
	p.shot("75-s1-removed-1280x800")

	// The diagram, zoomed out to the whole run; a line's time read off its
	// axis, as a student reads it.
	p.click("[data-tab=diagram]")
	for range 4 {
		p.click(`[data-st-zoom="out"]`)
	}
	js[bool](p, twoFrames)
	lines := js[[][]float64](p, `(() => {
		const ticks = [...document.querySelectorAll(".st-time")].map((t) => {
			const s = t.textContent;
			return [s.endsWith(" ms") ? parseFloat(s) : parseFloat(s) * 1000, t.getBoundingClientRect().top + t.getBoundingClientRect().height / 2];
		});
		const [a, b] = [ticks[0], ticks.at(-1)];
		const at = (y) => a[0] + ((y - a[1]) * (b[0] - a[0])) / (b[1] - a[1]);
		return [...document.querySelectorAll(".st-line")].map((l) => {
			const r = l.getBoundingClientRect();
			const out = getComputedStyle(l).strokeDasharray !== "none" && !l.classList.contains("down") ? 1 : 0;
			return [Number(l.dataset.peer), at(r.top), at(r.bottom), out];
		});
	})()`)
	first := map[int]float64{}
	var s1 [][]float64
	for _, l := range lines {
		id := int(l[0])
		if v, ok := first[id]; !ok || l[1] < v {
			first[id] = l[1]
		}
		if id == 1 {
			s1 = append(s1, l)
		}
	}
	if v := first[4]; v < float64(added)-10 || v > float64(added)+10 {
		t.Errorf("s4's line in the diagram starts at %.0f ms; s4 started at %d ms", v, added)
	}
	if v := first[2]; v > 10 {
		t.Errorf("s2's line starts at %.0f ms, not at the run's start", v)
	}
	// s1: solid until its removal, then drawn out of the cluster.
	after := false
	for _, l := range s1 {
		solid := l[3] == 0
		if solid && l[2] > float64(removed)+10 {
			t.Errorf("s1's line is drawn in the cluster from %.0f to %.0f ms, after its removal at %d ms", l[1], l[2], removed)
		}
		if !solid && l[1] >= float64(removed)-10 && l[1] <= float64(removed)+10 {
			after = true
		}
	}
	if !after {
		t.Errorf("s1's line does not change at its removal (%d ms): %v", removed, s1)
	}
	if txt := js[string](p, `[...document.querySelectorAll(".st-mark.member text")].map((t) => t.textContent).join(" | ")`); !strings.Contains(txt, "started, learner") || !strings.Contains(txt, "voter") || !strings.Contains(txt, "removed") {
		t.Errorf("the diagram's marks of the membership changes: %q", txt)
	}
	// The marks on the last server's line stay inside the diagram.
	if out := js[[]string](p, `[...document.querySelectorAll(".st-mark text")].filter((t) => t.getBoundingClientRect().right > document.querySelector("[data-st-scroll]").getBoundingClientRect().right + 1).map((t) => t.textContent)`); len(out) > 0 {
		t.Errorf("marks cut off at the diagram's right edge: %q", out)
	}
	p.shot("75-s1-removed-diagram-1280x800")

	// At 1024x700 the guide scrolls to the run's setup: a change of the
	// membership brings its note, and Add a server, into view.
	p.do("a laptop's window", chromedp.EmulateViewport(1024, 700))
	js[bool](p, twoFrames)
	p.do("the guide at its top", chromedp.Evaluate[chromedp.Void](`document.querySelector(".guide").scrollTop = 0`))
	p.click(`.peer[data-peer="1"]`)
	p.poll("s1's menu", `document.querySelector("[data-popover] [data-do=add]") !== null`)
	p.click("[data-popover] [data-do=add]")
	p.poll("the note on s1 joining", `document.querySelector("[data-setup-note]").textContent.includes("s1 joining as a learner")`)
	// Its menu, still open, names it as the ring does, and offers no
	// leadership to a server that does not vote.
	if got := js[string](p, `document.querySelector("[data-popover] h3").textContent + (document.querySelector("[data-popover] [data-do=transfer]") ? " | offers: make it the leader" : "")`); got != "s1 · learner" {
		t.Errorf("s1's menu while s1 catches up as a learner: %q, want %q", got, "s1 · learner")
	}
	js[bool](p, twoFrames)
	if cut := js[[]string](p, membershipCut); len(cut) > 0 {
		t.Errorf("at 1024x700, s1 added again: %q", cut)
	}
	p.shot("75-s1-added-again-1024x700")
	p.do("narrow the window", chromedp.EmulateViewport(390, 844))
	js[bool](p, twoFrames)
	if n := js[int](p, tabRows); n != 1 {
		t.Errorf("at 390 px the dock's tabs take %d rows", n)
	}
	p.shot("75-s1-removed-390x844")
}
