package raft

import (
	"errors"
	"slices"
	"testing"
)

// Membership changes, one server at a time: dissertation chapter 4.

// addPeer starts id with empty storage, as a server about to be added.
func (c *cluster) addPeer(id ID) {
	c.t.Helper()
	c.ids = append(c.ids, id)
	c.cfgs[id] = testConfig(id)
	c.stores[id] = NewMemoryStorage()
	c.restart(id)
}

// writeAt proposes a command at the leader id and returns its index.
func (c *cluster) writeAt(id ID, data string) uint64 {
	c.t.Helper()
	i, _, err := c.node(id).ProposeLocal(cmd(data))
	if err != nil {
		c.t.Fatal(err)
	}
	c.flush(id)
	return i
}

func (c *cluster) change(id ID, f func(*Node) error) {
	c.t.Helper()
	if err := f(c.node(id)); err != nil {
		c.t.Fatal(err)
	}
	c.flush(id)
}

// Section 4.2.1: a new server joins as a learner. It receives the log but
// counts in no majority, so while it catches up (here, while it is cut
// off) the others commit without it, and it never stands for election.
// Once it holds what the leader had when its round began, within an
// election timeout, the leader makes it a voter; from then on a commit
// needs it when only a bare majority is up.
func TestLearnerCatchesUpBeforeItVotes(t *testing.T) {
	c := settled(t)
	for _, b := range []byte("abcdefgh") {
		c.propose(1, b)
	}
	c.stabilize(all)
	c.addPeer(4)
	c.change(1, func(n *Node) error { return n.AddServer(4) })
	st := c.node(1).Status()
	if !slices.Equal(st.Members, []ID{1, 2, 3}) || !slices.Equal(st.Learners, []ID{4}) {
		t.Fatalf("after AddServer(4): members %v, learners %v; want [s1 s2 s3] and learner s4", st.Members, st.Learners)
	}

	// Cut off, the learner holds nothing, and s1 and s2 commit without it
	// and without s3, down: 2 of the 3 voters.
	c.crash(3)
	c.stabilize(not(to(4)))
	i := c.writeAt(1, "while s4 catches up")
	c.stabilize(not(to(4)))
	if got := c.node(1).Commit(); got < i {
		t.Fatalf("commit %d, want %d: a learner that lags held up a commit", got, i)
	}
	c.restart(3)
	c.tick(4, 200)
	if n := c.node(4); n.Campaigns() != 0 || n.Term() != 0 {
		t.Fatalf("the new server stood for election (%d times, term %d) before it was a voter", n.Campaigns(), n.Term())
	}

	// Connected, it catches up at once and becomes a voter (and s3, back,
	// catches up once the leader sends again what it lost).
	c.stabilize(all)
	for range c.cfgs[1].ElectionTimeoutMin + c.cfgs[1].HeartbeatInterval {
		c.tick(1, 1)
		c.stabilize(all)
	}
	for _, id := range c.ids {
		st := c.node(id).Status()
		if !slices.Equal(st.Members, []ID{1, 2, 3, 4}) || len(st.Learners) != 0 || st.Commit < st.ConfigIndex {
			t.Fatalf("%v: members %v, learners %v, config at %d, commit %d; want s4 a voter, committed",
				id, st.Members, st.Learners, st.ConfigIndex, st.Commit)
		}
	}
	if !entriesEqual(c.log(4), c.log(1)) {
		t.Fatalf("s4's log %v, want the leader's %v", terms(c.log(4)), terms(c.log(1)))
	}

	// A voter counts: with s2 and s3 down, s1 and s4 are not 3 of 4; with s3
	// down, s4's answer makes the majority.
	c.crash(3)
	i = c.writeAt(1, "needs s4")
	c.stabilize(not(to(4)))
	if c.node(1).Commit() >= i {
		t.Fatal("a write committed on s1 and s2 alone in a cluster of four")
	}
	c.stabilize(all)
	if c.node(1).Commit() < i {
		t.Fatal("s1, s2 and s4 did not commit a write")
	}
	c.node(4).Campaign() // and it may lead
	c.flush(4)
	c.stabilize(all)
	if c.node(4).Role() != Leader {
		t.Fatalf("s4 is %v after its campaign, want leader", c.node(4).Role())
	}
}

