package sim

import (
	"errors"

	"github.com/raftplay/raftplay/raft"
)

// Figure 8 of the Raft paper (section 5.4.2): why a leader may not decide
// that an entry of an earlier term is committed by counting the servers
// that hold it. The scenario plays the figure's stages with five servers,
// marking each as it is reached. (d) and (e) are two futures of (c): the
// run plays (d), and the mark of (d) carries (e) as a branch from (c).
//
// Where our run differs from the figure: a new leader appends a no-op
// entry of its term at once (section 8 of the paper). In (a) and (b) the
// entry at index 2 is that no-op; in (c) s1's no-op sits at index 3, where
// the figure has its entry of term 4, and it is what commits index 2 in
// (e); in (d) s5's no-op of term 5 follows at index 3. Elections are
// started by hand ("time out now"), with election timeouts long enough
// that nobody else stands meanwhile, and the figure's partial replication
// is made by dropping messages by hand.

// The stages' notes: what the page shows as each is reached.
const (
	noteA = "Figure 8 (a): s1 leads term 2. Its entry at index 2 (a new leader's first entry is a no-op) reaches s2; " +
		"the copies sent to s3, s4 and s5 are dropped by hand. Index 2 is on two of five servers: not committed."
	noteB = "Figure 8 (b): s1 crashes. s5 is elected for term 3 with votes from s3, s4 and itself " +
		"(s2 refuses: its log ends with term 2, more up-to-date than s5's). s5 appends a different entry at index 2, " +
		"its no-op of term 3; its copies are dropped."
	noteC = "Figure 8 (c): s5 crashes and s1 restarts. Its first try, in term 3, fails (s3 and s4 voted for s5 in that term); " +
		"it wins term 4 and appends its no-op at index 3, where the figure has its entry of term 4. Replicating, " +
		"it brings index 2 to s3 (its no-op's copies, and index 2's copy to s4, are dropped by hand). Index 2 is now on a majority, " +
		"s1, s2 and s3, yet it is not committed: a leader counts replicas only of entries of its own term (section 5.4.2)."
	noteD = "Figure 8 (d), one future of (c): s1 crashes before its no-op reaches a majority, and s5 restarts. " +
		"Its log ends with term 3, more up-to-date than those of s2, s3 and s4, so they elect it in term 5 " +
		"(in term 4, s2 and s3 had voted for s1), and it overwrites index 2 with its entry of term 3. " +
		"Its no-op of term 5 follows at index 3 and commits both. Index 2 of term 2 was never committed: nothing committed is lost."
	noteE = "Figure 8 (e), the other future of (c): s1 stays up. Its no-op reaches s3 and, sent again once its first copy " +
		"to s2 has gone unanswered for an election timeout, s2: a majority. Counting replicas of an entry of its own term, " +
		"s1 commits index 3, and with it index 2 (section 5.4.2)."
	noteE2 = "Figure 8 (e), continued: now s1 crashes and s5 restarts, but s5 cannot win. In term 5, s2 and s3 refuse: " +
		"their logs end with term 4, more up-to-date than s5's (section 5.4.1), and s4's vote is not enough. " +
		"The committed entries are safe."
)

func init() {
	register(Scenario{
		Name: "figure8",
		Summary: "the Raft paper's Figure 8, stage by stage: an entry of term 2 reaches a majority and is still not " +
			"committed; from (c) two futures: (d) it is overwritten, or (e) the new leader's no-op commits it",
		Configure: func(c *Config) {
			c.Peers = 5
			c.MaxEntries = 1 // one entry per message, as the figure places them
			c.HeartbeatMs = 100
			// Long enough that nobody stands but those timed out by hand.
			c.ElectionMinMs, c.ElectionMaxMs = 500, 1000
		},
		Run:       figure8,
		PaperOnly: true, // PreVote and leases would refuse s5's elections by hand
	})
}

// stageLimit is how long the scenario waits for any one step.
const stageLimit = 1000

