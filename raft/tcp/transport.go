// Package tcp is a raft.Transport over TCP, optionally with TLS: what
// carries Raft's messages between peers on different machines.
//
// Each pair of peers shares one connection, which the peer with the lower
// id dials and both use. The higher id dials too, but only when it finds
// the pair without a connection, checking about every FallbackAfter: it
// may be the only one of the two that knows the other's address, as when
// a server missed, while it was down, the addition of a peer that now
// leads. The lower id's connection, when it comes, replaces that one.
//
// Messages travel in frames: a header of 4 bytes, 2 bits of kind (a whole
// message, or the first or a next part of one) and 30 of length, then
// the body, the message in a compact binary encoding (see AppendMessage)
// or a part of it. An empty frame is a keep-alive, sent when a connection
// has been idle, so that a peer notices within IdleTimeout that the other
// end has gone quiet: a frame's header must come within IdleTimeout of
// the frame before it, and its body within IdleTimeout of its header. A
// message above PartSize (1 MiB by default), a snapshot say, goes in
// parts, so the link must move one part, not the whole message, within
// IdleTimeout, and the message's size is bounded by MaxMessage, not by
// how much the link moves in IdleTimeout; the messages queued meanwhile
// go between its parts, so that a snapshot does not hold up the
// heartbeats. A dialer whose connection fails dials again, waiting
// longer after each failure.
//
// Each peer has a bounded send queue. Send never blocks: when the queue is
// full, or the peer is unknown, the message is dropped, as a lossy network
// would drop it. Raft sends again what matters.
package tcp

import (
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/raftplay/raftplay/raft"
)

// Config sets up a Transport. ID and Listen are required; the rest has
// defaults that suit a cluster on one network.
type Config struct {
	ID     raft.ID
	Listen string // the address to listen on, host:port (port 0: any free one)
	// Peers are the other peers' addresses. The transport dials the peers
	// whose id is above its own; the others dial it, and it dials them
	// only when it finds no connection (see FallbackAfter). SetPeers changes them.
	Peers map[raft.ID]string
	// TLS, if set, secures every connection in both directions: it must
	// hold this peer's certificate, the roots that verify the others', and
	// for client certificates ClientAuth (tls.RequireAndVerifyClientCert)
	// and ClientCAs. Each peer's certificate must be valid for the host of
	// its address, as client and as server: a dialer checks the peer it
	// reaches, and a peer dialed checks that the certificate of the id the
	// dialer claims is valid for that id's address, when it knows one.
	TLS *tls.Config

	// QueueSize bounds the messages waiting per peer, default 1024; as
	// many large ones again may wait for one going in parts (see PartSize).
	QueueSize int
	// MaxMessage bounds one message's encoded bytes, default 64 MiB: a
	// larger one is dropped by its sender, and a peer that sends one
	// anyway, whole or in parts, loses its connection before this one
	// allocates more than MaxMessage for it. Keep it above
	// raft.Config.MaxAppendBytes (1 MiB by default),
	// raft.Config.MaxCommandBytes (32 MiB) and the largest snapshot, or
	// what must reach a peer never does. A message above PartSize goes in
	// parts, so a slow link carries one of any size up to MaxMessage.
	MaxMessage int
	// PartSize is the largest part of a message sent in parts, default
	// 1 MiB (at most 1 GiB): a message above it goes in parts, and the
	// link must move one part within IdleTimeout (the sender writes each
	// part within IdleTimeout; the receiver gives each frame's body
	// IdleTimeout from the arrival of its header), so PartSize bytes in
	// IdleTimeout (1 MiB in 3 s: about 350 kB/s). Smaller parts suit
	// slower links; the messages queued meanwhile go between parts, so a
	// smaller part also means a shorter wait for them.
	PartSize    int
	DialTimeout time.Duration // default 2s, the handshake included
	IdleTimeout time.Duration // a silent connection is given up after it; default 3s
	BackoffMin  time.Duration // first wait before dialing again; default 20ms
	BackoffMax  time.Duration // longest wait; default 1s
	// FallbackAfter is how often (with jitter) the higher id of a pair
	// looks for a connection, and dials the lower if there is none;
	// default IdleTimeout.
	FallbackAfter time.Duration
	// Logf, if set, reports connections made and lost.
	Logf func(format string, args ...any)
}

