package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/raftplay/raftplay/bench/disk"
)

// The durable section: Peer.Write on raft/disk against hashicorp/raft's
// Apply on raft-boltdb (bench/disk), and the lock as a service through
// raftlock processes (bench/raftlock).

// diskWrites is how many writes each concurrency measures: enough for a
// second or more of the slower library, on this machine's disk.
var diskWrites = map[int]int{1: 600, 16: 3000, 64: 8000}

const raftlockWrites = 20000

func durableName(writers int, lib string) string {
	return "BenchmarkDurable/writers=" + strconv.Itoa(writers) + "/lib=" + lib
}

func runDisk(r *runner) (string, error) {
	d := &goBench{dir: filepath.Join(r.benchDir, "disk"), bin: "disk.test"}
	buildDisk, err := d.build(r)
	if err != nil {
		return "", err
	}
	defer d.clean()
	l := &goBench{dir: filepath.Join(r.benchDir, "raftlock"), bin: "raftlock.test"}
	buildLock, err := l.build(r)
	if err != nil {
		return "", err
	}
	defer l.clean()

	writes := func(w int) int {
		if r.smoke {
			return 50
		}
		return diskWrites[w]
	}
	lockWrites := raftlockWrites
	if r.smoke {
		lockWrites = 200
	}
	load0, start := loadAverage(), time.Now()
	s := samples{}
	var rounds roundResults
	var commands []string
	for i := range r.rounds {
		fmt.Fprintf(os.Stderr, "disk: round %d of %d\n", i+1, r.rounds)
		rounds.next()
		for _, w := range disk.Writers {
			pattern := "^BenchmarkDurable$/^writers=" + strconv.Itoa(w) + "$"
			benchtime := "-test.benchtime=" + strconv.Itoa(writes(w)) + "x"
			rs, err := d.run(pattern, benchtime)
			if err != nil {
				return "", err
			}
			s.add(rs)
			rounds.add(rs)
			if i == 0 {
				commands = append(commands, d.runLine(r, pattern, benchtime))
			}
		}
		benchtime := "-test.benchtime=" + strconv.Itoa(lockWrites) + "x"
		rs, err := l.run("^BenchmarkRaftlock$", benchtime)
		if err != nil {
			return "", err
		}
		s.add(rs)
		if i == 0 {
			commands = append(commands, l.runLine(r, "^BenchmarkRaftlock$", benchtime))
		}
	}
	load1 := loadAverage()
	cell := func(name, unit string, format func(float64) string) string {
		if v, ok := s.median(name, unit); ok {
			return format(v)
		}
		return "–"
	}
	ops := func(v float64) string { return thousands(v) }
	twoDecimals := func(v float64) string { return fmt.Sprintf("%.2f", v) }
	ms := func(v float64) string { return fmt.Sprintf("%.1f", v) }

	var b strings.Builder
	b.WriteString(measured(r, start, load0, load1, "raft", "cmd/raftlock", "bench", "go.mod"))
	fmt.Fprintf(&b, "%d rounds; each round runs every case once, the libraries alternating. Tables show medians over rounds; "+
		"a ratio is the median of the rounds' own ratios, with its range.\n\n", r.rounds)
	if r.smoke {
		b.WriteString("**Smoke run (`-smoke`): tiny input, one round. These numbers mean nothing.**\n\n")
	}
	fmt.Fprintf(&b, "**Workload** (`bench/disk`): three peers in one process, each with its own directory on this machine's disk "+
		"(a temporary directory), on an in-memory network: ours `raft.Peer` with `raft/disk` storage on a `raft.Network`; hashicorp/raft v1.8.0 "+
		"with a `raft-boltdb/v2` v2.3.1 `BoltStore` as log and stable store on `InmemTransport`s. Every member bootstrapped, a leader elected "+
		"before the clock starts. Then 1, 16 or 64 goroutines write payloads of %d bytes at the leader, each starting its next write when "+
		"its last returns: `Peer.Write` and `Apply(...).Error()`, both returning once the leader has applied the write. Default settings "+
		"for both (a 10 ms tick for ours: 150–300 ms elections, 50 ms heartbeats; hashicorp's `DefaultConfig`), snapshots off in both.\n\n", disk.PayloadSize)
	b.WriteString("| writers | ours writes/s | hashicorp writes/s | ours/hashicorp | ours fsyncs/write | hashicorp fsyncs/write | ours allocs/write | hashicorp allocs/write |\n")
	b.WriteString("|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, w := range disk.Writers {
		o, h := durableName(w, "ours"), durableName(w, "hashicorp")
		fmt.Fprintf(&b, "| %d | %s | %s | %s | %s | %s | %s | %s |\n", w,
			cell(o, "ops/s", ops), cell(h, "ops/s", ops), rounds.pairedRatio(o, h, "ops/s"),
			cell(o, "fsyncs/op", twoDecimals), cell(h, "fsyncs/op", twoDecimals),
			cell(o, "allocs/op", ops), cell(h, "allocs/op", ops))
	}
	b.WriteString("\nfsyncs/write: the flushes of all three peers per write. Ours are counted at the file system (`disk.FS`): file flushes " +
		"(fdatasync) and directory flushes. hashicorp's are two per bolt write transaction (bbolt's commit flushes the data pages, then the " +
		"meta page), counted at the store; bolt's flushes when its file grows are not counted. Ours group-commits: a peer saves everything " +
		"that queued while it flushed with one flush, followers too, and a leader writes its entries in parallel with its followers.\n\n")

	fmt.Fprintf(&b, "### The lock as a service: raftlock over loopback\n\n"+
		"`bench/raftlock`: three `raftlock serve` processes on loopback (raft/disk in temporary directories, raft/tcp between them), "+
		"%d clients, each sending its next write (lock or unlock, alternately, with its own identity) as soon as its last is answered, "+
		"through the HTTP API, with keep-alive connections. To a random server (a follower forwards to the leader, and answers once it "+
		"has applied the write), or to the leader. %s writes a run.\n\n", 64, thousands(float64(lockWrites)))
	b.WriteString("| clients send to | writes/s | p50 latency ms | p99 latency ms |\n|:---|---:|---:|---:|\n")
	for _, to := range []string{"any", "leader"} {
		n := "BenchmarkRaftlock/clients=64/to=" + to
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", map[string]string{"any": "a random server", "leader": "the leader"}[to],
			cell(n, "ops/s", ops), cell(n, "p50-ms", ms), cell(n, "p99-ms", ms))
	}
	b.WriteString("\n**Note on the yardstick's build.** raft-boltdb/v2 v2.3.1 imports `github.com/hashicorp/go-metrics/compat`, which " +
		"go-metrics v0.7.0, the version hashicorp/raft v1.8.0 asks for, no longer has: `bench/go.mod` replaces go-metrics with v0.5.4, " +
		"the version raft-boltdb v2.3.1 was built with. raft v1.8.0 builds against it unchanged; metrics go to the default sink, which " +
		"drops them, in both versions.\n\n")
	b.WriteString("**Commands** (from the repository root; `make bench` runs them):\n\n```\n")
	fmt.Fprintf(&b, "%s\n%s\n", buildDisk, buildLock)
	for _, c := range commands {
		fmt.Fprintf(&b, "%s    # %d times\n", c, r.rounds)
	}
	b.WriteString("```\n\nProfile a case: `cd bench && go test -run '^$' -bench 'Durable/writers=64/lib=ours' -benchtime 8000x " +
		"-cpuprofile cpu.out ./disk`, then `go tool pprof -top disk.test cpu.out`.\n")
	return b.String(), nil
}
