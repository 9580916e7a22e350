package raft

import "strconv"

// MsgType says which RPC a Message is. Raft needs only two RPCs, each with a
// reply; the other three carry client requests from a follower to its leader.
type MsgType uint8

const (
	// MsgVote is RequestVote: a candidate asks for a peer's vote (section 5.2).
	MsgVote MsgType = iota + 1
	// MsgVoteResp answers MsgVote.
	MsgVoteResp
	// MsgApp is AppendEntries: the leader replicates entries, or, with none,
	// sends a heartbeat (section 5.3).
	MsgApp
	// MsgAppResp answers MsgApp.
	MsgAppResp
	// MsgProp forwards a client write from a follower to its leader.
	MsgProp
	// MsgRead asks the leader for a read index on a follower's behalf.
	MsgRead
	// MsgReadResp answers MsgRead with the read index.
	MsgReadResp
	// MsgSnap is InstallSnapshot: the leader sends its snapshot to a
	// follower that needs entries it has compacted away (section 7). The
	// follower answers with MsgAppResp.
	MsgSnap
	// MsgPreVote asks whether a peer would vote for the sender in the next
	// term, before the sender stands (Config.PreVote, dissertation section
	// 9.6). Its Term is the term the sender would stand in.
	MsgPreVote
	// MsgPreVoteResp answers MsgPreVote: granted, in the term asked
	// about; or denied, in the answerer's own term.
	MsgPreVoteResp
	// MsgTimeoutNow tells a follower to start an election at once: the
	// leader hands over leadership to it (dissertation section 3.10).
	MsgTimeoutNow
)

var msgTypeNames = [...]string{
	MsgVote:     "RequestVote",
	MsgVoteResp: "RequestVoteReply",
	MsgApp:      "AppendEntries",
	MsgAppResp:  "AppendEntriesReply",
	MsgProp:     "ForwardWrite",
	MsgRead:     "ReadIndex",
	MsgReadResp: "ReadIndexReply",
	MsgSnap:     "InstallSnapshot",

	MsgPreVote:     "PreVote",
	MsgPreVoteResp: "PreVoteReply",
	MsgTimeoutNow:  "TimeoutNow",
}

func (t MsgType) String() string {
	if int(t) < len(msgTypeNames) && msgTypeNames[t] != "" {
		return msgTypeNames[t]
	}
	return "msg(" + strconv.Itoa(int(t)) + ")"
}

// valid reports whether t is one of the types above.
func (t MsgType) valid() bool { return t >= MsgVote && t <= MsgTimeoutNow }

// IsResponse reports whether t answers a request.
func (t MsgType) IsResponse() bool {
	return t == MsgVoteResp || t == MsgAppResp || t == MsgReadResp || t == MsgPreVoteResp
}

// Message is everything peers say to each other: one struct with a type,
// so a Transport needs only one method. Each field names the RPC argument of
// Figure 2 it carries; fields a type does not use are zero.
type Message struct {
	Type MsgType
	From ID
	To   ID
	// Cluster is the identity of the sender's cluster (see ClusterOf), 0
	// from a peer that belongs to none yet. Peers refuse messages of
	// another cluster.
	Cluster uint64
	// Term is the sender's current term. Forwarded client requests
	// (MsgProp, MsgRead, MsgReadResp) are not bound to a term and carry 0.
	Term uint64

	// RequestVote: the candidate's last log entry, for the "at least as
	// up-to-date" check of section 5.4.1.
	LastLogIndex uint64
	LastLogTerm  uint64

	// AppendEntries: the entry just before Entries, for the consistency check
	// of section 5.3; the entries to store (none for a heartbeat); the
	// leader's commit index.
	PrevLogIndex uint64
	PrevLogTerm  uint64
	Entries      []Entry
	LeaderCommit uint64

	// RequestVoteReply, PreVoteReply.
	VoteGranted bool
	// RequestVote: the candidate stands because its leader handed over
	// leadership (MsgTimeoutNow), so a peer that hears from that leader
	// still votes (see Config.CheckQuorum).
	Transfer bool

	// AppendEntriesReply. On success, MatchIndex is the last index the
	// follower now knows to match the leader's log. On failure, the conflict
	// hints let the leader skip a whole term at a time (section 5.3, "the
	// protocol can be optimized"): ConflictTerm is the term of the follower's
	// entry at PrevLogIndex (0 if its log is shorter) and ConflictIndex the
	// first index the follower holds for that term (or its log length + 1).
	// A refusal also carries the PrevLogIndex of the AppendEntries it
	// refuses, so the leader can tell the answer to its current probe from a
	// duplicate or a late answer to an earlier one (see progress.go).
	Success       bool
	MatchIndex    uint64
	ConflictIndex uint64
	ConflictTerm  uint64

	// Round numbers the leader's heartbeat rounds; a follower echoes it, so
	// the leader can tell when a majority has confirmed it still leads
	// (ReadIndex). For MsgRead and MsgReadResp it is the read's ID.
	Round uint64
	// ReadIndex answers MsgRead.
	ReadIndex uint64

	// InstallSnapshot: the leader's snapshot (shared, read-only).
	Snapshot *Snapshot
}

// WaitsForSync reports whether m may leave its sender only once what the
// sender saved before it is durable (Storage.Sync): a vote request or a
// vote, an AppendEntries reply, each promise the term, vote or entries
// saved with them. A leader's AppendEntries and InstallSnapshot, and
// forwarded client requests, promise nothing about the sender's storage:
// they may leave while it saves, so a leader writes new entries to its disk
// in parallel with its followers (dissertation section 10.2.1). The leader
// still counts its own copy toward a majority only once it is saved, as
// long as the replies are handled after the save, as Peer does.
func (m *Message) WaitsForSync() bool {
	switch m.Type {
	case MsgApp, MsgSnap, MsgProp, MsgRead, MsgReadResp:
		return false
	}
	return true
}

// IsHeartbeat reports whether m is an AppendEntries carrying no entries.
func (m *Message) IsHeartbeat() bool { return m.Type == MsgApp && len(m.Entries) == 0 }
