package raft

import "context"

// Client requests at a Peer: writes, placed by the leader (forwarded to it
// by any peer: Submit, Write, WriteRequest; or only at the leader:
// Propose), and linearizable reads (SubmitRead, Read). Each request waits
// at the peer it was sent to until the peer applies it (or its read index)
// and answers.

// Request is a client write with its session (dissertation section 6.3):
// its identity. The same Request sent again, to any peer, is the same
// write, applied at most once. Session makes them.
type Request struct {
	// Client names the session: unique in the cluster, below 2^63; 0
	// means the peer's own session, as Write uses. Sequence numbers of a
	// client go 1, 2, 3...; Lowest is the lowest one still waiting for
	// its reply: replies below it may be forgotten, and a write below it
	// is refused as stale.
	Client, Seq, Lowest uint64
	Cmd                 []byte
}

// Proposal says where Propose placed a write: in the leader's log at
// Index, in Term. ID names the request for Cancel.
type Proposal struct {
	ID, Index, Term uint64
}

// Submit starts a write and returns once the peer has taken it: appended if
// this peer leads, forwarded to the leader if it knows one. The returned id
// names the request for Cancel.
//
// Each outcome comes one way. If Submit returns an error, the write was not
// taken and done is never called: a *NotLeaderError if no leader is known,
// ErrPending if the same write (client and sequence number) already waits
// here, ErrStopped (or the error the peer stopped with) if the peer is
// stopped, an error for a malformed request. Otherwise done is called
// exactly once, on the peer's goroutine: with the state machine's reply
// once the write is applied here, or with an error: ErrStopped if the peer
// stops first, an error if the write is stale (below a Lowest its client
// sent since). Until then the peer resends the write every RetryTicks; the
// session makes that safe.
func (p *Peer[S]) Submit(req Request, done func(reply []byte, err error)) (id uint64, err error) {
	if err := p.checkRequest(req); err != nil {
		return 0, err
	}
	req.Cmd = append([]byte(nil), req.Cmd...)
	a := p.exec(call{kind: callWrite, req: req, done: done})
	return a.id, a.err
}

// Propose places a write in this peer's log if it leads, and says where:
// the entry's index and term (Node.ProposeLocal). It never forwards: at a
// peer that does not lead, the error is a *NotLeaderError that names the
// leader this peer follows, if it knows one, so the caller can go there.
// Test harnesses and clients that pick their leader themselves use it;
// Submit and Write, which forward, are the usual way.
//
// As with Submit, an error means nothing was placed and done is never
// called; otherwise done is called exactly once: with the state machine's
// reply once this peer applies the write, or with ErrLost if this peer
// applies another entry at the write's index (the leader lost office
// before the write committed, and a new leader put something else there),
// or ErrStopped if the peer stops first. done may be nil: no one waits
// then. A Proposal is never resent: the leader that placed it replicates it.
func (p *Peer[S]) Propose(req Request, done func(reply []byte, err error)) (Proposal, error) {
	if err := p.checkRequest(req); err != nil {
		return Proposal{}, err
	}
	req.Cmd = append([]byte(nil), req.Cmd...)
	a := p.exec(call{kind: callPropose, req: req, done: done})
	return Proposal{ID: a.id, Index: a.index, Term: a.term}, a.err
}

func (p *Peer[S]) checkRequest(req Request) error {
	if req.Client&(1<<63) != 0 {
		return ErrClientID
	}
	if req.Client != 0 && (req.Seq == 0 || req.Lowest > req.Seq) {
		return errorOf("raft: request of client ", req.Client, " has sequence number ", req.Seq, " and lowest ", req.Lowest, "; want 1 <= lowest <= seq")
	}
	return nil
}

// entry turns a request into the command it proposes, in the peer's own
// session if it names none.
func (p *Peer[S]) entry(req *Request) Entry {
	e := Entry{Type: EntryCommand, Client: req.Client, Seq: req.Seq, Lowest: req.Lowest, Data: req.Cmd}
	if e.Client == 0 {
		p.seq++
		e.Client, e.Seq, e.Lowest = p.session, p.seq, p.writes.lowest(p.session, p.seq)
	}
	return e
}

