package sim

import (
	"strconv"
	"unicode/utf8"

	"github.com/raftplay/raftplay/raft"
)

// The trace's JSON form, written by hand: it is on the hot path of the
// playground (every frame), and encoding/json would add a quarter of a
// megabyte to the WebAssembly download. TRACE.md documents the form.

// jw appends JSON to a byte slice.
type jw struct {
	b     []byte
	comma bool
}

func (w *jw) key(k string) {
	if w.comma {
		w.b = append(w.b, ',')
	}
	w.comma = true
	w.b = append(w.b, '"')
	w.b = append(w.b, k...)
	w.b = append(w.b, '"', ':')
}

func (w *jw) open(c byte)  { w.b = append(w.b, c); w.comma = false }
func (w *jw) close(c byte) { w.b = append(w.b, c); w.comma = true }

func (w *jw) elem() {
	if w.comma {
		w.b = append(w.b, ',')
	}
	w.comma = true
}

func (w *jw) uint(k string, v uint64) {
	w.key(k)
	w.b = strconv.AppendUint(w.b, v, 10)
}

func (w *jw) int(k string, v int64) {
	w.key(k)
	w.b = strconv.AppendInt(w.b, v, 10)
}

func (w *jw) float(k string, v float64) {
	w.key(k)
	w.b = strconv.AppendFloat(w.b, v, 'g', -1, 64)
}

func (w *jw) bool(k string, v bool) {
	w.key(k)
	w.b = strconv.AppendBool(w.b, v)
}

func (w *jw) str(k, v string) {
	w.key(k)
	w.b = appendString(w.b, v)
}

// nonzero helpers keep the trace small: absent means zero.
func (w *jw) uintNZ(k string, v uint64) {
	if v != 0 {
		w.uint(k, v)
	}
}

func (w *jw) strNZ(k, v string) {
	if v != "" {
		w.str(k, v)
	}
}

func (w *jw) trueNZ(k string, v bool) {
	if v {
		w.bool(k, true)
	}
}

const hexDigits = "0123456789abcdef"

// AppendJSONString appends s as a JSON string, as the trace writes every
// string: invalid UTF-8 becomes U+FFFD, and '<', '>' and '&' are escaped so
// that JSON is safe inside HTML too. The playground's API uses it for its
// own answers, so both escape alike.
func AppendJSONString(b []byte, s string) []byte { return appendString(b, s) }

