package raft

import (
	"errors"
)

// Client writes. A write may arrive at any peer: the leader appends it; a
// follower forwards it to the leader it knows; with no leader known, the
// caller hears so at once.

// NotLeaderError says a request could not be placed because this peer is not
// the leader: either it knows no leader to forward it to (an election is
// under way), or the request goes to the leader only (Node.ProposeLocal,
// Peer.Propose).
//
// If LeaderKnown, Leader is the leader this peer follows now: send the
// request there. Otherwise Leader is a hint: the last leader this peer
// heard of, in an earlier term, which may be leader again or may be gone;
// None if it never heard of one.
//
// Unconfigured says why no leader is known: the peer belongs to no cluster
// yet, and no election will start until it does. errors.Is matches such an
// error with ErrNotConfigured.
type NotLeaderError struct {
	Peer         ID
	Leader       ID
	LeaderKnown  bool
	Unconfigured bool
}

// ErrNotConfigured says a peer belongs to no cluster yet: it started with
// empty storage, and neither SetConfiguration on it, Bootstrap of its
// storage, nor a leader whose configuration lists it has given it one.
var ErrNotConfigured = errors.New("raft: this peer belongs to no cluster yet")

// Is reports whether e matches target: ErrNotConfigured for a peer that
// belongs to no cluster.
func (e *NotLeaderError) Is(target error) bool { return target == ErrNotConfigured && e.Unconfigured }

func (e *NotLeaderError) Error() string {
	if e.LeaderKnown {
		return "raft: " + e.Peer.String() + " is not the leader; " + e.Leader.String() + " is, as far as " + e.Peer.String() + " knows"
	}
	if e.Unconfigured {
		return "raft: " + e.Peer.String() + " belongs to no cluster yet, so no election will start: configure a cluster " +
			"with SetConfiguration (on this peer, or on a peer that lists it) or Bootstrap its storage"
	}
	if e.Leader == None {
		return "raft: " + e.Peer.String() + " knows no leader yet (an election may be under way); try again shortly"
	}
	return "raft: " + e.Peer.String() + " knows no leader now (an election may be under way); the last one it heard of was " + e.Leader.String()
}

// ErrEntryType is returned when a client tries to propose anything but a
// command.
var ErrEntryType = errors.New("raft: only EntryCommand entries can be proposed")

// ErrCommandTooLarge is returned for a write whose command is larger than
// Config.MaxCommandBytes.
var ErrCommandTooLarge = errors.New("raft: the command is larger than Config.MaxCommandBytes")

// checkCommand refuses what no client may propose.
func (n *Node) checkCommand(e *Entry) error {
	switch {
	case e.Type != EntryCommand:
		return ErrEntryType
	case len(e.Data) > n.cfg.MaxCommandBytes:
		return ErrCommandTooLarge
	}
	return nil
}

// Propose places a client command: appended here if this peer leads,
// forwarded to the leader if one is known, refused with a *NotLeaderError
// otherwise. Index and Term are assigned by the leader.
//
// Proposing is not committing: the command is committed when it comes out
// of Ready.Committed, and it may never be if leadership changes first. A
// caller that retries must use a client session (Entry.Client, Entry.Seq) so
// the retry is applied at most once.
func (n *Node) Propose(e Entry) error {
	if err := n.checkCommand(&e); err != nil {
		return err
	}
	switch {
	case n.role == Leader && n.transferee != None:
		return ErrTransferring
	case n.role == Leader:
		n.appendProposal(e)
	case n.leader != None:
		n.send(Message{Type: MsgProp, To: n.leader, Entries: []Entry{e}})
	default:
		return n.notLeader()
	}
	return nil
}

// ProposeLocal places a client command in this node's log if it leads, and
// says where: the entry's index and term. It never forwards: a node that
// does not lead refuses with a *NotLeaderError, which names the leader it
// follows if it knows one. A retry of a write this leader has appended and
// not yet committed is not appended again: the answer is where the first
// copy is.
//
// The entry is committed, and then applied, only if it comes out of
// Ready.Committed at that index with that term: if leadership changes
// first, a new leader may put another entry there.
func (n *Node) ProposeLocal(e Entry) (index, term uint64, err error) {
	if err := n.checkCommand(&e); err != nil {
		return 0, 0, err
	}
	if n.role != Leader {
		return 0, 0, n.notLeader()
	}
	if n.transferee != None {
		return 0, 0, ErrTransferring
	}
	return n.appendProposal(e), n.term, nil
}

// notLeader is the error for a request this node cannot place: it names
// the leader to go to, if this node follows one, or else the last one it
// heard of.
func (n *Node) notLeader() error {
	if n.leader != None {
		return &NotLeaderError{Peer: n.id, Leader: n.leader, LeaderKnown: true}
	}
	return &NotLeaderError{Peer: n.id, Leader: n.lastLeader, Unconfigured: len(n.config.Voters) == 0}
}

// appendProposal appends a client command on the leader, to be sent with
// the next Ready, and returns its index. A retry of a write this leader has
// appended and not yet committed is dropped: it will commit with the first
// copy, whose index it returns. (A retry of anything else is appended; the
// session table applies it at most once.)
func (n *Node) appendProposal(e Entry) uint64 {
	key := sessionKey{e.Client, e.Seq}
	if e.Client != 0 {
		if i, ok := n.proposed[key]; ok {
			return i
		}
	}
	i := n.log.lastIndex() + 1
	if e.Client != 0 {
		n.proposed[key] = i // before appendEntry: a cluster of one commits it there
	}
	n.appendEntry(Entry{Type: EntryCommand, Client: e.Client, Seq: e.Seq, Lowest: e.Lowest, Data: e.Data})
	n.sendAtReady = true
	return i
}

// sendWaiting sends every follower the entries waiting for it, as far as
// its progress allows.
func (n *Node) sendWaiting() {
	if n.role != Leader {
		return // it stepped down since
	}
	for i, id := range n.members {
		if id != n.id {
			for n.sendAppend(i) {
			}
		}
	}
}

// sessionKey names one write of one client session.
type sessionKey struct{ client, seq uint64 }

// forgetProposed drops committed entries from the leader's set of
// uncommitted writes, which so stays as small as the writes in flight.
func (n *Node) forgetProposed(from, to uint64) {
	if len(n.proposed) == 0 {
		return
	}
	for i := from; i <= to; i++ {
		if e := n.log.at(i); e.Client != 0 {
			delete(n.proposed, sessionKey{e.Client, e.Seq})
		}
	}
}

// stepForwardedWrite handles a write forwarded by a follower. A peer that is
// no longer leader drops it: the origin retries with the leader it learns of.
func (n *Node) stepForwardedWrite(m *Message) error {
	if len(m.Entries) != 1 {
		return errorOf("raft: ", n.id, ": a forwarded write must carry one command, got ", len(m.Entries), " entries")
	}
	if err := n.checkCommand(&m.Entries[0]); err != nil {
		return wrapError(err, "raft: ", n.id, ": refused a write forwarded by ", m.From)
	}
	if n.role == Leader && n.transferee == None {
		n.appendProposal(m.Entries[0])
	}
	return nil // the origin sends it again, to the leader it learns of
}
