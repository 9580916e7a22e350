package api

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/raftplay/raftplay/raft/sim"
)

// Replaying a run's definition reproduces its trace exactly; replaying to
// an instant shows that instant, and advancing from there plays the
// recorded future again.
func TestReplayIsTimeTravel(t *testing.T) {
	s := newSession(t, Config{})
	s.call("create", map[string]any{"peers": 5, "seed": 9})
	s.call("advance", 1000)
	s.call("write", map[string]any{"client": "a", "op": "lock", "peer": 3})
	s.call("advance", 700)
	s.call("partition", [][]int{{1, 2}, {3, 4, 5}})
	s.call("advance", 1300)
	s.call("heal")
	s.call("advance", 1000)
	def := s.call("definition")
	trace := s.call("exportTrace")["json"].(string)
	st := s.call("replay", def, 1800)
	if num(st["run"]) != 2 || num(st["time"]) != 1800 || num(st["actions"]) != 2 || num(st["pending"]) != 1 {
		t.Fatalf("replay(def, 1800) = %v", st)
	}
	if got := s.call("definition"); !sameJSON(t, got, def) {
		t.Fatalf("definition() after replay lost the pending actions:\n%v\nwant\n%v", got, def)
	}
	s.call("advance", 2200)
	if got := s.call("exportTrace")["json"].(string); got != trace {
		t.Fatalf("replayed trace differs:\n%.500s\nwant\n%.500s", got, trace)
	}

	// The JSON text of a definition (a share link) works too.
	text, _ := json.Marshal(def)
	s.call("replay", string(text), 4000)
	if got := s.call("exportTrace")["json"].(string); got != trace {
		t.Fatal("replay of the definition's JSON text differs")
	}
}

// A live action while recorded actions are pending forks the run.
func TestReplayFork(t *testing.T) {
	s := newSession(t, Config{})
	s.call("create", map[string]any{"seed": 3})
	s.call("advance", 1000)
	s.call("write", map[string]any{"client": "a", "op": "lock", "peer": 1})
	s.call("advance", 1000)
	s.call("crash", 2)
	s.call("advance", 1000)
	def := s.call("definition")

	s.call("replay", def, 1500)
	s.fail(CodeRejected, []string{"already running"}, "restart", 2) // a refused action does not fork
	if st := s.call("status"); num(st["pending"]) != 1 {
		t.Fatalf("pending after a refused action: %v", st)
	}
	st := s.call("crash", 3)
	if num(st["pending"]) != 0 || num(st["actions"]) != 2 {
		t.Fatalf("after forking: %v", st)
	}
	s.call("advance", 2000)
	acts := s.call("definition")["actions"].([]any)
	if len(acts) != 2 || acts[1].(map[string]any)["kind"] != "crash" || num(acts[1].(map[string]any)["peer"]) != 3 {
		t.Fatalf("forked definition's actions: %v", acts)
	}
	for _, e := range s.call("events", 0)["events"].([]any) {
		if e := e.(map[string]any); e["kind"] == "crash" && num(e["peer"]) == 2 {
			t.Fatal("the dropped crash of s2 happened")
		}
	}
}

