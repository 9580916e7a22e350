package raft

import (
	"slices"
	"testing"
)

// Log compaction, section 7 and Figure 13 (InstallSnapshot).

// commitAll proposes writes at the leader and lets every peer apply them.
func commitAll(c *cluster, leader ID, writes ...string) {
	c.t.Helper()
	for _, w := range writes {
		if err := c.node(leader).Propose(cmd(w)); err != nil {
			c.t.Fatal(err)
		}
		c.flush(leader)
	}
	c.stabilize(all)
	c.tick(leader, 2) // followers learn the commit index from a heartbeat
	c.stabilize(all)
}

// Reference: section 7: "the entire system state is written to a snapshot
// on stable storage, then the entire log up to that point is discarded."
func TestSection7CompactDropsTheAppliedPrefix(t *testing.T) {
	c := settled(t)
	commitAll(c, 1, "a", "b", "c")
	n := c.node(1)
	s := c.compact(1, "state after c")
	if s.Index != 5 || s.Term != n.term || !slices.Equal(s.Members, c.ids) {
		t.Fatalf("snapshot %+v, want index 5, term %d, members %v", s, n.term, c.ids)
	}
	if got := n.Entries(1, 100); len(got) != 0 {
		t.Fatalf("entries after compacting everything: %v", got)
	}
	if n.log.lastIndex() != 5 || n.log.lastTerm() != s.Term {
		t.Fatalf("last entry (%d, %d), want the snapshot's (5, %d)", n.log.lastIndex(), n.log.lastTerm(), s.Term)
	}
	// The log goes on after the snapshot.
	commitAll(c, 1, "d")
	if es := n.Entries(1, 100); len(es) != 1 || es[0].Index != 6 {
		t.Fatalf("entries after the snapshot: %v, want just index 6", es)
	}
	// What storage kept is the snapshot and the log after it.
	st, _ := c.stores[1].Load()
	if st.Snapshot.Index != 5 || string(st.Snapshot.Data) != "state after c" || len(st.Entries) != 1 || st.Entries[0].Index != 6 {
		t.Fatalf("storage holds snapshot %d and entries %v", st.Snapshot.Index, st.Entries)
	}
}

func TestCompactRefusesWhatIsNotApplied(t *testing.T) {
	c := settled(t)
	commitAll(c, 1, "a")
	n := c.node(1)
	if _, err := n.Compact(n.applied+1, nil); err == nil {
		t.Error("compacted past the applied index")
	}
	c.compact(1, "x")
	if _, err := n.Compact(n.applied, nil); err == nil {
		t.Error("compacted twice through the same index")
	}
}

// A restarted node comes back from its snapshot: what the snapshot covers
// is committed and applied (the runtime restores the state machine).
func TestRestartFromSnapshot(t *testing.T) {
	c := settled(t)
	commitAll(c, 1, "a", "b")
	c.compact(2, "s2 state")
	commitAll(c, 1, "c")
	c.crash(2)
	c.restart(2)
	n := c.node(2)
	st := n.Status()
	if st.SnapshotIndex != 4 || n.commit != 4 || n.applied != 4 || st.LastIndex != 5 {
		t.Fatalf("restarted: snapshot %d, commit %d, applied %d, last %d; want 4, 4, 4, 5", st.SnapshotIndex, n.commit, n.applied, st.LastIndex)
	}
	if !slices.Equal(n.members, c.ids) {
		t.Fatalf("members %v after restart, want %v from the snapshot", n.members, c.ids)
	}
	// It learns the rest from the leader and applies only what follows the snapshot.
	c.tick(1, 2)
	c.stabilize(all)
	if got := c.applied[2]; len(got) != 1 || got[0].Index != 5 {
		t.Fatalf("applied after restart: %v, want only index 5", got)
	}
}

