package simbench

import "testing"

// BenchmarkHandoff measures the floor of running peers on goroutines: one
// op is one round trip of the simulator's hand-off, a send on an unbuffered
// channel to a waiting goroutine and its answer on a buffered one, with
// nothing handled in between. The simulator makes one per event it hands a
// peer (a delivery, a tick, a client request).
func BenchmarkHandoff(b *testing.B) {
	in := make(chan chan struct{})
	go func() {
		for done := range in {
			done <- struct{}{}
		}
	}()
	done := make(chan struct{}, 1)
	for b.Loop() {
		in <- done
		<-done
	}
	close(in)
}
