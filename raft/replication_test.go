package raft

import (
	"bytes"
	"fmt"
	"slices"
	"testing"
)

// Log replication: section 5.3, section 5.4.2 (Figure 8), and Figure 2's
// AppendEntries RPC and "Rules for Servers".

// appNode returns follower 1 of members 1..3 in term 3 with a log of the
// given terms; its leader, s2, will speak in term 3.
func appNode(t *testing.T, logTerms ...uint64) *Node {
	t.Helper()
	return newNode(t, 1, HardState{Term: 3}, logOf(ids(3), logTerms...))
}

// app is an AppendEntries from s2 to s1 in term 3 carrying entries of the
// given terms after (prev, prevTerm).
func app(prev, prevTerm, commit uint64, entryTerms ...uint64) Message {
	m := Message{Type: MsgApp, From: 2, To: 1, Term: 3, PrevLogIndex: prev, PrevLogTerm: prevTerm, LeaderCommit: commit}
	for i, t := range entryTerms {
		idx := prev + 1 + uint64(i)
		m.Entries = append(m.Entries, Entry{Index: idx, Term: t, Data: []byte(fmt.Sprintf("new%d.%d", idx, t))})
	}
	return m
}

func logTerms(n *Node) []uint64 { return terms(n.Entries(1, n.log.lastIndex())) }

// Reference: Figure 2, AppendEntries RPC, receiver implementation 1: "Reply
// false if term < currentTerm (§5.1)". The stale leader learns the newer term
// from the reply; the receiver changes nothing, not even its timer.
func TestAppendEntriesReceiverRule1StaleTerm(t *testing.T) {
	n := appNode(t, 1, 1)
	n.Tick()
	m := app(2, 1, 2, 2)
	m.Term = 2
	r := one(t, stepOK(t, n, m))
	if r.Type != MsgAppResp || r.Success || r.Term != 3 {
		t.Fatalf("reply to a stale leader = %+v, want failure carrying term 3", r)
	}
	if st := n.Status(); st.LastIndex != 2 || st.Commit != 0 || st.Leader != None || st.ElectionElapsed != 1 {
		t.Fatalf("status after a stale AppendEntries = %+v: log, commit, leader and timer must be untouched", st)
	}
}

// Reference: Figure 2, AppendEntries RPC, receiver implementation 2: "Reply
// false if log doesn't contain an entry at prevLogIndex whose term matches
// prevLogTerm (§5.3)", with the hints of section 5.3 ("the follower can
// include the term of the conflicting entry and the first index it stores for
// that term").
func TestAppendEntriesReceiverRule2ConsistencyCheck(t *testing.T) {
	for _, tc := range []struct {
		name                     string
		prev, prevTerm           uint64
		success                  bool
		conflictTerm, conflictIx uint64
	}{
		{"prev past the end", 6, 3, false, 0, 5},
		{"prev term differs", 4, 3, false, 2, 3},
		{"prev term differs at the start of a term", 3, 3, false, 2, 3},
		{"prev matches", 4, 2, true, 0, 0},
		{"prev is the empty prefix", 0, 0, true, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := appNode(t, 1, 1, 2, 2) // log 1 1 2 2
			r := one(t, stepOK(t, n, app(tc.prev, tc.prevTerm, 0)))
			if r.Success != tc.success || r.ConflictTerm != tc.conflictTerm || r.ConflictIndex != tc.conflictIx {
				t.Fatalf("reply = success %v, conflict (term %d, index %d); want %v, (%d, %d)",
					r.Success, r.ConflictTerm, r.ConflictIndex, tc.success, tc.conflictTerm, tc.conflictIx)
			}
			if got := logTerms(n); !slices.Equal(got, []uint64{1, 1, 2, 2}) {
				t.Fatalf("log = %v, want it untouched", got)
			}
			if n.leader != 2 || n.Status().ElectionElapsed != 0 {
				t.Fatal("a failed consistency check still comes from the current leader: it must be followed and reset the timer")
			}
		})
	}
}

