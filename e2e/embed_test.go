package e2e

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A share link restores the panels around the run as well: the client's
// name and the server it sends to, the partition's sides being built, the
// event log's filters and the open tab.
func TestShareRestoresPanels(t *testing.T) {
	p := open(t, "?peers=5&seed=4")
	p.until("a leader is elected", `document.querySelector(".peer.leader") !== null`, 3000)
	p.request("carol", 3, "lock")
	p.click(`[data-tab="network"]`)
	p.click(`.chip[data-peer="1"]`) // s1 to side B: the split being built, not made
	p.click(`[data-tab="events"]`)
	p.click(`[data-event-filters] input[value="msg"]`)
	p.click(`[data-event-filters] input[value="heartbeat"]`)
	p.set("[data-event-peer]", "2")
	p.click(`[data-tab="network"]`)
	panels := `JSON.stringify({
		client: document.querySelector("[data-client-name]").value,
		to: document.querySelector("[data-client-peer]").value,
		sides: [...document.querySelectorAll(".side")].map((s) => [...s.querySelectorAll(".chip")].map((c) => c.dataset.peer).join(" ")),
		filters: [...document.querySelectorAll("[data-event-filters] input")].map((b) => b.value + "=" + b.checked),
		by: document.querySelector("[data-event-peer]").value,
		tab: document.querySelector("[role=tab][aria-selected=true]").dataset.tab,
		events: [...document.querySelectorAll("[data-events] li")].slice(-5).map((li) => li.textContent),
	})`
	want := js[string](p, panels)
	for _, w := range []string{`"client":"carol"`, `"to":"3"`, `"sides":["2 3","1 4 5"]`, `"msg=false"`, `"heartbeat=true"`, `"by":"2"`, `"tab":"network"`} {
		if !strings.Contains(want, w) {
			t.Fatalf("the panels before sharing: %s, want %s", want, w)
		}
	}
	p.click("[data-share]")
	p.poll("the link in the address", `location.hash.startsWith("#run=")`)
	link := js[string](p, `location.href`)

	q := openURL(t, link)
	if got := js[string](q, panels); got != want {
		t.Errorf("the shared link's panels\n%s\nwant\n%s", got, want)
	}
	q.shot("37-shared-panels")
}

// The compact views an iframe asks for (README's table): in an 800x560
// frame, view=ring+logs shows the ring and every log and nothing scrolls;
// view=ring the ring alone; controls=minimal leaves only play, back, step
// and the speed; paused=1 does not start playing.
func TestEmbedViews(t *testing.T) {
	for _, tc := range []struct {
		query string
		peers int
		logs  bool
	}{
		{"view=ring%2Blogs&controls=minimal&paused=1", 3, true},
		{"view=ring+logs&controls=minimal&paused=1", 5, true},
		{"view=ring+logs&controls=minimal&paused=1", 9, true},
		{"view=ring&controls=minimal&paused=1", 9, false},
	} {
		t.Run(fmt.Sprintf("%s-%d", tc.query, tc.peers), func(t *testing.T) {
			p := openURL(t, fmt.Sprintf("%sembed.html?peers=%d&%s", baseURL, tc.peers, tc.query), chromedp.EmulateViewport(800, 560))
			if got := js[string](p, `document.querySelector("[data-clock]").textContent`); got != "0 ms" {
				t.Errorf("paused=1, yet the run played to %s", got)
			}
			if over := js[[]int](p, `[document.documentElement.scrollWidth - innerWidth, document.documentElement.scrollHeight - innerHeight]`); over[0] > 0 || over[1] > 0 {
				t.Errorf("the frame scrolls by %v px", over)
			}
			if out := js[[]string](p, fmt.Sprintf("%s(%q)", outside, ".peer")); len(out) > 0 {
				t.Errorf("servers out of the frame: %q", out)
			}
			rows := js[int](p, `[...document.querySelectorAll(".log-row:not(.index-row)")].filter((r) => r.checkVisibility()).length`)
			if tc.logs {
				if out := js[[]string](p, fmt.Sprintf("%s(%q)", outside, ".log-row")); rows != tc.peers || len(out) > 0 {
					t.Errorf("%d log rows shown, %d out of the frame: want %d in it", rows, len(out), tc.peers)
				}
			} else if rows != 0 {
				t.Errorf("view=ring shows %d log rows", rows)
			}
			shown := js[[]string](p, `[...document.querySelectorAll("[data-toolbar] button, [data-toolbar] input, .clients, .dock, .guide .notes")].filter((el) => el.checkVisibility()).map((el) => el.dataset.play !== undefined ? "play" : el.dataset.back !== undefined ? "back" : el.dataset.step !== undefined ? "step" : el.dataset.speed !== undefined ? "speed" : el.className)`)
			if strings.Join(shown, " ") != "play back step speed" {
				t.Errorf("controls=minimal shows %q, want play, back, step and speed only", shown)
			}
			p.shot(fmt.Sprintf("38-embed-%s-%d", strings.NewReplacer("&", "-", "=", "-", "%2B", "+").Replace(tc.query), tc.peers))
		})
	}
}

