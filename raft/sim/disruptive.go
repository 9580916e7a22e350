package sim

import (
	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/lock"
)

// The disruptive server (dissertation section 9.6). A follower cut off from
// the others stops hearing heartbeats, and each time its election timer
// runs out it stands for leader in a new term, alone. When it comes back,
// its term, higher than anyone's, reaches the leader, which steps down
// although nothing was wrong with it; an election follows, which the
// server that caused it cannot even win (its log missed the writes made
// while it was away). With PreVote the cut-off server only asks whether it
// would be elected, gets no answer, and keeps its term: back, it follows
// the leader at its next heartbeat. The scenario plays the same story
// either way; the page's PreVote switch decides which ending the run shows.

// disruptiveCutMs is how long the follower stays cut off: several of its
// election timeouts.
const disruptiveCutMs = 2000

func init() {
	register(Scenario{
		Name: "disruptive",
		Summary: "a follower cut off for 2 s stands again and again, alone, raising its term; back, it deposes the healthy " +
			"leader. With PreVote on, it only asks, keeps its term, and the leader stays",
		Run: disruptive,
	})
}

func disruptive(s *Sim) error {
	leader, err := s.WaitForLeader(5000)
	if err != nil {
		return err
	}
	if _, err := s.Request(Action{Kind: ActWrite, Peer: leader, Client: "alice", Op: lock.OpLock}, 5000); err != nil {
		return err
	}
	away := leader%raft.ID(s.cfg.Peers) + 1
	var others []raft.ID
	for id := raft.ID(1); id <= raft.ID(s.cfg.Peers); id++ {
		if id != away {
			others = append(others, id)
		}
	}
	if err := s.Do(Action{Kind: ActPartition, Groups: [][]raft.ID{{away}, others}}); err != nil {
		return err
	}
	// A write while it is away: its log falls behind.
	if _, err := s.Request(Action{Kind: ActWrite, Peer: leader, Client: "alice", Op: lock.OpUnlock}, 5000); err != nil {
		return err
	}
	s.RunFor(disruptiveCutMs)
	term := s.peers[leader-1].term
	if err := s.mark(disruptiveAwayNote(away, leader, s.peers[away-1].term, term)); err != nil {
		return err
	}
	if err := s.Do(Action{Kind: ActHeal}); err != nil {
		return err
	}
	if _, err := s.WaitForLeader(5000); err != nil {
		return err
	}
	// Let the returning server catch up with the leader's log.
	if err := s.waitFor(5000, "every server to hold the leader's log", s.caughtUp); err != nil {
		return err
	}
	now, nowTerm := s.Leader()
	return s.mark(disruptiveBackNote(away, leader, term, now, nowTerm))
}

// caughtUp reports whether every running peer holds the leader's whole log.
func (s *Sim) caughtUp() bool {
	id, _ := s.Leader()
	if id == raft.None {
		return false
	}
	last := s.peers[id-1].last
	for _, sl := range s.peers {
		if sl.up() && sl.last != last {
			return false
		}
	}
	return true
}

// disruptiveAwayNote says what the cut-off server did while away: raised
// its term (awayTerm), or kept it, asking for pre-votes.
func disruptiveAwayNote(away, leader raft.ID, awayTerm, term uint64) string {
	cut := away.String() + " has been cut off for 2 s and missed alice's unlock. "
	if awayTerm > term {
		return cut + "Each time its election timer ran out, it stood for leader alone, in a new term: it is in term " +
			utoa(awayTerm) + "; " + leader.String() + " leads term " + utoa(term) + ". Now the network heals."
	}
	return cut + "Each time its election timer ran out, it only asked for pre-votes (PreVote): no majority answered, " +
		"so it never stood and is still in term " + utoa(awayTerm) + ", " + leader.String() + "'s term. Now the network heals."
}

// disruptiveBackNote says how the run ended: the leader deposed by the
// returning server's term, or still leading.
func disruptiveBackNote(away, leader raft.ID, term uint64, now raft.ID, nowTerm uint64) string {
	if now == leader && nowTerm == term {
		return "Back, " + away.String() + " brought no higher term, so it deposed no one: " + leader.String() +
			"'s next heartbeat made it a follower and gave it what it missed. " + leader.String() + " still leads term " +
			utoa(term) + ", with no election."
	}
	return "Back, " + away.String() + "'s higher term reached " + leader.String() + ", which stepped down though nothing was wrong " +
		"with it (a server that sees a higher term follows it). " + away.String() + " could not win the election that followed " +
		"(its log lacks alice's unlock): " + now.String() + " leads term " + utoa(nowTerm) + ". Turn PreVote on and run it again."
}
