package main

import (
	"fmt"
	"strings"

	"github.com/raftplay/raftplay/raft/sim"
)

// The design's replication budget: at most 2 entries shipped per proposal
// (3 peers) on a network that reorders. Measured on the simulator's
// default network, deterministically: the counts are the same on every
// machine, so one run of each seed is enough.

var (
	costBursts = []int{12, 200}
	costSeeds  = 5
)

// replicationCost writes the core section's table of messages and entries
// per write for bursts of writes on the default network.
func replicationCost(b *strings.Builder) error {
	cfg := sim.DefaultConfig()
	b.WriteString("\n### Replication on a network that reorders\n\n")
	fmt.Fprintf(b, "`sim.BurstCost` on the simulator's default network (%d peers, %d–%d ms one-way latency, so messages on a link "+
		"overtake each other; no loss): once every peer follows the leader and has applied its log, one client sends a burst of writes "+
		"to the leader at one instant, and the run goes on until every peer has applied them. Counted from the first write: the messages "+
		"peers sent, and the entries their AppendEntries carried. Seeds 1 to %d; the simulator is deterministic, so these counts are the "+
		"same on every machine.\n\n", cfg.Peers, cfg.Net.LatencyMinMs, cfg.Net.LatencyMaxMs, costSeeds)
	b.WriteString("| writes in the burst | messages per write (mean, max) | entries shipped per write (mean, max) |\n|---:|---:|---:|\n")
	worst := 0.0
	for _, n := range costBursts {
		var msgs, entries []float64
		for seed := 1; seed <= costSeeds; seed++ {
			c, err := sim.BurstCost(cfg, uint64(seed), n)
			if err != nil {
				return fmt.Errorf("replication cost, seed %d, %d writes: %w", seed, n, err)
			}
			msgs = append(msgs, float64(c.Messages)/float64(n))
			entries = append(entries, float64(c.Entries)/float64(n))
		}
		worst = max(worst, maxOf(entries))
		fmt.Fprintf(b, "| %d | %.2f (%.2f) | %.2f (%.2f) |\n", n, meanOf(msgs), maxOf(msgs), meanOf(entries), maxOf(entries))
	}
	verdict := "**met**"
	if worst > 2 {
		verdict = "**not met**"
	}
	fmt.Fprintf(b, "\n**Budget** (design, \"Budgets\"): at most 2 entries shipped per proposal on a reordering network: %s (worst %.2f). "+
		"Before issue 9 (commit de8aafe, same seeds) the bursts cost 8.63 (8.83) messages and 25.78 (26.75) entries per write "+
		"(12 writes), 8.44 (8.86) messages and 129.33 (133.52) entries per write (200 writes): the followers refused AppendEntries "+
		"that arrived out of order, every refusal started a new probe, and every heartbeat another.\n", verdict, worst)
	return nil
}

func meanOf(vs []float64) float64 {
	s := 0.0
	for _, v := range vs {
		s += v
	}
	return s / float64(len(vs))
}

func maxOf(vs []float64) float64 {
	m := vs[0]
	for _, v := range vs[1:] {
		m = max(m, v)
	}
	return m
}
