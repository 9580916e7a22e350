package raft

import (
	"context"
	"errors"
	"sync"
)

// PeerConfig sets up a Peer.
type PeerConfig struct {
	Config // the protocol's settings: ID, timeouts, randomness

	Storage   Storage   // what survives a crash; nil means a new MemoryStorage
	Transport Transport // required
	Clock     Clock     // required

	// RetryTicks is how long a write or read waits for its answer before
	// the peer sends it again, to whichever leader it knows then. Zero means
	// twice ElectionTimeoutMax.
	RetryTicks int

	// Inline runs the peer on the caller's goroutine: each call returns
	// after the peer has handled it, and nothing happens between calls. A
	// deterministic simulator uses it to drive many peers from one loop.
	// Write and Read would wait forever inline; use Submit and SubmitRead.
	Inline bool

	// SnapshotEvery is how many entries the peer applies between snapshots
	// (log compaction, section 7), if its state machine is a Snapshotter.
	// Zero means DefaultSnapshotEvery; negative, never.
	SnapshotEvery int

	// Observe, if set, is called after every input the peer handles, on the
	// peer's goroutine, with what that input changed. It must not call the
	// Peer's methods. With it, the peer saves after each input rather than
	// once for the inputs that queued up meanwhile (group commit).
	Observe func(*Observation)
}

// Errors a Peer's callers may see, besides *NotLeaderError.
var (
	ErrStopped  = errors.New("raft: peer stopped")
	ErrInline   = errors.New("raft: Write and Read would block an inline peer forever; use Submit and SubmitRead")
	ErrClientID = errors.New("raft: client ids with the top bit set are reserved for peers' own sessions")
	ErrPending  = errors.New("raft: this write (client and sequence number) is already waiting for its reply at this peer")
)

// Peer runs one Raft peer: a Node, its Storage, a StateMachine with its
// client sessions, a Transport and a Clock. Every input (a message, a tick,
// a client call) is handled to completion, in order, on the peer's own
// goroutine: saved, sent, applied, answered.
type Peer[S any] struct {
	id   ID
	cfg  PeerConfig
	node *Node
	sm   StateMachine[S]

	// Owned by the peer's goroutine.
	state    S
	sessions sessionTable
	session  uint64                   // the peer's own client session, for Write
	seq      uint64                   // its last sequence number
	nextReq  uint64                   // the last request id; see StartPeer
	writes   map[uint64]*pendingWrite // by request id
	byKey    map[sessionKey]*pendingWrite
	order    []*pendingWrite // submission order, for retries
	reads    []*pendingReadReq
	ticks    int
	waiters  []func(ID)
	halted   bool
	err      error
	obs      Observation

	inbox     chan call
	msgs      chan Message // deliveries handed over without waiting (nil with Observe)
	quit      chan struct{}
	exited    chan struct{}
	stopOnce  sync.Once
	stopClock func()
	stopNet   func()
	release   func() // gives the storage back (see ExclusiveStorage)
}

// call is one input handed to the peer's goroutine. Messages and ticks,
// the inputs that come all the time, travel as values rather than as
// closures, which would cost an allocation each.
type call struct {
	kind callKind
	f    func()     // callFunc
	msg  Message    // callDeliver
	done chan error // the peer's error once c is handled (nil if none)
}

type callKind uint8

const (
	callFunc callKind = iota
	callDeliver
	callTick
	callStop // the goroutine shuts the peer down and ends
)

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

type pendingWrite struct {
	id      uint64
	entry   Entry
	done    func([]byte, error)
	retryAt int
}

type pendingReadReq struct {
	id      uint64
	query   []byte
	done    func([]byte, error)
	index   uint64
	known   bool
	retryAt int
}

