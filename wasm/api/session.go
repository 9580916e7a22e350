package api

import (
	"github.com/raftplay/raftplay/raft/sim/jsonio"

	"time"

	"github.com/raftplay/raftplay/raft/sim"
)

// Progress describes long work between two of its slices.
type Progress struct {
	Call  string // "replay", "advance", "step", "lesson", or a search worker's "search"
	Time  int64  // virtual ms reached (search: seeds searched)
	Until int64  // virtual ms to reach (search: seeds to search)
}

// Yield reports progress of long work between two of its slices, giving
// the page a turn, and reports whether to go on (false: a newer call that
// makes a run has superseded this one). Calls added to a Worker (Add) use
// it.
func (ss *Session) Yield(p Progress) bool { return ss.pause == nil || ss.pause(p) }

// Session is the page's run and what is done to it. The Worker's goroutine
// owns it: nothing in it is safe for concurrent use.
type Session struct {
	sim     *sim.Sim
	run     uint64
	base    []sim.Action // the replayed definition's actions: those past Applied are pending
	stopped string       // why an internal error stopped the run, or ""

	goroutines bool
	window     int
	check      bool
	budget     time.Duration
	pause      func(Progress) bool // between slices of long work; false: canceled
	batch      []sim.Event         // reused by appendEvents
}

// start makes a new run from def and takes it to virtual time until, then
// puts it in place of the old one.
func (ss *Session) start(call string, def sim.Definition, until int64) *Error {
	def.Config.Goroutines = ss.goroutines
	s, err := sim.New(def, sim.Options{TraceLimit: ss.window, Check: ss.check, MaxInFlight: MaxInFlight})
	if err != nil {
		return badArg("definition: " + err.Error())
	}
	if err := ss.runTo(s, call, until); err != nil {
		s.Close()
		return err
	}
	// An action the definition holds but a live call would refuse (crash
	// a crashed peer, drop a message no longer in flight) is refused here
	// too, if the replay reaches it. One met later, while advancing,
	// halts the run there (status.halted).
	if s.Refused() != 0 {
		defer s.Close()
		return rejected("definition: " + s.Halted())
	}
	if ss.sim != nil && ss.stopped == "" {
		ss.sim.Close() // a stopped run may be wedged: leave its peers be
	}
	ss.sim, ss.base, ss.stopped = s, def.Actions, ""
	ss.run++
	return nil
}

// runTo processes every event up to virtual time t in slices of about
// budget wall time, pausing between them so the page stays alive.
func (ss *Session) runTo(s *sim.Sim, call string, t int64) *Error {
	return ss.slices(s, call, t, func() bool {
		at := s.NextEventAt()
		return at >= 0 && at <= t && s.Step()
	}, func() { s.RunUntil(t) })
}

// runToMark is runTo that stops right after a mark is applied, if one
// comes before virtual time t: the page pauses at a scenario's stages.
func (ss *Session) runToMark(s *sim.Sim, call string, t int64) *Error {
	return ss.runToChange(s, call, t, s.Marks)
}

// runToViolation is runTo that stops right after a checker records a
// violation, if one comes before t: the page pauses where a property broke.
func (ss *Session) runToViolation(s *sim.Sim, call string, t int64) *Error {
	return ss.runToChange(s, call, t, s.ViolationCount)
}

// runToMarkOrViolation stops at whichever comes first.
func (ss *Session) runToMarkOrViolation(s *sim.Sim, call string, t int64) *Error {
	return ss.runToChange(s, call, t, func() int { return s.Marks() + s.ViolationCount() })
}

// runToChange is runTo that stops right after count changes.
func (ss *Session) runToChange(s *sim.Sim, call string, t int64, count func() int) *Error {
	n := count()
	return ss.slices(s, call, t, func() bool {
		at := s.NextEventAt()
		return count() == n && at >= 0 && at <= t && s.Step()
	}, func() {
		if count() == n {
			s.RunUntil(t)
		}
	})
}

