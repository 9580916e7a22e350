package sim_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/raftplay/raftplay/raft/sim"
)

// stage is one mark reached by a run: its note's first words and every
// server as it stands then.
type stage struct {
	name    string
	servers string
}

// playStages replays def to its end and returns the stages its marks
// reach, with the safety checkers on.
func playStages(t *testing.T, def sim.Definition) []stage {
	t.Helper()
	s, err := sim.New(def, sim.Options{TraceLimit: -1, Check: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var out []stage
	seen := uint64(0)
	for s.Step() {
		evs, _ := s.Events(seen)
		seen = s.LastSeq()
		for _, e := range evs {
			if e.Kind == sim.EvMark {
				name, _, _ := strings.Cut(e.Action.Mark.Note, ":")
				out = append(out, stage{name, servers(s.Snapshot())})
			}
		}
		if s.Pending() == 0 {
			break
		}
	}
	for _, v := range s.Violations() {
		t.Errorf("safety violation: %s", v.Describe())
	}
	return out
}

// servers writes each server as "s1 leader c3 [1 2 4]": its role (and, on
// a leader, its commit index) and the terms of its log.
func servers(snap sim.Snapshot) string {
	var b strings.Builder
	for _, p := range snap.Peers {
		role := "down"
		if p.Up {
			role = p.Role.String()
		}
		fmt.Fprintf(&b, "%v %s", p.ID, role)
		if p.Up && p.Role.String() == "leader" {
			fmt.Fprintf(&b, " c%d", p.Commit)
		}
		terms := make([]string, len(p.Log))
		for i, e := range p.Log {
			terms[i] = fmt.Sprint(e.Term)
		}
		fmt.Fprintf(&b, " [%s]; ", strings.Join(terms, " "))
	}
	return strings.TrimSuffix(b.String(), "; ")
}

// Reference: section 5.4.2 and Figure 8. The scenario reaches the figure's
// stages with the figure's logs (plus our leaders' no-ops, which the stages'
// notes place): an entry of term 2 on a majority in (c) is not committed;
// in (d) it is overwritten; in (e), the other future of (c), the leader's
// no-op commits it, and s5 can no longer win. Every seed plays the same
// story; the timings differ.
func TestFigure8Scenario(t *testing.T) {
	common := []stage{
		{"Figure 8 (a)", "s1 leader c0 [1 2]; s2 follower [1 2]; s3 follower [1]; s4 follower [1]; s5 follower [1]"},
		{"Figure 8 (b)", "s1 down [1 2]; s2 follower [1 2]; s3 follower [1]; s4 follower [1]; s5 leader c0 [1 3]"},
		{"Figure 8 (c)", "s1 leader c0 [1 2 4]; s2 follower [1 2]; s3 follower [1 2]; s4 follower [1]; s5 down [1 3]"},
	}
	wantD := append(common[:3:3],
		stage{"Figure 8 (d), one future of (c)", "s1 down [1 2 4]; s2 follower [1 3 5]; s3 follower [1 3 5]; s4 follower [1 3 5]; s5 leader c3 [1 3 5]"})
	wantE := append(common[:3:3],
		stage{"Figure 8 (e), the other future of (c)", "s1 leader c3 [1 2 4]; s2 follower [1 2 4]; s3 follower [1 2 4]; s4 follower [1]; s5 down [1 3]"},
		stage{"Figure 8 (e), continued", "s1 down [1 2 4]; s2 follower [1 2 4]; s3 follower [1 2 4]; s4 follower [1]; s5 candidate [1 3]"})
	for seed := uint64(1); seed <= 20; seed++ {
		s, err := sim.RunScenario("figure8", seed, false, sim.Options{})
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		def := s.Definition()
		s.Close()
		check := func(branch string, got, want []stage) {
			t.Helper()
			if len(got) != len(want) {
				t.Fatalf("seed %d, %s: %d stages %v, want %d", seed, branch, len(got), got, len(want))
			}
			for i := range want {
				if got[i] != want[i] {
					t.Errorf("seed %d, %s: stage %d is\n  %s: %s\nwant\n  %s: %s", seed, branch, i+1, got[i].name, got[i].servers, want[i].name, want[i].servers)
				}
			}
		}
		check("(d)", playStages(t, def), wantD)
		last := len(def.Actions) - 1
		if a := def.Actions[last]; a.Kind != sim.ActMark || a.Mark.Then == nil {
			t.Fatalf("seed %d: the run does not end with (d)'s mark and its branch: %+v", seed, a)
		}
		e, err := def.Branch(last)
		if err != nil {
			t.Fatal(err)
		}
		check("(e)", playStages(t, e), wantE)
	}
}
