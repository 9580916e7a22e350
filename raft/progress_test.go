package raft

import (
	"slices"
	"testing"
)

// The leader's replication state machine (progress.go) and the follower's
// holding of overtaken AppendEntries (overtaken.go): one probe at a time,
// only its answer moves nextIndex, heartbeats never probe, a bounded window
// once the logs match, and nothing sent twice because the network reordered
// or duplicated it.

// conflictRun elects s1 over s2, whose log conflicts with s1's in each of k
// terms (s1: 1 2 4 ... 2k; s2: 1 1 3 ... 2k-1), so that finding the match
// takes k probes. Every round ticks every node once and delivers every
// message in flight copies times. It returns how many messages the nodes
// sent until s2 held s1's log and commit index.
func conflictRun(t *testing.T, k, copies int) int {
	t.Helper()
	leader, follower := []uint64{1}, []uint64{1, 1}
	for i := 1; i <= k; i++ {
		leader = append(leader, uint64(2*i))
		if i < k {
			follower = append(follower, uint64(2*i+1))
		}
	}
	c := emptyCluster(t, 3)
	term := uint64(2 * k)
	c.load(1, HardState{Term: term}, logOf(ids(3), leader...))
	c.load(2, HardState{Term: term}, logOf(ids(3), follower...))
	c.load(3, HardState{Term: term}, logOf(ids(3), leader...))
	c.campaign(1)
	const limit = 100_000
	for round := 0; ; round++ {
		if n := c.node(1); n.role == Leader && entriesEqual(c.log(2), c.log(1)) && c.node(2).commit == n.commit {
			return len(c.sent)
		}
		if round == 2000 {
			t.Fatalf("k=%d, %d copies: s2 does not match the leader after %d rounds and %d messages", k, copies, round, len(c.sent))
		}
		c.tickAll()
		batch := c.queue
		c.queue = nil
		for _, m := range batch {
			for range copies {
				c.step(m)
			}
			if len(c.sent) > limit {
				t.Fatalf("k=%d, %d copies: %d messages in %d rounds and s2 still does not match: "+
					"duplicate refusals breed probes", k, copies, len(c.sent), round)
			}
		}
	}
}

// Issue 9, item 1: a follower whose log conflicts with the leader's over K
// terms, on a network that delivers every message twice, took about
// (1+dup)^(2K) AppendEntries to repair: every refusal, duplicates and stale
// ones included, started a new probe, and every heartbeat another. Now the
// messages grow linearly with K, with duplication and without.
func TestConflictRepairCostsMessagesLinearInTermsUnderDuplication(t *testing.T) {
	for _, copies := range []int{1, 2} {
		k10, k20 := conflictRun(t, 10, copies), conflictRun(t, 20, copies)
		t.Logf("%d copies of every message: K=10 took %d messages, K=20 took %d", copies, k10, k20)
		// Linear: the second ten terms cost no more than the first ten
		// (plus a little for the longer log's heartbeats).
		if k20 > 2*k10+10 || k20 > 20*20 {
			t.Errorf("%d copies: K=10 took %d messages, K=20 took %d: not linear in K", copies, k10, k20)
		}
	}
}

// probing returns a cluster whose leader s1 (term 3) has sent s2 its first
// probe, prev (3, 2), which s2 (log 1 1 1) refuses: the refusal is queued.
func probing(t *testing.T) *cluster {
	t.Helper()
	c := emptyCluster(t, 3)
	c.load(1, HardState{Term: 2}, logOf(ids(3), 1, 1, 2))
	c.load(2, HardState{Term: 2}, logOf(ids(3), 1, 1, 1))
	c.load(3, HardState{Term: 2}, logOf(ids(3), 1, 1, 2))
	c.campaign(1)
	c.stabilize(ofType(MsgVote, MsgVoteResp))
	c.stabilize(not(to(2)))
	c.deliver(and(to(2), ofType(MsgApp)))
	if got := len(c.take(ofType(MsgApp))); got != 0 {
		t.Fatalf("%d AppendEntries queued before the refusal came back", got)
	}
	return c
}

// Only the answer to the probe in flight moves nextIndex: a second copy of
// the refusal, arriving after the leader has sent its next probe, is
// ignored.
func TestDuplicateRefusalDoesNotStartAnotherProbe(t *testing.T) {
	c := probing(t)
	refusal := one(t, c.take(and(from(2), ofType(MsgAppResp))))
	if refusal.Success || refusal.PrevLogIndex != 3 {
		t.Fatalf("s2 answered %s, want a refusal naming prev 3", fmtMsg(refusal))
	}
	c.step(refusal)
	probe := one(t, c.take(and(to(2), ofType(MsgApp))))
	if probe.PrevLogIndex != 2 {
		t.Fatalf("next probe: %s, want prev 2", fmtMsg(probe))
	}
	c.step(refusal) // the network's copy
	if got := c.take(to(2)); len(got) != 0 {
		t.Fatalf("a duplicate refusal made the leader send%s", fmtMsgs(got))
	}
	c.step(probe)
	c.stabilize(all)
	if !entriesEqual(c.log(2), c.log(1)) {
		t.Fatalf("s2's log %v, want the leader's %v", terms(c.log(2)), terms(c.log(1)))
	}
}

