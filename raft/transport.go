package raft

import "sync"

// Transport carries messages between peers. Keep it narrow: one message
// struct with a type, so any network (in memory, TCP, a simulator) fits.
type Transport interface {
	// Send hands m to the network for delivery to m.To: later, never, or
	// more than once; Raft copes with all three. Send must not block for
	// long and must not call back into the sending peer.
	Send(m Message)
	// Listen routes the messages addressed to id to deliver until stop is
	// called. deliver may block until the peer has handled the message.
	Listen(id ID, deliver func(Message)) (stop func())
}

// Clock drives a peer's logical time. It decides how long a tick lasts.
type Clock interface {
	// Start calls tick once per tick until stop is called. tick may block
	// until the peer has handled it.
	Start(tick func()) (stop func())
}

// Network is an in-memory Transport that delivers every message, in order
// per destination, each destination on its own goroutine. Use it for
// examples and tests; a simulator brings its own network.
type Network struct {
	mu    sync.Mutex
	boxes map[ID]*mailbox
}

// NewNetwork returns an empty network.
func NewNetwork() *Network { return &Network{boxes: make(map[ID]*mailbox)} }

type mailbox struct {
	mu      sync.Mutex
	cond    *sync.Cond
	queue   []Message
	closed  bool
	deliver func(Message)
}

// Send implements Transport; a message to a peer that is not listening is
// lost, like a packet to a host that is down.
func (n *Network) Send(m Message) {
	n.mu.Lock()
	b := n.boxes[m.To]
	n.mu.Unlock()
	if b == nil {
		return
	}
	b.mu.Lock()
	if !b.closed {
		b.queue = append(b.queue, m)
		b.cond.Signal()
	}
	b.mu.Unlock()
}

// Listen implements Transport.
func (n *Network) Listen(id ID, deliver func(Message)) (stop func()) {
	b := &mailbox{deliver: deliver}
	b.cond = sync.NewCond(&b.mu)
	n.mu.Lock()
	if old := n.boxes[id]; old != nil {
		old.close()
	}
	n.boxes[id] = b
	n.mu.Unlock()
	go b.run()
	return func() {
		n.mu.Lock()
		if n.boxes[id] == b {
			delete(n.boxes, id)
		}
		n.mu.Unlock()
		b.close()
	}
}

func (b *mailbox) run() {
	for {
		b.mu.Lock()
		for len(b.queue) == 0 && !b.closed {
			b.cond.Wait()
		}
		if b.closed {
			b.mu.Unlock()
			return
		}
		m := b.queue[0]
		b.queue = b.queue[1:]
		b.mu.Unlock()
		b.deliver(m)
	}
}

func (b *mailbox) close() {
	b.mu.Lock()
	b.closed = true
	b.cond.Broadcast()
	b.mu.Unlock()
}

// ManualClock ticks only when told to, for tests and examples that want
// to step time themselves.
type ManualClock struct {
	mu    sync.Mutex
	next  int
	ticks map[int]func()
}

// Start implements Clock.
func (c *ManualClock) Start(tick func()) (stop func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ticks == nil {
		c.ticks = make(map[int]func())
	}
	k := c.next
	c.next++
	c.ticks[k] = tick
	return func() {
		c.mu.Lock()
		delete(c.ticks, k)
		c.mu.Unlock()
	}
}

// Tick advances every peer on this clock by one tick, in the order they
// started, and returns when all have handled it.
func (c *ManualClock) Tick() {
	c.mu.Lock()
	fs := make([]func(), 0, len(c.ticks))
	for k := 0; k < c.next; k++ {
		if f, ok := c.ticks[k]; ok {
			fs = append(fs, f)
		}
	}
	c.mu.Unlock()
	for _, f := range fs {
		f()
	}
}
