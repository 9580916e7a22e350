package raft_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/lock"
)

// Through the Peer, on goroutines: a server started empty is added and
// catches up to vote, then the leader removes itself and another leads;
// the lock's state survives it all, and bad requests are refused.
func TestPeerAddAndRemoveServers(t *testing.T) {
	c := newLockCluster(t, 3, false)
	c.configure()
	if got := c.write(1, lock.Lock("alice")); got != "ok" {
		t.Fatalf("lock = %q", got)
	}
	var nl *raft.NotLeaderError
	if err := c.peers[2].AddServer(4); !errors.As(err, &nl) || nl.Leader != 1 {
		t.Fatalf("AddServer at a follower = %v, want a *NotLeaderError naming s1", err)
	}
	if err := c.peers[1].RemoveServer(9); err == nil {
		t.Fatal("RemoveServer of a stranger accepted")
	}

	c.stores[4] = raft.NewMemoryStorage()
	c.start(4)
	if err := c.peers[1].AddServer(4); err != nil {
		t.Fatal(err)
	}
	if err := c.peers[1].AddServer(5); !errors.Is(err, raft.ErrChangeInProgress) {
		t.Fatalf("a second AddServer while s4 catches up = %v, want ErrChangeInProgress", err)
	}
	c.until("s4 votes", func() bool {
		st, _ := c.peers[4].Status()
		return slices.Equal(st.Members, []raft.ID{1, 2, 3, 4}) && st.Commit >= st.ConfigIndex
	})
	if st, _ := c.peers[4].State(); st.Holder != "alice" {
		t.Fatalf("s4 applied %+v, want alice's lock", st)
	}

	if err := c.peers[1].RemoveServer(1); err != nil {
		t.Fatal(err)
	}
	var leader raft.ID
	c.until("another leader", func() bool {
		for _, id := range []raft.ID{2, 3, 4} {
			if st, _ := c.peers[id].Status(); st.Role == raft.Leader && !slices.Contains(st.Members, 1) {
				leader = id
				return true
			}
		}
		return false
	})
	if got := c.write(leader, lock.Unlock("alice")); got != "ok" {
		t.Fatalf("unlock at the new leader %v = %q", leader, got)
	}
	if st, _ := c.peers[1].Status(); st.Role == raft.Leader {
		t.Fatal("the removed s1 still leads")
	}
}
