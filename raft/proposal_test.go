package raft

import (
	"errors"
	"strings"
	"testing"
)

// Client writes: section 8 ("Clients of Raft send all of their requests to
// the leader. ... If the client's first choice is not the leader, that
// server will reject the client's request and supply information about the
// most recent leader it has heard from"). Here a follower forwards the write
// to its leader itself, as in the talk.

func cmd(s string) Entry { return Entry{Type: EntryCommand, Data: []byte(s)} }

// A write at a follower goes to the leader, which appends and commits it;
// every peer applies it.
func TestFollowerForwardsWritesToItsLeader(t *testing.T) {
	c := settled(t)
	if err := c.node(2).Propose(cmd("lock s2")); err != nil {
		t.Fatal(err)
	}
	c.flush(2)
	fwd := one(t, c.take(from(2)))
	if fwd.Type != MsgProp || fwd.To != 1 || len(fwd.Entries) != 1 || string(fwd.Entries[0].Data) != "lock s2" {
		t.Fatalf("follower sent %+v, want the write forwarded to s1", fwd)
	}
	if c.node(2).log.lastIndex() != 2 {
		t.Fatal("the follower appended the write itself")
	}
	c.step(fwd)
	c.stabilize(all)
	c.tick(1, 2)
	c.stabilize(all)
	for _, id := range c.ids {
		got := c.applied[id]
		if len(got) != 3 || string(got[2].Data) != "lock s2" || got[2].Term != 2 {
			t.Fatalf("%v applied %v, want the write at index 3 in term 2", id, terms(got))
		}
	}
}

// With no leader known (a new cluster, or an election under way) a write is
// refused at once with a *NotLeaderError, not queued or lost silently.
func TestNoLeaderKnownIsANotLeaderError(t *testing.T) {
	c := newCluster(t, 3)
	check := func(what string, id ID) {
		t.Helper()
		err := c.node(id).Propose(cmd("lock a"))
		var nl *NotLeaderError
		if !errors.As(err, &nl) || nl.Peer != id || nl.Leader != None {
			t.Fatalf("%s: Propose = %v, want *NotLeaderError from %v with no leader hint", what, err, id)
		}
		if nl.Error() == "" {
			t.Fatal("empty error text")
		}
		if errors.Is(err, ErrNotConfigured) {
			t.Fatalf("%s: Propose = %v, which says a configured peer has no configuration", what, err)
		}
		if len(c.node(id).msgs) > 0 {
			t.Fatalf("%s: a refused write was sent somewhere", what)
		}
	}
	check("new cluster", 2)
	c.campaign(1)
	check("candidate", 1)
	c.deliver(and(ofType(MsgVote), to(2)))
	check("voter during an election", 2)
	if e := (&NotLeaderError{Peer: 2, Leader: 3}).Error(); e == "" {
		t.Fatal("empty error text")
	}
}

// When an election deposes a leader it knew, a peer's refusal names that
// leader as a hint (section 8: a follower "rejects the client's request and
// supplies information about the most recent leader it has heard from").
func TestNotLeaderErrorHintsTheLastLeader(t *testing.T) {
	c := newCluster(t, 3)
	c.elect(1)
	c.campaign(2) // s2 starts an election of its own: it knows no leader now
	err := c.node(2).Propose(cmd("lock a"))
	var nl *NotLeaderError
	if !errors.As(err, &nl) || nl.Leader != 1 {
		t.Fatalf("Propose at a candidate = %v, want a *NotLeaderError hinting s1", err)
	}
	if !strings.Contains(err.Error(), "s1") {
		t.Errorf("error text %q does not name the hint", err)
	}
}

// A forwarded write that reaches a peer that is no longer leader is dropped:
// the origin retries with the leader it learns of (Peer does, after
// RetryTicks). It is never appended by a peer that does not lead.
func TestDeposedLeaderDropsForwardedWrites(t *testing.T) {
	c := settled(t)
	if err := c.node(2).Propose(cmd("lock s2")); err != nil {
		t.Fatal(err)
	}
	c.flush(2)
	fwd := one(t, c.take(from(2)))
	// s1 hears of term 3 before the write arrives.
	stepOK(t, c.node(1), Message{Type: MsgVote, From: 3, To: 1, Term: 3, LastLogIndex: 2, LastLogTerm: 2})
	n := c.node(1)
	last := n.log.lastIndex()
	if err := n.Step(fwd); err != nil {
		t.Fatal(err)
	}
	if n.log.lastIndex() != last || len(drain(n)) != 0 {
		t.Fatal("a deposed leader appended or passed on a forwarded write")
	}
}

