package disk

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/raftplay/raftplay/raft"
)

// The crash-point test: a run of saves and syncs shaped like a peer's
// (elections, appends, a follower overwriting a suffix, snapshots that keep
// the log and one that replaces it, segments filling up and removed), with
// a crash at every operation that changes the disk, in three modes: what
// was not flushed is lost; everything written is kept but the interrupted
// write is torn in half; the data is kept but directory changes since the
// last directory flush are lost. Each time the directory must open, and
// hold the state after some prefix of the saves that includes every save a
// Sync acknowledged before the crash.

// step is one call of the run, made on the storage and on a model.
type step struct {
	name string
	do   func(s *Storage) error
	// model applies the step to the model and records the states a crash
	// may leave: one after each entry of an Append, one for anything else.
	model func(m *raft.MemoryStorage, record func())
	sync  bool // a Sync: everything before it is acknowledged
}

func saveState(hs raft.HardState) step {
	return step{
		name:  fmt.Sprintf("SaveState%+v", hs),
		do:    func(s *Storage) error { return s.SaveState(hs) },
		model: func(m *raft.MemoryStorage, rec func()) { m.SaveState(hs); rec() },
	}
}

func appendEntries(term uint64, first, last uint64, data string) step {
	var es []raft.Entry
	for i := first; i <= last; i++ {
		es = append(es, raft.Entry{Index: i, Term: term, Client: 7, Seq: i, Lowest: 1,
			Data: []byte(fmt.Sprintf("%s %d/%d", data, i, term))})
	}
	return step{
		name: fmt.Sprintf("Append(%d..%d, term %d)", first, last, term),
		do:   func(s *Storage) error { return s.Append(es) },
		model: func(m *raft.MemoryStorage, rec func()) {
			for _, e := range es {
				m.Append([]raft.Entry{e})
				rec()
			}
		},
	}
}

func saveSnapshot(index, term uint64, data string) step {
	snap := raft.Snapshot{Index: index, Term: term, Cluster: 0xc1, Members: []raft.ID{1, 2, 3}, Data: []byte(data)}
	return step{
		name:  fmt.Sprintf("SaveSnapshot(%d, term %d)", index, term),
		do:    func(s *Storage) error { return s.SaveSnapshot(snap) },
		model: func(m *raft.MemoryStorage, rec func()) { m.SaveSnapshot(snap); rec() },
	}
}

var syncStep = step{name: "Sync", do: (*Storage).Sync, model: func(*raft.MemoryStorage, func()) {}, sync: true}

// crashRun is the run. SegmentSize 300 fills a segment every few entries.
var crashRun = []step{
	saveState(raft.HardState{Term: 1, Boots: 1}),
	appendEntries(1, 1, 3, "lock"), syncStep,
	appendEntries(1, 4, 6, "unlock"), syncStep,
	appendEntries(1, 7, 7, "a"), appendEntries(1, 8, 9, "b"), syncStep, // two Readys, one sync
	saveState(raft.HardState{Term: 2, Vote: 2, Boots: 1}),
	appendEntries(2, 7, 8, "overwrite"), syncStep, // a follower replaces a conflicting suffix
	saveSnapshot(5, 1, "state through 5"), // keeps 6..8, removes covered segments
	appendEntries(2, 9, 22, "more"), syncStep,
	saveState(raft.HardState{Term: 3, Boots: 1}),
	saveSnapshot(20, 3, "installed from the leader"), // entry 20 has term 2: the log is replaced
	appendEntries(3, 21, 23, "after"), syncStep,
	saveSnapshot(22, 3, "state through 22"),
	saveSnapshot(30, 3, "installed again"), // past the log's end: replaced
	appendEntries(3, 31, 33, "and after"), syncStep,
	appendEntries(3, 34, 34, strings.Repeat("big ", 100)), syncStep, // bigger than a segment
	appendEntries(3, 35, 35, "x"), syncStep, // in a new segment
	saveState(raft.HardState{Term: 3, Vote: 1, Boots: 2}), syncStep,
	appendEntries(3, 35, 37, "again"), syncStep,
	// Saves in another order than a Peer's: a crash still leaves a prefix.
	appendEntries(3, 38, 38, "y"), saveState(raft.HardState{Term: 4, Boots: 2}), syncStep,
	appendEntries(3, 39, 40, "z"), saveSnapshot(38, 3, "state through 38"), syncStep,
}

