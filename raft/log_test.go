package raft

import (
	"slices"
	"testing"
)

// The log and the quorum arithmetic, piece by piece.

func testLog(termsOf ...uint64) raftLog {
	es := make([]Entry, len(termsOf))
	for i, t := range termsOf {
		es[i] = Entry{Index: uint64(i) + 1, Term: t}
	}
	return newLog(&Snapshot{}, es)
}

func TestLogTermAndMatches(t *testing.T) {
	l := testLog(1, 1, 2)
	for _, tc := range []struct {
		i, term uint64
		ok      bool
	}{{0, 0, true}, {1, 1, true}, {3, 2, true}, {4, 0, false}} {
		if got, ok := l.term(tc.i); got != tc.term || ok != tc.ok {
			t.Errorf("term(%d) = %d, %v; want %d, %v", tc.i, got, ok, tc.term, tc.ok)
		}
	}
	if !l.matches(0, 0) || !l.matches(3, 2) || l.matches(3, 1) || l.matches(4, 0) || l.matches(4, 2) {
		t.Error("matches disagrees with the log 1 1 2")
	}
	if l.lastIndex() != 3 || l.lastTerm() != 2 {
		t.Errorf("last = (%d, %d), want (3, 2)", l.lastIndex(), l.lastTerm())
	}
	var empty raftLog
	if empty.lastIndex() != 0 || empty.lastTerm() != 0 || !empty.matches(0, 0) {
		t.Error("the empty log ends at (0, 0)")
	}
}

// Reference: section 5.4.1 (see TestRequestVoteReceiverRule2UpToDateCheck).
func TestLogIsUpToDate(t *testing.T) {
	l := testLog(1, 2, 2)
	for _, tc := range []struct {
		index, term uint64
		want        bool
	}{{3, 2, true}, {4, 2, true}, {2, 2, false}, {1, 3, true}, {9, 1, false}, {0, 0, false}} {
		if got := l.isUpToDate(tc.index, tc.term); got != tc.want {
			t.Errorf("isUpToDate(%d, %d) against (3, 2) = %v, want %v", tc.index, tc.term, got, tc.want)
		}
	}
	var empty raftLog
	if !empty.isUpToDate(0, 0) {
		t.Error("an empty log is as up-to-date as an empty log")
	}
}

func TestLogMerge(t *testing.T) {
	for _, tc := range []struct {
		name       string
		log        []uint64
		prev       uint64
		entries    []uint64
		want       []uint64
		wantUnsave uint64 // the first index to save afterwards
	}{
		{"append at the end", []uint64{1, 1}, 2, []uint64{2, 2}, []uint64{1, 1, 2, 2}, 3},
		{"all present", []uint64{1, 1, 2}, 1, []uint64{1, 2}, []uint64{1, 1, 2}, 4},
		{"stale and shorter", []uint64{1, 1, 2, 2}, 1, []uint64{1}, []uint64{1, 1, 2, 2}, 5},
		{"overlap then new", []uint64{1, 1, 2}, 1, []uint64{1, 2, 2, 3}, []uint64{1, 1, 2, 2, 3}, 4},
		{"conflict in the middle", []uint64{1, 1, 2, 2, 2}, 2, []uint64{3}, []uint64{1, 1, 3}, 3},
		{"conflict at the first", []uint64{1, 1}, 0, []uint64{2}, []uint64{2}, 1},
		{"nothing", []uint64{1}, 1, nil, []uint64{1}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := testLog(tc.log...)
			es := make([]Entry, len(tc.entries))
			for i, term := range tc.entries {
				es[i] = Entry{Index: tc.prev + 1 + uint64(i), Term: term}
			}
			l.merge(tc.prev, es)
			if got := terms(l.entries); !slices.Equal(got, tc.want) {
				t.Fatalf("log = %v, want %v", got, tc.want)
			}
			for i, e := range l.entries {
				if e.Index != uint64(i)+1 {
					t.Fatalf("entry at position %d has index %d", i, e.Index)
				}
			}
			if l.unsaved != tc.wantUnsave {
				t.Fatalf("first unsaved index = %d, want %d", l.unsaved, tc.wantUnsave)
			}
		})
	}
}