func (c *Config) setDefaults() {
	if c.QueueSize <= 0 {
		c.QueueSize = 1024
	}
	if c.MaxMessage <= 0 {
		c.MaxMessage = 64 << 20
	}
	if c.PartSize <= 0 {
		c.PartSize = 1 << 20
	}
	c.PartSize = min(c.PartSize, maxFrame-binary.MaxVarintLen64)
	if c.DialTimeout <= 0 {
		c.DialTimeout = 2 * time.Second
	}
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = 3 * time.Second
	}
	if c.BackoffMin <= 0 {
		c.BackoffMin = 20 * time.Millisecond
	}
	if c.BackoffMax < c.BackoffMin {
		c.BackoffMax = max(time.Second, c.BackoffMin)
	}
	if c.FallbackAfter <= 0 {
		c.FallbackAfter = c.IdleTimeout
	}
	if c.Logf == nil {
		c.Logf = func(string, ...any) {}
	}
}

// Transport is a raft.Transport for one peer, over TCP.
type Transport struct {
	cfg Config
	ln  net.Listener

	deliver atomic.Pointer[func(raft.Message)]

	mu       sync.Mutex
	peers    map[raft.ID]*link
	greeting map[net.Conn]bool // accepted, still shaking hands
	closed   bool
	done     chan struct{}
	wg       sync.WaitGroup

	stats struct{ sent, received, dropped, connects atomic.Uint64 }
}

var _ raft.Transport = (*Transport)(nil)

// New starts a transport: it listens at once, and dials its peers.
// Messages that arrive before Listen are dropped.
func New(cfg Config) (*Transport, error) {
	if cfg.ID == raft.None {
		return nil, errors.New("raft/tcp: Config.ID is required")
	}
	cfg.setDefaults()
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("raft/tcp: %v: %w", cfg.ID, err)
	}
	return start(cfg, ln), nil
}

// start serves on ln; cfg has its defaults.
func start(cfg Config, ln net.Listener) *Transport {
	if cfg.TLS != nil {
		ln = tls.NewListener(ln, cfg.TLS)
	}
	t := &Transport{cfg: cfg, ln: ln, peers: map[raft.ID]*link{}, greeting: map[net.Conn]bool{}, done: make(chan struct{})}
	t.SetPeers(cfg.Peers)
	t.wg.Add(1)
	go t.accept()
	return t
}

// Addr returns the address the transport listens on.
func (t *Transport) Addr() net.Addr { return t.ln.Addr() }

// Send implements raft.Transport: it queues m for its peer and never
// blocks. A message to an unknown peer, or to one whose queue is full, is
// dropped.
func (t *Transport) Send(m raft.Message) {
	t.mu.Lock()
	l := t.peers[m.To]
	t.mu.Unlock()
	if l == nil {
		t.stats.dropped.Add(1)
		return
	}
	select {
	case l.queue <- m:
	default:
		t.stats.dropped.Add(1)
	}
}

// Listen implements raft.Transport. The transport serves one peer, its
// Config.ID; messages for any other id are dropped.
func (t *Transport) Listen(id raft.ID, deliver func(raft.Message)) (stop func()) {
	if id != t.cfg.ID {
		return func() {}
	}
	f := &deliver
	t.deliver.Store(f)
	return func() { t.deliver.CompareAndSwap(f, nil) }
}

