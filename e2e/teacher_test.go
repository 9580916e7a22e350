package e2e

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/raftplay/raftplay/raft/sim"
	"github.com/raftplay/raftplay/server"
	"github.com/raftplay/raftplay/server/embedded"
	"github.com/raftplay/raftplay/wasm/api"
)

// The teacher's tools, as a teacher preparing a lecture uses them.

// "Time out now" in a follower's menu makes it a candidate at once, in the
// next term; the leader's menu does not offer it. The menu is looked at at
// 1280x800 and, resized, at 390 px wide.
func TestTimeOutNow(t *testing.T) {
	p := openAt(t, "?peers=3&seed=4", 1280, 800)
	p.until("a leader is elected", `document.querySelector(".peer.leader") !== null`, 3000)
	lead, term := p.leader()
	p.click(fmt.Sprintf(`.peer[data-peer="%d"]`, lead))
	p.poll("the leader's menu", `document.querySelector("[data-popover] [data-do=crash]") !== null`)
	if js[bool](p, `document.querySelector("[data-popover] [data-do=timeout]") !== null`) {
		t.Error("the leader's menu offers to time it out: a leader has no election timer")
	}
	f := lead%3 + 1
	peer := fmt.Sprintf(`.peer[data-peer="%d"]`, f)
	p.click(peer)
	p.poll("the follower's menu", `document.querySelector("[data-popover] [data-do=timeout]") !== null`)
	p.shot("40-timeout-menu-1280x800")
	p.do("narrow the window", chromedp.EmulateViewport(390, 844))
	p.poll("the menu at 390 px", `document.querySelector("[data-popover] [data-do=timeout]").getBoundingClientRect().right <= innerWidth`)
	p.shot("40-timeout-menu-390x844")
	clock := p.clock()
	p.click("[data-popover] [data-do=timeout]")
	p.poll("the follower to stand", fmt.Sprintf(`document.querySelector('%s').classList.contains("candidate")`, peer))
	if got := js[int](p, fmt.Sprintf(`Number(document.querySelector('%s').dataset.term)`, peer)); got != term+1 {
		t.Errorf("s%d stands in term %d, want %d", f, got, term+1)
	}
	if p.clock() != clock {
		t.Errorf("the clock moved from %d to %d ms: time out now acts at once", clock, p.clock())
	}
	if ev := js[string](p, `document.querySelector("[data-events]").textContent`); !strings.Contains(ev, "made to run out now") {
		t.Errorf("the event log does not say the timer was made to run out: %.300s", ev)
	}
	p.shot("41-timeout-candidate-390x844")
}

// Aligned election timers split the vote: every server stands in term 2
// and none wins it.
func TestAlignTimers(t *testing.T) {
	p := openAt(t, "?peers=5&seed=3", 1280, 800)
	p.click(`[data-timers="align"]`)
	p.poll("the action in the event log", `document.querySelector("[data-events]").textContent.includes("aligned")`)
	p.until("five candidates in term 2", `document.querySelectorAll('.peer.candidate[data-term="2"]').length === 5`, 400)
	p.shot("42-timers-aligned-split-vote")
	if n := js[int](p, `document.querySelectorAll('.peer.leader[data-term="2"]').length`); n != 0 {
		t.Errorf("%d leaders in term 2 after the vote split", n)
	}
}

