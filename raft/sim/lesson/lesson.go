// Package lesson plays guided lessons on the simulator: a run (its
// configuration and seed) and a list of steps, each a caption, actions at
// its start, and how far to play (until something happens, within a bound
// of virtual time). A step may ask a multiple-choice question whose right
// answer the lesson does not say: each option names an outcome, and the
// simulator's run decides which one happened.
//
// Play checks a lesson and plays it once: every condition must be reached
// within its bound, every question must have exactly one option that
// happens, every server, message and log entry a caption names must be on
// screen. It returns an Outline: for each step, the instant it starts and
// ends and how many of the run's actions precede its end, so that the run
// at any step is a prefix of one definition, replayed to an instant.
//
// docs/LESSONS.md is the format for course staff; the JSON form is read by
// the playground's API (wasm/api), which plays lessons in the page too.
package lesson

import (
	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/sim"
)

// Limits on a lesson, so that one from a file or a URL stays small.
const (
	MaxSteps    = 30
	MaxOptions  = 6
	MaxCaption  = 400 // bytes; LESSONS.md asks for far fewer
	MaxText     = 400 // bytes of a question, an option or its why
	MaxDo       = 20  // actions at the start of one step
	MaxWithinMs = 60_000
	MaxDropped  = 1000 // messages the drop rules of one step may drop
	// DefaultWithinMs bounds a step's Until when the lesson gives no bound.
	DefaultWithinMs = 5000
)

// Lesson is a guided walk through one run.
type Lesson struct {
	Name    string // a short name for URLs: lowercase letters, digits, '-'
	Title   string
	Summary string
	// Run is the configuration and seed; its actions come from the steps.
	Run   sim.Definition
	Steps []Step
}

// Step is one stop of a lesson: what the student reads, what is done to
// the run at its start, and how far the run then plays.
type Step struct {
	Caption string
	// From, if not 0, is an earlier step (1-based): this step starts where
	// that one ended, as another future of the run from there (Figure 8's
	// (d) and (e)). The steps after it follow it.
	From int
	// Do holds the actions applied at the step's start, in order (their
	// At is the step's start, whatever it says).
	Do []sim.Action
	// Drop names messages dropped by hand as soon as they are sent while
	// the step plays (and any in flight at its start), as a teacher drops
	// them in the page: each becomes a drop action of the run.
	Drop []Msg
	// Until ends the step when it happens, within WithinMs of virtual
	// time (DefaultWithinMs if 0). Or ForMs plays a fixed time. Or, with
	// neither, the step does not play: its caption is about its start.
	Until    *Cond
	WithinMs int64
	ForMs    int64
	Question *Question
}

// Question is asked before the step plays. Its answer is the one option
// whose condition holds once the step has played.
type Question struct {
	Ask     string
	Options []Option
}

// Option is one answer: its text, the outcome that makes it right, and
// why (shown once the run has shown which option happened).
type Option struct {
	Text string
	If   Cond
	Why  string
}

// CondKind names a condition: something that happens in the run.
type CondKind uint8

const (
	Elected     CondKind = iota + 1 // a server becomes leader (Peer, Term)
	Committed                       // a leader commits entry Index; with Peer: Peer learns it is committed
	Applied                         // Peer (any, if 0) applies entry Index
	Answered                        // Client's request (Op) is answered (Outcome)
	Delivered                       // a message (Msg) reaches its destination
	Sent                            // a message (Msg) is sent
	Became                          // Peer becomes Role
	Voted                           // Peer votes for For (in Term)
	Truncated                       // Peer deletes entries that conflict with the leader's
	Snapshotted                     // Peer compacts its log; with Installed: takes the leader's snapshot
	TimedOut                        // Peer's election timer fires
	Crashed                         // Peer crashes
	Not                             // Of[0] does not happen in the step
	All                             // every one of Of happens
	Any                             // one of Of happens
)

var condNames = [...]string{
	Elected: "elected", Committed: "committed", Applied: "applied", Answered: "answered",
	Delivered: "delivered", Sent: "sent", Became: "became", Voted: "voted",
	Truncated: "truncated", Snapshotted: "snapshot", TimedOut: "timedOut", Crashed: "crashed",
	Not: "not", All: "all", Any: "any",
}

func (k CondKind) String() string {
	if int(k) < len(condNames) && condNames[k] != "" {
		return condNames[k]
	}
	return "condition"
}

// ParseCondKind is the inverse of CondKind.String.
func ParseCondKind(s string) (CondKind, bool) {
	for k, n := range condNames {
		if n != "" && n == s {
			return CondKind(k), true
		}
	}
	return 0, false
}

// CondKinds lists the names of every condition, in the order LESSONS.md
// gives them.
func CondKinds() []string {
	out := make([]string, 0, len(condNames))
	for _, n := range condNames {
		if n != "" {
			out = append(out, n)
		}
	}
	return out
}

// Cond is something that happens in the run. Fields left zero match
// anything.
type Cond struct {
	Kind      CondKind
	Peer      raft.ID
	Term      uint64
	Index     uint64
	Client    string
	Op        string // answered: lock, unlock, read
	Outcome   string // answered: ok, error, timeout, ... or what a read saw
	Role      raft.Role
	For       raft.ID // voted
	Installed bool    // snapshot
	Skipped   bool    // applied: only a retry the client sessions answered without running it
	Msg       Msg     // delivered, sent
	Of        []Cond  // not (one), all, any
}

// Msg describes messages: of a type (as TRACE.md names them, or
// "heartbeat": an AppendEntries with no entries), from and to some servers.
type Msg struct {
	Type    string
	From    []raft.ID // any, if empty
	To      []raft.ID
	Entries bool   // AppendEntries: only those carrying entries
	OK      *bool  // replies: only granted votes / successful appends (true), or refusals (false)
	Term    uint64 // only those carrying an entry of this term
	// Fits: only AppendEntries whose entries fit the destination's log (it
	// holds the entry just before them), so that it would take them: a
	// drop rule that lets the refusals through, so the leader learns
	// where their logs differ.
	Fits bool
}

// MsgTypes are the message types a lesson may name, as the trace names them.
var MsgTypes = []string{
	"RequestVote", "RequestVoteReply", "AppendEntries", "AppendEntriesReply",
	"ForwardWrite", "ReadIndex", "ReadIndexReply", "InstallSnapshot", "heartbeat",
}
