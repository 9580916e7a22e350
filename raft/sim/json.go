package sim

import (
	"strconv"

	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/sim/jsonio"
)

// The trace's JSON form, written by hand with package jsonio: it is on the
// hot path of the playground (every frame). TRACE.md documents the form.

// AppendJSON appends the event's JSON form to b.
func (e *Event) AppendJSON(b []byte) []byte {
	w := jsonio.Writer{B: b}
	w.Open('{')
	w.Uint("seq", e.Seq)
	w.Int("time", e.Time)
	w.Str("kind", e.Kind.String())
	w.UintNZ("peer", uint64(e.Peer))
	if e.Msg != nil {
		w.UintNZ("id", e.MsgID)
		w.Key("msg")
		w.B = appendMessage(w.B, e.Msg, e.Kind == EvSend || e.Kind == EvReject)
		if e.Kind == EvSend {
			w.Int("arrive", e.Arrive)
			w.TrueNZ("dup", e.Dup)
		}
	}
	switch e.Kind {
	case EvRole:
		w.Str("role", e.Role.String())
		w.Uint("term", e.Term)
	case EvTerm, EvTimeout:
		w.Uint("term", e.Term)
	case EvTransfer:
		w.Uint("to", uint64(e.Leader))
	case EvChange:
		w.Str("op", e.Op)
		w.UintNZ("server", uint64(e.Leader))
	case EvVote:
		w.Uint("vote", uint64(e.Vote))
		w.Uint("term", e.Term)
	case EvLeader:
		w.Uint("leader", uint64(e.Leader))
		w.Uint("term", e.Term)
	case EvAppend:
		w.Uint("index", e.Index)
		w.Key("entries")
		w.B = appendEntries(w.B, e.Entries)
	case EvTruncate, EvCommit:
		w.Uint("index", e.Index)
	case EvSnapshot:
		w.Uint("index", e.Index)
		w.Uint("term", e.Term)
		w.TrueNZ("installed", e.Installed)
		w.Int("size", int64(e.Size))
	case EvApply:
		w.Uint("index", e.Index)
		if len(e.Entries) == 1 {
			w.Key("entry")
			w.B = appendEntry(w.B, &e.Entries[0])
		}
		w.StrNZ("reply", e.Reply)
		w.TrueNZ("skipped", e.Skipped)
	case EvRestart:
		w.Uint("term", e.Term)
		w.Uint("vote", uint64(e.Vote))
		w.Uint("index", e.Index)
		w.UintNZ("snapshotIndex", e.SnapshotIndex)
	case EvCrash:
		w.UintNZ("snapshotIndex", e.SnapshotIndex)
	case EvRequest, EvReply:
		w.Uint("req", e.Req)
		w.Str("client", e.Client)
		w.Str("op", e.Op)
		w.StrNZ("outcome", e.Outcome)
	case EvNetwork:
		if e.Action != nil {
			w.Key("action")
			w.B = e.Action.AppendJSON(w.B)
		}
	case EvTimers:
		w.Str("mode", e.Action.Timers.String())
	case EvMark:
		m := e.Action.Mark
		w.Str("note", m.Note)
		if m.Then != nil {
			w.Int("rewind", m.Rewind)
		}
	case EvViolation:
		if e.Violation != nil {
			e.Violation.appendJSON(&w)
		}
	}
	w.StrNZ("reason", e.Reason)
	w.Close('}')
	return w.B
}

// AppendJSONText appends the event's JSON form with one more field, text:
// what Describe says of it. The playground's API answers events so, and
// the page shows the text as it is (TRACE.md's trace document keeps the
// plain form).
func (e *Event) AppendJSONText(b []byte) []byte {
	b = e.AppendJSON(b)
	b = append(b[:len(b)-1], `,"text":`...)
	b = jsonio.AppendString(b, e.Describe())
	return append(b, '}')
}

