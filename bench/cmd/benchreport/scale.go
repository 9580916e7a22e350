package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	simbench "github.com/raftplay/raftplay/bench/sim"
	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/sim"
)

// runScale measures item 4 of issue 5: speed and memory as the cluster
// grows (bench/sim BenchmarkPeers) and as the log grows (BenchmarkLog).
func runScale(r *runner) (string, error) {
	g := &goBench{dir: filepath.Join(r.benchDir, "sim"), bin: "scale.test"}
	build, err := g.build(r)
	if err != nil {
		return "", err
	}
	defer g.clean()
	ms := int64(simbench.BusyMs)
	entries := simbench.LogEntries
	if r.smoke {
		ms, entries = 2000, []int{1000}
	}
	peersTime := "-test.benchtime=" + strconv.FormatInt(ms, 10) + "x"
	logTime := func(n int) string { return "-test.benchtime=" + strconv.Itoa(n) + "x" }

	load0, start := loadAverage(), time.Now()
	peers := samples{}
	logs := map[int]samples{} // by entries
	for i := range r.rounds {
		fmt.Fprintf(os.Stderr, "scale: round %d of %d\n", i+1, r.rounds)
		rs, err := g.run("^BenchmarkPeers$", peersTime)
		if err != nil {
			return "", err
		}
		peers.add(rs)
		for _, n := range entries {
			rs, err := g.run("^BenchmarkLog$", logTime(n))
			if err != nil {
				return "", err
			}
			if logs[n] == nil {
				logs[n] = samples{}
			}
			logs[n].add(rs)
		}
	}
	load1 := loadAverage()
	med := func(s samples, name, unit string) float64 { v, _ := s.median(name, unit); return v }

	var b strings.Builder
	fmt.Fprintf(&b, "Measured %s, commit %s. Load average %s at the start, %s at the end (%d cores). %s; tables show medians over rounds. "+
		"Memory: *live heap* is what the run keeps reachable at its end, after a collection (`runtime.ReadMemStats` HeapAlloc, less what was live "+
		"before it began); *allocated* is everything it allocated (TotalAlloc).\n\n",
		start.UTC().Format("2006-01-02 15:04 MST"), describeCommit(r.root, "raft", "bench/sim", "go.mod"), load0, load1, r.machine.cores, plural(r.rounds, "round"))
	if r.smoke {
		b.WriteString("**Smoke run (`-smoke`): tiny input, one round. These numbers mean nothing.**\n\n")
	}

	// Peers.
	fmt.Fprintf(&b, "### Peers\n\nThe busy run of the section above (`bench/sim` BenchmarkPeers: the default configuration, %d clients writing every %d ms, "+
		"%s of virtual time, no trace, no checks), peers inline, with 3 to 101 peers.\n\n", simbench.BusyClients, simbench.BusyEveryMs, virtual(ms))
	b.WriteString("| peers | deliveries | deliveries/s | CPU ns/delivery | live heap | live heap per peer | allocated | B/delivery |\n")
	b.WriteString("|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	pname := func(n int) string { return "BenchmarkPeers/peers=" + strconv.Itoa(n) }
	for _, n := range simbench.ScalePeers {
		p := pname(n)
		heap := med(peers, p, "heap-B")
		fmt.Fprintf(&b, "| %d | %s | %s | %s | %s | %s | %s | %s |\n", n,
			thousands(med(peers, p, "deliveries")), thousands(med(peers, p, "deliveries/s")), thousands(med(peers, p, "cpu-ns/delivery")),
			bytesText(heap), bytesText(heap/float64(n)), bytesText(med(peers, p, "alloc-B")), thousands(med(peers, p, "B/delivery")))
	}
	lo, hi := simbench.ScalePeers[0], simbench.ScalePeers[len(simbench.ScalePeers)-1]
	grow := func(unit string) float64 {
		return growth(float64(lo), med(peers, pname(lo), unit), float64(hi), med(peers, pname(hi), unit))
	}
	fmt.Fprintf(&b, "\n**How it grows, %d to %d peers** (as peers^k, k from the two ends): deliveries per run: k = %.2f, %s "+
		"(a leader's heartbeats and appends go to every follower, and every follower answers); CPU time per delivery: k = %.2f, %s; "+
		"live heap: k = %.2f, %s (each peer's log, storage and runtime); allocated: k = %.2f, %s. "+
		"So the wall time a virtual second takes grows with the deliveries, and every peer's clock also ticks %d times a virtual second.\n\n",
		lo, hi, grow("deliveries"), trend(grow("deliveries")), grow("cpu-ns/delivery"), trend(grow("cpu-ns/delivery")),
		grow("heap-B"), trend(grow("heap-B")), grow("alloc-B"), trend(grow("alloc-B")), 1000/sim.DefaultConfig().TickMs)

	// Log.
	b.WriteString("### Log length\n\n")
	fmt.Fprintf(&b, "A log of up to %s entries. A `sim.Definition` holds at most %s client actions, so the log grows outside the "+
		"simulator's event queue but through everything else it runs: `bench/sim` LogCluster is %d `raft.Peer` runtimes serving the lock, inline, "+
		"each with a `raft.MemoryStorage`, on a network that delivers every message at once, in order, from one loop; writes go one at a time "+
		"to the leader's own client session, each delivered until the cluster is quiet (%d deliveries per write). Without snapshots, and with one "+
		"every %s applied entries (`PeerConfig.SnapshotEvery`, the default; the simulator's `Config.SnapshotEvery` sets the same).\n\n",
		thousands(float64(entries[len(entries)-1])), thousands(sim.MaxActions), simbench.LogPeers, 4, thousands(raft.DefaultSnapshotEvery))
	b.WriteString("| entries | snapshots | deliveries/s | CPU ns/delivery | live heap | per entry | allocated | entries in a log at the end |\n")
	b.WriteString("|---:|:---|---:|---:|---:|---:|---:|---:|\n")
	lname := func(every int) string {
		if every < 0 {
			return "BenchmarkLog/snapshots=never"
		}
		return "BenchmarkLog/snapshots=" + strconv.Itoa(every)
	}
	modes := []int{-1, raft.DefaultSnapshotEvery}
	for _, every := range modes {
		for _, n := range entries {
			s, l := logs[n], lname(every)
			heap := med(s, l, "heap-B")
			word := "never"
			if every > 0 {
				word = "every " + thousands(float64(every))
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", thousands(float64(n)), word,
				thousands(med(s, l, "deliveries/s")), thousands(med(s, l, "cpu-ns/delivery")), bytesText(heap),
				bytesText(heap/float64(n)), bytesText(med(s, l, "alloc-B")), thousands(med(s, l, "entries")))
		}
	}
	first, last := entries[0], entries[len(entries)-1]
	lgrow := func(every int, unit string) float64 {
		return growth(float64(first), med(logs[first], lname(every), unit), float64(last), med(logs[last], lname(every), unit))
	}
	perEntry := med(logs[last], lname(-1), "heap-B") / float64(last) / simbench.LogPeers
	every := raft.DefaultSnapshotEvery
	fmt.Fprintf(&b, "\n**How it grows, %s to %s entries** (as entries^k): the live heap without snapshots: k = %.2f, %s, "+
		"%s per entry per peer at the end (the entry in the peer's log and again in its storage, with their arrays' spare capacity, and the "+
		"command's bytes); with snapshots: k = %.2f, %s (what stays is the logs' and storages' arrays, with room for the %s entries or so that come before the next snapshot). CPU time per delivery: "+
		"k = %.2f without snapshots (%s), %.2f with (%s). Allocated: k = %.2f and %.2f, %s and %s.\n",
		thousands(float64(first)), thousands(float64(last)), lgrow(-1, "heap-B"), trend(lgrow(-1, "heap-B")), bytesText(perEntry),
		lgrow(every, "heap-B"), trend(lgrow(every, "heap-B")), thousands(float64(every)),
		lgrow(-1, "cpu-ns/delivery"), trend(lgrow(-1, "cpu-ns/delivery")), lgrow(every, "cpu-ns/delivery"), trend(lgrow(every, "cpu-ns/delivery")),
		lgrow(-1, "alloc-B"), lgrow(every, "alloc-B"), trend(lgrow(-1, "alloc-B")), trend(lgrow(every, "alloc-B")))

	b.WriteString("\n**Commands** (from the repository root; `make bench` runs them):\n\n```\n")
	fmt.Fprintf(&b, "%s\n%s\n", build, g.runLine(r, "^BenchmarkPeers$", peersTime))
	for _, n := range entries {
		fmt.Fprintf(&b, "%s\n", g.runLine(r, "^BenchmarkLog$", logTime(n)))
	}
	fmt.Fprintf(&b, "```\n\n(%s of each.)\n", plural(r.rounds, "round"))
	return b.String(), nil
}

// growth returns k such that y grows as x^k between two points.
func growth(x1, y1, x2, y2 float64) float64 {
	if x1 <= 0 || y1 <= 0 || x2 <= x1 || y2 <= 0 {
		return math.NaN()
	}
	return math.Log(y2/y1) / math.Log(x2/x1)
}

// trend puts a growth exponent into words.
func trend(k float64) string {
	switch {
	case math.IsNaN(k):
		return "not measured"
	case math.Abs(k) < 0.15:
		return "about flat"
	case math.Abs(k-1) < 0.15:
		return "about linear"
	case k < 0:
		return "falling"
	case k < 1:
		return "less than linear"
	}
	return "more than linear"
}

// bytesText renders a byte count in B, kB or MB.
func bytesText(v float64) string {
	switch a := math.Abs(v); {
	case a >= 1e6:
		return fmt.Sprintf("%.1f MB", v/1e6)
	case a >= 1e3:
		return fmt.Sprintf("%.1f kB", v/1e3)
	}
	return fmt.Sprintf("%.0f B", v)
}

// plural writes n things.
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return strconv.Itoa(n) + " " + thing + "s"
}
