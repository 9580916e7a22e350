// Package simbench measures the simulator (raft/sim) for issue 5: its speed
// on a busy 5-peer run, natively and in WebAssembly, peers inline and on
// goroutines; and how its speed and memory grow with the number of peers,
// and with the length of the log.
//
// One op of BenchmarkBusy and BenchmarkPeers is one millisecond of virtual
// time: -benchtime=600000x runs 10 minutes. One op of BenchmarkLog is one
// committed entry: -benchtime=1000000x drives the log to a million.
package simbench

import (
	"github.com/raftplay/raftplay/raft/sim"
)

// The busy client load: BusyClients clients, each sending a lock or an
// unlock every BusyEveryMs, to the peers in turn (sim.BusyLoad).
const (
	BusyPeers   = 5
	BusyClients = 3
	BusyEveryMs = 50
	BusyMs      = 600_000 // the run of issue 5: 10 minutes of virtual time
	Seed        = 1
)

// ScalePeers are the cluster sizes BenchmarkPeers runs.
var ScalePeers = []int{3, 9, 33, 101}

// LogEntries are the log lengths the report grows with BenchmarkLog.
var LogEntries = []int{10_000, 100_000, 1_000_000}

// Inputs returns about how many inputs a busy run of durationMs hands its
// peers (messages delivered, ticks, client requests), given the messages
// delivered: each is one hand-off when peers run on goroutines.
func Inputs(peers int, durationMs int64, delivered uint64) float64 {
	cfg := sim.DefaultConfig()
	requests := len(sim.BusyLoad(cfg, Seed, BusyClients, BusyEveryMs, durationMs).Actions)
	ticks := float64(peers) * float64(durationMs) / float64(cfg.TickMs)
	return float64(delivered) + ticks + float64(requests)
}

// Busy returns the definition of a busy run: the default configuration
// (the paper's timings, snapshots every 50 entries) with the given number
// of peers, under the busy load for durationMs.
func Busy(peers int, goroutines bool, durationMs int64) sim.Definition {
	cfg := sim.DefaultConfig()
	cfg.Peers = peers
	cfg.Goroutines = goroutines
	return sim.BusyLoad(cfg, Seed, BusyClients, BusyEveryMs, durationMs)
}

// Run runs def for durationMs of virtual time, without trace or checks,
// and returns how many messages reached their destination.
func Run(def sim.Definition, durationMs int64) (delivered uint64, err error) {
	s, err := sim.New(def, sim.Options{})
	if err != nil {
		return 0, err
	}
	defer s.Close()
	s.RunUntil(durationMs)
	return s.Delivered(), nil
}

// newRun starts a run without trace or checks.
func newRun(def sim.Definition) (*sim.Sim, error) { return sim.New(def, sim.Options{}) }
