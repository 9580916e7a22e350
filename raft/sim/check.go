package sim

import (
	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/lock"
)

// checker verifies Raft's safety properties (Figure 3 of the paper) after
// every event, from what the peers report, and that no client's write is
// applied twice. It compares logs through prefix hashes: two logs agree up
// to index i exactly when their prefix hashes at i are equal (barring a
// 64-bit collision).
type checker struct {
	s          *Sim
	violations []Event

	chains  []chain              // per peer: the prefix hashes of its log
	leaders map[uint64]raft.ID   // term -> the leader elected in it
	stayed  map[uint64]raft.ID   // term -> a leader that moved to it still leading
	votes   map[uint64][]ballot  // term -> the votes cast in it
	byPos   map[[2]uint64]posRec // (index, term) -> prefix hash and who had it first
	commitH []uint64             // prefix hashes of the committed log
	commitT []uint64             // terms of the committed entries
	states  map[uint64]stateRec  // the lock after applying an index
	applies []applyRec           // the entry first applied at each index
	once    map[uint64]*onceRec  // client id -> the writes it has had applied
}

type ballot struct{ voter, candidate raft.ID }

type posRec struct {
	h    uint64
	peer raft.ID
}

type stateRec struct {
	st   lock.State
	peer raft.ID
}

type applyRec struct {
	h    uint64
	term uint64
	peer raft.ID
}

// onceRec is what the exactly-once check knows of one client: its writes
// applied (sequence number -> index), those below lowest forgotten, as the
// client's session allows.
type onceRec struct {
	lowest  uint64
	applied map[uint64]uint64
}

// chain is one peer's prefix hashes. A snapshot compacts its start: off is
// the snapshot's index, base the prefix hash there.
type chain struct {
	off  uint64
	base uint64
	h    []uint64 // h[i] is the prefix hash at index off+i+1
	t    []uint64 // t[i] is the term of the entry there
}

// term returns the term of the entry at index i, if the chain still holds
// it (0 if not).
func (c *chain) term(i uint64) uint64 {
	if i <= c.off || i > c.last() {
		return 0
	}
	return c.t[i-c.off-1]
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
		c.t = append([]uint64(nil), c.t[i-c.off:]...)
	} else {
		c.h, c.t = nil, nil
	}
	c.off, c.base = i, base
}

func newChecker(s *Sim) *checker {
	return &checker{
		s:       s,
		chains:  make([]chain, s.cfg.Peers),
		leaders: make(map[uint64]raft.ID),
		stayed:  make(map[uint64]raft.ID),
		votes:   make(map[uint64][]ballot),
		byPos:   make(map[[2]uint64]posRec),
		states:  make(map[uint64]stateRec),
		once:    make(map[uint64]*onceRec),
	}
}

// ViolationCount returns how many violations have been found so far, so a
// caller can stop at the next one.
func (s *Sim) ViolationCount() int {
	if s.check == nil {
		return 0
	}
	return len(s.check.violations)
}

// Violations returns the violations found so far.
func (s *Sim) Violations() []Event {
	if s.check == nil {
		return nil
	}
	return append([]Event(nil), s.check.violations...)
}

// fail records a violation at sl: the event just recorded caused it, and
// the message being delivered, if any, carried the cause.
func (c *checker) fail(sl *slot, v Violation, what string) {
	v.Cause = c.s.trace.seq
	if c.s.delivering != 0 && v.Msgs == nil {
		v.Msgs = []uint64{c.s.delivering}
	}
	if len(v.Peers) == 0 {
		v.Peers = []raft.ID{sl.id}
	}
	c.s.record(&Event{Kind: EvViolation, Peer: sl.id, Reason: what, Violation: &v})
}

func (c *checker) internal(sl *slot, what string) {
	c.fail(sl, Violation{Property: Internal}, what)
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
		c.internal(sl, sl.id.String()+" appended entries at "+utoa(first)+" that do not follow its log (which ends at "+utoa(ch.last())+")")
		return
	}
	ch.h, ch.t = ch.h[:first-1-ch.off], ch.t[:first-1-ch.off]
	for i := range es {
		e := &es[i]
		prev = link(prev, e)
		ch.h, ch.t = append(ch.h, prev), append(ch.t, e.Term)
		key := [2]uint64{e.Index, e.Term}
		if old, ok := c.byPos[key]; !ok {
			c.byPos[key] = posRec{prev, sl.id}
		} else if old.h != prev {
			c.fail(sl, Violation{Property: LogMatching, Peers: pair(sl.id, old.peer), Entries: []EntryID{{e.Index, e.Term}}},
				sl.id.String()+" and "+old.peer.String()+" both hold an entry with index "+utoa(e.Index)+" and term "+utoa(e.Term)+
					", but their logs differ before it")
			return
		}
	}
}

