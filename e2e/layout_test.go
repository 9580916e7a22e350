package e2e

import (
	"fmt"
	"testing"
)

// outside lists the elements matching sel that are not wholly inside the
// window (a few pixels of rounding aside), by a description of each.
const outside = `((sel) => [...document.querySelectorAll(sel)].filter((el) => {
	const r = el.getBoundingClientRect();
	return r.top < -1 || r.left < -1 || r.bottom > innerHeight + 1 || r.right > innerWidth + 1 || r.width === 0;
}).map((el) => el.outerHTML.slice(0, 80)))`

// labelClashes lists, in words, each pair of the ring's labels that
// overlap on screen, and each label drawn over a server other than its own
// (its body or its timer ring).
const labelClashes = `(() => {
	const box = (el) => el.getBoundingClientRect();
	const meets = (a, b) => Math.min(a.right, b.right) > Math.max(a.left, b.left) && Math.min(a.bottom, b.bottom) > Math.max(a.top, b.top);
	const labels = [...document.querySelectorAll(".peer-info")].map((el) => ({ id: el.dataset.peer, text: [...el.querySelectorAll("tspan")].map((t) => t.textContent).join(" / "), r: box(el) }));
	const servers = [...document.querySelectorAll(".timer")].map((el, i) => ({ id: String(i + 1), r: box(el) }));
	const out = [];
	labels.forEach((a, i) => {
		labels.slice(i + 1).forEach((b) => { if (meets(a.r, b.r)) out.push("s" + a.id + "'s " + a.text + " / s" + b.id + "'s " + b.text); });
		servers.forEach((s) => { if (s.id !== a.id && meets(a.r, s.r)) out.push("s" + a.id + "'s " + a.text + " over s" + s.id); });
	});
	return out;
})()`

// labelsOffServer lists, in words, each of the ring's labels that sits
// beside its server's timer ring closer than 5 px (measured level with the
// label, from the ring's stroke), and, with under, each that is not under
// its own server: a ring with room puts every label there (labels.js).
const labelsOffServer = `((under) => {
	const out = [];
	const track = document.querySelector(".timer-track");
	for (const info of document.querySelectorAll(".peer-info")) {
		const id = Number(info.dataset.peer);
		// Where the server is, from its body (a leader's timer is hidden);
		// how far its timer ring reaches, stroke and all, at the drawing's scale.
		const body = document.querySelector('.peer[data-peer="' + id + '"] .peer-body');
		const b = body.getBoundingClientRect();
		const scale = b.width / body.getBBox().width;
		const r = (track.r.baseVal.value + parseFloat(getComputedStyle(track).strokeWidth) / 2) * scale;
		const cx = b.left + b.width / 2, cy = b.top + b.height / 2;
		const l = info.getBoundingClientRect();
		const text = [...info.querySelectorAll("tspan")].map((t) => t.textContent).join(" / ");
		if (under && !(l.top >= cy + r - 3 && l.left < cx && l.right > cx)) out.push("s" + id + "'s " + text + " is not under its server: the label spans " + [l.left, l.top, l.right, l.bottom].map(Math.round) + ", its server's centre is " + [cx, cy].map(Math.round) + ", its ring's radius " + r.toFixed(1));
		const dy = l.top <= cy && l.bottom >= cy ? 0 : Math.min(Math.abs(l.top - cy), Math.abs(l.bottom - cy));
		if (dy >= r) continue;
		const edge = Math.sqrt(r * r - dy * dy);
		const gap = l.left >= cx ? l.left - (cx + edge) : l.right <= cx ? cx - edge - l.right : -1;
		if (gap < 5) out.push("s" + id + "'s " + text + " is " + gap.toFixed(1) + " px from its timer ring");
	}
	return out;
})`

