package sim_test

import (
	"testing"

	"github.com/raftplay/raftplay/raft/sim"
)

// BenchmarkBusy5 runs 5 peers under a busy client load (3 clients, a write
// every 50 ms each) for 10 minutes of virtual time, without trace or
// checks, and reports simulated message deliveries per second.
func BenchmarkBusy5(b *testing.B) {
	for _, goroutines := range []bool{false, true} {
		name := "inline"
		if goroutines {
			name = "goroutines"
		}
		b.Run(name, func(b *testing.B) {
			cfg := sim.DefaultConfig()
			cfg.Peers = 5
			cfg.Goroutines = goroutines
			def := sim.BusyLoad(cfg, 1, 3, 50, 600_000)
			var delivered uint64
			for b.Loop() {
				s, err := sim.New(def, sim.Options{})
				if err != nil {
					b.Fatal(err)
				}
				s.RunUntil(600_000)
				delivered += s.Delivered()
				s.Close()
			}
			b.ReportMetric(float64(delivered)/b.Elapsed().Seconds(), "deliveries/s")
		})
	}
}