// pair lists a and b, or a alone if they are the same peer.
func pair(a, b raft.ID) []raft.ID {
	if a == b || b == raft.None {
		return []raft.ID{a}
	}
	return []raft.ID{a, b}
}

// truncated checks Leader Append-Only: "a leader never overwrites or
// deletes entries in its log".
func (c *checker) truncated(sl *slot, from uint64) {
	if sl.role == raft.Leader {
		t := c.termAt(sl, from)
		c.fail(sl, Violation{Property: LeaderAppendOnly, Entries: []EntryID{{from, t}}},
			"the leader "+sl.id.String()+" (term "+utoa(sl.term)+") deleted its entries from index "+utoa(from)+" on")
	}
}

// termAt is the term of the entry at index i in sl's log as the checker
// last saw it, if known (0 if not).
func (c *checker) termAt(sl *slot, i uint64) uint64 { return c.chains[sl.id-1].term(i) }

// snapshot follows a peer's log compaction: its own (the hashes it had), or
// one installed from the leader (the committed log's, which a snapshot only
// ever covers).
func (c *checker) snapshot(sl *slot, snap raft.Snapshot, installed bool, last uint64) {
	ch := &c.chains[sl.id-1]
	i := snap.Index
	if i == 0 || int(i) > len(c.commitH) {
		c.fail(sl, Violation{Property: StateMachineSafety, Entries: []EntryID{{i, snap.Term}}},
			sl.id.String()+"'s snapshot through index "+utoa(i)+" covers entries not known to be committed")
		return
	}
	committed := c.commitH[i-1]
	if h, ok := ch.at(i); ok && !installed && h != committed {
		c.fail(sl, Violation{Property: StateMachineSafety, Entries: []EntryID{{i, snap.Term}}},
			sl.id.String()+"'s snapshot through index "+utoa(i)+" holds entries that differ from the committed ones")
		return
	}
	ch.compact(i, committed)
	if installed && last == i {
		ch.h, ch.t = nil, nil // the log after it went too: it did not match there
	}
}

// restarted rebuilds a peer's prefix hashes from what it recovered.
func (c *checker) restarted(sl *slot, n *raft.Node) {
	st := n.Status()
	ch := &c.chains[sl.id-1]
	*ch = chain{}
	if st.SnapshotIndex != 0 {
		if int(st.SnapshotIndex) > len(c.commitH) {
			c.fail(sl, Violation{Property: StateMachineSafety, Entries: []EntryID{{st.SnapshotIndex, st.SnapshotTerm}}},
				sl.id.String()+" restarted from a snapshot of entries not known to be committed")
			return
		}
		ch.off, ch.base = st.SnapshotIndex, c.commitH[st.SnapshotIndex-1]
	}
	if es := n.Entries(st.SnapshotIndex+1, st.LastIndex); len(es) > 0 {
		c.appended(sl, es)
	}
}

// voted records a vote, for the explanation of an Election Safety
// violation.
func (c *checker) voted(sl *slot, term uint64, candidate raft.ID) {
	c.votes[term] = append(c.votes[term], ballot{sl.id, candidate})
}

