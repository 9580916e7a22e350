// Package lock is the distributed lock from the talk "Consistent, Distributed
// Elixir", as a Raft state machine.
//
// The lock is unlocked or held by one client. Exactly as in the talk:
//
//	lock c    on an unlocked lock          -> ok,    held by c
//	lock c    on a held lock (even by c)   -> error, unchanged
//	unlock c  by the holder                -> ok,    unlocked
//	unlock c  by anyone else, or unlocked  -> error, unchanged
//
// Commands are text, "lock alice" or "unlock alice", so they read well in a
// log; replies are "ok" and "error".
package lock

import (
	"bytes"
	"errors"
	"strconv"
)

// State is the lock's state: {:unlocked, nil} or {:locked, client}.
type State struct {
	Locked bool
	Holder string
}

func (s State) String() string {
	if !s.Locked {
		return "unlocked"
	}
	return "locked by " + s.Holder
}

// Replies.
var (
	OK    = []byte("ok")
	Error = []byte("error")
)

// Op is what a command asks for.
type Op uint8

const (
	OpLock Op = iota + 1
	OpUnlock
)

func (o Op) String() string {
	switch o {
	case OpLock:
		return "lock"
	case OpUnlock:
		return "unlock"
	}
	return "op(" + strconv.Itoa(int(o)) + ")"
}

// MaxClientLen bounds a client's name.
const MaxClientLen = 32

// Command is a parsed lock command.
type Command struct {
	Op     Op
	Client string
}

// Bytes encodes the command as it travels in the log.
func (c Command) Bytes() []byte { return []byte(c.Op.String() + " " + c.Client) }

// Lock returns the command "lock client".
func Lock(client string) []byte { return Command{OpLock, client}.Bytes() }

// Unlock returns the command "unlock client".
func Unlock(client string) []byte { return Command{OpUnlock, client}.Bytes() }

// ValidClient checks a client name: 1 to MaxClientLen letters, digits, '-'
// or '_'.
func ValidClient(name string) error {
	if name == "" || len(name) > MaxClientLen {
		return errors.New("lock: a client name has 1 to " + strconv.Itoa(MaxClientLen) + " characters, got " + strconv.Itoa(len(name)))
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return errors.New("lock: client name " + strconv.Quote(name) + " may hold only letters, digits, '-' and '_'")
		}
	}
	return nil
}

// Parse reads a command.
func Parse(cmd []byte) (Command, error) {
	op, client, ok := bytes.Cut(cmd, []byte(" "))
	if !ok {
		return Command{}, errors.New(`lock: a command is "lock <client>" or "unlock <client>"`)
	}
	var c Command
	switch string(op) {
	case "lock":
		c.Op = OpLock
	case "unlock":
		c.Op = OpUnlock
	default:
		return Command{}, errors.New("lock: unknown operation " + strconv.Quote(string(op)))
	}
	c.Client = string(client)
	if err := ValidClient(c.Client); err != nil {
		return Command{}, err
	}
	return c, nil
}

// Machine is the lock as a raft.StateMachine[State].
type Machine struct{}

// Init returns the unlocked lock.
func (Machine) Init() State { return State{} }

// Write applies a command: the talk's four handle_write clauses. A command
// that does not parse is refused with "error" and changes nothing.
func (Machine) Write(cmd []byte, s State) ([]byte, State) {
	c, err := Parse(cmd)
	if err != nil {
		return Error, s
	}
	return Apply(c, s)
}

// Apply is the lock's transition function.
func Apply(c Command, s State) ([]byte, State) {
	switch {
	case c.Op == OpLock && !s.Locked:
		return OK, State{Locked: true, Holder: c.Client}
	case c.Op == OpUnlock && s.Locked && s.Holder == c.Client:
		return OK, State{}
	}
	return Error, s
}

// Read answers any query with the lock's state: "unlocked" or
// "locked by <client>".
func (Machine) Read(_ []byte, s State) []byte { return []byte(s.String()) }

// EncodeState writes the lock's state for a snapshot: "" when unlocked,
// the holder's name when locked (names are never empty).
func (Machine) EncodeState(s State) []byte { return []byte(s.Holder) }

// DecodeState reads what EncodeState wrote.
func (Machine) DecodeState(b []byte) (State, error) {
	if len(b) == 0 {
		return State{}, nil
	}
	if err := ValidClient(string(b)); err != nil {
		return State{}, err
	}
	return State{Locked: true, Holder: string(b)}, nil
}
