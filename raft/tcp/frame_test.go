package tcp

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/raftplay/raftplay/raft"
)

// slowLink is a TCP proxy to another address. Toward it, bytes go at
// most rate a second (0: as fast as they come); the way back is not
// slowed. A connection is forwarded only once open is closed.
type slowLink struct {
	ln   net.Listener
	open chan struct{}
}

func newSlowLink(t *testing.T, to string, rate int) *slowLink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &slowLink{ln: ln, open: make(chan struct{})}
	var mu sync.Mutex
	var conns []net.Conn
	var wg sync.WaitGroup
	closed := make(chan struct{})
	t.Cleanup(func() {
		close(closed)
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				select {
				case <-p.open:
				case <-closed:
					return
				}
				u, err := net.Dial("tcp", to)
				if err != nil {
					return
				}
				mu.Lock()
				conns = append(conns, u)
				mu.Unlock()
				defer u.Close()
				go func() {
					io.Copy(c, u)
					c.Close()
				}()
				throttle(u, c, rate)
			}()
		}
	}()
	return p
}

func (p *slowLink) addr() string { return p.ln.Addr().String() }

// throttle copies src to dst at most rate bytes a second, in pieces of
// 10 ms worth. A pause of the sender (a read that waits) saves up no
// time: the bytes after it go at rate too, not in a burst; a sleep that
// overshoots is made up.
func throttle(dst, src net.Conn, rate int) {
	if rate == 0 {
		io.Copy(dst, src)
		return
	}
	buf := make([]byte, max(rate/100, 1))
	due := time.Now() // when the bytes moved so far have had their time
	for {
		asked := time.Now()
		n, err := src.Read(buf)
		if n > 0 {
			if _, err := dst.Write(buf[:n]); err != nil {
				return
			}
			if now := time.Now(); now.Sub(asked) > 5*time.Millisecond && due.Before(now) {
				due = now // the link was idle
			}
			due = due.Add(time.Duration(n) * time.Second / time.Duration(rate))
			time.Sleep(time.Until(due))
		}
		if err != nil {
			return
		}
	}
}

// twoOverALink starts s1 and s2, with s1 reaching s2 through a slowLink
// of rate (s2 has no address for s1: it does not dial it directly).
func twoOverALink(t *testing.T, rate int, edit func(c *Config)) (s1, s2 *Transport, link *slowLink, in2 *inbox) {
	t.Helper()
	c2 := Config{ID: 2, Listen: "127.0.0.1:0"}
	edit(&c2)
	s2, err := New(c2)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s2.Close() })
	link = newSlowLink(t, s2.Addr().String(), rate)
	c1 := Config{ID: 1, Listen: "127.0.0.1:0", Peers: map[raft.ID]string{2: link.addr()}}
	edit(&c1)
	s1, err = New(c1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s1.Close() })
	return s1, s2, link, listen(t, s2, 2)
}

// snapshotOf makes a snapshot message of n bytes of data, each byte
// depending on its place.
func snapshotOf(n int) raft.Message {
	data := make([]byte, n)
	for i := range data {
		data[i] = byte(i * 7 / 5)
	}
	return raft.Message{Type: raft.MsgSnap, From: 1, To: 2, Term: 3,
		Snapshot: &raft.Snapshot{Index: 100, Term: 3, Members: []raft.ID{1, 2}, Data: data}}
}

