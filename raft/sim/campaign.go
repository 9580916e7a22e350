package sim

import (
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/lock"
)

// CampaignOptions shape a randomized fault run: first a phase of faults of
// every kind while clients use the lock, then the faults stop (the network
// heals, crashed peers restart) and the cluster must settle within a bound.
// This is the two-phase run of TigerBeetle's VOPR: safety under faults,
// then liveness once a majority is connected.
type CampaignOptions struct {
	Peers      int
	Clients    int     // concurrent lock clients, each with one request at a time
	FaultMs    int64   // length of the fault phase
	SettleMs   int64   // bound on convergence once faults stop
	MaxLoss    float64 // loss probability is drawn up to this
	Duplicate  float64 // duplication probability is drawn up to this
	Reorder    float64 // reordering probability is drawn up to this
	Crashes    bool
	Partitions bool
	Goroutines bool
	// SnapshotEvery compacts logs often, so snapshots and InstallSnapshot
	// are exercised under faults too (0: never).
	SnapshotEvery int
	// Broken lists the rules every peer breaks on purpose (none by
	// default): a search for what each rule protects.
	Broken raft.Rules
	// PreVote and CheckQuorum turn on what the dissertation adds to the
	// paper's elections (Config.PreVote, Config.CheckQuorum), on every
	// peer; MixElections instead draws them from the seed (its bit 1
	// PreVote, bit 2 CheckQuorum: bit 0 is left to the seed's other
	// uses, such as TestCampaign's membership changes on odd seeds), so a
	// run of many seeds tries all four.
	PreVote, CheckQuorum, MixElections bool
	// Transfers adds a fault that makes the leader hand over leadership
	// to a random peer (dissertation section 3.10).
	Transfers bool
	// Membership adds faults that make the leader add a server (one
	// outside the cluster, or a new one, up to Peers+2 servers in all) or
	// remove one, the leader included (dissertation chapter 4).
	Membership bool

	// Shapes that make rare situations frequent (all off by default), for
	// the searches of raft/sim/search:
	//
	// FaultEveryMs, if set, is the mean gap between faults, each drawn
	// from half to one and a half times it (0: 200 to 1500 ms).
	FaultEveryMs int64
	// Bounce adds a fault that crashes a peer and restarts it at once:
	// only what it did not save is lost.
	Bounce bool
	// MaxEntriesPerAppend limits each AppendEntries (0: raft's default);
	// 1 ships entries one at a time, as in the paper's Figure 8.
	MaxEntriesPerAppend int
}

// DefaultCampaign returns the options of the campaign `make test` runs.
func DefaultCampaign(peers int) CampaignOptions {
	return CampaignOptions{
		Peers: peers, Clients: 3, FaultMs: 20_000, SettleMs: 10_000,
		MaxLoss: 0.3, Duplicate: 0.1, Reorder: 0.1, Crashes: true, Partitions: true,
		SnapshotEvery: 10,
	}
}

// ForSeed returns the options seed runs with: MixElections resolved into
// PreVote and CheckQuorum.
func (o CampaignOptions) ForSeed(seed uint64) CampaignOptions {
	if o.MixElections {
		o.PreVote, o.CheckQuorum, o.MixElections = seed&2 != 0, seed&4 != 0, false
	}
	return o
}

