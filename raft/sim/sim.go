// Package sim is a deterministic simulator of a Raft cluster serving the
// talk's lock: a virtual clock, an event queue, a network model with faults,
// crashes and restarts, clients, a trace of everything, and checkers of
// Raft's safety properties and of linearizability.
//
// A run is defined by a Definition: configuration, seed and timestamped
// actions. Replaying a definition gives the same trace, byte for byte.
// Peers are real raft.Peer runtimes, inline or each on its own goroutine;
// either way the event queue, never the Go scheduler, decides what happens
// next: the simulator hands one event to one peer and waits for it.
package sim

import (
	"errors"
	"math"
	"math/rand/v2"

	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/lock"
)

// Options choose what a run records and how large it may grow. Within its
// limits, they do not change what happens.
type Options struct {
	// TraceLimit is how many recent events the trace keeps (older ones are
	// dropped). 0 keeps none; -1 keeps all.
	TraceLimit int
	// Check runs the safety checkers after every event.
	Check bool
	// History keeps every client operation for the linearizability check
	// (History): it grows with the run.
	History bool
	// MaxInFlight stops the run (see Halted) once more messages than this
	// are on their way at once; 0: no limit. Every message in flight is
	// held in memory, and a run whose messages multiply faster than they
	// arrive would otherwise take all there is.
	MaxInFlight int
}

// Sim is one simulated run.
type Sim struct {
	cfg   Config
	seed  uint64
	opts  Options
	now   int64
	queue queue
	steps uint64 // items processed

	peers     []*slot
	net       *network
	free      []*item // items done with, for newItem to reuse
	nextMsg   uint64
	delivered uint64
	// delivering is the id of the message a peer is handling now (0 if
	// none): a violation it causes names it.
	delivering uint64

	clients     map[string]*client
	clientList  []*client
	requests    map[uint64]*request
	nextReq     uint64
	history     []Op
	lastOutcome string
	marks       int     // marks applied
	handOver    raft.ID // the target of the transfer being asked for (ActTransfer)
	changing    *Action // the membership change being asked for (ActAdd, ActRemove)

	outbox  []raft.Message // sent by the peer being handled, launched after its state events
	answers []answer       // its answers to clients, recorded after its state events
	// The definition's actions: script is what New was given, applied up
	// to next (the one queued item stands for script[next]); live holds
	// the actions done since by Do. A live action drops the rest of the
	// script, so the run so far is script[:next] followed by live.
	script     []Action
	next       int
	scriptItem *item
	live       []Action
	trace      trace
	check      *checker
	closed     bool
	inFlight   int    // messages queued for delivery
	halted     string // why the run stopped before its end, or ""
	refused    int    // the definition's action (from 1) that stopped it, or 0
}

// slot is one peer's place in the cluster: its storage outlives crashes.
type slot struct {
	id          raft.ID
	store       *raft.MemoryStorage
	peer        *raft.Peer[lock.State]
	deliver     func(raft.Message)
	tick        func()
	tickItem    *item
	incarnation uint64
	phase       int64 // this peer's clock offset within a tick

	// What the simulator last saw of it, to turn changes into events.
	role    raft.Role
	term    uint64
	vote    raft.ID
	leader  raft.ID
	commit  uint64
	last    uint64 // last log index
	state   lock.State
	applied uint64
	snap    uint64  // the last index its snapshot covers
	handing raft.ID // as leader, the peer it hands over leadership to
	// Its configuration's entry, and its learners then (membership.go).
	configIndex uint64
	voters      []raft.ID
	learners    []raft.ID
}

func (s *slot) up() bool { return s.peer != nil }