// Reference: Figure 2, AppendEntries RPC, receiver implementation 3: "If an
// existing entry conflicts with a new one (same index but different terms),
// delete the existing entry and all that follow it (§5.3)".
func TestAppendEntriesReceiverRule3ConflictTruncates(t *testing.T) {
	n := appNode(t, 1, 1, 2, 2, 2)
	rd := stepReady(t, n, app(2, 1, 0, 3, 3))
	if r := one(t, rd.Messages); !r.Success || r.MatchIndex != 4 {
		t.Fatalf("reply = %+v, want success with match index 4", r)
	}
	if got := logTerms(n); !slices.Equal(got, []uint64{1, 1, 3, 3}) {
		t.Fatalf("log = %v, want 1 1 3 3: entry 5 follows a conflict and must go too", got)
	}
	if len(rd.Entries) != 2 || rd.Entries[0].Index != 3 {
		t.Fatalf("Ready asks to save %v, want the 2 new entries from index 3 (overwriting storage)", rd.Entries)
	}
}

// Reference: Figure 2, AppendEntries receiver implementation 3 says to delete
// entries only when they conflict: an AppendEntries that arrives late, with
// fewer entries than the follower already has from the same leader, must not
// cut the log (otherwise the follower would lose entries it acknowledged).
func TestAppendEntriesReceiverRule3NoTruncationOnAStaleShorterMessage(t *testing.T) {
	n := appNode(t, 1, 1, 3, 3, 3)
	rd := stepReady(t, n, app(2, 1, 0, 3))
	if r := one(t, rd.Messages); !r.Success || r.MatchIndex != 3 {
		t.Fatalf("reply = %+v, want success with match index 3 (what this message proves)", r)
	}
	if got := logTerms(n); !slices.Equal(got, []uint64{1, 1, 3, 3, 3}) {
		t.Fatalf("log = %v, want 1 1 3 3 3: a stale shorter message truncated it", got)
	}
	if len(rd.Entries) != 0 {
		t.Fatalf("nothing changed, yet Ready asks to save %d entries", len(rd.Entries))
	}
}

// Reference: Figure 2, AppendEntries RPC, receiver implementation 4: "Append
// any new entries not already in the log".
func TestAppendEntriesReceiverRule4AppendsNewEntries(t *testing.T) {
	n := appNode(t, 1, 1, 2)
	old := n.Entries(3, 3)[0]
	rd := stepReady(t, n, app(2, 1, 0, 2, 2, 3))
	if r := one(t, rd.Messages); !r.Success || r.MatchIndex != 5 {
		t.Fatalf("reply = %+v, want success with match index 5", r)
	}
	if got := logTerms(n); !slices.Equal(got, []uint64{1, 1, 2, 2, 3}) {
		t.Fatalf("log = %v, want 1 1 2 2 3", got)
	}
	if e := n.Entries(3, 3)[0]; string(e.Data) != string(old.Data) {
		t.Fatal("entry 3 was already there with the same term: it must be kept, not rewritten")
	}
	if len(rd.Entries) != 2 || rd.Entries[0].Index != 4 {
		t.Fatalf("Ready asks to save %d entries, want the 2 new ones from index 4", len(rd.Entries))
	}
}

// Reference: Figure 2, AppendEntries RPC, receiver implementation 5: "If
// leaderCommit > commitIndex, set commitIndex = min(leaderCommit, index of
// last new entry)". Entries past the last new one are not known to match the
// leader and must not be committed.
func TestAppendEntriesReceiverRule5CommitIndex(t *testing.T) {
	n := appNode(t, 1, 1, 1, 1) // entries 3 and 4 are not yet known to match
	stepOK(t, n, app(2, 1, 4))
	if n.commit != 2 {
		t.Fatalf("heartbeat after index 2 with leader commit 4: commit = %d, want 2 (index of last new entry)", n.commit)
	}
	rd := stepReady(t, n, app(2, 1, 3, 1, 1))
	if n.commit != 3 {
		t.Fatalf("leader commit 3 with entries to 4: commit = %d, want 3", n.commit)
	}
	if got := rd.Committed; len(got) != 1 || got[0].Index != 3 {
		t.Fatalf("Ready hands out committed entries %v, want entry 3 (1 and 2 were handed out before)", got)
	}
	stepOK(t, n, app(1, 1, 1))
	if n.commit != 3 {
		t.Fatalf("an older message with leader commit 1 moved commit back to %d", n.commit)
	}
	if rd := stepReady(t, n, app(3, 1, 3)); len(rd.Committed) != 0 {
		t.Fatalf("committed entries handed out again: %v", rd.Committed)
	}
}

