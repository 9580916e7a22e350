package sim_test

import (
	"strings"
	"testing"

	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/lock"
	"github.com/raftplay/raftplay/raft/sim"
)

// What the dissertation adds to the paper's elections, in the simulator:
// PreVote (section 9.6), CheckQuorum (6.2) and leadership transfer (3.10).

// newRunWith starts a run of peers with seed, PreVote and CheckQuorum as
// given and the configuration tuned, checking safety as it goes.
func newRunWith(t *testing.T, peers int, seed uint64, preVote, checkQuorum bool, tune ...func(*sim.Config)) *sim.Sim {
	t.Helper()
	cfg := sim.DefaultConfig()
	cfg.Peers, cfg.PreVote, cfg.CheckQuorum = peers, preVote, checkQuorum
	for _, f := range tune {
		f(&cfg)
	}
	s, err := sim.New(sim.Definition{Config: cfg, Seed: seed}, sim.Options{TraceLimit: -1, Check: true, History: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, v := range s.Violations() {
			t.Errorf("safety violation: %s", v.Describe())
		}
		s.Close()
	})
	return s
}

// The disruptive scenario, for any seed: without PreVote the server cut off
// raises its term alone and, back, deposes the leader, which leads no more
// in its term; with PreVote nobody's term moves after the cut, and the
// same leader leads the same term at the end. Both replay.
func TestDisruptiveScenario(t *testing.T) {
	for seed := uint64(1); seed <= 10; seed++ {
		for _, preVote := range []bool{false, true} {
			s, err := sim.RunScenarioWith("disruptive", seed, sim.Switches{PreVote: preVote}, false, sim.Options{TraceLimit: -1, Check: true, History: true})
			if err != nil {
				t.Fatalf("seed %d, PreVote %v: %v", seed, preVote, err)
			}
			if s.Config().PreVote != preVote {
				t.Fatalf("seed %d: the run's configuration has PreVote %v, want %v", seed, s.Config().PreVote, preVote)
			}
			evs, _ := s.Events(0)
			leader := s.Definition().Actions[0].Peer // alice's first write goes to the leader
			var term, top uint64
			cut, marks := false, 0
			for _, e := range evs {
				switch {
				case e.Kind == sim.EvRole && e.Role == raft.Leader && !cut:
					term = e.Term
				case e.Kind == sim.EvNetwork && e.Action.Kind == sim.ActPartition:
					cut = true
				case e.Kind == sim.EvTerm && cut:
					top = max(top, e.Term)
				case e.Kind == sim.EvMark:
					marks++
				}
			}
			now, nowTerm := s.Leader()
			switch {
			case marks != 2:
				t.Errorf("seed %d, PreVote %v: %d marks, want 2 (away, back)", seed, preVote, marks)
			case preVote && (top != 0 || now != leader || nowTerm != term):
				t.Errorf("seed %d, with PreVote: a term rose to %d after the cut; %v leads term %d at the end, want %v still in term %d",
					seed, top, now, nowTerm, leader, term)
			case !preVote && (top < term+3 || nowTerm <= term):
				t.Errorf("seed %d, without PreVote: the cut-off server reached term %d (the leader's was %d), and %v leads term %d at the end: want it deposed",
					seed, top, term, now, nowTerm)
			}
			if v := s.Violations(); len(v) > 0 {
				t.Errorf("seed %d: %s", seed, v[0].Describe())
			}
			replayMatches(t, s)
			s.Close()
		}
	}
}

// Section 6.2: with CheckQuorum a leader cut off on the small side of a
// partition steps down within about two election timeouts, though nothing
// tells it so; without, it goes on believing it leads until the heal.
func TestCheckQuorumStepsDownTheLeaderOnTheMinoritySide(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		for _, checkQuorum := range []bool{false, true} {
			s := newRunWith(t, 5, seed, false, checkQuorum)
			old, err := s.WaitForLeader(5000)
			if err != nil {
				t.Fatal(err)
			}
			minority := []raft.ID{old, old%5 + 1}
			var majority []raft.ID
			for id := raft.ID(1); id <= 5; id++ {
				if id != minority[0] && id != minority[1] {
					majority = append(majority, id)
				}
			}
			if err := s.Do(sim.Action{Kind: sim.ActPartition, Groups: [][]raft.ID{minority, majority}}); err != nil {
				t.Fatal(err)
			}
			s.RunFor(700) // more than two of the longest election timeouts
			role := peerState(s, old).Role
			if checkQuorum && role == raft.Leader {
				t.Errorf("seed %d, with CheckQuorum: the cut-off leader %v still leads after 700 ms", seed, old)
			}
			if !checkQuorum && role != raft.Leader {
				t.Errorf("seed %d, without CheckQuorum: the cut-off leader %v is %v, want it still believing it leads", seed, old, role)
			}
			// The step down says why, in the event log's words.
			said := ""
			events, _ := s.Events(0)
			for _, e := range events {
				if e.Kind == sim.EvRole && e.Peer == old && e.Reason == sim.StepDownQuorum {
					said = e.Describe()
				}
			}
			if checkQuorum != strings.Contains(said, "heard from no majority") {
				t.Errorf("seed %d, CheckQuorum %v: the leader's step down reads %q", seed, checkQuorum, said)
			}
			// Either way the majority side elects a leader, and the heal
			// leaves one leader for everyone.
			if err := s.Do(sim.Action{Kind: sim.ActHeal}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.WaitForLeader(5000); err != nil {
				t.Errorf("seed %d, CheckQuorum %v: %v", seed, checkQuorum, err)
			}
		}
	}
}

