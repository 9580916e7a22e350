package raft_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/lock"
)

// Tests of the peer runtime through its public face: StartPeer, Write, Read,
// Submit, Cancel, SetConfiguration, WaitForLeader, Stop. Most use handNet, a
// transport the test pumps by hand, and a ManualClock, so each test decides
// when messages move and when time passes; none sleeps.

// handNet is a Transport that queues messages until the test pumps them.
// Delivery blocks until the destination peer has handled the message, so
// after pump returns the cluster is quiet.
type handNet struct {
	mu    sync.Mutex
	queue []raft.Message
	boxes map[raft.ID]*box
	log   []string // every message sent, for comparing runs
	cut   map[raft.ID]bool
	lose  func(raft.Message) bool // if set, messages it matches are lost
}

type box struct{ deliver func(raft.Message) }

func newHandNet() *handNet { return &handNet{boxes: map[raft.ID]*box{}, cut: map[raft.ID]bool{}} }

func (h *handNet) Send(m raft.Message) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.queue = append(h.queue, m)
	h.log = append(h.log, fmt.Sprintf("%v->%v %v t%d prev=%d/%d n=%d commit=%d ok=%v vote=%v",
		m.From, m.To, m.Type, m.Term, m.PrevLogIndex, m.PrevLogTerm, len(m.Entries), m.LeaderCommit, m.Success, m.VoteGranted))
}

func (h *handNet) Listen(id raft.ID, deliver func(raft.Message)) func() {
	h.mu.Lock()
	defer h.mu.Unlock()
	b := &box{deliver}
	h.boxes[id] = b
	return func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		if h.boxes[id] == b {
			delete(h.boxes, id)
		}
	}
}

// pump delivers every queued message, and the messages they cause, in
// order. Messages to or from a cut peer, or to a peer not listening, are
// lost.
func (h *handNet) pump(t testing.TB) {
	t.Helper()
	for i := 0; ; i++ {
		if i > 100000 {
			t.Fatal("messages still flowing after 100000 deliveries")
		}
		h.mu.Lock()
		if len(h.queue) == 0 {
			h.mu.Unlock()
			return
		}
		m := h.queue[0]
		h.queue = h.queue[1:]
		b := h.boxes[m.To]
		lost := h.cut[m.To] || h.cut[m.From] || (h.lose != nil && h.lose(m))
		h.mu.Unlock()
		if b != nil && !lost {
			b.deliver(m)
		}
	}
}

func (h *handNet) setLose(f func(raft.Message) bool) {
	h.mu.Lock()
	h.lose = f
	h.mu.Unlock()
}

func (h *handNet) setCut(id raft.ID, cut bool) {
	h.mu.Lock()
	h.cut[id] = cut
	h.mu.Unlock()
}

// lockCluster is n lock peers on one handNet and one ManualClock.
type lockCluster struct {
	t      testing.TB
	net    *handNet
	clock  *raft.ManualClock
	peers  map[raft.ID]*raft.Peer[lock.State]
	stores map[raft.ID]*raft.MemoryStorage
	inline bool
	config func(raft.ID) raft.Config
	every  int                           // PeerConfig.SnapshotEvery
	sm     raft.StateMachine[lock.State] // nil: lock.Machine

	mu       sync.Mutex
	applied  map[raft.ID][]raft.Applied
	installs map[raft.ID]int // snapshots taken from the leader
}

func newLockCluster(t testing.TB, n int, inline bool, config ...func(raft.ID) raft.Config) *lockCluster {
	c := &lockCluster{
		t: t, net: newHandNet(), clock: &raft.ManualClock{}, inline: inline,
		peers:    map[raft.ID]*raft.Peer[lock.State]{},
		stores:   map[raft.ID]*raft.MemoryStorage{},
		applied:  map[raft.ID][]raft.Applied{},
		installs: map[raft.ID]int{},
		config:   raft.DefaultConfig,
	}
	if len(config) > 0 {
		c.config = config[0]
	}
	for id := raft.ID(1); id <= raft.ID(n); id++ {
		c.stores[id] = raft.NewMemoryStorage()
		c.start(id)
	}
	t.Cleanup(func() {
		for _, p := range c.peers {
			p.Stop()
		}
	})
	return c
}

func (c *lockCluster) start(id raft.ID) {
	c.t.Helper()
	var sm raft.StateMachine[lock.State] = lock.Machine{}
	if c.sm != nil {
		sm = c.sm
	}
	p, err := raft.StartPeer(sm, raft.PeerConfig{
		Config:        c.config(id),
		Storage:       c.stores[id],
		Transport:     c.net,
		Clock:         c.clock,
		Inline:        c.inline,
		SnapshotEvery: c.every,
		Observe: func(o *raft.Observation) {
			c.mu.Lock()
			c.applied[id] = append(c.applied[id], o.Applied...)
			if o.Installed {
				c.installs[id]++
			}
			c.mu.Unlock()
		},
	})
	if err != nil {
		c.t.Fatal(err)
	}
	c.peers[id] = p
}

// configure makes s1 the first member of a cluster of all peers and lets the
// election finish.
func (c *lockCluster) configure() {
	c.t.Helper()
	var members []raft.ID
	for id := range c.peers {
		members = append(members, id)
	}
	slices.Sort(members)
	if err := c.peers[1].SetConfiguration(members); err != nil {
		c.t.Fatal(err)
	}
	c.net.pump(c.t)
}