// submit takes a write on the peer's goroutine.
func (p *Peer[S]) submit(c *call) answer {
	p.obs.Input = InputWrite
	e := p.entry(&c.req)
	if p.writes.waiting(e) {
		p.obs.Err = ErrPending // one waiter per write: the table answers one (see apply)
		return answer{err: ErrPending}
	}
	if err := p.node.Propose(e); err != nil {
		p.obs.Err = err
		return answer{err: err}
	}
	id := p.newRequest()
	p.writes.add(&pendingWrite{id: id, entry: e, done: c.done, retryAt: p.ticks + p.cfg.RetryTicks})
	return answer{taken: true, id: id}
}

// propose places a write at the leader on the peer's goroutine.
func (p *Peer[S]) propose(c *call) answer {
	p.obs.Input = InputWrite
	e := p.entry(&c.req)
	if p.writes.waiting(e) {
		p.obs.Err = ErrPending
		return answer{err: ErrPending}
	}
	index, term, err := p.node.ProposeLocal(e)
	if err != nil {
		p.obs.Err = err
		return answer{err: err}
	}
	id := p.newRequest()
	if c.done != nil {
		p.writes.add(&pendingWrite{id: id, entry: e, done: c.done, index: index})
	}
	return answer{taken: true, id: id, index: index, term: term}
}

func (p *Peer[S]) newRequest() uint64 {
	p.nextReq++
	p.obs.Request = p.nextReq
	return p.nextReq
}

// SubmitRead starts a linearizable read (ReadIndex) and returns once the
// peer has taken it. As with Submit, an error means the read was not taken
// and done is never called; otherwise done is called exactly once, on the
// peer's goroutine, with the state machine's answer, or with ErrStopped if
// the peer stops first.
func (p *Peer[S]) SubmitRead(query []byte, done func(reply []byte, err error)) (id uint64, err error) {
	a := p.exec(call{kind: callRead, query: append([]byte(nil), query...), done: done})
	return a.id, a.err
}

func (p *Peer[S]) submitRead(c *call) answer {
	p.obs.Input = InputRead
	id := p.nextReq + 1
	if err := p.node.ReadIndex(id); err != nil {
		p.obs.Err = err
		return answer{err: err}
	}
	p.newRequest()
	p.reads = append(p.reads, &pendingReadReq{id: id, query: c.query, done: c.done, retryAt: p.ticks + p.cfg.RetryTicks})
	return answer{taken: true, id: id}
}

// Cancel forgets a write or read that no one waits for any more; its done
// is not called. A canceled write may still be applied: cancel gives up the
// answer, not the write.
func (p *Peer[S]) Cancel(id uint64) error {
	return p.do(InputCancel, func() {
		p.writes.cancel(id)
		for i, r := range p.reads {
			if r.id == id {
				p.reads = append(p.reads[:i], p.reads[i+1:]...)
				break
			}
		}
	})
}

// Write applies cmd to the replicated state machine through the peer's own
// client session and returns the state machine's reply. Any peer takes
// writes: a follower forwards them to its leader. If no leader is known the
// error is a *NotLeaderError (errors.Is(err, ErrNotConfigured) if the peer
// belongs to no cluster yet); nothing was placed then.
//
// If ctx ends first, the error is ctx.Err() and the write may or may not be
// applied: it may be in the log already, and be applied later. Calling
// Write again sends a new write, which the state machine may then apply
// twice. To retry a write safely, give it an identity: WriteRequest.
func (p *Peer[S]) Write(ctx context.Context, cmd []byte) ([]byte, error) {
	return p.wait(ctx, func(done func([]byte, error)) (uint64, error) {
		return p.Submit(Request{Cmd: cmd}, done)
	})
}

// WriteRequest is Write for a write with an identity the caller keeps: a
// Request with the caller's client id and sequence number (Session makes
// them). If ctx ends first (the error is then ctx.Err(): the write may or
// may not be applied), or the peer fails, send the same Request again, to
// this peer or any other, until one answers: the state machine applies it
// at most once, and every answer is the reply of the one time it was
// applied. A Request whose Client is 0 is the peer's own session, as Write.
func (p *Peer[S]) WriteRequest(ctx context.Context, req Request) ([]byte, error) {
	return p.wait(ctx, func(done func([]byte, error)) (uint64, error) {
		return p.Submit(req, done)
	})
}