// While a probe is in flight, a heartbeat is a heartbeat: an AppendEntries
// with no entries, whose previous entry is where the logs are known to
// agree, so that it is never refused and never probes.
func TestHeartbeatDoesNotProbeWhileAProbeIsInFlight(t *testing.T) {
	c := probing(t)
	refusal := one(t, c.take(from(2))) // still on its way
	c.tick(1, c.cfgs[1].HeartbeatInterval)
	hb := one(t, c.take(and(to(2), ofType(MsgApp))))
	if len(hb.Entries) != 0 || hb.PrevLogIndex != 0 {
		t.Fatalf("heartbeat while probing: %s, want no entries and prev 0 (no match known yet)", fmtMsg(hb))
	}
	c.step(hb)
	if ans := one(t, c.take(and(from(2), ofType(MsgAppResp)))); !ans.Success {
		t.Fatalf("s2 refused the heartbeat: %s", fmtMsg(ans))
	}
	if got := c.take(to(2)); len(got) != 0 {
		t.Fatalf("the heartbeat's answer made the leader send%s", fmtMsgs(got))
	}
	c.step(refusal)
	one(t, c.take(and(to(2), ofType(MsgApp)))) // the next probe
}

// A probe that no answer follows for an election timeout is taken as lost
// and sent again, once.
func TestLostProbeIsSentAgainAfterAnElectionTimeout(t *testing.T) {
	c := probing(t)
	c.drop(all) // the refusal is lost
	var probes []Message
	c.tap = func(m Message) {
		if m.Type == MsgApp && m.To == 2 && len(m.Entries) > 0 {
			probes = append(probes, m)
		}
	}
	for range c.cfgs[1].ElectionTimeoutMin - 1 {
		c.tick(1, 1)
		c.stabilize(all)
	}
	if len(probes) != 0 {
		t.Fatalf("the probe was sent again before an election timeout: %s", fmtMsgs(probes))
	}
	for range c.cfgs[1].HeartbeatInterval {
		c.tick(1, 1)
		c.stabilize(all)
	}
	if len(probes) != 2 || probes[0].PrevLogIndex != 3 || probes[1].PrevLogIndex != 2 {
		t.Fatalf("probes delivered after the timeout:%s, want prev 3 again, then prev 2", fmtMsgs(probes))
	}
	if !entriesEqual(c.log(2), c.log(1)) {
		t.Fatalf("s2's log %v, want the leader's %v", terms(c.log(2)), terms(c.log(1)))
	}
}

// Once the logs match, entries stream with at most MaxInflightAppends
// AppendEntries unanswered; what is proposed meanwhile waits, and goes in
// one message when answers come.
func TestReplicationWindowBoundsAppendEntriesInFlight(t *testing.T) {
	c := newCluster(t, 3)
	c.reconfigure(func(cfg *Config) { cfg.MaxInflightAppends, cfg.EagerAppends = 2, true })
	c.elect(1)
	c.propose(1, 0, 1, 2, 3, 4)
	sent := c.take(and(to(2), ofType(MsgApp)))
	if len(sent) != 2 || len(sent[0].Entries) != 1 || len(sent[1].Entries) != 1 {
		t.Fatalf("AppendEntries to s2 for 5 proposals with a window of 2:%s", fmtMsgs(sent))
	}
	c.step(sent[0])
	c.deliver(from(2))
	next := one(t, c.take(and(to(2), ofType(MsgApp))))
	if len(next.Entries) != 3 {
		t.Fatalf("after one answer the leader sent %s, want the 3 waiting entries at once", fmtMsg(next))
	}
	c.step(sent[1])
	c.step(next)
	c.stabilize(all)
	if !entriesEqual(c.log(2), c.log(1)) {
		t.Fatalf("s2's log %v, want the leader's %v", terms(c.log(2)), terms(c.log(1)))
	}
}

// Reordering: an AppendEntries that overtakes the one before it is kept by
// the follower, not refused, and handled when the earlier one arrives, so
// no entry is sent twice.
func TestOvertakenAppendEntriesIsHeldNotRefused(t *testing.T) {
	c := newCluster(t, 3)
	c.reconfigure(func(cfg *Config) { cfg.EagerAppends = true }) // each entry on its own
	c.elect(1)
	c.propose(1, 'a', 'b', 'c')
	sent := c.take(and(to(2), ofType(MsgApp)))
	if len(sent) != 3 {
		t.Fatalf("want 3 AppendEntries to s2, got%s", fmtMsgs(sent))
	}
	c.step(sent[2])
	c.step(sent[1])
	if got := c.take(from(2)); len(got) != 0 {
		t.Fatalf("s2 answered AppendEntries that overtook an earlier one:%s", fmtMsgs(got))
	}
	c.step(sent[0])
	answers := c.take(from(2))
	var matches []uint64
	for _, m := range answers {
		if !m.Success {
			t.Fatalf("s2 refused %s", fmtMsg(m))
		}
		matches = append(matches, m.MatchIndex)
	}
	if !slices.Equal(matches, []uint64{3, 4, 5}) {
		t.Fatalf("s2 answered with matches %v, want [3 4 5] (in log order)", matches)
	}
	for _, m := range answers {
		c.step(m)
	}
	c.stabilize(all)
	shipped := 0
	for _, m := range c.sent {
		if m.Type == MsgApp && m.To == 2 {
			shipped += len(m.Entries)
		}
	}
	if !entriesEqual(c.log(2), c.log(1)) || shipped != 4 { // the noop and a, b, c
		t.Fatalf("s2's log %v (leader %v), %d entries shipped to it, want 4", terms(c.log(2)), terms(c.log(1)), shipped)
	}
}

