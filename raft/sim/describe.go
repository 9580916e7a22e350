package sim

import (
	"strconv"
	"strings"

	"github.com/raftplay/raftplay/raft"
)

// The words for what happened: one source for raftsim's transcripts, the
// lessons and the playground's event log (the API hands the page each
// event's text), so a student reads the same sentence for the same thing
// everywhere. They only restate the trace (TRACE.md); they decide nothing.

// Describe says in plain words what an event means.
func (e *Event) Describe() string {
	p := peerName(e.Peer)
	switch e.Kind {
	case EvTimeout:
		if e.Reason == TimeoutUser {
			return p + "'s election timer was made to run out now, in term " + utoa(e.Term) + ": it stands for leader"
		}
		return p + "'s election timer ran out in term " + utoa(e.Term) + ": it stands for leader"
	case EvTransfer:
		to := peerName(e.Leader)
		switch e.Reason {
		case "":
			return p + " hands over leadership to " + to + ": it sends " + to + " what its log lacks, then tells it to stand now (TimeoutNow); it takes no writes meanwhile"
		case TransferGaveUp:
			return p + " gave up handing over to " + to + ": " + to + " did not take over within an election timeout; " + p + " takes writes again"
		}
		return p + " cannot hand over leadership to " + to + ": " + e.Reason
	case EvChange:
		return describeChange(e)
	case EvTimers:
		if e.Action != nil && e.Action.Timers == TimersAlign {
			return "election timers aligned: every waiting server times out in the same tick, votes for itself, and the vote splits"
		}
		return "election timers spread: one waiting server times out first, well before the others, and its requests for votes arrive first"
	case EvMark:
		if e.Action == nil || e.Action.Mark == nil {
			return "a stage was reached"
		}
		return e.Action.Mark.Note // the stage's name, then what it shows
	case EvTerm:
		return p + " moved to term " + utoa(e.Term)
	case EvRole:
		switch e.Role {
		case raft.Leader:
			return p + " won the election: leader of term " + utoa(e.Term)
		case raft.Candidate:
			return p + " became a candidate in term " + utoa(e.Term) + " and asks for votes"
		case raft.PreCandidate:
			return p + " became a pre-candidate: before it stands, it asks whether the others would vote for it in term " +
				utoa(e.Term+1) + "; it stays in term " + utoa(e.Term) + " (PreVote)"
		}
		switch e.Reason {
		case StepDownQuorum:
			return p + " stepped down: it heard from no majority for an election timeout, so another leader may be elected without it (CheckQuorum)"
		case StepDownHandover:
			return p + " stepped down: it is no longer a member, and told the server holding its whole log to stand for election now"
		case StepDownRemoved:
			return p + " stepped down: it is no longer a member, and no server caught up with its log within an election timeout to take over"
		}
		return p + " became a follower (term " + utoa(e.Term) + ")"
	case EvVote:
		if e.Vote == e.Peer {
			return p + " voted for itself in term " + utoa(e.Term)
		}
		return p + " voted for " + peerName(e.Vote) + " in term " + utoa(e.Term)
	case EvLeader:
		return p + " learned that " + peerName(e.Leader) + " leads term " + utoa(e.Term)
	case EvAppend:
		what := make([]string, len(e.Entries))
		for i := range e.Entries {
			what[i] = entryText(&e.Entries[i]) + " (t" + utoa(e.Entries[i].Term) + ")"
		}
		where := "index " + utoa(e.Index)
		if len(e.Entries) > 1 {
			where = "indexes " + span(e.Index, e.Index+uint64(len(e.Entries))-1)
		}
		return p + " stored " + plural(len(e.Entries), "entry", "entries") + " at " + where + ": " + strings.Join(what, ", ")
	case EvSnapshot:
		if e.Installed {
			return p + " installed the leader's snapshot of entries " + span(1, e.Index) + " (term " + utoa(e.Term) +
				"): it replaces its log up to #" + utoa(e.Index) + " and its lock state with the leader's"
		}
		return p + " compacted entries " + span(1, e.Index) + " into a snapshot (last term " + utoa(e.Term) + ", " + plural(e.Size, "byte", "bytes") +
			"): it keeps the lock's state as of #" + utoa(e.Index) + " and drops those entries from its log"
	case EvTruncate:
		return p + " deleted its entries from index " + utoa(e.Index) + " on: they conflict with the leader's log"
	case EvCommit:
		return p + " now knows entries up to index " + utoa(e.Index) + " are committed"
	case EvApply:
		s := p + " applied #" + utoa(e.Index)
		if len(e.Entries) == 1 {
			s += " " + entryText(&e.Entries[0])
		}
		if e.Reply != "" {
			s += " → " + e.Reply
		}
		switch {
		case e.Skipped && e.Reply != "":
			s += " (a retry: answered from the session table, not run twice)"
		case e.Skipped:
			s += " (a stale retry: its client already had the answer, so it was not run)"
		}
		return s
	case EvRequest:
		if e.Op == "read" {
			return "client " + e.Client + " asks " + p + " to read the lock"
		}
		return "client " + e.Client + " sends " + e.Op + " to " + p
	case EvReply:
		s := "client " + e.Client + "'s " + e.Op + " at " + p + " → " + e.Outcome
		if why := outcomeText(e.Op, e.Outcome, e.Peer, e.Reason); why != "" {
			s += " (" + why + ")"
		}
		return s
	case EvCrash:
		if e.SnapshotIndex != 0 {
			return p + " crashed: it keeps its term, vote, snapshot (entries " + span(1, e.SnapshotIndex) + ") and log; it loses its commit index and the lock state it had applied"
		}
		return p + " crashed: it keeps its term, vote and log; it loses its commit index and lock state"
	case EvRestart:
		s := p + " restarted from disk: term " + utoa(e.Term) + ", voted for " + peerName(e.Vote) + ", "
		if e.SnapshotIndex != 0 {
			s += "the lock state from its snapshot of entries " + span(1, e.SnapshotIndex) + ", "
		}
		return s + "log up to index " + utoa(e.Index)
	case EvNetwork:
		return "network: " + describeNetwork(e.Action)
	case EvSend:
		s := route(e.Msg) + " " + messageName(e.Msg) + " sent"
		if e.Dup {
			s += " (a duplicate copy)"
		}
		return s + " (#" + utoa(e.MsgID) + ")"
	case EvDeliver:
		return route(e.Msg) + " " + messageName(e.Msg) + " arrived (#" + utoa(e.MsgID) + ")"
	case EvDrop:
		return route(e.Msg) + " " + messageName(e.Msg) + " " + dropWhy(e.Reason) + " (#" + utoa(e.MsgID) + ")"
	case EvReject:
		s := p + " refused a malformed " + e.Msg.Type.String()
		if e.Reason != "" {
			s += ": " + e.Reason
		}
		return s
	case EvViolation:
		what := "SAFETY VIOLATION"
		if e.Violation != nil {
			what = e.Violation.Property.String() + " VIOLATED"
		}
		return what + " at " + p + ": " + e.Reason
	}
	return e.Kind.String() + " at " + p
}