// elected checks Election Safety ("at most one leader can be elected in a
// given term") and Leader Completeness ("if a log entry is committed in a
// given term, that entry will be present in the logs of the leaders for all
// higher-numbered terms"). It runs when a peer becomes leader, and when a
// leader moves to another term still leading (stayed).
func (c *checker) elected(sl *slot, stayed bool, cf raft.Configuration) {
	term := sl.term
	if stayed {
		c.stayed[term] = sl.id
	} else {
		c.electedByMajority(sl, cf)
	}
	if other, ok := c.leaders[term]; ok && other != sl.id {
		v := Violation{Property: ElectionSafety, Peers: []raft.ID{other, sl.id}}
		what := other.String() + " and " + sl.id.String() + " both lead term " + utoa(term)
		for _, twice := range c.doubleVoters(term, other, sl.id) {
			v.Peers = append(v.Peers, twice)
			what += "; " + twice.String() + " voted for both"
		}
		if id, ok := c.stayed[term]; ok {
			what += "; " + id.String() + " moved to term " + utoa(term) + " still leading, instead of stepping down"
		}
		c.fail(sl, v, what)
		return
	}
	c.leaders[term] = sl.id
	k := uint64(len(c.commitH))
	if k == 0 {
		return
	}
	ch := &c.chains[sl.id-1]
	if k < ch.off {
		return // its snapshot covers the committed log, checked when taken
	}
	if h, ok := ch.at(k); ok && h == c.commitH[k-1] {
		return
	}
	// The first committed entry it lacks: prefix hashes agree up to some
	// index and differ from there on.
	lo, hi := ch.off, min(k, ch.last()) // agrees at lo; find the last index that agrees
	for lo < hi {
		mid := lo + (hi-lo+1)/2
		if h, _ := ch.at(mid); h == c.commitH[mid-1] {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	i := lo + 1
	c.fail(sl, Violation{Property: LeaderCompleteness, Entries: []EntryID{{i, c.commitT[i-1]}}},
		sl.id.String()+" leads term "+utoa(term)+" without the committed entry at index "+utoa(i)+" (term "+utoa(c.commitT[i-1])+")")
}

// doubleVoters lists the peers that voted for both a and b in term.
func (c *checker) doubleVoters(term uint64, a, b raft.ID) []raft.ID {
	var out []raft.ID
	for _, x := range c.votes[term] {
		if x.candidate != a {
			continue
		}
		for _, y := range c.votes[term] {
			if y.voter == x.voter && y.candidate == b {
				out = append(out, x.voter)
				break
			}
		}
	}
	return out
}

// committed checks that a peer's committed prefix agrees with everything
// known to be committed, and extends that.
func (c *checker) committed(sl *slot, leader bool, cf raft.Configuration) {
	ch := &c.chains[sl.id-1]
	ci := sl.commit
	if ci > ch.last() {
		c.internal(sl, sl.id.String()+"'s commit index "+utoa(ci)+" is past the end of its log ("+utoa(ch.last())+")")
		return
	}
	if leader && !c.heldByMajority(sl, ci, cf) {
		return
	}
	k := uint64(len(c.commitH))
	at := min(ci, k)
	if h, ok := ch.at(at); at > 0 && ok && h != c.commitH[at-1] {
		c.fail(sl, Violation{Property: StateMachineSafety, Entries: []EntryID{{at, c.commitT[at-1]}}},
			sl.id.String()+" commits index "+utoa(ci)+", but its log differs from the committed entries at or before index "+utoa(at)+
				": it would apply different entries")
		return
	}
	for i := k + 1; i <= ci; i++ {
		h, _ := ch.at(i)
		c.commitH = append(c.commitH, h)
		c.commitT = append(c.commitT, ch.term(i))
	}
}

// applied checks State Machine Safety: "if a server has applied a log entry
// at a given index to its state machine, no other server will ever apply a
// different log entry for the same index"; and, the first time an index is
// applied, that no client's write runs twice.
func (c *checker) applied(sl *slot, a *raft.Applied) {
	e := &a.Entry
	i := int(e.Index)
	eh := entryHash(e)
	switch {
	case i <= len(c.applies):
		if r := c.applies[i-1]; r.h != eh {
			c.fail(sl, Violation{Property: StateMachineSafety, Peers: pair(sl.id, r.peer),
				Entries: []EntryID{{e.Index, e.Term}, {e.Index, r.term}}},
				sl.id.String()+" applied a different entry at index "+itoa(i)+" (term "+utoa(e.Term)+") than "+
					r.peer.String()+" did (term "+utoa(r.term)+")")
		}
	case i == len(c.applies)+1:
		c.applies = append(c.applies, applyRec{eh, e.Term, sl.id})
		c.once1(sl, a)
	default:
		c.internal(sl, sl.id.String()+" applied index "+itoa(i)+" before "+itoa(len(c.applies)+1))
	}
}

// once1 checks that a client's write is applied once: a retry the session
// table recognizes is skipped, never run again.
func (c *checker) once1(sl *slot, a *raft.Applied) {
	e := &a.Entry
	if e.Type != raft.EntryCommand || e.Client == 0 || a.Skipped {
		return
	}
	r := c.once[e.Client]
	if r == nil {
		r = &onceRec{applied: make(map[uint64]uint64)}
		c.once[e.Client] = r
	}
	first, twice := r.applied[e.Seq]
	if twice || e.Seq < r.lowest {
		v := Violation{Property: ExactlyOnce, Entries: []EntryID{{e.Index, e.Term}}}
		what := sl.id.String() + " applied client " + c.s.clientName(e.Client) + "'s write " + utoa(e.Seq) +
			" (\"" + string(e.Data) + "\") again at index " + utoa(e.Index)
		if twice {
			v.Entries = append(v.Entries, EntryID{first, c.applies[first-1].term})
			what += ": it was applied at index " + utoa(first)
		} else {
			what += ": the client had already heard its answer"
		}
		c.fail(sl, v, what)
		return
	}
	r.applied[e.Seq] = e.Index
	if e.Lowest > r.lowest {
		r.lowest = e.Lowest
		for q := range r.applied { // deletion order cannot matter
			if q < r.lowest {
				delete(r.applied, q)
			}
		}
	}
}

// appliedState compares the lock's state after an index across peers. A
// peer reports its state once per batch of entries applied, so states are
// known at some indexes only.
func (c *checker) appliedState(sl *slot, index uint64, st lock.State) {
	if old, ok := c.states[index]; !ok {
		c.states[index] = stateRec{st, sl.id}
	} else if old.st != st {
		c.fail(sl, Violation{Property: StateMachineSafety, Peers: pair(sl.id, old.peer)},
			"after index "+utoa(index)+" the lock is "+st.String()+" on "+sl.id.String()+" but "+old.st.String()+" on "+old.peer.String())
	}
}

// electedByMajority checks that a new leader had the votes of a majority
// of the voters of its configuration in its term (itself included: a
// candidate votes for itself).
func (c *checker) electedByMajority(sl *slot, cf raft.Configuration) {
	if len(cf.Voters) == 0 {
		return
	}
	got := 0
	for _, v := range cf.Voters {
		if v == sl.id || c.votedFor(sl.term, v, sl.id) {
			got++
		}
	}
	if q := len(cf.Voters)/2 + 1; got < q {
		c.fail(sl, Violation{Property: Majorities},
			sl.id.String()+" leads term "+utoa(sl.term)+" with the votes of "+itoa(got)+" of the "+itoa(len(cf.Voters))+
				" voters of its configuration "+idNames(cf.Voters)+"; a majority is "+itoa(q))
	}
}

func (c *checker) votedFor(term uint64, voter, candidate raft.ID) bool {
	for _, b := range c.votes[term] {
		if b.voter == voter && b.candidate == candidate {
			return true
		}
	}
	return false
}

// heldByMajority checks that the entry a leader commits through index i
// is in the logs of a majority of the voters of its configuration (a
// voter whose snapshot covers i holds it: snapshots cover committed
// entries only). It reports whether the check passed.
func (c *checker) heldByMajority(sl *slot, i uint64, cf raft.Configuration) bool {
	if len(cf.Voters) == 0 || i == 0 {
		return true
	}
	h, ok := c.chains[sl.id-1].at(i)
	if !ok {
		return true // compacted here: checked when the snapshot was taken
	}
	got := 0
	for _, v := range cf.Voters {
		if int(v) > len(c.chains) {
			continue
		}
		vc := &c.chains[v-1]
		if vh, ok := vc.at(i); ok && vh == h || vc.off > i {
			got++
		}
	}
	if q := len(cf.Voters)/2 + 1; got < q {
		c.fail(sl, Violation{Property: Majorities, Entries: []EntryID{{i, c.chains[sl.id-1].term(i)}}},
			"the leader "+sl.id.String()+" committed index "+utoa(i)+", which only "+itoa(got)+" of the "+itoa(len(cf.Voters))+
				" voters of its configuration "+idNames(cf.Voters)+" hold; a majority is "+itoa(q))
		return false
	}
	return true
}

// idNames lists servers as [s1 s2 s3].
func idNames(ids []raft.ID) string { return "[" + names(ids) + "]" }
