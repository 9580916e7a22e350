package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// A run travels as a file: a definition dropped on the page replays to the
// very trace `raftsim -replay` prints for it (the same events, byte for
// byte), and so does the trace document raftsim wrote, chosen with File →
// Open run. A file that holds no run changes nothing and says why.
func TestOpenARunFromAFile(t *testing.T) {
	dir := t.TempDir()
	def := `{"version": 1, "config": {"peers": 3, "tickMs": 10, "electionMinMs": 150, "electionMaxMs": 300, "heartbeatMs": 50,
	  "net": {"latencyMinMs": 10, "latencyMaxMs": 30, "loss": 0.05}, "clientTimeoutMs": 3000, "snapshotEvery": 4, "bootstrap": "all"},
	 "seed": 7, "actions": [
	  {"at": 400, "kind": "write", "peer": 1, "client": "alice", "op": "lock"},
	  {"at": 700, "kind": "crash", "peer": 2},
	  {"at": 900, "kind": "write", "peer": 3, "client": "bob", "op": "lock"},
	  {"at": 1300, "kind": "restart", "peer": 2},
	  {"at": 1500, "kind": "write", "peer": 1, "client": "alice", "op": "unlock"}]}`
	defPath := filepath.Join(dir, "run.json")
	if err := os.WriteFile(defPath, []byte(def), 0o644); err != nil {
		t.Fatal(err)
	}
	native := raftsimReplay(t, defPath)
	tracePath := filepath.Join(dir, "trace.json")
	if err := os.WriteFile(tracePath, native, 0o644); err != nil {
		t.Fatal(err)
	}
	want := eventsOf(t, native)

	p := openAt(t, "?peers=5&seed=2&paused=1", 1280, 800)
	p.do("drop the definition", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
		const dt = new DataTransfer();
		dt.items.add(new File([%q], "run.json", { type: "application/json" }));
		const host = document.getElementById("playground");
		for (const type of ["dragenter", "dragover", "drop"]) host.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
	})()`, def)))
	p.waitFor("the dropped run", `document.querySelector("[data-toast]").textContent.startsWith("Opened run.json")`, 60*time.Second)
	if got := eventsOf(t, []byte(pageTrace(p))); !bytes.Equal(got, want) {
		t.Errorf("the dropped definition's trace differs from raftsim -replay's: %d bytes of events, want %d\npage:   %.300s\nnative: %.300s", len(got), len(want), got, want)
	}
	// Its last seconds are heartbeats, which the event log hides: it
	// lists the events before them.
	if n := js[int](p, `document.querySelectorAll("[data-events] li").length`); n == 0 {
		t.Error("the event log lists nothing of the opened run")
	}
	if n := js[int](p, `document.querySelectorAll(".peer").length`); n != 3 {
		t.Errorf("the page shows %d servers, the run has 3", n)
	}
	if g := js[string](p, `document.querySelector("[data-guide]").textContent`); !strings.Contains(g, "opened from a file") {
		t.Errorf("the guide does not say where the run came from: %s", g)
	}
	p.shot("80-dropped-run-1280x800")

	p.click("[data-menu-button]")
	p.do("choose the trace", chromedp.SetUploadFiles(chromedp.CSS("[data-open-input]"), []string{tracePath}))
	p.waitFor("the chosen trace", `document.querySelector("[data-toast]").textContent.startsWith("Opened trace.json")`, 60*time.Second)
	if got := eventsOf(t, []byte(pageTrace(p))); !bytes.Equal(got, want) {
		t.Errorf("the chosen trace document replays to another trace: %d bytes of events, want %d", len(got), len(want))
	}

	seq := js[string](p, `document.getElementById("playground").dataset.seq`)
	p.do("drop a file that is no run", chromedp.Evaluate[chromedp.Void](`(() => {
		const dt = new DataTransfer();
		dt.items.add(new File(["lock s1, please"], "notes.txt", { type: "text/plain" }));
		document.getElementById("playground").dispatchEvent(new DragEvent("drop", { bubbles: true, cancelable: true, dataTransfer: dt }));
	})()`))
	p.waitFor("the refusal", `document.querySelector("[data-toast]").textContent.startsWith("Could not open it: notes.txt is not JSON")`, 10*time.Second)
	if now := js[string](p, `document.getElementById("playground").dataset.seq`); now != seq {
		t.Errorf("a file that is no run changed the run: seq %s, was %s", now, seq)
	}
	p.checkConsole()
}

// raftsimReplay is `raftsim -replay FILE -json`: the trace document.
func raftsimReplay(t *testing.T, file string) []byte {
	t.Helper()
	cmd := exec.Command("go", "run", "./cmd/raftsim", "-replay", file, "-json")
	cmd.Dir = ".."
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("raftsim -replay %s -json: %v\n%s", file, err, stderr.String())
	}
	return out
}

// pageTrace is the page's trace document (Save run's JSON).
func pageTrace(p *page) string {
	return js[string](p, `raftplay.exportTrace().then((r) => r.json || JSON.stringify(r))`)
}

// eventsOf is a trace document's events, as written.
func eventsOf(t *testing.T, doc []byte) []byte {
	t.Helper()
	var d struct {
		Events json.RawMessage `json:"events"`
	}
	if err := json.Unmarshal(doc, &d); err != nil || len(d.Events) < 100 {
		t.Fatalf("not a trace document with events (%v): %.200s", err, strings.TrimSpace(string(doc)))
	}
	var b bytes.Buffer
	if err := json.Compact(&b, d.Events); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
