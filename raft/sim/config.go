package sim

import (
	"errors"
	"strconv"

	"github.com/raftplay/raftplay/raft"
)

// Limits on a run's definition, so that input from a URL or a file cannot
// ask for more than a browser tab can give.
const (
	MaxPeers      = 128
	MaxDisplay    = 9 // the playground draws up to this many peers
	MaxClientName = 32
	MaxActions    = 100_000
	MaxLatencyMs  = 10_000
	MaxTimeoutMs  = 60_000
	// MaxSnapshotEvery bounds Config.SnapshotEvery.
	MaxSnapshotEvery = 1_000_000

	MaxEntriesPerAppend = 1024
)

// Config is everything about a run but its seed and actions. All times are
// virtual milliseconds.
type Config struct {
	Peers int // 1 to MaxPeers

	TickMs        int64 // length of a tick: the resolution of every timer
	ElectionMinMs int64 // randomized election timeout bounds (section 5.2)
	ElectionMaxMs int64
	HeartbeatMs   int64

	Net Link // every directed link starts with these settings

	// ClientTimeoutMs is how long a client waits for a reply before it
	// gives up and reports a timeout.
	ClientTimeoutMs int64

	// Bootstrap says how the cluster starts: BootstrapAll configures every
	// peer (they race to be elected), BootstrapTalk configures s1 only, as
	// in the talk's set_configuration(s1, [s1, s2, s3]).
	Bootstrap Bootstrap

	// SnapshotEvery is how many entries a peer applies between snapshots of
	// its state (log compaction, section 7); 0 means never.
	SnapshotEvery int

	// MaxEntries bounds how many entries one AppendEntries carries; 0
	// means the library's default (64). Figure 8 uses 1, so that a leader
	// places one entry per message, as the figure does.
	MaxEntries int

	// Goroutines runs each peer on its own goroutine (raft.Peer as a
	// deployment runs it); otherwise the simulator calls the peers inline.
	// Both give the same trace.
	Goroutines bool

	// Broken lists the rules of the paper every peer breaks on purpose
	// (raft.Rule), so a student can watch what each rule protects. None
	// by default.
	Broken raft.Rules

	// PreVote and CheckQuorum turn on, on every peer, what the
	// dissertation adds to the paper's elections (raft.Config.PreVote,
	// sections 9.6; raft.Config.CheckQuorum, sections 6.2 and 4.2.3).
	// Off by default, as in the paper.
	PreVote     bool
	CheckQuorum bool
}

// Bootstrap names a way to start a cluster.
type Bootstrap uint8

const (
	BootstrapAll Bootstrap = iota
	BootstrapTalk
)

// Link is the model of one directed network link.
type Link struct {
	LatencyMinMs int64   // one-way latency is uniform in [min, max]
	LatencyMaxMs int64   //
	Loss         float64 // probability a message is lost
	Duplicate    float64 // probability a message is delivered twice
	// Reorder is the probability a message is held back by up to twice the
	// maximum latency, so later messages overtake it.
	Reorder float64
}

// DefaultConfig returns the paper's timings: 150-300 ms election timeouts,
// 50 ms heartbeats, 10-30 ms one-way latency, and 3 peers.
func DefaultConfig() Config {
	return Config{
		Peers:           3,
		TickMs:          10,
		ElectionMinMs:   150,
		ElectionMaxMs:   300,
		HeartbeatMs:     50,
		Net:             Link{LatencyMinMs: 10, LatencyMaxMs: 30},
		ClientTimeoutMs: 3000,
		SnapshotEvery:   50,
	}
}

// Validate reports the first thing wrong with c, in words a user can act on.
func (c *Config) Validate() error {
	switch {
	case c.Peers < 1 || c.Peers > MaxPeers:
		return errors.New("peers must be between 1 and " + strconv.Itoa(MaxPeers) + ", got " + strconv.Itoa(c.Peers))
	case c.TickMs < 1 || c.TickMs > 1000:
		return errors.New("tick must be between 1 and 1000 ms, got " + ms(c.TickMs))
	case c.HeartbeatMs < c.TickMs || c.HeartbeatMs > MaxTimeoutMs:
		return errors.New("heartbeat interval must be at least one tick (" + ms(c.TickMs) + ") and at most 60 s, got " + ms(c.HeartbeatMs))
	case c.ElectionMinMs <= c.HeartbeatMs:
		return errors.New("the election timeout (" + ms(c.ElectionMinMs) + ") must be longer than the heartbeat interval (" + ms(c.HeartbeatMs) + "), or followers time out between heartbeats")
	case c.ElectionMaxMs < c.ElectionMinMs || c.ElectionMaxMs > MaxTimeoutMs:
		return errors.New("the election timeout range " + ms(c.ElectionMinMs) + "-" + ms(c.ElectionMaxMs) + " is empty or longer than 60 s")
	case c.ClientTimeoutMs < c.TickMs || c.ClientTimeoutMs > 10*MaxTimeoutMs:
		return errors.New("client timeout must be between one tick and 600 s, got " + ms(c.ClientTimeoutMs))
	case c.SnapshotEvery < 0 || c.SnapshotEvery > MaxSnapshotEvery:
		return errors.New("snapshots must come every 0 (never) to 1,000,000 entries, got " + strconv.Itoa(c.SnapshotEvery))
	case c.MaxEntries < 0 || c.MaxEntries > MaxEntriesPerAppend:
		return errors.New("entries per AppendEntries must be 0 (the default, 64) to " + strconv.Itoa(MaxEntriesPerAppend) + ", got " + strconv.Itoa(c.MaxEntries))
	case c.Bootstrap > BootstrapTalk:
		return errors.New("unknown bootstrap mode " + strconv.Itoa(int(c.Bootstrap)))
	}
	return c.Net.Validate()
}

// Validate checks a link's settings.
func (l *Link) Validate() error {
	switch {
	case l.LatencyMinMs < 1 || l.LatencyMaxMs < l.LatencyMinMs || l.LatencyMaxMs > MaxLatencyMs:
		return errors.New("latency must satisfy 1 ms <= min <= max <= 10 s, got " + ms(l.LatencyMinMs) + "-" + ms(l.LatencyMaxMs))
	case !prob(l.Loss):
		return errors.New("loss must be a probability between 0 and 1")
	case !prob(l.Duplicate):
		return errors.New("duplication must be a probability between 0 and 1")
	case !prob(l.Reorder):
		return errors.New("reordering must be a probability between 0 and 1")
	}
	return nil
}

func prob(p float64) bool { return p >= 0 && p <= 1 } // false for NaN

func ms(v int64) string { return strconv.FormatInt(v, 10) + " ms" }

// ticks converts a duration to whole ticks, rounding up so that no timer
// becomes shorter than asked.
func (c *Config) ticks(d int64) int { return int((d + c.TickMs - 1) / c.TickMs) }
