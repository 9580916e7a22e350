package api

import (
	"strconv"
	"strings"
	"time"

	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/sim"
	"github.com/raftplay/raftplay/raft/sim/lesson"
)

// Lessons cross as JSON (docs/LESSONS.md): DecodeLesson reads one, the
// lesson call plays it (raft/sim/lesson) and answers its outline. Lessons
// are read strictly: a misspelt field is an error, not a silent default.

// DecodeLesson reads a lesson: an object, or its JSON text.
func DecodeLesson(v any) (*lesson.Lesson, *Error) {
	if text, ok := v.(string); ok {
		var err error
		if v, err = Parse([]byte(text)); err != nil {
			return nil, asError(err, CodeBadArgument)
		}
	}
	f := object("lesson", v, true)
	if f.err == nil && f.m == nil {
		return nil, badArg("a lesson is required (an object or its JSON text, as in docs/LESSONS.md)")
	}
	if version := f.int("version", 0, MaxSafeInt, 0); f.err == nil && version != 1 {
		return nil, badArg("lesson.version must be 1, got " + itoa(version))
	}
	l := &lesson.Lesson{
		Name:    f.str("name", 64, ""),
		Title:   f.str("title", 200, ""),
		Summary: f.str("summary", lesson.MaxText+1, ""),
	}
	run, _ := f.get("run")
	o, err := decodeOptions(run)
	if err != nil {
		return nil, &Error{err.Code, "lesson.run: " + strings.TrimPrefix(err.Msg, "options")}
	}
	if o.Scenario != ScenarioElection {
		return nil, badArg("lesson.run: a lesson's run is a configuration and a seed, not a scenario: its steps act")
	}
	l.Run = sim.Definition{Config: o.Config, Seed: o.Seed}
	list, _ := f.get("steps")
	steps, isList := list.([]any)
	switch {
	case f.err != nil:
		return nil, f.err
	case !isList:
		return nil, badArg("lesson.steps must be a list of steps, got " + describe(list))
	case len(steps) > lesson.MaxSteps:
		return nil, tooLarge("lesson.steps has " + strconv.Itoa(len(steps)) + " steps; the limit is " + strconv.Itoa(lesson.MaxSteps))
	}
	d := lessonDecoder{peers: o.Config.Peers}
	for i, v := range steps {
		st, err := d.step("lesson.steps["+strconv.Itoa(i)+"]", v)
		if err != nil {
			return nil, err
		}
		l.Steps = append(l.Steps, st)
	}
	return l, f.done()
}

type lessonDecoder struct{ peers int }

func (d lessonDecoder) step(what string, v any) (lesson.Step, *Error) {
	var st lesson.Step
	f := object(what, v, true)
	if f.err == nil && f.m == nil {
		return st, badArg(what + " must be an object, got nothing")
	}
	st.Caption = f.str("caption", lesson.MaxCaption+1, "")
	st.From = int(f.int("from", 1, lesson.MaxSteps, 0))
	if list, ok := f.get("do"); ok {
		acts, isList := list.([]any)
		if !isList || len(acts) > lesson.MaxDo {
			return st, badArg(what + ".do must be a list of at most " + strconv.Itoa(lesson.MaxDo) + " actions")
		}
		for j, a := range acts {
			name := what + ".do[" + strconv.Itoa(j) + "]"
			if m, ok := a.(map[string]any); ok && m["at"] != nil {
				return st, badArg(name + ".at: a step's actions happen at its start; leave at out")
			}
			act, err := decodeAction(name, a, d.peers, false)
			if err != nil {
				return st, err
			}
			st.Do = append(st.Do, act)
		}
	}
	if list, ok := f.get("drop"); ok {
		rules, isList := list.([]any)
		if !isList {
			return st, badArg(what + ".drop must be a list of messages, got " + describe(list))
		}
		for j, r := range rules {
			m, err := d.msg(what+".drop["+strconv.Itoa(j)+"]", r)
			if err != nil {
				return st, err
			}
			st.Drop = append(st.Drop, m)
		}
	}
	if u, ok := f.get("until"); ok {
		c, err := d.cond(what+".until", u, 0)
		if err != nil {
			return st, err
		}
		st.Until = &c
	}
	st.WithinMs = f.int("within", 1, lesson.MaxWithinMs, 0)
	st.ForMs = f.int("for", 1, lesson.MaxWithinMs, 0)
	if q, ok := f.get("question"); ok {
		question, err := d.question(what+".question", q)
		if err != nil {
			return st, err
		}
		st.Question = question
	}
	return st, f.done()
}

