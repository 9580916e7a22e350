// Package disk measures writes that reach the disk: our raft.Peer on
// raft/disk against hashicorp/raft v1.8.0's Apply on raft-boltdb/v2
// v2.3.1, three peers in one process, each with its own directory, on an
// in-memory network (raft.Network; hashicorp's InmemTransport). Writes go
// to the leader from 1, 16 or 64 goroutines; a write returns when the
// leader has applied it. Both count their flushes.
package disk

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"
	hraft "github.com/hashicorp/raft"
	raftboltdb "github.com/hashicorp/raft-boltdb/v2"
	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/disk"
	"github.com/raftplay/raftplay/raft/wallclock"
)

// PayloadSize is every write's size, for both libraries.
const PayloadSize = 128

// Writers are the concurrencies measured.
var Writers = []int{1, 16, 64}

// Cluster is three peers writing to disk.
type Cluster interface {
	// Write applies one payload at the leader and returns once it is
	// applied there.
	Write(ctx context.Context, payload []byte) error
	// Fsyncs counts the flushes to disk so far, by all three peers.
	Fsyncs() int64
	// Applied returns how many payloads each peer has applied.
	Applied() []int64
	Close() error
}

// Payload returns write i's payload: its number, then filler.
func Payload(i int) []byte {
	p := make([]byte, PayloadSize)
	binary.LittleEndian.PutUint64(p, uint64(i))
	return p
}

