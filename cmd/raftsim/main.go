// Command raftsim runs the Raft simulator headless: a named scenario, or a
// randomized fault campaign from a seed, printed as a readable transcript
// with the checkers' verdict.
//
//	go run ./cmd/raftsim -scenario talk
//	go run ./cmd/raftsim -campaign -seed 42 -peers 5 -loss 0.3
//	go run ./cmd/raftsim -campaign -seeds 10000     (many seeds, verdict only)
//	go run ./cmd/raftsim -rules                     (the rules a run can break)
//	go run ./cmd/raftsim -break vote-any-log -seeds 100   (search for what it breaks)
//	go run ./cmd/raftsim -replay run.json           (a definition, trace or share link)
//
// -link adds a playground link to any run it prints (-base sets the
// playground's address): a failing run opens at the violating instant.
//
// Every option is checked before anything runs: a bad one is a usage error
// (exit 2). A run whose linearizability check outgrows its time budget
// (-lin-timeout; by default one that grows with the run) is reported as
// unknown, with its seed: neither a failure nor a pass.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/raftplay/raftplay/raft/sim"
	"github.com/raftplay/raftplay/raft/sim/lincheck"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the command: it parses args, writes the transcript or the verdicts
// to stdout and problems to stderr, and returns the exit code (0: every
// check passed, 1: a check failed, 2: the command could not run).
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("raftsim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		scenario   = fs.String("scenario", "", "run a named scenario (see -list)")
		list       = fs.Bool("list", false, "list the scenarios")
		campaign   = fs.Bool("campaign", false, "run a randomized fault campaign")
		seed       = fs.Uint64("seed", 1, "the run's seed (with -seeds: the first seed)")
		seeds      = fs.Int("seeds", 0, "with -campaign: run this many seeds from -seed on, print only failures and a summary")
		jsonOut    = fs.Bool("json", false, "print the trace as JSON (raft/sim/TRACE.md) instead of a transcript")
		verbose    = fs.Bool("v", false, "print every event, heartbeats included")
		goroutines = fs.Bool("goroutines", false, "run each peer on its own goroutine (the same trace as inline)")
		rules      = fs.Bool("rules", false, "list the rules of the paper a run can break, one a line, the name first")
		breakRules = fs.String("break", "", "break these rules (comma-separated, see -rules) in a campaign shaped for the first: one run (-seed), or a search (-seeds)")
		replayArg  = fs.String("replay", "", "replay a `FILE` holding a definition, a trace document or a share link (or the link itself), and print its transcript")
		until      = fs.Int64("until", -1, "with -replay: run to this virtual ms (default: the link's instant, the trace's last event, or 5 s after the last action)")
		link       = fs.Bool("link", false, "print a playground link to the run (at its first violation, if any)")
		base       = fs.String("base", DefaultBase, "with -link: the playground's address")
		linTimeout = fs.Duration("lin-timeout", 0, "with -campaign: how long the linearizability check may take per run before it reports unknown (0: a budget that grows with the run's operations, 1 s to 1 min)")
	)
	o := sim.DefaultCampaign(5)
	fs.IntVar(&o.Peers, "peers", o.Peers, "with -campaign: number of peers")
	fs.IntVar(&o.Clients, "clients", o.Clients, "with -campaign: concurrent lock clients")
	fs.Int64Var(&o.FaultMs, "fault-ms", o.FaultMs, "with -campaign: virtual ms of faults")
	fs.Int64Var(&o.SettleMs, "settle-ms", o.SettleMs, "with -campaign: virtual ms allowed to settle after the faults")
	fs.Float64Var(&o.MaxLoss, "loss", o.MaxLoss, "with -campaign: maximum message loss probability")
	fs.Float64Var(&o.Duplicate, "dup", o.Duplicate, "with -campaign: maximum duplication probability")
	fs.Float64Var(&o.Reorder, "reorder", o.Reorder, "with -campaign: maximum reordering probability")
	fs.BoolVar(&o.Crashes, "crashes", o.Crashes, "with -campaign: crash and restart peers")
	fs.BoolVar(&o.Partitions, "partitions", o.Partitions, "with -campaign: partition the network and cut links")
	fs.IntVar(&o.SnapshotEvery, "snapshot-every", o.SnapshotEvery, "with -campaign: compact logs every this many applied entries (0: never)")
	fs.Int64Var(&o.FaultEveryMs, "fault-every-ms", o.FaultEveryMs, "with -campaign: mean virtual ms between faults (0: 200 to 1500)")
	fs.BoolVar(&o.Bounce, "bounce", o.Bounce, "with -campaign: also crash peers and restart them at once")
	fs.IntVar(&o.MaxEntriesPerAppend, "max-entries", o.MaxEntriesPerAppend, "with -campaign: at most this many entries per AppendEntries (0: 64)")
	fs.BoolVar(&o.PreVote, "prevote", o.PreVote, "turn PreVote on (dissertation section 9.6), in a campaign or a scenario")
	fs.BoolVar(&o.CheckQuorum, "checkquorum", o.CheckQuorum, "turn CheckQuorum on (dissertation section 6.2), in a campaign or a scenario")
	fs.BoolVar(&o.MixElections, "mix-elections", o.MixElections, "with -campaign: each seed draws PreVote and CheckQuorum (its bit 1 PreVote, bit 2 CheckQuorum)")
	fs.BoolVar(&o.Transfers, "transfers", o.Transfers, "with -campaign: also make the leader hand over leadership to a random peer")
	fs.BoolVar(&o.Membership, "membership", o.Membership, "with -campaign: also make the leader add servers (new ones too) and remove them, itself included")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "raftsim: unexpected argument %q (see -h)\n", fs.Arg(0))
		return 2
	}
	o.Goroutines = *goroutines
	ln := linker{on: *link, base: *base}
	if err := validBase(*base); err != nil {
		fmt.Fprintln(stderr, "raftsim: -"+err.Error())
		return 2
	}
	if *breakRules != "" {
		broken, list, err := parseRules(*breakRules)
		if err != nil {
			fmt.Fprintln(stderr, "raftsim: -"+err.Error())
			return 2
		}
		o = breakCampaign(fs, o, broken, list[0])
		*campaign = true
	}
	if *campaign {
		err := o.Validate()
		if *seeds < 0 {
			err = errors.Join(err, fmt.Errorf("seeds must be 0 or more, got %d", *seeds))
		}
		if *linTimeout < 0 {
			err = errors.Join(err, fmt.Errorf("lin-timeout must not be negative, got %v", *linTimeout))
		}
		if err != nil {
			for _, line := range strings.Split(err.Error(), "\n") {
				fmt.Fprintf(stderr, "raftsim: -%s\n", line)
			}
			fmt.Fprintln(stderr, "raftsim: see -h for every option")
			return 2
		}
	}

	switch {
	case *rules:
		listRules(stdout)
		return 0
	case *replayArg != "":
		return replayRun(stdout, stderr, *replayArg, *until, *jsonOut, *verbose, ln)
	case *breakRules != "" && *seeds > 0:
		return hunt(stdout, stderr, o, *seed, *seeds, *linTimeout, ln)
	case *list:
		for _, sc := range sim.Scenarios() {
			fmt.Fprintf(stdout, "%-10s %s\n", sc.Name, sc.Summary)
		}
		return 0
	case *campaign && *seeds > 0:
		return many(stdout, stderr, *seed, *seeds, o, *linTimeout)
	case *campaign:
		return one(stdout, stderr, *seed, o, *linTimeout, *jsonOut, *verbose, ln)
	case *scenario != "":
		sw := sim.Switches{PreVote: o.PreVote, CheckQuorum: o.CheckQuorum}
		s, err := sim.RunScenarioWith(*scenario, *seed, sw, *goroutines, sim.Options{TraceLimit: -1, Check: true, History: true})
		if err != nil {
			fmt.Fprintln(stderr, "raftsim:", err)
			return 2
		}
		defer s.Close()
		print(stdout, s, *jsonOut, *verbose)
		violations := s.Violations()
		if !*jsonOut {
			more, err := otherFuture(stdout, s, *verbose)
			if err != nil {
				fmt.Fprintln(stderr, "raftsim:", err)
				return 2
			}
			violations = append(violations, more...)
		}
		out := notes(stdout, *jsonOut)
		ok := verdict(out, *seed, violations, s.History(), 0)
		ln.printRun(out, s)
		return exitCode(ok)
	default:
		fmt.Fprintln(stderr, "raftsim: give -scenario NAME, -campaign, -break RULE, -replay FILE, -list or -rules (see -h)")
		return 2
	}
}

