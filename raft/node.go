package raft

import (
	"errors"
	"math/rand/v2"
	"slices"
)

// Node is the Raft protocol for one peer, as a pure state machine: it has no
// goroutines, no clock, no I/O and no randomness but the source it is given.
// Feed it ticks (Tick), messages (Step) and client requests (Propose,
// ReadIndex); collect what it wants done with Ready. Same inputs, same outputs.
//
// A Node is not safe for concurrent use; Peer runs one on its own goroutine.
type Node struct {
	id   ID
	cfg  Config
	rand *rand.Rand

	// Persistent state on all servers (Figure 2): saved before answering.
	term  uint64
	vote  ID
	boots uint64
	log   raftLog

	// Volatile state on all servers.
	role   Role
	leader ID
	// lastLeader is the last leader heard of, in this term or an earlier
	// one: a hint for a client when no leader is known now.
	lastLeader ID
	commit     uint64 // highest index known to be committed
	applied    uint64 // highest index handed out in Ready.Committed (or restored)

	// The latest snapshot (section 7): taken here by Compact, or installed
	// from the leader. restored holds an installed one until Ready hands
	// it out.
	snap     Snapshot
	restored Snapshot

	// The cluster's configuration: from the latest EntryConfig in the log,
	// even an uncommitted one (dissertation section 4.1), at configIndex
	// (0: from the snapshot). A peer with no configuration never starts an
	// election but answers everyone.
	config      Configuration
	configIndex uint64
	// members is whom the node replicates to when it leads: the voters and
	// learners of its configuration and, while the configuration is not
	// committed, the servers it removes, so that they learn it (layout).
	// Sorted; a leader's progress is in members order.
	members []ID
	// cluster is the identity of the cluster this peer belongs to (0:
	// none yet), from its first configuration entry or its snapshot
	// (cluster.go).
	cluster uint64

	electionElapsed  int
	electionTimeout  int // drawn afresh in [min, max] at every reset
	heartbeatElapsed int
	ticks            uint64   // ticks as leader: the clock of progress.since
	campaigns        uint64   // times this node stood for election (Campaigns)
	stepDowns        uint64   // times this node stepped down from leader
	stepDownWhy      StepDown // why, the last time

	// The role's behaviour, swapped by becomeFollower/Candidate/Leader.
	// stepRole takes the message by value: a pointer passed through a
	// function value would move every message to the heap.
	tickRole func()
	stepRole func(m Message) error

	// Follower state, for the current term: matched is the highest index
	// known to hold the same entry as the leader's log (so, since the
	// leader only appends, to hold it all term); streaming is true once the
	// leader's entries have been taken, and held keeps the AppendEntries
	// that overtook an earlier one (overtaken.go).
	matched   uint64
	streaming bool
	held      []Message

	// Candidate state: one vote per voter, in config.Voters order.
	votes []voteState

	// Leader state (Figure 2, "Volatile state on leaders"), in members order.
	progress  []progress
	termStart uint64 // index of this leader's noop entry
	// transferee is the peer this leader hands over leadership to (None:
	// no transfer), for transferElapsed ticks so far (transfer.go).
	transferee      ID
	transferElapsed int
	proposed        map[sessionKey]uint64 // writes appended this term, not yet committed: their index
	// sendAtReady: entries were proposed, or a follower's window opened,
	// since the last Ready. What may be sent goes out when Ready is taken,
	// in one AppendEntries per follower rather than one per input: a
	// runtime that handles many inputs before it asks for Ready batches
	// them.
	sendAtReady bool
	round       uint64 // latest heartbeat round (ReadIndex)
	reads       []pendingRead

	// Output waiting for Ready.
	stateChanged bool
	msgs         []Message
	spare        []Message
	readStates   []ReadState
	scratch      []uint64
}

