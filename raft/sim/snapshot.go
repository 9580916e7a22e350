package sim

import (
	"slices"

	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/lock"
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
	Members       []raft.ID
	Majority      int

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
	ps.Members, ps.Progress = st.Members, st.Progress
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
	w := jw{b: b}
	w.open('{')
	w.int("version", TraceVersion)
	w.int("time", snap.Time)
	w.uint("seq", snap.Seq)
	w.key("peers")
	w.open('[')
	for i := range snap.Peers {
		w.elem()
		w.b = snap.Peers[i].appendJSON(w.b)
	}
	w.close(']')
	w.key("messages")
	w.open('[')
	for _, m := range snap.Messages {
		w.elem()
		mw := jw{b: w.b}
		mw.open('{')
		mw.uint("id", m.ID)
		mw.key("msg")
		mw.b = appendMessage(mw.b, m.Msg, true)
		mw.int("arrive", m.Arrive)
		mw.close('}')
		w.b = mw.b
	}
	w.close(']')
	w.key("requests")
	w.open('[')
	for _, r := range snap.Requests {
		w.elem()
		rw := jw{b: w.b}
		rw.open('{')
		rw.uint("req", r.Req)
		rw.str("client", r.Client)
		rw.str("op", r.Op)
		rw.uint("peer", uint64(r.Peer))
		if r.Deadline != 0 {
			rw.int("deadline", r.Deadline)
		}
		rw.close('}')
		w.b = rw.b
	}
	w.close(']')
	w.key("link")
	w.b = snap.Link.appendJSON(w.b)
	w.key("groups")
	w.open('[')
	for _, g := range snap.Groups {
		w.elem()
		w.b = appendIDs(w.b, g)
	}
	w.close(']')
	w.key("cuts")
	w.open('[')
	for _, c := range snap.Cuts {
		w.elem()
		w.b = appendIDs(w.b, c[:])
	}
	w.close(']')
	w.close('}')
	return w.b
}

func (ps *PeerState) appendJSON(b []byte) []byte {
	w := jw{b: b}
	w.open('{')
	w.uint("id", uint64(ps.ID))
	w.bool("up", ps.Up)
	if ps.Up {
		w.str("role", ps.Role.String())
	} else {
		w.str("role", "crashed")
	}
	w.uint("term", ps.Term)
	w.uint("vote", uint64(ps.Vote))
	w.uint("lastIndex", ps.LastIndex)
	w.uintNZ("snapshotIndex", ps.SnapshotIndex)
	w.uintNZ("snapshotTerm", ps.SnapshotTerm)
	w.key("log")
	w.b = appendEntries(w.b, ps.Log)
	if ps.Up {
		w.uint("leader", uint64(ps.Leader))
		w.uint("commit", ps.Commit)
		w.uint("applied", ps.Applied)
		w.key("lock")
		lw := jw{b: w.b}
		lw.open('{')
		lw.bool("locked", ps.Lock.Locked)
		lw.strNZ("holder", ps.Lock.Holder)
		lw.close('}')
		w.b = lw.b
		w.key("members")
		w.b = appendIDs(w.b, ps.Members)
		w.int("majority", int64(ps.Majority))
		w.int("electionElapsedMs", ps.ElectionElapsedMs)
		w.int("electionTimeoutMs", ps.ElectionTimeoutMs)
		if ps.Role == raft.Leader {
			w.key("progress")
			w.open('[')
			for _, p := range ps.Progress {
				w.elem()
				pw := jw{b: w.b}
				pw.open('{')
				pw.uint("id", uint64(p.ID))
				pw.uint("next", p.NextIndex)
				pw.uint("match", p.MatchIndex)
				pw.close('}')
				w.b = pw.b
			}
			w.close(']')
		}
	}
	w.close('}')
	return w.b
}