// notes is where the replay command and the verdicts go: nowhere when
// stdout carries the JSON trace, which must stay parseable.
func notes(stdout io.Writer, jsonOut bool) io.Writer {
	if jsonOut {
		return io.Discard
	}
	return stdout
}

func exitCode(ok bool) int {
	if ok {
		return 0
	}
	return 1
}

// one runs one campaign seed and prints it in full.
func one(stdout, stderr io.Writer, seed uint64, o sim.CampaignOptions, linTimeout time.Duration, jsonOut, verbose bool, ln linker) int {
	res, err := sim.RunCampaign(seed, o, -1)
	if err != nil {
		fmt.Fprintln(stderr, "raftsim:", err)
		return 2
	}
	out := notes(stdout, jsonOut)
	fmt.Fprintf(out, "# %s\n", o.Command(seed))
	print(stdout, res.Sim, jsonOut, verbose)
	ok := verdict(out, seed, res.Violations, res.History, linTimeout)
	if res.Settled {
		fmt.Fprintf(out, "liveness: settled at %.3f s, %d ms after the faults stopped\n", float64(res.SettledAt)/1000, res.SettledAt-o.FaultMs)
	} else {
		fmt.Fprintf(out, "liveness: FAILED: not settled %d ms after the faults stopped: %s\n", o.SettleMs, res.Unsettled)
		ok = false
	}
	ln.printRun(out, res.Sim)
	return exitCode(ok)
}

