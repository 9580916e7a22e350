package api

import (
	"github.com/raftplay/raftplay/raft/sim/jsonio"

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
	f := jsonio.Object("lesson", v, true)
	if f.Missing() {
		return nil, badArg("a lesson is required (an object or its JSON text, as in docs/LESSONS.md)")
	}
	if version := f.Int("version", 0, MaxSafeInt, 0); f.Err() == nil && version != 1 {
		return nil, badArg("lesson.version must be 1, got " + strconv.FormatInt(version, 10))
	}
	l := &lesson.Lesson{
		Name:    f.Str("name", 64, ""),
		Title:   f.Str("title", 200, ""),
		Summary: f.Str("summary", lesson.MaxText+1, ""),
	}
	run, _ := f.Get("run")
	o, err := decodeOptions(run)
	if err != nil {
		return nil, &Error{Code: err.Code, Msg: "lesson.run: " + strings.TrimPrefix(err.Msg, "options")}
	}
	if o.Scenario != ScenarioElection {
		return nil, badArg("lesson.run: a lesson's run is a configuration and a seed, not a scenario: its steps act")
	}
	l.Run = sim.Definition{Config: o.Config, Seed: o.Seed}
	list, _ := f.Get("steps")
	steps, isList := list.([]any)
	switch {
	case f.Err() != nil:
		return nil, f.Err()
	case !isList:
		return nil, badArg("lesson.steps must be a list of steps, got " + jsonio.Describe(list))
	case len(steps) > lesson.MaxSteps:
		return nil, tooLarge("lesson.steps has " + strconv.Itoa(len(steps)) + " steps; the limit is " + strconv.Itoa(lesson.MaxSteps))
	}
	d := &lessonDecoder{peers: o.Config.Peers}
	for i, v := range steps {
		st, err := d.step("lesson.steps["+strconv.Itoa(i)+"]", v)
		if err != nil {
			return nil, err
		}
		l.Steps = append(l.Steps, st)
	}
	return l, f.Done()
}

// lessonDecoder reads a lesson's steps in order. peers counts the servers
// a step may name: the run's, and the new ones the steps so far add.
type lessonDecoder struct{ peers int }

func (d *lessonDecoder) step(what string, v any) (lesson.Step, *Error) {
	var st lesson.Step
	f := jsonio.Object(what, v, true)
	if f.Missing() {
		return st, badArg(what + " must be an object, got nothing")
	}
	st.Caption = f.Str("caption", lesson.MaxCaption+1, "")
	st.From = int(f.Int("from", 1, lesson.MaxSteps, 0))
	if list, ok := f.Get("do"); ok {
		acts, isList := list.([]any)
		if !isList || len(acts) > lesson.MaxDo {
			return st, badArg(what + ".do must be a list of at most " + strconv.Itoa(lesson.MaxDo) + " actions")
		}
		for j, a := range acts {
			name := what + ".do[" + strconv.Itoa(j) + "]"
			if m, ok := a.(map[string]any); ok && m["at"] != nil {
				return st, badArg(name + ".at: a step's actions happen at its start; leave at out")
			}
			act, err := sim.DecodeAction(name, a, d.peers, false)
			if err != nil {
				return st, err
			}
			st.Do = append(st.Do, act)
			if act.Kind == sim.ActAdd && int(act.Peer) == d.peers+1 {
				d.peers++ // a new server, which the rest of the lesson may name
			}
		}
	}
	if list, ok := f.Get("drop"); ok {
		rules, isList := list.([]any)
		if !isList {
			return st, badArg(what + ".drop must be a list of messages, got " + jsonio.Describe(list))
		}
		for j, r := range rules {
			m, err := d.msg(what+".drop["+strconv.Itoa(j)+"]", r)
			if err != nil {
				return st, err
			}
			st.Drop = append(st.Drop, m)
		}
	}
	if u, ok := f.Get("until"); ok {
		c, err := d.cond(what+".until", u, 0)
		if err != nil {
			return st, err
		}
		st.Until = &c
	}
	st.WithinMs = f.Int("within", 1, lesson.MaxWithinMs, 0)
	st.ForMs = f.Int("for", 1, lesson.MaxWithinMs, 0)
	if q, ok := f.Get("question"); ok {
		question, err := d.question(what+".question", q)
		if err != nil {
			return st, err
		}
		st.Question = question
	}
	return st, f.Done()
}