// Reference: section 7: "the leader must occasionally send snapshots to
// followers that lag behind ... when the leader has already discarded the
// next log entry that it needs to send to a follower."
func TestSection7LeaderSendsSnapshotToFollowerThatLagsBehind(t *testing.T) {
	c := settled(t)
	c.crash(3)
	commitAll(c, 1, "a", "b", "c")
	c.compact(1, "leader state")
	c.restart(3)
	// An election timeout without an answer from s3: the leader takes its
	// entries as lost, and has compacted them away: it sends its snapshot.
	c.tick(1, c.cfgs[1].ElectionTimeoutMin)
	snaps := 0
	c.tap = func(m Message) {
		if m.Type == MsgSnap {
			snaps++
		}
	}
	c.stabilize(all)
	if snaps != 1 {
		t.Fatalf("%d InstallSnapshot delivered, want 1", snaps)
	}
	n := c.node(3)
	if n.snap.Index != 5 || string(n.snap.Data) != "leader state" || n.commit != 5 || n.applied != 5 {
		t.Fatalf("s3 after InstallSnapshot: snapshot %d %q, commit %d, applied %d", n.snap.Index, n.snap.Data, n.commit, n.applied)
	}
	if pr := c.node(1).progress[2]; pr.match != 5 || pr.next != 6 {
		t.Fatalf("leader's progress for s3: match %d next %d, want 5 and 6", pr.match, pr.next)
	}
	// Replication goes on from the snapshot.
	commitAll(c, 1, "d")
	if got := c.applied[3]; len(got) != 1 || string(got[0].Data) != "d" {
		t.Fatalf("s3 applied %v after the snapshot, want [d]", got)
	}
}

// InstallSnapshot receiver rule 6: "If existing log entry has same index
// and term as snapshot's last included entry, retain log entries following
// it and reply".
func TestFigure13InstallSnapshotRetainsTheMatchingSuffix(t *testing.T) {
	c := settled(t)
	commitAll(c, 1, "a", "b")
	leader := c.node(1)
	// s2 holds entries 1-4 committed and applies them; the leader appends 5
	// and 6, which reach s2 but are not committed there yet.
	for _, w := range []string{"c", "d"} {
		leader.Propose(cmd(w))
	}
	c.flush(1)
	c.deliver(and(ofType(MsgApp), to(2)))
	c.drop(all)
	n := c.node(2)
	if n.log.lastIndex() != 6 || n.commit != 4 {
		t.Fatalf("s2 last %d commit %d, want 6 and 4", n.log.lastIndex(), n.commit)
	}
	t5, _ := leader.log.term(5)
	s := Snapshot{Index: 5, Term: t5, Members: c.ids, Data: []byte("through 5")}
	c.step(Message{Type: MsgSnap, From: 1, To: 2, Term: leader.term, Snapshot: &s})
	if n.snap.Index != 5 || n.log.lastIndex() != 6 || n.commit != 5 {
		t.Fatalf("s2: snapshot %d, last %d, commit %d; want 5, 6 (entry 6 kept), 5", n.snap.Index, n.log.lastIndex(), n.commit)
	}
	if es := n.Entries(1, 10); len(es) != 1 || string(es[0].Data) != "d" {
		t.Fatalf("s2 kept %v after the snapshot, want entry 6 (d)", es)
	}
	resp := one(t, c.take(from(2)))
	if !resp.Success || resp.MatchIndex != 5 {
		t.Fatalf("reply %+v, want success with match 5", resp)
	}
}

// InstallSnapshot receiver rule 7: "Discard the entire log" when it does
// not hold the snapshot's last entry.
func TestFigure13InstallSnapshotDiscardsAConflictingLog(t *testing.T) {
	c := emptyCluster(t, 3)
	// s2 holds an entry of term 2 at index 2 that a later leader never had.
	c.load(2, HardState{Term: 2}, logOf(c.ids, 1, 2, 2))
	n := c.node(2)
	s := Snapshot{Index: 3, Term: 3, Members: c.ids, Data: []byte("leader's")}
	c.step(Message{Type: MsgSnap, From: 1, To: 2, Term: 3, Snapshot: &s})
	if n.snap.Index != 3 || n.log.lastIndex() != 3 || n.log.lastTerm() != 3 || len(n.Entries(1, 10)) != 0 {
		t.Fatalf("s2 after a conflicting snapshot: snapshot %d, last (%d, %d), entries %v", n.snap.Index, n.log.lastIndex(), n.log.lastTerm(), n.Entries(1, 10))
	}
	st, _ := c.stores[2].Load()
	if st.Snapshot.Index != 3 || len(st.Entries) != 0 {
		t.Fatalf("storage after the snapshot: %d, %v", st.Snapshot.Index, st.Entries)
	}
}

