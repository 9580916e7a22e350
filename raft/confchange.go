package raft

import (
	"errors"
	"slices"
)

// Membership changes at runtime, one server at a time (dissertation
// chapter 4). A change is a new EntryConfig that adds or removes one
// voter, so that any majority of the old voters and any majority of the
// new ones share a server: two leaders can never be elected in one term,
// one by each configuration. Each server uses the latest configuration in
// its log, committed or not (section 4.1).
//
// Three rules keep it safe and available:
//   - one change at a time: a leader takes a change only once the previous
//     one is committed;
//   - a new leader takes a change only once an entry of its own term (its
//     no-op) is committed. Without it, a change made by a leader of an
//     older term, not yet committed, and one made by the new leader could
//     each be committed by a majority that shares no server with the
//     other's (Ongaro, "bug in single-server membership changes",
//     raft-dev, 2015);
//   - a new server first joins as a learner: it receives the log but
//     counts in no majority, so a slow newcomer cannot stall commits. The
//     leader makes it a voter once it has caught up (section 4.2.1): in
//     rounds, each replicating what the leader held when the round began;
//     a round that ends within an election timeout means the learner
//     keeps up. The learner stays in the configuration until then, so a
//     new leader carries on where the old one stopped.
//
// A leader that removes itself goes on leading until the change commits,
// without counting itself in majorities; then it hands over leadership to
// the most up-to-date voter (TimeoutNow, section 3.10) and steps down
// (section 4.2.2).

// ErrChangeInProgress refuses a membership change while another is under
// way: one server at a time. errors.Is matches every such refusal; the
// message says what the change waits for.
var ErrChangeInProgress = errors.New("raft: a membership change is under way; one server at a time")

// changeError is a refusal that errors.Is matches with ErrChangeInProgress.
type changeError struct{ msg string }

func (e *changeError) Error() string        { return e.msg }
func (e *changeError) Is(target error) bool { return target == ErrChangeInProgress }

// AddServer adds the server id to the cluster: at once as a learner, which
// the leader then brings up to date and makes a voter (see the rules
// above). It refuses on a peer that does not lead (a *NotLeaderError
// naming the leader), while another change is under way
// (ErrChangeInProgress), during a leadership transfer (ErrTransferring),
// and for a server that is already in the configuration or id 0. The
// change is done when the id is among Status().Members and Commit has
// reached ConfigIndex.
func (n *Node) AddServer(id ID) error {
	if err := n.changeAllowed(); err != nil {
		return err
	}
	switch {
	case id == None:
		return errors.New("raft: peer id 0 is reserved (it means \"nobody\")")
	case n.config.has(id):
		return errorOf("raft: ", id, " is already in the cluster ", n.configString())
	case len(n.config.Voters)+len(n.config.Learners) >= MaxPeers:
		return errorOf("raft: the cluster has ", MaxPeers, " servers, its limit")
	}
	c := Configuration{Voters: n.config.Voters, Learners: sortedIDs(append(slices.Clone(n.config.Learners), id))}
	n.appendConfig(c)
	return nil
}

// RemoveServer removes the server id, a voter or a learner, from the
// cluster. It refuses as AddServer does, and for a server that is not in
// the configuration or the last voter. A learner may be removed while it
// catches up: that cancels its addition. A leader may remove itself: it
// leads on until the change commits, then hands over leadership and
// steps down.
func (n *Node) RemoveServer(id ID) error {
	if _, learner := slices.BinarySearch(n.config.Learners, id); learner && n.role == Leader && n.configIndex <= n.commit {
		// Cancelling an addition: allowed while the learner catches up.
	} else if err := n.changeAllowed(); err != nil {
		return err
	}
	switch {
	case !n.config.has(id):
		return errorOf("raft: ", id, " is not in the cluster ", n.configString())
	case len(n.config.Voters) == 1 && n.config.Voters[0] == id:
		return errorOf("raft: ", id, " is the cluster's last voter; a cluster needs one")
	}
	c := Configuration{Voters: without(n.config.Voters, id), Learners: without(n.config.Learners, id)}
	n.appendConfig(c)
	return nil
}

// changeAllowed says why this node cannot take a membership change now,
// if it cannot.
func (n *Node) changeAllowed() error {
	switch {
	case n.role != Leader:
		return n.notLeader()
	case n.transferee != None:
		return ErrTransferring
	case n.commit < n.termStart:
		return &changeError{"raft: " + n.id.String() + " has just been elected: it takes a membership change once the no-op entry of its term (index " +
			uitoa(n.termStart) + ") is committed, so that no change of an earlier leader is still pending (dissertation section 4.1)"}
	case n.configIndex > n.commit:
		return &changeError{"raft: a membership change is under way: the configuration " + n.configString() + " at index " +
			uitoa(n.configIndex) + " is not committed yet; one server at a time"}
	case len(n.config.Learners) > 0:
		return &changeError{"raft: " + idList(n.config.Learners) + " is catching up as a learner before it becomes a voter; " +
			"one server at a time (remove it to cancel)"}
	}
	return nil
}

// appendConfig appends a configuration entry on the leader; the new
// configuration is in force at once.
func (n *Node) appendConfig(c Configuration) {
	n.config, n.configIndex = c, n.log.lastIndex()+1
	n.layout()
	n.appendEntry(Entry{Type: EntryConfig, Data: c.encode()})
	n.sendAtReady = true
}