func (d *lessonDecoder) question(what string, v any) (*lesson.Question, *Error) {
	f := jsonio.Object(what, v, true)
	q := &lesson.Question{Ask: f.Str("ask", lesson.MaxText+1, "")}
	list, _ := f.Get("options")
	opts, isList := list.([]any)
	if f.Err() == nil && (!isList || len(opts) > lesson.MaxOptions) {
		return nil, badArg(what + ".options must be a list of 2 to " + strconv.Itoa(lesson.MaxOptions) + " options")
	}
	for j, v := range opts {
		name := what + ".options[" + strconv.Itoa(j) + "]"
		of := jsonio.Object(name, v, true)
		o := lesson.Option{Text: of.Str("text", lesson.MaxText+1, ""), Why: of.Str("why", lesson.MaxText+1, "")}
		c, _ := of.Get("if")
		if of.Err() == nil && c == nil {
			return nil, badArg(name + ".if is missing: the outcome that makes this option right")
		}
		if of.Err() == nil {
			cond, err := d.cond(name+".if", c, 0)
			if err != nil {
				return nil, err
			}
			o.If = cond
		}
		if err := of.Done(); err != nil {
			return nil, err
		}
		q.Options = append(q.Options, o)
	}
	return q, f.Done()
}

// cond reads a condition: an object with one field, the condition's name,
// whose value gives its details ({"elected": {"peer": 2}}); not, all and
// any hold conditions.
func (d *lessonDecoder) cond(what string, v any, depth int) (lesson.Cond, *Error) {
	var c lesson.Cond
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return c, badArg(what + " must be an object with one field, the condition (" + strings.Join(lesson.CondKinds(), ", ") + "), got " + jsonio.Describe(v))
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
			return c, badArg(what + " must be a list of conditions, got " + jsonio.Describe(body))
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
	f := jsonio.Object(what, body, true)
	peer := func(key string) raft.ID {
		v, ok := f.Get(key)
		if !ok {
			return raft.None
		}
		id, err := sim.DecodePeer(f.Name(key), v, d.peers)
		f.Fail(err)
		return id
	}
	c.Peer = peer("peer")
	switch kind {
	case lesson.Elected:
		c.Term = uint64(f.Int("term", 1, MaxSafeInt, 0))
	case lesson.Committed:
		c.Index = uint64(f.Int("index", 1, MaxSafeInt, 0))
	case lesson.Applied:
		c.Index = uint64(f.Int("index", 1, MaxSafeInt, 0))
		c.Skipped = f.Flag("skipped")
	case lesson.Answered:
		c.Client = f.Str("client", sim.MaxClientName, "")
		c.Op = f.OneOf("op", "", "", "lock", "unlock", "read")
		c.Outcome = f.Str("outcome", 64, "")
	case lesson.Became:
		switch f.OneOf("role", "", "follower", "candidate", "leader") {
		case "candidate":
			c.Role = raft.Candidate
		case "leader":
			c.Role = raft.Leader
		case "follower":
			c.Role = raft.Follower
		default:
			f.Fail(badArg(what + ".role is missing: follower, candidate or leader"))
		}
	case lesson.Voted:
		c.For = peer("for")
		c.Term = uint64(f.Int("term", 1, MaxSafeInt, 0))
	case lesson.Truncated:
		c.Index = uint64(f.Int("index", 1, MaxSafeInt, 0))
	case lesson.Snapshotted:
		c.Installed = f.Flag("installed")
		c.Index = uint64(f.Int("index", 1, MaxSafeInt, 0))
	}
	return c, f.Done()
}

// msg reads a description of messages: {type, from, to, entries, ok,
// term, fits}; from and to are a server or a list of them.
func (d *lessonDecoder) msg(what string, v any) (lesson.Msg, *Error) {
	var m lesson.Msg
	f := jsonio.Object(what, v, true)
	m.Type = f.Str("type", 64, "")
	ids := func(key string) []raft.ID {
		v, ok := f.Get(key)
		if !ok {
			return nil
		}
		list, isList := v.([]any)
		if !isList {
			list = []any{v}
		}
		var out []raft.ID
		for _, x := range list {
			id, err := sim.DecodePeer(f.Name(key), x, d.peers)
			f.Fail(err)
			out = append(out, id)
		}
		return out
	}
	m.From, m.To = ids("from"), ids("to")
	m.Entries = f.Flag("entries")
	if v, ok := f.Get("ok"); ok {
		b, isBool := v.(bool)
		if !isBool {
			f.Fail(badArg(f.Name("ok") + " must be true or false, got " + jsonio.Describe(v)))
		}
		m.OK = &b
	}
	m.Term = uint64(f.Int("term", 1, MaxSafeInt, 0))
	m.Fits = f.Flag("fits")
	return m, f.Done()
}

