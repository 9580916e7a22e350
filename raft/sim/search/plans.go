package search

import (
	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/sim"
)

// Plan is how to show what a rule of the paper protects: break it, run
// the fault campaign in a shape that makes the situations it guards
// against frequent, and let the checkers name the property that fails.
type Plan struct {
	Rule raft.Rule
	// Protects lists the properties a search with the rule broken finds
	// failing (the first violation names one of them): sim.Protects.
	Protects []sim.Property
	// Campaign is the campaign the search runs, with the rule broken.
	Campaign sim.CampaignOptions
	// Shape says why the campaign looks as it does.
	Shape string
	// Seeds is how many seeds a search from seed 1 needs, at most, to find
	// a violation (tests hold the searches to it).
	Seeds int
}

// PlanFor returns the plan for breaking rule r; ok is false for a rule
// that does not exist.
func PlanFor(r raft.Rule) (Plan, bool) {
	for _, p := range Plans() {
		if p.Rule == r {
			return p, true
		}
	}
	return Plan{}, false
}

// Plans lists the plan of every rule, in the order of raft.AllRules.
func Plans() []Plan {
	plans := make([]Plan, 0, len(plan))
	for _, r := range raft.AllRules() {
		p, ok := plan[r]
		if !ok {
			continue
		}
		o := sim.DefaultCampaign(p.peers)
		if p.shape != nil {
			p.shape(&o)
		}
		o.Broken = raft.Break(r)
		plans = append(plans, Plan{Rule: r, Protects: sim.Protects(r), Campaign: o, Shape: p.why, Seeds: p.seeds})
	}
	return plans
}

type planDoc struct {
	peers int
	shape func(*sim.CampaignOptions)
	why   string
	seeds int
}

// plan: the campaign shape of each rule. The default campaign (faults of
// every kind every 0.2 to 1.5 s) finds most broken rules within a few dozen
// seeds; the others need a situation it makes rare, made frequent here.
var plan = map[raft.Rule]planDoc{
	raft.VoteAnyLog: {
		peers: 3, seeds: 20,
		why: "the default campaign: a peer that missed entries wins an election (a third of the seeds fail)",
	},
	raft.CommitOldTerms: {
		peers: 3, seeds: 100,
		shape: func(o *sim.CampaignOptions) {
			o.MaxEntriesPerAppend, o.FaultEveryMs, o.Crashes, o.Clients = 1, 50, false, 6
			o.Reorder = 0.5
		},
		why: "Figure 8 takes a choreography of leaders: one entry per AppendEntries, as in the figure (otherwise a new leader's first message carries its own term's entry with the old ones, and committing the old one by count changes nothing), six clients writing, and a partition or a network change every 25 to 75 ms (about one seed in twelve fails)",
	},
	raft.ForgetVote: {
		peers: 5, seeds: 20,
		shape: bounces,
		why:   "peers crash and restart at once (a bounce) every 15 to 45 ms, and messages are often held back, so a vote is forgotten between a candidate's request and another's of the same term (three seeds in ten fail)",
	},
	raft.ForgetTerm: {
		peers: 5, seeds: 20,
		shape: bounces,
		why:   "as for forget-vote: bounces every 15 to 45 ms (two seeds in five fail)",
	},
	raft.AppendUnchecked: {
		peers: 5, seeds: 20,
		why: "the default campaign: a new leader's AppendEntries reaches a follower whose log diverged (a third of the seeds fail)",
	},
	raft.TruncateOnAppend: {
		peers: 3, seeds: 20,
		shape: func(o *sim.CampaignOptions) {
			o.MaxEntriesPerAppend, o.FaultEveryMs, o.Crashes, o.Clients = 1, 50, false, 6
			o.Duplicate, o.Reorder = 0.5, 0.5
		},
		why: "entries one per AppendEntries, six clients writing, and networks that duplicate and hold back up to half the messages: late copies arrive after the entries that follow them; a partition or a network change every 25 to 75 ms (half the seeds fail)",
	},
	raft.ReadLocal: {
		peers: 3, seeds: 10,
		why: "the default campaign: a lagging follower or a deposed leader answers a read (half the seeds fail)",
	},
	raft.ApplyRetries: {
		peers: 5, seeds: 40,
		why: "the default campaign: a slow answer makes a peer resend a write that is already in the log (one seed in five fails)",
	},
	raft.LeaderIgnoresTerm: {
		peers: 3, seeds: 20,
		why: "the default campaign: a partitioned leader hears of a newer term (two seeds in five fail)",
	},
}

// bounces: crash-and-restart faults only, often, on a network that loses
// nothing but holds messages back.
func bounces(o *sim.CampaignOptions) {
	o.Bounce, o.FaultEveryMs, o.Crashes, o.Partitions = true, 30, false, false
	o.MaxLoss, o.Reorder = 0, 1
}