// Command returns the command line that replays this campaign run.
func (o CampaignOptions) Command(seed uint64) string {
	o = o.ForSeed(seed)
	var b strings.Builder
	b.WriteString("go run ./cmd/raftsim -campaign")
	b.WriteString(" -seed " + strconv.FormatUint(seed, 10))
	b.WriteString(" -peers " + strconv.Itoa(o.Peers))
	b.WriteString(" -clients " + strconv.Itoa(o.Clients))
	b.WriteString(" -fault-ms " + strconv.FormatInt(o.FaultMs, 10))
	b.WriteString(" -settle-ms " + strconv.FormatInt(o.SettleMs, 10))
	b.WriteString(" -loss " + strconv.FormatFloat(o.MaxLoss, 'g', -1, 64))
	b.WriteString(" -dup " + strconv.FormatFloat(o.Duplicate, 'g', -1, 64))
	b.WriteString(" -reorder " + strconv.FormatFloat(o.Reorder, 'g', -1, 64))
	b.WriteString(" -crashes=" + strconv.FormatBool(o.Crashes))
	b.WriteString(" -partitions=" + strconv.FormatBool(o.Partitions))
	b.WriteString(" -snapshot-every " + strconv.Itoa(o.SnapshotEvery))
	if o.Goroutines {
		b.WriteString(" -goroutines")
	}
	if !o.Broken.None() {
		b.WriteString(" -break " + o.Broken.String())
	}
	if o.FaultEveryMs != 0 {
		b.WriteString(" -fault-every-ms " + strconv.FormatInt(o.FaultEveryMs, 10))
	}
	if o.Bounce {
		b.WriteString(" -bounce")
	}
	if o.MaxEntriesPerAppend != 0 {
		b.WriteString(" -max-entries " + strconv.Itoa(o.MaxEntriesPerAppend))
	}
	if o.PreVote {
		b.WriteString(" -prevote")
	}
	if o.CheckQuorum {
		b.WriteString(" -checkquorum")
	}
	if o.Transfers {
		b.WriteString(" -transfers")
	}
	if o.Membership {
		b.WriteString(" -membership")
	}
	return b.String()
}

// CampaignResult is what a campaign run found.
type CampaignResult struct {
	Sim        *Sim // the finished run (closed)
	Violations []Event
	History    []Op
	// Settled is true if, after the faults stopped, every peer came to
	// follow one leader and applied every committed entry within SettleMs;
	// SettledAt says when, Unsettled what was still wrong at the bound.
	Settled   bool
	SettledAt int64
	Unsettled string
	Delivered uint64 // messages delivered
}

// Limits of a campaign's options, besides those of Config.
const (
	MaxCampaignClients = 1000
	MaxCampaignMs      = 86_400_000 // a day of virtual time, for each phase
)

// Validate reports every option a campaign cannot run with, in words that
// name the options as raftsim's flags do.
func (o *CampaignOptions) Validate() error {
	between := func(name string, v, lo, hi int64) error {
		if v < lo || v > hi {
			return errors.New(name + " must be from " + strconv.FormatInt(lo, 10) + " to " + strconv.FormatInt(hi, 10) + ", got " + strconv.FormatInt(v, 10))
		}
		return nil
	}
	probability := func(name string, p float64) error {
		if !prob(p) {
			return errors.New(name + " must be a probability from 0 to 1, got " + strconv.FormatFloat(p, 'g', -1, 64))
		}
		return nil
	}
	return errors.Join(
		between("peers", int64(o.Peers), 1, MaxPeers),
		between("clients", int64(o.Clients), 0, MaxCampaignClients),
		between("fault-ms", o.FaultMs, 0, MaxCampaignMs),
		between("settle-ms", o.SettleMs, 1, MaxCampaignMs),
		probability("loss", o.MaxLoss),
		probability("dup", o.Duplicate),
		probability("reorder", o.Reorder),
		between("snapshot-every", int64(o.SnapshotEvery), 0, MaxSnapshotEvery),
	)
}

// RunCampaign runs one randomized fault run from seed (o must pass
// Validate); trace is the Options.TraceLimit of the run.
func RunCampaign(seed uint64, o CampaignOptions, trace int) (*CampaignResult, error) {
	if err := o.Validate(); err != nil {
		return nil, errors.New("campaign: " + err.Error())
	}
	o = o.ForSeed(seed)
	cfg := DefaultConfig()
	cfg.Peers = o.Peers
	cfg.Goroutines = o.Goroutines
	cfg.ClientTimeoutMs = 2000
	cfg.SnapshotEvery = o.SnapshotEvery
	cfg.Broken = o.Broken
	cfg.MaxEntries = o.MaxEntriesPerAppend
	cfg.PreVote, cfg.CheckQuorum = o.PreVote, o.CheckQuorum
	s, err := New(Definition{Config: cfg, Seed: seed}, Options{TraceLimit: trace, Check: true, History: true})
	if err != nil {
		return nil, err
	}
	defer s.Close()
	d := &driver{s: s, o: o, r: s.rand("campaign", 0, 0)}
	d.faultPhase()
	d.heal()
	res := &CampaignResult{Sim: s}
	res.Settled, res.SettledAt, res.Unsettled = d.settle()
	res.Violations = s.Violations()
	res.History = s.History()
	res.Delivered = s.delivered
	return res, nil
}

