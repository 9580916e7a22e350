package raft

// AddServer asks this peer, which must lead, to add the server id to the
// cluster (dissertation section 4.2.1; see Node.AddServer). Start id's
// peer first, with empty storage: it belongs to no cluster and waits,
// without standing for election, until the leader brings it in. AddServer
// returns once the change has started: id joins as a learner, which the
// leader catches up and then makes a voter, one server at a time. Status
// says how far it got: id is a voter once it is among Members and Commit
// has reached ConfigIndex. A peer that does not lead answers a
// *NotLeaderError naming the leader; a change while another is under way,
// ErrChangeInProgress.
func (p *Peer[S]) AddServer(id ID) error {
	return p.change(func() error { return p.node.AddServer(id) })
}

// RemoveServer asks this peer, which must lead, to remove the server id,
// a voter or a learner, from the cluster (see Node.RemoveServer). It
// returns once the change has started. A leader may remove itself: it
// leads until the change commits, then hands over leadership to the most
// up-to-date voter and steps down (section 4.2.2). The removed server's
// peer can then be stopped: no other member sends it anything, and it
// does not stand for election.
func (p *Peer[S]) RemoveServer(id ID) error {
	return p.change(func() error { return p.node.RemoveServer(id) })
}

func (p *Peer[S]) change(f func() error) error {
	var err error
	if e := p.do(InputChange, func() {
		err = f()
		p.obs.Err = err
	}); e != nil {
		return e
	}
	return err
}
