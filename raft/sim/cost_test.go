package sim

import "testing"

// Issue 9, item 1: on the default network (10-30 ms latency, so messages
// on a link overtake each other) a leader's replication used to refuse and
// resend what arrived out of order: 12 back-to-back writes on 3 servers
// cost over 100 messages, and 200 writes shipped over 100 entries each.
// The lab-style bound: 12 writes in at most 84 messages (7 a write); and
// every entry shipped once to each follower.
func TestBurstOfWritesCostsBoundedMessagesAndEntriesOnTheDefaultNetwork(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		for _, writes := range []int{12, 200} {
			c, err := BurstCost(DefaultConfig(), seed, writes)
			if err != nil {
				t.Fatalf("seed %d, %d writes: %v", seed, writes, err)
			}
			if writes == 12 && c.Messages > 84 {
				t.Errorf("seed %d: 12 writes cost %d messages, want at most 84", seed, c.Messages)
			}
			if c.Messages > 7*writes {
				t.Errorf("seed %d: %d writes cost %d messages, want at most 7 a write", seed, writes, c.Messages)
			}
			if c.Entries > 2*writes {
				t.Errorf("seed %d: %d writes shipped %d entries, want at most 2 a write (one to each follower)", seed, writes, c.Entries)
			}
		}
	}
}