// driver plays the clients and the faults of a campaign, deciding each
// action with the campaign's own random stream as the run unfolds.
type driver struct {
	s       *Sim
	o       CampaignOptions
	r       *rand.Rand
	waiting []uint64 // per client: its request in progress, or 0
	nextOp  []int64  // per client: when it sends its next request
	bounce  raft.ID  // a peer crashed by a bounce, to restart at once
}

func (d *driver) faultPhase() {
	s, o, r := d.s, d.o, d.r
	d.waiting = make([]uint64, o.Clients)
	d.nextOp = make([]int64, o.Clients)
	for i := range d.nextOp {
		d.nextOp[i] = 300 + r.Int64N(500)
	}
	nextFault := 500 + r.Int64N(1000)
	for s.now < o.FaultMs {
		// The next moment anything is due: a fault, or an idle client.
		due := min(nextFault, o.FaultMs)
		for i := range d.nextOp {
			if d.waiting[i] == 0 {
				due = min(due, d.nextOp[i])
			}
		}
		// Step until then, noticing replies (a client thinks a while after one).
		for {
			at := s.NextEventAt()
			if at < 0 || at > due {
				break
			}
			s.Step()
			d.noticeReplies()
		}
		s.RunUntil(due)
		if s.now >= nextFault && s.now < o.FaultMs {
			d.fault()
			if e := o.FaultEveryMs; e > 0 {
				nextFault = s.now + e/2 + r.Int64N(e+1)
			} else {
				nextFault = s.now + 200 + r.Int64N(1300)
			}
		}
		for i := range d.nextOp {
			if d.waiting[i] == 0 && s.now >= d.nextOp[i] && s.now < o.FaultMs {
				d.request(i)
			}
		}
	}
}

func (d *driver) noticeReplies() {
	for i, id := range d.waiting {
		if id != 0 && d.s.requests[id] == nil {
			d.waiting[i] = 0
			d.nextOp[i] = d.s.now + d.r.Int64N(300)
		}
	}
}

func (d *driver) request(i int) {
	s, r := d.s, d.r
	a := Action{Kind: ActWrite, Client: "c" + strconv.Itoa(i+1), Peer: raft.ID(1 + r.IntN(len(s.peers)))}
	switch x := r.IntN(10); {
	case x < 4:
		a.Op = lock.OpLock
	case x < 8:
		a.Op = lock.OpUnlock
	default:
		a.Kind = ActRead
	}
	if err := s.Do(a); err != nil {
		panic("campaign: " + err.Error()) // the driver only builds valid actions
	}
	if id := s.nextReq; s.requests[id] != nil {
		d.waiting[i] = id
	} else {
		d.nextOp[i] = s.now + r.Int64N(300)
	}
}