// Section 4.2.1: a learner that takes longer than an election timeout to
// hold what the leader had when its round began is not made a voter: as a
// voter it would hold up commits. Another round begins; one that ends in
// time makes it a voter.
func TestLearnerTooSlowForItsRoundStaysALearner(t *testing.T) {
	c := settled(t)
	c.addPeer(4)
	c.change(1, func(n *Node) error { return n.AddServer(4) })
	for range c.cfgs[1].ElectionTimeoutMin + 1 { // what s4 is sent waits on the way
		c.tick(1, 1)
		c.stabilize(not(to(4)))
	}
	c.stabilize(all) // it catches up, but its first round took too long
	if st := c.node(1).Status(); !slices.Equal(st.Learners, []ID{4}) {
		t.Fatalf("learners %v, members %v: a learner whose round took more than an election timeout became a voter", st.Learners, st.Members)
	}
	c.propose(1, 'y') // a second round, answered at once
	c.stabilize(all)
	if st := c.node(1).Status(); len(st.Learners) != 0 || !slices.Contains(st.Members, 4) {
		t.Fatalf("learners %v, members %v after a quick round; want s4 a voter", st.Learners, st.Members)
	}
}

// Section 4.2.2: a leader that removes itself leads until the change
// commits, without counting itself: the entry needs both s2 and s3, the
// majority of the new configuration. Then it hands over leadership (a
// TimeoutNow, section 3.10) and steps down; the others go on without it,
// and it never stands for election again.
func TestLeaderRemovalStepsDownOnceCommitted(t *testing.T) {
	for _, check := range []bool{false, true} {
		c := withOptions(t, false, check)
		term := c.node(1).Term()
		c.change(1, func(n *Node) error { return n.RemoveServer(1) })
		ci := c.node(1).Status().ConfigIndex
		c.stabilize(not(to(3)))
		if n := c.node(1); n.Role() != Leader || n.Commit() >= ci {
			t.Fatalf("check quorum %v: s1 is %v with commit %d after s2 alone answered; want leading, entry %d not committed", check, n.Role(), n.Commit(), ci)
		}
		c.stabilize(all)
		if n := c.node(1); n.Role() != Follower {
			t.Fatalf("check quorum %v: s1 is %v after its removal committed, want follower", check, n.Role())
		}
		if k, why := c.node(1).StepDowns(); k != 1 || why != StepDownHandover {
			t.Fatalf("check quorum %v: s1 stepped down %d times, the last for %v; want once, handover", check, k, why)
		}
		var leader ID
		for _, id := range []ID{2, 3} {
			if c.node(id).Role() == Leader {
				leader = id
			}
		}
		if leader == None || c.node(leader).Term() != term+1 {
			t.Fatalf("check quorum %v: no leader among s2 and s3 in term %d after the handover", check, term+1)
		}
		i := c.writeAt(leader, "after s1")
		c.stabilize(all)
		c.tick(leader, c.cfgs[leader].HeartbeatInterval) // the commit index travels with it
		c.stabilize(all)
		for _, id := range []ID{2, 3} {
			if st := c.node(id).Status(); !slices.Equal(st.Members, []ID{2, 3}) || st.Commit < i {
				t.Fatalf("check quorum %v: %v has members %v, commit %d; want [s2 s3], %d", check, id, st.Members, st.Commit, i)
			}
		}
		c.tick(1, 200)
		if n := c.node(1); n.Role() != Follower || n.Term() != term+1 {
			t.Fatalf("check quorum %v: the removed s1 is %v in term %d; want a quiet follower", check, n.Role(), n.Term())
		}
	}
}

// The handover of a removed leader needs a voter holding its whole log;
// if none does within an election timeout, the leader steps down anyway.
func TestRemovedLeaderStepsDownWithoutAHandover(t *testing.T) {
	c := settled(t)
	c.change(1, func(n *Node) error { return n.RemoveServer(1) })
	c.writeAt(1, "after the change") // a removed leader leads until the change commits
	c.deliver(to(2, 3))
	c.deliver(to(1)) // the removal commits; the write has not reached s2 and s3
	c.drop(to(2, 3))
	n := c.node(1)
	if n.Role() != Leader || n.Transferee() == None {
		t.Fatalf("s1 is %v, handing over to %v; want a leader waiting for a voter to catch up", n.Role(), n.Transferee())
	}
	timeout := c.cfgs[1].ElectionTimeoutMin
	for k := 1; k <= timeout; k++ {
		if n.Role() != Leader {
			t.Fatalf("s1 stepped down after %d ticks, before an election timeout (%d)", k-1, timeout)
		}
		c.tick(1, 1)
		c.drop(to(2, 3))
	}
	if n.Role() != Follower {
		t.Fatalf("s1 is %v an election timeout after its removal committed, want follower", n.Role())
	}
	if k, why := n.StepDowns(); k != 1 || why != StepDownRemoved {
		t.Fatalf("s1 stepped down %d times, the last for %v; want once, removed", k, why)
	}
}

