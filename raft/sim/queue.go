package sim

import (
	"container/heap"

	"github.com/raftplay/raftplay/raft"
)

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
	at       int64
	seq      uint64
	kind     itemKind
	peer     raft.ID // tick
	msgID    uint64  // deliver
	msg      *raft.Message
	lost     bool   // deliver: the network loses it on the way
	req      uint64 // timeout
	action   *Action
	canceled bool
	index    int // position in the heap
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

type queue struct {
	items []*item
	seq   uint64
}

func (q *queue) Len() int           { return len(q.items) }
func (q *queue) Less(i, j int) bool { return q.items[i].less(q.items[j]) }
func (q *queue) Swap(i, j int) {
	q.items[i], q.items[j] = q.items[j], q.items[i]
	q.items[i].index, q.items[j].index = i, j
}
func (q *queue) Push(x any) {
	it := x.(*item)
	it.index = len(q.items)
	q.items = append(q.items, it)
}
func (q *queue) Pop() any {
	n := len(q.items) - 1
	it := q.items[n]
	q.items[n] = nil
	q.items = q.items[:n]
	return it
}

func (q *queue) push(it *item) {
	q.seq++
	it.seq = q.seq
	heap.Push(q, it)
}

// peek returns the next live item without removing it.
func (q *queue) peek() *item {
	for len(q.items) > 0 {
		if it := q.items[0]; !it.canceled {
			return it
		}
		heap.Pop(q)
	}
	return nil
}

func (q *queue) pop() *item {
	if q.peek() == nil {
		return nil
	}
	return heap.Pop(q).(*item)
}
