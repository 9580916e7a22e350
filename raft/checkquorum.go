package raft

// CheckQuorum (dissertation sections 6.2 and 4.2.3, Config.CheckQuorum).
// A leader counts which followers it has heard from; when an election
// timeout passes without a majority among them, it steps down: it is cut
// off, and a newer leader may already lead the others. And while a peer
// hears from a leader (and a leader from a majority), it is in a lease:
// it ignores requests for votes, so a peer that was cut off, or removed
// from the cluster, cannot depose the leader with a higher term.

// inLease reports whether requests for votes are ignored now.
func (n *Node) inLease() bool {
	if !n.cfg.CheckQuorum {
		return false
	}
	return n.role == Leader || n.heardFromLeader()
}

// checkQuorum runs on the leader once per election timeout: it steps down
// if it has not heard from a majority since the last check.
func (n *Node) checkQuorum() {
	n.electionElapsed++
	if n.electionElapsed < n.cfg.ElectionTimeoutMin {
		return
	}
	n.electionElapsed = 0
	heard := 0
	for i, id := range n.members {
		if n.progress[i].voter && (id == n.id || n.progress[i].active) {
			heard++
		}
		n.progress[i].active = false
	}
	if heard < n.quorum() {
		n.stepDown(StepDownQuorum)
	}
}
