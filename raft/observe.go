package raft

import "strconv"

// InputKind says what a peer was handling when an Observation was made.
type InputKind uint8

const (
	InputStart InputKind = iota // the peer started (restored from storage)
	InputMessage
	InputTick
	InputWrite
	InputRead
	InputCancel
	InputConfigure
	InputQuery    // Status, State or WaitForLeader: nothing changes
	InputCampaign // Campaign: an election started by hand
	InputTimer    // SetElectionTimer: the election timer set by hand
	InputTransfer // TransferLeadership: a leader asked to hand over
	InputChange   // AddServer or RemoveServer: a leader asked to change the members
)

// StepDown says why a leader stepped down to follower.
type StepDown uint8

const (
	StepDownNone       StepDown = iota
	StepDownHigherTerm          // it saw a higher term: another leader, or an election it cannot win
	StepDownQuorum              // CheckQuorum: it heard from no majority for an election timeout
	StepDownHandover            // removed, it handed leadership to the voter that holds its whole log
	StepDownRemoved             // removed, it found no voter to hand over to within an election timeout
)

func (d StepDown) String() string {
	switch d {
	case StepDownNone:
		return "none"
	case StepDownHigherTerm:
		return "higher term"
	case StepDownQuorum:
		return "checkquorum"
	case StepDownHandover:
		return "handover"
	case StepDownRemoved:
		return "removed"
	}
	return "stepdown(" + strconv.Itoa(int(d)) + ")"
}

// Observation tells an observer (a simulator, a tracer, metrics) what one
// input did to a peer. Its slices and methods are valid only during the
// Observe call.
type Observation struct {
	Input    InputKind
	Message  Message  // InputMessage: the message handled
	Err      error    // the input was refused: a bad message, no leader known...
	TimedOut bool     // InputTick: the election timer fired and an election began; InputCampaign: an election began
	StepDown StepDown // the peer led and stepped down during the input: why
	Request  uint64   // InputWrite, InputRead: the id of the request taken

	Appended []Entry   // written to storage; the first may overwrite a stored suffix
	Sent     []Message // handed to the transport, in order
	Applied  []Applied // committed entries applied, in log order

	// Snapshot is set (Index not 0) when the peer compacted its log into a
	// snapshot during the input, or, if Installed, took the leader's.
	Snapshot  Snapshot
	Installed bool

	node  *Node
	state func() any
	ptr   any // *S: the peer's state, for StateOf
}

// Applied is one committed entry applied by a peer.
type Applied struct {
	Entry Entry
	Reply []byte // the state machine's reply to a command
	// Skipped is true when the session table recognised a command already
	// applied (a retry): the state machine did not run it again, and Reply
	// is the first reply.
	Skipped bool
}

// Status returns the peer's state after the input.
func (o *Observation) Status() Status { return o.node.Status() }

// Node gives read access to the peer's core after the input, for checkers.
// It must not be changed or kept.
func (o *Observation) Node() *Node { return o.node }

// State returns the state machine's state after the input.
func (o *Observation) State() any { return o.state() }

// StateOf returns the state machine's state after the input, as State
// does, without boxing it into an interface (an allocation on every call):
// S must be the peer's state type.
func StateOf[S any](o *Observation) S { return *o.ptr.(*S) }

func (o *Observation) reset() {
	*o = Observation{
		Appended: o.Appended[:0], Sent: o.Sent[:0], Applied: o.Applied[:0],
		node: o.node, state: o.state, ptr: o.ptr,
	}
}
