package disk

import (
	"encoding/binary"
	"errors"
	"hash/crc32"

	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/internal/wire"
)

// A segment is a header, then records. A record is
//
//	length  uint32, little-endian: the payload's size, at least 1
//	crc     uint32, little-endian: CRC-32C of the length's 4 bytes and the payload
//	payload kind byte (1, an entry), then the entry (see appendEntry)
//
// Records are only ever appended. A record at index i replaces the entries
// from i on (a follower overwriting a conflicting suffix).

const (
	segmentMagic = "RAFTLOG\x01" // the version is the last byte
	recordHeader = 8
	// MaxRecord is the largest record payload: an entry's command and its
	// header. Append refuses larger entries; a length above it in a file
	// is damage.
	MaxRecord = 64 << 20

	kindEntry = 1
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

var (
	errShort    = errors.New("record cut short")
	errLength   = errors.New("record length out of range")
	errChecksum = errors.New("checksum mismatch")
	errPayload  = errors.New("malformed record")
)

// appendEntry appends e's record to b.
func appendEntry(b []byte, e *raft.Entry) []byte {
	start := len(b)
	b = append(b, make([]byte, recordHeader)...)
	b = append(b, kindEntry)
	b = binary.AppendUvarint(b, e.Index)
	b = binary.AppendUvarint(b, e.Term)
	b = wire.AppendEntryBody(b, e)
	seal(b[start:])
	return b
}

// seal fills in a record's length and checksum.
func seal(rec []byte) {
	binary.LittleEndian.PutUint32(rec, uint32(len(rec)-recordHeader))
	crc := crc32.Update(crc32.Checksum(rec[:4], castagnoli), castagnoli, rec[recordHeader:])
	binary.LittleEndian.PutUint32(rec[4:], crc)
}

// decodeRecord reads the record at the start of b: its payload and its
// size on disk.
func decodeRecord(b []byte) (payload []byte, n int, err error) {
	if len(b) < recordHeader {
		return nil, 0, errShort
	}
	size := binary.LittleEndian.Uint32(b)
	if size == 0 || size > MaxRecord+recordHeader {
		return nil, 0, errLength
	}
	n = recordHeader + int(size)
	if len(b) < n {
		return nil, 0, errShort
	}
	crc := crc32.Update(crc32.Checksum(b[:4], castagnoli), castagnoli, b[recordHeader:n])
	if crc != binary.LittleEndian.Uint32(b[4:]) {
		return nil, 0, errChecksum
	}
	return b[recordHeader:n], n, nil
}

// record is a decoded payload.
type record struct {
	kind  byte
	entry raft.Entry
}

// parseRecord decodes a payload. The entry's Data shares p's array.
func parseRecord(p []byte) (record, error) {
	d := wire.Reader{B: p[1:]}
	r := record{kind: p[0]}
	switch r.kind {
	case kindEntry:
		e := &r.entry
		e.Index, e.Term = d.Uvarint(), d.Uvarint()
		d.EntryBody(e)
	default:
		return r, errPayload
	}
	if !d.Done() || r.entry.Index == 0 {
		return r, errPayload
	}
	return r, nil
}
