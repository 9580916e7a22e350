package e2e

import (
	"fmt"
	"strings"
	"testing"
)

// notes reads the guide's notes on what is on screen, by their names.
func (p *page) notes() map[string]string {
	p.t.Helper()
	return js[map[string]string](p, `Object.fromEntries([...document.querySelectorAll("[data-note]")].map((n) => [n.dataset.note, n.textContent]))`)
}

// The guide explains what a student sees, where and while they see it:
// the configuration entry, why the first leader leads term 2, the no-op a
// new leader appends, and that a dashed entry is one its server does not
// know is committed. It says nothing of what is not on screen.
func TestGuideNotes(t *testing.T) {
	p := open(t, "")
	if got := js[string](p, `document.querySelector(".note-start").textContent`); !strings.Contains(got, "Start here") || !strings.Contains(got, "election timer") {
		t.Errorf("the first screen does not say what to do first: %q", got)
	}
	n := p.notes()
	if !strings.Contains(n["config"], "#1 config s1–s3") || !strings.Contains(n["config"], "members") {
		t.Errorf("config note %q", n["config"])
	}
	for _, k := range []string{"term", "noop"} {
		if n[k] != "" {
			t.Errorf("before any election, the guide says %q", n[k])
		}
	}
	p.until("a leader with its no-op in the logs", `document.querySelector("[data-note=noop]") !== null`, 3000)
	leader, _ := p.leader()
	n = p.notes()
	if want := fmt.Sprintf("the first leader, s%d, leads term 2", leader); !strings.Contains(n["term"], want) {
		t.Errorf("term note %q, want %q", n["term"], want)
	}
	if !strings.Contains(n["noop"], "#2 no-op (t2)") || !strings.Contains(n["noop"], "Figure 8") || !strings.Contains(n["noop"], "here #1") {
		t.Errorf("no-op note %q", n["noop"])
	}

	// A follower crashes and comes back: it has lost its commit index, so
	// it shows committed entries dashed, which the leader knows committed.
	f := leader%3 + 1
	peer := fmt.Sprintf(`.peer[data-peer="%d"]`, f)
	p.click(peer)
	p.poll("the server's menu", `document.querySelector("[data-popover] [data-do=crash]") !== null`)
	p.click("[data-popover] [data-do=crash]")
	if got := p.outcome(p.request("alice", leader, "lock"), 2000); got != "ok" {
		t.Fatalf("the lock: %s", got)
	}
	p.click(peer)
	p.poll("the server's menu", `document.querySelector("[data-popover] [data-do=restart]") !== null`)
	p.click("[data-popover] [data-do=restart]")
	p.poll("the dashed note", `document.querySelector("[data-note=dashed]") !== null`)
	got := p.notes()["dashed"]
	if want := fmt.Sprintf("s%d shows #1 dashed, while s%d knows it is committed", f, leader); !strings.Contains(got, want) || !strings.Contains(got, "does not know yet") {
		t.Errorf("dashed note %q, want it to say %q", got, want)
	}
	p.shot("36-guide-dashed")
	p.until("the follower to learn the commit index", fmt.Sprintf(`document.querySelectorAll('.log-row:nth-child(%d) .log-cell.committed').length >= 3`, f+1), 1000)
	if got := p.notes()["dashed"]; strings.Contains(got, fmt.Sprintf("s%d shows", f)) {
		t.Errorf("with s%d's entries solid again, the guide still says %q", f, got)
	}
}
