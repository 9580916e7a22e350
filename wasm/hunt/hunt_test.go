package hunt

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/sim/search"
	"github.com/raftplay/raftplay/wasm/api"
)

// call makes one call on a worker with the hunt's calls, as the page's
// Web Worker would, and decodes the answer.
func call(t *testing.T, w *api.Worker, name string, args ...any) map[string]any {
	t.Helper()
	texts := make([][]byte, len(args))
	for i, a := range args {
		texts[i], _ = json.Marshal(a)
	}
	done := make(chan string, 1)
	w.Submit(name, texts, func(b []byte) { done <- string(b) })
	var m map[string]any
	if err := json.Unmarshal([]byte(<-done), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func worker(t *testing.T, progress func(api.Progress)) *api.Worker {
	w := api.NewWorker(api.Config{Yield: progress})
	Install(w)
	go w.Run()
	return w
}

// search finds what raft/sim/search finds, reports progress seed by
// seed, and hands back a definition the page's replay takes.
func TestSearchCall(t *testing.T) {
	var seen []int64
	w := worker(t, func(p api.Progress) {
		if p.Call == "search" && p.Until == 10 {
			seen = append(seen, p.Time)
		}
	})
	m := call(t, w, "search", map[string]any{"rule": "vote-any-log", "seeds": 10})
	p, _ := search.PlanFor(raft.VoteAnyLog)
	want, err := search.Run(p.Campaign, 1, 10, search.Options{})
	if err != nil || want == nil {
		t.Fatal(err)
	}
	v, _ := m["violation"].(map[string]any)
	if m["found"] != true || m["seed"] != float64(want.Seed) || v["property"] != "leader-completeness" || m["time"] != float64(want.Violation.Time) ||
		!strings.Contains(m["command"].(string), "-break vote-any-log") {
		t.Fatalf("search answered %v; want seed %d", m, want.Seed)
	}
	if len(seen) != int(want.Seed) || seen[len(seen)-1] != int64(want.Seed) {
		t.Fatalf("progress %v: want one report per seed searched", seen)
	}
	// The page replays the definition to the violation and finds it there.
	page := api.NewWorker(api.Config{Check: true})
	go page.Run()
	st := call(t, page, "replay", m["definition"], m["time"])
	if st["violations"] != float64(1) {
		t.Fatalf("the page's replay to the violation's instant: %v", st)
	}

	none := call(t, w, "search", map[string]any{"rule": "read-local", "seeds": 1, "first": 2})
	if none["found"] != false || none["searched"] != float64(1) {
		t.Fatalf("a search of a passing seed: %v", none)
	}
	for _, bad := range []map[string]any{{"rule": "nope"}, {"rule": "vote-any-log", "seeds": 0}, {"rule": "vote-any-log", "colour": 1}} {
		if m := call(t, w, "search", bad); m["code"] != api.CodeBadArgument && m["code"] != api.CodeOutOfRange {
			t.Errorf("search(%v) = %v, want an argument error", bad, m)
		}
	}
}

// check replays a definition and says whether its clients' history is
// linearizable, pointing at the reply that is not.
func TestCheckCall(t *testing.T) {
	w := worker(t, nil)
	m := call(t, w, "search", map[string]any{"rule": "read-local", "seeds": 20})
	if m["found"] != true {
		t.Fatalf("no read-local counterexample: %v", m)
	}
	got := call(t, w, "check", m["definition"], m["time"])
	v, _ := got["violation"].(map[string]any)
	if got["linearizable"] != "no" || v["property"] != "linearizability" || v["time"] != m["time"] {
		t.Fatalf("check = %v; want the violation search found at %v", got, m["time"])
	}
	before := call(t, w, "check", m["definition"], m["time"].(float64)-1)
	if before["linearizable"] != "yes" {
		t.Fatalf("check just before the violation = %v", before)
	}
	if m := call(t, w, "check", map[string]any{"version": 1}, 10); m["code"] == nil {
		t.Fatalf("check of a bad definition = %v", m)
	}
}
