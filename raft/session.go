package raft

// Client sessions (dissertation section 6.3): each command carries its
// client's id and sequence number, and each peer's state machine layer
// remembers the reply to every command until the client says it has heard
// it. A retried command is then applied at most once and gets its first
// reply, even when the retry lands in the log twice.
//
// The table is part of the replicated state: every peer builds the same one
// by applying the same log.

type sessionTable map[uint64]*clientSession

type clientSession struct {
	lowest  uint64            // replies below this were heard; forgotten
	replies map[uint64][]byte // seq -> reply, for seq >= lowest
}

// outcome of looking a command up in the session table.
type outcome uint8

const (
	fresh     outcome = iota // apply it and record the reply
	duplicate                // applied before: here is its reply
	stale                    // applied, answered and forgotten: nobody waits
)

// check says what to do with a command of client c, sequence seq, sent when
// the client's lowest unanswered sequence number was lowest.
func (t sessionTable) check(c, seq, lowest uint64) (outcome, []byte) {
	s := t[c]
	if s == nil {
		s = &clientSession{replies: make(map[uint64][]byte)}
		t[c] = s
	}
	if lowest > s.lowest {
		for q := range s.replies { // deletion order cannot matter
			if q < lowest {
				delete(s.replies, q)
			}
		}
		s.lowest = lowest
	}
	if seq < s.lowest {
		return stale, nil
	}
	if r, ok := s.replies[seq]; ok {
		return duplicate, r
	}
	return fresh, nil
}

// lookup is check without its side effects: what a command would get,
// for a peer answering the writes a snapshot covers.
func (t sessionTable) lookup(c, seq uint64) (outcome, []byte) {
	s := t[c]
	switch {
	case s == nil:
		return fresh, nil
	case seq < s.lowest:
		return stale, nil
	}
	if r, ok := s.replies[seq]; ok {
		return duplicate, r
	}
	return fresh, nil
}

func (t sessionTable) record(c, seq uint64, reply []byte) {
	t[c].replies[seq] = reply
}
