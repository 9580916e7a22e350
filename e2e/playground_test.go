package e2e

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/fetch"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// A student opens the page: it explains itself, draws three servers, and
// they elect a leader.
func TestLoadAndElect(t *testing.T) {
	p := open(t, "")
	drawn := js[float64](p, `performance.getEntriesByName("raftplay:drawn")[0].startTime`)
	t.Logf("cluster drawn and controls wired %.0f ms after navigation", drawn)
	if lede := js[string](p, `document.querySelector(".lede").textContent`); !strings.Contains(lede, "Raft") {
		t.Errorf("the first screen does not explain itself: %q", lede)
	}
	if n := js[int](p, `document.querySelectorAll(".peer").length`); n != 3 {
		t.Fatalf("%d servers drawn, want 3", n)
	}
	p.until("a leader is elected", `document.querySelector(".peer.leader") !== null`, 3000)
	id, term := p.leader()
	summary := js[string](p, `document.querySelector("[data-summary]").textContent`)
	if want := fmt.Sprintf("s%d leads term %d.", id, term); !strings.Contains(summary, want) {
		t.Errorf("summary %q, want it to say %q", summary, want)
	}
	if !strings.Contains(summary, "majority is 2 of 3") {
		t.Errorf("summary %q does not give the majority", summary)
	}
	p.shot("01-leader-elected")
}

// The talk's demo through the client panel: a write at any server goes
// through the leader, and the lock answers ok, error, error, ok, ok.
func TestTalkDemo(t *testing.T) {
	p := open(t, "")
	p.until("a leader is elected", `document.querySelector(".peer.leader") !== null`, 3000)
	for _, w := range []struct {
		client string
		peer   int
		op     string
		want   string
	}{
		{"s1", 1, "lock", "ok"},
		{"s2", 2, "lock", "error"},
		{"s2", 2, "unlock", "error"},
		{"s1", 1, "unlock", "ok"},
		{"s2", 2, "lock", "ok"},
	} {
		req := p.request(w.client, w.peer, w.op)
		if got := p.outcome(req, 3000); got != w.want {
			p.shot("failed-talk-demo")
			t.Fatalf("client %s: %s at s%d = %s, want %s", w.client, w.op, w.peer, got, w.want)
		}
	}
	// Every server applies the same five commands and ends with s2 holding the lock.
	p.until("every server applies the last command", `[...document.querySelectorAll(".peer-info")].every((t) => t.textContent.includes("lock: s2"))`, 1000)
	p.shot("02-talk-demo")
}

// Crashing the leader: the others notice its silence and elect a new one
// in a higher term; the crashed server shows what it kept and what it lost.
func TestCrashLeader(t *testing.T) {
	p := open(t, "")
	p.until("a leader is elected", `document.querySelector(".peer.leader") !== null`, 3000)
	old, term := p.leader()
	p.click(fmt.Sprintf(`.peer[data-peer="%d"]`, old))
	p.poll("the server's menu", `document.querySelector("[data-popover] [data-do=crash]") !== null`)
	p.click("[data-popover] [data-do=crash]")
	crashed := fmt.Sprintf(`.peer[data-peer="%d"]`, old)
	p.poll("the leader to be drawn crashed", fmt.Sprintf(`document.querySelector(%q).classList.contains("crashed")`, crashed))
	if info := js[string](p, fmt.Sprintf(`document.querySelector('.peer-info[data-peer="%d"]').textContent`, old)); !strings.Contains(info, fmt.Sprintf("term %d", term)) || !strings.Contains(info, "lock state lost") {
		t.Errorf("crashed server shows %q: want its term kept and its lock state lost", info)
	}
	p.until("a new leader in a higher term", fmt.Sprintf(`[...document.querySelectorAll(".peer.leader")].some((g) => g.dataset.peer !== "%d" && Number(g.dataset.term) > %d)`, old, term), 5000)
	id, newTerm := p.leader()
	t.Logf("s%d led term %d; after its crash s%d leads term %d", old, term, id, newTerm)
	p.shot("03-leader-crashed")

	// Restarted, it rejoins as a follower of the new term.
	p.click(crashed)
	p.poll("the server's menu", `document.querySelector("[data-popover] [data-do=restart]") !== null`)
	p.click("[data-popover] [data-do=restart]")
	p.until("the old leader rejoins as a follower", fmt.Sprintf(`document.querySelector(%q).classList.contains("follower") && Number(document.querySelector(%q).dataset.term) >= %d`, crashed, crashed, newTerm), 3000)
}

