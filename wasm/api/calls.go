package api

import (
	"strconv"
	"strings"

	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/lock"
	"github.com/raftplay/raftplay/raft/sim"
	"github.com/raftplay/raftplay/raft/sim/jsonio"
)

// Handler carries out one call on the session and appends its answer (a
// JSON object) to b. args[i] is nil when the page left argument i out.
type Handler func(ss *Session, b []byte, args []any) ([]byte, *Error)

// call is one method of the page's API object.
type call struct {
	fn         Handler
	args       int  // at most this many arguments
	supersedes bool // cancels every call made before it that has not finished
	newRun     bool // makes a new run, so it needs none
	anyTime    bool // answers with a stopped run
	// standalone: needs no run at all (a call added with Worker.Add)
	standalone bool
}

// calls is the API of API.md, by name.
var calls = map[string]call{
	"create":      {fn: create, args: 1, supersedes: true, newRun: true, anyTime: true},
	"replay":      {fn: replay, args: 2, supersedes: true, newRun: true, anyTime: true},
	"cancel":      {fn: status, supersedes: true},
	"definition":  {fn: definition, anyTime: true},
	"exportTrace": {fn: exportTrace, anyTime: true},
	"events":      {fn: events, args: 3, anyTime: true},
	"violations":  {fn: violations, args: 1, anyTime: true},
	"status":      {fn: status},
	"snapshot":    {fn: snapshot},
	"advance":     {fn: advance, args: 2},
	"step":        {fn: step, args: 1},
	"write":       {fn: write, args: 1},
	"read":        {fn: read, args: 1},
	"crash":       {fn: peerAction(sim.ActCrash), args: 1},
	"restart":     {fn: peerAction(sim.ActRestart), args: 1},
	"partition":   {fn: partition, args: 1},
	"heal":        {fn: heal},
	"cut":         {fn: linkAction(sim.ActCut), args: 2},
	"restore":     {fn: linkAction(sim.ActRestore), args: 2},
	"network":     {fn: network, args: 1},
	"drop":        {fn: drop, args: 1},
	"timeout":     {fn: peerAction(sim.ActTimeout), args: 1},
	"transfer":    {fn: peerAction(sim.ActTransfer), args: 1},
	"add":         {fn: addServer, args: 1},
	"remove":      {fn: peerAction(sim.ActRemove), args: 1},
	"timers":      {fn: timers, args: 1},
	"rewind":      {fn: rewind, supersedes: true},
	"lesson":      {fn: lessonCall, args: 1, anyTime: true},
}

func arg(args []any, i int) any {
	if i < len(args) {
		return args[i]
	}
	return nil
}

func statusAnswer(ss *Session, b []byte) []byte {
	w := jsonio.NewObject(b)
	ss.appendStatus(w)
	return w.End()
}

func create(ss *Session, b []byte, args []any) ([]byte, *Error) {
	o, err := decodeOptions(arg(args, 0))
	if err != nil {
		return nil, err
	}
	def, err := o.definition()
	if err != nil {
		return nil, err
	}
	if err := ss.start("create", def, 0); err != nil {
		return nil, err
	}
	return statusAnswer(ss, b), nil
}

// DecodeDefinition reads a definition for the playground (raft/sim's
// decoder, TRACE.md): the page draws up to sim.MaxDisplay peers.
func DecodeDefinition(v any) (sim.Definition, *Error) { return sim.DecodeDefinition(v, sim.MaxDisplay) }

func replay(ss *Session, b []byte, args []any) ([]byte, *Error) {
	def, err := DecodeDefinition(arg(args, 0))
	if err != nil {
		return nil, err
	}
	var until int64
	if v := arg(args, 1); v != nil {
		if until, err = jsonio.WholeNumber("until", v, 0, MaxReplayMs); err != nil {
			return nil, err
		}
	}
	if err := ss.start("replay", def, until); err != nil {
		return nil, err
	}
	return statusAnswer(ss, b), nil
}

