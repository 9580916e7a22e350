package e2e

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// What a student met on a first walk through the page (issue 10), each
// checked as they would see it.

// Space plays and pauses wherever the focus is: after a click on "lock" it
// does not send a second lock.
func TestSpaceAfterClick(t *testing.T) {
	p := open(t, "")
	p.until("a leader is elected", `document.querySelector(".peer.leader") !== null`, 3000)
	p.request("alice", 1, "lock") // a real click: the button keeps the focus
	if got := js[string](p, `document.activeElement.dataset.op || ""`); got != "lock" {
		t.Fatalf("focus on %q after clicking lock", got)
	}
	p.do("press Space", chromedp.KeyEvent(" "))
	p.poll("Space to play", `document.querySelector("[data-play]").getAttribute("aria-pressed") === "true"`)
	p.do("press Space", chromedp.KeyEvent(" "))
	p.poll("Space to pause", `document.querySelector("[data-play]").getAttribute("aria-pressed") === "false"`)
	if n := js[int](p, `document.querySelectorAll("li.request").length`); n != 1 {
		t.Errorf("%d requests after Space with the focus on lock: Space pressed the button", n)
	}
	// In a text field Space types.
	p.click("[data-client-name]")
	p.do("type a space", chromedp.KeyEvent(" "))
	if p.playing() {
		t.Error("Space in the name field played the run")
	}
}

// The server menu does not hide the server it has just crashed.
func TestMenuLeavesCrashedServer(t *testing.T) {
	for _, peers := range []int{3, 9} {
		t.Run(fmt.Sprint(peers), func(t *testing.T) {
			p := openAt(t, fmt.Sprintf("?peers=%d", peers), 1024, 700)
			p.until("a leader is elected", `document.querySelector(".peer.leader") !== null`, 3000)
			// s1 at the top, and servers on the right, the bottom and the
			// left of the ring: the menu must find room beside each.
			for _, id := range []int{2, 3, (peers+1)/2 + 1, peers, 1} {
				peer := fmt.Sprintf(`.peer[data-peer="%d"]`, id)
				p.click(peer)
				p.poll("the server's menu", `document.querySelector("[data-popover] [data-do=crash]") !== null`)
				// Open, the menu leaves the server in view too.
				if a := overlap(p, peer, "[data-popover]"); a > 0 {
					t.Errorf("s%d's menu covers %.0f px² of it", id, a)
				}
				if id != 1 {
					p.do("close the menu", chromedp.KeyEvent(kb.Escape))
					continue
				}
				p.click("[data-popover] [data-do=crash]")
				p.poll("the server drawn crashed", fmt.Sprintf(`document.querySelector(%q).classList.contains("crashed")`, peer))
				if a := overlap(p, peer, "[data-popover]:not([hidden])"); a > 0 {
					t.Errorf("after the crash, the menu covers %.0f px² of s%d", a, id)
				}
				p.shot(fmt.Sprintf("32-crashed-menu-%d", peers))
			}
		})
	}
}

// overlap is the area two elements share on screen, 0 if either is absent.
func overlap(p *page, a, b string) float64 {
	return js[float64](p, fmt.Sprintf(`(() => {
		const x = document.querySelector(%q), y = document.querySelector(%q);
		if (!x || !y) return 0;
		const r = x.getBoundingClientRect(), s = y.getBoundingClientRect();
		return Math.max(0, Math.min(r.right, s.right) - Math.max(r.left, s.left)) * Math.max(0, Math.min(r.bottom, s.bottom) - Math.max(r.top, s.top));
	})()`, a, b))
}

