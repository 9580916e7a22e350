package sim

import (
	"strings"
	"testing"
)

// A write that got no answer may still be applied, so the words say so; a
// read changes nothing, and the words must not suggest it might.
func TestUnansweredRequestWords(t *testing.T) {
	for _, c := range []struct {
		op, outcome, want, not string
	}{
		{"lock", OutcomeTimeout, "it may still take effect", "read changes nothing"},
		{"unlock", OutcomeCrashed, "s2 crashed before answering; it may still take effect", "read changes nothing"},
		{"read", OutcomeTimeout, "a read changes nothing, so ask again", "take effect"},
		{"read", OutcomeCrashed, "s2 crashed before answering; a read changes nothing", "take effect"},
	} {
		e := Event{Kind: EvReply, Peer: 2, Client: "alice", Op: c.op, Outcome: c.outcome}
		said := e.Describe()
		if !strings.Contains(said, c.want) || strings.Contains(said, c.not) {
			t.Errorf("%s %s: %q, want it to say %q and not %q", c.op, c.outcome, said, c.want, c.not)
		}
	}
}