// configCellsCut lists the configuration entries in the logs whose
// servers are cut: where they, or a box around them, scroll sideways, or
// where they run past the cell's border. Each as [cell's text, servers'
// text, cell's title], of the last row (or every row, with all).
const configCellsCut = `((all) => {
	const rows = [...document.querySelectorAll(".log-row:not(.index-row)")];
	const cells = (all ? rows : rows.slice(-1)).flatMap((r) => [...r.querySelectorAll(".log-cell")]).filter((c) => c.querySelector(".cmd").textContent === "config");
	return cells.filter((c) => {
		const who = c.querySelector(".who");
		if (who.getBoundingClientRect().right > c.getBoundingClientRect().right - 1) return true;
		for (let el = who; el !== c.parentElement; el = el.parentElement) if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth) return true;
		return false;
	}).map((c) => [c.textContent, c.querySelector(".who").textContent, c.title]);
})`

// tabRows is the number of rows the dock's tabs take.
const tabRows = `new Set([...document.querySelectorAll("[data-tabs] [role=tab]")].map((b) => Math.round(b.getBoundingClientRect().top))).size`

// textLines is the number of lines the text of the element matching sel
// takes on screen.
const textLines = `((sel) => {
	const r = document.createRange();
	r.selectNodeContents(document.querySelector(sel));
	return new Set([...r.getClientRects()].filter((b) => b.width > 0).map((b) => Math.round(b.bottom))).size;
})`

// guideOutOfReach lists the guide's controls that a student cannot see:
// neither in view nor in a container they can scroll, or, once scrolled
// to, covered or cut off. It scrolls the guide back to the top after.
const guideOutOfReach = `(() => {
	const scrolls = (el) => {
		for (let a = el.parentElement; a; a = a.parentElement) {
			const o = getComputedStyle(a).overflowY;
			if ((o === "auto" || o === "scroll") && a.scrollHeight > a.clientHeight) return true;
		}
		return false;
	};
	const hits = (el, r) => {
		const at = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
		return at !== null && (at === el || el.contains(at) || (at.tagName === "LABEL" && at.contains(el)));
	};
	const out = [];
	for (const el of document.querySelectorAll(".guide button, .guide select, .guide input")) {
		if (!el.checkVisibility()) continue;
		if (hits(el, el.getBoundingClientRect())) continue;
		if (!scrolls(el)) { out.push("not scrollable to: " + el.outerHTML.slice(0, 60)); continue; }
		el.scrollIntoView({ block: "nearest" });
		if (!hits(el, el.getBoundingClientRect())) out.push("covered: " + el.outerHTML.slice(0, 60));
	}
	document.querySelector(".guide").scrollTop = 0;
	return out;
})()`

