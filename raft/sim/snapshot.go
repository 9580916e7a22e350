package sim

import (
	"slices"

	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/lock"
	"github.com/raftplay/raftplay/raft/sim/jsonio"
)

// Snapshot is the whole visible state of a run at one instant: what the
// playground draws.
type Snapshot struct {
	Time     int64
	Seq      uint64 // the last event so far
	Peers    []PeerState
	Messages []InFlight // in flight, oldest first
	Requests []Pending  // client requests waiting for a reply
	Link     Link
	Groups   [][]raft.ID  // the partition, or nil when whole
	Cuts     [][2]raft.ID // directed links cut by hand
}

// PeerState is one peer as the playground draws it. For a crashed peer,
// only what survives a crash is filled in: Term, Vote and the log.
type PeerState struct {
	ID        raft.ID
	Up        bool
	Role      raft.Role
	Term      uint64
	Vote      raft.ID
	Leader    raft.ID
	Commit    uint64
	Applied   uint64
	LastIndex uint64
	Log       []raft.Entry // the last LogWindow entries

	// The log up to SnapshotIndex is compacted into a snapshot (section 7).
	SnapshotIndex uint64
	SnapshotTerm  uint64
	Lock          lock.State
	Members       []raft.ID // the voters of its configuration
	Learners      []raft.ID // and the servers catching up to become voters
	Majority      int       // of the voters

	ElectionElapsedMs int64 // time since the election timer was reset
	ElectionTimeoutMs int64 // when it fires; 0 on leaders and unconfigured peers

	Progress []raft.Progress // on a leader
}

// InFlight is a message on its way.
type InFlight struct {
	ID     uint64
	Msg    *raft.Message
	Arrive int64
}

// Pending is a client request waiting for its reply.
type Pending struct {
	Req      uint64
	Client   string
	Op       string
	Peer     raft.ID
	Deadline int64 // when the client gives up and reports a timeout (virtual ms)
}

// LogWindow is how many of a peer's most recent entries a Snapshot carries.
const LogWindow = 64

// Snapshot returns the run's visible state now.
func (s *Sim) Snapshot() Snapshot {
	snap := Snapshot{
		Time: s.now, Seq: s.trace.seq, Link: s.net.link,
		Groups: s.net.groups(), Cuts: s.net.cutLinks(),
	}
	for _, sl := range s.peers {
		snap.Peers = append(snap.Peers, s.peerState(sl))
	}
	// The messages are copied: the simulator reuses an item's place once
	// its message has arrived.
	n := 0
	for it := range s.queue.all {
		if it.kind == itemDeliver {
			n++
		}
	}
	msgs := make([]raft.Message, 0, n)
	for it := range s.queue.all {
		if it.kind == itemDeliver {
			msgs = append(msgs, *it.msg)
			snap.Messages = append(snap.Messages, InFlight{ID: it.msgID, Msg: &msgs[len(msgs)-1], Arrive: it.at})
		}
	}
	slices.SortFunc(snap.Messages, func(a, b InFlight) int { return cmpU(a.ID, b.ID) })
	for id, r := range s.requests {
		p := Pending{Req: id, Client: r.client.name, Op: r.op, Peer: r.peer}
		if r.timeout != nil {
			p.Deadline = r.timeout.at
		}
		snap.Requests = append(snap.Requests, p)
	}
	slices.SortFunc(snap.Requests, func(a, b Pending) int { return cmpU(a.Req, b.Req) })
	return snap
}

