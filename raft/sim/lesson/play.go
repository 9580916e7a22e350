package lesson

import (
	"errors"
	"hash/fnv"
	"slices"
	"strconv"

	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/sim"
)

// Outline is a lesson as played: its runs' whole definitions, and where
// each step starts and ends in one of them. A lesson is one run, unless a
// step goes back to an earlier one (Step.From): from there on it follows
// another run, which shares the first one's actions up to that instant.
type Outline struct {
	Lesson *Lesson
	Runs   []sim.Definition // every action of every step, at its time
	Steps  []StepOutline
}

// StepOutline says where a step sits in its run. The run of the step is
// the first Actions actions of Runs[Run]: replayed to Start, it shows the
// step's start (its own actions are at Start, so they are applied);
// played on to End, it shows the step's end (the actions after Start are
// drops the step's rules made on the way).
type StepOutline struct {
	Start, End int64
	Run        int // which of the Outline's Runs
	Actions    int // actions up to the step's end
	Parts      []Part
	// What the caption names, for the page to highlight.
	Servers  []raft.ID
	Messages []string
	Entries  []uint64
	Until    string     // what the step plays until, in words ("" if it does not)
	Reached  *sim.Event // the event at which Until happened
	Answer   int        // the index of the option that happened (with a question)
	Evidence *sim.Event // the event that made it happen (nil for a "not")
	// Hash is a digest of the whole trace up to End: a replay of the
	// step's definition must give the same.
	Hash uint64
}

// Error is what is wrong with a lesson, in words its author can act on.
// Step is 1-based (0: the lesson as a whole); Field says where in the step.
type Error struct {
	Step  int
	Field string
	Msg   string
}

func (e *Error) Error() string {
	s := ""
	if e.Step > 0 {
		s = "step " + strconv.Itoa(e.Step) + ": "
	}
	if e.Field != "" {
		s += e.Field + ": "
	}
	return s + e.Msg
}

// Options change how Play runs, not what it finds.
type Options struct {
	// Yield, if set, is called every so many events; returning false stops
	// Play (which then answers ErrCanceled).
	Yield func() bool
	// Goroutines runs the peers on goroutines, as the page does.
	Goroutines bool
	// Event, if set, sees every event of the run as it is recorded, with
	// the step it belongs to (from 0): an author's transcript.
	Event func(step int, e *sim.Event)
	// MaxInFlight is sim.Options.MaxInFlight: a lesson whose run outgrows
	// it fails, saying so. 0: no limit.
	MaxInFlight int
}

// ErrCanceled is Play's answer when Options.Yield asked it to stop.
var ErrCanceled = errors.New("lesson: canceled")

// yieldEvery is how many simulator events pass between calls of Yield.
const yieldEvery = 256

// Play checks the lesson and plays it, step by step.
func Play(l *Lesson, opts Options) (*Outline, error) {
	if err := check(l); err != nil {
		return nil, err
	}
	def := l.Run
	def.Actions = nil
	p, err := start(l, opts, def, 0, 0)
	if err != nil {
		return nil, &Error{Field: "run", Msg: err.Error()}
	}
	defer func() { p.s.Close() }()
	out := &Outline{Lesson: l}
	for i := range l.Steps {
		if from := l.Steps[i].From; from > 0 {
			// Back to where step from ended: a run of its own from there.
			out.Runs = append(out.Runs, p.definition())
			at := out.Steps[from-1]
			def := out.Runs[at.Run]
			def.Actions = def.Actions[:at.Actions:at.Actions]
			p.s.Close()
			if p, err = start(l, opts, def, at.End, -1); err != nil {
				return nil, &Error{Step: i + 1, Field: "from", Msg: err.Error()}
			}
		}
		st, err := p.step(i)
		if err != nil {
			return nil, err
		}
		st.Run = len(out.Runs)
		out.Steps = append(out.Steps, st)
	}
	out.Runs = append(out.Runs, p.definition())
	return out, nil
}