// StartPeer starts a peer running sm, restored from cfg.Storage. A storage
// that a running peer still uses is refused (ErrStorageInUse; see
// ExclusiveStorage): Stop the old peer first, as a restart after a crash
// does.
func StartPeer[S any](sm StateMachine[S], cfg PeerConfig) (*Peer[S], error) {
	if cfg.Transport == nil || cfg.Clock == nil {
		return nil, errors.New("raft: PeerConfig needs a Transport and a Clock")
	}
	if cfg.Storage == nil {
		cfg.Storage = NewMemoryStorage()
	}
	if cfg.RetryTicks <= 0 {
		cfg.RetryTicks = 2 * cfg.ElectionTimeoutMax
	}
	release, err := claim(cfg.Storage, cfg.ID)
	if err != nil {
		return nil, err
	}
	started := false
	defer func() {
		if !started {
			release()
		}
	}()
	stored, err := cfg.Storage.Load()
	if err != nil {
		return nil, wrapError(err, "raft: loading ", cfg.ID, "'s storage")
	}
	node, err := NewNode(cfg.Config, stored)
	if err != nil {
		return nil, err
	}
	p := &Peer[S]{
		id: cfg.ID, cfg: cfg, node: node, sm: sm,
		state:    sm.Init(),
		sessions: make(sessionTable),
		writes:   make(map[uint64]*pendingWrite),
		byKey:    make(map[sessionKey]*pendingWrite),
		quit:     make(chan struct{}),
		exited:   make(chan struct{}),
		release:  release,
	}
	p.obs.node, p.obs.state, p.obs.ptr = node, func() any { return p.state }, &p.state
	if stored.Snapshot.Index != 0 {
		if err := p.restore(stored.Snapshot); err != nil {
			return nil, err
		}
	}
	p.handle(func() {
		p.obs.Input = InputStart
		boots := node.Boot()
		p.session = peerSession(cfg.ID, boots)
		// Request ids start in a range of this boot's own. A read's id
		// travels to the leader and back: a reply to a read asked before a
		// crash, still in the network, must not answer a read asked after
		// the restart, with a read index from before writes it must see.
		p.nextReq = (boots - 1) << 32
	})
	if p.err != nil {
		return nil, p.err
	}
	if !cfg.Inline {
		p.inbox = make(chan call)
		if cfg.Observe == nil {
			p.msgs = make(chan Message, maxBatch)
		}
		go p.run()
	}
	p.stopNet = cfg.Transport.Listen(cfg.ID, p.deliver)
	p.stopClock = cfg.Clock.Start(p.tick)
	started = true
	return p, nil
}

// peerSession names a peer's own client session for one boot; the top bit
// keeps it apart from the sessions of outside clients.
func peerSession(id ID, boots uint64) uint64 {
	x := uint64(id)*0x9e3779b97f4a7c15 ^ boots*0xbf58476d1ce4e5b9
	x ^= x >> 31
	x *= 0x94d049bb133111eb
	x ^= x >> 29
	return x | 1<<63
}

// ID returns the peer's id.
func (p *Peer[S]) ID() ID { return p.id }

// maxBatch bounds how many waiting calls the peer handles before it saves
// and sends what they asked for.
const maxBatch = 256

// run is the peer's goroutine: it handles calls until Stop's. The calls
// and messages that arrived while it was busy (saving to disk, most often)
// are handled together and flushed once, so one Storage.Sync covers them
// all: group commit. Messages wait in a queue of their own, so that a
// transport can hand over the next while the peer saves. An Observe
// callback sees inputs one at a time, so with one the peer flushes after
// each call, and a delivery waits until it is handled. (A receive from one
// channel costs less than a select of two.)
func (p *Peer[S]) run() {
	defer close(p.exited)
	if p.msgs == nil {
		for {
			c := <-p.inbox
			if c.kind == callStop {
				p.shutdown()
				return
			}
			p.handleCall(&c)
			c.done <- p.err // the caller may not read p.err: the next call may set it
		}
	}
	batch := make([]call, 0, maxBatch)
	for {
		var c call
		select {
		case c = <-p.inbox:
		case m := <-p.msgs:
			c = call{kind: callDeliver, msg: m}
		}
		batch = append(batch[:0], c)
		stop := c.kind == callStop
	gather:
		for !stop && len(batch) < maxBatch {
			select {
			case c := <-p.inbox:
				batch = append(batch, c)
				stop = c.kind == callStop
			case m := <-p.msgs:
				batch = append(batch, call{kind: callDeliver, msg: m})
			default:
				break gather
			}
		}
		if stop {
			batch = batch[:len(batch)-1]
		}
		p.handleBatch(batch)
		for i := range batch {
			if batch[i].done != nil {
				batch[i].done <- p.err
			}
			batch[i] = call{}
		}
		if stop {
			p.shutdown()
			return
		}
	}
}

