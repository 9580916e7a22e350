package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// What the dissertation adds to the paper's elections, as a student meets
// it in the page: PreVote and CheckQuorum switches, and handing over
// leadership from a server's menu.

// The disruptive scenario without PreVote ends with a higher term (the
// server that was cut off deposed the leader) than with it (the leader
// stays); turning PreVote on starts a new run, and the address keeps the
// switch. Looked at, at each end, at 1280x800 and 390 px.
func TestDisruptiveWithAndWithoutPreVote(t *testing.T) {
	p := openAt(t, "?scenario=disruptive&seed=2", 1280, 800)
	p.set("[data-speed]", "9") // 10x: the marks still stop the play
	end := func(shot string, preVote bool) (leader, term int) {
		t.Helper()
		p.click("[data-play]")
		pollLong(p, "the server cut off", `document.querySelector("[data-stage-text]").textContent.includes("has been cut off") &&
			document.querySelector("[data-play]").getAttribute("aria-pressed") === "false"`)
		p.shot(shot + "-away-1280x800")
		if away := js[string](p, `[...document.querySelectorAll(".peer")].map((g) => g.querySelector(".peer-role").textContent).join()`); preVote != strings.Contains(away, "pre-candidate") {
			t.Errorf("%s: the servers' roles while one is cut off are %q: want a pre-candidate if and only if PreVote is on", shot, away)
		}
		p.click("[data-play]")
		pollLong(p, "the run's end", `document.querySelector("[data-stage-text]").textContent.startsWith("Back,") &&
			document.querySelector("[data-play]").getAttribute("aria-pressed") === "false"`)
		p.shot(shot + "-1280x800")
		p.do("narrow the window", chromedp.EmulateViewport(390, 844))
		p.shot(shot + "-390x844")
		p.do("widen the window", chromedp.EmulateViewport(1280, 800))
		return p.leader()
	}
	if js[bool](p, `document.querySelector("[data-switch=preVote]").checked`) {
		t.Fatal("PreVote is on in a run the address did not ask it for")
	}
	offLeader, offTerm := end("60-disruptive-prevote-off", false)
	if note := js[string](p, `document.querySelector("[data-stage-text]").textContent`); !strings.Contains(note, "stepped down") {
		t.Errorf("without PreVote the last note does not say the leader stepped down: %q", note)
	}

	// The switch starts a new run with PreVote, and the address keeps it.
	p.click("[data-switch=preVote]")
	p.poll("a new run with PreVote", `document.querySelector("[data-switch=preVote]").checked && location.search.includes("prevote=1") &&
		document.querySelector("[data-stage]").hidden`)

	// That address opens the run with PreVote on, paused at its start.
	p = openAt(t, "?scenario=disruptive&seed=2&prevote=1", 1280, 800)
	if !js[bool](p, `document.querySelector("[data-switch=preVote]").checked`) {
		t.Fatal("?prevote=1 opened a run with PreVote off")
	}
	p.set("[data-speed]", "9")
	onLeader, onTerm := end("61-disruptive-prevote-on", true)
	if note := js[string](p, `document.querySelector("[data-stage-text]").textContent`); !strings.Contains(note, "still leads") {
		t.Errorf("with PreVote the last note does not say the leader still leads: %q", note)
	}
	if onTerm >= offTerm {
		t.Errorf("the run ends with s%d leading term %d without PreVote and s%d term %d with it: want a lower term with PreVote",
			offLeader, offTerm, onLeader, onTerm)
	}
	// figure8 plays the paper's Raft step by step: the switches are off
	// and cannot be turned on for it.
	p.set("select#scenario", "figure8")
	p.poll("figure8 without the switches", `location.search.includes("scenario=figure8") && !location.search.includes("prevote") &&
		[...document.querySelectorAll("[data-switch]")].every((b) => b.disabled && !b.checked)`)
}

