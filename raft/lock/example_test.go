package lock_test

import (
	"context"
	"fmt"
	"time"

	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/lock"
	"github.com/raftplay/raftplay/raft/wallclock"
)

// The talk's demo: three peers, s1 configures the cluster, and writes at
// any peer go through the leader.
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	net := raft.NewNetwork()
	clock := wallclock.New(10 * time.Millisecond)

	// start_peer s1, s2, s3
	peers := map[string]*raft.Peer[lock.State]{}
	for id := raft.ID(1); id <= 3; id++ {
		p, err := raft.StartPeer(lock.Machine{}, raft.PeerConfig{
			Config: raft.DefaultConfig(id), Transport: net, Clock: clock,
		})
		if err != nil {
			panic(err)
		}
		defer p.Stop()
		peers[id.String()] = p
	}
	// set_configuration(s1, [s1, s2, s3])
	if err := peers["s1"].SetConfiguration([]raft.ID{1, 2, 3}); err != nil {
		panic(err)
	}
	for _, p := range peers {
		p.WaitForLeader(ctx)
	}

	write := func(at string, cmd []byte) {
		reply, err := peers[at].Write(ctx, cmd)
		if err != nil {
			panic(err)
		}
		fmt.Printf("write(%s, %s) -> %s\n", at, cmd, reply)
	}
	write("s1", lock.Lock("s1"))
	write("s2", lock.Lock("s2"))
	write("s2", lock.Unlock("s2"))
	write("s1", lock.Unlock("s1"))
	write("s2", lock.Lock("s2"))
	// Output:
	// write(s1, lock s1) -> ok
	// write(s2, lock s2) -> error
	// write(s2, unlock s2) -> error
	// write(s1, unlock s1) -> ok
	// write(s2, lock s2) -> ok
}
