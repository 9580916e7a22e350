package raft

import "container/list"

// Client sessions (dissertation section 6.3): each command carries its
// client's id and sequence number, and each peer's state machine layer
// remembers the reply to every command until the client says it has heard
// it. A retried command is then applied at most once and gets its first
// reply, even when the retry lands in the log twice.
//
// The table is part of the replicated state: every peer builds the same one
// by applying the same log. It keeps at most MaxSessions sessions: when a
// new client would exceed that, the session used least recently (in log
// order, so every peer drops the same one) is dropped, as the dissertation
// expires sessions (section 6.3). A dropped session's next command is
// taken as a new client's: a write applied, then retried only after
// MaxSessions other clients have written since, would be applied again.
// (The dissertation's clients register their sessions, so that a command
// of an expired one can be refused; ours start theirs with their first
// write, and a client that gave up its first writes looks, to the table,
// like one whose session was dropped.)

// MaxSessions is how many client sessions a peer keeps. It is part of the
// replicated state machine's definition: every peer of a cluster must
// drop the same sessions, so it is a constant, not a setting.
const MaxSessions = 100_000

type sessionTable struct {
	clients map[uint64]*clientSession
	order   list.List // the sessions, least recently used first
	max     int
}

type clientSession struct {
	client  uint64
	lowest  uint64            // replies below this were heard; forgotten
	replies map[uint64][]byte // seq -> reply, for seq >= lowest
	elem    *list.Element     // its place in the order
}

func newSessionTable(max int) *sessionTable {
	return &sessionTable{clients: map[uint64]*clientSession{}, max: max}
}

// outcome of looking a command up in the session table.
type outcome uint8

const (
	fresh     outcome = iota // apply it and record the reply
	duplicate                // applied before: here is its reply
	stale                    // applied, answered and forgotten: nobody waits
)

// check says what to do with a command of client c, sequence seq, sent
// when the client's lowest unanswered sequence number was lowest; the
// client's session becomes the most recently used.
func (t *sessionTable) check(c, seq, lowest uint64) (outcome, []byte) {
	s := t.clients[c]
	if s == nil {
		s = &clientSession{client: c, replies: make(map[uint64][]byte)}
		t.clients[c] = s
		s.elem = t.order.PushBack(s)
		for len(t.clients) > t.max {
			old := t.order.Remove(t.order.Front()).(*clientSession)
			delete(t.clients, old.client)
		}
	}
	t.order.MoveToBack(s.elem)
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
func (t *sessionTable) lookup(c, seq uint64) (outcome, []byte) {
	s := t.clients[c]
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

func (t *sessionTable) record(c, seq uint64, reply []byte) {
	t.clients[c].replies[seq] = reply
}

// each calls f with every session, least recently used first: the order
// is replicated state, which a snapshot keeps.
func (t *sessionTable) each(f func(*clientSession)) {
	for e := t.order.Front(); e != nil; e = e.Next() {
		f(e.Value.(*clientSession))
	}
}

// add puts a session restored from a snapshot at the back of the order
// (decodeSnapshot adds them least recently used first); false if the table
// has it already.
func (t *sessionTable) add(s *clientSession) bool {
	if t.clients[s.client] != nil {
		return false
	}
	t.clients[s.client] = s
	s.elem = t.order.PushBack(s)
	return true
}

func (t *sessionTable) len() int { return len(t.clients) }