// Only commands can be proposed: noops and configurations are the
// protocol's own entries.
func TestOnlyCommandsCanBeProposed(t *testing.T) {
	c := settled(t)
	for _, typ := range []EntryType{EntryNoop, EntryConfig, 7} {
		if err := c.node(1).Propose(Entry{Type: typ}); !errors.Is(err, ErrEntryType) {
			t.Fatalf("Propose of a %v entry = %v, want ErrEntryType", typ, err)
		}
	}
	// A forwarded write must carry exactly one command.
	for _, es := range [][]Entry{nil, {cmd("a"), cmd("b")}, {{Type: EntryConfig}}} {
		if err := c.node(1).Step(Message{Type: MsgProp, From: 2, To: 1, Entries: es}); err == nil {
			t.Fatalf("forwarded write with entries %v accepted", es)
		}
	}
}

// Reference: Figure 2, Leaders: "If command received from client: append
// entry to local log". The leader stamps its term and the next index,
// whatever the client wrote there, and streams the entry to up-to-date
// followers at once.
func TestLeaderAppendsAndStreamsProposals(t *testing.T) {
	c := settled(t)
	e := cmd("lock a")
	e.Index, e.Term = 99, 99
	if err := c.node(1).Propose(e); err != nil {
		t.Fatal(err)
	}
	c.flush(1)
	got := c.log(1)[2]
	if got.Index != 3 || got.Term != 2 || string(got.Data) != "lock a" {
		t.Fatalf("leader appended %+v, want index 3, term 2", got)
	}
	apps := c.take(ofType(MsgApp))
	if len(apps) != 2 {
		t.Fatalf("leader sent %d AppendEntries, want one to each follower", len(apps))
	}
	for _, m := range apps {
		if len(m.Entries) != 1 || m.Entries[0].Index != 3 || m.PrevLogIndex != 2 {
			t.Fatalf("AppendEntries %+v, want entry 3 after prev 2", m)
		}
	}
}

// A retry of a session write the leader has appended and not yet committed
// is not appended again: it will commit with the first copy. Once that copy
// is committed a retry is taken (the session table answers it from the
// first reply when applied; see session_test.go).
func TestLeaderDoesNotAppendAnInFlightRetryTwice(t *testing.T) {
	c := settled(t)
	w := Entry{Type: EntryCommand, Client: 5, Seq: 1, Lowest: 1, Data: []byte("lock a")}
	for range 3 {
		if err := c.node(1).Propose(w); err != nil {
			t.Fatal(err)
		}
	}
	// The same write forwarded by a follower, too.
	c.step(Message{Type: MsgProp, From: 2, To: 1, Entries: []Entry{w}})
	if got := c.node(1).log.lastIndex(); got != 3 {
		t.Fatalf("log has %d entries after 4 copies of one in-flight write, want 3", got)
	}
	c.stabilize(all)
	if err := c.node(1).Propose(w); err != nil {
		t.Fatal(err)
	}
	if got := c.node(1).log.lastIndex(); got != 4 {
		t.Fatalf("a retry after commit was not taken (log has %d entries)", got)
	}
	// Writes without a session are never deduplicated.
	for range 2 {
		if err := c.node(1).Propose(cmd("unlock a")); err != nil {
			t.Fatal(err)
		}
	}
	if got := c.node(1).log.lastIndex(); got != 6 {
		t.Fatalf("log has %d entries, want 6: sessionless writes are each appended", got)
	}
}

// ProposeLocal answers where a write went: on the leader, the entry's index
// and term; anywhere else, a *NotLeaderError naming the leader, with
// nothing sent (it never forwards). A retry of a write not yet committed
// is where the first copy is.
func TestProposeLocalSaysWhereTheWriteWent(t *testing.T) {
	c := settled(t)
	e := Entry{Type: EntryCommand, Client: 7, Seq: 1, Lowest: 1, Data: []byte("lock a")}
	index, term, err := c.node(1).ProposeLocal(e)
	if err != nil || index != 3 || term != 2 {
		t.Fatalf("ProposeLocal at the leader = (%d, %d, %v), want (3, 2, nil)", index, term, err)
	}
	if again, _, err := c.node(1).ProposeLocal(e); err != nil || again != 3 || c.node(1).LastIndex() != 3 {
		t.Fatalf("a retry answered index %d (%v) and the log ends at %d; want 3, appended once", again, err, c.node(1).LastIndex())
	}
	c.flush(1)
	_, _, err = c.node(2).ProposeLocal(cmd("lock b"))
	var nl *NotLeaderError
	if !errors.As(err, &nl) || nl.Peer != 2 || nl.Leader != 1 || !nl.LeaderKnown {
		t.Fatalf("ProposeLocal at a follower = %v, want a *NotLeaderError naming the leader s1", err)
	}
	if !strings.Contains(err.Error(), "s1") {
		t.Errorf("error text %q does not name the leader", err)
	}
	if c.node(2).HasReady() {
		t.Fatal("a follower sent or stored something for a write it refused")
	}
	if _, _, err := c.node(1).ProposeLocal(Entry{Type: EntryNoop}); !errors.Is(err, ErrEntryType) {
		t.Fatalf("ProposeLocal of a noop = %v, want ErrEntryType", err)
	}
}

