package tcp

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/raftplay/raftplay/raft"
)

// inbox collects what a transport delivers.
type inbox struct{ ch chan raft.Message }

func listen(t *testing.T, tr *Transport, id raft.ID) *inbox {
	in := &inbox{ch: make(chan raft.Message, 1000)}
	t.Cleanup(tr.Listen(id, func(m raft.Message) { in.ch <- m }))
	return in
}

// next returns the next message delivered. The timeout only keeps a broken
// test from hanging; nothing waits for it to pass.
func (in *inbox) next(t *testing.T) raft.Message {
	t.Helper()
	select {
	case m := <-in.ch:
		return m
	case <-time.After(20 * time.Second):
		t.Fatal("no message arrived")
		return raft.Message{}
	}
}

// sendUntilDelivered sends m through tr again every 50 ms until a message
// is delivered, and returns it; 20 s without one fails the test.
func (in *inbox) sendUntilDelivered(t *testing.T, tr *Transport, m raft.Message) raft.Message {
	t.Helper()
	give := time.After(20 * time.Second)
	again := time.NewTicker(50 * time.Millisecond)
	defer again.Stop()
	for {
		tr.Send(m)
		select {
		case got := <-in.ch:
			return got
		case <-again.C:
		case <-give:
			t.Fatal("no message arrived")
			return raft.Message{}
		}
	}
}

// logs records a transport's log lines and signals each one.
type logs struct {
	mu    sync.Mutex
	lines []string
	ch    chan string
}

func newLogs() *logs { return &logs{ch: make(chan string, 1000)} }

func (l *logs) logf(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	l.mu.Lock()
	l.lines = append(l.lines, s)
	l.mu.Unlock()
	select {
	case l.ch <- s:
	default:
	}
}

// waitFor returns the first log line (from now on) that contains want.
func (l *logs) waitFor(t *testing.T, want string) string {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case s := <-l.ch:
			if strings.Contains(s, want) {
				return s
			}
		case <-timeout:
			t.Fatalf("no log line with %q", want)
		}
	}
}

// cluster starts n transports on loopback, each knowing the others.
func cluster(t testing.TB, n int, edit func(id raft.ID, c *Config)) []*Transport {
	t.Helper()
	ts := make([]*Transport, n)
	for i := range ts {
		cfg := Config{ID: raft.ID(i + 1), Listen: "127.0.0.1:0", BackoffMax: 50 * time.Millisecond}
		if edit != nil {
			edit(cfg.ID, &cfg)
		}
		tr, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { tr.Close() })
		ts[i] = tr
	}
	addrs := map[raft.ID]string{}
	for i, tr := range ts {
		addrs[raft.ID(i+1)] = tr.Addr().String()
	}
	for _, tr := range ts {
		tr.SetPeers(addrs)
	}
	return ts
}

func msg(from, to raft.ID, term uint64) raft.Message {
	return raft.Message{Type: raft.MsgApp, From: from, To: to, Term: term,
		Entries: []raft.Entry{{Index: term, Term: term, Data: []byte(fmt.Sprint("from ", from))}}}
}

// Messages go every way between three peers, in order per sender, over
// one connection per pair.
func TestMessagesFlowBetweenEveryPair(t *testing.T) {
	ts := cluster(t, 3, nil)
	in := make([]*inbox, 3)
	for i, tr := range ts {
		in[i] = listen(t, tr, raft.ID(i+1))
	}
	for round := uint64(1); round <= 50; round++ {
		for i := range ts {
			for j := range ts {
				if i != j {
					ts[i].Send(msg(raft.ID(i+1), raft.ID(j+1), round))
				}
			}
		}
	}
	for j := range ts {
		last := map[raft.ID]uint64{}
		for range 2 * 50 {
			m := in[j].next(t)
			if m.To != raft.ID(j+1) || m.Term != last[m.From]+1 || string(m.Entries[0].Data) != fmt.Sprint("from ", m.From) {
				t.Fatalf("s%d got %+v after term %d from %v", j+1, m, last[m.From], m.From)
			}
			last[m.From] = m.Term
		}
	}
	for i, tr := range ts {
		if s := tr.Stats(); s.Connects != 2 || s.Sent != 100 || s.Received != 100 || s.Dropped != 0 {
			t.Errorf("s%d: %+v; want 2 connections, 100 sent and received, none dropped", i+1, s)
		}
	}
}