// Term and message colours each come from one custom property: changing
// it recolours the messages in flight, the legend's glyphs and the log's
// entries alike.
func TestColoursOnePlace(t *testing.T) {
	p := open(t, "")
	p.until("a committed entry of term 2", `document.querySelector(".log-cell.term-1.committed") !== null`, 3000)
	p.stepUntil("an AppendEntries in flight", `document.querySelector(".msg[data-id].append") !== null`, 200)
	p.do("recolour", chromedp.Evaluate[chromedp.Void](`(() => {
		const r = document.documentElement.style;
		r.setProperty("--msg-append", "rgb(1, 2, 3)");
		r.setProperty("--term-1-fill", "rgb(4, 5, 6)");
	})()`))
	got := js[[]string](p, `[
		getComputedStyle(document.querySelector(".msg.append .msg-shape")).fill,
		getComputedStyle(document.querySelector("#glyph-append rect")).fill,
		getComputedStyle(document.querySelector(".log-cell.term-1.committed")).backgroundColor,
		getComputedStyle(document.querySelector(".legend .lg-cell.committed")).backgroundColor,
	]`)
	want := []string{"rgb(1, 2, 3)", "rgb(1, 2, 3)", "rgb(4, 5, 6)", "rgb(4, 5, 6)"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("after changing --msg-append and --term-1-fill: message, legend glyph, log entry, legend entry are %q, want %q", got, want)
	}
}

// The README's iframe snippet, pasted into a course page as it stands
// (with this server's address): at its 800x560 the frame shows the ring
// and every log, and nothing inside it scrolls; with 3 and 9 servers too.
func TestREADMEIframe(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(readme), "### Embedding in a page")
	_, snippet, _ := strings.Cut(section, "```html\n")
	snippet, _, _ = strings.Cut(snippet, "```")
	if !strings.Contains(snippet, `width="800" height="560"`) || !strings.Contains(snippet, "https://your.host/path/to/raft/embed.html?") {
		t.Fatalf("README's iframe snippet has changed; this test reads it as\n%s", snippet)
	}
	snippet = strings.ReplaceAll(snippet, "https://your.host/path/to/raft/", baseURL)
	for _, peers := range []int{3, 5, 9} {
		t.Run(fmt.Sprint(peers), func(t *testing.T) {
			tab, cancel := chromedp.NewContext(browser)
			defer cancel()
			if err := chromedp.Do(tab); err != nil { // opens the tab
				t.Fatal(err)
			}
			p := &page{t: t, ctx: tab}
			// A page of this origin with nothing on it (the 404 page), so
			// that the test can look inside the frame.
			p.do("open a course page", chromedp.EmulateViewport(1000, 700), chromedp.Navigate(baseURL+"course-page"),
				chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.body.innerHTML = %q`, strings.ReplaceAll(snippet, "peers=5", fmt.Sprintf("peers=%d", peers)))))
			p.poll("the playground in the frame", `(() => { const d = document.querySelector("iframe").contentDocument; return d !== null && d.querySelector('[data-state="ready"]') !== null; })()`)
			got := js[[]int](p, `(() => {
				const f = document.querySelector("iframe"), d = f.contentDocument, w = f.contentWindow;
				const out = (sel) => [...d.querySelectorAll(sel)].filter((el) => el.checkVisibility()).filter((el) => {
					const r = el.getBoundingClientRect();
					return r.top < -1 || r.left < -1 || r.bottom > w.innerHeight + 1 || r.right > w.innerWidth + 1;
				}).length;
				const rows = [...d.querySelectorAll(".log-row:not(.index-row)")].filter((el) => el.checkVisibility()).length;
				return [w.innerWidth, w.innerHeight, d.documentElement.scrollWidth - w.innerWidth, d.documentElement.scrollHeight - w.innerHeight, d.querySelectorAll(".peer").length, out(".peer"), rows, out(".log-row:not(.index-row)")];
			})()`)
			// (This page's CSP drops the snippet's inline style, so the
			// frame keeps its border: what is inside is 800x560 still.)
			if got[0] != 800 || got[1] != 560 {
				t.Errorf("the frame shows %dx%d, want the snippet's 800x560", got[0], got[1])
			}
			if got[2] > 0 || got[3] > 0 {
				t.Errorf("inside the frame the page scrolls by %d px sideways and %d px down", got[2], got[3])
			}
			if got[4] != peers || got[5] > 0 || got[6] != peers || got[7] > 0 {
				t.Errorf("%d servers drawn, %d outside the frame; %d logs shown, %d outside: want %d of each, all inside", got[4], got[5], got[6], got[7], peers)
			}
			p.shot(fmt.Sprintf("39-readme-iframe-%d", peers))
		})
	}
}
