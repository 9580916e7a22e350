package raft

// Cheap read-only views of a Node, for runtimes, simulators and checkers
// that look after every input (Status copies more than they need).

// Role returns the node's current role.
func (n *Node) Role() Role { return n.role }

// Term returns the node's current term.
func (n *Node) Term() uint64 { return n.term }

// Vote returns whom the node voted for in its current term, or None.
func (n *Node) Vote() ID { return n.vote }

// Leader returns the leader the node knows of in its term, or None.
func (n *Node) Leader() ID { return n.leader }

// Commit returns the node's commit index.
func (n *Node) Commit() uint64 { return n.commit }

// LastIndex returns the index of the last entry in the node's log.
func (n *Node) LastIndex() uint64 { return n.log.lastIndex() }

// Applied returns the index of the last entry the node has handed out in
// Ready.Committed (or restored from a snapshot): what the runtime applies
// next comes after it.
func (n *Node) Applied() uint64 { return n.applied }

// Campaigns counts the times this node has stood for election since it
// started: its election timer ran out, or Campaign asked it to. (With
// PreVote, standing starts with a pre-vote, which may not lead to an
// election.)
func (n *Node) Campaigns() uint64 { return n.campaigns }

// StepDowns returns how many times the node stepped down from leader, and
// why the last time.
func (n *Node) StepDowns() (count uint64, last StepDown) { return n.stepDowns, n.stepDownWhy }