// A request waiting on the minority side says when its client gives up,
// in simulated time, and counts down; once given up, what it may mean.
func TestWaitingDeadline(t *testing.T) {
	p := open(t, "?peers=3")
	p.until("a leader is elected", `document.querySelector(".peer.leader") !== null`, 3000)
	leader, _ := p.leader()
	p.click(fmt.Sprintf(`.peer[data-peer="%d"]`, leader))
	p.poll("the server's menu", `document.querySelector("[data-popover] [data-do=isolate]") !== null`)
	p.click("[data-popover] [data-do=isolate]")
	req := p.request("alice", leader, "lock")
	sent := p.clock()
	row := fmt.Sprintf(`document.querySelector('li.request[data-req=%q] .why').textContent`, req)
	want := fmt.Sprintf("gives up at %s ms", thousands(sent+3000))
	if got := js[string](p, row); !strings.Contains(got, want) || !strings.Contains(got, "(in 3.0 s)") {
		t.Errorf("the waiting request says %q, want %q and (in 3.0 s)", got, want)
	}
	p.click("[data-skip]")
	p.poll("the countdown", fmt.Sprintf(`%s.includes("(in 2.9 s)")`, row))
	p.shot("33-waiting-deadline")

	// Given up: a write may still take effect; a read changes nothing.
	read := p.request("bob", leader, "read")
	for _, r := range []struct{ req, want string }{{req, "it may still take effect"}, {read, "a read changes nothing, so ask again"}} {
		if got := p.outcome(r.req, 4000); got != "timeout" {
			t.Fatalf("request %s: %s, want timeout", r.req, got)
		}
		if got := js[string](p, fmt.Sprintf(`document.querySelector('li.request[data-req=%q] .why').textContent`, r.req)); !strings.Contains(got, r.want) {
			t.Errorf("request %s, timed out, says %q, want %q", r.req, got, r.want)
		}
	}
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// A 32-character client name is cut short in the ring's labels, the
// request list and the event list, and given whole on hover.
func TestLongClientName(t *testing.T) {
	const name = "a_very_long_client_name_32_chars"
	if len(name) != 32 {
		t.Fatal(len(name))
	}
	p := open(t, "?peers=5")
	p.until("a leader is elected", `document.querySelector(".peer.leader") !== null`, 3000)
	if got := p.outcome(p.request(name, 1, "lock"), 2000); got != "ok" {
		t.Fatalf("the lock: %s", got)
	}
	// "lock: free" until a server has applied it: wait for the holder's name.
	p.until("every server applies it", `[...document.querySelectorAll(".peer-info")].every((t) => t.textContent.includes("lock: ") && !t.textContent.includes("lock: free"))`, 1000)
	labels := js[[]string](p, `[...document.querySelectorAll(".peer-info")].map((t) => t.lastElementChild.textContent + "|" + t.querySelector("title").textContent)`)
	for _, l := range labels {
		shown, title, _ := strings.Cut(l, "|")
		if strings.Contains(shown, name) || !strings.HasSuffix(shown, "…") || !strings.Contains(title, name) {
			t.Errorf("ring label %q with title %q: want the name cut short, whole in the title", shown, title)
		}
	}
	// The ring's labels stay clear of each other.
	if n := js[int](p, `(() => {
		const r = [...document.querySelectorAll(".peer-info")].map((t) => t.getBoundingClientRect());
		let n = 0;
		for (let i = 0; i < r.length; i++) for (let j = i + 1; j < r.length; j++)
			if (Math.min(r[i].right, r[j].right) > Math.max(r[i].left, r[j].left) && Math.min(r[i].bottom, r[j].bottom) > Math.max(r[i].top, r[j].top)) n++;
		return n;
	})()`); n > 0 {
		t.Errorf("%d pairs of server labels overlap", n)
	}
	what := js[[]string](p, `(() => { const w = document.querySelector("li.request .what"); return [w.textContent, w.title, String(w.scrollWidth <= w.clientWidth + 1)]; })()`)
	if strings.Contains(what[0], name) || !strings.Contains(what[1], name) || what[2] != "true" {
		t.Errorf("request row %q (title %q, fits: %s): want the name cut short, whole in the title", what[0], what[1], what[2])
	}
	// Every row that names the client: its request, its answer, the
	// entry stored and applied on each server.
	rows := js[[][]string](p, `[...document.querySelectorAll("[data-events] li")].filter((li) => li.textContent.includes("a_very_long")).map((li) => [li.textContent, li.title, String(li.scrollWidth <= li.clientWidth + 1)])`)
	kinds := map[string]bool{}
	for _, ev := range rows {
		if strings.Contains(ev[0], name) || !strings.Contains(ev[1], name) || ev[2] != "true" {
			t.Errorf("event row %q (title %q, fits: %s): want the name cut short, whole in the title", ev[0], ev[1], ev[2])
		}
		for _, k := range []string{"sends lock", "stored", "applied"} {
			kinds[k] = kinds[k] || strings.Contains(ev[0], k)
		}
	}
	if len(kinds) != 3 || !kinds["sends lock"] || !kinds["stored"] || !kinds["applied"] {
		t.Errorf("the event rows naming the client: %v, want its request, the entry stored and applied", kinds)
	}
	p.shot("34-long-client-name")
}

// Who leads, and who knows it, said for a student: no library jargon in a
// request's answer, and the summary says when a server has not heard from
// the new leader yet.
func TestLeaderWords(t *testing.T) {
	p := open(t, "?peers=5")
	req := p.request("alice", 2, "lock") // before any election: no leader to pass it to
	p.stepUntil("the answer", fmt.Sprintf(`document.querySelector('li.request[data-req=%q]').dataset.outcome !== "pending"`, req), 50)
	why := js[string](p, fmt.Sprintf(`document.querySelector('li.request[data-req=%q]').textContent`, req))
	if strings.Contains(why, "raft:") || !strings.Contains(why, "knew of no leader") {
		t.Errorf("the request's answer reads %q", why)
	}
	p.stepUntil("a leader", `document.querySelector(".peer.leader") !== null`, 400)
	summary := js[string](p, `document.querySelector("[data-summary]").textContent`)
	if !strings.Contains(summary, "heard from it yet") {
		t.Errorf("just elected, the summary says %q: want who has not heard from the leader yet", summary)
	}
	p.until("every server to hear from the leader", `!document.querySelector("[data-summary]").textContent.includes("heard")`, 1000)
}

// With reduced motion asked for, the run starts paused and a message jumps
// between three places on its link rather than gliding.
func TestReducedMotion(t *testing.T) {
	p := openURL(t, baseURL+"?paused=0", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-reduced-motion", Value: "reduce"}},
		})
		return err
	}))
	// open pauses a page that plays: read what the page itself did.
	if got := js[string](p, `document.querySelector("[data-clock]").textContent`); got != "0 ms" {
		t.Errorf("with reduced motion the run played to %s before anyone pressed Play", got)
	}
	if got := js[string](p, `document.querySelector("[data-toast]").textContent`); !strings.Contains(got, "reduced motion") {
		t.Errorf("no word on why it is paused: %q", got)
	}
	// A message's place along its link, as a fraction of the way.
	where := `(() => {
		const xy = (el) => el.getAttribute("transform").match(/-?[\d.]+/g).map(Number);
		return [...document.querySelectorAll(".msg[data-id]")].map((m) => {
			const id = Number(m.dataset.id);
			const f = raftplay.__last.messages.find((x) => x.id === id);
			if (!f) return -1;
			const [ax, ay] = xy(document.querySelector('.peer[data-peer="' + f.msg.from + '"]'));
			const [bx, by] = xy(document.querySelector('.peer[data-peer="' + f.msg.to + '"]'));
			const [mx, my] = xy(m);
			const len = Math.hypot(bx - ax, by - ay), edge = 32;
			return (((mx - ax) * (bx - ax) + (my - ay) * (by - ay)) / len - edge) / (len - 2 * edge);
		}).filter((f) => f >= 0);
	})()`
	seen := map[string]bool{}
	for i := 0; i < 30 && len(seen) < 2; i++ {
		p.click("[data-step]")
		p.do("read the snapshot", chromedp.Evaluate[chromedp.Void](`raftplay.snapshot().then((s) => (raftplay.__last = s))`, chromedp.EvalAwaitPromise))
		for _, f := range js[[]float64](p, where) {
			ok := false
			for _, stop := range []float64{1.0 / 6, 0.5, 5.0 / 6} {
				ok = ok || math.Abs(f-stop) < 0.02
			}
			if !ok {
				t.Fatalf("a message drawn %.3f of the way along its link: want 1/6, 1/2 or 5/6", f)
			}
			seen[fmt.Sprintf("%.2f", f)] = true
		}
	}
	if len(seen) == 0 {
		t.Fatal("no message in flight over 30 steps")
	}
}