// appendMessage writes the fields of m that its type uses. full is false
// for deliveries and drops, which name a message already sent in full.
func appendMessage(b []byte, m *raft.Message, full bool) []byte {
	w := jsonio.Writer{B: b}
	w.Open('{')
	w.Str("type", m.Type.String())
	w.Uint("from", uint64(m.From))
	w.Uint("to", uint64(m.To))
	if m.Type == raft.MsgApp {
		w.Bool("heartbeat", len(m.Entries) == 0)
	}
	if full {
		w.UintNZ("term", m.Term)
		switch m.Type {
		case raft.MsgVote, raft.MsgPreVote:
			w.Uint("lastLogIndex", m.LastLogIndex)
			w.Uint("lastLogTerm", m.LastLogTerm)
			w.TrueNZ("transfer", m.Transfer)
		case raft.MsgVoteResp, raft.MsgPreVoteResp:
			w.Bool("voteGranted", m.VoteGranted)
		case raft.MsgApp:
			w.Uint("prevLogIndex", m.PrevLogIndex)
			w.Uint("prevLogTerm", m.PrevLogTerm)
			w.Key("entries")
			w.B = appendEntries(w.B, m.Entries)
			w.Uint("leaderCommit", m.LeaderCommit)
			w.Uint("round", m.Round)
		case raft.MsgAppResp:
			w.Bool("success", m.Success)
			if m.Success {
				w.Uint("matchIndex", m.MatchIndex)
			} else {
				w.Uint("prevLogIndex", m.PrevLogIndex)
				w.Uint("conflictIndex", m.ConflictIndex)
				w.Uint("conflictTerm", m.ConflictTerm)
			}
			w.Uint("round", m.Round)
		case raft.MsgProp:
			w.Key("entries")
			w.B = appendEntries(w.B, m.Entries)
		case raft.MsgRead:
			w.Uint("readId", m.Round)
		case raft.MsgReadResp:
			w.Uint("readId", m.Round)
			w.Uint("readIndex", m.ReadIndex)
		case raft.MsgSnap:
			if s := m.Snapshot; s != nil {
				w.Uint("lastIncludedIndex", s.Index)
				w.Uint("lastIncludedTerm", s.Term)
				w.Key("members")
				w.B = appendIDs(w.B, s.Members)
				w.Int("size", int64(len(s.Data)))
			}
			w.Uint("round", m.Round)
		}
	}
	w.Close('}')
	return w.B
}

func appendEntries(b []byte, es []raft.Entry) []byte {
	b = append(b, '[')
	for i := range es {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendEntry(b, &es[i])
	}
	return append(b, ']')
}

func appendEntry(b []byte, e *raft.Entry) []byte {
	w := jsonio.Writer{B: b}
	w.Open('{')
	w.UintNZ("index", e.Index)
	w.UintNZ("term", e.Term)
	w.Str("type", e.Type.String())
	switch e.Type {
	case raft.EntryCommand:
		w.Str("cmd", string(e.Data))
		w.UintNZ("client", e.Client)
		w.UintNZ("seq", e.Seq)
	case raft.EntryConfig:
		w.Key("members")
		c, _ := raft.DecodeConfiguration(e.Data)
		w.B = appendIDs(w.B, c.Voters)
		if len(c.Learners) > 0 {
			w.Key("learners")
			w.B = appendIDs(w.B, c.Learners)
		}
	}
	w.Close('}')
	return w.B
}

func appendRules(b []byte, rs raft.Rules) []byte {
	b = append(b, '[')
	for i, r := range rs.List() {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonio.AppendString(b, r.String())
	}
	return append(b, ']')
}

func appendIDs(b []byte, ids []raft.ID) []byte {
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendUint(b, uint64(id), 10)
	}
	return append(b, ']')
}

// AppendJSON appends the action's JSON form to b.
func (a *Action) AppendJSON(b []byte) []byte {
	w := jsonio.Writer{B: b}
	w.Open('{')
	w.Int("at", a.At)
	w.Str("kind", a.Kind.String())
	switch a.Kind {
	case ActWrite, ActRead:
		w.Uint("peer", uint64(a.Peer))
		w.Str("client", a.Client)
		if a.Kind == ActWrite {
			w.Str("op", a.Op.String())
		}
	case ActCrash, ActRestart, ActTimeout, ActTransfer, ActAdd, ActRemove:
		w.Uint("peer", uint64(a.Peer))
	case ActTimers:
		w.Str("mode", a.Timers.String())
	case ActMark:
		if m := a.Mark; m != nil {
			w.Str("note", m.Note)
			if m.Then != nil {
				w.Int("rewind", m.Rewind)
				w.Key("then")
				w.B = appendActions(w.B, m.Then)
			}
		}
	case ActCut, ActRestore:
		w.Uint("from", uint64(a.From))
		w.Uint("to", uint64(a.To))
	case ActPartition:
		w.Key("groups")
		w.B = append(w.B, '[')
		for i, g := range a.Groups {
			if i > 0 {
				w.B = append(w.B, ',')
			}
			w.B = appendIDs(w.B, g)
		}
		w.B = append(w.B, ']')
	case ActNetwork:
		w.Key("link")
		if a.Link != nil {
			w.B = a.Link.appendJSON(w.B)
		} else {
			w.B = append(w.B, "null"...)
		}
	case ActDrop:
		w.Uint("msg", a.Msg)
	}
	w.Close('}')
	return w.B
}