// The single-server change bug (Ongaro, raft-dev, 2015; dissertation
// section 4.1): a leader must not take a change before an entry of its own
// term commits, or a change left pending by an earlier leader and its own
// could be committed by majorities that share no server. So a new leader
// refuses a change until its no-op is committed.
func TestChangeRefusedUntilTheLeadersNoopCommits(t *testing.T) {
	c := settled(t) // s1 leads; the configuration at index 1 is committed
	c.campaign(2)
	c.stabilize(ofType(MsgVote, MsgVoteResp))
	n := c.node(2)
	if n.Role() != Leader || n.Commit() < n.Status().ConfigIndex {
		t.Fatalf("s2 is %v, commit %d; want a new leader whose configuration is committed", n.Role(), n.Commit())
	}
	c.addPeer(4)
	if err := n.AddServer(4); !errors.Is(err, ErrChangeInProgress) {
		t.Fatalf("AddServer before the no-op committed = %v, want ErrChangeInProgress", err)
	}
	if err := n.RemoveServer(3); !errors.Is(err, ErrChangeInProgress) {
		t.Fatalf("RemoveServer before the no-op committed = %v, want ErrChangeInProgress", err)
	}
	if n.HasReady() && len(n.Ready().Entries) != 0 {
		t.Fatal("a refused change appended an entry")
	}
	c.stabilize(all)
	if err := n.AddServer(4); err != nil {
		t.Fatalf("AddServer once the no-op committed = %v", err)
	}
}

