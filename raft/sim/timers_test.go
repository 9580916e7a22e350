package sim_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/sim"
)

// "Time out now" makes a follower a candidate at once, in the next term,
// recorded as a timeout by hand; the action is in the definition and
// replays. A leader or a crashed server cannot time out.
func TestTimeoutNow(t *testing.T) {
	s := newRun(t, 3, 4)
	lead, err := s.WaitForLeader(5000)
	if err != nil {
		t.Fatal(err)
	}
	term := peerState(s, lead).Term
	follower := lead%3 + 1
	if err := s.Do(sim.Action{Kind: sim.ActTimeout, Peer: lead}); err == nil || !strings.Contains(err.Error(), "leads") {
		t.Errorf("timing out the leader: %v, want a refusal saying it leads", err)
	}
	seq := s.LastSeq()
	if err := s.Do(sim.Action{Kind: sim.ActTimeout, Peer: follower}); err != nil {
		t.Fatal(err)
	}
	if ps := peerState(s, follower); ps.Role != raft.Candidate || ps.Term != term+1 {
		t.Fatalf("after time out now %v is %v in term %d, want candidate in term %d", follower, ps.Role, ps.Term, term+1)
	}
	evs, _ := s.Events(seq)
	if len(evs) == 0 || evs[0].Kind != sim.EvTimeout || evs[0].Reason != sim.TimeoutUser || evs[0].Peer != follower {
		t.Fatalf("first event after time out now: %+v, want %v's timeout by hand", evs, follower)
	}
	if err := s.Do(sim.Action{Kind: sim.ActCrash, Peer: follower}); err != nil {
		t.Fatal(err)
	}
	if err := s.Do(sim.Action{Kind: sim.ActTimeout, Peer: follower}); err == nil {
		t.Error("a crashed server timed out")
	}
	replayMatches(t, s)
}

