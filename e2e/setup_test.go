package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// After "Add a server" the ring has four servers while the run's setup
// still says how it started: the Servers box is the definition's starting
// size (what New run, a reload and a shared link start from), and its label
// says so; a note beside it says what changed during the run. A shared
// link and the run saved and opened again show the same; New run starts
// over with the starting size, and the note goes.
func TestServersBoxAfterAnAdd(t *testing.T) {
	p := openAt(t, "?peers=3&seed=4", 1280, 800)
	p.until("the leader's no-op committed", `document.querySelector("[data-logs]").textContent.includes("commit 2")`, 3000)
	p.click("[data-add-server]")
	p.poll("s4 in the ring", `document.querySelector('.peer[data-peer="4"]') !== null`)
	p.until("s4 votes", `document.querySelector('.peer[data-peer="4"]').dataset.standing === "voter"`, 3000)

	// setup reads what the Setup panel tells a student: the box's label,
	// its value, the note (when shown) and the servers in the ring.
	const setup = `JSON.stringify({
		label: document.querySelector("label[for=peers]").textContent.trim(),
		value: document.querySelector("select#peers").value,
		note: (() => { const n = document.querySelector("[data-setup-note]"); return n && n.checkVisibility() ? n.textContent.trim() : ""; })(),
		ring: document.querySelectorAll(".peer").length,
	})`
	type shown struct {
		Label, Value, Note string
		Ring               int
	}
	read := func(q *page) shown {
		t.Helper()
		var s shown
		if err := json.Unmarshal([]byte(js[string](q, setup)), &s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	s := read(p)
	if s.Ring != 4 || s.Value != "3" {
		t.Fatalf("after the add: %+v, want 4 servers in the ring and 3 in the box (the run started with 3)", s)
	}
	if !strings.Contains(s.Label, "at start") {
		t.Errorf("the box shows 3 beside a ring of 4 under the label %q: it does not say it is the starting size", s.Label)
	}
	if !strings.Contains(s.Note, "s4") || !strings.Contains(s.Note, "New run starts with 3 servers") {
		t.Errorf("the note beside the box reads %q: it should say s4 was added and that New run starts with 3", s.Note)
	}
	p.shot("90-setup-after-add-1280x800")
	p.do("narrow the window", chromedp.EmulateViewport(390, 844))
	p.do("show the setup", chromedp.Evaluate[chromedp.Void](`document.querySelector("[data-setup]").scrollIntoView({ block: "center" })`))
	p.shot("90-setup-after-add-390x844")
	if js[bool](p, `document.documentElement.scrollWidth > innerWidth`) {
		t.Error("at 390 px the page scrolls sideways")
	}
	p.do("widen the window", chromedp.EmulateViewport(1280, 800))

	// A shared link replays the run: the same setup, the same note.
	def := js[string](p, `raftplay.definition().then((d) => JSON.stringify(d))`)
	p.click("[data-share]")
	p.poll("the link in the address", `location.hash.startsWith("#run=")`)
	q := openAt(t, strings.TrimPrefix(js[string](p, `location.href`), baseURL), 1280, 800)
	if got := read(q); got != s {
		t.Errorf("the shared link shows %+v, the page that shared it %+v", got, s)
	}

	// The run saved and opened again: the box is the run's starting size,
	// not the servers it has by its end.
	q.do("drop the saved run", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
		const dt = new DataTransfer();
		dt.items.add(new File([%q], "run.json", { type: "application/json" }));
		const host = document.getElementById("playground");
		for (const type of ["dragenter", "dragover", "drop"]) host.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
	})()`, def)))
	q.waitFor("the opened run", `document.querySelector("[data-toast]").textContent.startsWith("Opened run.json")`, 30*time.Second)
	if got := read(q); got.Value != "3" || got.Ring != 4 || got.Note == "" {
		t.Errorf("the saved run, opened: %+v, want 3 in the box, 4 in the ring and the note", got)
	}

	// New run starts over from the box: three servers, no note.
	p.click("[data-setup] button[type=submit]")
	p.poll("a new run of three", `document.querySelectorAll(".peer").length === 3 && Number(document.querySelector("[data-clock]").textContent.replace(/[^0-9]/g, "")) < 500`)
	p.pause()
	if got := read(p); got.Value != "3" || got.Note != "" {
		t.Errorf("after New run: %+v, want 3 in the box and no note", got)
	}
}
