package disk

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"github.com/raftplay/raftplay/raft"
)

// Recovery: what the files of a directory hold, read back after a crash.
//
// A crash can leave the last segment with a torn tail: records written but
// not yet flushed, cut short or damaged. Those were never acknowledged
// (Sync had not returned), so the tail is cut off. Damage anywhere else
// (a segment before the last, the hard state, the snapshot, or a damaged
// record with an intact one after it) is not a crash's doing, and Open
// refuses it with a *CorruptError naming the file and offset: guessing
// could lose writes that were acknowledged.

// CorruptError says where a file holds what this package never writes.
type CorruptError struct {
	File   string
	Offset int64
	Reason string
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("raft/disk: %s is corrupt at offset %d: %s", e.File, e.Offset, e.Reason)
}

var errMagic = errors.New("not a file of this format and version")

// segment is one file of the log.
type segment struct {
	seq  uint64
	name string // its path
	max  uint64 // the highest index its records name
}

func segmentName(seq uint64) string { return fmt.Sprintf("%016x.log", seq) }

func parseSegmentName(name string) (uint64, bool) {
	hex, ok := strings.CutSuffix(name, ".log")
	if !ok || len(hex) != 16 {
		return 0, false
	}
	seq, err := strconv.ParseUint(hex, 16, 64)
	return seq, err == nil
}

// recovered is what a directory holds.
type recovered struct {
	stored raft.Stored
	segs   []segment
	size   int64 // of the last segment, torn tail excluded
	// replaced: the snapshot replaced the log, and the segments do not say
	// so yet.
	replaced bool
}

// read reads the directory's files. With repair, it cuts a torn tail off
// the last segment, so that appends follow the last good record.
func (s *Storage) read(repair bool) (*recovered, error) {
	r := &recovered{}
	if b, err := readFile(s.fs, s.path(stateFile)); err == nil {
		if r.stored.State, err = decodeState(b); err != nil {
			return nil, &CorruptError{s.path(stateFile), 0, err.Error()}
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if b, err := readFile(s.fs, s.path(snapshotFile)); err == nil {
		if r.stored.Snapshot, err = decodeSnapshot(b); err != nil {
			return nil, &CorruptError{s.path(snapshotFile), 0, err.Error()}
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	names, err := s.fs.ReadDir(s.dir)
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		if seq, ok := parseSegmentName(n); ok {
			r.segs = append(r.segs, segment{seq: seq, name: s.path(n)})
		}
	}
	var log logRun
	for i := range r.segs {
		seg := &r.segs[i]
		last := i == len(r.segs)-1
		data, err := readFile(s.fs, seg.name)
		if err != nil {
			return nil, err
		}
		if len(data) < len(segmentMagic) || string(data[:len(segmentMagic)]) != segmentMagic {
			if !last || !strings.HasPrefix(segmentMagic, string(data)) {
				return nil, &CorruptError{seg.name, 0, errMagic.Error()}
			}
			// A segment whose header was being written: it holds nothing.
			if repair {
				if err := s.rewriteHeader(seg.name); err != nil {
					return nil, err
				}
			}
			r.size = int64(len(segmentMagic))
			continue
		}
		off := len(segmentMagic)
		for off < len(data) {
			payload, n, err := decodeRecord(data[off:])
			if err != nil {
				if last && !intactAfter(data, off) {
					if repair {
						if err := s.truncate(seg.name, int64(off)); err != nil {
							return nil, err
						}
					}
					break
				}
				return nil, &CorruptError{seg.name, int64(off), err.Error()}
			}
			rec, err := parseRecord(payload)
			if err != nil {
				return nil, &CorruptError{seg.name, int64(off), err.Error()}
			}
			log.apply(rec, seg.name, int64(off))
			seg.max = max(seg.max, rec.entry.Index)
			off += n
		}
		if last {
			r.size = int64(off)
		}
	}
	r.stored.Entries, r.replaced, err = log.after(r.stored.Snapshot)
	return r, err
}

// intactAfter reports whether a good record starts anywhere after the
// damaged one at off: then the damage is not a torn tail.
func intactAfter(data []byte, off int) bool {
	for p := off + 1; p+recordHeader < len(data); p++ {
		if payload, _, err := decodeRecord(data[p:]); err == nil {
			if _, err := parseRecord(payload); err == nil {
				return true
			}
		}
	}
	return false
}

func (s *Storage) truncate(name string, size int64) error {
	f, err := s.fs.OpenFile(name, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	err = f.Truncate(size)
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}

func (s *Storage) rewriteHeader(name string) error {
	f, err := s.fs.OpenFile(name, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return err
	}
	_, err = f.Write([]byte(segmentMagic))
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}

// logRun replays records: entries holds indexes base+1, base+2, ...
type logRun struct {
	base    uint64
	entries []raft.Entry
	started bool
	// Where the run began. If base is not 0, the entries before it are
	// gone: a snapshot must cover them.
	file string
	off  int64
}

func (l *logRun) apply(r record, file string, off int64) {
	i, last := r.entry.Index, l.base+uint64(len(l.entries))
	switch {
	case !l.started || i > last+1 || i <= l.base:
		// A run starts: at the first record; after a gap; or below the
		// first record replayed, when the segment with the entries before
		// it was removed (a later overwrite reached back past them).
		l.base, l.entries, l.started = i-1, l.entries[:0], true
		l.file, l.off = file, off
	default:
		l.entries = l.entries[:i-l.base-1]
	}
	l.entries = append(l.entries, r.entry)
}

// after returns the entries that follow the snapshot, as
// raft.MemoryStorage.SaveSnapshot would have kept them. replaced says the
// snapshot replaced the whole log, and its segments are still there (a
// crash came before they were removed).
func (l *logRun) after(snap raft.Snapshot) (es []raft.Entry, replaced bool, err error) {
	if snap.Index < l.base {
		return nil, false, &CorruptError{l.file, l.off, fmt.Sprintf("the log resumes at index %d, but the snapshot ends at %d: entries in between are missing", l.base+1, snap.Index)}
	}
	k := snap.Index - l.base // entries[k-1] has the snapshot's index
	switch {
	case k == 0:
		return clone(l.entries), false, nil
	case k <= uint64(len(l.entries)) && l.entries[k-1].Term == snap.Term:
		return clone(l.entries[k:]), false, nil
	}
	return nil, true, nil
}

// clone copies entries into an array of their own: the node appends to it.
func clone(es []raft.Entry) []raft.Entry {
	if len(es) == 0 {
		return nil
	}
	return append(make([]raft.Entry, 0, len(es)+len(es)/4), es...)
}
