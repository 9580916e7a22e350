package api

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

// Numbers JavaScript has and JSON has not: JSON.stringify turns NaN and
// Infinity (1e400 is Infinity) into null inside an object, so
// create({peers: NaN}) arrives as {"peers": null}; an argument that is one
// of them arrives as the bridge spells it. Each is refused, by name, never
// read as "left out" (the defaults) or as "nothing".
func TestNonFiniteNumbersAreRefused(t *testing.T) {
	s := newSession(t, Config{})
	for _, c := range []struct {
		what  string
		words []string
		arg   any
	}{
		{"{peers: NaN}", []string{"options.peers", "null", "NaN and Infinity"}, json.RawMessage(`{"peers":null}`)},
		{"{peers: Infinity}", []string{"options.peers", "null"}, json.RawMessage(`{"peers":null}`)},
		{"{seed: 1e400}", []string{"options.seed", "null", "NaN and Infinity"}, json.RawMessage(`{"seed":null}`)},
		{"{net: {loss: NaN}}", []string{"options.net.loss", "null"}, json.RawMessage(`{"net":{"loss":null}}`)},
		{"{net: NaN}", []string{"options.net must be an object", "null"}, json.RawMessage(`{"net":null}`)},
	} {
		m := decode(t, s.raw("create", c.arg))
		msg, _ := m["error"].(string)
		if m["code"] != CodeBadArgument {
			t.Errorf("create(%s) = %v, want a bad_argument error", c.what, m)
			continue
		}
		for _, w := range c.words {
			if !strings.Contains(msg, w) {
				t.Errorf("create(%s): %q does not say %q", c.what, msg, w)
			}
		}
	}
	s.fail(CodeNoRun, nil, "status") // none of them made a run

	s.call("create")
	s.fail(CodeOutOfRange, []string{"ms must be a whole number from 0 to 3600000, got NaN"}, "advance", jsText("NaN"))
	s.fail(CodeOutOfRange, []string{"ms must be a whole number from 0 to 3600000, got Infinity"}, "advance", jsText("Infinity"))
	s.fail(CodeOutOfRange, []string{"got -Infinity"}, "advance", jsText("-Infinity"))
	s.fail(CodeBadArgument, []string{"ms must be a whole number, got nothing"}, "advance")
	s.fail(CodeUnknownPeer, []string{"peer: no peer NaN"}, "crash", jsText("NaN"))
	s.fail(CodeBadArgument, []string{"groups[0][1]", "null"}, "partition", json.RawMessage(`[[1,null]]`))
	s.fail(CodeBadArgument, []string{"advance options.after", "null"}, "advance", 0, json.RawMessage(`{"after":null}`))
	// A definition's text can hold a number too large for a float: it
	// reads as Infinity, and is refused as one.
	s.fail(CodeOutOfRange, []string{"definition.seed", "got Infinity"}, "replay", json.RawMessage(`"{\"version\":1,\"seed\":1e400,\"config\":{}}"`))
	s.fail(CodeBadArgument, []string{"definition.seed", "null"}, "replay", json.RawMessage(`{"version":1,"seed":null,"config":{}}`))
}

// An unknown field's error lists each known field once.
func TestUnknownFieldListsEachFieldOnce(t *testing.T) {
	s := newSession(t, Config{})
	s.call("create")
	for _, call := range []string{"advance", "step"} {
		args := []any{0, map[string]any{"aftr": 1}}
		if call == "step" {
			args = args[1:]
		}
		m := decode(t, s.raw(call, args...))
		msg, _ := m["error"].(string)
		if !strings.Contains(msg, `has no field "aftr" (known: after, limit, snapshot`) || strings.Count(msg, "after") != 1 {
			t.Errorf("%s: %q, want each known field listed once", call, msg)
		}
	}
}

// definitionWith is a 3-peer definition whose actions are given as JSON.
func definitionWith(actions string) json.RawMessage {
	return json.RawMessage(`{"version":1,"seed":1,"config":{"peers":3,"tickMs":10,"electionMinMs":150,"electionMaxMs":300,
		"heartbeatMs":50,"clientTimeoutMs":3000,"net":{"latencyMinMs":10,"latencyMaxMs":30}},"actions":[` + actions + `]}`)
}