// Bad requests get a clear error and change nothing.
func TestMembershipChangeRefusals(t *testing.T) {
	c := settled(t)
	var nl *NotLeaderError
	if err := c.node(2).AddServer(4); !errors.As(err, &nl) || nl.Leader != 1 {
		t.Fatalf("AddServer at a follower = %v, want a *NotLeaderError naming s1", err)
	}
	n := c.node(1)
	last := n.LastIndex()
	for name, err := range map[string]error{
		"add s0":             n.AddServer(None),
		"add a voter":        n.AddServer(2),
		"remove a stranger":  n.RemoveServer(9),
		"remove nobody":      n.RemoveServer(None),
		"remove at follower": c.node(3).RemoveServer(2),
	} {
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if n.LastIndex() != last {
		t.Fatal("a refused change appended an entry")
	}

	// One server at a time: a change waits for the one before it.
	if err := n.RemoveServer(3); err != nil {
		t.Fatal(err)
	}
	if err := n.RemoveServer(2); !errors.Is(err, ErrChangeInProgress) {
		t.Fatalf("a second change while the first is not committed = %v, want ErrChangeInProgress", err)
	}
	c.flush(1)
	c.stabilize(all)
	if err := n.RemoveServer(2); err != nil {
		t.Fatalf("a change once the first committed = %v", err)
	}
	c.flush(1)
	c.stabilize(all)
	if err := n.RemoveServer(1); err == nil {
		t.Fatal("removing the last voter accepted")
	}

	// A learner catching up holds up other changes, and may be removed.
	c.addPeer(4)
	c.change(1, func(n *Node) error { return n.AddServer(4) })
	c.drop(to(4))
	if err := n.AddServer(5); !errors.Is(err, ErrChangeInProgress) {
		t.Fatalf("AddServer while a learner catches up = %v, want ErrChangeInProgress", err)
	}
	if err := n.RemoveServer(4); err != nil {
		t.Fatalf("removing a learner that catches up = %v", err)
	}
	c.flush(1)
	if st := n.Status(); !slices.Equal(st.Members, []ID{1}) || len(st.Learners) != 0 || st.Commit < st.ConfigIndex {
		t.Fatalf("members %v, learners %v, commit %d of %d after cancelling; want [s1] alone, committed", st.Members, st.Learners, st.Commit, st.ConfigIndex)
	}

	// No change during a leadership transfer.
	d := settled(t)
	if err := d.node(1).TransferLeadership(2); err != nil {
		t.Fatal(err)
	}
	if err := d.node(1).RemoveServer(3); !errors.Is(err, ErrTransferring) {
		t.Fatalf("a change during a transfer = %v, want ErrTransferring", err)
	}
}

// Section 4.2.3: a removed server that never learned of its removal (cut
// off at the time) times out and asks for votes in ever higher terms. The
// others ignore requests from outside their configuration, so it cannot
// depose the leader.
func TestRemovedServerCannotDisruptTheCluster(t *testing.T) {
	c := settled(t)
	c.change(1, func(n *Node) error { return n.RemoveServer(3) })
	c.stabilize(not(to(3)))
	c.drop(to(3))
	if n := c.node(1); n.Commit() < n.Status().ConfigIndex {
		t.Fatal("the removal did not commit on s1 and s2")
	}
	term := c.node(1).Term()
	for range 5 {
		c.node(3).SetElectionTimer(1)
		c.tick(3, 1)
		c.stabilize(all)
	}
	if c.node(3).Term() <= term {
		t.Fatal("the cut-off s3 did not stand for election")
	}
	if n := c.node(1); n.Role() != Leader || n.Term() != term {
		t.Fatalf("s1 is %v in term %d after the removed s3 stood; want still leading term %d", n.Role(), n.Term(), term)
	}
}

// A leader replicates to a server it removes until the removal commits, so
// that the server learns it is out and stops standing for election.
func TestRemovedServerLearnsItsRemoval(t *testing.T) {
	c := settled(t)
	c.change(1, func(n *Node) error { return n.RemoveServer(3) })
	c.stabilize(all)
	n := c.node(3)
	if slices.Contains(n.Status().Members, 3) {
		t.Fatalf("s3 still sees itself a member: %v", n.Status().Members)
	}
	c.tick(3, 200)
	if n.Campaigns() != 0 {
		t.Fatal("the removed s3 stood for election")
	}
	// The leader no longer sends it anything.
	c.tick(1, c.cfgs[1].HeartbeatInterval)
	if ms := c.take(to(3)); len(ms) != 0 {
		t.Fatalf("the leader still sends the removed s3: %s", fmtMsgs(ms))
	}
}

// A snapshot keeps the configuration's learners: a server restored from
// it, or sent it, knows who is catching up.
func TestSnapshotKeepsLearners(t *testing.T) {
	c := settled(t)
	c.addPeer(4)
	c.change(1, func(n *Node) error { return n.AddServer(4) })
	c.stabilize(not(to(4)))
	c.drop(to(4))
	s := c.compact(1, "state")
	if !slices.Equal(s.Members, []ID{1, 2, 3}) || !slices.Equal(s.Learners, []ID{4}) {
		t.Fatalf("snapshot members %v, learners %v; want [s1 s2 s3], [s4]", s.Members, s.Learners)
	}
	c.crash(1)
	c.restart(1)
	if st := c.node(1).Status(); !slices.Equal(st.Learners, []ID{4}) {
		t.Fatalf("learners %v after a restart from the snapshot, want [s4]", st.Learners)
	}
}

func TestConfigurationEncoding(t *testing.T) {
	for _, cf := range []Configuration{
		{Voters: []ID{1, 2, 3}},
		{Voters: []ID{1}, Learners: []ID{2}},
		{Voters: []ID{2, 5}, Learners: []ID{1, 9}},
	} {
		got, err := DecodeConfiguration(cf.encode())
		if err != nil || !slices.Equal(got.Voters, cf.Voters) || !slices.Equal(got.Learners, cf.Learners) {
			t.Fatalf("decode(encode(%v)) = %v, %v", cf, got, err)
		}
	}
	if old, _ := ConfigEntry([]ID{3, 1, 2}); string(old.Data) != string((&Configuration{Voters: []ID{1, 2, 3}}).encode()) {
		t.Fatal("a configuration without learners does not encode as a member list")
	}
	for name, cf := range map[string]Configuration{
		"voter and learner": {Voters: []ID{1, 2}, Learners: []ID{2}},
		"learner 0":         {Voters: []ID{1}, Learners: []ID{0}},
		"no voters":         {Learners: []ID{1}},
	} {
		if _, err := DecodeConfiguration(cf.encode()); err == nil {
			t.Errorf("%s: decoded without an error", name)
		}
	}
	if _, err := DecodeConfiguration(append((&Configuration{Voters: []ID{1}}).encode(), 0)); err == nil {
		t.Error("an empty learner list decoded without an error")
	}
}
