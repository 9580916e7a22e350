// Package search looks for counterexamples: runs of the simulator's fault
// campaign in which a property fails, above all when a rule of the paper is
// broken on purpose (raft.Rule). It runs the same seeds in the same order
// every time, so a search finds the same first failing seed every time,
// natively on many goroutines and in a browser's Web Worker on one.
//
// It lives apart from package sim because it checks the clients' history
// with porcupine (package lincheck), which the playground's page does not
// carry.
package search

import (
	"cmp"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/raftplay/raftplay/raft/sim"
	"github.com/raftplay/raftplay/raft/sim/lincheck"
)

// Options tune a search; the zero value is a plain sequential search.
type Options struct {
	// Parallel is how many runs go on at once (0 or 1: one after the
	// other). The answer does not depend on it.
	Parallel int
	// Shortest keeps the run whose violation comes earliest in virtual
	// time (ties: the lowest seed) instead of the first failing seed: among
	// all the seeds, or among the Enough lowest failing seeds if Enough is
	// set (the search stops there).
	Shortest bool
	Enough   int
	// LinTimeout bounds each linearizability check (0: lincheck.Budget of
	// the run's history).
	LinTimeout time.Duration
	// Progress, if set, is called after each run with the seeds done so
	// far; returning false cancels the search. With Parallel above 1 it
	// is called from several goroutines, one at a time.
	Progress func(done int) bool
}

// Found is a failing run.
type Found struct {
	Seed       uint64
	Campaign   sim.CampaignOptions
	Violation  sim.Event      // the first violation: its Violation says which property
	Definition sim.Definition // replays the run (in the playground, too)
	Settled    bool           // whether the cluster settled once the faults stopped
}

// Command is the command line that replays the run.
func (f *Found) Command() string { return f.Campaign.Command(f.Seed) }

// ErrCanceled is returned when Progress stopped the search.
var ErrCanceled = errors.New("search: canceled")

// Run searches seeds first, first+1, ... first+n-1 of campaign o and
// returns the first failing run (or, with Shortest, the one that fails
// soonest), or nil if every run passed. A run fails on a violation the
// checkers record after an event, or, after the run, on a client history
// that is not linearizable. A linearizability check that runs out of time
// counts as a pass. Liveness (Found.Settled) does not count.
func Run(o sim.CampaignOptions, first uint64, n int, opts Options) (*Found, error) {
	if n < 0 {
		return nil, errors.New("search: the number of seeds must not be negative")
	}
	workers := max(1, min(opts.Parallel, n))
	enough := 1 // failing seeds to find before stopping (0: all seeds)
	if opts.Shortest {
		enough = max(0, opts.Enough)
	}
	var (
		next     atomic.Uint64 // the next seed to hand out, less first
		stop     atomic.Bool
		mu       sync.Mutex
		fails    []*Found // failing runs, by seed
		done     int
		firstErr error
	)
	// last is the highest seed still worth running: the enough-th lowest
	// failing seed once there are enough of them.
	last := func() uint64 {
		if enough == 0 || len(fails) < enough {
			return ^uint64(0)
		}
		return fails[enough-1].Seed
	}
	work := func() {
		for !stop.Load() {
			k := next.Add(1) - 1
			if k >= uint64(n) {
				return
			}
			seed := first + k
			mu.Lock()
			skip := seed > last()
			mu.Unlock()
			if skip {
				return // seeds are handed out in order: nothing lower is left
			}
			f, err := One(o, seed, opts.LinTimeout)
			mu.Lock()
			switch {
			case err != nil:
				if firstErr == nil {
					firstErr = err
				}
				stop.Store(true)
			case f != nil:
				i, _ := slices.BinarySearchFunc(fails, f.Seed, func(x *Found, s uint64) int { return cmp.Compare(x.Seed, s) })
				fails = slices.Insert(fails, i, f)
			}
			done++
			if opts.Progress != nil && !opts.Progress(done) {
				stop.Store(true)
				if firstErr == nil {
					firstErr = ErrCanceled
				}
			}
			mu.Unlock()
		}
	}
	if workers == 1 {
		work()
	} else {
		var wg sync.WaitGroup
		for range workers {
			wg.Add(1)
			go func() { defer wg.Done(); work() }()
		}
		wg.Wait()
	}
	if firstErr != nil {
		return nil, firstErr
	}
	if enough > 0 && len(fails) > enough {
		fails = fails[:enough] // the lowest: any others ran only because they were handed out first
	}
	var best *Found
	for _, f := range fails { // by seed: ties keep the lowest
		if best == nil || opts.Shortest && f.Violation.Time < best.Violation.Time {
			best = f
		}
	}
	return best, nil
}

// One runs one seed of campaign o and returns it if a property failed.
func One(o sim.CampaignOptions, seed uint64, linTimeout time.Duration) (*Found, error) {
	res, err := sim.RunCampaign(seed, o, 0)
	if err != nil {
		return nil, err
	}
	f := &Found{Seed: seed, Campaign: o, Definition: res.Sim.Definition(), Settled: res.Settled}
	if len(res.Violations) > 0 {
		f.Violation = res.Violations[0]
		return f, nil
	}
	if linTimeout == 0 {
		linTimeout = lincheck.Budget(res.History)
	}
	if r, v := lincheck.FirstViolation(res.History, linTimeout); r == porcupine.Illegal {
		f.Violation = *v
		return f, nil
	}
	return nil, nil
}