// figure8 plays the paper's Figure 8: playing stops at each stage with its
// caption and the figure's logs; at (d) the page offers the other future,
// (e), which plays from (c).
func TestFigure8(t *testing.T) {
	p := openAt(t, "?scenario=figure8&seed=1", 1280, 800)
	p.set("[data-speed]", "9") // 10x: the stages still stop the play
	logs := `[...document.querySelectorAll(".log-row:not(.index-row)")].map((r) =>
		[...r.querySelectorAll(".log-cell:not(.empty) .term")].map((e) => e.textContent.slice(1)).join(" ")).join(" | ")`
	var names []string
	stage := func(name, want string) {
		t.Helper()
		p.click("[data-play]")
		p.poll("stage "+name, fmt.Sprintf(`!document.querySelector("[data-stage]").hidden &&
			document.querySelector("[data-stage-text]").textContent.startsWith(%q) &&
			document.querySelector("[data-play]").getAttribute("aria-pressed") === "false"`, name))
		p.poll("the logs of stage "+name, logs+` === `+fmt.Sprintf("%q", want))
		names = append(names, name)
		p.shot(fmt.Sprintf("43-figure8-%d-%s-1280x800", len(names), strings.Trim(strings.Fields(name)[2], "(),")))
	}
	stage("Figure 8 (a)", "1 2 | 1 2 | 1 | 1 | 1")
	stage("Figure 8 (b)", "1 2 | 1 2 | 1 | 1 | 1 3")
	stage("Figure 8 (c)", "1 2 4 | 1 2 | 1 2 | 1 | 1 3")
	stage("Figure 8 (d)", "1 2 4 | 1 3 5 | 1 3 5 | 1 3 5 | 1 3 5")
	// The stage card and its button, as a phone shows them.
	p.do("narrow the window", chromedp.EmulateViewport(390, 844))
	p.poll("the other future offered", `!document.querySelector("[data-stage-rewind]").hidden &&
		document.querySelector("[data-stage-rewind]").getBoundingClientRect().right <= innerWidth`)
	p.shot("43-figure8-4-d-390x844")
	p.do("widen the window", chromedp.EmulateViewport(1280, 800))
	p.click("[data-stage-rewind]")
	p.poll("back at (c), paused", `document.querySelector("[data-stage-text]").textContent.startsWith("Figure 8 (c)") &&
		document.querySelector("[data-play]").getAttribute("aria-pressed") === "false"`)
	p.poll("the logs of (c) again", logs+` === "1 2 4 | 1 2 | 1 2 | 1 | 1 3"`)
	stage("Figure 8 (e), the other", "1 2 4 | 1 2 4 | 1 2 4 | 1 | 1 3")
	stage("Figure 8 (e), continued", "1 2 4 | 1 2 4 | 1 2 4 | 1 | 1 3")
	if js[bool](p, `document.querySelector(".peer[data-peer='5']").classList.contains("leader")`) {
		t.Error("s5 leads at the end of (e): it must not win")
	}
	if len(names) != 6 {
		t.Errorf("stages %q", names)
	}
}