// A server's screen-reader label follows its log, also while nothing else
// about the server changes (a follower taking an entry).
func TestServerLabelCurrent(t *testing.T) {
	p := open(t, "")
	p.until("a leader is elected", `document.querySelector(".peer.leader") !== null`, 3000)
	p.request("alice", 1, "lock")
	stale := `raftplay.snapshot().then((s) => s.peers.filter((q) => !document.querySelector('.peer[data-peer="' + q.id + '"]').getAttribute("aria-label").includes("log up to index " + q.lastIndex + ",")).map((q) => "s" + q.id))`
	for i := 0; i < 25; i++ {
		if got := js[[]string](p, stale); len(got) > 0 {
			t.Fatalf("step %d: the screen-reader labels of %v do not give their log's length", i, got)
		}
		before := js[string](p, `document.getElementById("playground").dataset.seq`)
		p.click("[data-step]")
		p.poll("the step to show", fmt.Sprintf(`document.getElementById("playground").dataset.seq !== %q`, before))
	}
	if !js[bool](p, `document.querySelector('.peer[data-peer="1"]').getAttribute("aria-label").includes("log up to index 3, committed to 3")`) {
		t.Errorf("s1's label after the lock: %q", js[string](p, `document.querySelector('.peer[data-peer="1"]').getAttribute("aria-label")`))
	}
}

