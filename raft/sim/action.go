package sim

import (
	"errors"
	"strconv"

	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/lock"
)

// ActionKind names something a user (or a fault campaign) does to a run.
type ActionKind uint8

const (
	ActWrite     ActionKind = iota + 1 // client Client sends Op (lock/unlock) to Peer
	ActRead                            // client Client reads the lock at Peer
	ActCrash                           // Peer crashes: only its storage survives
	ActRestart                         // Peer restarts from its storage
	ActPartition                       // split the peers into Groups
	ActHeal                            // remove the partition and every cut link
	ActCut                             // cut the directed link From -> To
	ActRestore                         // restore the directed link From -> To
	ActNetwork                         // set every link to Link
	ActDrop                            // drop the message Msg in flight
)

var actionNames = [...]string{
	ActWrite: "write", ActRead: "read", ActCrash: "crash", ActRestart: "restart",
	ActPartition: "partition", ActHeal: "heal", ActCut: "cut", ActRestore: "restore",
	ActNetwork: "network", ActDrop: "drop",
}

func (k ActionKind) String() string {
	if int(k) < len(actionNames) && actionNames[k] != "" {
		return actionNames[k]
	}
	return "action(" + strconv.Itoa(int(k)) + ")"
}

// ParseActionKind is the inverse of ActionKind.String.
func ParseActionKind(s string) (ActionKind, bool) {
	for k, name := range actionNames {
		if name == s && name != "" {
			return ActionKind(k), true
		}
	}
	return 0, false
}

// Action is one timestamped user action. Which fields matter depends on Kind.
//
// A run keeps every action it applied (that is its definition), so an
// Action is kept small: the rare network settings sit behind a pointer.
type Action struct {
	At   int64 // virtual ms; applied after every other event at that time
	Kind ActionKind
	Op   lock.Op // write

	Peer   raft.ID     // write, read, crash, restart
	Client string      // write, read
	From   raft.ID     // cut, restore
	To     raft.ID     //
	Groups [][]raft.ID // partition
	Link   *Link       // network
	Msg    uint64      // drop
}

// Definition is a whole run: replaying it gives the same trace, byte for
// byte, natively and in WebAssembly.
type Definition struct {
	Config  Config
	Seed    uint64
	Actions []Action
}

// TraceVersion is the version of the trace and definition JSON forms.
const TraceVersion = 1

// validate checks an action against the run's configuration.
func (a *Action) validate(c *Config) error {
	peer := func(id raft.ID) error {
		if id < 1 || int(id) > c.Peers {
			return errors.New(a.Kind.String() + ": no peer " + id.String() + " (peers are s1 to s" + strconv.Itoa(c.Peers) + ")")
		}
		return nil
	}
	if a.At < 0 {
		return errors.New(a.Kind.String() + ": negative time")
	}
	switch a.Kind {
	case ActWrite, ActRead:
		if err := lock.ValidClient(a.Client); err != nil {
			return err
		}
		if a.Kind == ActWrite && a.Op != lock.OpLock && a.Op != lock.OpUnlock {
			return errors.New("write: the operation must be lock or unlock")
		}
		return peer(a.Peer)
	case ActCrash, ActRestart:
		return peer(a.Peer)
	case ActCut, ActRestore:
		if err := peer(a.From); err != nil {
			return err
		}
		if a.From == a.To {
			return errors.New(a.Kind.String() + ": a link joins two different peers")
		}
		return peer(a.To)
	case ActPartition:
		seen := make(map[raft.ID]bool)
		if len(a.Groups) == 0 || len(a.Groups) > c.Peers {
			return errors.New("partition: give between 1 and " + strconv.Itoa(c.Peers) + " groups")
		}
		for _, g := range a.Groups {
			for _, id := range g {
				if err := peer(id); err != nil {
					return err
				}
				if seen[id] {
					return errors.New("partition: " + id.String() + " is in two groups")
				}
				seen[id] = true
			}
		}
		return nil
	case ActNetwork:
		if a.Link == nil {
			return errors.New("network: the new link settings are missing")
		}
		return a.Link.Validate()
	case ActHeal, ActDrop:
		return nil
	}
	return errors.New("unknown action " + a.Kind.String())
}
