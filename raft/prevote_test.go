package raft

import "testing"

// PreVote and CheckQuorum: dissertation sections 9.6 (preventing
// disruptions when a server rejoins the cluster), 6.2 (a leader on the
// minority side steps down) and 4.2.3 (disruptive servers).

// withOptions restarts every node of c with PreVote and CheckQuorum as
// given, then elects s1 and lets everyone follow it.
func withOptions(t *testing.T, preVote, checkQuorum bool) *cluster {
	t.Helper()
	c := newCluster(t, 3)
	c.reconfigure(func(cfg *Config) { cfg.PreVote, cfg.CheckQuorum = preVote, checkQuorum })
	c.elect(1)
	c.tick(1, c.cfgs[1].HeartbeatInterval)
	c.stabilize(all)
	return c
}

// cutOff ticks s3 alone, its messages lost, until its election timer has
// run out k times.
func (c *cluster) cutOff(id ID, k int) {
	for range k {
		c.node(id).SetElectionTimer(1)
		c.tick(id, 1)
		c.drop(from(id))
	}
}

// Section 9.6: a server cut off from the others keeps timing out. Without
// PreVote each timeout raises its term; when it comes back its higher term
// deposes the healthy leader. With PreVote it only asks, and keeps its
// term: coming back, it is denied (the others hear from their leader) and
// follows the leader at its next heartbeat.
func TestPreVoteDeniesADisruptiveCandidate(t *testing.T) {
	for _, preVote := range []bool{false, true} {
		c := withOptions(t, preVote, false)
		term := c.node(1).term
		c.cutOff(3, 5)
		n3 := c.node(3)
		if preVote && (n3.term != term || n3.role != PreCandidate) {
			t.Fatalf("with PreVote, cut-off s3 is %v in term %d, want a pre-candidate still in term %d", n3.role, n3.term, term)
		}
		if !preVote && n3.term != term+5 {
			t.Fatalf("without PreVote, cut-off s3 is in term %d after 5 timeouts, want %d", n3.term, term+5)
		}
		// s3 comes back: its next campaign reaches the others, and so does
		// the leader's next heartbeat.
		c.node(3).SetElectionTimer(1)
		c.tick(3, 1)
		c.tick(1, c.cfgs[1].HeartbeatInterval)
		c.stabilize(all)
		if preVote {
			if r := c.node(1).role; r != Leader || c.node(1).term != term {
				t.Fatalf("with PreVote, s1 is %v in term %d after s3 came back, want still leader in term %d", r, c.node(1).term, term)
			}
			if n3.role != Follower || n3.leader != 1 {
				t.Fatalf("with PreVote, s3 is %v following %v, want a follower of s1", n3.role, n3.leader)
			}
		} else if c.node(1).role == Leader && c.node(1).term == term {
			t.Fatal("without PreVote, s3's higher term did not depose s1: the test shows nothing")
		}
	}
}

// A pre-vote changes nothing at the peer asked: no term, no vote.
func TestPreVoteChangesNoTermAndNoVote(t *testing.T) {
	n := newNode(t, 2, HardState{Term: 3}, logOf(ids(3), 1, 3))
	got := one(t, stepOK(t, n, Message{Type: MsgPreVote, From: 3, To: 2, Term: 4, LastLogIndex: 2, LastLogTerm: 3}))
	if got.Type != MsgPreVoteResp || !got.VoteGranted || got.Term != 4 {
		t.Fatalf("answer %+v, want a pre-vote granted in term 4", got)
	}
	if n.term != 3 || n.vote != None || n.HasReady() {
		t.Fatalf("after a pre-vote s2 is in term %d with vote %v, want term 3 and no vote, nothing to save", n.term, n.vote)
	}
	// A pre-candidate behind us learns our term from the denial (a
	// pre-candidate that never did could never stand in a term that counts).
	got = one(t, stepOK(t, n, Message{Type: MsgPreVote, From: 3, To: 2, Term: 2, LastLogIndex: 2, LastLogTerm: 3}))
	if got.Type != MsgPreVoteResp || got.VoteGranted || got.Term != 3 {
		t.Fatalf("answer to a pre-vote for an old term %+v, want denied in term 3", got)
	}
	p := newNode(t, 3, HardState{Term: 1}, logOf(ids(3), 1))
	p.cfg.PreVote = true
	p.Campaign()
	drain(p)
	stepOK(t, p, got)
	if p.term != 3 || p.role != Follower {
		t.Fatalf("a pre-candidate denied in term 3 is %v in term %d, want a follower in term 3", p.role, p.term)
	}
}

