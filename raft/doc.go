// Package raft is the Raft consensus algorithm (Ongaro and Ousterhout, "In
// Search of an Understandable Consensus Algorithm", 2014), written to be read
// next to the paper, and a runtime to use it with your own state machine.
//
// # Two layers
//
// Node is the protocol as a pure state machine: no goroutines, no clock, no
// I/O, and no randomness but the source it is given. Same inputs, same
// outputs, so anyone can drive it deterministically (a test, a simulator, a
// benchmark). Peer runs a Node on its own goroutine with a Storage, a
// Transport and a Clock, and applies committed commands to a StateMachine:
// it is the library's face.
//
// # Where Figure 2 lives
//
//	State (persistent, volatile, leader)   node.go (Node), progress.go (nextIndex, matchIndex)
//	RequestVote RPC                         election.go: handleVote, becomeCandidate
//	AppendEntries RPC                       replication.go: handleAppend, sendAppend
//	"decrement nextIndex and retry"         progress.go (probe, replicate, snapshot),
//	                                        replication.go: handleAppendResp
//	Messages overtaken on the network       overtaken.go
//	Two clusters on one network             cluster.go: ClusterOf, checkCluster
//	Rules for all servers                   node.go: Step (higher term -> follower)
//	Followers, candidates: election timer   election.go: tickElection
//	Leaders: heartbeats, commit rule        replication.go: tickHeartbeat, maybeCommit
//	Up-to-date logs (section 5.4.1)         log.go: isUpToDate
//	Majorities                              quorum.go
//	Reads without the log (ReadIndex)       readindex.go
//	Client sessions (at-most-once writes)   session.go, peer.go: apply;
//	                                        clientsession.go (Session, for retries)
//	Log compaction, InstallSnapshot (§7)    snapshot.go, peersnapshot.go
//	Rules broken on purpose (teaching)      rules.go: one switch per Rule
//
// And what the dissertation adds (Config.PreVote, Config.CheckQuorum):
//
//	PreVote (section 9.6)                   prevote.go
//	CheckQuorum, leases (6.2, 4.2.3)        checkquorum.go
//	Leadership transfer (3.10)              transfer.go
//
// # Driving a Node
//
// The loop every runtime runs (Peer does exactly this):
//
//  1. Give the node its inputs: Tick once per tick of your clock, Step for
//     each message from another peer, Propose and ReadIndex for clients.
//  2. While HasReady, take Ready and, in this order: save HardState (if
//     SaveState); if Snapshot is set, save it and restore the state machine
//     from it; append Entries to stable storage; make all of it durable
//     (Storage.Sync: one flush for the whole Ready); then send Messages
//     (they may promise what was just saved); then apply Committed entries to the
//     state machine, in order; then answer Reads once the state machine has
//     applied their Index.
//
// A Node restarts from what its storage kept: NewNode(cfg, stored), with
// the hard state, the latest snapshot and the log after it. What the
// snapshot covers is committed and applied (restore the state machine from
// it); the rest of the commit index and the state are rebuilt from the
// leader and the log.
//
// # Starting a cluster
//
// Either give every member's storage the same configuration with Bootstrap
// and let them elect a leader, or, as in the talk this project comes from,
// start the peers empty and call SetConfiguration on one of them: it writes
// the configuration as the first log entry, elects itself and brings the
// others in. Either way the cluster gets its identity from the members it
// starts with (ClusterOf), carried on every message: a peer refuses
// messages of another cluster, and a peer started empty joins the first
// cluster that brings it in.
//
// # Writes and reads
//
// A write may be sent to any peer: the leader appends it, a follower forwards
// it to the leader it knows, and a peer that knows no leader says so with a
// *NotLeaderError (which matches ErrNotConfigured, with errors.Is, at a peer
// that belongs to no cluster yet).
//
// Writes go one way or the other. Submit, Write and WriteRequest take a
// write at any peer and forward it to the leader. Propose places a write at
// the leader only, and says where it went (its index and term) or that this
// peer does not lead (a *NotLeaderError naming the leader it follows): for
// clients and test harnesses that pick the leader themselves. Either way,
// a refusal comes as the call's error and never through done.
//
// A Peer batches: it takes every call waiting in its inbox, then saves,
// sends and applies once for all of them; and a leader holds entries that
// would not fill an AppendEntries while one is in flight to a follower,
// sending them with its answer (Config.EagerAppends turns that off).
//
// Writes carry a client session (client id, sequence number), so a peer can
// resend a write whose answer is slow without the state machine ever
// applying it twice. A caller whose context ends before the answer cannot
// know whether its write was applied: it may be, now or later. To retry it
// safely, give the write an identity the caller keeps (a Request from a
// Session) and send that same Request again with WriteRequest, at any peer:
// it is applied at most once, and every answer is the reply of that one
// time. The peers keep the MaxSessions (100,000) sessions used most
// recently, dropping the least recently used, so memory stays bounded: a
// write retried only after that many other clients have written since
// would be taken as new.
//
// Reads are linearizable without touching the log: the leader confirms with
// a round of heartbeats that it still leads, then the read is answered once
// the state machine has caught up with the leader's commit index.
//
// # Snapshots
//
// A Peer whose StateMachine also implements Snapshotter compacts its log
// every PeerConfig.SnapshotEvery applied entries (section 7): the snapshot
// holds the state machine's state and the client sessions. A leader sends
// its snapshot to a follower that needs entries it has dropped. Driving a
// Node yourself, call Compact and save what it returns; restore your state
// machine from Ready.Snapshot when a leader sends one.
//
// # Changing the members
//
// A running cluster changes its members one server at a time (dissertation
// chapter 4): ask the leader to AddServer or RemoveServer. A new server
// starts empty and first joins as a learner, which receives the log but
// counts in no majority; once it keeps up, the leader makes it a voter.
// A leader that removes itself leads until the change commits, then hands
// over leadership and steps down. A change waits for the one before it,
// and a new leader takes one only once an entry of its own term is
// committed (ErrChangeInProgress says what it waits for).
package raft
