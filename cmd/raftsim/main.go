// Command raftsim runs the Raft simulator headless: a named scenario, or a
// randomized fault campaign from a seed, printed as a readable transcript
// with the checkers' verdict.
//
//	go run ./cmd/raftsim -scenario talk
//	go run ./cmd/raftsim -campaign -seed 42 -peers 5 -loss 0.3
//	go run ./cmd/raftsim -campaign -seeds 10000     (many seeds, verdict only)
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/raftplay/raftplay/raft/sim"
	"github.com/raftplay/raftplay/raft/sim/lincheck"
)

func main() {
	var (
		scenario   = flag.String("scenario", "", "run a named scenario (see -list)")
		list       = flag.Bool("list", false, "list the scenarios")
		campaign   = flag.Bool("campaign", false, "run a randomized fault campaign")
		seed       = flag.Uint64("seed", 1, "the run's seed (with -seeds: the first seed)")
		seeds      = flag.Int("seeds", 0, "with -campaign: run this many seeds from -seed on, print only failures and a summary")
		jsonOut    = flag.Bool("json", false, "print the trace as JSON (raft/sim/TRACE.md) instead of a transcript")
		verbose    = flag.Bool("v", false, "print every event, heartbeats included")
		goroutines = flag.Bool("goroutines", false, "run each peer on its own goroutine (the same trace as inline)")
	)
	o := sim.DefaultCampaign(5)
	flag.IntVar(&o.Peers, "peers", o.Peers, "with -campaign: number of peers")
	flag.IntVar(&o.Clients, "clients", o.Clients, "with -campaign: concurrent lock clients")
	flag.Int64Var(&o.FaultMs, "fault-ms", o.FaultMs, "with -campaign: virtual ms of faults")
	flag.Int64Var(&o.SettleMs, "settle-ms", o.SettleMs, "with -campaign: virtual ms allowed to settle after the faults")
	flag.Float64Var(&o.MaxLoss, "loss", o.MaxLoss, "with -campaign: maximum message loss probability")
	flag.Float64Var(&o.Duplicate, "dup", o.Duplicate, "with -campaign: maximum duplication probability")
	flag.Float64Var(&o.Reorder, "reorder", o.Reorder, "with -campaign: maximum reordering probability")
	flag.BoolVar(&o.Crashes, "crashes", o.Crashes, "with -campaign: crash and restart peers")
	flag.BoolVar(&o.Partitions, "partitions", o.Partitions, "with -campaign: partition the network and cut links")
	flag.IntVar(&o.SnapshotEvery, "snapshot-every", o.SnapshotEvery, "with -campaign: compact logs every this many applied entries (0: never)")
	flag.Parse()
	o.Goroutines = *goroutines

	switch {
	case *list:
		for _, sc := range sim.Scenarios() {
			fmt.Printf("%-10s %s\n", sc.Name, sc.Summary)
		}
	case *campaign && *seeds > 0:
		os.Exit(many(*seed, *seeds, o))
	case *campaign:
		os.Exit(one(*seed, o, *jsonOut, *verbose))
	case *scenario != "":
		s, err := sim.RunScenario(*scenario, *seed, *goroutines, sim.Options{TraceLimit: -1, Check: true, History: true})
		if err != nil {
			fmt.Fprintln(os.Stderr, "raftsim:", err)
			os.Exit(2)
		}
		defer s.Close()
		print(os.Stdout, s, *jsonOut, *verbose)
		ok := verdict(os.Stdout, s.Violations(), s.History())
		if !ok {
			os.Exit(1)
		}
	default:
		fmt.Fprintln(os.Stderr, "raftsim: give -scenario NAME, -campaign or -list (see -h)")
		os.Exit(2)
	}
}