// Reference: Figure 2, State, "Volatile state on leaders: nextIndex ...
// initialized to leader last log index + 1; matchIndex ... initialized to 0",
// and Rules for Servers, Leaders: "If successful: update nextIndex and
// matchIndex for follower (§5.3)".
func TestLeaderNextIndexAndMatchIndex(t *testing.T) {
	c := emptyCluster(t, 3)
	c.load(1, HardState{Term: 1}, logOf(ids(3), 1, 1, 1))
	c.load(2, HardState{Term: 1}, logOf(ids(3), 1, 1, 1))
	c.load(3, HardState{Term: 1}, logOf(ids(3), 1))
	c.campaign(1)
	c.stabilize(ofType(MsgVote, MsgVoteResp))
	want := []Progress{{ID: 2, NextIndex: 4}, {ID: 3, NextIndex: 4}}
	if got := c.node(1).Status().Progress; !slices.Equal(got, want) {
		t.Fatalf("new leader's progress = %+v, want %+v (last index 3 + 1, match 0)", got, want)
	}
	c.stabilize(all)
	// Both logs now match the leader's: entries stream from here on.
	want = []Progress{{ID: 2, NextIndex: 5, MatchIndex: 4, State: ProgressReplicate}, {ID: 3, NextIndex: 5, MatchIndex: 4, State: ProgressReplicate}}
	if got := c.node(1).Status().Progress; !slices.Equal(got, want) {
		t.Fatalf("progress after replication = %+v, want %+v", got, want)
	}
	if n := c.node(1); n.commit != 4 {
		t.Fatalf("leader commit = %d, want 4", n.commit)
	}
}