// New starts a run of def: the cluster at time 0, with def's actions queued.
// The run keeps def.Actions: do not change them afterwards.
func New(def Definition, opts Options) (*Sim, error) {
	cfg := def.Config
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if len(def.Actions) > MaxActions {
		return nil, errors.New("too many actions")
	}
	s := &Sim{
		cfg: cfg, seed: def.Seed, opts: opts,
		clients:  make(map[string]*client),
		requests: make(map[uint64]*request),
	}
	s.trace.limit = opts.TraceLimit
	if opts.Check {
		s.check = newChecker(s)
	}
	s.net = newNetwork(cfg.Peers, cfg.Net, s.rand("network", 0, 0))
	phases := s.rand("phase", 0, 0)
	members := make([]raft.ID, cfg.Peers)
	for i := range members {
		members[i] = raft.ID(i + 1)
	}
	for i := range cfg.Peers {
		sl := &slot{id: raft.ID(i + 1), store: raft.NewMemoryStorage(), phase: phases.Int64N(cfg.TickMs)}
		if cfg.Bootstrap == BootstrapAll {
			if err := raft.Bootstrap(sl.store, members); err != nil {
				return nil, err
			}
		}
		s.peers = append(s.peers, sl)
	}
	for _, sl := range s.peers {
		if err := s.start(sl); err != nil {
			s.Close()
			return nil, err
		}
	}
	if cfg.Bootstrap == BootstrapTalk {
		if err := s.peers[0].peer.SetConfiguration(members); err != nil {
			s.Close()
			return nil, err
		}
	}
	prev, servers := int64(0), cfg.Peers
	for i := range def.Actions {
		a := &def.Actions[i]
		if err := a.validate(&cfg, servers); err != nil {
			s.Close()
			return nil, errors.New("action " + itoa(i+1) + ": " + err.Error())
		}
		if a.At < prev {
			s.Close()
			return nil, errors.New("action " + itoa(i+1) + ": actions must be in time order")
		}
		prev, servers = a.At, a.servers(servers)
	}
	s.script = def.Actions
	s.queueScript()
	return s, nil
}

// queueScript queues the next action of the script, one at a time: a
// definition of many actions costs one queued item, not one each.
func (s *Sim) queueScript() {
	s.scriptItem = nil
	if s.next < len(s.script) {
		a := &s.script[s.next]
		s.scriptItem = s.newItem()
		s.scriptItem.at, s.scriptItem.kind, s.scriptItem.action = a.At, itemAction, a
		s.queue.push(s.scriptItem)
	}
}

// rand returns the random source for one purpose: every purpose (and every
// incarnation of every peer) draws from its own stream of the one seed, so
// that adding draws to one never shifts another.
func (s *Sim) rand(purpose string, id raft.ID, incarnation uint64) *rand.Rand {
	h := uint64(14695981039346656037)
	for i := 0; i < len(purpose); i++ {
		h = (h ^ uint64(purpose[i])) * 1099511628211
	}
	h ^= uint64(id)<<32 ^ incarnation
	return rand.New(rand.NewPCG(s.seed, h))
}

// start runs a peer from its storage: at time 0, or on restart.
func (s *Sim) start(sl *slot) error {
	sl.incarnation++
	c := raft.Config{
		ID:                  sl.id,
		ElectionTimeoutMin:  s.cfg.ticks(s.cfg.ElectionMinMs),
		ElectionTimeoutMax:  s.cfg.ticks(s.cfg.ElectionMaxMs),
		HeartbeatInterval:   s.cfg.ticks(s.cfg.HeartbeatMs),
		MaxEntriesPerAppend: s.cfg.MaxEntries,
		EagerAppends:        true, // every entry shown on its way, as in the paper
		PreVote:             s.cfg.PreVote,
		CheckQuorum:         s.cfg.CheckQuorum,
		Rand:                rand.NewPCG(s.seed, uint64(sl.id)<<32|sl.incarnation),
		Broken:              s.cfg.Broken,
	}
	p, err := raft.StartPeer(lock.Machine{}, raft.PeerConfig{
		Config:    c,
		Storage:   sl.store,
		Transport: (*transport)(s),
		Clock:     (*slotClock)(sl),
		Inline:    !s.cfg.Goroutines,
		SnapshotEvery: func() int {
			if s.cfg.SnapshotEvery == 0 {
				return -1
			}
			return s.cfg.SnapshotEvery
		}(),
		Observe: func(o *raft.Observation) { s.observe(sl, o) },
	})
	if err != nil {
		return err
	}
	sl.peer = p
	// The first tick comes at the peer's phase within the next tick period.
	next := (s.now/s.cfg.TickMs+1)*s.cfg.TickMs + sl.phase
	sl.tickItem = &item{at: next, kind: itemTick, peer: sl.id}
	s.queue.push(sl.tickItem)
	return nil
}

