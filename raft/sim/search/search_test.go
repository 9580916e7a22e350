package search

import (
	"slices"
	"testing"

	"github.com/anishathalye/porcupine"
	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/sim"
	"github.com/raftplay/raftplay/raft/sim/lincheck"
)

// Every rule of raft.AllRules has a plan, and each plan's search finds a
// violation of a property the rule protects within the plan's seeds. With
// the rule kept, the same seeds pass every check: safety after every
// event, linearizability, exactly once, and liveness once the faults stop.
// Found seeds are logged (go test -v -run EachBrokenRule ./raft/sim/search).
func TestEachBrokenRuleIsCaught(t *testing.T) {
	plans := Plans()
	if len(plans) != len(raft.AllRules()) {
		t.Fatalf("%d plans for %d rules", len(plans), len(raft.AllRules()))
	}
	for _, p := range plans {
		t.Run(p.Rule.String(), func(t *testing.T) {
			t.Parallel()
			f, err := Run(p.Campaign, 1, p.Seeds, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if f == nil {
				t.Fatalf("no violation in %d seeds of %s", p.Seeds, p.Campaign.Command(1))
			}
			v := f.Violation.Violation
			if !slices.Contains(p.Protects, v.Property) {
				t.Fatalf("seed %d: %s failed (%s), but breaking %v should break %v", f.Seed, v.Property, f.Violation.Reason, p.Rule, p.Protects)
			}
			t.Logf("%v: seed %d of %d: %s: %s", p.Rule, f.Seed, p.Seeds, v.Property, f.Violation.Reason)

			kept := p.Campaign
			kept.Broken = raft.Rules{}
			for seed := uint64(1); seed <= f.Seed; seed++ {
				res, err := sim.RunCampaign(seed, kept, 0)
				if err != nil {
					t.Fatal(err)
				}
				for _, v := range res.Violations {
					t.Errorf("with %v kept, seed %d: %s", p.Rule, seed, v.Reason)
				}
				if r := lincheck.Check(res.History, lincheck.Budget(res.History)); r == porcupine.Illegal {
					t.Errorf("with %v kept, seed %d: not linearizable", p.Rule, seed)
				}
				if !res.Settled {
					t.Errorf("with %v kept, seed %d did not settle: %s", p.Rule, seed, res.Unsettled)
				}
			}
		})
	}
}

// A search gives the same answer whatever runs in parallel: the lowest
// failing seed, or with Shortest, the run that fails soonest.
func TestSearchIsDeterministic(t *testing.T) {
	p, _ := PlanFor(raft.LeaderIgnoresTerm)
	var seeds, soonest []uint64
	for _, par := range []int{1, 3} {
		f, err := Run(p.Campaign, 1, 12, Options{Parallel: par})
		if err != nil || f == nil {
			t.Fatalf("parallel %d: %v, %v", par, f, err)
		}
		seeds = append(seeds, f.Seed)
		g, err := Run(p.Campaign, 1, 12, Options{Parallel: par, Shortest: true})
		if err != nil || g == nil || g.Violation.Time > f.Violation.Time {
			t.Fatalf("parallel %d, shortest: %v, %v (the first failing seed fails at %d ms)", par, g, err, f.Violation.Time)
		}
		soonest = append(soonest, g.Seed)
	}
	if seeds[0] != seeds[1] || soonest[0] != soonest[1] {
		t.Fatalf("first failing seeds %v, soonest %v: not the same alone and in parallel", seeds, soonest)
	}
	// Enough: the soonest of the first three failing seeds, which are
	// those a plain search finds one after another.
	var firsts []*Found
	for from := uint64(1); len(firsts) < 3; {
		f, err := Run(p.Campaign, from, 40, Options{})
		if err != nil || f == nil {
			t.Fatal(err)
		}
		firsts = append(firsts, f)
		from = f.Seed + 1
	}
	want := firsts[0]
	for _, f := range firsts[1:] {
		if f.Violation.Time < want.Violation.Time {
			want = f
		}
	}
	for _, par := range []int{1, 3} {
		g, err := Run(p.Campaign, 1, 40, Options{Parallel: par, Shortest: true, Enough: 3})
		if err != nil || g == nil || g.Seed != want.Seed {
			t.Fatalf("parallel %d, shortest of 3: %v, %v; want seed %d", par, g, err, want.Seed)
		}
	}
}

// Progress sees every seed and can cancel the search.
func TestSearchProgressAndCancel(t *testing.T) {
	p, _ := PlanFor(raft.ReadLocal)
	p.Campaign.Broken = raft.Rules{} // nothing to find: all seeds run
	p.Campaign.FaultMs, p.Campaign.SettleMs = 2000, 2000
	var seen []int
	f, err := Run(p.Campaign, 1, 5, Options{Progress: func(done int) bool { seen = append(seen, done); return true }})
	if f != nil || err != nil || !slices.Equal(seen, []int{1, 2, 3, 4, 5}) {
		t.Fatalf("found %v, err %v, progress %v", f, err, seen)
	}
	f, err = Run(p.Campaign, 1, 5, Options{Progress: func(done int) bool { return done < 2 }})
	if f != nil || err != ErrCanceled {
		t.Fatalf("canceled search: %v, %v", f, err)
	}
}
