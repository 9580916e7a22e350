package tcp

import (
	"testing"

	"github.com/raftplay/raftplay/raft"
)

// benchmarkSend measures messages of size bytes of data from s1 to s2
// over loopback, with at most window of them on their way at a time (so
// that none is dropped for a full queue).
func benchmarkSend(b *testing.B, size, window int) {
	ts := cluster(b, 2, nil)
	got := make(chan struct{}, window)
	defer ts[1].Listen(2, func(raft.Message) { got <- struct{}{} })()
	m := msg(1, 2, 1)
	m.Entries[0].Data = make([]byte, size)
	ts[0].Send(m) // queued until the two are connected
	<-got
	b.SetBytes(int64(size))
	b.ResetTimer()
	inflight := 0
	for range b.N {
		if inflight == window {
			<-got
			inflight--
		}
		ts[0].Send(m)
		inflight++
	}
	for ; inflight > 0; inflight-- {
		<-got
	}
	b.StopTimer()
	if s := ts[0].Stats(); s.Dropped != 0 {
		b.Fatalf("%+v; want none dropped", s)
	}
}

// Small messages: an append of one 100-byte entry.
func BenchmarkSendSmall(b *testing.B) { benchmarkSend(b, 100, 512) }

// Large messages: 4 MiB, a snapshot's worth.
func BenchmarkSendLarge(b *testing.B) { benchmarkSend(b, 4<<20, 4) }
