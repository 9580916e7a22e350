package raft_test

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/wallclock"
)

// Counter is a state machine in the talk's shape: an initial state, a write
// handler (command -> reply, new state) and a read handler.
type Counter struct{}

func (Counter) Init() int                             { return 0 }
func (Counter) Write(cmd []byte, n int) ([]byte, int) { return []byte(strconv.Itoa(n + 1)), n + 1 }
func (Counter) Read(query []byte, n int) []byte       { return []byte(strconv.Itoa(n)) }

// Your own state machine on three peers, each on its goroutine over an
// in-memory network with a real clock: writes and reads at any peer.
func ExampleStartPeer() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	net := raft.NewNetwork() // in memory; bring your own Transport
	clock := wallclock.New(10 * time.Millisecond)
	var peers []*raft.Peer[int]
	for id := raft.ID(1); id <= 3; id++ {
		p, err := raft.StartPeer(Counter{}, raft.PeerConfig{
			Config: raft.DefaultConfig(id), Transport: net, Clock: clock,
		})
		if err != nil {
			panic(err)
		}
		defer p.Stop()
		peers = append(peers, p)
	}
	if err := peers[0].SetConfiguration([]raft.ID{1, 2, 3}); err != nil { // starts an election
		panic(err)
	}
	for _, p := range peers {
		if _, err := p.WaitForLeader(ctx); err != nil {
			panic(err)
		}
	}
	for _, p := range peers {
		reply, err := p.Write(ctx, []byte("+1")) // followers forward to the leader
		fmt.Println("write at", p.ID(), "->", string(reply), err)
	}
	n, err := peers[2].Read(ctx, nil) // linearizable: sees every write above
	fmt.Println("read at s3 ->", string(n), err)
	// Output:
	// write at s1 -> 1 <nil>
	// write at s2 -> 2 <nil>
	// write at s3 -> 3 <nil>
	// read at s3 -> 3 <nil>
}

// Driving the pure core by hand: three nodes, messages passed by a loop, no
// goroutines and no clock but Tick. This is the loop Peer runs for you.
func ExampleNode() {
	ids := []raft.ID{1, 2, 3}
	nodes := map[raft.ID]*raft.Node{}
	stores := map[raft.ID]*raft.MemoryStorage{}
	for _, id := range ids {
		stores[id] = raft.NewMemoryStorage()
		raft.Bootstrap(stores[id], ids) // every member starts with the same configuration
		stored, _ := stores[id].Load()
		n, err := raft.NewNode(raft.DefaultConfig(id), stored)
		if err != nil {
			panic(err)
		}
		nodes[id] = n
	}

	var inflight []raft.Message
	applied := map[raft.ID][]string{}
	// process carries out one node's Ready, as the package documentation says
	// (with no compaction and no reads here, Ready.Snapshot and Ready.Reads
	// stay empty).
	process := func(id raft.ID) {
		for nodes[id].HasReady() {
			rd := nodes[id].Ready()
			if rd.SaveState {
				stores[id].SaveState(rd.HardState)
			}
			stores[id].Append(rd.Entries)
			inflight = append(inflight, rd.Messages...)
			for _, e := range rd.Committed {
				if e.Type == raft.EntryCommand {
					applied[id] = append(applied[id], string(e.Data))
				}
			}
		}
	}
	deliverAll := func() {
		for len(inflight) > 0 {
			m := inflight[0]
			inflight = inflight[1:]
			nodes[m.To].Step(m)
			process(m.To)
		}
	}

	// Tick s1 until its election timeout fires; the others hear in time.
	for nodes[1].Role() != raft.Candidate {
		nodes[1].Tick()
		process(1)
	}
	deliverAll()
	fmt.Println("s1 is", nodes[1].Role(), "in term", nodes[1].Term())

	nodes[1].Propose(raft.Entry{Data: []byte("lock alice")})
	process(1)
	deliverAll()
	// Followers learn the commit index from the next AppendEntries.
	for range raft.DefaultConfig(1).HeartbeatInterval {
		nodes[1].Tick()
		process(1)
	}
	deliverAll()
	for _, id := range ids {
		fmt.Println(id, "applied", applied[id])
	}
	// Output:
	// s1 is leader in term 2
	// s1 applied [lock alice]
	// s2 applied [lock alice]
	// s3 applied [lock alice]
}
