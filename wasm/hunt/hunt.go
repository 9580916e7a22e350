// Package hunt is the API of the playground's search worker: a second,
// headless simulator in a Web Worker (wasm/searcher), loaded only when the
// page asks for it, that searches seeds for a counterexample to a rule
// broken on purpose and checks a run's clients' history for
// linearizability. Both need porcupine (raft/sim/lincheck), about 130 kB
// of gzip that the page's own wasm does without.
//
// Its calls join those of wasm/api on an api.Worker (Install), with the
// same conventions: JSON arguments, a JSON answer or {error, code}.
//
//	search({rule, first?, seeds?, shortest?, enough?})
//	    runs the rule's campaign (raft/sim/search's plan) on seeds first..,
//	    one after another, and answers the first failing run, or with
//	    shortest the one that fails soonest (among the enough lowest failing
//	    seeds, if given), reporting progress between them (call "search",
//	    time: seeds done, until: seeds to run). Answers {found: false,
//	    searched} or {found: true, searched, seed, violation, definition,
//	    time, command}: violation is the violation event (TRACE.md), the
//	    definition replays the run in the page, and time is the violation's
//	    instant.
//	check(definition, until)
//	    replays the definition to until (virtual ms) and checks the
//	    clients' history: {linearizable: "yes" | "no" | "unknown",
//	    operations, violation?} (violation: as search's, a linearizability
//	    violation at the reply no order of the operations explains).
package hunt

import (
	"github.com/anishathalye/porcupine"
	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/sim"
	"github.com/raftplay/raftplay/raft/sim/jsonio"
	"github.com/raftplay/raftplay/raft/sim/lincheck"
	"github.com/raftplay/raftplay/raft/sim/search"
	"github.com/raftplay/raftplay/wasm/api"
)

// Limits of the worker's calls.
const (
	MaxSeeds   = 100_000 // seeds one search may run
	DefSeeds   = 200     // seeds a search runs unless told
	MaxUntilMs = api.MaxReplayMs
)

// Install adds the worker's calls to w.
func Install(w *api.Worker) {
	w.Add("search", 1, searchCall)
	w.Add("check", 2, checkCall)
}

func searchCall(ss *api.Session, b []byte, args []any) ([]byte, *api.Error) {
	f := jsonio.Object("search options", arg(args, 0), true)
	if f.Missing() {
		return nil, jsonio.BadArg("search needs an object such as {rule: \"vote-any-log\", seeds: 100}")
	}
	name := f.Str("rule", 64, "")
	first := uint64(f.Int("first", 0, api.MaxSafeInt, 1))
	n := int(f.Int("seeds", 1, MaxSeeds, DefSeeds))
	shortest := f.Flag("shortest")
	enough := int(f.Int("enough", 0, MaxSeeds, 0))
	if err := f.Done(); err != nil {
		return nil, err
	}
	r, ok := raft.ParseRule(name)
	if !ok {
		return nil, jsonio.BadArg("search options.rule: unknown rule " + jsonio.Describe(name) + " (raftplay.rules lists them)")
	}
	p, _ := search.PlanFor(r)
	found, err := search.Run(p.Campaign, first, n, search.Options{
		Shortest: shortest, Enough: enough,
		Progress: func(done int) bool {
			return ss.Yield(api.Progress{Call: "search", Time: int64(done), Until: int64(n)})
		},
	})
	switch {
	case err == search.ErrCanceled:
		return nil, &api.Error{Code: api.CodeCanceled, Msg: "search canceled"}
	case err != nil:
		return nil, &api.Error{Code: api.CodeInternal, Msg: "search: " + err.Error()}
	}
	w := jsonio.NewObject(b)
	w.Bool("found", found != nil)
	w.Int("searched", int64(n))
	if found != nil {
		w.Uint("seed", found.Seed)
		w.Key("violation")
		w.B = found.Violation.AppendJSON(w.B)
		w.Key("definition")
		w.B = found.Definition.AppendJSON(w.B)
		w.Int("time", found.Violation.Time)
		w.Str("command", found.Command())
	}
	return w.End(), nil
}

func checkCall(ss *api.Session, b []byte, args []any) ([]byte, *api.Error) {
	def, err := api.DecodeDefinition(arg(args, 0))
	if err != nil {
		return nil, err
	}
	until, err := jsonio.WholeNumber("until", arg(args, 1), 0, MaxUntilMs)
	if err != nil {
		return nil, err
	}
	def.Config.Goroutines = false
	s, serr := sim.New(def, sim.Options{History: true})
	if serr != nil {
		return nil, jsonio.BadArg("definition: " + serr.Error())
	}
	defer s.Close()
	for at := s.NextEventAt(); at >= 0 && at <= until; at = s.NextEventAt() {
		s.Step()
	}
	s.RunUntil(until)
	history := s.History()
	r, v := lincheck.FirstViolation(history, lincheck.Budget(history))
	w := jsonio.NewObject(b)
	switch r {
	case porcupine.Ok:
		w.Str("linearizable", "yes")
	case porcupine.Illegal:
		w.Str("linearizable", "no")
	default:
		w.Str("linearizable", "unknown")
	}
	w.Int("operations", int64(len(history)))
	if v != nil {
		w.Key("violation")
		w.B = v.AppendJSON(w.B)
	}
	return w.End(), nil
}

func arg(args []any, i int) any {
	if i < len(args) {
		return args[i]
	}
	return nil
}