var donePool = sync.Pool{New: func() any { return make(chan error, 1) }}

// do runs f on the peer's goroutine and returns when the peer has handled
// everything f started.
func (p *Peer[S]) do(f func()) error { return p.exec(call{kind: callFunc, f: f}) }

// exec hands c to the peer's goroutine, or handles it here if the peer is
// inline, and returns when it is handled.
func (p *Peer[S]) exec(c call) error {
	if p.cfg.Inline {
		if p.halted && p.err == nil {
			return ErrStopped
		}
		p.handleCall(&c) // does nothing once the peer has halted
		return p.err
	}
	c.done = donePool.Get().(chan error)
	select {
	case p.inbox <- c: // the goroutine was waiting for it, as it mostly is
	default:
		select {
		case p.inbox <- c:
		case <-p.quit:
			donePool.Put(c.done)
			return ErrStopped
		}
	}
	err := <-c.done
	donePool.Put(c.done)
	return err
}

// inline is do for an inline peer, for callers that want their f to stay
// off the heap (do's f escapes, since it may travel on a channel).
func (p *Peer[S]) inline(f func()) error {
	if p.halted && p.err == nil {
		return ErrStopped
	}
	p.handle(f)
	return p.err
}

func (p *Peer[S]) handle(f func()) {
	if p.halted {
		return
	}
	p.obs.reset()
	f()
	p.finish()
}

func (p *Peer[S]) handleCall(c *call) {
	if p.halted {
		return
	}
	p.obs.reset()
	p.input(c)
	p.finish()
}

// handleBatch handles calls in order, then flushes once for them all.
func (p *Peer[S]) handleBatch(cs []call) {
	if p.halted {
		return
	}
	p.obs.reset()
	for i := range cs {
		p.input(&cs[i])
	}
	p.flush()
}

func (p *Peer[S]) input(c *call) {
	switch c.kind {
	case callDeliver:
		p.step(&c.msg)
	case callTick:
		p.tickOnce()
	default:
		c.f()
	}
}

// finish carries out what the input asked for and reports it.
func (p *Peer[S]) finish() {
	p.flush()
	if p.cfg.Observe != nil && p.obs.Input != InputQuery {
		p.cfg.Observe(&p.obs)
	}
}

// deliver and tick are the hot inputs: inline, they are handled at once;
// on the peer's goroutine, they travel without a closure.
func (p *Peer[S]) deliver(m Message) {
	if p.msgs != nil { // handed over; handled with what else is waiting
		select {
		case p.msgs <- m:
		case <-p.quit:
		}
		return
	}
	if !p.cfg.Inline {
		p.exec(call{kind: callDeliver, msg: m})
		return
	}
	if !p.halted {
		p.obs.reset()
		p.step(&m)
		p.finish()
	}
}

func (p *Peer[S]) step(m *Message) {
	p.obs.Input, p.obs.Message = InputMessage, *m
	p.obs.Err = p.node.Step(*m)
}

func (p *Peer[S]) tick() {
	if !p.cfg.Inline {
		p.exec(call{kind: callTick})
		return
	}
	if !p.halted {
		p.obs.reset()
		p.tickOnce()
		p.finish()
	}
}

func (p *Peer[S]) tickOnce() {
	p.obs.Input = InputTick
	p.ticks++
	term := p.node.term
	p.node.Tick()
	p.obs.TimedOut = p.node.term > term // only an election moves the term on a tick
	p.retry()
}

