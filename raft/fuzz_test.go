package raft

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// Fuzzing the core (layer 4 of DESIGN.md's tests): whatever arrives from the
// network, a node never panics, and the promises it makes to the rest of the
// cluster hold afterwards. Run one with, for example,
//
//	go test -run '^$' -fuzz FuzzStep -fuzztime 60s ./raft/

// fuzzInput reads a fuzzer's bytes as a program; past the end it reads
// zeros.
type fuzzInput struct{ b []byte }

func (in *fuzzInput) done() bool { return len(in.b) == 0 }

func (in *fuzzInput) byte() byte {
	if len(in.b) == 0 {
		return 0
	}
	c := in.b[0]
	in.b = in.b[1:]
	return c
}

func (in *fuzzInput) u64() uint64 { return uint64(in.byte()) }

// The operations of FuzzStep's programs.
const (
	opStep byte = iota
	opTick
	opPropose
	opRead
	opCampaign
	opRestart
	opConfigure
	numOps
)

// The starting points: a node in each role.
const (
	fuzzNew             byte = iota // a new peer, no configuration
	fuzzFollower                    // a follower of a settled cluster of three
	fuzzCandidate                   // a candidate in a cluster of three
	fuzzLeader                      // the leader of a settled cluster of three, with a read pending
	fuzzLeader5                     // the leader of five, one follower far behind
	fuzzConflict                    // a follower with uncommitted entries of an old term
	fuzzCompacted                   // a follower whose log starts after a snapshot
	fuzzLeaderCompacted             // a leader whose log starts after a snapshot, one follower behind it
	numStarts
)

// fuzzConfigs are the configurations an entry's data may carry.
var fuzzConfigs = [][]ID{{1, 2, 3}, {1, 2, 3, 4, 5}, {1}, {2, 3, 4}}

// encodeStep is the inverse of decodeStep, for seeding the corpus with
// real traffic.
func encodeStep(m Message) []byte {
	if s := m.Snapshot; m.Type == MsgSnap && s != nil {
		m.LastLogIndex, m.LastLogTerm = s.Index, s.Term
		for i, c := range fuzzConfigs {
			if slices.Equal(c, s.Members) {
				m.MatchIndex = uint64(i)
			}
		}
	}
	b := []byte{opStep, byte(m.Type), byte(m.From), byte(m.To), byte(m.Term),
		byte(m.LastLogIndex), byte(m.LastLogTerm), byte(m.PrevLogIndex), byte(m.PrevLogTerm), byte(len(m.Entries))}
	for _, e := range m.Entries {
		data := byte(0xff)
		if e.Type == EntryConfig {
			if ms, err := DecodeMembers(e.Data); err == nil {
				for i, c := range fuzzConfigs {
					if slices.Equal(c, ms) {
						data = byte(i)
					}
				}
			}
		}
		b = append(b, byte(e.Index), byte(e.Term), byte(e.Type), data, byte(e.Client), byte(e.Seq))
	}
	flags := byte(0)
	if m.VoteGranted {
		flags |= 1
	}
	if m.Success {
		flags |= 2
	}
	return append(b, byte(m.LeaderCommit), flags, byte(m.MatchIndex), byte(m.ConflictIndex), byte(m.ConflictTerm),
		byte(m.Round), byte(m.ReadIndex))
}

