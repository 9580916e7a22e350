package sim

import (
	"strings"
	"testing"
)

// storm is a run whose messages outnumber any real one: nine peers whose
// election timers run out every few milliseconds, each sending
// RequestVotes that take ten seconds to arrive.
func storm() Definition {
	c := DefaultConfig()
	c.Peers, c.TickMs, c.HeartbeatMs, c.ElectionMinMs, c.ElectionMaxMs = 9, 1, 2, 3, 6
	c.Net = Link{LatencyMinMs: 10_000, LatencyMaxMs: 10_000}
	return Definition{Config: c, Seed: 1}
}

// A run with more messages in flight than Options.MaxInFlight halts: it
// says why, its clock stands still, nothing is queued to come, actions
// are refused, and a replay of its definition halts at the same point.
func TestMaxInFlightHalts(t *testing.T) {
	s, err := New(storm(), Options{TraceLimit: 100, MaxInFlight: 1000})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.RunUntil(60_000)
	h, at := s.Halted(), s.Now()
	if !strings.HasPrefix(h, "the run stopped at "+ms(at)+": ") || !strings.Contains(h, "messages are in flight at once, more than the limit of 1000") {
		t.Fatalf("halted %q at %d ms", h, at)
	}
	if at >= 60_000 || s.NextEventAt() != -1 || len(s.Snapshot().Messages) <= 1000 {
		t.Fatalf("at %d ms, next %d, %d in flight", at, s.NextEventAt(), len(s.Snapshot().Messages))
	}
	seq := s.LastSeq()
	s.RunUntil(70_000)
	if s.Step() || s.Now() != at || s.LastSeq() != seq {
		t.Fatalf("a halted run went on: %d ms, seq %d (was %d ms, %d)", s.Now(), s.LastSeq(), at, seq)
	}
	if err := s.Do(Action{Kind: ActHeal}); err == nil || err.Error() != h {
		t.Fatalf("Do on a halted run: %v", err)
	}
	r, err := New(s.Definition(), Options{MaxInFlight: 1000})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	r.RunUntil(60_000)
	if r.Halted() != h || r.LastSeq() != seq {
		t.Errorf("replayed: %q at seq %d, want %q at %d", r.Halted(), r.LastSeq(), h, seq)
	}
	// Without the limit, the same run goes on: the limit changes nothing
	// before it is met.
	free, err := New(storm(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer free.Close()
	free.RunUntil(at)
	if free.Halted() != "" || free.LastSeq() < seq {
		t.Errorf("without a limit: halted %q, seq %d", free.Halted(), free.LastSeq())
	}
}

// A definition's action is checked as a live one is: one that cannot
// happen when its time comes halts the run there, and Refused names it.
func TestRefusedActionHalts(t *testing.T) {
	def := Definition{Config: DefaultConfig(), Seed: 1, Actions: []Action{
		{At: 500, Kind: ActCrash, Peer: 2},
		{At: 700, Kind: ActRestart, Peer: 3},
		{At: 900, Kind: ActHeal},
	}}
	live, err := New(Definition{Config: def.Config, Seed: 1}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	live.RunUntil(700)
	want := live.Do(Action{Kind: ActRestart, Peer: 3})
	if want == nil {
		t.Fatal("a live restart of a running peer was accepted")
	}
	s, err := New(def, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.RunUntil(2000)
	if s.Refused() != 2 || s.Now() != 700 || s.Halted() != "the run stopped at 700 ms: action 2 of the definition (restart) cannot happen: "+want.Error() {
		t.Fatalf("refused %d at %d ms: %q", s.Refused(), s.Now(), s.Halted())
	}
	if s.Applied() != 1 || s.Pending() != 2 {
		t.Errorf("applied %d, pending %d: the refused action must stay pending", s.Applied(), s.Pending())
	}
}