// transport is the Sim seen by peers as their network.
type transport Sim

// Send holds messages back until the peer's handling of the input is over,
// so the trace tells cause before effect: the timeout, then the new term,
// then the RequestVotes.
func (t *transport) Send(m raft.Message) { t.outbox = append(t.outbox, m) }

func (t *transport) Listen(id raft.ID, deliver func(raft.Message)) func() {
	sl := (*Sim)(t).peers[id-1]
	sl.deliver = deliver
	return func() { sl.deliver = nil }
}

// slotClock is a peer's clock: the simulator calls its tick from the queue.
type slotClock slot

func (c *slotClock) Start(tick func()) func() {
	c.tick = tick
	return func() { c.tick = nil }
}

// Now returns the virtual time in ms.
func (s *Sim) Now() int64 { return s.now }

// Config returns the run's configuration.
func (s *Sim) Config() Config { return s.cfg }

// Definition returns the run so far: replaying it reproduces this run.
func (s *Sim) Definition() Definition {
	acts := make([]Action, 0, s.next+len(s.live))
	acts = append(acts, s.script[:s.next]...)
	return Definition{Config: s.cfg, Seed: s.seed, Actions: append(acts, s.live...)}
}

// Step processes the next event and reports whether there was one.
func (s *Sim) Step() bool { return s.stepBy(math.MaxInt64) }

// stepBy processes the next event if it is due by time t.
func (s *Sim) stepBy(t int64) bool {
	if s.closed || s.halted != "" {
		return false
	}
	it := s.queue.popBy(t)
	if it == nil {
		return false
	}
	s.now = it.at
	s.steps++
	switch it.kind {
	case itemDeliver:
		s.inFlight--
		s.arrive(it)
		s.recycle(it)
	case itemTick:
		s.tickPeer(it)
	case itemTimeout:
		s.timeout(it.req)
	case itemAction:
		a := it.action
		// A definition's action meets the same checks as a live one: one
		// that cannot happen now stops the run there, and stays pending.
		if err := s.applicable(a); err != nil {
			s.refused = s.next + 1
			s.halt("action " + itoa(s.refused) + " of the definition (" + a.Kind.String() + ") cannot happen: " + err.Error())
			return true
		}
		s.next++
		s.recycle(it)
		s.queueScript()
		s.apply(a)
	}
	if max := s.opts.MaxInFlight; max > 0 && s.inFlight > max {
		s.halt(itoa(s.inFlight) + " messages are in flight at once, more than the limit of " + itoa(max))
	}
	return true
}

// halt stops the run for good: no event is processed after this one.
func (s *Sim) halt(why string) {
	if s.halted == "" {
		s.halted = "the run stopped at " + ms(s.now) + ": " + why
	}
}

// Halted says why the run stopped before its end (a limit of Options, or
// an action of its definition that cannot happen), or "" if it did not.
// A halted run answers every question about its past and present, but
// goes no further: its clock stands still and Do refuses actions.
func (s *Sim) Halted() string { return s.halted }

// Refused returns the position (from 1) of the definition's action that
// halted the run because it could not happen, or 0.
func (s *Sim) Refused() int { return s.refused }

// StepVisible processes events until one of them adds to the trace (ticks
// that change nothing are silent), or until limit ms of virtual time pass.
func (s *Sim) StepVisible(limitMs int64) bool {
	seq, end := s.trace.seq, s.now+limitMs
	for s.trace.seq == seq {
		if !s.stepBy(end) {
			return false
		}
	}
	return true
}

// RunUntil processes every event up to time t and sets the clock to t.
func (s *Sim) RunUntil(t int64) {
	for s.stepBy(t) {
	}
	if t > s.now && s.halted == "" {
		s.now = t
	}
}

// RunFor advances the clock by d ms.
func (s *Sim) RunFor(d int64) { s.RunUntil(s.now + d) }

// Delivered returns how many messages have reached their destination.
func (s *Sim) Delivered() uint64 { return s.delivered }

// NextEventAt returns the time of the next queued event, or -1.
func (s *Sim) NextEventAt() int64 {
	if s.halted != "" {
		return -1
	}
	if it := s.queue.peek(); it != nil {
		return it.at
	}
	return -1
}