// start makes a player on a run of def, taken to time until. The events
// on the way are step's, before it starts (-1: a replay of events already
// seen, for no step).
func start(l *Lesson, opts Options, def sim.Definition, until int64, step int) (*player, error) {
	def.Config.Goroutines = opts.Goroutines
	s, err := sim.New(def, sim.Options{TraceLimit: -1, Check: true, MaxInFlight: opts.MaxInFlight})
	if err != nil {
		return nil, err
	}
	p := &player{l: l, s: s, opts: opts, roles: make([]raft.Role, def.Config.Peers), hash: fnv.New64a(),
		clients: map[string]bool{}, inFlight: map[uint64]string{}}
	for _, a := range def.Actions {
		if a.Kind == sim.ActWrite || a.Kind == sim.ActRead {
			p.clients[a.Client] = true
		}
	}
	s.RunUntil(until)
	return p, p.take(step, nil)
}

// definition is the player's run so far, as the page replays it.
func (p *player) definition() sim.Definition {
	def := p.s.Definition()
	def.Config.Goroutines = false
	return def
}

// player plays a lesson's steps on one run.
type player struct {
	l       *Lesson
	s       *sim.Sim
	opts    Options
	seen    uint64      // the last event taken in
	roles   []raft.Role // each server's role, as the events so far say
	hash    hashWriter
	buf     []byte
	events  int
	clients map[string]bool // clients that have sent a request

	// For the step being played.
	inFlight map[uint64]string // message id -> type (MsgTypes), in flight
	shown    map[string]bool   // message types on screen during the step
	dropped  int
	watches  []*watch // Until, then each option
}

type hashWriter interface {
	Write([]byte) (int, error)
	Sum64() uint64
}

func (p *player) fail(i int, field, msg string) error {
	return &Error{Step: i + 1, Field: field, Msg: msg}
}

// step plays step i and outlines it.
func (p *player) step(i int) (StepOutline, error) {
	st := &p.l.Steps[i]
	s := p.s
	out := StepOutline{Start: s.Now(), Parts: Parse(st.Caption)}
	p.shown, p.dropped = map[string]bool{}, 0
	for _, t := range p.inFlight {
		p.show(t)
	}
	p.watches = p.watches[:0]
	if st.Until != nil {
		p.watches = append(p.watches, newWatch(st.Until))
		out.Until = st.Until.Describe()
	}
	if q := st.Question; q != nil {
		for j := range q.Options {
			p.watches = append(p.watches, newWatch(&q.Options[j].If))
		}
	}
	if err := p.checkClients(i, st); err != nil {
		return out, err
	}
	lastBefore := p.longestLog()

	for j, a := range st.Do {
		if err := s.Do(a); err != nil {
			return out, p.fail(i, "do["+strconv.Itoa(j)+"] ("+a.Kind.String()+")", err.Error())
		}
		if a.Kind == sim.ActWrite || a.Kind == sim.ActRead {
			p.clients[a.Client] = true
		}
	}
	if err := p.dropMatching(i, st, s.Snapshot().Messages); err != nil {
		return out, err
	}
	until := func() bool { return st.Until != nil && p.watches[0].hit != nil }
	if err := p.take(i, st); err != nil {
		return out, err
	}

	switch {
	case st.Until != nil:
		within := st.WithinMs
		if within == 0 {
			within = DefaultWithinMs
		}
		end := out.Start + within
		for !until() {
			at := s.NextEventAt()
			if h := s.Halted(); h != "" {
				return out, p.fail(i, "", h)
			}
			if at < 0 || at > end {
				return out, p.fail(i, "until", out.Until+": it did not happen within "+strconv.FormatInt(within, 10)+" ms")
			}
			if err := p.advance(i, st); err != nil {
				return out, err
			}
		}
		// The step ends with the instant it happened in, whole.
		for t := s.Now(); s.NextEventAt() == t; {
			if err := p.advance(i, st); err != nil {
				return out, err
			}
		}
		out.Reached = p.watches[0].hit
	case st.ForMs > 0:
		end := out.Start + st.ForMs
		for at := s.NextEventAt(); at >= 0 && at <= end; at = s.NextEventAt() {
			if err := p.advance(i, st); err != nil {
				return out, err
			}
		}
		s.RunUntil(end)
	}
	if h := s.Halted(); h != "" {
		return out, p.fail(i, "", h)
	}
	out.End, out.Actions = s.Now(), s.Applied()

	if q := st.Question; q != nil {
		first := 0
		if st.Until != nil {
			first = 1
		}
		var held []int
		for j, w := range p.watches[first:] {
			if w.held() {
				held = append(held, j)
			}
		}
		switch len(held) {
		case 0:
			return out, p.fail(i, "question", "none of its options happened, so it has no right answer")
		case 1:
			out.Answer = held[0]
			out.Evidence = p.watches[first+held[0]].hit
		default:
			return out, p.fail(i, "question", "options "+joinInts(held)+" all happened; exactly one must")
		}
	}
	if err := p.checkCaption(i, &out, lastBefore); err != nil {
		return out, err
	}
	out.Hash = p.hash.Sum64()
	return out, nil
}

