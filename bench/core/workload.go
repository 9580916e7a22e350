// Package core holds the anchor workload of issue 5: the same 3-peer
// proposal workload run against our core (raft.Node), against
// go.etcd.io/raft/v3 (RawNode), and through our peer runtime (raft.Peer).
//
// The workload, identical for every cluster:
//   - 3 peers, in-memory storage, peer 1 elected before the clock starts;
//   - N proposals of PayloadSize bytes submitted at peer 1 in rounds of
//     Batch: propose Batch entries, then deliver messages until the cluster
//     is quiet (the synchronous clusters) or until the round is applied at
//     the leader (the runtime);
//   - then tick every peer (one heartbeat per tick) until every peer has
//     applied all N, since a follower may learn the final commit index only
//     from the next AppendEntries.
//
// No clock ticks before that last phase, so no heartbeat or timeout
// interferes with the measurement.
package core

import (
	"encoding/binary"
	"fmt"
)

// PayloadSize is the size of every proposal.
const PayloadSize = 16

// Peers is the cluster size.
const Peers = 3

// MaxEntriesPerMsg is the batching limit both libraries get: our
// MaxEntriesPerAppend, and etcd's MaxSizePerMsg set to the size of this many
// payload entries.
const MaxEntriesPerMsg = 64

// maxTailTicks bounds the final heartbeat phase; a correct cluster needs one
// or two ticks.
const maxTailTicks = 100

// cluster is one of the clusters under test, already with peer 1 leading.
type cluster interface {
	// propose submits one command at peer 1.
	propose(data []byte) error
	// settle runs the cluster until the current round is done: for the
	// synchronous clusters, until no peer has anything left to do.
	settle() error
	// tick advances every peer's clock by one tick and settles.
	tick() error
	// appliedAll reports whether every peer has applied n proposals.
	appliedAll(n int) bool
	// messages returns how many messages peers have sent each other.
	messages() int
	// close releases goroutines, if any.
	close()
}

// Payloads returns n payloads of PayloadSize bytes, numbered 0..n-1 in their
// first 8 bytes so that appliers can check order. They share one array, so
// the workload itself allocates nothing while it runs.
func Payloads(n int) [][]byte {
	buf := make([]byte, n*PayloadSize)
	ps := make([][]byte, n)
	for i := range ps {
		p := buf[i*PayloadSize : (i+1)*PayloadSize : (i+1)*PayloadSize]
		binary.LittleEndian.PutUint64(p, uint64(i))
		for j := 8; j < PayloadSize; j++ {
			p[j] = byte(i + j)
		}
		ps[i] = p
	}
	return ps
}

// run submits the payloads in rounds of batch and returns once every peer
// has applied them all.
func run(c cluster, payloads [][]byte, batch int) error {
	n := len(payloads)
	for i := 0; i < n; i += batch {
		for _, p := range payloads[i:min(i+batch, n)] {
			if err := c.propose(p); err != nil {
				return err
			}
		}
		if err := c.settle(); err != nil {
			return err
		}
	}
	return finish(c, n)
}

// finish ticks every peer until all have applied n proposals.
func finish(c cluster, n int) error {
	for t := 0; !c.appliedAll(n); t++ {
		if t == maxTailTicks {
			return fmt.Errorf("not every peer applied %d proposals after %d ticks", n, t)
		}
		if err := c.tick(); err != nil {
			return err
		}
	}
	return nil
}

// applier counts the payloads a peer applies and checks they come in order,
// each exactly once.
type applier struct {
	applied int
}

func (a *applier) apply(data []byte) error {
	if len(data) != PayloadSize {
		return fmt.Errorf("applied a command of %d bytes, want %d", len(data), PayloadSize)
	}
	if got := binary.LittleEndian.Uint64(data); got != uint64(a.applied) {
		return fmt.Errorf("applied payload %d, want %d", got, a.applied)
	}
	a.applied++
	return nil
}
