package lesson

import (
	"slices"
	"strconv"
	"strings"

	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/sim"
)

// watch follows one condition through a step's events: whether it has
// happened, and the event that made it so (for the page: "what happened").
type watch struct {
	c    *Cond
	subs []*watch
	hit  *sim.Event // the event at which it first held; nil if it has not
}

func newWatch(c *Cond) *watch {
	w := &watch{c: c}
	for i := range c.Of {
		w.subs = append(w.subs, newWatch(&c.Of[i]))
	}
	return w
}

// see takes the next event of the step; roles are the servers' roles
// before it. It reports whether the condition has now happened.
func (w *watch) see(e *sim.Event, roles []raft.Role) bool {
	for _, s := range w.subs {
		s.see(e, roles)
	}
	if w.hit != nil {
		return true
	}
	switch w.c.Kind {
	case Not:
		return false // decided at the end of the step
	case All:
		for _, s := range w.subs {
			if s.hit == nil {
				return false
			}
		}
	case Any:
		if !slices.ContainsFunc(w.subs, func(s *watch) bool { return s.hit != nil }) {
			return false
		}
	default:
		if !w.c.matches(e, roles) {
			return false
		}
	}
	ev := *e
	w.hit = &ev
	return true
}

// held says whether the condition held over the whole step, now over.
func (w *watch) held() bool {
	if w.c.Kind == Not {
		return w.subs[0].hit == nil
	}
	return w.hit != nil
}

// matches says whether one event is what c describes.
func (c *Cond) matches(e *sim.Event, roles []raft.Role) bool {
	peer := c.Peer == raft.None || c.Peer == e.Peer
	switch c.Kind {
	case Elected:
		return e.Kind == sim.EvRole && e.Role == raft.Leader && peer && (c.Term == 0 || c.Term == e.Term)
	case Committed:
		atLeader := c.Peer != raft.None || roles[e.Peer-1] == raft.Leader
		return e.Kind == sim.EvCommit && peer && atLeader && e.Index >= c.Index
	case Applied:
		if c.Skipped {
			return peer && e.Kind == sim.EvApply && e.Skipped && e.Index >= c.Index
		}
		return peer && (e.Kind == sim.EvApply && e.Index >= c.Index || e.Kind == sim.EvSnapshot && e.Installed && e.Index >= c.Index)
	case Answered:
		return e.Kind == sim.EvReply && e.Client == c.Client && (c.Op == "" || c.Op == e.Op) && (c.Outcome == "" || c.Outcome == e.Outcome)
	case Delivered:
		return e.Kind == sim.EvDeliver && c.Msg.matches(e.Msg)
	case Sent:
		return e.Kind == sim.EvSend && !e.Dup && c.Msg.matches(e.Msg)
	case Became:
		return e.Kind == sim.EvRole && peer && e.Role == c.Role
	case Voted:
		return e.Kind == sim.EvVote && peer && (c.For == raft.None || c.For == e.Vote) && (c.Term == 0 || c.Term == e.Term)
	case Truncated:
		return e.Kind == sim.EvTruncate && peer && (c.Index == 0 || e.Index <= c.Index)
	case Snapshotted:
		return e.Kind == sim.EvSnapshot && peer && (!c.Installed || e.Installed) && e.Index >= c.Index
	case TimedOut:
		return e.Kind == sim.EvTimeout && peer
	case Crashed:
		return e.Kind == sim.EvCrash && peer
	}
	return false
}

// matches says whether m is one of the messages d describes. A delivery's
// event carries the whole message, as a send's does.
func (d *Msg) matches(m *raft.Message) bool {
	if m == nil || !d.typeMatches(m) {
		return false
	}
	if len(d.From) > 0 && !slices.Contains(d.From, m.From) || len(d.To) > 0 && !slices.Contains(d.To, m.To) {
		return false
	}
	if d.Entries && len(m.Entries) == 0 {
		return false
	}
	if d.Term != 0 && !slices.ContainsFunc(m.Entries, func(e raft.Entry) bool { return e.Term == d.Term }) {
		return false
	}
	if d.OK != nil {
		ok := m.Success
		if m.Type == raft.MsgVoteResp {
			ok = m.VoteGranted
		}
		if ok != *d.OK {
			return false
		}
	}
	return true
}