// advance processes the next event and takes in what it recorded.
func (p *player) advance(i int, st *Step) error {
	p.s.Step()
	p.events++
	if p.opts.Yield != nil && p.events%yieldEvery == 0 && !p.opts.Yield() {
		return ErrCanceled
	}
	return p.take(i, st)
}

// take reads the events recorded since the last call: it hashes them,
// follows roles and messages, feeds the watches and drops by the step's
// rules what they sent.
func (p *player) take(i int, st *Step) error {
	evs, _ := p.s.Events(p.seen)
	var sent []sim.InFlight
	for k := range evs {
		e := &evs[k]
		p.seen = e.Seq
		for int(e.Peer) > len(p.roles) { // a server a step added
			p.roles = append(p.roles, raft.Follower)
		}
		if p.opts.Event != nil && i >= 0 {
			p.opts.Event(i, e)
		}
		p.buf = e.AppendJSON(p.buf[:0])
		p.hash.Write(p.buf)
		for _, w := range p.watches {
			w.see(e, p.roles)
		}
		switch e.Kind {
		case sim.EvViolation:
			return p.fail(max(i, 0), "", "the simulator found a safety violation: "+e.Describe())
		case sim.EvRole:
			p.roles[e.Peer-1] = e.Role
		case sim.EvCrash:
			p.roles[e.Peer-1] = raft.Follower
		case sim.EvSend:
			t := msgType(e.Msg)
			p.inFlight[e.MsgID] = t
			if p.shown != nil {
				p.show(t)
			}
			sent = append(sent, sim.InFlight{ID: e.MsgID, Msg: e.Msg})
		case sim.EvDeliver, sim.EvDrop:
			delete(p.inFlight, e.MsgID)
		}
	}
	if st == nil {
		return nil
	}
	return p.dropMatching(i, st, sent)
}

// dropMatching drops, by hand, the messages of msgs that the step's drop
// rules name and that are still in flight.
func (p *player) dropMatching(i int, st *Step, msgs []sim.InFlight) error {
	for _, m := range msgs {
		if _, ok := p.inFlight[m.ID]; !ok {
			continue
		}
		if !slices.ContainsFunc(st.Drop, func(d Msg) bool { return d.matches(m.Msg) && (!d.Fits || p.fits(m.Msg)) }) {
			continue
		}
		if p.s.Do(sim.Action{Kind: sim.ActDrop, Msg: m.ID}) != nil {
			continue // already gone: lost, or cut off by a partition
		}
		if p.dropped++; p.dropped > MaxDropped {
			return p.fail(i, "drop", "it drops more than "+strconv.Itoa(MaxDropped)+" messages")
		}
		if err := p.take(i, st); err != nil {
			return err
		}
	}
	return nil
}

