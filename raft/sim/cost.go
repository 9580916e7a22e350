package sim

import (
	"errors"

	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/lock"
)

// Replication cost: what a burst of writes costs in messages and in entries
// shipped over a configured network. The core's replication goals (design,
// "Budgets": messages per write bounded, at most 2 entries shipped per write
// on 3 peers over a network that reorders) are measured with it: a test
// checks the count, the benchmark report shows both.

// Cost is what a burst of writes cost, from the first write until every
// peer had applied the last.
type Cost struct {
	Writes   int
	Messages int // messages the peers sent (the network's duplicates aside)
	Entries  int // entries those AppendEntries carried
}

// BurstCost runs cfg from seed until every peer follows one leader and has
// applied the whole log, then has one client send writes to the leader at one
// instant, and runs until every peer has applied them.
func BurstCost(cfg Config, seed uint64, writes int) (Cost, error) {
	s, err := New(Definition{Config: cfg, Seed: seed}, Options{TraceLimit: -1})
	if err != nil {
		return Cost{}, err
	}
	defer s.Close()
	const limit = 60_000 // ms of virtual time for each phase
	leader, err := s.WaitForLeader(limit)
	if err != nil {
		return Cost{}, err
	}
	ldr := s.peers[leader-1]
	if err := s.waitFor(limit, "every peer to apply the leader's log", func() bool { return s.allApplied(ldr.last) }); err != nil {
		return Cost{}, err
	}
	start := s.LastSeq()
	for i := range writes {
		op := lock.OpLock
		if i%2 == 1 {
			op = lock.OpUnlock
		}
		if err := s.Do(Action{Kind: ActWrite, Peer: leader, Client: "burst", Op: op}); err != nil {
			return Cost{}, err
		}
	}
	if ldr.role != raft.Leader {
		return Cost{}, errors.New("the leader lost its office during the burst")
	}
	if err := s.waitFor(limit, "every peer to apply the burst", func() bool { return s.allApplied(ldr.last) }); err != nil {
		return Cost{}, err
	}
	evs, gap := s.Events(start)
	if gap {
		return Cost{}, errors.New("the trace lost events") // TraceLimit -1 keeps all
	}
	c := Cost{Writes: writes}
	for i := range evs {
		if e := &evs[i]; e.Kind == EvSend && !e.Dup {
			c.Messages++
			if e.Msg.Type == raft.MsgApp {
				c.Entries += len(e.Msg.Entries)
			}
		}
	}
	return c, nil
}

// allApplied reports whether every running peer has applied index.
func (s *Sim) allApplied(index uint64) bool {
	for _, sl := range s.peers {
		if sl.up() && sl.applied < index {
			return false
		}
	}
	return true
}