// Save gives the view as SVG and PNG, and the run as JSON that replays,
// natively, to the same trace.
func TestSave(t *testing.T) {
	dir := t.TempDir()
	p := openAt(t, "?peers=3&seed=7", 1280, 800)
	if _, err := chromedp.CallBrowser(p.ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir,
	}); err != nil {
		t.Fatal(err)
	}
	clock := `Number(document.querySelector("[data-clock]").textContent.replace(/[^0-9]/g, ""))`
	p.until("a leader everyone knows", clock+` >= 1000`, 1200)
	if got := p.outcome(p.request("alice", 2, "lock"), 2000); got != "ok" {
		t.Fatalf("alice's lock: %s", got)
	}
	p.shot("44-save-buttons")
	save := func(kind string) []byte {
		t.Helper()
		before := files(dir)
		p.click("[data-menu-button]") // the toolbar's File menu
		p.click(fmt.Sprintf(`[data-save-as=%q]`, kind))
		return waitFile(t, dir, before, "."+kind)
	}
	svg := save("svg")
	png := save("png")
	trace := save("json")
	for name, b := range map[string][]byte{"45-saved-view.svg": svg, "45-saved-view.png": png, "45-saved-run.json": trace} {
		if err := os.WriteFile(filepath.Join(*shotDir, name), b, 0o644); err != nil {
			t.Error(err)
		}
	}

	// The SVG stands alone: well formed, styles on its elements, no
	// stylesheet or outside reference, a white background, the servers'
	// names and the logs' terms as text.
	if err := xml.Unmarshal(svg, new(struct{})); err != nil {
		t.Errorf("the SVG is not well-formed XML: %v", err)
	}
	for _, want := range []string{`<svg xmlns="http://www.w3.org/2000/svg"`, `fill="#ffffff"`, `>s1<`, `>t2<`, `fill="rgb(`} {
		if !bytes.Contains(svg, []byte(want)) {
			t.Errorf("the SVG has no %s", want)
		}
	}
	for _, bad := range []string{`class="`, `var(--`, `http://`, `<style`, ` style="`} {
		if bytes.Contains(bytes.ReplaceAll(svg, []byte(`xmlns="http://www.w3.org/2000/svg"`), nil), []byte(bad)) {
			t.Errorf("the SVG still holds %s: it would not stand alone", bad)
		}
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) || len(png) < 10_000 {
		t.Errorf("the PNG is %d bytes starting %q", len(png), png[:min(8, len(png))])
	}

	// The JSON is TRACE.md's trace document; its definition, replayed by
	// raft/sim, gives the same events.
	var doc struct {
		Version    int               `json:"version"`
		Definition json.RawMessage   `json:"definition"`
		Events     []json.RawMessage `json:"events"`
	}
	if err := json.Unmarshal(trace, &doc); err != nil || doc.Version != 1 || len(doc.Events) < 50 {
		t.Fatalf("the JSON is not a trace document (%v): version %d, %d events", err, doc.Version, len(doc.Events))
	}
	def, aerr := api.DecodeDefinition(string(doc.Definition))
	if aerr != nil {
		t.Fatalf("the saved definition: %v", aerr)
	}
	if len(def.Actions) == 0 {
		t.Fatal("the saved definition has no actions: alice's lock is missing")
	}
	s, err := sim.New(def, sim.Options{TraceLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var last struct {
		Time int64 `json:"time"`
	}
	if err := json.Unmarshal(doc.Events[len(doc.Events)-1], &last); err != nil {
		t.Fatal(err)
	}
	s.RunUntil(last.Time)
	evs, _ := s.Events(0)
	if len(evs) < len(doc.Events) {
		t.Fatalf("the replay has %d events, the saved trace %d", len(evs), len(doc.Events))
	}
	for i, raw := range doc.Events {
		if got := evs[i].AppendJSON(nil); !bytes.Equal(got, raw) {
			t.Fatalf("event %d differs in the replay:\n%s\nsaved\n%s", i+1, got, raw)
		}
	}
}

// Where the server keeps short links, "Copy link" gives one, and opening
// it replays the run to the same instant.
func TestShortLink(t *testing.T) {
	h, err := server.New(embedded.Site(), server.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h.EnableShortLinks(&memoryLinks{m: map[string]string{}}))
	defer srv.Close()
	p := openURL(t, srv.URL+"/?peers=3&seed=5")
	p.until("a leader is elected", `document.querySelector(".peer.leader") !== null`, 3000)
	p.until("time to pass", `true`, 200)
	clock := js[string](p, `document.querySelector("[data-clock]").textContent`)
	p.click("[data-share]")
	p.poll("the short link", `document.querySelector("[data-toast]").textContent.includes("/r/")`)
	note := js[string](p, `document.querySelector("[data-toast]").textContent`)
	i := strings.Index(note, srv.URL+"/r/")
	if i < 0 {
		t.Fatalf("the notice %q names no short link on %s", note, srv.URL)
	}
	link := strings.Fields(note[i:])[0]
	// The page was opened paused (paused=1, as the harness asks): the
	// short link keeps how the run is shown, as the long one does.
	if !strings.HasSuffix(link, "?paused=1") {
		t.Errorf("the short link %s does not keep paused=1", link)
	}
	q := openURL(t, link)
	if got := js[string](q, `location.search`); got != "?paused=1" {
		t.Errorf("the short link opens the page with query %q, want ?paused=1", got)
	}
	if got := js[string](q, `document.querySelector("[data-clock]").textContent`); got != clock {
		t.Errorf("the short link opens at %s, want %s", got, clock)
	}
	if !strings.HasPrefix(js[string](q, `location.hash`), "#run=") {
		t.Error("the short link did not lead to the run")
	}
}

// memoryLinks is a server.LinkStore in memory.
type memoryLinks struct {
	mu sync.Mutex
	m  map[string]string
}

func (l *memoryLinks) Ready() error { return nil }

func (l *memoryLinks) Get(k string) (string, bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	v, ok := l.m[k]
	return v, ok, nil
}

func (l *memoryLinks) Put(k, v string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.m[k] = v
	return nil
}

func files(dir string) map[string]bool {
	out := map[string]bool{}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		out[e.Name()] = true
	}
	return out
}

// waitFile waits for a new, complete file ending in ext in dir and returns
// its bytes.
func waitFile(t *testing.T, dir string, before map[string]bool, ext string) []byte {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for range tick.C {
		for name := range files(dir) {
			if !before[name] && strings.HasSuffix(name, ext) {
				f, err := os.Open(filepath.Join(dir, name))
				if err != nil {
					t.Fatal(err)
				}
				b, err := io.ReadAll(f)
				f.Close()
				if err != nil {
					t.Fatal(err)
				}
				return b
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s file in %s after 20 s", ext, dir)
		}
	}
	return nil
}
