package simbench

import (
	"runtime"
	"runtime/debug"
	"strconv"
	"testing"
	"time"

	"github.com/raftplay/raftplay/raft"
)

// TestBusy runs a short busy run both ways and checks that messages flow.
func TestBusy(t *testing.T) {
	for _, goroutines := range []bool{false, true} {
		n, err := Run(Busy(BusyPeers, goroutines, 5_000), 5_000)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Fatalf("goroutines=%v: no message delivered in 5 s", goroutines)
		}
	}
}

// TestLogCluster grows a short log with and without snapshots: every
// peer applies every write, and snapshots keep the log short.
func TestLogCluster(t *testing.T) {
	for _, every := range []int{-1, 100} {
		c, err := NewLogCluster(every)
		if err != nil {
			t.Fatal(err)
		}
		for range 1000 {
			if err := c.Write(); err != nil {
				t.Fatal(err)
			}
		}
		if err := c.Finish(); err != nil {
			t.Fatal(err)
		}
		for i := range LogPeers {
			snap, kept := c.Log(i)
			if every < 0 && (snap != 0 || kept < 1000) {
				t.Errorf("no snapshots: peer %d has a snapshot at %d and %d entries", i+1, snap, kept)
			}
			if every > 0 && (snap < 900 || kept > uint64(every)+10) {
				t.Errorf("snapshots every %d: peer %d has a snapshot at %d and %d entries", every, i+1, snap, kept)
			}
		}
		c.Close()
	}
}

// meter measures a run: wall and CPU time, allocations, and the live heap
// at the end.
type meter struct {
	start     time.Time
	cpu0      time.Duration
	base      uint64 // live heap before the run
	ms0       runtime.MemStats
	elapsed   time.Duration
	cpu       time.Duration
	cpuKnown  bool
	allocs    uint64
	allocated uint64
}

func startMeter(b *testing.B) *meter {
	b.StopTimer()
	m := &meter{}
	runtime.GC()
	runtime.ReadMemStats(&m.ms0)
	m.base = m.ms0.HeapAlloc
	b.StartTimer()
	m.cpu0, _ = cpuTime()
	m.start = time.Now()
	return m
}

// stop ends the timed part.
func (m *meter) stop(b *testing.B) {
	m.elapsed = time.Since(m.start)
	var cpu time.Duration
	cpu, m.cpuKnown = cpuTime()
	m.cpu = cpu - m.cpu0
	b.StopTimer()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	m.allocs, m.allocated = ms.Mallocs-m.ms0.Mallocs, ms.TotalAlloc-m.ms0.TotalAlloc
}

// liveHeap returns the bytes the run keeps reachable: the live heap after
// a collection, less what was live before it began. Call it while what
// the run built is still reachable.
func (m *meter) liveHeap() float64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return float64(ms.HeapAlloc) - float64(m.base)
}

// report reports per-delivery metrics: deliveries/s (wall), cpu-ns/delivery
// (natively), allocs/delivery and B/delivery.
func (m *meter) report(b *testing.B, delivered uint64) {
	d := float64(max(delivered, 1))
	b.ReportMetric(float64(delivered), "deliveries")
	b.ReportMetric(float64(delivered)/m.elapsed.Seconds(), "deliveries/s")
	if m.cpuKnown {
		b.ReportMetric(float64(m.cpu.Nanoseconds())/d, "cpu-ns/delivery")
	}
	b.ReportMetric(float64(m.allocs)/d, "allocs/delivery")
	b.ReportMetric(float64(m.allocated)/d, "B/delivery")
}

// BenchmarkBusy is the simulator run of issue 5: 5 peers under the busy
// load, no trace, no checks; peers inline or each on its own goroutine.
// The third mode is the first with the garbage collector off: what the
// compiled code alone costs. One op is one millisecond of virtual time:
// -benchtime=600000x is 10 minutes.
func BenchmarkBusy(b *testing.B) {
	for _, mode := range []string{"inline", "goroutines", "inline-gc-off"} {
		b.Run("mode="+mode, func(b *testing.B) {
			def := Busy(BusyPeers, mode == "goroutines", int64(b.N))
			if mode == "inline-gc-off" {
				defer debug.SetGCPercent(debug.SetGCPercent(-1))
			}
			m := startMeter(b)
			n, err := Run(def, int64(b.N))
			m.stop(b)
			if err != nil {
				b.Fatal(err)
			}
			m.report(b, n)
		})
	}
}

// BenchmarkPeers runs the busy load on clusters of ScalePeers peers,
// inline, and reports besides the speed the live heap at the end of the
// run (heap-B: the simulator, its peers, their logs and the run's history
// of client operations) and all it allocated (alloc-B). One op is one
// millisecond of virtual time.
func BenchmarkPeers(b *testing.B) {
	for _, peers := range ScalePeers {
		b.Run("peers="+strconv.Itoa(peers), func(b *testing.B) {
			def := Busy(peers, false, int64(b.N))
			m := startMeter(b)
			s, err := newRun(def)
			if err != nil {
				b.Fatal(err)
			}
			s.RunUntil(int64(b.N))
			m.stop(b)
			heap := m.liveHeap()
			n := s.Delivered()
			s.Close()
			m.report(b, n)
			b.ReportMetric(heap, "heap-B")
			b.ReportMetric(float64(m.allocated), "alloc-B")
		})
	}
}

// BenchmarkLog grows the log of a 3-peer LogCluster, one write at a time,
// with no snapshots and with a snapshot every raft.DefaultSnapshotEvery
// entries. One op is one committed entry: -benchtime=1000000x makes a
// million. heap-B is the live heap at the end (three logs, three
// storages), alloc-B all it allocated, entries the entries peer 1 still
// holds in its log.
func BenchmarkLog(b *testing.B) {
	for _, every := range []int{-1, raft.DefaultSnapshotEvery} {
		name := "snapshots=never"
		if every > 0 {
			name = "snapshots=" + strconv.Itoa(every)
		}
		b.Run(name, func(b *testing.B) {
			m := startMeter(b)
			b.StopTimer()
			c, err := NewLogCluster(every)
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			d0 := c.Delivered()
			b.StartTimer()
			for range b.N {
				if err := c.Write(); err != nil {
					b.Fatal(err)
				}
			}
			m.stop(b)
			delivered := c.Delivered() - d0
			if err := c.Finish(); err != nil {
				b.Fatal(err)
			}
			heap := m.liveHeap()
			_, kept := c.Log(0)
			m.report(b, delivered)
			b.ReportMetric(heap, "heap-B")
			b.ReportMetric(float64(m.allocated), "alloc-B")
			b.ReportMetric(float64(kept), "entries")
		})
	}
}
