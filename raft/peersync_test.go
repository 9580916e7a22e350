package raft_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/lock"
)

// Figure 2: persistent state is "updated on stable storage before
// responding to RPCs". With a Storage that buffers until Sync, that means:
// no message leaves a peer while something it saved is not synced yet.

// syncedStorage is a MemoryStorage that knows whether it holds saves not
// yet synced, and counts its syncs.
type syncedStorage struct {
	*raft.MemoryStorage
	mu    sync.Mutex
	dirty bool
	syncs int
	gate  chan struct{} // if set, the next Sync waits for it to close
	in    chan struct{} // closed when a gated Sync has started
}

func (s *syncedStorage) mark() { s.mu.Lock(); s.dirty = true; s.mu.Unlock() }

func (s *syncedStorage) SaveState(hs raft.HardState) error {
	s.mark()
	return s.MemoryStorage.SaveState(hs)
}

func (s *syncedStorage) Append(es []raft.Entry) error {
	s.mark()
	return s.MemoryStorage.Append(es)
}

func (s *syncedStorage) SaveSnapshot(snap raft.Snapshot) error {
	s.mark()
	return s.MemoryStorage.SaveSnapshot(snap)
}

func (s *syncedStorage) Sync() error {
	s.mu.Lock()
	gate, in := s.gate, s.in
	s.gate, s.in = nil, nil
	s.mu.Unlock()
	if gate != nil {
		close(in)
		<-gate
	}
	s.mu.Lock()
	s.dirty = false
	s.syncs++
	s.mu.Unlock()
	return nil
}

func (s *syncedStorage) isDirty() bool { s.mu.Lock(); defer s.mu.Unlock(); return s.dirty }

// checkedNet is a Network that records every message sent while its
// sender held unsynced saves.
type checkedNet struct {
	*raft.Network
	stores map[raft.ID]*syncedStorage
	mu     sync.Mutex
	early  []raft.Message
}

func (n *checkedNet) Send(m raft.Message) {
	if m.WaitsForSync() && n.stores[m.From].isDirty() {
		n.mu.Lock()
		n.early = append(n.early, m)
		n.mu.Unlock()
	}
	n.Network.Send(m)
}

func TestPeerSyncsBeforeSending(t *testing.T) {
	net := &checkedNet{Network: raft.NewNetwork(), stores: map[raft.ID]*syncedStorage{}}
	peers := startThree(t, net, func(id raft.ID) raft.Storage {
		net.stores[id] = &syncedStorage{MemoryStorage: raft.NewMemoryStorage()}
		return net.stores[id]
	})
	ctx := context.Background()
	if _, err := peers[0].WaitForLeader(ctx); err != nil {
		t.Fatal(err)
	}
	// At the leader: it answers once a majority holds a write, which needs
	// no tick (a follower would wait for a heartbeat to learn the commit).
	for _, w := range []string{"lock a", "unlock a", "lock b"} {
		if _, err := peers[0].Write(ctx, []byte(w)); err != nil {
			t.Fatal(err)
		}
	}
	net.mu.Lock()
	defer net.mu.Unlock()
	for _, m := range net.early {
		t.Errorf("%v sent %v to %v (term %d, %d entries) before syncing what it saved", m.From, m.Type, m.To, m.Term, len(m.Entries))
	}
}