// A partition with the leader on the minority side: its write cannot
// commit, while the majority elects a leader of its own and commits.
func TestPartitionMinority(t *testing.T) {
	p := open(t, "?peers=5")
	p.until("a leader is elected", `document.querySelector(".peer.leader") !== null`, 3000)
	old, _ := p.leader()
	minority := map[int]bool{old: true, old%5 + 1: true}
	// Arrange the sides in the network panel: the old leader and one more
	// server on side A, the other three on side B.
	p.click(`[data-tab="network"]`)
	for id := 1; id <= 5; id++ {
		onB := js[bool](p, fmt.Sprintf(`document.querySelectorAll(".side")[1].querySelector('.chip[data-peer="%d"]') !== null`, id))
		if onB == minority[id] {
			p.click(fmt.Sprintf(`.chip[data-peer="%d"]`, id))
		}
	}
	p.click("[data-partition]")
	p.poll("the partition to be drawn", `document.querySelectorAll(".link.cut").length === 6`)
	if got := js[string](p, `document.querySelector("[data-partition-state]").textContent`); !strings.HasPrefix(got, "Split now: ") {
		t.Errorf("the network panel says %q with the partition in force", got)
	}

	stale := p.request("minority", old, "lock")
	p.until("the majority side elects a leader", fmt.Sprintf(`[...document.querySelectorAll(".peer.leader")].some((g) => g.dataset.peer !== "%d")`, old), 3000)
	leader, _ := p.leader()
	fresh := p.request("majority", leader, "lock")
	if got := p.outcome(fresh, 2000); got != "ok" {
		t.Fatalf("a write on the majority side: %s, want ok", got)
	}
	if got := js[string](p, fmt.Sprintf(`document.querySelector('li.request[data-req=%q]').dataset.outcome`, stale)); got != "pending" {
		t.Fatalf("the minority side's write was answered %s while cut off; want it still waiting", got)
	}
	// The old leader holds the entry but cannot commit it: drawn dashed.
	uncommitted := js[int](p, fmt.Sprintf(`document.querySelectorAll(".log-row:nth-child(%d) .log-cell:not(.committed):not(.empty)").length`, old+1))
	if uncommitted == 0 {
		t.Errorf("s%d's log shows no uncommitted entry", old)
	}
	p.shot("04-partition-minority")
	if got := p.outcome(stale, 4000); got != "timeout" {
		t.Errorf("the minority side's write ended %s, want timeout", got)
	}

	// Healed, the old leader learns the new term and takes the majority's log.
	p.click("[data-heal]")
	p.until("the old leader steps down", fmt.Sprintf(`document.querySelector('.peer[data-peer="%d"]').classList.contains("follower")`, old), 2000)
	p.poll("the network panel to say it is healed", `document.querySelector("[data-partition-state]").textContent.startsWith("Not split: every server")`)

	// One link cut by hand is said too.
	p.click(`.link[data-a="1"][data-b="2"] .link-hit`)
	p.poll("the cut to be drawn", `document.querySelectorAll(".link.cut").length === 1`)
	if got := js[string](p, `document.querySelector("[data-partition-state]").textContent`); !strings.Contains(got, "Cut: s1 – s2.") {
		t.Errorf("with s1-s2 cut, the network panel says %q", got)
	}
}

// Dropping a message by hand: click it, read its fields, drop it; it
// vanishes and the event log says so.
func TestDropMessage(t *testing.T) {
	p := open(t, "")
	p.stepUntil("a RequestVote in flight", `document.querySelector(".msg[data-id].vote") !== null`, 200)
	id := js[string](p, `document.querySelector(".msg[data-id].vote").dataset.id`)
	msg := fmt.Sprintf(`.msg[data-id=%q]`, id)
	p.click(msg)
	p.poll("the message's details", `document.querySelector("[data-popover] [data-do=drop]") !== null`)
	detail := js[string](p, `document.querySelector("[data-popover]").textContent`)
	for _, want := range []string{"RequestVote", "lastLogIndex", "lastLogTerm", "term"} {
		if !strings.Contains(detail, want) {
			t.Errorf("message details %q lack %q", detail, want)
		}
	}
	p.shot("05-message-details")
	p.click("[data-popover] [data-do=drop]")
	p.poll("the message to vanish", fmt.Sprintf(`document.querySelector(%q) === null`, msg))
	p.poll("the event log to tell", `[...document.querySelectorAll("[data-events] li")].some((li) => li.textContent.includes("RequestVote dropped by you"))`)
}

