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

	hashes   [][]uint64            // per peer: prefix hash of its log at each index
	leaders  map[uint64]raft.ID    // term -> the leader elected in it
	byPos    map[[2]uint64]uint64  // (index, term) -> prefix hash, across all peers
	commitH  []uint64              // prefix hashes of the committed log
	states   map[uint64]lock.State // the lock after applying an index
	appliedH []uint64              // hash of the entry applied at each index
}

func newChecker(s *Sim) *checker {
	return &checker{
		s:       s,
		hashes:  make([][]uint64, s.cfg.Peers),
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
	c.s.record(Event{Kind: EvViolation, Peer: sl.id, Reason: what})
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

func chain(prev uint64, e *raft.Entry) uint64 {
	return (prev^0x9e3779b97f4a7c15)*0xbf58476d1ce4e5b9 ^ entryHash(e)
}

// appended extends a peer's prefix hashes and checks Log Matching: "if two
// logs contain an entry with the same index and term, then the logs are
// identical in all entries up through the given index".
func (c *checker) appended(sl *slot, es []raft.Entry) {
	h := c.hashes[sl.id-1]
	first := es[0].Index
	h = h[:first-1]
	for i := range es {
		e := &es[i]
		prev := uint64(0)
		if len(h) > 0 {
			prev = h[len(h)-1]
		}
		ph := chain(prev, e)
		h = append(h, ph)
		key := [2]uint64{e.Index, e.Term}
		if old, ok := c.byPos[key]; !ok {
			c.byPos[key] = ph
		} else if old != ph {
			c.fail(sl, "Log Matching: two logs hold an entry with index "+utoa(e.Index)+" and term "+utoa(e.Term)+" but differ before it")
		}
	}
	c.hashes[sl.id-1] = h
}

// truncated checks Leader Append-Only: "a leader never overwrites or
// deletes entries in its log".
func (c *checker) truncated(sl *slot, from uint64) {
	if sl.role == raft.Leader {
		c.fail(sl, "Leader Append-Only: leader deleted its entries from index "+utoa(from))
	}
}

// restarted rebuilds a peer's prefix hashes from the log it recovered.
func (c *checker) restarted(sl *slot, n *raft.Node) {
	es := n.Entries(1, n.Status().LastIndex)
	c.hashes[sl.id-1] = c.hashes[sl.id-1][:0]
	if len(es) > 0 {
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
	if k := len(c.commitH); k > 0 {
		h := c.hashes[sl.id-1]
		if len(h) < k || h[k-1] != c.commitH[k-1] {
			c.fail(sl, "Leader Completeness: new leader of term "+utoa(term)+" lacks committed entries up to index "+itoa(k))
		}
	}
}

// committed checks that a peer's committed prefix agrees with everything
// known to be committed, and extends that.
func (c *checker) committed(sl *slot, n *raft.Node) {
	h := c.hashes[sl.id-1]
	ci := int(sl.commit)
	if ci > len(h) {
		c.fail(sl, "commit index "+itoa(ci)+" is past the end of the log ("+itoa(len(h))+")")
		return
	}
	k := len(c.commitH)
	switch {
	case ci <= k:
		if ci > 0 && h[ci-1] != c.commitH[ci-1] {
			c.fail(sl, "committed entries differ at or before index "+itoa(ci))
		}
	default:
		if k > 0 && h[k-1] != c.commitH[k-1] {
			c.fail(sl, "committed entries differ at or before index "+itoa(k))
			return
		}
		c.commitH = append(c.commitH, h[k:ci]...)
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
