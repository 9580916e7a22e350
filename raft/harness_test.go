package raft

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// The test harness: Nodes driven by hand. A test decides every tick and
// every delivery; no goroutines, no clock, no sleeps. What a node asks to
// save goes to a MemoryStorage, so a node can crash and restart from exactly
// what a disk would hold.

// testConfig is the configuration of test nodes: short timeouts and a
// seeded source of their own.
func testConfig(id ID) Config {
	return Config{
		ID:                 id,
		ElectionTimeoutMin: 10,
		ElectionTimeoutMax: 20,
		HeartbeatInterval:  2,
		Rand:               rand.NewPCG(1, uint64(id)),
	}
}

// ids returns the ids 1..n.
func ids(n int) []ID {
	out := make([]ID, n)
	for i := range out {
		out[i] = ID(i + 1)
	}
	return out
}

// logOf builds a log whose first entry is the configuration of members (term
// 1) and whose next entries are commands of the given terms. It reads like
// the figures of the paper: logOf(m, 1, 1, 4) is the log "1 1 4".
func logOf(members []ID, terms ...uint64) []Entry {
	if len(terms) == 0 {
		return nil
	}
	if terms[0] != 1 {
		panic("logOf: the configuration entry has term 1")
	}
	cfg, err := ConfigEntry(members)
	if err != nil {
		panic(err)
	}
	es := []Entry{cfg}
	for i, t := range terms[1:] {
		idx := uint64(i) + 2
		es = append(es, Entry{Index: idx, Term: t, Type: EntryCommand, Data: []byte(fmt.Sprintf("x%d.%d", idx, t))})
	}
	return es
}

// terms returns the terms of a log, for readable comparisons.
func terms(es []Entry) []uint64 {
	out := make([]uint64, len(es))
	for i, e := range es {
		out[i] = e.Term
	}
	return out
}

type cluster struct {
	t       testing.TB
	ids     []ID
	cfgs    map[ID]Config
	nodes   map[ID]*Node // nil while crashed
	stores  map[ID]*MemoryStorage
	queue   []Message      // sent and not yet delivered or dropped
	applied map[ID][]Entry // applied since the node's snapshot (base)
	base    map[ID]uint64  // the index its state machine was restored to
	reads   map[ID][]ReadState
	sent    []Message     // every message ever sent, in order (for tests that count)
	tap     func(Message) // if set, sees every message delivered
}

// newCluster returns n bootstrapped nodes (members 1..n) as followers in
// term 1, none of them leading.
func newCluster(t testing.TB, n int) *cluster {
	c := emptyCluster(t, n)
	for _, id := range c.ids {
		if err := Bootstrap(c.stores[id], c.ids); err != nil {
			t.Fatal(err)
		}
		c.restart(id)
	}
	return c
}

// emptyCluster returns n storages with nothing in them and no nodes started:
// the test loads each with load or starts them with restart.
func emptyCluster(t testing.TB, n int) *cluster {
	c := &cluster{
		t: t, ids: ids(n),
		cfgs:    map[ID]Config{},
		nodes:   map[ID]*Node{},
		stores:  map[ID]*MemoryStorage{},
		applied: map[ID][]Entry{},
		base:    map[ID]uint64{},
		reads:   map[ID][]ReadState{},
	}
	for _, id := range c.ids {
		c.cfgs[id] = testConfig(id)
		c.stores[id] = NewMemoryStorage()
	}
	return c
}

// load writes hs and log to id's storage and starts id from it.
func (c *cluster) load(id ID, hs HardState, log []Entry) {
	c.t.Helper()
	s := NewMemoryStorage()
	if err := s.SaveState(hs); err != nil {
		c.t.Fatal(err)
	}
	if err := s.Append(log); err != nil {
		c.t.Fatal(err)
	}
	c.stores[id] = s
	c.restart(id)
}

func (c *cluster) node(id ID) *Node {
	c.t.Helper()
	n := c.nodes[id]
	if n == nil {
		c.t.Fatalf("%v is down", id)
	}
	return n
}

// crash drops id's node: everything not in its storage is lost. Messages to
// it are dropped when delivered; its messages already sent stay in flight.
func (c *cluster) crash(id ID) {
	c.flush(id)
	c.nodes[id] = nil
}

