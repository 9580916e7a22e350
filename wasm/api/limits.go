package api

import (
	"github.com/raftplay/raftplay/raft/sim"
	"github.com/raftplay/raftplay/raft/sim/jsonio"
)

// The playground's limits have one owner: this file. The definition's own
// limits are raft/sim's (config.go); the calls' are here. LimitsJSON hands
// both to the page as raftplay.limits (API.md), so the page reads them
// instead of repeating them.
const (
	// MaxSafeInt is the largest integer a JavaScript number holds exactly:
	// seeds, sequence numbers and message ids stay below it.
	MaxSafeInt = sim.MaxSafeInt
	// MaxInput is the bytes of JSON text one argument may bring in.
	MaxInput = 8 << 20
	// TraceWindow is how many recent events a run keeps: about 20 s of a
	// busy 9-peer cluster, far more than a page shows at once, and a few
	// megabytes however long the run. Older events come back by replaying
	// the definition.
	TraceWindow  = 20_000
	MaxBatch     = 5000       // events in one answer
	MaxAdvanceMs = 3_600_000  // one advance: an hour of virtual time
	MaxReplayMs  = 86_400_000 // replay's until: a day
	StepLimitMs  = 60_000     // how far step looks for a visible event
	// MaxInFlight is how many messages may be on their way at once before
	// the run stops (sim.Options.MaxInFlight): every one is held in memory
	// and drawn. A busy 9-peer run on the slowest network the page offers
	// has about a thousand; a run whose messages multiply (a replication
	// storm) reaches it within moments and stops there, the page alive.
	MaxInFlight = 10_000
	// MaxServers is how many servers a run may have, those added since it
	// began included: as many as the page draws.
	MaxServers = sim.MaxDisplay
)

// LimitsJSON is raftplay.limits: what the page may ask for, by name.
func LimitsJSON() []byte {
	w := jsonio.NewObject(nil)
	w.Int("peers", sim.MaxDisplay)
	w.Int("servers", MaxServers)
	w.Int("seed", MaxSafeInt)
	w.Int("clientName", sim.MaxClientName)
	w.Int("actions", sim.MaxActions)
	w.Int("latencyMs", sim.MaxLatencyMs)
	w.Int("timeoutMs", sim.MaxTimeoutMs)
	w.Int("advanceMs", MaxAdvanceMs)
	w.Int("replayMs", MaxReplayMs)
	w.Int("stepMs", StepLimitMs)
	w.Int("events", MaxBatch)
	w.Int("traceWindow", TraceWindow)
	w.Int("inFlight", MaxInFlight)
	w.Int("input", MaxInput)
	return w.End()
}

// PropertiesJSON is raftplay.properties: the properties the checkers
// verify, with the paper's words ([{id, name, definition, source}]); a
// violation event names one by id.
func PropertiesJSON() []byte { return sim.AppendPropertiesJSON(nil) }

// RulesJSON is raftplay.rules: the rules of the paper a run can break
// ([{name, summary, protects}]), for create's broken option.
func RulesJSON() []byte { return sim.AppendRulesJSON(nil) }
