package raft

import (
	"errors"
	"math/rand/v2"
)

// Config sets up a Node. Times are counted in ticks: the caller decides how
// long a tick lasts (the paper's figures, 150-300 ms election timeouts and
// 50 ms heartbeats, are 15-30 and 5 ticks of 10 ms).
type Config struct {
	// ID is this peer's id; it must not be None.
	ID ID

	// ElectionTimeoutMin and ElectionTimeoutMax bound the randomized
	// election timeout (section 5.2): a follower that hears from no leader
	// for that many ticks starts an election. Each timeout is drawn anew.
	ElectionTimeoutMin int
	ElectionTimeoutMax int

	// HeartbeatInterval is how many ticks a leader waits between rounds of
	// AppendEntries. It must be well below ElectionTimeoutMin.
	HeartbeatInterval int

	// MaxEntriesPerAppend bounds how many entries one AppendEntries carries.
	// Zero means 64.
	MaxEntriesPerAppend int

	// MaxAppendBytes bounds the bytes of commands one AppendEntries
	// carries; an entry larger than that travels alone. Zero means 1 MiB.
	// Keep a transport's limit on a message's size above it and the
	// largest command: a message the transport drops for its size is sent
	// again as it was, and dropped again.
	MaxAppendBytes int

	// MaxCommandBytes bounds one command: a larger write is refused with
	// ErrCommandTooLarge before it reaches the log, where a storage or a
	// transport that cannot take it would stop the cluster (raft/disk
	// takes commands up to 64 MiB, raft/tcp messages up to its
	// MaxMessage). Zero means 32 MiB.
	MaxCommandBytes int

	// MaxInflightAppends bounds how many AppendEntries carrying entries a
	// leader has sent to one follower and not yet heard answered: past it,
	// new entries wait for answers. Zero means 256.
	MaxInflightAppends int

	// EagerAppends makes a leader send new entries to a follower as soon
	// as they are proposed, as the paper does, even while other
	// AppendEntries to it are in flight. By default (false) a leader holds
	// entries that would not fill an AppendEntries while one is in flight
	// to that follower, and sends them with its answer: a lone write still
	// goes out at once, and under load every AppendEntries is full instead
	// of each write travelling alone. A simulator that shows each message
	// of the paper sets it.
	EagerAppends bool

	// PreVote makes a peer whose election timer runs out first ask the
	// others whether they would vote for it, and stand only if a majority
	// would (dissertation section 9.6). A peer grants a pre-vote only if
	// the asker's log is at least as up-to-date as its own and it has not
	// heard from a leader for an election timeout. So a peer cut off from
	// the others does not raise its term again and again, and does not
	// depose a healthy leader when it comes back.
	PreVote bool

	// CheckQuorum makes a leader step down when it has not heard from a
	// majority for an election timeout (dissertation section 6.2): a
	// leader cut off on the small side of a partition learns it, instead
	// of taking writes it can never commit. And a peer that has heard from
	// its leader within the minimum election timeout ignores requests for
	// votes (section 4.2.3), so a server removed from the cluster, or cut
	// off and back, cannot depose the leader.
	CheckQuorum bool

	// Rand is the only source of randomness a Node uses (for election
	// timeouts). Give every peer its own seeded source: runs then replay
	// exactly. Nil means a source seeded with the peer's ID, which is
	// deterministic but the same on every run.
	Rand rand.Source

	// Broken is for teaching and tests only: rules of the paper this peer
	// breaks on purpose, so that a simulator can show what each rule is
	// for (see Rule). A peer that breaks a rule is not safe. The zero
	// value breaks none, and so does every configuration this package
	// makes; only Break builds a set that breaks any.
	Broken Rules
}

// DefaultConfig returns the paper's timings for ticks of 10 ms.
func DefaultConfig(id ID) Config {
	return Config{
		ID:                 id,
		ElectionTimeoutMin: 15,
		ElectionTimeoutMax: 30,
		HeartbeatInterval:  5,
	}
}

func (c *Config) validate() error {
	switch {
	case c.ID == None:
		return errors.New("raft: Config.ID must not be 0")
	case c.HeartbeatInterval <= 0:
		return errorOf("raft: HeartbeatInterval must be positive, got ", c.HeartbeatInterval)
	case c.ElectionTimeoutMin <= c.HeartbeatInterval:
		return errorOf("raft: ElectionTimeoutMin (", c.ElectionTimeoutMin, ") must exceed HeartbeatInterval (",
			c.HeartbeatInterval, "), or followers time out between heartbeats")
	case c.ElectionTimeoutMax < c.ElectionTimeoutMin:
		return errorOf("raft: ElectionTimeoutMax (", c.ElectionTimeoutMax, ") is below ElectionTimeoutMin (", c.ElectionTimeoutMin, ")")
	case c.MaxEntriesPerAppend < 0:
		return errorOf("raft: MaxEntriesPerAppend must not be negative, got ", c.MaxEntriesPerAppend)
	case c.MaxCommandBytes < 0:
		return errorOf("raft: MaxCommandBytes must not be negative, got ", c.MaxCommandBytes)
	case c.MaxAppendBytes < 0:
		return errorOf("raft: MaxAppendBytes must not be negative, got ", c.MaxAppendBytes)
	case c.MaxInflightAppends < 0:
		return errorOf("raft: MaxInflightAppends must not be negative, got ", c.MaxInflightAppends)
	case c.Broken.bits&1 != 0:
		return errors.New("raft: Config.Broken names a rule that does not exist (see AllRules)")
	}
	return nil
}
