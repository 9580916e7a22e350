package raft

import "strconv"

// The leader's view of one follower (Figure 2, "Volatile state on leaders":
// nextIndex and matchIndex), and how fast it may send to it. The paper's
// leader retries AppendEntries "indefinitely"; on a network that reorders or
// duplicates messages, answering every reply with a new AppendEntries lets
// one stale rejection breed many. So the leader keeps each follower in one
// of three states (the shape of etcd's raft, in our own words):
//
//	probe      where the logs match is not known: one AppendEntries at a
//	           time (a probe), and only the answer to that probe moves
//	           nextIndex. Heartbeats meanwhile carry no probe.
//	replicate  the logs match through matchIndex: entries stream, with at
//	           most MaxInflightAppends AppendEntries unanswered.
//	snapshot   an InstallSnapshot is on its way: nothing else is sent but
//	           heartbeats until it is answered.
//
// A probe, a snapshot or a window that no answer moves for an election
// timeout (ElectionTimeoutMin ticks) is taken as lost: the probe or the
// snapshot is sent again, the window is probed again from matchIndex. (A
// follower that waits that long for its leader starts an election, so on a
// working link answers come well before.)

// ProgressState says how a leader replicates to one follower.
type ProgressState uint8

const (
	// ProgressProbe: the leader is finding where the follower's log
	// matches its own, one AppendEntries at a time.
	ProgressProbe ProgressState = iota
	// ProgressReplicate: the logs match through MatchIndex; entries stream.
	ProgressReplicate
	// ProgressSnapshot: the follower needs entries the leader has compacted
	// away; an InstallSnapshot is on its way.
	ProgressSnapshot
)

func (s ProgressState) String() string {
	switch s {
	case ProgressProbe:
		return "probe"
	case ProgressReplicate:
		return "replicate"
	case ProgressSnapshot:
		return "snapshot"
	}
	return "progress(" + strconv.Itoa(int(s)) + ")"
}

// progress is the leader's view of one member.
//
// Invariant: match < next <= lastIndex+1; every index in inflight lies in
// (match, next).
type progress struct {
	next  uint64 // index of the next entry to send
	match uint64 // highest index known to be stored there
	state ProgressState
	// waiting: in probe or snapshot, the probe or snapshot sent is not
	// answered yet, so nothing else is sent but heartbeats. probeAt is the
	// previous entry of that probe (next-1 when the snapshot was sent): the
	// one a refusal must name to be the probe's answer.
	waiting bool
	probeAt uint64
	// since is the leader's tick when the leader last heard that the
	// follower moved on (or last sent it something to wait for): the probe
	// or snapshot went out, matchIndex rose, or the window opened.
	since    uint64
	inflight inflights
	round    uint64 // latest heartbeat round this member answered (ReadIndex)
	voter    bool   // counts in majorities (else a learner, or being removed)
	// A learner's catch-up round (confchange.go): the round ends once it
	// holds roundEnd; it began at the leader's tick roundStart.
	roundEnd, roundStart uint64
	active               bool // answered since the last check (CheckQuorum)
}

// becomeProbe looks for the match again from next.
func (pr *progress) becomeProbe(next uint64) {
	pr.state, pr.next, pr.waiting = ProgressProbe, next, false
	pr.inflight.reset()
}

// becomeReplicate streams on: the follower's log matches through match.
// Entries of the probe still in flight stay in the window.
func (pr *progress) becomeReplicate(now uint64) {
	pr.state, pr.waiting, pr.since = ProgressReplicate, false, now
	pr.next = max(pr.next, pr.match+1)
}

// retryIfOverdue sends again, from where the leader knows the logs match or
// from the probe's start, what this follower has left unanswered for retry
// ticks: the message or its answer was lost.
func (pr *progress) retryIfOverdue(now uint64, retry int) {
	if now-pr.since < uint64(retry) {
		return
	}
	switch {
	case pr.waiting:
		pr.becomeProbe(pr.probeAt + 1)
	case pr.state == ProgressReplicate && pr.inflight.count > 0:
		pr.becomeProbe(pr.match + 1)
	}
}

// acked records that the follower holds the leader's log through index, and
// reports whether that is news.
func (pr *progress) acked(index, now uint64) bool {
	if index <= pr.match {
		return false
	}
	pr.match, pr.since = index, now
	pr.inflight.freeTo(index)
	return true
}

// refusesProbe reports whether a refusal of the AppendEntries whose
// previous entry was rejected answers the probe in flight: only that answer
// moves next back. Any other refusal is a duplicate, a late answer to a
// probe already superseded, or, in replicate, news that an earlier
// AppendEntries has not arrived yet (overtaken on the way, or lost): the
// logs match through match whatever it says, so the leader waits, and
// probes again if nothing moves match for a while (retryIfOverdue).
func (pr *progress) refusesProbe(rejected uint64) bool {
	return pr.state == ProgressProbe && pr.waiting && rejected == pr.probeAt && rejected > pr.match
}

// inflights is the window of AppendEntries in flight to one follower in
// replicate: the last index each one carried, oldest first, in a ring that
// grows (up to the window's size) only when it is full, so a steady stream
// allocates nothing.
type inflights struct {
	last  []uint64
	start int // position of the oldest
	count int
}

func (w *inflights) full(limit int) bool { return w.count >= limit }

// add records an AppendEntries carrying entries through index last.
func (w *inflights) add(last uint64) {
	if w.count == len(w.last) {
		grown := make([]uint64, max(4, 2*len(w.last)))
		for i := range w.count {
			grown[i] = w.last[(w.start+i)%len(w.last)]
		}
		w.last, w.start = grown, 0
	}
	w.last[(w.start+w.count)%len(w.last)] = last
	w.count++
}

// freeTo forgets the messages whose entries the follower now holds.
func (w *inflights) freeTo(index uint64) {
	for w.count > 0 && w.last[w.start] <= index {
		w.start = (w.start + 1) % len(w.last)
		w.count--
	}
}

func (w *inflights) reset() { w.start, w.count = 0, 0 }