// A message that takes longer than IdleTimeout to cross a slow link
// arrives, on the connection it started on, as long as each part crosses
// within IdleTimeout. (A lagging follower that needs a snapshot gets it.)
func TestALargeMessageCrossesASlowLink(t *testing.T) {
	// 64 KiB/s: a part of 16 KiB takes 250 ms, the message of 160 KiB
	// 2.5 s, three times IdleTimeout.
	const rate, idle = 64 << 10, 800 * time.Millisecond
	l := newLogs()
	s1, _, link, in2 := twoOverALink(t, rate, func(c *Config) {
		c.IdleTimeout, c.PartSize = idle, 16<<10
		if c.ID == 1 {
			c.Logf = l.logf
		}
	})
	close(link.open)
	snap := snapshotOf(160 << 10)
	start := time.Now()
	s1.Send(snap)
	select {
	case m := <-in2.ch:
		if !bytes.Equal(m.Snapshot.Data, snap.Snapshot.Data) || m.Snapshot.Index != 100 {
			t.Fatalf("s2 got a snapshot of %d bytes at %d, not the one sent", len(m.Snapshot.Data), m.Snapshot.Index)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("the snapshot did not arrive; s1 logged %q", l.lines)
	}
	if d := time.Since(start); d < 2*idle {
		t.Fatalf("the snapshot took %v, not longer than IdleTimeout: the link is not slow enough for this test", d)
	}
	if s := s1.Stats(); s.Connects != 1 {
		t.Fatalf("%+v; want the one connection throughout", s)
	}
}

// Each frame's body has IdleTimeout of its own from its header's arrival,
// so the link must move one part within IdleTimeout, as PartSize says: a
// part that begins as late as a keep-alive would come (IdleTimeout/3 after
// the frame before it) and takes most of IdleTimeout to cross arrives.
func TestAPartHasIdleTimeoutFromItsHeader(t *testing.T) {
	// 64 KiB/s: the first part, of 0.8 IdleTimeout's worth, ends 1.13
	// IdleTimeout after the keep-alive before it.
	const rate, idle = 64 << 10, 2 * time.Second
	l := newLogs()
	s2, err := New(Config{ID: 2, Listen: "127.0.0.1:0", IdleTimeout: idle, Logf: l.logf})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	in2 := listen(t, s2, 2)
	link := newSlowLink(t, s2.Addr().String(), rate)
	close(link.open)
	c, err := net.Dial("tcp", link.addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	greet(t, c)
	size := int(rate * idle * 8 / 10 / time.Second)
	snap := snapshotOf(size + 1000)
	enc := AppendMessage(nil, &snap)
	frames, n := appendPartHeader(nil, enc, 0, size)
	frames = append(frames, enc[:n]...)
	frames, _ = appendPartHeader(frames, enc, n, size)
	frames = append(frames, enc[n:]...)
	if _, err := c.Write(appendHeader(nil, kindWhole, 0)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(idle / 3) // the link idle, as long as between two keep-alives
	start := time.Now()
	if _, err := c.Write(frames); err != nil {
		t.Fatal(err)
	}
	timeout := time.After(20 * time.Second)
	for arrived := false; !arrived; {
		select {
		case m := <-in2.ch:
			if !bytes.Equal(m.Snapshot.Data, snap.Snapshot.Data) {
				t.Fatalf("s2 got a snapshot of %d bytes, not the one sent", len(m.Snapshot.Data))
			}
			arrived = true
		case s := <-l.ch:
			if strings.Contains(s, "lost") {
				t.Fatalf("s2 logged %q %v after the part began; want the snapshot", s, time.Since(start))
			}
		case <-timeout:
			t.Fatal("the snapshot did not arrive")
		}
	}
	if d := time.Since(start); d < idle*3/4 {
		t.Fatalf("the snapshot took %v, not most of IdleTimeout: the link is not slow enough for this test", d)
	}
}

// Small messages queued behind a large one go between its parts: a
// heartbeat does not wait for a snapshot.
func TestSmallMessagesGoBetweenTheParts(t *testing.T) {
	s1, _, link, in2 := twoOverALink(t, 0, func(c *Config) { c.PartSize = 16 << 10 })
	snap := snapshotOf(128 << 10) // 8 parts
	hb := raft.Message{Type: raft.MsgApp, From: 1, To: 2, Term: 3, LeaderCommit: 100}
	s1.Send(snap) // both queued before the connection is up
	s1.Send(hb)
	close(link.open)
	if m := in2.next(t); m.Type != raft.MsgApp {
		t.Fatalf("got a %v first, want the heartbeat sent after the snapshot", m.Type)
	}
	if m := in2.next(t); m.Type != raft.MsgSnap || !bytes.Equal(m.Snapshot.Data, snap.Snapshot.Data) {
		t.Fatalf("got %v, want the snapshot whole", m.Type)
	}
	if s := s1.Stats(); s.Sent != 2 || s.Connects != 1 {
		t.Fatalf("%+v; want 2 sent on 1 connection", s)
	}
}

// Large messages queued behind one in parts go after it, in the order
// queued, except that a snapshot replaces an older one still waiting (it
// is newer: the older would only be sent for nothing).
func TestLargeMessagesWaitForTheOneInParts(t *testing.T) {
	s1, _, link, in2 := twoOverALink(t, 0, func(c *Config) { c.PartSize = 16 << 10 })
	snap := func(index uint64) raft.Message {
		m := snapshotOf(64 << 10)
		m.Snapshot.Index = index
		return m
	}
	app := raft.Message{Type: raft.MsgApp, From: 1, To: 2, Term: 3,
		Entries: []raft.Entry{{Index: 101, Term: 3, Data: make([]byte, 40<<10)}}}
	for _, m := range []raft.Message{snap(100), snap(200), snap(300), app, {Type: raft.MsgApp, From: 1, To: 2, Term: 3}} {
		s1.Send(m) // all queued before the connection is up
	}
	close(link.open)
	var got []string
	for range 4 {
		m := in2.next(t)
		if m.Snapshot != nil {
			got = append(got, fmt.Sprint("snapshot ", m.Snapshot.Index))
		} else {
			got = append(got, fmt.Sprint("append of ", len(m.Entries)))
		}
	}
	if want := "[append of 0 snapshot 100 snapshot 300 append of 1]"; fmt.Sprint(got) != want {
		t.Fatalf("got %v, want %s", got, want)
	}
	if s := s1.Stats(); s.Sent != 4 || s.Dropped != 1 {
		t.Fatalf("%+v; want 4 sent, 1 dropped (snapshot 200)", s)
	}
}

// A snapshot that waited for one going in parts, at the same term and an
// index no higher, is dropped once that one has gone: Raft resent it
// because the first went slowly, and the follower has the first now.
// One with a higher index, or of a later term, still goes.
func TestASnapshotWaitingForItsCopyIsDropped(t *testing.T) {
	snap := func(term, index uint64) raft.Message {
		m := snapshotOf(64 << 10)
		m.Term, m.Snapshot.Index = term, index
		return m
	}
	app := raft.Message{Type: raft.MsgApp, From: 1, To: 2, Term: 3,
		Entries: []raft.Entry{{Index: 101, Term: 3, Data: make([]byte, 40<<10)}}}
	for _, c := range []struct {
		name    string
		sends   []raft.Message
		want    string
		dropped uint64
	}{
		{"a copy", []raft.Message{snap(3, 100), snap(3, 100), app}, "[snapshot 100 at 3 append]", 1},
		{"an older one", []raft.Message{snap(3, 100), snap(3, 90)}, "[snapshot 100 at 3]", 1},
		{"a newer one", []raft.Message{snap(3, 100), snap(3, 200)}, "[snapshot 100 at 3 snapshot 200 at 3]", 0},
		{"a later term", []raft.Message{snap(3, 100), snap(4, 100)}, "[snapshot 100 at 3 snapshot 100 at 4]", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			s1, _, link, in2 := twoOverALink(t, 0, func(c *Config) { c.PartSize = 16 << 10 })
			for _, m := range c.sends {
				s1.Send(m) // all queued before the connection is up
			}
			close(link.open)
			// Every message sent or dropped, then what arrived.
			deadline := time.Now().Add(20 * time.Second)
			s := s1.Stats()
			for ; s.Sent+s.Dropped < uint64(len(c.sends)); s = s1.Stats() {
				if time.Now().After(deadline) {
					t.Fatalf("%+v; want the %d messages sent or dropped", s, len(c.sends))
				}
				time.Sleep(time.Millisecond)
			}
			var got []string
			for range s.Sent {
				m := in2.next(t)
				if m.Snapshot != nil {
					got = append(got, fmt.Sprint("snapshot ", m.Snapshot.Index, " at ", m.Term))
				} else {
					got = append(got, "append")
				}
			}
			if fmt.Sprint(got) != c.want || s.Dropped != c.dropped {
				t.Fatalf("got %v, %d dropped; want %s, %d dropped", got, s.Dropped, c.want, c.dropped)
			}
		})
	}
}

// allocated returns how many bytes f allocates.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// A message in parts whose declared total is above MaxMessage is refused
// at its first part, before anything that size is allocated; so are parts
// that go beyond their total.
func TestPartsAboveMaxMessageAreRefused(t *testing.T) {
	const limit = 64 << 20
	first := func(total uint64, n int) []byte {
		v := binary.AppendUvarint(nil, total)
		return append(append(appendHeader(nil, kindFirst, len(v)+n), v...), make([]byte, n)...)
	}
	next := func(n int) []byte { return append(appendHeader(nil, kindNext, n), make([]byte, n)...) }
	read := func(stream []byte) (alloc uint64, err error) {
		f := &frameReader{r: bufio.NewReader(bytes.NewReader(stream)), max: limit}
		alloc = allocated(func() {
			for err == nil {
				_, err = f.next()
			}
		})
		return alloc, err
	}
	// A header with a total above the limit, and no memory to back it.
	for _, total := range []uint64{limit + 1, 1 << 40} {
		if n, err := read(first(total, 100)); !errors.Is(err, errTooLarge) || n > 1<<20 {
			t.Errorf("a total of %d: %v, %d bytes allocated; want refused, under 1 MiB", total, err, n)
		}
	}
	// Parts that add up to more than their total.
	over := append(first(1000, 600), next(600)...)
	if _, err := read(over); err == nil || err == io.EOF {
		t.Errorf("600 and 600 bytes of a message of 1000: %v; want refused", err)
	}
}

// A peer that declares a message in parts above MaxMessage loses its
// connection, as for a whole one.
func TestAPeerDeclaringTooMuchIsCutOff(t *testing.T) {
	l := newLogs()
	s2, err := New(Config{ID: 2, Listen: "127.0.0.1:0", MaxMessage: 1 << 20, Logf: l.logf})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	c, err := net.Dial("tcp", s2.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := greet(t, c)
	part := binary.AppendUvarint(appendHeader(nil, kindFirst, 5+100), 1<<20+1)
	if _, err := c.Write(append(part, make([]byte, 100)...)); err != nil {
		t.Fatal(err)
	}
	l.waitFor(t, "a message in parts of 1048577 bytes, above the limit of 1048576")
	for { // keep-alives, then the end
		if _, err := r.ReadByte(); err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatal("the connection is still open")
			}
			break
		}
	}
}

// FuzzFrames: any bytes read as frames give messages no longer than the
// limit, without allocating more than it, or an error; never a panic.
// And messages (cut from the same bytes) sent whole or in parts, with
// the small ones between the parts of a large one, arrive as they were
// sent, in the order they complete.
func FuzzFrames(f *testing.F) {
	snap := snapshotOf(300)
	enc := AppendMessage(nil, &snap)
	b, n := appendPartHeader(nil, enc, 0, 100)
	f.Add(append(append(b, enc[:n]...), appendHeader(nil, kindWhole, 3)...))
	f.Add([]byte{0x80, 0, 0, 3, 0xff, 0xff, 0x7f})
	f.Add([]byte{5, 1, 2, 3, 0xff, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 0xff, 7})
	f.Fuzz(func(t *testing.T, stream []byte) {
		const limit = 256
		r := &frameReader{r: bufio.NewReader(bytes.NewReader(stream)), max: limit}
		for {
			m, err := r.next()
			if err != nil {
				break
			}
			if len(m) == 0 || len(m) > limit || cap(r.part) > limit {
				t.Fatalf("a message of %d bytes (%d reassembling), limit %d", len(m), cap(r.part), limit)
			}
		}
		if len(stream) == 0 {
			return
		}
		// The round trip.
		size := 1 + int(stream[0]%16)
		var msgs [][]byte
		for _, m := range bytes.Split(stream[1:], []byte{0xff}) {
			if len(m) > 0 {
				msgs = append(msgs, m)
			}
		}
		var wire []byte
		var want [][]byte
		var big []byte
		sent := 0
		part := func() {
			var n int
			wire, n = appendPartHeader(wire, big, sent, size)
			wire = append(wire, big[sent:sent+n]...)
			if sent += n; sent == len(big) {
				want = append(want, big)
				big = nil
			}
		}
		wire = appendHeader(wire, kindWhole, 0) // a keep-alive
		for _, m := range msgs {
			switch {
			case len(m) <= size:
				wire = append(appendHeader(wire, kindWhole, len(m)), m...)
				want = append(want, m)
			default:
				for big != nil {
					part()
				}
				big, sent = m, 0
			}
			if big != nil {
				part()
			}
		}
		for big != nil {
			part()
		}
		r = &frameReader{r: bufio.NewReader(bytes.NewReader(wire)), max: len(stream)}
		for i, w := range want {
			got, err := r.next()
			if err != nil || !bytes.Equal(got, w) {
				t.Fatalf("message %d: got %q (%v), want %q", i, got, err, w)
			}
		}
		if got, err := r.next(); err != io.EOF {
			t.Fatalf("after the messages: %q, %v", got, err)
		}
	})
}

// gatedConn is a connection whose writes each wait for the test's
// permission; it tells when a write starts.
type gatedConn struct {
	net.Conn // nil: only writes and write deadlines are used
	started  chan int
	permit   chan struct{}
}

func (c *gatedConn) Write(b []byte) (int, error) {
	c.started <- len(b)
	<-c.permit
	return len(b), nil
}

func (c *gatedConn) SetWriteDeadline(time.Time) error { return nil }

// Large messages queued while one goes in parts over a slow link wait
// for it, but no more of them than the queue holds: past that they are
// dropped, as when the queue is full, or a sender faster than the link
// would fill the memory.
func TestTheLargeMessagesWaitingAreBounded(t *testing.T) {
	const queue = 2
	cfg := Config{ID: 1, QueueSize: queue, PartSize: 1 << 10}
	cfg.setDefaults()
	tr := &Transport{cfg: cfg, peers: map[raft.ID]*link{}}
	l := tr.newLink(2)
	tr.peers[2] = l
	c := &gatedConn{started: make(chan int), permit: make(chan struct{})}
	stop := make(chan struct{})
	wrote := make(chan error, 1)
	go func() { wrote <- tr.write(l, c, stop) }()
	defer func() {
		close(stop)
		close(c.permit)
		for {
			select {
			case <-c.started:
			case err := <-wrote:
				if err != nil {
					t.Error(err)
				}
				return
			}
		}
	}()
	started := func() {
		t.Helper()
		select {
		case <-c.started:
		case <-time.After(20 * time.Second):
			t.Fatal("the writer wrote nothing")
		}
	}
	// The link moves one part, of 1 KiB, at a time; meanwhile the sender
	// queues another message of 64 KiB (appends: a snapshot would replace
	// the one waiting), which the writer takes from the queue before the
	// next part.
	app := func(i uint64) raft.Message {
		return raft.Message{Type: raft.MsgApp, From: 1, To: 2, Term: 3, PrevLogIndex: i,
			Entries: []raft.Entry{{Index: i + 1, Term: 3, Data: make([]byte, 64<<10)}}}
	}
	const sends = 20
	tr.Send(app(0))
	started()
	for i := range uint64(sends - 1) {
		tr.Send(app(i + 1))
		c.permit <- struct{}{}
		started()
	}
	s := tr.Stats()
	if held := sends - s.Sent - s.Dropped; held > 1+queue {
		t.Fatalf("%+v: %d messages of 64 KiB held for a link that moved %d KiB; want at most the one in parts and %d waiting", s, held, sends-1, queue)
	}
}

// The total that begins a message in parts may take more bytes than it
// needs (a uvarint with padding); the part's bytes are what follows it
// in the frame, and the next frame starts where the frame's length says.
func TestAFirstPartsTotalIsReadAsItWasWritten(t *testing.T) {
	var s []byte
	s = appendHeader(s, kindFirst, 2+3)
	s = append(s, 0x85, 0x00, 'a', 'b', 'c') // 5, in two bytes
	s = appendHeader(s, kindNext, 2)
	s = append(s, 'd', 'e')
	s = appendHeader(s, kindWhole, 1)
	s = append(s, 'z')
	f := &frameReader{r: bufio.NewReader(bytes.NewReader(s)), max: 100}
	for _, want := range []string{"abcde", "z"} {
		if got, err := f.next(); err != nil || string(got) != want {
			t.Fatalf("got %q, %v; want %q", got, err, want)
		}
	}
	if got, err := f.next(); err != io.EOF {
		t.Fatalf("after the messages: %q, %v; want the end", got, err)
	}
}

// greet says hello on c as s1 to s2 and reads s2's hello, as a dialer
// does, within 20 s for all that follows; it returns c's reader.
func greet(t *testing.T, c net.Conn) *bufio.Reader {
	t.Helper()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	r := bufio.NewReader(c)
	if _, err := c.Write(appendHello(nil, 1, 2)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := readHello(r); err != nil {
		t.Fatal(err)
	}
	return r
}
