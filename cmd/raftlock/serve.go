package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/disk"
	"github.com/raftplay/raftplay/raft/lock"
	"github.com/raftplay/raftplay/raft/tcp"
	"github.com/raftplay/raftplay/raft/wallclock"
)

// serveConfig is what `raftlock serve` is told.
type serveConfig struct {
	id            raft.ID
	peers         map[raft.ID]string
	listen        string // the Raft address to listen on, if not peers[id]
	httpAddr      string
	data          string
	timeout       time.Duration
	snapshotEvery int
	history       bool
	tlsCert       string
	tlsKey        string
	tlsCA         string
	join          bool
}

func parseServe(args []string, stderr io.Writer) (*serveConfig, error) {
	fs := flag.NewFlagSet("raftlock serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := &serveConfig{}
	id := fs.Uint64("id", 0, "this server's id: one of those in -peers")
	peers := fs.String("peers", "", "every server's id and Raft address: 1=host:port,2=host:port,... (servers added later: see add)")
	fs.StringVar(&c.listen, "listen", "", "the address to listen on for the other servers, if not this server's address in -peers "+
		"(as behind NAT, or in a container: -listen 0.0.0.0:7001)")
	fs.StringVar(&c.httpAddr, "http", "127.0.0.1:8001", "address for the HTTP API")
	fs.StringVar(&c.data, "data", "", "directory for this server's log, state and snapshots (created if need be)")
	fs.DurationVar(&c.timeout, "timeout", 5*time.Second, "how long a request may wait for its answer")
	fs.IntVar(&c.snapshotEvery, "snapshot-every", raft.DefaultSnapshotEvery, "applied entries between snapshots")
	fs.BoolVar(&c.history, "keep-history", false, "keep every applied write in the state, for GET /history (tests; grows without bound)")
	fs.StringVar(&c.tlsCert, "tls-cert", "", "this server's certificate (PEM), for TLS between servers")
	fs.StringVar(&c.tlsKey, "tls-key", "", "its private key (PEM)")
	fs.StringVar(&c.tlsCA, "tls-ca", "", "the authority (PEM) that signed every server's certificate")
	fs.BoolVar(&c.join, "join", false, "on an empty -data directory, wait to be added to a running cluster (raftlock add) rather than start one; "+
		"-peers then needs only this server's address")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	var err error
	if c.peers, err = parsePeers(*peers); err != nil {
		return nil, err
	}
	c.id = raft.ID(*id)
	if _, ok := c.peers[c.id]; !ok {
		return nil, fmt.Errorf("-id %d is not among the -peers", *id)
	}
	if c.listen != "" {
		if _, _, err := net.SplitHostPort(c.listen); err != nil {
			return nil, fmt.Errorf("-listen %q: %v", c.listen, err)
		}
	}
	if c.data == "" {
		return nil, errors.New("-data is required")
	}
	if c.timeout <= 0 {
		return nil, errors.New("-timeout must be positive")
	}
	if (c.tlsCert == "") != (c.tlsKey == "") || (c.tlsCert == "") != (c.tlsCA == "") {
		return nil, errors.New("-tls-cert, -tls-key and -tls-ca go together")
	}
	return c, nil
}

// parsePeers reads "1=host:port,2=host:port".
func parsePeers(s string) (map[raft.ID]string, error) {
	if s == "" {
		return nil, errors.New("-peers is required: 1=host:port,2=host:port and so on")
	}
	peers := map[raft.ID]string{}
	for _, p := range strings.Split(s, ",") {
		idText, addr, ok := strings.Cut(p, "=")
		id, err := strconv.ParseUint(idText, 10, 64)
		if !ok || err != nil || id == 0 {
			return nil, fmt.Errorf("-peers: %q is not id=host:port (ids from 1)", p)
		}
		if _, _, err := net.SplitHostPort(addr); err != nil {
			return nil, fmt.Errorf("-peers: %q: %v", p, err)
		}
		if _, dup := peers[raft.ID(id)]; dup {
			return nil, fmt.Errorf("-peers: id %d given twice", id)
		}
		peers[raft.ID(id)] = addr
	}
	return peers, nil
}

func (c *serveConfig) tlsConfig() (*tls.Config, error) {
	if c.tlsCert == "" {
		return nil, nil
	}
	cert, err := tls.LoadX509KeyPair(c.tlsCert, c.tlsKey)
	if err != nil {
		return nil, err
	}
	ca, err := os.ReadFile(c.tlsCA)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(ca) {
		return nil, fmt.Errorf("%s holds no PEM certificate", c.tlsCA)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, RootCAs: pool, ClientCAs: pool,
		ClientAuth: tls.RequireAndVerifyClientCert, MinVersion: tls.VersionTLS13}, nil
}

// server is one running raftlock server: a Raft peer on disk and TCP, and
// its HTTP API.
type server struct {
	cfg   *serveConfig
	store *disk.Storage
	net   *tcp.Transport
	peer  *raft.Peer[state]
	http  *http.Server
	ln    net.Listener
	log   *log.Logger

	// The address book (book.go, manager.go): the newest this server has
	// seen, and the addresses its transport was last given (written by
	// manage, under mu).
	book       *book
	mu         sync.Mutex
	addrs      map[raft.ID]string
	wake       chan struct{}
	recording  atomic.Bool // recordInitial's writes are under way
	stopManage chan struct{}
	managed    chan struct{}
}

// start opens the storage (bootstrapping the cluster the first time, with
// every server in -peers, unless -join), and starts the peer, the HTTP
// API, and manage. What a
// flag can make fail (certificates, addresses) is tried before the
// bootstrap: a first start that fails leaves the directory empty, so the
// corrected command, -peers included, is the one that counts.
func start(c *serveConfig, logger *log.Logger) (*server, error) {
	s := &server{cfg: c, log: logger, wake: make(chan struct{}, 1)}
	tlsConfig, err := c.tlsConfig()
	if err != nil {
		return nil, err
	}
	if s.store, err = disk.Open(c.data, disk.Options{}); err != nil {
		return nil, err
	}
	if s.book, err = readBook(c.data); err != nil {
		s.close()
		return nil, err
	}
	s.addrs = peerAddrs(c.peers, s.book, raft.Status{})
	listen := c.listen
	if listen == "" {
		listen = c.peers[c.id]
	}
	if s.net, err = tcp.New(tcp.Config{ID: c.id, Listen: listen, Peers: s.addrs, TLS: tlsConfig, Logf: logger.Printf}); err != nil {
		s.close()
		return nil, err
	}
	if s.ln, err = net.Listen("tcp", c.httpAddr); err != nil {
		s.close()
		return nil, err
	}
	st, err := s.store.Load()
	if err == nil && !c.join && st.State.Term == 0 && len(st.Entries) == 0 && st.Snapshot.Index == 0 {
		members := make([]raft.ID, 0, len(c.peers))
		for id := range c.peers {
			members = append(members, id)
		}
		slices.Sort(members)
		err = raft.Bootstrap(s.store, members)
	}
	if err != nil {
		s.close()
		return nil, err
	}
	// PreVote and CheckQuorum: a server that was cut off or down, on its
	// return, does not depose a leader the others still follow, and a
	// leader cut off from a majority steps down.
	rc := raft.DefaultConfig(c.id)
	rc.PreVote, rc.CheckQuorum = true, true
	if s.peer, err = raft.StartPeer(machine{history: c.history, changed: s.bookChanged}, raft.PeerConfig{
		Config: rc, Storage: s.store, Transport: s.net,
		Clock: wallclock.New(10 * time.Millisecond), SnapshotEvery: c.snapshotEvery,
	}); err != nil {
		s.close()
		return nil, err
	}
	s.http = &http.Server{Handler: s.handler(), ReadHeaderTimeout: 5 * time.Second, ErrorLog: logger}
	go s.http.Serve(s.ln)
	s.stopManage, s.managed = make(chan struct{}), make(chan struct{})
	go s.manage()
	return s, nil
}

// close stops what start started, in reverse order.
func (s *server) close() error {
	var err error
	if s.http != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err = s.http.Shutdown(ctx)
		cancel()
	} else if s.ln != nil {
		err = s.ln.Close()
	}
	if s.stopManage != nil {
		close(s.stopManage)
		<-s.managed
	}
	if s.peer != nil {
		err = errors.Join(err, s.peer.Stop())
	}
	if s.net != nil {
		err = errors.Join(err, s.net.Close())
	}
	if s.store != nil {
		err = errors.Join(err, s.store.Close())
	}
	return err
}