// The main controls answer the keyboard, and focus stays visible and
// where a keyboard user expects it.
func TestKeyboard(t *testing.T) {
	p := open(t, "")
	p.do("focus the page", chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`))
	p.do("press Space", chromedp.KeyEvent(" "))
	p.poll("Space to play", `document.querySelector("[data-play]").getAttribute("aria-pressed") === "true"`)
	p.do("press Space", chromedp.KeyEvent(" "))
	p.poll("Space to pause", `document.querySelector("[data-play]").getAttribute("aria-pressed") === "false"`)

	before := p.clock()
	p.do("press .", chromedp.KeyEvent("."))
	p.poll("a step forward", fmt.Sprintf(`Number(document.querySelector("[data-clock]").textContent.replace(/[^0-9]/g, "")) > %d`, before))

	p.do("press 2", chromedp.KeyEvent("2"))
	p.poll("s2 to have focus", `document.activeElement.dataset.peer === "2"`)
	p.do("press Enter", chromedp.KeyEvent(kb.Enter))
	p.poll("s2's menu, focused", `document.querySelector("[data-popover]").contains(document.activeElement)`)
	p.do("press Escape", chromedp.KeyEvent(kb.Escape))
	p.poll("the menu to close, focus back on s2", `document.querySelector("[data-popover]").hidden && document.activeElement.dataset.peer === "2"`)

	p.do("press c", chromedp.KeyEvent("c"))
	p.poll("s2 to crash", `document.querySelector('.peer[data-peer="2"]').classList.contains("crashed")`)
	p.do("press c", chromedp.KeyEvent("c"))
	p.poll("s2 to restart", `!document.querySelector('.peer[data-peer="2"]').classList.contains("crashed")`)
}

// When loading fails, the page says so in words and offers to try again:
// the wasm answers 404, or the browser has no WebAssembly.
func TestLoadFailure(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(ctx context.Context) error
		want  string
		retry bool // whether trying again is offered
	}{
		{"wasm-404", func(ctx context.Context) error {
			paused := chromedp.Events(ctx, fetch.RequestPaused)
			if _, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "*.wasm"}}}); err != nil {
				return err
			}
			go func() {
				for ev, err := range paused {
					if err != nil {
						return
					}
					chromedp.Call(ctx, fetch.FulfillRequest, fetch.FulfillRequestParams{RequestID: ev.RequestID, ResponseCode: 404})
				}
			}()
			return nil
		}, "HTTP 404", true},
		{"no-webassembly", func(ctx context.Context) error {
			_, err := chromedp.Call(ctx, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: "delete globalThis.WebAssembly"})
			return err
		}, "cannot run WebAssembly", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tab, cancel := chromedp.NewContext(browser)
			defer cancel()
			if err := chromedp.Do(tab); err != nil {
				t.Fatal(err)
			}
			if err := tc.setup(tab); err != nil {
				t.Fatal(err)
			}
			p := &page{t: t, ctx: tab}
			p.do("load the page", chromedp.Navigate(baseURL), chromedp.WaitVisible(chromedp.CSS(`[data-state="failed"] [data-loading-text]`)))
			if msg := js[string](p, `document.querySelector("[data-loading-text]").textContent`); !strings.Contains(msg, tc.want) {
				t.Errorf("failure message %q, want it to mention %q", msg, tc.want)
			}
			if retry := js[bool](p, `!document.querySelector("[data-retry]").hidden`); retry != tc.retry {
				t.Errorf("Try again offered: %v, want %v", retry, tc.retry)
			}
			p.shot("06-load-failure-" + tc.name)
		})
	}
}

// A shared link replays the run, actions and all, to the shared instant.
func TestShareLink(t *testing.T) {
	p := open(t, "?peers=5&seed=11")
	p.until("a leader is elected", `document.querySelector(".peer.leader") !== null`, 3000)
	req := p.request("alice", 3, "lock")
	if got := p.outcome(req, 2000); got != "ok" {
		t.Fatalf("alice's lock: %s, want ok", got)
	}
	p.click(`.peer[data-peer="2"]`)
	p.poll("the server's menu", `document.querySelector("[data-popover] [data-do=crash]") !== null`)
	p.click("[data-popover] [data-do=crash]")
	p.until("time to pass", `true`, 200)
	state := `JSON.stringify({
		clock: document.querySelector("[data-clock]").textContent,
		peers: [...document.querySelectorAll(".peer")].map((g) => g.getAttribute("class") + " " + g.dataset.term + " " + g.textContent),
		labels: [...document.querySelectorAll(".peer-info")].map((t) => t.textContent),
		requests: [...document.querySelectorAll("li.request")].map((li) => li.textContent),
	})`
	want := js[string](p, state)
	p.click("[data-share]")
	p.poll("the link in the address", `location.hash.startsWith("#run=")`)
	link := js[string](p, `location.href`)

	tab, cancel := chromedp.NewContext(browser)
	defer cancel()
	if err := chromedp.Do(tab); err != nil { // opens the tab, for as long as the test
		t.Fatal(err)
	}
	q := &page{t: t, ctx: tab}
	q.do("open the link", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS(`[data-state="ready"]`)))
	if q.playing() {
		t.Error("a shared instant should open paused")
	}
	if got := js[string](q, state); got != want {
		t.Errorf("the shared link shows\n%s\nwant\n%s", got, want)
	}
	q.shot("07-shared-link")
}

// The talk's scenario, chosen from the toolbar, plays the talk's five
// writes by itself: ok, error, error, ok, ok.
func TestTalkScenario(t *testing.T) {
	p := open(t, "")
	p.do("choose the talk", chromedp.SetValue(chromedp.CSS("[data-scenario]"), "talk"))
	p.click("[data-setup] button[type=submit]")
	p.poll("the new run", `location.search.includes("scenario=talk")`)
	// What the scenario does is on the page, not in an option's tooltip.
	if got := js[string](p, `(() => { const el = document.querySelector("[data-scenario-about]"); return el.checkVisibility() ? el.textContent : ""; })()`); !strings.Contains(got, "the talk's demo") {
		t.Errorf("the scenario's description reads %q", got)
	}
	p.pause()
	p.until("the five writes are answered", `document.querySelectorAll('li.request:not([data-outcome="pending"])').length === 5`, 10000)
	got := js[string](p, `[...document.querySelectorAll("li.request")].reverse().map((li) => li.dataset.outcome).join(",")`)
	if got != "ok,error,error,ok,ok" {
		t.Errorf("the talk's writes: %s, want ok,error,error,ok,ok", got)
	}
	p.shot("08-talk-scenario")
}

// The partition scenario, opened from a link, plays by itself: the old
// leader, cut off with one follower, cannot commit bob's write while the
// other side commits alice's unlock and carol's lock; healed, bob's write
// is applied once, after carol's: the lock says no.
func TestPartitionScenario(t *testing.T) {
	p := open(t, "?scenario=partition")
	if n := js[int](p, `document.querySelectorAll(".peer").length`); n != 5 {
		t.Fatalf("%d servers, want 5", n)
	}
	if got := js[string](p, `document.querySelector("select[data-scenario]").value`); got != "partition" {
		t.Errorf("the scenario menu shows %q", got)
	}
	if got := js[string](p, `document.querySelector("[data-peers]").value`); got != "5" {
		t.Errorf("the servers menu shows %q for the scenario's 5", got)
	}
	p.until("the split", `document.querySelector("[data-partition-state]").textContent.startsWith("Split now")`, 3000)
	p.until("two leaders, one of them stale", `document.querySelectorAll(".peer.leader").length === 2`, 3000)
	p.shot("16-partition-scenario-split")
	p.until("the four writes are answered", `document.querySelectorAll('li.request:not([data-outcome="pending"])').length === 4`, 10000)
	got := js[string](p, `[...document.querySelectorAll("li.request")].reverse().map((li) => li.dataset.outcome).join(",")`)
	if got != "ok,error,ok,ok" {
		t.Errorf("outcomes in the order sent: %s, want alice ok, bob error (after the heal), alice ok, carol ok", got)
	}
	if n := js[int](p, `document.querySelectorAll(".peer.leader").length`); n != 1 {
		t.Errorf("%d leaders after the heal", n)
	}
	p.shot("17-partition-scenario-healed")
}

// Going back replays the run to an earlier instant; the actions recorded
// after it play again as time runs forward.
func TestBack(t *testing.T) {
	p := open(t, "")
	p.until("a leader is elected", `document.querySelector(".peer.leader") !== null`, 3000)
	req := p.request("alice", 2, "lock")
	if got := p.outcome(req, 2000); got != "ok" {
		t.Fatalf("alice's lock: %s, want ok", got)
	}
	after := p.clock()
	for range 3 {
		before := p.clock()
		p.click("[data-back]")
		p.poll("the clock to go back", fmt.Sprintf(`Number(document.querySelector("[data-clock]").textContent.replace(/[^0-9]/g, "")) < %d`, before))
	}
	for p.clock() > 0 && js[int](p, `document.querySelectorAll("li.request").length`) > 0 {
		before := p.clock()
		p.click("[data-back]")
		p.poll("the clock to go back", fmt.Sprintf(`Number(document.querySelector("[data-clock]").textContent.replace(/[^0-9]/g, "")) < %d`, before))
	}
	if !js[bool](p, `!document.querySelector("[data-replaying]").hidden`) {
		t.Error("no sign that recorded actions are still to come")
	}
	p.shot("09-back")
	p.until("the recorded lock to be answered again", `document.querySelector('li.request[data-outcome="ok"]') !== null`, after+1000)
	if !js[bool](p, `document.querySelector("[data-replaying]").hidden`) {
		t.Error("the replay badge stays after every recorded action played")
	}
}

// Paused, the page does nothing: no animation frame, no timer, no call
// into the simulator, while the browser draws 30 frames of its own.
func TestPausedIsIdle(t *testing.T) {
	p := open(t, "?peers=5")
	p.click("[data-play]")
	p.poll("the run to play", `Number(document.querySelector("[data-clock]").textContent.replace(/[^0-9]/g, "")) > 0`)
	p.pause()
	counts := js[map[string]int](p, `new Promise((done) => {
		const raf = window.requestAnimationFrame.bind(window);
		const counts = { frames: 0, timers: 0, calls: 0 };
		const wrap = (obj, name, key) => {
			const f = obj[name];
			obj[name] = function (...args) { counts[key]++; return f.apply(this, args); };
			return () => { obj[name] = f; };
		};
		const api = globalThis.raftplay;
		const undo = [wrap(window, "requestAnimationFrame", "frames"), wrap(window, "setTimeout", "timers"), wrap(window, "setInterval", "timers"),
			...Object.keys(api).filter((k) => typeof api[k] === "function").map((k) => wrap(api, k, "calls"))];
		let n = 0;
		const count = () => { if (++n < 30) return raf(count); undo.forEach((u) => u()); done(counts); };
		raf(count);
	})`)
	if counts["frames"] != 0 || counts["timers"] != 0 || counts["calls"] != 0 {
		t.Errorf("paused, over 30 frames the page asked for %d animation frames, set %d timers and made %d simulator calls, want none",
			counts["frames"], counts["timers"], counts["calls"])
	}
}

// A mistyped or damaged address never leaves a dead page: what cannot be
// used is named in a notice, and the default run starts and elects.
func TestBadAddress(t *testing.T) {
	for _, tc := range []struct {
		name, address, notice string
	}{
		{"query", "?peers=42&seed=abc&scenario=nope", `peers="42" (give a whole number from 1 to 9); seed="abc" (give a whole number from 0 to 9007199254740991); scenario="nope" (known scenarios are election, `},
		{"run not base64", "#run=%21%21%21&t=5", "This link's run is damaged or too long. A fresh run was started instead."},
		{"run not deflate", "#run=AAAAAAAAAAAA&t=5", "This link's run is damaged. A fresh run was started instead."},
		{"run bad time", "#run=AAAA&t=-3", "not a time in the run. A fresh run was started instead."},
		{"time", "#t=abc", "#t=abc (a time from 0 to 3,600,000 ms)"},
		{"query and run", "?peers=42#run=AAAAAAAAAAAA&t=5", `peers="42" (give a whole number from 1 to 9). This link's run is damaged. A fresh run was started instead.`},
		{"run out of range", "#run=" + packRun(t, `{"version":1,"config":{"peers":500},"seed":1,"actions":[]}`) + "&t=5", "could not be replayed: definition.config.peers must be from 1 to 9, got 500. A fresh run was started instead."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := open(t, tc.address)
			p.poll("a notice", `!document.querySelector("[data-toast]").hidden`)
			got := js[string](p, `document.querySelector("[data-toast]").textContent`)
			t.Logf("notice: %s", got)
			if !strings.Contains(got, tc.notice) {
				t.Errorf("notice %q, want it to say %q", got, tc.notice)
			}
			if n := js[int](p, `document.querySelectorAll(".peer").length`); n != 3 {
				t.Errorf("%d servers drawn, want the default 3", n)
			}
			p.until("a leader is elected", `document.querySelector(".peer.leader") !== null`, 3000)
		})
	}
}

