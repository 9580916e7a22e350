package core

import (
	"strconv"
	"syscall"
	"testing"
	"time"
)

// libraries are the clusters under test, in the order each round runs them.
var libraries = []struct {
	name string
	new  func() (cluster, error)
}{
	{"ours", func() (cluster, error) { return newOurs() }},
	{"etcd", func() (cluster, error) { return newEtcd() }},
	{"runtime", func() (cluster, error) { return newRuntime(false) }},
}

var batches = []int{1, 64}

// TestWorkload runs the workload on a small input on every cluster: each
// peer applies every payload, in order, exactly once.
func TestWorkload(t *testing.T) {
	for _, batch := range batches {
		for _, lib := range libraries {
			t.Run("batch="+strconv.Itoa(batch)+"/lib="+lib.name, func(t *testing.T) {
				c, err := lib.new()
				if err != nil {
					t.Fatal(err)
				}
				defer c.close()
				if err := run(c, Payloads(1000), batch); err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

// TestWriters runs Peer.Write and hashicorp's Apply from many goroutines on
// a small input: every node applies every write exactly once.
func TestWriters(t *testing.T) {
	c, err := newRuntime(true)
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	if err := writeAll(Payloads(1000), 64, c.write); err != nil {
		t.Fatal(err)
	}
	if err := c.checkApplied(1000); err != nil {
		t.Fatal(err)
	}
	h, err := newHashicorp()
	if err != nil {
		t.Fatal(err)
	}
	defer h.close()
	if err := writeAll(Payloads(1000), 64, h.write); err != nil {
		t.Fatal(err)
	}
	if err := h.appliedAll(1000); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkAnchor is the anchor workload of issue 5. One op is one
// proposal: run it with -benchtime=200000x for N = 200,000. ns/op, B/op and
// allocs/op are per proposal; ops/s counts proposals applied on every peer
// per second. cpu-ns/op is the process's CPU time (user + system, every
// thread: the cluster, the garbage collector and, for the runtime, the
// goroutines' hand-offs) per proposal; on a busy machine it varies less
// than ns/op. msgs/op counts the messages peers send each other per
// proposal. Setup (cluster, election, payloads) is not timed.
func BenchmarkAnchor(b *testing.B) {
	for _, batch := range batches {
		for _, lib := range libraries {
			b.Run("batch="+strconv.Itoa(batch)+"/lib="+lib.name, func(b *testing.B) {
				c, err := lib.new()
				if err != nil {
					b.Fatal(err)
				}
				defer c.close()
				payloads := Payloads(b.N)
				b.ReportAllocs()
				b.ResetTimer()
				msgs0, cpu0, start := c.messages(), cpuTime(), time.Now()
				if err := run(c, payloads, batch); err != nil {
					b.Fatal(err)
				}
				elapsed, cpu := time.Since(start), cpuTime()-cpu0
				b.StopTimer()
				b.ReportMetric(float64(b.N)/elapsed.Seconds(), "ops/s")
				b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
				b.ReportMetric(float64(c.messages()-msgs0)/float64(b.N), "msgs/op")
			})
		}
	}
}

// cpuTime returns the CPU time the process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// writers are the runtimes BenchmarkWriters compares.
type writers interface {
	write(data []byte) error
	appends() (msgs, entries int64)
	close()
}

// BenchmarkWriters is the runtime workload of issue 13: 3 peers in
// memory, C goroutines each writing PayloadSize bytes and waiting for the
// answer before the next, through our Peer.Write and through hashicorp/raft
// v1.8.0's Apply (InmemTransport, InmemStore), alternating. One op is one
// write; the clock stops when every write is answered. entries/append is
// the mean number of entries in an AppendEntries that carried any.
func BenchmarkWriters(b *testing.B) {
	for _, c := range WriterCounts {
		for _, lib := range []string{"ours", "hashicorp"} {
			b.Run("C="+strconv.Itoa(c)+"/lib="+lib, func(b *testing.B) {
				var (
					w     writers
					check func(n int) error
				)
				if lib == "ours" {
					r, err := newRuntime(true)
					if err != nil {
						b.Fatal(err)
					}
					w, check = r, r.checkApplied
				} else {
					h, err := newHashicorp()
					if err != nil {
						b.Fatal(err)
					}
					w, check = h, h.appliedAll
				}
				defer w.close()
				payloads := Payloads(b.N)
				apps0, entries0 := w.appends()
				b.ReportAllocs()
				b.ResetTimer()
				cpu0, start := cpuTime(), time.Now()
				if err := writeAll(payloads, c, w.write); err != nil {
					b.Fatal(err)
				}
				elapsed, cpu := time.Since(start), cpuTime()-cpu0
				b.StopTimer()
				apps, entries := w.appends()
				if err := check(b.N); err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(b.N)/elapsed.Seconds(), "ops/s")
				b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
				if apps > apps0 {
					b.ReportMetric(float64(entries-entries0)/float64(apps-apps0), "entries/append")
				}
			})
		}
	}
}
