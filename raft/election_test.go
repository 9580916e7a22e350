package raft

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// Leader election: section 5.2, section 5.4.1, and Figure 2's RequestVote RPC
// and "Rules for Servers".

// voteNode returns node 1 of members 1..5 with the given persistent state and
// a log of the given terms (the first is the configuration, term 1).
func voteNode(t *testing.T, term uint64, vote ID, logTerms ...uint64) *Node {
	t.Helper()
	if len(logTerms) == 0 {
		logTerms = []uint64{1}
	}
	return newNode(t, 1, HardState{Term: term, Vote: vote}, logOf(ids(5), logTerms...))
}

func voteReq(from ID, term, lastIndex, lastTerm uint64) Message {
	return Message{Type: MsgVote, From: from, To: 1, Term: term, LastLogIndex: lastIndex, LastLogTerm: lastTerm}
}

// Reference: Figure 2, RequestVote RPC, receiver implementation 1: "Reply
// false if term < currentTerm (§5.1)".
func TestRequestVoteReceiverRule1StaleTerm(t *testing.T) {
	n := voteNode(t, 5, None)
	resp := one(t, stepOK(t, n, voteReq(2, 4, 10, 4)))
	if resp.Type != MsgVoteResp || resp.VoteGranted || resp.Term != 5 || resp.To != 2 {
		t.Fatalf("reply to a stale candidate = %+v, want a denial carrying term 5", resp)
	}
	if hs := n.HardState(); hs.Term != 5 || hs.Vote != None {
		t.Fatalf("hard state after a stale request = %+v, want term 5 and no vote", hs)
	}
}

// Reference: Figure 2, RequestVote RPC, receiver implementation 2: "If
// votedFor is null or candidateId, and candidate's log is at least as
// up-to-date as receiver's log, grant vote (§5.2, §5.4)". One vote per term:
// a second candidate is refused, the same candidate asking again is not.
func TestRequestVoteReceiverRule2OneVotePerTerm(t *testing.T) {
	n := voteNode(t, 5, None)
	if r := one(t, stepOK(t, n, voteReq(2, 5, 1, 1))); !r.VoteGranted {
		t.Fatalf("first candidate of term 5 was refused: %+v", r)
	}
	if r := one(t, stepOK(t, n, voteReq(3, 5, 9, 9))); r.VoteGranted {
		t.Fatalf("second candidate of term 5 got a vote, though s1 voted for s2: %+v", r)
	}
	if r := one(t, stepOK(t, n, voteReq(2, 5, 1, 1))); !r.VoteGranted {
		t.Fatalf("s2 asking again (a retry) was refused: %+v", r)
	}
	if v := n.HardState().Vote; v != 2 {
		t.Fatalf("vote = %v, want s2", v)
	}
	// A vote restored from storage counts the same.
	m := voteNode(t, 5, 3)
	if r := one(t, stepOK(t, m, voteReq(2, 5, 1, 1))); r.VoteGranted {
		t.Fatalf("s1 had voted for s3 in term 5 before a restart, yet granted s2: %+v", r)
	}
	// A new term brings a new vote.
	if r := one(t, stepOK(t, m, voteReq(2, 6, 1, 1))); !r.VoteGranted {
		t.Fatalf("s2 refused in term 6: %+v", r)
	}
}

// Reference: section 5.4.1: "If the logs have last entries with different
// terms, then the log with the later term is more up-to-date. If the logs end
// with the same term, then whichever log is longer is more up-to-date." The
// voter's log here is 1 2 2 (last index 3, last term 2).
func TestRequestVoteReceiverRule2UpToDateCheck(t *testing.T) {
	for _, tc := range []struct {
		name                string
		lastIndex, lastTerm uint64
		grant               bool
	}{
		{"later last term, shorter log", 2, 3, true},
		{"later last term, longer log", 9, 3, true},
		{"same last term, same length", 3, 2, true},
		{"same last term, longer", 4, 2, true},
		{"same last term, shorter", 2, 2, false},
		{"earlier last term, longer", 9, 1, false},
		{"earlier last term, shorter", 1, 1, false},
		{"empty log", 0, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := voteNode(t, 4, None, 1, 2, 2)
			r := one(t, stepOK(t, n, voteReq(2, 5, tc.lastIndex, tc.lastTerm)))
			if r.VoteGranted != tc.grant {
				t.Fatalf("candidate log ending (%d, %d) against voter (3, 2): granted = %v, want %v",
					tc.lastIndex, tc.lastTerm, r.VoteGranted, tc.grant)
			}
			wantVote := None
			if tc.grant {
				wantVote = 2
			}
			if hs := n.HardState(); hs.Term != 5 || hs.Vote != wantVote {
				t.Fatalf("hard state = %+v, want term 5 (the candidate's) and vote %v", hs, wantVote)
			}
		})
	}
}

