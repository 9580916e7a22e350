package main

import (
	"bytes"
	"encoding/json"
	"errors"

	"github.com/raftplay/raftplay/raft/lock"
)

// machine is the talk's lock, replicated, with each write named: a command
// in the log is "<id> lock <client>" or "<id> unlock <client>", where the
// id is the write's session and sequence number ("<session>.<seq>"). With
// history, the state also keeps every write it applied, in order, with its
// reply: what a test compares across servers and against what clients
// were told (it grows without bound: for tests).
//
// The state also holds the cluster's address book (members.go): "<id> add
// <server> <host:port>" and "<id> remove <server>". changed, if set, is
// called when the book may have changed: after such a command, and after
// a snapshot is decoded. It runs on the peer's goroutine and must not
// block.
type machine struct {
	history bool
	changed func()
}

type state struct {
	Lock lock.State  `json:"lock"`
	Ops  []appliedOp `json:"ops,omitempty"`
	Book *book       `json:"book,omitempty"`
}

// appliedOp is one write a server applied.
type appliedOp struct {
	ID    string `json:"id"`
	Cmd   string `json:"cmd"`
	Reply string `json:"reply"`
}

func (machine) Init() state { return state{} }

// Write applies "<id> <lock command>". Each state is handed on once, so
// appending to its Ops in place is safe: no one appends to an older one.
func (m machine) Write(cmd []byte, s state) ([]byte, state) {
	id, c, ok := bytes.Cut(cmd, []byte(" "))
	if !ok {
		return lock.Error, s
	}
	if b, ok := s.Book.apply(c); ok {
		s.Book = b
		if m.changed != nil {
			m.changed()
		}
		return lock.OK, s
	}
	reply, l := lock.Machine{}.Write(c, s.Lock)
	s.Lock = l
	if m.history {
		s.Ops = append(s.Ops, appliedOp{ID: string(id), Cmd: string(c), Reply: string(reply)})
	}
	return reply, s
}

// Read answers with the lock's state: "unlocked" or "locked by <client>".
func (machine) Read(_ []byte, s state) []byte { return lock.Machine{}.Read(nil, s.Lock) }

// EncodeState and DecodeState make the machine a raft.Snapshotter: servers
// compact their logs.
func (machine) EncodeState(s state) []byte {
	b, _ := json.Marshal(s) // a struct of strings and bools: cannot fail
	return b
}

func (m machine) DecodeState(b []byte) (state, error) {
	var s state
	if err := json.Unmarshal(b, &s); err != nil {
		return state{}, err
	}
	if s.Lock.Locked != (s.Lock.Holder != "") {
		return state{}, errors.New("raftlock: snapshot holds a lock without a holder, or a holder without a lock")
	}
	if m.changed != nil {
		m.changed()
	}
	return s, nil
}
