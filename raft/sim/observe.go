package sim

import (
	"slices"

	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/lock"
)

// observe turns what one input did to a peer into trace events, and feeds
// the checkers. It runs on the peer's goroutine while the simulator waits.
func (s *Sim) observe(sl *slot, o *raft.Observation) {
	s.observeState(sl, o)
	s.replyAll()
	s.sendAll()
}

func (s *Sim) observeState(sl *slot, o *raft.Observation) {
	n := o.Node()
	st := status{Role: n.Role(), Term: n.Term(), Vote: n.Vote(), Leader: n.Leader(), Commit: n.Commit(), LastIndex: n.LastIndex()}
	s.observeChange(sl, o, st.Role)
	if o.Input == raft.InputStart {
		// A restart: the term, vote and log came back from storage; commit
		// index and state machine start from nothing.
		// A snapshot, if any, is committed and applied already.
		snap := n.LastSnapshot().Index
		sl.role, sl.term, sl.vote, sl.leader, sl.commit, sl.applied = st.Role, st.Term, st.Vote, raft.None, snap, snap
		sl.snap = snap
		sl.last = st.LastIndex
		sl.state = raft.StateOf[lock.State](o)
		if s.check != nil {
			s.check.restarted(sl, n)
		}
		if sl.incarnation > 1 {
			s.record(&Event{Kind: EvRestart, Peer: sl.id, Term: st.Term, Vote: st.Vote, Index: st.LastIndex, SnapshotIndex: snap})
		}
		return
	}
	if o.Err != nil && o.Input == raft.InputMessage {
		m := o.Message
		s.record(&Event{Kind: EvReject, Peer: sl.id, Msg: &m, Reason: o.Err.Error()})
	}
	if o.Input == raft.InputTransfer && o.Err != nil {
		s.record(&Event{Kind: EvTransfer, Peer: sl.id, Leader: s.handOver, Reason: o.Err.Error()})
	}
	if h := n.Transferee(); h != sl.handing {
		switch {
		case h != raft.None:
			s.record(&Event{Kind: EvTransfer, Peer: sl.id, Leader: h})
		case st.Role == raft.Leader && st.Term == sl.term:
			s.record(&Event{Kind: EvTransfer, Peer: sl.id, Leader: sl.handing, Reason: TransferGaveUp})
		}
		sl.handing = h
	}
	if o.TimedOut {
		e := Event{Kind: EvTimeout, Peer: sl.id, Term: sl.term}
		if o.Input == raft.InputCampaign {
			e.Reason = TimeoutUser
		}
		s.record(&e)
	}
	newTerm := st.Term != sl.term
	if newTerm {
		sl.term = st.Term
		s.record(&Event{Kind: EvTerm, Peer: sl.id, Term: st.Term})
		if st.Role == raft.Leader && sl.role == raft.Leader && s.check != nil {
			s.check.elected(sl, true, n.Configuration()) // a leader that moved on to another term still leading
		}
	}
	if st.Role != sl.role {
		e := Event{Kind: EvRole, Peer: sl.id, Role: st.Role, Term: st.Term}
		switch o.StepDown {
		case raft.StepDownQuorum:
			e.Reason = StepDownQuorum
		case raft.StepDownHandover:
			e.Reason = StepDownHandover
		case raft.StepDownRemoved:
			e.Reason = StepDownRemoved
		}
		sl.role = st.Role
		s.record(&e)
		if st.Role == raft.Leader && s.check != nil {
			s.check.elected(sl, false, n.Configuration())
		}
	}
	// A vote in a new term is a new vote, even for the same server (a
	// candidate standing again votes for itself again).
	if st.Vote != sl.vote || newTerm {
		sl.vote = st.Vote
		if st.Vote != raft.None {
			s.record(&Event{Kind: EvVote, Peer: sl.id, Vote: st.Vote, Term: st.Term})
			if s.check != nil {
				s.check.voted(sl, st.Term, st.Vote)
			}
		}
	}
	if st.Leader != sl.leader {
		sl.leader = st.Leader
		if st.Leader != raft.None && st.Leader != sl.id {
			s.record(&Event{Kind: EvLeader, Peer: sl.id, Leader: st.Leader, Term: st.Term})
		}
	}
	if o.Snapshot.Index != 0 && o.Installed {
		// An installed snapshot replaces the log before anything follows.
		s.snapshotTaken(sl, o, st.LastIndex)
		sl.last, sl.applied = st.LastIndex, o.Snapshot.Index
		sl.state = raft.StateOf[lock.State](o)
	}
	if len(o.Appended) > 0 {
		first := o.Appended[0].Index
		if first <= sl.last {
			s.record(&Event{Kind: EvTruncate, Peer: sl.id, Index: first})
			if s.check != nil {
				s.check.truncated(sl, first)
			}
		}
		e := Event{Kind: EvAppend, Peer: sl.id, Index: first}
		if s.trace.keeps() {
			e.Entries = slices.Clone(o.Appended)
		}
		s.record(&e)
		if s.check != nil {
			s.check.appended(sl, o.Appended)
		}
	}
	sl.last = st.LastIndex
	if st.Commit != sl.commit {
		sl.commit = st.Commit
		s.record(&Event{Kind: EvCommit, Peer: sl.id, Index: st.Commit})
		if s.check != nil {
			s.check.committed(sl, st.Role == raft.Leader, n.Configuration())
		}
	}
	if len(o.Applied) > 0 {
		// Each apply event carries its entry: one array holds them all.
		var entries []raft.Entry
		if s.trace.keeps() {
			entries = make([]raft.Entry, len(o.Applied))
		}
		for i := range o.Applied {
			a := &o.Applied[i]
			e := Event{Kind: EvApply, Peer: sl.id, Index: a.Entry.Index, Skipped: a.Skipped}
			if entries != nil {
				entries[i] = a.Entry
				e.Entries, e.Reply = entries[i:i+1:i+1], replyText(a.Reply)
			}
			s.record(&e)
			if s.check != nil {
				s.check.applied(sl, a)
			}
		}
		sl.applied = o.Applied[len(o.Applied)-1].Entry.Index
		sl.state = raft.StateOf[lock.State](o)
		if s.check != nil {
			s.check.appliedState(sl, sl.applied, sl.state)
		}
	}
	if o.Snapshot.Index != 0 && !o.Installed {
		s.snapshotTaken(sl, o, st.LastIndex) // after the applies it covers
	}
}

// status is the part of a peer's state the simulator follows after every
// input.
type status struct {
	Role      raft.Role
	Term      uint64
	Vote      raft.ID
	Leader    raft.ID
	Commit    uint64
	LastIndex uint64
}

func (s *Sim) snapshotTaken(sl *slot, o *raft.Observation, last uint64) {
	sl.snap = o.Snapshot.Index
	s.record(&Event{Kind: EvSnapshot, Peer: sl.id, Index: o.Snapshot.Index, Term: o.Snapshot.Term,
		Installed: o.Installed, Size: len(o.Snapshot.Data)})
	if s.check != nil {
		s.check.snapshot(sl, o.Snapshot, o.Installed, last)
	}
}

// replyText returns a state machine's reply as a string, without copying
// the replies the lock gives to every write.
func replyText(reply []byte) string {
	switch string(reply) { // no copy: the compiler compares in place
	case OutcomeOK:
		return OutcomeOK
	case OutcomeError:
		return OutcomeError
	}
	return string(reply)
}