// Do applies a user action now and adds it to the run's definition. The
// simulator first finishes every event due now, exactly as a replay will.
func (s *Sim) Do(a Action) error {
	if s.closed {
		return errors.New("the run is closed")
	}
	if s.halted != "" {
		return errors.New(s.halted)
	}
	a.At = s.now
	if err := a.validate(&s.cfg, len(s.peers)); err != nil {
		return err
	}
	if s.Applied() >= MaxActions {
		return errors.New("this run has reached its limit of actions; reset to start a new one")
	}
	if err := s.applicable(&a); err != nil {
		return err
	}
	s.RunUntil(s.now)
	if s.halted != "" {
		return errors.New(s.halted)
	}
	s.DropPending()
	s.live = append(s.live, a)
	s.apply(&a)
	return nil
}

// applicable rejects actions that make no sense in the current state, so a
// user hears why instead of nothing happening.
func (s *Sim) applicable(a *Action) error {
	switch a.Kind {
	case ActCrash:
		if !s.peers[a.Peer-1].up() {
			return errors.New(a.Peer.String() + " is already down")
		}
	case ActRestart:
		if s.peers[a.Peer-1].up() {
			return errors.New(a.Peer.String() + " is already running")
		}
	case ActDrop:
		if s.findInFlight(a.Msg) == nil {
			return errors.New("message " + utoa(a.Msg) + " is not in flight (it may have just arrived)")
		}
	case ActTimeout:
		return s.canTimeOut(a.Peer)
	case ActTransfer:
		return s.canTransfer(a.Peer)
	case ActAdd, ActRemove:
		return s.canChange(a)
	case ActTimers:
		if len(s.electionTimers()) < 2 {
			return errors.New("no two servers are waiting on an election timer (a leader has none, a crashed server neither)")
		}
	}
	return nil
}

// apply carries out an action.
func (s *Sim) apply(a *Action) {
	switch a.Kind {
	case ActWrite, ActRead:
		s.clientRequest(a)
	case ActCrash:
		s.crash(s.peers[a.Peer-1])
	case ActRestart:
		sl := s.peers[a.Peer-1]
		if sl.up() {
			return
		}
		if err := s.start(sl); err != nil {
			s.record(&Event{Kind: EvViolation, Peer: sl.id, Reason: "restart failed: " + err.Error()})
		}
	case ActPartition:
		s.net.partition(a.Groups)
		s.record(&Event{Kind: EvNetwork, Action: a})
	case ActHeal:
		s.net.heal()
		s.record(&Event{Kind: EvNetwork, Action: a})
	case ActCut, ActRestore:
		s.net.cut[[2]raft.ID{a.From, a.To}] = a.Kind == ActCut
		if a.Kind == ActRestore {
			delete(s.net.cut, [2]raft.ID{a.From, a.To})
		}
		s.record(&Event{Kind: EvNetwork, Action: a})
	case ActNetwork:
		s.net.link = *a.Link
		s.record(&Event{Kind: EvNetwork, Action: a})
	case ActDrop:
		if it := s.findInFlight(a.Msg); it != nil {
			s.inFlight--
			s.queue.remove(it)
			s.record(&Event{Kind: EvDrop, Peer: it.msg.To, MsgID: a.Msg, Msg: it.msg, Reason: DropUser})
		}
	case ActTimeout:
		if sl := s.peers[a.Peer-1]; sl.up() {
			_ = sl.peer.Campaign() // a stopped peer does nothing
		}
	case ActTransfer:
		if leader, _ := s.Leader(); leader != raft.None {
			s.handOver = a.Peer
			_ = s.peers[leader-1].peer.TransferLeadership(a.Peer) // a refusal is recorded as it happens
			s.handOver = raft.None
		}
	case ActAdd, ActRemove:
		s.change(a)
	case ActTimers:
		s.setTimers(a)
	case ActMark:
		s.marks++
		s.record(&Event{Kind: EvMark, Action: a})
	}
}