// Reference: Figure 2, Leaders: "If there exists an N such that N >
// commitIndex, a majority of matchIndex[i] ≥ N, and log[N].term ==
// currentTerm: set commitIndex = N".
func TestLeaderCommitsWhenAMajorityHasTheEntry(t *testing.T) {
	c := newCluster(t, 5)
	c.elect(1)
	if err := c.node(1).Propose(Entry{Data: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	c.flush(1)
	idx := c.node(1).log.lastIndex()
	c.deliver(and(ofType(MsgApp), to(2)))
	c.deliver(ofType(MsgAppResp))
	if got := c.node(1).commit; got >= idx {
		t.Fatalf("commit = %d with the entry on 2 of 5 peers, want below %d", got, idx)
	}
	c.deliver(and(ofType(MsgApp), to(3)))
	c.deliver(ofType(MsgAppResp))
	if got := c.node(1).commit; got != idx {
		t.Fatalf("commit = %d with the entry on 3 of 5 peers, want %d", got, idx)
	}
}

// backtrack elects s1 (log leaderLog, term 4, so it leads term 5) over a
// follower s2 holding followerLog, and returns the PrevLogIndex of every
// AppendEntries s1 sent s2 until s2's log matched.
func backtrack(t *testing.T, leaderLog, followerLog []uint64) []uint64 {
	t.Helper()
	c := emptyCluster(t, 3)
	c.load(1, HardState{Term: 4}, logOf(ids(3), leaderLog...))
	c.load(2, HardState{Term: 4}, logOf(ids(3), followerLog...))
	c.load(3, HardState{Term: 4}, logOf(ids(3), 1))
	c.elect(1)
	want := append(slices.Clone(leaderLog), 5) // and the noop of term 5
	if got := terms(c.log(2)); !slices.Equal(got, want) {
		t.Fatalf("s2's log = %v after repair, want %v", got, want)
	}
	var prevs []uint64
	for _, m := range c.sent {
		if m.Type == MsgApp && m.To == 2 {
			prevs = append(prevs, m.PrevLogIndex)
		}
	}
	return prevs
}

// Reference: section 5.3: "when rejecting an AppendEntries request, the
// follower can include the term of the conflicting entry and the first index
// it stores for that term. With this information, the leader can decrement
// nextIndex to bypass all of the conflicting entries in that term". When the
// leader has entries of the conflicting term, it retries just after its last
// one.
func TestFastBacktrackingLeaderHasTheConflictTerm(t *testing.T) {
	// Leader 1 1 2 2 4 4 [5]; follower 1 1 2 2 2 2 3 3. s2 rejects prev 6
	// (term 4) with conflict term 2 from index 3; the leader's last entry of
	// term 2 is index 4, so it retries with prev 4, which matches.
	prevs := backtrack(t, []uint64{1, 1, 2, 2, 4, 4}, []uint64{1, 1, 2, 2, 2, 2, 3, 3})
	if !slices.Equal(prevs, []uint64{6, 4}) {
		t.Fatalf("AppendEntries to s2 had prev indexes %v, want [6 4]", prevs)
	}
}

// Reference: section 5.3 (as above). When the leader has no entry of the
// conflicting term, it skips the follower's whole term: it retries at the
// follower's first index of that term.
func TestFastBacktrackingLeaderLacksTheConflictTerm(t *testing.T) {
	// Leader 1 1 2 4 4 [5]; follower 1 1 3 3 3 3. s2 rejects prev 5 with
	// conflict term 3 from index 3; the leader has no term 3, so it retries
	// with prev 2.
	prevs := backtrack(t, []uint64{1, 1, 2, 4, 4}, []uint64{1, 1, 3, 3, 3, 3})
	if !slices.Equal(prevs, []uint64{5, 2}) {
		t.Fatalf("AppendEntries to s2 had prev indexes %v, want [5 2]", prevs)
	}
}

// A follower whose log is too short says where it ends, and the leader
// retries from there in one step.
func TestFastBacktrackingFollowerLogTooShort(t *testing.T) {
	prevs := backtrack(t, []uint64{1, 1, 2, 2, 4, 4, 4, 4}, []uint64{1, 1, 2})
	if !slices.Equal(prevs, []uint64{8, 3}) {
		t.Fatalf("AppendEntries to s2 had prev indexes %v, want [8 3]", prevs)
	}
}

// Reference: Figure 7: "When the leader at the top comes to power, it is
// possible that any of scenarios (a–f) could occur in follower logs. ... a–b
// are missing entries, c–d have extra uncommitted entries, e–f both". And
// section 5.3: "the leader handles inconsistencies by forcing the followers'
// logs to duplicate its own". Here the leader of term 8 and followers a-f
// form a cluster of seven; the leader is elected with the votes of a, b, e
// and f, and repairs every log.
func TestFigure7FollowersWithConflictingLogsAreRepaired(t *testing.T) {
	leader := []uint64{1, 1, 1, 4, 4, 5, 5, 6, 6, 6}
	followers := []struct {
		name       string
		term       uint64
		log        []uint64
		rejections int // round trips to find the match, with the conflict hints
	}{
		{"a", 6, []uint64{1, 1, 1, 4, 4, 5, 5, 6, 6}, 1},
		{"b", 4, []uint64{1, 1, 1, 4}, 1},
		{"c", 6, []uint64{1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6}, 0},
		{"d", 7, []uint64{1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7}, 0},
		{"e", 4, []uint64{1, 1, 1, 4, 4, 4, 4}, 2},
		{"f", 3, []uint64{1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3}, 2},
	}
	c := emptyCluster(t, 7)
	c.load(1, HardState{Term: 7}, logOf(c.ids, leader...))
	for i, f := range followers {
		c.load(ID(i+2), HardState{Term: f.term}, logOf(c.ids, f.log...))
	}
	c.campaign(1)
	c.stabilize(ofType(MsgVote, MsgVoteResp))
	for i, f := range followers {
		granted := false
		for _, m := range c.sent {
			if m.Type == MsgVoteResp && m.From == ID(i+2) {
				granted = m.VoteGranted
			}
		}
		if wantGrant := f.name != "c" && f.name != "d"; granted != wantGrant {
			t.Fatalf("follower %s granted = %v, want %v (section 5.4.1)", f.name, granted, wantGrant)
		}
	}
	if n := c.node(1); n.role != Leader || n.term != 8 {
		t.Fatalf("s1 is %v in term %d, want leader of term 8", n.role, n.term)
	}
	c.stabilize(all)
	c.tick(1, 2) // a heartbeat carries the new commit index
	c.stabilize(all)

	want := append(slices.Clone(leader), 8) // and the leader's noop
	for i, f := range followers {
		id := ID(i + 2)
		if got := terms(c.log(id)); !slices.Equal(got, want) {
			t.Errorf("follower %s: log %v, want the leader's %v", f.name, got, want)
		}
		if !entriesEqual(c.log(id), c.log(1)) {
			t.Errorf("follower %s: entries differ from the leader's", f.name)
		}
		if got := c.node(id).commit; got != 11 {
			t.Errorf("follower %s: commit %d, want 11", f.name, got)
		}
		if !entriesEqual(c.applied[id], c.log(1)) {
			t.Errorf("follower %s applied %v, want the leader's whole log", f.name, terms(c.applied[id]))
		}
		rejections := 0
		for _, m := range c.sent {
			if m.Type == MsgAppResp && m.From == id && !m.Success {
				rejections++
			}
		}
		if rejections != f.rejections {
			t.Errorf("follower %s rejected %d AppendEntries, want %d (one per conflicting term)", f.name, rejections, f.rejections)
		}
		// Its storage holds exactly the repaired log.
		st, _ := c.stores[id].Load()
		stored := st.Entries
		if !entriesEqual(stored, c.log(1)) {
			t.Errorf("follower %s: storage holds %v, want the leader's log", f.name, terms(stored))
		}
	}
}

// figure8c drives five peers through Figure 8 (a)-(c) and returns the
// cluster in state (c). Index 1 is the configuration (term 1); the figure's
// entry of term 2 is s1's noop of term 2 at index 2, and so on.
func figure8c(t *testing.T) *cluster {
	c := newCluster(t, 5)
	for _, id := range c.ids { // one entry per AppendEntries: place each exactly
		cfg := c.cfgs[id]
		cfg.MaxEntriesPerAppend = 1
		c.cfgs[id] = cfg
		c.restart(id)
	}
	// (a) S1 is leader in term 2 and replicates its entry at index 2 to S2
	// only.
	c.campaign(1)
	c.stabilize(ofType(MsgVote, MsgVoteResp))
	c.deliver(and(ofType(MsgApp), to(2)))
	c.drop(all)
	// (b) S1 crashes; S5 is elected leader for term 3 with votes from S3,
	// S4 and itself, and accepts a different entry at index 2.
	c.crash(1)
	c.campaign(5)
	c.stabilize(ofType(MsgVote, MsgVoteResp))
	if n := c.node(5); n.role != Leader || n.term != 3 {
		t.Fatalf("(b): s5 is %v in term %d, want leader of term 3", n.role, n.term)
	}
	c.drop(all)
	// (c) S5 crashes; S1 restarts, is elected leader (term 4 after a
	// failed election in term 3: s3 and s4 voted for s5 in it), and
	// continues replication. Its entry of term 2 reaches S3 and S4.
	c.crash(5)
	c.restart(1)
	c.campaign(1)
	c.stabilize(ofType(MsgVote, MsgVoteResp))
	c.campaign(1)
	c.stabilize(ofType(MsgVote, MsgVoteResp))
	if n := c.node(1); n.role != Leader || n.term != 4 {
		t.Fatalf("(c): s1 is %v in term %d, want leader of term 4", n.role, n.term)
	}
	c.drop(to(2))
	// s3 and s4 reject prev (2, 2), get index 2, acknowledge it.
	for range 2 {
		c.deliver(and(ofType(MsgApp), to(3, 4)))
		c.deliver(ofType(MsgAppResp))
	}
	for _, id := range []ID{1, 2, 3, 4} {
		if got := terms(c.log(id))[:2]; !slices.Equal(got, []uint64{1, 2}) {
			t.Fatalf("(c): %v's log starts %v, want 1 2", id, got)
		}
	}
	return c
}

// Reference: Figure 8 and section 5.4.2: "a leader cannot immediately
// conclude that an entry from a previous term is committed once it is
// stored on a majority of servers ... an old log entry [can be] stored on a
// majority of servers, yet still be overwritten by a future leader. ... Raft
// never commits log entries from previous terms by counting replicas."
func TestFigure8(t *testing.T) {
	t.Run("an old entry on a majority is not committed and can be overwritten", func(t *testing.T) {
		c := figure8c(t)
		leader := c.node(1)
		// S1 knows that S1, S3 and S4 hold index 2: a majority of five.
		var matches []uint64
		for _, pr := range leader.progress {
			matches = append(matches, pr.match)
		}
		if q := quorumIndex(matches); q < 2 {
			t.Fatalf("(c): leader's quorum index %d, want it to count index 2 on a majority", q)
		}
		if leader.commit >= 2 {
			t.Fatalf("(c): S1 committed index %d: an entry of term 2, counted in term 4", leader.commit)
		}
		// (d) S1 crashes; S5 restarts and is elected (term 5) by S2, S3 and
		// S4: its last entry (term 3) is more up-to-date than theirs (2).
		c.crash(1)
		c.drop(all)
		c.restart(5)
		c.campaign(5) // term 4: everyone voted for s1 in term 4
		c.stabilize(all)
		c.campaign(5)
		c.stabilize(all)
		if n := c.node(5); n.role != Leader || n.term != 5 {
			t.Fatalf("(d): s5 is %v in term %d, want leader of term 5", n.role, n.term)
		}
		// It overwrites index 2 everywhere with its own entry of term 3.
		for _, id := range []ID{2, 3, 4, 5} {
			if got := terms(c.log(id)); !slices.Equal(got, []uint64{1, 3, 5}) {
				t.Fatalf("(d): %v's log = %v, want 1 3 5: the entry of term 2 is overwritten", id, got)
			}
		}
		// Which is safe only because nobody ever applied it.
		for id, es := range c.applied {
			for _, e := range es {
				if e.Index == 2 && e.Term == 2 {
					t.Fatalf("%v applied the entry (2, 2) that was later overwritten", id)
				}
			}
		}
	})
	t.Run("an entry of the current term commits the old one with it", func(t *testing.T) {
		c := figure8c(t)
		// (e) S1 replicates an entry of its own term (index 3, term 4) on a
		// majority before crashing: now index 2 is committed too.
		c.stabilize(within(1, 3, 4))
		if got := c.node(1).commit; got != 3 {
			t.Fatalf("(e): S1's commit = %d, want 3 (its entry of term 4 and, with it, index 2)", got)
		}
		c.crash(1)
		c.restart(5)
		// S5 can no longer win: S3 and S4 have a later last term than S5.
		for range 5 {
			c.campaign(5)
			c.stabilize(all)
			if c.node(5).role == Leader {
				t.Fatalf("(e): S5 became leader in term %d and could overwrite committed index 2", c.node(5).term)
			}
		}
		// A peer that has the committed entries can, and keeps them.
		c.campaign(3)
		c.stabilize(all)
		if c.node(3).role != Leader {
			t.Fatal("(e): s3 could not be elected")
		}
		c.tick(3, 2)
		c.stabilize(all)
		for _, id := range []ID{2, 3, 4, 5} {
			if got := terms(c.log(id))[:3]; !slices.Equal(got, []uint64{1, 2, 4}) {
				t.Fatalf("(e): %v's log starts %v, want 1 2 4", id, got)
			}
			if got := terms(c.applied[id]); len(got) < 3 || !slices.Equal(got[:3], []uint64{1, 2, 4}) {
				t.Fatalf("(e): %v applied %v, want 1 2 4 first", id, got)
			}
		}
	})
}

// Reference: section 5.4.2: "Raft never commits log entries from previous
// terms by counting replicas. Only log entries from the leader's current
// term are committed by counting replicas; once an entry from the current
// term has been committed in this way, then all prior entries are committed
// indirectly". The new leader's noop is that entry of the current term
// (dissertation section 6.4).
func TestEarlierTermEntriesCommitWithTheNoop(t *testing.T) {
	c := emptyCluster(t, 3)
	c.load(1, HardState{Term: 2}, logOf(ids(3), 1, 2, 2))
	c.load(2, HardState{Term: 2}, logOf(ids(3), 1, 2, 2))
	c.load(3, HardState{Term: 2}, logOf(ids(3), 1))
	c.campaign(1)
	c.stabilize(ofType(MsgVote, MsgVoteResp))
	n := c.node(1)
	last := n.log.entries[n.log.lastIndex()-1]
	if last.Type != EntryNoop || last.Term != 3 || last.Index != 4 {
		t.Fatalf("new leader's last entry = %+v, want a noop of term 3 at index 4", last)
	}
	if n.commit != 0 {
		t.Fatalf("commit = %d before any follower acknowledged, want 0", n.commit)
	}
	c.deliver(and(ofType(MsgApp), to(2)))
	c.deliver(ofType(MsgAppResp))
	if n.commit != 4 {
		t.Fatalf("commit = %d once s2 holds the noop, want 4 (entries 2 and 3 of term 2 commit with it)", n.commit)
	}
	if got := terms(c.applied[1]); !slices.Equal(got, []uint64{1, 2, 2, 3}) {
		t.Fatalf("leader applied %v, want 1 2 2 3", got)
	}
}

// A leader streams a long log in messages of at most MaxEntriesPerAppend
// entries, and a new follower catches up.
func TestReplicationBatchesAtMostMaxEntriesPerAppend(t *testing.T) {
	c := newCluster(t, 3)
	c.reconfigure(func(cfg *Config) { cfg.MaxEntriesPerAppend = 4 })
	c.elect(1)
	c.propose(1, make([]byte, 30)...)
	c.stabilize(not(to(3))) // s3 is cut off
	c.drop(to(3))
	// and back: an election timeout without an answer from s3, and the
	// leader sends again what it takes as lost.
	c.tick(1, c.cfgs[1].ElectionTimeoutMin)
	c.stabilize(all)
	c.tick(1, 2)
	c.stabilize(all)
	for _, m := range c.sent {
		if len(m.Entries) > 4 {
			t.Fatalf("an AppendEntries carried %d entries, limit 4", len(m.Entries))
		}
	}
	if !entriesEqual(c.log(3), c.log(1)) || c.node(3).commit != c.node(1).log.lastIndex() {
		t.Fatalf("s3 has %d entries and commit %d, want the leader's %d, all committed",
			len(c.log(3)), c.node(3).commit, c.node(1).log.lastIndex())
	}
}

// A leader's AppendEntries carry at most MaxAppendBytes of commands, an
// entry larger than that alone, and a follower cut off meanwhile catches
// up: a transport that limits a message's size never meets one it must
// drop again and again.
func TestReplicationBatchesAtMostMaxAppendBytes(t *testing.T) {
	c := newCluster(t, 3)
	c.reconfigure(func(cfg *Config) { cfg.MaxAppendBytes = 100 })
	c.elect(1)
	c.stabilize(all)
	c.drop(to(3))
	for i, size := range []int{40, 40, 40, 40, 150, 40, 40, 40, 40, 40, 40} {
		if err := c.node(1).Propose(Entry{Type: EntryCommand, Data: bytes.Repeat([]byte{byte('a' + i)}, size)}); err != nil {
			t.Fatal(err)
		}
	}
	c.flush(1)
	c.stabilize(not(to(3)))
	c.drop(to(3))
	c.tick(1, c.cfgs[1].ElectionTimeoutMin)
	c.stabilize(all)
	c.tick(1, 2)
	c.stabilize(all)
	for _, m := range c.sent {
		size := 0
		for _, e := range m.Entries {
			size += len(e.Data)
		}
		if len(m.Entries) > 1 && size > 100 {
			t.Fatalf("an AppendEntries carried %d entries of %d bytes, limit 100", len(m.Entries), size)
		}
	}
	if !entriesEqual(c.log(3), c.log(1)) || c.node(3).commit != c.node(1).log.lastIndex() {
		t.Fatalf("s3 has %d entries and commit %d, want the leader's %d, all committed",
			len(c.log(3)), c.node(3).commit, c.node(1).log.lastIndex())
	}
}

// Reference: Figure 3, Leader Append-Only: "a leader never overwrites or
// deletes entries in its log". An AppendEntries of its own term can come
// only from a second leader of that term, which Election Safety rules out:
// the leader refuses it and changes nothing.
func TestLeaderRefusesAppendEntriesOfItsOwnTerm(t *testing.T) {
	c := newCluster(t, 3)
	c.elect(1)
	n := c.node(1)
	before := c.log(1)
	err := n.Step(Message{Type: MsgApp, From: 2, To: 1, Term: 2, PrevLogIndex: 1, PrevLogTerm: 1,
		Entries: []Entry{{Index: 2, Term: 2, Data: []byte("evil")}}})
	if err == nil {
		t.Fatal("a leader accepted AppendEntries from another leader of its term")
	}
	if !entriesEqual(c.log(1), before) || n.role != Leader || n.HasReady() {
		t.Fatal("the refused message changed the leader")
	}
}

// AppendEntries that no correct leader sends are refused with an error, and
// the follower is unchanged: entries out of sequence, terms going backwards
// or past the leader's term, unknown entry types, and entries that would
// replace ones the follower knows are committed.
func TestMalformedAppendEntriesAreRefused(t *testing.T) {
	base := func() *Node {
		n := appNode(t, 1, 1, 2, 2)
		stepOK(t, n, app(4, 2, 3)) // commit 3
		return n
	}
	bad := map[string]Message{
		"index gap":            func() Message { m := app(4, 2, 3, 3, 3); m.Entries[1].Index = 7; return m }(),
		"terms go backwards":   app(4, 2, 3, 3, 2),
		"term after leader's":  app(4, 2, 3, 4),
		"term zero":            app(4, 2, 3, 0),
		"prev term after term": app(4, 5, 3),
		"prev index 0, term 1": app(0, 1, 3),
		"prev term below entries": func() Message {
			m := app(4, 2, 3, 3)
			m.PrevLogTerm = 3
			m.Entries[0].Term = 2
			return m
		}(),
		"unknown entry type":  func() Message { m := app(4, 2, 3, 3); m.Entries[0].Type = 9; return m }(),
		"overwrites commit 3": app(2, 1, 3, 3, 3),
	}
	for name, m := range bad {
		t.Run(name, func(t *testing.T) {
			n := base()
			before := n.Status()
			log := n.Entries(1, 10)
			if err := n.Step(m); err == nil {
				t.Fatal("accepted")
			}
			if after := n.Status(); !slices.Equal(terms(log), terms(n.Entries(1, 10))) || after.Commit != before.Commit ||
				after.Term != before.Term || n.HasReady() {
				t.Fatal("the refused message changed the node")
			}
		})
	}
}
