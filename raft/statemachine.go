package raft

// StateMachine is the application that Raft replicates, in the shape of the
// talk's Demo.Lock: an initial state, a write handler that turns a command
// and the state into a reply and the next state, and a read handler that
// answers a query from the state without changing it.
//
// It must be deterministic: the same commands from the same initial state
// give the same replies and states on every peer. So no clocks, no
// randomness, no map iteration order, no I/O. Write and Read are called on
// the peer's goroutine, one at a time, and must not keep or change the
// byte slices they are given. State values are handed back and forth: treat
// them as immutable values.
//
// Write and Read must not panic: answer a command you cannot carry out with
// a reply that says so. If one does panic (or EncodeState or DecodeState),
// the peer recovers and stops, as if it had crashed, with a
// *StateMachineError naming the call, the log index and the panic: its
// waiting writes and reads, Stop and every later call get that error, and
// the rest of the process goes on. Every peer applies the same entries, so
// every peer that applies the entry stops at it, and again when it replays
// the log after a restart: the entry stays committed, and no peer skips it.
// Fix the state machine, then restart the peers.
type StateMachine[S any] interface {
	Init() S
	Write(cmd []byte, state S) (reply []byte, next S)
	Read(query []byte, state S) (reply []byte)
}

// Snapshotter is implemented by a StateMachine whose state can be written
// into a snapshot, so that the log can be compacted (section 7). A Peer
// whose state machine is not a Snapshotter keeps its whole log.
type Snapshotter[S any] interface {
	EncodeState(S) []byte
	DecodeState([]byte) (S, error)
}
