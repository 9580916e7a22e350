package sim

import (
	"errors"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

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
	ActTimeout                         // Peer's election timer runs out now: it starts an election
	ActTimers                          // spread or align the election timers (Timers)
	ActMark                            // a named moment of the run (Mark): a scenario's stage
	ActTransfer                        // the leader hands over leadership to Peer (dissertation section 3.10)
	ActAdd                             // the leader adds Peer to the cluster; the next new id starts a new, empty server (chapter 4)
	ActRemove                          // the leader removes Peer from the cluster (chapter 4)
)

var actionNames = [...]string{
	ActWrite: "write", ActRead: "read", ActCrash: "crash", ActRestart: "restart",
	ActPartition: "partition", ActHeal: "heal", ActCut: "cut", ActRestore: "restore",
	ActNetwork: "network", ActDrop: "drop", ActTimeout: "timeout", ActTimers: "timers",
	ActMark: "mark", ActTransfer: "transfer", ActAdd: "add", ActRemove: "remove",
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

// TimerMode says how ActTimers sets the election timers.
type TimerMode uint8

const (
	// TimersSpread leaves the timer that fires first alone and makes every
	// other fire at least one network latency (and a tick) after the one
	// before it, so the first candidate's RequestVotes arrive before anyone
	// else stands: no split vote, on a network that does not reorder.
	TimersSpread TimerMode = iota + 1
	// TimersAlign makes every election timer fire in the same tick as the
	// first: each peer votes for itself before it hears another candidate,
	// so the vote splits (section 5.2).
	TimersAlign
)

var timerModeNames = [...]string{TimersSpread: "spread", TimersAlign: "align"}

func (m TimerMode) String() string {
	if int(m) < len(timerModeNames) && timerModeNames[m] != "" {
		return timerModeNames[m]
	}
	return "timers(" + strconv.Itoa(int(m)) + ")"
}

// ParseTimerMode is the inverse of TimerMode.String.
func ParseTimerMode(s string) (TimerMode, bool) {
	for m, name := range timerModeNames {
		if name == s && name != "" {
			return TimerMode(m), true
		}
	}
	return 0, false
}

// MaxNote is the longest note a mark may carry, in bytes.
const MaxNote = 1000

// Mark names a moment of a run, such as a stage of a scenario, in words a
// player shows when the run reaches it.
//
// A mark may also offer another future: Then is a branch of the run that
// leaves it at time Rewind (at or before the mark). A player that follows
// it replays the definition's actions up to and including time Rewind,
// followed by Then (see Definition.Branch): Figure 8's stages (d) and (e)
// are two futures of stage (c). Replaying the definition itself ignores
// the branch.
type Mark struct {
	Note   string
	Rewind int64    // with Then: where the branch leaves the run
	Then   []Action // the branch's actions, in time order, none before Rewind
}

// Action is one timestamped user action. Which fields matter depends on Kind.
//
// A run keeps every action it applied (that is its definition), so an
// Action is kept small: the rare network settings and marks sit behind a
// pointer.
type Action struct {
	At     int64 // virtual ms; applied after every other event at that time
	Kind   ActionKind
	Op     lock.Op   // write
	Timers TimerMode // timers

	Peer   raft.ID     // write, read, crash, restart, timeout
	Client string      // write, read
	From   raft.ID     // cut, restore
	To     raft.ID     //
	Groups [][]raft.ID // partition
	Link   *Link       // network
	Msg    uint64      // drop
	Mark   *Mark       // mark
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

// validate checks an action against the run's configuration, when the run
// has servers servers (c.Peers, and one more for each new server added).
func (a *Action) validate(c *Config, servers int) error {
	peer := func(id raft.ID) error {
		if id < 1 || int(id) > servers {
			return errors.New(a.Kind.String() + ": no peer " + id.String() + " (peers are s1 to s" + strconv.Itoa(servers) + ")")
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
	case ActCrash, ActRestart, ActTimeout, ActTransfer, ActRemove:
		return peer(a.Peer)
	case ActAdd:
		if int(a.Peer) == servers+1 && servers < MaxPeers {
			return nil // a new server
		}
		return peer(a.Peer)
	case ActTimers:
		if a.Timers != TimersSpread && a.Timers != TimersAlign {
			return errors.New("timers: the mode must be spread or align")
		}
		return nil
	case ActMark:
		return a.Mark.validate(a.At, c, servers)
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
		if len(a.Groups) == 0 || len(a.Groups) > servers {
			return errors.New("partition: give between 1 and " + strconv.Itoa(servers) + " groups")
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

// validate checks a mark made at time at.
func (m *Mark) validate(at int64, c *Config, servers int) error {
	switch {
	case m == nil || m.Note == "":
		return errors.New("mark: the note is missing")
	case len(m.Note) > MaxNote:
		return errors.New("mark: the note is longer than " + strconv.Itoa(MaxNote) + " bytes")
	case !utf8.ValidString(m.Note):
		return errors.New("mark: the note is not valid UTF-8")
	case strings.ContainsFunc(m.Note, unicode.IsControl):
		return errors.New("mark: the note holds a control character")
	case m.Then == nil:
		return nil
	case m.Rewind < 0 || m.Rewind > at:
		return errors.New("mark: its branch must leave the run at or before the mark")
	case len(m.Then) == 0 || len(m.Then) > MaxActions:
		return errors.New("mark: its branch must hold 1 to " + strconv.Itoa(MaxActions) + " actions")
	}
	prev := m.Rewind
	for i := range m.Then {
		b := &m.Then[i]
		if b.Kind == ActMark && b.Mark != nil && b.Mark.Then != nil {
			return errors.New("mark: a branch cannot hold another branch")
		}
		if b.At < prev {
			return errors.New("mark: the branch's actions must be in time order, none before the branch leaves the run")
		}
		prev = b.At
		if err := b.validate(c, servers); err != nil {
			return errors.New("mark: branch action " + strconv.Itoa(i+1) + ": " + err.Error())
		}
		servers = b.servers(servers)
	}
	return nil
}

// Branch returns the run that follows the branch of the mark at
// d.Actions[i]: d's actions up to and including time Rewind, then the
// branch's. Replayed to Rewind, it shows that instant exactly as d does.
func (d Definition) Branch(i int) (Definition, error) {
	if i < 0 || i >= len(d.Actions) || d.Actions[i].Kind != ActMark || d.Actions[i].Mark == nil || d.Actions[i].Mark.Then == nil {
		return Definition{}, errors.New("action " + strconv.Itoa(i+1) + " is not a mark with a branch")
	}
	m := d.Actions[i].Mark
	acts := make([]Action, 0, i+len(m.Then))
	for _, a := range d.Actions[:i] {
		if a.At > m.Rewind {
			break
		}
		acts = append(acts, a)
	}
	if len(acts)+len(m.Then) > MaxActions {
		return Definition{}, errors.New("the branch would have more than " + strconv.Itoa(MaxActions) + " actions")
	}
	return Definition{Config: d.Config, Seed: d.Seed, Actions: append(acts, m.Then...)}, nil
}

// servers returns how many servers a run has after this action, given
// how many it had before: one more if it adds a new server.
func (a *Action) servers(before int) int {
	if a.Kind == ActAdd && int(a.Peer) == before+1 {
		return before + 1
	}
	return before
}
