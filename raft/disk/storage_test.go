package disk

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/raftplay/raftplay/raft"
)

func mustOpen(t *testing.T, dir string, opts Options) *Storage {
	t.Helper()
	s, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func load(t *testing.T, s *Storage) raft.Stored {
	t.Helper()
	st, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func entries(term uint64, first, last uint64) []raft.Entry {
	var es []raft.Entry
	for i := first; i <= last; i++ {
		es = append(es, raft.Entry{Index: i, Term: term, Type: raft.EntryCommand, Client: 3, Seq: i, Lowest: i,
			Data: []byte(fmt.Sprintf("cmd %d of term %d", i, term))})
	}
	return es
}

// What a storage keeps, a storage opened on the same directory later
// loads: a bootstrapped cluster, appends, an overwritten suffix, a vote.
func TestReopenLoadsWhatWasSaved(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir, Options{})
	if st := load(t, s); !storedEqual(st, raft.Stored{}) {
		t.Fatalf("a new directory holds %s", show(st))
	}
	if err := raft.Bootstrap(s, []raft.ID{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	model := raft.NewMemoryStorage()
	raft.Bootstrap(model, []raft.ID{1, 2, 3})
	for _, es := range [][]raft.Entry{entries(1, 2, 5), entries(2, 4, 6), entries(2, 7, 7)} {
		s.Append(es)
		model.Append(es)
	}
	hs := raft.HardState{Term: 2, Vote: 3, Boots: 4}
	s.SaveState(hs)
	model.SaveState(hs)
	if err := s.Sync(); err != nil {
		t.Fatal(err)
	}
	want, _ := model.Load()
	if got := load(t, s); !storedEqual(got, want) {
		t.Fatalf("Load while open: %s, want %s", show(got), show(want))
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = mustOpen(t, dir, Options{})
	defer s.Close()
	if got := load(t, s); !storedEqual(got, want) {
		t.Fatalf("after reopening: %s, want %s", show(got), show(want))
	}
}

// A random run of saves, with reopenings, loads exactly what
// raft.MemoryStorage, the reference, holds after the same saves. (In
// memory, for speed: the other tests use the disk.)
func TestRandomSavesMatchMemoryStorage(t *testing.T) {
	for seed := range uint64(20) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 1))
			dir := "/d"
			opts := Options{SegmentSize: 512, FS: newMemFS()}
			s := mustOpen(t, dir, opts)
			defer func() { s.Close() }()
			model := raft.NewMemoryStorage()
			term := uint64(1)
			model.SaveState(raft.HardState{Term: term})
			s.SaveState(raft.HardState{Term: term})
			for op := range 300 {
				st, _ := model.Load()
				first, last := st.Snapshot.Index+1, st.Snapshot.Index+uint64(len(st.Entries))
				switch r := rng.IntN(10); {
				case r < 6: // append, maybe over a suffix
					from := last + 1
					if last >= first && rng.IntN(3) == 0 {
						from = first + rng.Uint64N(last-first+1)
					}
					es := entries(term, from, from+rng.Uint64N(4))
					if err := s.Append(es); err != nil {
						t.Fatalf("op %d: %v", op, err)
					}
					model.Append(es)
				case r < 7:
					term++
					hs := raft.HardState{Term: term, Vote: raft.ID(rng.IntN(4))}
					s.SaveState(hs)
					model.SaveState(hs)
				case r < 8 && last > st.Snapshot.Index: // snapshot within the log, or past it
					idx := st.Snapshot.Index + 1 + rng.Uint64N(last-st.Snapshot.Index+3)
					tm := term
					if idx <= last {
						tm = st.Entries[idx-first].Term
						if rng.IntN(4) == 0 {
							tm = term + 1 // a leader's snapshot the log contradicts
						}
					}
					if tm > term {
						term = tm
						s.SaveState(raft.HardState{Term: term})
						model.SaveState(raft.HardState{Term: term})
					}
					snap := raft.Snapshot{Index: idx, Term: tm, Members: []raft.ID{1, 2}, Data: []byte(fmt.Sprint("at ", idx))}
					if err := s.SaveSnapshot(snap); err != nil {
						t.Fatalf("op %d: %v", op, err)
					}
					model.SaveSnapshot(snap)
				case r < 9:
					if err := s.Sync(); err != nil {
						t.Fatal(err)
					}
				default:
					if err := s.Close(); err != nil {
						t.Fatal(err)
					}
					s = mustOpen(t, dir, opts)
				}
				if op%25 == 0 || op == 299 {
					want, _ := model.Load()
					if got := load(t, s); !storedEqual(got, want) {
						t.Fatalf("op %d: loaded %s, want %s", op, show(got), show(want))
					}
				}
			}
		})
	}
}

