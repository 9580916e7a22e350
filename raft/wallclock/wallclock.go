// Package wallclock drives Raft peers from real time, for deployments.
// (Package raft itself never reads a clock: time is an input to it.)
package wallclock

import (
	"sync"
	"time"
)

// Clock ticks every Interval of real time. It implements raft.Clock.
type Clock struct {
	Interval time.Duration
}

// New returns a clock that ticks every interval; 10 ms suits the default
// timings (150-300 ms election timeouts, 50 ms heartbeats).
func New(interval time.Duration) Clock { return Clock{Interval: interval} }

// Start calls tick once per interval, on a goroutine of its own, until stop
// is called. A slow tick delays the next one; missed ticks are dropped.
func (c Clock) Start(tick func()) (stop func()) {
	t := time.NewTicker(c.Interval)
	done := make(chan struct{})
	var once sync.Once
	go func() {
		for {
			select {
			case <-t.C:
				tick()
			case <-done:
				return
			}
		}
	}()
	return func() {
		once.Do(func() {
			t.Stop()
			close(done)
		})
	}
}
