package api

import (
	"strings"
	"testing"
)

func TestCreateDefaults(t *testing.T) {
	s := newSession(t, Config{})
	s.fail(CodeNoRun, []string{"create"}, "status")
	st := s.call("create")
	if num(st["run"]) != 1 || num(st["time"]) != 0 || num(st["actions"]) != 0 {
		t.Fatalf("create() = %v", st)
	}
	st = s.call("advance", 2000)
	if num(st["time"]) != 2000 || num(st["leader"]) == 0 || num(st["term"]) == 0 {
		t.Fatalf("no leader after 2 s: %v", st)
	}
	snap := s.call("snapshot")
	if peers := snap["peers"].([]any); len(peers) != 3 {
		t.Fatalf("snapshot has %d peers, want 3", len(peers))
	}
}

func TestCreateOptions(t *testing.T) {
	s := newSession(t, Config{})
	s.call("create", map[string]any{"peers": 9, "seed": 42, "bootstrap": "talk", "heartbeatMs": 40,
		"net": map[string]any{"latencyMinMs": 5, "latencyMaxMs": 15, "loss": 0.1}})
	def := s.call("definition")
	cfg := def["config"].(map[string]any)
	if num(cfg["peers"]) != 9 || cfg["bootstrap"] != "talk" || num(cfg["heartbeatMs"]) != 40 || num(def["seed"]) != 42 {
		t.Fatalf("definition() = %v", def)
	}
	if _, ok := cfg["goroutines"]; ok {
		t.Errorf("the definition tells how peers ran: %v", cfg)
	}
	if net := cfg["net"].(map[string]any); net["loss"] != 0.1 || num(net["latencyMinMs"]) != 5 {
		t.Errorf("net = %v", net)
	}
}

func TestCreateErrors(t *testing.T) {
	s := newSession(t, Config{})
	for _, c := range []struct {
		code  string
		words []string
		arg   any
	}{
		{CodeBadArgument, []string{"options must be an object", `"3"`}, "3"},
		{CodeOutOfRange, []string{"options.peers", "1 to 9", "12"}, map[string]any{"peers": 12}},
		{CodeOutOfRange, []string{"options.peers", "whole number", "2.5"}, map[string]any{"peers": 2.5}},
		{CodeBadArgument, []string{"options.peers", "whole number", `"three"`}, map[string]any{"peers": "three"}},
		{CodeBadArgument, []string{`no field "peer"`, "peers"}, map[string]any{"peer": 3}},
		{CodeBadArgument, []string{"options.bootstrap", `"all" or "talk"`}, map[string]any{"bootstrap": "some"}},
		{CodeOutOfRange, []string{"options.seed"}, map[string]any{"seed": -1}},
		{CodeOutOfRange, []string{"options.net.loss", "0 to 1", "1.5"}, map[string]any{"net": map[string]any{"loss": 1.5}}},
		{CodeBadArgument, []string{`no field "lag"`}, map[string]any{"net": map[string]any{"lag": 3}}},
		{CodeOutOfRange, []string{"election timeout", "heartbeat"}, map[string]any{"electionMinMs": 40, "heartbeatMs": 50}},
		{CodeBadArgument, []string{"scenario", "talk", "own configuration"}, map[string]any{"scenario": "talk", "peers": 5}},
		{CodeBadArgument, []string{"options.scenario", `"nope"`}, map[string]any{"scenario": "nope"}},
	} {
		s.fail(c.code, c.words, "create", c.arg)
	}
	s.fail(CodeBadArgument, []string{"create takes 1 argument, got 2"}, "create", 1, 2)
	s.fail(CodeBadArgument, []string{"no call", "launch"}, "launch")
}

