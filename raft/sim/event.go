package sim

import (
	"strconv"

	"github.com/raftplay/raftplay/raft"
)

// Kind names a trace event.
type Kind uint8

const (
	EvSend      Kind = iota + 1 // Peer sent Msg; it arrives (or is lost) at Arrive
	EvDeliver                   // Msg reached Peer, which handled it
	EvDrop                      // Msg was lost: Reason says why
	EvReject                    // Peer refused Msg as malformed: Reason says why
	EvTimeout                   // Peer's election timer fired
	EvRole                      // Peer became Role in Term
	EvTerm                      // Peer moved to Term
	EvVote                      // Peer voted for Vote in Term
	EvLeader                    // Peer learned that Leader leads Term
	EvAppend                    // Peer stored Entries from Index on
	EvTruncate                  // Peer deleted its entries from Index on
	EvCommit                    // Peer's commit index rose to Index
	EvApply                     // Peer applied the entry at Index, with Reply
	EvRequest                   // Client sent Req (Op) to Peer
	EvReply                     // Req got its Outcome
	EvCrash                     // Peer crashed (with its snapshot through SnapshotIndex)
	EvRestart                   // Peer restarted from storage (Term, Vote, Index = last log index, SnapshotIndex)
	EvNetwork                   // the network changed: Action says how
	EvViolation                 // a property failed: Violation says which, Reason in plain words
	EvSnapshot                  // Peer compacted its log through Index into a snapshot, or Installed the leader's
	EvTimers                    // the election timers were spread or aligned: Action says how
	EvMark                      // the run reached a named moment: Action holds its Mark
	EvTransfer                  // Peer, the leader, hands over leadership to Leader; Reason: TransferGaveUp, or why it could not start
	EvChange                    // a membership change: Op says which (membership.go), Leader names the server added or removed; Reason: why it was refused
)

var kindNames = [...]string{
	EvSend: "send", EvDeliver: "deliver", EvDrop: "drop", EvReject: "reject",
	EvTimeout: "timeout", EvRole: "role", EvTerm: "term", EvVote: "vote",
	EvLeader: "leader", EvAppend: "append", EvTruncate: "truncate",
	EvCommit: "commit", EvApply: "apply", EvRequest: "request", EvReply: "reply",
	EvCrash: "crash", EvRestart: "restart", EvNetwork: "network",
	EvViolation: "violation", EvSnapshot: "snapshot", EvTimers: "timers", EvMark: "mark",
	EvTransfer: "transfer", EvChange: "change",
}

func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Event is one entry of the trace. Which fields matter depends on Kind;
// the JSON form (see AppendJSON) leaves out the rest.
type Event struct {
	Seq  uint64 // position in the trace, from 1
	Time int64  // virtual ms
	Kind Kind
	Peer raft.ID

	MsgID  uint64        // send, deliver, drop, reject
	Msg    *raft.Message // send, deliver, drop, reject (shared, read-only)
	Arrive int64         // send
	Dup    bool          // send: a copy made by the network, not by the peer

	Role    raft.Role    // role
	Term    uint64       // role, term, vote, leader, restart
	Vote    raft.ID      // vote, restart
	Leader  raft.ID      // leader
	Index   uint64       // append, truncate, commit, apply, restart
	Entries []raft.Entry // append (shared, read-only); apply: the one entry
	Reply   string       // apply

	Req     uint64 // request, reply
	Client  string // request, reply
	Op      string // request, reply: lock, unlock, read
	Outcome string // reply: ok, error, redirect, timeout, crashed, or what a read saw
	Skipped bool   // apply: a session duplicate the state machine did not run

	Installed bool // snapshot: taken from the leader rather than made here
	Size      int  // snapshot: bytes of state machine data
	// SnapshotIndex is, for crash and restart, the last index the peer's
	// snapshot covers (0: it has none).
	SnapshotIndex uint64

	Reason    string     // drop, reject, violation; timeout: TimeoutUser if timed out by hand; role: StepDownQuorum, StepDownHandover, StepDownRemoved
	Action    *Action    // network, timers, mark
	Violation *Violation // violation: the property and what it involves
}

// Outcomes of client requests, besides what a read returns.
const (
	OutcomeOK       = "ok"
	OutcomeError    = "error"
	OutcomeRedirect = "redirect" // the peer knew no leader to forward to
	OutcomeTimeout  = "timeout"  // no reply in time: the write may or may not happen
	OutcomeCrashed  = "crashed"  // the peer crashed first: the write may or may not happen
	OutcomeDown     = "down"     // the peer was down: nothing was sent
	OutcomeFailed   = "failed"   // the peer refused the request: Reason says why
)

// Reasons a message is dropped.
const (
	DropLoss      = "loss"      // the network lost it
	DropPartition = "partition" // its link is cut
	DropDown      = "down"      // its destination is crashed
	DropUser      = "user"      // a user dropped it
)

// TimeoutUser is the reason of a timeout a user caused ("time out now").
const TimeoutUser = "user"

// StepDownQuorum is the reason of a leader's step to follower in its own
// term when it heard from no majority for an election timeout (CheckQuorum).
const StepDownQuorum = "checkquorum"

// StepDownHandover and StepDownRemoved are the reasons of a removed
// leader's step down: it handed leadership over, or found no voter to hand
// it to in time.
const (
	StepDownHandover = "handover"
	StepDownRemoved  = "removed"
)

// TransferGaveUp is the reason of a transfer the leader gave up: the target
// did not take over within an election timeout.
const TransferGaveUp = "gave-up"
