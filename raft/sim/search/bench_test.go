package search

import (
	"testing"

	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/sim"
)

// One seed of a rule's search: a 30 s campaign with the checkers on and
// the clients' history checked after it. The search worker runs these one
// after another in the browser.
func BenchmarkOneSeed(b *testing.B) {
	p, _ := PlanFor(raft.VoteAnyLog)
	p.Campaign.Broken = raft.Rules{} // every seed passes: the whole run, the whole check
	seed := uint64(0)
	for b.Loop() {
		seed++
		if _, err := One(p.Campaign, seed, 0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCampaignOnly(b *testing.B) {
	p, _ := PlanFor(raft.VoteAnyLog)
	p.Campaign.Broken = raft.Rules{}
	seed := uint64(0)
	for b.Loop() {
		seed++
		if _, err := sim.RunCampaign(seed, p.Campaign, 0); err != nil {
			b.Fatal(err)
		}
	}
}