// Read answers query from the replicated state machine, linearizably: the
// answer reflects every write that completed before Read was called. If ctx
// ends first the error is ctx.Err(); a read changes nothing, so it can
// simply be called again.
func (p *Peer[S]) Read(ctx context.Context, query []byte) ([]byte, error) {
	return p.wait(ctx, func(done func([]byte, error)) (uint64, error) {
		return p.SubmitRead(query, done)
	})
}

type result struct {
	reply []byte
	err   error
}

func (p *Peer[S]) wait(ctx context.Context, submit func(func([]byte, error)) (uint64, error)) ([]byte, error) {
	if p.cfg.Inline {
		return nil, ErrInline
	}
	ch := make(chan result, 1)
	id, err := submit(func(r []byte, err error) { ch <- result{r, err} })
	if err != nil {
		return nil, err
	}
	select {
	case r := <-ch:
		return r.reply, r.err
	case <-ctx.Done():
		if p.Cancel(id) == nil {
			select { // it may have finished just before the cancel
			case r := <-ch:
				return r.reply, r.err
			default:
			}
		}
		return nil, ctx.Err()
	}
}

// apply runs one committed entry through the session table and the state
// machine, and answers the client waiting here, if any.
//
// It reports false if the state machine panicked: the peer has stopped.
func (p *Peer[S]) apply(e *Entry) bool {
	p.applied = e.Index
	observe := p.cfg.Observe != nil
	var reply []byte
	write := func() { reply, p.state = p.sm.Write(e.Data, p.state) }
	out := fresh
	switch {
	case e.Type != EntryCommand:
	case e.Client == 0:
		if err := p.guard("Write", e.Index, write); err != nil {
			p.stopWith(err)
			return false
		}
	default:
		var r []byte
		out, r = p.sessions.check(e.Client, e.Seq, e.Lowest)
		if p.cfg.Broken.Has(ApplyRetries) {
			out = fresh // broken on purpose: no session can stop a second apply
		}
		switch out {
		case fresh:
			if err := p.guard("Write", e.Index, write); err != nil {
				p.stopWith(err)
				return false
			}
			p.sessions.record(e.Client, e.Seq, reply)
			p.writes.answer(e, reply, nil)
		case duplicate:
			reply = r
			p.writes.answer(e, reply, nil)
		case stale:
			p.writes.answer(e, nil, errorOf("raft: write ", e.Seq, " of client ", e.Client,
				" is stale: the client has since said it holds every reply below ", p.sessions.clients[e.Client].lowest))
			reply = nil
		}
	}
	if observe {
		p.obs.Applied = append(p.obs.Applied, Applied{Entry: *e, Reply: reply, Skipped: out != fresh})
	}
	return true
}

// retry resends the writes and reads that have waited RetryTicks, in the
// order they were submitted.
func (p *Peer[S]) retry() {
	p.writes.due(p.ticks, p.cfg.RetryTicks, func(e Entry) {
		p.node.Propose(e) // no leader known: try again later
	})
	for _, r := range p.reads {
		if !r.known && p.ticks >= r.retryAt {
			r.retryAt = p.ticks + p.cfg.RetryTicks
			p.node.ReadIndex(r.id)
		}
	}
}

type pendingReadReq struct {
	id      uint64
	query   []byte
	done    func([]byte, error)
	index   uint64
	known   bool
	retryAt int
}

func (p *Peer[S]) readIndexKnown(rs ReadState) {
	for _, r := range p.reads {
		if r.id == rs.ID && !r.known {
			r.index, r.known = rs.Index, true
		}
	}
}

// serveReads answers, in order, the reads whose read index has been
// applied here.
func (p *Peer[S]) serveReads() {
	k := 0
	for i, r := range p.reads {
		if r.known && r.index <= p.applied {
			var reply []byte
			if err := p.guard("Read", r.index, func() { reply = p.sm.Read(r.query, p.state) }); err != nil {
				p.reads = append(p.reads[:k], p.reads[i:]...) // the reads not answered yet, r first
				p.stopWith(err)
				return
			}
			r.done(reply, nil)
			continue
		}
		p.reads[k] = r
		k++
	}
	clear(p.reads[k:])
	p.reads = p.reads[:k]
}