func TestReplayErrors(t *testing.T) {
	s := newSession(t, Config{})
	good := func() map[string]any {
		return map[string]any{"version": 1, "seed": 1, "config": map[string]any{
			"peers": 3, "tickMs": 10, "electionMinMs": 150, "electionMaxMs": 300, "heartbeatMs": 50,
			"clientTimeoutMs": 3000, "bootstrap": "all",
			"net": map[string]any{"latencyMinMs": 10, "latencyMaxMs": 30},
		}, "actions": []any{}}
	}
	with := func(f func(d map[string]any)) map[string]any { d := good(); f(d); return d }
	cfg := func(d map[string]any) map[string]any { return d["config"].(map[string]any) }
	for _, c := range []struct {
		code  string
		words []string
		def   any
	}{
		{CodeBadArgument, []string{"a definition is required"}, nil},
		{CodeBadArgument, []string{"must be an object", "a list"}, []int{1}},
		{CodeBadArgument, []string{"malformed JSON"}, `{"version": 1`},
		{CodeBadArgument, []string{"version must be 1, got 2"}, with(func(d map[string]any) { d["version"] = 2 })},
		{CodeOutOfRange, []string{"definition.config.peers", "1 to 9"}, with(func(d map[string]any) { cfg(d)["peers"] = 20 })},
		{CodeOutOfRange, []string{"tick must be between"}, with(func(d map[string]any) { delete(cfg(d), "tickMs") })},
		{CodeBadArgument, []string{"actions must be a list"}, with(func(d map[string]any) { d["actions"] = "none" })},
		{CodeBadArgument, []string{"actions[0].kind", `"explode"`}, with(func(d map[string]any) { d["actions"] = []any{map[string]any{"kind": "explode"}} })},
		{CodeUnknownPeer, []string{"actions[0].peer", "s1 to s3"}, with(func(d map[string]any) {
			d["actions"] = []any{map[string]any{"kind": "crash", "peer": 4}}
		})},
		{CodeBadArgument, []string{"action 2", "time order"}, with(func(d map[string]any) {
			d["actions"] = []any{map[string]any{"at": 500, "kind": "heal"}, map[string]any{"at": 100, "kind": "heal"}}
		})},
	} {
		s.fail(c.code, c.words, "replay", c.def)
	}
	s.fail(CodeOutOfRange, []string{"until must be from 0"}, "replay", good(), -1)
	// Too many actions, as text (encoding/json would take long under wasm).
	text, _ := json.Marshal(good())
	heals := strings.Repeat(`{"kind":"heal"},`, sim.MaxActions)
	text = []byte(strings.Replace(string(text), `"actions":[]`, `"actions":[`+heals+`{"kind":"heal"}]`, 1))
	s.fail(CodeTooLarge, []string{"100001 actions", "100000"}, "replay", json.RawMessage(text))
	// Unknown fields in a definition are ignored, as TRACE.md asks.
	s.call("replay", with(func(d map[string]any) { d["comment"] = "from a newer version"; cfg(d)["goroutines"] = true }))
	if st := s.call("status"); num(st["run"]) != 1 {
		t.Fatalf("status %v", st)
	}
}

// A create made while a long replay runs takes over: the replay answers
// "canceled" and the run is the new one.
func TestCreateCancelsLongWork(t *testing.T) {
	var w *Worker
	done := make(chan string, 2)
	yields := 0
	w = NewWorker(Config{Yield: func(p Progress) {
		yields++
		if yields == 1 {
			if p.Call != "advance" || p.Until != 600_000 || p.Time <= 0 {
				t.Errorf("progress %+v", p)
			}
			w.Submit("create", [][]byte{[]byte(`{"peers": 3}`)}, func(b []byte) { done <- "create " + string(b) })
		}
	}})
	go w.Run()
	s := &session{t, w}
	s.call("create", map[string]any{"peers": 9})
	w.Submit("advance", [][]byte{[]byte("600000")}, func(b []byte) { done <- "advance " + string(b) })
	first, second := <-done, <-done
	if !strings.HasPrefix(first, "advance ") || !strings.Contains(first, `"code":"canceled"`) {
		t.Fatalf("first answer %s", first)
	}
	if !strings.HasPrefix(second, "create ") || !strings.Contains(second, `"run":2`) {
		t.Fatalf("second answer %s", second)
	}
	if st := s.call("status"); num(st["time"]) != 0 {
		t.Fatalf("status after the takeover: %v", st)
	}
}

func TestScenarioTalk(t *testing.T) {
	s := newSession(t, Config{})
	st := s.call("create", map[string]any{"scenario": "talk"})
	if num(st["pending"]) != 5 {
		t.Fatalf("talk scenario: %v", st)
	}
	s.call("advance", 10_000)
	var outcomes []string
	for _, e := range s.call("events", 0)["events"].([]any) {
		if e := e.(map[string]any); e["kind"] == "reply" {
			outcomes = append(outcomes, e["outcome"].(string))
		}
	}
	if got := strings.Join(outcomes, " "); got != "ok error error ok ok" {
		t.Fatalf("the talk's demo gave %s", got)
	}
}

func sameJSON(t *testing.T, a, b any) bool {
	t.Helper()
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}
