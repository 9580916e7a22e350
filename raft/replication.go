package raft

// Log replication (section 5.3, Figure 2 "AppendEntries RPC").

// progress is the leader's view of one member.
//
// Invariant: match < next <= lastIndex+1.
type progress struct {
	next  uint64 // index of the next entry to send
	match uint64 // highest index known to be stored there
	// probing is true until the leader knows where the follower's log
	// matches its own. While probing, the leader sends one AppendEntries and
	// waits (paused) for the answer or the next heartbeat, instead of
	// streaming entries that would all be rejected.
	probing bool
	paused  bool
	round   uint64 // latest heartbeat round this member answered (ReadIndex)
}

// appendEntry adds an entry of the current term at the end of the leader's
// log. A leader never overwrites or deletes its own entries (Leader
// Append-Only).
func (n *Node) appendEntry(e Entry) {
	e.Term = n.term
	e.Index = n.log.lastIndex() + 1
	n.log.append(e)
	self := &n.progress[n.memberIndex(n.id)]
	self.match, self.next = e.Index, e.Index+1
	n.maybeCommit() // a cluster of one commits at once
}

// broadcastAppend sends every follower what it is missing, or a heartbeat.
func (n *Node) broadcastAppend() {
	for i, id := range n.members {
		if id != n.id {
			n.sendAppend(i, true)
		}
	}
}

// sendAppend sends member i the entries from its nextIndex on. Without
// force, it sends nothing to a paused follower or when there is nothing new.
func (n *Node) sendAppend(i int, force bool) {
	pr := &n.progress[i]
	if !force && (pr.paused || pr.next > n.log.lastIndex()) {
		return
	}
	if pr.next <= n.log.offset {
		n.sendSnapshot(i) // the entries it needs are compacted away
		return
	}
	prev := pr.next - 1
	prevTerm, _ := n.log.term(prev)
	es := n.log.slice(pr.next, n.cfg.MaxEntriesPerAppend)
	n.send(Message{
		Type: MsgApp, To: n.members[i],
		PrevLogIndex: prev, PrevLogTerm: prevTerm, Entries: es,
		LeaderCommit: n.commit, Round: n.round,
	})
	if pr.probing {
		pr.paused = true
	} else if len(es) > 0 {
		// Streaming: assume the entries arrive; a rejection rewinds next.
		pr.next = es[len(es)-1].Index + 1
	}
}

// tickHeartbeat sends a round of AppendEntries every HeartbeatInterval ticks,
// so followers keep hearing from their leader (section 5.2).
func (n *Node) tickHeartbeat() {
	n.heartbeatElapsed++
	if n.heartbeatElapsed >= n.cfg.HeartbeatInterval {
		n.heartbeatElapsed = 0
		n.round++
		n.broadcastAppend()
	}
}

// checkAppend rejects an AppendEntries that no correct leader sends: entries
// that are not consecutive from PrevLogIndex+1, terms that go backwards or
// exceed the leader's term, or a previous entry or entries that contradict
// one we know is committed. It runs before anything changes.
func (n *Node) checkAppend(m *Message) error {
	last := m.PrevLogTerm
	for i := range m.Entries {
		e := &m.Entries[i]
		if e.Index != m.PrevLogIndex+1+uint64(i) || e.Term < last || e.Term > m.Term || e.Term == 0 || e.Type > EntryConfig {
			return errorOf("raft: ", n.id, ": malformed AppendEntries from ", m.From, ": entry ", i,
				" is (index ", e.Index, ", term ", e.Term, ")")
		}
		last = e.Term
	}
	if m.PrevLogTerm > m.Term || (m.PrevLogIndex == 0) != (m.PrevLogTerm == 0) {
		return errorOf("raft: ", n.id, ": malformed AppendEntries from ", m.From, ": previous entry (index ",
			m.PrevLogIndex, ", term ", m.PrevLogTerm, ") in term ", m.Term)
	}
	if m.Term < n.term {
		return nil // stale: refused without looking further
	}
	if err := n.trimCompacted(m); err != nil {
		return err
	}
	if !n.log.matches(m.PrevLogIndex, m.PrevLogTerm) {
		if m.PrevLogIndex <= n.commit {
			return errorOf("raft: ", n.id, ": AppendEntries from ", m.From, " contradicts committed entry ", m.PrevLogIndex)
		}
	} else if c := n.log.firstConflict(m.PrevLogIndex, m.Entries); c != 0 && c <= n.commit {
		return errorOf("raft: ", n.id, ": AppendEntries from ", m.From, " would overwrite committed entry ", c)
	}
	return nil
}

