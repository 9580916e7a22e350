package raft

// PreVote (dissertation section 9.6, Config.PreVote). A peer whose election
// timer runs out first asks the others whether they would vote for it in
// the next term, without moving to that term; it stands only if a
// majority would. A peer cut off from the others so never raises its
// term: when it comes back, it cannot depose a leader with a term it
// made up alone, and it follows that leader at the next heartbeat.

// becomePreCandidate asks for pre-votes. It forgets the leader it knew: a
// peer that stands has stopped hearing from it, and must not go on
// ignoring other pre-candidates as if it still did (with CheckQuorum, two
// followers of a leader that is gone would each ignore the other's
// request for ever: etcd-io/etcd issues 9586 and 10355).
func (n *Node) becomePreCandidate() {
	if n.role == Leader {
		panic("raft: a leader cannot become a pre-candidate") // no input leads here
	}
	n.role = PreCandidate
	n.leader = None
	n.forgetHeld()
	n.tickRole = n.tickElection
	n.stepRole = n.stepPreCandidate
	n.resetElectionTimer()
	if n.startCount() {
		n.becomeCandidate(false) // a cluster of one
		return
	}
	for _, id := range n.config.Voters {
		if id != n.id {
			n.send(Message{Type: MsgPreVote, To: id, Term: n.term + 1, LastLogIndex: n.log.lastIndex(), LastLogTerm: n.log.lastTerm()})
		}
	}
}

// handlePreVote answers a pre-vote: granted if the asker's log is at least
// as up-to-date as ours (section 5.4.1) and we have not heard from a
// leader for an election timeout, or, in a term we are already in, if we
// could still vote for the asker in it. A pre-vote changes nothing here:
// no term, no vote, no timer.
func (n *Node) handlePreVote(m *Message) {
	upToDate := n.breaks(VoteAnyLog) || n.log.isUpToDate(m.LastLogIndex, m.LastLogTerm)
	var free bool
	if m.Term > n.term {
		free = n.role != Leader && !n.heardFromLeader()
	} else { // a pre-vote for the term we are in
		free = (n.vote == None || n.vote == m.From) && n.leader == None
	}
	resp := Message{Type: MsgPreVoteResp, To: m.From, VoteGranted: free && upToDate}
	if resp.VoteGranted {
		resp.Term = m.Term // granted in the term asked about
	}
	n.send(resp)
}

// heardFromLeader reports whether a follower has heard from its leader
// within the minimum election timeout.
func (n *Node) heardFromLeader() bool {
	return n.leader != None && n.electionElapsed < n.cfg.ElectionTimeoutMin
}

func (n *Node) stepPreCandidate(m Message) error {
	switch m.Type {
	case MsgVote:
		n.handleVote(&m)
	case MsgPreVote:
		n.handlePreVote(&m)
	case MsgApp:
		// A leader of our term (or a later one) is alive: follow it.
		n.becomeFollower(m.Term, m.From)
		n.handleAppend(&m)
	case MsgSnap:
		n.becomeFollower(m.Term, m.From)
		n.handleSnapshot(&m)
	case MsgPreVoteResp:
		if m.VoteGranted && m.Term != n.term+1 {
			return nil // granted for another round of ours, since over
		}
		switch won, lost := n.countVote(&m); {
		case won:
			n.becomeCandidate(false)
		case lost:
			n.becomeFollower(n.term, None)
		}
	}
	return nil
}
