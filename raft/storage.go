package raft

import (
	"errors"
	"slices"
	"sync"
)

// Storage keeps what must survive a crash: the hard state, the latest
// snapshot and the log after it (Figure 2, "Persistent state on all servers:
// updated on stable storage before responding to RPCs"). A Peer calls it
// from one goroutine at a time.
//
// SaveState, Append and SaveSnapshot may keep what they are given in
// memory until Sync: a crash before Sync may lose any suffix of the saves
// since the last Sync (never an entry without those before it), so a disk
// can make them all durable with one flush (group commit).
type Storage interface {
	// Load returns what was saved before the last crash; a new peer's
	// storage returns a zero Stored. The caller owns what it returns: the
	// node appends to the entries' slice, so it must share no array the
	// storage writes to later.
	Load() (Stored, error)
	// SaveState replaces the saved hard state.
	SaveState(HardState) error
	// Append stores consecutive entries. The first may sit at or below the
	// last stored index: the stored entries from there on are replaced.
	Append(entries []Entry) error
	// SaveSnapshot stores a snapshot, which replaces the log through its
	// index: stored entries after it are kept if the entry at its index
	// has its term, and dropped otherwise (section 7).
	SaveSnapshot(Snapshot) error
	// Sync makes everything saved so far durable. A Peer calls it once per
	// Ready that saved something, before sending the messages that promise
	// what was saved.
	Sync() error
}

// ExclusiveStorage is a Storage that knows when a running peer uses it.
// StartPeer claims it and refuses to start if the claim fails; Stop gives
// it back. Two running peers on one storage could each grant a vote in the
// same term, and elect two leaders. MemoryStorage marks itself in use; a
// durable storage should also hold a lock on its files while it is open
// (raft/disk locks its directory), so that no other process uses them.
type ExclusiveStorage interface {
	Storage
	// Claim marks the storage in use by a running peer, or returns an
	// error (ErrStorageInUse, or one that wraps it) if a peer uses it
	// already.
	Claim() error
	// Release undoes Claim.
	Release()
}

// ErrStorageInUse says a storage is in use by a running peer.
var ErrStorageInUse = errors.New("raft: the storage is in use by a running peer; stop that peer first, or give this one its own storage")

// claim claims s for the peer id if s is an ExclusiveStorage, and returns
// how to give it back.
func claim(s Storage, id ID) (release func(), err error) {
	x, ok := s.(ExclusiveStorage)
	if !ok {
		return func() {}, nil
	}
	if err := x.Claim(); err != nil {
		return nil, wrapError(err, "raft: cannot start ", id)
	}
	return x.Release, nil
}

// MemoryStorage is a Storage in memory. It outlives the Peer that uses it,
// so a simulator can "crash" a peer (drop the Peer) and restart it from the
// same MemoryStorage with exactly what a disk would have kept. One running
// peer at a time may use it (see ExclusiveStorage).
type MemoryStorage struct {
	mu      sync.Mutex
	inUse   bool // claimed by a running peer
	state   HardState
	snap    Snapshot
	entries []Entry // entries[i].Index == snap.Index+i+1
}

// NewMemoryStorage returns an empty storage: a brand new peer.
func NewMemoryStorage() *MemoryStorage { return &MemoryStorage{} }

// Load returns a copy of the entries: the caller may append to them freely.
func (s *MemoryStorage) Load() (Stored, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Stored{State: s.state, Snapshot: s.snap, Entries: slices.Clone(s.entries)}, nil
}

// SaveState implements Storage.
func (s *MemoryStorage) SaveState(hs HardState) error {
	s.mu.Lock()
	s.state = hs
	s.mu.Unlock()
	return nil
}

// Append implements Storage.
func (s *MemoryStorage) Append(es []Entry) error {
	if len(es) == 0 {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	first, off := es[0].Index, s.snap.Index
	if first <= off || first > off+uint64(len(s.entries))+1 {
		return errorOf("raft: storage holds entries ", off+1, "..", off+uint64(len(s.entries)), " and cannot append at ", first)
	}
	// Overwriting in place is safe: Load hands out copies, so no one else
	// holds this array. (Clipping the capacity here would copy the whole
	// log on every append.)
	s.entries = appendDoubling(s.entries[:first-off-1], es)
	return nil
}

// SaveSnapshot implements Storage.
func (s *MemoryStorage) SaveSnapshot(snap Snapshot) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if snap.Index <= s.snap.Index {
		return nil // an older snapshot than the one kept
	}
	var rest []Entry
	if k := snap.Index - s.snap.Index; k <= uint64(len(s.entries)) && s.entries[k-1].Term == snap.Term {
		rest = withRoom(s.entries[k:], roomAfter(k)) // a new array: the old one can go (see raftLog.compact)
	}
	s.snap, s.entries = snap, rest
	return nil
}

// Sync implements Storage: memory has nothing to flush.
func (s *MemoryStorage) Sync() error { return nil }

// Claim implements ExclusiveStorage.
func (s *MemoryStorage) Claim() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.inUse {
		return ErrStorageInUse
	}
	s.inUse = true
	return nil
}

// Release implements ExclusiveStorage.
func (s *MemoryStorage) Release() {
	s.mu.Lock()
	s.inUse = false
	s.mu.Unlock()
}

// LastIndex returns the index of the last stored entry.
func (s *MemoryStorage) LastIndex() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.snap.Index + uint64(len(s.entries))
}

// Bootstrap prepares a new peer's storage as a member of a cluster with the
// given members: the configuration entry at index 1 of term 1. Give every
// member's storage the same call, then start them; they elect a leader
// among themselves. (SetConfiguration is the other way in: configure one
// peer and let it bring in the others.)
func Bootstrap(s Storage, members []ID) error {
	st, err := s.Load()
	if err != nil {
		return err
	}
	if len(st.Entries) != 0 || st.State.Term != 0 || st.Snapshot.Index != 0 {
		return errors.New("raft: Bootstrap needs empty storage; this one already holds a peer's state")
	}
	e, err := ConfigEntry(members)
	if err != nil {
		return err
	}
	if err := s.SaveState(HardState{Term: e.Term}); err != nil {
		return err
	}
	if err := s.Append([]Entry{e}); err != nil {
		return err
	}
	return s.Sync()
}
