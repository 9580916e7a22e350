package disk

import (
	"bytes"
	"errors"
	"testing"

	"github.com/raftplay/raftplay/raft"
)

// FuzzDecodeRecord: any bytes either decode to a record that encodes back
// to the same entry, or give an error; never a panic.
func FuzzDecodeRecord(f *testing.F) {
	for _, e := range entries(3, 1, 2) {
		f.Add(appendEntry(nil, &e))
	}
	f.Add(appendEntry(nil, &raft.Entry{Index: 1 << 62, Term: 9, Type: raft.EntryConfig}))
	f.Add([]byte{})
	f.Add(make([]byte, 16))
	f.Fuzz(func(t *testing.T, b []byte) {
		payload, n, err := decodeRecord(b)
		if err != nil {
			return
		}
		if n < recordHeader+1 || n > len(b) {
			t.Fatalf("size %d of %d bytes", n, len(b))
		}
		r, err := parseRecord(payload)
		if err != nil {
			return
		}
		again, _, err := decodeRecord(appendEntry(nil, &r.entry))
		if err != nil {
			t.Fatal(err)
		}
		r2, err := parseRecord(again)
		if err != nil || !entryEqual(r.entry, r2.entry) {
			t.Fatalf("%+v encodes to %+v (%v)", r.entry, r2.entry, err)
		}
	})
}

// FuzzRecover: a directory whose last segment holds any bytes opens, or is
// refused with a CorruptError; never a panic. What opens takes appends.
func FuzzRecover(f *testing.F) {
	var good []byte
	for _, e := range entries(1, 1, 3) {
		good = appendEntry(good, &e)
	}
	f.Add(good)
	f.Add(good[:len(good)-3])
	f.Add(append(bytes.Clone(good), 1, 2, 3))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, tail []byte) {
		fsys := newMemFS()
		s, err := Open("/d", Options{FS: fsys})
		if err != nil {
			t.Fatal(err)
		}
		s.SaveState(raft.HardState{Term: 5})
		s.Close()
		seg := fsys.names["/d/"+segmentName(1)]
		seg.data = append(seg.data, tail...)
		seg.synced = seg.data

		s, err = Open("/d", Options{FS: fsys})
		var ce *CorruptError
		if errors.As(err, &ce) {
			return
		}
		if err != nil {
			t.Fatalf("Open = %v, want nil or a CorruptError", err)
		}
		defer s.Close()
		st, err := s.Load()
		if err != nil {
			t.Fatal(err)
		}
		next := st.Snapshot.Index + uint64(len(st.Entries)) + 1
		if err := s.Append([]raft.Entry{{Index: next, Term: 5}}); err != nil {
			t.Fatal(err)
		}
		if err := s.Sync(); err != nil {
			t.Fatal(err)
		}
	})
}