// flush carries out everything the node asked for (see Node.Ready).
func (p *Peer[S]) flush() {
	for p.err == nil && p.node.HasReady() {
		rd := p.node.Ready()
		if rd.SaveState {
			if err := p.cfg.Storage.SaveState(rd.HardState); err != nil {
				p.fail(err)
				return
			}
		}
		if rd.Snapshot.Index != 0 {
			if err := p.cfg.Storage.SaveSnapshot(rd.Snapshot); err != nil {
				p.fail(err)
				return
			}
			if err := p.restore(rd.Snapshot); err != nil {
				if !p.halted { // else the state machine panicked and stopped the peer
					p.fail(err)
				}
				return
			}
			p.obs.Snapshot, p.obs.Installed = rd.Snapshot, true
		}
		if len(rd.Entries) > 0 {
			if err := p.cfg.Storage.Append(rd.Entries); err != nil {
				p.fail(err)
				return
			}
			p.obs.Appended = append(p.obs.Appended, rd.Entries...)
		}
		// With group commit, what promises nothing about this peer's
		// storage leaves while it saves: a leader writes its entries in
		// parallel with its followers (see Message.WaitsForSync).
		early := p.msgs != nil
		if early {
			for _, m := range rd.Messages {
				if !m.WaitsForSync() {
					p.cfg.Transport.Send(m)
				}
			}
		}
		if rd.SaveState || rd.Snapshot.Index != 0 || len(rd.Entries) > 0 {
			if err := p.cfg.Storage.Sync(); err != nil {
				p.fail(err)
				return
			}
		}
		for _, m := range rd.Messages {
			if !early || m.WaitsForSync() {
				p.cfg.Transport.Send(m)
			}
		}
		p.obs.Sent = append(p.obs.Sent, rd.Messages...)
		for i := range rd.Committed {
			if !p.apply(&rd.Committed[i]) {
				return // the state machine panicked: the peer has stopped
			}
		}
		if len(rd.Committed) > 0 {
			p.maybeSnapshot()
		}
		for _, rs := range rd.Reads {
			p.readIndexKnown(rs)
		}
	}
	if len(p.reads) > 0 {
		p.serveReads()
	}
	if len(p.waiters) > 0 && p.node.leader != None {
		for _, w := range p.waiters {
			w(p.node.leader)
		}
		p.waiters = nil
	}
}

// fail stops the peer after its storage failed: going on could break the
// promises it made to others (fail-stop).
func (p *Peer[S]) fail(err error) {
	p.err = wrapError(err, "raft: ", p.id, " stopped: storage failed")
	p.halt(p.err)
}

// apply runs one committed entry through the session table and the state
// machine, and answers the client waiting here, if any.
//
// It reports false if the state machine panicked: the peer has stopped.
func (p *Peer[S]) apply(e *Entry) bool {
	var reply []byte
	write := func() { reply, p.state = p.sm.Write(e.Data, p.state) }
	switch e.Type {
	case EntryCommand:
		if e.Client == 0 {
			if err := p.guard("Write", e.Index, write); err != nil {
				p.stopWith(err)
				return false
			}
			p.obs.Applied = append(p.obs.Applied, Applied{Entry: *e, Reply: reply})
			return true
		}
		out, r := p.sessions.check(e.Client, e.Seq, e.Lowest)
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
		case duplicate:
			reply = r
		case stale:
			if w := p.byKey[sessionKey{e.Client, e.Seq}]; w != nil {
				p.finishWrite(w, nil, errorOf("raft: write ", e.Seq, " of client ", e.Client,
					" is stale: the client has since said it holds every reply below ", p.sessions[e.Client].lowest))
			}
			p.obs.Applied = append(p.obs.Applied, Applied{Entry: *e, Skipped: true})
			return true
		}
		if w := p.byKey[sessionKey{e.Client, e.Seq}]; w != nil {
			p.finishWrite(w, reply, nil)
		}
		p.obs.Applied = append(p.obs.Applied, Applied{Entry: *e, Reply: reply, Skipped: out == duplicate})
		return true
	}
	p.obs.Applied = append(p.obs.Applied, Applied{Entry: *e})
	return true
}

func (p *Peer[S]) finishWrite(w *pendingWrite, reply []byte, err error) {
	delete(p.writes, w.id)
	delete(p.byKey, sessionKey{w.entry.Client, w.entry.Seq})
	w.done(reply, err)
}

