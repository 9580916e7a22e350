package lesson

import (
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/sim"
)

// check finds what is wrong with a lesson before it is played: what
// playing finds (a condition never reached, a question without exactly
// one right answer) is Play's.
func check(l *Lesson) error {
	lessonErr := func(field, msg string) error { return &Error{Field: field, Msg: msg} }
	switch {
	case !validName(l.Name):
		return lessonErr("name", "a lesson's name is 1 to 40 lowercase letters, digits and '-', got "+strconv.Quote(l.Name))
	case l.Run.Config.Peers > sim.MaxDisplay:
		return lessonErr("run", "the page draws at most "+strconv.Itoa(sim.MaxDisplay)+" servers, got "+strconv.Itoa(l.Run.Config.Peers))
	case len(l.Run.Actions) > 0:
		return lessonErr("run", "a lesson's actions belong to its steps (do), not to its run")
	case len(l.Steps) == 0 || len(l.Steps) > MaxSteps:
		return lessonErr("steps", "a lesson has 1 to "+strconv.Itoa(MaxSteps)+" steps, got "+strconv.Itoa(len(l.Steps)))
	}
	if err := text("title", l.Title, 100, true); err != nil {
		return lessonErr("title", err.Error())
	}
	if err := text("summary", l.Summary, MaxText, false); err != nil {
		return lessonErr("summary", err.Error())
	}
	c := checker{peers: l.Run.Config.Peers}
	for i := range l.Steps {
		if f := l.Steps[i].From; f < 0 || f > i {
			return &Error{Step: i + 1, Field: "from", Msg: "from names an earlier step, and step " + strconv.Itoa(f) + " is not one"}
		}
		if field, err := c.step(&l.Steps[i]); err != nil {
			return &Error{Step: i + 1, Field: field, Msg: err.Error()}
		}
	}
	return nil
}

type checker struct{ peers int }

type problem string

func (p problem) Error() string { return string(p) }

func (c *checker) step(st *Step) (string, error) {
	if err := text("caption", st.Caption, MaxCaption, true); err != nil {
		return "caption", err
	}
	// A step may add the run's next new server; its conditions and the
	// later steps' may name it. (A step after a from that goes back
	// before the addition may name it too: the run does not have it, so
	// its actions on it are refused and its conditions on it never hold.)
	for j, a := range st.Do {
		if a.Kind == sim.ActAdd && int(a.Peer) == c.peers+1 {
			if c.peers++; c.peers > sim.MaxDisplay {
				return "do[" + strconv.Itoa(j) + "]", problem("the page draws at most " + strconv.Itoa(sim.MaxDisplay) + " servers, and this adds s" + strconv.Itoa(c.peers))
			}
		}
	}
	plays := st.Until != nil || st.ForMs > 0
	switch {
	case len(st.Do) > MaxDo:
		return "do", problem("a step does at most " + strconv.Itoa(MaxDo) + " actions at its start")
	case st.Until != nil && st.ForMs > 0:
		return "for", problem("a step plays until something happens or for a time, not both")
	case st.WithinMs != 0 && st.Until == nil:
		return "within", problem("within bounds until, and this step has no until")
	case st.WithinMs < 0 || st.WithinMs > MaxWithinMs:
		return "within", problem("within must be from 1 to " + strconv.Itoa(MaxWithinMs) + " ms")
	case st.ForMs < 0 || st.ForMs > MaxWithinMs:
		return "for", problem("for must be from 1 to " + strconv.Itoa(MaxWithinMs) + " ms")
	case len(st.Drop) > 0 && !plays:
		return "drop", problem("a step drops messages while it plays, and this one does not play (give it until or for)")
	case st.Question != nil && !plays:
		return "question", problem("a question is answered by what the step plays, and this one does not play (give it until or for)")
	}
	for j := range st.Drop {
		if err := c.msg(&st.Drop[j]); err != nil {
			return "drop[" + strconv.Itoa(j) + "]", err
		}
	}
	if st.Until != nil {
		if err := c.cond(st.Until, true); err != nil {
			return "until", err
		}
	}
	if q := st.Question; q != nil {
		if err := text("ask", q.Ask, MaxText, true); err != nil {
			return "question", err
		}
		if len(q.Options) < 2 || len(q.Options) > MaxOptions {
			return "question", problem("a question has 2 to " + strconv.Itoa(MaxOptions) + " options")
		}
		for j := range q.Options {
			o := &q.Options[j]
			field := "question.options[" + strconv.Itoa(j) + "]"
			if err := text("text", o.Text, MaxText, true); err != nil {
				return field, err
			}
			if err := text("why", o.Why, MaxText, false); err != nil {
				return field, err
			}
			if err := c.cond(&o.If, false); err != nil {
				return field + ".if", err
			}
		}
	}
	return "", nil
}

