// Package wire holds the pieces the encodings of raft/disk and raft/tcp
// share: uvarints, length-prefixed bytes, and snapshots.
package wire

import (
	"encoding/binary"
	"errors"

	"github.com/raftplay/raftplay/raft"
)

// ErrMalformed is a Reader's error: the bytes end early or do not decode.
var ErrMalformed = errors.New("malformed")

// Reader decodes from B; its first failure sticks in Err, and every read
// after it returns zero.
type Reader struct {
	B   []byte
	Err error
}

func (d *Reader) fail() { d.Err, d.B = ErrMalformed, nil }

func (d *Reader) Uvarint() uint64 {
	v, k := binary.Uvarint(d.B)
	if k <= 0 {
		d.fail()
		return 0
	}
	d.B = d.B[k:]
	return v
}

func (d *Reader) Varint() int64 {
	v, k := binary.Varint(d.B)
	if k <= 0 {
		d.fail()
		return 0
	}
	d.B = d.B[k:]
	return v
}

func (d *Reader) Byte() byte {
	if len(d.B) == 0 {
		d.fail()
		return 0
	}
	c := d.B[0]
	d.B = d.B[1:]
	return c
}

// Bytes reads a length and that many bytes, which share B's array (nil if
// none).
func (d *Reader) Bytes() []byte {
	n := d.Uvarint()
	if d.Err != nil || n > uint64(len(d.B)) {
		d.fail()
		return nil
	}
	if n == 0 {
		return nil
	}
	v := d.B[:n:n]
	d.B = d.B[n:]
	return v
}

// Count reads a count of items that take at least min bytes each, and
// refuses one the rest cannot hold: nothing allocated from a count is
// larger than the input.
func (d *Reader) Count(min int) int {
	n := d.Uvarint()
	if n > uint64(len(d.B)/min) {
		d.fail()
		return 0
	}
	return int(n)
}

// Done reports whether everything was read without a failure.
func (d *Reader) Done() bool { return d.Err == nil && len(d.B) == 0 }

// AppendEntryBody appends what an entry holds besides its index and term
// (which each encoding writes its own way): type, session, data.
func AppendEntryBody(b []byte, e *raft.Entry) []byte {
	b = append(b, byte(e.Type))
	b = binary.AppendUvarint(b, e.Client)
	b = binary.AppendUvarint(b, e.Seq)
	b = binary.AppendUvarint(b, e.Lowest)
	b = binary.AppendUvarint(b, uint64(len(e.Data)))
	return append(b, e.Data...)
}

// EntryBody reads what AppendEntryBody wrote into e; the data shares B's
// array.
func (d *Reader) EntryBody(e *raft.Entry) {
	e.Type = raft.EntryType(d.Byte())
	e.Client, e.Seq, e.Lowest = d.Uvarint(), d.Uvarint(), d.Uvarint()
	e.Data = d.Bytes()
}

// AppendSnapshot appends a snapshot: index, term, cluster, members, data,
// and, if there are any, its learners. It comes last in what it is part
// of: the learners are what follows the data.
func AppendSnapshot(b []byte, s *raft.Snapshot) []byte {
	b = binary.AppendUvarint(b, s.Index)
	b = binary.AppendUvarint(b, s.Term)
	b = binary.AppendUvarint(b, s.Cluster)
	b = binary.AppendUvarint(b, uint64(len(s.Members)))
	for _, id := range s.Members {
		b = binary.AppendUvarint(b, uint64(id))
	}
	b = binary.AppendUvarint(b, uint64(len(s.Data)))
	b = append(b, s.Data...)
	if len(s.Learners) > 0 {
		b = binary.AppendUvarint(b, uint64(len(s.Learners)))
		for _, id := range s.Learners {
			b = binary.AppendUvarint(b, uint64(id))
		}
	}
	return b
}

// Snapshot reads what AppendSnapshot wrote; the data shares B's array.
func (d *Reader) Snapshot() raft.Snapshot {
	s := raft.Snapshot{Index: d.Uvarint(), Term: d.Uvarint(), Cluster: d.Uvarint()}
	if n := d.Count(1); n > 0 {
		s.Members = make([]raft.ID, n)
		for i := range s.Members {
			s.Members[i] = raft.ID(d.Uvarint())
		}
	}
	s.Data = d.Bytes()
	if len(d.B) > 0 {
		n := d.Count(1)
		if n == 0 {
			d.fail()
			return s
		}
		s.Learners = make([]raft.ID, n)
		for i := range s.Learners {
			s.Learners[i] = raft.ID(d.Uvarint())
		}
	}
	return s
}
