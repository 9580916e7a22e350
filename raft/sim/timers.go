package sim

import (
	"errors"
	"sort"

	"github.com/raftplay/raftplay/raft"
)

// The teacher's election controls, as RaftScope has them: "time out now"
// for one peer (ActTimeout), and spreading or aligning every election
// timer to avoid or force a split vote (ActTimers); and handing over
// leadership to a chosen peer (ActTransfer, dissertation section 3.10).

// canTimeOut says why peer id cannot start an election now, if it cannot.
func (s *Sim) canTimeOut(id raft.ID) error {
	sl := s.peers[id-1]
	if !sl.up() {
		return errors.New(id.String() + " is down: restart it first")
	}
	st, err := sl.peer.Status()
	switch {
	case err != nil:
		return err
	case st.Role == raft.Leader:
		return errors.New(id.String() + " leads term " + utoa(st.Term) + ": a leader has no election timer to run out")
	case st.ElectionTimeout == 0:
		return errors.New(id.String() + " has no configuration yet: it cannot stand for election")
	}
	return nil
}

// canTransfer says why leadership cannot be handed over to peer id now, if
// it cannot.
func (s *Sim) canTransfer(id raft.ID) error {
	leader, term := s.Leader()
	switch {
	case leader == raft.None:
		return errors.New("no server leads now: there is no leadership to hand over")
	case leader == id:
		return errors.New(id.String() + " leads term " + utoa(term) + " already")
	case !s.peers[id-1].up():
		return errors.New(id.String() + " is down: restart it first")
	}
	return nil
}

// electionTimer is one running election timer: when it fires, in ticks
// from now and as a virtual time.
type electionTimer struct {
	sl   *slot
	left int   // ticks to go: it fires on the left-th tick from now
	at   int64 // the time of that tick
}

// electionTimers returns the running election timers, soonest first (ties
// by peer id). Leaders and crashed peers have none.
func (s *Sim) electionTimers() []electionTimer {
	var ts []electionTimer
	for _, sl := range s.peers {
		if !sl.up() || sl.tickItem == nil {
			continue
		}
		st, err := sl.peer.Status()
		if err != nil || st.ElectionTimeout == 0 {
			continue
		}
		left := max(st.ElectionTimeout-st.ElectionElapsed, 1)
		ts = append(ts, electionTimer{sl: sl, left: left, at: sl.tickItem.at + int64(left-1)*s.cfg.TickMs})
	}
	sort.SliceStable(ts, func(i, j int) bool { return ts[i].at < ts[j].at })
	return ts
}

// setTimers spreads or aligns the election timers (see TimerMode).
func (s *Sim) setTimers(a *Action) {
	ts := s.electionTimers()
	if len(ts) == 0 {
		return
	}
	// A RequestVote takes at most the link's maximum latency, or three
	// times it when the network may hold messages back.
	gap := s.net.link.LatencyMaxMs + 1
	if s.net.link.Reorder > 0 {
		gap = 3*s.net.link.LatencyMaxMs + 1
	}
	prev := ts[0].at
	for _, t := range ts[1:] {
		want := ts[0].at // align: the first timer's tick
		if a.Timers == TimersSpread {
			want = max(t.at, prev+gap)
		}
		// The tick of t's peer at or after want.
		next := t.sl.tickItem.at
		left := 1
		if want > next {
			left = int((want-next+s.cfg.TickMs-1)/s.cfg.TickMs) + 1
		}
		if left != t.left {
			_ = t.sl.peer.SetElectionTimer(left) // a stopped peer does nothing
		}
		prev = next + int64(left-1)*s.cfg.TickMs
	}
	s.record(&Event{Kind: EvTimers, Action: a})
}