// handleAppend is the AppendEntries receiver (Figure 2).
func (n *Node) handleAppend(m *Message) {
	n.resetElectionTimer()
	resp := Message{Type: MsgAppResp, To: m.From, Round: m.Round}
	if !n.log.matches(m.PrevLogIndex, m.PrevLogTerm) {
		// Rule 2: "reply false if log doesn't contain an entry at
		// prevLogIndex whose term matches prevLogTerm", with hints.
		if t, ok := n.log.term(m.PrevLogIndex); ok {
			resp.ConflictTerm = t
			resp.ConflictIndex = n.log.firstIndexOfTerm(m.PrevLogIndex)
		} else {
			resp.ConflictIndex = n.log.lastIndex() + 1
		}
		n.send(resp)
		return
	}
	// Rules 3 and 4: cut at the first conflict, append what is new.
	n.log.merge(m.PrevLogIndex, m.Entries)
	if n.configIndex > n.log.lastIndex() || hasConfig(m.Entries) {
		n.refreshMembers()
	}
	// Rule 5: only what is known to match the leader may be committed.
	lastNew := m.PrevLogIndex + uint64(len(m.Entries))
	if c := min(m.LeaderCommit, lastNew); c > n.commit {
		n.commit = c
	}
	resp.Success = true
	resp.MatchIndex = lastNew
	n.send(resp)
}

func hasConfig(es []Entry) bool {
	for i := range es {
		if es[i].Type == EntryConfig {
			return true
		}
	}
	return false
}

func (n *Node) stepLeader(m Message) error {
	switch m.Type {
	case MsgVote:
		n.handleVote(&m) // we voted for ourselves this term: this denies
	case MsgApp, MsgSnap:
		return errorOf("raft: ", n.id, " leads term ", n.term, " but got ", m.Type, " from ", m.From, " in the same term")
	case MsgAppResp:
		if i := n.memberIndex(m.From); i >= 0 {
			n.handleAppendResp(i, &m)
		}
	}
	return nil
}

// handleAppendResp moves a follower's progress on (or back) and commits what
// a majority now holds.
func (n *Node) handleAppendResp(i int, m *Message) {
	pr := &n.progress[i]
	pr.round = max(pr.round, m.Round)
	pr.paused = false
	if m.Success {
		if m.MatchIndex > n.log.lastIndex() {
			return // no correct follower claims entries we never sent
		}
		pr.probing = false
		if m.MatchIndex > pr.match {
			pr.match = m.MatchIndex
			n.maybeCommit()
		}
		pr.next = max(pr.next, pr.match+1)
	} else {
		// "If AppendEntries fails because of log inconsistency: decrement
		// nextIndex and retry", skipping a whole term per round trip.
		next := m.ConflictIndex
		if m.ConflictTerm != 0 {
			if j := n.log.lastIndexOfTerm(m.ConflictTerm, pr.next-1); j != 0 {
				next = j + 1
			}
		}
		pr.next = min(max(next, pr.match+1), n.log.lastIndex()+1)
		pr.probing = true
	}
	n.sendAppend(i, false)
	n.confirmReads()
}

// maybeCommit advances the commit index to the highest index a majority
// holds, but only through an entry of the leader's own term: Figure 8 shows
// an entry of an earlier term can be on a majority and still be overwritten
// (section 5.4.2).
func (n *Node) maybeCommit() {
	matches := n.scratch[:0]
	for i := range n.progress {
		matches = append(matches, n.progress[i].match)
	}
	n.scratch = matches
	q := quorumIndex(matches)
	if q > n.commit {
		if t, _ := n.log.term(q); t == n.term {
			n.forgetProposed(n.commit+1, q)
			n.commit = q
		}
	}
}
