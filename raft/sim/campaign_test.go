package sim_test

import (
	"flag"
	"fmt"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/raftplay/raftplay/raft/sim"
	"github.com/raftplay/raftplay/raft/sim/lincheck"
)

var defaultCampaignSeeds = 510

var campaignSeeds = flag.Int("campaign.seeds", 0, "seeds in the randomized fault campaign, spread over 3, 5 and 7 peers (0: 510, or 60 under -race)")
var campaignFirst = flag.Uint64("campaign.first", 1, "first seed of the campaign")

// TestCampaign is layer 3 of the test plan: randomized fault runs over 3, 5
// and 7 peers (partitions, crashes and restarts, loss up to 30%,
// duplication, reordering, concurrent lock clients, leadership transfers,
// and, for every other seed, servers added and removed),
// with and without PreVote and CheckQuorum (each seed draws them). Every run must keep
// every safety property after every event, give a linearizable client
// history, and settle once the faults stop. A failure prints the command
// that replays the run.
func TestCampaign(t *testing.T) {
	sizes := []int{3, 5, 7}
	n := *campaignSeeds
	if n == 0 {
		n = defaultCampaignSeeds
	}
	for i := 0; i < n; i++ {
		seed := *campaignFirst + uint64(i)
		o := sim.DefaultCampaign(sizes[i%len(sizes)])
		o.MixElections, o.Transfers = true, true
		o.Membership = i%2 == 0 // with every size, with and without
		t.Run(fmt.Sprintf("seed=%d/peers=%d", seed, o.Peers), func(t *testing.T) {
			t.Parallel()
			checkCampaign(t, seed, o)
		})
	}
}

func checkCampaign(t *testing.T, seed uint64, o sim.CampaignOptions) {
	t.Helper()
	res, err := sim.RunCampaign(seed, o, 0)
	if err != nil {
		t.Fatal(err)
	}
	replay := "reproduce with: " + o.Command(seed)
	for _, v := range res.Violations {
		t.Errorf("safety violation at %d ms on %v: %s", v.Time, v.Peer, v.Reason)
	}
	if !res.Settled {
		t.Errorf("did not settle within %d ms after the faults stopped: %s", o.SettleMs, res.Unsettled)
	}
	if r := lincheck.Check(res.History, 30*time.Second); r != porcupine.Ok {
		t.Errorf("client history is not linearizable (%v), %d operations", r, len(res.History))
	}
	if t.Failed() {
		t.Log(replay)
	}
}