// Section 6.2: with CheckQuorum, a leader that hears from no majority for
// an election timeout steps down; without it, it leads on, alone.
func TestCheckQuorumStepsDownALeaderOnTheMinoritySide(t *testing.T) {
	for _, check := range []bool{false, true} {
		c := withOptions(t, false, check)
		term := c.node(1).term
		for range 2 * c.cfgs[1].ElectionTimeoutMin {
			c.tick(1, 1)
			c.drop(to(2, 3)) // s1 is cut off
		}
		switch r := c.node(1).role; {
		case check && (r != Follower || c.node(1).term != term || c.node(1).leader != None):
			t.Fatalf("with CheckQuorum, the cut-off leader is %v in term %d, want a follower of nobody in term %d", r, c.node(1).term, term)
		case !check && r != Leader:
			t.Fatalf("without CheckQuorum, the cut-off leader became %v", r)
		}
		if k, why := c.node(1).StepDowns(); check && (k != 1 || why != StepDownQuorum) || !check && k != 0 {
			t.Fatalf("check quorum %v: s1 stepped down %d times, the last for %v", check, k, why)
		}
		// Deposed by a higher term: s2 stands and wins.
		if check {
			c.elect(2)
			if k, why := c.node(1).StepDowns(); k != 1 {
				t.Fatalf("s1, a follower already, stepped down again (%d, %v)", k, why)
			}
		} else {
			c.elect(2)
			c.stabilize(all)
			if k, why := c.node(1).StepDowns(); k != 1 || why != StepDownHigherTerm {
				t.Fatalf("s1 deposed by s2 stepped down %d times, the last for %v; want once, higher term", k, why)
			}
		}
	}
}

// With CheckQuorum, a leader that hears from a majority stays.
func TestCheckQuorumKeepsALeaderThatHearsFromAMajority(t *testing.T) {
	c := withOptions(t, false, true)
	for range 3 * c.cfgs[1].ElectionTimeoutMin {
		c.tick(1, 1)
		c.stabilize(not(to(3))) // s3 is cut off; s2 answers
	}
	if c.node(1).role != Leader {
		t.Fatalf("s1 hears from s2 and itself, a majority, yet became %v", c.node(1).role)
	}
}

// Section 4.2.3: with CheckQuorum, a peer that heard from its leader within
// the minimum election timeout ignores a request for its vote: it neither
// takes the higher term nor votes. Once that time has passed, it votes.
func TestCheckQuorumIgnoresVoteRequestsWhileTheLeaderIsHeard(t *testing.T) {
	c := withOptions(t, false, true)
	n := c.node(2)
	term := n.term
	req := Message{Type: MsgVote, From: 3, To: 2, Term: term + 1, LastLogIndex: n.LastIndex(), LastLogTerm: term}
	if got := stepOK(t, n, req); len(got) != 0 || n.term != term {
		t.Fatalf("s2, hearing from its leader, answered %s and is in term %d; want no answer, term %d", fmtMsgs(got), n.term, term)
	}
	n.SetElectionTimer(100)                 // s2 does not stand itself meanwhile
	c.tick(2, c.cfgs[2].ElectionTimeoutMin) // silence from the leader
	got := one(t, stepOK(t, n, req))
	if !got.VoteGranted || n.term != term+1 {
		t.Fatalf("after an election timeout of silence s2 answered %+v in term %d, want its vote in term %d", got, n.term, term+1)
	}
}

// PreVote and CheckQuorum together (etcd-io/etcd issues 9586 and 10355):
// the leader is cut off; a follower stands first, and the other, still in
// its lease, ignores it; then the other stands. The first must not go on
// ignoring it as if it still heard from the old leader: a peer that
// stands forgets its leader. Someone wins.
func TestPreVoteWithCheckQuorumElectsANewLeaderWhenTheLeaderIsCutOff(t *testing.T) {
	c := withOptions(t, true, true)
	c.crash(1)
	c.queue = nil
	c.campaign(2) // s2 stands: s3 still hears from s1 (its lease), and ignores it
	c.stabilize(all)
	if c.node(2).role != PreCandidate {
		t.Fatalf("s2 is %v, want a pre-candidate ignored by s3", c.node(2).role)
	}
	c.campaign(3) // s3 stands in turn: s2 stood, so it no longer counts on s1
	c.stabilize(all)
	if c.node(3).role != Leader {
		t.Fatalf("s3 is %v in term %d and s2 %v: nobody was elected", c.node(3).role, c.node(3).term, c.node(2).role)
	}
}