func runServe(args []string, stderr io.Writer) int {
	c, err := parseServe(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "raftlock serve:", err)
		return 2
	}
	logger := log.New(stderr, fmt.Sprintf("raftlock s%d: ", c.id), log.LstdFlags|log.Lmicroseconds)
	s, err := start(c, logger)
	if err != nil {
		logger.Println(err)
		return 1
	}
	logger.Printf("serving Raft at %s, HTTP at http://%s, data in %s", c.peers[c.id], s.ln.Addr(), c.data)
	if st, err := s.peer.Status(); err == nil && len(st.Members) == 0 {
		logger.Printf("in no cluster yet: waiting to be added (raftlock add -id %d -addr %s -server URL of a member)", c.id, c.peers[c.id])
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	if err := s.close(); err != nil {
		logger.Println(err)
		return 1
	}
	return 0
}

// The HTTP API:
//
//	POST /lock    client=NAME session=N seq=N [lowest=N]   -> ok | error
//	POST /unlock  client=NAME session=N seq=N [lowest=N]   -> ok | error
//	GET  /read                                            -> unlocked | locked by NAME
//	GET  /status                                          -> JSON: role, term, leader, members, addresses...
//	GET  /history                                         -> JSON (with -keep-history)
//	POST /members/add, /members/remove                    -> ok (members.go)
//
// A write's session and seq are its identity: sent again, to this server
// or another, it is applied at most once and answered with its first
// reply. 503 means no answer in time: the write may or may not be applied;
// send the same request again. 400 is a bad request: sending it again
// will not help.
func (s *server) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /lock", func(w http.ResponseWriter, r *http.Request) { s.write(w, r, lock.OpLock) })
	mux.HandleFunc("POST /unlock", func(w http.ResponseWriter, r *http.Request) { s.write(w, r, lock.OpUnlock) })
	mux.HandleFunc("GET /read", s.read)
	mux.HandleFunc("GET /status", s.status)
	mux.HandleFunc("GET /history", s.history)
	mux.HandleFunc("POST /members/add", s.addServer)
	mux.HandleFunc("POST /members/remove", s.removeServer)
	return mux
}