// packRun makes a share link's run from a definition, as the page does.
func packRun(t *testing.T, def string) string {
	var b bytes.Buffer
	w, err := flate.NewWriter(&b, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte(def))
	w.Close()
	return base64.RawURLEncoding.EncodeToString(b.Bytes())
}

// The event log filters by kind and by server; heartbeats, most of a quiet
// cluster's traffic, are off until asked for.
func TestEventLogFilters(t *testing.T) {
	p := open(t, "")
	p.until("a leader is elected", `document.querySelector(".peer.leader") !== null`, 3000)
	p.click("[data-skip]") // 100 ms of heartbeats, hidden by default
	p.poll("the log to fill", `document.querySelector("[data-events] li.ev-elect") !== null && document.querySelector("[data-events] li.ev-msg") !== null`)
	rows := func() []string {
		return js[[]string](p, `[...document.querySelectorAll("[data-events] li:not(.ev-skipped) span")].map((s) => s.textContent)`)
	}
	for _, r := range rows() {
		if strings.Contains(r, "heartbeat") {
			t.Fatalf("a heartbeat is listed with heartbeats off: %q", r)
		}
	}

	p.click(`[data-event-filters] input[value="msg"]`)
	p.poll("messages to leave the log", `document.querySelector("[data-events] li.ev-msg") === null`)
	if js[int](p, `document.querySelectorAll("[data-events] li.ev-elect").length`) == 0 {
		t.Error("turning messages off hid the elections too")
	}

	p.click(`[data-event-filters] input[value="heartbeat"]`)
	p.poll("heartbeats to be listed", `[...document.querySelectorAll("[data-events] li span")].some((s) => s.textContent.includes("heartbeat"))`)

	p.set("[data-event-peer]", "2")
	p.poll("the log to show s2", `[...document.querySelectorAll("[data-events] li span")].every((s) => s.textContent.includes("s2"))`)
	if len(rows()) == 0 {
		t.Error("no event of s2 listed")
	}
}