// Reference: Figure 2, "Persistent state on all servers (Updated on stable
// storage before responding to RPCs)": the vote is in the same Ready as the
// reply, marked to be saved, and Ready's contract saves before sending.
func TestVoteIsSavedBeforeTheReply(t *testing.T) {
	n := voteNode(t, 1, None)
	if err := n.Step(voteReq(2, 3, 1, 1)); err != nil {
		t.Fatal(err)
	}
	rd := n.Ready()
	if !rd.SaveState || rd.HardState.Term != 3 || rd.HardState.Vote != 2 {
		t.Fatalf("Ready = save %v %+v, want term 3 and vote s2 to save", rd.SaveState, rd.HardState)
	}
	if r := one(t, rd.Messages); !r.VoteGranted {
		t.Fatalf("reply = %+v, want a grant", r)
	}
}

// Reference: Figure 2, Persistent state ("votedFor: candidateId that received
// vote in current term"): a crash does not give a peer a second vote in the
// same term.
func TestVoteSurvivesACrash(t *testing.T) {
	c := newCluster(t, 3)
	c.campaign(2)
	c.deliver(and(ofType(MsgVote), to(1)))
	c.crash(1)
	c.restart(1)
	if hs := c.node(1).HardState(); hs.Term != 2 || hs.Vote != 2 {
		t.Fatalf("after restart s1's hard state = %+v, want term 2, vote s2", hs)
	}
	c.queue = nil
	r := one(t, stepOK(t, c.node(1), Message{Type: MsgVote, From: 3, To: 1, Term: 2, LastLogIndex: 1, LastLogTerm: 1}))
	if r.VoteGranted {
		t.Fatal("s1 voted twice in term 2 across a crash")
	}
}

// Reference: Figure 2, Rules for Servers, All Servers: "If RPC request or
// response contains term T > currentTerm: set currentTerm = T, convert to
// follower (§5.1)", even when the vote is refused.
func TestHigherTermVoteRequestMakesLeaderFollow(t *testing.T) {
	c := newCluster(t, 3)
	c.elect(1)
	n := c.node(1)
	// s3's log is shorter than the leader's: the vote is refused, but the
	// leader still learns it is out of date and steps down.
	r := one(t, stepOK(t, n, Message{Type: MsgVote, From: 3, To: 1, Term: 7, LastLogIndex: 1, LastLogTerm: 1}))
	if r.VoteGranted {
		t.Fatal("a leader with a longer log granted its vote to a candidate with a stale log")
	}
	if n.role != Follower || n.term != 7 || n.leader != None {
		t.Fatalf("s1 is %v in term %d following %v, want follower in term 7 with no leader known", n.role, n.term, n.leader)
	}
}

// Reference: section 5.2: "If a follower receives no communication over a
// period of time called the election timeout, then it assumes there is no
// viable leader and begins an election", and Figure 2, Candidates: "On
// conversion to candidate, start election: increment currentTerm, vote for
// self, reset election timer, send RequestVote RPCs to all other servers".
func TestElectionStartsOnTimeout(t *testing.T) {
	n := newNode(t, 1, HardState{Term: 3}, logOf(ids(3), 1, 2, 3))
	timeout := n.Status().ElectionTimeout
	for range timeout - 1 {
		n.Tick()
	}
	if ms := drain(n); n.role != Follower || len(ms) != 0 {
		t.Fatalf("after %d of %d ticks s1 is %v and sent %d messages, want a quiet follower", timeout-1, timeout, n.role, len(ms))
	}
	n.Tick()
	rd := n.Ready()
	if n.role != Candidate || rd.HardState.Term != 4 || rd.HardState.Vote != 1 || !rd.SaveState {
		t.Fatalf("after the timeout: %v, hard state %+v (save %v), want candidate in term 4 voting for itself, saved",
			n.role, rd.HardState, rd.SaveState)
	}
	var got []ID
	for _, m := range rd.Messages {
		if m.Type != MsgVote || m.Term != 4 || m.LastLogIndex != 3 || m.LastLogTerm != 3 {
			t.Fatalf("sent %+v, want RequestVote term 4 with last log (3, 3)", m)
		}
		got = append(got, m.To)
	}
	if !slices.Equal(got, []ID{2, 3}) {
		t.Fatalf("RequestVote went to %v, want [s2 s3]", got)
	}
	if st := n.Status(); st.ElectionElapsed != 0 {
		t.Fatalf("candidate's timer = %d, want reset to 0", st.ElectionElapsed)
	}
}