// One screen: on a laptop, the ring, every server's log and the client
// panel are in view together, with no scrolling, for 3, 5 and 9 servers.
func TestOneScreen(t *testing.T) {
	for _, size := range []struct{ w, h int64 }{{1280, 800}, {1024, 700}} {
		for _, peers := range []int{3, 5, 9} {
			t.Run(fmt.Sprintf("%dx%d-%d", size.w, size.h, peers), func(t *testing.T) {
				p := openAt(t, fmt.Sprintf("?peers=%d", peers), size.w, size.h)
				p.until("a leader is elected", `document.querySelector(".peer.leader") !== null`, 3000)
				p.request("alice", 1, "lock") // a request listed, as in use
				// Labels at their longest: "term 2 · voted s9", lock held.
				p.until("alice holds the lock everywhere", `[...document.querySelectorAll(".peer-info")].every((t) => t.textContent.includes("lock: alice"))`, 3000)
				if clash := js[[]string](p, labelClashes); len(clash) > 0 {
					t.Errorf("%d overlaps of the ring's labels with each other or a server: %q", len(clash), clash)
				}
				// A laptop's ring has room for every label under its server,
				// up to 5 servers; more may set some aside, clear of it.
				if off := js[[]string](p, fmt.Sprintf("%s(%t)", labelsOffServer, peers <= 5)); len(off) > 0 {
					t.Errorf("labels out of place: %q", off)
				}
				// The configuration entry names its servers whole.
				if cut := js[[][]string](p, configCellsCut+"(true)"); len(cut) > 0 {
					t.Errorf("configuration entries cut their servers: %q", cut)
				}
				if n := js[int](p, tabRows); n != 1 {
					t.Errorf("the dock's tabs take %d rows", n)
				}
				for what, sel := range map[string]string{
					"server":                 ".peer",
					"log row":                ".log-row",
					"client panel's control": "[data-client-form] button, [data-client-form] input, [data-client-form] select",
					"playback control":       "[data-toolbar] button:not(.menu-list button)",
				} {
					if out := js[[]string](p, fmt.Sprintf("%s(%q)", outside, sel)); len(out) > 0 {
						t.Errorf("%d %ss are not wholly in the %dx%d window: %q", len(out), what, size.w, size.h, out)
					}
				}
				// The lesson chooser's words read whole: the text, its
				// padding and the select's arrow (20 px) fit its width.
				if !js[bool](p, `(() => {
					const s = document.querySelector("[data-lesson-pick]"), cs = getComputedStyle(s);
					const c = document.createElement("canvas").getContext("2d");
					c.font = cs.font;
					return c.measureText(s.selectedOptions[0].text).width + parseFloat(cs.paddingLeft) + parseFloat(cs.paddingRight) + 20 <= s.clientWidth;
				})()`) {
					t.Errorf("the lesson chooser (%d px wide) cuts %q", js[int](p, `document.querySelector("[data-lesson-pick]").clientWidth`), js[string](p, `document.querySelector("[data-lesson-pick]").selectedOptions[0].text`))
				}
				// The guide's notes keep room for a few lines of text.
				if h := js[int](p, `document.querySelector(".guide-notes").clientHeight`); h < 120 {
					t.Errorf("the guide's notes are %d px high: too little to read", h)
				}
				// The guide's controls (the run's setup, the timers) are in
				// view, or in a panel that scrolls to them.
				if hidden := js[[]string](p, guideOutOfReach); len(hidden) > 0 {
					t.Errorf("%d of the guide's controls cannot be reached: %q", len(hidden), hidden)
				}
				if n := js[int](p, `document.querySelectorAll(".log-row:not(.index-row)").length`); n != peers {
					t.Errorf("%d log rows, want %d", n, peers)
				}
				if over := js[int](p, `document.documentElement.scrollHeight - innerHeight`); over > 0 {
					t.Errorf("the page scrolls by %d px", over)
				}
				p.shot(fmt.Sprintf("30-one-screen-%dx%d-%d", size.w, size.h, peers))
			})
		}
	}
}

// On a phone, nothing scrolls sideways and every control can be reached:
// in view once the page is scrolled to it, or behind a tab.
func TestNarrow(t *testing.T) {
	for _, peers := range []int{3, 5, 9} {
		t.Run(fmt.Sprint(peers), func(t *testing.T) {
			p := openAt(t, fmt.Sprintf("?peers=%d", peers), 390, 844)
			p.until("a leader is elected", `document.querySelector(".peer.leader") !== null && !document.querySelector("[data-summary]").textContent.includes("heard")`, 3000)
			p.request("alice", 1, "lock")
			if w := js[[]int](p, `[document.documentElement.scrollWidth, innerWidth]`); w[0] > w[1] {
				t.Errorf("the page is %d px wide in a %d px window: it scrolls sideways", w[0], w[1])
			}
			// Every control, in each tab of the dock in turn.
			for _, tab := range []string{"events", "network", "legend"} {
				p.click(fmt.Sprintf(`[data-tab=%q]`, tab))
				wide := js[[]string](p, `[...document.querySelectorAll("button, input, select, [role=tab], .peer")].filter((el) => {
					if (el.closest("[hidden], dialog, [data-popover]")) return false;
					const r = el.getBoundingClientRect();
					return r.width === 0 || r.left < -1 || r.right > innerWidth + 1;
				}).map((el) => el.outerHTML.slice(0, 80))`)
				if len(wide) > 0 {
					t.Errorf("with the %s tab open, %d controls are out of reach sideways: %q", tab, len(wide), wide)
				}
			}
			if off := js[[]string](p, labelsOffServer+"(false)"); len(off) > 0 {
				t.Errorf("labels too close to their server: %q", off)
			}
			if n := js[int](p, tabRows); n != 1 {
				t.Errorf("the dock's tabs take %d rows", n)
			}
			p.click(`[data-tab="events"]`)
			p.shot(fmt.Sprintf("31-narrow-390-%d", peers))
		})
	}
}