func TestActions(t *testing.T) {
	s := newSession(t, Config{})
	s.call("create", map[string]any{"peers": 3})
	s.call("advance", 1500)
	lead := s.call("status")["leader"]
	s.call("write", map[string]any{"client": "alice", "op": "lock", "peer": 2})
	s.call("advance", 500)
	s.call("read", map[string]any{"client": "bob", "peer": 3})
	s.call("advance", 500)
	evs := s.call("events", 0)["events"].([]any)
	var replies []string
	for _, e := range evs {
		e := e.(map[string]any)
		if e["kind"] == "reply" {
			replies = append(replies, e["client"].(string)+":"+e["outcome"].(string))
		}
	}
	if strings.Join(replies, " ") != "alice:ok bob:locked by alice" {
		t.Fatalf("replies %v", replies)
	}
	s.call("crash", num(lead))
	s.fail(CodeRejected, []string{"already down"}, "crash", num(lead))
	s.call("advance", 1000)
	if l := s.call("status")["leader"]; l == lead || num(l) == 0 {
		t.Fatalf("no new leader after crashing %v: %v", lead, l)
	}
	s.call("restart", num(lead))
	s.fail(CodeRejected, []string{"already running"}, "restart", num(lead))
	s.call("partition", [][]int{{1}, {2, 3}})
	s.call("heal")
	s.call("cut", 1, 2)
	s.call("restore", 1, 2)
	s.call("network", map[string]any{"loss": 0.2})
	snap := s.call("snapshot")
	if l := snap["link"].(map[string]any); l["loss"] != 0.2 || num(l["latencyMaxMs"]) != 30 {
		t.Fatalf("network({loss: 0.2}) gave %v (other fields must keep their values)", l)
	}
	// Drop a message still in flight.
	st := s.call("advance", 0, map[string]any{"snapshot": true})
	msgs := st["snapshot"].(map[string]any)["messages"].([]any)
	for len(msgs) == 0 {
		st = s.call("step", map[string]any{"snapshot": true})
		msgs = st["snapshot"].(map[string]any)["messages"].([]any)
	}
	id := num(msgs[0].(map[string]any)["id"])
	s.call("drop", id)
	s.fail(CodeRejected, []string{"not in flight"}, "drop", id)
	if got := num(s.call("status")["actions"]); got != 10 {
		t.Fatalf("%d actions recorded, want 10", got)
	}
}

func TestActionErrors(t *testing.T) {
	s := newSession(t, Config{})
	s.call("create", map[string]any{"peers": 3})
	for _, c := range []struct {
		code  string
		words []string
		call  string
		args  []any
	}{
		{CodeUnknownPeer, []string{"no peer 7", "s1 to s3"}, "crash", []any{7}},
		{CodeUnknownPeer, []string{"no peer 0"}, "restart", []any{0}},
		{CodeBadArgument, []string{"peer must be a peer number", "got nothing"}, "crash", nil},
		{CodeBadArgument, []string{"peer must be a peer number", `"s1"`}, "crash", []any{"s1"}},
		{CodeBadArgument, []string{"write needs an object"}, "write", nil},
		{CodeBadArgument, []string{"client", "letters"}, "write", []any{map[string]any{"client": "a b", "op": "lock", "peer": 1}}},
		{CodeBadArgument, []string{"1 to 32 characters"}, "write", []any{map[string]any{"client": "", "op": "lock", "peer": 1}}},
		{CodeTooLarge, []string{"client", "longer than"}, "write", []any{map[string]any{"client": strings.Repeat("x", 100), "op": "lock", "peer": 1}}},
		{CodeBadArgument, []string{"op", `"lock" or "unlock"`}, "write", []any{map[string]any{"client": "a", "op": "grab", "peer": 1}}},
		{CodeUnknownPeer, []string{"no peer 4"}, "write", []any{map[string]any{"client": "a", "op": "lock", "peer": 4}}},
		{CodeBadArgument, []string{`no field "op"`}, "read", []any{map[string]any{"client": "a", "op": "lock", "peer": 1}}},
		{CodeBadArgument, []string{"list of groups"}, "partition", []any{"1,2|3"}},
		{CodeBadArgument, []string{"s2 is in two groups"}, "partition", []any{[][]int{{1, 2}, {2, 3}}}},
		{CodeUnknownPeer, []string{"no peer 5"}, "partition", []any{[][]int{{1, 5}}}},
		{CodeOutOfRange, []string{"1 to 3 groups"}, "partition", []any{[][]int{}}},
		{CodeBadArgument, []string{"two different peers"}, "cut", []any{2, 2}},
		{CodeUnknownPeer, []string{"no peer 9"}, "restore", []any{1, 9}},
		{CodeOutOfRange, []string{"link.loss", "0 to 1"}, "network", []any{map[string]any{"loss": -0.5}}},
		{CodeOutOfRange, []string{"latency"}, "network", []any{map[string]any{"latencyMinMs": 50, "latencyMaxMs": 20}}},
		{CodeOutOfRange, []string{"link.latencyMaxMs", "10000"}, "network", []any{map[string]any{"latencyMaxMs": 1e9}}},
		{CodeBadArgument, []string{`no field "jitter"`}, "network", []any{map[string]any{"jitter": 1}}},
		{CodeOutOfRange, []string{"id must be from 1"}, "drop", []any{0}},
		{CodeRejected, []string{"message 123456 is not in flight"}, "drop", []any{123456}},
		{CodeOutOfRange, []string{"ms must be from 0 to 3600000"}, "advance", []any{-5}},
		{CodeBadArgument, []string{"ms must be a whole number"}, "advance", []any{"10"}},
		{CodeBadArgument, []string{`no field "snap"`}, "advance", []any{10, map[string]any{"snap": true}}},
		{CodeOutOfRange, []string{"limit must be from 1 to 5000"}, "events", []any{0, 10000}},
	} {
		s.fail(c.code, c.words, c.call, c.args...)
	}
	if got := num(s.call("status")["actions"]); got != 0 {
		t.Fatalf("failed calls recorded %d actions", got)
	}
}

