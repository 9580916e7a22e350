package simbench

import (
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/lock"
)

// LogPeers is the size of the cluster BenchmarkLog grows a log on.
const LogPeers = 3

// LogCluster is the simulator's peers without its event queue: three
// raft.Peer runtimes serving the lock, inline, each with a MemoryStorage,
// on a network that delivers every message in order, at once, from one
// loop. A sim.Definition holds at most sim.MaxActions writes; this drives
// a log to a million entries and more, through the same peer runtime, state
// machine, storage and snapshots (raft.PeerConfig.SnapshotEvery) the
// simulator uses.
type LogCluster struct {
	peers     [LogPeers]*raft.Peer[lock.State]
	deliver   [LogPeers]func(raft.Message)
	tick      [LogPeers]func()
	queue     []raft.Message // sent, not yet delivered, in order
	delivered uint64
	cmds      [2][]byte // lock and unlock, written in turn
	writes    int
	waiting   int // writes not yet applied at the leader
	err       error
	done      func([]byte, error)
}

// NewLogCluster starts the cluster (every peer bootstrapped with all three
// as members) and elects peer 1. snapshotEvery is the peers' SnapshotEvery:
// negative for never.
func NewLogCluster(snapshotEvery int) (*LogCluster, error) {
	c := &LogCluster{cmds: [2][]byte{lock.Lock("c1"), lock.Unlock("c1")}}
	c.done = func(_ []byte, err error) {
		c.waiting--
		if err != nil && c.err == nil {
			c.err = err
		}
	}
	members := []raft.ID{1, 2, 3}
	for i := range c.peers {
		id := raft.ID(i + 1)
		st := raft.NewMemoryStorage()
		if err := raft.Bootstrap(st, members); err != nil {
			return nil, err
		}
		p, err := raft.StartPeer(lock.Machine{}, raft.PeerConfig{
			Config: raft.Config{
				ID: id, ElectionTimeoutMin: 10, ElectionTimeoutMax: 20, HeartbeatInterval: 1,
				Rand: rand.NewPCG(Seed, uint64(id)),
			},
			Storage:       st,
			Transport:     (*logNet)(c),
			Clock:         &logClock{c, i},
			Inline:        true,
			SnapshotEvery: snapshotEvery,
		})
		if err != nil {
			c.Close()
			return nil, err
		}
		c.peers[i] = p
	}
	// Only peer 1's clock runs until it leads: it times out first.
	for range 100 {
		c.tick[0]()
		c.settle()
		if st, _ := c.peers[0].Status(); st.Role == raft.Leader {
			return c, nil
		}
	}
	c.Close()
	return nil, errors.New("log cluster: peer 1 was not elected")
}

// logNet is the cluster seen by its peers as their network.
type logNet LogCluster

func (n *logNet) Send(m raft.Message) { n.queue = append(n.queue, m) }

func (n *logNet) Listen(id raft.ID, deliver func(raft.Message)) func() {
	n.deliver[id-1] = deliver
	return func() { n.deliver[id-1] = nil }
}

// logClock is one peer's clock: the cluster ticks it by hand.
type logClock struct {
	c *LogCluster
	i int
}

func (k *logClock) Start(tick func()) func() {
	k.c.tick[k.i] = tick
	return func() { k.c.tick[k.i] = nil }
}

// settle delivers messages, in the order they were sent, until none is
// left.
func (c *LogCluster) settle() {
	for i := 0; i < len(c.queue); i++ {
		m := c.queue[i]
		if d := c.deliver[m.To-1]; d != nil {
			c.delivered++
			d(m)
		}
	}
	clear(c.queue)
	c.queue = c.queue[:0]
}

// Write submits one command (lock or unlock, in turn) at the leader through
// its own client session, and delivers messages until the cluster is quiet:
// the leader has applied it.
func (c *LogCluster) Write() error {
	c.waiting++
	if _, err := c.peers[0].Submit(raft.Request{Cmd: c.cmds[c.writes%2]}, c.done); err != nil {
		return err
	}
	c.writes++
	c.settle()
	if c.err != nil || c.waiting != 0 {
		return fmt.Errorf("log cluster: write %d: %v (%d waiting)", c.writes, c.err, c.waiting)
	}
	return nil
}

// Finish lets the followers learn the last commit index (from a heartbeat)
// and checks that every peer has applied every write.
func (c *LogCluster) Finish() error {
	c.tick[0]()
	c.settle()
	want, _ := c.peers[0].Status()
	for i, p := range c.peers {
		st, err := p.Status()
		if err != nil {
			return err
		}
		if st.Applied != want.Commit || st.Applied < uint64(c.writes) {
			return fmt.Errorf("log cluster: peer %d applied %d of %d entries (%d writes)", i+1, st.Applied, want.Commit, c.writes)
		}
	}
	return nil
}

// Delivered returns how many messages have reached their destination.
func (c *LogCluster) Delivered() uint64 { return c.delivered }

// Log returns the index of peer i's latest snapshot (0 for none) and
// how many entries its log holds.
func (c *LogCluster) Log(i int) (snapshot, entries uint64) {
	st, _ := c.peers[i].Status()
	return st.SnapshotIndex, st.LastIndex - st.SnapshotIndex
}

// Close stops the peers.
func (c *LogCluster) Close() {
	for _, p := range c.peers {
		if p != nil {
			p.Stop()
		}
	}
}