// Append refuses what MemoryStorage refuses: a gap, or an index the
// snapshot covers.
func TestAppendRefusesGaps(t *testing.T) {
	s := mustOpen(t, t.TempDir(), Options{})
	defer s.Close()
	if err := s.Append(entries(1, 2, 2)); err == nil {
		t.Fatal("append at 2 to an empty log: no error")
	}
	s.Append(entries(1, 1, 3))
	if err := s.Append(entries(1, 5, 5)); err == nil {
		t.Fatal("append at 5 to a log ending at 3: no error")
	}
	if err := s.Append([]raft.Entry{{Index: 4, Term: 1}, {Index: 6, Term: 1}}); err == nil {
		t.Fatal("entries 4 and 6 in one append: no error")
	}
	s.SaveSnapshot(raft.Snapshot{Index: 2, Term: 1, Members: []raft.ID{1}})
	if err := s.Append(entries(1, 2, 2)); err == nil {
		t.Fatal("append at the snapshot's index: no error")
	}
}

// A crash in the middle of a write leaves a torn last record: Open cuts it
// off and appends after the last good one.
func TestTornTailIsCutOff(t *testing.T) {
	for _, tear := range []struct {
		name string
		do   func(b []byte, lastRecord int) []byte
	}{
		{"cut inside the header", func(b []byte, r int) []byte { return b[:r+3] }},
		{"cut inside the payload", func(b []byte, r int) []byte { return b[:len(b)-5] }},
		{"zeros where the record was", func(b []byte, r int) []byte {
			return append(b[:r], make([]byte, len(b)-r)...)
		}},
		{"garbage after the last record", func(b []byte, r int) []byte { return append(b, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5) }},
	} {
		t.Run(tear.name, func(t *testing.T) {
			dir := t.TempDir()
			s := mustOpen(t, dir, Options{})
			s.SaveState(raft.HardState{Term: 1})
			s.Append(entries(1, 1, 4))
			s.Sync()
			before := segmentSize(t, dir)
			s.Append(entries(1, 5, 5))
			s.Sync()
			s.Close()
			name := filepath.Join(dir, segmentName(1))
			b, _ := os.ReadFile(name)
			os.WriteFile(name, tear.do(b, int(before)), 0o644)

			s = mustOpen(t, dir, Options{})
			got := load(t, s)
			if n := len(got.Entries); tear.name == "garbage after the last record" && n != 5 || tear.name != "garbage after the last record" && n != 4 {
				t.Fatalf("recovered %s", show(got))
			}
			next := uint64(len(got.Entries)) + 1
			s.Append(entries(1, next, next))
			s.Sync()
			s.Close()
			s = mustOpen(t, dir, Options{})
			defer s.Close()
			if got := load(t, s); len(got.Entries) != int(next) || got.Entries[next-1].Index != next {
				t.Fatalf("after appending %d to the recovered log: %s", next, show(got))
			}
		})
	}
}