// layout sets whom the node replicates to (members), and, on a leader,
// each one's progress: kept for the servers it had, started afresh for
// new ones. A leader whose latest configuration is not committed keeps
// replicating to the servers of the one before it, so that a removed
// server learns it is removed rather than stand for election.
func (n *Node) layout() {
	members := union(n.config.Voters, n.config.Learners)
	if n.role == Leader && n.configIndex > n.commit {
		prev, _ := n.configAt(n.configIndex - 1)
		members = union(members, union(prev.Voters, prev.Learners))
	}
	if n.role == Leader {
		progress := make([]progress, len(members))
		for i, id := range members {
			if j, ok := slices.BinarySearch(n.members, id); ok && n.progress != nil {
				progress[i] = n.progress[j]
			} else {
				progress[i] = n.newProgress()
			}
			progress[i].voter = n.voterIndex(id) >= 0
		}
		n.progress = progress
	}
	n.members = members
}

// newProgress is a leader's view of a server it has not heard from yet:
// probe from its own log's end; a learner's first round of catch-up
// begins.
func (n *Node) newProgress() progress {
	last := n.log.lastIndex()
	return progress{next: last + 1, state: ProgressProbe, since: n.ticks, roundEnd: last, roundStart: n.ticks}
}

// afterCommit drops, once the latest configuration is committed, the
// servers it removed from those the leader replicates to, and hands over
// leadership if it removed the leader.
func (n *Node) afterCommit() {
	if n.configIndex > n.commit || len(n.members) == len(n.config.Voters)+len(n.config.Learners) {
		n.handOverIfRemoved()
		return
	}
	n.layout()
	n.handOverIfRemoved()
}

// handOverIfRemoved runs on a leader whose removal is committed: it hands
// over leadership to the voter holding most of its log, once that voter
// holds all of it (transfer.go), and steps down. If no voter catches up
// within an election timeout, it steps down anyway and the others elect a
// leader when their timers run out.
func (n *Node) handOverIfRemoved() {
	if n.role != Leader || n.isVoter() || n.configIndex > n.commit {
		return
	}
	if n.transferee == None {
		best := -1
		for i := range n.members {
			if n.progress[i].voter && (best < 0 || n.progress[i].match > n.progress[best].match) {
				best = i
			}
		}
		n.transferee, n.transferElapsed = n.members[best], 0
		n.sendTimeoutNowIfCaughtUp(best)
		n.sendAtReady = true // what it lacks goes with the next Ready
	}
	if i := n.memberIndex(n.transferee); n.progress[i].match == n.log.lastIndex() {
		n.stepDown(StepDownHandover) // the TimeoutNow has gone (sendTimeoutNowIfCaughtUp)
	}
}

// stepDownIfRemoved steps down a leader whose removal is committed: its
// handover did not succeed within an election timeout.
func (n *Node) stepDownIfRemoved() {
	if n.role == Leader && !n.isVoter() && n.configIndex <= n.commit {
		n.stepDown(StepDownRemoved)
	}
}

// catchUp moves learner i's catch-up round on after it acknowledged
// entries, and makes it a voter once a round ended within an election
// timeout and the configuration can change.
func (n *Node) catchUp(i int) {
	pr := &n.progress[i]
	id := n.members[i]
	if _, learner := slices.BinarySearch(n.config.Learners, id); !learner || pr.match < pr.roundEnd {
		return
	}
	if n.ticks-pr.roundStart > uint64(n.cfg.ElectionTimeoutMin) {
		// Too slow a round: the learner would lag behind as a voter.
		// Another round, to what the leader holds now.
		pr.roundEnd, pr.roundStart = n.log.lastIndex(), n.ticks
		return
	}
	if n.changeAllowed() != nil && !n.onlyLearnersWait() {
		return // the next acknowledgment tries again
	}
	c := Configuration{Voters: sortedIDs(append(slices.Clone(n.config.Voters), id)), Learners: without(n.config.Learners, id)}
	n.appendConfig(c)
}

// onlyLearnersWait reports whether the only change under way is learners
// catching up, which a promotion of one of them ends.
func (n *Node) onlyLearnersWait() bool {
	return n.role == Leader && n.transferee == None && n.commit >= n.termStart && n.configIndex <= n.commit
}

// configString renders the configuration as [s1 s2 s3] or, with
// learners, [s1 s2 s3] + learners [s4].
func (n *Node) configString() string {
	s := idList(n.config.Voters)
	if len(n.config.Learners) > 0 {
		s += " + learners " + idList(n.config.Learners)
	}
	return s
}

// union returns the sorted union of two sorted id lists.
func union(a, b []ID) []ID {
	out := make([]ID, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || i < len(a) && a[i] < b[j]:
			out = append(out, a[i])
			i++
		case i == len(a) || b[j] < a[i]:
			out = append(out, b[j])
			j++
		default:
			out = append(out, a[i])
			i, j = i+1, j+1
		}
	}
	return out
}

// without returns ids without id, in a new slice.
func without(ids []ID, id ID) []ID {
	out := make([]ID, 0, len(ids))
	for _, x := range ids {
		if x != id {
			out = append(out, x)
		}
	}
	return out
}

func uitoa(v uint64) string { return join([]any{v}) }

// Configuration returns the node's configuration: the latest in its log,
// committed or not. Its slices are the node's: read them, do not change
// them.
func (n *Node) Configuration() Configuration { return n.config }

// ConfigIndex returns the index of the configuration's entry (0 if it
// came with the snapshot): a change is committed once Commit reaches it.
func (n *Node) ConfigIndex() uint64 { return n.configIndex }