// Submit starts a write and returns once the peer has taken it: appended if
// this peer leads, forwarded to the leader if it knows one. done is called
// once, on the peer's goroutine, with the state machine's reply once the
// write is applied here, or with an error: a *NotLeaderError at once if no
// leader is known, ErrPending at once if the same write (client and
// sequence number) already waits here, ErrStopped if the peer stops first,
// an error if the write is stale (below a Lowest its client sent since).
// Until then the peer resends the write every RetryTicks; the session
// makes that safe.
//
// The returned id names the request for Cancel.
func (p *Peer[S]) Submit(req Request, done func(reply []byte, err error)) (id uint64, err error) {
	if req.Client&(1<<63) != 0 {
		return 0, ErrClientID
	}
	if req.Client != 0 && (req.Seq == 0 || req.Lowest > req.Seq) {
		return 0, errorOf("raft: request of client ", req.Client, " has sequence number ", req.Seq, " and lowest ", req.Lowest, "; want 1 <= lowest <= seq")
	}
	cmd := append([]byte(nil), req.Cmd...)
	if p.cfg.Inline { // a simulator's every client request: keep the closure off the heap
		var iid uint64
		err = p.inline(func() { iid = p.submit(req, cmd, done) })
		return iid, err
	}
	err = p.do(func() { id = p.submit(req, cmd, done) })
	return id, err
}

// submit proposes a write on the peer's goroutine and returns its request
// id, or 0 if it was refused (done has the error).
func (p *Peer[S]) submit(req Request, cmd []byte, done func([]byte, error)) uint64 {
	p.obs.Input = InputWrite
	p.trimOrder()
	e := Entry{Type: EntryCommand, Client: req.Client, Seq: req.Seq, Lowest: req.Lowest, Data: cmd}
	if e.Client == 0 {
		p.seq++
		e.Client, e.Seq, e.Lowest = p.session, p.seq, p.lowestOwn()
	} else if p.byKey[sessionKey{e.Client, e.Seq}] != nil {
		// One waiter per write: the table answers one (see apply).
		p.obs.Err = ErrPending
		done(nil, ErrPending)
		return 0
	}
	if err := p.node.Propose(e); err != nil {
		p.obs.Err = err
		done(nil, err)
		return 0
	}
	p.nextReq++
	id := p.nextReq
	w := &pendingWrite{id: id, entry: e, done: done, retryAt: p.ticks + p.cfg.RetryTicks}
	p.writes[id] = w
	p.byKey[sessionKey{e.Client, e.Seq}] = w
	p.order = append(p.order, w)
	p.obs.Request = id
	return id
}

// lowestOwn returns the lowest sequence number of the peer's own session
// still waiting for a reply (or the next one, if none waits).
func (p *Peer[S]) lowestOwn() uint64 {
	for _, w := range p.order {
		if p.writes[w.id] == w && w.entry.Client == p.session {
			return w.entry.Seq
		}
	}
	return p.seq
}

// trimOrder drops answered and canceled writes from the front of order, as
// retry does on every tick. Without it, a peer whose clock does not tick
// would keep every write ever made there, and lowestOwn would scan them all
// on every Submit.
func (p *Peer[S]) trimOrder() {
	for len(p.order) > 0 && p.writes[p.order[0].id] != p.order[0] {
		p.order[0] = nil
		p.order = p.order[1:]
	}
}

// SubmitRead starts a linearizable read (ReadIndex) and returns once the
// peer has taken it. done is called once, on the peer's goroutine, with the
// state machine's answer, or with an error as for Submit.
func (p *Peer[S]) SubmitRead(query []byte, done func(reply []byte, err error)) (id uint64, err error) {
	q := append([]byte(nil), query...)
	err = p.do(func() {
		p.obs.Input = InputRead
		p.nextReq++
		r := &pendingReadReq{id: p.nextReq, query: q, done: done, retryAt: p.ticks + p.cfg.RetryTicks}
		if err := p.node.ReadIndex(r.id); err != nil {
			p.obs.Err = err
			done(nil, err)
			return
		}
		id = r.id
		p.reads = append(p.reads, r)
		p.obs.Request = id
	})
	return id, err
}