func (d lessonDecoder) question(what string, v any) (*lesson.Question, *Error) {
	f := object(what, v, true)
	q := &lesson.Question{Ask: f.str("ask", lesson.MaxText+1, "")}
	list, _ := f.get("options")
	opts, isList := list.([]any)
	if f.err == nil && (!isList || len(opts) > lesson.MaxOptions) {
		return nil, badArg(what + ".options must be a list of 2 to " + strconv.Itoa(lesson.MaxOptions) + " options")
	}
	for j, v := range opts {
		name := what + ".options[" + strconv.Itoa(j) + "]"
		of := object(name, v, true)
		o := lesson.Option{Text: of.str("text", lesson.MaxText+1, ""), Why: of.str("why", lesson.MaxText+1, "")}
		c, _ := of.get("if")
		if of.err == nil && c == nil {
			return nil, badArg(name + ".if is missing: the outcome that makes this option right")
		}
		if of.err == nil {
			cond, err := d.cond(name+".if", c, 0)
			if err != nil {
				return nil, err
			}
			o.If = cond
		}
		if err := of.done(); err != nil {
			return nil, err
		}
		q.Options = append(q.Options, o)
	}
	return q, f.done()
}

// cond reads a condition: an object with one field, the condition's name,
// whose value gives its details ({"elected": {"peer": 2}}); not, all and
// any hold conditions.
func (d lessonDecoder) cond(what string, v any, depth int) (lesson.Cond, *Error) {
	var c lesson.Cond
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return c, badArg(what + " must be an object with one field, the condition (" + strings.Join(lesson.CondKinds(), ", ") + "), got " + describe(v))
	}
	if depth > 4 {
		return c, badArg(what + ": conditions nest at most 4 deep")
	}
	var name string
	var body any
	for k, b := range m {
		name, body = k, b
	}
	kind, known := lesson.ParseCondKind(name)
	if !known {
		return c, badArg(what + ": unknown condition " + strconv.Quote(name) + " (known: " + strings.Join(lesson.CondKinds(), ", ") + ")")
	}
	c.Kind = kind
	what += "." + name
	switch kind {
	case lesson.Not:
		sub, err := d.cond(what, body, depth+1)
		c.Of = []lesson.Cond{sub}
		return c, err
	case lesson.All, lesson.Any:
		list, isList := body.([]any)
		if !isList {
			return c, badArg(what + " must be a list of conditions, got " + describe(body))
		}
		for j, b := range list {
			sub, err := d.cond(what+"["+strconv.Itoa(j)+"]", b, depth+1)
			if err != nil {
				return c, err
			}
			c.Of = append(c.Of, sub)
		}
		return c, nil
	case lesson.Delivered, lesson.Sent:
		msg, err := d.msg(what, body)
		c.Msg = msg
		return c, err
	}
	f := object(what, body, true)
	peer := func(key string) raft.ID {
		v, ok := f.get(key)
		if !ok {
			return raft.None
		}
		id, err := peerNumber(f.name(key), v, d.peers)
		f.fail(err)
		return id
	}
	c.Peer = peer("peer")
	switch kind {
	case lesson.Elected:
		c.Term = uint64(f.int("term", 1, MaxSafeInt, 0))
	case lesson.Committed, lesson.Applied:
		c.Index = uint64(f.int("index", 1, MaxSafeInt, 0))
	case lesson.Answered:
		c.Client = f.str("client", sim.MaxClientName, "")
		c.Op = f.oneOf("op", "", "", "lock", "unlock", "read")
		c.Outcome = f.str("outcome", 64, "")
	case lesson.Became:
		switch f.oneOf("role", "", "follower", "candidate", "leader") {
		case "candidate":
			c.Role = raft.Candidate
		case "leader":
			c.Role = raft.Leader
		case "follower":
			c.Role = raft.Follower
		default:
			f.fail(badArg(what + ".role is missing: follower, candidate or leader"))
		}
	case lesson.Voted:
		c.For = peer("for")
		c.Term = uint64(f.int("term", 1, MaxSafeInt, 0))
	case lesson.Truncated:
		c.Index = uint64(f.int("index", 1, MaxSafeInt, 0))
	case lesson.Snapshotted:
		c.Installed = f.flag("installed")
		c.Index = uint64(f.int("index", 1, MaxSafeInt, 0))
	}
	return c, f.done()
}

// msg reads a description of messages: {type, from, to, entries, ok,
// term, fits}; from and to are a server or a list of them.
func (d lessonDecoder) msg(what string, v any) (lesson.Msg, *Error) {
	var m lesson.Msg
	f := object(what, v, true)
	m.Type = f.str("type", 64, "")
	ids := func(key string) []raft.ID {
		v, ok := f.get(key)
		if !ok {
			return nil
		}
		list, isList := v.([]any)
		if !isList {
			list = []any{v}
		}
		var out []raft.ID
		for _, x := range list {
			id, err := peerNumber(f.name(key), x, d.peers)
			f.fail(err)
			out = append(out, id)
		}
		return out
	}
	m.From, m.To = ids("from"), ids("to")
	m.Entries = f.flag("entries")
	if v, ok := f.get("ok"); ok {
		b, isBool := v.(bool)
		if !isBool {
			f.fail(badArg(f.name("ok") + " must be true or false, got " + describe(v)))
		}
		m.OK = &b
	}
	m.Term = uint64(f.int("term", 1, MaxSafeInt, 0))
	m.Fits = f.flag("fits")
	return m, f.done()
}

