package raft

import "slices"

// raftLog is a peer's copy of the replicated log, held in memory. Entries up
// to and including index offset have been compacted into a snapshot
// (section 7): only the snapshot's last index and term remain of them.
//
// Invariant: entries[i].Index == offset+i+1, and terms never decrease along
// the log. Index 0 is the empty prefix every log shares; its term is 0.
type raftLog struct {
	offset     uint64 // last index covered by the snapshot (0: none)
	offsetTerm uint64 // its term
	entries    []Entry
	// unsaved is the lowest index that changed since the last Ready: from
	// there on, entries must be written to Storage before any message that
	// depends on them leaves the peer. It is lastIndex()+1 when all is saved.
	unsaved uint64
}

func newLog(snap *Snapshot, saved []Entry) raftLog {
	l := raftLog{offset: snap.Index, offsetTerm: snap.Term, entries: saved}
	l.unsaved = l.lastIndex() + 1
	return l
}

func (l *raftLog) lastIndex() uint64 { return l.offset + uint64(len(l.entries)) }

func (l *raftLog) lastTerm() uint64 {
	if len(l.entries) == 0 {
		return l.offsetTerm
	}
	return l.entries[len(l.entries)-1].Term
}

// at returns the entry at index i, which must lie after the offset and in
// the log.
func (l *raftLog) at(i uint64) *Entry { return &l.entries[i-l.offset-1] }

// term returns the term of the entry at index i, and whether it is known:
// not if i is past the end, or compacted away (before the snapshot's last
// index, whose term is kept).
func (l *raftLog) term(i uint64) (uint64, bool) {
	switch {
	case i == l.offset:
		return l.offsetTerm, true
	case i < l.offset || i > l.lastIndex():
		return 0, false
	}
	return l.at(i).Term, true
}

// matches reports whether the log holds an entry at index i with term t:
// the AppendEntries consistency check (Figure 2, receiver rule 2).
func (l *raftLog) matches(i, t uint64) bool {
	got, ok := l.term(i)
	return ok && got == t
}

// isUpToDate reports whether a log ending at (index, term) is at least as
// up-to-date as this one (section 5.4.1): the later last term wins; with equal
// last terms, the longer log wins.
func (l *raftLog) isUpToDate(index, term uint64) bool {
	last := l.lastTerm()
	return term > last || (term == last && index >= l.lastIndex())
}

// slice returns the entries from index lo on, at most max of them (max <= 0:
// all). lo must lie after the offset. The result shares memory with the log;
// see append and merge for why that is safe.
func (l *raftLog) slice(lo uint64, max int) []Entry {
	if lo <= l.offset || lo > l.lastIndex() {
		return nil
	}
	es := l.entries[lo-l.offset-1:]
	if max > 0 && len(es) > max {
		es = es[:max]
	}
	return es[:len(es):len(es)]
}

// append adds entries at the end. Writing past the current length never
// disturbs a slice handed out earlier.
func (l *raftLog) append(es ...Entry) {
	l.entries = appendDoubling(l.entries, es)
}

// appendDoubling appends es to s, at least doubling the capacity when it
// runs out. (Past a few hundred elements, append grows a slice by only a
// quarter at a time, so a log copied itself about five times over as it
// grew; doubling copies it about once.)
func appendDoubling(s, es []Entry) []Entry {
	if len(s)+len(es) > cap(s) {
		s = slices.Grow(s, max(len(es), len(s)))
	}
	return append(s, es...)
}

// truncate drops the entries after index i (i >= offset). The next append
// then starts a fresh array (the capacity is clipped), so entries handed out
// earlier, in messages in flight or in storage, never change under their
// holders.
func (l *raftLog) truncate(i uint64) {
	k := i - l.offset
	l.entries = l.entries[:k:k]
	if l.unsaved > i+1 {
		l.unsaved = i + 1
	}
}

// compact drops the entries up to and including index i (offset < i <=
// lastIndex()), which a snapshot now stands for. The rest moves to a new
// array so the old one can be collected, with room for about as many
// entries as were compacted (see roomAfter).
func (l *raftLog) compact(i uint64) {
	t, _ := l.term(i)
	l.entries = withRoom(l.entries[i-l.offset:], roomAfter(i-l.offset))
	l.offset, l.offsetTerm = i, t
	l.unsaved = max(l.unsaved, i+1)
}

// withRoom returns a copy of es in a new array with room for n more.
func withRoom(es []Entry, n int) []Entry {
	return append(make([]Entry, 0, len(es)+n), es...)
}

// roomAfter is the room a log (or a storage) keeps after compacting k
// entries: snapshots come every so many entries, so about as many come
// before the next one, and without room the array would regrow from
// nothing, doubling, one copy after another, after every snapshot.
func roomAfter(k uint64) int { return int(k + k/4) }

// reset empties the log and starts it after a snapshot (section 7: "discard
// the entire log").
func (l *raftLog) reset(index, term uint64) {
	l.entries = nil
	l.offset, l.offsetTerm = index, term
	l.unsaved = index + 1
}

// firstConflict returns the index of the first entry of es (which follow
// index prev, at or after the offset) that disagrees with the log, or 0 if
// every entry is either already present with the same term or lies past the
// end of the log.
func (l *raftLog) firstConflict(prev uint64, es []Entry) uint64 {
	for i := range es {
		idx := prev + 1 + uint64(i)
		t, ok := l.term(idx)
		if !ok {
			return 0
		}
		if t != es[i].Term {
			return idx
		}
	}
	return 0
}

// merge stores the entries es that follow index prev (Figure 2, receiver
// rules 3 and 4): entries already present are skipped, the log is cut at the
// first conflicting entry, and whatever is new is appended. A shorter or
// stale message never cuts the log: only a real conflict does.
func (l *raftLog) merge(prev uint64, es []Entry) {
	if c := l.firstConflict(prev, es); c != 0 {
		l.truncate(c - 1)
	}
	if next := l.lastIndex() + 1; next <= prev+uint64(len(es)) {
		l.append(es[next-prev-1:]...)
	}
}

// firstIndexOfTerm returns the first index of the run of entries that share
// the term of the entry at i (offset < i <= lastIndex()), as far back as the
// log goes. A follower reports it so the leader can skip the whole term at
// once.
func (l *raftLog) firstIndexOfTerm(i uint64) uint64 {
	t := l.at(i).Term
	for i > l.offset+1 && l.at(i-1).Term == t {
		i--
	}
	return i
}

// lastIndexOfTerm returns the last index holding term t at or below index
// at, or 0 if there is none the log still knows of.
func (l *raftLog) lastIndexOfTerm(t, at uint64) uint64 {
	at = min(at, l.lastIndex())
	for i := at; i >= l.offset && i > 0; i-- {
		switch et, _ := l.term(i); {
		case et == t:
			return i
		case et < t:
			return 0
		}
	}
	return 0
}

// takeUnsaved returns the entries Storage has not seen yet and marks them
// saved: the caller is about to save them.
func (l *raftLog) takeUnsaved() []Entry {
	es := l.slice(l.unsaved, 0)
	l.unsaved = l.lastIndex() + 1
	return es
}
