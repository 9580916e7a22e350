package sim_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/lock"
	"github.com/raftplay/raftplay/raft/sim"
)

// TestTalkDemo replays the talk's demo on the simulator: s1 configures the
// cluster, and writes at s1 and s2 (a follower, which forwards to the
// leader) get the lock's own answers.
func TestTalkDemo(t *testing.T) {
	for _, goroutines := range []bool{false, true} {
		s, err := sim.RunScenario("talk", 7, goroutines, sim.Options{TraceLimit: -1, Check: true, History: true})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, op := range s.History() {
			got = append(got, op.Outcome)
		}
		want := []string{"ok", "error", "error", "ok", "ok"}
		if len(got) != len(want) {
			t.Fatalf("goroutines=%v: outcomes %v, want %v", goroutines, got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("goroutines=%v: write %d (%v) -> %s, want %s", goroutines, i+1, sim.TalkDemo[i].Describe(), got[i], want[i])
			}
		}
		if v := s.Violations(); len(v) > 0 {
			t.Errorf("violations: %v", v)
		}
		s.Close()
	}
}

// busyDefinition is a run with a bit of everything: elections, client load,
// a crash and restart, a partition, loss and duplication.
func busyDefinition(peers int, goroutines bool) sim.Definition {
	cfg := sim.DefaultConfig()
	cfg.Peers = peers
	cfg.Goroutines = goroutines
	cfg.Net.Duplicate = 0.05
	cfg.Net.Reorder = 0.05
	var acts []sim.Action
	at := int64(500)
	for i := 0; i < 40; i++ {
		op := lock.OpLock
		if i%2 == 1 {
			op = lock.OpUnlock
		}
		acts = append(acts, sim.Action{At: at, Kind: sim.ActWrite, Peer: raft.ID(1 + i%peers), Client: []string{"alice", "bob"}[i%3%2], Op: op})
		if i%7 == 0 {
			acts = append(acts, sim.Action{At: at, Kind: sim.ActRead, Peer: raft.ID(1 + (i+1)%peers), Client: "carol"})
		}
		at += 97
	}
	acts = append(acts,
		sim.Action{At: 1200, Kind: sim.ActCrash, Peer: 1},
		sim.Action{At: 1900, Kind: sim.ActPartition, Groups: [][]raft.ID{{1, 2}}},
		sim.Action{At: 2600, Kind: sim.ActRestart, Peer: 1},
		sim.Action{At: 3100, Kind: sim.ActNetwork, Link: &sim.Link{LatencyMinMs: 5, LatencyMaxMs: 40, Loss: 0.1}},
		sim.Action{At: 3900, Kind: sim.ActHeal},
	)
	sortActions(acts)
	return sim.Definition{Config: cfg, Seed: 99, Actions: acts}
}

func sortActions(a []sim.Action) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j].At < a[j-1].At; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

func events(t *testing.T, def sim.Definition, until int64) []byte {
	t.Helper()
	s, err := sim.New(def, sim.Options{TraceLimit: -1, Check: true, History: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.RunUntil(until)
	if v := s.Violations(); len(v) > 0 {
		t.Fatalf("violations: %v", v)
	}
	var b []byte
	evs, _ := s.Events(0)
	for i := range evs {
		b = evs[i].AppendJSON(b)
		b = append(b, '\n')
	}
	return b
}

// TestDeterminism: the same definition gives the same trace, byte for byte,
// run twice, and whether peers run inline or on their own goroutines.
func TestDeterminism(t *testing.T) {
	a := events(t, busyDefinition(5, false), 8000)
	b := events(t, busyDefinition(5, false), 8000)
	c := events(t, busyDefinition(5, true), 8000)
	if len(a) < 100_000 {
		t.Fatalf("trace is only %d bytes: the run does too little to prove anything", len(a))
	}
	if !bytes.Equal(a, b) {
		t.Errorf("two runs of one definition differ at byte %d", firstDiff(a, b))
	}
	if !bytes.Equal(a, c) {
		t.Errorf("inline and goroutine peers differ at byte %d", firstDiff(a, c))
	}
	d := busyDefinition(5, false)
	d.Seed++
	if bytes.Equal(a, events(t, d, 8000)) {
		t.Error("a different seed gave the same trace")
	}
}

// TestLiveActionsReplay: a run driven by live actions (as a user clicks)
// and the replay of the definition it recorded give the same trace.
func TestLiveActionsReplay(t *testing.T) {
	def := busyDefinition(3, false)
	live, err := sim.New(sim.Definition{Config: def.Config, Seed: def.Seed}, sim.Options{TraceLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	for _, a := range def.Actions {
		live.RunUntil(a.At)
		if err := live.Do(a); err != nil {
			t.Fatalf("%v: %v", a.Kind, err)
		}
		live.Step() // stop between events at the same instant, as "step" does
	}
	live.RunUntil(8000)
	replay := live.Definition()
	if !bytes.Equal(live.TraceJSON(), mustRun(t, replay, 8000).TraceJSON()) {
		t.Error("the replay of a live run's definition differs from the live run")
	}
}

func mustRun(t *testing.T, def sim.Definition, until int64) *sim.Sim {
	t.Helper()
	s, err := sim.New(def, sim.Options{TraceLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	s.RunUntil(until)
	return s
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// A request waiting for its reply carries, in the snapshot, the instant
// its client gives up: its send time plus the client timeout.
func TestSnapshotRequestDeadline(t *testing.T) {
	cfg := sim.DefaultConfig()
	s := mustRun(t, sim.Definition{Config: cfg, Seed: 1}, 1000)
	// Cut s3 off, so that a write there waits.
	if err := s.Do(sim.Action{Kind: sim.ActPartition, Groups: [][]raft.ID{{1, 2}, {3}}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Do(sim.Action{Kind: sim.ActWrite, Peer: 3, Client: "alice", Op: lock.OpLock}); err != nil {
		t.Fatal(err)
	}
	s.RunFor(100)
	reqs := s.Snapshot().Requests
	if len(reqs) != 1 || reqs[0].Deadline != 1000+cfg.ClientTimeoutMs {
		t.Fatalf("pending requests %+v: want one with deadline %d", reqs, 1000+cfg.ClientTimeoutMs)
	}
	snap := s.Snapshot()
	if js := snap.AppendJSON(nil); !bytes.Contains(js, []byte(`"deadline":4000`)) {
		t.Errorf("the snapshot's JSON lacks the deadline: %.300s", js[bytes.Index(js, []byte(`"requests"`)):])
	}
}

// A write sent before any leader is elected is refused at once, and the
// outcome says so in the words the page shows: no leader to pass it to.
func TestWriteWithNoLeaderIsARedirect(t *testing.T) {
	def := sim.Definition{Config: sim.DefaultConfig(), Seed: 1, Actions: []sim.Action{{At: 1, Kind: sim.ActWrite, Peer: 2, Client: "alice", Op: lock.OpLock}}}
	s, err := sim.New(def, sim.Options{TraceLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.RunFor(5)
	events, _ := s.Events(0)
	for _, e := range events {
		if e.Kind == sim.EvReply {
			if e.Outcome != sim.OutcomeRedirect || !strings.Contains(e.Describe(), "knew of no leader") {
				t.Fatalf("answer %q (%q): want a redirect that says no leader is known", e.Outcome, e.Describe())
			}
			return
		}
	}
	t.Fatal("no answer within 5 ms")
}
