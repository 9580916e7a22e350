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
type machine struct{ history bool }

type state struct {
	Lock lock.State  `json:"lock"`
	Ops  []appliedOp `json:"ops,omitempty"`
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

func (machine) DecodeState(b []byte) (state, error) {
	var s state
	if err := json.Unmarshal(b, &s); err != nil {
		return state{}, err
	}
	if s.Lock.Locked != (s.Lock.Holder != "") {
		return state{}, errors.New("raftlock: snapshot holds a lock without a holder, or a holder without a lock")
	}
	return s, nil
}
