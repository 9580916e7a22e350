package sim

import (
	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/lock"
)

// checker verifies Raft's safety properties (Figure 3 of the paper) after
// every event, from what the peers report. It compares logs through prefix
// hashes: two logs agree up to index i exactly when their prefix hashes at i
// are equal (barring a 64-bit collision).
type checker struct {
	s          *Sim
	violations []Event

	chains   []chain               // per peer: the prefix hashes of its log
	leaders  map[uint64]raft.ID    // term -> the leader elected in it
	byPos    map[[2]uint64]uint64  // (index, term) -> prefix hash, across all peers
	commitH  []uint64              // prefix hashes of the committed log
	states   map[uint64]lock.State // the lock after applying an index
	appliedH []uint64              // hash of the entry applied at each index
}

// chain is one peer's prefix hashes. A snapshot compacts its start: off is
// the snapshot's index, base the prefix hash there.
type chain struct {
	off  uint64
	base uint64
	h    []uint64 // h[i] is the prefix hash at index off+i+1
}

func (c *chain) last() uint64 { return c.off + uint64(len(c.h)) }

// at returns the prefix hash at index i, if the chain still knows it.
func (c *chain) at(i uint64) (uint64, bool) {
	switch {
	case i == c.off:
		return c.base, true
	case i < c.off || i > c.last():
		return 0, false
	}
	return c.h[i-c.off-1], true
}

// compact drops the hashes before index i (off <= i <= last), with base
// the prefix hash at i.
func (c *chain) compact(i, base uint64) {
	if i <= c.last() && i >= c.off {
		c.h = append([]uint64(nil), c.h[i-c.off:]...)
	} else {
		c.h = nil
	}
	c.off, c.base = i, base
}

func newChecker(s *Sim) *checker {
	return &checker{
		s:       s,
		chains:  make([]chain, s.cfg.Peers),
		leaders: make(map[uint64]raft.ID),
		byPos:   make(map[[2]uint64]uint64),
		states:  make(map[uint64]lock.State),
	}
}

// Violations returns the safety violations found so far.
func (s *Sim) Violations() []Event {
	if s.check == nil {
		return nil
	}
	return append([]Event(nil), s.check.violations...)
}

func (c *checker) fail(sl *slot, what string) {
	c.s.record(&Event{Kind: EvViolation, Peer: sl.id, Reason: what})
}

func entryHash(e *raft.Entry) uint64 {
	h := uint64(14695981039346656037)
	mix := func(v uint64) {
		for i := 0; i < 8; i++ {
			h = (h ^ (v & 0xff)) * 1099511628211
			v >>= 8
		}
	}
	mix(e.Index)
	mix(e.Term)
	mix(uint64(e.Type))
	mix(e.Client)
	mix(e.Seq)
	for _, b := range e.Data {
		h = (h ^ uint64(b)) * 1099511628211
	}
	return h
}

func link(prev uint64, e *raft.Entry) uint64 {
	return (prev^0x9e3779b97f4a7c15)*0xbf58476d1ce4e5b9 ^ entryHash(e)
}

// appended extends a peer's prefix hashes and checks Log Matching: "if two
// logs contain an entry with the same index and term, then the logs are
// identical in all entries up through the given index".
func (c *checker) appended(sl *slot, es []raft.Entry) {
	ch := &c.chains[sl.id-1]
	first := es[0].Index
	prev, ok := ch.at(first - 1)
	if !ok {
		c.fail(sl, "appended entries at "+utoa(first)+" do not follow its log (which ends at "+utoa(ch.last())+")")
		return
	}
	ch.h = ch.h[:first-1-ch.off]
	for i := range es {
		e := &es[i]
		prev = link(prev, e)
		ch.h = append(ch.h, prev)
		key := [2]uint64{e.Index, e.Term}
		if old, ok := c.byPos[key]; !ok {
			c.byPos[key] = prev
		} else if old != prev {
			c.fail(sl, "Log Matching: two logs hold an entry with index "+utoa(e.Index)+" and term "+utoa(e.Term)+" but differ before it")
		}
	}
}

// truncated checks Leader Append-Only: "a leader never overwrites or
// deletes entries in its log".
func (c *checker) truncated(sl *slot, from uint64) {
	if sl.role == raft.Leader {
		c.fail(sl, "Leader Append-Only: leader deleted its entries from index "+utoa(from))
	}
}