// playLesson checks and plays a lesson in slices, as runTo does.
func (ss *Session) playLesson(l *lesson.Lesson) (*lesson.Outline, *Error) {
	start := time.Now()
	out, err := lesson.Play(l, lesson.Options{Yield: func() bool {
		if time.Since(start) < ss.budget {
			return true
		}
		defer func() { start = time.Now() }()
		return ss.pause == nil || ss.pause(Progress{"lesson", 0, 0})
	}})
	switch {
	case err == lesson.ErrCanceled:
		return nil, errCanceled
	case err != nil:
		return nil, &Error{CodeRejected, "lesson " + strconv.Quote(l.Name) + ": " + err.Error()}
	}
	return out, nil
}

// lessonCall is the lesson call (API.md): it reads, checks and plays a
// lesson, leaving the page's run as it is, and answers the outline.
func lessonCall(ss *Session, b []byte, args []any) ([]byte, *Error) {
	l, err := DecodeLesson(arg(args, 0))
	if err != nil {
		return nil, err
	}
	out, err := ss.playLesson(l)
	if err != nil {
		return nil, err
	}
	return appendOutline(b, out), nil
}

// appendOutline writes a played lesson for the page (API.md, "Lessons").
func appendOutline(b []byte, o *lesson.Outline) []byte {
	l := o.Lesson
	w := obj(b)
	w.str("name", l.Name)
	w.str("title", l.Title)
	w.str("summary", l.Summary)
	w.key("runs")
	w.b = append(w.b, '[')
	for i := range o.Runs {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.b = o.Runs[i].AppendJSON(w.b)
	}
	w.b = append(w.b, ']')
	w.key("steps")
	w.b = append(w.b, '[')
	for i := range o.Steps {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.b = appendStep(w.b, &l.Steps[i], &o.Steps[i])
	}
	w.b = append(w.b, ']')
	return w.end()
}

func appendStep(b []byte, st *lesson.Step, so *lesson.StepOutline) []byte {
	w := obj(b)
	w.str("caption", st.Caption)
	w.key("parts")
	w.b = append(w.b, '[')
	for i, p := range so.Parts {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		pw := obj(w.b)
		pw.str("text", p.Text)
		switch {
		case p.Server != raft.None:
			pw.uint("server", uint64(p.Server))
		case p.Msg != "":
			pw.str("msg", p.Msg)
		case p.Entries != nil:
			pw.raw("entries", uints(p.Entries))
		}
		w.b = pw.end()
	}
	w.b = append(w.b, ']')
	ids := make([]uint64, len(so.Servers))
	for i, id := range so.Servers {
		ids[i] = uint64(id)
	}
	w.raw("servers", uints(ids))
	w.raw("entries", uints(so.Entries))
	w.key("messages")
	w.b = append(w.b, '[')
	for i, m := range so.Messages {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.b = appendString(w.b, m)
	}
	w.b = append(w.b, ']')
	w.int("start", so.Start)
	w.int("end", so.End)
	w.int("run", int64(so.Run))
	w.int("actions", int64(so.Actions))
	w.str("hash", strconv.FormatUint(so.Hash, 16))
	if so.Until != "" {
		w.str("until", so.Until)
	}
	if so.Reached != nil {
		w.raw("reached", appendHappened(nil, so.Reached))
	}
	if q := st.Question; q != nil {
		qw := obj(nil)
		qw.str("ask", q.Ask)
		qw.key("options")
		qw.b = append(qw.b, '[')
		for i := range q.Options {
			if i > 0 {
				qw.b = append(qw.b, ',')
			}
			qw.b = appendString(qw.b, q.Options[i].Text)
		}
		qw.b = append(qw.b, ']')
		qw.int("answer", int64(so.Answer))
		qw.str("why", q.Options[so.Answer].Why)
		if so.Evidence != nil {
			qw.raw("happened", appendHappened(nil, so.Evidence))
		} else { // a "not": nothing happened, by the step's end
			hw := obj(nil)
			hw.str("text", q.Options[so.Answer].If.Of[0].Describe()+": it did not happen")
			hw.int("time", so.End)
			qw.raw("happened", hw.end())
		}
		w.raw("question", qw.end())
	}
	return w.end()
}

// appendHappened writes an event as the page shows it: what, and when.
func appendHappened(b []byte, e *sim.Event) []byte {
	w := obj(b)
	w.str("text", e.Describe())
	w.int("time", e.Time)
	return w.end()
}

func uints(list []uint64) []byte {
	b := []byte{'['}
	for i, v := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendUint(b, v, 10)
	}
	return append(b, ']')
}
