package raft

import (
	"strconv"
	"strings"
)

// Rules a peer can be told to break, for teaching and tests only.
//
// Each Rule names one rule of the paper (Figure 2 and sections 5 to 8) and
// is switched in exactly one place in this package: grep for its constant.
// A peer that breaks a rule loses the guarantee the rule is there for, and
// a checker (raft/sim) shows which. Nothing breaks a rule unless its Config
// says so through Break: the zero Config, DefaultConfig and PeerConfig
// break none.

// Rule names one rule of the paper a peer can break on purpose.
type Rule uint8

const (
	// VoteAnyLog: grant a vote without checking that the candidate's log
	// is at least as up-to-date as ours (section 5.4.1). Switched in
	// handleVote (election.go).
	VoteAnyLog Rule = iota + 1
	// CommitOldTerms: commit an entry of an earlier term as soon as a
	// majority holds it, the mistake Figure 8 shows (section 5.4.2).
	// Switched in maybeCommit (replication.go).
	CommitOldTerms
	// ForgetVote: restart without the vote cast in the current term, as
	// if votedFor were not persistent state (Figure 2). Switched in NewNode.
	ForgetVote
	// ForgetTerm: restart in the term of the last log entry, as if
	// currentTerm were not persistent state (Figure 2); the vote, which
	// belongs to the term, goes with it. Switched in NewNode.
	ForgetTerm
	// AppendUnchecked: take an AppendEntries whose previous entry is in the
	// log with another term, skipping the consistency check (Figure 2,
	// AppendEntries receiver rule 2). Switched in handleAppend
	// (replication.go).
	AppendUnchecked
	// TruncateOnAppend: on every AppendEntries with entries, delete the log
	// after its previous entry and write the entries again, even when
	// nothing conflicts: a late or duplicated AppendEntries then erases
	// entries the follower has acknowledged (Figure 2, receiver rule 3
	// deletes only from a conflict). Switched in handleAppend.
	TruncateOnAppend
	// ReadLocal: answer a read at once from the local state machine,
	// without ReadIndex's check that the leader still leads and without
	// waiting for its commit index (section 8). Switched in ReadIndex
	// (readindex.go).
	ReadLocal
	// ApplyRetries: apply every committed command, a client's retry
	// included, without the session table (section 8: "If it receives a
	// command whose serial number has already been executed, it responds
	// immediately without re-executing the request"). Switched in
	// Peer.apply (peer.go).
	ApplyRetries
	// LeaderIgnoresTerm: a leader that sees a higher term takes it but goes
	// on leading instead of converting to follower (Figure 2, "Rules for
	// Servers", all servers). Switched in Step (node.go).
	LeaderIgnoresTerm

	numRules = iota + 1 // one more than the last rule
)

var ruleNames = [numRules]string{
	VoteAnyLog:        "vote-any-log",
	CommitOldTerms:    "commit-old-terms",
	ForgetVote:        "forget-vote",
	ForgetTerm:        "forget-term",
	AppendUnchecked:   "append-unchecked",
	TruncateOnAppend:  "truncate-on-append",
	ReadLocal:         "read-local",
	ApplyRetries:      "apply-retries",
	LeaderIgnoresTerm: "leader-ignores-term",
}

var ruleSummaries = [numRules]string{
	VoteAnyLog:        "vote for a candidate whatever its log (skip the up-to-date check, section 5.4.1)",
	CommitOldTerms:    "commit an entry of an earlier term by counting the peers that hold it (Figure 8, section 5.4.2)",
	ForgetVote:        "forget the vote on restart (votedFor not kept on stable storage, Figure 2)",
	ForgetTerm:        "forget the term on restart: start again from the last log entry's term (currentTerm not kept, Figure 2)",
	AppendUnchecked:   "accept AppendEntries without the consistency check on prevLogIndex and prevLogTerm (Figure 2, receiver rule 2)",
	TruncateOnAppend:  "a follower cuts its log after every AppendEntries, even a late or duplicated one (Figure 2, receiver rule 3)",
	ReadLocal:         "answer a read from the local state, without ReadIndex (section 8)",
	ApplyRetries:      "apply a client's retried write again: no client sessions (section 8)",
	LeaderIgnoresTerm: "a leader that sees a higher term does not step down (Figure 2, rules for all servers)",
}

// String returns the rule's name: lowercase words joined by hyphens.
func (r Rule) String() string {
	if r.valid() {
		return ruleNames[r]
	}
	return "rule(" + strconv.Itoa(int(r)) + ")"
}

// Summary says in a line what a peer breaking the rule does.
func (r Rule) Summary() string {
	if r.valid() {
		return ruleSummaries[r]
	}
	return ""
}

func (r Rule) valid() bool { return r >= 1 && r < numRules }

// AllRules lists every rule that can be broken, in a fixed order.
func AllRules() []Rule {
	rs := make([]Rule, 0, numRules-1)
	for r := Rule(1); r < numRules; r++ {
		rs = append(rs, r)
	}
	return rs
}

// ParseRule returns the rule of that name.
func ParseRule(name string) (Rule, bool) {
	for r := Rule(1); r < numRules; r++ {
		if ruleNames[r] == name {
			return r, true
		}
	}
	return 0, false
}

// Rules is a set of rules a peer breaks. The zero value breaks none; only
// Break makes another, so no configuration breaks a rule by accident.
type Rules struct {
	bits uint32 // bit r for rule r; bit 0 marks a rule Break did not know
}

// Break returns the set of the given rules, for Config.Broken. It is for
// teaching and tests only.
func Break(rules ...Rule) Rules {
	var rs Rules
	for _, r := range rules {
		if r.valid() {
			rs.bits |= 1 << r
		} else {
			rs.bits |= 1 // NewNode refuses it
		}
	}
	return rs
}

// Has reports whether r is in the set.
func (rs Rules) Has(r Rule) bool { return r.valid() && rs.bits&(1<<r) != 0 }

// None reports whether the set is empty: every rule kept.
func (rs Rules) None() bool { return rs.bits == 0 }

// List returns the rules in the set, in the order of AllRules.
func (rs Rules) List() []Rule {
	var out []Rule
	for r := Rule(1); r < numRules; r++ {
		if rs.Has(r) {
			out = append(out, r)
		}
	}
	return out
}

// String lists the rules' names, comma-separated ("" for none).
func (rs Rules) String() string {
	names := make([]string, 0, 2)
	for _, r := range rs.List() {
		names = append(names, r.String())
	}
	return strings.Join(names, ",")
}

// breaks reports whether this node breaks rule r. Every rule is asked
// about in one place only (see Rule).
func (n *Node) breaks(r Rule) bool { return n.cfg.Broken.bits != 0 && n.cfg.Broken.Has(r) }
