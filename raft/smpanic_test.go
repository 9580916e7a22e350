package raft_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/lock"
)

// fragile is the lock with bugs: Write panics on "lock boom", Read on the
// query "boom".
type fragile struct{ lock.Machine }

func (f fragile) Write(cmd []byte, s lock.State) ([]byte, lock.State) {
	if string(cmd) == "lock boom" {
		panic("no lock may be called boom")
	}
	return f.Machine.Write(cmd, s)
}

func (f fragile) Read(q []byte, s lock.State) []byte {
	if string(q) == "boom" {
		panic(errors.New("cannot read boom"))
	}
	return f.Machine.Read(q, s)
}

// fragileCluster is three peers running fragile, configured, with "lock a"
// applied.
func fragileCluster(t *testing.T) *lockCluster {
	c := newLockCluster(t, 3, false)
	c.sm = fragile{}
	for id := range c.peers { // restart them with the fragile machine
		c.peers[id].Stop()
		c.start(id)
	}
	c.configure()
	if r := c.write(1, lock.Lock("a")); r != "ok" {
		t.Fatalf("lock a = %q", r)
	}
	return c
}

// stateMachineError returns err as a *StateMachineError, failing the test
// if it is not one for call at index with a message naming the panic.
func stateMachineError(t *testing.T, err error, id raft.ID, call string, index uint64, panicked string) {
	t.Helper()
	var sme *raft.StateMachineError
	if !errors.As(err, &sme) || sme.Peer != id || sme.Call != call || sme.Index != index || len(sme.Stack) == 0 {
		t.Fatalf("%v: got %v, want a *StateMachineError for %s at index %d with a stack", id, err, call, index)
	}
	if msg := err.Error(); !strings.Contains(msg, panicked) || !strings.Contains(msg, call) || !strings.Contains(msg, "stopped") {
		t.Fatalf("%v: error %q does not say the peer stopped because %s panicked with %q", id, msg, call, panicked)
	}
}

// Issue 9, item 5: a panic in StateMachine.Write took the whole process
// down, and every peer panicked again replaying the entry after a restart.
// Now each peer that applies the entry stops with an error naming it, the
// process goes on, and after a restart the peers stop again at the same
// entry rather than skip it.
func TestStateMachineWritePanicStopsThePeerWithTheEntry(t *testing.T) {
	c := fragileCluster(t)
	st, _ := c.peers[1].Status()
	boom := st.LastIndex + 1
	_, ch := c.submit(1, raft.Request{Cmd: []byte("lock boom")})
	r := c.answer(ch)
	stateMachineError(t, r.err, 1, "Write", boom, "no lock may be called boom")
	if _, err := c.peers[1].Status(); err != r.err {
		t.Fatalf("s1 after the panic: Status error %v, want the same error (stopped)", err)
	}
	// s1 stopped before telling anyone the entry is committed. The next
	// leader commits it with its own first entry, applies it, and stops.
	second := c.untilStopped(2, 3)
	stateMachineError(t, c.peers[second].Stop(), second, "Write", boom, "no lock may be called boom")
	// Restarted from their storage, the peers elect a leader, which
	// commits the entry again (it stays committed), replays the log and
	// stops at the same entry, not past it.
	for id, p := range c.peers {
		p.Stop()
		c.start(id)
	}
	again := c.untilStopped(1, 2, 3)
	stateMachineError(t, c.peers[again].Stop(), again, "Write", boom, "no lock may be called boom")
}

// untilStopped ticks until one of the peers ids has stopped, and returns it.
func (c *lockCluster) untilStopped(ids ...raft.ID) raft.ID {
	c.t.Helper()
	var stopped raft.ID
	c.until("a peer stops", func() bool {
		for _, id := range ids {
			if _, err := c.peers[id].Status(); err != nil {
				stopped = id
				return true
			}
		}
		return false
	})
	return stopped
}

// A panic in Read stops the peer the same way, naming the read's index;
// the read gets the error.
func TestStateMachineReadPanicStopsThePeer(t *testing.T) {
	c := fragileCluster(t)
	st, _ := c.peers[1].Status()
	ch := make(chan result, 2)
	answer := func(b []byte, err error) { ch <- result{string(b), err} }
	for _, q := range []string{"boom", ""} { // the second waits behind the first
		if _, err := c.peers[1].SubmitRead([]byte(q), answer); err != nil {
			t.Fatal(err)
		}
	}
	got := []result{c.answer(ch), c.answer(ch)}
	stateMachineError(t, got[0].err, 1, "Read", st.Commit, "cannot read boom")
	if got[1].err != got[0].err {
		t.Fatalf("the read after it got %q, %v; want the same error: the peer stopped", got[1].reply, got[1].err)
	}
	if r := c.write(2, lock.Unlock("a")); r != "ok" { // the others go on
		t.Fatalf("unlock a at s2 = %q", r)
	}
}