// playLesson checks and plays a lesson in slices, as runTo does.
func (ss *Session) playLesson(l *lesson.Lesson) (*lesson.Outline, *Error) {
	start := time.Now()
	out, err := lesson.Play(l, lesson.Options{MaxInFlight: MaxInFlight, Yield: func() bool {
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
		return nil, &Error{Code: CodeRejected, Msg: "lesson " + strconv.Quote(l.Name) + ": " + err.Error()}
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
	w := jsonio.NewObject(b)
	w.Str("name", l.Name)
	w.Str("title", l.Title)
	w.Str("summary", l.Summary)
	w.Key("runs")
	w.B = append(w.B, '[')
	for i := range o.Runs {
		if i > 0 {
			w.B = append(w.B, ',')
		}
		w.B = o.Runs[i].AppendJSON(w.B)
	}
	w.B = append(w.B, ']')
	w.Key("steps")
	w.B = append(w.B, '[')
	for i := range o.Steps {
		if i > 0 {
			w.B = append(w.B, ',')
		}
		w.B = appendStep(w.B, &l.Steps[i], &o.Steps[i])
	}
	w.B = append(w.B, ']')
	return w.End()
}

func appendStep(b []byte, st *lesson.Step, so *lesson.StepOutline) []byte {
	w := jsonio.NewObject(b)
	w.Str("caption", st.Caption)
	w.Key("parts")
	w.B = append(w.B, '[')
	for i, p := range so.Parts {
		if i > 0 {
			w.B = append(w.B, ',')
		}
		pw := jsonio.NewObject(w.B)
		pw.Str("text", p.Text)
		switch {
		case p.Server != raft.None:
			pw.Uint("server", uint64(p.Server))
		case p.Msg != "":
			pw.Str("msg", p.Msg)
		case p.Entries != nil:
			pw.Uints("entries", p.Entries)
		}
		w.B = pw.End()
	}
	w.B = append(w.B, ']')
	ids := make([]uint64, len(so.Servers))
	for i, id := range so.Servers {
		ids[i] = uint64(id)
	}
	w.Uints("servers", ids)
	w.Uints("entries", so.Entries)
	w.Strs("messages", so.Messages)
	w.Int("start", so.Start)
	w.Int("end", so.End)
	w.Int("run", int64(so.Run))
	w.Int("actions", int64(so.Actions))
	w.Str("hash", strconv.FormatUint(so.Hash, 16))
	if so.Until != "" {
		w.Str("until", so.Until)
	}
	if so.Reached != nil {
		w.Raw("reached", appendHappened(nil, so.Reached))
	}
	if q := st.Question; q != nil {
		qw := jsonio.NewObject(nil)
		qw.Str("ask", q.Ask)
		texts := make([]string, len(q.Options))
		for i := range q.Options {
			texts[i] = q.Options[i].Text
		}
		qw.Strs("options", texts)
		qw.Int("answer", int64(so.Answer))
		qw.Str("why", q.Options[so.Answer].Why)
		if so.Evidence != nil {
			qw.Raw("happened", appendHappened(nil, so.Evidence))
		} else { // a "not": nothing happened, by the step's end
			hw := jsonio.NewObject(nil)
			hw.Str("text", q.Options[so.Answer].If.Of[0].DescribeNot())
			hw.Bool("by", true)
			hw.Int("time", so.End)
			qw.Raw("happened", hw.End())
		}
		w.Raw("question", qw.End())
	}
	return w.End()
}

// appendHappened writes an event as the page shows it: what, and when.
func appendHappened(b []byte, e *sim.Event) []byte {
	w := jsonio.NewObject(b)
	w.Str("text", e.Describe())
	w.Int("time", e.Time)
	return w.End()
}
