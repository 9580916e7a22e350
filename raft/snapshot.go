package raft

import "slices"

// Log compaction (section 7). Once the state machine has applied a prefix
// of the log, a snapshot of its state can stand for that prefix, and the
// entries can go. A leader whose follower needs entries it no longer has
// sends the snapshot instead (InstallSnapshot).

// Snapshot stands for the log up to and including Index: the state
// machine's state after applying it, and the cluster's members then.
// A zero Snapshot (Index 0) stands for nothing.
//
// Snapshots are immutable once made: a node, its storage and messages in
// flight share one.
type Snapshot struct {
	Index    uint64 // the last entry it covers
	Term     uint64 // that entry's term
	Members  []ID   // the configuration's voters as of Index, sorted
	Learners []ID   // and its learners (see Configuration)
	Cluster  uint64 // the cluster's identity (see ClusterOf)
	Data     []byte // the state machine's state (and client sessions), encoded by the runtime
}

// Stored is what a peer's Storage kept through a crash.
type Stored struct {
	State    HardState
	Snapshot Snapshot
	Entries  []Entry // the log after Snapshot.Index
}

// Compact tells the node that data is a snapshot of the state machine after
// applying the log through index, so the entries up to index can be
// dropped. index must be applied already (handed out in Ready.Committed)
// and later than the current snapshot. The caller saves the returned
// snapshot to storage (Storage.SaveSnapshot).
func (n *Node) Compact(index uint64, data []byte) (Snapshot, error) {
	if index <= n.log.offset || index > n.applied {
		return Snapshot{}, errorOf("raft: cannot compact through index ", index,
			": it must be applied (", n.applied, ") and past the last snapshot (", n.log.offset, ")")
	}
	t, _ := n.log.term(index)
	c, _ := n.configAt(index)
	n.snap = Snapshot{Index: index, Term: t, Members: c.Voters, Learners: c.Learners, Cluster: n.cluster, Data: data}
	n.log.compact(index)
	return n.snap, nil
}

// LastSnapshot returns the node's latest snapshot (zero if none).
func (n *Node) LastSnapshot() Snapshot { return n.snap }

// sendSnapshot sends member i the latest snapshot: it needs entries the
// leader has compacted away. The follower answers as to AppendEntries.
func (n *Node) sendSnapshot(i int) {
	pr := &n.progress[i]
	snap := n.snap
	n.send(Message{Type: MsgSnap, To: n.members[i], Snapshot: &snap, Round: n.round})
	pr.state, pr.waiting, pr.probeAt, pr.since = ProgressSnapshot, true, pr.next-1, n.ticks
	pr.inflight.reset()
}

// checkSnapshot rejects an InstallSnapshot no correct leader sends.
func (n *Node) checkSnapshot(m *Message) error {
	s := m.Snapshot
	switch {
	case s == nil || s.Index == 0 || s.Term == 0 || s.Term > m.Term:
		return errorOf("raft: ", n.id, ": malformed InstallSnapshot from ", m.From)
	case (&Configuration{Voters: s.Members, Learners: s.Learners}).validate() != nil || !slices.IsSorted(s.Members):
		return errorOf("raft: ", n.id, ": InstallSnapshot from ", m.From, " has a bad configuration")
	case s.Index <= n.commit && !n.log.matches(s.Index, s.Term) && s.Index > n.log.offset:
		// A correct leader's snapshot covers committed entries only, which
		// we hold with the same terms.
		return errorOf("raft: ", n.id, ": InstallSnapshot from ", m.From, " contradicts committed entry ", s.Index)
	}
	return nil
}

// handleSnapshot is the InstallSnapshot receiver (Figure 13).
func (n *Node) handleSnapshot(m *Message) {
	n.resetElectionTimer()
	s := m.Snapshot
	resp := Message{Type: MsgAppResp, To: m.From, Round: m.Round, Success: true}
	if s.Index <= n.commit {
		// Nothing new: everything it covers is committed here already.
		resp.MatchIndex = n.commit
		n.send(resp)
		return
	}
	// "If existing log entry has same index and term as snapshot's last
	// included entry, retain log entries following it"; otherwise "discard
	// the entire log".
	if n.log.matches(s.Index, s.Term) {
		n.log.compact(s.Index)
	} else {
		n.log.reset(s.Index, s.Term)
	}
	n.snap = *s
	n.snap.Members, n.snap.Learners = slices.Clone(s.Members), slices.Clone(s.Learners)
	n.restored = n.snap
	n.commit, n.applied = s.Index, s.Index
	n.refreshMembers()
	resp.MatchIndex = s.Index
	n.matched = max(n.matched, s.Index)
	n.send(resp)
	n.releaseHeld()
}

// trimCompacted rewrites an AppendEntries that starts before this node's
// snapshot to start at it: the entries the snapshot covers are committed,
// so they match the leader's (Leader Completeness).
func (n *Node) trimCompacted(m *Message) error {
	off := n.log.offset
	if m.PrevLogIndex >= off {
		return nil
	}
	if skip := off - m.PrevLogIndex; uint64(len(m.Entries)) >= skip {
		if m.Entries[skip-1].Term != n.log.offsetTerm {
			return errorOf("raft: ", n.id, ": AppendEntries from ", m.From, " contradicts the snapshot's last entry ", off)
		}
		m.Entries = m.Entries[skip:]
	} else {
		m.Entries = nil
	}
	m.PrevLogIndex, m.PrevLogTerm = off, n.log.offsetTerm
	return nil
}
