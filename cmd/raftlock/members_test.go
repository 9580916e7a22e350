package main

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"maps"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/raftplay/raftplay/raft"
)

// memberCluster is raftlock servers in this process, each with its disk
// storage, TCP transport and HTTP API, started and stopped as the
// command does.
type memberCluster struct {
	t     *testing.T
	dir   string
	cfgs  map[raft.ID]*serveConfig
	srv   map[raft.ID]*server
	urls  map[raft.ID]string
	raftA map[raft.ID]string
}

func newMemberCluster(t *testing.T, n int) *memberCluster {
	c := &memberCluster{t: t, dir: t.TempDir(), cfgs: map[raft.ID]*serveConfig{}, srv: map[raft.ID]*server{},
		urls: map[raft.ID]string{}, raftA: map[raft.ID]string{}}
	for id := raft.ID(1); id <= raft.ID(n+3); id++ {
		c.raftA[id] = freePort(t)
	}
	peers := map[raft.ID]string{}
	for id := raft.ID(1); id <= raft.ID(n); id++ {
		peers[id] = c.raftA[id]
	}
	for id := raft.ID(1); id <= raft.ID(n); id++ {
		c.cfgs[id] = c.config(id, peers, false)
		c.start(id)
	}
	t.Cleanup(func() {
		for _, s := range c.srv {
			s.close()
		}
	})
	return c
}

func (c *memberCluster) config(id raft.ID, peers map[raft.ID]string, join bool) *serveConfig {
	return &serveConfig{id: id, peers: peers, httpAddr: "127.0.0.1:0", data: filepath.Join(c.dir, id.String()),
		timeout: 5 * time.Second, snapshotEvery: 4, join: join}
}

func (c *memberCluster) start(id raft.ID) {
	c.t.Helper()
	s, err := start(c.cfgs[id], log.New(io.Discard, "", 0))
	if err != nil {
		c.t.Fatalf("starting %v: %v", id, err)
	}
	c.srv[id], c.urls[id] = s, "http://"+s.ln.Addr().String()
}

func (c *memberCluster) stop(id raft.ID) {
	c.t.Helper()
	if err := c.srv[id].close(); err != nil {
		c.t.Fatalf("stopping %v: %v", id, err)
	}
	delete(c.srv, id)
}

// cli runs a raftlock client command and returns its exit code and what
// it printed.
func (c *memberCluster) cli(args ...string) (int, string) {
	var out, errs bytes.Buffer
	t0 := time.Now()
	code := run(args, &out, &errs)
	c.t.Logf("%v: %q -> %d in %v", time.Now().Format("15:04:05.000"), args[:3], code, time.Since(t0))
	return code, strings.TrimSpace(out.String() + errs.String())
}

// until waits for cond, checked every few milliseconds, for at most 20
// seconds.
func (c *memberCluster) until(what string, cond func() bool) {
	c.t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			c.t.Fatalf("no %s within 20s", what)
		}
	}
}

func (c *memberCluster) status(id raft.ID) raft.Status {
	st, _ := c.srv[id].peer.Status()
	return st
}

// lead makes id the leader, by a transfer if another leads.
func (c *memberCluster) lead(id raft.ID) {
	c.t.Helper()
	c.until(fmt.Sprintf("%v leading", id), func() bool {
		l := c.leader()
		if l != 0 && l != id {
			c.srv[l].peer.TransferLeadership(id) // refused while one is under way: the next round asks again
		}
		return l == id
	})
}

func (c *memberCluster) leader() raft.ID {
	for id := range c.srv {
		if st := c.status(id); st.Role == raft.Leader {
			return id
		}
	}
	return 0
}