func segmentSize(t *testing.T, dir string) int64 {
	fi, err := os.Stat(filepath.Join(dir, segmentName(1)))
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// Damage that no crash makes is refused, with the file and offset named:
// going on could lose acknowledged writes.
func TestCorruptionIsRefused(t *testing.T) {
	// Three segments: entries 1-4, 5-8, 9-12 (a segment fills up at 4).
	const size = 140
	build := func(t *testing.T) string {
		dir := t.TempDir()
		s := mustOpen(t, dir, Options{SegmentSize: size})
		s.SaveState(raft.HardState{Term: 1})
		for i := uint64(1); i <= 12; i++ {
			s.Append(entries(1, i, i))
			s.Sync()
		}
		s.Close()
		if n := countSegments(t, dir); n != 3 {
			t.Fatalf("%d segments, want 3", n)
		}
		return dir
	}
	flip := func(name string, off int64) {
		b, _ := os.ReadFile(name)
		b[off] ^= 0x40
		os.WriteFile(name, b, 0o644)
	}
	for _, tc := range []struct {
		name   string
		damage func(dir string) (file string, off int64)
	}{
		{"a record in the middle of the last segment", func(dir string) (string, int64) {
			f := filepath.Join(dir, segmentName(3))
			off := recordOffsets(t, f)[1]
			flip(f, off+recordHeader+3)
			return f, off
		}},
		{"a length in the middle of the last segment", func(dir string) (string, int64) {
			f := filepath.Join(dir, segmentName(3))
			off := recordOffsets(t, f)[1]
			flip(f, off+1)
			return f, off
		}},
		{"the last record of a segment before the last", func(dir string) (string, int64) {
			f := filepath.Join(dir, segmentName(2))
			offs := recordOffsets(t, f)
			flip(f, offs[len(offs)-1]+recordHeader+2)
			return f, offs[len(offs)-1]
		}},
		{"a segment's header", func(dir string) (string, int64) {
			f := filepath.Join(dir, segmentName(1))
			flip(f, 2)
			return f, 0
		}},
		{"a missing segment", func(dir string) (string, int64) {
			os.Remove(filepath.Join(dir, segmentName(2)))
			return filepath.Join(dir, segmentName(3)), int64(len(segmentMagic))
		}},
		{"the hard state", func(dir string) (string, int64) {
			f := filepath.Join(dir, stateFile)
			flip(f, 9)
			return f, 0
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := build(t)
			file, off := tc.damage(dir)
			_, err := Open(dir, Options{SegmentSize: size})
			var ce *CorruptError
			if !errors.As(err, &ce) || ce.File != file || ce.Offset != off {
				t.Fatalf("Open = %v; want a CorruptError naming %s at offset %d", err, file, off)
			}
			if !strings.Contains(err.Error(), file) || !strings.Contains(err.Error(), fmt.Sprint("offset ", off)) {
				t.Fatalf("error %q does not name the file and offset", err)
			}
		})
	}
	t.Run("the snapshot", func(t *testing.T) {
		dir := t.TempDir()
		s := mustOpen(t, dir, Options{})
		s.SaveState(raft.HardState{Term: 1})
		s.Append(entries(1, 1, 3))
		s.SaveSnapshot(raft.Snapshot{Index: 2, Term: 1, Members: []raft.ID{1}, Data: []byte("state")})
		s.Close()
		f := filepath.Join(dir, snapshotFile)
		flip(f, 12)
		_, err := Open(dir, Options{})
		var ce *CorruptError
		if !errors.As(err, &ce) || ce.File != f {
			t.Fatalf("Open = %v; want a CorruptError naming %s", err, f)
		}
	})
}

// recordOffsets returns where each record of a segment starts.
func recordOffsets(t *testing.T, name string) []int64 {
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var offs []int64
	for off := len(segmentMagic); off < len(b); {
		_, n, err := decodeRecord(b[off:])
		if err != nil {
			t.Fatalf("%s at %d: %v", name, off, err)
		}
		offs = append(offs, int64(off))
		off += n
	}
	return offs
}

// A snapshot removes the segments it covers; the rest still loads.
func TestSnapshotRemovesCoveredSegments(t *testing.T) {
	dir := t.TempDir()
	opts := Options{SegmentSize: 300}
	s := mustOpen(t, dir, opts)
	s.SaveState(raft.HardState{Term: 1})
	for i := uint64(1); i <= 60; i++ {
		s.Append(entries(1, i, i))
		s.Sync()
	}
	before := countSegments(t, dir)
	if before < 5 {
		t.Fatalf("%d segments for 60 entries; want them to fill up", before)
	}
	if err := s.SaveSnapshot(raft.Snapshot{Index: 50, Term: 1, Members: []raft.ID{1}}); err != nil {
		t.Fatal(err)
	}
	after := countSegments(t, dir)
	if after >= before || after > 3 {
		t.Fatalf("%d segments before the snapshot at 50 of 60, %d after", before, after)
	}
	s.Close()
	s = mustOpen(t, dir, opts)
	defer s.Close()
	got := load(t, s)
	if got.Snapshot.Index != 50 || len(got.Entries) != 10 || got.Entries[0].Index != 51 {
		t.Fatalf("after reopening: %s", show(got))
	}
}

func countSegments(t *testing.T, dir string) int {
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range es {
		if _, ok := parseSegmentName(e.Name()); ok {
			n++
		}
	}
	return n
}

// Group commit: any number of Appends cost one flush at Sync; nothing is
// flushed before.
func TestSyncFlushesOnce(t *testing.T) {
	fsys := newMemFS()
	s := mustOpen(t, "/d", Options{FS: fsys})
	defer s.Close()
	s.SaveState(raft.HardState{Term: 1})
	flushes := fsys.syncs
	for i := uint64(1); i <= 20; i += 4 {
		s.Append(entries(1, i, i+3))
	}
	if fsys.syncs != flushes {
		t.Fatalf("%d flushes before Sync", fsys.syncs-flushes)
	}
	s.Sync()
	s.Sync() // nothing new: nothing to flush
	if fsys.syncs != flushes+1 {
		t.Fatalf("%d flushes for 5 appends and two syncs, want 1", fsys.syncs-flushes)
	}
}

// One directory, one storage: a second Open, in this process or another,
// is refused while the first holds it; the lock goes with its holder.
func TestDirectoryIsLocked(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir, Options{})
	if _, err := Open(dir, Options{}); !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), dir) {
		t.Fatalf("second Open in this process = %v, want ErrLocked naming the directory", err)
	}
	s.Close()
	s = mustOpen(t, dir, Options{})
	s.Close()

	// Another process holds it: this one is refused until that one dies.
	cmd := exec.Command(os.Args[0], "-test.run=^TestHoldLock$")
	cmd.Env = append(os.Environ(), "RAFT_DISK_HOLD="+dir)
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	if line != "holding\n" {
		cmd.Process.Kill()
		t.Fatalf("helper said %q", line)
	}
	if _, err := Open(dir, Options{}); !errors.Is(err, ErrLocked) {
		t.Fatalf("Open while another process holds the directory = %v, want ErrLocked", err)
	}
	cmd.Process.Kill() // SIGKILL: no chance to unlock
	cmd.Wait()
	s = mustOpen(t, dir, Options{})
	s.Close()
}

