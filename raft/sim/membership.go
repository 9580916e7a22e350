package sim

import (
	"errors"
	"slices"

	"github.com/raftplay/raftplay/raft"
)

// Membership changes at runtime (dissertation chapter 4): the leader adds
// or removes one server at a time (ActAdd, ActRemove). Adding the next new
// id starts a new server with empty storage, outside any cluster, which the
// leader brings in as a learner and makes a voter once it has caught up.
// The run keeps every server it ever had: a removed server stays, out of
// the cluster, and may be added again.

// Ways of a membership change (Event.Op of EvChange).
const (
	ChangeNew      = "new"      // Peer, a new server, started empty, outside any cluster
	ChangeAdd      = "add"      // Peer, the leader, added Leader as a learner; with Reason, could not
	ChangeRemove   = "remove"   // Peer, the leader, removed Leader; with Reason, could not
	ChangePromote  = "promote"  // Peer, the leader, made the learner Leader a voter: it has caught up
	ChangeStepDown = "stepdown" // Peer, a leader that removed itself, stepped down once the change committed
)

// Servers returns how many servers the run has: the peers it started with
// and the new ones added since. Servers are s1 to s(Servers()).
func (s *Sim) Servers() int { return len(s.peers) }

// canChange says why the leader cannot be asked for a change now, if it
// cannot. What the leader itself refuses (a change under way, a server
// already in, the last voter) is its answer, recorded as an event.
func (s *Sim) canChange(a *Action) error {
	leader, _ := s.Leader()
	switch {
	case leader == raft.None:
		return errors.New("no server leads now: only a leader changes the cluster's members")
	case a.Kind == ActAdd && int(a.Peer) > len(s.peers) && len(s.peers) >= MaxPeers:
		return errors.New("the run has " + itoa(MaxPeers) + " servers, its limit")
	}
	return nil
}

// change asks the leader to add or remove a.Peer, starting it first if it
// is a new server.
func (s *Sim) change(a *Action) {
	if a.Kind == ActAdd && int(a.Peer) == len(s.peers)+1 {
		s.newServer()
	}
	leader, _ := s.Leader()
	if leader == raft.None {
		return
	}
	p := s.peers[leader-1].peer
	s.changing = a
	if a.Kind == ActAdd {
		_ = p.AddServer(a.Peer) // the answer is recorded as it happens (observeChange)
	} else {
		_ = p.RemoveServer(a.Peer)
	}
	s.changing = nil
}

// newServer starts the next server, empty. During a partition it is on a
// side of its own until the network heals.
func (s *Sim) newServer() {
	id := raft.ID(len(s.peers) + 1)
	sl := &slot{id: id, store: raft.NewMemoryStorage(), phase: s.rand("phase", id, 0).Int64N(s.cfg.TickMs)}
	s.peers = append(s.peers, sl)
	group := 0
	if slices.ContainsFunc(s.net.group, func(g int) bool { return g != 0 }) {
		group = slices.Max(s.net.group) + 1
	}
	s.net.group = append(s.net.group, group)
	if s.check != nil {
		s.check.chains = append(s.check.chains, chain{})
	}
	s.record(&Event{Kind: EvChange, Peer: id, Op: ChangeNew})
	if err := s.start(sl); err != nil {
		s.record(&Event{Kind: EvViolation, Peer: id, Reason: "start failed: " + err.Error()})
	}
}

// observeChange records what a peer's input did to the membership: the
// answer to a change it was asked for, a learner it made a voter, its
// stepping down after it removed itself. It also keeps what the simulator
// saw of the peer's configuration.
func (s *Sim) observeChange(sl *slot, o *raft.Observation, role raft.Role) {
	n := o.Node()
	if o.Input == raft.InputChange && s.changing != nil {
		op := ChangeAdd
		if s.changing.Kind == ActRemove {
			op = ChangeRemove
		}
		e := Event{Kind: EvChange, Peer: sl.id, Leader: s.changing.Peer, Op: op}
		if o.Err != nil {
			e.Reason = o.Err.Error()
		}
		s.record(&e)
	}
	ci := n.ConfigIndex()
	if ci == sl.configIndex && role == sl.role && sl.voters != nil {
		return
	}
	c := n.Configuration() // the node never changes these slices: it replaces them
	if ci != sl.configIndex && role == raft.Leader && sl.role == raft.Leader && o.Input != raft.InputChange {
		for _, id := range sl.learners {
			if _, voter := slices.BinarySearch(c.Voters, id); voter {
				s.record(&Event{Kind: EvChange, Peer: sl.id, Leader: id, Op: ChangePromote})
			}
		}
	}
	if o.StepDown == raft.StepDownHandover || o.StepDown == raft.StepDownRemoved {
		s.record(&Event{Kind: EvChange, Peer: sl.id, Op: ChangeStepDown})
	}
	sl.configIndex, sl.voters, sl.learners = ci, c.Voters, c.Learners
}

// inCluster reports whether id is a voter or a learner of the leader's
// configuration (with no leader, of its own).
func inCluster(c raft.Configuration, id raft.ID) bool {
	return slices.Contains(c.Voters, id) || slices.Contains(c.Learners, id)
}

// configOf returns a server's configuration as the simulator last saw it.
func (s *Sim) configOf(id raft.ID) raft.Configuration {
	sl := s.peers[id-1]
	return raft.Configuration{Voters: sl.voters, Learners: sl.learners}
}

// membershipChange is a campaign's membership fault: the leader adds a
// server outside its configuration (a new one while the run has fewer
// than Peers+2), or removes one of its servers while it keeps at least
// Peers-1 voters (itself perhaps). The leader may refuse: a change is
// under way, or its no-op is not committed yet.
func (d *driver) membershipChange(leader raft.ID) *Action {
	s, r := d.s, d.r
	cf := s.configOf(leader)
	if r.IntN(2) == 0 {
		var out []raft.ID
		for _, sl := range s.peers {
			if !inCluster(cf, sl.id) {
				out = append(out, sl.id)
			}
		}
		if len(s.peers) < d.o.Peers+2 {
			out = append(out, raft.ID(len(s.peers)+1))
		}
		if len(out) == 0 {
			return nil
		}
		return &Action{Kind: ActAdd, Peer: out[r.IntN(len(out))]}
	}
	in := slices.Clone(cf.Learners)
	if len(cf.Voters) > max(1, d.o.Peers-1) {
		in = append(in, cf.Voters...)
	}
	if len(in) == 0 {
		return nil
	}
	return &Action{Kind: ActRemove, Peer: in[r.IntN(len(in))]}
}

// OutOfCluster lists the servers of the run out of the leader's
// configuration (never added, or removed), lowest first; none with no
// leader.
func (s *Sim) OutOfCluster() []raft.ID {
	leader, _ := s.Leader()
	if leader == raft.None {
		return nil
	}
	cf := s.configOf(leader)
	var out []raft.ID
	for _, sl := range s.peers {
		if !inCluster(cf, sl.id) {
			out = append(out, sl.id)
		}
	}
	return out
}
