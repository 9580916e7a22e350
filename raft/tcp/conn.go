package tcp

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"time"

	"github.com/raftplay/raftplay/raft"
)

// A connection starts with a hello each way, sent by the dialer first:
//
//	"RAFT" magic, a version byte (Protocol), uvarint from, uvarint to
//
// then carries frames (see frame.go).

// Protocol is the version of the connection's protocol, which the hello
// carries: the hello, the frames, and the messages' encoding (Version).
// Peers of different versions do not connect: the one dialed refuses the
// hello, naming both versions in its log, and closes the connection; the
// dialer dials again as after any failure. Version 1 sent each message
// in one frame; version 2 sends a large one in parts. So a cluster moves
// from a version to the next all at once, not one server at a time.
const Protocol = 2

const helloMagic = "RAFT"

func appendHello(b []byte, from, to raft.ID) []byte {
	b = append(b, helloMagic...)
	b = append(b, Protocol)
	b = binary.AppendUvarint(b, uint64(from))
	return binary.AppendUvarint(b, uint64(to))
}

func readHello(r *bufio.Reader) (from, to raft.ID, err error) {
	var head [len(helloMagic) + 1]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return 0, 0, err
	}
	if string(head[:len(helloMagic)]) != helloMagic {
		return 0, 0, errors.New("not a raft peer")
	}
	if v := head[len(helloMagic)]; v != Protocol {
		return 0, 0, fmt.Errorf("peer speaks version %d; this one speaks %d", v, Protocol)
	}
	f, err := binary.ReadUvarint(r)
	if err != nil {
		return 0, 0, err
	}
	t, err := binary.ReadUvarint(r)
	return raft.ID(f), raft.ID(t), err
}

// accept serves the peers that dial this one. A failed accept (out of
// file descriptors, say) is waited out and tried again, as net/http does:
// giving up would cut this peer off from the lower ids for good, while it
// looked alive.
func (t *Transport) accept() {
	defer t.wg.Done()
	var wait time.Duration
	for {
		c, err := t.ln.Accept()
		if err != nil {
			select {
			case <-t.done:
				return
			default:
			}
			if wait == 0 {
				t.cfg.Logf("raft/tcp: %v: accept: %v", t.cfg.ID, err)
			}
			wait = min(max(2*wait, 5*time.Millisecond), time.Second)
			timer := time.NewTimer(wait)
			select {
			case <-t.done:
				timer.Stop()
				return
			case <-timer.C:
			}
			continue
		}
		wait = 0
		t.wg.Add(1)
		go t.serveIncoming(c)
	}
}

func (t *Transport) serveIncoming(c net.Conn) {
	defer t.wg.Done()
	if !t.handshaking(c, true) {
		c.Close()
		return
	}
	defer t.handshaking(c, false)
	r := bufio.NewReader(c)
	c.SetDeadline(time.Now().Add(t.cfg.DialTimeout))
	from, to, err := readHello(r)
	if err == nil && to != t.cfg.ID {
		err = fmt.Errorf("it dialed %v", to)
	}
	if err == nil && from == t.cfg.ID {
		err = fmt.Errorf("a peer with this one's id, %v", from)
	}
	if err == nil {
		err = t.checkCertificate(c, from)
	}
	if err == nil {
		_, err = c.Write(appendHello(nil, t.cfg.ID, from))
	}
	if err != nil {
		t.cfg.Logf("raft/tcp: %v: refused a connection from %v: %v", t.cfg.ID, c.RemoteAddr(), err)
		c.Close()
		return
	}
	c.SetDeadline(time.Time{})
	t.handshaking(c, false)
	t.mu.Lock()
	l := t.peers[from]
	if l == nil && !t.closed { // a peer this one has no address for
		l = t.newLink(from)
		t.peers[from] = l
	}
	t.mu.Unlock()
	if l == nil {
		c.Close()
		return
	}
	t.run(l, c, r, false)
}