// one runs one campaign seed and prints it in full.
func one(seed uint64, o sim.CampaignOptions, jsonOut, verbose bool) int {
	fmt.Printf("# %s\n", o.Command(seed))
	res, err := sim.RunCampaign(seed, o, -1)
	if err != nil {
		fmt.Fprintln(os.Stderr, "raftsim:", err)
		return 2
	}
	print(os.Stdout, res.Sim, jsonOut, verbose)
	ok := verdict(os.Stdout, res.Violations, res.History)
	if res.Settled {
		fmt.Printf("liveness: settled at %.3f s, %d ms after the faults stopped\n", float64(res.SettledAt)/1000, res.SettledAt-o.FaultMs)
	} else {
		fmt.Printf("liveness: FAILED: not settled %d ms after the faults stopped: %s\n", o.SettleMs, res.Unsettled)
		ok = false
	}
	if !ok {
		return 1
	}
	return 0
}

// many runs seeds in parallel and prints failures with their replay command.
func many(first uint64, n int, o sim.CampaignOptions) int {
	start := time.Now()
	var next, failed, delivered atomic.Uint64
	next.Store(first)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				seed := next.Add(1) - 1
				if seed >= first+uint64(n) {
					return
				}
				res, err := sim.RunCampaign(seed, o, 0)
				if err != nil {
					fmt.Fprintln(os.Stderr, "raftsim:", err)
					os.Exit(2)
				}
				delivered.Add(res.Delivered)
				lin := lincheck.Check(res.History, time.Minute)
				if len(res.Violations) > 0 || !res.Settled || lin != porcupine.Ok {
					failed.Add(1)
					mu.Lock()
					fmt.Printf("FAIL seed %d: %d violations, settled=%v (%s), linearizable=%v\n  reproduce with: %s\n",
						seed, len(res.Violations), res.Settled, res.Unsettled, lin, o.Command(seed))
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	fmt.Printf("%d seeds (%d..%d), %d peers: %d failed; %d messages delivered in %.1f s (%.0f deliveries/s)\n",
		n, first, first+uint64(n)-1, o.Peers, failed.Load(), delivered.Load(), took.Seconds(),
		float64(delivered.Load())/took.Seconds())
	if failed.Load() > 0 {
		return 1
	}
	return 0
}

func print(w io.Writer, s *sim.Sim, jsonOut, verbose bool) {
	if jsonOut {
		w.Write(s.TraceJSON())
		return
	}
	evs, _ := s.Events(0)
	for i := range evs {
		e := &evs[i]
		if !verbose && heartbeat(e) {
			continue
		}
		fmt.Fprintf(w, "%8.3fs  %s\n", float64(e.Time)/1000, e.Describe())
	}
}

// heartbeat reports whether an event is routine heartbeat traffic, which a
// transcript leaves out unless asked.
func heartbeat(e *sim.Event) bool {
	if e.Msg == nil || (e.Kind != sim.EvSend && e.Kind != sim.EvDeliver) {
		return false
	}
	m := e.Msg
	return m.IsHeartbeat() || (m.Type.IsResponse() && m.Success && m.Type.String() == "AppendEntriesReply" && e.Kind == sim.EvDeliver)
}

func verdict(w io.Writer, violations []sim.Event, history []sim.Op) bool {
	ok := true
	if len(violations) == 0 {
		fmt.Fprintln(w, "safety: no violation of Election Safety, Leader Append-Only, Log Matching, Leader Completeness or State Machine Safety")
	} else {
		ok = false
		for _, v := range violations {
			fmt.Fprintf(w, "safety: VIOLATION at %.3fs on %v: %s\n", float64(v.Time)/1000, v.Peer, v.Reason)
		}
	}
	switch lincheck.Check(history, time.Minute) {
	case porcupine.Ok:
		fmt.Fprintf(w, "linearizability: the %d client operations form a linearizable history (porcupine)\n", len(history))
	case porcupine.Illegal:
		fmt.Fprintf(w, "linearizability: VIOLATION: the %d client operations are not linearizable\n", len(history))
		ok = false
	default:
		fmt.Fprintln(w, "linearizability: unknown (the check timed out)")
		ok = false
	}
	return ok
}