// decodeStep reads a message. Every field is a byte: small terms and indexes
// are where the interesting cases are. An InstallSnapshot's snapshot is made
// of fields it does not otherwise use: LastLogIndex and LastLogTerm are its
// last entry, MatchIndex picks its configuration.
func decodeStep(in *fuzzInput) Message {
	m := Message{
		Type: MsgType(in.byte() % 9), From: ID(in.byte() % 7), To: ID(in.byte() % 7), Term: in.u64(),
		LastLogIndex: in.u64(), LastLogTerm: in.u64(), PrevLogIndex: in.u64(), PrevLogTerm: in.u64(),
	}
	for range in.byte() % 5 {
		e := Entry{Index: in.u64(), Term: in.u64(), Type: EntryType(in.byte() % 4)}
		if d := int(in.byte()); d < len(fuzzConfigs) {
			e.Data = encodeMembers(fuzzConfigs[d])
		} else {
			e.Data = []byte{byte(d)}
		}
		e.Client, e.Seq = in.u64()%3, in.u64()
		m.Entries = append(m.Entries, e)
	}
	m.LeaderCommit = in.u64()
	flags := in.byte()
	m.VoteGranted, m.Success = flags&1 != 0, flags&2 != 0
	m.MatchIndex, m.ConflictIndex, m.ConflictTerm = in.u64(), in.u64(), in.u64()
	m.Round, m.ReadIndex = in.u64(), in.u64()
	if m.Type == MsgSnap {
		m.Snapshot = &Snapshot{Index: m.LastLogIndex, Term: m.LastLogTerm,
			Members: fuzzConfigs[m.MatchIndex%uint64(len(fuzzConfigs))], Data: []byte{byte(m.ReadIndex)}}
	}
	return m
}

// fuzzStart builds the cluster a program starts from and returns it with
// the id of the node under test.
func fuzzStart(t testing.TB, start byte) (*cluster, ID) {
	switch start % numStarts {
	case fuzzNew:
		c := emptyCluster(t, 3)
		c.restart(1)
		return c, 1
	case fuzzFollower:
		return settled(t), 2
	case fuzzCandidate:
		c := newCluster(t, 3)
		c.campaign(1)
		return c, 1
	case fuzzLeader:
		c := settled(t)
		c.node(1).Propose(cmd("lock a"))
		c.flush(1)
		c.node(1).ReadIndex(1)
		c.flush(1)
		return c, 1
	case fuzzLeader5:
		c := newCluster(t, 5)
		c.elect(1)
		for i := range 5 {
			c.node(1).Propose(Entry{Client: 1, Seq: uint64(i + 1), Data: []byte("x")})
			c.flush(1)
		}
		c.stabilize(not(to(5)))
		return c, 1
	case fuzzConflict:
		c := emptyCluster(t, 3)
		c.load(2, HardState{Term: 3, Vote: 3}, logOf(ids(3), 1, 1, 2, 2, 2))
		return c, 2
	case fuzzCompacted:
		c := settled(t)
		commitAll(c, 1, "a", "b")
		c.compact(2, "s2")
		commitAll(c, 1, "c")
		return c, 2
	default: // fuzzLeaderCompacted
		c := settled(t)
		c.crash(3)
		commitAll(c, 1, "a", "b")
		c.compact(1, "s1")
		c.restart(3)
		return c, 1
	}
}

// nodeSnapshot is what the invariants compare before and after an input.
type nodeSnapshot struct {
	st  Status
	hs  HardState
	log []Entry
}

func snap(n *Node) nodeSnapshot {
	return nodeSnapshot{st: n.Status(), hs: n.HardState(), log: n.Entries(1, n.log.lastIndex())}
}

// fuzzChecker holds what must never change for one node, across inputs and
// restarts.
type fuzzChecker struct {
	t         *testing.T
	c         *cluster
	id        ID
	votes     map[uint64]ID    // the vote cast in each term
	committed map[uint64]Entry // the entries ever known committed, by index
	maxCommit uint64           // the highest commit index ever known
	applied   uint64           // entries handed out in Ready.Committed since the last start
}

func (f *fuzzChecker) node() *Node { return f.c.nodes[f.id] }