// Cancel forgets a write or read that no one waits for any more; its done
// is not called. A canceled write may still be applied: cancel gives up the
// answer, not the write.
func (p *Peer[S]) Cancel(id uint64) error {
	return p.do(func() {
		p.obs.Input = InputCancel
		if w := p.writes[id]; w != nil {
			delete(p.writes, id)
			delete(p.byKey, sessionKey{w.entry.Client, w.entry.Seq})
		}
		for i, r := range p.reads {
			if r.id == id {
				p.reads = append(p.reads[:i], p.reads[i+1:]...)
				break
			}
		}
	})
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
		if r.known && r.index <= p.node.applied {
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

// retry resends the writes and reads that have waited RetryTicks, in the
// order they were submitted.
func (p *Peer[S]) retry() {
	k := 0
	for _, w := range p.order {
		if p.writes[w.id] != w {
			continue // answered or canceled
		}
		p.order[k] = w
		k++
		if p.ticks >= w.retryAt {
			w.retryAt = p.ticks + p.cfg.RetryTicks
			p.node.Propose(w.entry) // no leader known: try again later
		}
	}
	clear(p.order[k:])
	p.order = p.order[:k]
	for _, r := range p.reads {
		if !r.known && p.ticks >= r.retryAt {
			r.retryAt = p.ticks + p.cfg.RetryTicks
			p.node.ReadIndex(r.id)
		}
	}
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

// SetConfiguration makes this new peer the first member of a cluster with
// the given members, as in the talk; see Node.SetConfiguration.
func (p *Peer[S]) SetConfiguration(members []ID) error {
	var err error
	if e := p.do(func() {
		p.obs.Input = InputConfigure
		err = p.node.SetConfiguration(members)
		p.obs.Err = err
	}); e != nil {
		return e
	}
	return err
}

// Campaign makes the peer start an election now, as if its election timer
// had run out (see Node.Campaign): RaftScope's "time out".
func (p *Peer[S]) Campaign() error {
	return p.do(func() {
		p.obs.Input = InputCampaign
		term := p.node.term
		p.node.Campaign()
		p.obs.TimedOut = p.node.term > term
	})
}

// SetElectionTimer makes the peer's election timer fire after ticks more
// ticks (see Node.SetElectionTimer).
func (p *Peer[S]) SetElectionTimer(ticks int) error {
	return p.do(func() { p.obs.Input = InputTimer; p.node.SetElectionTimer(ticks) })
}

// WaitForLeader returns the leader as soon as this peer knows one.
func (p *Peer[S]) WaitForLeader(ctx context.Context) (ID, error) {
	ch := make(chan ID, 1)
	if err := p.do(func() {
		p.obs.Input = InputQuery
		p.waiters = append(p.waiters, func(id ID) { ch <- id })
	}); err != nil {
		return None, err
	}
	select {
	case id := <-ch:
		if id == None {
			return None, ErrStopped
		}
		return id, nil
	case <-ctx.Done():
		return None, ctx.Err()
	}
}

// Status returns a snapshot of the peer's Raft state.
func (p *Peer[S]) Status() (Status, error) {
	var s Status
	err := p.do(func() { p.obs.Input = InputQuery; s = p.node.Status() })
	return s, err
}

// Entries returns a copy of the log's entries from index lo to hi
// inclusive (clipped to the log).
func (p *Peer[S]) Entries(lo, hi uint64) ([]Entry, error) {
	var es []Entry
	err := p.do(func() { p.obs.Input = InputQuery; es = p.node.Entries(lo, hi) })
	return es, err
}

// State returns the state machine's state as this peer has applied it.
func (p *Peer[S]) State() (S, error) {
	var s S
	err := p.do(func() { p.obs.Input = InputQuery; s = p.state })
	return s, err
}

// Stop stops the peer, as a crash would: what it saved stays in its
// Storage, everything else is gone. Waiting writes and reads get
// ErrStopped. Stop must not be called from an Observe or done callback.
func (p *Peer[S]) Stop() error {
	p.stopOnce.Do(func() {
		p.stopClock()
		p.stopNet()
		defer p.release() // only once the peer is done with its storage
		if p.cfg.Inline {
			p.shutdown()
			return
		}
		p.inbox <- call{kind: callStop}
		<-p.exited
		close(p.quit) // callers still waiting to hand the peer a call give up
	})
	return p.err
}

func (p *Peer[S]) shutdown() { p.halt(ErrStopped) }

// halt fails every waiting request and ignores all further input.
func (p *Peer[S]) halt(err error) {
	if p.halted {
		return
	}
	p.halted = true
	for _, w := range p.order {
		if p.writes[w.id] == w {
			w.done(nil, err)
		}
	}
	for _, r := range p.reads {
		r.done(nil, err)
	}
	for _, w := range p.waiters {
		w(None)
	}
	p.writes, p.byKey, p.order, p.reads, p.waiters = nil, nil, nil, nil, nil
}
