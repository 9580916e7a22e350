package tcp_test

import (
	"context"
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