// fault injects one fault chosen at random among those enabled.
func (d *driver) fault() {
	s, o, r := d.s, d.o, d.r
	var kinds []func() *Action
	pick := func() raft.ID { return raft.ID(1 + r.IntN(len(s.peers))) }
	if o.Crashes {
		kinds = append(kinds,
			func() *Action {
				if id := pick(); s.peers[id-1].up() {
					return &Action{Kind: ActCrash, Peer: id}
				}
				return nil
			},
			func() *Action {
				if id := pick(); !s.peers[id-1].up() {
					return &Action{Kind: ActRestart, Peer: id}
				}
				return nil
			})
	}
	if o.Bounce {
		kinds = append(kinds, func() *Action {
			if id := pick(); s.peers[id-1].up() {
				d.bounce = id
				return &Action{Kind: ActCrash, Peer: id}
			}
			return nil
		})
	}
	// Faults aimed at the leader make the interesting histories (a leader
	// deposed with entries only it holds, Figure 8's situations) frequent
	// instead of rare.
	leader, _ := s.Leader()
	if o.Crashes && leader != raft.None {
		kinds = append(kinds, func() *Action { return &Action{Kind: ActCrash, Peer: leader} })
	}
	if o.Partitions && o.Peers > 2 && leader != raft.None {
		kinds = append(kinds, func() *Action {
			alone := []raft.ID{leader}
			if r.IntN(2) == 0 {
				if other := pick(); other != leader {
					alone = append(alone, other)
				}
			}
			return &Action{Kind: ActPartition, Groups: [][]raft.ID{alone}}
		})
	}
	if o.Partitions && o.Peers > 1 {
		kinds = append(kinds,
			func() *Action {
				var a, b []raft.ID
				for id := 1; id <= len(s.peers); id++ {
					if r.IntN(2) == 0 {
						a = append(a, raft.ID(id))
					} else {
						b = append(b, raft.ID(id))
					}
				}
				return &Action{Kind: ActPartition, Groups: [][]raft.ID{a, b}}
			},
			func() *Action { return &Action{Kind: ActHeal} },
			func() *Action {
				from, to := pick(), pick()
				if from == to {
					return nil
				}
				kind := ActCut
				if r.IntN(2) == 0 {
					kind = ActRestore
				}
				return &Action{Kind: kind, From: from, To: to}
			})
	}
	if o.Transfers && leader != raft.None {
		kinds = append(kinds, func() *Action {
			if id := pick(); id != leader && s.peers[id-1].up() {
				return &Action{Kind: ActTransfer, Peer: id}
			}
			return nil
		})
	}
	if o.Membership && leader != raft.None {
		kinds = append(kinds, func() *Action { return d.membershipChange(leader) })
	}
	kinds = append(kinds, func() *Action {
		l := s.cfg.Net
		l.Loss = r.Float64() * o.MaxLoss
		l.Duplicate = r.Float64() * o.Duplicate
		l.Reorder = r.Float64() * o.Reorder
		return &Action{Kind: ActNetwork, Link: &l}
	})
	if a := kinds[r.IntN(len(kinds))](); a != nil {
		if err := s.Do(*a); err != nil {
			panic("campaign: " + err.Error())
		}
	}
	if d.bounce != raft.None {
		if err := s.Do(Action{Kind: ActRestart, Peer: d.bounce}); err != nil {
			panic("campaign: " + err.Error())
		}
		d.bounce = raft.None
	}
}

// heal ends the fault phase: the network is whole and reliable again and
// every crashed peer restarts.
func (d *driver) heal() {
	s := d.s
	must := func(a Action) {
		if err := s.Do(a); err != nil {
			panic("campaign: " + err.Error())
		}
	}
	must(Action{Kind: ActHeal})
	net := s.cfg.Net
	must(Action{Kind: ActNetwork, Link: &net})
	for _, sl := range s.peers {
		if !sl.up() {
			must(Action{Kind: ActRestart, Peer: sl.id})
		}
	}
}

// settle runs until the cluster has converged or the bound passes.
func (d *driver) settle() (bool, int64, string) {
	s := d.s
	end := s.now + d.o.SettleMs
	for {
		why := s.converged()
		if why == "" {
			return true, s.now, ""
		}
		at := s.NextEventAt()
		if at < 0 || at > end {
			return false, s.now, why
		}
		s.Step()
	}
}

// converged returns "" if every peer follows one leader, holds its whole
// log, and has applied all of it; otherwise what is still missing.
func (s *Sim) converged() string {
	leader, term := s.Leader()
	if leader == raft.None {
		return "no leader"
	}
	l := s.peers[leader-1]
	if l.commit != l.last {
		return "the leader " + leader.String() + " has not committed its whole log"
	}
	cf := s.configOf(leader)
	if len(cf.Learners) > 0 {
		return "the learner " + cf.Learners[0].String() + " is not a voter yet"
	}
	for _, sl := range s.peers {
		if !inCluster(cf, sl.id) {
			continue // removed: it need not follow anyone
		}
		switch {
		case !sl.up():
			return sl.id.String() + " is down"
		case sl.term != term || sl.leader != leader:
			return sl.id.String() + " does not follow " + leader.String() + " in term " + utoa(term)
		case sl.last != l.last || sl.commit != l.commit || sl.applied != l.commit:
			return sl.id.String() + " has not applied the whole log"
		case sl.state != l.state:
			return sl.id.String() + " holds a different lock state"
		}
	}
	return ""
}