// Run writes payloads 0..n-1 from the given number of goroutines, each
// starting its next write when its last returns.
func Run(c Cluster, n, writers int) error {
	var next atomic.Int64
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1) - 1; i < int64(n); i = next.Add(1) - 1 {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				err := c.Write(ctx, Payload(int(i)))
				cancel()
				if err != nil {
					errs[w] = fmt.Errorf("write %d: %w", i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// --- ours ---------------------------------------------------------------

// counter is the state machine: how many payloads of the right size it
// applied.
type counter struct{}

func (counter) Init() int64 { return 0 }
func (counter) Write(cmd []byte, n int64) ([]byte, int64) {
	if len(cmd) != PayloadSize {
		return []byte("bad size"), n
	}
	return nil, n + 1
}
func (counter) Read([]byte, int64) []byte { return nil }

// countingFS is the operating system's file system, counting flushes.
type countingFS struct {
	disk.FS
	syncs *atomic.Int64
}

func (f countingFS) OpenFile(name string, flag int, perm fs.FileMode) (disk.File, error) {
	file, err := f.FS.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return countingFile{file, f.syncs}, nil
}

func (f countingFS) SyncDir(dir string) error {
	f.syncs.Add(1)
	return f.FS.SyncDir(dir)
}

type countingFile struct {
	disk.File
	syncs *atomic.Int64
}

func (f countingFile) Sync() error {
	f.syncs.Add(1)
	return f.File.Sync()
}

type ours struct {
	peers  []*raft.Peer[int64]
	stores []*disk.Storage
	leader *raft.Peer[int64]
	syncs  atomic.Int64
}

// NewOurs starts three raft.Peers on raft/disk storages in dir, with the
// default timings (a 10 ms tick), and waits for a leader.
func NewOurs(dir string) (Cluster, error) {
	c := &ours{}
	net := raft.NewNetwork()
	for id := raft.ID(1); id <= 3; id++ {
		s, err := disk.Open(filepath.Join(dir, fmt.Sprint("s", id)), disk.Options{FS: countingFS{disk.OS, &c.syncs}})
		if err != nil {
			c.Close()
			return nil, err
		}
		c.stores = append(c.stores, s)
		if err := raft.Bootstrap(s, []raft.ID{1, 2, 3}); err != nil {
			c.Close()
			return nil, err
		}
		p, err := raft.StartPeer[int64](counter{}, raft.PeerConfig{
			Config: raft.DefaultConfig(id), Storage: s, Transport: net,
			Clock: wallclock.New(10 * time.Millisecond), SnapshotEvery: -1,
		})
		if err != nil {
			c.Close()
			return nil, err
		}
		c.peers = append(c.peers, p)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	id, err := c.peers[0].WaitForLeader(ctx)
	if err != nil {
		c.Close()
		return nil, err
	}
	c.leader = c.peers[id-1]
	return c, nil
}

func (c *ours) Write(ctx context.Context, p []byte) error {
	reply, err := c.leader.Write(ctx, p)
	if err == nil && reply != nil {
		err = errors.New(string(reply))
	}
	return err
}

func (c *ours) Fsyncs() int64 { return c.syncs.Load() }

func (c *ours) Applied() []int64 {
	var n []int64
	for _, p := range c.peers {
		s, _ := p.State()
		n = append(n, s)
	}
	return n
}

func (c *ours) Close() error {
	var err error
	for _, p := range c.peers {
		err = errors.Join(err, p.Stop())
	}
	for _, s := range c.stores {
		err = errors.Join(err, s.Close())
	}
	return err
}

// --- hashicorp ------------------------------------------------------------

type fsm struct{ applied atomic.Int64 }

func (f *fsm) Apply(l *hraft.Log) any {
	if len(l.Data) != PayloadSize {
		return errors.New("bad size")
	}
	f.applied.Add(1)
	return nil
}

func (f *fsm) Snapshot() (hraft.FSMSnapshot, error) { return nil, errors.New("no snapshots here") }
func (f *fsm) Restore(io.ReadCloser) error          { return errors.New("no snapshots here") }

// countingStore is a BoltStore that counts its write transactions: each
// commit flushes twice (bbolt writes the dirty pages and flushes, then the
// meta page and flushes).
type countingStore struct {
	*raftboltdb.BoltStore
	txs *atomic.Int64
}

func (s countingStore) StoreLog(l *hraft.Log) error {
	s.txs.Add(1)
	return s.BoltStore.StoreLog(l)
}

func (s countingStore) StoreLogs(ls []*hraft.Log) error {
	s.txs.Add(1)
	return s.BoltStore.StoreLogs(ls)
}

func (s countingStore) DeleteRange(lo, hi uint64) error {
	s.txs.Add(1)
	return s.BoltStore.DeleteRange(lo, hi)
}

func (s countingStore) Set(k, v []byte) error {
	s.txs.Add(1)
	return s.BoltStore.Set(k, v)
}

func (s countingStore) SetUint64(k []byte, v uint64) error {
	s.txs.Add(1)
	return s.BoltStore.SetUint64(k, v)
}

type hashicorp struct {
	rafts  []*hraft.Raft
	fsms   []*fsm
	stores []*raftboltdb.BoltStore
	leader *hraft.Raft
	txs    atomic.Int64
}

// NewHashicorp starts three hashicorp/raft peers, each on a raft-boltdb
// store in dir, with the default configuration (snapshots off, as ours),
// on InmemTransports, and waits for a leader.
func NewHashicorp(dir string) (Cluster, error) {
	c := &hashicorp{}
	var servers []hraft.Server
	var transports []*hraft.InmemTransport
	for i := 1; i <= 3; i++ {
		addr, t := hraft.NewInmemTransport("")
		transports = append(transports, t)
		servers = append(servers, hraft.Server{ID: hraft.ServerID(fmt.Sprint(i)), Address: addr})
	}
	for _, a := range transports {
		for _, b := range transports {
			a.Connect(b.LocalAddr(), b)
		}
	}
	for i, t := range transports {
		conf := hraft.DefaultConfig()
		conf.LocalID = servers[i].ID
		conf.Logger = hclog.NewNullLogger()
		conf.SnapshotThreshold, conf.SnapshotInterval = 1<<62, 24*time.Hour
		bolt, err := raftboltdb.NewBoltStore(filepath.Join(dir, fmt.Sprintf("s%d.db", i+1)))
		if err != nil {
			c.Close()
			return nil, err
		}
		c.stores = append(c.stores, bolt)
		store := countingStore{bolt, &c.txs}
		snaps := hraft.NewDiscardSnapshotStore()
		if err := hraft.BootstrapCluster(conf, store, store, snaps, t, hraft.Configuration{Servers: servers}); err != nil {
			c.Close()
			return nil, err
		}
		f := &fsm{}
		r, err := hraft.NewRaft(conf, f, store, store, snaps, t)
		if err != nil {
			c.Close()
			return nil, err
		}
		c.rafts, c.fsms = append(c.rafts, r), append(c.fsms, f)
	}
	for deadline := time.Now().Add(30 * time.Second); c.leader == nil; {
		for _, r := range c.rafts {
			if r.State() == hraft.Leader {
				c.leader = r
			}
		}
		if time.Now().After(deadline) {
			c.Close()
			return nil, errors.New("hashicorp: no leader after 30s")
		}
		time.Sleep(10 * time.Millisecond) // setup, not measured
	}
	return c, nil
}

func (c *hashicorp) Write(ctx context.Context, p []byte) error {
	timeout := 30 * time.Second
	if d, ok := ctx.Deadline(); ok {
		timeout = time.Until(d)
	}
	f := c.leader.Apply(p, timeout)
	if err := f.Error(); err != nil {
		return err
	}
	if err, ok := f.Response().(error); ok {
		return err
	}
	return nil
}

func (c *hashicorp) Fsyncs() int64 { return 2 * c.txs.Load() }

func (c *hashicorp) Applied() []int64 {
	var n []int64
	for _, f := range c.fsms {
		n = append(n, f.applied.Load())
	}
	return n
}

func (c *hashicorp) Close() error {
	var err error
	for _, r := range c.rafts {
		err = errors.Join(err, r.Shutdown().Error())
	}
	for _, s := range c.stores {
		err = errors.Join(err, s.Close())
	}
	return err
}