func TestLogTermSearch(t *testing.T) {
	l := testLog(1, 1, 2, 2, 2, 4, 5)
	for i, want := range map[uint64]uint64{1: 1, 2: 1, 3: 3, 5: 3, 6: 6, 7: 7} {
		if got := l.firstIndexOfTerm(i); got != want {
			t.Errorf("firstIndexOfTerm(%d) = %d, want %d", i, got, want)
		}
	}
	for _, tc := range []struct{ term, at, want uint64 }{
		{2, 7, 5}, {2, 4, 4}, {2, 2, 0}, {3, 7, 0}, {1, 99, 2}, {5, 7, 7}, {6, 7, 0}, {4, 0, 0},
	} {
		if got := l.lastIndexOfTerm(tc.term, tc.at); got != tc.want {
			t.Errorf("lastIndexOfTerm(%d, at %d) = %d, want %d", tc.term, tc.at, got, tc.want)
		}
	}
}

// Entries handed out (in messages, in Ready, to storage) never change,
// whatever the log does afterwards.
func TestLogSlicesHandedOutNeverChange(t *testing.T) {
	l := testLog(1, 1, 1, 1)
	out := l.slice(2, 0)
	outMax := l.slice(1, 2)
	if len(outMax) != 2 {
		t.Fatalf("slice(1, max 2) has %d entries", len(outMax))
	}
	l.truncate(2)
	l.append(Entry{Index: 3, Term: 9}) // fits where the old entry 3 was
	if got := terms(out); !slices.Equal(got, []uint64{1, 1, 1}) {
		t.Fatalf("a slice handed out before a truncation now reads %v", got)
	}
	l.append(Entry{Index: 4, Term: 9}, Entry{Index: 5, Term: 9})
	if got := terms(out); !slices.Equal(got, []uint64{1, 1, 1}) {
		t.Fatalf("a slice handed out before a truncation now reads %v", got)
	}
	_ = append(outMax, Entry{Index: 3, Term: 7})
	if got := terms(l.entries); !slices.Equal(got, []uint64{1, 1, 9, 9, 9}) {
		t.Fatalf("appending to a handed-out slice changed the log: %v", got)
	}
	if l.slice(0, 0) != nil || l.slice(6, 0) != nil {
		t.Fatal("slices outside the log are empty")
	}
}

func TestLogTakeUnsaved(t *testing.T) {
	l := testLog(1, 1)
	if es := l.takeUnsaved(); len(es) != 0 {
		t.Fatalf("a restored log has %d unsaved entries", len(es))
	}
	l.append(Entry{Index: 3, Term: 2}, Entry{Index: 4, Term: 2})
	l.truncate(3)
	l.append(Entry{Index: 4, Term: 3})
	es := l.takeUnsaved()
	if got := terms(es); !slices.Equal(got, []uint64{2, 3}) || es[0].Index != 3 {
		t.Fatalf("unsaved = %v from %d, want entries 3 and 4 (terms 2 3)", got, es[0].Index)
	}
	l.truncate(1)
	if es := l.takeUnsaved(); len(es) != 0 || l.unsaved != 2 {
		t.Fatalf("after cutting to 1: unsaved %v, next to save %d; want nothing, 2", es, l.unsaved)
	}
}

// Reference: section 5.3: "A log entry is committed once the leader that
// created the entry has replicated it on a majority of the servers".
func TestQuorumIndex(t *testing.T) {
	for _, tc := range []struct {
		matches []uint64
		want    uint64
	}{
		{nil, 0},
		{[]uint64{5}, 5},
		{[]uint64{5, 3}, 3},
		{[]uint64{5, 3, 0}, 3},
		{[]uint64{0, 0, 7}, 0},
		{[]uint64{9, 1, 4, 4}, 4},
		{[]uint64{9, 1, 4, 2}, 2},
		{[]uint64{2, 8, 6, 9, 1}, 6},
		{[]uint64{2, 8, 6, 1, 1}, 2},
	} {
		if got := quorumIndex(slices.Clone(tc.matches)); got != tc.want {
			t.Errorf("quorumIndex(%v) = %d, want %d", tc.matches, got, tc.want)
		}
	}
	for n, want := range map[int]int{1: 1, 2: 2, 3: 2, 4: 3, 5: 3, 7: 4} {
		if got := majority(n); got != want {
			t.Errorf("majority(%d) = %d, want %d", n, got, want)
		}
	}
}