// until ticks and pumps until done reports true, for at most 1000 ticks.
func (c *lockCluster) until(what string, done func() bool) {
	c.t.Helper()
	for i := 0; !done(); i++ {
		if i == 1000 {
			c.t.Fatalf("%s: not done after 1000 ticks", what)
		}
		c.clock.Tick()
		c.net.pump(c.t)
	}
}

type result struct {
	reply string
	err   error
}

// call runs a blocking call on its own goroutine and keeps time moving
// until it returns. The bound is the context's deadline, not a number of
// ticks: the caller's goroutine may wait a while to be scheduled while the
// peers and this loop hand work to each other.
func (c *lockCluster) call(ctx context.Context, f func() ([]byte, error)) (string, error) {
	c.t.Helper()
	ch := make(chan result, 1)
	go func() {
		r, err := f()
		ch <- result{string(r), err}
	}()
	for {
		select {
		case r := <-ch:
			return r.reply, r.err
		case <-ctx.Done():
			c.t.Fatalf("blocking call did not return: %v", ctx.Err())
		default:
		}
		c.clock.Tick()
		c.net.pump(c.t)
		runtime.Gosched()
	}
}

// submit starts a write at peer id and returns where its answer will land.
func (c *lockCluster) submit(id raft.ID, req raft.Request) (uint64, chan result) {
	c.t.Helper()
	ch := make(chan result, 1)
	rid, err := c.peers[id].Submit(req, func(r []byte, err error) { ch <- result{string(r), err} })
	if err != nil {
		c.t.Fatal(err)
	}
	c.net.pump(c.t)
	return rid, ch
}

// write submits cmd at peer id through the peer's own session and waits,
// ticking, for the answer.
func (c *lockCluster) write(id raft.ID, cmd []byte) string {
	c.t.Helper()
	_, ch := c.submit(id, raft.Request{Cmd: cmd})
	return c.await(ch)
}

func (c *lockCluster) await(ch chan result) string {
	c.t.Helper()
	r := c.answer(ch)
	if r.err != nil {
		c.t.Fatal(r.err)
	}
	return r.reply
}

// answer ticks and pumps until an answer lands in ch, and returns it.
func (c *lockCluster) answer(ch chan result) result {
	c.t.Helper()
	var r result
	c.until("an answer", func() bool {
		select {
		case r = <-ch:
			return true
		default:
			return false
		}
	})
	return r
}

