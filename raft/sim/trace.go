package sim

// trace keeps the most recent events (all of them, or a bounded window, so
// that an hour-long run in a browser tab stays within its memory budget).
// Older history is never lost for good: replaying the definition rebuilds it.
type trace struct {
	limit  int     // -1: keep all; 0: keep none; n: keep the last n
	events []Event // a ring once full
	head   int     // index of the oldest event once the ring is full
	seq    uint64  // Seq of the last event recorded
}

// keeps reports whether recorded events are kept: if not, callers can
// leave out what only a reader of the trace would need.
func (t *trace) keeps() bool { return t.limit != 0 }

// record adds an event to the trace (e is filled in and copied: the caller
// builds it on its stack, and a run that keeps no events copies nothing).
func (s *Sim) record(e *Event) {
	t := &s.trace
	t.seq++
	e.Seq = t.seq
	e.Time = s.now
	if e.Kind == EvViolation && s.check != nil {
		s.check.violations = append(s.check.violations, *e)
	}
	switch {
	case t.limit == 0:
	case t.limit < 0 || len(t.events) < t.limit:
		t.events = append(t.events, *e)
	default:
		t.events[t.head] = *e
		t.head = (t.head + 1) % t.limit
	}
}

// Events returns the kept events with Seq > after, oldest first, and whether
// some events after that point have already been dropped from the window.
func (s *Sim) Events(after uint64) (events []Event, gap bool) {
	t := &s.trace
	n := len(t.events)
	if n == 0 {
		return nil, after < t.seq
	}
	oldest := t.seq - uint64(n) + 1
	if after+1 < oldest {
		gap = true
		after = oldest - 1
	}
	k := int(t.seq - after) // how many to return
	for i := n - k; i < n; i++ {
		events = append(events, t.events[(t.head+i)%n])
	}
	return events, gap
}

// LastSeq returns the Seq of the most recent event.
func (s *Sim) LastSeq() uint64 { return s.trace.seq }