// checkCertificate ties, over TLS, a dialer's claimed id to its
// certificate as a dialer ties the peer it reaches: the certificate must
// be valid for the host of the address this transport has for that id.
// (With no address for it yet, as on a server waiting to join, any
// certificate of the cluster's authority will do.)
func (t *Transport) checkCertificate(c net.Conn, from raft.ID) error {
	tc, ok := c.(*tls.Conn)
	if !ok {
		return nil
	}
	t.mu.Lock()
	l := t.peers[from]
	t.mu.Unlock()
	if l == nil || l.address() == "" {
		return nil
	}
	host, _, err := net.SplitHostPort(l.address())
	if err != nil {
		return err
	}
	certs := tc.ConnectionState().PeerCertificates
	if len(certs) == 0 {
		return fmt.Errorf("%v sent no certificate", from)
	}
	if err := certs[0].VerifyHostname(host); err != nil {
		return fmt.Errorf("it says it is %v, whose address is %s, but its certificate is not for that host: %v", from, l.address(), err)
	}
	return nil
}

// handshaking adds c to the connections still shaking hands, which Close
// closes, or removes it; it reports false once the transport is closed.
func (t *Transport) handshaking(c net.Conn, add bool) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if add {
		t.greeting[c] = true
		return !t.closed
	}
	delete(t.greeting, c)
	return true
}

// dial keeps a connection to l's peer, dialing again after each failure,
// until the peer is removed or the transport closes. To a lower id it
// dials only when the pair has been without a connection for
// FallbackAfter.
func (t *Transport) dial(l *link) {
	defer t.wg.Done()
	wait, failures := t.cfg.BackoffMin, 0
	for {
		select {
		case <-l.gone:
			return
		default:
		}
		if l.id < t.cfg.ID && !t.unconnected(l) {
			return
		}
		start, addr := time.Now(), l.address()
		c, r, err := t.connect(l.id, addr)
		if err == nil && addr != l.address() {
			c.Close() // the address changed meanwhile
			continue
		}
		if err == nil {
			if failures > 1 {
				t.cfg.Logf("raft/tcp: %v: reached %v after %d failed attempts", t.cfg.ID, l.id, failures)
			}
			failures = 0
			t.run(l, c, r, true)
			if time.Since(start) > t.cfg.BackoffMax {
				wait = t.cfg.BackoffMin // it worked for a while: dial again at once
			}
		} else {
			if failures == 0 { // the first of a run of failures; the rest are counted
				t.cfg.Logf("raft/tcp: %v: dialing %v at %s: %v", t.cfg.ID, l.id, addr, err)
			}
			failures++
		}
		// Wait, with jitter, so that peers do not all dial at once.
		d := wait/2 + rand.N(wait/2+1)
		wait = min(2*wait, t.cfg.BackoffMax)
		timer := time.NewTimer(d)
		select {
		case <-l.gone:
			timer.Stop()
			return
		case <-l.redial:
			timer.Stop()
			wait = t.cfg.BackoffMin
		case <-timer.C:
		}
	}
}

// unconnected waits about FallbackAfter (with jitter, so that two higher
// ids do not dial at once), again while l has a connection; it reports
// false if the peer is removed or the transport closes first.
func (t *Transport) unconnected(l *link) bool {
	for {
		d := t.cfg.FallbackAfter*3/4 + rand.N(t.cfg.FallbackAfter/2+1)
		timer := time.NewTimer(d)
		select {
		case <-l.gone:
			timer.Stop()
			return false
		case <-timer.C:
		}
		if !l.connected() {
			return true
		}
	}
}

