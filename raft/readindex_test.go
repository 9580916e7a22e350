package raft

import (
	"errors"
	"testing"
)

// Linearizable reads with ReadIndex: dissertation section 6.4, and section 8
// of the paper ("a leader must check whether it has been deposed before
// processing a read-only request").

// settled returns three peers with s1 leading term 2 and every peer knowing
// that the whole log is committed.
func settled(t testing.TB) *cluster {
	c := newCluster(t, 3)
	c.elect(1)
	c.tick(1, 2)
	c.stabilize(all)
	for _, id := range c.ids {
		if n := c.node(id); n.commit != 2 {
			t.Fatalf("%v commit = %d, want 2", id, n.commit)
		}
	}
	return c
}

// Reference: dissertation section 6.4, step 3: "The leader needs to make sure
// it hasn't been superseded by a newer leader of which it is unaware. It
// issues a new round of heartbeats and waits for their acknowledgments from a
// majority of the cluster." Acknowledgments of an earlier round do not count.
func TestReadIndexLeaderConfirmsWithAHeartbeatRound(t *testing.T) {
	c := settled(t)
	c.tick(1, 2) // a heartbeat round, sent before the read...
	c.deliver(ofType(MsgApp))
	// ...whose acknowledgments arrive after the read started.
	if err := c.node(1).ReadIndex(7); err != nil {
		t.Fatal(err)
	}
	c.flush(1)
	c.deliver(and(ofType(MsgAppResp), from(2, 3)))
	if got := c.reads[1]; len(got) != 0 {
		t.Fatalf("read answered %v on acknowledgments of a round sent before it", got)
	}
	round := c.take(and(ofType(MsgApp), to(2)))
	if len(round) != 1 {
		t.Fatalf("ReadIndex sent %d AppendEntries to s2, want 1 (a heartbeat round)", len(round))
	}
	c.step(round[0])
	c.deliver(ofType(MsgAppResp))
	want := ReadState{ID: 7, Index: 2}
	if got := c.reads[1]; len(got) != 1 || got[0] != want {
		t.Fatalf("reads = %v once s2 (with s1, a majority) acknowledged the round, want [%v]", got, want)
	}
}

// Reference: section 8: "a leader must check whether it has been deposed
// before processing a read-only request (its information may be stale if a
// more recent leader has been elected)". A deposed leader never answers.
func TestReadIndexDeposedLeaderNeverAnswers(t *testing.T) {
	c := settled(t)
	// s1 is cut off; s2 and s3 elect s2 and commit a write s1 never sees.
	c.campaign(2)
	c.stabilize(within(2, 3))
	if err := c.node(2).Propose(Entry{Data: []byte("lock bob")}); err != nil {
		t.Fatal(err)
	}
	c.flush(2)
	c.stabilize(within(2, 3))
	c.drop(to(1))
	if n := c.node(1); n.role != Leader || n.commit != 2 {
		t.Fatalf("s1 is %v with commit %d, want a stale leader with commit 2", n.role, n.commit)
	}
	// s1 still believes it leads. Its read must not be answered with its
	// stale commit index, whether its heartbeats are lost...
	if err := c.node(1).ReadIndex(9); err != nil {
		t.Fatal(err)
	}
	c.flush(1)
	for range 20 {
		c.tick(1, 1)
		c.drop(from(1))
	}
	if got := c.reads[1]; len(got) != 0 {
		t.Fatalf("isolated leader answered a read: %v", got)
	}
	// ...or reach peers that moved on: their answer deposes it.
	c.tick(1, 2)
	c.stabilize(all)
	if n := c.node(1); n.role != Follower || n.term != 3 {
		t.Fatalf("s1 is %v in term %d after hearing term 3, want follower", n.role, n.term)
	}
	if got := c.reads[1]; len(got) != 0 {
		t.Fatalf("deposed leader answered a read: %v", got)
	}
}

// Reference: dissertation section 6.4: "followers could also help offload
// the processing of read-only queries ... the follower would issue a request
// to the leader just to learn the current readIndex". A follower with no
// leader to ask says so.
func TestReadIndexFollowerAsksItsLeader(t *testing.T) {
	c := settled(t)
	if err := c.node(2).ReadIndex(5); err != nil {
		t.Fatal(err)
	}
	c.flush(2)
	ask := one(t, c.take(from(2)))
	if ask.Type != MsgRead || ask.To != 1 || ask.Round != 5 {
		t.Fatalf("follower sent %+v, want a ReadIndex request for read 5 to s1", ask)
	}
	c.step(ask)
	c.stabilize(all)
	want := ReadState{ID: 5, Index: 2}
	if got := c.reads[2]; len(got) != 1 || got[0] != want {
		t.Fatalf("follower's reads = %v, want [%v]", got, want)
	}
	if got := c.reads[1]; len(got) != 0 {
		t.Fatalf("the leader kept the follower's read for itself: %v", got)
	}

	// A peer that knows no leader cannot start a read.
	fresh := newCluster(t, 3)
	err := fresh.node(2).ReadIndex(1)
	var nl *NotLeaderError
	if !errors.As(err, &nl) || nl.Peer != 2 || nl.Leader != None {
		t.Fatalf("ReadIndex with no leader known = %v, want a *NotLeaderError from s2", err)
	}
	// A peer that is no longer leader ignores a read forwarded to it.
	before := len(c.sent)
	if err := c.node(3).Step(Message{Type: MsgRead, From: 2, To: 3, Round: 6}); err != nil {
		t.Fatal(err)
	}
	c.flush(3)
	if len(c.sent) != before {
		t.Fatal("a follower answered a forwarded read")
	}
}

// Reference: dissertation section 6.4, step 1: "If the leader has not yet
// marked an entry from its current term committed, it waits until it has
// done so." A fresh leader does not know what its predecessors committed, so
// its read index is at least its own noop, never its stale commit index.
func TestReadIndexOnAFreshLeaderIsAtLeastItsNoop(t *testing.T) {
	c := emptyCluster(t, 3)
	for _, id := range c.ids {
		// Entries 2 and 3 may well have been committed by the leader of term
		// 2, and reads answered from them.
		c.load(id, HardState{Term: 2}, logOf(ids(3), 1, 2, 2))
	}
	c.campaign(1)
	c.stabilize(ofType(MsgVote, MsgVoteResp))
	n := c.node(1)
	if n.role != Leader || n.commit != 0 {
		t.Fatalf("s1 is %v with commit %d, want a fresh leader that has committed nothing yet", n.role, n.commit)
	}
	if err := n.ReadIndex(1); err != nil {
		t.Fatal(err)
	}
	c.flush(1)
	c.stabilize(all)
	noop := n.log.entries[3]
	if noop.Type != EntryNoop || noop.Index != 4 {
		t.Fatalf("entry 4 = %+v, want the leader's noop", noop)
	}
	got := c.reads[1]
	if len(got) != 1 || got[0].Index < noop.Index {
		t.Fatalf("reads = %v, want read 1 at index >= %d (the noop)", got, noop.Index)
	}
}

// A cluster of one needs no heartbeat round: a majority is itself.
func TestReadIndexSingleMember(t *testing.T) {
	c := newCluster(t, 1)
	c.tick(1, 20)
	if err := c.node(1).ReadIndex(3); err != nil {
		t.Fatal(err)
	}
	c.flush(1)
	want := ReadState{ID: 3, Index: c.node(1).commit}
	if got := c.reads[1]; len(got) != 1 || got[0] != want {
		t.Fatalf("reads = %v, want [%v] at once", got, want)
	}
}