// ready carries out one node's Ready as Peer does, checking its contract.
func (f *fuzzChecker) ready() {
	n := f.node()
	for n.HasReady() {
		rd := n.Ready()
		if rd.SaveState {
			f.c.stores[f.id].SaveState(rd.HardState)
		}
		if rd.Snapshot.Index != 0 {
			if rd.Snapshot.Index <= f.applied {
				f.t.Fatalf("Ready restores snapshot %d over applied entries up to %d", rd.Snapshot.Index, f.applied)
			}
			f.c.stores[f.id].SaveSnapshot(rd.Snapshot)
			f.applied = rd.Snapshot.Index
		}
		if err := f.c.stores[f.id].Append(rd.Entries); err != nil {
			f.t.Fatalf("Ready asked to save entries storage cannot take: %v", err)
		}
		for _, m := range rd.Messages {
			if m.From != f.id || m.To == f.id || m.To == None || !m.Type.valid() {
				f.t.Fatalf("node sent a misaddressed message %+v", m)
			}
			switch m.Type {
			case MsgProp, MsgRead, MsgReadResp:
				if m.Term != 0 {
					f.t.Fatalf("forwarded request carries term %d", m.Term)
				}
			default:
				if m.Term != n.term {
					f.t.Fatalf("%v carries term %d, node is in term %d", m.Type, m.Term, n.term)
				}
			}
			if m.Type == MsgApp {
				if err := (&Node{id: m.To}).checkAppend(&m); err != nil {
					f.t.Fatalf("node sent a malformed AppendEntries: %v", err)
				}
			}
		}
		for _, e := range rd.Committed {
			if e.Index != f.applied+1 {
				f.t.Fatalf("applied entry %d after %d: out of order", e.Index, f.applied)
			}
			f.applied = e.Index
		}
	}
	// What is saved is what the node holds: a crash now loses nothing.
	stored, _ := f.c.stores[f.id].Load()
	hs, saved := stored.State, stored.Entries
	if stored.Snapshot.Index != n.log.offset || stored.Snapshot.Term != n.log.offsetTerm {
		f.t.Fatalf("storage holds snapshot (%d, %d), the node's log starts after (%d, %d)",
			stored.Snapshot.Index, stored.Snapshot.Term, n.log.offset, n.log.offsetTerm)
	}
	if hs != n.HardState() {
		f.t.Fatalf("storage holds %+v, node %+v after Ready", hs, n.HardState())
	}
	if !entriesEqual(saved, n.Entries(1, n.log.lastIndex())) {
		f.t.Fatalf("storage log %v differs from node log %v after Ready", terms(saved), logTerms(n))
	}
}

// check compares the node after an input with the node before it.
func (f *fuzzChecker) check(before nodeSnapshot, what func() string) {
	n := f.node()
	after := snap(n)
	fail := func(format string, args ...any) {
		f.t.Helper()
		f.t.Fatalf("after %s: "+format, append([]any{what()}, args...)...)
	}
	if after.hs.Term < before.hs.Term {
		fail("term went back from %d to %d", before.hs.Term, after.hs.Term)
	}
	if after.hs.Vote != None {
		if after.hs.Term == 0 {
			fail("vote for %v in term 0", after.hs.Vote)
		}
		if v, ok := f.votes[after.hs.Term]; ok && v != after.hs.Vote {
			fail("voted for %v and %v in term %d", v, after.hs.Vote, after.hs.Term)
		}
		f.votes[after.hs.Term] = after.hs.Vote
	}
	if after.st.Role != Follower && after.hs.Vote != f.id {
		fail("%v in term %d without its own vote (vote %v)", after.st.Role, after.hs.Term, after.hs.Vote)
	}
	off, offTerm := after.st.SnapshotIndex, after.st.SnapshotTerm
	for i, e := range after.log {
		prev := offTerm
		if i > 0 {
			prev = after.log[i-1].Term
		}
		if e.Index != off+uint64(i)+1 || e.Term == 0 || e.Term > after.hs.Term || e.Term < prev {
			fail("log inconsistent at position %d after snapshot (%d, %d): %+v (term %d)", i, off, offTerm, e, after.hs.Term)
		}
	}
	if after.st.Commit < before.st.Commit {
		fail("commit went back from %d to %d", before.st.Commit, after.st.Commit)
	}
	if after.st.Commit > after.st.LastIndex || after.st.Applied > after.st.Commit {
		fail("commit %d, applied %d, last index %d", after.st.Commit, after.st.Applied, after.st.LastIndex)
	}
	if f.maxCommit > after.st.LastIndex || after.st.Commit < off {
		fail("committed entries vanished: commit %d once, now log %d..%d, commit %d", f.maxCommit, off+1, after.st.LastIndex, after.st.Commit)
	}
	if e, ok := f.committed[off]; ok && e.Term != offTerm {
		fail("snapshot (%d, %d) contradicts committed entry %+v", off, offTerm, e)
	}
	for _, e := range after.log[:after.st.Commit-off] {
		if old, ok := f.committed[e.Index]; !ok {
			f.committed[e.Index] = e
		} else if !entriesEqual([]Entry{old}, []Entry{e}) {
			fail("committed entry %+v became %+v", old, e)
		}
	}
	f.maxCommit = max(f.maxCommit, after.st.Commit)
	if before.st.Role == Leader && after.st.Role == Leader && before.hs.Term == after.hs.Term {
		if len(after.log) < len(before.log) || !entriesEqual(before.log, after.log[:len(before.log)]) {
			fail("Leader Append-Only broken: %v became %v", terms(before.log), terms(after.log))
		}
	}
}

