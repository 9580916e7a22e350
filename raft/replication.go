package raft

// Log replication (section 5.3, Figure 2 "AppendEntries RPC").

// appendEntry adds an entry of the current term at the end of the leader's
// log. A leader never overwrites or deletes its own entries (Leader
// Append-Only).
func (n *Node) appendEntry(e Entry) {
	e.Term = n.term
	e.Index = n.log.lastIndex() + 1
	n.log.append(e)
	if i := n.memberIndex(n.id); i >= 0 { // else it is removing itself
		self := &n.progress[i]
		self.match, self.next = e.Index, e.Index+1
	}
	n.maybeCommit() // a cluster of one commits at once
	n.afterCommit()
}

// broadcastAppend is a round of AppendEntries: every follower gets what it
// is missing if its progress allows, else a heartbeat. What a follower left
// unanswered for an election timeout is sent again (see progress.go).
func (n *Node) broadcastAppend() {
	for i, id := range n.members {
		if id == n.id {
			continue
		}
		n.progress[i].retryIfOverdue(n.ticks, n.cfg.ElectionTimeoutMin)
		if !n.sendAppend(i) {
			n.sendHeartbeat(i)
		}
	}
}

// sendAppend sends member i the entries from its nextIndex on, if its
// progress allows: in probe, one probe at a time; in replicate, new entries
// while the window has room, and at most one AppendEntries that is not full
// in flight (see holdPartial); in snapshot, nothing. It reports whether it
// sent anything.
func (n *Node) sendAppend(i int) bool {
	pr := &n.progress[i]
	switch pr.state {
	case ProgressProbe:
		if pr.waiting {
			return false
		}
	case ProgressReplicate:
		if pr.next > n.log.lastIndex() || pr.inflight.full(n.cfg.MaxInflightAppends) || n.holdPartial(pr) {
			return false
		}
	case ProgressSnapshot:
		return false
	}
	if pr.next <= n.log.offset {
		n.sendSnapshot(i) // the entries it needs are compacted away
		return true
	}
	prev := pr.next - 1
	prevTerm, _ := n.log.term(prev)
	es := fitBytes(n.log.slice(pr.next, n.cfg.MaxEntriesPerAppend), n.cfg.MaxAppendBytes)
	n.send(Message{
		Type: MsgApp, To: n.members[i],
		PrevLogIndex: prev, PrevLogTerm: prevTerm, Entries: es,
		LeaderCommit: n.commit, Round: n.round,
	})
	if pr.state == ProgressProbe {
		pr.waiting, pr.probeAt, pr.since = true, prev, n.ticks
	} else if pr.inflight.count == 0 {
		pr.since = n.ticks
	}
	// Assume the entries arrive; a refusal or silence rewinds.
	if len(es) > 0 {
		pr.next = es[len(es)-1].Index + 1
		pr.inflight.add(pr.next - 1)
	}
	return true
}

// holdPartial reports whether the entries waiting for a follower in
// replicate should wait a little longer: they would not fill an
// AppendEntries, and another is in flight to it. They go out when it is
// answered, with whatever came meanwhile, or as soon as they fill one: so
// under load every AppendEntries is full, and a lone write still goes out
// at once. (The paper sends entries as they come, as EagerAppends does: a
// leader that does so with many writers sends each write alone.)
func (n *Node) holdPartial(pr *progress) bool {
	if n.cfg.EagerAppends || pr.inflight.count == 0 ||
		n.log.lastIndex()-pr.next+1 >= uint64(n.cfg.MaxEntriesPerAppend) {
		return false
	}
	es := n.log.slice(pr.next, 0) // fewer than MaxEntriesPerAppend
	return len(fitBytes(es, n.cfg.MaxAppendBytes)) == len(es)
}

// fitBytes returns the longest prefix of es whose commands hold at most
// max bytes, and at least one entry.
func fitBytes(es []Entry, max int) []Entry {
	size := 0
	for i := range es {
		if size += len(es[i].Data); size > max && i > 0 {
			return es[:i]
		}
	}
	return es
}

// sendHeartbeat sends member i an AppendEntries with no entries whose
// previous entry is the follower's matchIndex, where the logs are known to
// agree (index 0 if the leader has compacted that entry away): it asserts
// leadership and carries the commit index, and never probes.
func (n *Node) sendHeartbeat(i int) {
	pr := &n.progress[i]
	prev := pr.match
	prevTerm, ok := n.log.term(prev)
	if !ok {
		prev, prevTerm = 0, 0
	}
	n.send(Message{
		Type: MsgApp, To: n.members[i],
		PrevLogIndex: prev, PrevLogTerm: prevTerm,
		LeaderCommit: n.commit, Round: n.round,
	})
}

