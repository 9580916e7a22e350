package raft

import (
	"encoding/binary"
	"errors"
	"slices"
)

// A Peer's side of log compaction: when to take a snapshot, what goes into
// one (the state machine's state and the client sessions, which are
// replicated state too), and how to come back from one.

// DefaultSnapshotEvery is how many applied entries a Peer lets accumulate
// before it takes a snapshot, unless PeerConfig.SnapshotEvery says
// otherwise.
const DefaultSnapshotEvery = 10_000

// maybeSnapshot compacts the log once enough entries have been applied
// since the last snapshot.
func (p *Peer[S]) maybeSnapshot() {
	every := p.cfg.SnapshotEvery
	if every == 0 {
		every = DefaultSnapshotEvery
	}
	ss, ok := p.sm.(Snapshotter[S])
	if !ok || every < 0 || p.applied-p.node.LastSnapshot().Index < uint64(every) {
		return
	}
	var state []byte
	if err := p.guard("EncodeState", p.applied, func() { state = ss.EncodeState(p.state) }); err != nil {
		p.stopWith(err)
		return
	}
	snap, err := p.node.Compact(p.applied, encodeSnapshot(state, p.sessions))
	if err != nil {
		return // cannot happen: applied is past the last snapshot
	}
	if err := p.cfg.Storage.SaveSnapshot(snap); err != nil {
		p.fail(err)
		return
	}
	p.obs.Snapshot = snap
}

// restore replaces the state machine's state and the sessions with a
// snapshot's, and answers the writes waiting here that it covers.
func (p *Peer[S]) restore(snap Snapshot) error {
	ss, ok := p.sm.(Snapshotter[S])
	if !ok {
		return errors.New("raft: got a snapshot, but the state machine cannot decode one (it is not a Snapshotter)")
	}
	stateData, sessions, err := decodeSnapshot(snap.Data, p.cfg.maxSessions)
	if err != nil {
		return err
	}
	var state S
	if perr := p.guard("DecodeState", snap.Index, func() { state, err = ss.DecodeState(stateData) }); perr != nil {
		p.stopWith(perr)
		return perr
	}
	if err != nil {
		return wrapError(err, "raft: decoding the state machine's snapshot")
	}
	p.state, p.sessions, p.applied = state, sessions, snap.Index
	for _, w := range p.writes.order {
		if w.over {
			continue
		}
		switch out, reply := p.sessions.lookup(w.entry.Client, w.entry.Seq); out {
		case duplicate:
			p.writes.finish(w, reply, nil)
		case stale:
			p.writes.finish(w, nil, errorOf("raft: write ", w.entry.Seq, " of client ", w.entry.Client,
				" was applied and forgotten before this peer caught up from a snapshot"))
		}
	}
	p.writes.lostBelow(snap.Index)
	return nil
}

// encodeSnapshot writes the state machine's encoded state and the session
// table, least recently used session first (the order is replicated
// state: it says which session goes next), each session's replies by
// sequence number, so equal tables give equal bytes.
func encodeSnapshot(state []byte, t *sessionTable) []byte {
	b := binary.AppendUvarint(nil, uint64(len(state)))
	b = append(b, state...)
	b = binary.AppendUvarint(b, uint64(t.len()))
	t.each(func(s *clientSession) {
		b = binary.AppendUvarint(b, s.client)
		b = binary.AppendUvarint(b, s.lowest)
		seqs := make([]uint64, 0, len(s.replies))
		for q := range s.replies {
			seqs = append(seqs, q)
		}
		slices.Sort(seqs)
		b = binary.AppendUvarint(b, uint64(len(seqs)))
		for _, q := range seqs {
			b = binary.AppendUvarint(b, q)
			b = binary.AppendUvarint(b, uint64(len(s.replies[q])))
			b = append(b, s.replies[q]...)
		}
	})
	return b
}

var errSnapshotData = errors.New("raft: malformed snapshot data")

// decodeSnapshot reads what encodeSnapshot wrote, into a table that keeps
// at most max sessions.
func decodeSnapshot(b []byte, max int) (state []byte, t *sessionTable, err error) {
	d := decoder{b: b}
	state = d.bytes()
	t = newSessionTable(max)
	n := d.uvarint()
	if n > uint64(len(d.b)) { // each session takes bytes: a bound before counting
		return nil, nil, errSnapshotData
	}
	for ; n > 0 && d.err == nil; n-- {
		s := &clientSession{client: d.uvarint(), lowest: d.uvarint(), replies: map[uint64][]byte{}}
		for k := d.uvarint(); k > 0 && d.err == nil; k-- {
			q := d.uvarint()
			s.replies[q] = d.bytes()
		}
		if d.err == nil && !t.add(s) {
			d.err = errSnapshotData // a client twice
		}
	}
	if d.err != nil || len(d.b) != 0 || t.len() > max {
		return nil, nil, errSnapshotData
	}
	return state, t, nil
}

type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uvarint() uint64 {
	v, k := binary.Uvarint(d.b)
	if k <= 0 {
		d.err = errSnapshotData
		return 0
	}
	d.b = d.b[k:]
	return v
}

func (d *decoder) bytes() []byte {
	n := d.uvarint()
	if d.err != nil || n > uint64(len(d.b)) {
		d.err = errSnapshotData
		return nil
	}
	v := d.b[:n:n]
	d.b = d.b[n:]
	return v
}
