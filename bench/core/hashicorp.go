package core

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"
	hraft "github.com/hashicorp/raft"
)

// hashicorpCluster is three hashicorp/raft v1.8.0 nodes in one process, on
// its InmemTransport and InmemStore: the yardstick for our peer runtime
// (raft.Peer), as etcd's RawNode is for our core. Writers call Apply at the
// leader and wait for each answer, as ours call Peer.Write.
type hashicorpCluster struct {
	nodes  [Peers]*hraft.Raft
	fsms   [Peers]*countingFSM
	trans  [Peers]*countingTransport
	leader *hraft.Raft
}

// HashicorpConfig is hashicorp/raft's DefaultConfig with its logger
// silenced: MaxAppendEntries 64 (as ours), no batching of the apply
// channel (BatchApplyCh false, the default), one-second heartbeat and
// election timeouts (setup only: the run is shorter than a snapshot
// interval, and in memory no heartbeat is missed).
func HashicorpConfig(id string) *hraft.Config {
	c := hraft.DefaultConfig()
	c.LocalID = hraft.ServerID(id)
	c.Logger = hclog.New(&hclog.LoggerOptions{Output: io.Discard, Level: hclog.Off})
	return c
}

func newHashicorp() (*hashicorpCluster, error) {
	c := &hashicorpCluster{}
	var servers []hraft.Server
	var raw [Peers]*hraft.InmemTransport
	for i := range c.nodes {
		id := fmt.Sprint(i + 1)
		_, raw[i] = hraft.NewInmemTransport(hraft.ServerAddress(id))
		c.trans[i] = &countingTransport{InmemTransport: raw[i]}
		servers = append(servers, hraft.Server{Suffrage: hraft.Voter, ID: hraft.ServerID(id), Address: hraft.ServerAddress(id)})
	}
	for i := range raw {
		for j := range raw {
			if i != j {
				raw[i].Connect(raw[j].LocalAddr(), raw[j])
			}
		}
	}
	for i := range c.nodes {
		cfg := HashicorpConfig(fmt.Sprint(i + 1))
		logs, snaps := hraft.NewInmemStore(), hraft.NewInmemSnapshotStore()
		if err := hraft.BootstrapCluster(cfg, logs, logs, snaps, c.trans[i], hraft.Configuration{Servers: servers}); err != nil {
			c.close()
			return nil, err
		}
		c.fsms[i] = &countingFSM{}
		r, err := hraft.NewRaft(cfg, c.fsms[i], logs, logs, snaps, c.trans[i])
		if err != nil {
			c.close()
			return nil, err
		}
		c.nodes[i] = r
	}
	// Wait for the election (setup, not measured): a leader says so on
	// its LeaderCh.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	won := make(chan *hraft.Raft, Peers)
	for _, r := range c.nodes {
		go func() {
			for {
				select {
				case lead := <-r.LeaderCh():
					if lead {
						won <- r
						return
					}
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	select {
	case c.leader = <-won:
	case <-ctx.Done():
		c.close()
		return nil, errors.New("hashicorp: no leader within a minute")
	}
	return c, nil
}

// write applies data at the leader and waits for its answer.
func (c *hashicorpCluster) write(data []byte) error {
	if err := c.leader.Apply(data, 0).Error(); err != nil {
		return err
	}
	return nil
}

// appliedAll waits until every node has applied n writes.
func (c *hashicorpCluster) appliedAll(n int) error {
	for i, f := range c.fsms {
		select {
		case <-f.reached(n):
		case <-time.After(time.Minute):
			return fmt.Errorf("hashicorp: node %d applied %d writes of %d", i+1, f.count(), n)
		}
	}
	return nil
}

// entriesPerAppend is the mean number of entries an AppendEntries carrying
// any held, since the cluster started.
func (c *hashicorpCluster) appends() (msgs, entries int64) {
	for _, t := range c.trans {
		msgs += t.apps.Load()
		entries += t.entries.Load()
	}
	return msgs, entries
}

func (c *hashicorpCluster) close() {
	for _, r := range c.nodes {
		if r != nil {
			r.Shutdown().Error()
		}
	}
}

// countingFSM counts the writes it applies and says when it has n.
type countingFSM struct {
	mu      sync.Mutex
	n       int
	waiting map[int]chan struct{}
}

func (f *countingFSM) Apply(l *hraft.Log) any {
	if len(l.Data) != PayloadSize {
		return fmt.Errorf("applied a command of %d bytes, want %d", len(l.Data), PayloadSize)
	}
	f.mu.Lock()
	f.n++
	if ch := f.waiting[f.n]; ch != nil {
		close(ch)
		delete(f.waiting, f.n)
	}
	f.mu.Unlock()
	return nil
}

func (f *countingFSM) reached(n int) <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	ch := make(chan struct{})
	if f.n >= n {
		close(ch)
		return ch
	}
	if f.waiting == nil {
		f.waiting = map[int]chan struct{}{}
	}
	f.waiting[n] = ch
	return ch
}

func (f *countingFSM) count() int { f.mu.Lock(); defer f.mu.Unlock(); return f.n }

func (f *countingFSM) Snapshot() (hraft.FSMSnapshot, error) {
	return countSnapshot(f.count()), nil
}

func (f *countingFSM) Restore(r io.ReadCloser) error {
	defer r.Close()
	var n int
	if _, err := fmt.Fscan(r, &n); err != nil {
		return err
	}
	f.mu.Lock()
	f.n = n
	f.mu.Unlock()
	return nil
}

type countSnapshot int

func (s countSnapshot) Persist(sink hraft.SnapshotSink) error {
	if _, err := fmt.Fprint(sink, int(s)); err != nil {
		sink.Cancel()
		return err
	}
	return sink.Close()
}

func (countSnapshot) Release() {}

// countingTransport is an InmemTransport that counts the AppendEntries
// carrying entries, and their entries, sent one by one or pipelined.
type countingTransport struct {
	*hraft.InmemTransport
	apps, entries atomic.Int64
}

func (t *countingTransport) count(args *hraft.AppendEntriesRequest) {
	if len(args.Entries) > 0 {
		t.apps.Add(1)
		t.entries.Add(int64(len(args.Entries)))
	}
}

func (t *countingTransport) AppendEntries(id hraft.ServerID, target hraft.ServerAddress, args *hraft.AppendEntriesRequest, resp *hraft.AppendEntriesResponse) error {
	t.count(args)
	return t.InmemTransport.AppendEntries(id, target, args, resp)
}

func (t *countingTransport) AppendEntriesPipeline(id hraft.ServerID, target hraft.ServerAddress) (hraft.AppendPipeline, error) {
	p, err := t.InmemTransport.AppendEntriesPipeline(id, target)
	if err != nil {
		return nil, err
	}
	return &countingPipeline{AppendPipeline: p, t: t}, nil
}

type countingPipeline struct {
	hraft.AppendPipeline
	t *countingTransport
}

func (p *countingPipeline) AppendEntries(args *hraft.AppendEntriesRequest, resp *hraft.AppendEntriesResponse) (hraft.AppendFuture, error) {
	p.t.count(args)
	return p.AppendPipeline.AppendEntries(args, resp)
}