// peerName is a server as a student reads it: s1, s2...; nobody for none.
func peerName(id raft.ID) string {
	if id == raft.None {
		return "nobody"
	}
	return id.String()
}

// span writes "1–250" so that no line breaks inside it (a word joiner
// after the dash).
func span(a, b uint64) string { return utoa(a) + "–\u2060" + utoa(b) }

func route(m *raft.Message) string { return peerName(m.From) + " → " + peerName(m.To) }

// entryText is an entry as a student reads it in a log cell or a sentence.
func entryText(e *raft.Entry) string {
	switch e.Type {
	case raft.EntryNoop:
		return "no-op"
	case raft.EntryConfig:
		c, _ := raft.DecodeConfiguration(e.Data)
		text := "config " + names(c.Voters)
		if len(c.Learners) > 0 {
			text += " + learner " + names(c.Learners)
		}
		return text
	}
	return string(e.Data)
}

// messageName is a message's name with what makes it different at a glance.
func messageName(m *raft.Message) string {
	switch m.Type {
	case raft.MsgApp:
		if len(m.Entries) == 0 {
			return "heartbeat (AppendEntries, no entries)"
		}
		return "AppendEntries (" + plural(len(m.Entries), "entry", "entries") + ")"
	case raft.MsgVote:
		if m.Transfer {
			return "RequestVote (leadership handed over)"
		}
	case raft.MsgVoteResp:
		if m.VoteGranted {
			return "vote reply: granted"
		}
		return "vote reply: refused"
	case raft.MsgPreVote:
		return "PreVote (would you vote for me in term " + utoa(m.Term) + "?)"
	case raft.MsgPreVoteResp:
		if m.VoteGranted {
			return "pre-vote reply: yes"
		}
		return "pre-vote reply: no"
	case raft.MsgTimeoutNow:
		return "TimeoutNow (stand for leader now)"
	case raft.MsgAppResp:
		if m.Success {
			return "AppendEntries reply: ok"
		}
		return "AppendEntries reply: refused"
	case raft.MsgProp:
		return "forwarded client write"
	case raft.MsgRead:
		return "read-index request"
	case raft.MsgReadResp:
		return "read-index reply"
	case raft.MsgSnap:
		if m.Snapshot != nil {
			return "InstallSnapshot (entries " + span(1, m.Snapshot.Index) + " and the lock)"
		}
	}
	return m.Type.String()
}

func dropWhy(reason string) string {
	switch reason {
	case DropLoss:
		return "lost by the network"
	case DropPartition:
		return "blocked: the link is cut"
	case DropDown:
		return "not delivered: the receiver is down"
	case DropUser:
		return "dropped by you"
	}
	return "dropped (" + reason + ")"
}

