package sim_test

import (
	"testing"

	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/lock"
	"github.com/raftplay/raftplay/raft/sim"
)

func newRun(t *testing.T, peers int, seed uint64) *sim.Sim {
	t.Helper()
	return newRunWith(t, peers, seed, false, false)
}

func peerState(s *sim.Sim, id raft.ID) sim.PeerState { return s.Snapshot().Peers[id-1] }

// A partition leaves the old leader in the minority: it still takes a write
// but cannot commit it. The majority elects a new leader in a higher term
// and commits. When the partition heals, the old leader steps down and its
// uncommitted entry is overwritten (section 5.3: the leader forces
// followers' logs to duplicate its own).
func TestPartitionMinorityCannotCommit(t *testing.T) {
	s := newRun(t, 5, 3)
	old, err := s.WaitForLeader(5000)
	if err != nil {
		t.Fatal(err)
	}
	oldTerm := peerState(s, old).Term
	var minority, majority []raft.ID
	minority = append(minority, old)
	for id := raft.ID(1); id <= 5; id++ {
		if id == old {
			continue
		}
		if len(minority) < 2 {
			minority = append(minority, id)
		} else {
			majority = append(majority, id)
		}
	}
	if err := s.Do(sim.Action{Kind: sim.ActPartition, Groups: [][]raft.ID{minority, majority}}); err != nil {
		t.Fatal(err)
	}
	lost := peerState(s, old).LastIndex + 1
	if err := s.Do(sim.Action{Kind: sim.ActWrite, Peer: old, Client: "alice", Op: lock.OpLock}); err != nil {
		t.Fatal(err)
	}
	out, err := s.Request(sim.Action{Kind: sim.ActWrite, Peer: majority[0], Client: "bob", Op: lock.OpLock}, 10_000)
	if err != nil {
		t.Fatal(err)
	}
	if out != "ok" {
		t.Fatalf("bob's lock on the majority side -> %s, want ok", out)
	}
	ps := peerState(s, old)
	if ps.Role != raft.Leader || ps.Commit >= lost {
		t.Fatalf("old leader %v: role %v, commit %d; want still leader with entry %d uncommitted", old, ps.Role, ps.Commit, lost)
	}
	newLeader, newTerm := s.Leader()
	if newLeader == old || newTerm <= oldTerm {
		t.Fatalf("leader %v in term %d, want a new leader in a term above %d", newLeader, newTerm, oldTerm)
	}

	if err := s.Do(sim.Action{Kind: sim.ActHeal}); err != nil {
		t.Fatal(err)
	}
	s.RunFor(3000)
	ps = peerState(s, old)
	if ps.Role != raft.Follower || ps.Term < newTerm {
		t.Fatalf("after healing, old leader is %v in term %d; want follower in term >= %d", ps.Role, ps.Term, newTerm)
	}
	if ps.Lock != (lock.State{Locked: true, Holder: "bob"}) {
		t.Errorf("old leader's lock is %v, want locked by bob", ps.Lock)
	}
	for _, op := range s.History() {
		if op.Client == "alice" && op.Outcome == "ok" {
			t.Errorf("alice's write in the minority succeeded")
		}
	}
}

// Crashing the leader brings a new leader in a higher term; the crashed
// peer keeps its term, vote and log, and catches up after a restart.
func TestCrashLeader(t *testing.T) {
	s := newRun(t, 3, 11)
	old, err := s.WaitForLeader(5000)
	if err != nil {
		t.Fatal(err)
	}
	if out, _ := s.Request(sim.Action{Kind: sim.ActWrite, Peer: old, Client: "alice", Op: lock.OpLock}, 5000); out != "ok" {
		t.Fatalf("first lock -> %s", out)
	}
	before := peerState(s, old)
	if err := s.Do(sim.Action{Kind: sim.ActCrash, Peer: old}); err != nil {
		t.Fatal(err)
	}
	crashed := peerState(s, old)
	if crashed.Up || crashed.Term != before.Term || crashed.LastIndex != before.LastIndex {
		t.Fatalf("crashed peer shows %+v; want down with term %d and %d entries kept", crashed, before.Term, before.LastIndex)
	}
	next, err := s.WaitForLeader(5000)
	if err != nil {
		t.Fatal(err)
	}
	if st := peerState(s, next); next == old || st.Term <= before.Term {
		t.Fatalf("new leader %v in term %d, want another peer in a term above %d", next, st.Term, before.Term)
	}
	if err := s.Do(sim.Action{Kind: sim.ActRestart, Peer: old}); err != nil {
		t.Fatal(err)
	}
	s.RunFor(2000)
	st := peerState(s, old)
	if !st.Up || st.Lock != (lock.State{Locked: true, Holder: "alice"}) || st.Applied != st.Commit {
		t.Fatalf("restarted peer: up %v, lock %v, applied %d of %d; want it to replay the log", st.Up, st.Lock, st.Applied, st.Commit)
	}
}

// A linearizable read never returns a stale value, even from a follower.
func TestReadAtFollowerSeesLatestWrite(t *testing.T) {
	s := newRun(t, 3, 5)
	leader, err := s.WaitForLeader(5000)
	if err != nil {
		t.Fatal(err)
	}
	follower := raft.ID(1 + int(leader)%3)
	if out, _ := s.Request(sim.Action{Kind: sim.ActWrite, Peer: leader, Client: "alice", Op: lock.OpLock}, 5000); out != "ok" {
		t.Fatalf("lock -> %s", out)
	}
	// Right after the write, the follower may not have applied it yet; the
	// read must still see it.
	out, err := s.Request(sim.Action{Kind: sim.ActRead, Peer: follower, Client: "bob"}, 5000)
	if err != nil {
		t.Fatal(err)
	}
	if out != "locked by alice" {
		t.Fatalf("read at follower %v -> %q, want \"locked by alice\"", follower, out)
	}
}

