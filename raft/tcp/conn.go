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
//	"RAFT" magic, a version byte, uvarint from, uvarint to
//
// then carries frames: a 4-byte big-endian length and that many bytes of
// one encoded message. A frame of length 0 is a keep-alive.

const helloMagic = "RAFT"

func appendHello(b []byte, from, to raft.ID) []byte {
	b = append(b, helloMagic...)
	b = append(b, Version)
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
	if v := head[len(helloMagic)]; v != Version {
		return 0, 0, fmt.Errorf("peer speaks version %d; this one speaks %d", v, Version)
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

// read delivers the messages that arrive on c.
func (t *Transport) read(l *link, c net.Conn, r *bufio.Reader) error {
	var head [4]byte
	for {
		c.SetReadDeadline(time.Now().Add(t.cfg.IdleTimeout))
		if _, err := io.ReadFull(r, head[:]); err != nil {
			return err
		}
		n := binary.BigEndian.Uint32(head[:])
		if n == 0 {
			continue // keep-alive
		}
		if n > uint32(t.cfg.MaxMessage) {
			return fmt.Errorf("a message of %d bytes, above the limit of %d", n, t.cfg.MaxMessage)
		}
		buf := make([]byte, n) // the message's entries keep it
		if _, err := io.ReadFull(r, buf); err != nil {
			return err
		}
		m, err := DecodeMessage(buf)
		if err != nil {
			return err
		}
		if m.From != l.id || m.To != t.cfg.ID {
			return fmt.Errorf("a message from %v to %v on the connection of %v to %v", m.From, m.To, l.id, t.cfg.ID)
		}
		f := t.deliver.Load()
		if f == nil {
			t.stats.dropped.Add(1)
			continue
		}
		t.stats.received.Add(1)
		(*f)(m)
	}
}

// write sends l's queued messages on c, flushing whenever the queue is
// empty, and a keep-alive when it has been idle for a while.
func (t *Transport) write(l *link, c net.Conn, stop chan struct{}) error {
	w := bufio.NewWriterSize(c, 64<<10)
	idle := time.NewTicker(t.cfg.IdleTimeout / 3)
	defer idle.Stop()
	var buf []byte
	for {
		var m raft.Message
		select {
		case <-stop:
			return nil
		case <-idle.C:
			c.SetWriteDeadline(time.Now().Add(t.cfg.IdleTimeout))
			if _, err := w.Write(make([]byte, 4)); err != nil {
				return err
			}
			if err := w.Flush(); err != nil {
				return err
			}
			continue
		case m = <-l.queue:
		}
		buf = AppendMessage(append(buf[:0], 0, 0, 0, 0), &m)
		if len(buf)-4 > t.cfg.MaxMessage {
			t.stats.dropped.Add(1)
			t.cfg.Logf("raft/tcp: %v: dropped a %v to %v of %d bytes, above the limit of %d", t.cfg.ID, m.Type, m.To, len(buf)-4, t.cfg.MaxMessage)
			continue
		}
		binary.BigEndian.PutUint32(buf, uint32(len(buf)-4))
		c.SetWriteDeadline(time.Now().Add(t.cfg.IdleTimeout))
		if _, err := w.Write(buf); err != nil {
			return err
		}
		t.stats.sent.Add(1)
		if len(l.queue) == 0 {
			if err := w.Flush(); err != nil {
				return err
			}
		}
		if cap(buf) > 1<<20 {
			buf = nil // a snapshot went by: do not keep its buffer
		}
	}
}