// An AppendEntries streamed after one that was lost waits at the follower;
// an election timeout later the leader probes again from matchIndex, and
// the kept message is used, not refused.
func TestLostAppendEntriesIsSentAgainAfterAnElectionTimeout(t *testing.T) {
	c := newCluster(t, 3)
	c.reconfigure(func(cfg *Config) { cfg.EagerAppends = true }) // each entry on its own
	c.elect(1)
	c.propose(1, 'a', 'b')
	sent := c.take(and(to(2), ofType(MsgApp)))
	c.step(sent[1]) // sent[0] is lost
	c.stabilize(not(to(2)))
	c.tick(1, c.cfgs[1].ElectionTimeoutMin)
	c.stabilize(all)
	if !entriesEqual(c.log(2), c.log(1)) || c.node(2).commit != c.node(1).commit {
		t.Fatalf("s2's log %v commit %d, want the leader's %v commit %d",
			terms(c.log(2)), c.node(2).commit, terms(c.log(1)), c.node(1).commit)
	}
}

// A kept AppendEntries sent again in a later round is answered: the leader
// waits for that answer, and may not know where the logs agree (it removed
// the follower and added it back in this term, probing from its own log's
// end). A network's copy, in the same round, is still kept.
func TestOvertakenAppendEntriesSentAgainIsAnswered(t *testing.T) {
	c := newCluster(t, 3)
	c.reconfigure(func(cfg *Config) { cfg.EagerAppends = true }) // each entry on its own
	c.elect(1)
	c.propose(1, 'a', 'b')
	sent := c.take(and(to(2), ofType(MsgApp)))
	c.step(sent[1]) // sent[0] is late
	c.step(sent[1]) // the network's copy
	if got := c.take(from(2)); len(got) != 0 {
		t.Fatalf("s2 answered an AppendEntries that overtook an earlier one, or its copy:%s", fmtMsgs(got))
	}
	again := sent[1]
	again.Round++
	c.step(again)
	got := one(t, c.take(from(2)))
	if got.Type != MsgAppResp || got.Success || got.ConflictIndex > c.node(2).log.lastIndex()+1 {
		t.Fatalf("s2 answered the copy sent again with %s, want a refusal pointing at its log's end", fmtMsg(got))
	}
	c.step(sent[0])
	c.stabilize(all)
	if !entriesEqual(c.log(2), c.log(1)) {
		t.Fatalf("s2's log %v, want the leader's %v", terms(c.log(2)), terms(c.log(1)))
	}
}

// Batching (the default, not EagerAppends): a write proposed while an
// AppendEntries to a follower is in flight waits for its answer, with the
// writes that come meanwhile, and they go in one AppendEntries; entries
// that fill an AppendEntries go at once, and a lone write never waits.
func TestPartialAppendEntriesWaitsForTheOneInFlight(t *testing.T) {
	c := settled(t)
	c.reconfigure(func(cfg *Config) { cfg.MaxEntriesPerAppend = 3 })
	c.elect(1)
	c.stabilize(all)
	c.propose(1, 'a')
	first := c.take(and(to(2), ofType(MsgApp)))
	if len(first) != 1 || len(first[0].Entries) != 1 {
		t.Fatalf("a lone write: AppendEntries to s2%s, want one carrying it", fmtMsgs(first))
	}
	c.propose(1, 'b', 'c')
	if held := c.take(and(to(2), ofType(MsgApp))); len(held) != 0 {
		t.Fatalf("writes b and c went out while a's AppendEntries was in flight:%s", fmtMsgs(held))
	}
	c.step(first[0])
	c.deliver(from(2))
	next := one(t, c.take(and(to(2), ofType(MsgApp))))
	if len(next.Entries) != 2 || string(next.Entries[0].Data) != "b" {
		t.Fatalf("after a's answer the leader sent %s, want b and c together", fmtMsg(next))
	}
	c.propose(1, 'd', 'e', 'f') // d and e wait for b and c's answer; with f they fill one
	full := one(t, c.take(and(to(2), ofType(MsgApp))))
	if len(full.Entries) != 3 || string(full.Entries[0].Data) != "d" {
		t.Fatalf("three waiting writes (a full AppendEntries) sent as %s, want them at once", fmtMsg(full))
	}
	c.step(next)
	c.step(full)
	c.stabilize(all)
	if !entriesEqual(c.log(2), c.log(1)) {
		t.Fatalf("s2's log %v, want the leader's %v", terms(c.log(2)), terms(c.log(1)))
	}
}
