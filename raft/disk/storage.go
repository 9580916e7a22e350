// Package disk is a raft.Storage in a directory: what a peer must keep
// through a crash, kept on disk.
//
// The directory holds
//
//	LOCK                   locked while a Storage has the directory open
//	state                  the hard state (term, vote, boots)
//	snapshot               the latest snapshot
//	0000000000000001.log   the log, in segments of records with a length
//	0000000000000002.log   and a CRC-32C each, appended and never rewritten
//
// The state and the snapshot are replaced whole: written to a temporary
// file, flushed, renamed over the old one, and the directory flushed, so a
// crash leaves the old version or the new one. SaveState and SaveSnapshot
// are durable when they return. Append only buffers its records; Sync
// writes them all and flushes once (group commit: a raft.Peer calls Sync
// once per Ready, for everything the inputs that queued up meanwhile
// saved). After a snapshot, the segments it covers are removed.
//
// Open recovers from a crash (see CorruptError) and locks the directory,
// so a second process, or a second peer in this one, cannot open it too.
package disk

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/raftplay/raftplay/raft"
)

const (
	lockFile     = "LOCK"
	stateFile    = "state"
	snapshotFile = "snapshot"

	// DefaultSegmentSize is where a segment ends and the next begins.
	DefaultSegmentSize = 64 << 20
)

// ErrLocked says that another Storage holds the directory.
var ErrLocked = errors.New("raft/disk: the directory is in use by another process or peer")

// Options tune a Storage; the zero value suits a deployment.
type Options struct {
	FS          FS    // nil means OS
	SegmentSize int64 // 0 means DefaultSegmentSize
}

// Storage is a raft.Storage in a directory. It is safe for concurrent use,
// though a Peer calls it from one goroutine.
type Storage struct {
	fs     FS
	dir    string
	opts   Options
	unlock func() error

	mu      sync.Mutex
	err     error        // the first write or flush that failed: the storage is done
	loaded  *raft.Stored // what Open recovered, until something changes it
	state   raft.HardState
	snap    uint64   // the snapshot's index
	terms   []uint64 // terms of the entries after it
	segs    []segment
	active  File // the last segment, open for appending
	size    int64
	nextSeq uint64
	buf     []byte // records not yet written
	bufMax  uint64 // the highest index in buf
	dirty   bool   // written to active and not flushed
	closed  bool
	claimed bool // by a running peer
}

var _ raft.ExclusiveStorage = (*Storage)(nil)

// Open opens the storage in dir, creating the directory if need be, and
// recovers what it holds.
func Open(dir string, opts Options) (*Storage, error) {
	if opts.FS == nil {
		opts.FS = OS
	}
	if opts.SegmentSize <= 0 {
		opts.SegmentSize = DefaultSegmentSize
	}
	s := &Storage{fs: opts.FS, dir: dir, opts: opts}
	if err := s.fs.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	unlock, err := s.fs.Lock(s.path(lockFile))
	if errors.Is(err, ErrLocked) {
		return nil, fmt.Errorf("raft/disk: %s is in use by another process or peer: %w", dir, ErrLocked)
	}
	if err != nil {
		return nil, err
	}
	s.unlock = unlock
	if err := s.open(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Storage) open() error {
	names, err := s.fs.ReadDir(s.dir)
	if err != nil {
		return err
	}
	for _, n := range names {
		if strings.HasSuffix(n, ".tmp") { // a replacement a crash interrupted
			if err := s.fs.Remove(s.path(n)); err != nil {
				return err
			}
		}
	}
	r, err := s.read(true)
	if err != nil {
		return err
	}
	s.loaded = &r.stored
	s.state = r.stored.State
	s.snap = r.stored.Snapshot.Index
	for _, e := range r.stored.Entries {
		s.terms = append(s.terms, e.Term)
	}
	s.segs = r.segs
	if len(s.segs) == 0 {
		s.nextSeq = 1
		return s.rotate()
	}
	last := s.segs[len(s.segs)-1]
	s.nextSeq = last.seq + 1
	if s.active, err = s.fs.OpenFile(last.name, os.O_WRONLY|os.O_APPEND, 0); err != nil {
		return err
	}
	s.size = r.size
	if r.replaced { // a crash came between the snapshot and its reset record
		return s.reset()
	}
	return s.removeCovered()
}

func (s *Storage) path(name string) string { return filepath.Join(s.dir, name) }

// Load implements raft.Storage.
func (s *Storage) Load() (raft.Stored, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(); err != nil {
		return raft.Stored{}, err
	}
	if st := s.loaded; st != nil {
		s.loaded = nil
		return *st, nil
	}
	if err := s.sync(); err != nil {
		return raft.Stored{}, err
	}
	r, err := s.read(false)
	if err != nil {
		return raft.Stored{}, err
	}
	return r.stored, nil
}

// SaveState implements raft.Storage: the state is durable when it returns.
func (s *Storage) SaveState(hs raft.HardState) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(); err != nil {
		return err
	}
	s.loaded = nil
	// Entries appended before this state must not be lost while it is
	// kept: flush them first.
	if err := s.sync(); err != nil {
		return err
	}
	if err := writeAtomic(s.fs, s.path(stateFile), encodeState(hs)); err != nil {
		return s.fail(err)
	}
	s.state = hs
	return nil
}