// timeouts returns the first k election timeouts n draws: one per election.
func timeouts(n *Node, k int) []int {
	var out []int
	for range k {
		n.Campaign()
		drain(n)
		out = append(out, n.Status().ElectionTimeout)
	}
	return out
}

// Reference: section 5.2: "Raft uses randomized election timeouts ... election
// timeouts are chosen randomly from a fixed interval (e.g., 150–300ms)". Here
// the randomness comes from the caller's seeded source only: same seed, same
// timeouts, so a run replays; different peers draw different ones.
func TestElectionTimeoutsAreRandomizedFromTheSeededSource(t *testing.T) {
	mk := func(id ID, src rand.Source) *Node {
		cfg := testConfig(id)
		cfg.Rand = src
		n, err := NewNode(cfg, Stored{State: HardState{Term: 1}, Entries: logOf(ids(3), 1)})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	const k = 50
	a := timeouts(mk(1, rand.NewPCG(42, 7)), k)
	b := timeouts(mk(1, rand.NewPCG(42, 7)), k)
	if !slices.Equal(a, b) {
		t.Fatalf("same seed, different timeouts:\n%v\n%v", a, b)
	}
	if c := timeouts(mk(1, rand.NewPCG(43, 7)), k); slices.Equal(a, c) {
		t.Fatalf("different seeds drew the same %d timeouts", k)
	}
	for _, x := range a {
		if x < 10 || x > 20 {
			t.Fatalf("timeout %d outside [10, 20]", x)
		}
	}
	if distinct := len(slices.Compact(slices.Sorted(slices.Values(a)))); distinct < 5 {
		t.Fatalf("%d timeouts take only %d values: not randomized", k, distinct)
	}
	// Without a source, each peer is seeded with its own id: peers differ,
	// and each is still the same on every run.
	p1, p2 := timeouts(mk(1, nil), k), timeouts(mk(2, nil), k)
	if slices.Equal(p1, p2) {
		t.Fatal("s1 and s2 drew the same timeouts: they would keep timing out together")
	}
	if again := timeouts(mk(1, nil), k); !slices.Equal(p1, again) {
		t.Fatal("the default source is not deterministic")
	}
}

// Reference: Figure 2, Followers: "If election timeout elapses without
// receiving AppendEntries RPC from current leader or granting vote to
// candidate: convert to candidate". Heartbeats keep followers following.
func TestHeartbeatsAndGrantedVotesResetTheElectionTimer(t *testing.T) {
	c := newCluster(t, 3)
	c.elect(1)
	for range 200 {
		c.tickAll()
		c.stabilize(all)
	}
	for _, id := range []ID{2, 3} {
		if n := c.node(id); n.role != Follower || n.term != 2 {
			t.Fatalf("%v is %v in term %d after 200 ticks of heartbeats, want follower in term 2", id, n.role, n.term)
		}
	}
	// Granting a vote also restarts the countdown.
	n := voteNode(t, 1, None)
	timeout := n.Status().ElectionTimeout
	for range timeout - 1 {
		n.Tick()
	}
	stepOK(t, n, voteReq(2, 2, 1, 1))
	for range n.Status().ElectionTimeout - 1 {
		n.Tick()
	}
	if n.role != Follower {
		t.Fatal("a follower that just granted a vote timed out before a full timeout")
	}
	// A refused vote does not.
	m := voteNode(t, 1, None, 1, 1)
	for range m.Status().ElectionTimeout - 1 {
		m.Tick()
	}
	stepOK(t, m, voteReq(2, 1, 1, 1)) // shorter log: refused
	m.Tick()
	if m.role != Candidate {
		t.Fatal("a refused vote reset the election timer")
	}
}

// Reference: section 5.2: "A candidate wins an election if it receives votes
// from a majority of the servers in the full cluster for the same term."
func TestCandidateWinsWithAMajority(t *testing.T) {
	n := newNode(t, 1, HardState{Term: 1}, logOf(ids(5), 1))
	n.Campaign()
	drain(n)
	grant := func(from ID, ok bool) {
		stepOK(t, n, Message{Type: MsgVoteResp, From: from, To: 1, Term: 2, VoteGranted: ok})
	}
	grant(2, true)
	grant(2, true) // a duplicate reply is still one vote
	grant(3, false)
	grant(4, false)
	if n.role != Candidate {
		t.Fatalf("s1 is %v with 2 of 5 votes, want candidate", n.role)
	}
	grant(4, true) // s4 already said no; changing its mind does not count
	if n.role != Candidate {
		t.Fatal("a peer's second, contradicting reply was counted")
	}
	grant(5, true)
	if n.role != Leader || n.leader != 1 || n.term != 2 {
		t.Fatalf("s1 is %v in term %d with 3 of 5 votes, want leader in term 2", n.role, n.term)
	}
}

// A granted vote from outside the configuration is no vote at all: only
// members decide (section 5.2, "majority of the servers in the full cluster").
func TestVotesFromNonMembersDoNotCount(t *testing.T) {
	n := newNode(t, 1, HardState{Term: 1}, logOf(ids(3), 1))
	n.Campaign()
	drain(n)
	for _, stranger := range []ID{4, 5, 99} {
		stepOK(t, n, Message{Type: MsgVoteResp, From: stranger, To: 1, Term: 2, VoteGranted: true})
	}
	if n.role != Candidate {
		t.Fatalf("s1 became %v on the votes of peers outside [s1 s2 s3]", n.role)
	}
}

// Reference: section 5.2: "If the leader's term (included in its RPC) is at
// least as large as the candidate's current term, then the candidate
// recognizes the leader as legitimate and returns to follower state."
func TestCandidateStepsDownOnAppendEntriesOfItsTerm(t *testing.T) {
	n := newNode(t, 1, HardState{Term: 1}, logOf(ids(3), 1))
	n.Campaign()
	drain(n)
	r := one(t, stepOK(t, n, Message{Type: MsgApp, From: 2, To: 1, Term: 2, PrevLogIndex: 1, PrevLogTerm: 1}))
	if n.role != Follower || n.leader != 2 || n.term != 2 {
		t.Fatalf("s1 is %v in term %d following %v, want follower of s2 in term 2", n.role, n.term, n.leader)
	}
	if n.vote != 1 {
		t.Fatalf("stepping down in the same term changed the vote to %v; it must stay s1", n.vote)
	}
	if !r.Success {
		t.Fatalf("the AppendEntries that deposed the candidate was not handled: %+v", r)
	}
}

// Reference: Figure 2, All Servers: "If RPC request or response contains term
// T > currentTerm: set currentTerm = T, convert to follower".
func TestCandidateStepsDownOnAHigherTerm(t *testing.T) {
	for _, m := range []Message{
		{Type: MsgVoteResp, From: 2, To: 1, Term: 5},
		{Type: MsgVote, From: 2, To: 1, Term: 5, LastLogIndex: 1, LastLogTerm: 1},
		{Type: MsgApp, From: 2, To: 1, Term: 5, PrevLogIndex: 1, PrevLogTerm: 1},
		{Type: MsgAppResp, From: 2, To: 1, Term: 5},
	} {
		n := newNode(t, 1, HardState{Term: 1}, logOf(ids(3), 1))
		n.Campaign()
		drain(n)
		stepOK(t, n, m)
		if n.role != Follower || n.term != 5 {
			t.Fatalf("after %v of term 5 the candidate is %v in term %d, want follower in term 5", m.Type, n.role, n.term)
		}
		if wantLeader := map[bool]ID{true: 2, false: None}[m.Type == MsgApp]; n.leader != wantLeader {
			t.Fatalf("after %v of term 5 the leader is %v, want %v", m.Type, n.leader, wantLeader)
		}
	}
}

// Reference: section 5.2: "if many followers become candidates at the same
// time, votes could be split so that no candidate obtains a majority. When
// this happens, each candidate will time out and start a new election by
// incrementing its term".
func TestSplitVoteLeadsToANewElectionInAHigherTerm(t *testing.T) {
	c := newCluster(t, 4)
	c.campaign(1)
	c.campaign(3)
	// s2 hears s1 first, s4 hears s3 first: two votes each, of four.
	c.deliver(and(ofType(MsgVote), from(1), to(2)))
	c.deliver(and(ofType(MsgVote), from(3), to(4)))
	c.stabilize(all)
	for _, id := range c.ids {
		if c.node(id).role == Leader {
			t.Fatalf("%v leads term 2 though the vote was split 2-2", id)
		}
	}
	// The candidates time out; whoever times out first starts term 3.
	for i := 0; ; i++ {
		if i > 100 {
			t.Fatal("no new election within 100 ticks")
		}
		c.tickAll()
		if c.node(1).term > 2 || c.node(3).term > 2 {
			break
		}
	}
	c.stabilize(all)
	leaders := 0
	for _, id := range c.ids {
		n := c.node(id)
		if n.role == Leader {
			leaders++
			if n.term != 3 {
				t.Fatalf("%v leads term %d, want 3", id, n.term)
			}
		}
	}
	if leaders != 1 {
		t.Fatalf("%d leaders after the new election, want 1", leaders)
	}
}

// A cluster of one elects itself at its first timeout, and commits alone.
func TestSingleMemberElectsItself(t *testing.T) {
	c := newCluster(t, 1)
	c.tick(1, 20)
	n := c.node(1)
	if n.role != Leader || n.commit != n.log.lastIndex() {
		t.Fatalf("lone member is %v with commit %d of %d, want leader with everything committed", n.role, n.commit, n.log.lastIndex())
	}
}

// Reference: Figure 2, Leaders: "Upon election: send initial empty
// AppendEntries RPCs (heartbeat) to each server; repeat during idle periods
// to prevent election timeouts (§5.2)". A leader has no election timeout.
func TestLeaderSendsHeartbeatsAndNeverTimesOut(t *testing.T) {
	c := newCluster(t, 3)
	c.elect(1)
	c.tick(1, 1)
	if len(c.queue) != 0 {
		t.Fatalf("leader sent %d messages after 1 of 2 heartbeat ticks", len(c.queue))
	}
	c.tick(1, 1)
	hb := c.take(all)
	if len(hb) != 2 {
		t.Fatalf("heartbeat round sent %d messages, want one to each of s2 and s3:%s", len(hb), fmtMsgs(hb))
	}
	for _, m := range hb {
		if !m.IsHeartbeat() || m.Term != 2 || m.LeaderCommit != c.node(1).commit {
			t.Fatalf("heartbeat = %+v, want an empty AppendEntries of term 2 carrying the commit index", m)
		}
	}
	c.tick(1, 500) // nobody answers: a leader does not start elections
	if n := c.node(1); n.role != Leader || n.term != 2 {
		t.Fatalf("isolated leader became %v in term %d", n.role, n.term)
	}
}

// Terms start at 1: a candidate increments its term before asking for votes,
// and every reply carries a term the replier adopted. A Raft message of
// term 0 comes from no correct peer, and must not be taken: a new peer (term
// 0) that granted it a vote would save a vote without a term, which no
// storage can restore (found by FuzzStep).
func TestRaftMessagesOfTermZeroAreRefused(t *testing.T) {
	n := newNode(t, 1, HardState{}, nil)
	for _, m := range []Message{
		{Type: MsgVote, From: 2, To: 1},
		{Type: MsgVoteResp, From: 2, To: 1, VoteGranted: true},
		{Type: MsgApp, From: 2, To: 1},
		{Type: MsgAppResp, From: 2, To: 1, Success: true},
	} {
		if err := n.Step(m); err == nil {
			t.Errorf("%v of term 0 accepted", m.Type)
		}
	}
	if hs := n.HardState(); hs != (HardState{}) || n.HasReady() {
		t.Fatalf("hard state %+v after refused messages, want it untouched", hs)
	}
	if _, err := NewNode(testConfig(1), Stored{State: n.HardState()}); err != nil {
		t.Fatalf("the node cannot restart from its own state: %v", err)
	}
}

// SetElectionTimer is a teacher's tool: it decides when the timer fires,
// once. Aligned, two followers time out in the same tick and both stand
// (section 5.2's split vote); the next reset draws a random timeout again.
func TestSetElectionTimerFiresAfterTheGivenTicks(t *testing.T) {
	c := newCluster(t, 3)
	for _, id := range []ID{1, 2} {
		c.node(id).SetElectionTimer(3)
	}
	c.tick(1, 2)
	c.tick(2, 2)
	if c.node(1).role != Follower || c.node(2).role != Follower {
		t.Fatal("a timer set to 3 ticks fired after 2")
	}
	c.tick(1, 1)
	c.tick(2, 1)
	if c.node(1).role != Candidate || c.node(2).role != Candidate || c.node(1).term != 2 || c.node(2).term != 2 {
		t.Fatalf("after 3 ticks s1 is %v and s2 is %v, want both candidates in term 2", c.node(1).role, c.node(2).role)
	}
	if st := c.node(1).Status(); st.ElectionElapsed != 0 || st.ElectionTimeout < 10 || st.ElectionTimeout > 20 {
		t.Fatalf("the new election's timer is %d of %d ticks, want a fresh random timeout of 10 to 20", st.ElectionElapsed, st.ElectionTimeout)
	}
	// A leader has no election timer: setting it changes nothing.
	c.drop(all)
	c.elect(1)
	lead := c.node(1)
	lead.SetElectionTimer(1)
	c.tick(1, 5)
	if lead.role != Leader {
		t.Fatalf("the leader became %v after its (absent) election timer was set", lead.role)
	}
}