// slices calls step until it returns false, pausing every so often.
func (ss *Session) slices(s *sim.Sim, call string, until int64, step func() bool, finish func()) *Error {
	start := time.Now()
	for n := 1; step(); n++ {
		if n%128 == 0 && time.Since(start) >= ss.budget {
			if ss.pause != nil && !ss.pause(Progress{call, s.Now(), until}) {
				return errCanceled
			}
			start = time.Now()
		}
	}
	finish()
	return nil
}

// stepVisible runs to the next event that adds to the trace, at most
// StepLimitMs ahead (sim.StepVisible, in slices).
func (ss *Session) stepVisible() (bool, *Error) {
	s := ss.sim
	seq, end := s.LastSeq(), s.Now()+StepLimitMs
	err := ss.slices(s, "step", end, func() bool {
		at := s.NextEventAt()
		return s.LastSeq() == seq && at >= 0 && at <= end && s.Step()
	}, func() {})
	return s.LastSeq() != seq, err
}

// pending is how many actions of the replayed definition are still to come.
func (ss *Session) pending() int {
	if ss.base == nil {
		return 0
	}
	return len(ss.base) - ss.sim.Applied()
}

// act applies a live user action. The first one accepted while recorded
// actions are pending forks the run: they are dropped (API.md, time travel).
func (ss *Session) act(a sim.Action) *Error {
	if err := ss.sim.Do(a); err != nil {
		if h := ss.sim.Halted(); h != "" {
			return &Error{Code: CodeHalted, Msg: h + ". Go back to an earlier moment, or start a new run."}
		}
		return rejected(err.Error())
	}
	if ss.base != nil {
		ss.sim.DropPending()
		ss.base = nil
	}
	return nil
}

// definition is the run so far plus its pending actions. Whether peers
// ran on goroutines is left out: it does not change the trace.
func (ss *Session) definition() sim.Definition {
	def := ss.sim.Definition()
	if ss.base != nil {
		def.Actions = append(def.Actions, ss.base[ss.sim.Applied():]...)
	}
	def.Config.Goroutines = false
	return def
}

// appendStatus appends the run's status object (API.md, "Status").
func (ss *Session) appendStatus(w *jsonio.Writer) {
	s := ss.sim
	leader, term := s.Leader()
	w.Uint("run", ss.run)
	w.Int("time", s.Now())
	w.Uint("seq", s.LastSeq())
	w.Int("next", s.NextEventAt())
	w.Int("actions", int64(s.Applied()))
	w.Int("pending", int64(ss.pending()))
	w.Uint("leader", uint64(leader))
	w.Uint("term", term)
	w.Int("violations", int64(s.ViolationCount()))
	w.Str("halted", s.Halted())
	cfg := s.Config()
	w.Bool("preVote", cfg.PreVote)
	w.Bool("checkQuorum", cfg.CheckQuorum)
}

// appendEvents appends {run, after, last, gap, more, events}, each event
// with its text if asked.
func (ss *Session) appendEvents(b []byte, after uint64, limit int, text bool) []byte {
	evs, gap := ss.sim.AppendEvents(ss.batch[:0], after, limit)
	defer func() { ss.batch = evs[:0]; clear(evs) }() // keep the buffer, not the messages
	more := len(evs) > 0 && evs[len(evs)-1].Seq < ss.sim.LastSeq()
	w := jsonio.NewObject(b)
	w.Uint("run", ss.run)
	w.Uint("after", after)
	w.Uint("last", ss.sim.LastSeq())
	w.Bool("gap", gap)
	w.Bool("more", more)
	w.Key("events")
	w.B = append(w.B, '[')
	for i := range evs {
		if i > 0 {
			w.B = append(w.B, ',')
		}
		if text {
			w.B = evs[i].AppendJSONText(w.B)
		} else {
			w.B = evs[i].AppendJSON(w.B)
		}
	}
	w.B = append(w.B, ']')
	return w.End()
}

// traceJSON is the trace document of TRACE.md with this session's
// definition (pending actions in, goroutines out).
func (ss *Session) traceJSON() []byte { return ss.sim.AppendTrace(nil, ss.definition()) }