func ctx(t *testing.T) context.Context {
	// A deadline only so that a broken test fails instead of hanging.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// startThree starts s1, s2 and s3 on net, each on its own goroutine, with
// one ManualClock that the test never ticks and the storage store gives
// each (nil: a new MemoryStorage), and makes s1 the first member of their
// cluster, as in the talk. The peers stop when the test ends.
func startThree(t *testing.T, net raft.Transport, store func(raft.ID) raft.Storage) []*raft.Peer[lock.State] {
	t.Helper()
	clock := &raft.ManualClock{}
	var peers []*raft.Peer[lock.State]
	for id := raft.ID(1); id <= 3; id++ {
		cfg := raft.PeerConfig{Config: raft.DefaultConfig(id), Transport: net, Clock: clock}
		if store != nil {
			cfg.Storage = store(id)
		}
		p, err := raft.StartPeer(lock.Machine{}, cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { p.Stop() })
		peers = append(peers, p)
	}
	if err := peers[0].SetConfiguration([]raft.ID{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	return peers
}

// The talk's demo, deterministic: writes at any peer go through the leader.
// Run on goroutines and inline, it sends exactly the same messages.
func TestPeerTalkDemoOnGoroutinesAndInline(t *testing.T) {
	var logs [][]string
	for _, inline := range []bool{false, true} {
		c := newLockCluster(t, 3, inline)
		c.configure()
		var got []string
		for _, w := range []struct {
			at  raft.ID
			cmd []byte
		}{
			{1, lock.Lock("s1")},
			{2, lock.Lock("s2")},
			{2, lock.Unlock("s2")},
			{1, lock.Unlock("s1")},
			{2, lock.Lock("s2")},
		} {
			got = append(got, fmt.Sprintf("write(%v, %s) -> %s", w.at, w.cmd, c.write(w.at, w.cmd)))
		}
		want := []string{
			"write(s1, lock s1) -> ok",
			"write(s2, lock s2) -> error",
			"write(s2, unlock s2) -> error",
			"write(s1, unlock s1) -> ok",
			"write(s2, lock s2) -> ok",
		}
		if !slices.Equal(got, want) {
			t.Fatalf("inline=%v:\n got %q\nwant %q", inline, got, want)
		}
		c.until("s3 applies everything", func() bool {
			st, _ := c.peers[3].State()
			return st == lock.State{Locked: true, Holder: "s2"}
		})
		logs = append(logs, c.net.log)
	}
	if !slices.Equal(logs[0], logs[1]) {
		t.Fatalf("goroutine and inline runs sent different messages (%d and %d)", len(logs[0]), len(logs[1]))
	}
}

// Write and Read block until the answer; at the leader they need no tick.
// WaitForLeader answers once the peer knows its leader. This runs on the
// package's Network, each peer on its own goroutine.
func TestPeerWriteReadAndWaitForLeaderOnNetwork(t *testing.T) {
	peers := startThree(t, raft.NewNetwork(), nil)
	ctx := ctx(t)
	for _, p := range peers {
		l, err := p.WaitForLeader(ctx)
		if err != nil || l != 1 {
			t.Fatalf("%v: WaitForLeader = %v, %v; want s1 (the only candidate: no tick, no other election)", p.ID(), l, err)
		}
	}
	if r, err := peers[0].Write(ctx, lock.Lock("alice")); err != nil || string(r) != "ok" {
		t.Fatalf("Write(lock alice) = %q, %v; want ok", r, err)
	}
	if r, err := peers[0].Read(ctx, nil); err != nil || string(r) != "locked by alice" {
		t.Fatalf("Read = %q, %v; want \"locked by alice\"", r, err)
	}
}

// A follower's Write and Read block too; the test keeps time moving while
// they wait (the follower learns of commits from heartbeats). A read at a
// lagging follower waits until the follower has applied the read index: it
// never answers from its stale state.
func TestPeerWriteAndReadAtAFollower(t *testing.T) {
	c := newLockCluster(t, 3, false, func(id raft.ID) raft.Config {
		cfg := raft.DefaultConfig(id)
		cfg.ElectionTimeoutMin, cfg.ElectionTimeoutMax = 200, 300 // s3 must not time out below
		return cfg
	})
	c.configure()
	ctx := ctx(t)
	call := func(f func() ([]byte, error)) (string, error) { return c.call(ctx, f) }
	if r, err := call(func() ([]byte, error) { return c.peers[2].Write(ctx, lock.Lock("bob")) }); err != nil || r != "ok" {
		t.Fatalf("Write at s2 = %q, %v; want ok", r, err)
	}
	c.until("s3 applies lock bob", func() bool { st, _ := c.peers[3].Status(); return st.Applied == 3 })
	// s3 hears nothing from the leader while bob unlocks at s2.
	c.net.setLose(func(m raft.Message) bool { return m.Type == raft.MsgApp && m.To == 3 })
	if r := c.write(2, lock.Unlock("bob")); r != "ok" {
		t.Fatalf("unlock bob = %q, want ok", r)
	}
	read := make(chan result, 1)
	if _, err := c.peers[3].SubmitRead(nil, func(b []byte, err error) { read <- result{string(b), err} }); err != nil {
		t.Fatal(err)
	}
	for range 10 {
		c.clock.Tick()
		c.net.pump(t)
	}
	select {
	case r := <-read:
		t.Fatalf("lagging s3 answered %q before applying the unlock", r.reply)
	default:
	}
	if st, _ := c.peers[3].Status(); st.Role != raft.Follower || st.Leader != 1 || st.Applied != 3 {
		t.Fatalf("s3: %+v, want a follower of s1 that has applied only the first 3 entries", st)
	}
	c.net.setLose(nil)
	if r := c.await(read); r != "unlocked" {
		t.Fatalf("read at s3 = %q, want \"unlocked\"", r)
	}
	if r, err := call(func() ([]byte, error) { return c.peers[3].Read(ctx, nil) }); err != nil || r != "unlocked" {
		t.Fatalf("Read at s3 = %q, %v; want \"unlocked\": a read never misses a completed write", r, err)
	}
}

// A peer that knows no leader refuses a write at once with a
// *NotLeaderError; nothing is queued behind the caller's back. A peer that
// was never configured says so (no election will ever start there), and
// callers can tell with errors.Is(err, raft.ErrNotConfigured).
func TestPeerWriteWithNoLeaderIsNotLeaderError(t *testing.T) {
	c := newLockCluster(t, 3, false)
	_, err := c.peers[2].Write(ctx(t), lock.Lock("a"))
	var nl *raft.NotLeaderError
	if !errors.As(err, &nl) || nl.Peer != 2 {
		t.Fatalf("Write with no leader = %v, want *NotLeaderError", err)
	}
	_, rerr := c.peers[2].Read(ctx(t), nil)
	if !errors.As(rerr, &nl) {
		t.Fatalf("Read with no leader = %v, want *NotLeaderError", rerr)
	}
	for what, err := range map[string]error{"Write": err, "Read": rerr} {
		if !errors.Is(err, raft.ErrNotConfigured) || !strings.Contains(err.Error(), "no cluster") || strings.Contains(err.Error(), "election may be under way") {
			t.Errorf("%s at a peer never configured = %q, want ErrNotConfigured saying it belongs to no cluster", what, err)
		}
	}
	// Configured, between elections: not ErrNotConfigured.
	c.peers[1].SetConfiguration([]raft.ID{1, 2, 3})
	_, err = c.peers[1].Write(ctx(t), lock.Lock("a"))
	if !errors.As(err, &nl) || errors.Is(err, raft.ErrNotConfigured) {
		t.Fatalf("Write at a candidate = %v, want a *NotLeaderError that is not ErrNotConfigured", err)
	}
}

// A retried write (same client and sequence number) is applied once and
// gets its first reply: a retried "lock alice" answers ok, not error. A
// write below the client's Lowest is never applied again.
func TestPeerSessionRetryIsAppliedOnceWithItsFirstReply(t *testing.T) {
	c := newLockCluster(t, 3, true)
	c.configure()
	w1 := raft.Request{Client: 9, Seq: 1, Lowest: 1, Cmd: lock.Lock("alice")}
	if r := c.await(second(c.submit(2, w1))); r != "ok" {
		t.Fatalf("lock alice = %q, want ok", r)
	}
	if r := c.await(second(c.submit(3, w1))); r != "ok" {
		t.Fatalf("retry of lock alice = %q, want its first reply ok (applied again it would be error)", r)
	}
	// Another client locks in between; the retry still gets its first reply.
	if r := c.write(1, lock.Lock("bob")); r != "error" {
		t.Fatalf("lock bob = %q, want error", r)
	}
	if r := c.await(second(c.submit(1, w1))); r != "ok" {
		t.Fatalf("second retry = %q, want ok", r)
	}
	c.until("all apply", func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		return len(c.applied[3]) == len(c.applied[1]) && len(c.applied[1]) > 0
	})
	for id := raft.ID(1); id <= 3; id++ {
		ran := 0
		for _, a := range c.applied[id] {
			if a.Entry.Client == 9 && a.Entry.Seq == 1 && !a.Skipped {
				ran++
			}
		}
		if ran != 1 {
			t.Fatalf("%v ran client 9's write %d times, want once", id, ran)
		}
	}
	// The client has heard seq 1 (Lowest 2): an old copy of it is stale and
	// is not applied, even where applying it would change the lock.
	w2 := raft.Request{Client: 9, Seq: 2, Lowest: 2, Cmd: lock.Unlock("alice")}
	if r := c.await(second(c.submit(1, w2))); r != "ok" {
		t.Fatalf("unlock alice = %q, want ok", r)
	}
	id, _ := c.submit(1, w1)
	c.until("stale copy applied", func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		as := c.applied[1]
		a := as[len(as)-1]
		return a.Entry.Client == 9 && a.Entry.Seq == 1
	})
	if st, _ := c.peers[1].State(); st.Locked {
		t.Fatalf("a stale copy of lock alice was applied: %v", st)
	}
	c.peers[1].Cancel(id)
}

// A command without a session (client 0), which a peer may receive from a
// core driven directly, is applied every time; the observer sees the state
// machine's reply like any other.
func TestPeerObservesTheReplyOfASessionlessCommand(t *testing.T) {
	c := newLockCluster(t, 1, true)
	c.configure()
	for _, want := range []string{"ok", "error"} {
		c.net.Send(raft.Message{Type: raft.MsgProp, From: 7, To: 1, Entries: []raft.Entry{{Data: lock.Lock("a")}}})
		c.net.pump(t)
		as := c.applied[1]
		a := as[len(as)-1]
		if string(a.Entry.Data) != "lock a" || string(a.Reply) != want || a.Skipped {
			t.Fatalf("observed %+v (reply %q), want lock a applied with reply %q", a, a.Reply, want)
		}
	}
}

// A write below its client's Lowest (the client said it has the reply) is
// stale: it is not applied, and whoever waits for it here gets an error
// instead of waiting, and resending it, forever.
func TestPeerStaleWriteIsAnsweredWithAnError(t *testing.T) {
	c := newLockCluster(t, 1, true)
	c.configure()
	c.await(second(c.submit(1, raft.Request{Client: 9, Seq: 1, Lowest: 1, Cmd: lock.Lock("a")})))
	c.await(second(c.submit(1, raft.Request{Client: 9, Seq: 2, Lowest: 2, Cmd: lock.Unlock("a")})))
	_, ch := c.submit(1, raft.Request{Client: 9, Seq: 1, Lowest: 1, Cmd: lock.Lock("a")})
	select {
	case r := <-ch:
		if r.err == nil {
			t.Fatalf("stale write answered %q, want an error", r.reply)
		}
	default:
		t.Fatal("stale write not answered once applied")
	}
	before, _ := c.peers[1].Status()
	for range 300 {
		c.clock.Tick()
		c.net.pump(t)
	}
	if after, _ := c.peers[1].Status(); after.LastIndex != before.LastIndex {
		t.Fatalf("log grew from %d to %d entries: the stale write is still being resent", before.LastIndex, after.LastIndex)
	}
	if st, _ := c.peers[1].State(); st.Locked {
		t.Fatal("the stale write was applied")
	}
}

func second(_ uint64, ch chan result) chan result { return ch }

// Stop is a crash: waiting writes, reads and WaitForLeader calls get
// ErrStopped, and so does every later call. Stop may be called twice.
func TestPeerStopFailsWaitingRequests(t *testing.T) {
	for _, inline := range []bool{false, true} {
		c := newLockCluster(t, 3, inline)
		c.configure()
		c.net.setCut(2, true)
		c.net.setCut(3, true)
		p := c.peers[1]
		_, w := c.submit(1, raft.Request{Cmd: lock.Lock("a")}) // cannot commit
		r := make(chan result, 1)
		if _, err := p.SubmitRead(nil, func(b []byte, err error) { r <- result{string(b), err} }); err != nil {
			t.Fatal(err)
		}
		c.net.pump(t)
		if !inline {
			lonely, err := raft.StartPeer(lock.Machine{}, raft.PeerConfig{Config: raft.DefaultConfig(9), Transport: c.net, Clock: c.clock})
			if err != nil {
				t.Fatal(err)
			}
			wfl := make(chan error, 1)
			go func() { _, err := lonely.WaitForLeader(context.Background()); wfl <- err }()
			if _, err := lonely.Status(); err != nil { // WaitForLeader may or may not be in: both end the same
				t.Fatal(err)
			}
			lonely.Stop()
			if err := <-wfl; !errors.Is(err, raft.ErrStopped) {
				t.Fatalf("WaitForLeader on a stopped peer = %v, want ErrStopped", err)
			}
		}
		if err := p.Stop(); err != nil {
			t.Fatal(err)
		}
		for what, ch := range map[string]chan result{"write": w, "read": r} {
			select {
			case got := <-ch:
				if !errors.Is(got.err, raft.ErrStopped) {
					t.Fatalf("inline=%v: waiting %s ended with %v, want ErrStopped", inline, what, got.err)
				}
			default:
				t.Fatalf("inline=%v: waiting %s not answered by Stop", inline, what)
			}
		}
		if _, err := p.Status(); !errors.Is(err, raft.ErrStopped) {
			t.Fatalf("Status after Stop = %v, want ErrStopped", err)
		}
		if _, err := p.Submit(raft.Request{Cmd: lock.Lock("a")}, func([]byte, error) {}); !errors.Is(err, raft.ErrStopped) {
			t.Fatalf("Submit after Stop = %v, want ErrStopped", err)
		}
		if err := p.SetConfiguration([]raft.ID{1}); !errors.Is(err, raft.ErrStopped) {
			t.Fatalf("SetConfiguration after Stop = %v, want ErrStopped", err)
		}
		if err := p.Stop(); err != nil {
			t.Fatalf("second Stop = %v", err)
		}
	}
	// A blocked Write on goroutines ends with ErrStopped too.
	c := newLockCluster(t, 3, false)
	c.configure()
	c.net.setCut(2, true)
	c.net.setCut(3, true)
	done := make(chan error, 1)
	go func() { _, err := c.peers[1].Write(context.Background(), lock.Lock("a")); done <- err }()
	c.peers[1].Stop()
	if err := <-done; !errors.Is(err, raft.ErrStopped) {
		t.Fatalf("blocked Write after Stop = %v, want ErrStopped", err)
	}
}

// Inline, a peer runs on the caller's goroutine: Write and Read, which
// would wait forever, refuse with ErrInline; Submit and SubmitRead work.
func TestPeerInlineMode(t *testing.T) {
	c := newLockCluster(t, 3, true)
	c.configure()
	if _, err := c.peers[1].Write(ctx(t), lock.Lock("a")); !errors.Is(err, raft.ErrInline) {
		t.Fatalf("inline Write = %v, want ErrInline", err)
	}
	if _, err := c.peers[1].Read(ctx(t), nil); !errors.Is(err, raft.ErrInline) {
		t.Fatalf("inline Read = %v, want ErrInline", err)
	}
	if r := c.write(2, lock.Lock("a")); r != "ok" {
		t.Fatalf("inline Submit = %q, want ok", r)
	}
	ch := make(chan result, 1)
	if _, err := c.peers[3].SubmitRead(nil, func(b []byte, err error) { ch <- result{string(b), err} }); err != nil {
		t.Fatal(err)
	}
	if r := c.await(ch); r != "locked by a" {
		t.Fatalf("inline SubmitRead = %q, want \"locked by a\"", r)
	}
}

// Cancel gives up the answer, not the write: done is never called, and the
// write may still be applied. A canceled read is never answered. A Write
// whose context ends returns the context's error.
func TestPeerCancel(t *testing.T) {
	c := newLockCluster(t, 3, false)
	c.configure()
	called := make(chan string, 2)
	id, err := c.peers[2].Submit(raft.Request{Cmd: lock.Lock("a")}, func(b []byte, err error) { called <- "write" })
	if err != nil {
		t.Fatal(err)
	}
	rid, err := c.peers[3].SubmitRead(nil, func(b []byte, err error) { called <- "read" })
	if err != nil {
		t.Fatal(err)
	}
	if err := c.peers[2].Cancel(id); err != nil {
		t.Fatal(err)
	}
	if err := c.peers[3].Cancel(rid); err != nil {
		t.Fatal(err)
	}
	c.until("write applied everywhere", func() bool {
		st, _ := c.peers[3].State()
		return st.Locked
	})
	for range 50 {
		c.clock.Tick()
		c.net.pump(t)
	}
	select {
	case what := <-called:
		t.Fatalf("canceled %s was answered", what)
	default:
	}
	// A Write whose context is already done returns its error (the write
	// cannot finish first: nothing is delivered until the test pumps).
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.peers[1].Write(canceled, lock.Unlock("a")); !errors.Is(err, context.Canceled) {
		t.Fatalf("Write with a canceled context = %v, want context.Canceled", err)
	}
}

// Reference: Figure 2, "Persistent state on all servers": a peer restarted
// from its storage keeps its term, vote and log, and applies its log again
// once it learns what is committed. Its own session is new after the
// restart, so its first write is not mistaken for a retry of its first
// write before the crash.
func TestPeerRestartFromStorage(t *testing.T) {
	c := newLockCluster(t, 1, true)
	c.configure()
	if r := c.write(1, lock.Lock("a")); r != "ok" { // the peer's own session, seq 1
		t.Fatalf("lock a = %q", r)
	}
	before, _ := c.peers[1].Status()
	c.peers[1].Stop()
	c.start(1)
	after, err := c.peers[1].Status()
	if err != nil {
		t.Fatal(err)
	}
	if after.Term != before.Term || after.Vote != before.Vote || after.LastIndex != before.LastIndex {
		t.Fatalf("restarted: term %d vote %v last %d; before the crash: %d %v %d",
			after.Term, after.Vote, after.LastIndex, before.Term, before.Vote, before.LastIndex)
	}
	if st, _ := c.peers[1].State(); st.Locked {
		t.Fatal("a restarted peer applied entries before knowing they are committed")
	}
	c.until("replay", func() bool {
		st, _ := c.peers[1].State()
		return st.Locked
	})
	if st, _ := c.peers[1].State(); st.Holder != "a" {
		t.Fatalf("replayed state = %v, want locked by a", st)
	}
	// seq 1 of the new boot: applied, not answered from the old session.
	if r := c.write(1, lock.Unlock("a")); r != "ok" {
		t.Fatalf("unlock a after restart = %q, want ok", r)
	}
	if st, _ := c.peers[1].State(); st.Locked {
		t.Fatal("unlock after restart was not applied")
	}
}

// Bad configurations and bad requests are errors, not panics or hangs.
func TestPeerRefusesBadConfigurationAndRequests(t *testing.T) {
	net, clock := newHandNet(), &raft.ManualClock{}
	good := raft.PeerConfig{Config: raft.DefaultConfig(1), Transport: net, Clock: clock, Inline: true}
	for name, cfg := range map[string]raft.PeerConfig{
		"no transport": {Config: raft.DefaultConfig(1), Clock: clock},
		"no clock":     {Config: raft.DefaultConfig(1), Transport: net},
		"id 0":         {Config: raft.DefaultConfig(0), Transport: net, Clock: clock},
		"no timeouts":  {Config: raft.Config{ID: 1}, Transport: net, Clock: clock},
	} {
		if _, err := raft.StartPeer(lock.Machine{}, cfg); err == nil {
			t.Errorf("StartPeer with %s: no error", name)
		}
	}
	p, err := raft.StartPeer(lock.Machine{}, good)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Stop()
	for name, req := range map[string]raft.Request{
		"reserved client id": {Client: 1 << 63, Seq: 1},
		"seq 0":              {Client: 5, Seq: 0},
		"lowest above seq":   {Client: 5, Seq: 2, Lowest: 3},
	} {
		if _, err := p.Submit(req, func([]byte, error) {}); err == nil {
			t.Errorf("Submit with %s: no error", name)
		}
	}
	for name, ms := range map[string][]raft.ID{
		"no members":     nil,
		"without itself": {2, 3},
		"peer id 0":      {1, 0},
		"duplicate":      {1, 2, 2},
		"too many": slices.Collect(func(yield func(raft.ID) bool) {
			for i := range raft.MaxPeers + 1 {
				yield(raft.ID(i + 1))
			}
		}),
	} {
		if err := p.SetConfiguration(ms); err == nil {
			t.Errorf("SetConfiguration %s: no error", name)
		}
	}
	if err := p.SetConfiguration([]raft.ID{1}); err != nil {
		t.Fatal(err)
	}
	if err := p.SetConfiguration([]raft.ID{1}); err == nil {
		t.Error("SetConfiguration twice: no error")
	}
}

// A write is never silently lost nor applied twice. Here the leader takes a
// forwarded write but is cut off before it can replicate it; the others
// elect a new leader, the origin resends the write after RetryTicks, and
// when the old leader returns its stale copy is overwritten: every peer
// applies the write exactly once, and the writer gets its reply.
func TestPeerRetriesAWriteLostWithItsLeader(t *testing.T) {
	c := newLockCluster(t, 3, false)
	c.configure()
	// s1 still hears forwarded writes, but nothing it says gets out.
	c.net.setLose(func(m raft.Message) bool { return m.From == 1 || (m.To == 1 && m.Type != raft.MsgProp) })
	_, ch := c.submit(2, raft.Request{Cmd: lock.Lock("a")})
	if st, _ := c.peers[1].Status(); st.LastIndex != 3 {
		t.Fatalf("s1 holds %d entries, want the forwarded write appended at 3", st.LastIndex)
	}
	if r := c.await(ch); r != "ok" {
		t.Fatalf("write = %q, want ok", r)
	}
	if st, _ := c.peers[2].Status(); st.Term < 3 {
		t.Fatalf("the write completed in term %d, without a new leader", st.Term)
	}
	c.net.setLose(nil)
	c.until("s1 catches up", func() bool {
		st, _ := c.peers[1].State()
		return st.Locked
	})
	c.mu.Lock()
	defer c.mu.Unlock()
	for id := raft.ID(1); id <= 3; id++ {
		ran := 0
		for _, a := range c.applied[id] {
			if string(a.Entry.Data) == "lock a" && !a.Skipped {
				ran++
			}
		}
		if ran != 1 {
			t.Fatalf("%v applied the write %d times, want once", id, ran)
		}
	}
}

// failingStorage fails every Append once told to.
type failingStorage struct {
	*raft.MemoryStorage
	mu   sync.Mutex
	fail bool
}

func (s *failingStorage) Append(es []raft.Entry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail && len(es) > 0 {
		return errors.New("disk full")
	}
	return s.MemoryStorage.Append(es)
}

// A peer whose storage fails stops (fail-stop): going on could break what
// it promised others. Waiting requests and later calls get the error.
// It behaves the same inline and on its own goroutine.
func TestPeerStopsWhenItsStorageFails(t *testing.T) {
	for _, inline := range []bool{false, true} {
		t.Run(fmt.Sprintf("inline=%v", inline), func(t *testing.T) { testStorageFailure(t, inline) })
	}
}

func testStorageFailure(t *testing.T, inline bool) {
	net, clock := newHandNet(), &raft.ManualClock{}
	s := &failingStorage{MemoryStorage: raft.NewMemoryStorage()}
	p, err := raft.StartPeer(lock.Machine{}, raft.PeerConfig{Config: raft.DefaultConfig(1), Storage: s, Transport: net, Clock: clock, Inline: inline})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Stop()
	if err := p.SetConfiguration([]raft.ID{1}); err != nil {
		t.Fatal(err)
	}
	r := make(chan error, 1)
	if _, err := p.SubmitRead(nil, func(_ []byte, err error) { r <- err }); err != nil {
		t.Fatal(err)
	}
	<-r // answered: a cluster of one reads at once
	s.mu.Lock()
	s.fail = true
	s.mu.Unlock()
	w := make(chan error, 1)
	// The write was taken, so its outcome comes one way: through done.
	if _, err = p.Submit(raft.Request{Cmd: lock.Lock("a")}, func(_ []byte, err error) { w <- err }); err != nil {
		t.Fatalf("Submit of a write the peer took = %v; its failure belongs to done", err)
	}
	if err := <-w; err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("the write ended with %v, want the storage error", err)
	}
	if _, err := p.State(); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("State after the failure = %v, want the storage error", err)
	}
	if err := p.Stop(); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("Stop = %v, want the storage error", err)
	}
}