func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x7f:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else if r == '\u2028' || r == '\u2029' {
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// AppendJSON appends the event's JSON form to b.
func (e *Event) AppendJSON(b []byte) []byte {
	w := jw{b: b}
	w.open('{')
	w.uint("seq", e.Seq)
	w.int("time", e.Time)
	w.str("kind", e.Kind.String())
	w.uintNZ("peer", uint64(e.Peer))
	if e.Msg != nil {
		w.uintNZ("id", e.MsgID)
		w.key("msg")
		w.b = appendMessage(w.b, e.Msg, e.Kind == EvSend || e.Kind == EvReject)
		if e.Kind == EvSend {
			w.int("arrive", e.Arrive)
			w.trueNZ("dup", e.Dup)
		}
	}
	switch e.Kind {
	case EvRole:
		w.str("role", e.Role.String())
		w.uint("term", e.Term)
	case EvTerm, EvTimeout:
		w.uint("term", e.Term)
	case EvVote:
		w.uint("vote", uint64(e.Vote))
		w.uint("term", e.Term)
	case EvLeader:
		w.uint("leader", uint64(e.Leader))
		w.uint("term", e.Term)
	case EvAppend:
		w.uint("index", e.Index)
		w.key("entries")
		w.b = appendEntries(w.b, e.Entries)
	case EvTruncate, EvCommit:
		w.uint("index", e.Index)
	case EvSnapshot:
		w.uint("index", e.Index)
		w.uint("term", e.Term)
		w.trueNZ("installed", e.Installed)
		w.int("size", int64(e.Size))
	case EvApply:
		w.uint("index", e.Index)
		if len(e.Entries) == 1 {
			w.key("entry")
			w.b = appendEntry(w.b, &e.Entries[0])
		}
		w.strNZ("reply", e.Reply)
		w.trueNZ("skipped", e.Skipped)
	case EvRestart:
		w.uint("term", e.Term)
		w.uint("vote", uint64(e.Vote))
		w.uint("index", e.Index)
	case EvRequest, EvReply:
		w.uint("req", e.Req)
		w.str("client", e.Client)
		w.str("op", e.Op)
		w.strNZ("outcome", e.Outcome)
	case EvNetwork:
		if e.Action != nil {
			w.key("action")
			w.b = e.Action.AppendJSON(w.b)
		}
	case EvTimers:
		w.str("mode", e.Action.Timers.String())
	case EvMark:
		m := e.Action.Mark
		w.str("note", m.Note)
		if m.Then != nil {
			w.int("rewind", m.Rewind)
		}
	}
	w.strNZ("reason", e.Reason)
	w.close('}')
	return w.b
}

// appendMessage writes the fields of m that its type uses. full is false
// for deliveries and drops, which name a message already sent in full.
func appendMessage(b []byte, m *raft.Message, full bool) []byte {
	w := jw{b: b}
	w.open('{')
	w.str("type", m.Type.String())
	w.uint("from", uint64(m.From))
	w.uint("to", uint64(m.To))
	if m.Type == raft.MsgApp {
		w.bool("heartbeat", len(m.Entries) == 0)
	}
	if full {
		w.uintNZ("term", m.Term)
		switch m.Type {
		case raft.MsgVote:
			w.uint("lastLogIndex", m.LastLogIndex)
			w.uint("lastLogTerm", m.LastLogTerm)
		case raft.MsgVoteResp:
			w.bool("voteGranted", m.VoteGranted)
		case raft.MsgApp:
			w.uint("prevLogIndex", m.PrevLogIndex)
			w.uint("prevLogTerm", m.PrevLogTerm)
			w.key("entries")
			w.b = appendEntries(w.b, m.Entries)
			w.uint("leaderCommit", m.LeaderCommit)
			w.uint("round", m.Round)
		case raft.MsgAppResp:
			w.bool("success", m.Success)
			if m.Success {
				w.uint("matchIndex", m.MatchIndex)
			} else {
				w.uint("prevLogIndex", m.PrevLogIndex)
				w.uint("conflictIndex", m.ConflictIndex)
				w.uint("conflictTerm", m.ConflictTerm)
			}
			w.uint("round", m.Round)
		case raft.MsgProp:
			w.key("entries")
			w.b = appendEntries(w.b, m.Entries)
		case raft.MsgRead:
			w.uint("readId", m.Round)
		case raft.MsgReadResp:
			w.uint("readId", m.Round)
			w.uint("readIndex", m.ReadIndex)
		case raft.MsgSnap:
			if s := m.Snapshot; s != nil {
				w.uint("lastIncludedIndex", s.Index)
				w.uint("lastIncludedTerm", s.Term)
				w.key("members")
				w.b = appendIDs(w.b, s.Members)
				w.int("size", int64(len(s.Data)))
			}
			w.uint("round", m.Round)
		}
	}
	w.close('}')
	return w.b
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
	w := jw{b: b}
	w.open('{')
	w.uintNZ("index", e.Index)
	w.uintNZ("term", e.Term)
	w.str("type", e.Type.String())
	switch e.Type {
	case raft.EntryCommand:
		w.str("cmd", string(e.Data))
		w.uintNZ("client", e.Client)
		w.uintNZ("seq", e.Seq)
	case raft.EntryConfig:
		w.key("members")
		ms, _ := raft.DecodeMembers(e.Data)
		w.b = appendIDs(w.b, ms)
	}
	w.close('}')
	return w.b
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
	w := jw{b: b}
	w.open('{')
	w.int("at", a.At)
	w.str("kind", a.Kind.String())
	switch a.Kind {
	case ActWrite, ActRead:
		w.uint("peer", uint64(a.Peer))
		w.str("client", a.Client)
		if a.Kind == ActWrite {
			w.str("op", a.Op.String())
		}
	case ActCrash, ActRestart, ActTimeout:
		w.uint("peer", uint64(a.Peer))
	case ActTimers:
		w.str("mode", a.Timers.String())
	case ActMark:
		if m := a.Mark; m != nil {
			w.str("note", m.Note)
			if m.Then != nil {
				w.int("rewind", m.Rewind)
				w.key("then")
				w.b = appendActions(w.b, m.Then)
			}
		}
	case ActCut, ActRestore:
		w.uint("from", uint64(a.From))
		w.uint("to", uint64(a.To))
	case ActPartition:
		w.key("groups")
		w.b = append(w.b, '[')
		for i, g := range a.Groups {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			w.b = appendIDs(w.b, g)
		}
		w.b = append(w.b, ']')
	case ActNetwork:
		w.key("link")
		if a.Link != nil {
			w.b = a.Link.appendJSON(w.b)
		} else {
			w.b = append(w.b, "null"...)
		}
	case ActDrop:
		w.uint("msg", a.Msg)
	}
	w.close('}')
	return w.b
}

func (l *Link) appendJSON(b []byte) []byte {
	w := jw{b: b}
	w.open('{')
	w.int("latencyMinMs", l.LatencyMinMs)
	w.int("latencyMaxMs", l.LatencyMaxMs)
	w.float("loss", l.Loss)
	w.float("duplicate", l.Duplicate)
	w.float("reorder", l.Reorder)
	w.close('}')
	return w.b
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
	w := jw{b: b}
	w.open('{')
	w.int("peers", int64(c.Peers))
	w.int("tickMs", c.TickMs)
	w.int("electionMinMs", c.ElectionMinMs)
	w.int("electionMaxMs", c.ElectionMaxMs)
	w.int("heartbeatMs", c.HeartbeatMs)
	w.key("net")
	w.b = c.Net.appendJSON(w.b)
	w.int("clientTimeoutMs", c.ClientTimeoutMs)
	w.int("snapshotEvery", int64(c.SnapshotEvery))
	if c.MaxEntries != 0 {
		w.int("maxEntries", int64(c.MaxEntries))
	}
	w.str("bootstrap", c.Bootstrap.String())
	w.trueNZ("goroutines", c.Goroutines)
	w.close('}')
	return w.b
}

// AppendJSON appends the definition's JSON form to b.
func (d *Definition) AppendJSON(b []byte) []byte {
	w := jw{b: b}
	w.open('{')
	w.int("version", TraceVersion)
	w.key("config")
	w.b = d.Config.AppendJSON(w.b)
	w.uint("seed", d.Seed)
	w.key("actions")
	w.b = appendActions(w.b, d.Actions)
	w.close('}')
	return w.b
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
func (s *Sim) TraceJSON() []byte {
	def := s.Definition()
	w := jw{}
	w.open('{')
	w.int("version", TraceVersion)
	w.key("definition")
	w.b = def.AppendJSON(w.b)
	w.key("events")
	w.b = append(w.b, '[')
	evs, _ := s.Events(0)
	for i := range evs {
		if i > 0 {
			w.b = append(w.b, ',', '\n')
		}
		w.b = evs[i].AppendJSON(w.b)
	}
	w.b = append(w.b, ']')
	w.close('}')
	return append(w.b, '\n')
}
