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

// TestWriters runs Peer.Write from many goroutines on a small input: every
// peer applies every write exactly once.
func TestWriters(t *testing.T) {
	c, err := newRuntime(true)
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	if err := runWriters(c, Payloads(1000), 64); err != nil {
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

// BenchmarkRuntimeWrite is the anchor workload through Peer.Write, the
// blocking call an application makes, from Writers goroutines: ops are
// proposals, as in BenchmarkAnchor.
func BenchmarkRuntimeWrite(b *testing.B) {
	b.Run("writers="+strconv.Itoa(Writers), func(b *testing.B) {
		c, err := newRuntime(true)
		if err != nil {
			b.Fatal(err)
		}
		defer c.close()
		payloads := Payloads(b.N)
		b.ReportAllocs()
		b.ResetTimer()
		msgs0, cpu0, start := c.messages(), cpuTime(), time.Now()
		if err := runWriters(c, payloads, Writers); err != nil {
			b.Fatal(err)
		}
		elapsed, cpu := time.Since(start), cpuTime()-cpu0
		b.StopTimer()
		b.ReportMetric(float64(b.N)/elapsed.Seconds(), "ops/s")
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
		b.ReportMetric(float64(c.messages()-msgs0)/float64(b.N), "msgs/op")
	})
}