func cmpU(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (s *Sim) peerState(sl *slot) PeerState {
	ps := PeerState{ID: sl.id, Up: sl.up()}
	if !sl.up() {
		st, _ := sl.store.Load()
		log := st.Entries
		ps.Term, ps.Vote = st.State.Term, st.State.Vote
		ps.SnapshotIndex, ps.SnapshotTerm = st.Snapshot.Index, st.Snapshot.Term
		ps.LastIndex = st.Snapshot.Index + uint64(len(log))
		ps.Log = log[max(0, len(log)-LogWindow):]
		return ps
	}
	st, _ := sl.peer.Status()
	ps.Role, ps.Term, ps.Vote, ps.Leader = st.Role, st.Term, st.Vote, st.Leader
	ps.Commit, ps.Applied, ps.LastIndex = st.Commit, st.Applied, st.LastIndex
	ps.Members, ps.Learners, ps.Progress = st.Members, st.Learners, st.Progress
	if len(st.Members) > 0 {
		ps.Majority = len(st.Members)/2 + 1
	}
	ps.Lock = sl.state
	if st.ElectionTimeout > 0 {
		ps.ElectionElapsedMs = int64(st.ElectionElapsed) * s.cfg.TickMs
		ps.ElectionTimeoutMs = int64(st.ElectionTimeout) * s.cfg.TickMs
	}
	ps.SnapshotIndex, ps.SnapshotTerm = st.SnapshotIndex, st.SnapshotTerm
	lo := ps.SnapshotIndex + 1
	if st.LastIndex > LogWindow {
		lo = max(lo, st.LastIndex-LogWindow+1)
	}
	ps.Log, _ = sl.peer.Entries(lo, st.LastIndex)
	return ps
}

// Leader returns the leader with the highest term among running peers, or
// None.
func (s *Sim) Leader() (raft.ID, uint64) {
	var id raft.ID
	var term uint64
	for _, sl := range s.peers {
		if sl.up() && sl.role == raft.Leader && sl.term >= term {
			id, term = sl.id, sl.term
		}
	}
	return id, term
}

// AppendJSON appends the snapshot's JSON form to b.
func (snap *Snapshot) AppendJSON(b []byte) []byte {
	w := jsonio.Writer{B: b}
	w.Open('{')
	w.Int("version", TraceVersion)
	w.Int("time", snap.Time)
	w.Uint("seq", snap.Seq)
	w.Key("peers")
	w.Open('[')
	for i := range snap.Peers {
		w.Elem()
		w.B = snap.Peers[i].appendJSON(w.B)
	}
	w.Close(']')
	w.Key("messages")
	w.Open('[')
	for _, m := range snap.Messages {
		w.Elem()
		mw := jsonio.Writer{B: w.B}
		mw.Open('{')
		mw.Uint("id", m.ID)
		mw.Key("msg")
		mw.B = appendMessage(mw.B, m.Msg, true)
		mw.Int("arrive", m.Arrive)
		mw.Close('}')
		w.B = mw.B
	}
	w.Close(']')
	w.Key("requests")
	w.Open('[')
	for _, r := range snap.Requests {
		w.Elem()
		rw := jsonio.Writer{B: w.B}
		rw.Open('{')
		rw.Uint("req", r.Req)
		rw.Str("client", r.Client)
		rw.Str("op", r.Op)
		rw.Uint("peer", uint64(r.Peer))
		if r.Deadline != 0 {
			rw.Int("deadline", r.Deadline)
		}
		rw.Close('}')
		w.B = rw.B
	}
	w.Close(']')
	w.Key("link")
	w.B = snap.Link.appendJSON(w.B)
	w.Key("groups")
	w.Open('[')
	for _, g := range snap.Groups {
		w.Elem()
		w.B = appendIDs(w.B, g)
	}
	w.Close(']')
	w.Key("cuts")
	w.Open('[')
	for _, c := range snap.Cuts {
		w.Elem()
		w.B = appendIDs(w.B, c[:])
	}
	w.Close(']')
	w.Close('}')
	return w.B
}

func (ps *PeerState) appendJSON(b []byte) []byte {
	w := jsonio.Writer{B: b}
	w.Open('{')
	w.Uint("id", uint64(ps.ID))
	w.Bool("up", ps.Up)
	if ps.Up {
		w.Str("role", ps.Role.String())
	} else {
		w.Str("role", "crashed")
	}
	w.Uint("term", ps.Term)
	w.Uint("vote", uint64(ps.Vote))
	w.Uint("lastIndex", ps.LastIndex)
	w.UintNZ("snapshotIndex", ps.SnapshotIndex)
	w.UintNZ("snapshotTerm", ps.SnapshotTerm)
	w.Key("log")
	w.B = appendEntries(w.B, ps.Log)
	if ps.Up {
		w.Uint("leader", uint64(ps.Leader))
		w.Uint("commit", ps.Commit)
		w.Uint("applied", ps.Applied)
		w.Key("lock")
		lw := jsonio.Writer{B: w.B}
		lw.Open('{')
		lw.Bool("locked", ps.Lock.Locked)
		lw.StrNZ("holder", ps.Lock.Holder)
		lw.Close('}')
		w.B = lw.B
		w.Key("members")
		w.B = appendIDs(w.B, ps.Members)
		if len(ps.Learners) > 0 {
			w.Key("learners")
			w.B = appendIDs(w.B, ps.Learners)
		}
		w.Int("majority", int64(ps.Majority))
		w.Int("electionElapsedMs", ps.ElectionElapsedMs)
		w.Int("electionTimeoutMs", ps.ElectionTimeoutMs)
		if ps.Role == raft.Leader {
			w.Key("progress")
			w.Open('[')
			for _, p := range ps.Progress {
				w.Elem()
				pw := jsonio.Writer{B: w.B}
				pw.Open('{')
				pw.Uint("id", uint64(p.ID))
				pw.Uint("next", p.NextIndex)
				pw.Uint("match", p.MatchIndex)
				pw.Close('}')
				w.B = pw.B
			}
			w.Close(']')
		}
	}
	w.Close('}')
	return w.B
}