// tickHeartbeat sends a round of AppendEntries every HeartbeatInterval ticks,
// so followers keep hearing from their leader (section 5.2).
func (n *Node) tickHeartbeat() {
	n.ticks++
	if n.cfg.CheckQuorum {
		n.checkQuorum()
		if n.role != Leader {
			return
		}
	}
	n.tickTransfer()
	if n.role != Leader {
		return // it removed itself and stepped down (confchange.go)
	}
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
	// (Broken on purpose, AppendUnchecked: any entry at prevLogIndex will
	// do. checkAppend has refused a mismatch at or below the commit index.)
	unchecked := n.breaks(AppendUnchecked) && m.PrevLogIndex <= n.log.lastIndex()
	if !n.log.matches(m.PrevLogIndex, m.PrevLogTerm) && !unchecked {
		if n.holdOvertaken(m) {
			return // answered once the entries before it arrive (overtaken.go)
		}
		// Rule 2: "reply false if log doesn't contain an entry at
		// prevLogIndex whose term matches prevLogTerm", with hints.
		if t, ok := n.log.term(m.PrevLogIndex); ok {
			resp.ConflictTerm = t
			resp.ConflictIndex = n.log.firstIndexOfTerm(m.PrevLogIndex)
		} else {
			resp.ConflictIndex = n.log.lastIndex() + 1
		}
		resp.PrevLogIndex = m.PrevLogIndex // which AppendEntries this refuses
		n.send(resp)
		return
	}
	// Rules 3 and 4: cut at the first conflict, append what is new.
	if n.breaks(TruncateOnAppend) && len(m.Entries) > 0 {
		// Broken on purpose: cut after prevLogIndex whatever follows (never
		// below the commit index), and write the entries again.
		n.log.truncate(max(m.PrevLogIndex, n.commit))
		n.matched = min(n.matched, n.log.lastIndex())
	}
	n.log.merge(m.PrevLogIndex, m.Entries)
	if n.configIndex > n.log.lastIndex() || hasConfig(m.Entries) {
		n.refreshMembers()
	}
	// Rule 5: only what is known to match the leader may be committed:
	// through the last new entry, or further if an earlier message of this
	// term showed more (a heartbeat names only where the leader knows the
	// logs agree, and entries may be on their way).
	lastNew := m.PrevLogIndex + uint64(len(m.Entries))
	n.matched = max(n.matched, lastNew)
	if c := min(m.LeaderCommit, n.matched); c > n.commit {
		n.commit = c
	}
	resp.Success = true
	resp.MatchIndex = lastNew
	n.send(resp)
	if len(m.Entries) > 0 {
		n.streaming = true
	}
	n.releaseHeld()
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
	case MsgPreVote:
		n.handlePreVote(&m) // we lead: this denies
	case MsgApp, MsgSnap:
		return errorOf("raft: ", n.id, " leads term ", n.term, " but got ", m.Type, " from ", m.From, " in the same term")
	case MsgAppResp:
		if i := n.memberIndex(m.From); i >= 0 {
			n.handleAppendResp(i, &m)
		}
	}
	return nil
}

// handleAppendResp moves a follower's progress on (or back), commits what
// a majority now holds, and sends the follower what it may send next.
func (n *Node) handleAppendResp(i int, m *Message) {
	pr := &n.progress[i]
	pr.round = max(pr.round, m.Round)
	pr.active = true
	switch {
	case m.Success:
		if m.MatchIndex > n.log.lastIndex() {
			return // no correct follower claims entries we never sent
		}
		if pr.acked(m.MatchIndex, n.ticks) {
			n.maybeCommit()
		}
		switch {
		case pr.state == ProgressReplicate:
			pr.next = max(pr.next, pr.match+1)
		case pr.state == ProgressProbe && pr.waiting && pr.match >= pr.probeAt,
			pr.state == ProgressSnapshot && pr.match >= n.log.offset:
			// The follower holds what the probe asked about (or what the
			// snapshot stands for): the logs match, entries may stream.
			pr.becomeReplicate(n.ticks)
		}
	case pr.refusesProbe(m.PrevLogIndex):
		// "If AppendEntries fails because of log inconsistency: decrement
		// nextIndex and retry", skipping a whole term per round trip; the
		// match lies below the refused entry.
		next := m.ConflictIndex
		if m.ConflictTerm != 0 {
			if j := n.log.lastIndexOfTerm(m.ConflictTerm, m.PrevLogIndex); j != 0 {
				next = j + 1
			}
		}
		pr.becomeProbe(min(max(next, pr.match+1), m.PrevLogIndex))
	}
	if n.cfg.EagerAppends {
		for n.sendAppend(i) {
		}
	} else {
		n.sendAtReady = true // with what other inputs before Ready propose
	}
	n.sendTimeoutNowIfCaughtUp(i)
	n.confirmReads()
	n.catchUp(i) // last: a learner made a voter changes the layout
	n.afterCommit()
}

// maybeCommit advances the commit index to the highest index a majority
// holds, but only through an entry of the leader's own term: Figure 8 shows
// an entry of an earlier term can be on a majority and still be overwritten
// (section 5.4.2).
func (n *Node) maybeCommit() {
	matches := n.scratch[:0]
	for i := range n.progress {
		if n.progress[i].voter {
			matches = append(matches, n.progress[i].match)
		}
	}
	n.scratch = matches
	q := quorumIndex(matches)
	if q > n.commit {
		if t, _ := n.log.term(q); t == n.term || n.breaks(CommitOldTerms) {
			n.forgetProposed(n.commit+1, q)
			n.commit = q
		}
	}
}
