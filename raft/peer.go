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

	maxSessions int // MaxSessions unless a test in this package says fewer
}

// Errors a Peer's callers may see, besides *NotLeaderError.
var (
	ErrStopped  = errors.New("raft: peer stopped")
	ErrInline   = errors.New("raft: Write and Read would block an inline peer forever; use Submit and SubmitRead")
	ErrClientID = errors.New("raft: client ids with the top bit set are reserved for peers' own sessions")
	ErrPending  = errors.New("raft: this write (client and sequence number) is already waiting for its reply at this peer")
	// ErrLost answers a write placed by Propose when the peer applies
	// another entry at its index: its leader lost office before the write
	// committed, and a new leader put something else there.
	ErrLost = errors.New("raft: the write was lost: its leader lost office before it committed, and another entry took its place in the log")
)

// Peer runs one Raft peer: a Node, its Storage, a StateMachine with its
// client sessions, a Transport and a Clock. Every input (a message, a tick,
// a client call) is handled in order on the peer's own goroutine; the
// inputs that queue up while the peer is busy are handled together, and
// what they ask for is saved, sent and applied once for all of them.
//
// The Peer drives its Node through the Node's exported methods only, as
// any runtime would.
type Peer[S any] struct {
	id   ID
	cfg  PeerConfig
	node *Node
	sm   StateMachine[S]

	// Owned by the peer's goroutine.
	state    S
	sessions *sessionTable
	applied  uint64 // the last entry applied to state (or restored)
	session  uint64 // the peer's own client session, for Write
	seq      uint64 // its last sequence number
	nextReq  uint64 // the last request id; see StartPeer
	writes   pendingWrites
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

// call is one input to the peer. Every input travels as a call, through
// exec, whichever goroutine runs the peer. The inputs that come all the
// time (messages, ticks, writes) are plain values rather than closures,
// which would cost an allocation each.
type call struct {
	kind  callKind
	msg   Message             // callMessage
	req   Request             // callWrite, callPropose (its Cmd copied)
	query []byte              // callRead (copied)
	done  func([]byte, error) // callWrite, callPropose, callRead
	f     func()              // callFunc
	input InputKind           // callFunc: what f is, for an observer

	ans   answer      // set once the call is handled
	reply chan answer // a goroutine peer's caller waits here
}

type callKind uint8

const (
	callMessage callKind = iota
	callTick
	callWrite   // Submit: forwarded to the leader if need be
	callPropose // Propose: at the leader only
	callRead    // SubmitRead
	callFunc    // everything rare: f runs on the peer's goroutine
	callStop    // the goroutine shuts the peer down and ends
)

// answer is what exec returns to the caller of a call.
type answer struct {
	// taken is true if the call started a request (id, and for Propose
	// index and term, name it): its done will be called once.
	taken           bool
	id, index, term uint64
	err             error // the call was refused, or the peer has stopped
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
	if cfg.maxSessions <= 0 {
		cfg.maxSessions = MaxSessions
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
		sessions: newSessionTable(cfg.maxSessions),
		writes:   newPendingWrites(),
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
	start := []call{{kind: callFunc, input: InputStart, f: func() {
		boots := node.Boot()
		p.session = peerSession(cfg.ID, boots)
		// Request ids start in a range of this boot's own. A read's id
		// travels to the leader and back: a reply to a read asked before a
		// crash, still in the network, must not answer a read asked after
		// the restart, with a read index from before writes it must see.
		p.nextReq = (boots - 1) << 32
	}}}
	p.handle(start)
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

// run is the peer's goroutine: it handles calls until Stop's. It takes
// every call and message waiting (up to maxBatch) and handles them
// together: the entries they propose go out in one AppendEntries per
// follower, and one Storage.Sync covers all they save (group commit).
// Messages wait in a queue of their own, so that a transport can hand over
// the next while the peer saves. An Observe callback sees inputs one at a
// time, so with one the peer flushes after each call, and a delivery waits
// until it is handled.
func (p *Peer[S]) run() {
	defer close(p.exited)
	batch := make([]call, 0, maxBatch)
	for {
		var c call
		if p.msgs == nil {
			c = <-p.inbox // a receive from one channel costs less than a select of two
		} else {
			select {
			case c = <-p.inbox:
			case m := <-p.msgs:
				c = call{kind: callMessage, msg: m}
			}
		}
		batch = append(batch[:0], c)
		stop := c.kind == callStop
	gather:
		for !stop && len(batch) < maxBatch {
			select {
			case c := <-p.inbox:
				batch = append(batch, c)
				stop = c.kind == callStop
			case m := <-p.msgs: // never ready when nil
				batch = append(batch, call{kind: callMessage, msg: m})
			default:
				break gather
			}
		}
		if stop {
			batch = batch[:len(batch)-1]
		}
		p.handle(batch)
		for i := range batch {
			if batch[i].reply != nil {
				batch[i].reply <- batch[i].ans
			}
			batch[i] = call{}
		}
		if stop {
			p.shutdown()
			return
		}
	}
}

var replyPool = sync.Pool{New: func() any { return make(chan answer, 1) }}

// exec is the one way into the peer: it hands c to the peer's goroutine,
// or handles it here if the peer is inline, and returns its answer once it
// is handled.
func (p *Peer[S]) exec(c call) answer {
	if p.cfg.Inline {
		cs := [1]call{c}
		p.handle(cs[:])
		return cs[0].ans
	}
	c.reply = replyPool.Get().(chan answer)
	select {
	case p.inbox <- c: // the goroutine was waiting for it, as it mostly is
	default:
		select {
		case p.inbox <- c:
		case <-p.quit:
			replyPool.Put(c.reply)
			return answer{err: ErrStopped}
		}
	}
	a := <-c.reply
	replyPool.Put(c.reply)
	return a
}

// do runs f on the peer's goroutine, as an input of the given kind, and
// returns once the peer has handled everything f started.
func (p *Peer[S]) do(input InputKind, f func()) error {
	return p.exec(call{kind: callFunc, input: input, f: f}).err
}

// handle handles calls in order and carries out what they ask for: once
// for them all, or, for an observer, after each.
func (p *Peer[S]) handle(cs []call) {
	observe := p.cfg.Observe != nil
	if !observe {
		p.obs.reset()
	}
	for i := range cs {
		if p.halted {
			cs[i].ans.err = p.stoppedWith()
			continue
		}
		var downs uint64
		if observe {
			p.obs.reset()
			downs, _ = p.node.StepDowns()
		}
		cs[i].ans = p.input(&cs[i])
		if observe {
			p.flush()
			if n, why := p.node.StepDowns(); n != downs {
				p.obs.StepDown = why
			}
			if p.obs.Input != InputQuery {
				p.cfg.Observe(&p.obs)
			}
		}
	}
	if !observe && !p.halted {
		p.flush()
	}
	for i := range cs {
		if a := &cs[i].ans; a.err == nil && !a.taken {
			a.err = p.err // the peer failed on the way: the caller hears why
		}
	}
}

// stoppedWith is what a call to a halted peer gets.
func (p *Peer[S]) stoppedWith() error {
	if p.err != nil {
		return p.err
	}
	return ErrStopped
}

// input hands one call to the node.
func (p *Peer[S]) input(c *call) answer {
	switch c.kind {
	case callMessage:
		p.obs.Input, p.obs.Message = InputMessage, c.msg
		p.obs.Err = p.node.Step(c.msg)
	case callTick:
		p.obs.Input = InputTick
		p.ticks++
		before := p.node.Campaigns()
		p.node.Tick()
		p.obs.TimedOut = p.node.Campaigns() != before
		p.retry()
	case callWrite:
		return p.submit(c)
	case callPropose:
		return p.propose(c)
	case callRead:
		return p.submitRead(c)
	case callFunc:
		p.obs.Input = c.input
		c.f()
	}
	return answer{}
}

// deliver and tick are the transport's and the clock's way in. A message
// is handed over without waiting for it to be handled, unless an observer
// watches each input.
func (p *Peer[S]) deliver(m Message) {
	if p.msgs != nil {
		select {
		case p.msgs <- m:
		case <-p.quit:
		}
		return
	}
	p.exec(call{kind: callMessage, msg: m})
}

func (p *Peer[S]) tick() { p.exec(call{kind: callTick}) }

// flush carries out everything the node asked for (see Node.Ready).
func (p *Peer[S]) flush() {
	observe := p.cfg.Observe != nil
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
			if observe {
				p.obs.Appended = append(p.obs.Appended, rd.Entries...)
			}
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
		if observe {
			p.obs.Sent = append(p.obs.Sent, rd.Messages...)
		}
		for i := range rd.Committed {
			if !p.apply(&rd.Committed[i]) {
				return // the state machine panicked: the peer has stopped
			}
		}
		if len(rd.Committed) > 0 {
			p.writes.lostBelow(p.applied)
			p.maybeSnapshot()
		}
		for _, rs := range rd.Reads {
			p.readIndexKnown(rs)
		}
	}
	if len(p.reads) > 0 {
		p.serveReads()
	}
	if leader := p.node.Leader(); len(p.waiters) > 0 && leader != None {
		for _, w := range p.waiters {
			w(leader)
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

// SetConfiguration makes this new peer the first member of a cluster with
// the given members, as in the talk; see Node.SetConfiguration.
func (p *Peer[S]) SetConfiguration(members []ID) error {
	var err error
	if e := p.do(InputConfigure, func() {
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
	return p.do(InputCampaign, func() {
		before := p.node.Campaigns()
		p.node.Campaign()
		p.obs.TimedOut = p.node.Campaigns() != before
	})
}

// SetElectionTimer makes the peer's election timer fire after ticks more
// ticks (see Node.SetElectionTimer).
func (p *Peer[S]) SetElectionTimer(ticks int) error {
	return p.do(InputTimer, func() { p.node.SetElectionTimer(ticks) })
}

// TransferLeadership asks this peer, which must lead, to hand over
// leadership to the voter to (dissertation section 3.10; see
// Node.TransferLeadership). It returns once the transfer has started: the
// leader brings the target's log up to date and tells it to stand; it
// takes no writes meanwhile (ErrTransferring). If the target has not taken
// over within an election timeout, the leader gives up and leads on. A
// peer that does not lead answers a *NotLeaderError naming the leader.
func (p *Peer[S]) TransferLeadership(to ID) error {
	var err error
	if e := p.do(InputTransfer, func() {
		err = p.node.TransferLeadership(to)
		p.obs.Err = err
	}); e != nil {
		return e
	}
	return err
}

// WaitForLeader returns the leader as soon as this peer knows one.
func (p *Peer[S]) WaitForLeader(ctx context.Context) (ID, error) {
	ch := make(chan ID, 1)
	if err := p.do(InputQuery, func() {
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
	err := p.do(InputQuery, func() { s = p.node.Status() })
	return s, err
}

// Entries returns a copy of the log's entries from index lo to hi
// inclusive (clipped to the log).
func (p *Peer[S]) Entries(lo, hi uint64) ([]Entry, error) {
	var es []Entry
	err := p.do(InputQuery, func() { es = p.node.Entries(lo, hi) })
	return es, err
}

// State returns the state machine's state as this peer has applied it.
func (p *Peer[S]) State() (S, error) {
	var s S
	err := p.do(InputQuery, func() { s = p.state })
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
	p.writes.failAll(err)
	for _, r := range p.reads {
		r.done(nil, err)
	}
	for _, w := range p.waiters {
		w(None)
	}
	p.reads, p.waiters = nil, nil
}