// A snapshot covering only what is committed already changes nothing; the
// follower answers with its commit index.
func TestInstallSnapshotOfCommittedEntriesIsAcknowledged(t *testing.T) {
	c := settled(t)
	commitAll(c, 1, "a", "b")
	n := c.node(2)
	before := n.Entries(1, 10)
	t3, _ := n.log.term(3)
	s := Snapshot{Index: 3, Term: t3, Members: c.ids}
	c.step(Message{Type: MsgSnap, From: 1, To: 2, Term: n.term, Snapshot: &s})
	if n.snap.Index != 0 || !slices.EqualFunc(before, n.Entries(1, 10), func(a, b Entry) bool { return a.Index == b.Index && a.Term == b.Term }) {
		t.Fatal("an old snapshot changed the log")
	}
	if resp := one(t, c.take(from(2))); !resp.Success || resp.MatchIndex != n.commit {
		t.Fatalf("reply %+v, want success with match %d", resp, n.commit)
	}
}

// An AppendEntries that starts inside a follower's snapshot is trimmed to
// what follows it: the snapshot's entries are committed, so they match.
func TestAppendEntriesOverlappingTheSnapshot(t *testing.T) {
	c := settled(t)
	commitAll(c, 1, "a", "b", "c")
	c.compact(2, "s2")
	leader := c.node(1)
	leader.Propose(cmd("d"))
	c.flush(1)
	c.drop(all)
	es := leader.Entries(3, 6)
	t2, _ := leader.log.term(2)
	c.step(Message{Type: MsgApp, From: 1, To: 2, Term: leader.term, PrevLogIndex: 2, PrevLogTerm: t2,
		Entries: es, LeaderCommit: 5})
	n := c.node(2)
	if n.log.lastIndex() != 6 {
		t.Fatalf("s2 last index %d, want 6", n.log.lastIndex())
	}
	if resp := one(t, c.take(from(2))); !resp.Success || resp.MatchIndex != 6 {
		t.Fatalf("reply %+v, want success with match 6", resp)
	}
	// And one that lies wholly inside the snapshot is acknowledged.
	c.step(Message{Type: MsgApp, From: 1, To: 2, Term: leader.term, PrevLogIndex: 1, PrevLogTerm: 1, Entries: leader.Entries(2, 3)})
	if resp := one(t, c.take(from(2))); !resp.Success {
		t.Fatalf("an old AppendEntries inside the snapshot was refused: %+v", resp)
	}
}

// An AppendEntries whose previous entry contradicts a committed one (here
// the snapshot's last entry, whose term the follower keeps without the
// entry) comes from no correct leader: it is refused, and the follower is
// unchanged. (It used to panic looking for the first entry of that term.)
func TestAppendEntriesContradictingTheSnapshotIsRefused(t *testing.T) {
	c := settled(t)
	commitAll(c, 1, "a", "b")
	c.compact(2, "s2")
	n := c.node(2)
	off, offTerm := n.log.offset, n.log.offsetTerm
	for _, m := range []Message{
		{PrevLogIndex: off, PrevLogTerm: offTerm - 1},                                              // the snapshot's last entry
		{PrevLogIndex: off - 1, PrevLogTerm: 1, Entries: []Entry{{Index: off, Term: offTerm + 1}}}, // across it
	} {
		m.Type, m.From, m.To, m.Term, m.LeaderCommit = MsgApp, 1, 2, n.term, off
		before := n.Status()
		if err := n.Step(m); err == nil {
			t.Errorf("AppendEntries with previous entry (%d, %d) accepted", m.PrevLogIndex, m.PrevLogTerm)
		}
		if after := n.Status(); after.LastIndex != before.LastIndex || after.Commit != before.Commit || n.HasReady() {
			t.Errorf("a refused AppendEntries changed the node")
		}
	}
}