const crashSegment = 300

// runCrash runs crashRun on fsys until it crashes, and returns the states a
// crash may have left and the index of the first one that every
// acknowledged save is in.
func runCrash(t *testing.T, fsys *memFS) (states []raft.Stored, acked int, crashed bool) {
	model := raft.NewMemoryStorage()
	record := func() {
		st, _ := model.Load()
		states = append(states, st)
	}
	record()
	s, err := Open("/d", Options{FS: fsys, SegmentSize: crashSegment})
	if err != nil {
		if errors.Is(err, errCrash) {
			return states, 0, true
		}
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	for _, st := range crashRun {
		st.model(model, record) // a crash during the step may leave any of these
		if err := st.do(s); err != nil {
			if errors.Is(err, errCrash) {
				return states, acked, true
			}
			t.Fatalf("%s: %v", st.name, err)
		}
		if st.sync {
			acked = len(states) - 1
		}
	}
	return states, acked, false
}

func TestCrashAtEveryWriteAndFlush(t *testing.T) {
	// The run without a crash: count its operations, and check it ends
	// where the model does.
	clean := newMemFS()
	states, _, crashed := runCrash(t, clean)
	if crashed {
		t.Fatal("crashed without a crash point")
	}
	got := reopen(t, clean.image(lost))
	if !storedEqual(got, states[len(states)-1]) {
		t.Fatalf("after the whole run: %s, want %s", show(got), show(states[len(states)-1]))
	}
	total := clean.ops
	if total < 50 {
		t.Fatalf("the run has only %d operations", total)
	}
	cases := 0
	outcomes := map[string]*outcome{} // by the kind of operation interrupted
	for at := 1; at <= total; at++ {
		for _, mode := range []crashMode{lost, kept, namesLost} {
			fsys := newMemFS()
			fsys.crashAt = at
			states, acked, crashed := runCrash(t, fsys)
			if !crashed {
				t.Fatalf("crash point %d of %d not reached", at, total)
			}
			img := fsys.image(mode)
			files := img.describe()
			got := reopen(t, img)
			j := slices.IndexFunc(states[acked:], func(w raft.Stored) bool { return storedEqual(got, w) })
			if j < 0 {
				t.Errorf("crash at operation %d (%s), files %s: recovered %s; want the state after an acknowledged prefix, at least %s",
					at, mode, files, show(got), show(states[acked]))
				continue
			}
			cases++
			o := outcomes[opKind(fsys.crashOp)]
			if o == nil {
				o = &outcome{}
				outcomes[opKind(fsys.crashOp)] = o
			}
			o.crashes++
			if j > 0 {
				o.beyond++ // kept saves not yet acknowledged
			}
			// A second crash, during the recovery (which may cut off a
			// torn tail or remove segments), loses nothing either.
			probe := img.image(kept)
			reopen(t, probe)
			if probe.ops > 0 {
				o.repaired++ // recovery cut a torn tail, or removed a replaced log
			}
			for at2 := 1; at2 <= probe.ops; at2++ {
				for _, mode2 := range []crashMode{lost, kept, namesLost} {
					again := img.image(kept)
					again.crashAt = at2
					if _, err := Open("/d", Options{FS: again, SegmentSize: crashSegment}); !errors.Is(err, errCrash) {
						t.Fatalf("recovery did not reach its crash point %d of %d: %v", at2, probe.ops, err)
					}
					got2 := reopen(t, again.image(mode2))
					if !slices.ContainsFunc(states[acked:], func(w raft.Stored) bool { return storedEqual(got2, w) }) {
						t.Errorf("crash at operation %d (%s), then at operation %d of recovery (%s): recovered %s; want at least %s",
							at, mode, at2, mode2, show(got2), show(states[acked]))
					}
					cases++
				}
			}
			// The storage goes on from there: it takes an entry and keeps
			// it through a clean restart.
			if err := appendAfter(img, got); err != nil {
				t.Errorf("crash at operation %d (%s): going on after recovery: %v", at, mode, err)
			}
		}
	}
	t.Logf("%d crash points x 3 modes, and crashes during recovery: %d recoveries checked", total, cases)
	kinds := make([]string, 0, len(outcomes))
	for k := range outcomes {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for _, k := range kinds {
		o := outcomes[k]
		t.Logf("crash at %-38s %3d times: acknowledged state %3d, more than that %3d; recovery repaired %3d",
			k, o.crashes, o.crashes-o.beyond, o.beyond, o.repaired)
	}
}

// outcome counts what crashes at one kind of operation left.
type outcome struct{ crashes, beyond, repaired int }

var segmentFile = regexp.MustCompile(`[0-9a-f]{16}\.log`)

// opKind names an operation without its segment's number.
func opKind(op string) string { return segmentFile.ReplaceAllString(op, "segment") }

// reopen opens the directory after a crash and loads it.
func reopen(t *testing.T, fsys *memFS) raft.Stored {
	t.Helper()
	s, err := Open("/d", Options{FS: fsys, SegmentSize: crashSegment})
	if err != nil {
		t.Fatalf("Open after a crash: %v (files %s)", err, fsys.describe())
	}
	defer s.Close()
	st, err := s.Load()
	if err != nil {
		t.Fatalf("Load after a crash: %v", err)
	}
	return st
}

// appendAfter appends one entry to the recovered log, closes, reopens and
// checks it is there.
func appendAfter(fsys *memFS, st raft.Stored) error {
	s, err := Open("/d", Options{FS: fsys, SegmentSize: crashSegment})
	if err != nil {
		return err
	}
	next := st.Snapshot.Index + uint64(len(st.Entries)) + 1
	e := raft.Entry{Index: next, Term: max(st.State.Term, 1), Data: []byte("after the crash")}
	if st.State.Term == 0 {
		if err := s.SaveState(raft.HardState{Term: 1}); err != nil {
			return err
		}
	}
	if err := s.Append([]raft.Entry{e}); err != nil {
		return err
	}
	if err := s.Sync(); err != nil {
		return err
	}
	s.Close()
	s, err = Open("/d", Options{FS: fsys, SegmentSize: crashSegment})
	if err != nil {
		return err
	}
	defer s.Close()
	again, err := s.Load()
	if err != nil {
		return err
	}
	if n := len(again.Entries); n == 0 || !entryEqual(again.Entries[n-1], e) || n != len(st.Entries)+1 {
		return fmt.Errorf("after appending %d: %s", next, show(again))
	}
	return nil
}

// storedEqual compares every field, taking empty and nil slices alike.
func storedEqual(a, b raft.Stored) bool {
	return reflect.DeepEqual(normal(a), normal(b))
}

func normal(st raft.Stored) raft.Stored {
	if len(st.Snapshot.Data) == 0 {
		st.Snapshot.Data = nil
	}
	if len(st.Snapshot.Members) == 0 {
		st.Snapshot.Members = nil
	}
	es := make([]raft.Entry, len(st.Entries))
	for i, e := range st.Entries {
		es[i] = normalEntry(e)
	}
	if len(es) == 0 {
		es = nil
	}
	st.Entries = es
	return st
}

func normalEntry(e raft.Entry) raft.Entry {
	if len(e.Data) == 0 {
		e.Data = nil
	}
	return e
}

func entryEqual(a, b raft.Entry) bool { return reflect.DeepEqual(normalEntry(a), normalEntry(b)) }

// show renders a Stored briefly: state, snapshot, entries as index/term.
func show(st raft.Stored) string {
	var b strings.Builder
	fmt.Fprintf(&b, "{term %d vote %d boots %d; snapshot %d/%d; log", st.State.Term, st.State.Vote, st.State.Boots, st.Snapshot.Index, st.Snapshot.Term)
	for _, e := range st.Entries {
		fmt.Fprintf(&b, " %d/%d", e.Index, e.Term)
	}
	return b.String() + "}"
}