// freePort returns a loopback address with a port free a moment ago.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// A cluster of three grows to four at runtime: the new server, started
// with -join and only its own address, is added with `raftlock add` at a
// follower, catches up (from a snapshot: the others compact every few
// entries) and counts in majorities: with s1 down, a write needs s4. The
// addresses survive restarts: s1, restarted with its original -peers
// while s4 leads, must dial s4 (the lower id dials), and knows its
// address from its data directory at once, before it hears from anyone
// (its snapshot holds no address book). Then the cluster shrinks back by
// removing its leader, s4, and every transport forgets s4's address.
// Bad changes are refused with a clear message and exit code.
func TestClusterGrowsAndShrinks(t *testing.T) {
	c := newMemberCluster(t, 3)
	if code, out := c.cli("lock", "-client", "alice", "-server", c.urls[1]); code != 0 || out != "ok" {
		t.Fatalf("lock: %d %q", code, out)
	}
	for i := range 6 { // enough entries that a snapshot replaces the log's start
		c.cli("lock", "-client", fmt.Sprintf("c%d", i), "-server", c.urls[2])
	}

	c.until("every log compacted", func() bool {
		for id := range c.srv {
			if c.status(id).SnapshotIndex == 0 {
				return false
			}
		}
		return true
	})
	// s1 compacts no more: its snapshot will hold no address book, which
	// it then knows, when it restarts, from its data directory alone.
	c.stop(1)
	c.cfgs[1].snapshotEvery = -1
	c.start(1)

	c.cfgs[4] = c.config(4, map[raft.ID]string{4: c.raftA[4]}, true)
	c.start(4)
	if code, out := c.cli("add", "-id", "5", "-addr", c.raftA[5], "-server", c.urls[4]); code != 1 || !strings.Contains(out, "belongs to no cluster yet") {
		t.Fatalf("add at a server waiting to join: %d %q; want 1 and that it is not in a cluster", code, out)
	}
	if code, out := c.cli("add", "-id", "4", "-addr", c.raftA[4], "-server", c.urls[2]+","+c.urls[3]); code != 0 || out != "ok" {
		t.Fatalf("add s4: %d %q", code, out)
	}
	st4 := c.status(4)
	if !slices.Equal(st4.Members, []raft.ID{1, 2, 3, 4}) {
		t.Fatalf("s4 says the members are %v", st4.Members)
	}
	c.until("s4 applying alice's lock", func() bool {
		s, _ := c.srv[4].peer.State()
		return s.Lock.Holder == "alice"
	})

	for _, bad := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"add", "-id", "2", "-addr", c.raftA[5]}, 1, "s2 is already a member"},
		{[]string{"remove", "-id", "9"}, 1, "s9 is not a member of the cluster [s1 s2 s3 s4]"},
		{[]string{"add", "-id", "5", "-addr", "nowhere"}, 2, "-addr"},
		{[]string{"remove"}, 2, "-id is required"},
	} {
		if code, out := c.cli(append(bad.args, "-server", c.urls[3])...); code != bad.code || !strings.Contains(out, bad.want) {
			t.Errorf("%q: exit %d, %q; want %d and %q", bad.args, code, out, bad.code, bad.want)
		}
	}

	// s5 is added but never started: its addition stays under way (and
	// the client says so), a second change is refused, and removing s5
	// cancels it.
	if code, out := c.cli("add", "-id", "5", "-addr", c.raftA[5], "-server", c.urls[1], "-timeout", "1s"); code != 1 || !strings.Contains(out, "no answer within") {
		t.Fatalf("add of a server that is not running: %d %q; want 1 and no answer", code, out)
	}
	c.until("s5 in the book everywhere", func() bool {
		for id := range c.srv {
			if _, ok := c.srv[id].addrsNow()[5]; !ok {
				return false
			}
		}
		return true
	})
	if code, out := c.cli("add", "-id", "6", "-addr", c.raftA[6], "-server", c.urls[2]); code != 1 || !strings.Contains(out, "s5 is being added") {
		t.Fatalf("a second change: %d %q; want 1 and that s5 is being added", code, out)
	}
	if code, out := c.cli("remove", "-id", "5", "-server", c.urls[2]); code != 0 || out != "ok" {
		t.Fatalf("remove s5: %d %q", code, out)
	}
	c.until("s5 forgotten everywhere", func() bool {
		for id := range c.srv {
			if _, ok := c.srv[id].addrsNow()[5]; ok {
				return false
			}
		}
		return true
	})

	// With s1 down, three of the four must acknowledge: s4 counts.
	c.stop(1)
	if code, out := c.cli("unlock", "-client", "alice", "-server", c.urls[2]+","+c.urls[3]); code != 0 || out != "ok" {
		t.Fatalf("unlock with s1 down: %d %q", code, out)
	}
	c.start(1)

	// s4 leads; s1 restarts with its original -peers and must dial s4.
	c.lead(4)
	c.stop(1)
	c.start(1)
	if a := c.srv[1].addrsNow()[4]; a != c.raftA[4] {
		t.Fatalf("s1, restarted with -peers of s1-s3, dials s4 at %q, want %q", a, c.raftA[4])
	}
	if code, out := c.cli("lock", "-client", "bob", "-server", c.urls[1]); code != 0 || out != "ok" {
		t.Fatalf("lock at s1 restarted while s4 leads: %d %q", code, out)
	}

	// Remove the leader, s4, at s1.
	c.lead(4)
	if code, out := c.cli("remove", "-id", "4", "-server", c.urls[1]); code != 0 || out != "ok" {
		t.Fatalf("remove s4: %d %q", code, out)
	}
	c.until("a leader among s1-s3", func() bool { l := c.leader(); return l != 0 && l != 4 })
	if code, out := c.cli("unlock", "-client", "bob", "-server", c.urls[2]); code != 0 || out != "ok" {
		t.Fatalf("unlock after removing s4: %d %q", code, out)
	}
	c.until("s4 forgotten by s1-s3", func() bool {
		for id := raft.ID(1); id <= 3; id++ {
			if _, ok := c.srv[id].addrsNow()[4]; ok {
				return false
			}
		}
		return true
	})
	c.stop(2) // a restart keeps s4 forgotten, and s2 serves
	c.start(2)
	if a := c.srv[2].addrsNow(); !maps.Equal(a, map[raft.ID]string{1: c.raftA[1], 2: c.raftA[2], 3: c.raftA[3]}) {
		t.Fatalf("s2 restarted dials %v", a)
	}
	if code, body := get(t, c.urls[2]+"/status"); code != 200 || !strings.Contains(body, `"addresses":{"1":"`+c.raftA[1]+`","2":"`+c.raftA[2]+`","3":"`+c.raftA[3]+`"}`) {
		t.Fatalf("s2's status: %d %s; want the addresses of s1-s3", code, body)
	}
	if code, out := c.cli("read", "-server", c.urls[2]); code != 0 || out != "unlocked" {
		t.Fatalf("read at s2: %d %q", code, out)
	}
}

