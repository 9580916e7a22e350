package raft

import (
	"slices"
	"testing"
)

// Durable state: Figure 2, "Persistent state on all servers (Updated on
// stable storage before responding to RPCs)", and the Storage contract.

// What Load returns belongs to the caller: later appends and truncations of
// the storage never change it, and changing it never changes the storage.
func TestMemoryStorageLoadReturnsCopies(t *testing.T) {
	s := NewMemoryStorage()
	if err := s.Append(logOf(ids(3), 1, 1, 1)); err != nil {
		t.Fatal(err)
	}
	st, _ := s.Load()
	loaded := st.Entries
	if err := s.Append([]Entry{{Index: 2, Term: 2}}); err != nil { // truncates 3, overwrites 2
		t.Fatal(err)
	}
	if err := s.Append([]Entry{{Index: 3, Term: 2}, {Index: 4, Term: 2}}); err != nil {
		t.Fatal(err)
	}
	if got := terms(loaded); !slices.Equal(got, []uint64{1, 1, 1}) {
		t.Fatalf("a loaded log changed under its holder: %v", got)
	}
	st, _ = s.Load()
	again := st.Entries
	loaded[0].Term = 99
	_ = append(again[:1], Entry{Index: 2, Term: 77})
	st, _ = s.Load()
	now := st.Entries
	if got := terms(now); !slices.Equal(got, []uint64{1, 2, 2, 2}) {
		t.Fatalf("storage = %v after callers changed their copies, want 1 2 2 2", got)
	}
	if s.LastIndex() != 4 {
		t.Fatalf("LastIndex = %d, want 4", s.LastIndex())
	}
}

// Append overwrites a suffix, never leaves a gap.
func TestMemoryStorageAppend(t *testing.T) {
	s := NewMemoryStorage()
	if err := s.Append(nil); err != nil {
		t.Fatalf("appending nothing = %v", err)
	}
	if err := s.Append([]Entry{{Index: 2, Term: 1}}); err == nil {
		t.Fatal("append at 2 to an empty storage: no error")
	}
	if err := s.Append([]Entry{{Index: 0, Term: 1}}); err == nil {
		t.Fatal("append at index 0: no error")
	}
	if err := s.Append(logOf(ids(1), 1, 1, 1)); err != nil {
		t.Fatal(err)
	}
	if err := s.Append([]Entry{{Index: 5, Term: 1}}); err == nil {
		t.Fatal("append at 5 to a storage holding 1..3: no error")
	}
	if err := s.Append([]Entry{{Index: 1, Term: 2}}); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.Load(); !slices.Equal(terms(st.Entries), []uint64{2}) {
		t.Fatalf("after overwriting from 1: %v, want [2]", terms(st.Entries))
	}
	hs := HardState{Term: 4, Vote: 2, Boots: 3}
	if err := s.SaveState(hs); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.Load(); st.State != hs {
		got := st.State
		t.Fatalf("saved %+v, loaded %+v", hs, got)
	}
}

// Bootstrap writes the same first entry to every member's storage, and only
// to a new one.
func TestBootstrap(t *testing.T) {
	s := NewMemoryStorage()
	if err := Bootstrap(s, []ID{3, 1, 2}); err != nil {
		t.Fatal(err)
	}
	st, _ := s.Load()
	hs, es := st.State, st.Entries
	if hs.Term != 1 || len(es) != 1 || es[0].Type != EntryConfig || es[0].Index != 1 || es[0].Term != 1 {
		t.Fatalf("bootstrapped storage: %+v, %+v; want term 1 and the configuration at (1, 1)", hs, es)
	}
	if ms, err := DecodeMembers(es[0].Data); err != nil || !slices.Equal(ms, []ID{1, 2, 3}) {
		t.Fatalf("configuration = %v, %v; want [s1 s2 s3]", ms, err)
	}
	if err := Bootstrap(s, []ID{1, 2, 3}); err == nil {
		t.Fatal("Bootstrap of a used storage: no error")
	}
	for _, bad := range [][]ID{nil, {1, 1}, {0, 1}} {
		if err := Bootstrap(NewMemoryStorage(), bad); err == nil {
			t.Fatalf("Bootstrap with members %v: no error", bad)
		}
	}
}

// Reference: Figure 2, Persistent state: "currentTerm", "votedFor", "log[]".
// A crash loses everything else: the restarted node has the same term,
// vote and log; it knows nothing committed until a leader says so; then it
// applies the whole log again from index 1, in order.
func TestCrashKeepsTermVoteAndLogAndRestartReplays(t *testing.T) {
	c := settled(t)
	for _, w := range []string{"lock a", "unlock a", "lock b"} {
		if err := c.node(1).Propose(cmd(w)); err != nil {
			t.Fatal(err)
		}
		c.flush(1)
	}
	c.stabilize(all)
	c.tick(1, 2)
	c.stabilize(all)
	hs, log := c.node(2).HardState(), c.log(2)
	if len(c.applied[2]) != 5 {
		t.Fatalf("s2 applied %d entries before the crash, want 5", len(c.applied[2]))
	}
	c.crash(2)
	c.restart(2)
	n := c.node(2)
	if got := n.HardState(); got != hs {
		t.Fatalf("hard state after restart = %+v, want %+v", got, hs)
	}
	if !entriesEqual(c.log(2), log) {
		t.Fatalf("log after restart = %v, want %v", terms(c.log(2)), terms(log))
	}
	if st := n.Status(); st.Commit != 0 || st.Applied != 0 || st.Role != Follower || st.Leader != None {
		t.Fatalf("restarted status %+v: commit, applied and leader are volatile", st)
	}
	if len(c.applied[2]) != 0 {
		t.Fatal("a restarted node applied entries before learning they are committed")
	}
	c.tick(1, 2)
	c.stabilize(all)
	if !entriesEqual(c.applied[2], log) {
		t.Fatalf("s2 replayed %v, want its whole log %v", terms(c.applied[2]), terms(log))
	}
}

// A node restarts from whatever its storage holds, and refuses what no
// node ever saves.
func TestNewNodeRefusesInconsistentStorage(t *testing.T) {
	good := logOf(ids(3), 1, 2, 2)
	for name, tc := range map[string]struct {
		hs  HardState
		log []Entry
	}{
		"index gap":                {HardState{Term: 2}, []Entry{good[0], good[2]}},
		"index not from 1":         {HardState{Term: 2}, good[1:]},
		"entry term above term":    {HardState{Term: 1}, good},
		"terms going backwards":    {HardState{Term: 2}, []Entry{good[0], good[1], {Index: 3, Term: 1}}},
		"vote without a term":      {HardState{Vote: 2}, nil},
		"entry term above term, 0": {HardState{}, good[:1]},
	} {
		if _, err := NewNode(testConfig(1), Stored{State: tc.hs, Entries: tc.log}); err == nil {
			t.Errorf("%s: NewNode accepted it", name)
		}
	}
	if _, err := NewNode(testConfig(1), Stored{State: HardState{Term: 2, Vote: 1}, Entries: good}); err != nil {
		t.Fatalf("a consistent storage was refused: %v", err)
	}
	if _, err := NewNode(testConfig(1), Stored{}); err != nil {
		t.Fatalf("a new node was refused: %v", err)
	}
}