// restart starts id from its storage, as after a crash.
func (c *cluster) restart(id ID) {
	c.t.Helper()
	stored, err := c.stores[id].Load()
	if err != nil {
		c.t.Fatal(err)
	}
	n, err := NewNode(c.cfgs[id], stored)
	if err != nil {
		c.t.Fatalf("restarting %v: %v", id, err)
	}
	c.nodes[id] = n
	c.applied[id] = nil
	c.base[id] = stored.Snapshot.Index
	c.flush(id)
}

// flush does what id's node asks in Ready, in the order Ready says: save,
// send, apply.
func (c *cluster) flush(id ID) {
	c.t.Helper()
	n := c.nodes[id]
	if n == nil {
		return
	}
	for n.HasReady() {
		rd := n.Ready()
		if rd.SaveState {
			if err := c.stores[id].SaveState(rd.HardState); err != nil {
				c.t.Fatal(err)
			}
		}
		if rd.Snapshot.Index != 0 {
			if err := c.stores[id].SaveSnapshot(rd.Snapshot); err != nil {
				c.t.Fatal(err)
			}
			c.applied[id], c.base[id] = nil, rd.Snapshot.Index
		}
		if err := c.stores[id].Append(rd.Entries); err != nil {
			c.t.Fatalf("%v: %v", id, err)
		}
		c.queue = append(c.queue, rd.Messages...)
		c.sent = append(c.sent, rd.Messages...)
		for _, e := range rd.Committed {
			if want := c.base[id] + uint64(len(c.applied[id])) + 1; e.Index != want {
				c.t.Fatalf("%v applied entry %d, want %d: entries must be applied in order, once", id, e.Index, want)
			}
			c.applied[id] = append(c.applied[id], e)
		}
		c.reads[id] = append(c.reads[id], rd.Reads...)
	}
}

// campaign makes id start an election now.
func (c *cluster) campaign(id ID) {
	c.node(id).Campaign()
	c.flush(id)
}

// reconfigure changes every node's configuration with f and restarts it
// from its storage.
func (c *cluster) reconfigure(f func(*Config)) {
	c.t.Helper()
	for _, id := range c.ids {
		cfg := c.cfgs[id]
		f(&cfg)
		c.cfgs[id] = cfg
		c.restart(id)
	}
}

// propose proposes one command per byte at id, each on its own.
func (c *cluster) propose(id ID, cmds ...byte) {
	c.t.Helper()
	for _, b := range cmds {
		if err := c.node(id).Propose(Entry{Data: []byte{b}}); err != nil {
			c.t.Fatal(err)
		}
		c.flush(id)
	}
}

// tick advances id's clock k ticks.
func (c *cluster) tick(id ID, k int) {
	for range k {
		c.node(id).Tick()
		c.flush(id)
	}
}

// tickAll advances every live node's clock one tick.
func (c *cluster) tickAll() {
	for _, id := range c.ids {
		if c.nodes[id] != nil {
			c.tick(id, 1)
		}
	}
}

// step hands m to its destination (dropped if the destination is down).
func (c *cluster) step(m Message) {
	c.t.Helper()
	n := c.nodes[m.To]
	if n == nil {
		return
	}
	if c.tap != nil {
		c.tap(m)
	}
	if err := n.Step(m); err != nil {
		c.t.Fatalf("%v refused %v from %v: %v", m.To, m.Type, m.From, err)
	}
	c.flush(m.To)
}

// deliver delivers, in order, the queued messages that match keep and
// drops nothing; messages sent in response are queued behind. It returns
// how many it delivered.
func (c *cluster) deliver(keep func(Message) bool) int {
	c.t.Helper()
	var now []Message
	rest := c.queue[:0:0]
	for _, m := range c.queue {
		if keep(m) {
			now = append(now, m)
		} else {
			rest = append(rest, m)
		}
	}
	c.queue = rest
	for _, m := range now {
		c.step(m)
	}
	return len(now)
}

// stabilize delivers the messages that match keep, and those sent in
// answer that match keep, until none is left; the others stay queued. Pass
// all to run the cluster until it is quiet.
func (c *cluster) stabilize(keep func(Message) bool) {
	c.t.Helper()
	for i := 0; c.deliver(keep) > 0; i++ {
		if i > 10000 {
			c.t.Fatal("messages still flowing after 10000 rounds")
		}
	}
}

// drop removes the queued messages that match f.
func (c *cluster) drop(f func(Message) bool) {
	c.queue = slices.DeleteFunc(c.queue, f)
}

