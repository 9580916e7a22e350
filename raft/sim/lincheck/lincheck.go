// Package lincheck checks that the lock's clients saw a linearizable
// history, with porcupine: every operation appears to take effect at one
// instant between its call and its reply, in an order the lock's sequential
// specification allows.
//
// It lives apart from package sim so that the playground's WebAssembly does
// not carry porcupine unless it asks for it.
package lincheck

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/lock"
	"github.com/raftplay/raftplay/raft/sim"
)

// unknown is the output of an operation whose outcome the client never
// learned (a timeout, a crash): it may have taken effect, or not.
const unknown = "?"

type input struct {
	op     string // lock, unlock, read
	client string
}

// Model is the lock's sequential specification for porcupine.
var Model = porcupine.Model{
	Init: func() any { return lock.State{} },
	Step: func(state, in, out any) (bool, any) {
		st, i, o := state.(lock.State), in.(input), out.(string)
		if i.op == "read" {
			return o == unknown || o == st.String(), st
		}
		op := lock.OpLock
		if i.op == "unlock" {
			op = lock.OpUnlock
		}
		reply, next := lock.Apply(lock.Command{Op: op, Client: i.client}, st)
		return o == unknown || o == string(reply), next
	},
	DescribeOperation: func(in, out any) string {
		i := in.(input)
		return i.client + " " + i.op + " -> " + out.(string)
	},
	DescribeState: func(state any) string { return state.(lock.State).String() },
}

// Operations turns a simulator's history into porcupine operations. Requests
// that never reached a peer's log are left out; those whose outcome is
// unknown may take effect at any time after their call.
func Operations(history []sim.Op) []porcupine.Operation {
	clients := map[string]int{}
	var ops []porcupine.Operation
	for _, h := range history {
		if !sim.Placed(h.Outcome) {
			continue
		}
		id, ok := clients[h.Client]
		if !ok {
			id = len(clients)
			clients[h.Client] = id
		}
		out, ret := h.Outcome, int64(h.Return)
		if h.Return == 0 {
			out, ret = unknown, math.MaxInt64
		}
		ops = append(ops, porcupine.Operation{
			ClientId: id, Input: input{op: h.Op, client: h.Client}, Call: int64(h.Call),
			Output: out, Return: ret,
		})
	}
	return ops
}

// Check reports whether the history is linearizable. It gives up (and
// reports Unknown) after timeout; 0 means no limit.
func Check(history []sim.Op, timeout time.Duration) porcupine.CheckResult {
	return porcupine.CheckOperationsTimeout(Model, Operations(history), timeout)
}

// Budget is a time limit for Check that fits the history: a second, plus
// 10 ms per operation, at most a minute. Ordinary campaign histories are
// checked in milliseconds; the search grows exponentially with operations
// whose outcome is unknown (each may take effect any time after its call),
// and a history that needs more than this rarely finishes in hours (one
// of 137 operations, 32 of them unknown, was still Unknown after 10
// minutes), so a longer wait mostly costs time.
func Budget(history []sim.Op) time.Duration {
	return min(time.Second+time.Duration(len(history))*10*time.Millisecond, time.Minute)
}

// FirstViolation finds where the clients' history stopped being
// linearizable: the reply after which no order of the operations, each
// taking effect between its request and its reply, explains what the
// clients saw (with every later reply not yet heard). It returns
// porcupine.Ok and nil for a linearizable history, porcupine.Unknown and
// nil if a check ran out of time, and porcupine.Illegal with the violation
// otherwise: an event that is not in the trace, whose Violation.Cause is
// the reply's event.
func FirstViolation(history []sim.Op, timeout time.Duration) (porcupine.CheckResult, *sim.Event) {
	if r := Check(history, timeout); r != porcupine.Illegal {
		return r, nil
	}
	// Cutting the history at a reply keeps what the clients knew then;
	// a longer history only adds constraints, so the cuts that are not
	// linearizable are those from some reply on: find the first.
	var cuts []int // indexes in history of the operations that returned, by Return
	for i, h := range history {
		if h.Return != 0 && sim.Placed(h.Outcome) {
			cuts = append(cuts, i)
		}
	}
	slices.SortFunc(cuts, func(a, b int) int { return cmp.Compare(history[a].Return, history[b].Return) })
	lo, hi := 0, len(cuts)-1 // the cut at hi is not linearizable
	for lo < hi {
		mid := (lo + hi) / 2
		switch Check(cutAt(history, history[cuts[mid]].Return), timeout) {
		case porcupine.Illegal:
			hi = mid
		case porcupine.Ok:
			lo = mid + 1
		default:
			return porcupine.Unknown, nil
		}
	}
	op := history[cuts[lo]]
	what := "client " + op.Client + "'s " + op.Op + " at " + op.Peer.String() + " got " + strconv.Quote(op.Outcome) +
		": no order of the clients' operations, each taking effect once between its request and its reply, gives that answer"
	return porcupine.Illegal, &sim.Event{
		Kind: sim.EvViolation, Time: op.Time, Peer: op.Peer, Reason: what,
		Violation: &sim.Violation{Property: sim.Linearizability, Cause: op.Return, Peers: []raft.ID{op.Peer}, Reqs: []uint64{op.Req}},
	}
}

// cutAt is the history as the clients knew it just after event seq: later
// requests are left out, later replies unknown.
func cutAt(history []sim.Op, seq uint64) []sim.Op {
	out := make([]sim.Op, 0, len(history))
	for _, h := range history {
		switch {
		case h.Call > seq, !sim.Placed(h.Outcome):
			continue
		case h.Return > seq:
			h.Return, h.Outcome = 0, sim.OutcomeTimeout
		}
		out = append(out, h)
	}
	return out
}
