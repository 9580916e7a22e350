package core

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/raftplay/raftplay/raft"
)

// runtimeCluster runs the workload through our peer runtime: three
// raft.Peer goroutines on a raft.Network, with a raft.ManualClock that does
// not tick until the final phase. A round is Batch calls to Peer.Submit
// (one client session, explicit sequence numbers), then a wait for the
// Batch replies: the shape of the synchronous rounds, with every hand-off
// the runtime makes (client -> peer goroutine, peer -> network -> peer).
type runtimeCluster struct {
	peers [Peers]*raft.Peer[counterState]
	net   *countingNetwork
	clock *raft.ManualClock

	seq, lowest uint64 // the client session's last sequence number; its lowest unanswered
	round       sync.WaitGroup
	mu          sync.Mutex
	err         error
	done        func([]byte, error)
}

// counterState is the replicated state: how many payloads were applied,
// and whether one came out of order.
type counterState struct {
	applied uint64
	bad     bool
}

// counter is the state machine: it counts payloads and, unless they come
// from concurrent writers, checks their order.
type counter struct{ unordered bool }

func (counter) Init() counterState { return counterState{} }

func (c counter) Write(cmd []byte, s counterState) ([]byte, counterState) {
	if len(cmd) != PayloadSize || (!c.unordered && binary.LittleEndian.Uint64(cmd) != s.applied) {
		s.bad = true
	}
	s.applied++
	return nil, s
}

func (counter) Read([]byte, counterState) []byte { return nil }

func runtimeConfig(id raft.ID, net raft.Transport, clock *raft.ManualClock) raft.PeerConfig {
	return raft.PeerConfig{
		Config:    oursConfig(id),
		Storage:   raft.NewMemoryStorage(),
		Transport: net,
		Clock:     clock,
	}
}

// newRuntime starts three peers and makes peer 1 the first member of the
// cluster, as in the talk: it campaigns at once and wins. Unordered lets
// payloads be applied in any order (concurrent writers).
func newRuntime(unordered bool) (*runtimeCluster, error) {
	c := &runtimeCluster{net: &countingNetwork{Network: raft.NewNetwork()}, clock: &raft.ManualClock{}}
	for i := range c.peers {
		p, err := raft.StartPeer[counterState](counter{unordered}, runtimeConfig(raft.ID(i+1), c.net, c.clock))
		if err != nil {
			c.close()
			return nil, err
		}
		c.peers[i] = p
	}
	c.done = func(_ []byte, err error) {
		if err != nil {
			c.mu.Lock()
			c.err = errors.Join(c.err, err)
			c.mu.Unlock()
		}
		c.round.Done()
	}
	if err := c.peers[0].SetConfiguration([]raft.ID{1, 2, 3}); err != nil {
		c.close()
		return nil, err
	}
	if id, err := c.peers[0].WaitForLeader(context.Background()); err != nil || id != 1 {
		c.close()
		return nil, fmt.Errorf("runtime: leader %v (%v), want s1", id, err)
	}
	return c, nil
}

func (c *runtimeCluster) propose(data []byte) error {
	if c.lowest == 0 {
		c.lowest = c.seq + 1 // the round's first write
	}
	c.seq++
	c.round.Add(1)
	_, err := c.peers[0].Submit(raft.Request{Client: 1, Seq: c.seq, Lowest: c.lowest, Cmd: data}, c.done)
	if err != nil {
		c.round.Done()
	}
	return err
}

// settle waits for the replies to the round's writes: each is called once
// the write is applied at peer 1.
func (c *runtimeCluster) settle() error {
	c.round.Wait()
	c.lowest = 0 // every write so far is answered
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// tick ticks every peer once (one heartbeat), then gives the network's
// goroutines a moment to deliver it.
func (c *runtimeCluster) tick() error {
	c.clock.Tick()
	for k := 0; k < 1000 && !c.appliedAll(int(c.seq)); k++ {
		runtime.Gosched()
	}
	for i, p := range c.peers {
		if s, err := p.State(); err != nil || s.bad {
			return fmt.Errorf("runtime: peer %d applied a payload out of order (%v)", i+1, err)
		}
	}
	return nil
}

func (c *runtimeCluster) appliedAll(n int) bool {
	for _, p := range c.peers {
		if s, err := p.State(); err != nil || s.applied < uint64(n) {
			return false
		}
	}
	return true
}

// WriterCounts are the numbers of concurrent writers BenchmarkWriters
// runs: each calls Peer.Write (or hashicorp's Apply) and waits for its
// answer before it writes again.
var WriterCounts = []int{1, 16, 64}

// writeAll writes the payloads with write from the given number of
// goroutines, each writing the next payload as soon as its last write is
// answered, and returns when every write is answered.
func writeAll(payloads [][]byte, writers int, write func([]byte) error) error {
	var (
		next atomic.Int64
		wg   sync.WaitGroup
		errs = make([]error, writers)
	)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1) - 1; i < int64(len(payloads)); i = next.Add(1) - 1 {
				if err := write(payloads[i]); err != nil {
					errs[w] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// write is Peer.Write at peer 1, the leader.
func (c *runtimeCluster) write(data []byte) error {
	_, err := c.peers[0].Write(context.Background(), data)
	return err
}

// checkApplied ticks until every peer has applied n writes, exactly once.
func (c *runtimeCluster) checkApplied(n int) error {
	c.seq = uint64(n) // for tick's wait
	if err := finish(c, n); err != nil {
		return err
	}
	for i, p := range c.peers {
		if s, _ := p.State(); s.applied != uint64(n) {
			return fmt.Errorf("runtime: peer %d applied %d writes, want %d", i+1, s.applied, n)
		}
	}
	return nil
}

func (c *runtimeCluster) messages() int { return int(c.net.sent.Load()) }

// appends counts the AppendEntries that carried entries, and their entries.
func (c *runtimeCluster) appends() (msgs, entries int64) {
	return c.net.apps.Load(), c.net.entries.Load()
}

// countingNetwork is a raft.Network that counts the messages sent, and the
// AppendEntries carrying entries with their entries.
type countingNetwork struct {
	*raft.Network
	sent, apps, entries atomic.Int64
}

func (n *countingNetwork) Send(m raft.Message) {
	n.sent.Add(1)
	if m.Type == raft.MsgApp && len(m.Entries) > 0 {
		n.apps.Add(1)
		n.entries.Add(int64(len(m.Entries)))
	}
	n.Network.Send(m)
}

func (c *runtimeCluster) close() {
	for _, p := range c.peers {
		if p != nil {
			p.Stop()
		}
	}
}
