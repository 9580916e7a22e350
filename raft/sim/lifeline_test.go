package sim_test

import (
	"testing"

	"github.com/raftplay/raftplay/raft/sim"
)

// What TRACE.md promises a space-time diagram: every message is one send
// and exactly one end (a deliver or a drop with the same id) at the times
// it names, unless it is still in flight, when the snapshot lists it.
func TestEveryMessageHasOneEnd(t *testing.T) {
	o := sim.DefaultCampaign(5)
	res, err := sim.RunCampaign(7, o, -1)
	if err != nil {
		t.Fatal(err)
	}
	evs, gap := res.Sim.Events(0)
	if gap {
		t.Fatal("the trace lost events")
	}
	sends := map[uint64]*sim.Event{}
	ends := map[uint64]int{}
	for i := range evs {
		e := &evs[i]
		switch e.Kind {
		case sim.EvSend:
			if sends[e.MsgID] != nil {
				t.Fatalf("message %d sent twice", e.MsgID)
			}
			sends[e.MsgID] = e
		case sim.EvDeliver, sim.EvDrop:
			s := sends[e.MsgID]
			if s == nil {
				t.Fatalf("event %d ends message %d, never sent", e.Seq, e.MsgID)
			}
			ends[e.MsgID]++
			switch {
			case e.Kind == sim.EvDeliver || e.Reason == sim.DropLoss || e.Reason == sim.DropDown:
				if e.Time != s.Arrive {
					t.Fatalf("%s of message %d at %d ms, its send said %d", e.Describe(), e.MsgID, e.Time, s.Arrive)
				}
			case e.Reason == sim.DropPartition:
				if e.Time != s.Time && e.Time != s.Arrive {
					t.Fatalf("%s at %d ms: neither its send (%d) nor its arrival (%d)", e.Describe(), e.Time, s.Time, s.Arrive)
				}
			}
		}
	}
	inFlight := map[uint64]bool{}
	for _, m := range res.Sim.Snapshot().Messages {
		inFlight[m.ID] = true
	}
	kinds := map[string]int{}
	for id, s := range sends {
		switch n := ends[id]; {
		case n == 0 && !inFlight[id]:
			t.Fatalf("message %d (%s) has no end and is not in flight", id, s.Describe())
		case n > 1 || n == 1 && inFlight[id]:
			t.Fatalf("message %d has %d ends (in flight: %v)", id, n, inFlight[id])
		}
		if s.Dup {
			kinds["dup"]++
		}
	}
	for i := range evs {
		if evs[i].Kind == sim.EvDrop {
			kinds[evs[i].Reason]++
		}
	}
	for _, k := range []string{"dup", sim.DropLoss, sim.DropPartition, sim.DropDown} {
		if kinds[k] == 0 {
			t.Errorf("the run has no %s message: the test does not cover it", k)
		}
	}
}