func definition(ss *Session, b []byte, _ []any) ([]byte, *Error) {
	def := ss.definition()
	return def.AppendJSON(b), nil
}

func exportTrace(ss *Session, b []byte, _ []any) ([]byte, *Error) {
	w := jsonio.NewObject(b)
	w.Str("json", string(ss.traceJSON()))
	return w.End(), nil
}

func status(ss *Session, b []byte, _ []any) ([]byte, *Error) { return statusAnswer(ss, b), nil }

func snapshot(ss *Session, b []byte, _ []any) ([]byte, *Error) {
	snap := ss.sim.Snapshot()
	return snap.AppendJSON(b), nil
}

func events(ss *Session, b []byte, args []any) ([]byte, *Error) {
	var after int64
	if v := arg(args, 0); v != nil {
		var err *Error
		if after, err = jsonio.WholeNumber("after", v, 0, MaxSafeInt); err != nil {
			return nil, err
		}
	}
	limit := int64(MaxBatch)
	if v := arg(args, 1); v != nil {
		var err *Error
		if limit, err = jsonio.WholeNumber("limit", v, 1, MaxBatch); err != nil {
			return nil, err
		}
	}
	text := false
	if v := arg(args, 2); v != nil {
		f := jsonio.Object("events options", v, true)
		text = f.Flag("text")
		if err := f.Done(); err != nil {
			return nil, err
		}
	}
	return ss.appendEvents(b, uint64(after), int(limit), text), nil
}

// violations answers {run, count, more, violations}: the violations the
// checkers found, from the from-th (0-based) on, at most MaxBatch, each with
// its text. The page learns of violations from the events, and a replay or
// a gap in the events can skip the very event that broke a property; the
// status's count says when to ask here.
func violations(ss *Session, b []byte, args []any) ([]byte, *Error) {
	var from int64
	if v := arg(args, 0); v != nil {
		var err *Error
		if from, err = jsonio.WholeNumber("from", v, 0, MaxSafeInt); err != nil {
			return nil, err
		}
	}
	all := ss.sim.Violations()
	vs := all[min(int(from), len(all)):]
	vs = vs[:min(len(vs), MaxBatch)]
	w := jsonio.NewObject(b)
	w.Uint("run", ss.run)
	w.Int("count", int64(len(all)))
	w.Bool("more", int(from)+len(vs) < len(all))
	w.Key("violations")
	w.B = append(w.B, '[')
	for i := range vs {
		if i > 0 {
			w.B = append(w.B, ',')
		}
		w.B = vs[i].AppendJSONText(w.B)
	}
	w.B = append(w.B, ']')
	return w.End(), nil
}

// frame reads advance's and step's options: what to add to the status so
// that one call per animation frame is enough.
type frame struct {
	events    bool
	after     int64
	limit     int64
	snapshot  bool
	text      bool // each event with its words (Event.Describe)
	untilMark bool // advance: stop right after a mark, if one comes first
	// advance: stop right after a violation is found, if one comes first
	untilViolation bool
}

func decodeFrame(what string, v any) (frame, *Error) {
	f := jsonio.Object(what, v, true)
	_, hasAfter := f.Get("after")
	fr := frame{
		events:   hasAfter,
		after:    f.Int("after", 0, MaxSafeInt, 0),
		limit:    f.Int("limit", 1, MaxBatch, MaxBatch),
		snapshot: f.Flag("snapshot"),
		text:     f.Flag("text"),
	}
	if what == "advance options" {
		fr.untilMark = f.Flag("untilMark")
		fr.untilViolation = f.Flag("untilViolation")
	}
	return fr, f.Done()
}