// Reference: dissertation section 6.4: a read index is good for the read it
// was asked for, not for a later one. A follower names each read, and the
// leader's answer carries the name back; a restarted peer must not give a
// new read the name of one asked before its crash, or a reply to the old
// read, still in the network, answers the new one with an index from
// before a write that completed ahead of it.
func TestPeerReadReplyFromBeforeARestartAnswersNoNewRead(t *testing.T) {
	c := newLockCluster(t, 3, true)
	c.configure()
	// s3 asks for a read; the leader's answer is held back in the network.
	var held []raft.Message
	c.net.setLose(func(m raft.Message) bool {
		if m.Type == raft.MsgReadResp && m.To == 3 {
			held = append(held, m)
			return true
		}
		return false
	})
	first := make(chan result, 1)
	if _, err := c.peers[3].SubmitRead(nil, func(b []byte, err error) { first <- result{string(b), err} }); err != nil {
		t.Fatal(err)
	}
	c.net.pump(t)
	if len(held) != 1 {
		t.Fatalf("%d read replies to s3, want 1", len(held))
	}
	// s3 crashes and restarts, and catches up with that read index.
	c.peers[3].Stop()
	if r := <-first; !errors.Is(r.err, raft.ErrStopped) {
		t.Fatalf("the first read ended with %q, %v; want ErrStopped", r.reply, r.err)
	}
	c.start(3)
	c.until("s3 follows s1 and applies the read index", func() bool {
		st, _ := c.peers[3].Status()
		return st.Leader == 1 && st.Applied >= held[0].ReadIndex
	})
	// A write completes while s3 hears nothing more from the leader.
	c.net.setLose(func(m raft.Message) bool { return m.To == 3 && (m.Type == raft.MsgApp || m.Type == raft.MsgReadResp) })
	if r := c.write(1, lock.Lock("a")); r != "ok" {
		t.Fatalf("lock a = %q, want ok", r)
	}
	// s3 asks for a new read (the leader's answer is lost); the old answer
	// arrives.
	second := make(chan result, 1)
	if _, err := c.peers[3].SubmitRead(nil, func(b []byte, err error) { second <- result{string(b), err} }); err != nil {
		t.Fatal(err)
	}
	c.net.pump(t)
	c.net.setLose(func(m raft.Message) bool { return m.To == 3 && m.Type == raft.MsgApp })
	c.net.Send(held[0])
	c.net.pump(t)
	select {
	case r := <-second:
		t.Fatalf("a read asked after lock a completed answered %q, %v: the reply to a read from before s3's restart answered it", r.reply, r.err)
	default:
	}
	c.net.setLose(nil)
	if r := c.await(second); r != "locked by a" {
		t.Fatalf("read at s3 = %q, want \"locked by a\"", r)
	}
}

