package disk_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/disk"
	"github.com/raftplay/raftplay/raft/lock"
)

// Three lock peers on disk, all stopped as by a power cut and started
// again from their directories: the lock is where the acknowledged writes
// left it, and the cluster takes writes again. Snapshots every 3 entries,
// so the restart goes through snapshot files and removed segments too.
func TestPeersRestartFromDisk(t *testing.T) {
	dirs := map[raft.ID]string{1: t.TempDir(), 2: t.TempDir(), 3: t.TempDir()}
	ctx := context.Background()
	start := func(net *raft.Network, clock *raft.ManualClock) (map[raft.ID]*raft.Peer[lock.State], func()) {
		peers := map[raft.ID]*raft.Peer[lock.State]{}
		var stores []*disk.Storage
		for id, dir := range dirs {
			s, err := disk.Open(dir, disk.Options{SegmentSize: 512})
			if err != nil {
				t.Fatal(err)
			}
			stores = append(stores, s)
			p, err := raft.StartPeer(lock.Machine{}, raft.PeerConfig{
				Config: raft.DefaultConfig(id), Storage: s, Transport: net, Clock: clock, SnapshotEvery: 3,
			})
			if err != nil {
				t.Fatal(err)
			}
			peers[id] = p
		}
		return peers, func() {
			for _, p := range peers {
				p.Stop()
			}
			for _, s := range stores {
				s.Close()
			}
		}
	}
	write := func(p *raft.Peer[lock.State], cmd, want string) {
		t.Helper()
		if got, err := p.Write(ctx, []byte(cmd)); err != nil || string(got) != want {
			t.Fatalf("%s = %q, %v; want %s", cmd, got, err, want)
		}
	}

	net, clock := raft.NewNetwork(), &raft.ManualClock{}
	peers, stop := start(net, clock)
	if err := peers[1].SetConfiguration([]raft.ID{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	if _, err := peers[1].WaitForLeader(ctx); err != nil {
		t.Fatal(err)
	}
	for _, w := range [][2]string{{"lock a", "ok"}, {"unlock a", "ok"}, {"lock b", "ok"}, {"unlock b", "ok"}, {"lock c", "ok"}, {"lock d", "error"}} {
		write(peers[1], w[0], w[1])
	}
	// Followers learn the last commits with the leader's next heartbeat:
	// tick until every peer has applied everything committed, so that
	// each has taken its snapshot.
	last, _ := peers[1].Status()
	for deadline := time.Now().Add(20 * time.Second); ; clock.Tick() {
		done := true
		for _, p := range peers {
			if st, _ := p.Status(); st.Applied < last.Commit {
				done = false
			}
		}
		if done {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the followers did not apply up to %d within 20 s", last.Commit)
		}
	}
	stop()
	for id, dir := range dirs {
		if _, err := os.Stat(filepath.Join(dir, "snapshot")); err != nil {
			t.Fatalf("%v took no snapshot: %v", id, err)
		}
	}

	net, clock = raft.NewNetwork(), &raft.ManualClock{}
	peers, stop = start(net, clock)
	defer stop()
	// Elect a leader from the restored logs and write there. Ticks reach
	// the peers unsynchronised, so leadership may move: a write refused
	// for want of a leader was not taken, and goes again to the next one.
	var leader raft.ID
	writeAtLeader := func(cmd, want string) {
		t.Helper()
		for i := 0; ; i++ {
			if i == 1000 {
				t.Fatalf("%s: no leader took it within 1000 ticks", cmd)
			}
			clock.Tick()
			leader = raft.None
			for id, p := range peers {
				if st, _ := p.Status(); st.Role == raft.Leader {
					leader = id
				}
			}
			if leader == raft.None {
				continue
			}
			got, err := peers[leader].Write(ctx, []byte(cmd))
			if _, refused := errors.AsType[*raft.NotLeaderError](err); refused {
				continue
			}
			if err != nil || string(got) != want {
				t.Fatalf("%s = %q, %v; want %s", cmd, got, err, want)
			}
			return
		}
	}
	writeAtLeader("lock e", "error") // c still holds the lock
	writeAtLeader("unlock c", "ok")
	for id, p := range peers {
		for { // followers learn the last commit from a heartbeat
			st, _ := p.Status()
			if st.Applied >= mustStatus(t, peers[leader]).Commit {
				break
			}
			clock.Tick()
		}
		if s, _ := p.State(); s.Locked {
			t.Fatalf("%v: lock %v after unlock c", id, s)
		}
	}
}

// One storage, one running peer: a second peer on it is refused.
func TestSecondPeerOnAStorageIsRefused(t *testing.T) {
	s, err := disk.Open(t.TempDir(), disk.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	net := raft.NewNetwork()
	cfg := raft.PeerConfig{Config: raft.DefaultConfig(1), Storage: s, Transport: net, Clock: &raft.ManualClock{}}
	p, err := raft.StartPeer(lock.Machine{}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Config = raft.DefaultConfig(2)
	if _, err := raft.StartPeer(lock.Machine{}, cfg); !errors.Is(err, raft.ErrStorageInUse) {
		t.Fatalf("second peer on the storage: %v, want ErrStorageInUse", err)
	}
	p.Stop()
	p, err = raft.StartPeer(lock.Machine{}, cfg)
	if err != nil {
		t.Fatalf("after the first stopped: %v", err)
	}
	p.Stop()
}

// A write larger than a record is refused with a clear error, and the
// peer goes on: it once reached the storage, which refused it, and the
// peer stopped (and the next leader, sent the same write, too).
func TestOversizedWriteIsRefusedAndThePeerGoesOn(t *testing.T) {
	s, err := disk.Open(t.TempDir(), disk.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := raft.Bootstrap(s, []raft.ID{1}); err != nil {
		t.Fatal(err)
	}
	clock := &raft.ManualClock{}
	p, err := raft.StartPeer(lock.Machine{}, raft.PeerConfig{Config: raft.DefaultConfig(1), Storage: s, Transport: raft.NewNetwork(), Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Stop()
	for i := 0; mustStatus(t, p).Role != raft.Leader; i++ {
		if i == 1000 {
			t.Fatal("no leader after 1000 ticks")
		}
		clock.Tick()
	}
	ctx := context.Background()
	if _, err := p.Write(ctx, make([]byte, disk.MaxRecord+1)); !errors.Is(err, raft.ErrCommandTooLarge) {
		t.Fatalf("a write of %d bytes: %v, want ErrCommandTooLarge", disk.MaxRecord+1, err)
	}
	if got, err := p.Write(ctx, []byte("lock a")); err != nil || string(got) != "ok" {
		t.Fatalf("lock a after it = %q, %v; want ok", got, err)
	}
}

func mustStatus(t *testing.T, p *raft.Peer[lock.State]) raft.Status {
	st, err := p.Status()
	if err != nil {
		t.Fatal(err)
	}
	return st
}
