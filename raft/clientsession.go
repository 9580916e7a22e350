package raft

import (
	"errors"
	"slices"
	"sync"
)

// Session numbers one client's writes, so that a write whose answer did not
// come (its context ended, its peer crashed) can be sent again, to the same
// peer or another, and still be applied at most once (dissertation section
// 6.3). Keep one per client for as long as the client lives; give each
// client its own id, unique in the cluster. The peers keep the MaxSessions
// sessions used most recently: retry within that window (a retry after
// MaxSessions other clients have written since would be applied again).
//
//	s, _ := raft.NewSession(42)
//	req := s.Next(cmd)
//	reply, err := p.WriteRequest(ctx, req)
//	for err != nil && retryable(err) { reply, err = q.WriteRequest(ctx, req) } // same req
//	s.Done(req)
//
// Done tells the cluster, with the next write, that the reply has been
// heard, so the peers can forget it; a Request sent again after Done may be
// refused as stale. A Session is safe for concurrent use.
type Session struct {
	client uint64

	mu      sync.Mutex
	seq     uint64   // the last sequence number handed out
	waiting []uint64 // those not yet Done, ascending
}

// ErrSessionID is returned for a client id of 0 or with its top bit set:
// those name the peers' own sessions.
var ErrSessionID = errors.New("raft: a client id must be between 1 and 2^63-1")

// NewSession starts the session of client id.
func NewSession(client uint64) (*Session, error) {
	if client == 0 || client&(1<<63) != 0 {
		return nil, ErrSessionID
	}
	return &Session{client: client}, nil
}

// Next returns the request for a new write of cmd.
func (s *Session) Next(cmd []byte) Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	s.waiting = append(s.waiting, s.seq)
	return Request{Client: s.client, Seq: s.seq, Lowest: s.waiting[0], Cmd: cmd}
}

// Done says the reply to req has been heard (or given up on for good).
func (s *Session) Done(req Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i, ok := slices.BinarySearch(s.waiting, req.Seq); ok && req.Client == s.client {
		s.waiting = slices.Delete(s.waiting, i, i+1)
	}
}
