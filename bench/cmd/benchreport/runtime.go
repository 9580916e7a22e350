package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/raftplay/raftplay/bench/core"
)

// runtimePattern runs the runtime workload (bench/core BenchmarkWriters)
// and, in the same rounds, the core workload against etcd, so that both
// ratios come from the same load on the machine.
const runtimePattern = "^Benchmark(Writers|Anchor)$"

func writersName(c int, lib string) string {
	return "BenchmarkWriters/C=" + strconv.Itoa(c) + "/lib=" + lib
}

// runRuntime measures our peer runtime (raft.Peer.Write) against
// hashicorp/raft v1.8.0 (Apply), in memory (issue 13).
func runRuntime(r *runner) (string, error) {
	g := &goBench{dir: filepath.Join(r.benchDir, "core"), bin: "core.test"}
	build, err := g.build(r)
	if err != nil {
		return "", err
	}
	defer g.clean()
	n := min(r.n, 100_000)
	benchtime := "-test.benchtime=" + strconv.Itoa(n) + "x"
	load0, start := loadAverage(), time.Now()
	s := samples{}
	var rounds roundResults
	for i := range r.rounds {
		fmt.Fprintf(os.Stderr, "runtime: round %d of %d\n", i+1, r.rounds)
		rs, err := g.run(runtimePattern, benchtime)
		if err != nil {
			return "", err
		}
		s.add(rs)
		rounds.next()
		rounds.add(rs)
	}
	load1 := loadAverage()
	cell := func(name, unit string, format func(float64) string) string {
		v, ok := s.median(name, unit)
		if !ok {
			return "–"
		}
		return format(v)
	}
	ops := func(v float64) string { return thousands(v) }
	micro := func(v float64) string { return fmt.Sprintf("%.1f", v/1000) }
	oneDecimal := func(v float64) string { return fmt.Sprintf("%.1f", v) }

	var b strings.Builder
	b.WriteString(measured(r, start, load0, load1, "raft", "bench", "go.mod"))
	fmt.Fprintf(&b, "%d rounds; each round runs every benchmark once, in the order of the tables, so the libraries alternate. ", r.rounds)
	b.WriteString("Tables show medians over rounds; a ratio is the median of the rounds' own ratios, with its range.\n\n")
	if r.smoke {
		b.WriteString("**Smoke run (`-smoke`): tiny input, one round. These numbers mean nothing.**\n\n")
	}
	fmt.Fprintf(&b, "**Workload** (`bench/core` BenchmarkWriters): 3 peers in one process, in memory; %s writes of %d bytes at the leader "+
		"from C goroutines, each waiting for its answer before it writes again. Ours: `raft.Peer.Write` on three `raft.Peer`s "+
		"(`raft.Network`, `raft.MemoryStorage`, defaults but the timings of the core workload). hashicorp/raft v1.8.0: `Raft.Apply` and "+
		"`ApplyFuture.Error` on three nodes over its `InmemTransport` and `InmemStore` (`DefaultConfig` with the logger silenced: "+
		"`MaxAppendEntries` 64 as ours, `BatchApplyCh` off). The clock stops when every write is answered; every node is then checked "+
		"to have applied every write once. entries/append: the mean number of entries in an AppendEntries that carried any.\n\n",
		thousands(float64(n)), core.PayloadSize)
	b.WriteString("| C | ours ops/s | hashicorp ops/s | ours/hashicorp | ours entries/append | hashicorp entries/append | ours CPU µs/op | hashicorp CPU µs/op | ours allocs/op | hashicorp allocs/op |\n")
	b.WriteString("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, c := range core.WriterCounts {
		o, h := writersName(c, "ours"), writersName(c, "hashicorp")
		fmt.Fprintf(&b, "| %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", c,
			cell(o, "ops/s", ops), cell(h, "ops/s", ops), rounds.pairedRatio(o, h, "ops/s"),
			cell(o, "entries/append", oneDecimal), cell(h, "entries/append", oneDecimal),
			cell(o, "cpu-ns/op", micro), cell(h, "cpu-ns/op", micro),
			cell(o, "allocs/op", ops), cell(h, "allocs/op", ops))
	}
	b.WriteString("\nOurs batches twice: the peer takes every call waiting in its inbox before it saves, sends and applies once for all " +
		"of them, and the leader holds entries that would not fill an AppendEntries while one is in flight to that follower, sending " +
		"them with its answer (`raft.Config.EagerAppends` turns that off). A lone write goes out at once.\n\n")

	b.WriteString("**The core in the same rounds** (the core section's workload, ours against etcd raft v3.6.0):\n\n")
	b.WriteString("| proposals per round | ours ops/s | etcd ops/s | ours/etcd | ours allocs/op |\n|---:|---:|---:|---:|---:|\n")
	for _, batch := range anchorBatches {
		o, e := anchorName(batch, "ours"), anchorName(batch, "etcd")
		fmt.Fprintf(&b, "| %d | %s | %s | %s | %s |\n", batch, cell(o, "ops/s", ops), cell(e, "ops/s", ops),
			rounds.pairedRatio(o, e, "ops/s"), cell(o, "allocs/op", ops))
	}
	b.WriteString("\n**Commands** (from the repository root; `make bench BENCH_ONLY=runtime` runs them):\n\n```\n")
	fmt.Fprintf(&b, "%s\n%s    # %d times\n", build, g.runLine(r, runtimePattern, benchtime), r.rounds)
	b.WriteString("```\n")
	return b.String(), nil
}
