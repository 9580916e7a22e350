package api

import (
	"github.com/raftplay/raftplay/raft/sim/jsonio"

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
	f := jsonio.Object("options", v, true)
	o.Scenario = f.OneOf("scenario", ScenarioElection, scenarioNames()...)
	o.Seed = uint64(f.Int("seed", 0, MaxSafeInt, 1))
	c.Peers = int(f.Int("peers", 1, sim.MaxDisplay, int64(c.Peers)))
	switch f.OneOf("bootstrap", c.Bootstrap.String(), "all", "talk") {
	case "talk":
		c.Bootstrap = sim.BootstrapTalk
	default:
		c.Bootstrap = sim.BootstrapAll
	}
	c.TickMs = f.Int("tickMs", 1, 1000, c.TickMs)
	c.ElectionMinMs = f.Int("electionMinMs", 1, sim.MaxTimeoutMs, c.ElectionMinMs)
	c.ElectionMaxMs = f.Int("electionMaxMs", 1, sim.MaxTimeoutMs, c.ElectionMaxMs)
	c.HeartbeatMs = f.Int("heartbeatMs", 1, sim.MaxTimeoutMs, c.HeartbeatMs)
	c.ClientTimeoutMs = f.Int("clientTimeoutMs", 1, 10*sim.MaxTimeoutMs, c.ClientTimeoutMs)
	c.SnapshotEvery = int(f.Int("snapshotEvery", 0, 1_000_000, int64(c.SnapshotEvery)))
	c.MaxEntries = int(f.Int("maxEntries", 0, sim.MaxEntriesPerAppend, int64(c.MaxEntries)))
	broken, _ := f.Get("broken")
	c.Broken = sim.DecodeRules(f, f.Name("broken"), broken)
	c.Net = sim.DecodeLink(f.Sub("net"), c.Net)
	// PreVote and CheckQuorum go with any scenario: the same story, told
	// with or without them.
	c.PreVote, c.CheckQuorum = f.Flag("preVote"), f.Flag("checkQuorum")
	for _, k := range f.Keys() {
		o.custom = o.custom || k != "scenario" && k != "seed" && k != "preVote" && k != "checkQuorum"
	}
	if err := f.Done(); err != nil {
		return o, err
	}
	if o.custom && o.Scenario != ScenarioElection {
		return o, badArg("scenario " + strconv.Quote(o.Scenario) + " brings its own configuration: give only seed, preVote and checkQuorum with it")
	}
	if err := c.Validate(); err != nil {
		return o, outOfRange(err.Error())
	}
	return o, nil
}

// Page is what the host element's data-* attributes ask for (API.md, "The
// host element").
type Page struct {
	Peers                int // 0: not given
	Seed                 uint64
	Scenario             string
	PreVote, CheckQuorum bool
	Warnings             []string // attributes that were ignored, and why
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
			p.Warnings = append(p.Warnings, "data-"+name+"="+strconv.Quote(s)+" ignored: give a whole number from "+strconv.FormatInt(lo, 10)+" to "+strconv.FormatInt(hi, 10))
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
	flag := func(name string) bool {
		s, ok := attr(name)
		switch {
		case !ok || s == "0" || s == "false":
			return false
		case s == "1" || s == "true":
			return true
		}
		p.Warnings = append(p.Warnings, "data-"+name+"="+strconv.Quote(s)+" ignored: give 1 or 0")
		return false
	}
	p.PreVote, p.CheckQuorum = flag("prevote"), flag("checkquorum")
	if s, ok := attr("scenario"); ok {
		if names := scenarioNames(); slices.Contains(names, s) {
			p.Scenario = s
		} else {
			p.Warnings = append(p.Warnings, "data-scenario="+strconv.Quote(s)+" ignored: known scenarios are "+jsonio.JoinNames(names))
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
	w := jsonio.NewObject(nil)
	w.Str("scenario", p.Scenario)
	w.Uint("seed", p.Seed)
	if p.Peers != 0 {
		w.Int("peers", int64(p.Peers))
	}
	w.TrueNZ("preVote", p.PreVote)
	w.TrueNZ("checkQuorum", p.CheckQuorum)
	return w.End()
}

// ReadyJSON is the detail of the raftplay:ready event: the API version,
// the first run's status (an answer of create), the page's settings and
// its warnings.
func (p *Page) ReadyJSON(status []byte) []byte {
	w := jsonio.NewObject(nil)
	w.Int("version", Version)
	w.Raw("status", status)
	w.Raw("page", p.CreateArgs())
	w.Key("warnings")
	w.B = append(w.B, '[')
	for i, s := range p.Warnings {
		if i > 0 {
			w.B = append(w.B, ',')
		}
		w.B = jsonio.AppendString(w.B, s)
	}
	w.B = append(w.B, ']')
	return w.End()
}

// ScenariosJSON lists the scenarios create accepts: [{name, summary,
// paperOnly}] (paperOnly: it refuses preVote and checkQuorum).
func ScenariosJSON() []byte {
	b := []byte(`[{"name":"election","summary":"the servers start together, all followers, and elect a leader: then send requests, crash servers, cut links"}`)
	for _, sc := range sim.Scenarios() {
		w := jsonio.NewObject(append(b, ','))
		w.Str("name", sc.Name)
		w.Str("summary", sc.Summary)
		w.TrueNZ("paperOnly", sc.PaperOnly)
		b = w.End()
	}
	return append(b, ']')
}

// definition turns options into the run's definition: a scenario is played
// once, quickly and inline, to record the actions that replay it.
func (o *Options) definition() (sim.Definition, *Error) {
	if o.Scenario == ScenarioElection {
		return sim.Definition{Config: o.Config, Seed: o.Seed}, nil
	}
	sw := sim.Switches{PreVote: o.Config.PreVote, CheckQuorum: o.Config.CheckQuorum}
	s, err := sim.RunScenarioWith(o.Scenario, o.Seed, sw, false, sim.Options{})
	if err != nil {
		return sim.Definition{}, &Error{Code: CodeRejected, Msg: "scenario " + strconv.Quote(o.Scenario) + " with seed " + strconv.FormatUint(o.Seed, 10) + ": " + err.Error()}
	}
	defer s.Close()
	return s.Definition(), nil
}