// forgetAfter drops what the checker knew committed past index i.
func (f *fuzzChecker) forgetAfter(i uint64) {
	for k := range f.committed {
		if k > i {
			delete(f.committed, k)
		}
	}
	f.maxCommit = min(f.maxCommit, i)
}

func (f *fuzzChecker) unchanged(before nodeSnapshot, what func() string) {
	n := f.node()
	after := snap(n)
	if after.hs != before.hs || after.st.Role != before.st.Role || after.st.Commit != before.st.Commit ||
		after.st.Leader != before.st.Leader || !entriesEqual(after.log, before.log) || n.HasReady() {
		f.t.Fatalf("%s was refused with an error but changed the node: %+v -> %+v", what(), before.st, after.st)
	}
}

func runFuzzStep(t *testing.T, data []byte) {
	in := &fuzzInput{b: data}
	c, id := fuzzStart(t, in.byte())
	f := &fuzzChecker{t: t, c: c, id: id, votes: map[uint64]ID{}, committed: map[uint64]Entry{}}
	f.ready()
	f.applied = c.base[id] + uint64(len(c.applied[id]))
	f.check(snap(f.node()), func() string { return "start" })
	for steps := 0; !in.done() && steps < 200; steps++ {
		n := f.node()
		before := snap(n)
		var what func() string
		switch op := in.byte() % numOps; op {
		case opStep:
			m := decodeStep(in)
			if in.byte()%4 != 0 {
				m.To = id // mostly addressed right, so it gets past the first check
			}
			what = func() string { return fmt.Sprintf("Step(%+v)", m) }
			if err := n.Step(m); err != nil {
				f.unchanged(before, what)
				continue
			}
		case opTick:
			k := int(in.byte() % 32)
			what = func() string { return fmt.Sprintf("%d ticks", k) }
			for range k {
				n.Tick()
				f.ready()
			}
		case opPropose:
			e := Entry{Type: EntryType(in.byte() % 4), Client: in.u64() % 3, Seq: in.u64(), Data: []byte("p")}
			what = func() string { return fmt.Sprintf("Propose(%+v)", e) }
			if err := n.Propose(e); err != nil {
				f.unchanged(before, what)
				continue
			}
		case opRead:
			what = func() string { return "ReadIndex" }
			if err := n.ReadIndex(in.u64()); err != nil {
				f.unchanged(before, what)
				continue
			}
		case opCampaign:
			what = func() string { return "Campaign" }
			n.Campaign()
		case opRestart:
			what = func() string { return "restart" }
			stored, _ := c.stores[id].Load()
			nn, err := NewNode(c.cfgs[id], stored)
			if err != nil {
				t.Fatalf("the node cannot restart from what it saved: %v", err)
			}
			c.nodes[id] = nn
			f.applied = stored.Snapshot.Index
			// The commit index is volatile: a restarted node knows only its
			// snapshot to be committed. Entries past it stay safe because no
			// legitimate leader lacks them (Leader Completeness, checked
			// cluster-wide by FuzzCluster), but an arbitrary message here
			// can impersonate a leader that could never be elected.
			f.forgetAfter(stored.Snapshot.Index)
			before.st.Commit, before.st.Role = 0, Follower
		case opConfigure:
			ms := fuzzConfigs[in.byte()%byte(len(fuzzConfigs))]
			what = func() string { return fmt.Sprintf("SetConfiguration(%v)", ms) }
			if err := n.SetConfiguration(ms); err != nil {
				f.unchanged(before, what)
				continue
			}
		}
		f.ready()
		f.check(before, what)
	}
}