func figure8(s *Sim) error {
	if err := figure8Common(s); err != nil {
		return err
	}
	// The fork: (d) leaves from here in this run, (e) in a branch.
	fork := s.Now()
	branch, err := figure8Branch(s, fork)
	if err != nil {
		return err
	}
	s.RunFor(1) // the branch keeps the actions up to fork, so (d)'s come later
	if err := figure8D(s); err != nil {
		return err
	}
	return s.Do(Action{Kind: ActMark, Mark: &Mark{Note: noteD, Rewind: fork, Then: branch}})
}

// figure8Common plays stages (a) to (c).
func figure8Common(s *Sim) error {
	// (a) s1 times out first and wins term 2; its no-op reaches s2 only.
	if err := s.Do(Action{Kind: ActTimeout, Peer: 1}); err != nil {
		return err
	}
	if err := s.waitFor(stageLimit, "s1 to lead term 2", s.leads(1)); err != nil {
		return err
	}
	if err := s.dropInFlight(appendsTo(1, 3, 4, 5)); err != nil {
		return err
	}
	if err := s.waitFor(stageLimit, "s2 to hold index 2", s.holds(2, 2)); err != nil {
		return err
	}
	if err := s.mark(noteA); err != nil {
		return err
	}

	// (b) s1 crashes; s5 wins term 3 with s3 and s4; its no-op goes nowhere.
	if err := s.doAll(Action{Kind: ActCrash, Peer: 1}, Action{Kind: ActTimeout, Peer: 5}); err != nil {
		return err
	}
	if err := s.waitFor(stageLimit, "s5 to lead term 3", s.leads(5)); err != nil {
		return err
	}
	if err := s.dropInFlight(appendsTo(5, 1, 2, 3, 4)); err != nil {
		return err
	}
	if err := s.mark(noteB); err != nil {
		return err
	}

	// (c) s5 crashes, s1 restarts. Its first try, in term 3, fails: s3 and
	// s4 voted for s5 in it. In term 4 it wins.
	if err := s.doAll(Action{Kind: ActCrash, Peer: 5}, Action{Kind: ActRestart, Peer: 1}, Action{Kind: ActTimeout, Peer: 1}); err != nil {
		return err
	}
	if err := s.waitFor(stageLimit, "s1's votes in term 3", s.quiet(raft.MsgVote, raft.MsgVoteResp)); err != nil {
		return err
	}
	if err := s.Do(Action{Kind: ActTimeout, Peer: 1}); err != nil {
		return err
	}
	if err := s.waitFor(stageLimit, "s1 to lead term 4", s.leads(1)); err != nil {
		return err
	}
	// Index 2 reaches s3; s1's no-op (term 4) reaches nobody, and s4 gets
	// nothing: their copies are dropped wherever they would be taken.
	// Heartbeats, which carry nothing, still keep everyone following s1.
	keepC := func(m *raft.Message) bool { return m.To == 3 && m.Entries[0].Term == 2 }
	if err := s.waitDropping(stageLimit, "s3 to hold index 2", s1Entries(s, keepC), s.holds(3, 2)); err != nil {
		return err
	}
	return s.mark(noteC)
}

// figure8D plays stage (d) from (c).
func figure8D(s *Sim) error {
	if err := s.s5Returns(); err != nil {
		return err
	}
	return s.waitFor(stageLimit, "s5 to overwrite index 2 and commit its no-op", func() bool {
		if s.peers[4].role != raft.Leader || s.peers[4].commit < 3 {
			return false
		}
		for id := raft.ID(2); id <= 5; id++ {
			if !s.holds(id, 3)() {
				return false
			}
		}
		return true
	})
}