// snapshot follows a peer's log compaction: its own (the hashes it had), or
// one installed from the leader (the committed log's, which a snapshot only
// ever covers).
func (c *checker) snapshot(sl *slot, snap raft.Snapshot, installed bool, last uint64) {
	ch := &c.chains[sl.id-1]
	i := snap.Index
	if i == 0 || int(i) > len(c.commitH) {
		c.fail(sl, "snapshot through index "+utoa(i)+" covers entries not known to be committed")
		return
	}
	committed := c.commitH[i-1]
	if h, ok := ch.at(i); ok && !installed && h != committed {
		c.fail(sl, "snapshot through index "+utoa(i)+" holds entries that differ from the committed ones")
		return
	}
	ch.compact(i, committed)
	if installed && last == i {
		ch.h = nil // the log after it went too: it did not match there
	}
}

// restarted rebuilds a peer's prefix hashes from what it recovered.
func (c *checker) restarted(sl *slot, n *raft.Node) {
	st := n.Status()
	ch := &c.chains[sl.id-1]
	*ch = chain{}
	if st.SnapshotIndex != 0 {
		if int(st.SnapshotIndex) > len(c.commitH) {
			c.fail(sl, "restarted from a snapshot of entries not known to be committed")
			return
		}
		ch.off, ch.base = st.SnapshotIndex, c.commitH[st.SnapshotIndex-1]
	}
	if es := n.Entries(st.SnapshotIndex+1, st.LastIndex); len(es) > 0 {
		c.appended(sl, es)
	}
}

// elected checks Election Safety ("at most one leader can be elected in a
// given term") and Leader Completeness ("if a log entry is committed in a
// given term, that entry will be present in the logs of the leaders for all
// higher-numbered terms").
func (c *checker) elected(sl *slot, n *raft.Node) {
	term := sl.term
	if other, ok := c.leaders[term]; ok && other != sl.id {
		c.fail(sl, "Election Safety: "+other.String()+" and "+sl.id.String()+" both lead term "+utoa(term))
	}
	c.leaders[term] = sl.id
	if k := uint64(len(c.commitH)); k > 0 {
		ch := &c.chains[sl.id-1]
		if k < ch.off {
			return // its snapshot covers the committed log, checked when taken
		}
		if h, ok := ch.at(k); !ok || h != c.commitH[k-1] {
			c.fail(sl, "Leader Completeness: new leader of term "+utoa(term)+" lacks committed entries up to index "+utoa(k))
		}
	}
}

// committed checks that a peer's committed prefix agrees with everything
// known to be committed, and extends that.
func (c *checker) committed(sl *slot, n *raft.Node) {
	ch := &c.chains[sl.id-1]
	ci := sl.commit
	if ci > ch.last() {
		c.fail(sl, "commit index "+utoa(ci)+" is past the end of the log ("+utoa(ch.last())+")")
		return
	}
	k := uint64(len(c.commitH))
	switch {
	case ci <= k:
		if h, ok := ch.at(ci); ci > 0 && ok && h != c.commitH[ci-1] {
			c.fail(sl, "committed entries differ at or before index "+utoa(ci))
		}
	default:
		if h, ok := ch.at(k); k > 0 && ok && h != c.commitH[k-1] {
			c.fail(sl, "committed entries differ at or before index "+utoa(k))
			return
		}
		for i := k + 1; i <= ci; i++ {
			h, _ := ch.at(i)
			c.commitH = append(c.commitH, h)
		}
	}
}

// applied checks State Machine Safety: "if a server has applied a log entry
// at a given index to its state machine, no other server will ever apply a
// different log entry for the same index" — and that the lock then holds
// the same state on every peer.
func (c *checker) applied(sl *slot, e *raft.Entry) {
	i := int(e.Index)
	eh := entryHash(e)
	switch {
	case i <= len(c.appliedH):
		if c.appliedH[i-1] != eh {
			c.fail(sl, "State Machine Safety: a different entry was applied at index "+itoa(i))
		}
	case i == len(c.appliedH)+1:
		c.appliedH = append(c.appliedH, eh)
	default:
		c.fail(sl, "entries applied out of order: index "+itoa(i)+" before "+itoa(len(c.appliedH)+1))
	}
}

// appliedState compares the lock's state after an index across peers. A
// peer reports its state once per batch of entries applied, so states are
// known at some indexes only.
func (c *checker) appliedState(sl *slot, index uint64, st lock.State) {
	if old, ok := c.states[index]; !ok {
		c.states[index] = st
	} else if old != st {
		c.fail(sl, "State Machine Safety: the lock is "+st.String()+" after index "+utoa(index)+" here but "+old.String()+" on another peer")
	}
}
