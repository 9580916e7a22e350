package api

import (
	"testing"
)

// PreVote and CheckQuorum through the API: create takes them, with a
// scenario too, and the definition carries them, so a share link or a
// lesson replays the run with them; the disruptive scenario ends with
// different terms without and with PreVote. transfer hands over
// leadership, and a transfer the simulator refuses says why.
func TestCreateWithPreVoteAndTransfer(t *testing.T) {
	terms := map[bool]int64{}
	for _, preVote := range []bool{false, true} {
		s := newSession(t, Config{Check: true})
		s.call("create", map[string]any{"scenario": "disruptive", "seed": 2, "preVote": preVote, "checkQuorum": true})
		cfg := s.call("definition")["config"].(map[string]any)
		if cfg["preVote"] != map[bool]any{false: nil, true: true}[preVote] || cfg["checkQuorum"] != true {
			t.Fatalf("preVote %v: the definition's config is %v", preVote, cfg)
		}
		s.call("advance", 60_000)
		top := int64(0)
		for _, p := range s.call("snapshot")["peers"].([]any) {
			top = max(top, num(p.(map[string]any)["term"]))
		}
		terms[preVote] = top
	}
	if terms[true] >= terms[false] {
		t.Errorf("disruptive ends in term %v with PreVote and %v without: want a lower term with it", terms[true], terms[false])
	}

	s := newSession(t, Config{Check: true})
	s.fail(CodeRejected, []string{"paper's Raft"}, "create", map[string]any{"scenario": "figure8", "checkQuorum": true})
	s.call("create", map[string]any{"peers": 3, "seed": 4})
	s.call("advance", 2000)
	var leader int64
	for _, p := range s.call("snapshot")["peers"].([]any) {
		if m := p.(map[string]any); m["role"] == "leader" {
			leader = num(m["id"])
		}
	}
	if leader == 0 {
		t.Fatal("no leader after 2 s")
	}
	s.fail(CodeRejected, []string{"leads"}, "transfer", leader)
	to := leader%3 + 1
	s.call("transfer", to)
	s.call("advance", 1000)
	for _, p := range s.call("snapshot")["peers"].([]any) {
		if m := p.(map[string]any); num(m["id"]) == to && m["role"] != "leader" {
			t.Errorf("s%v is %v 1 s after the transfer to it, want leader", to, m["role"])
		}
	}
}

// A lesson's run may turn PreVote and CheckQuorum on: the runs the page
// replays for its steps carry them.
func TestLessonWithPreVote(t *testing.T) {
	s := newSession(t, Config{})
	s.call("create")
	out := s.call("lesson", `{"version": 1, "name": "prevote", "title": "PreVote", "run": {"peers": 3, "seed": 1, "preVote": true, "checkQuorum": true},
		"steps": [{"caption": "A leader is elected.", "until": {"elected": {}}}]}`)
	runs, _ := out["runs"].([]any)
	if len(runs) == 0 {
		t.Fatalf("the lesson has no runs: %v", out)
	}
	cfg := runs[0].(map[string]any)["config"].(map[string]any)
	if cfg["preVote"] != true || cfg["checkQuorum"] != true {
		t.Errorf("the lesson's run has config %v, want preVote and checkQuorum", cfg)
	}
}