// replayMatches checks that replaying s's definition gives s's trace.
func replayMatches(t *testing.T, s *sim.Sim) {
	t.Helper()
	r, err := sim.New(s.Definition(), sim.Options{TraceLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	r.RunUntil(s.Now())
	want, _ := s.Events(0)
	got, _ := r.Events(0)
	if len(got) != len(want) {
		t.Fatalf("replay has %d events, the run %d", len(got), len(want))
	}
	for i := range want {
		if a, b := string(got[i].AppendJSON(nil)), string(want[i].AppendJSON(nil)); a != b {
			t.Fatalf("event %d differs in the replay:\n%s\n%s", i+1, a, b)
		}
	}
}

// Aligned election timers fire in one tick: every server stands, votes for
// itself, and no one wins that term (section 5.2's split vote). Spread,
// the first candidate's requests arrive before anyone else stands, and it
// wins at once. Both are recorded actions that replay.
func TestTimersAlignAndSpread(t *testing.T) {
	for _, tc := range []struct {
		mode  sim.TimerMode
		split bool
	}{{sim.TimersAlign, true}, {sim.TimersSpread, false}} {
		for seed := uint64(1); seed <= 10; seed++ {
			s := newRun(t, 5, seed)
			if err := s.Do(sim.Action{Kind: sim.ActTimers, Timers: tc.mode}); err != nil {
				t.Fatal(err)
			}
			s.RunFor(400) // more than the longest timeout: the first election is over
			evs, _ := s.Events(0)
			candidates, leaders := map[raft.ID]bool{}, 0
			for _, e := range evs {
				if e.Kind == sim.EvRole && e.Term == 2 {
					switch e.Role {
					case raft.Candidate:
						candidates[e.Peer] = true
					case raft.Leader:
						leaders++
					}
				}
			}
			if tc.split && (len(candidates) != 5 || leaders != 0) {
				t.Errorf("%v, seed %d: %d candidates and %d leaders in term 2, want all five standing and no leader", tc.mode, seed, len(candidates), leaders)
			}
			if !tc.split && (len(candidates) != 1 || leaders != 1) {
				t.Errorf("%v, seed %d: %d candidates and %d leaders in term 2, want one candidate, elected", tc.mode, seed, len(candidates), leaders)
			}
			replayMatches(t, s)
		}
	}
	s := newRun(t, 1, 1)
	if err := s.Do(sim.Action{Kind: sim.ActTimers, Timers: sim.TimersAlign}); err == nil {
		t.Error("aligning the timer of a lone server accepted")
	}
}

// Marks carry a note; a branch leaves the run at or before its mark, holds
// actions in time order and no branch of its own. Definition.Branch keeps
// the actions up to the branch's start and appends the branch's.
func TestMarksAndBranches(t *testing.T) {
	s := newRun(t, 3, 1)
	s.RunFor(100)
	good := []sim.Action{{At: 150, Kind: sim.ActCrash, Peer: 2}, {At: 160, Kind: sim.ActMark, Mark: &sim.Mark{Note: "after"}}}
	for _, m := range []*sim.Mark{
		nil,
		{Note: ""},
		{Note: strings.Repeat("x", sim.MaxNote+1)},
		{Note: "bell\a"},
		{Note: "bad \xff"},
		{Note: "late branch", Rewind: 101, Then: good},
		{Note: "empty branch", Rewind: 50, Then: []sim.Action{}},
		{Note: "early action", Rewind: 155, Then: good},
		{Note: "nested", Rewind: 50, Then: []sim.Action{{At: 60, Kind: sim.ActMark, Mark: &sim.Mark{Note: "x", Then: good}}}},
		{Note: "bad action", Rewind: 50, Then: []sim.Action{{At: 60, Kind: sim.ActCrash, Peer: 9}}},
	} {
		if err := s.Do(sim.Action{Kind: sim.ActMark, Mark: m}); err == nil {
			t.Errorf("mark %+v accepted", m)
		}
	}
	if err := s.Do(sim.Action{Kind: sim.ActCrash, Peer: 1}); err != nil {
		t.Fatal(err)
	}
	s.RunFor(100) // the crash is at 100, the mark at 200
	if err := s.Do(sim.Action{Kind: sim.ActMark, Mark: &sim.Mark{Note: "here", Rewind: 100, Then: good}}); err != nil {
		t.Fatal(err)
	}
	def := s.Definition()
	b, err := def.Branch(1)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Actions) != 3 || b.Actions[0].Kind != sim.ActCrash || b.Actions[0].Peer != 1 || b.Actions[1].Peer != 2 || b.Actions[2].Mark.Note != "after" {
		t.Fatalf("branch = %+v, want s1's crash, then the branch's crash of s2 and its mark", b.Actions)
	}
	if _, err := def.Branch(0); err == nil {
		t.Error("a crash taken for a mark with a branch")
	}
	replayMatches(t, s)
}

// A candidate that stands again votes for itself again, in the new term,
// and the trace says so: a vote in a new term is a new vote, even for the
// same server (the lessons count votes from the trace).
func TestCandidateVotesAgain(t *testing.T) {
	s := newRun(t, 3, 4)
	lead, err := s.WaitForLeader(5000)
	if err != nil {
		t.Fatal(err)
	}
	alone := lead%3 + 1
	if err := s.Do(sim.Action{Kind: sim.ActPartition, Groups: [][]raft.ID{{alone}}}); err != nil {
		t.Fatal(err)
	}
	term := peerState(s, alone).Term
	for want := term + 1; want <= term+2; want++ {
		seq := s.LastSeq()
		if err := s.Do(sim.Action{Kind: sim.ActTimeout, Peer: alone}); err != nil {
			t.Fatal(err)
		}
		evs, _ := s.Events(seq)
		if !slices.ContainsFunc(evs, func(e sim.Event) bool {
			return e.Kind == sim.EvVote && e.Peer == alone && e.Vote == alone && e.Term == want
		}) {
			t.Errorf("standing for term %d, %v recorded no vote for itself", want, alone)
		}
	}
	replayMatches(t, s)
}
