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

// The anchor workload's benchmarks, as bench/core names them.
const anchorPattern = "^BenchmarkAnchor$"

var anchorBatches = []int{1, 64}

func anchorName(batch int, lib string) string {
	return "BenchmarkAnchor/batch=" + strconv.Itoa(batch) + "/lib=" + lib
}

// runCore measures the anchor workload of issue 5 (bench/core).
func runCore(r *runner) (string, error) {
	g := &goBench{dir: filepath.Join(r.benchDir, "core"), bin: "core.test"}
	build, err := g.build(r)
	if err != nil {
		return "", err
	}
	defer g.clean()
	benchtime := "-test.benchtime=" + strconv.Itoa(r.n) + "x"
	load0, start := loadAverage(), time.Now()
	s := samples{}
	var rounds roundResults
	for i := range r.rounds {
		fmt.Fprintf(os.Stderr, "core: round %d of %d\n", i+1, r.rounds)
		rs, err := g.run(anchorPattern, benchtime)
		if err != nil {
			return "", err
		}
		s.add(rs)
		rounds.next()
		rounds.add(rs)
	}
	load1 := loadAverage()
	pairedRatio := rounds.pairedRatio
	cell := func(name, unit string, format func(float64) string) string {
		v, ok := s.median(name, unit)
		if !ok {
			return "–"
		}
		return format(v)
	}
	ops := func(v float64) string { return thousands(v) }
	count := func(v float64) string { return thousands(v) }
	micro := func(v float64) string { return fmt.Sprintf("%.2f", v/1000) }
	oneDecimal := func(v float64) string { return fmt.Sprintf("%.1f", v) }

	var b strings.Builder
	b.WriteString(measured(r, start, load0, load1, "raft", "bench", "go.mod"))
	fmt.Fprintf(&b, "%d rounds; each round runs every benchmark once, in the order of the tables, so the libraries alternate. ", r.rounds)
	b.WriteString("Tables show medians over rounds; a ratio is the median of the rounds' own ratios, with its range.\n\n")
	if r.smoke {
		b.WriteString("**Smoke run (`-smoke`): tiny input, one round. These numbers mean nothing.**\n\n")
	}

	fmt.Fprintf(&b, "**Workload** (`bench/core`, the same for every cluster): 3 peers, in-memory storage, peer 1 elected before the clock starts, "+
		"then N = %s proposals of %d bytes submitted at peer 1 in rounds of 1 or of 64. After each round one loop delivers every message "+
		"synchronously, in the same process, handling each peer's Ready (save hard state and entries to the MemoryStorage, send, apply, "+
		"and for etcd Advance) until no peer has anything left to do. After the last round every peer ticks (one tick is one heartbeat) "+
		"until all three have applied all N: our followers learn the final commit index from the next AppendEntries. "+
		"Nothing ticks before that. The clock stops when every peer has applied every proposal.\n\n",
		thousands(float64(r.n)), core.PayloadSize)

	b.WriteString("| proposals per round | ours ops/s | etcd ops/s | ours/etcd | ours allocs/op | etcd allocs/op | ours B/op | etcd B/op | ours msgs/op | etcd msgs/op |\n")
	b.WriteString("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, batch := range anchorBatches {
		o, e := anchorName(batch, "ours"), anchorName(batch, "etcd")
		fmt.Fprintf(&b, "| %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", batch,
			cell(o, "ops/s", ops), cell(e, "ops/s", ops), pairedRatio(o, e, "ops/s"),
			cell(o, "allocs/op", count), cell(e, "allocs/op", count),
			cell(o, "B/op", count), cell(e, "B/op", count),
			cell(o, "msgs/op", oneDecimal), cell(e, "msgs/op", oneDecimal))
	}
	b.WriteString("\nops/s: proposals applied on all three peers per second of wall time. An op is one proposal: allocs/op and B/op " +
		"are everything the three peers and their storage allocate per proposal. msgs/op: messages the peers send each other per proposal.\n\n")

	b.WriteString("CPU time per proposal, all threads (the cluster and the garbage collector): steadier than wall time when the machine is busy.\n\n")
	b.WriteString("| proposals per round | ours µs/op | etcd µs/op | etcd/ours |\n|---:|---:|---:|---:|\n")
	for _, batch := range anchorBatches {
		o, e := anchorName(batch, "ours"), anchorName(batch, "etcd")
		fmt.Fprintf(&b, "| %d | %s | %s | %s |\n", batch,
			cell(o, "cpu-ns/op", micro), cell(e, "cpu-ns/op", micro), pairedRatio(e, o, "cpu-ns/op"))
	}

	if err := replicationCost(&b); err != nil {
		return "", err
	}

	b.WriteString("\n### Through our peer runtime\n\n")
	b.WriteString("The same workload through `raft.Peer`: three peer goroutines on a `raft.Network` (each destination delivered " +
		"by its own goroutine), a `raft.ManualClock` that ticks only in the final phase. One client session (explicit sequence numbers) " +
		"calls `Peer.Submit` on peer 1 for each proposal of a round and then waits for the round's replies, which come as each write " +
		"is applied at peer 1: the rounds above, with every hand-off a deployment makes (client to peer goroutine, peer to network to peer, " +
		"each input saved, sent and applied on its own). `Peer.Write` from many goroutines, as an application writes, is measured " +
		"against hashicorp/raft in the runtime section.\n\n")
	b.WriteString("| how | runtime ops/s | core ops/s | runtime/core | runtime allocs/op | runtime B/op | runtime CPU µs/op | core CPU µs/op |\n")
	b.WriteString("|:---|---:|---:|---:|---:|---:|---:|---:|\n")
	row := func(how, rt string, batch int) {
		o := anchorName(batch, "ours")
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", how,
			cell(rt, "ops/s", ops), cell(o, "ops/s", ops), pairedRatio(rt, o, "ops/s"),
			cell(rt, "allocs/op", count), cell(rt, "B/op", count),
			cell(rt, "cpu-ns/op", micro), cell(o, "cpu-ns/op", micro))
	}
	for _, batch := range anchorBatches {
		row(fmt.Sprintf("Submit, rounds of %d", batch), anchorName(batch, "runtime"), batch)
	}

	fmt.Fprintf(&b, "\n**Settings, chosen to be equivalent.** Ours: `MaxEntriesPerAppend` %d, `MaxInflightAppends` %d (the default), heartbeat 1 tick, "+
		"election timeout 10–20 ticks. etcd: `MaxSizePerMsg` %d bytes (%d entries of this workload), `MaxInflightMsgs` %d (a round never "+
		"fills either window, so neither throttles), `MaxCommittedSizePerReady` and `MaxUncommittedEntriesSize` unlimited (ours has no such limits), "+
		"`HeartbeatTick` 1, `ElectionTick` 10, no PreVote or CheckQuorum (off in ours too), a logger that drops lines. "+
		"Membership: our `Bootstrap` writes the configuration entry at index 1, term 1; etcd starts from a snapshot at index 1, term 1 "+
		"holding the same voters.\n\n",
		core.MaxEntriesPerMsg, core.OursMaxInflightAppends, core.EtcdMaxSizePerMsg, core.MaxEntriesPerMsg, core.EtcdMaxInflightMsgs)
	b.WriteString("**Protocol difference that shows in msgs/op:** when etcd's leader advances its commit index it sends every follower " +
		"an AppendEntries at once, empty if need be, to carry it; ours, as in the paper, lets followers learn it from the next " +
		"AppendEntries (or heartbeat). Each is its library's normal behaviour, not a setting.\n\n")

	b.WriteString("**Commands** (from the repository root; `make bench` runs them):\n\n```\n")
	fmt.Fprintf(&b, "%s\n%s    # %d times\n", build, g.runLine(r, anchorPattern, benchtime), r.rounds)
	b.WriteString("```\n\nThe same with `go test` and benchstat: `cd bench && go test -run '^$' -bench '" + anchorPattern + "' " +
		"-benchtime " + strconv.Itoa(r.n) + "x -benchmem -count 5 ./core`. Profile one case: add " +
		"`-bench 'Anchor/batch=1/lib=ours' -cpuprofile cpu.out`, then `go tool pprof -top core.test cpu.out`.\n")
	return b.String(), nil
}

// thousands formats v rounded to an integer, with commas.
func thousands(v float64) string {
	s := strconv.FormatInt(int64(v+0.5), 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