// A link is cut and restored from the keyboard, through its server's menu.
func TestCutLinkByKeyboard(t *testing.T) {
	p := open(t, "")
	p.do("focus the page", chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`))
	p.do("press 1", chromedp.KeyEvent("1"))
	p.poll("s1 to have focus", `document.activeElement.dataset.peer === "1"`)
	p.do("press Enter", chromedp.KeyEvent(kb.Enter))
	p.poll("s1's menu, focused", `document.querySelector("[data-popover]").contains(document.activeElement)`)
	for range 6 {
		if js[string](p, `document.activeElement.getAttribute("aria-label") || ""`) == "Cut the link s1 – s2" {
			break
		}
		p.do("press Tab", chromedp.KeyEvent(kb.Tab))
	}
	if got := js[string](p, `document.activeElement.getAttribute("aria-label") || ""`); got != "Cut the link s1 – s2" {
		t.Fatalf("Tab through s1's menu reaches %q, not the link to s2", got)
	}
	p.do("press Enter", chromedp.KeyEvent(kb.Enter))
	p.poll("the link to be cut", `document.querySelector('.link[data-a="1"][data-b="2"]').classList.contains("cut")`)
	p.poll("the button to say so, still focused", `document.activeElement.getAttribute("aria-label") === "Restore the link s1 – s2"`)
	p.do("press Enter", chromedp.KeyEvent(kb.Enter))
	p.poll("the link to be restored", `!document.querySelector('.link[data-a="1"][data-b="2"]').classList.contains("cut")`)
}

// The name field's message is the page's own, in words, not the
// browser's generic one for a pattern.
func TestClientNameMessage(t *testing.T) {
	p := open(t, "")
	p.do("type a bad name", chromedp.SetValue(chromedp.CSS("[data-client-name]"), "bad name!"))
	p.click(`[data-client-form] button[data-op="lock"]`)
	p.poll("our message", `document.querySelector("[data-client-error]").textContent.includes("A client name is 1 to 32 letters, digits, - or _")`)
	if !js[bool](p, `document.querySelector("[data-client-name]").getAttribute("aria-invalid") === "true" && document.querySelector("[data-client-name]").validationMessage === ""`) {
		t.Error("the field is not marked invalid by us, or the browser has a message of its own")
	}
	if n := js[int](p, `document.querySelectorAll("li.request").length`); n != 0 {
		t.Errorf("%d requests sent with a bad name", n)
	}
}

// Under load (9 servers, 20% of messages lost) the word on a loss never
// sits on a server or its labels, nor on another such word.
func TestLossWordsClear(t *testing.T) {
	p := openAt(t, "?peers=9", 1280, 800)
	p.set("[data-loss]", "20")
	p.poll("the simulator to take the loss", `raftplay.snapshot().then((s) => s.link.loss === 0.2)`)
	p.do("busy clients", chromedp.Evaluate[chromedp.Void](`(() => { for (let i = 0; i < 30; i++) raftplay.write({ client: "c" + (i % 3), op: i % 2 ? "unlock" : "lock", peer: 1 + (i % 9) }); })()`))
	words := 0
	for range 15 {
		p.click("[data-skip]")
		bad := js[[]string](p, `(() => {
			const boxes = [...document.querySelectorAll(".peer-info, .peer")].map((el) => el.getBoundingClientRect());
			const out = [];
			const words = [...document.querySelectorAll(".burst-label")].map((el) => el.getBoundingClientRect());
			words.forEach((w, i) => {
				for (const b of boxes) if (Math.min(w.right, b.right) > Math.max(w.left, b.left) + 2 && Math.min(w.bottom, b.bottom) > Math.max(w.top, b.top) + 2) out.push("on a server");
				for (let j = i + 1; j < words.length; j++) { const v = words[j]; if (Math.min(w.right, v.right) > Math.max(w.left, v.left) + 2 && Math.min(w.bottom, v.bottom) > Math.max(w.top, v.top) + 2) out.push("on another word"); }
			});
			return out;
		})()`)
		if len(bad) > 0 {
			p.shot("failed-" + t.Name())
			t.Fatalf("burst words %v", bad)
		}
		words += js[int](p, `document.querySelectorAll(".burst-label").length`)
	}
	if words == 0 {
		t.Error("no loss worded at all in 1.5 s at 20% loss")
	}
	p.shot("35-loss-9-servers")
}