// pollLong is poll for a run played at 10x to a mark: on a busy machine
// the page may take longer than poll allows to get there.
func pollLong(p *page, what, cond string) {
	p.t.Helper()
	ctx, cancel := p.within(90 * time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](cond, chromedp.WithPollingInterval(20*time.Millisecond))); err != nil {
		p.shot("failed-" + p.t.Name())
		p.t.Fatalf("waiting for %s: %v", what, err)
	}
}

// "Make s2 the leader" in a follower's menu: the leader hands over, and
// the follower leads the next term; the event log says so. The menu is
// looked at at 1280x800 and 390 px.
func TestTransferLeadership(t *testing.T) {
	p := openAt(t, "?peers=3&seed=4", 1280, 800)
	p.until("a leader is elected", `document.querySelector(".peer.leader") !== null`, 3000)
	lead, term := p.leader()
	p.click(fmt.Sprintf(`.peer[data-peer="%d"]`, lead))
	p.poll("the leader's menu", `document.querySelector("[data-popover] [data-do=crash]") !== null`)
	if js[bool](p, `document.querySelector("[data-popover] [data-do=transfer]") !== null`) {
		t.Error("the leader's menu offers to make it the leader")
	}
	to := lead%3 + 1
	peer := fmt.Sprintf(`.peer[data-peer="%d"]`, to)
	p.click(peer)
	p.poll("the follower's menu", `document.querySelector("[data-popover] [data-do=transfer]") !== null`)
	p.shot("62-transfer-menu-1280x800")
	p.do("narrow the window", chromedp.EmulateViewport(390, 844))
	p.poll("the menu at 390 px", `document.querySelector("[data-popover] [data-do=transfer]").getBoundingClientRect().right <= innerWidth`)
	p.shot("62-transfer-menu-390x844")
	p.do("widen the window", chromedp.EmulateViewport(1280, 800))
	p.click("[data-popover] [data-do=transfer]")
	p.until("the target to lead", fmt.Sprintf(`document.querySelector('%s').classList.contains("leader")`, peer), 1000)
	if got, gotTerm := p.leader(); got != to || gotTerm != term+1 {
		t.Errorf("s%d leads term %d after the transfer, want s%d in term %d", got, gotTerm, to, term+1)
	}
	if ev := js[string](p, `document.querySelector("[data-events]").textContent`); !strings.Contains(ev, "hands over leadership to") {
		t.Errorf("the event log does not say the leader handed over: %.300s", ev)
	}
	p.shot("63-transfer-done-1280x800")
}

// With CheckQuorum, a leader cut off from every other server steps down by
// itself within a couple of election timeouts, and the event log says why;
// a new leader is elected on the other side.
func TestCheckQuorumStepsDownACutOffLeader(t *testing.T) {
	p := open(t, "?peers=5&checkquorum=1")
	if !js[bool](p, `document.querySelector("[data-switch=checkQuorum]").checked`) {
		t.Fatal("?checkquorum=1 opened a run with CheckQuorum off")
	}
	p.until("a leader is elected", `document.querySelector(".peer.leader") !== null`, 3000)
	old, _ := p.leader()
	p.click(fmt.Sprintf(`.peer[data-peer="%d"]`, old))
	p.poll("the server's menu", `document.querySelector("[data-popover] [data-do=isolate]") !== null`)
	p.click("[data-popover] [data-do=isolate]")
	p.until("the cut-off leader to step down", fmt.Sprintf(`!document.querySelector('.peer[data-peer="%d"]').classList.contains("leader")`, old), 1000)
	if !js[bool](p, `[...document.querySelectorAll("[data-events] li")].some((li) => li.textContent.includes("heard from no majority"))`) {
		t.Error("the event log does not say why the leader stepped down")
	}
	p.until("a new leader on the other side", fmt.Sprintf(`[...document.querySelectorAll(".peer.leader")].some((g) => g.dataset.peer !== "%d")`, old), 2000)
	p.shot("64-checkquorum-step-down")
}
