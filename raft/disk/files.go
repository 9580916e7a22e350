package disk

import (
	"encoding/binary"
	"hash/crc32"

	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/internal/wire"
)

// The hard state and the snapshot live in files of their own, each replaced
// whole (writeAtomic): magic with a version, uvarints, and a CRC-32C of all
// that comes before it.

const (
	stateMagic    = "RAFTHST\x01"
	snapshotMagic = "RAFTSNP\x01"
)

func encodeState(hs raft.HardState) []byte {
	b := []byte(stateMagic)
	b = binary.AppendUvarint(b, hs.Term)
	b = binary.AppendUvarint(b, uint64(hs.Vote))
	b = binary.AppendUvarint(b, hs.Boots)
	return appendChecksum(b)
}

func decodeState(b []byte) (raft.HardState, error) {
	d, err := openChecked(b, stateMagic)
	if err != nil {
		return raft.HardState{}, err
	}
	hs := raft.HardState{Term: d.Uvarint(), Vote: raft.ID(d.Uvarint()), Boots: d.Uvarint()}
	if !d.Done() {
		return raft.HardState{}, errPayload
	}
	return hs, nil
}

func encodeSnapshot(s raft.Snapshot) []byte {
	b := make([]byte, 0, len(snapshotMagic)+32+8*len(s.Members)+len(s.Data))
	b = append(b, snapshotMagic...)
	b = wire.AppendSnapshot(b, &s)
	return appendChecksum(b)
}

func decodeSnapshot(b []byte) (raft.Snapshot, error) {
	d, err := openChecked(b, snapshotMagic)
	if err != nil {
		return raft.Snapshot{}, err
	}
	s := d.Snapshot()
	if !d.Done() || s.Index == 0 {
		return raft.Snapshot{}, errPayload
	}
	return s, nil
}

func appendChecksum(b []byte) []byte {
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

// openChecked checks a file's magic and checksum and returns a reader of
// what lies between them.
func openChecked(b []byte, magic string) (*wire.Reader, error) {
	if len(b) < len(magic)+4 || string(b[:len(magic)]) != magic {
		return nil, errMagic
	}
	body := b[:len(b)-4]
	if crc32.Checksum(body, castagnoli) != binary.LittleEndian.Uint32(b[len(body):]) {
		return nil, errChecksum
	}
	return &wire.Reader{B: body[len(magic):]}, nil
}