// NewNode returns a node restored from what its storage kept: hard state,
// snapshot and log. A brand new peer passes a zero Stored.
func NewNode(cfg Config, st Stored) (*Node, error) {
	hs, snap, entries := st.State, st.Snapshot, st.Entries
	if cfg.MaxEntriesPerAppend == 0 {
		cfg.MaxEntriesPerAppend = 64
	}
	if cfg.MaxAppendBytes == 0 {
		cfg.MaxAppendBytes = 1 << 20
	}
	if cfg.MaxCommandBytes == 0 {
		cfg.MaxCommandBytes = 32 << 20
	}
	if cfg.MaxInflightAppends == 0 {
		cfg.MaxInflightAppends = 256
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if snap.Index != 0 && (snap.Term == 0 || snap.Term > hs.Term || (&Configuration{Voters: snap.Members, Learners: snap.Learners}).validate() != nil || !slices.IsSorted(snap.Members)) {
		return nil, errorOf("raft: stored snapshot is inconsistent (index ", snap.Index, ", term ", snap.Term, ")")
	}
	for i, e := range entries {
		prev := snap.Term
		if i > 0 {
			prev = entries[i-1].Term
		}
		if e.Index != snap.Index+uint64(i)+1 || e.Term > hs.Term || e.Term < prev {
			return nil, errorOf("raft: stored log is inconsistent at position ", i, " (index ", e.Index, ", term ", e.Term, ")")
		}
	}
	if hs.Vote != None && hs.Term == 0 {
		return nil, errors.New("raft: stored vote without a term")
	}
	if cfg.Broken.Has(ForgetTerm) {
		// Broken on purpose: the term restarts from the log, and the vote,
		// which belongs to the term, is gone with it.
		hs.Term, hs.Vote = snap.Term, None
		if len(entries) > 0 {
			hs.Term = entries[len(entries)-1].Term
		}
	}
	if cfg.Broken.Has(ForgetVote) {
		hs.Vote = None // broken on purpose: the vote did not survive
	}
	src := cfg.Rand
	if src == nil {
		src = rand.NewPCG(uint64(cfg.ID), 0x5eed)
	}
	n := &Node{
		id:    cfg.ID,
		cfg:   cfg,
		rand:  rand.New(src),
		term:  hs.Term,
		vote:  hs.Vote,
		boots: hs.Boots,
		log:   newLog(&snap, entries),
		snap:  snap,
		// What the snapshot covers is committed; the runtime restores its
		// state machine from the snapshot.
		commit:  snap.Index,
		applied: snap.Index,
	}
	n.refreshMembers()
	n.becomeFollower(n.term, None)
	return n, nil
}

// HasReady reports whether Ready has anything to hand out.
func (n *Node) HasReady() bool {
	return n.stateChanged || n.restored.Index != 0 || n.log.unsaved <= n.log.lastIndex() ||
		len(n.msgs) > 0 || n.applied < n.commit || len(n.readStates) > 0 || n.sendAtReady
}

// Ready hands out what the node wants done, in this order:
//  1. save HardState (if SaveState); if Snapshot is set, save it (it
//     replaces the stored log through its index) and restore the state
//     machine from it; then append Entries to storage; make it all durable;
//  2. only then send Messages: they may promise what was just saved;
//  3. apply Committed entries to the state machine, in order;
//  4. answer the Reads once the state machine has applied their index.
//
// The slices are valid until the next call to Ready.
func (n *Node) Ready() Ready {
	if n.sendAtReady {
		n.sendAtReady = false
		n.sendWaiting()
	}
	rd := Ready{
		HardState: n.HardState(),
		SaveState: n.stateChanged,
		Entries:   n.log.takeUnsaved(),
		Messages:  n.msgs,
		Reads:     n.readStates,
		Snapshot:  n.restored,
	}
	n.restored = Snapshot{}
	if n.applied < n.commit {
		rd.Committed = n.log.slice(n.applied+1, 0)[:n.commit-n.applied]
		n.applied = n.commit
	}
	n.stateChanged = false
	n.msgs, n.spare = n.spare[:0], n.msgs
	n.readStates = nil
	return rd
}

// Ready is the output of a Node; see Node.Ready for what to do with it.
type Ready struct {
	HardState HardState
	SaveState bool
	Entries   []Entry // to append to storage; the first may overwrite a stored suffix
	Messages  []Message
	Committed []Entry
	Reads     []ReadState
	// Snapshot, when its Index is not 0, is a snapshot the leader sent:
	// Committed entries follow it.
	Snapshot Snapshot
}

// HardState returns the node's persistent state.
func (n *Node) HardState() HardState {
	return HardState{Term: n.term, Vote: n.vote, Boots: n.boots}
}

// Boot counts a start of the peer (see HardState.Boots) and returns the new
// count; the caller saves it with the next Ready.
func (n *Node) Boot() uint64 {
	n.boots++
	n.stateChanged = true
	return n.boots
}

// Tick advances the node's logical clock by one tick.
func (n *Node) Tick() { n.tickRole() }

// Step hands the node a message from another peer. It returns an error only
// for a message that no correct peer sends (wrong address, unknown type,
// entries that contradict committed ones); the node is unchanged then.
func (n *Node) Step(m Message) error {
	if err := n.checkAddress(&m); err != nil {
		return err
	}
	switch m.Type {
	case MsgApp:
		if err := n.checkAppend(&m); err != nil {
			return err
		}
	case MsgSnap:
		if err := n.checkSnapshot(&m); err != nil {
			return err
		}
	}
	switch m.Type {
	case MsgProp:
		return n.stepForwardedWrite(&m)
	case MsgRead:
		return n.stepForwardedRead(&m)
	case MsgReadResp:
		n.readStates = append(n.readStates, ReadState{ID: m.Round, Index: m.ReadIndex})
		return nil
	}

	// Rules for all servers (Figure 2): a higher term makes us a follower
	// in that term; a lower term marks a stale sender, told our term.
	switch {
	case m.Term > n.term && n.role == Leader && n.breaks(LeaderIgnoresTerm):
		n.setTerm(m.Term) // broken on purpose: takes the term, goes on leading
	case (m.Type == MsgVote || m.Type == MsgPreVote) && len(n.config.Voters) > 0 && !n.config.has(m.From):
		// A server outside the configuration asks for votes: one removed
		// that never learned it (dissertation section 4.2.3). Its term
		// would depose the leader again and again; not voting is safe.
		return nil
	case m.Term > n.term && (m.Type == MsgVote || m.Type == MsgPreVote) && n.inLease() && !m.Transfer:
		// CheckQuorum (section 4.2.3): a peer that has heard from its
		// leader within the minimum election timeout neither takes the
		// term nor votes: the asker was cut off, or removed.
		return nil
	case m.Term > n.term && (m.Type == MsgPreVote || m.Type == MsgPreVoteResp && m.VoteGranted):
		// A pre-vote is asked and granted in a term nobody has reached
		// yet: it changes no one's term.
	case m.Term > n.term:
		leader := None
		if m.Type == MsgApp || m.Type == MsgSnap {
			leader = m.From
		}
		n.becomeFollower(m.Term, leader)
	case m.Term < n.term:
		switch m.Type {
		case MsgVote:
			n.send(Message{Type: MsgVoteResp, To: m.From})
		case MsgPreVote:
			// Denied in our term, so that a pre-candidate behind us learns
			// it and can stand in a term that counts.
			n.send(Message{Type: MsgPreVoteResp, To: m.From})
		case MsgApp, MsgSnap:
			n.send(Message{Type: MsgAppResp, To: m.From, Round: m.Round})
		}
		return nil
	}
	return n.stepRole(m)
}

func (n *Node) checkAddress(m *Message) error {
	switch {
	case !m.Type.valid():
		return errorOf("raft: ", n.id, ": unknown message type ", int(m.Type))
	case m.To != n.id:
		return errorOf("raft: ", n.id, " got a message addressed to ", m.To)
	case m.From == None || m.From == n.id:
		return errorOf("raft: ", n.id, " got a ", m.Type, " from ", m.From)
	case m.Term == 0 && m.Type != MsgProp && m.Type != MsgRead && m.Type != MsgReadResp:
		// Terms start at 1: only forwarded client requests carry term 0.
		return errorOf("raft: ", n.id, " got a ", m.Type, " of term 0 from ", m.From, "; terms start at 1")
	}
	return n.checkCluster(m)
}

// send queues a message stamped with our id, our cluster and, for Raft's
// RPCs, our term unless it names another (a pre-vote's).
func (n *Node) send(m Message) {
	m.From, m.Cluster = n.id, n.cluster
	if m.Term == 0 && m.Type != MsgProp && m.Type != MsgRead && m.Type != MsgReadResp {
		m.Term = n.term
	}
	n.msgs = append(n.msgs, m)
}

// setTerm moves to a newer term, forgetting the vote of the old one.
func (n *Node) setTerm(term uint64) {
	if term != n.term {
		n.term = term
		n.vote = None
		n.stateChanged = true
	}
}

// resetElectionTimer restarts the countdown with a fresh random timeout, so
// that peers rarely time out together (section 5.2).
func (n *Node) resetElectionTimer() {
	n.electionElapsed = 0
	span := n.cfg.ElectionTimeoutMax - n.cfg.ElectionTimeoutMin + 1
	n.electionTimeout = n.cfg.ElectionTimeoutMin + n.rand.IntN(span)
}

// refreshMembers reads the cluster from the log: its configuration from
// the latest EntryConfig, its identity from the first.
func (n *Node) refreshMembers() {
	n.refreshCluster()
	n.config, n.configIndex = n.configAt(n.log.lastIndex())
	n.layout()
}

// configAt returns the configuration in force at index, from the latest
// EntryConfig at or before it (a malformed one is no configuration), else
// from the snapshot, and the index of that entry (0 for the snapshot's).
func (n *Node) configAt(index uint64) (Configuration, uint64) {
	for i := min(index, n.log.lastIndex()); i > n.log.offset; i-- {
		if e := n.log.at(i); e.Type == EntryConfig {
			c, _ := DecodeConfiguration(e.Data)
			return c, i
		}
	}
	return Configuration{Voters: n.snap.Members, Learners: n.snap.Learners}, 0
}

// memberIndex returns id's position in members, or -1.
func (n *Node) memberIndex(id ID) int {
	i, ok := slices.BinarySearch(n.members, id)
	if !ok {
		return -1
	}
	return i
}

// voterIndex returns id's position among the voters, or -1.
func (n *Node) voterIndex(id ID) int {
	i, ok := slices.BinarySearch(n.config.Voters, id)
	if !ok {
		return -1
	}
	return i
}

// isVoter reports whether this peer is a voter of its own configuration.
func (n *Node) isVoter() bool { return n.voterIndex(n.id) >= 0 }

// quorum is how many voters make a majority.
func (n *Node) quorum() int { return majority(len(n.config.Voters)) }

// Status is a snapshot of a node for display and for checkers.
type Status struct {
	ID        ID
	Cluster   uint64 // the cluster's identity (0: none yet); see ClusterOf
	Role      Role
	Term      uint64
	Vote      ID
	Leader    ID
	Commit    uint64
	Applied   uint64
	LastIndex uint64
	LastTerm  uint64
	// The configuration: the voters, and the learners catching up to
	// become voters (see Node.AddServer). ConfigIndex is the index of its
	// entry (0 if it came with the snapshot): the change is done once
	// Commit reaches it.
	Members     []ID
	Learners    []ID
	ConfigIndex uint64

	// The log through SnapshotIndex is compacted into a snapshot.
	SnapshotIndex uint64
	SnapshotTerm  uint64

	// The election timer: ticks elapsed out of the current random timeout.
	// Leaders have no election timer; their fields are zero.
	ElectionElapsed int
	ElectionTimeout int

	// On a leader: the replication progress of each server it replicates
	// to (voters, learners, and servers it is removing), in id order.
	Progress []Progress
}

// Progress is a leader's view of one follower (Figure 2, "Volatile state on
// leaders").
type Progress struct {
	ID         ID
	NextIndex  uint64 // next entry to send
	MatchIndex uint64 // highest entry known to be replicated
	State      ProgressState
}

// Status returns a snapshot; it shares nothing with the node.
func (n *Node) Status() Status {
	s := Status{
		ID: n.id, Cluster: n.cluster, Role: n.role, Term: n.term, Vote: n.vote, Leader: n.leader,
		Commit: n.commit, Applied: n.applied,
		LastIndex: n.log.lastIndex(), LastTerm: n.log.lastTerm(),
		Members: slices.Clone(n.config.Voters), Learners: slices.Clone(n.config.Learners), ConfigIndex: n.configIndex,
		SnapshotIndex: n.snap.Index, SnapshotTerm: n.snap.Term,
	}
	if n.role != Leader && n.isVoter() {
		s.ElectionElapsed, s.ElectionTimeout = n.electionElapsed, n.electionTimeout
	}
	if n.role == Leader {
		for i, id := range n.members {
			if id != n.id {
				pr := &n.progress[i]
				next := pr.next
				if pr.state == ProgressProbe && pr.waiting {
					next = pr.probeAt + 1 // the paper's nextIndex: what the probe asks about
				}
				s.Progress = append(s.Progress, Progress{ID: id, NextIndex: next, MatchIndex: pr.match, State: pr.state})
			}
		}
	}
	return s
}

// Entries returns a copy of the log's entries from index lo to hi inclusive,
// for display and for checkers.
func (n *Node) Entries(lo, hi uint64) []Entry {
	lo = max(lo, n.log.offset+1)
	if hi > n.log.lastIndex() {
		hi = n.log.lastIndex()
	}
	if lo > hi {
		return nil
	}
	return slices.Clone(n.log.slice(lo, int(hi-lo+1)))
}