// FuzzStep feeds nodes in every role, some with logs compacted into a
// snapshot, arbitrary messages (stale and future terms, unknown peers,
// garbage entries and snapshots, misaddressed and malformed messages) mixed
// with ticks, client requests, elections and restarts. The node must never
// panic, and after every input:
//   - the term never decreases, and at most one vote is cast per term;
//   - the log is consistent (indexes 1..n, terms rising, none past the term);
//   - the commit index never decreases and never passes the last index;
//   - committed entries never change, and a snapshot never contradicts
//     one; across a restart only the snapshot is known committed (the
//     commit index is volatile, Figure 2), so only it is held to that;
//   - a leader never rewrites its own log in its term;
//   - storage holds exactly the node's state after each Ready, and the node
//     restarts from it;
//   - a refused input changes nothing.
func FuzzStep(f *testing.F) {
	for _, seed := range fuzzSeeds(f) {
		f.Add(seed)
	}
	f.Fuzz(runFuzzStep)
}

// fuzzSeeds records real traffic: what each starting node receives while
// its cluster elects a leader, replicates, repairs logs and elects another,
// written as programs with some ticks, requests and a restart mixed in.
func fuzzSeeds(tb testing.TB) [][]byte {
	var seeds [][]byte
	for start := range numStarts {
		c, id := fuzzStart(tb, start)
		prog := []byte{start}
		c.tap = func(m Message) {
			if m.To == id {
				prog = append(prog, encodeStep(m)...)
				prog = append(prog, 1) // keep it addressed to the node
			}
		}
		for _, p := range c.ids {
			if c.nodes[p] == nil {
				c.restart(p)
			}
		}
		others := slices.DeleteFunc(slices.Clone(c.ids), func(p ID) bool { return p == id })
		if len(c.node(others[0]).members) == 0 {
			if err := c.node(others[0]).SetConfiguration(c.ids); err != nil {
				tb.Fatal(err)
			}
			c.flush(others[0])
		}
		for round, p := range []ID{others[0], others[1], id} {
			if c.node(p).role != Leader {
				c.campaign(p)
			}
			c.stabilize(all)
			for _, q := range c.ids {
				if n := c.node(q); n.role == Leader {
					n.Propose(cmd(fmt.Sprintf("w%d", round)))
					c.flush(q)
					n.ReadIndex(uint64(round))
					c.flush(q)
					c.stabilize(all)
					c.tick(q, 2)
					c.stabilize(all)
				}
			}
			if round == 1 {
				prog = append(prog, opTick, 7, opRead, 3, opPropose, 0, 1, 1, opRestart)
			}
		}
		seeds = append(seeds, prog)
	}
	return seeds
}

var updateCorpus = flag.Bool("update-corpus", false, "rewrite testdata/fuzz seed files from recorded traffic")

