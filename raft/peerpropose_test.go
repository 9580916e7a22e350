package raft_test

import (
	"errors"
	"sync"
	"testing"

	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/lock"
)

// Propose answers where a write went, one way: the leader places it and
// says its index and term, and done gets the reply once it is applied; a
// follower refuses with a *NotLeaderError that names the leader, forwards
// nothing, and never calls done.
func TestPeerProposeAtTheLeaderOnly(t *testing.T) {
	for _, inline := range []bool{true, false} {
		c := newLockCluster(t, 3, inline)
		c.configure()
		ch := make(chan result, 1)
		pr, err := c.peers[1].Propose(raft.Request{Cmd: lock.Lock("a")}, func(r []byte, err error) { ch <- result{string(r), err} })
		if err != nil || pr.Index != 3 || pr.Term != 2 || pr.ID == 0 {
			t.Fatalf("inline=%v: Propose at the leader = %+v, %v; want index 3, term 2", inline, pr, err)
		}
		if r := c.await(ch); r != "ok" {
			t.Fatalf("inline=%v: lock a = %q, want ok", inline, r)
		}
		called := false
		c.net.pump(t)
		pr, err = c.peers[2].Propose(raft.Request{Cmd: lock.Lock("b")}, func([]byte, error) { called = true })
		var nl *raft.NotLeaderError
		if !errors.As(err, &nl) || nl.Leader != 1 || !nl.LeaderKnown || pr != (raft.Proposal{}) {
			t.Fatalf("inline=%v: Propose at a follower = %+v, %v; want a *NotLeaderError naming s1", inline, pr, err)
		}
		c.net.mu.Lock()
		queued := len(c.net.queue)
		c.net.mu.Unlock()
		if queued != 0 || called {
			t.Fatalf("inline=%v: the refused write was forwarded (%d messages) or answered through done (%v)", inline, queued, called)
		}
	}
}

// A write placed at a leader that loses office before it commits is
// answered ErrLost once the peer applies what the new leader put at its
// index: the caller learns its fate instead of waiting forever.
func TestPeerProposeLostWithItsLeader(t *testing.T) {
	c := newLockCluster(t, 3, true)
	c.configure()
	c.net.setCut(1, true)
	ch := make(chan result, 1)
	pr, err := c.peers[1].Propose(raft.Request{Cmd: lock.Lock("a")}, func(r []byte, err error) { ch <- result{string(r), err} })
	if err != nil || pr.Index != 3 {
		t.Fatalf("Propose = %+v, %v; want index 3", pr, err)
	}
	// s2 and s3 elect a leader and commit a write of their own at index 3.
	c.until("a new leader", func() bool {
		s, _ := c.peers[2].Status()
		t, _ := c.peers[3].Status()
		return s.Role == raft.Leader || t.Role == raft.Leader
	})
	other := raft.ID(2)
	if s, _ := c.peers[3].Status(); s.Role == raft.Leader {
		other = 3
	}
	if r := c.write(other, lock.Lock("b")); r != "ok" {
		t.Fatalf("lock b at the new leader = %q, want ok", r)
	}
	c.net.setCut(1, false)
	r := c.answer(ch)
	if !errors.Is(r.err, raft.ErrLost) {
		t.Fatalf("the deposed leader's write ended with %q, %v; want ErrLost", r.reply, r.err)
	}
	if st, _ := c.peers[1].State(); st.Holder != "b" {
		t.Fatalf("s1's lock is %+v, want held by b", st)
	}
}

// Batching: writes that wait while the leader is busy (here, syncing) go
// to the followers together, in full AppendEntries, not one entry each.
func TestPeerBatchesWaitingWritesIntoFullAppends(t *testing.T) {
	net := &entryCounter{Network: raft.NewNetwork()}
	store := &syncedStorage{MemoryStorage: raft.NewMemoryStorage()}
	peers := startThree(t, net, func(id raft.ID) raft.Storage {
		if id == 1 {
			return store
		}
		return raft.NewMemoryStorage()
	})
	ctx := ctx(t)
	if _, err := peers[0].WaitForLeader(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := peers[0].Write(ctx, []byte("unlock first")); err != nil {
		t.Fatal(err)
	}
	const writers = 32
	writeWhileSyncing(t, peers[0], store, writers)
	if most := net.most(); most < writers {
		t.Fatalf("the fullest AppendEntries carried %d entries; the %d writes that waited together should travel together", most, writers)
	}
}

// entryCounter is a Network that remembers the most entries one
// AppendEntries carried.
type entryCounter struct {
	*raft.Network
	mu  sync.Mutex
	max int
}

func (n *entryCounter) Send(m raft.Message) {
	if m.Type == raft.MsgApp {
		n.mu.Lock()
		n.max = max(n.max, len(m.Entries))
		n.mu.Unlock()
	}
	n.Network.Send(m)
}

func (n *entryCounter) most() int { n.mu.Lock(); defer n.mu.Unlock(); return n.max }
