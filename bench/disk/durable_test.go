package disk

import (
	"strconv"
	"testing"
	"time"
)

var libraries = []struct {
	name string
	new  func(dir string) (Cluster, error)
}{
	{"ours", NewOurs},
	{"hashicorp", NewHashicorp},
}

// TestClusters writes a few payloads on each cluster from 16 goroutines:
// the leader applies each exactly once, and the flushes are counted.
func TestClusters(t *testing.T) {
	for _, lib := range libraries {
		t.Run(lib.name, func(t *testing.T) {
			c, err := lib.new(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			before := c.Fsyncs()
			if err := Run(c, 200, 16); err != nil {
				t.Fatal(err)
			}
			if applied := c.Applied(); !contains(applied, 200) {
				t.Fatalf("applied %v, want a leader with 200", applied)
			}
			if c.Fsyncs() == before {
				t.Fatal("200 writes and no flush counted")
			}
		})
	}
}

func contains(ns []int64, n int64) bool {
	for _, m := range ns {
		if m == n {
			return true
		}
	}
	return false
}

// BenchmarkDurable: one op is one write, applied at the leader. ops/s is
// writes per second of wall time; fsyncs/op counts the flushes of all
// three peers per write (hashicorp: two per bolt transaction).
func BenchmarkDurable(b *testing.B) {
	for _, w := range Writers {
		for _, lib := range libraries {
			b.Run("writers="+strconv.Itoa(w)+"/lib="+lib.name, func(b *testing.B) {
				c, err := lib.new(b.TempDir())
				if err != nil {
					b.Fatal(err)
				}
				defer c.Close()
				b.ReportAllocs()
				b.ResetTimer()
				fsyncs, start := c.Fsyncs(), time.Now()
				if err := Run(c, b.N, w); err != nil {
					b.Fatal(err)
				}
				elapsed := time.Since(start)
				b.StopTimer()
				b.ReportMetric(float64(b.N)/elapsed.Seconds(), "ops/s")
				b.ReportMetric(float64(c.Fsyncs()-fsyncs)/float64(b.N), "fsyncs/op")
			})
		}
	}
}