func (s *Sim) crash(sl *slot) {
	if !sl.up() {
		return
	}
	p := sl.peer
	sl.peer = nil
	s.queue.remove(sl.tickItem)
	s.record(&Event{Kind: EvCrash, Peer: sl.id, SnapshotIndex: sl.snap})
	p.Stop() // waiting requests fail here, recorded as crashed
	s.replyAll()
	// What the simulator saw of its volatile state is gone with it.
	sl.role, sl.leader, sl.commit, sl.applied, sl.state = raft.Follower, raft.None, 0, 0, lock.State{}
}

// sendAll puts the messages a peer sent on the network.
func (s *Sim) sendAll() {
	for i := range s.outbox {
		delay, lost, dup := s.net.fate()
		it := s.launch(&s.outbox[i], nil, delay, lost)
		if dup > 0 {
			s.launch(nil, it.msg, dup, false)
		}
	}
	clear(s.outbox)
	s.outbox = s.outbox[:0]
}

// launch puts one message on its way: m, or for a network duplicate, orig
// (the original's message). The item holds the message itself, unless the
// trace keeps events: they point at the message, so it gets a place of its
// own, which a duplicate shares.
func (s *Sim) launch(m, orig *raft.Message, delay int64, lost bool) *item {
	s.nextMsg++
	it := s.newItem()
	it.at, it.kind, it.msgID, it.lost = s.now+delay, itemDeliver, s.nextMsg, lost
	switch {
	case s.trace.keeps() && m == nil:
		it.msg = orig
	case s.trace.keeps():
		it.msg = new(raft.Message)
		*it.msg = *m
	default:
		if m == nil {
			m = orig
		}
		it.own = *m
		it.msg = &it.own
	}
	s.record(&Event{Kind: EvSend, Peer: it.msg.From, MsgID: it.msgID, Msg: it.msg, Arrive: it.at, Dup: orig != nil})
	if !s.net.connected(it.msg.From, it.msg.To) {
		s.record(&Event{Kind: EvDrop, Peer: it.msg.To, MsgID: it.msgID, Msg: it.msg, Reason: DropPartition})
		return it
	}
	s.queue.push(it)
	s.inFlight++
	return it
}

// findInFlight returns the queued item of message id, or nil if it is not
// on its way. A user's drop is rare: a search of the queue costs less than
// an index kept up to date for every message.
func (s *Sim) findInFlight(id uint64) *item {
	for it := range s.queue.all {
		if it.kind == itemDeliver && it.msgID == id {
			return it
		}
	}
	return nil
}

// arrive handles a message reaching its destination (or vanishing there).
func (s *Sim) arrive(it *item) {
	sl := s.peers[it.msg.To-1]
	drop := func(reason string) {
		s.record(&Event{Kind: EvDrop, Peer: sl.id, MsgID: it.msgID, Msg: it.msg, Reason: reason})
	}
	switch {
	case it.lost:
		drop(DropLoss)
	case !s.net.connected(it.msg.From, it.msg.To):
		drop(DropPartition)
	case !sl.up() || sl.deliver == nil:
		drop(DropDown)
	default:
		s.delivered++
		s.record(&Event{Kind: EvDeliver, Peer: sl.id, MsgID: it.msgID, Msg: it.msg})
		s.delivering = it.msgID
		sl.deliver(*it.msg)
		s.delivering = 0
	}
}

// newItem returns a zero item, reused if possible.
func (s *Sim) newItem() *item {
	if n := len(s.free); n > 0 {
		it := s.free[n-1]
		s.free = s.free[:n-1]
		return it
	}
	return new(item)
}

// recycle keeps an item that is done with for newItem to reuse: a message
// that has arrived, a client's timeout, an action of the script. Nothing
// points at it any more: not the queue, not the trace (whose events point
// at a copy of a message).
func (s *Sim) recycle(it *item) {
	*it = item{}
	s.free = append(s.free, it)
}

func (s *Sim) tickPeer(it *item) {
	sl := s.peers[it.peer-1]
	if !sl.up() || sl.tick == nil {
		return
	}
	it.at += s.cfg.TickMs
	s.queue.push(it)
	sl.tick()
}

// Close stops every peer's goroutine. The run cannot go on after it.
func (s *Sim) Close() {
	if s.closed {
		return
	}
	s.closed = true
	for _, sl := range s.peers {
		if sl.peer != nil {
			sl.peer.Stop()
		}
	}
}
