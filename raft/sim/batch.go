package sim

// AppendEvents appends to dst at most max of the kept events with Seq >
// after, oldest first, and reports whether events after that point were
// already dropped from the window (as Events does). It copies only what it
// returns, so a reader following the trace in batches (the playground, once
// per animation frame) neither copies the whole window nor allocates when
// it reuses dst.
func (s *Sim) AppendEvents(dst []Event, after uint64, max int) ([]Event, bool) {
	t := &s.trace
	n := len(t.events)
	if n == 0 {
		return dst, after < t.seq
	}
	gap := false
	if oldest := t.seq - uint64(n) + 1; after+1 < oldest {
		gap, after = true, oldest-1
	}
	if after >= t.seq || max <= 0 {
		return dst, gap
	}
	from := n - int(t.seq-after) // position of the first event to return
	for i := from; i < n && i < from+max; i++ {
		dst = append(dst, t.events[(t.head+i)%n])
	}
	return dst, gap
}