// frameAnswer is the status, with the events and snapshot asked for.
func (fr *frame) answer(ss *Session, b []byte, extra func(w *jsonio.Writer)) []byte {
	w := jsonio.NewObject(b)
	ss.appendStatus(w)
	if extra != nil {
		extra(w)
	}
	if fr.events {
		w.Raw("events", ss.appendEvents(nil, uint64(fr.after), int(fr.limit), fr.text))
	}
	if fr.snapshot {
		snap := ss.sim.Snapshot()
		w.Raw("snapshot", snap.AppendJSON(nil))
	}
	return w.End()
}

func advance(ss *Session, b []byte, args []any) ([]byte, *Error) {
	ms, err := jsonio.WholeNumber("ms", arg(args, 0), 0, MaxAdvanceMs)
	if err != nil {
		return nil, err
	}
	fr, err := decodeFrame("advance options", arg(args, 1))
	if err != nil {
		return nil, err
	}
	run := ss.runTo
	switch {
	case fr.untilMark && fr.untilViolation:
		run = ss.runToMarkOrViolation
	case fr.untilMark:
		run = ss.runToMark
	case fr.untilViolation:
		run = ss.runToViolation
	}
	if err := run(ss.sim, "advance", ss.sim.Now()+ms); err != nil {
		return nil, err
	}
	return fr.answer(ss, b, nil), nil
}

func step(ss *Session, b []byte, args []any) ([]byte, *Error) {
	fr, err := decodeFrame("step options", arg(args, 0))
	if err != nil {
		return nil, err
	}
	stepped, err := ss.stepVisible()
	if err != nil {
		return nil, err
	}
	return fr.answer(ss, b, func(w *jsonio.Writer) { w.Bool("stepped", stepped) }), nil
}

// actAnswer applies a live action and answers the status.
func actAnswer(ss *Session, b []byte, a sim.Action) ([]byte, *Error) {
	if err := ss.act(a); err != nil {
		return nil, err
	}
	return statusAnswer(ss, b), nil
}

// clientRequest reads {client, peer} and, for writes, op.
func clientRequest(ss *Session, kind sim.ActionKind, v any) (sim.Action, *Error) {
	a := sim.Action{Kind: kind}
	f := jsonio.Object(kind.String()+" request", v, true)
	if f.Missing() {
		return a, badArg(kind.String() + " needs an object such as {client: \"alice\", peer: 1}")
	}
	a.Client = f.Str("client", 64, "")
	if kind == sim.ActWrite {
		a.Op = sim.ParseOp(f.OneOf("op", "", "lock", "unlock"))
	}
	p, _ := f.Get("peer")
	if err := f.Done(); err != nil {
		return a, err
	}
	if err := lock.ValidClient(a.Client); err != nil {
		return a, badArg(kind.String() + " request.client: " + strings.TrimPrefix(err.Error(), "lock: "))
	}
	var err *Error
	a.Peer, err = sim.DecodePeer(kind.String()+" request.peer", p, ss.sim.Servers())
	return a, err
}

func write(ss *Session, b []byte, args []any) ([]byte, *Error) {
	a, err := clientRequest(ss, sim.ActWrite, arg(args, 0))
	if err != nil {
		return nil, err
	}
	return actAnswer(ss, b, a)
}

func read(ss *Session, b []byte, args []any) ([]byte, *Error) {
	a, err := clientRequest(ss, sim.ActRead, arg(args, 0))
	if err != nil {
		return nil, err
	}
	return actAnswer(ss, b, a)
}

func peerAction(kind sim.ActionKind) Handler {
	return func(ss *Session, b []byte, args []any) ([]byte, *Error) {
		id, err := sim.DecodePeer("peer", arg(args, 0), ss.sim.Servers())
		if err != nil {
			return nil, err
		}
		return actAnswer(ss, b, sim.Action{Kind: kind, Peer: id})
	}
}

