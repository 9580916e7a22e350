package raft

import (
	"errors"
	"testing"
)

// Leadership transfer: dissertation section 3.10.

// A target whose log is up to date is told to time out at once; it stands
// in the next term and wins. With CheckQuorum on, the others, who still
// hear from the old leader, vote anyway: the request says the leader gave
// way.
func TestLeadershipTransferToAnUpToDateTarget(t *testing.T) {
	for _, check := range []bool{false, true} {
		c := withOptions(t, true, check)
		term := c.node(1).term
		if err := c.node(1).TransferLeadership(2); err != nil {
			t.Fatal(err)
		}
		c.flush(1)
		now := one(t, c.take(to(2)))
		if now.Type != MsgTimeoutNow {
			t.Fatalf("the leader sent %v to its up-to-date target, want TimeoutNow", now.Type)
		}
		c.step(now)
		c.stabilize(all)
		if c.node(2).role != Leader || c.node(2).term != term+1 || c.node(1).role != Follower {
			t.Fatalf("check quorum %v: s2 is %v in term %d, s1 %v; want s2 leading term %d", check, c.node(2).role, c.node(2).term, c.node(1).role, term+1)
		}
	}
}

// A lagging target first gets what it lacks; the leader takes no new write
// meanwhile; once the target holds the whole log, it is told to time out,
// and the new leader has every entry.
func TestLeadershipTransferToALaggingTarget(t *testing.T) {
	c := withOptions(t, false, false)
	for _, b := range []byte("abc") {
		c.propose(1, b)
		c.stabilize(not(to(3))) // s3 misses them
	}
	c.drop(and(to(3), ofType(MsgApp))) // and some never arrive
	if err := c.node(1).TransferLeadership(3); err != nil {
		t.Fatal(err)
	}
	if err := c.node(1).Propose(cmd("d")); !errors.Is(err, ErrTransferring) {
		t.Fatalf("a write during the transfer = %v, want ErrTransferring", err)
	}
	c.flush(1)
	for _, m := range c.take(to(3)) {
		if m.Type == MsgTimeoutNow {
			t.Fatal("TimeoutNow sent to a target that lacks entries")
		}
		c.step(m)
	}
	c.stabilize(all)
	if c.node(3).role != Leader {
		t.Fatalf("s3 is %v after catching up; want it to lead", c.node(3).role)
	}
	if !entriesEqual(c.log(3)[:5], c.log(1)[:5]) {
		t.Fatalf("the new leader's log %v, want the old one's %v before its own noop", terms(c.log(3)), terms(c.log(1)))
	}
}

// A target that never catches up (here, down) is given an election
// timeout; then the leader gives up the transfer and takes writes again.
func TestLeadershipTransferAbortedAfterAnElectionTimeout(t *testing.T) {
	c := withOptions(t, false, false)
	c.crash(3)
	if err := c.node(1).TransferLeadership(3); err != nil {
		t.Fatal(err)
	}
	for range c.cfgs[1].ElectionTimeoutMin - 1 {
		c.tick(1, 1)
		c.stabilize(not(to(3)))
	}
	if c.node(1).Transferee() != 3 {
		t.Fatal("the transfer ended before an election timeout")
	}
	c.tick(1, 1)
	if c.node(1).Transferee() != None || c.node(1).role != Leader {
		t.Fatalf("after an election timeout s1 is %v, transferring to %v; want still leader, no transfer", c.node(1).role, c.node(1).Transferee())
	}
	if err := c.node(1).Propose(cmd("x")); err != nil {
		t.Fatalf("a write after the transfer was given up = %v", err)
	}
}

// Only a leader transfers, and only to a voter.
func TestLeadershipTransferRefusals(t *testing.T) {
	c := withOptions(t, false, false)
	var nl *NotLeaderError
	if err := c.node(2).TransferLeadership(3); !errors.As(err, &nl) || nl.Leader != 1 {
		t.Fatalf("transfer asked of a follower = %v, want a *NotLeaderError naming s1", err)
	}
	if err := c.node(1).TransferLeadership(7); err == nil {
		t.Fatal("transfer to s7, not a member, was taken")
	}
	if err := c.node(1).TransferLeadership(1); err != nil || c.node(1).Transferee() != None {
		t.Fatalf("transfer to the leader itself = %v, transferee %v; want nothing to do", err, c.node(1).Transferee())
	}
}
