package raft

import "strconv"

// ID names a peer. The zero ID, None, means "nobody": no vote cast, no leader known.
type ID uint64

// None is the zero ID.
const None ID = 0

// String renders an ID the way the talk names peers: s1, s2, s3.
func (id ID) String() string {
	if id == None {
		return "none"
	}
	return "s" + strconv.FormatUint(uint64(id), 10)
}

// Role is what a peer currently is in its term (Figure 2: "Rules for Servers").
type Role uint8

const (
	Follower Role = iota
	Candidate
	Leader
	// PreCandidate asks whether it would be elected before it stands
	// (Config.PreVote, dissertation section 9.6): it keeps its term until
	// a majority says yes.
	PreCandidate
)

func (r Role) String() string {
	switch r {
	case Follower:
		return "follower"
	case Candidate:
		return "candidate"
	case Leader:
		return "leader"
	case PreCandidate:
		return "precandidate"
	}
	return "role(" + strconv.Itoa(int(r)) + ")"
}

// EntryType says what a log entry carries.
type EntryType uint8

const (
	// EntryCommand carries a client command for the state machine.
	EntryCommand EntryType = iota
	// EntryNoop is the empty entry a new leader appends at the start of its
	// term, so that it can commit (and learn the commit index of) everything
	// before it (dissertation section 6.4).
	EntryNoop
	// EntryConfig carries the cluster's members (see SetConfiguration).
	EntryConfig
)

func (t EntryType) String() string {
	switch t {
	case EntryCommand:
		return "command"
	case EntryNoop:
		return "noop"
	case EntryConfig:
		return "config"
	}
	return "entry(" + strconv.Itoa(int(t)) + ")"
}

// Entry is one slot of the replicated log.
//
// Entries are immutable once created: the log, storage and messages in flight
// may all share one Entry and its Data.
type Entry struct {
	Index uint64
	Term  uint64
	Type  EntryType

	// The client session that issued a command (dissertation section 6.3).
	// Client 0 means no session: the command is applied every time it
	// appears in the log, and it can appear twice without anyone retrying
	// (a network that duplicates a follower's forwarded write). With a
	// session, a command is applied at most once per (Client, Seq), and a
	// retry gets the first reply.
	Client uint64
	Seq    uint64
	// Lowest is the client's lowest sequence number still waiting for a
	// reply when it sent this command: replies below it can be forgotten.
	Lowest uint64

	// Data is the command (EntryCommand) or the encoded members (EntryConfig).
	Data []byte
}

// HardState is what a peer must keep across a crash besides its log
// (Figure 2, "Persistent state on all servers").
type HardState struct {
	Term uint64 // latest term this peer has seen
	Vote ID     // candidate that received this peer's vote in Term, or None
	// Boots counts how many times the peer has started. It names the peer's
	// own client session, so a restarted peer's writes are never mistaken
	// for retries of its writes before the crash.
	Boots uint64
}

// ReadState says that the linearizable read with this ID may be answered
// once the state machine has applied Index (the read index, section 6.4 of
// the dissertation).
type ReadState struct {
	ID    uint64
	Index uint64
}
