package raft_test

import (
	"slices"
	"testing"

	"github.com/raftplay/raftplay/raft"
)

// Network delivers every message to its listener, in the order sent to each
// destination, and loses messages to peers that are not listening.
func TestNetworkDeliversInOrderPerDestination(t *testing.T) {
	net := raft.NewNetwork()
	got := make(chan raft.Message, 100)
	stop := net.Listen(2, func(m raft.Message) { got <- m })
	net.Send(raft.Message{Type: raft.MsgVote, From: 1, To: 9, Term: 1}) // nobody listens: lost
	for i := uint64(1); i <= 50; i++ {
		net.Send(raft.Message{Type: raft.MsgApp, From: 1, To: 2, Term: i})
	}
	for i := uint64(1); i <= 50; i++ {
		if m := <-got; m.Term != i || m.To != 2 {
			t.Fatalf("message %d delivered as %+v: out of order", i, m)
		}
	}
	stop()
	net.Send(raft.Message{Type: raft.MsgApp, From: 1, To: 2, Term: 51}) // after stop: lost
	// A new listener for the same id gets what is sent from now on.
	again := make(chan raft.Message, 1)
	stop2 := net.Listen(2, func(m raft.Message) { again <- m })
	defer stop2()
	net.Send(raft.Message{Type: raft.MsgApp, From: 1, To: 2, Term: 52})
	if m := <-again; m.Term != 52 {
		t.Fatalf("new listener got term %d, want 52 (51 was sent while nobody listened)", m.Term)
	}
	select {
	case m := <-got:
		t.Fatalf("a stopped listener got %+v", m)
	default:
	}
}

// ManualClock ticks every started peer, in the order they started, and
// returns when all have handled the tick; a stopped one is skipped.
func TestManualClockTicksInStartOrder(t *testing.T) {
	var c raft.ManualClock
	var order []int
	stops := make([]func(), 3)
	for i := range 3 {
		stops[i] = c.Start(func() { order = append(order, i) })
	}
	c.Tick()
	stops[1]()
	c.Tick()
	if want := []int{0, 1, 2, 0, 2}; !slices.Equal(order, want) {
		t.Fatalf("ticks reached %v, want %v", order, want)
	}
}