func TestMalformedArgument(t *testing.T) {
	s := newSession(t, Config{})
	done := make(chan string, 1)
	reply := func(b []byte) { done <- string(b) }
	s.w.Submit("create", [][]byte{[]byte(`{"peers": 3,}`)}, reply)
	m := decode(t, <-done)
	if m["code"] != CodeBadArgument || !strings.Contains(m["error"].(string), "create, argument 1: malformed JSON") {
		t.Fatalf("answer %v", m)
	}
	s.w.Submit("replay", [][]byte{make([]byte, MaxInput+1)}, reply)
	if m := decode(t, <-done); m["code"] != CodeTooLarge {
		t.Fatalf("oversized argument: %v", m)
	}
}

func TestEventsBatches(t *testing.T) {
	s := newSession(t, Config{Window: 500})
	s.call("create", map[string]any{"peers": 5})
	st := s.call("advance", 3000, map[string]any{"after": 0, "limit": 100})
	batch := st["events"].(map[string]any)
	if !batch["gap"].(bool) || !batch["more"].(bool) || len(batch["events"].([]any)) != 100 {
		t.Fatalf("first batch after 3 s with a 500-event window: gap %v more %v len %d", batch["gap"], batch["more"], len(batch["events"].([]any)))
	}
	last := num(st["seq"])
	first := num(batch["events"].([]any)[0].(map[string]any)["seq"])
	if first != last-499 {
		t.Fatalf("window starts at %d, want %d", first, last-499)
	}
	// Following the cursor gives every event once, in order.
	after := last
	s.call("advance", 1000)
	for {
		b := s.call("events", after)
		for _, e := range b["events"].([]any) {
			if seq := num(e.(map[string]any)["seq"]); seq != after+1 {
				t.Fatalf("event %d after %d", seq, after)
			}
			after++
		}
		if !b["more"].(bool) {
			break
		}
	}
	if after != num(s.call("status")["seq"]) {
		t.Fatalf("cursor at %d, trace at %v", after, s.call("status")["seq"])
	}
}

func TestStep(t *testing.T) {
	s := newSession(t, Config{})
	s.call("create")
	prev := int64(0)
	for range 20 {
		st := s.call("step", map[string]any{"after": prev})
		batch := st["events"].(map[string]any)["events"].([]any)
		if !st["stepped"].(bool) || len(batch) == 0 {
			t.Fatalf("step: %v", st)
		}
		prev = num(st["seq"])
	}
	// A crashed cluster has nothing left to show.
	s.call("crash", 1)
	s.call("crash", 2)
	s.call("crash", 3)
	s.call("advance", 5000)
	if st := s.call("step"); st["stepped"].(bool) {
		t.Fatalf("step on a dead cluster: %v", st)
	}
}

func TestPanicBecomesError(t *testing.T) {
	w := NewWorker(Config{})
	w.Add("explode", 0, func(ss *Session, b []byte, args []any) ([]byte, *Error) {
		i := len(args) + 3
		return b[:0:0][:i], nil // out of range: a runtime error, as a bug would be
	})
	go w.Run()
	s := &session{t, w}
	s.call("create")
	s.fail(CodeInternal, []string{"internal error in explode", "out of range", "bug"}, "explode")
	s.fail(CodeStopped, []string{"stopped", "explode"}, "advance", 10)
	if def := s.call("definition"); num(def["version"]) != 1 {
		t.Fatalf("definition after a panic: %v", def)
	}
	s.call("create")
	s.call("advance", 10)
}