// An action a live call refuses is refused in a replayed definition too,
// with the same words: one check for both paths (sim.Sim.applicable).
func TestReplayRefusesWhatLiveCallsRefuse(t *testing.T) {
	for _, c := range []struct {
		name    string
		setup   []any  // live calls before the refused one: [name, arg]...
		refused []any  // the live call that is refused
		actions string // the same run as a definition
		why     string
	}{
		{"crash a crashed peer", []any{"crash", 2}, []any{"crash", 2},
			`{"at":1000,"kind":"crash","peer":2},{"at":1000,"kind":"crash","peer":2}`, "s2 is already down"},
		{"restart a running peer", nil, []any{"restart", 3},
			`{"at":1000,"kind":"restart","peer":3}`, "s3 is already running"},
		{"drop a message not in flight", nil, []any{"drop", 999999},
			`{"at":1000,"kind":"drop","msg":999999}`, "message 999999 is not in flight"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newSession(t, Config{})
			s.call("create", map[string]any{"peers": 3})
			s.call("advance", 1000)
			for i := 0; i < len(c.setup); i += 2 {
				s.call(c.setup[i].(string), c.setup[i+1])
			}
			s.fail(CodeRejected, []string{c.why}, c.refused[0].(string), c.refused[1])

			// Replayed past it: refused, and the run stays the old one.
			before := s.call("status")
			s.fail(CodeRejected, []string{"definition: the run stopped at 1000 ms", "(" + c.refused[0].(string) + ") cannot happen: " + c.why}, "replay", definitionWith(c.actions), 2000)
			if after := s.call("status"); num(after["run"]) != num(before["run"]) || num(after["time"]) != num(before["time"]) {
				t.Errorf("a refused replay replaced the run: %v, was %v", after, before)
			}

			// Replayed to before it, then advanced into it: the run halts
			// there, says why, and refuses to act.
			st := s.call("replay", definitionWith(c.actions), 500)
			if st["halted"] != "" {
				t.Fatalf("halted before the action: %v", st)
			}
			st = s.call("advance", 2000)
			if h, _ := st["halted"].(string); num(st["time"]) != 1000 || num(st["next"]) != -1 || !strings.Contains(h, c.why) {
				t.Fatalf("advanced into the refused action: %v", st)
			}
			if st = s.call("advance", 100); num(st["time"]) != 1000 {
				t.Errorf("a halted run's clock moved: %v", st)
			}
			s.fail(CodeHalted, []string{"the run stopped at 1000 ms", c.why, "earlier moment"}, "write", map[string]any{"client": "a", "op": "lock", "peer": 1})
			s.call("snapshot")
			if def := s.call("definition"); len(def["actions"].([]any)) != strings.Count(c.actions, "kind") {
				t.Errorf("the definition lost its refused action: %v", def["actions"])
			}
		})
	}
}

// stormOptions is a run whose messages outnumber any real one: nine
// servers whose election timers run out every few milliseconds, each
// sending RequestVotes that take ten seconds to arrive.
var stormOptions = map[string]any{"peers": 9, "tickMs": 1, "heartbeatMs": 2, "electionMinMs": 3, "electionMaxMs": 6,
	"net": map[string]any{"latencyMinMs": 10_000, "latencyMaxMs": 10_000}}

