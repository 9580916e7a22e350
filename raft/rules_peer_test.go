package raft_test

import (
	"testing"

	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/lock"
)

// ApplyRetries is the one rule a Peer (not its Node) keeps: a client's
// retry, landing in the log after its first copy was applied, is answered
// from the session table, and applied again only with the rule broken.
func TestPeerBreakingApplyRetriesRunsARetryTwice(t *testing.T) {
	for _, broken := range []bool{false, true} {
		config := raft.DefaultConfig
		if broken {
			config = func(id raft.ID) raft.Config {
				c := raft.DefaultConfig(id)
				c.Broken = raft.Break(raft.ApplyRetries)
				return c
			}
		}
		c := newLockCluster(t, 3, true, config)
		c.configure()
		w1 := raft.Request{Client: 9, Seq: 1, Lowest: 1, Cmd: lock.Lock("alice")}
		if r := c.await(second(c.submit(2, w1))); r != "ok" {
			t.Fatalf("lock alice = %q", r)
		}
		w2 := raft.Request{Client: 9, Seq: 2, Lowest: 1, Cmd: lock.Unlock("alice")}
		if r := c.await(second(c.submit(1, w2))); r != "ok" {
			t.Fatalf("unlock alice = %q", r)
		}
		// The retry of seq 1 (its reply lost, say) lands in the log again.
		if r := c.await(second(c.submit(3, w1))); r != "ok" {
			t.Fatalf("retry of lock alice = %q, want ok", r)
		}
		st, _ := c.peers[3].State()
		if st.Locked != broken {
			t.Fatalf("ApplyRetries broken=%v: after alice's unlock, her retried lock left the lock %v", broken, st)
		}
	}
}