// TestFuzzStepCorpus keeps the seed files in testdata/fuzz/FuzzStep, which
// `go test` runs as regression cases; after changing the program format,
// rewrite them with
//
//	go test ./raft/ -run TestFuzzStepCorpus -args -update-corpus
func TestFuzzStepCorpus(t *testing.T) {
	seeds := fuzzSeeds(t)
	if len(seeds) == 0 {
		t.Fatal("no seeds")
	}
	if !*updateCorpus {
		return
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzStep")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, s := range seeds {
		var b bytes.Buffer
		fmt.Fprintf(&b, "go test fuzz v1\n[]byte(%q)\n", s)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("recorded-%02d", i)), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// FuzzDecodeMembers: a configuration entry's data comes from the log, that
// is, from other peers. Decoding never panics; what decodes is a valid
// member list (sorted, no duplicates, no id 0, at most MaxPeers) that
// encodes back to the same list, and a node with it in its log works.
// The same bytes read as a list of ids go through ConfigEntry, which
// accepts exactly the valid lists.
func FuzzDecodeMembers(f *testing.F) {
	for _, ms := range fuzzConfigs {
		f.Add(encodeMembers(ms))
	}
	for _, s := range [][]byte{nil, {0}, {1, 0}, {2, 1, 1}, {2, 2, 1}, {1, 0x80}, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ms, err := DecodeMembers(data)
		if err == nil {
			if validateMembers(ms) != nil || !slices.IsSorted(ms) {
				t.Fatalf("DecodeMembers(%x) = %v: not a valid member list", data, ms)
			}
			again, err := DecodeMembers(encodeMembers(ms))
			if err != nil || !slices.Equal(again, ms) {
				t.Fatalf("members %v encode and decode to %v, %v", ms, again, err)
			}
			cfg := testConfig(ms[0])
			n, err := NewNode(cfg, Stored{State: HardState{Term: 1}, Entries: []Entry{{Index: 1, Term: 1, Type: EntryConfig, Data: data}}})
			if err != nil {
				t.Fatal(err)
			}
			// The voters DecodeMembers reads, and the learners after them.
			c, _ := DecodeConfiguration(data)
			if got := n.Configuration(); !slices.Equal(got.Voters, ms) || !slices.Equal(got.Learners, c.Learners) {
				t.Fatalf("node reads configuration %v from a log holding voters %v, learners %v", got, ms, c.Learners)
			}
			n.Campaign()
			drain(n)
			if len(ms) == 1 && n.role != Leader {
				t.Fatalf("the only member of %v is %v after campaigning", ms, n.role)
			}
		}
		ids := make([]ID, len(data))
		for i, b := range data {
			ids[i] = ID(b)
		}
		e, err := ConfigEntry(ids)
		if (err == nil) != (validateMembers(ids) == nil) {
			t.Fatalf("ConfigEntry(%v) = %v, but validateMembers says %v", ids, err, validateMembers(ids))
		}
		if err == nil {
			got, err := DecodeMembers(e.Data)
			if err != nil || !slices.Equal(got, slices.Sorted(slices.Values(ids))) {
				t.Fatalf("ConfigEntry(%v) decodes to %v, %v", ids, got, err)
			}
		}
	})
}

