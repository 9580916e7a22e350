package raft

// Linearizable reads without writing to the log: ReadIndex (dissertation
// section 6.4). The leader notes its commit index as the read index, confirms
// with a round of heartbeats that a majority still follows it (so no newer
// leader can have committed anything it has not seen), and then the read may
// be answered by any peer whose state machine has applied the read index.

type pendingRead struct {
	id    uint64 // the requester's name for the read
	from  ID     // the peer that asked (the leader itself for a local read)
	index uint64 // the read index
	round uint64 // the heartbeat round that must be acknowledged
}

// ReadIndex starts a linearizable read named id. The answer comes back as a
// ReadState in Ready.Reads. A follower asks its leader; with no leader known
// it returns a *NotLeaderError. A read can be lost with its messages or a
// change of leader: the caller retries, with a new id if it likes. An id
// must never name two reads of this peer, even across restarts: the
// leader's answer carries nothing else, so a late answer to an earlier
// read of the same id would answer this one with too old an index.
func (n *Node) ReadIndex(id uint64) error {
	switch {
	case n.breaks(ReadLocal):
		// Broken on purpose: answer from whatever this peer has applied.
		n.readStates = append(n.readStates, ReadState{ID: id, Index: n.applied})
	case n.role == Leader:
		n.startRead(id, n.id)
	case n.leader != None:
		n.send(Message{Type: MsgRead, To: n.leader, Round: id})
	default:
		return n.notLeader()
	}
	return nil
}

// startRead records a read on the leader. The read index is the commit index,
// but never below this term's noop entry: a new leader may not yet know that
// entries of earlier terms are committed, and every committed entry lies at
// or below that noop (Leader Completeness).
func (n *Node) startRead(id uint64, from ID) {
	r := pendingRead{id: id, from: from, index: max(n.commit, n.termStart)}
	if n.isVoter() && n.quorum() == 1 { // the leader alone is a majority
		n.finishRead(r)
		return
	}
	n.round++
	r.round = n.round
	n.reads = append(n.reads, r)
	n.broadcastAppend()
}

func (n *Node) stepForwardedRead(m *Message) error {
	if n.role == Leader {
		n.startRead(m.Round, m.From)
	}
	return nil // not leader: the asker retries with the leader it learns of
}

// confirmReads answers, in order, the reads whose heartbeat round a majority
// has acknowledged.
func (n *Node) confirmReads() {
	k := 0
	for k < len(n.reads) && n.roundAcked(n.reads[k].round) {
		n.finishRead(n.reads[k])
		k++
	}
	n.reads = n.reads[k:]
}

func (n *Node) roundAcked(round uint64) bool {
	acks := 0
	for i, id := range n.members {
		if n.progress[i].voter && (id == n.id || n.progress[i].round >= round) {
			acks++
		}
	}
	return acks >= n.quorum()
}

func (n *Node) finishRead(r pendingRead) {
	if r.from == n.id {
		n.readStates = append(n.readStates, ReadState{ID: r.id, Index: r.index})
		return
	}
	n.send(Message{Type: MsgReadResp, To: r.from, Round: r.id, ReadIndex: r.index})
}