// The book's commands go through the machine, survive a snapshot, and
// call the changed hook; anything else is a lock command.
func TestMachineKeepsTheAddressBook(t *testing.T) {
	calls := 0
	m := machine{changed: func() { calls++ }}
	s := m.Init()
	var reply []byte
	for _, c := range []string{"- add 4 127.0.0.1:7004", "- add 5 10.0.0.5:7001", "- remove 5", "- add 0 h:1", "- remove x"} {
		reply, s = m.Write([]byte(c), s)
	}
	if string(reply) != "error" || calls != 3 || s.Book.Version != 3 {
		t.Fatalf("reply %q, %d calls, book %+v", reply, calls, s.Book)
	}
	again, err := m.DecodeState(m.EncodeState(s))
	if err != nil || calls != 4 || !maps.Equal(again.Book.Servers, map[raft.ID]bookEntry{4: {Addr: "127.0.0.1:7004"}, 5: {Removed: true}}) {
		t.Fatalf("after a snapshot: %+v, %v, %d calls", again.Book, err, calls)
	}
	flags := map[raft.ID]string{1: "a:1", 5: "b:5"}
	if got := peerAddrs(flags, again.Book, raft.Status{Members: []raft.ID{1, 4}}); !maps.Equal(got, map[raft.ID]string{1: "a:1", 4: "127.0.0.1:7004"}) {
		t.Fatalf("addresses %v", got)
	}
	if got := peerAddrs(flags, again.Book, raft.Status{Members: []raft.ID{1, 4, 5}}); got[5] != "b:5" {
		t.Fatalf("a server whose removal is not done yet is forgotten: %v", got)
	}

	// Initial addresses fill in what -peers lacks, and never undo an
	// addition or a removal, whatever the order.
	b := again.Book
	for _, c := range []string{"initial 1 i:1", "initial 2 i:2", "initial 4 i:4", "initial 5 i:5"} {
		b, _ = b.apply([]byte(c))
	}
	if b.Version != 5 || b.Servers[4] != (bookEntry{Addr: "127.0.0.1:7004"}) || b.Servers[5] != (bookEntry{Removed: true}) {
		t.Fatalf("initial addresses changed the book's additions or removals: %+v", b)
	}
	if got := peerAddrs(flags, b, raft.Status{Members: []raft.ID{1, 2, 4}}); !maps.Equal(got, map[raft.ID]string{1: "a:1", 2: "i:2", 4: "127.0.0.1:7004"}) {
		t.Fatalf("addresses with initial ones %v; want -peers first, then the book's initial ones", got)
	}
	if got := b.unrecorded(raft.Status{Members: []raft.ID{3, 1, 2}, Learners: []raft.ID{6}}); !slices.Equal(got, []raft.ID{3, 6}) {
		t.Fatalf("unrecorded %v", got)
	}
}