func (d *Msg) typeMatches(m *raft.Message) bool {
	if d.Type == "heartbeat" {
		return m.Type == raft.MsgApp && len(m.Entries) == 0
	}
	return d.Type == "" || d.Type == m.Type.String()
}

// Describe says what c waits for, in words for the page: "until" and the
// result of Describe read as a sentence.
func (c *Cond) Describe() string {
	who := "a server"
	if c.Peer != raft.None {
		who = c.Peer.String()
	}
	return c.describe(who, false)
}

// describe words c with who as its subject, plural when who names several
// servers ("s2, s3 and s4 apply entry 3").
func (c *Cond) describe(who string, plural bool) string {
	verb := func(one, many string) string {
		if plural {
			return many
		}
		return one
	}
	switch c.Kind {
	case Elected:
		s := "a leader is elected"
		if c.Peer != raft.None {
			s = who + verb(" becomes", " become") + " leader"
		}
		if c.Term != 0 {
			s += " in term " + u(c.Term)
		}
		return s
	case Committed:
		if c.Peer != raft.None {
			return who + verb(" knows", " know") + " entry " + u(c.Index) + " is committed"
		}
		return "the leader commits entry " + u(c.Index)
	case Applied:
		if c.Skipped {
			return who + verb(" meets", " meet") + " a retry of an entry it applied, at entry " + u(c.Index) + " or later"
		}
		return who + verb(" applies", " apply") + " entry " + u(c.Index)
	case Answered:
		s := c.Client + "'s "
		if c.Op != "" {
			s += c.Op + " "
		}
		s += "request is answered"
		if c.Outcome != "" {
			s += " " + c.Outcome
		}
		return s
	case Delivered:
		return c.Msg.describe() + " arrives"
	case Sent:
		return c.Msg.describe() + " is sent"
	case Became:
		return who + verb(" becomes ", " become ") + c.Role.String()
	case Voted:
		s := who + verb(" votes", " vote")
		if c.For != raft.None {
			s += " for " + c.For.String()
		}
		if c.Term != 0 {
			s += " in term " + u(c.Term)
		}
		return s
	case Truncated:
		return who + verb(" deletes", " delete") + " conflicting entries"
	case Snapshotted:
		if c.Installed {
			return who + verb(" installs", " install") + " the leader's snapshot"
		}
		return who + verb(" compacts its log", " compact their logs") + " into a snapshot"
	case TimedOut:
		return who + "'s election timer runs out"
	case Crashed:
		return who + verb(" crashes", " crash")
	case Not:
		return "not: " + c.Of[0].Describe()
	case All, Any:
		parts := c.describeParts()
		if c.Kind == All {
			return strings.Join(parts, ", and ")
		}
		return strings.Join(parts, ", or ")
	}
	return c.Kind.String()
}

