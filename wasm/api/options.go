package api

import (
	"slices"
	"strconv"

	"github.com/raftplay/raftplay/raft/sim"
)

// Scenario names besides raft/sim's: "election" is a plain start.
const ScenarioElection = "election"

// Options are create's arguments: how to start a run.
type Options struct {
	Scenario string // ScenarioElection or a raft/sim scenario
	Seed     uint64
	Config   sim.Config
	custom   bool // a configuration field was given
}

// DefaultOptions is the first screen: three peers electing a leader.
func DefaultOptions() Options {
	return Options{Scenario: ScenarioElection, Seed: 1, Config: sim.DefaultConfig()}
}

// scenarioNames lists what create accepts as a scenario.
func scenarioNames() []string {
	names := []string{ScenarioElection}
	for _, sc := range sim.Scenarios() {
		names = append(names, sc.Name)
	}
	return names
}

// decodeOptions reads create's options object (API.md), strictly.
func decodeOptions(v any) (Options, *Error) {
	o := DefaultOptions()
	c := &o.Config
	f := object("options", v, true)
	o.Scenario = f.oneOf("scenario", ScenarioElection, scenarioNames()...)
	o.Seed = uint64(f.int("seed", 0, MaxSafeInt, 1))
	c.Peers = int(f.int("peers", 1, sim.MaxDisplay, int64(c.Peers)))
	switch f.oneOf("bootstrap", c.Bootstrap.String(), "all", "talk") {
	case "talk":
		c.Bootstrap = sim.BootstrapTalk
	default:
		c.Bootstrap = sim.BootstrapAll
	}
	c.TickMs = f.int("tickMs", 1, 1000, c.TickMs)
	c.ElectionMinMs = f.int("electionMinMs", 1, sim.MaxTimeoutMs, c.ElectionMinMs)
	c.ElectionMaxMs = f.int("electionMaxMs", 1, sim.MaxTimeoutMs, c.ElectionMaxMs)
	c.HeartbeatMs = f.int("heartbeatMs", 1, sim.MaxTimeoutMs, c.HeartbeatMs)
	c.ClientTimeoutMs = f.int("clientTimeoutMs", 1, 10*sim.MaxTimeoutMs, c.ClientTimeoutMs)
	c.SnapshotEvery = int(f.int("snapshotEvery", 0, 1_000_000, int64(c.SnapshotEvery)))
	c.MaxEntries = int(f.int("maxEntries", 0, sim.MaxEntriesPerAppend, int64(c.MaxEntries)))
	c.Net = decodeLink(f.sub("net"), c.Net)
	for k := range f.m {
		o.custom = o.custom || k != "scenario" && k != "seed"
	}
	if err := f.done(); err != nil {
		return o, err
	}
	if o.custom && o.Scenario != ScenarioElection {
		return o, badArg("scenario " + strconv.Quote(o.Scenario) + " brings its own configuration: give only seed with it")
	}
	if err := c.Validate(); err != nil {
		return o, outOfRange(err.Error())
	}
	return o, nil
}

// decodeLink reads a link's settings over cur: fields left out keep their
// value. It is strict or lenient as f is.
func decodeLink(f *fields, cur sim.Link) sim.Link {
	l := cur
	l.LatencyMinMs = f.int("latencyMinMs", 1, sim.MaxLatencyMs, l.LatencyMinMs)
	l.LatencyMaxMs = f.int("latencyMaxMs", 1, sim.MaxLatencyMs, l.LatencyMaxMs)
	l.Loss = f.fraction("loss", l.Loss)
	l.Duplicate = f.fraction("duplicate", l.Duplicate)
	l.Reorder = f.fraction("reorder", l.Reorder)
	return l
}

// Page is what the host element's data-* attributes ask for (API.md, "The
// host element").
type Page struct {
	Peers    int // 0: not given
	Seed     uint64
	Scenario string
	Warnings []string // attributes that were ignored, and why
}

// ReadPage reads the host element's data-* attributes: attr returns one
// attribute's value and whether it is set. Bad attributes are skipped with
// a warning, so an embed with a typo still shows a playground.
func ReadPage(attr func(name string) (string, bool)) Page {
	p := Page{Seed: 1, Scenario: ScenarioElection}
	num := func(name string, lo, hi int64) (int64, bool) {
		s, ok := attr(name)
		if !ok {
			return 0, false
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < lo || n > hi {
			p.Warnings = append(p.Warnings, "data-"+name+"="+strconv.Quote(s)+" ignored: give a whole number from "+itoa(lo)+" to "+itoa(hi))
			return 0, false
		}
		return n, true
	}
	if n, ok := num("peers", 1, sim.MaxDisplay); ok {
		p.Peers = int(n)
	}
	if n, ok := num("seed", 0, MaxSafeInt); ok {
		p.Seed = uint64(n)
	}
	if s, ok := attr("scenario"); ok {
		if names := scenarioNames(); slices.Contains(names, s) {
			p.Scenario = s
		} else {
			p.Warnings = append(p.Warnings, "data-scenario="+strconv.Quote(s)+" ignored: known scenarios are "+joinNames(names))
		}
	}
	if p.Peers != 0 && p.Scenario != ScenarioElection {
		p.Warnings = append(p.Warnings, "data-peers ignored: scenario "+strconv.Quote(p.Scenario)+" brings its own configuration")
		p.Peers = 0
	}
	return p
}

// CreateArgs is the options of the create call that starts the page's run.
func (p *Page) CreateArgs() []byte {
	w := obj(nil)
	w.str("scenario", p.Scenario)
	w.uint("seed", p.Seed)
	if p.Peers != 0 {
		w.int("peers", int64(p.Peers))
	}
	return w.end()
}

// ReadyJSON is the detail of the raftplay:ready event: the API version,
// the first run's status (an answer of create), the page's settings and
// its warnings.
func (p *Page) ReadyJSON(status []byte) []byte {
	w := obj(nil)
	w.int("version", Version)
	w.raw("status", status)
	w.raw("page", p.CreateArgs())
	w.key("warnings")
	w.b = append(w.b, '[')
	for i, s := range p.Warnings {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.b = appendString(w.b, s)
	}
	w.b = append(w.b, ']')
	return w.end()
}

// ScenariosJSON lists the scenarios create accepts: [{name, summary}].
func ScenariosJSON() []byte {
	b := []byte(`[{"name":"election","summary":"the peers start together and elect a leader"}`)
	for _, sc := range sim.Scenarios() {
		w := obj(append(b, ','))
		w.str("name", sc.Name)
		w.str("summary", sc.Summary)
		b = w.end()
	}
	return append(b, ']')
}

// definition turns options into the run's definition: a scenario is played
// once, quickly and inline, to record the actions that replay it.
func (o *Options) definition() (sim.Definition, *Error) {
	if o.Scenario == ScenarioElection {
		return sim.Definition{Config: o.Config, Seed: o.Seed}, nil
	}
	s, err := sim.RunScenario(o.Scenario, o.Seed, false, sim.Options{})
	if err != nil {
		return sim.Definition{}, &Error{CodeRejected, "scenario " + strconv.Quote(o.Scenario) + " with seed " + strconv.FormatUint(o.Seed, 10) + ": " + err.Error()}
	}
	defer s.Close()
	return s.Definition(), nil
}
