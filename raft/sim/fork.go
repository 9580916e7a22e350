package sim

// Forking a replayed run. Replaying a definition to an instant and going on
// shows the recorded future again. A user who acts at that instant instead
// forks the run: Do drops the actions still to come, and the definition
// becomes the actions applied so far plus whatever the user does next.

// Applied returns how many actions the run has applied: the length of
// Definition().Actions, without copying them.
func (s *Sim) Applied() int { return s.next + len(s.live) }

// Pending returns how many actions of the definition are still to come.
func (s *Sim) Pending() int { return len(s.script) - s.next }

// DropPending drops the actions of the definition not yet applied and
// returns how many there were. Do calls it before a live action.
func (s *Sim) DropPending() int {
	n := len(s.script) - s.next
	if s.scriptItem != nil {
		s.queue.remove(s.scriptItem)
		s.scriptItem = nil
	}
	s.script = s.script[:s.next:s.next]
	return n
}

// Marks returns how many marks the run has applied, so a caller can stop
// as soon as it reaches one.
func (s *Sim) Marks() int { return s.marks }