func (l *Link) appendJSON(b []byte) []byte {
	w := jsonio.Writer{B: b}
	w.Open('{')
	w.Int("latencyMinMs", l.LatencyMinMs)
	w.Int("latencyMaxMs", l.LatencyMaxMs)
	w.Float("loss", l.Loss)
	w.Float("duplicate", l.Duplicate)
	w.Float("reorder", l.Reorder)
	w.Close('}')
	return w.B
}

var bootstrapNames = [...]string{BootstrapAll: "all", BootstrapTalk: "talk"}

func (b Bootstrap) String() string {
	if int(b) < len(bootstrapNames) {
		return bootstrapNames[b]
	}
	return "bootstrap(" + strconv.Itoa(int(b)) + ")"
}

// ParseBootstrap is the inverse of Bootstrap.String.
func ParseBootstrap(s string) (Bootstrap, bool) {
	for i, n := range bootstrapNames {
		if n == s {
			return Bootstrap(i), true
		}
	}
	return 0, false
}

// AppendJSON appends the configuration's JSON form to b.
func (c *Config) AppendJSON(b []byte) []byte {
	w := jsonio.Writer{B: b}
	w.Open('{')
	w.Int("peers", int64(c.Peers))
	w.Int("tickMs", c.TickMs)
	w.Int("electionMinMs", c.ElectionMinMs)
	w.Int("electionMaxMs", c.ElectionMaxMs)
	w.Int("heartbeatMs", c.HeartbeatMs)
	w.Key("net")
	w.B = c.Net.appendJSON(w.B)
	w.Int("clientTimeoutMs", c.ClientTimeoutMs)
	w.Int("snapshotEvery", int64(c.SnapshotEvery))
	if c.MaxEntries != 0 {
		w.Int("maxEntries", int64(c.MaxEntries))
	}
	w.Str("bootstrap", c.Bootstrap.String())
	w.TrueNZ("goroutines", c.Goroutines)
	w.TrueNZ("preVote", c.PreVote)
	w.TrueNZ("checkQuorum", c.CheckQuorum)
	if !c.Broken.None() {
		w.Key("broken")
		w.B = appendRules(w.B, c.Broken)
	}
	w.Close('}')
	return w.B
}

// AppendJSON appends the definition's JSON form to b.
func (d *Definition) AppendJSON(b []byte) []byte {
	w := jsonio.Writer{B: b}
	w.Open('{')
	w.Int("version", TraceVersion)
	w.Key("config")
	w.B = d.Config.AppendJSON(w.B)
	w.Uint("seed", d.Seed)
	w.Key("actions")
	w.B = appendActions(w.B, d.Actions)
	w.Close('}')
	return w.B
}

func appendActions(b []byte, acts []Action) []byte {
	b = append(b, '[')
	for i := range acts {
		if i > 0 {
			b = append(b, ',')
		}
		b = acts[i].AppendJSON(b)
	}
	return append(b, ']')
}

// TraceJSON returns the whole kept trace as one JSON document: the run's
// definition and its events.
func (s *Sim) TraceJSON() []byte { return s.AppendTrace(nil, s.Definition()) }

// AppendTrace appends the trace document of TRACE.md, with def as its
// definition, to b: the run's kept events, one a line.
func (s *Sim) AppendTrace(b []byte, def Definition) []byte {
	w := jsonio.Writer{B: b}
	w.Open('{')
	w.Int("version", TraceVersion)
	w.Key("definition")
	w.B = def.AppendJSON(w.B)
	w.Key("events")
	w.B = append(w.B, '[')
	evs, _ := s.Events(0)
	for i := range evs {
		if i > 0 {
			w.B = append(w.B, ',', '\n')
		}
		w.B = evs[i].AppendJSON(w.B)
	}
	w.B = append(w.B, ']')
	w.Close('}')
	return append(w.B, '\n')
}
