package sim

import (
	"strconv"
	"strings"

	"github.com/raftplay/raftplay/raft"
)

// Describe says in plain words what an event means, for transcripts.
func (e *Event) Describe() string {
	p := e.Peer.String()
	switch e.Kind {
	case EvSend:
		s := p + " sends " + describeMsg(e.Msg) + " (#" + utoa(e.MsgID) + ")"
		if e.Dup {
			s = "the network duplicates " + describeMsg(e.Msg) + " (#" + utoa(e.MsgID) + ")"
		}
		return s
	case EvDeliver:
		return p + " receives " + e.Msg.Type.String() + " from " + e.Msg.From.String() + " (#" + utoa(e.MsgID) + ")"
	case EvDrop:
		return e.Msg.Type.String() + " " + e.Msg.From.String() + " -> " + e.Msg.To.String() + " (#" + utoa(e.MsgID) + ") is lost: " + dropReason(e.Reason)
	case EvReject:
		return p + " refuses a malformed " + e.Msg.Type.String() + ": " + e.Reason
	case EvTimeout:
		if e.Reason == TimeoutUser {
			return p + "'s election timer is made to run out now: it starts an election"
		}
		return p + " hears from no leader before its election timeout and starts an election"
	case EvTerm:
		return p + " moves to term " + utoa(e.Term)
	case EvRole:
		return p + " becomes " + e.Role.String() + " in term " + utoa(e.Term)
	case EvVote:
		if e.Vote == e.Peer {
			return p + " votes for itself in term " + utoa(e.Term)
		}
		return p + " votes for " + e.Vote.String() + " in term " + utoa(e.Term)
	case EvLeader:
		return p + " learns that " + e.Leader.String() + " leads term " + utoa(e.Term)
	case EvAppend:
		last := e.Index + uint64(len(e.Entries)) - 1
		if len(e.Entries) == 1 {
			return p + " appends entry " + utoa(e.Index) + " " + describeEntry(&e.Entries[0])
		}
		return p + " appends entries " + utoa(e.Index) + "-" + utoa(last)
	case EvTruncate:
		return p + " deletes its entries from index " + utoa(e.Index) + " on: they conflict with the leader's log"
	case EvCommit:
		return p + " commits up to index " + utoa(e.Index)
	case EvApply:
		s := p + " applies entry " + utoa(e.Index)
		if len(e.Entries) == 1 {
			s += " " + describeEntry(&e.Entries[0])
		}
		switch {
		case e.Skipped && e.Reply != "":
			s += ": a retry, answered " + e.Reply + " again without running it"
		case e.Skipped:
			s += ": a stale retry, ignored"
		case e.Reply != "":
			s += " -> " + e.Reply
		}
		return s
	case EvRequest:
		if e.Op == "read" {
			return "client " + e.Client + " reads the lock at " + p
		}
		return "client " + e.Client + " sends \"" + e.Op + " " + e.Client + "\" to " + p
	case EvReply:
		s := "client " + e.Client + "'s " + e.Op + " at " + p + " -> " + e.Outcome
		if e.Reason != "" {
			s += " (" + e.Reason + ")"
		}
		return s
	case EvCrash:
		return p + " crashes: only its term, vote, snapshot and log survive"
	case EvRestart:
		return p + " restarts in term " + utoa(e.Term) + " with " + utoa(e.Index) + " log entries"
	case EvNetwork, EvTimers:
		return describeAction(e.Action)
	case EvMark:
		return e.Action.Mark.Note
	case EvSnapshot:
		if e.Installed {
			return p + " installs the leader's snapshot of entries 1-" + utoa(e.Index) + " (term " + utoa(e.Term) + "): its state machine starts from there"
		}
		return p + " compacts entries 1-" + utoa(e.Index) + " into a snapshot of its state machine (" + itoa(e.Size) + " bytes)"
	case EvViolation:
		return "SAFETY VIOLATION at " + p + ": " + e.Reason
	}
	return e.Kind.String()
}

func dropReason(r string) string {
	switch r {
	case DropLoss:
		return "the network lost it"
	case DropPartition:
		return "the link is cut"
	case DropDown:
		return "its destination is down"
	case DropUser:
		return "dropped by hand"
	}
	return r
}