// A run that holds more messages in flight than the limit halts: the call
// that met it answers normally, with the run's time at that moment and
// why it stopped; the run answers questions and refuses to go on.
func TestInFlightLimitHaltsTheRun(t *testing.T) {
	s := newSession(t, Config{})
	lim := decode(t, string(LimitsJSON()))
	if num(lim["inFlight"]) != MaxInFlight {
		t.Fatalf("limits %v", lim)
	}
	s.call("create", stormOptions)
	st := s.call("advance", 5000, map[string]any{"after": 0, "limit": 10, "snapshot": true})
	h, _ := st["halted"].(string)
	if !strings.Contains(h, "messages are in flight at once, more than the limit of 10000") || num(st["time"]) >= 5000 || num(st["next"]) != -1 {
		t.Fatalf("advance into the storm: halted %q at %d ms, next %d", h, num(st["time"]), num(st["next"]))
	}
	if msgs := st["snapshot"].(map[string]any)["messages"].([]any); len(msgs) <= MaxInFlight || len(msgs) > MaxInFlight+9 || !strings.Contains(h, strconv.Itoa(len(msgs))+" messages") {
		t.Errorf("the snapshot shows %d messages in flight; halted %q", len(msgs), h)
	}
	at := num(st["time"])
	if st = s.call("step"); st["stepped"] != false || num(st["time"]) != at {
		t.Errorf("step on a halted run: %v", st)
	}
	s.fail(CodeHalted, []string{"messages are in flight at once"}, "heal")
	// The same definition replays to the same halt: it is not refused.
	def := s.call("definition")
	if st = s.call("replay", def, 5000); num(st["time"]) != at || st["halted"] != h {
		t.Errorf("replayed: at %d ms, halted %q; want halted at %d", num(st["time"]), st["halted"], at)
	}
	// A new run starts afresh.
	if st = s.call("create"); st["halted"] != "" {
		t.Errorf("create after a halt: halted %q", st["halted"])
	}
}

// cancel ends a long replay in progress, and the calls waiting behind it;
// the run that was there before stays, and answers.
func TestCancelLongReplay(t *testing.T) {
	var w *Worker
	done := make(chan string, 3)
	yields := 0
	w = NewWorker(Config{Yield: func(p Progress) {
		yields++
		if yields == 1 {
			if p.Call != "replay" || p.Until != 3_600_000 {
				t.Errorf("progress %+v", p)
			}
			// A call made during the replay waits its turn, then answers.
			w.Submit("status", nil, func(b []byte) { done <- "status " + string(b) })
			w.Submit("cancel", nil, func(b []byte) { done <- "cancel " + string(b) })
		}
	}})
	go w.Run()
	s := &session{t, w}
	s.call("create", map[string]any{"peers": 3, "seed": 5})
	long := s.call("definition")
	long["config"].(map[string]any)["peers"] = 9.0
	text, _ := json.Marshal(long)
	w.Submit("replay", [][]byte{text, []byte("3600000")}, func(b []byte) { done <- "replay " + string(b) })
	answers := []string{<-done, <-done, <-done}
	for i, want := range []string{"replay ", "status ", "cancel "} {
		if !strings.HasPrefix(answers[i], want) {
			t.Fatalf("answers in the wrong order: %q", answers)
		}
	}
	for _, a := range answers[:2] {
		if !strings.Contains(a, `"code":"canceled"`) {
			t.Errorf("superseded call answered %s", a)
		}
	}
	if !strings.Contains(answers[2], `"run":1`) || !strings.Contains(answers[2], `"time":0`) {
		t.Errorf("cancel answered %s, want the status of the run before the replay", answers[2])
	}
	if st := s.call("advance", 100); num(st["run"]) != 1 || num(st["time"]) != 100 {
		t.Errorf("after the cancel, the page's run does not go on: %v", st)
	}
}

// A call made while a long replay runs waits its turn and then answers,
// about the replayed run (calls run in the order they were made).
func TestCallsDuringLongReplayAnswer(t *testing.T) {
	var w *Worker
	done := make(chan string, 2)
	yields := 0
	w = NewWorker(Config{Yield: func(Progress) {
		if yields++; yields == 1 {
			w.Submit("status", nil, func(b []byte) { done <- "status " + string(b) })
		}
	}})
	go w.Run()
	s := &session{t, w}
	s.call("create", map[string]any{"peers": 9})
	def := s.call("definition")
	text, _ := json.Marshal(def)
	w.Submit("replay", [][]byte{text, []byte("60000")}, func(b []byte) { done <- "replay " + string(b) })
	first, second := <-done, <-done
	if yields == 0 || !strings.HasPrefix(first, "replay ") || !strings.Contains(first, `"run":2`) {
		t.Fatalf("%d yields; first answer %.200s", yields, first)
	}
	if !strings.HasPrefix(second, "status ") || !strings.Contains(second, `"run":2`) || !strings.Contains(second, `"time":60000`) {
		t.Fatalf("the call made during the replay answered %.200s", second)
	}
}
