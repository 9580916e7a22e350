package sim_test

import (
	"fmt"

	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/lock"
	"github.com/raftplay/raftplay/raft/sim"
)

// A run is its definition: configuration, seed and timed actions. Here the
// leader (s1, with this seed) crashes at 1 s while alice and bob use the
// lock at other servers; alice's unlock, sent during the election, waits
// for the new leader. The same definition always gives the same trace, and
// Check runs the safety checkers after every event.
func Example() {
	def := sim.Definition{
		Config: sim.DefaultConfig(), // 3 peers, the paper's timings
		Seed:   7,
		Actions: []sim.Action{
			{At: 600, Kind: sim.ActWrite, Peer: 2, Client: "alice", Op: lock.OpLock},
			{At: 800, Kind: sim.ActWrite, Peer: 3, Client: "bob", Op: lock.OpLock},
			{At: 1000, Kind: sim.ActCrash, Peer: 1},
			{At: 1100, Kind: sim.ActWrite, Peer: 2, Client: "alice", Op: lock.OpUnlock},
			{At: 2000, Kind: sim.ActWrite, Peer: 3, Client: "bob", Op: lock.OpLock},
		},
	}
	s, err := sim.New(def, sim.Options{TraceLimit: -1, Check: true})
	if err != nil {
		panic(err)
	}
	defer s.Close()
	s.RunFor(5000)
	events, _ := s.Events(0)
	for _, e := range events {
		switch e.Kind {
		case sim.EvRole:
			if e.Role == raft.Leader {
				fmt.Printf("%5d ms  %v leads term %d\n", e.Time, e.Peer, e.Term)
			}
		case sim.EvCrash:
			fmt.Printf("%5d ms  %v crashes\n", e.Time, e.Peer)
		case sim.EvReply:
			fmt.Printf("%5d ms  %s's %s at %v: %s\n", e.Time, e.Client, e.Op, e.Peer, e.Outcome)
		}
	}
	fmt.Println("safety violations:", len(s.Violations()))
	// Output:
	//   199 ms  s1 leads term 2
	//   710 ms  alice's lock at s2: ok
	//   864 ms  bob's lock at s3: error
	//  1000 ms  s1 crashes
	//  1235 ms  s2 leads term 3
	//  1724 ms  alice's unlock at s2: ok
	//  2093 ms  bob's lock at s3: ok
	// safety violations: 0
}