func TestMalformedInstallSnapshotIsRefused(t *testing.T) {
	c := settled(t)
	n := c.node(2)
	for _, s := range []*Snapshot{
		nil,
		{Index: 0, Term: 1, Members: c.ids},
		{Index: 5, Term: 0, Members: c.ids},
		{Index: 5, Term: n.term + 1, Members: c.ids},
		{Index: 5, Term: 1},
		{Index: 5, Term: 1, Members: []ID{1, 1}},
		{Index: 5, Term: 1, Members: []ID{3, 1, 2}}, // members are kept sorted, and searched so
	} {
		if err := n.Step(Message{Type: MsgSnap, From: 1, To: 2, Term: n.term, Snapshot: s}); err == nil {
			t.Errorf("snapshot %+v accepted", s)
		}
	}
}

// MemoryStorage.SaveSnapshot keeps the stored entries after the snapshot
// only if the entry at its index matches.
func TestMemoryStorageSaveSnapshot(t *testing.T) {
	s := NewMemoryStorage()
	s.Append(logOf([]ID{1}, 1, 1, 2, 2))
	if err := s.SaveSnapshot(Snapshot{Index: 2, Term: 1, Members: []ID{1}}); err != nil {
		t.Fatal(err)
	}
	st, _ := s.Load()
	if st.Snapshot.Index != 2 || !slices.Equal(terms(st.Entries), []uint64{2, 2}) || st.Entries[0].Index != 3 {
		t.Fatalf("after a matching snapshot: %d %v", st.Snapshot.Index, st.Entries)
	}
	if err := s.Append([]Entry{{Index: 5, Term: 2}}); err != nil || s.LastIndex() != 5 {
		t.Fatalf("append after the snapshot: %v, last %d", err, s.LastIndex())
	}
	if err := s.Append([]Entry{{Index: 2, Term: 2}}); err == nil {
		t.Fatal("appended inside the snapshot")
	}
	s.SaveSnapshot(Snapshot{Index: 4, Term: 3, Members: []ID{1}}) // entry 4 has term 2: no match
	if st, _ := s.Load(); st.Snapshot.Index != 4 || len(st.Entries) != 0 {
		t.Fatalf("after a conflicting snapshot: %d %v", st.Snapshot.Index, st.Entries)
	}
	s.SaveSnapshot(Snapshot{Index: 3, Term: 2, Members: []ID{1}}) // older: ignored
	if st, _ := s.Load(); st.Snapshot.Index != 4 {
		t.Fatalf("an older snapshot replaced a newer one: %d", st.Snapshot.Index)
	}
}

// The runtime's snapshot data round-trips the state and the session table,
// its order included: a peer restored from a snapshot drops the same
// session next as the peers that applied the log.
func TestSnapshotDataRoundTrip(t *testing.T) {
	tbl := newSessionTable(3)
	for _, c := range []uint64{7, 2, 9} {
		tbl.check(c, 3, 1)
		tbl.record(c, 3, []byte("ok"))
	}
	tbl.check(2, 4, 3)
	tbl.record(2, 4, []byte("error")) // order: 7, 9, 2
	data := encodeSnapshot([]byte("alice"), tbl)
	if !slices.Equal(data, encodeSnapshot([]byte("alice"), tbl)) {
		t.Fatal("encoding is not deterministic")
	}
	state, got, err := decodeSnapshot(data, 3)
	if err != nil || string(state) != "alice" || got.len() != 3 || got.clients[2].lowest != 3 || string(got.clients[2].replies[4]) != "error" {
		t.Fatalf("decoded %q %v %v", state, got, err)
	}
	for _, tab := range []*sessionTable{tbl, got} {
		tab.check(5, 1, 1)
		if _, kept := tab.clients[7]; kept {
			t.Fatal("a new client did not drop client 7, the least recently used, after a snapshot")
		}
	}
	for i := range data {
		if _, _, err := decodeSnapshot(data[:i], 3); err == nil {
			t.Fatalf("a truncated snapshot (%d of %d bytes) decoded", i, len(data))
		}
	}
	if _, _, err := decodeSnapshot(data, 2); err == nil {
		t.Fatal("a snapshot with more sessions than the table keeps decoded")
	}
}