// figure8Branch plays stage (e) from (c), on a copy of the run made by
// replaying it to the fork, and returns the branch's actions.
func figure8Branch(s *Sim, fork int64) ([]Action, error) {
	def := s.Definition()
	c, err := New(def, Options{})
	if err != nil {
		return nil, err
	}
	defer c.Close()
	c.RunUntil(fork)
	// s1 sends its no-op again, a while after its copies went unanswered;
	// s4 still gets nothing, as in the figure.
	keepE := func(m *raft.Message) bool { return m.To != 4 }
	if err := c.waitDropping(stageLimit, "s1 to commit its no-op", s1Entries(c, keepE), func() bool { return c.peers[0].commit >= 3 }); err != nil {
		return nil, err
	}
	if err := c.mark(noteE); err != nil {
		return nil, err
	}
	if err := c.s5Returns(); err != nil {
		return nil, err
	}
	if err := c.waitFor(stageLimit, "s5's votes in term 5", c.quiet(raft.MsgVote, raft.MsgVoteResp)); err != nil {
		return nil, err
	}
	if c.peers[4].role == raft.Leader {
		return nil, errors.New("scenario: s5 won an election after (e)")
	}
	if err := c.mark(noteE2); err != nil {
		return nil, err
	}
	all := c.Definition().Actions
	return append([]Action(nil), all[len(def.Actions):]...), nil
}

// s5Returns crashes s1, restarts s5 and times it out twice: its first
// try, in term 4, cannot win (s2 and s3 voted for s1 in that term).
func (s *Sim) s5Returns() error {
	if err := s.doAll(Action{Kind: ActCrash, Peer: 1}, Action{Kind: ActRestart, Peer: 5}, Action{Kind: ActTimeout, Peer: 5}); err != nil {
		return err
	}
	if err := s.waitFor(stageLimit, "s5's votes in term 4", s.quiet(raft.MsgVote, raft.MsgVoteResp)); err != nil {
		return err
	}
	return s.Do(Action{Kind: ActTimeout, Peer: 5})
}

func (s *Sim) mark(note string) error { return s.Do(Action{Kind: ActMark, Mark: &Mark{Note: note}}) }

// doAll does the actions one after the other, at the same instant.
func (s *Sim) doAll(acts ...Action) error {
	for _, a := range acts {
		if err := s.Do(a); err != nil {
			return err
		}
	}
	return nil
}

// leads returns whether peer id leads.
func (s *Sim) leads(id raft.ID) func() bool {
	return func() bool { sl := s.peers[id-1]; return sl.up() && sl.role == raft.Leader }
}

// holds returns whether peer id's log reaches index.
func (s *Sim) holds(id raft.ID, index uint64) func() bool {
	return func() bool { return s.peers[id-1].store.LastIndex() >= index }
}

// matches returns whether peer id's log holds index with term.
func (s *Sim) matches(id raft.ID, index, term uint64) bool {
	st, err := s.peers[id-1].store.Load()
	if err != nil || index > st.Snapshot.Index+uint64(len(st.Entries)) {
		return false
	}
	if index == st.Snapshot.Index {
		return term == st.Snapshot.Term
	}
	return index > st.Snapshot.Index && st.Entries[index-st.Snapshot.Index-1].Term == term
}

// quiet returns whether no message of the given types is in flight.
func (s *Sim) quiet(types ...raft.MsgType) func() bool {
	return func() bool {
		for it := range s.queue.all {
			if it.kind == itemDeliver {
				for _, t := range types {
					if it.msg.Type == t {
						return false
					}
				}
			}
		}
		return true
	}
}

// s1Entries matches s1's AppendEntries that carry entries its destination
// would take, but those keep matches.
func s1Entries(s *Sim, keep func(*raft.Message) bool) func(*raft.Message) bool {
	return func(m *raft.Message) bool {
		return m.Type == raft.MsgApp && m.From == 1 && len(m.Entries) > 0 &&
			s.matches(m.To, m.PrevLogIndex, m.PrevLogTerm) && !keep(m)
	}
}

// appendsTo matches AppendEntries carrying entries from one peer to others.
func appendsTo(from raft.ID, to ...raft.ID) func(*raft.Message) bool {
	return func(m *raft.Message) bool {
		if m.Type != raft.MsgApp || m.From != from || len(m.Entries) == 0 {
			return false
		}
		for _, id := range to {
			if m.To == id {
				return true
			}
		}
		return false
	}
}