// Dropping a message in flight removes it, and the trace says so.
func TestDropMessage(t *testing.T) {
	s := newRun(t, 3, 2)
	if _, err := s.WaitForLeader(5000); err != nil {
		t.Fatal(err)
	}
	msgs := s.Snapshot().Messages
	for deadline := s.Now() + 1000; len(msgs) == 0 && s.Now() < deadline; msgs = s.Snapshot().Messages {
		s.Step()
	}
	if len(msgs) == 0 {
		t.Fatal("no message in flight to drop")
	}
	id := msgs[0].ID
	if err := s.Do(sim.Action{Kind: sim.ActDrop, Msg: id}); err != nil {
		t.Fatal(err)
	}
	for _, m := range s.Snapshot().Messages {
		if m.ID == id {
			t.Fatalf("message %d still in flight after the drop", id)
		}
	}
	evs, _ := s.Events(0)
	last := evs[len(evs)-1]
	if last.Kind != sim.EvDrop || last.MsgID != id || last.Reason != sim.DropUser {
		t.Fatalf("last event %s, want the user's drop of %d", last.Describe(), id)
	}
	if err := s.Do(sim.Action{Kind: sim.ActDrop, Msg: id}); err == nil {
		t.Fatal("dropping a message no longer in flight succeeded")
	}
}

// Bad actions are refused with a clear error and change nothing.
func TestBadActions(t *testing.T) {
	s := newRun(t, 3, 1)
	for _, a := range []sim.Action{
		{Kind: sim.ActWrite, Peer: 4, Client: "alice", Op: lock.OpLock},
		{Kind: sim.ActWrite, Peer: 1, Client: "", Op: lock.OpLock},
		{Kind: sim.ActWrite, Peer: 1, Client: "<b>x</b>", Op: lock.OpLock},
		{Kind: sim.ActWrite, Peer: 1, Client: "alice"},
		{Kind: sim.ActCut, From: 1, To: 1},
		{Kind: sim.ActPartition, Groups: [][]raft.ID{{1, 2}, {2, 3}}},
		{Kind: sim.ActNetwork, Link: &sim.Link{LatencyMinMs: 0, LatencyMaxMs: 10}},
		{Kind: sim.ActNetwork, Link: &sim.Link{LatencyMinMs: 1, LatencyMaxMs: 10, Loss: 2}},
		{Kind: sim.ActNetwork},
		{Kind: sim.ActRestart, Peer: 1},
		{Kind: 99},
	} {
		if err := s.Do(a); err == nil {
			t.Errorf("%v %+v accepted", a.Kind, a)
		}
	}
	if n := len(s.Definition().Actions); n != 0 {
		t.Errorf("refused actions were recorded: %d", n)
	}
	for _, c := range []sim.Config{
		{},
		func() sim.Config { c := sim.DefaultConfig(); c.Peers = 0; return c }(),
		func() sim.Config { c := sim.DefaultConfig(); c.ElectionMinMs = 40; return c }(),
		func() sim.Config { c := sim.DefaultConfig(); c.Net.Loss = -0.1; return c }(),
	} {
		if _, err := sim.New(sim.Definition{Config: c}, sim.Options{}); err == nil {
			t.Errorf("config %+v accepted", c)
		}
	}
}

// The playground's partition scenario plays out the same story for any
// seed: alice's lock and unlock and carol's lock succeed; bob's write to the
// cut-off leader is applied by no one before the heal, and once after it,
// passed on to the new leader: after carol's lock, so the lock says no.
// Every server ends with carol holding the lock.
func TestPartitionScenario(t *testing.T) {
	for seed := uint64(1); seed <= 30; seed++ {
		s, err := sim.RunScenario("partition", seed, false, sim.Options{TraceLimit: -1, Check: true, History: true})
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		s.RunFor(5000)
		got := map[string]string{}
		evs, _ := s.Events(0)
		healed := false
		applied := map[raft.ID]int{}
		for _, e := range evs {
			switch {
			case e.Kind == sim.EvReply:
				got[e.Client+" "+e.Op] += e.Outcome
			case e.Kind == sim.EvNetwork && e.Action.Kind == sim.ActHeal:
				healed = true
			case e.Kind == sim.EvApply && string(e.Entries[0].Data) == "lock bob" && !e.Skipped:
				applied[e.Peer]++
				if !healed {
					t.Errorf("seed %d: %v applied bob's lock from the minority side before the heal", seed, e.Peer)
				}
			}
		}
		for id := raft.ID(1); id <= 5; id++ {
			if applied[id] != 1 {
				t.Errorf("seed %d: %v applied bob's lock %d times, want once", seed, id, applied[id])
			}
		}
		want := map[string]string{"alice lock": "ok", "alice unlock": "ok", "carol lock": "ok", "bob lock": "error"}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("seed %d: %s -> %q, want %q", seed, k, got[k], v)
			}
		}
		for _, p := range s.Snapshot().Peers {
			if p.Lock != (lock.State{Locked: true, Holder: "carol"}) {
				t.Errorf("seed %d: %v holds lock state %v, want carol's", seed, p.ID, p.Lock)
			}
		}
		for _, v := range s.Violations() {
			t.Errorf("seed %d: %s", seed, v.Describe())
		}
		s.Close()
	}
}