// A peer that restarts at the same address is dialed again, and messages
// flow again both ways; what was queued meanwhile is delivered.
func TestReconnectsAfterAPeerRestarts(t *testing.T) {
	l := newLogs()
	ts := cluster(t, 2, func(id raft.ID, c *Config) {
		if id == 1 {
			c.Logf = l.logf
		}
	})
	in2 := listen(t, ts[1], 2)
	ts[0].Send(msg(1, 2, 1))
	in2.next(t)
	addr := ts[1].Addr().String()
	ts[1].Close()
	l.waitFor(t, "connection to s2 lost")
	ts[0].Send(msg(1, 2, 2)) // queued until s2 is back
	again, err := New(Config{ID: 2, Listen: addr, Peers: map[raft.ID]string{1: ts[0].Addr().String()}})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	in2 = listen(t, again, 2)
	in1 := listen(t, ts[0], 1)
	if m := in2.next(t); m.Term != 2 {
		t.Fatalf("restarted s2 got %+v", m)
	}
	again.Send(msg(2, 1, 1))
	if m := in1.next(t); m.From != 2 {
		t.Fatalf("s1 got %+v", m)
	}
}

// failingListener fails its first accepts, as a process out of file
// descriptors does.
type failingListener struct {
	net.Listener
	failures int
}

func (l *failingListener) Accept() (net.Conn, error) {
	if l.failures > 0 {
		l.failures--
		return nil, &net.OpError{Op: "accept", Net: "tcp", Err: syscall.EMFILE}
	}
	return l.Listener.Accept()
}

// A failed accept is tried again: the peers with lower ids, which dial
// this one, still reach it.
func TestAcceptFailuresAreWaitedOut(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := newLogs()
	cfg := Config{ID: 2, Logf: l.logf}
	cfg.setDefaults()
	s2 := start(cfg, &failingListener{Listener: ln, failures: 3})
	defer s2.Close()
	l.waitFor(t, "too many open files")
	s1, err := New(Config{ID: 1, Listen: "127.0.0.1:0", Peers: map[raft.ID]string{2: ln.Addr().String()}})
	if err != nil {
		t.Fatal(err)
	}
	defer s1.Close()
	in2 := listen(t, s2, 2)
	if m := in2.sendUntilDelivered(t, s1, msg(1, 2, 1)); m.From != 1 {
		t.Fatalf("s2 got %+v", m)
	}
}

// Send never blocks: a peer that is down has a bounded queue, and what
// does not fit is dropped.
func TestSendDropsWhenTheQueueIsFull(t *testing.T) {
	tr, err := New(Config{ID: 1, Listen: "127.0.0.1:0", QueueSize: 4,
		Peers: map[raft.ID]string{2: "127.0.0.1:1"}}) // nothing listens there
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	for term := range uint64(10) {
		tr.Send(msg(1, 2, term+1))
	}
	tr.Send(msg(1, 9, 1)) // no such peer
	if s := tr.Stats(); s.Dropped != 6+1 {
		t.Fatalf("%+v; want 7 dropped", s)
	}
}

// A message above the limit is dropped by its sender; the connection
// stays and carries the next one.
func TestOversizedMessagesAreDropped(t *testing.T) {
	ts := cluster(t, 2, func(_ raft.ID, c *Config) { c.MaxMessage = 200 })
	in := listen(t, ts[1], 2)
	big := msg(1, 2, 1)
	big.Entries[0].Data = make([]byte, 300)
	ts[0].Send(big)
	ts[0].Send(msg(1, 2, 2))
	if m := in.next(t); m.Term != 2 {
		t.Fatalf("got %+v, want the small message", m)
	}
	if s := ts[0].Stats(); s.Dropped != 1 || s.Connects != 1 {
		t.Fatalf("%+v; want 1 dropped on 1 connection", s)
	}
}

// A peer that answers at an address with another id is not taken for the
// one dialed.
func TestHandshakeChecksWhoAnswers(t *testing.T) {
	ts := cluster(t, 3, nil)
	l := newLogs()
	wrong, err := New(Config{ID: 1, Listen: "127.0.0.1:0", Logf: l.logf,
		Peers: map[raft.ID]string{2: ts[2].Addr().String()}}) // s3's address for s2
	if err != nil {
		t.Fatal(err)
	}
	defer wrong.Close()
	l.waitFor(t, "dialing s2")
	if s := wrong.Stats(); s.Connects != 0 {
		t.Fatalf("connected to s3 as if it were s2: %+v", s)
	}
}

// The address of a peer can change: the transport dials the new one.
func TestSetPeersDialsTheNewAddress(t *testing.T) {
	ts := cluster(t, 2, nil)
	in := listen(t, ts[1], 2)
	ts[0].SetPeers(map[raft.ID]string{2: "127.0.0.1:1"})
	ts[0].SetPeers(map[raft.ID]string{2: ts[1].Addr().String()})
	// The old connection's writer may take a message off the queue before it
	// sees its connection closed: the transport may lose it (Raft resends),
	// so send until one arrives, as a leader would.
	if m := in.sendUntilDelivered(t, ts[0], msg(1, 2, 5)); m.Term != 5 {
		t.Fatalf("got %+v", m)
	}
}