// A server down while a server with a higher id was added, which then
// leads, is reached when it restarts: it does not know the new leader's
// address (it missed the addition, and dials only its -peers), but the
// new server knows its address from the book, where the first leader
// recorded the first configuration's, and dials it (raft/tcp).
func TestARestartedServerReachesALeaderAddedWhileItWasDown(t *testing.T) {
	c := newMemberCluster(t, 3)
	c.until("the first configuration's addresses in the book", func() bool {
		s, _ := c.srv[2].peer.State()
		return len(s.Book.unrecorded(c.status(2))) == 0
	})
	c.stop(1)
	c.cfgs[4] = c.config(4, map[raft.ID]string{4: c.raftA[4]}, true)
	c.start(4)
	if code, out := c.cli("add", "-id", "4", "-addr", c.raftA[4], "-server", c.urls[2]); code != 0 || out != "ok" {
		t.Fatalf("add s4: %d %q", code, out)
	}
	c.lead(4)
	if code, out := c.cli("lock", "-client", "bob", "-server", c.urls[4]); code != 0 || out != "ok" {
		t.Fatalf("lock at s4: %d %q", code, out)
	}
	c.start(1)
	if _, ok := c.srv[1].addrsNow()[4]; ok {
		t.Fatal("s1 knows s4's address before hearing from anyone: the test no longer shows what it is for")
	}
	c.until("s1 applying bob's lock from s4", func() bool {
		s, _ := c.srv[1].peer.State()
		return s.Lock.Holder == "bob"
	})
	if code, out := c.cli("read", "-server", c.urls[1]); code != 0 || out != "locked by bob" {
		t.Fatalf("read at s1: %d %q", code, out)
	}
}

// A membership change is judged on a current view of the cluster: a
// server restarted after missing a removal, asked at once to add the
// removed server back, answers ok rather than "already a member" (it
// reads through the leader, applying the removal, before it judges).
// Without that read the answer depends on a race the restarted server
// usually loses: it is asked before it has heard from the leader.
func TestAChangeIsJudgedOnACurrentView(t *testing.T) {
	c := newMemberCluster(t, 5)
	if code, out := c.cli("lock", "-client", "alice", "-server", c.urls[2]); code != 0 || out != "ok" {
		t.Fatalf("lock: %d %q", code, out)
	}
	c.stop(5)
	if code, out := c.cli("remove", "-id", "1", "-server", c.urls[2]); code != 0 || out != "ok" {
		t.Fatalf("remove s1: %d %q", code, out)
	}
	c.start(5)
	if st := c.status(5); !slices.Contains(st.Members, 1) {
		t.Fatalf("s5 has applied s1's removal before it was asked (members %v): the test no longer shows what it is for", st.Members)
	}
	if code, out := c.cli("add", "-id", "1", "-addr", c.raftA[1], "-server", c.urls[5]); code != 0 || out != "ok" {
		t.Fatalf("add s1 back at s5, restarted after the removal: %d %q", code, out)
	}
	if st := c.status(5); !slices.Contains(st.Members, 1) {
		t.Fatalf("s5 says the members are %v after adding s1 back", st.Members)
	}
}