// Dissertation section 10.2.1: a leader may write new entries to its disk
// in parallel with replicating them, as long as it counts its own copy
// only once saved. The followers get the entry while the leader's Sync is
// still under way; the write is answered only after it returns.
func TestLeaderSavesInParallelWithFollowers(t *testing.T) {
	stores := map[raft.ID]*syncedStorage{}
	peers := startThree(t, raft.NewNetwork(), func(id raft.ID) raft.Storage {
		stores[id] = &syncedStorage{MemoryStorage: raft.NewMemoryStorage()}
		return stores[id]
	})
	ctx := context.Background()
	if _, err := peers[0].WaitForLeader(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := peers[0].Write(ctx, []byte("lock a")); err != nil { // everyone has the noop
		t.Fatal(err)
	}
	last := stores[1].LastIndex()
	gate, in := make(chan struct{}), make(chan struct{})
	stores[1].mu.Lock()
	stores[1].gate, stores[1].in = gate, in
	stores[1].mu.Unlock()
	answered := make(chan string, 1)
	go func() {
		reply, err := peers[0].Write(ctx, []byte("unlock a"))
		answered <- fmt.Sprintf("%s %v", reply, err)
	}()
	<-in // the leader is saving the entry
	release := sync.OnceFunc(func() { close(gate) })
	defer release() // so that Stop returns if the test fails
	// A follower that is still probing waits for a reply the busy leader
	// has not read; one that is replicating gets the entry at once, and
	// one is enough for a majority.
	for i := 0; stores[2].LastIndex() <= last && stores[3].LastIndex() <= last; i++ {
		if i == 10_000_000 {
			t.Fatal("no follower got the entry while the leader saved it")
		}
		runtime.Gosched()
	}
	select {
	case r := <-answered:
		t.Fatalf("answered %q before the leader saved the entry", r)
	default:
	}
	release()
	if r := <-answered; r != "ok <nil>" {
		t.Fatalf("answer %q", r)
	}
}

// Group commit: writes that arrive while the peer is syncing are saved
// together, with one Sync.
func TestPeerGroupCommitsWaitingWrites(t *testing.T) {
	store := &syncedStorage{MemoryStorage: raft.NewMemoryStorage()}
	p, err := raft.StartPeer(lock.Machine{}, raft.PeerConfig{
		Config: raft.DefaultConfig(1), Storage: store, Transport: raft.NewNetwork(), Clock: &raft.ManualClock{},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Stop()
	if err := p.SetConfiguration([]raft.ID{1}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := p.WaitForLeader(ctx); err != nil {
		t.Fatal(err)
	}
	writeWhileSyncing(t, p, store, 32)
	store.mu.Lock()
	defer store.mu.Unlock()
	if store.syncs != 2 {
		t.Fatalf("%d syncs for 1 write and then 32 that waited together; want 2", store.syncs)
	}
}

// writeWhileSyncing writes to p from 1 + writers goroutines: the first
// write holds p in a Sync of store, and the others queue up in p's inbox
// meanwhile, all together. It returns once every write is answered; store
// counts the syncs from the first write on.
func writeWhileSyncing(t *testing.T, p *raft.Peer[lock.State], store *syncedStorage, writers int) {
	t.Helper()
	gate, in := make(chan struct{}), make(chan struct{})
	store.mu.Lock()
	store.gate, store.in, store.syncs = gate, in, 0
	store.mu.Unlock()
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, writers+1)
	write := func(cmd string) {
		defer wg.Done()
		if _, err := p.Write(ctx, []byte(cmd)); err != nil {
			errs <- err
		}
	}
	wg.Add(1)
	go write("lock first")
	<-in // the first write is being synced; the others queue up meanwhile
	wg.Add(writers)
	for i := range writers {
		go write("lock w" + strings.Repeat("x", i))
	}
	waitSending(t, writers)
	close(gate)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// waitSending returns once n goroutines wait to hand a call to a busy peer.
func waitSending(t *testing.T, n int) {
	t.Helper()
	buf := make([]byte, 1<<20)
	for i := 0; ; i++ {
		if i == 1_000_000 {
			t.Fatalf("%d goroutines never queued at the peer", n)
		}
		stacks := string(buf[:runtime.Stack(buf, true)])
		waiting := 0
		for _, g := range strings.Split(stacks, "\n\n") {
			if strings.Contains(g, "[select]") && strings.Contains(g, "raft.(*Peer[...]).exec(") {
				waiting++
			}
		}
		if waiting >= n {
			return
		}
		runtime.Gosched()
	}
}
