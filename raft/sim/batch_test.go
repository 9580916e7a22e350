package sim

import (
	"slices"
	"testing"
)

// AppendEvents in batches gives exactly what Events gives, window gap
// included.
func TestAppendEventsMatchesEvents(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Peers = 5
	for _, limit := range []int{-1, 1, 50, 333} {
		s, err := New(Definition{Config: cfg, Seed: 2}, Options{TraceLimit: limit})
		if err != nil {
			t.Fatal(err)
		}
		s.RunUntil(3000)
		for _, after := range []uint64{0, 1, s.LastSeq() - 40, s.LastSeq() - 1, s.LastSeq(), s.LastSeq() + 5} {
			want, wantGap := s.Events(after)
			var got []Event
			gotGap := false
			cursor := after
			for first := true; ; first = false {
				batch, gap := s.AppendEvents(nil, cursor, 7)
				if first {
					gotGap = gap
				} else if gap {
					t.Fatalf("limit %d after %d: a gap inside the window", limit, after)
				}
				if len(batch) == 0 {
					break
				}
				got = append(got, batch...)
				cursor = batch[len(batch)-1].Seq
			}
			if gotGap != wantGap || !slices.EqualFunc(got, want, func(a, b Event) bool { return a.Seq == b.Seq && a.Kind == b.Kind }) {
				t.Fatalf("limit %d after %d: %d events gap %v, Events gives %d gap %v", limit, after, len(got), gotGap, len(want), wantGap)
			}
		}
		s.Close()
	}
}
