package main

import (
	"context"
	"maps"
	"slices"
	"time"

	"github.com/raftplay/raftplay/raft"
)

// manage keeps the server in step with the address book, each time the
// state machine applies a book command or restores a snapshot, and every
// manageEvery (leadership and the configuration change without the
// machine knowing): the transport dials the book's addresses, the data
// directory keeps a copy of the book, and on the leader the Raft
// configuration follows the book, one server at a time. A change the
// leader could not start (another under way, a new leader's no-op not yet
// committed) is tried again on the next round, by whichever server leads
// then: an addition outlives the leader that took it.
func (s *server) manage() {
	defer close(s.managed)
	tick := time.NewTicker(manageEvery)
	defer tick.Stop()
	for {
		select {
		case <-s.stopManage:
			return
		case <-s.wake:
		case <-tick.C:
		}
		s.reconcile()
	}
}

const manageEvery = 50 * time.Millisecond

// bookChanged is the machine's changed hook: it wakes manage.
func (s *server) bookChanged() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *server) reconcile() {
	st, err := s.peer.Status()
	if err != nil {
		return
	}
	state, err := s.peer.State()
	if err != nil {
		return
	}
	applied := state.Book
	if applied.version() > s.book.version() {
		s.book = applied
		if err := writeBook(s.cfg.data, applied); err != nil {
			s.log.Printf("saving the address book: %v", err)
		}
	}
	if addrs := peerAddrs(s.cfg.peers, s.book, st); !maps.Equal(addrs, s.addrs) {
		s.net.SetPeers(addrs)
		s.mu.Lock()
		s.addrs = addrs
		s.mu.Unlock()
		s.log.Printf("peers' addresses: %v", addrs)
	}
	// The leader acts on the book it has applied, once that is at least
	// as new as its file's: a book from before a removal must not add the
	// server back.
	if st.Role != raft.Leader || applied.version() < s.book.version() {
		return
	}
	if missing := applied.unrecorded(st); len(missing) > 0 && st.Commit >= st.ConfigIndex {
		s.recordInitial(missing)
	}
	id, add, ok := applied.pending(st)
	switch {
	case !ok:
	case add:
		if s.peer.AddServer(id) == nil {
			s.log.Printf("adding %v as a learner; it becomes a voter once it has caught up", id)
		}
	default:
		if s.peer.RemoveServer(id) == nil {
			s.log.Printf("removing %v", id)
		}
	}
}

// addrsNow returns the addresses the transport was last given.
func (s *server) addrsNow() map[raft.ID]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.addrs)
}

// recordInitial writes, in the background, the -peers addresses of the
// members the book lacks: those of the first configuration. A server that
// joins later learns them from the book, so that it can reach a lower id
// that does not know its address (raft/tcp). One round at a time; a
// command written twice is harmless.
func (s *server) recordInitial(ids []raft.ID) {
	if !s.recording.CompareAndSwap(false, true) {
		return
	}
	ids = slices.DeleteFunc(ids, func(id raft.ID) bool { _, ok := s.cfg.peers[id]; return !ok })
	if len(ids) == 0 { // a member this leader has no -peers address for: nothing to record
		s.recording.Store(false)
		return
	}
	go func() {
		defer s.recording.Store(false)
		for _, id := range ids {
			addr := s.cfg.peers[id]
			ctx, cancel := context.WithTimeout(context.Background(), s.cfg.timeout)
			_, err := s.peer.Write(ctx, []byte("- "+initialCommand(id, addr)))
			cancel()
			if err != nil {
				return // no longer the leader, say: whoever leads next records them
			}
		}
	}()
}
