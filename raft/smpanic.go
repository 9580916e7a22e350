package raft

import (
	"runtime/debug"
	"strconv"
)

// A state machine that panics. Its Write, Read, EncodeState and DecodeState
// run on the peer's goroutine; a panic there would take the whole process
// down, every peer in it, and every peer would panic again replaying the
// same committed entry after a restart. The peer recovers the panic and
// stops instead (fail-stop): it cannot know what state the panic left
// behind, so it must not answer from it.

// StateMachineError is the error a peer stops with when its state machine
// panics. The peer's waiting writes and reads get it, and so do Stop and
// every later call.
type StateMachineError struct {
	Peer ID
	// Call is the method that panicked: "Write", "Read", "EncodeState"
	// or "DecodeState".
	Call string
	// Index is the log index it was at: the entry being applied (Write),
	// the read's index (Read), the snapshot's last entry (EncodeState,
	// DecodeState).
	Index uint64
	Value any    // what it panicked with
	Stack []byte // where: the peer goroutine's stack at the panic
}

func (e *StateMachineError) Error() string {
	what := " applying entry "
	switch e.Call {
	case "Read":
		what = " answering a read at index "
	case "EncodeState", "DecodeState":
		what = " with the snapshot through entry "
	}
	return "raft: " + e.Peer.String() + " stopped: its state machine's " + e.Call + " panicked" + what +
		strconv.FormatUint(e.Index, 10) + ": " + panicText(e.Value)
}

// panicText renders a panic value without fmt (see errors.go).
func panicText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case error:
		return v.Error()
	case interface{ String() string }:
		return v.String()
	case int:
		return strconv.Itoa(v)
	}
	return "a panic value that is neither a string nor an error"
}

// guard calls f, a call into the state machine, and returns a
// *StateMachineError if it panics; the caller then stops the peer with
// stopWith.
func (p *Peer[S]) guard(call string, index uint64, f func()) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &StateMachineError{Peer: p.id, Call: call, Index: index, Value: v, Stack: debug.Stack()}
		}
	}()
	f()
	return nil
}

// stopWith stops the peer with err: waiting requests get it, and so does
// every later call.
func (p *Peer[S]) stopWith(err error) {
	p.err = err
	p.halt(err)
}