// FuzzCluster lets the fuzzer choose the schedule of a cluster of correct
// peers: which message is delivered next (so any reordering), which are
// lost or duplicated, who ticks, campaigns, crashes, restarts and compacts
// its log into a snapshot, and where clients write and read. Only the
// order is adversarial, never the content, so the safety properties of
// Figure 3 must hold throughout:
//   - Election Safety: at most one leader per term;
//   - Log Matching: two logs with an entry of the same index and term are
//     identical up to there;
//   - State Machine Safety: no two peers apply different entries at one
//     index, and no peer holds as committed an entry other than the one
//     committed there; a snapshot, taken or installed, stands for exactly
//     the committed log up to its index;
//   - reads: a read index covers every entry committed before the read
//     was asked (linearizable reads).
func FuzzCluster(f *testing.F) {
	f.Add([]byte{0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 2, 1, 0, 0, 0, 0, 3, 2, 0, 0, 0, 0, 0})
	f.Add([]byte{1, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 4, 3, 0, 0, 0, 0, 0, 0, 0, 4, 2, 0, 0, 0, 0, 0})
	f.Add([]byte{0, 4, 0, 0, 0, 0, 6, 0, 4, 1, 0, 0, 0, 0, 0, 7, 0, 1, 5, 0, 0, 0, 0, 0, 0})
	// Writes committed, the leader compacts, a follower far behind catches
	// up from the snapshot.
	f.Add([]byte{0, 8, 2, 5, 0, 6, 0, 1, 6, 0, 2, 6, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		4, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9, 0, 8, 2, 4, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(runFuzzCluster)
}

func runFuzzCluster(t *testing.T, data []byte) {
	in := &fuzzInput{b: data}
	size := 3
	if in.byte()%2 == 1 {
		size = 5
	}
	c := newCluster(t, size)
	leaders := map[uint64]ID{}      // term -> leader
	applied := map[uint64]Entry{}   // index -> the entry applied there
	nApplied := map[ID]int{}        // how much of c.applied each peer has checked
	bases := map[ID]uint64{}        // the c.base it was checked against
	committed := map[uint64]Entry{} // index -> the entry some peer knew committed there
	digests := []string{""}         // digests[i] stands for the committed log through i
	var maxCommit uint64            // highest index any peer knew committed
	type readReq struct{ need uint64 }
	reads := map[ID]map[uint64]readReq{}
	nReads := map[ID]int{}
	nextRead := uint64(0)
	// digest returns what a snapshot through index i holds: the committed
	// log up to there, known in full (a peer compacts only what it applied).
	digest := func(i uint64) string {
		for k := uint64(len(digests)); k <= i; k++ {
			e, ok := committed[k]
			if !ok {
				t.Fatalf("no committed entry known at %d, below a snapshot through %d", k, i)
			}
			digests = append(digests, fmt.Sprintf("%s|%d.%d.%d.%x", digests[k-1], e.Index, e.Term, e.Type, e.Data))
		}
		return digests[i]
	}
	pick := func() ID { return ID(int(in.byte())%size + 1) }
	for steps := 0; !in.done() && steps < 300; steps++ {
		op := in.byte() % 10
		switch op {
		case 0, 1, 2: // deliver (0, 1), duplicate (2) one message in flight
			if len(c.queue) == 0 {
				continue
			}
			k := int(in.byte()) % len(c.queue)
			m := c.queue[k]
			if op != 2 {
				c.queue = slices.Delete(c.queue, k, k+1)
			}
			c.step(m)
		case 3: // lose one
			if len(c.queue) > 0 {
				k := int(in.byte()) % len(c.queue)
				c.queue = slices.Delete(c.queue, k, k+1)
			}
		case 4:
			id, k := pick(), int(in.byte()%16)+1
			if c.nodes[id] != nil {
				c.tick(id, k)
			}
		case 5:
			if id := pick(); c.nodes[id] != nil {
				c.campaign(id)
			}
		case 6:
			if id := pick(); c.nodes[id] != nil {
				e := Entry{Client: uint64(in.byte() % 3), Data: []byte{in.byte()}}
				if e.Client != 0 {
					e.Seq, e.Lowest = uint64(in.byte()%4)+1, 1
				}
				c.node(id).Propose(e)
				c.flush(id)
			}
		case 7:
			if id := pick(); c.nodes[id] != nil {
				nextRead++
				if c.node(id).ReadIndex(nextRead) == nil {
					if reads[id] == nil {
						reads[id] = map[uint64]readReq{}
					}
					reads[id][nextRead] = readReq{need: maxCommit}
				}
				c.flush(id)
			}
		case 8:
			if id := pick(); c.nodes[id] != nil {
				c.crash(id)
				nApplied[id] = 0
			} else {
				c.restart(id)
				nApplied[id] = 0
				delete(reads, id) // its requests died with it
			}
		case 9: // compact what it applied, as a runtime would
			if id := pick(); c.nodes[id] != nil {
				if n := c.node(id); n.applied > n.log.offset {
					c.compact(id, digest(n.applied))
				}
			}
		}
		// The checks.
		for _, id := range c.ids {
			n := c.nodes[id]
			if n == nil {
				continue
			}
			if n.role == Leader {
				if l, ok := leaders[n.term]; ok && l != id {
					t.Fatalf("two leaders in term %d: %v and %v", n.term, l, id)
				}
				leaders[n.term] = id
			}
			maxCommit = max(maxCommit, n.commit)
			off := n.log.offset
			if n.commit < off || n.commit > n.log.lastIndex() {
				t.Fatalf("%v: commit %d outside its log (%d..%d)", id, n.commit, off, n.log.lastIndex())
			}
			if off > 0 {
				if got, want := string(n.snap.Data), digest(off); got != want {
					t.Fatalf("%v: snapshot through %d holds %q, the committed log is %q", id, off, got, want)
				}
				if e := committed[off]; e.Term != n.log.offsetTerm {
					t.Fatalf("%v: snapshot through %d of term %d, the committed entry there has term %d", id, off, n.log.offsetTerm, e.Term)
				}
			}
			log := n.Entries(off+1, n.log.lastIndex()) // log[i] is at index off+1+i
			for _, e := range log[:n.commit-off] {
				if prev, ok := committed[e.Index]; !ok {
					committed[e.Index] = e
				} else if !entriesEqual([]Entry{prev}, []Entry{e}) {
					t.Fatalf("%v holds %+v as committed at %d, another peer held %+v", id, e, e.Index, prev)
				}
			}
			if c.base[id] != bases[id] { // restored from a snapshot: c.applied starts afresh
				bases[id], nApplied[id] = c.base[id], 0
			}
			for _, e := range c.applied[id][nApplied[id]:] {
				if prev, ok := applied[e.Index]; ok && !entriesEqual([]Entry{prev}, []Entry{e}) {
					t.Fatalf("%v applied %+v at index %d, another peer applied %+v", id, e, e.Index, prev)
				}
				applied[e.Index] = e
			}
			nApplied[id] = len(c.applied[id])
			for _, r := range c.reads[id][nReads[id]:] {
				if req, ok := reads[id][r.ID]; ok && r.Index < req.need {
					t.Fatalf("%v: read %d answered at index %d, but %d was committed before it was asked", id, r.ID, r.Index, req.need)
				}
			}
			nReads[id] = len(c.reads[id])
			for _, jd := range c.ids {
				m := c.nodes[jd]
				if jd <= id || m == nil {
					continue
				}
				// The highest index both logs hold with the same term;
				// below it, down to where both still hold entries, they
				// must be identical.
				lo := max(off, m.log.offset) + 1
				for i := min(n.log.lastIndex(), m.log.lastIndex()); i >= lo; i-- {
					if n.log.at(i).Term == m.log.at(i).Term {
						if !entriesEqual(n.Entries(lo, i), m.Entries(lo, i)) {
							t.Fatalf("Log Matching: %v and %v agree on (%d, %d) but differ before", id, jd, i, n.log.at(i).Term)
						}
						break
					}
				}
			}
		}
	}
}

// FuzzDecodeSnapshotData: a snapshot's data comes from the leader, over
// the network. Decoding never panics; what decodes holds at most the
// table's bound of sessions, each client once, and encodes to bytes that
// decode and encode again to the same bytes (order and replies kept).
func FuzzDecodeSnapshotData(f *testing.F) {
	tbl := newSessionTable(4)
	for _, c := range []uint64{7, 2, 1 << 63} {
		tbl.check(c, 2, 1)
		tbl.record(c, 2, []byte("ok"))
	}
	f.Add(encodeSnapshot([]byte("state"), tbl))
	f.Add(encodeSnapshot(nil, newSessionTable(4)))
	f.Add([]byte{0, 2, 7, 1, 0, 7, 1, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		state, got, err := decodeSnapshot(data, 4)
		if err != nil {
			return
		}
		if got.len() > 4 || got.order.Len() != got.len() {
			t.Fatalf("decoded %d sessions (%d in order) from %x, bound 4", got.len(), got.order.Len(), data)
		}
		once := encodeSnapshot(state, got)
		state2, again, err := decodeSnapshot(once, 4)
		if err != nil {
			t.Fatalf("re-encoded %x does not decode: %v", once, err)
		}
		if twice := encodeSnapshot(state2, again); !bytes.Equal(once, twice) {
			t.Fatalf("encoding is not a fixed point: %x then %x", once, twice)
		}
	})
}