// With PreVote and CheckQuorum both on, a cluster whose leader is cut off
// elects another (etcd-io/etcd issues 9586 and 10355: the followers, each
// ignoring the other's pre-votes while it remembered the old leader, left
// the cluster without one). Election timeouts close together make the
// followers' leases overlap, which is when that bug bites: without the fix
// (a pre-candidate forgets its leader) this fails.
func TestPreVoteAndCheckQuorumElectANewLeaderWhenTheLeaderIsCutOff(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		s := newRunWith(t, 3, seed, true, true, func(c *sim.Config) { c.ElectionMinMs, c.ElectionMaxMs = 150, 170 })
		old, err := s.WaitForLeader(5000)
		if err != nil {
			t.Fatal(err)
		}
		others := allBut(3, old)
		if err := s.Do(sim.Action{Kind: sim.ActPartition, Groups: [][]raft.ID{{old}, others}}); err != nil {
			t.Fatal(err)
		}
		if err := waitUntil(s, 3000, func() bool { id, _ := s.Leader(); return id != raft.None && id != old }); err != nil {
			t.Fatalf("seed %d: no new leader among %v within 3 s of cutting off %v", seed, others, old)
		}
	}
}

// allBut lists the peers of n but id.
func allBut(n int, id raft.ID) []raft.ID {
	var out []raft.ID
	for p := raft.ID(1); p <= raft.ID(n); p++ {
		if p != id {
			out = append(out, p)
		}
	}
	return out
}

// waitUntil steps s until cond holds, for at most limit ms.
func waitUntil(s *sim.Sim, limit int64, cond func() bool) error {
	end := s.Now() + limit
	for !cond() {
		if at := s.NextEventAt(); at < 0 || at > end || !s.Step() {
			return errTimedOut
		}
	}
	return nil
}

var errTimedOut = errString("timed out")

type errString string

func (e errString) Error() string { return string(e) }

// Section 3.10: the leader hands over to the peer asked for, which leads
// the next term, and a write sent then is taken by the new leader; the
// action and its events replay. A transfer to the leader itself, or with
// no leader, is refused in words.
func TestTransferLeadership(t *testing.T) {
	for _, pv := range []bool{false, true} {
		s := newRunWith(t, 3, 7, pv, pv)
		lead, err := s.WaitForLeader(5000)
		if err != nil {
			t.Fatal(err)
		}
		term := peerState(s, lead).Term
		to := lead%3 + 1
		if err := s.Do(sim.Action{Kind: sim.ActTransfer, Peer: lead}); err == nil || !strings.Contains(err.Error(), "leads") {
			t.Errorf("transfer to the leader itself: %v, want a refusal saying it leads", err)
		}
		seq := s.LastSeq()
		if err := s.Do(sim.Action{Kind: sim.ActTransfer, Peer: to}); err != nil {
			t.Fatal(err)
		}
		evs, _ := s.Events(seq)
		if len(evs) == 0 || evs[0].Kind != sim.EvTransfer || evs[0].Peer != lead || evs[0].Leader != to || evs[0].Reason != "" {
			t.Fatalf("first event after the transfer: %+v, want %v handing over to %v", evs, lead, to)
		}
		err = waitUntil(s, 1000, func() bool { id, _ := s.Leader(); return id == to })
		if id, _ := s.WaitForLeader(1000); err != nil || id != to || peerState(s, to).Term != term+1 {
			id, tm := s.Leader()
			t.Fatalf("PreVote and CheckQuorum %v: %v leads term %d after the transfer, want %v in term %d", pv, id, tm, to, term+1)
		}
		if out, err := s.Request(sim.Action{Kind: sim.ActWrite, Peer: lead, Client: "alice", Op: lock.OpLock}, 3000); err != nil || out != sim.OutcomeOK {
			t.Errorf("a write after the transfer: %q, %v, want ok", out, err)
		}
		replayMatches(t, s)
	}
}

