package core

import (
	"fmt"
	"math/rand/v2"

	"github.com/raftplay/raftplay/raft"
)

// oursCluster drives three raft.Node cores from one loop: the shape of
// etcdCluster, line for line.
type oursCluster struct {
	nodes   [Peers]*raft.Node
	stores  [Peers]*raft.MemoryStorage
	appl    [Peers]applier
	queue   []raft.Message // messages sent, not yet delivered
	inbound []raft.Message
	sent    int // messages delivered so far // the batch being delivered
}

// OursMaxInflightAppends is our window of AppendEntries in flight per
// follower: the default, as large as etcd's here.
const OursMaxInflightAppends = 256

// oursConfig are our settings for the workload. Timings only matter in the
// final phase: one tick is one heartbeat, as in etcdConfig.
func oursConfig(id raft.ID) raft.Config {
	return raft.Config{
		ID:                  id,
		ElectionTimeoutMin:  10,
		ElectionTimeoutMax:  20,
		HeartbeatInterval:   1,
		MaxEntriesPerAppend: MaxEntriesPerMsg,
		MaxInflightAppends:  OursMaxInflightAppends,
		Rand:                rand.NewPCG(uint64(id), 1),
	}
}

// newOurs builds a bootstrapped 3-peer cluster and elects peer 1.
func newOurs() (*oursCluster, error) {
	c := &oursCluster{}
	members := []raft.ID{1, 2, 3}
	for i := range c.nodes {
		id := raft.ID(i + 1)
		st := raft.NewMemoryStorage()
		if err := raft.Bootstrap(st, members); err != nil {
			return nil, err
		}
		stored, err := st.Load()
		if err != nil {
			return nil, err
		}
		n, err := raft.NewNode(oursConfig(id), stored)
		if err != nil {
			return nil, err
		}
		c.nodes[i], c.stores[i] = n, st
	}
	c.nodes[0].Campaign()
	if err := c.settle(); err != nil {
		return nil, err
	}
	if s := c.nodes[0].Status(); s.Role != raft.Leader {
		return nil, fmt.Errorf("ours: peer 1 is %v after its campaign, want leader", s.Role)
	}
	return c, nil
}

func (c *oursCluster) propose(data []byte) error {
	return c.nodes[0].Propose(raft.Entry{Type: raft.EntryCommand, Data: data})
}

// handleReady does what Node.Ready asks: save, send, apply.
func (c *oursCluster) handleReady(i int) error {
	rd := c.nodes[i].Ready()
	if rd.SaveState {
		if err := c.stores[i].SaveState(rd.HardState); err != nil {
			return err
		}
	}
	if err := c.stores[i].Append(rd.Entries); err != nil {
		return err
	}
	c.queue = append(c.queue, rd.Messages...)
	for j := range rd.Committed {
		if e := &rd.Committed[j]; e.Type == raft.EntryCommand {
			if err := c.appl[i].apply(e.Data); err != nil {
				return fmt.Errorf("ours: peer %d: %w", i+1, err)
			}
		}
	}
	return nil
}

func (c *oursCluster) settle() error {
	for {
		busy := false
		for i, n := range c.nodes {
			if n.HasReady() {
				busy = true
				if err := c.handleReady(i); err != nil {
					return err
				}
			}
		}
		if len(c.queue) == 0 {
			if !busy {
				return nil
			}
			continue
		}
		c.inbound, c.queue = c.queue, c.inbound[:0]
		c.sent += len(c.inbound)
		for _, m := range c.inbound {
			if err := c.nodes[m.To-1].Step(m); err != nil {
				return err
			}
		}
		clear(c.inbound) // drop references to entries
	}
}

func (c *oursCluster) tick() error {
	for _, n := range c.nodes {
		n.Tick()
	}
	return c.settle()
}

func (c *oursCluster) appliedAll(n int) bool {
	for i := range c.appl {
		if c.appl[i].applied < n {
			return false
		}
	}
	return true
}

func (c *oursCluster) close() {}

func (c *oursCluster) messages() int { return c.sent }
