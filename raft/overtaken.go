package raft

import "slices"

// AppendEntries that overtook an earlier one. Once a follower has taken
// entries from its leader in this term, the leader knows where their logs
// agree and streams entries, several messages in flight (progress.go). On
// a network that reorders, one of them can arrive before the one it
// follows; refusing it would make the leader send its entries again. So
// the follower keeps it (at most MaxInflightAppends of them), as TCP keeps
// a segment that came early, and handles it once the entries before it are
// in, just as if the network had delivered it then. A probe never waits:
// until the follower has taken entries this term, every AppendEntries is
// answered at once, so the leader can search for the match. (A heartbeat
// carries no entries, so it never starts the holding: the leader sends one
// wherever it knows the logs agree, even while probing. Once the follower
// has taken entries, the leader only ever probes again from an index the
// follower holds.)

// holdOvertaken keeps m if it is a streamed AppendEntries that arrived
// before the entries it follows, and reports whether it did.
//
// A copy of a kept message in a later heartbeat round is not kept: the
// leader sent it again, so it waits for an answer, and the entries before
// it may never come (it lost track of where our logs agree: it removed
// this server and added it back in this term). Refused, it probes. A
// copy the network made carries the same round, and is kept.
func (n *Node) holdOvertaken(m *Message) bool {
	if !n.streaming || m.PrevLogIndex <= n.log.lastIndex() || len(n.held) >= n.cfg.MaxInflightAppends {
		return false
	}
	for i := range n.held {
		if n.held[i].PrevLogIndex == m.PrevLogIndex && n.held[i].Round != m.Round {
			return false
		}
	}
	n.held = append(n.held, *m)
	return true
}

// releaseHeld handles, lowest first, the kept messages whose previous entry
// the log now reaches.
func (n *Node) releaseHeld() {
	for len(n.held) > 0 {
		j := -1
		for k := range n.held {
			if p := n.held[k].PrevLogIndex; p <= n.log.lastIndex() && (j < 0 || p < n.held[j].PrevLogIndex) {
				j = k
			}
		}
		if j < 0 {
			return
		}
		m := n.held[j]
		n.held = slices.Delete(n.held, j, j+1)
		if n.checkAppend(&m) == nil { // the log may have changed since it came
			n.handleAppend(&m)
		}
	}
}

// forgetHeld drops the kept messages: the term or the leader changed.
func (n *Node) forgetHeld() {
	clear(n.held)
	n.held = n.held[:0]
	n.matched, n.streaming = 0, false
}
