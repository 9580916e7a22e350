package raft_test

import (
	"errors"
	"testing"

	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/lock"
)

// Issue 9, item 4: StartPeer took a Storage that a running peer still
// used, and the two could each grant a vote in one term. Now it is refused
// until the first peer stops; a peer that fails to start gives it back.
func TestStartPeerRefusesAStorageARunningPeerUses(t *testing.T) {
	net, clock := raft.NewNetwork(), &raft.ManualClock{}
	store := raft.NewMemoryStorage()
	start := func(cfg raft.Config) (*raft.Peer[lock.State], error) {
		return raft.StartPeer(lock.Machine{}, raft.PeerConfig{Config: cfg, Storage: store, Transport: net, Clock: clock})
	}
	first, err := start(raft.DefaultConfig(1))
	if err != nil {
		t.Fatal(err)
	}
	if second, err := start(raft.DefaultConfig(2)); !errors.Is(err, raft.ErrStorageInUse) {
		if second != nil {
			second.Stop()
		}
		t.Fatalf("a second peer on the storage of a running one: %v, want ErrStorageInUse", err)
	}
	if err := first.SetConfiguration([]raft.ID{1}); err != nil { // the first runs on
		t.Fatalf("the running peer after the refusal: %v", err)
	}
	if err := first.Stop(); err != nil {
		t.Fatal(err)
	}
	// Stopped, its storage may start a peer again, as after a crash; a
	// start that fails (here a bad configuration) leaves it free.
	if _, err := start(raft.Config{ID: 1}); err == nil || errors.Is(err, raft.ErrStorageInUse) {
		t.Fatalf("start with a bad configuration: %v, want a configuration error", err)
	}
	again, err := start(raft.DefaultConfig(1))
	if err != nil {
		t.Fatalf("restart on the stopped peer's storage: %v", err)
	}
	defer again.Stop()
	if st, err := again.Status(); err != nil || st.Term == 0 || len(st.Members) != 1 {
		t.Fatalf("restarted peer: %+v, %v; want the saved term and configuration", st, err)
	}
}
