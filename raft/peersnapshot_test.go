package raft_test

import (
	"testing"

	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/lock"
)

// newSnapshottingCluster is three lock peers configured by s1 that compact
// their logs every few entries.
func newSnapshottingCluster(t *testing.T, every int) *lockCluster {
	c := newLockCluster(t, 3, true)
	for id, p := range c.peers {
		p.Stop()
		delete(c.peers, id)
	}
	c.every = every
	for id := raft.ID(1); id <= 3; id++ {
		c.stores[id] = raft.NewMemoryStorage()
		c.start(id)
	}
	c.configure()
	return c
}

// A peer restarted from a snapshot comes back with the state machine's
// state and its client sessions: a retry of a write the snapshot covers
// still gets its first reply and is not applied again.
func TestPeerRestartsFromSnapshotWithStateAndSessions(t *testing.T) {
	c := newSnapshottingCluster(t, 3)
	_, ch := c.submit(1, raft.Request{Client: 9, Seq: 1, Lowest: 1, Cmd: lock.Lock("alice")})
	if got := c.await(ch); got != "ok" {
		t.Fatalf("lock alice -> %s", got)
	}
	for i := 0; i < 4; i++ { // push the log past a snapshot on every peer
		c.write(1, lock.Lock("bob"))
	}
	c.until("every peer has a snapshot", func() bool {
		for _, s := range c.stores {
			if st, _ := s.Load(); st.Snapshot.Index == 0 {
				return false
			}
		}
		return true
	})
	// Crash and restart s2 from its storage.
	c.peers[2].Stop()
	c.start(2)
	st, err := c.peers[2].State()
	if err != nil || st != (lock.State{Locked: true, Holder: "alice"}) {
		t.Fatalf("s2 after restart from a snapshot: %v, %v; want locked by alice", st, err)
	}
	// The retry of client 9's first write, sent to the restarted peer's
	// leader, is answered from the session table: ok, not error.
	_, ch = c.submit(1, raft.Request{Client: 9, Seq: 1, Lowest: 1, Cmd: lock.Lock("alice")})
	if got := c.await(ch); got != "ok" {
		t.Fatalf("retry of a write covered by a snapshot -> %s, want its first reply ok", got)
	}
}

// A follower that missed entries the leader has compacted catches up from
// the leader's snapshot (InstallSnapshot) and ends in the same state.
func TestPeerCatchesUpFromTheLeadersSnapshot(t *testing.T) {
	c := newSnapshottingCluster(t, 2)
	c.net.setCut(3, true)
	for _, cmd := range [][]byte{lock.Lock("alice"), lock.Unlock("alice"), lock.Lock("carol")} {
		c.write(1, cmd)
	}
	c.net.setCut(3, false)
	c.until("s3 holds the lock", func() bool {
		st, _ := c.peers[3].State()
		return st == (lock.State{Locked: true, Holder: "carol"})
	})
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.installs[3] != 1 {
		t.Fatalf("s3 installed %d snapshots from the leader, want 1", c.installs[3])
	}
	for _, a := range c.applied[3] {
		if string(a.Entry.Data) == "lock alice" {
			t.Fatal("s3 applied an entry the leader's snapshot covers")
		}
	}
}
