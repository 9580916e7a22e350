package tcp_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/disk"
	"github.com/raftplay/raftplay/raft/lock"
	"github.com/raftplay/raftplay/raft/tcp"
	"github.com/raftplay/raftplay/raft/wallclock"
)

// The talk's demo across three peers that talk over TCP and keep their
// state on disk, with a real clock.
func TestTalkDemoOverTCP(t *testing.T) {
	var trs []*tcp.Transport
	addrs := map[raft.ID]string{}
	for id := raft.ID(1); id <= 3; id++ {
		tr, err := tcp.New(tcp.Config{ID: id, Listen: "127.0.0.1:0"})
		if err != nil {
			t.Fatal(err)
		}
		defer tr.Close()
		trs = append(trs, tr)
		addrs[id] = tr.Addr().String()
	}
	var peers []*raft.Peer[lock.State]
	for i, tr := range trs {
		tr.SetPeers(addrs)
		s, err := disk.Open(t.TempDir(), disk.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		p, err := raft.StartPeer(lock.Machine{}, raft.PeerConfig{
			Config: raft.DefaultConfig(raft.ID(i + 1)), Storage: s, Transport: tr, Clock: wallclock.New(10 * time.Millisecond),
		})
		if err != nil {
			t.Fatal(err)
		}
		defer p.Stop()
		peers = append(peers, p)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := peers[0].SetConfiguration([]raft.ID{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	for _, p := range peers {
		if _, err := p.WaitForLeader(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for _, step := range []struct {
		at        int
		cmd, want string
	}{{0, "lock s1", "ok"}, {1, "lock s2", "error"}, {1, "unlock s2", "error"}, {0, "unlock s1", "ok"}, {1, "lock s2", "ok"}} {
		got, err := peers[step.at].Write(ctx, []byte(step.cmd))
		if err != nil || string(got) != step.want {
			t.Fatalf("%s at s%d = %q, %v; want %s", step.cmd, step.at+1, got, err, step.want)
		}
	}
	if got, err := peers[2].Read(ctx, nil); err != nil || string(got) != "locked by s2" {
		t.Fatalf("read at s3 = %q, %v; want locked by s2", got, err)
	}
}

// A burst of writes whose AppendEntries together would pass the
// transport's limit on a message's size commits, and the cluster takes
// writes after it: the leader splits what it sends by MaxAppendBytes
// (here 4 KiB, under a 16 KiB limit, as 1 MiB is under 64 MiB by default).
// A leader that put 64 such writes in one message wedged: the message was
// dropped, sent again as it was, and dropped again.
func TestBurstOfLargeWritesOverTCP(t *testing.T) {
	var trs []*tcp.Transport
	addrs := map[raft.ID]string{}
	for id := raft.ID(1); id <= 3; id++ {
		tr, err := tcp.New(tcp.Config{ID: id, Listen: "127.0.0.1:0", MaxMessage: 16 << 10})
		if err != nil {
			t.Fatal(err)
		}
		defer tr.Close()
		trs = append(trs, tr)
		addrs[id] = tr.Addr().String()
	}
	var peers []*raft.Peer[lock.State]
	for i, tr := range trs {
		tr.SetPeers(addrs)
		cfg := raft.DefaultConfig(raft.ID(i + 1))
		cfg.MaxAppendBytes = 4 << 10
		p, err := raft.StartPeer(lock.Machine{}, raft.PeerConfig{Config: cfg, Transport: tr, Clock: wallclock.New(10 * time.Millisecond)})
		if err != nil {
			t.Fatal(err)
		}
		defer p.Stop()
		peers = append(peers, p)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := peers[0].SetConfiguration([]raft.ID{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	leader, err := peers[0].WaitForLeader(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := peers[leader-1].Write(ctx, []byte(fmt.Sprintf("lock c%d %01000d", i, 0))); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("a write of the burst: %v", err)
	}
	if got, err := peers[leader-1].Write(ctx, []byte("lock s1")); err != nil || string(got) != "ok" {
		t.Fatalf("lock s1 after the burst = %q, %v; want ok", got, err)
	}
}