// fits says whether m's entries fit its destination's log: the log holds
// the entry just before them, with the same term.
func (p *player) fits(m *raft.Message) bool {
	if m.PrevLogIndex == 0 {
		return true
	}
	ps := p.s.Snapshot().Peers[m.To-1]
	switch i := m.PrevLogIndex; {
	case i == ps.SnapshotIndex:
		return m.PrevLogTerm == ps.SnapshotTerm
	case i > ps.LastIndex || len(ps.Log) == 0 || i < ps.Log[0].Index:
		return false
	default:
		return ps.Log[i-ps.Log[0].Index].Term == m.PrevLogTerm
	}
}

// checkClients refuses conditions about clients that have sent nothing.
func (p *player) checkClients(i int, st *Step) error {
	known := func(name string) bool {
		return p.clients[name] || slices.ContainsFunc(st.Do, func(a sim.Action) bool { return a.Client == name })
	}
	var bad string
	var visit func(c *Cond)
	visit = func(c *Cond) {
		if c.Kind == Answered && !known(c.Client) && bad == "" {
			bad = c.Client
		}
		for k := range c.Of {
			visit(&c.Of[k])
		}
	}
	if st.Until != nil {
		visit(st.Until)
	}
	if st.Question != nil {
		for k := range st.Question.Options {
			visit(&st.Question.Options[k].If)
		}
	}
	if bad != "" {
		return p.fail(i, "", "it waits for an answer to client "+strconv.Quote(bad)+", who has sent no request by this step")
	}
	return nil
}

// checkCaption checks that what the caption names is on screen during the
// step, and records it for the page.
func (p *player) checkCaption(i int, out *StepOutline, lastBefore uint64) error {
	n := p.s.Servers() // the run's, and those the steps so far added
	longest := max(lastBefore, p.longestLog())
	for _, part := range out.Parts {
		switch {
		case part.Server != raft.None:
			if int(part.Server) > n {
				return p.fail(i, "caption", "it names "+part.Server.String()+", but the run has s1 to s"+strconv.Itoa(n))
			}
			if !slices.Contains(out.Servers, part.Server) {
				out.Servers = append(out.Servers, part.Server)
			}
		case part.Msg != "":
			if !p.shown[part.Msg] {
				return p.fail(i, "caption", "it names "+part.Text+", but no "+part.Msg+" message is in flight during this step")
			}
			if !slices.Contains(out.Messages, part.Msg) {
				out.Messages = append(out.Messages, part.Msg)
			}
		case part.Entries != nil:
			for _, e := range part.Entries {
				if e > longest {
					return p.fail(i, "caption", "it names entry "+u(e)+", but no server's log reaches index "+u(e)+" during this step")
				}
				if !slices.Contains(out.Entries, e) {
					out.Entries = append(out.Entries, e)
				}
			}
		}
	}
	slices.Sort(out.Servers)
	slices.Sort(out.Entries)
	return nil
}

// longestLog is the last index of the longest log, crashed servers' too.
func (p *player) longestLog() uint64 {
	var n uint64
	for _, ps := range p.s.Snapshot().Peers {
		n = max(n, ps.LastIndex)
	}
	return n
}

// show notes that a message of type t is on screen. A heartbeat is an
// AppendEntries too.
func (p *player) show(t string) {
	p.shown[t] = true
	if t == "heartbeat" {
		p.shown["AppendEntries"] = true
	}
}

// msgType names m as MsgTypes does.
func msgType(m *raft.Message) string {
	if m.Type == raft.MsgApp && len(m.Entries) == 0 {
		return "heartbeat"
	}
	return m.Type.String()
}

func joinInts(list []int) string {
	s := ""
	for k, v := range list {
		switch {
		case k == 0:
		case k == len(list)-1:
			s += " and "
		default:
			s += ", "
		}
		s += strconv.Itoa(v + 1)
	}
	return s
}