// cond checks a condition; an until may not hold a "not" (a step cannot
// end when nothing happens).
func (c *checker) cond(x *Cond, until bool) error {
	switch x.Kind {
	case Not:
		if until {
			return problem("until needs something that happens; \"not\" is for a question's options")
		}
		if len(x.Of) != 1 {
			return problem("\"not\" holds one condition")
		}
	case All, Any:
		if len(x.Of) < 2 {
			return problem("\"" + x.Kind.String() + "\" holds two or more conditions")
		}
	case Committed, Applied:
		if x.Index == 0 {
			return problem("\"" + x.Kind.String() + "\" needs the index of an entry (from 1)")
		}
	case Answered:
		if err := validClient(x.Client); err != nil {
			return err
		}
		if x.Op != "" && x.Op != "lock" && x.Op != "unlock" && x.Op != "read" {
			return problem("answered.op must be lock, unlock or read, got " + strconv.Quote(x.Op))
		}
	case Delivered, Sent:
		if err := c.msg(&x.Msg); err != nil {
			return err
		}
	case Became, Voted, Truncated, Snapshotted, TimedOut, Crashed, Elected:
	default:
		return problem("unknown condition (known: " + strings.Join(CondKinds(), ", ") + ")")
	}
	for _, id := range []raft.ID{x.Peer, x.For} {
		if err := c.peer(id); err != nil {
			return err
		}
	}
	for i := range x.Of {
		if err := c.cond(&x.Of[i], until); err != nil {
			return err
		}
	}
	return nil
}

func (c *checker) msg(m *Msg) error {
	if m.Type != "" && !slices.Contains(MsgTypes, m.Type) {
		return problem("no message type " + strconv.Quote(m.Type) + " (known: " + strings.Join(MsgTypes, ", ") + ")")
	}
	for _, list := range [][]raft.ID{m.From, m.To} {
		for _, id := range list {
			if err := c.peer(id); err != nil {
				return err
			}
		}
	}
	return nil
}

// peer checks a server a condition names (None: any).
func (c *checker) peer(id raft.ID) error {
	if id != raft.None && int(id) > c.peers {
		return problem("no server " + id.String() + ": the run has s1 to s" + strconv.Itoa(c.peers))
	}
	return nil
}

func validClient(name string) error {
	if name == "" {
		return problem("answered needs the client's name")
	}
	return nil
}

func validName(s string) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// text checks a text of the lesson: UTF-8, no control characters, at most
// max bytes, and not empty if required.
func text(what, s string, max int, required bool) error {
	switch {
	case required && strings.TrimSpace(s) == "":
		return problem("the " + what + " is missing")
	case len(s) > max:
		return problem("the " + what + " is longer than " + strconv.Itoa(max) + " bytes")
	case !utf8.ValidString(s):
		return problem("the " + what + " is not valid UTF-8")
	case strings.ContainsFunc(s, unicode.IsControl):
		return problem("the " + what + " holds a control character")
	}
	return nil
}
