package sim

// Forking a replayed run. A run made from a definition queues all of its
// actions at once; replaying it to an instant and going on shows the
// recorded future again. A user who acts at that instant instead forks the
// run: the actions still to come are dropped, and the definition becomes
// the actions applied so far plus whatever the user does next.

// Applied returns how many actions the run has applied: the length of
// Definition().Actions, without copying them.
func (s *Sim) Applied() int { return len(s.actions) }

// DropPending cancels the queued actions not yet applied and returns how
// many there were.
func (s *Sim) DropPending() int {
	n := 0
	for _, it := range s.queue.items {
		if it.kind == itemAction && !it.canceled {
			it.canceled = true
			n++
		}
	}
	return n
}
