package raft

import (
	"errors"
	"slices"
)

// SetConfiguration makes this peer the first member of a new cluster with
// the given members, as in the talk's set_configuration(s1, [s1, s2, s3]): it
// writes the configuration as the first log entry and starts an election at
// once. The other members need no configuration of their own: they vote,
// and learn the configuration from the leader's log. The members make the
// cluster's identity (ClusterOf): a peer that has joined another cluster
// refuses this one's messages.
//
// The peer must be brand new (an empty log) and among the members. To
// change the members of a running cluster, ask its leader to AddServer or
// RemoveServer, one server at a time.
func (n *Node) SetConfiguration(members []ID) error {
	e, err := ConfigEntry(members)
	if err != nil {
		return err
	}
	if n.log.lastIndex() != 0 {
		return errors.New("raft: SetConfiguration needs a peer with an empty log; this one already belongs to a cluster " +
			"(to change its members, ask the leader to AddServer or RemoveServer)")
	}
	if !slices.Contains(members, n.id) {
		return errorOf("raft: SetConfiguration on ", n.id, ", which is not among the members ", idList(members))
	}
	e.Term = max(n.term, 1)
	n.setTerm(e.Term)
	n.log.append(e)
	n.refreshMembers()
	n.Campaign()
	return nil
}