func (s *server) write(w http.ResponseWriter, r *http.Request, op lock.Op) {
	req, err := parseWrite(r, op)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.timeout)
	defer cancel()
	reply, err := untilLeader(ctx, s.peer, func() ([]byte, error) { return s.peer.WriteRequest(ctx, req) })
	s.answer(w, reply, err)
}

// parseWrite reads a write's form into a request: the command, named by
// its identity, and the identity.
func parseWrite(r *http.Request, op lock.Op) (raft.Request, error) {
	client := r.FormValue("client")
	if err := lock.ValidClient(client); err != nil {
		return raft.Request{}, err
	}
	var n [3]uint64
	for i, name := range []string{"session", "seq", "lowest"} {
		v := r.FormValue(name)
		if v == "" && name == "lowest" {
			n[i] = n[1]
			continue
		}
		var err error
		if n[i], err = strconv.ParseUint(v, 10, 64); err != nil {
			return raft.Request{}, fmt.Errorf("%s=%q: want a number", name, v)
		}
	}
	session, seq, lowest := n[0], n[1], n[2]
	if session == 0 || session >= 1<<63 || seq == 0 || lowest == 0 || lowest > seq {
		return raft.Request{}, fmt.Errorf("want 1 <= session < 2^63 and 1 <= lowest <= seq; got session %d, seq %d, lowest %d", session, seq, lowest)
	}
	cmd := fmt.Sprintf("%d.%d %s", session, seq, lock.Command{Op: op, Client: client}.Bytes())
	return raft.Request{Client: session, Seq: seq, Lowest: lowest, Cmd: []byte(cmd)}, nil
}

func (s *server) read(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.timeout)
	defer cancel()
	reply, err := untilLeader(ctx, s.peer, func() ([]byte, error) { return s.peer.Read(ctx, nil) })
	s.answer(w, reply, err)
}

// untilLeader calls f, and again each time the peer knows a leader, while
// f fails because no leader is known (an election under way: nothing was
// placed).
func untilLeader(ctx context.Context, p *raft.Peer[state], f func() ([]byte, error)) ([]byte, error) {
	for {
		reply, err := f()
		var nl *raft.NotLeaderError
		if !errors.As(err, &nl) {
			return reply, err
		}
		if _, err := p.WaitForLeader(ctx); err != nil {
			return nil, err
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
}

func (s *server) answer(w http.ResponseWriter, reply []byte, err error) {
	switch {
	case err == nil:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "%s\n", reply)
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled):
		if st, serr := s.peer.Status(); serr == nil && len(st.Members) == 0 {
			http.Error(w, notConfigured, http.StatusServiceUnavailable)
			return
		}
		http.Error(w, fmt.Sprintf("no answer within %v: the write may or may not be applied; send the same request again", s.cfg.timeout), http.StatusServiceUnavailable)
	default:
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
	}
}

// statusJSON is GET /status.
type statusJSON struct {
	ID       raft.ID   `json:"id"`
	Role     string    `json:"role"`
	Term     uint64    `json:"term"`
	Leader   raft.ID   `json:"leader"`
	Commit   uint64    `json:"commit"`
	Applied  uint64    `json:"applied"`
	Members  []raft.ID `json:"members"`
	Learners []raft.ID `json:"learners,omitempty"` // servers being added, catching up
	Snapshot uint64    `json:"snapshot"`
	Lock     string    `json:"lock"`
	// Addresses are the Raft addresses this server's transport knows:
	// -peers, with the address book's changes.
	Addresses map[raft.ID]string `json:"addresses,omitempty"`
}

func (s *server) status(w http.ResponseWriter, _ *http.Request) {
	st, err := s.peer.Status()
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	state, _ := s.peer.State()
	writeJSON(w, statusJSON{ID: st.ID, Role: st.Role.String(), Term: st.Term, Leader: st.Leader,
		Commit: st.Commit, Applied: st.Applied, Members: st.Members, Learners: st.Learners, Snapshot: st.SnapshotIndex,
		Lock: state.Lock.String(), Addresses: s.addrsNow()})
}

// history is GET /history: the writes this server has applied, in order.
func (s *server) history(w http.ResponseWriter, _ *http.Request) {
	if !s.cfg.history {
		http.Error(w, "this server keeps no history (start it with -keep-history)", http.StatusNotFound)
		return
	}
	st, err := s.peer.State()
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	writeJSON(w, st.Ops)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}