// describeParts words the parts of an All or Any, naming together the
// servers of parts that differ only in their server: "s2, s3 and s4 apply
// entry 3", not "s2 applies entry 3, and s3 applies entry 3, and ..."; "s2
// or s3 becomes leader".
func (c *Cond) describeParts() []string {
	const mark = "\x00" // stands for the server while parts are compared
	var parts []string
	var peers [][]raft.ID
	at := map[string]int{}
	for i := range c.Of {
		d := &c.Of[i]
		if d.Peer == raft.None || d.Kind == TimedOut || d.Kind == All || d.Kind == Any || d.Kind == Not {
			parts, peers = append(parts, d.Describe()), append(peers, nil)
			continue
		}
		key := d.describe(mark, false)
		if j, ok := at[key]; ok {
			peers[j] = append(peers[j], d.Peer)
			continue
		}
		at[key] = len(parts)
		parts, peers = append(parts, key), append(peers, []raft.ID{d.Peer})
	}
	for j, ids := range peers {
		if ids == nil {
			continue
		}
		names := make([]string, len(ids))
		for k, id := range ids {
			names[k] = id.String()
		}
		// All: "s2 and s3 apply"; Any: "s2 or s3 applies".
		who, plural := names[0], false
		if n := len(names); n > 1 {
			if c.Kind == All {
				who, plural = strings.Join(names[:n-1], ", ")+" and "+names[n-1], true
			} else {
				who = strings.Join(names[:n-1], ", ") + " or " + names[n-1]
			}
		}
		// The part's words again, with the servers as the subject.
		for i := range c.Of {
			if c.Of[i].Peer == ids[0] && c.Of[i].describe(mark, false) == parts[j] {
				parts[j] = c.Of[i].describe(who, plural)
				break
			}
		}
	}
	return parts
}

// DescribeNot says that c did not happen, for a question whose answer is
// a "not": "s5 does not become leader".
func (c *Cond) DescribeNot() string {
	who := "no server"
	if c.Peer != raft.None {
		who = c.Peer.String()
	}
	does := func(verb string) string {
		if c.Peer == raft.None {
			return "no server " + verb
		}
		return who + " does not " + verb
	}
	switch c.Kind {
	case Elected:
		s := "no leader is elected"
		if c.Peer != raft.None {
			s = who + " does not become leader"
		}
		if c.Term != 0 {
			s += " in term " + u(c.Term)
		}
		return s
	case Committed:
		if c.Peer != raft.None {
			return who + " does not learn that entry " + u(c.Index) + " is committed"
		}
		return "no leader commits entry " + u(c.Index)
	case Applied:
		if c.Skipped {
			return does("meet a retry of an entry it applied")
		}
		return does("apply entry " + u(c.Index))
	case Answered:
		s := c.Client + "'s "
		if c.Op != "" {
			s += c.Op + " "
		}
		s += "request is not answered"
		if c.Outcome != "" {
			s += " " + c.Outcome
		}
		return s
	case Delivered:
		return "no such message arrives (" + c.Msg.describe() + ")"
	case Sent:
		return "no such message is sent (" + c.Msg.describe() + ")"
	case Became:
		return does("become " + c.Role.String())
	case Voted:
		s := does("vote")
		if c.For != raft.None {
			s += " for " + c.For.String()
		}
		if c.Term != 0 {
			s += " in term " + u(c.Term)
		}
		return s
	case Truncated:
		return does("delete any entry")
	case Snapshotted:
		if c.Installed {
			return does("install a snapshot")
		}
		return does("take a snapshot")
	case TimedOut:
		if c.Peer == raft.None {
			return "no election timer runs out"
		}
		return who + "'s election timer does not run out"
	case Crashed:
		return does("crash")
	}
	return "not: " + c.Describe()
}

func (d *Msg) describe() string {
	s := "a message"
	switch {
	case d.Type == "heartbeat":
		s = "a heartbeat"
	case d.Type != "":
		s = "a" + an(d.Type) + " " + d.Type
		if d.Entries {
			s += " with entries"
		}
	}
	if len(d.From) > 0 {
		s += " from " + ids(d.From)
	}
	if len(d.To) > 0 {
		s += " to " + ids(d.To)
	}
	return s
}

func an(word string) string {
	if word != "" && strings.ContainsRune("AEIOU", rune(word[0])) {
		return "n"
	}
	return ""
}

func ids(list []raft.ID) string {
	names := make([]string, len(list))
	for i, id := range list {
		names[i] = id.String()
	}
	switch len(names) {
	case 1:
		return names[0]
	case 2:
		return names[0] + " or " + names[1]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

func u(v uint64) string { return strconv.FormatUint(v, 10) }
