package sim

import (
	"strconv"

	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/sim/jsonio"
)

// Property is a guarantee the checkers verify: the five safety properties
// of the Raft paper's Figure 3, checked after every event, and the two a
// client of the lock relies on (section 8), checked on the clients'
// history.
type Property uint8

const (
	ElectionSafety Property = iota + 1
	LeaderAppendOnly
	LogMatching
	LeaderCompleteness
	StateMachineSafety
	Linearizability
	ExactlyOnce
	// Majorities: every leader is elected, and every entry committed, by a
	// majority of the voters of the leader's configuration, whatever
	// changes it has been through (dissertation chapter 4).
	Majorities
	// Internal is none of the paper's: what a peer reports does not hang
	// together (a gap in its log, an entry applied out of order, a restart
	// that failed). It means a bug in the simulator or the runtime.
	Internal

	numProperties = iota + 1
)

type propertyDoc struct {
	id, name   string
	definition string // the paper's words
	source     string
}

var propertyDocs = [numProperties]propertyDoc{
	ElectionSafety: {"election-safety", "Election Safety",
		"at most one leader can be elected in a given term.",
		"Raft paper, Figure 3, section 5.2"},
	LeaderAppendOnly: {"leader-append-only", "Leader Append-Only",
		"a leader never overwrites or deletes entries in its log; it only appends new entries.",
		"Raft paper, Figure 3, section 5.3"},
	LogMatching: {"log-matching", "Log Matching",
		"if two logs contain an entry with the same index and term, then the logs are identical in all entries up through the given index.",
		"Raft paper, Figure 3, section 5.3"},
	LeaderCompleteness: {"leader-completeness", "Leader Completeness",
		"if a log entry is committed in a given term, then that entry will be present in the logs of the leaders for all higher-numbered terms.",
		"Raft paper, Figure 3, section 5.4"},
	StateMachineSafety: {"state-machine-safety", "State Machine Safety",
		"if a server has applied a log entry at a given index to its state machine, no other server will ever apply a different log entry for the same index.",
		"Raft paper, Figure 3, section 5.4.3"},
	Linearizability: {"linearizability", "Linearizability",
		"each operation appears to execute instantaneously, exactly once, at some point between its invocation and its response.",
		"Raft paper, section 8"},
	ExactlyOnce: {"exactly-once", "Exactly once",
		"the state machine tracks the latest serial number processed for each client, along with the associated response. If it receives a command whose serial number has already been executed, it responds immediately without re-executing the request.",
		"Raft paper, section 8"},
	Majorities: {"majorities", "Majorities",
		"a leader is elected, and an entry committed, only by a majority of the voters of the leader's configuration; learners and removed servers never count.",
		"Raft dissertation, chapter 4 (membership changes)"},
	Internal: {"internal", "Simulator check",
		"what a peer reports hangs together: appended entries follow its log, its commit index lies within it, it applies entries in order, it restarts from its storage.",
		"the simulator's own checks: a failure here is a bug to report"},
}

func (p Property) valid() bool { return p >= 1 && p < numProperties }

// String returns the property's name as the paper writes it.
func (p Property) String() string {
	if p.valid() {
		return propertyDocs[p].name
	}
	return "property(" + strconv.Itoa(int(p)) + ")"
}

// ID returns the property's name in the trace: lowercase words joined by
// hyphens.
func (p Property) ID() string {
	if p.valid() {
		return propertyDocs[p].id
	}
	return ""
}

// Definition quotes the paper's definition of the property.
func (p Property) Definition() string {
	if p.valid() {
		return propertyDocs[p].definition
	}
	return ""
}

// Source says where the definition comes from.
func (p Property) Source() string {
	if p.valid() {
		return propertyDocs[p].source
	}
	return ""
}

// Properties lists every property, in a fixed order.
func Properties() []Property {
	ps := make([]Property, 0, numProperties-1)
	for p := Property(1); p < numProperties; p++ {
		ps = append(ps, p)
	}
	return ps
}

// ParseProperty is the inverse of Property.ID.
func ParseProperty(id string) (Property, bool) {
	for p := Property(1); p < numProperties; p++ {
		if propertyDocs[p].id == id {
			return p, true
		}
	}
	return 0, false
}

// Violation is what a checker found, for the page to point at: which
// property failed, the event that broke it, and the servers, entries,
// messages and client requests involved. The violation event's Reason says
// it in plain words.
type Violation struct {
	Property Property
	Cause    uint64 // Seq of the event that broke the property
	Peers    []raft.ID
	Entries  []EntryID
	Msgs     []uint64 // message ids
	Reqs     []uint64 // client request ids
}

// EntryID names a log entry by index and term.
type EntryID struct{ Index, Term uint64 }

// AppendPropertiesJSON appends every property as [{id, name, definition,
// source}]: the page's one source for their words.
func AppendPropertiesJSON(b []byte) []byte {
	b = append(b, '[')
	for i, p := range Properties() {
		if i > 0 {
			b = append(b, ',')
		}
		w := jsonio.Writer{B: b}
		w.Open('{')
		w.Str("id", p.ID())
		w.Str("name", p.String())
		w.Str("definition", p.Definition())
		w.Str("source", p.Source())
		w.Close('}')
		b = w.B
	}
	return append(b, ']')
}

func (v *Violation) appendJSON(w *jsonio.Writer) {
	w.Str("property", v.Property.ID())
	w.UintNZ("cause", v.Cause)
	if len(v.Peers) > 0 {
		w.Key("peers")
		w.B = appendIDs(w.B, v.Peers)
	}
	if len(v.Entries) > 0 {
		w.Key("entries")
		w.B = append(w.B, '[')
		for i, e := range v.Entries {
			if i > 0 {
				w.B = append(w.B, ',')
			}
			w.B = append(w.B, `{"index":`...)
			w.B = strconv.AppendUint(w.B, e.Index, 10)
			w.B = append(w.B, `,"term":`...)
			w.B = strconv.AppendUint(w.B, e.Term, 10)
			w.B = append(w.B, '}')
		}
		w.B = append(w.B, ']')
	}
	if len(v.Msgs) > 0 {
		w.Uints("msgs", v.Msgs)
	}
	if len(v.Reqs) > 0 {
		w.Uints("reqs", v.Reqs)
	}
}