// take removes and returns the queued messages that match f.
func (c *cluster) take(f func(Message) bool) []Message {
	var out []Message
	c.queue = slices.DeleteFunc(c.queue, func(m Message) bool {
		if f(m) {
			out = append(out, m)
			return true
		}
		return false
	})
	return out
}

// elect makes id leader: it campaigns and every message is delivered.
func (c *cluster) elect(id ID) {
	c.t.Helper()
	c.campaign(id)
	c.stabilize(all)
	if r := c.node(id).role; r != Leader {
		c.t.Fatalf("%v is %v after its election, want leader", id, r)
	}
}

// log returns id's whole log (after its snapshot, if any).
func (c *cluster) log(id ID) []Entry {
	n := c.node(id)
	return n.Entries(1, n.log.lastIndex())
}

// compact makes id take a snapshot of everything it has applied, with data
// standing for its state machine, and saves it as a runtime would.
func (c *cluster) compact(id ID, data string) Snapshot {
	c.t.Helper()
	n := c.node(id)
	s, err := n.Compact(n.applied, []byte(data))
	if err != nil {
		c.t.Fatal(err)
	}
	if err := c.stores[id].SaveSnapshot(s); err != nil {
		c.t.Fatal(err)
	}
	return s
}

// Message filters.
func all(Message) bool { return true }

func to(ids ...ID) func(Message) bool {
	return func(m Message) bool { return slices.Contains(ids, m.To) }
}

func from(ids ...ID) func(Message) bool {
	return func(m Message) bool { return slices.Contains(ids, m.From) }
}

// within keeps the messages between members of group: a partition.
func within(group ...ID) func(Message) bool {
	return func(m Message) bool { return slices.Contains(group, m.From) && slices.Contains(group, m.To) }
}

func ofType(ts ...MsgType) func(Message) bool {
	return func(m Message) bool { return slices.Contains(ts, m.Type) }
}

func and(fs ...func(Message) bool) func(Message) bool {
	return func(m Message) bool {
		for _, f := range fs {
			if !f(m) {
				return false
			}
		}
		return true
	}
}

func not(f func(Message) bool) func(Message) bool {
	return func(m Message) bool { return !f(m) }
}

// newNode returns a lone node restored from hs and log, its Ready drained.
func newNode(t testing.TB, id ID, hs HardState, log []Entry) *Node {
	t.Helper()
	n, err := NewNode(testConfig(id), Stored{State: hs, Entries: log})
	if err != nil {
		t.Fatal(err)
	}
	drain(n)
	return n
}

// drain empties n's Ready and returns the messages it wanted sent.
func drain(n *Node) []Message {
	var out []Message
	for n.HasReady() {
		out = append(out, n.Ready().Messages...)
	}
	return out
}

// stepOK steps m into n, failing the test if n refuses it, and returns the
// messages n sends in answer.
func stepOK(t testing.TB, n *Node, m Message) []Message {
	t.Helper()
	if err := n.Step(m); err != nil {
		t.Fatalf("Step(%+v): %v", m, err)
	}
	return drain(n)
}

// one returns the only message in ms, failing the test otherwise.
func one(t testing.TB, ms []Message) Message {
	t.Helper()
	if len(ms) != 1 {
		t.Fatalf("got %d messages, want 1: %s", len(ms), fmtMsgs(ms))
	}
	return ms[0]
}

func fmtMsgs(ms []Message) string {
	var b strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&b, "\n  %v->%v %v term=%d", m.From, m.To, m.Type, m.Term)
	}
	return b.String()
}

// entriesEqual reports whether two logs hold the same entries.
func entriesEqual(a, b []Entry) bool {
	return slices.EqualFunc(a, b, func(x, y Entry) bool {
		return x.Index == y.Index && x.Term == y.Term && x.Type == y.Type &&
			x.Client == y.Client && x.Seq == y.Seq && x.Lowest == y.Lowest && string(x.Data) == string(y.Data)
	})
}

// stepReady steps m into n and returns the one Ready that follows.
func stepReady(t testing.TB, n *Node, m Message) Ready {
	t.Helper()
	if err := n.Step(m); err != nil {
		t.Fatalf("Step(%+v): %v", m, err)
	}
	rd := n.Ready()
	if n.HasReady() {
		t.Fatal("a second Ready right after the first")
	}
	return rd
}