// TestHoldLock is the other process of TestDirectoryIsLocked.
func TestHoldLock(t *testing.T) {
	dir := os.Getenv("RAFT_DISK_HOLD")
	if dir == "" {
		return // only as a helper process
	}
	s, err := Open(dir, Options{})
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	fmt.Println("holding")
	// Wait to be killed. Not select{}: with every goroutine blocked the
	// runtime declares a deadlock and exits, releasing the lock while the
	// test counts on it; a sleeping goroutine is not blocked for good.
	defer s.Close() // keeps s, and so its lock file, reachable
	for {
		time.Sleep(time.Hour)
	}
}

// After a failed write or flush the storage refuses everything: what the
// disk holds is unknown.
func TestFailedFlushStopsTheStorage(t *testing.T) {
	fsys := newMemFS()
	s := mustOpen(t, "/d", Options{FS: fsys})
	s.SaveState(raft.HardState{Term: 1})
	s.Append(entries(1, 1, 1))
	fsys.crashAt = fsys.ops + 2 // the write goes through, the flush fails
	if err := s.Sync(); !errors.Is(err, errCrash) {
		t.Fatalf("Sync = %v", err)
	}
	fsys.crashed, fsys.crashAt = false, 0
	if err := s.Append(entries(1, 2, 2)); !errors.Is(err, errCrash) {
		t.Fatalf("Append after a failed flush = %v, want the flush's error", err)
	}
	if err := s.Sync(); !errors.Is(err, errCrash) {
		t.Fatalf("Sync after a failed flush = %v, want the flush's error", err)
	}
}

// Leftover temporary files of an interrupted replacement are removed.
func TestOpenRemovesTemporaryFiles(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, stateFile+".tmp"), []byte("half a state"), 0o644)
	s := mustOpen(t, dir, Options{})
	defer s.Close()
	if _, err := os.Stat(filepath.Join(dir, stateFile+".tmp")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("state.tmp still there: %v", err)
	}
	if got := load(t, s); !storedEqual(got, raft.Stored{}) {
		t.Fatalf("loaded %s from a directory with only a temporary file", show(got))
	}
	if names := countSegments(t, dir); names != 1 {
		t.Fatalf("%d segments", names)
	}
}
