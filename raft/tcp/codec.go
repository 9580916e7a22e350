package tcp

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/internal/wire"
)

// The wire encoding of a raft.Message, version 1:
//
//	version  byte (1)
//	type     byte
//	present  uvarint: bit i set if field i below is not zero
//	fields   in this order, each only if present:
//	   0 From  1 To  2 Cluster  3 Term  4 LastLogIndex  5 LastLogTerm
//	   6 PrevLogIndex  7 PrevLogTerm  8 LeaderCommit  9 MatchIndex
//	  10 ConflictIndex  11 ConflictTerm  12 Round  13 ReadIndex  (uvarints)
//	  14 VoteGranted  15 Success                   (the bit alone)
//	  16 Entries: uvarint count, then each entry (see appendEntries)
//	  17 Snapshot: index, term, cluster, members, data, learners if any
//	     (wire.AppendSnapshot)
//	  18 Transfer                                  (the bit alone)
//
// A heartbeat takes about a dozen bytes.

// Version is the encoding's version, the first byte of every message.
const Version = 1

const (
	fFrom = iota
	fTo
	fCluster
	fTerm
	fLastLogIndex
	fLastLogTerm
	fPrevLogIndex
	fPrevLogTerm
	fLeaderCommit
	fMatchIndex
	fConflictIndex
	fConflictTerm
	fRound
	fReadIndex
	fVoteGranted
	fSuccess
	fEntries
	fSnapshot
	fTransfer
	fields
)

// AppendMessage appends m's encoding to b.
func AppendMessage(b []byte, m *raft.Message) []byte {
	nums := numbers(m)
	var present uint64
	for i, v := range nums {
		if v != 0 {
			present |= 1 << i
		}
	}
	if m.VoteGranted {
		present |= 1 << fVoteGranted
	}
	if m.Success {
		present |= 1 << fSuccess
	}
	if m.Transfer {
		present |= 1 << fTransfer
	}
	if len(m.Entries) > 0 {
		present |= 1 << fEntries
	}
	if m.Snapshot != nil {
		present |= 1 << fSnapshot
	}
	b = append(b, Version, byte(m.Type))
	b = binary.AppendUvarint(b, present)
	for _, v := range nums {
		if v != 0 {
			b = binary.AppendUvarint(b, v)
		}
	}
	if len(m.Entries) > 0 {
		b = appendEntries(b, m.Entries)
	}
	if m.Snapshot != nil {
		b = wire.AppendSnapshot(b, m.Snapshot)
	}
	return b
}

// numbers returns fields 0 to 13 of m.
func numbers(m *raft.Message) [fVoteGranted]uint64 {
	return [...]uint64{
		uint64(m.From), uint64(m.To), m.Cluster, m.Term, m.LastLogIndex, m.LastLogTerm, m.PrevLogIndex,
		m.PrevLogTerm, m.LeaderCommit, m.MatchIndex, m.ConflictIndex, m.ConflictTerm, m.Round, m.ReadIndex,
	}
}

// appendEntries writes a count, then per entry: its index and term as
// differences from the previous entry's (zigzag varints: 0 and 0 for the
// usual run of one term), its type, client, sequence number, lowest, and
// data with its length.
func appendEntries(b []byte, es []raft.Entry) []byte {
	b = binary.AppendUvarint(b, uint64(len(es)))
	var index, term uint64
	for i := range es {
		e := &es[i]
		b = binary.AppendVarint(b, int64(e.Index-index-1))
		b = binary.AppendVarint(b, int64(e.Term-term))
		index, term = e.Index, e.Term
		b = wire.AppendEntryBody(b, e)
	}
	return b
}

// ErrMalformed says bytes are not a message of a version this package
// reads.
var ErrMalformed = errors.New("raft/tcp: malformed message")

// DecodeMessage decodes a message that AppendMessage encoded. The entries'
// and the snapshot's data share b's array.
func DecodeMessage(b []byte) (raft.Message, error) {
	var m raft.Message
	if len(b) < 2 {
		return m, ErrMalformed
	}
	if b[0] != Version {
		return m, fmt.Errorf("raft/tcp: message of version %d; this peer reads version %d", b[0], Version)
	}
	m.Type = raft.MsgType(b[1])
	d := &wire.Reader{B: b[2:]}
	present := d.Uvarint()
	if present >= 1<<fields {
		return m, ErrMalformed
	}
	var nums [fVoteGranted]uint64
	for i := range nums {
		if present&(1<<i) != 0 {
			nums[i] = d.Uvarint()
		}
	}
	m.From, m.To, m.Cluster, m.Term = raft.ID(nums[fFrom]), raft.ID(nums[fTo]), nums[fCluster], nums[fTerm]
	m.LastLogIndex, m.LastLogTerm = nums[fLastLogIndex], nums[fLastLogTerm]
	m.PrevLogIndex, m.PrevLogTerm, m.LeaderCommit = nums[fPrevLogIndex], nums[fPrevLogTerm], nums[fLeaderCommit]
	m.MatchIndex, m.ConflictIndex, m.ConflictTerm = nums[fMatchIndex], nums[fConflictIndex], nums[fConflictTerm]
	m.Round, m.ReadIndex = nums[fRound], nums[fReadIndex]
	m.VoteGranted = present&(1<<fVoteGranted) != 0
	m.Success = present&(1<<fSuccess) != 0
	m.Transfer = present&(1<<fTransfer) != 0
	if present&(1<<fEntries) != 0 {
		m.Entries = readEntries(d)
	}
	if present&(1<<fSnapshot) != 0 {
		s := d.Snapshot()
		m.Snapshot = &s
	}
	if !d.Done() {
		return raft.Message{}, ErrMalformed
	}
	return m, nil
}

func readEntries(d *wire.Reader) []raft.Entry {
	n := d.Count(7) // two varints, a type, three uvarints, a length
	if n == 0 {
		d.Err = wire.ErrMalformed // the field is present only with entries
		return nil
	}
	es := make([]raft.Entry, n)
	var index, term uint64
	for i := range es {
		e := &es[i]
		e.Index = index + 1 + uint64(d.Varint())
		e.Term = term + uint64(d.Varint())
		index, term = e.Index, e.Term
		d.EntryBody(e)
		if d.Err != nil {
			return nil
		}
	}
	return es
}
