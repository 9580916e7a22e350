package raft

// Leader election (section 5.2, Figure 2 "Rules for Servers" and the
// RequestVote RPC).

// voteState is what a candidate heard from one member.
type voteState uint8

const (
	voteUnknown voteState = iota
	voteGranted
	voteDenied
)

// becomeFollower steps down to follower in term, following leader (None if
// not yet known).
func (n *Node) becomeFollower(term uint64, leader ID) {
	if n.role == Leader {
		n.stepDowns++
		n.stepDownWhy = StepDownHigherTerm // stepDown says otherwise
	}
	n.setTerm(term)
	n.role = Follower
	n.setLeader(leader)
	n.tickRole = n.tickElection
	n.stepRole = n.stepFollower
	n.votes, n.progress, n.reads, n.proposed = nil, nil, nil, nil
	n.transferee = None
	n.forgetHeld()
	n.resetElectionTimer()
}

// stepDown makes a leader a follower in its own term, for why.
func (n *Node) stepDown(why StepDown) {
	n.becomeFollower(n.term, None)
	n.stepDownWhy = why
}

// setLeader records who leads the current term (None: not known yet).
func (n *Node) setLeader(id ID) {
	n.leader = id
	if id != None {
		n.lastLeader = id
	}
}

// becomeCandidate starts an election: "increment currentTerm, vote for self,
// reset election timer, send RequestVote RPCs to all other servers".
// transfer says the leader handed over leadership (MsgTimeoutNow).
func (n *Node) becomeCandidate(transfer bool) {
	if n.role == Leader {
		panic("raft: a leader cannot become a candidate") // no input leads here
	}
	n.setTerm(n.term + 1)
	n.vote = n.id
	n.stateChanged = true
	n.role = Candidate
	n.leader = None
	n.forgetHeld()
	n.tickRole = n.tickElection
	n.stepRole = n.stepCandidate
	n.resetElectionTimer()
	if n.startCount() {
		n.becomeLeader() // a cluster of one
		return
	}
	for _, id := range n.config.Voters {
		if id != n.id {
			n.send(Message{Type: MsgVote, To: id, LastLogIndex: n.log.lastIndex(), LastLogTerm: n.log.lastTerm(), Transfer: transfer})
		}
	}
}

// startCount starts counting votes (or pre-votes) with our own, and
// reports whether that alone is a majority.
func (n *Node) startCount() bool {
	n.votes = make([]voteState, len(n.config.Voters))
	if i := n.voterIndex(n.id); i >= 0 {
		n.votes[i] = voteGranted
	}
	return n.countVotes(voteGranted) >= n.quorum()
}

// countVote records a member's answer and reports whether the election is
// decided: won (a majority granted) or lost (a majority denied).
func (n *Node) countVote(m *Message) (won, lost bool) {
	i := n.voterIndex(m.From)
	if i < 0 || i >= len(n.votes) || n.votes[i] != voteUnknown {
		return false, false // not a voter, or a duplicate
	}
	n.votes[i] = voteDenied
	if m.VoteGranted {
		n.votes[i] = voteGranted
	}
	q := n.quorum()
	return n.countVotes(voteGranted) >= q, n.countVotes(voteDenied) >= q
}

// becomeLeader takes office: every follower's nextIndex starts just past the
// leader's log, and a noop entry of the new term is appended so that entries
// of earlier terms can be committed with it (section 5.4.2, and section 6.4 of
// the dissertation for reads).
func (n *Node) becomeLeader() {
	if n.role != Candidate {
		panic("raft: only a candidate can become leader") // no input leads here
	}
	n.role = Leader
	n.setLeader(n.id)
	n.tickRole = n.tickHeartbeat
	n.stepRole = n.stepLeader
	n.votes = nil
	n.heartbeatElapsed, n.electionElapsed = 0, 0
	n.proposed = make(map[sessionKey]uint64)
	n.progress = nil
	n.layout() // every server's progress starts afresh
	n.termStart = n.log.lastIndex() + 1
	n.appendEntry(Entry{Type: EntryNoop})
	n.broadcastAppend()
}

// Campaign starts an election now instead of waiting for the timeout. It does
// nothing on a leader or on a peer outside its own configuration.
func (n *Node) Campaign() {
	if n.role != Leader && n.isVoter() {
		n.stand()
	}
}

// stand starts this node's campaign: its election timer ran out, or it was
// told to. With PreVote it first asks whether it would win.
func (n *Node) stand() {
	n.campaigns++
	if n.cfg.PreVote {
		n.becomePreCandidate()
		return
	}
	n.becomeCandidate(false)
}

// SetElectionTimer makes the election timer fire after ticks more ticks (at
// least one) instead of when its random timeout runs out; the next reset
// draws a random timeout again. It is a teacher's tool: align peers' timers
// to force a split vote, or spread them to avoid one. It does nothing on a
// leader (which has no election timer) or on a peer outside its own
// configuration.
func (n *Node) SetElectionTimer(ticks int) {
	if n.role == Leader || !n.isVoter() {
		return
	}
	n.electionTimeout = n.electionElapsed + max(ticks, 1)
}

// tickElection counts down to the election timeout: "if election timeout
// elapses without receiving AppendEntries RPC from current leader or granting
// vote to candidate: convert to candidate".
func (n *Node) tickElection() {
	if !n.isVoter() {
		return
	}
	n.electionElapsed++
	if n.electionElapsed >= n.electionTimeout {
		n.stand()
	}
}

// handleVote answers RequestVote (receiver implementation, Figure 2): grant
// if we have not voted for someone else this term and the candidate's log is
// at least as up-to-date as ours (section 5.4.1).
func (n *Node) handleVote(m *Message) {
	upToDate := n.breaks(VoteAnyLog) || n.log.isUpToDate(m.LastLogIndex, m.LastLogTerm)
	grant := (n.vote == None || n.vote == m.From) && upToDate
	if grant {
		if n.vote != m.From {
			n.vote = m.From
			n.stateChanged = true
		}
		n.resetElectionTimer()
	}
	n.send(Message{Type: MsgVoteResp, To: m.From, VoteGranted: grant})
}

func (n *Node) countVotes(v voteState) int {
	c := 0
	for _, s := range n.votes {
		if s == v {
			c++
		}
	}
	return c
}

func (n *Node) stepFollower(m Message) error {
	switch m.Type {
	case MsgVote:
		n.handleVote(&m)
	case MsgPreVote:
		n.handlePreVote(&m)
	case MsgApp:
		n.setLeader(m.From)
		n.handleAppend(&m)
	case MsgSnap:
		n.setLeader(m.From)
		n.handleSnapshot(&m)
	case MsgTimeoutNow:
		n.handleTimeoutNow(&m)
	}
	return nil // replies from an earlier role's requests are stale
}

func (n *Node) stepCandidate(m Message) error {
	switch m.Type {
	case MsgVote:
		n.handleVote(&m) // we voted for ourselves: this denies
	case MsgApp:
		// "If AppendEntries RPC received from new leader: convert to follower."
		n.becomeFollower(m.Term, m.From)
		n.handleAppend(&m)
	case MsgSnap:
		n.becomeFollower(m.Term, m.From)
		n.handleSnapshot(&m)
	case MsgPreVote:
		n.handlePreVote(&m)
	case MsgVoteResp:
		if won, _ := n.countVote(&m); won {
			n.becomeLeader()
		}
	}
	return nil
}