// connect dials addr and exchanges hellos with peer id.
func (t *Transport) connect(id raft.ID, addr string) (net.Conn, *bufio.Reader, error) {
	ctx, cancel := context.WithTimeout(context.Background(), t.cfg.DialTimeout)
	defer cancel()
	var c net.Conn
	var err error
	if t.cfg.TLS != nil {
		c, err = (&tls.Dialer{Config: t.cfg.TLS}).DialContext(ctx, "tcp", addr)
	} else {
		c, err = (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return nil, nil, err
	}
	c.SetDeadline(time.Now().Add(t.cfg.DialTimeout))
	r := bufio.NewReader(c)
	if _, err := c.Write(appendHello(nil, t.cfg.ID, id)); err != nil {
		c.Close()
		return nil, nil, err
	}
	from, to, err := readHello(r)
	if err == nil && (from != id || to != t.cfg.ID) {
		err = fmt.Errorf("reached %v (which took this peer for %v), not %v", from, to, id)
	}
	if err != nil {
		c.Close()
		return nil, nil, err
	}
	c.SetDeadline(time.Time{})
	return c, r, nil
}

// run carries l's messages over c both ways until c fails or is closed;
// mine says this side dialed c.
func (t *Transport) run(l *link, c net.Conn, r *bufio.Reader, mine bool) {
	if !l.attach(c, mine, mine == (t.cfg.ID < l.id)) {
		c.Close()
		return
	}
	t.stats.connects.Add(1)
	t.cfg.Logf("raft/tcp: %v: connected to %v (%s)", t.cfg.ID, l.id, c.RemoteAddr())
	stop := make(chan struct{})
	wrote := make(chan struct{})
	go func() {
		if err := t.write(l, c, stop); err != nil {
			t.cfg.Logf("raft/tcp: %v: writing to %v: %v", t.cfg.ID, l.id, err)
			c.Close() // the reader stops too
		}
		close(wrote)
	}()
	err := t.read(l, c, r) // ends when c fails, or when the writer closes it
	l.detach(c)
	close(stop)
	<-wrote
	t.cfg.Logf("raft/tcp: %v: connection to %v lost: %v", t.cfg.ID, l.id, err)
}

// read delivers the messages that arrive on c: each frame's header must
// come within IdleTimeout of the frame before it, and its body within
// IdleTimeout of its header.
func (t *Transport) read(l *link, c net.Conn, r *bufio.Reader) error {
	f := &frameReader{r: r, max: t.cfg.MaxMessage,
		wait: func() { c.SetReadDeadline(time.Now().Add(t.cfg.IdleTimeout)) }}
	for {
		b, err := f.next()
		if err != nil {
			return err
		}
		m, err := DecodeMessage(b)
		if err != nil {
			return err
		}
		if m.From != l.id || m.To != t.cfg.ID {
			return fmt.Errorf("a message from %v to %v on the connection of %v to %v", m.From, m.To, l.id, t.cfg.ID)
		}
		d := t.deliver.Load()
		if d == nil {
			t.stats.dropped.Add(1)
			continue
		}
		t.stats.received.Add(1)
		(*d)(m)
	}
}

// write sends l's queued messages on c, flushing whenever the queue is
// empty, and a keep-alive when it has been idle for a while.
//
// A message above PartSize goes in parts, each written within its own
// IdleTimeout; between two parts, what was queued meanwhile goes first:
// small messages whole (heartbeats and votes do not wait for a
// snapshot), large ones after the one in parts, in the order queued (a
// snapshot queued replaces an older one still waiting, and one waiting
// for a snapshot of the same term and an index as high is dropped once
// that one has gone: Raft resent it because the first went slowly). At
// most QueueSize large ones wait so; one more is dropped, as when the
// queue is full.
func (t *Transport) write(l *link, c net.Conn, stop chan struct{}) error {
	w := bufio.NewWriterSize(c, 64<<10)
	idle := time.NewTicker(t.cfg.IdleTimeout / 3)
	defer idle.Stop()
	var (
		buf   []byte         // a whole message's frame, or a part's header
		big   []byte         // the encoding of the message in parts
		sent  int            // how much of big has gone
		later []raft.Message // large messages queued behind big
		// the term and index of the message last sent in parts (big if
		// any), if it was a snapshot; zero if not
		bigSnap struct{ term, index uint64 }
	)
	deadline := func() { c.SetWriteDeadline(time.Now().Add(t.cfg.IdleTimeout)) }
	// wait keeps m for after big, if fewer than QueueSize wait already
	// (the writer empties the queue before each part: without a bound, a
	// sender faster than the link would fill the memory).
	wait := func(m *raft.Message) {
		switch {
		case m.Type == raft.MsgSnap && len(later) > 0 && later[len(later)-1].Type == raft.MsgSnap:
			later[len(later)-1] = *m // the newer snapshot will do
			t.stats.dropped.Add(1)
		case len(later) >= t.cfg.QueueSize:
			t.stats.dropped.Add(1) // as when the queue is full
		default:
			later = append(later, *m)
		}
	}
	// put writes m whole, or makes it the message in parts, or keeps it
	// for later if there is one.
	put := func(m *raft.Message) error {
		if big != nil && dataBytes(m) > t.cfg.PartSize {
			wait(m) // without encoding it to learn that it is large
			return nil
		}
		buf = AppendMessage(append(buf[:0], 0, 0, 0, 0), m)
		n := len(buf) - 4
		if cap(buf) > 2*t.cfg.PartSize {
			defer func() { buf = nil }() // a large message went by: do not keep its buffer
		}
		switch {
		case n > t.cfg.MaxMessage:
			t.stats.dropped.Add(1)
			t.cfg.Logf("raft/tcp: %v: dropped a %v to %v of %d bytes, above the limit of %d", t.cfg.ID, m.Type, m.To, n, t.cfg.MaxMessage)
			return nil
		case n <= t.cfg.PartSize:
			appendHeader(buf[:0], kindWhole, n)
			deadline()
			if _, err := w.Write(buf); err != nil {
				return err
			}
			t.stats.sent.Add(1)
			return nil
		case big != nil:
			wait(m)
			return nil
		default:
			big, sent = buf[4:], 0
			buf = nil // big keeps it
			bigSnap.term, bigSnap.index = 0, 0
			if m.Type == raft.MsgSnap && m.Snapshot != nil {
				bigSnap.term, bigSnap.index = m.Term, m.Snapshot.Index
			}
			return nil
		}
	}
	for {
		if big == nil && len(later) > 0 {
			m := later[0]
			later[0] = raft.Message{} // its data is not kept once sent
			later = later[1:]
			if m.Type == raft.MsgSnap && m.Snapshot != nil && m.Term == bigSnap.term && m.Snapshot.Index <= bigSnap.index {
				t.stats.dropped.Add(1) // the follower has the one just sent
				continue
			}
			if err := put(&m); err != nil {
				return err
			}
			continue
		}
		if big != nil {
			// Between two parts: what is queued now goes first.
			for range len(l.queue) {
				select {
				case m := <-l.queue:
					if err := put(&m); err != nil {
						return err
					}
				default:
				}
			}
			select {
			case <-stop:
				return nil
			default:
			}
			var n int
			buf, n = appendPartHeader(buf[:0], big, sent, t.cfg.PartSize)
			part := big[sent : sent+n]
			if sent += n; sent == len(big) {
				big = nil
				t.stats.sent.Add(1) // before it can arrive, as a whole message
			}
			deadline()
			if _, err := w.Write(buf); err != nil {
				return err
			}
			if _, err := w.Write(part); err != nil {
				return err
			}
			if err := w.Flush(); err != nil {
				return err
			}
			continue
		}
		select {
		case <-stop:
			return nil
		case <-idle.C:
			deadline()
			if _, err := w.Write(appendHeader(buf[:0], kindWhole, 0)); err != nil {
				return err
			}
			if err := w.Flush(); err != nil {
				return err
			}
			continue
		case m := <-l.queue:
			if err := put(&m); err != nil {
				return err
			}
		}
		if len(l.queue) == 0 && big == nil {
			if err := w.Flush(); err != nil {
				return err
			}
		}
	}
}

// dataBytes returns how many bytes of data m carries, in its entries and
// its snapshot: less than its encoding.
func dataBytes(m *raft.Message) int {
	n := 0
	for i := range m.Entries {
		n += len(m.Entries[i].Data)
	}
	if m.Snapshot != nil {
		n += len(m.Snapshot.Data)
	}
	return n
}
