package sim_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/sim"
)

// Membership changes as actions of a run (dissertation chapter 4): a new
// server s4 is added, catches up as a learner and becomes a voter; then the
// leader removes itself and another leads. The actions are in the run's
// definition, which replays to the same trace, byte for byte, also after a
// trip through its JSON form.
func TestMembershipActionsReplay(t *testing.T) {
	s, err := sim.New(sim.Definition{Config: sim.DefaultConfig(), Seed: 11}, sim.Options{TraceLimit: -1, Check: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.RunUntil(1000)
	first, _ := s.Leader()
	if first == raft.None {
		t.Fatal("no leader after 1 s")
	}
	do := func(a sim.Action) {
		t.Helper()
		if err := s.Do(a); err != nil {
			t.Fatalf("%s: %v", a.Describe(), err)
		}
	}
	do(sim.Action{Kind: sim.ActWrite, Client: "alice", Peer: first, Op: 1})
	do(sim.Action{Kind: sim.ActAdd, Peer: 4})
	if s.Servers() != 4 {
		t.Fatalf("%d servers after adding s4, want 4", s.Servers())
	}
	learner := false
	for s.Now() < 3000 {
		s.Step()
		if ps := s.Snapshot().Peers[first-1]; slices.Equal(ps.Learners, []raft.ID{4}) {
			learner = true
		}
	}
	for _, ps := range s.Snapshot().Peers {
		if !slices.Equal(ps.Members, []raft.ID{1, 2, 3, 4}) || ps.Majority != 3 || len(ps.Learners) != 0 {
			t.Fatalf("%v: members %v, learners %v, majority %d; want s4 a voter of 4, majority 3", ps.ID, ps.Members, ps.Learners, ps.Majority)
		}
	}
	if !learner {
		t.Fatal("s4 never was a learner")
	}
	if ps := s.Snapshot().Peers[3]; ps.Lock.Holder != "alice" {
		t.Fatalf("s4 applied %+v, want alice's lock", ps.Lock)
	}

	do(sim.Action{Kind: sim.ActRemove, Peer: first})
	s.RunUntil(5000)
	leader, _ := s.Leader()
	if leader == raft.None || leader == first {
		t.Fatalf("leader %v after %v removed itself", leader, first)
	}
	var want []raft.ID
	for id := raft.ID(1); id <= 4; id++ {
		if id != first {
			want = append(want, id)
		}
	}
	if ps := s.Snapshot().Peers[leader-1]; !slices.Equal(ps.Members, want) || ps.Majority != 2 {
		t.Fatalf("the new leader %v has members %v, majority %d; want %v, 2", leader, ps.Members, ps.Majority, want)
	}
	if v := s.Violations(); len(v) > 0 {
		t.Fatalf("violations: %v", v[0].Reason)
	}
	var ops []string
	stepDown := ""
	evs, _ := s.Events(0)
	for _, e := range evs {
		if e.Kind == sim.EvChange {
			ops = append(ops, e.Op)
		}
		if e.Kind == sim.EvRole && e.Peer == first && e.Role == raft.Follower && e.Reason != "" {
			stepDown = e.Reason + ": " + e.Describe()
		}
	}
	// The removed leader's step down says why, in the core's words: it
	// handed over (or, with no voter caught up in time, gave up).
	if !strings.HasPrefix(stepDown, sim.StepDownHandover+": ") && !strings.HasPrefix(stepDown, sim.StepDownRemoved+": ") ||
		!strings.Contains(stepDown, "no longer a member") {
		t.Fatalf("the removed leader's step down reads %q", stepDown)
	}
	if wantOps := []string{sim.ChangeNew, sim.ChangeAdd, sim.ChangePromote, sim.ChangeRemove, sim.ChangeStepDown}; !slices.Equal(ops, wantOps) {
		t.Fatalf("membership events %v, want %v", ops, wantOps)
	}

	def := s.Definition()
	text := def.AppendJSON(nil)
	back, jerr := sim.DecodeDefinition(string(text), sim.MaxDisplay)
	if jerr != nil {
		t.Fatalf("decoding %s: %v", text, jerr)
	}
	for _, d := range []sim.Definition{def, back} {
		r, err := sim.New(d, sim.Options{TraceLimit: -1, Check: true})
		if err != nil {
			t.Fatal(err)
		}
		r.RunUntil(s.Now())
		if !bytes.Equal(r.TraceJSON(), s.TraceJSON()) {
			t.Fatal("the replayed run's trace differs")
		}
		r.Close()
	}
	if _, jerr := sim.DecodeDefinition(string(text), 3); jerr == nil {
		t.Fatal("a definition adding s4 decoded with a limit of 3 servers")
	}
}

// Refusals: a change asked with no leader cannot happen; the leader's
// own refusals (a change under way) are its answer, in the trace.
func TestMembershipRefusals(t *testing.T) {
	s, err := sim.New(sim.Definition{Config: sim.DefaultConfig(), Seed: 3}, sim.Options{TraceLimit: -1, Check: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Do(sim.Action{Kind: sim.ActAdd, Peer: 4}); err == nil {
		t.Fatal("an add with no leader was taken")
	}
	if err := s.Do(sim.Action{Kind: sim.ActAdd, Peer: 5}); err == nil {
		t.Fatal("adding s5 to a run of 3 servers was taken (the next new server is s4)")
	}
	s.RunUntil(1000)
	for _, a := range []sim.Action{{Kind: sim.ActAdd, Peer: 4}, {Kind: sim.ActRemove, Peer: 2}} {
		if err := s.Do(a); err != nil {
			t.Fatal(err)
		}
	}
	evs, _ := s.Events(0)
	last := evs[len(evs)-1]
	if last.Kind != sim.EvChange || last.Op != sim.ChangeRemove || last.Reason == "" {
		t.Fatalf("last event %s; want the leader's refusal of a second change", last.Describe())
	}
	t.Log(last.Describe())
}
