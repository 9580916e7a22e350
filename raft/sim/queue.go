package sim

import "github.com/raftplay/raftplay/raft"

// itemKind says what a queued item does when its time comes.
type itemKind uint8

const (
	itemDeliver itemKind = iota // a message arrives (or, if lost, vanishes)
	itemTick                    // a peer's clock ticks
	itemTimeout                 // a client gives up on a request
	itemAction                  // a user action from the run's definition
)

// item is one future event. Items at the same time run in the order they
// were queued, except that actions run after everything else at their time:
// a live user acts after the simulator has caught up with the present.
type item struct {
	at     int64
	seq    uint64
	kind   itemKind
	peer   raft.ID       // tick
	msgID  uint64        // deliver
	msg    *raft.Message // deliver: points at own, or at a copy the trace's events share (see launch)
	own    raft.Message
	lost   bool   // deliver: the network loses it on the way
	req    uint64 // timeout
	action *Action
	index  int // position in the heap, while queued
}

func (it *item) less(o *item) bool {
	if it.at != o.at {
		return it.at < o.at
	}
	if a, b := it.kind == itemAction, o.kind == itemAction; a != b {
		return b
	}
	return it.seq < o.seq
}

// queue is a binary min-heap of items, typed to keep the hot path free of
// interface calls.
type queue struct {
	items []*item
	seq   uint64
}

func (q *queue) push(it *item) {
	q.seq++
	it.seq = q.seq
	it.index = len(q.items)
	q.items = append(q.items, it)
	q.up(it.index)
}

// peek returns the next item without removing it.
func (q *queue) peek() *item {
	if len(q.items) == 0 {
		return nil
	}
	return q.items[0]
}

func (q *queue) pop() *item {
	if len(q.items) == 0 {
		return nil
	}
	return q.removeAt(0)
}

// remove takes an item out of the queue, if it is queued: a canceled item
// leaves at once rather than weighing on the heap until its time (a
// client's timeout, seconds away, is canceled by its reply).
func (q *queue) remove(it *item) {
	if i := it.index; i >= 0 && i < len(q.items) && q.items[i] == it {
		q.removeAt(i)
	}
}

func (q *queue) removeAt(i int) *item {
	it := q.items[i]
	n := len(q.items) - 1
	if i != n {
		q.swap(i, n)
	}
	q.items[n] = nil
	q.items = q.items[:n]
	if i < n {
		q.down(i)
		q.up(i)
	}
	it.index = -1
	return it
}

func (q *queue) swap(i, j int) {
	q.items[i], q.items[j] = q.items[j], q.items[i]
	q.items[i].index, q.items[j].index = i, j
}

func (q *queue) up(i int) {
	for i > 0 {
		parent := (i - 1) / 2
		if !q.items[i].less(q.items[parent]) {
			return
		}
		q.swap(i, parent)
		i = parent
	}
}

func (q *queue) down(i int) {
	n := len(q.items)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && q.items[r].less(q.items[l]) {
			m = r
		}
		if !q.items[m].less(q.items[i]) {
			return
		}
		q.swap(i, m)
		i = m
	}
}
