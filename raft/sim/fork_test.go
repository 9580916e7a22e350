package sim

import (
	"bytes"
	"testing"

	"github.com/raftplay/raftplay/raft/lock"
)

// A run replayed to an instant and forked there by a live action has the
// trace of the run whose definition is the applied actions plus that one.
func TestForkReplayedRun(t *testing.T) {
	def := Definition{Config: DefaultConfig(), Seed: 7, Actions: []Action{
		{At: 1000, Kind: ActWrite, Peer: 1, Client: "a", Op: lock.OpLock},
		{At: 2000, Kind: ActCrash, Peer: 2},
		{At: 3000, Kind: ActWrite, Peer: 3, Client: "b", Op: lock.OpLock},
	}}
	s, err := New(def, Options{TraceLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.RunUntil(1500)
	if s.Applied() != 1 {
		t.Fatalf("applied %d actions by 1500 ms, want 1", s.Applied())
	}
	if n := s.DropPending(); n != 2 {
		t.Fatalf("DropPending dropped %d, want 2", n)
	}
	if err := s.Do(Action{Kind: ActRestart, Peer: 2}); err == nil {
		t.Fatal("restart of a running peer accepted")
	}
	if err := s.Do(Action{Kind: ActCrash, Peer: 3}); err != nil {
		t.Fatal(err)
	}
	s.RunUntil(4000)
	if s.Applied() != 2 {
		t.Fatalf("applied %d actions, want 2 (the dropped ones must not run)", s.Applied())
	}

	want := Definition{Config: def.Config, Seed: def.Seed, Actions: []Action{def.Actions[0], {At: 1500, Kind: ActCrash, Peer: 3}}}
	r, err := New(want, Options{TraceLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	r.RunUntil(4000)
	if got, want := s.TraceJSON(), r.TraceJSON(); !bytes.Equal(got, want) {
		t.Fatalf("forked run differs from the replay of its definition:\n%.600s\nwant\n%.600s", got, want)
	}
}
