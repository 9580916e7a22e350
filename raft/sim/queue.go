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
	place  place // where it is queued, if it is
	index  int   // its position there
}

// place says which part of the queue holds an item.
type place uint8

const (
	notQueued place = iota
	inRing
	inFar
	inActions
)

// wheelSize is how many milliseconds ahead the queue's ring reaches: further
// than the latencies and ticks of any usual configuration. A power of two.
const wheelSize = 1024

// queue holds the items to come, in the order they run: by time, actions
// after everything else at their time, then in the order they were queued.
//
// Times are whole milliseconds and nearly every item is due within a few
// hundred of them (latencies, ticks), so the queue is a calendar: a ring of
// buckets, one per millisecond from base on, each holding its items in the
// order they were queued. Items due later wait in a heap (far) and move
// into the ring when base comes within wheelSize of them, before anything
// can be queued directly for their millisecond, so the order holds.
// Actions, one at a time from the script, wait in a heap of their own.
// Push, pop and remove take constant time, but for far items.
type queue struct {
	ring    [wheelSize]bucket
	base    int64 // the ring holds the items due in [base, base+wheelSize)
	next    int64 // no item in the ring is due before next
	n       int   // items in the ring
	far     heap
	actions heap
	seq     uint64
}

// bucket holds the items due at one millisecond, in the order queued; a
// removed item leaves a nil.
type bucket struct {
	at    int64
	items []*item
	head  int // the items before head are gone
}

// push queues an item. Nothing is ever due before the last item popped.
func (q *queue) push(it *item) {
	q.seq++
	it.seq = q.seq
	switch {
	case it.at < q.base:
		panic("sim: an item queued in the past")
	case it.kind == itemAction:
		q.actions.push(it)
		it.place = inActions
	case it.at < q.base+wheelSize:
		q.ringPush(it)
	default:
		q.far.push(it)
		it.place = inFar
	}
}

func (q *queue) ringPush(it *item) {
	b := &q.ring[it.at&(wheelSize-1)]
	if b.at != it.at { // the bucket's last lap is over
		clear(b.items)
		b.at, b.items, b.head = it.at, b.items[:0], 0
	}
	it.place, it.index = inRing, len(b.items)
	b.items = append(b.items, it)
	q.n++
	q.next = min(q.next, it.at)
}

// ringFirst returns the ring's first item, or nil if it is empty.
func (q *queue) ringFirst() *item {
	if q.n == 0 {
		return nil
	}
	for t := max(q.next, q.base); t < q.base+wheelSize; t++ {
		b := &q.ring[t&(wheelSize-1)]
		if b.at != t {
			continue
		}
		for ; b.head < len(b.items); b.head++ {
			if it := b.items[b.head]; it != nil {
				q.next = t
				return it
			}
		}
		b.items, b.head = b.items[:0], 0
	}
	panic("sim: the queue lost an item")
}

// peek returns the next item without removing it, or nil.
func (q *queue) peek() *item {
	it := q.ringFirst()
	if it == nil && len(q.far.items) > 0 {
		it = q.far.items[0] // due after everything in the ring
	}
	if len(q.actions.items) > 0 {
		if a := q.actions.items[0]; it == nil || a.at < it.at {
			return a
		}
	}
	return it
}

// popBy removes and returns the next item if it is due by time t, or nil,
// and moves the ring on to its time.
func (q *queue) popBy(t int64) *item {
	it := q.peek()
	if it == nil || it.at > t {
		return nil
	}
	q.remove(it)
	if it.at > q.base {
		q.base = it.at
		for len(q.far.items) > 0 && q.far.items[0].at < q.base+wheelSize {
			q.ringPush(q.far.removeAt(0))
		}
	}
	return it
}

// remove takes an item out of the queue, if it is queued.
func (q *queue) remove(it *item) {
	switch it.place {
	case inRing:
		q.ring[it.at&(wheelSize-1)].items[it.index] = nil
		q.n--
	case inFar:
		q.far.removeAt(it.index)
	case inActions:
		q.actions.removeAt(it.index)
	}
	it.place = notQueued
}

// all calls yield with every queued item, in no particular order.
func (q *queue) all(yield func(*item) bool) {
	for i := range q.ring {
		for _, it := range q.ring[i].items {
			if it != nil && !yield(it) {
				return
			}
		}
	}
	for _, h := range []*heap{&q.far, &q.actions} {
		for _, it := range h.items {
			if !yield(it) {
				return
			}
		}
	}
}

// heap is a binary min-heap of items by time, then by the order queued.
type heap struct {
	items []*item
}

func (h *heap) push(it *item) {
	it.index = len(h.items)
	h.items = append(h.items, it)
	h.up(it.index)
}

func (h *heap) removeAt(i int) *item {
	it := h.items[i]
	n := len(h.items) - 1
	if i != n {
		h.swap(i, n)
	}
	h.items[n] = nil
	h.items = h.items[:n]
	if i < n {
		h.down(i)
		h.up(i)
	}
	it.place = notQueued
	return it
}

func (h *heap) less(i, j int) bool {
	a, b := h.items[i], h.items[j]
	if a.at != b.at {
		return a.at < b.at
	}
	return a.seq < b.seq
}

func (h *heap) swap(i, j int) {
	h.items[i], h.items[j] = h.items[j], h.items[i]
	h.items[i].index, h.items[j].index = i, j
}

func (h *heap) up(i int) {
	for i > 0 {
		parent := (i - 1) / 2
		if !h.less(i, parent) {
			return
		}
		h.swap(i, parent)
		i = parent
	}
}

func (h *heap) down(i int) {
	n := len(h.items)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && h.less(r, l) {
			m = r
		}
		if !h.less(m, i) {
			return
		}
		h.swap(i, m)
		i = m
	}
}
