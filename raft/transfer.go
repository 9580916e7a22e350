package raft

import "errors"

// Leadership transfer (dissertation section 3.10). The leader brings the
// target's log up to date, then tells it to time out at once
// (MsgTimeoutNow): the target stands in the next term and, its log as
// up-to-date as any, wins, usually before anyone else's timer runs out.
// Meanwhile the leader takes no new writes, so the target can catch up.
// If the target has not taken over within an election timeout (it is
// down, or cut off), the leader gives up and takes writes again.

// ErrTransferring refuses a write at a leader that is handing over
// leadership: the write will be taken by the new leader, shortly.
var ErrTransferring = errors.New("raft: this leader is handing over leadership; send the write again shortly, to the new leader")

// TransferLeadership hands over leadership to the voter to: at once if its
// log is up to date, else once it has caught up. It refuses on a peer that
// does not lead (a *NotLeaderError) and for a peer that is not a voter of
// the configuration. Asking again for the same target changes nothing;
// asking for another starts over with it. Transferring to the leader
// itself ends a transfer under way.
func (n *Node) TransferLeadership(to ID) error {
	switch {
	case n.role != Leader:
		return n.notLeader()
	case to == n.id:
		n.transferee = None
		return nil
	case n.voterIndex(to) < 0:
		return errorOf("raft: cannot hand over leadership to ", to, ", which is not a voter of the cluster ", idList(n.config.Voters))
	case to == n.transferee:
		return nil
	}
	n.transferee, n.transferElapsed = to, 0
	i := n.memberIndex(to)
	if pr := &n.progress[i]; pr.state == ProgressReplicate && pr.match < n.log.lastIndex() {
		// Send what it lacks now, from where it is known to be, rather than
		// wait for what is in flight: some of it may be lost.
		pr.becomeProbe(pr.match + 1)
	}
	n.sendTimeoutNowIfCaughtUp(i)
	n.sendAtReady = true // what the target lacks goes with the next Ready
	return nil
}

// Transferee returns the peer this leader is handing over leadership to,
// or None.
func (n *Node) Transferee() ID { return n.transferee }

// sendTimeoutNowIfCaughtUp tells member i to stand now if it is the
// transfer's target and holds the leader's whole log.
func (n *Node) sendTimeoutNowIfCaughtUp(i int) {
	if n.transferee == None || n.members[i] != n.transferee || n.progress[i].match != n.log.lastIndex() {
		return
	}
	n.send(Message{Type: MsgTimeoutNow, To: n.transferee})
}

// tickTransfer gives up a transfer an election timeout old.
func (n *Node) tickTransfer() {
	if n.transferee == None {
		return
	}
	n.transferElapsed++
	if n.transferElapsed >= n.cfg.ElectionTimeoutMin {
		n.transferee = None
		n.stepDownIfRemoved()
	}
}

// handleTimeoutNow makes a follower stand at once, at its leader's word,
// without a pre-vote: it knows the leader is giving way.
func (n *Node) handleTimeoutNow(m *Message) {
	if m.From != n.leader || !n.isVoter() {
		return
	}
	n.campaigns++
	n.becomeCandidate(true)
}
