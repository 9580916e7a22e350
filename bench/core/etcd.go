package core

import (
	"fmt"
	"math"

	etcd "go.etcd.io/raft/v3"
	pb "go.etcd.io/raft/v3/raftpb"
)

// etcdCluster drives three etcd RawNodes from one loop, handling Ready as
// etcd's documentation says (synchronous storage writes): save the hard
// state and entries to MemoryStorage, send the messages, apply the
// committed entries, Advance.
type etcdCluster struct {
	nodes   [Peers]*etcd.RawNode
	stores  [Peers]*etcd.MemoryStorage
	appl    [Peers]applier
	queue   []pb.Message
	inbound []pb.Message
	sent    int // messages delivered so far
}

// EtcdMaxSizePerMsg is the byte size of MaxEntriesPerMsg payload entries
// (etcd counts an entry's encoded size; the index is taken large enough
// for any run here, so a message never holds fewer entries than ours).
var EtcdMaxSizePerMsg = uint64(MaxEntriesPerMsg * (&pb.Entry{Term: 2, Index: 1 << 21, Data: make([]byte, PayloadSize)}).Size())

// EtcdMaxInflightMsgs is etcd's window of unacknowledged appends per
// follower. Ours has no such window; 256 is more than a round of 64 ever
// fills, so it never throttles (throttling would make etcd batch entries
// into fewer messages: a different workload).
const EtcdMaxInflightMsgs = 256

// etcdConfig mirrors oursConfig: one tick is one heartbeat; no pre-vote,
// no check-quorum (off in ours too); MaxSizePerMsg worth our
// MaxEntriesPerAppend; an inflight window that never fills in this workload
// (ours has none); no limit on committed entries per Ready or on
// uncommitted entries (ours has none).
func etcdConfig(id uint64, st etcd.Storage) *etcd.Config {
	return &etcd.Config{
		ID:                        id,
		ElectionTick:              10,
		HeartbeatTick:             1,
		Storage:                   st,
		MaxSizePerMsg:             EtcdMaxSizePerMsg,
		MaxCommittedSizePerReady:  math.MaxUint64,
		MaxUncommittedEntriesSize: 0, // no limit
		MaxInflightMsgs:           EtcdMaxInflightMsgs,
		Logger:                    quietLogger{},
	}
}

// newEtcd builds a 3-peer cluster (membership from a snapshot at index 1,
// term 1: the same starting point as our Bootstrap's configuration entry)
// and elects peer 1.
func newEtcd() (*etcdCluster, error) {
	c := &etcdCluster{}
	for i := range c.nodes {
		st := etcd.NewMemoryStorage()
		snap := pb.Snapshot{Metadata: pb.SnapshotMetadata{
			ConfState: pb.ConfState{Voters: []uint64{1, 2, 3}},
			Index:     1,
			Term:      1,
		}}
		if err := st.ApplySnapshot(snap); err != nil {
			return nil, err
		}
		if err := st.SetHardState(pb.HardState{Term: 1, Commit: 1}); err != nil {
			return nil, err
		}
		rn, err := etcd.NewRawNode(etcdConfig(uint64(i+1), st))
		if err != nil {
			return nil, err
		}
		c.nodes[i], c.stores[i] = rn, st
	}
	if err := c.nodes[0].Campaign(); err != nil {
		return nil, err
	}
	if err := c.settle(); err != nil {
		return nil, err
	}
	if s := c.nodes[0].BasicStatus(); s.RaftState != etcd.StateLeader {
		return nil, fmt.Errorf("etcd: peer 1 is %v after its campaign, want leader", s.RaftState)
	}
	return c, nil
}

func (c *etcdCluster) propose(data []byte) error {
	return c.nodes[0].Propose(data)
}

func (c *etcdCluster) handleReady(i int) error {
	rn, st := c.nodes[i], c.stores[i]
	rd := rn.Ready()
	if !etcd.IsEmptyHardState(rd.HardState) {
		if err := st.SetHardState(rd.HardState); err != nil {
			return err
		}
	}
	if !etcd.IsEmptySnap(rd.Snapshot) {
		if err := st.ApplySnapshot(rd.Snapshot); err != nil {
			return err
		}
	}
	if err := st.Append(rd.Entries); err != nil {
		return err
	}
	c.queue = append(c.queue, rd.Messages...)
	for j := range rd.CommittedEntries {
		if e := &rd.CommittedEntries[j]; e.Type == pb.EntryNormal && len(e.Data) > 0 {
			if err := c.appl[i].apply(e.Data); err != nil {
				return fmt.Errorf("etcd: peer %d: %w", i+1, err)
			}
		}
	}
	rn.Advance(rd)
	return nil
}

func (c *etcdCluster) settle() error {
	for {
		busy := false
		for i, rn := range c.nodes {
			if rn.HasReady() {
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
		clear(c.inbound)
	}
}

func (c *etcdCluster) tick() error {
	for _, rn := range c.nodes {
		rn.Tick()
	}
	return c.settle()
}

func (c *etcdCluster) appliedAll(n int) bool {
	for i := range c.appl {
		if c.appl[i].applied < n {
			return false
		}
	}
	return true
}

func (c *etcdCluster) close() {}

func (c *etcdCluster) messages() int { return c.sent }

// quietLogger drops etcd's log lines (elections only, in this workload), as
// our core has no logging at all.
type quietLogger struct{}

func (quietLogger) Debug(...any)              {}
func (quietLogger) Debugf(string, ...any)     {}
func (quietLogger) Error(...any)              {}
func (quietLogger) Errorf(string, ...any)     {}
func (quietLogger) Info(...any)               {}
func (quietLogger) Infof(string, ...any)      {}
func (quietLogger) Warning(...any)            {}
func (quietLogger) Warningf(string, ...any)   {}
func (quietLogger) Fatal(v ...any)            { panic(fmt.Sprint(v...)) }
func (quietLogger) Fatalf(f string, v ...any) { panic(fmt.Sprintf(f, v...)) }
func (quietLogger) Panic(v ...any)            { panic(fmt.Sprint(v...)) }
func (quietLogger) Panicf(f string, v ...any) { panic(fmt.Sprintf(f, v...)) }
