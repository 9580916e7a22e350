package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// writes sends n lock requests to peer at the instant on screen, each from
// a client of its own (most are refused by the lock, but every one is an
// entry in the log), through the page's API as a load generator would.
// The page learns of them as time moves on.
func (p *page) writes(n, peer int, prefix string) {
	p.t.Helper()
	errText := js[string](p, fmt.Sprintf(`(async () => {
		for (let i = 0; i < %d; i++) {
			const r = await raftplay.write({ client: %q + i, op: "lock", peer: %d });
			if (r.error) return r.error;
		}
		return "";
	})()`, n, prefix, peer))
	if errText != "" {
		p.t.Fatalf("sending writes: %s", errText)
	}
}

// load pushes n writes to peer in batches of 20, 100 ms of simulated time
// apart, as a busy set of clients would.
func (p *page) load(n, peer int) {
	p.t.Helper()
	for sent := 0; sent < n; sent += 20 {
		p.writes(min(20, n-sent), peer, fmt.Sprintf("w%d-", sent))
		before := p.clock()
		p.click("[data-skip]")
		p.poll("the clock to advance", fmt.Sprintf(`Number(document.querySelector("[data-clock]").textContent.replace(/[^0-9]/g, "")) > %d`, before))
	}
}

// logView is the logs panel as a student reads it.
type logView struct {
	Head []string // the index row: "index", maybe "snapshot", then indexes
	Rows []struct {
		Name  string   // "s1 leader"
		Snap  string   // the snapshot block's range ("1–50"), "" for none
		Cells []string // each slot: "#51" an entry, "~40" compacted, "" empty
	}
}

func (p *page) logs() logView {
	p.t.Helper()
	text := js[string](p, `JSON.stringify({
		Head: [...document.querySelectorAll(".index-row span")].map((s) => s.textContent),
		Rows: [...document.querySelectorAll(".log-row:not(.index-row)")].map((r) => ({
			Name: r.querySelector("strong").textContent,
			Snap: r.querySelector(".snap-range")?.textContent || "",
			Cells: [...r.querySelectorAll(".log-cell")].map((c) => (c.classList.contains("compacted") ? "~" : "") + (c.title || "").split(/[, ]/)[0].replace("#", c.classList.contains("compacted") ? "" : "#")),
		})),
	})`)
	var v logView
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		p.t.Fatal(err)
	}
	return v
}

// snapIndexOf is a JavaScript expression: the last index of the snapshot
// block drawn in peer id's log row (its range is "1–N"), 0 for none.
func snapIndexOf(id int) string {
	return fmt.Sprintf(`Number((document.querySelectorAll(".log-row:not(.index-row)")[%d].querySelector(".snap-range")?.textContent || "0").replace("1–", ""))`, id-1)
}

// allSnapsFrom: every row's snapshot block covers at least entries 1–n.
func allSnapsFrom(n int) string {
	return fmt.Sprintf(`(() => { const r = [...document.querySelectorAll(".log-row:not(.index-row) .snap-range")]; return r.length > 0 && r.length === document.querySelectorAll(".log-row:not(.index-row)").length && r.every((s) => Number(s.textContent.replace("1–", "")) >= %d); })()`, n)
}

// Under a busy load every peer compacts its log into a snapshot every 50
// applied entries: each log row then starts with one snapshot block, and
// the window of entries pages on past index 250 with every index where it
// belongs.
func TestSnapshotDrawn(t *testing.T) {
	p := open(t, "")
	p.until("a leader is elected", `document.querySelector(".peer.leader") !== null`, 3000)
	leader, _ := p.leader()
	if got := p.outcome(p.request("alice", leader, "lock"), 2000); got != "ok" {
		t.Fatalf("alice's lock: %s, want ok", got)
	}
	if js[bool](p, `document.querySelector(".snap-card") !== null`) {
		t.Error("a snapshot column before any peer compacted its log")
	}
	p.load(60, leader)
	// Every 50 applied entries: at the first index applied past 50.
	p.until("every server compacts its log", allSnapsFrom(50), 3000)
	p.poll("the event log to tell", `[...document.querySelectorAll("[data-events] li")].some((li) => /compacted entries 1–\d+ into a snapshot/.test(li.textContent.replaceAll("\u2060", "")))`)
	p.shot("10-snapshot-compacted")

	// On past 250: the window starts after the latest snapshot and pages on.
	p.load(220, leader)
	p.until("the logs reach index 280", `Math.max(...[...document.querySelectorAll(".index-row span")].map((s) => Number(s.textContent) || 0)) >= 280`, 4000)
	p.until("every server compacts past 200", allSnapsFrom(200), 2000)
	v := p.logs()
	if len(v.Head) < 3 || v.Head[0] != "log index" || v.Head[1] != "snapshot" {
		t.Fatalf("index row %q: want log index, snapshot, then indexes", v.Head)
	}
	var first int
	fmt.Sscan(v.Head[2], &first)
	if first <= 200 {
		t.Errorf("the window starts at %d: want it past index 200", first)
	}
	for i, h := range v.Head[2:] {
		if h != fmt.Sprint(first+i) {
			t.Fatalf("index row %q: not consecutive from %d", v.Head, first)
		}
	}
	for _, r := range v.Rows {
		var snap int
		fmt.Sscanf(r.Snap, "1–%d", &snap)
		if snap < 200 {
			t.Errorf("%s: snapshot block %q, want one past index 200", r.Name, r.Snap)
		}
		// Every entry drawn sits under its own index, after the snapshot;
		// what the window shows of the snapshot is a band up to its end.
		filled := 0
		for i, c := range r.Cells {
			index := first + i
			switch {
			case strings.HasPrefix(c, "#"):
				filled++
				if c != fmt.Sprintf("#%d", index) || index <= snap {
					t.Errorf("%s (snapshot 1–%d): column of index %d holds entry %s", r.Name, snap, index, c)
				}
			case strings.HasPrefix(c, "~"):
				if c != fmt.Sprintf("~%d", index) || index > snap {
					t.Errorf("%s (snapshot 1–%d): column of index %d drawn compacted as %s", r.Name, snap, index, c)
				}
			}
		}
		if filled == 0 {
			t.Errorf("%s: no entries drawn after the snapshot: %q", r.Name, r.Cells)
		}
	}
	p.shot("11-snapshot-paged")
}