// Append implements raft.Storage: the entries are durable after Sync.
func (s *Storage) Append(es []raft.Entry) error {
	if len(es) == 0 {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(); err != nil {
		return err
	}
	first, last := es[0].Index, s.snap+uint64(len(s.terms))
	if first <= s.snap || first > last+1 {
		return fmt.Errorf("raft/disk: storage holds entries %d..%d and cannot append at %d", s.snap+1, last, first)
	}
	for i := range es {
		e := &es[i]
		if e.Index != first+uint64(i) {
			return fmt.Errorf("raft/disk: appending entries that do not follow one another (%d after %d)", e.Index, first+uint64(i)-1)
		}
		if len(e.Data) > MaxRecord-64 {
			return fmt.Errorf("raft/disk: entry %d holds %d bytes, more than the %d a record takes", e.Index, len(e.Data), MaxRecord-64)
		}
	}
	s.loaded = nil
	s.terms = s.terms[:first-s.snap-1]
	for i := range es {
		s.terms = append(s.terms, es[i].Term)
		s.buf = appendEntry(s.buf, &es[i])
	}
	s.bufMax = max(s.bufMax, es[len(es)-1].Index)
	return nil
}

// SaveSnapshot implements raft.Storage: the snapshot is durable when it
// returns, and the segments it covers are removed.
func (s *Storage) SaveSnapshot(snap raft.Snapshot) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(); err != nil {
		return err
	}
	if snap.Index <= s.snap {
		return nil // an older snapshot than the one kept
	}
	s.loaded = nil
	if err := s.sync(); err != nil {
		return err
	}
	if err := writeAtomic(s.fs, s.path(snapshotFile), encodeSnapshot(snap)); err != nil {
		return s.fail(err)
	}
	k := snap.Index - s.snap
	if k <= uint64(len(s.terms)) && s.terms[k-1] == snap.Term {
		// The log goes on after the snapshot: keep it.
		s.terms = append([]uint64(nil), s.terms[k:]...)
		s.snap = snap.Index
		return s.removeCovered()
	}
	// The snapshot replaces the whole log.
	s.terms, s.snap = nil, snap.Index
	return s.reset()
}

// reset removes the whole log, which the snapshot replaced: a new segment
// for what comes next, and every older one removed, durably, before
// anything is appended. (Were an old one left, recovery would take the
// entries appended after the snapshot for the tail of the log it
// replaced.)
func (s *Storage) reset() error {
	if err := s.rotate(); err != nil {
		return err
	}
	for i := range len(s.segs) - 1 {
		s.segs[i].max = 0
	}
	return s.removeCovered()
}

