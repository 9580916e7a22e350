package raft_test

import (
	"fmt"

	"github.com/raftplay/raftplay/raft"
)

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
	// process carries out one node's Ready, as the package documentation says.
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