// With TLS, peers prove who they are with certificates from the cluster's
// authority, both ways; a dialer without one is refused.
func TestTLSWithClientCertificates(t *testing.T) {
	ca, caKey, pool, tlsFor := clusterAuthority(t)
	ts := cluster(t, 2, func(id raft.ID, c *Config) { c.TLS = tlsFor(newCert(t, ca, caKey, id.String())) })
	in1, in2 := listen(t, ts[0], 1), listen(t, ts[1], 2)
	ts[0].Send(msg(1, 2, 1))
	in2.next(t)
	ts[1].Send(msg(2, 1, 1))
	in1.next(t)

	// A dialer whose certificate another authority signed.
	other, otherKey := newCA(t, "someone else")
	l := newLogs()
	rogue, err := New(Config{ID: 1, Listen: "127.0.0.1:0", Logf: l.logf,
		TLS: tlsFor(newCert(t, other, otherKey, "s1")), Peers: map[raft.ID]string{2: ts[1].Addr().String()}})
	if err != nil {
		t.Fatal(err)
	}
	defer rogue.Close()
	l.waitFor(t, "dialing s2")
	// And one with no certificate at all.
	noCert := &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS13}
	l2 := newLogs()
	anon, err := New(Config{ID: 1, Listen: "127.0.0.1:0", Logf: l2.logf, TLS: noCert,
		Peers: map[raft.ID]string{2: ts[1].Addr().String()}})
	if err != nil {
		t.Fatal(err)
	}
	defer anon.Close()
	l2.waitFor(t, "dialing s2")
	if rogue.Stats().Connects != 0 || anon.Stats().Connects != 0 || ts[1].Stats().Connects != 1 {
		t.Fatalf("connections: rogue %d, anonymous %d, s2 %d; want 0, 0, 1",
			rogue.Stats().Connects, anon.Stats().Connects, ts[1].Stats().Connects)
	}
}

// clusterAuthority makes a cluster's certificate authority, its pool, and
// a TLS configuration maker for a peer's certificate: client certificates
// required both ways, TLS 1.3.
func clusterAuthority(t *testing.T) (*x509.Certificate, *ecdsa.PrivateKey, *x509.CertPool, func(tls.Certificate) *tls.Config) {
	ca, caKey := newCA(t, "raft cluster")
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return ca, caKey, pool, func(cert tls.Certificate) *tls.Config {
		return &tls.Config{Certificates: []tls.Certificate{cert}, RootCAs: pool, ClientCAs: pool,
			ClientAuth: tls.RequireAndVerifyClientCert, MinVersion: tls.VersionTLS13}
	}
}

func newCA(t *testing.T, name string) (*x509.Certificate, *ecdsa.PrivateKey) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

// newCert makes a certificate for a peer on loopback, good as a server's
// and as a client's.
func newCert(t *testing.T, ca *x509.Certificate, caKey *ecdsa.PrivateKey, name string) tls.Certificate {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		KeyUsage:    x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// reachedByFallback starts s1, which knows no peer, and s2, which knows
// s1's address and so reaches it by the fallback dial (after 100 ms), and
// returns once a message from s2 has arrived at s1.
func reachedByFallback(t *testing.T) (s1, s2 *Transport, in1, in2 *inbox) {
	t.Helper()
	s1, err := New(Config{ID: 1, Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s1.Close() })
	s2, err = New(Config{ID: 2, Listen: "127.0.0.1:0", FallbackAfter: 100 * time.Millisecond,
		Peers: map[raft.ID]string{1: s1.Addr().String()}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s2.Close() })
	in1, in2 = listen(t, s1, 1), listen(t, s2, 2)
	if m := in1.sendUntilDelivered(t, s2, msg(2, 1, 1)); m.From != 2 {
		t.Fatalf("s1 got %+v", m)
	}
	return s1, s2, in1, in2
}

// A peer that does not know a higher id's address is still reached: the
// higher id dials it once the pair has had no connection for a while, and
// messages flow both ways on that connection. When the lower id learns
// the address, its own connection replaces that one and stays.
func TestTheHigherIdDialsWhenTheLowerCannot(t *testing.T) {
	s1, s2, in1, in2 := reachedByFallback(t)
	if m := in2.sendUntilDelivered(t, s1, msg(1, 2, 1)); m.From != 1 {
		t.Fatalf("s2 got %+v", m)
	}

	s1.SetPeers(map[raft.ID]string{2: s2.Addr().String()})
	dialedBy1 := func(tr *Transport) bool {
		tr.mu.Lock()
		l := tr.peers[map[*Transport]raft.ID{s1: 2, s2: 1}[tr]]
		tr.mu.Unlock()
		l.mu.Lock()
		defer l.mu.Unlock()
		return l.conn != nil && l.lower
	}
	for deadline := time.Now().Add(20 * time.Second); !dialedBy1(s1) || !dialedBy1(s2); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("s1's connection did not replace s2's")
		}
	}
	connects := s2.Stats().Connects
	// Both ways, in order, on the lower id's connection; s2 dials no more.
	for term := uint64(2); term <= 50; term++ {
		s1.Send(msg(1, 2, term))
		s2.Send(msg(2, 1, term))
	}
	for _, in := range []*inbox{in1, in2} {
		for term := uint64(2); term <= 50; term++ {
			m := in.next(t)
			for m.Term == 1 { // sent again above until one arrived
				m = in.next(t)
			}
			if m.Term != term {
				t.Fatalf("s%d got %+v, want term %d", m.To, m, term)
			}
		}
	}
	if !dialedBy1(s1) || !dialedBy1(s2) || s2.Stats().Connects != connects {
		t.Fatalf("the connection changed while s1's was up: s2 %+v", s2.Stats())
	}
}

