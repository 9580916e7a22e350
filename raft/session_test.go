package raft

import (
	"slices"
	"testing"
)

// Client sessions: dissertation section 6.3, "Implementing linearizable
// semantics": "each server's state machine maintains a session for each
// client. The session tracks the latest serial number processed for the
// client, along with the associated response. If a state machine receives a
// command whose serial number has already been executed, it responds
// immediately without re-executing the request." Peer-level tests (a retried
// lock gets its first reply) are in peer_test.go.

// A command seen before is a duplicate, answered with its first reply; a
// new one is fresh. Sessions of different clients are independent.
func TestSessionDuplicateGetsTheOriginalReply(t *testing.T) {
	tab := newSessionTable(MaxSessions)
	if out, _ := tab.check(7, 1, 1); out != fresh {
		t.Fatalf("first command of a client = %v, want fresh", out)
	}
	tab.record(7, 1, []byte("ok"))
	out, r := tab.check(7, 1, 1)
	if out != duplicate || string(r) != "ok" {
		t.Fatalf("retry = (%v, %q), want duplicate with the first reply \"ok\"", out, r)
	}
	if out, _ := tab.check(8, 1, 1); out != fresh {
		t.Fatalf("another client's seq 1 = %v, want fresh", out)
	}
	if out, _ := tab.check(7, 2, 1); out != fresh {
		t.Fatalf("client 7's seq 2 = %v, want fresh", out)
	}
}

// Reference: dissertation section 6.3: "the client's request includes the
// lowest sequence number for which it has not yet received a response, and
// the state machine then discards all responses for lower sequence numbers".
// A command below that is stale: its client has its answer and nobody waits.
func TestSessionLowestForgetsReplies(t *testing.T) {
	tab := newSessionTable(MaxSessions)
	for seq := uint64(1); seq <= 3; seq++ {
		tab.check(7, seq, 1)
		tab.record(7, seq, []byte{byte('0' + seq)})
	}
	if out, _ := tab.check(7, 4, 3); out != fresh {
		t.Fatalf("seq 4 = %v, want fresh", out)
	}
	for seq := uint64(1); seq <= 2; seq++ {
		if out, _ := tab.check(7, seq, 1); out != stale {
			t.Fatalf("seq %d after lowest 3 = %v, want stale (and never applied again)", seq, out)
		}
	}
	if out, r := tab.check(7, 3, 3); out != duplicate || string(r) != "3" {
		t.Fatalf("seq 3 = (%v, %q), want a duplicate still answered", out, r)
	}
	if got := len(tab.clients[7].replies); got != 1 {
		t.Fatalf("session keeps %d replies, want 1 (seq 3): the others were heard", got)
	}
	// Lowest never goes back: an old message with a lower Lowest does not
	// revive forgotten replies.
	if out, _ := tab.check(7, 2, 1); out != stale {
		t.Fatalf("seq 2 with an older Lowest = %v, want stale", out)
	}
}

// The table keeps the sessions used most recently: a new client beyond the
// bound drops the least recently used one, whichever was created first,
// and a dropped client's next command is a new client's.
func TestSessionTableDropsTheLeastRecentlyUsed(t *testing.T) {
	tab := newSessionTable(3)
	for c := uint64(1); c <= 3; c++ {
		tab.check(c, 1, 1)
		tab.record(c, 1, []byte("ok"))
	}
	tab.check(1, 2, 2) // client 1 used again: client 2 is now the least recent
	tab.check(4, 1, 1) // a fourth client: client 2 goes
	if _, kept := tab.clients[2]; kept || tab.len() != 3 {
		t.Fatalf("after a fourth client the table holds %d sessions, client 2's kept: %v; want 3, dropped", tab.len(), kept)
	}
	var order []uint64
	tab.each(func(s *clientSession) { order = append(order, s.client) })
	if !slices.Equal(order, []uint64{3, 1, 4}) {
		t.Fatalf("order %v, want least recently used first: [3 1 4]", order)
	}
	if out, _ := tab.check(2, 2, 2); out != fresh || tab.len() != 3 {
		t.Fatalf("client 2, dropped, sends seq 2 = %v with %d sessions kept; want fresh, 3", out, tab.len())
	}
	if _, kept := tab.clients[3]; kept {
		t.Fatal("client 2 back did not drop client 3, now the least recent")
	}
}
