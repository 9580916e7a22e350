package api

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/sim"
)

// A rule broken on purpose through the API: create takes it, the
// definition carries it, an unknown one is refused with the known ones.
func TestCreateBreakingARule(t *testing.T) {
	s := newSession(t, Config{Check: true})
	s.call("create", map[string]any{"peers": 3, "broken": []string{"forget-vote"}})
	cfg := s.call("definition")["config"].(map[string]any)
	if b, _ := json.Marshal(cfg["broken"]); string(b) != `["forget-vote"]` {
		t.Fatalf("definition's config.broken = %s", b)
	}
	s.fail(CodeBadArgument, []string{`options.broken[0]: unknown rule "forget"`, "forget-vote"}, "create", map[string]any{"broken": []string{"forget"}})
	s.fail(CodeBadArgument, []string{"give only seed"}, "create", map[string]any{"scenario": "talk", "broken": []string{"forget-vote"}})
}

// advance with untilViolation stops right after a checker finds a
// violation, which names the property and what it involves; the status
// counts violations.
func TestAdvanceUntilViolation(t *testing.T) {
	want, def := brokenRun(t)

	s := newSession(t, Config{Check: true})
	st := s.call("replay", def)
	if num(st["violations"]) != 0 {
		t.Fatalf("status before: %v", st)
	}
	st = s.call("advance", 60_000, map[string]any{"after": num(st["seq"]), "untilViolation": true})
	// It stops after the event whose handling broke the property: the
	// violation is among its last events.
	evs := st["events"].(map[string]any)["events"].([]any)
	var last map[string]any
	for _, e := range evs {
		if e := e.(map[string]any); e["kind"] == "violation" {
			last = e
		}
	}
	if num(st["violations"]) != 1 || num(st["time"]) != want.Time || last == nil {
		t.Fatalf("advance(untilViolation) stopped at %v ms with %v violations; want the violation at %d ms", st["time"], st["violations"], want.Time)
	}
	if last["property"] != "leader-completeness" || last["reason"] != want.Reason || num(last["cause"]) != num(last["seq"])-1 ||
		len(last["entries"].([]any)) != 1 || len(last["peers"].([]any)) == 0 {
		t.Fatalf("violation event %v", last)
	}
	// With untilMark too, it stops at whichever comes first.
	s.call("replay", def)
	st = s.call("advance", 60_000, map[string]any{"untilViolation": true, "untilMark": true})
	if num(st["violations"]) != 1 || num(st["time"]) != want.Time {
		t.Fatalf("advance(untilViolation, untilMark) = %v", st)
	}
}

// A replay that runs past a violation, with an event window too small to
// hold it, still lets the page learn of it: the status counts it, and
// violations() answers it, with its words, whatever the window.
func TestViolationsOutliveTheEventWindow(t *testing.T) {
	want, def := brokenRun(t)
	s := newSession(t, Config{Check: true, Window: 100})
	st := s.call("replay", def, want.Time+500)
	batch := s.call("events", 0, 5000)
	if evs := batch["events"].([]any); num(evs[0].(map[string]any)["time"]) <= want.Time {
		t.Fatalf("the 100-event window at %v ms still reaches back to the violation at %d ms: the test shows nothing", st["time"], want.Time)
	}
	n := num(st["violations"])
	if n == 0 || !batch["gap"].(bool) {
		t.Fatalf("status %v, gap %v", st, batch["gap"])
	}
	v := s.call("violations")
	list := v["violations"].([]any)
	if num(v["count"]) != n || int64(len(list)) != n || v["more"].(bool) || num(v["run"]) != num(st["run"]) {
		t.Fatalf("violations() = count %v, %d listed, more %v; the status counts %d", v["count"], len(list), v["more"], n)
	}
	first := list[0].(map[string]any)
	if first["kind"] != "violation" || first["property"] != "leader-completeness" || num(first["time"]) != want.Time ||
		!strings.Contains(first["text"].(string), "Leader Completeness") {
		t.Fatalf("first violation %v", first)
	}
	if rest := s.call("violations", n)["violations"].([]any); len(rest) != 0 {
		t.Fatalf("violations(%d) lists %d", n, len(rest))
	}
	s.fail(CodeOutOfRange, []string{"from"}, "violations", -1)
}

// Events come with their words when asked: the same sentence raftsim's
// transcript prints (sim's Event.Describe), so the page need not word them.
func TestEventsWithText(t *testing.T) {
	s := newSession(t, Config{Check: true})
	s.call("create", map[string]any{"scenario": "talk"})
	st := s.call("advance", 1500, map[string]any{"after": 0, "text": true})
	evs := st["events"].(map[string]any)["events"].([]any)
	native, err := sim.RunScenario("talk", 1, false, sim.Options{TraceLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	native.RunUntil(1500)
	want, _ := native.Events(0)
	if len(evs) != len(want) {
		t.Fatalf("%d events, natively %d", len(evs), len(want))
	}
	for i, e := range evs {
		if text := e.(map[string]any)["text"]; text != want[i].Describe() {
			t.Fatalf("event %d says %q, natively %q", i+1, text, want[i].Describe())
		}
	}
	plain := s.call("events", 0, 5)["events"].([]any)
	if _, has := plain[0].(map[string]any)["text"]; has {
		t.Fatal("events without the text option carry text")
	}
	withText := s.call("events", 0, 5, map[string]any{"text": true})["events"].([]any)
	if withText[4].(map[string]any)["text"] != want[4].Describe() {
		t.Fatalf("events(0, 5, {text}) = %v", withText[4])
	}
	s.fail(CodeBadArgument, []string{"has no field", "txt"}, "events", 0, 5, map[string]any{"txt": true})
}

// brokenRun is a campaign's run in which every server breaks vote-any-log
// (seed 3): its first violation and its definition.
func brokenRun(t *testing.T) (sim.Event, json.RawMessage) {
	t.Helper()
	o := sim.DefaultCampaign(3)
	o.Broken = raft.Break(raft.VoteAnyLog)
	res, err := sim.RunCampaign(3, o, 0)
	if err != nil || len(res.Violations) == 0 {
		t.Fatalf("campaign: %v, %d violations", err, len(res.Violations))
	}
	d := res.Sim.Definition()
	return res.Violations[0], json.RawMessage(d.AppendJSON(nil))
}