// many runs seeds in parallel and prints failures with their replay
// command. A linearizability check that runs out of time is reported as
// unknown, with its seed: it is neither a failure nor a pass.
func many(stdout, stderr io.Writer, first uint64, n int, o sim.CampaignOptions, linTimeout time.Duration) int {
	start := time.Now()
	var next, failed, unknown, delivered atomic.Uint64
	var broken atomic.Bool // a run could not start: the options are wrong
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
					if !broken.Swap(true) {
						fmt.Fprintln(stderr, "raftsim:", err)
					}
					return
				}
				delivered.Add(res.Delivered)
				budget := linBudget(res.History, linTimeout)
				lin := checkHistory(res.History, budget)
				switch {
				case len(res.Violations) > 0 || !res.Settled || lin == porcupine.Illegal:
					failed.Add(1)
					mu.Lock()
					fmt.Fprintf(stdout, "FAIL seed %d: %d violations, settled=%v (%s), linearizable=%v\n  reproduce with: %s\n",
						seed, len(res.Violations), res.Settled, res.Unsettled, lin, o.Command(seed))
					mu.Unlock()
				case lin == porcupine.Unknown:
					unknown.Add(1)
					mu.Lock()
					fmt.Fprintf(stdout, "UNKNOWN seed %d: safe and settled, but the linearizability check of %d operations gave up after %v\n  check longer with: %s -lin-timeout 10m\n",
						seed, len(res.History), budget, o.Command(seed))
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if broken.Load() {
		return 2
	}
	took := time.Since(start)
	fmt.Fprintf(stdout, "%d seeds (%d..%d), %d peers: %d failed, %d unknown; %d messages delivered in %.1f s (%.0f deliveries/s)\n",
		n, first, first+uint64(n)-1, o.Peers, failed.Load(), unknown.Load(), delivered.Load(), took.Seconds(),
		float64(delivered.Load())/took.Seconds())
	return exitCode(failed.Load() == 0)
}

// checkHistory is the linearizability checker (a variable so that a test
// of the report can stand in one that runs out of time on a campaign run).
var checkHistory = lincheck.Check

// linBudget is the linearizability check's time limit: the one asked
// for, or one that fits the history.
func linBudget(history []sim.Op, asked time.Duration) time.Duration {
	if asked > 0 {
		return asked
	}
	return lincheck.Budget(history)
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

// otherFuture prints the other future a run's last mark offers, if it
// offers one (figure8's (e), from (c)): the branch, replayed, from where it
// leaves the run. It returns the branch's safety violations.
func otherFuture(w io.Writer, s *sim.Sim, verbose bool) ([]sim.Event, error) {
	def := s.Definition()
	last := len(def.Actions) - 1
	if last < 0 || def.Actions[last].Kind != sim.ActMark || def.Actions[last].Mark.Then == nil {
		return nil, nil
	}
	m := def.Actions[last].Mark
	branch, err := def.Branch(last)
	if err != nil {
		return nil, err
	}
	b, err := sim.New(branch, sim.Options{TraceLimit: -1, Check: true})
	if err != nil {
		return nil, err
	}
	defer b.Close()
	b.RunUntil(m.Then[len(m.Then)-1].At)
	fmt.Fprintf(w, "--- the other future, from %.3fs ---\n", float64(m.Rewind)/1000)
	evs, _ := b.Events(0)
	for i := range evs {
		if e := &evs[i]; e.Time > m.Rewind && (verbose || !heartbeat(e)) {
			fmt.Fprintf(w, "%8.3fs  %s\n", float64(e.Time)/1000, e.Describe())
		}
	}
	return b.Violations(), nil
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

// verdict prints the checkers' findings and reports whether none failed.
// A linearizability check that runs out of time is unknown: said so, and
// not counted as a failure.
func verdict(w io.Writer, seed uint64, violations []sim.Event, history []sim.Op, linTimeout time.Duration) bool {
	ok := true
	if len(violations) == 0 {
		fmt.Fprintln(w, "safety: no violation of Election Safety, Leader Append-Only, Log Matching, Leader Completeness or State Machine Safety")
	} else {
		ok = false
		for _, v := range violations {
			fmt.Fprintln(w, "safety: VIOLATION")
			explain(w, &v)
		}
	}
	budget := linBudget(history, linTimeout)
	switch checkHistory(history, budget) {
	case porcupine.Ok:
		fmt.Fprintf(w, "linearizability: the %d client operations form a linearizable history (porcupine)\n", len(history))
	case porcupine.Illegal:
		fmt.Fprintf(w, "linearizability: VIOLATION: the %d client operations are not linearizable\n", len(history))
		if r, v := lincheck.FirstViolation(history, budget); r == porcupine.Illegal {
			explain(w, v)
		}
		ok = false
	default:
		fmt.Fprintf(w, "linearizability: unknown for seed %d: the check of %d client operations gave up after %v (not a failure; -lin-timeout gives it longer)\n", seed, len(history), budget)
	}
	return ok
}