// The network sliders set every link: with loss the log shows messages lost
// by the network; with the slowest latency messages take that long.
func TestNetworkSliders(t *testing.T) {
	p := open(t, "")
	p.until("a leader is elected", `document.querySelector(".peer.leader") !== null`, 3000)
	p.set("[data-loss]", "50")
	p.poll("the simulator to take the loss", `raftplay.snapshot().then((s) => s.link.loss === 0.5)`)
	if got := js[string](p, `document.querySelector("[data-loss-out]").textContent`); got != "50%" {
		t.Errorf("loss shown as %q", got)
	}
	p.until("a message lost by the network", `[...document.querySelectorAll("[data-events] li span")].some((s) => s.textContent.includes("lost by the network"))`, 2000)

	p.set("[data-loss]", "0")
	p.set("[data-latency]", "8")
	p.poll("the simulator to take the latency", `raftplay.snapshot().then((s) => s.link.latencyMinMs === 500 && s.link.latencyMaxMs === 1500)`)
	if got := js[string](p, `document.querySelector("[data-latency-out]").textContent`); !strings.Contains(got, "500") || !strings.Contains(got, "1500") {
		t.Errorf("latency shown as %q", got)
	}
	p.stepUntil("a message sent after the change", `raftplay.snapshot().then((s) => s.messages.some((m) => m.arrive - s.time >= 400))`, 200)
}