// A peer that dialed in, which this one has no address for, keeps its
// connection when SetPeers changes the others: it dials again only after
// FallbackAfter, so dropping it would cut the pair off that long (as for a
// restarted server, reached by a leader it does not know yet, each time it
// applies an unrelated change of address).
func TestSetPeersKeepsAPeerThatDialedIn(t *testing.T) {
	s1, s2, _, in2 := reachedByFallback(t)
	connects := s2.Stats().Connects

	s1.SetPeers(map[raft.ID]string{3: "127.0.0.1:1"}) // a peer s1 dials; s2 is not its business
	s1.Send(msg(1, 2, 2))
	if s := s1.Stats(); s.Dropped != 0 {
		t.Fatalf("s1 dropped its message to s2 after SetPeers: %+v", s)
	}
	if m := in2.next(t); m.From != 1 || m.Term != 2 {
		t.Fatalf("s2 got %+v", m)
	}
	if s := s2.Stats(); s.Connects != connects {
		t.Fatalf("s2 dialed again: %+v", s)
	}

	// Once s1 is told s2 is not a peer while the two are apart, s2 is gone
	// from s1: it was only kept while it was connected.
	s2.Close()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		s1.mu.Lock()
		l := s1.peers[2]
		s1.mu.Unlock()
		if !l.connected() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("s1 did not see s2's connection close")
		}
	}
	s1.SetPeers(map[raft.ID]string{3: "127.0.0.1:1"})
	s1.mu.Lock()
	_, kept := s1.peers[2]
	s1.mu.Unlock()
	if kept {
		t.Fatal("s1 keeps a peer that is neither given nor connected")
	}
}

// Over TLS a dialer cannot claim an id whose address its certificate does
// not name: the peer dialed checks the certificate against the address it
// has for that id, as the dialer checks the peer it reaches.
func TestTLSTiesAnIDToItsAddress(t *testing.T) {
	ca, caKey, _, tlsFor := clusterAuthority(t)
	l2 := newLogs()
	s2, err := New(Config{ID: 2, Listen: "127.0.0.1:0", Logf: l2.logf, TLS: tlsFor(newCert(t, ca, caKey, "s2")),
		Peers: map[raft.ID]string{1: "127.0.0.2:7001"}}) // s1 is elsewhere
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	// A peer on 127.0.0.1 with a valid certificate for 127.0.0.1 says it is s1.
	s1, err := New(Config{ID: 1, Listen: "127.0.0.1:0", TLS: tlsFor(newCert(t, ca, caKey, "s1")),
		Peers: map[raft.ID]string{2: s2.Addr().String()}})
	if err != nil {
		t.Fatal(err)
	}
	defer s1.Close()
	l2.waitFor(t, "certificate is not for that host")
	if c := s2.Stats().Connects; c != 0 {
		t.Fatalf("s2 took %d connections from a certificate not for s1's address", c)
	}
	// Where s1's address is the certificate's host, it is taken.
	in2 := listen(t, s2, 2)
	s2.SetPeers(map[raft.ID]string{1: s1.Addr().String()})
	if m := in2.sendUntilDelivered(t, s1, msg(1, 2, 1)); m.From != 1 {
		t.Fatalf("s2 got %+v", m)
	}
}