// A client that submits a write again at a peer where it is still waiting
// (same client, same sequence number) is told so at once. Before, the
// second request took the first one's place in the peer's table: the
// first was never answered and was resent forever, and canceling the
// first left the second unanswered in the same way.
func TestPeerSameWriteSubmittedTwiceIsRefused(t *testing.T) {
	c := newLockCluster(t, 3, true)
	c.configure()
	c.net.setLose(func(m raft.Message) bool { return m.From == 1 && m.Type == raft.MsgApp })
	w := raft.Request{Client: 9, Seq: 1, Lowest: 1, Cmd: lock.Lock("a")}
	id1, first := c.submit(1, w)
	ch := make(chan result, 1)
	id2, err := c.peers[1].Submit(w, func(r []byte, err error) { ch <- result{string(r), err} })
	if !errors.Is(err, raft.ErrPending) || id2 != 0 {
		t.Fatalf("the second submission got id %d and %v; want 0 and ErrPending (the first is id %d)", id2, err, id1)
	}
	select {
	case r := <-ch:
		t.Fatalf("the refused submission was also answered through done: %q, %v; a refusal comes one way", r.reply, r.err)
	default:
	}
	c.net.setLose(nil)
	if r := c.await(first); r != "ok" {
		t.Fatalf("lock a = %q, want ok", r)
	}
	// Once answered (or canceled), the same write may be submitted again:
	// a retry, answered with the first reply.
	if r := c.await(second(c.submit(1, w))); r != "ok" {
		t.Fatalf("retry of lock a = %q, want its first reply ok", r)
	}
}

