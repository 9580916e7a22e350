package sim

import (
	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/lock"
)

// BusyLoad returns a definition with a busy client load: clients named c1,
// c2, ... each send a lock or unlock to a peer (round robin) every
// everyMs, for durationMs. Benchmarks and memory tests use it.
func BusyLoad(cfg Config, seed uint64, clients int, everyMs, durationMs int64) Definition {
	def := Definition{Config: cfg, Seed: seed}
	n := 0
	for t := int64(500); t < durationMs && len(def.Actions) < MaxActions; t += everyMs {
		for c := 0; c < clients && len(def.Actions) < MaxActions; c++ {
			op := lock.OpLock
			if n%2 == 1 {
				op = lock.OpUnlock
			}
			def.Actions = append(def.Actions, Action{
				At: t, Kind: ActWrite, Op: op, Client: "c" + itoa(c+1),
				Peer: raft.ID(1 + n%cfg.Peers),
			})
			n++
		}
	}
	return def
}
