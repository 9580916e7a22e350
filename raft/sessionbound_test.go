package raft

import (
	"slices"
	"strconv"
	"testing"
)

// counter counts its writes; its state survives snapshots.
type counter struct{}

func (counter) Init() int                           { return 0 }
func (counter) Write(_ []byte, n int) ([]byte, int) { return []byte(strconv.Itoa(n + 1)), n + 1 }
func (counter) Read(_ []byte, n int) []byte         { return []byte(strconv.Itoa(n)) }
func (counter) EncodeState(n int) []byte            { return []byte(strconv.Itoa(n)) }
func (counter) DecodeState(b []byte) (int, error)   { return strconv.Atoi(string(b)) }

// A peer keeps at most its bound of client sessions, the ones used most
// recently in log order: a retry from a kept client is answered from its
// session, not applied again; a dropped client's is taken as new (the
// window the bound leaves, session.go). A peer restarted from the
// snapshot and the log keeps the same sessions in the same order, so it
// drops the same one next.
func TestPeerKeepsTheSessionsUsedMostRecently(t *testing.T) {
	store := NewMemoryStorage()
	start := func() *Peer[int] {
		p, err := StartPeer(counter{}, PeerConfig{Config: DefaultConfig(1), Storage: store, Transport: NewNetwork(),
			Clock: &ManualClock{}, Inline: true, SnapshotEvery: 3, maxSessions: 3})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	p := start()
	if err := p.SetConfiguration([]ID{1}); err != nil {
		t.Fatal(err)
	}
	if err := p.Campaign(); err != nil {
		t.Fatal(err)
	}
	write := func(p *Peer[int], client, seq uint64) string {
		t.Helper()
		got := ""
		if _, err := p.Submit(Request{Client: client, Seq: seq, Lowest: seq, Cmd: []byte("+1")}, func(r []byte, err error) {
			if err != nil {
				t.Fatalf("client %d, write %d: %v", client, seq, err)
			}
			got = string(r)
		}); err != nil {
			t.Fatalf("client %d, write %d: %v", client, seq, err)
		}
		if got == "" {
			t.Fatalf("client %d, write %d: no answer from an inline leader of one", client, seq)
		}
		return got
	}
	for c := uint64(1); c <= 5; c++ {
		write(p, c, 1)
	}
	if n := p.sessions.len(); n != 3 {
		t.Fatalf("the peer keeps %d sessions after 5 clients, want 3", n)
	}
	if r := write(p, 5, 1); r != "5" {
		t.Fatalf("client 5's retry answered %q, want its first reply, 5", r)
	}
	if r := write(p, 1, 1); r != "6" {
		t.Fatalf("client 1's retry, its session dropped, answered %q; want it applied as a new client's, 6", r)
	}
	order := func(p *Peer[int]) []uint64 {
		var out []uint64
		p.sessions.each(func(s *clientSession) { out = append(out, s.client) })
		return out
	}
	if got := order(p); !slices.Equal(got, []uint64{4, 5, 1}) {
		t.Fatalf("sessions %v, want [4 5 1], least recently used first", got)
	}
	if st := mustStatusOf(t, p); st.SnapshotIndex != st.LastIndex {
		t.Fatalf("snapshot at %d of %d: the test needs the restart to come from a snapshot of every entry", st.SnapshotIndex, st.LastIndex)
	}
	want := order(p)
	p.Stop()
	again := start()
	defer again.Stop()
	if err := again.Campaign(); err != nil { // leading again, it commits and applies its log
		t.Fatal(err)
	}
	if got := order(again); !slices.Equal(got, want) {
		t.Fatalf("restarted from the snapshot and the log, the peer keeps %v, want %v", got, want)
	}
	write(again, 6, 1)
	if got := order(again); !slices.Equal(got, []uint64{5, 1, 6}) {
		t.Fatalf("a new client after the restart leaves %v, want [5 1 6]: client 4 was the least recently used", got)
	}
}

func mustStatusOf(t *testing.T, p *Peer[int]) Status {
	t.Helper()
	st, err := p.Status()
	if err != nil {
		t.Fatal(err)
	}
	return st
}