// A follower that was down while the others compacted their logs cannot
// be sent the entries it lacks: the leader sends its snapshot instead
// (InstallSnapshot), and the follower takes the lock's state from it.
func TestInstallSnapshot(t *testing.T) {
	p := open(t, "")
	p.until("a leader is elected", `document.querySelector(".peer.leader") !== null`, 3000)
	leader, _ := p.leader()
	follower := leader%3 + 1
	if got := p.outcome(p.request("alice", leader, "lock"), 2000); got != "ok" {
		t.Fatalf("alice's lock: %s, want ok", got)
	}
	peer := fmt.Sprintf(`.peer[data-peer="%d"]`, follower)
	p.click(peer)
	p.poll("the server's menu", `document.querySelector("[data-popover] [data-do=crash]") !== null`)
	p.click("[data-popover] [data-do=crash]")
	p.poll("the follower to be drawn crashed", fmt.Sprintf(`document.querySelector(%q).classList.contains("crashed")`, peer))

	p.load(60, leader)
	p.until("the leader compacts its log", snapIndexOf(leader)+` >= 50`, 3000)
	snap := js[int](p, snapIndexOf(leader))
	if got := js[int](p, snapIndexOf(follower)); got != 0 {
		t.Fatalf("the crashed follower shows a snapshot of 1–%d: it had none", got)
	}
	p.shot("12-follower-behind-snapshot")

	p.click(peer)
	p.poll("the server's menu", `document.querySelector("[data-popover] [data-do=restart]") !== null`)
	p.click("[data-popover] [data-do=restart]")
	p.stepUntil("an InstallSnapshot in flight", `document.querySelector(".msg[data-id].snapshot") !== null`, 400)
	p.shot("13-installsnapshot-in-flight")
	msg := js[string](p, `document.querySelector(".msg[data-id].snapshot").dataset.id`)
	p.click(fmt.Sprintf(`.msg[data-id=%q]`, msg))
	p.poll("the message's details", `document.querySelector("[data-popover] [data-do=drop]") !== null`)
	detail := js[string](p, `document.querySelector("[data-popover]").textContent`)
	for _, want := range []string{"InstallSnapshot", fmt.Sprintf("lastIncludedIndex%d", snap), "lastIncludedTerm", "size"} {
		if !strings.Contains(detail, want) {
			t.Errorf("InstallSnapshot details %q lack %q", detail, want)
		}
	}
	p.shot("14-installsnapshot-details")
	p.do("close the details", chromedp.KeyEvent(kb.Escape))

	p.until("the follower installs the snapshot", fmt.Sprintf(`%s === %d`, snapIndexOf(follower), snap), 2000)
	p.poll("the event log to tell", fmt.Sprintf(`[...document.querySelectorAll("[data-events] li")].some((li) => li.textContent.replaceAll("\u2060", "").includes("s%d installed the leader's snapshot of entries 1–%d"))`, follower, snap))
	if !js[bool](p, fmt.Sprintf(`document.querySelectorAll(".log-row:not(.index-row)")[%d].querySelector(".snap-card").classList.contains("installed")`, follower-1)) {
		t.Error("the follower's snapshot block does not say it was installed")
	}
	label := func(id int) string {
		return js[string](p, fmt.Sprintf(`document.querySelector('.peer-info[data-peer="%d"]').textContent`, id))
	}
	p.until("the follower applies what follows the snapshot", fmt.Sprintf(`document.querySelector('.peer-info[data-peer="%d"]').textContent.includes("lock: alice")`, follower), 1000)
	if got, want := label(follower), label(leader); !strings.Contains(got, "lock: alice") || !strings.Contains(want, "lock: alice") {
		t.Errorf("after the InstallSnapshot, s%d shows %q and the leader s%d %q: want both locked by alice", follower, got, leader, want)
	}
	p.shot("15-installsnapshot-done")
}