// Writes proposed before the runtime asks for Ready travel together: one
// AppendEntries per follower carries them all, not one each.
func TestProposalsBeforeReadyShareOneAppendEntries(t *testing.T) {
	c := settled(t)
	for i := range 10 {
		if err := c.node(1).Propose(cmd("w" + string(rune('a'+i)))); err != nil {
			t.Fatal(err)
		}
	}
	c.flush(1)
	apps := c.take(ofType(MsgApp))
	if len(apps) != 2 {
		t.Fatalf("the leader sent %d AppendEntries for 10 writes, want one per follower:%s", len(apps), fmtMsgs(apps))
	}
	for _, m := range apps {
		if len(m.Entries) != 10 || m.Entries[0].Index != 3 {
			t.Fatalf("AppendEntries to %v carries %d entries from index %d, want the 10 writes from 3", m.To, len(m.Entries), m.Entries[0].Index)
		}
	}
}

// A command larger than MaxCommandBytes is refused wherever it is
// proposed, and from a follower that forwards it, before it reaches a log:
// a storage or transport that could not take it would stop the cluster.
func TestCommandsAboveMaxCommandBytesAreRefused(t *testing.T) {
	c := newCluster(t, 3)
	c.reconfigure(func(cfg *Config) { cfg.MaxCommandBytes = 10 })
	c.elect(1)
	c.stabilize(all)
	big, fits := cmd("lock a-long-name"), cmd("lock s1234")
	last := c.node(1).log.lastIndex()
	if err := c.node(1).Propose(big); !errors.Is(err, ErrCommandTooLarge) {
		t.Fatalf("Propose of %d bytes at the leader: %v, want ErrCommandTooLarge", len(big.Data), err)
	}
	if _, _, err := c.node(1).ProposeLocal(big); !errors.Is(err, ErrCommandTooLarge) {
		t.Fatalf("ProposeLocal of %d bytes: %v, want ErrCommandTooLarge", len(big.Data), err)
	}
	if err := c.node(2).Propose(big); !errors.Is(err, ErrCommandTooLarge) || c.node(2).HasReady() {
		t.Fatalf("Propose of %d bytes at a follower: %v (forwarded: %v), want ErrCommandTooLarge", len(big.Data), err, c.node(2).HasReady())
	}
	if err := c.node(1).Step(Message{Type: MsgProp, From: 2, To: 1, Entries: []Entry{big}}); !errors.Is(err, ErrCommandTooLarge) {
		t.Fatalf("a forwarded write of %d bytes: %v, want ErrCommandTooLarge", len(big.Data), err)
	}
	if got := c.node(1).log.lastIndex(); got != last {
		t.Fatalf("the leader's log grew from %d to %d", last, got)
	}
	if err := c.node(1).Propose(fits); err != nil {
		t.Fatalf("Propose of %d bytes: %v", len(fits.Data), err)
	}
}

// A leader that proposes and then, before its next Ready, hears of a higher
// term steps down with the write unsent: Ready hands out what it has and
// sends nothing as leader. (raftlock's process test met this as a panic:
// the entries waiting to go were sent from a follower's empty progress.)
func TestLeaderDeposedBetweenProposeAndReady(t *testing.T) {
	c := settled(t)
	leader := c.node(1)
	if err := leader.Propose(cmd("lock a")); err != nil {
		t.Fatal(err)
	}
	if err := leader.Step(Message{Type: MsgApp, From: 2, To: 1, Term: leader.Status().Term + 1, Cluster: leader.Status().Cluster}); err != nil {
		t.Fatal(err)
	}
	if leader.Status().Role != Follower {
		t.Fatalf("s1 is %v after a higher term, want a follower", leader.Status().Role)
	}
	for _, m := range leader.Ready().Messages {
		if m.Type == MsgApp {
			t.Fatalf("the deposed leader sent %+v", m)
		}
	}
}