// A target that lacks entries is brought up to date first, then leads; one
// that cannot be reached is given up after an election timeout, said in
// the trace, and the leader takes writes again.
func TestTransferToALaggingTargetAndOneCutOff(t *testing.T) {
	s := newRunWith(t, 3, 11, false, false)
	lead, err := s.WaitForLeader(5000)
	if err != nil {
		t.Fatal(err)
	}
	to := lead%3 + 1
	if err := s.Do(sim.Action{Kind: sim.ActCut, From: lead, To: to}); err != nil {
		t.Fatal(err)
	}
	for _, op := range []lock.Op{lock.OpLock, lock.OpUnlock, lock.OpLock} {
		if _, err := s.Request(sim.Action{Kind: sim.ActWrite, Peer: lead, Client: "alice", Op: op}, 3000); err != nil {
			t.Fatal(err)
		}
	}
	if last := peerState(s, to).LastIndex; last >= peerState(s, lead).LastIndex {
		t.Fatalf("the target holds index %d, the leader %d: the test needs it behind", last, peerState(s, lead).LastIndex)
	}
	if err := s.Do(sim.Action{Kind: sim.ActRestore, From: lead, To: to}); err != nil {
		t.Fatal(err)
	}
	term := peerState(s, lead).Term
	if err := s.Do(sim.Action{Kind: sim.ActTransfer, Peer: to}); err != nil {
		t.Fatal(err)
	}
	if err := waitUntil(s, 1000, func() bool { id, _ := s.Leader(); return id == to }); err != nil {
		t.Fatalf("the lagging target %v did not take over within 1 s", to)
	}
	if tm := peerState(s, to).Term; tm != term+1 {
		t.Errorf("the target leads term %d, want %d", tm, term+1)
	}

	// Now hand over to a peer cut off from everyone.
	lead, away := to, to%3+1
	if err := s.Do(sim.Action{Kind: sim.ActPartition, Groups: [][]raft.ID{{away}, allBut(3, away)}}); err != nil {
		t.Fatal(err)
	}
	seq := s.LastSeq()
	if err := s.Do(sim.Action{Kind: sim.ActTransfer, Peer: away}); err != nil {
		t.Fatal(err)
	}
	if out, _ := s.Request(sim.Action{Kind: sim.ActWrite, Peer: lead, Client: "bob", Op: lock.OpLock}, 3000); out != sim.OutcomeFailed {
		t.Errorf("a write during the transfer: %q, want failed (the leader takes none meanwhile)", out)
	}
	gaveUp := false
	if err := waitUntil(s, 1000, func() bool {
		evs, _ := s.Events(seq)
		for _, e := range evs {
			gaveUp = gaveUp || e.Kind == sim.EvTransfer && e.Reason == sim.TransferGaveUp && e.Peer == lead
		}
		return gaveUp
	}); err != nil {
		t.Fatal("the leader did not give up a transfer to a peer cut off, within 1 s")
	}
	if id, _ := s.Leader(); id != lead {
		t.Fatalf("%v leads after the transfer was given up, want %v", id, lead)
	}
	if out, err := s.Request(sim.Action{Kind: sim.ActWrite, Peer: lead, Client: "bob", Op: lock.OpLock}, 3000); err != nil || out == sim.OutcomeFailed {
		t.Errorf("a write after the transfer was given up: %q, %v, want it taken", out, err)
	}
	replayMatches(t, s)
}

// The page lets a student turn PreVote and CheckQuorum on with any
// scenario: each plays its story with them, safely, for any seed, but
// one that plays the paper's Raft step by step (figure8), which refuses
// them in words.
func TestEveryScenarioWithPreVoteAndCheckQuorum(t *testing.T) {
	for _, sc := range sim.Scenarios() {
		for _, sw := range []sim.Switches{{PreVote: true}, {CheckQuorum: true}, {PreVote: true, CheckQuorum: true}} {
			for seed := uint64(1); seed <= 5; seed++ {
				s, err := sim.RunScenarioWith(sc.Name, seed, sw, false, sim.Options{TraceLimit: -1, Check: true, History: true})
				if sc.PaperOnly {
					if err == nil || !strings.Contains(err.Error(), "paper's Raft") {
						t.Errorf("%s with %+v: %v, want a refusal naming the paper's Raft", sc.Name, sw, err)
					}
					continue
				}
				if err != nil {
					t.Fatalf("%s with %+v, seed %d: %v", sc.Name, sw, seed, err)
				}
				s.RunFor(5000)
				if v := s.Violations(); len(v) > 0 {
					t.Errorf("%s with %+v, seed %d: %s", sc.Name, sw, seed, v[0].Describe())
				}
				s.Close()
			}
		}
	}
}