func linkAction(kind sim.ActionKind) Handler {
	return func(ss *Session, b []byte, args []any) ([]byte, *Error) {
		n := ss.sim.Servers()
		from, err := sim.DecodePeer("from", arg(args, 0), n)
		if err != nil {
			return nil, err
		}
		to, err := sim.DecodePeer("to", arg(args, 1), n)
		if err != nil {
			return nil, err
		}
		if from == to {
			return nil, badArg(kind.String() + ": a link joins two different peers, got " + from.String() + " twice")
		}
		return actAnswer(ss, b, sim.Action{Kind: kind, From: from, To: to})
	}
}

func partition(ss *Session, b []byte, args []any) ([]byte, *Error) {
	groups, err := sim.DecodeGroups("groups", arg(args, 0), ss.sim.Servers())
	if err != nil {
		return nil, err
	}
	return actAnswer(ss, b, sim.Action{Kind: sim.ActPartition, Groups: groups})
}

func heal(ss *Session, b []byte, _ []any) ([]byte, *Error) {
	return actAnswer(ss, b, sim.Action{Kind: sim.ActHeal})
}

func network(ss *Session, b []byte, args []any) ([]byte, *Error) {
	v := arg(args, 0)
	if v == nil {
		return nil, badArg("network needs an object such as {loss: 0.1} (fields left out keep their value)")
	}
	f := jsonio.Object("link", v, true)
	l := sim.DecodeLink(f, ss.sim.Snapshot().Link)
	if err := f.Done(); err != nil {
		return nil, err
	}
	if err := l.Validate(); err != nil {
		return nil, outOfRange(err.Error())
	}
	return actAnswer(ss, b, sim.Action{Kind: sim.ActNetwork, Link: &l})
}

func drop(ss *Session, b []byte, args []any) ([]byte, *Error) {
	id, err := jsonio.WholeNumber("id", arg(args, 0), 1, MaxSafeInt)
	if err != nil {
		return nil, err
	}
	return actAnswer(ss, b, sim.Action{Kind: sim.ActDrop, Msg: uint64(id)})
}

func timers(ss *Session, b []byte, args []any) ([]byte, *Error) {
	mode, ok := arg(args, 0).(string)
	m, known := sim.ParseTimerMode(mode)
	if !ok || !known {
		return nil, badArg("timers needs \"spread\" or \"align\", got " + jsonio.Describe(arg(args, 0)))
	}
	return actAnswer(ss, b, sim.Action{Kind: sim.ActTimers, Timers: m})
}

// rewind follows the branch of the latest mark the run has reached that
// offers one: a new run of Definition.Branch, replayed to the branch's
// start, with the branch's actions pending.
func rewind(ss *Session, b []byte, _ []any) ([]byte, *Error) {
	def := ss.sim.Definition()
	for i := len(def.Actions) - 1; i >= 0; i-- {
		a := &def.Actions[i]
		if a.Kind != sim.ActMark || a.Mark.Then == nil {
			continue
		}
		branch, err := def.Branch(i)
		if err != nil {
			return nil, rejected(err.Error())
		}
		if err := ss.start("rewind", branch, a.Mark.Rewind); err != nil {
			return nil, err
		}
		return statusAnswer(ss, b), nil
	}
	return nil, rejected("the run has reached no mark that offers another future")
}

// addServer asks the leader to add a server: peer, or, with no argument,
// the first server out of the cluster (removed, or never added), else a
// new one (up to MaxServers in all).
func addServer(ss *Session, b []byte, args []any) ([]byte, *Error) {
	n := ss.sim.Servers()
	id := raft.ID(n + 1)
	if v := arg(args, 0); v != nil {
		var err *Error
		if id, err = sim.DecodePeer("peer", v, n); err != nil {
			return nil, err
		}
	} else if out := ss.sim.OutOfCluster(); len(out) > 0 {
		id = out[0]
	} else if n >= MaxServers {
		return nil, outOfRange("the playground shows up to " + strconv.Itoa(MaxServers) + " servers; remove one and add it back instead")
	}
	return actAnswer(ss, b, sim.Action{Kind: sim.ActAdd, Peer: id})
}
