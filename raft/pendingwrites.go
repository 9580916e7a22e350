package raft

// pendingWrites are the writes waiting at a peer for their answers. They
// are indexed once, by session key (client, sequence number): that is how
// an applied entry finds its waiter. order keeps them in the order they
// came, for retries and for the lowest sequence number still waiting;
// answered and canceled writes leave it lazily.
type pendingWrites struct {
	byKey  map[sessionKey]*pendingWrite
	order  []*pendingWrite
	placed int // waiting writes placed by Propose: see lostBelow
}

type pendingWrite struct {
	id      uint64
	entry   Entry
	done    func([]byte, error)
	retryAt int    // Submit: when to send it again
	index   uint64 // Propose: where it was placed; 0 for Submit
	over    bool   // answered or canceled
}

func newPendingWrites() pendingWrites {
	return pendingWrites{byKey: make(map[sessionKey]*pendingWrite)}
}

func keyOf(e *Entry) sessionKey { return sessionKey{e.Client, e.Seq} }

// waiting reports whether a write of e's session key waits already.
func (ws *pendingWrites) waiting(e Entry) bool { return ws.byKey[keyOf(&e)] != nil }

func (ws *pendingWrites) add(w *pendingWrite) {
	ws.trim() // a peer whose clock does not tick would otherwise keep every write
	ws.byKey[keyOf(&w.entry)] = w
	ws.order = append(ws.order, w)
	if w.index != 0 {
		ws.placed++
	}
}

// answer answers the write waiting for entry e, if any.
func (ws *pendingWrites) answer(e *Entry, reply []byte, err error) {
	if w := ws.byKey[keyOf(e)]; w != nil {
		ws.finish(w, reply, err)
	}
}

func (ws *pendingWrites) finish(w *pendingWrite, reply []byte, err error) {
	ws.forget(w)
	w.done(reply, err)
}

// forget drops w, whose done will not be called again.
func (ws *pendingWrites) forget(w *pendingWrite) {
	delete(ws.byKey, keyOf(&w.entry))
	w.over = true
	if w.index != 0 {
		ws.placed--
	}
}

// cancel forgets the write with request id, if it waits.
func (ws *pendingWrites) cancel(id uint64) {
	for _, w := range ws.order {
		if w.id == id && !w.over {
			ws.forget(w)
			return
		}
	}
}

// trim drops answered and canceled writes from the front of order.
func (ws *pendingWrites) trim() {
	for len(ws.order) > 0 && ws.order[0].over {
		ws.order[0] = nil
		ws.order = ws.order[1:]
	}
}

// lowest returns the lowest sequence number of session still waiting for
// a reply, or next if none waits.
func (ws *pendingWrites) lowest(session, next uint64) uint64 {
	ws.trim()
	for _, w := range ws.order {
		if !w.over && w.entry.Client == session {
			return w.entry.Seq
		}
	}
	return next
}

// due calls resend, in the order they came, for the writes sent with
// Submit that have waited retry ticks since they were last sent, and drops
// the answered ones from order.
func (ws *pendingWrites) due(now, retry int, resend func(Entry)) {
	k := 0
	for _, w := range ws.order {
		if w.over {
			continue
		}
		ws.order[k] = w
		k++
		if w.index == 0 && now >= w.retryAt {
			w.retryAt = now + retry
			resend(w.entry)
		}
	}
	clear(ws.order[k:])
	ws.order = ws.order[:k]
}

// lostBelow fails the writes placed by Propose at or below index, which
// the peer has applied: had their entry been there, applying it would have
// answered them; another entry took their place.
func (ws *pendingWrites) lostBelow(index uint64) {
	if ws.placed == 0 {
		return
	}
	for _, w := range ws.order {
		if !w.over && w.index != 0 && w.index <= index {
			ws.finish(w, nil, ErrLost)
		}
	}
}

// failAll ends every waiting write with err.
func (ws *pendingWrites) failAll(err error) {
	for _, w := range ws.order {
		if !w.over {
			ws.finish(w, nil, err)
		}
	}
	ws.order = nil
}