func describeMsg(m *raft.Message) string {
	to := " to " + m.To.String()
	t := " (term " + utoa(m.Term) + ")"
	switch m.Type {
	case raft.MsgVote:
		return "RequestVote" + to + t
	case raft.MsgVoteResp:
		if m.VoteGranted {
			return "a granted vote" + to + t
		}
		return "a refused vote" + to + t
	case raft.MsgApp:
		if len(m.Entries) == 0 {
			return "a heartbeat" + to + t
		}
		return "AppendEntries with " + plural(len(m.Entries), "entry", "entries") + to + t
	case raft.MsgAppResp:
		if m.Success {
			return "AppendEntries success (match " + utoa(m.MatchIndex) + ")" + to + t
		}
		return "AppendEntries failure (conflict at " + utoa(m.ConflictIndex) + ")" + to + t
	case raft.MsgProp:
		if len(m.Entries) == 1 {
			return "the write \"" + string(m.Entries[0].Data) + "\"" + to + ", its leader"
		}
	case raft.MsgRead:
		return "a ReadIndex request" + to + ", its leader"
	case raft.MsgReadResp:
		return "read index " + utoa(m.ReadIndex) + to
	case raft.MsgSnap:
		if m.Snapshot != nil {
			return "InstallSnapshot (entries 1-" + utoa(m.Snapshot.Index) + ")" + to + t
		}
	}
	return m.Type.String() + to
}

func describeEntry(e *raft.Entry) string {
	switch e.Type {
	case raft.EntryCommand:
		return "\"" + string(e.Data) + "\" (term " + utoa(e.Term) + ")"
	case raft.EntryConfig:
		ms, _ := raft.DecodeMembers(e.Data)
		names := make([]string, len(ms))
		for i, id := range ms {
			names[i] = id.String()
		}
		return "config [" + strings.Join(names, " ") + "] (term " + utoa(e.Term) + ")"
	}
	return e.Type.String() + " (term " + utoa(e.Term) + ")"
}

// Describe says in plain words what an action does.
func (a *Action) Describe() string {
	switch a.Kind {
	case ActWrite:
		return "client " + a.Client + " sends \"" + a.Op.String() + " " + a.Client + "\" to " + a.Peer.String()
	case ActRead:
		return "client " + a.Client + " reads the lock at " + a.Peer.String()
	case ActCrash:
		return a.Peer.String() + " crashes"
	case ActRestart:
		return a.Peer.String() + " restarts"
	case ActDrop:
		return "message #" + utoa(a.Msg) + " is dropped"
	case ActTimeout:
		return a.Peer.String() + " times out now"
	case ActMark:
		return "mark: " + a.Mark.Note
	}
	return describeAction(a)
}

func describeAction(a *Action) string {
	switch a.Kind {
	case ActPartition:
		var gs []string
		for _, g := range a.Groups {
			names := make([]string, len(g))
			for i, id := range g {
				names[i] = id.String()
			}
			gs = append(gs, "{"+strings.Join(names, " ")+"}")
		}
		return "the network splits into " + strings.Join(gs, " ")
	case ActHeal:
		return "the network heals"
	case ActCut:
		return "the link " + a.From.String() + " -> " + a.To.String() + " is cut"
	case ActRestore:
		return "the link " + a.From.String() + " -> " + a.To.String() + " is restored"
	case ActTimers:
		if a.Timers == TimersAlign {
			return "the election timers are aligned: every waiting server times out in the same tick, so each votes for itself and the vote likely splits"
		}
		return "the election timers are spread: each waiting server times out at least one network delay after the one before, so the first candidate's requests for votes arrive first"
	case ActNetwork:
		l := *a.Link
		return "the network now has " + strconv.FormatInt(l.LatencyMinMs, 10) + "-" + strconv.FormatInt(l.LatencyMaxMs, 10) +
			" ms latency, " + pct(l.Loss) + " loss, " + pct(l.Duplicate) + " duplication, " + pct(l.Reorder) + " reordering"
	}
	return a.Kind.String()
}

func pct(p float64) string { return strconv.FormatFloat(p*100, 'f', -1, 64) + "%" }

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