// Sync implements raft.Storage: it writes what Append buffered and
// flushes it, with one write and one flush.
func (s *Storage) Sync() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(); err != nil {
		return err
	}
	return s.sync()
}

func (s *Storage) sync() error {
	if len(s.buf) > 0 {
		if s.size > int64(len(segmentMagic)) && s.size+int64(len(s.buf)) > s.opts.SegmentSize {
			if err := s.rotate(); err != nil {
				return err
			}
		}
		if _, err := s.active.Write(s.buf); err != nil {
			return s.fail(err)
		}
		s.size += int64(len(s.buf))
		seg := &s.segs[len(s.segs)-1]
		seg.max = max(seg.max, s.bufMax)
		s.dirty = true
		s.buf, s.bufMax = s.buf[:0], 0
		if cap(s.buf) > 4<<20 {
			s.buf = nil // do not keep a big buffer for small writes
		}
	}
	if s.dirty {
		if err := s.active.Sync(); err != nil {
			return s.fail(err)
		}
		s.dirty = false
	}
	return nil
}

// rotate starts a new segment. The one before has been flushed (sync
// rotates before it writes), so only the last segment ever holds a torn
// tail.
func (s *Storage) rotate() error {
	seg := segment{seq: s.nextSeq, name: s.path(segmentName(s.nextSeq))}
	f, err := s.fs.OpenFile(seg.name, os.O_CREATE|os.O_EXCL|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return s.fail(err)
	}
	if _, err := f.Write([]byte(segmentMagic)); err != nil {
		f.Close()
		return s.fail(err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return s.fail(err)
	}
	if err := s.fs.SyncDir(s.dir); err != nil {
		f.Close()
		return s.fail(err)
	}
	if s.active != nil {
		if err := s.active.Close(); err != nil {
			f.Close()
			return s.fail(err)
		}
	}
	s.nextSeq++
	s.segs = append(s.segs, seg)
	s.active, s.size = f, int64(len(segmentMagic))
	return nil
}

// removeCovered removes the oldest segments, as long as the snapshot
// covers every record in them; never the last one.
func (s *Storage) removeCovered() error {
	k := 0
	for k < len(s.segs)-1 && s.segs[k].max <= s.snap {
		if err := s.fs.Remove(s.segs[k].name); err != nil {
			return s.fail(err)
		}
		k++
	}
	if k == 0 {
		return nil
	}
	s.segs = append(s.segs[:0], s.segs[k:]...)
	if err := s.fs.SyncDir(s.dir); err != nil {
		return s.fail(err)
	}
	return nil
}

// fail records the first failed write or flush: after it, what the files
// hold is unknown, and the storage refuses to go on (a flush that failed
// may not be retried: the kernel may have dropped the data it reported).
func (s *Storage) fail(err error) error {
	s.err = fmt.Errorf("raft/disk: %s: %w", s.dir, err)
	return s.err
}

func (s *Storage) check() error {
	if s.closed {
		return errClosed
	}
	return s.err
}

var errClosed = errors.New("raft/disk: storage closed")

// Close flushes what is buffered, closes the files and releases the
// directory's lock.
func (s *Storage) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	var err error
	if s.err == nil && s.active != nil {
		err = s.sync()
	}
	if s.active != nil {
		err = errors.Join(err, s.active.Close())
	}
	if s.unlock != nil {
		err = errors.Join(err, s.unlock())
	}
	s.closed = true
	return err
}

// Claim implements raft.ExclusiveStorage: a second peer in this process
// cannot start on a storage a running peer uses. (Other processes are kept
// out by the directory's lock.)
func (s *Storage) Claim() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.claimed {
		return fmt.Errorf("raft/disk: %s: %w", s.dir, raft.ErrStorageInUse)
	}
	s.claimed = true
	return nil
}

// Release implements raft.ExclusiveStorage.
func (s *Storage) Release() {
	s.mu.Lock()
	s.claimed = false
	s.mu.Unlock()
}

// Dir returns the storage's directory.
func (s *Storage) Dir() string { return s.dir }