// SetPeers replaces the peers' addresses, for a change of membership or
// address. A peer left out is disconnected, unless it dialed this one and
// was never given an address: its connection is kept while it lasts (it
// may be a higher id whose address this one has yet to learn, which dials
// again only after FallbackAfter). One whose address changed is dialed
// again.
func (t *Transport) SetPeers(addrs map[raft.ID]string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return
	}
	for id, l := range t.peers {
		if _, ok := addrs[id]; !ok && !l.dialedIn() {
			l.close()
			delete(t.peers, id)
		}
	}
	ids := make([]raft.ID, 0, len(addrs))
	for id := range addrs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if id == t.cfg.ID {
			continue
		}
		addr := addrs[id]
		l := t.peers[id]
		if l == nil {
			l = t.newLink(id)
			t.peers[id] = l
		}
		if l.setAddr(addr) {
			t.wg.Add(1)
			go t.dial(l)
		}
	}
}

// Stats counts messages and connections since the transport started.
type Stats struct {
	Sent     uint64 // messages written to a connection
	Received uint64 // messages delivered to the peer
	Dropped  uint64 // messages dropped: queue full, unknown peer, nobody listening, above MaxMessage, or a snapshot made needless while it waited
	Connects uint64 // connections made, dialed or accepted
}

// Stats returns the counts so far.
func (t *Transport) Stats() Stats {
	return Stats{
		Sent: t.stats.sent.Load(), Received: t.stats.received.Load(),
		Dropped: t.stats.dropped.Load(), Connects: t.stats.connects.Load(),
	}
}

// Close stops listening, closes every connection and waits for the
// transport's goroutines to end.
func (t *Transport) Close() error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil
	}
	t.closed = true
	close(t.done)
	err := t.ln.Close()
	for _, l := range t.peers {
		l.close()
	}
	for c := range t.greeting {
		c.Close()
	}
	t.mu.Unlock()
	t.wg.Wait()
	return err
}

// link is what the transport knows of one peer: its queue, its address,
// and its connection when there is one.
type link struct {
	id    raft.ID
	queue chan raft.Message

	mu     sync.Mutex
	addr   string
	conn   net.Conn
	mine   bool          // this side dialed conn
	lower  bool          // conn was dialed by the lower id: it is kept over another
	redial chan struct{} // signalled when addr changes
	gone   chan struct{} // closed when the peer is removed or the transport closes
	dialer bool          // a dial goroutine runs
}

func (t *Transport) newLink(id raft.ID) *link {
	return &link{id: id, queue: make(chan raft.Message, t.cfg.QueueSize),
		redial: make(chan struct{}, 1), gone: make(chan struct{})}
}

// setAddr changes the address and reports whether a dial goroutine must
// start.
func (l *link) setAddr(addr string) (start bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if addr == l.addr {
		return false
	}
	l.addr = addr
	if !l.dialer {
		l.dialer = true
		return true
	}
	if l.conn != nil && l.mine {
		l.conn.Close() // dial the new address
	}
	select {
	case l.redial <- struct{}{}:
	default:
	}
	return false
}

func (l *link) address() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.addr
}

// attach makes c the link's connection, closing the one before; it
// reports false if the link is gone, or if c was dialed by the higher id
// while the lower id's connection is up.
func (l *link) attach(c net.Conn, mine, lower bool) bool {
	l.mu.Lock()
	select {
	case <-l.gone:
		l.mu.Unlock()
		return false
	default:
	}
	if !lower && l.conn != nil && l.lower {
		l.mu.Unlock()
		return false
	}
	old := l.conn
	l.conn, l.mine, l.lower = c, mine, lower
	l.mu.Unlock()
	if old != nil {
		old.Close()
	}
	return true
}

func (l *link) detach(c net.Conn) {
	l.mu.Lock()
	if l.conn == c {
		l.conn = nil
	}
	l.mu.Unlock()
	c.Close()
}

// dialedIn reports whether the link was never given an address and has
// a connection: one the peer dialed.
func (l *link) dialedIn() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.addr == "" && l.conn != nil
}

// connected reports whether the link has a connection.
func (l *link) connected() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.conn != nil
}

func (l *link) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	select {
	case <-l.gone:
	default:
		close(l.gone)
	}
	if l.conn != nil {
		l.conn.Close()
	}
}