// Callers on other goroutines learn of a storage failure from the call
// that returns it, not by reading the peer's error while the peer's
// goroutine may be setting it (run with -race; it may take a few -count).
func TestPeerStorageFailureSeenByConcurrentCallers(t *testing.T) {
	net, clock := newHandNet(), &raft.ManualClock{}
	s := &failingStorage{MemoryStorage: raft.NewMemoryStorage()}
	p, err := raft.StartPeer(lock.Machine{}, raft.PeerConfig{Config: raft.DefaultConfig(1), Storage: s, Transport: net, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Stop()
	if err := p.SetConfiguration([]raft.ID{1}); err != nil {
		t.Fatal(err)
	}
	polled := make(chan error)
	go func() {
		for {
			if _, err := p.Status(); err != nil {
				polled <- err
				return
			}
		}
	}()
	s.mu.Lock()
	s.fail = true
	s.mu.Unlock()
	done := make(chan error, 1)
	if _, err := p.Submit(raft.Request{Cmd: lock.Lock("a")}, func(_ []byte, err error) { done <- err }); err != nil {
		t.Fatalf("Submit = %v; the write was taken, its failure belongs to done", err)
	}
	if err := <-done; err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("the write ended with %v, want the storage error", err)
	}
	if err := <-polled; !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("Status after the failure = %v, want the storage error", err)
	}
}

