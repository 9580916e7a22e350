package api

import (
	"testing"

	"github.com/raftplay/raftplay/raft/sim"
)

// raftplay.limits is valid JSON and gives the limits the calls check.
func TestLimitsJSON(t *testing.T) {
	v, err := Parse(LimitsJSON())
	if err != nil {
		t.Fatal(err)
	}
	m := v.(map[string]any)
	for k, want := range map[string]int64{
		"peers": sim.MaxDisplay, "seed": MaxSafeInt, "clientName": sim.MaxClientName,
		"advanceMs": MaxAdvanceMs, "replayMs": MaxReplayMs, "actions": sim.MaxActions,
	} {
		if got, ok := m[k].(float64); !ok || int64(got) != want {
			t.Errorf("limits.%s = %v, want %d", k, m[k], want)
		}
	}
}
