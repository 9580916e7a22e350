package sim

import (
	"errors"
	"strconv"

	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/lock"
)

// client is a named user of the lock. Its requests carry a session (id and
// sequence numbers), so a peer's retries never apply a write twice.
type client struct {
	name    string
	id      uint64
	seq     uint64
	waiting []uint64  // sequence numbers still waiting for a reply, ascending
	cmds    [3][]byte // its lock and unlock commands (by Op), made once
}

// cmd returns the client's command for op. Submit copies it, so one slice
// serves every request.
func (c *client) cmd(op lock.Op) []byte {
	if int(op) >= len(c.cmds) {
		return lock.Command{Op: op, Client: c.name}.Bytes()
	}
	if c.cmds[op] == nil {
		c.cmds[op] = lock.Command{Op: op, Client: c.name}.Bytes()
	}
	return c.cmds[op]
}

// lowest is the lowest sequence number still waiting (or the next one).
func (c *client) lowest() uint64 {
	if len(c.waiting) > 0 {
		return c.waiting[0]
	}
	return c.seq + 1
}

func (c *client) settle(seq uint64) {
	for i, q := range c.waiting {
		if q == seq {
			c.waiting = append(c.waiting[:i], c.waiting[i+1:]...)
			return
		}
	}
}

// request is one client request, from the client's point of view.
type request struct {
	id      uint64
	client  *client
	op      string // lock, unlock, read
	peer    raft.ID
	seq     uint64 // writes only
	peerReq uint64 // the peer's id for it, to cancel on timeout
	timeout *item
	done    bool
	hist    int    // index in the history, or -1 when not kept
	outcome string // once done
}

// Op is one client operation in the history that linearizability is
// checked on. Call and Return are trace positions (event Seq), so even
// operations within one millisecond are ordered; Return is 0 while the
// outcome is unknown (a timeout or a crash: it may or may not happen).
type Op struct {
	Client  string
	Op      string // lock, unlock, read
	Call    uint64
	Return  uint64
	Outcome string
	Req     uint64  // the request's id in the trace
	Peer    raft.ID // the peer it was sent to
	Time    int64   // when it returned (virtual ms); 0 while unknown
}

// History returns the client operations so far (kept only with
// Options.History).
func (s *Sim) History() []Op { return append([]Op(nil), s.history...) }

func (s *Sim) client(name string) *client {
	c := s.clients[name]
	if c == nil {
		c = &client{name: name, id: uint64(len(s.clientList) + 1)}
		s.clients[name] = c
		s.clientList = append(s.clientList, c)
	}
	return c
}

// clientName returns the name of the client with session id (see client).
func (s *Sim) clientName(id uint64) string {
	if id >= 1 && id <= uint64(len(s.clientList)) {
		return s.clientList[id-1].name
	}
	return "#" + utoa(id)
}

// clientRequest sends a write or read from a client to a peer.
func (s *Sim) clientRequest(a *Action) {
	c := s.client(a.Client)
	s.nextReq++
	r := &request{id: s.nextReq, client: c, peer: a.Peer, op: "read"}
	if a.Kind == ActWrite {
		r.op = a.Op.String()
		c.seq++
		r.seq = c.seq
		c.waiting = append(c.waiting, r.seq)
	}
	s.requests[r.id] = r
	s.record(&Event{Kind: EvRequest, Peer: a.Peer, Req: r.id, Client: c.name, Op: r.op})
	r.hist = -1
	if s.opts.History {
		r.hist = len(s.history)
		s.history = append(s.history, Op{Client: c.name, Op: r.op, Call: s.trace.seq, Req: r.id, Peer: a.Peer})
	}

	sl := s.peers[a.Peer-1]
	if !sl.up() {
		s.finish(r, OutcomeDown, "")
		return
	}
	done := func(reply []byte, err error) { s.answers = append(s.answers, answer{r, reply, err}) }
	var err error
	if a.Kind == ActWrite {
		r.peerReq, err = sl.peer.Submit(raft.Request{Client: c.id, Seq: r.seq, Lowest: c.lowest(), Cmd: c.cmd(a.Op)}, done)
	} else {
		r.peerReq, err = sl.peer.SubmitRead(nil, done)
	}
	if err != nil && !r.done {
		s.settle(r, nil, err) // refused at once: a peer with no leader to forward to says so here
		return
	}
	if !r.done {
		r.timeout = s.newItem()
		r.timeout.at, r.timeout.kind, r.timeout.req = s.now+s.cfg.ClientTimeoutMs, itemTimeout, r.id
		s.queue.push(r.timeout)
	}
}

// answer is a peer's answer to a request, held until the peer's handling of
// the input is recorded, so the trace shows the apply before the reply.
type answer struct {
	r     *request
	reply []byte
	err   error
}

func (s *Sim) replyAll() {
	for i := range s.answers {
		a := &s.answers[i]
		s.settle(a.r, a.reply, a.err)
	}
	clear(s.answers)
	s.answers = s.answers[:0]
}

// settle turns a peer's answer into the request's outcome.
func (s *Sim) settle(r *request, reply []byte, err error) {
	switch {
	case err == nil:
		s.finish(r, replyText(reply), "")
	case notLeader(err):
		s.finish(r, OutcomeRedirect, err.Error())
	case errors.Is(err, raft.ErrStopped):
		s.finish(r, OutcomeCrashed, "")
	default:
		s.finish(r, OutcomeFailed, err.Error())
	}
}

func (s *Sim) timeout(id uint64) {
	r := s.requests[id]
	if r == nil || r.done {
		return
	}
	if sl := s.peers[r.peer-1]; sl.up() {
		sl.peer.Cancel(r.peerReq)
	}
	s.finish(r, OutcomeTimeout, "")
}

func (s *Sim) finish(r *request, outcome, reason string) {
	if r.done {
		return
	}
	r.done = true
	delete(s.requests, r.id)
	if r.timeout != nil {
		s.queue.remove(r.timeout)
		s.recycle(r.timeout) // this may be the timeout being handled: Step is done with it
		r.timeout = nil
	}
	if r.seq != 0 {
		r.client.settle(r.seq)
	}
	s.record(&Event{Kind: EvReply, Peer: r.peer, Req: r.id, Client: r.client.name, Op: r.op, Outcome: outcome, Reason: reason})
	r.outcome, s.lastOutcome = outcome, outcome
	if r.hist >= 0 {
		h := &s.history[r.hist]
		h.Outcome = outcome
		if known(outcome) {
			h.Return, h.Time = s.trace.seq, s.now
		}
	}
}

func notLeader(err error) bool {
	var nl *raft.NotLeaderError
	return errors.As(err, &nl)
}

// known reports whether an outcome says what happened: a timeout or crash
// leaves a write's fate open.
func known(outcome string) bool {
	switch outcome {
	case OutcomeTimeout, OutcomeCrashed:
		return false
	}
	return true
}

// Placed reports whether a request with this outcome may have reached the
// log: a redirect, a down peer or a refusal mean nothing was placed.
func Placed(outcome string) bool {
	switch outcome {
	case OutcomeRedirect, OutcomeDown, OutcomeFailed:
		return false
	}
	return true
}

func itoa(i int) string    { return strconv.Itoa(i) }
func utoa(u uint64) string { return strconv.FormatUint(u, 10) }