// outcomeText explains how a client request ended.
func outcomeText(op, outcome string, peer raft.ID, reason string) string {
	p := peerName(peer)
	switch outcome {
	case OutcomeOK:
		if op == "read" {
			return ""
		}
		return "the lock said yes"
	case OutcomeError:
		return "the lock said no"
	case OutcomeRedirect:
		return p + " knew of no leader to pass it to (none elected yet, or an election under way): try again"
	case OutcomeTimeout:
		if op == "read" {
			return "no answer in time; a read changes nothing, so ask again"
		}
		return "no answer in time; it may still take effect"
	case OutcomeCrashed:
		if op == "read" {
			return p + " crashed before answering; a read changes nothing, so ask again"
		}
		return p + " crashed before answering; it may still take effect"
	case OutcomeDown:
		return p + " is down"
	case OutcomeFailed:
		if reason != "" {
			return p + " refused it: " + strings.TrimPrefix(reason, "raft: ")
		}
		return p + " refused it"
	}
	return "" // a read's answer: the state itself says it
}

// describeNetwork says what a network action did.
func describeNetwork(a *Action) string {
	if a == nil {
		return "changed"
	}
	switch a.Kind {
	case ActPartition:
		gs := make([]string, len(a.Groups))
		for i, g := range a.Groups {
			names := make([]string, len(g))
			for j, id := range g {
				names[j] = peerName(id)
			}
			gs[i] = "{" + strings.Join(names, " ") + "}"
		}
		return "split into " + strings.Join(gs, " and ")
	case ActHeal:
		return "healed: every link works again"
	case ActCut:
		return "link " + peerName(a.From) + " → " + peerName(a.To) + " cut"
	case ActRestore:
		return "link " + peerName(a.From) + " → " + peerName(a.To) + " restored"
	case ActNetwork:
		if a.Link == nil {
			return "changed"
		}
		l := a.Link
		return "links now have latency " + strconv.FormatInt(l.LatencyMinMs, 10) + "–" + strconv.FormatInt(l.LatencyMaxMs, 10) +
			" ms, loss " + pct(l.Loss) + ", duplication " + pct(l.Duplicate) + ", reordering " + pct(l.Reorder)
	}
	return a.Kind.String()
}

// Describe says in plain words what an action does.
func (a *Action) Describe() string {
	switch a.Kind {
	case ActWrite:
		return "client " + a.Client + " sends " + a.Op.String() + " to " + peerName(a.Peer)
	case ActRead:
		return "client " + a.Client + " asks " + peerName(a.Peer) + " to read the lock"
	case ActCrash:
		return peerName(a.Peer) + " crashes"
	case ActRestart:
		return peerName(a.Peer) + " restarts"
	case ActDrop:
		return "message #" + utoa(a.Msg) + " is dropped"
	case ActTimeout:
		return peerName(a.Peer) + " times out now"
	case ActTransfer:
		return "the leader hands over leadership to " + peerName(a.Peer)
	case ActAdd:
		return "the leader adds " + peerName(a.Peer) + " to the cluster"
	case ActRemove:
		return "the leader removes " + peerName(a.Peer) + " from the cluster"
	case ActMark:
		return "mark: " + a.Mark.Note
	case ActTimers:
		if a.Timers == TimersAlign {
			return "the election timers are aligned"
		}
		return "the election timers are spread"
	}
	return "network: " + describeNetwork(a)
}

func pct(p float64) string { return strconv.FormatFloat(p*100, 'f', -1, 64) + "%" }

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// names lists servers as a student reads them: s1 s2 s3.
func names(ids []raft.ID) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = peerName(id)
	}
	return strings.Join(out, " ")
}

// describeChange says what a membership change (EvChange) did.
func describeChange(e *Event) string {
	p, who := peerName(e.Peer), peerName(e.Leader)
	why := strings.TrimPrefix(e.Reason, "raft: ")
	switch {
	case e.Op == ChangeNew:
		return p + " starts, empty: it belongs to no cluster until a leader adds it, and meanwhile never stands for election"
	case why != "" && e.Op == ChangeAdd:
		return p + " cannot add " + who + ": " + why
	case why != "" && e.Leader == e.Peer:
		return p + " cannot remove itself: " + why
	case why != "":
		return p + " cannot remove " + who + ": " + why
	case e.Op == ChangeAdd:
		return p + " adds " + who + " as a learner: " + who + " receives the log but counts in no majority until it has caught up"
	case e.Op == ChangeRemove && e.Leader == e.Peer:
		return p + " removes itself: it leads on, not counting itself in majorities, until the change commits; then it hands over and steps down"
	case e.Op == ChangeRemove:
		return p + " removes " + who + ": the new configuration counts from now on, and " + who + " is sent the log until the change commits"
	case e.Op == ChangePromote:
		return who + " has caught up: " + p + " makes it a voter, and the majority now counts it"
	case e.Op == ChangeStepDown:
		return p + " is out of the cluster now that its removal is committed: it steps down and stands for election no more"
	}
	return "membership change at " + p
}