// Campaign starts an election at once, on goroutines and inline, and the
// observer hears it as an election begun by hand; on the leader it does
// nothing. SetElectionTimer decides when a follower's timer fires.
func TestPeerCampaignAndSetElectionTimer(t *testing.T) {
	for _, inline := range []bool{false, true} {
		c := newLockCluster(t, 3, inline)
		var mu sync.Mutex
		var campaigns []raft.Observation
		for id := raft.ID(1); id <= 3; id++ {
			c.peers[id].Stop()
			p, err := raft.StartPeer(lock.Machine{}, raft.PeerConfig{
				Config: raft.DefaultConfig(id), Storage: c.stores[id], Transport: c.net, Clock: c.clock, Inline: inline,
				Observe: func(o *raft.Observation) {
					if o.Input == raft.InputCampaign {
						mu.Lock()
						campaigns = append(campaigns, raft.Observation{Input: o.Input, TimedOut: o.TimedOut})
						mu.Unlock()
					}
				},
			})
			if err != nil {
				t.Fatal(err)
			}
			c.peers[id] = p
		}
		c.configure()
		leader, err := c.peers[1].Status()
		if err != nil || leader.Role != raft.Leader {
			t.Fatalf("inline=%v: s1 is %v (%v), want the leader after configuring", inline, leader.Role, err)
		}
		if err := c.peers[1].Campaign(); err != nil {
			t.Fatal(err)
		}
		if st, _ := c.peers[1].Status(); st.Role != raft.Leader || st.Term != leader.Term {
			t.Fatalf("inline=%v: Campaign on the leader made it %v in term %d", inline, st.Role, st.Term)
		}
		if err := c.peers[3].Campaign(); err != nil {
			t.Fatal(err)
		}
		if st, _ := c.peers[3].Status(); st.Role != raft.Candidate || st.Term != leader.Term+1 {
			t.Fatalf("inline=%v: after Campaign s3 is %v in term %d, want candidate in term %d", inline, st.Role, st.Term, leader.Term+1)
		}
		mu.Lock()
		got := slices.Clone(campaigns)
		mu.Unlock()
		if len(got) != 2 || got[0].TimedOut || !got[1].TimedOut {
			t.Fatalf("inline=%v: observed campaigns %+v, want one that changed nothing, then one that began an election", inline, got)
		}
		c.net.pump(t)
		if st, _ := c.peers[3].Status(); st.Role != raft.Leader {
			t.Fatalf("inline=%v: s3 is %v after its election, want leader", inline, st.Role)
		}
		if err := c.peers[2].SetElectionTimer(2); err != nil {
			t.Fatal(err)
		}
		if st, _ := c.peers[2].Status(); st.ElectionTimeout-st.ElectionElapsed != 2 {
			t.Fatalf("inline=%v: s2's timer has %d of %d ticks left, want 2", inline, st.ElectionTimeout-st.ElectionElapsed, st.ElectionTimeout)
		}
	}
}
