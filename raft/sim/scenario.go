package sim

import (
	"errors"
	"slices"
	"sort"

	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/lock"
)

// A Scenario builds a run by acting on a live simulation when the moment is
// right (a leader known, a reply back) and so produces a Definition that
// replays exactly.
type Scenario struct {
	Name    string
	Summary string
	// Configure changes the default configuration into the scenario's own
	// (its cluster's size, timings); nil keeps the defaults.
	Configure func(c *Config)
	Run       func(s *Sim) error
	// PaperOnly: the scenario tells a story of the paper's Raft, step by
	// step, which PreVote or CheckQuorum would change; it refuses them.
	PaperOnly bool
}

var scenarios = map[string]Scenario{}

func register(sc Scenario) { scenarios[sc.Name] = sc }

// Scenarios lists the named scenarios, sorted by name.
func Scenarios() []Scenario {
	out := make([]Scenario, 0, len(scenarios))
	for _, sc := range scenarios {
		out = append(out, sc)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// RunScenario plays a named scenario from its starting configuration, with
// peers on goroutines or inline.
func RunScenario(name string, seed uint64, goroutines bool, opts Options) (*Sim, error) {
	return RunScenarioWith(name, seed, Switches{}, goroutines, opts)
}

// Switches are what a run may turn on over its scenario's configuration:
// the dissertation's additions to the paper's elections. A scenario plays
// the same actions whatever they are; what follows from them differs.
type Switches struct {
	PreVote, CheckQuorum bool
}

// RunScenarioWith is RunScenario with the switches given turned on.
func RunScenarioWith(name string, seed uint64, sw Switches, goroutines bool, opts Options) (*Sim, error) {
	sc, ok := scenarios[name]
	if !ok {
		return nil, errors.New("unknown scenario " + name)
	}
	if sc.PaperOnly && (sw.PreVote || sw.CheckQuorum) {
		return nil, errors.New("scenario " + name + " plays the paper's Raft step by step: PreVote and CheckQuorum would change its story; turn them off")
	}
	cfg := sc.Config()
	cfg.Goroutines = goroutines
	cfg.PreVote = cfg.PreVote || sw.PreVote
	cfg.CheckQuorum = cfg.CheckQuorum || sw.CheckQuorum
	s, err := New(Definition{Config: cfg, Seed: seed}, opts)
	if err != nil {
		return nil, err
	}
	if err := sc.Run(s); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Config returns the configuration the scenario starts from.
func (sc *Scenario) Config() Config {
	cfg := DefaultConfig()
	if sc.Configure != nil {
		sc.Configure(&cfg)
	}
	return cfg
}

// waitFor steps until cond holds, or fails after limit ms of virtual time.
func (s *Sim) waitFor(limit int64, what string, cond func() bool) error {
	return s.waitDropping(limit, what, nil, cond)
}

// waitDropping is waitFor that also drops, by hand, every message in flight
// that drop matches, as soon as it is sent (a nil drop drops nothing).
func (s *Sim) waitDropping(limit int64, what string, drop func(*raft.Message) bool, cond func() bool) error {
	end := s.now + limit
	for {
		if err := s.dropInFlight(drop); err != nil {
			return err
		}
		if cond() {
			return nil
		}
		at := s.NextEventAt()
		if at < 0 || at > end {
			return errors.New("scenario: gave up waiting for " + what)
		}
		s.Step()
	}
}

// dropInFlight drops every message in flight that match matches, in the
// order they were sent.
func (s *Sim) dropInFlight(match func(*raft.Message) bool) error {
	if match == nil {
		return nil
	}
	var ids []uint64
	for it := range s.queue.all {
		if it.kind == itemDeliver && !it.lost && match(it.msg) {
			ids = append(ids, it.msgID)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		if err := s.Do(Action{Kind: ActDrop, Msg: id}); err != nil {
			return err
		}
	}
	return nil
}

// WaitForLeader steps until every running peer follows the same leader.
func (s *Sim) WaitForLeader(limit int64) (raft.ID, error) {
	var id raft.ID
	err := s.waitFor(limit, "a leader", func() bool {
		id, _ = s.Leader()
		if id == raft.None {
			return false
		}
		for _, sl := range s.peers {
			if sl.up() && sl.leader != id {
				return false
			}
		}
		return true
	})
	return id, err
}

// Request performs a client action and steps until its reply, returning
// the outcome.
func (s *Sim) Request(a Action, limit int64) (string, error) {
	if err := s.Do(a); err != nil {
		return "", err
	}
	r := s.requests[s.nextReq]
	if r == nil { // answered at once
		return s.lastOutcome, nil
	}
	if err := s.waitFor(limit, "a reply", func() bool { return r.done }); err != nil {
		return "", err
	}
	return r.outcome, nil
}

func init() {
	register(Scenario{
		Name:      "talk",
		Summary:   "the talk's demo: s1 configures [s1 s2 s3]; lock/unlock at s1 and s2 give ok, error, error, ok, ok",
		Configure: func(c *Config) { c.Bootstrap = BootstrapTalk },
		Run: func(s *Sim) error {
			if _, err := s.WaitForLeader(5000); err != nil {
				return err
			}
			for _, w := range TalkDemo {
				if _, err := s.Request(w, 5000); err != nil {
					return err
				}
			}
			return nil
		},
	})
}

func init() {
	register(Scenario{
		Name: "partition",
		Summary: "5 servers split 2 | 3 with the leader on the small side: bob's write there cannot commit while the other " +
			"side elects a leader and commits; healed, the old leader steps down, its entry is replaced (section 5.3), and " +
			"bob's write, passed on to the new leader, is applied once: after carol's lock, so the lock says no",
		Configure: func(c *Config) { c.Peers = 5 },
		Run:       partitionScenario,
	})
}

func partitionScenario(s *Sim) error {
	old, err := s.WaitForLeader(5000)
	if err != nil {
		return err
	}
	if _, err := s.Request(Action{Kind: ActWrite, Peer: old, Client: "alice", Op: lock.OpLock}, 5000); err != nil {
		return err
	}
	minority := []raft.ID{old, old%5 + 1}
	var majority []raft.ID
	for id := raft.ID(1); id <= 5; id++ {
		if id != minority[0] && id != minority[1] {
			majority = append(majority, id)
		}
	}
	if err := s.Do(Action{Kind: ActPartition, Groups: [][]raft.ID{minority, majority}}); err != nil {
		return err
	}
	// The old leader still believes it leads: it takes bob's write and
	// cannot commit it, lacking a majority.
	if err := s.Do(Action{Kind: ActWrite, Peer: old, Client: "bob", Op: lock.OpLock}); err != nil {
		return err
	}
	// The other side elects a leader in a higher term and commits.
	if err := s.waitFor(5000, "a leader on the majority side", func() bool {
		id, _ := s.Leader()
		return id != raft.None && id != old
	}); err != nil {
		return err
	}
	now, _ := s.Leader()
	for _, w := range []Action{
		{Kind: ActWrite, Peer: now, Client: "alice", Op: lock.OpUnlock},
		{Kind: ActWrite, Peer: now, Client: "carol", Op: lock.OpLock},
	} {
		if _, err := s.Request(w, 5000); err != nil {
			return err
		}
	}
	// Healed, the old leader hears the higher term, steps down, and its
	// log is made to match the new leader's; its peer passes bob's write,
	// still unanswered, on to the new leader.
	if err := s.Do(Action{Kind: ActHeal}); err != nil {
		return err
	}
	return s.waitFor(5000, "the old leader to step down", func() bool { return s.peers[old-1].role == raft.Follower })
}

// TalkDemo is the talk's sequence of writes, each by the client named after
// the peer it writes at.
var TalkDemo = []Action{
	{Kind: ActWrite, Peer: 1, Client: "s1", Op: lock.OpLock},
	{Kind: ActWrite, Peer: 2, Client: "s2", Op: lock.OpLock},
	{Kind: ActWrite, Peer: 2, Client: "s2", Op: lock.OpUnlock},
	{Kind: ActWrite, Peer: 1, Client: "s1", Op: lock.OpUnlock},
	{Kind: ActWrite, Peer: 2, Client: "s2", Op: lock.OpLock},
}
