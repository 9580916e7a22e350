package raft

import (
	"errors"
	"reflect"
	"regexp"
	"testing"
)

// Rules broken on purpose (rules.go): none by default, each by name only,
// and each changes exactly the behaviour its documentation names. What
// each breaks in a whole cluster, and which checker sees it, is tested in
// raft/sim.

func TestNoConfigurationBreaksARule(t *testing.T) {
	for name, cfg := range map[string]Config{
		"Config{}":         {},
		"DefaultConfig(1)": DefaultConfig(1),
		"PeerConfig{}":     PeerConfig{}.Config,
	} {
		if !cfg.Broken.None() {
			t.Errorf("%s breaks %v", name, cfg.Broken)
		}
	}
	// A Peer started the way the README shows breaks none either.
	p, err := StartPeer(lockless{}, PeerConfig{Config: DefaultConfig(1), Transport: NewNetwork(), Clock: &ManualClock{}, Inline: true})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Stop()
	if b := p.node.cfg.Broken; !b.None() {
		t.Fatalf("a peer from DefaultConfig breaks %v", b)
	}
	// Config.Broken is the one way in: no other field of either
	// configuration can hold a rule.
	rules := reflect.TypeFor[Rules]()
	for _, typ := range []reflect.Type{reflect.TypeFor[Config](), reflect.TypeFor[PeerConfig]()} {
		for i := range typ.NumField() {
			if f := typ.Field(i); f.Type == rules && f.Name != "Broken" {
				t.Errorf("%v.%s holds rules too", typ, f.Name)
			}
		}
	}
	// Rules has no exported field: a literal cannot fill it by mistake.
	if rules.NumField() != 1 || rules.Field(0).IsExported() {
		t.Fatal("Rules must be built by Break only")
	}
}

type lockless struct{}

func (lockless) Init() int                           { return 0 }
func (lockless) Write(_ []byte, s int) ([]byte, int) { return nil, s }
func (lockless) Read(_ []byte, s int) []byte         { return nil }

func TestRuleNames(t *testing.T) {
	name := regexp.MustCompile(`^[a-z]+(-[a-z]+)+$`)
	seen := map[string]bool{}
	if len(AllRules()) < 9 {
		t.Fatalf("%d rules, want at least the 9 of issue 12", len(AllRules()))
	}
	for _, r := range AllRules() {
		n := r.String()
		if !name.MatchString(n) || seen[n] {
			t.Errorf("rule %d is named %q: want unique lowercase words joined by hyphens", r, n)
		}
		seen[n] = true
		if got, ok := ParseRule(n); !ok || got != r {
			t.Errorf("ParseRule(%q) = %v, %v", n, got, ok)
		}
		if r.Summary() == "" {
			t.Errorf("%v has no summary", r)
		}
		if rs := Break(r); !rs.Has(r) || rs.None() || len(rs.List()) != 1 || rs.String() != n {
			t.Errorf("Break(%v) = %v", r, rs)
		}
	}
	if _, ok := ParseRule("vote-any"); ok {
		t.Error("ParseRule took a name that is no rule")
	}
}

func TestBreakingAnUnknownRuleIsAnError(t *testing.T) {
	for _, r := range []Rule{0, numRules, 200} {
		cfg := testConfig(1)
		cfg.Broken = Break(VoteAnyLog, r)
		if _, err := NewNode(cfg, Stored{}); err == nil {
			t.Errorf("NewNode with Break(%d) started", r)
		}
	}
}

// brokenNode is voteNode breaking rules.
func brokenNode(t *testing.T, broken Rules, hs HardState, logTerms ...uint64) *Node {
	t.Helper()
	cfg := testConfig(1)
	cfg.Broken = broken
	n, err := NewNode(cfg, Stored{State: hs, Entries: logOf(ids(3), logTerms...)})
	if err != nil {
		t.Fatal(err)
	}
	drain(n)
	return n
}

// Each rule, kept and broken, on the same input.
func TestEachBrokenRuleChangesOnlyItsBehaviour(t *testing.T) {
	for _, tc := range []struct {
		rule Rule
		what string
		// run returns what the rule decides; want is that when kept.
		run  func(t *testing.T, broken Rules) any
		want any
	}{
		{VoteAnyLog, "vote for a candidate whose log ends in an earlier term", func(t *testing.T, b Rules) any {
			n := brokenNode(t, b, HardState{Term: 4}, 1, 2, 2)
			return one(t, stepOK(t, n, Message{Type: MsgVote, From: 2, To: 1, Term: 5, LastLogIndex: 9, LastLogTerm: 1})).VoteGranted
		}, false},
		{CommitOldTerms, "commit index once a majority holds an entry of term 2 (leader of term 3)", func(t *testing.T, b Rules) any {
			n := brokenNode(t, b, HardState{Term: 2}, 1, 2)
			n.Campaign()
			drain(n)
			stepOK(t, n, Message{Type: MsgVoteResp, From: 2, To: 1, Term: 3, VoteGranted: true})
			// s2 holds index 2 (term 2), not yet the leader's noop at 3.
			stepOK(t, n, Message{Type: MsgAppResp, From: 2, To: 1, Term: 3, Success: true, MatchIndex: 2})
			return n.commit
		}, uint64(0)},
		{ForgetVote, "hard state after a restart that had voted for s3 in term 5", func(t *testing.T, b Rules) any {
			return brokenNode(t, b, HardState{Term: 5, Vote: 3}, 1, 2).HardState()
		}, HardState{Term: 5, Vote: 3}},
		{ForgetTerm, "hard state after a restart in term 7 with a log ending in term 4", func(t *testing.T, b Rules) any {
			return brokenNode(t, b, HardState{Term: 7, Vote: 3}, 1, 2, 4).HardState()
		}, HardState{Term: 7, Vote: 3}},
		{AppendUnchecked, "log terms after an AppendEntries whose previous entry has another term", func(t *testing.T, b Rules) any {
			n := brokenNode(t, b, HardState{Term: 3}, 1, 2)
			stepOK(t, n, Message{Type: MsgApp, From: 2, To: 1, Term: 3, PrevLogIndex: 2, PrevLogTerm: 3,
				Entries: []Entry{{Index: 3, Term: 3, Data: []byte("x")}}})
			return terms(n.Entries(1, 9))
		}, []uint64{1, 2}},
		{TruncateOnAppend, "log terms after a late AppendEntries carrying index 2 only", func(t *testing.T, b Rules) any {
			n := brokenNode(t, b, HardState{Term: 2}, 1, 2, 2, 2)
			es := n.Entries(2, 2)
			stepOK(t, n, Message{Type: MsgApp, From: 2, To: 1, Term: 2, PrevLogIndex: 1, PrevLogTerm: 1, Entries: es})
			return terms(n.Entries(1, 9))
		}, []uint64{1, 2, 2, 2}},
		{ReadLocal, "ReadIndex at a peer that knows no leader", func(t *testing.T, b Rules) any {
			n := brokenNode(t, b, HardState{Term: 2}, 1, 2)
			var nl *NotLeaderError
			err := n.ReadIndex(7)
			return errors.As(err, &nl)
		}, true},
		{LeaderIgnoresTerm, "role after a RequestVote of a higher term reaches the leader", func(t *testing.T, b Rules) any {
			n := brokenNode(t, b, HardState{Term: 2}, 1, 2)
			n.Campaign()
			drain(n)
			stepOK(t, n, Message{Type: MsgVoteResp, From: 2, To: 1, Term: 3, VoteGranted: true})
			stepOK(t, n, Message{Type: MsgVote, From: 3, To: 1, Term: 7, LastLogIndex: 1, LastLogTerm: 1})
			return n.role
		}, Follower},
	} {
		t.Run(tc.rule.String(), func(t *testing.T) {
			kept := tc.run(t, Rules{})
			if !reflect.DeepEqual(kept, tc.want) {
				t.Fatalf("rule kept: %s = %v, want %v", tc.what, kept, tc.want)
			}
			// Breaking another rule changes nothing here.
			other := VoteAnyLog
			if tc.rule == VoteAnyLog {
				other = ReadLocal
			}
			if got := tc.run(t, Break(other)); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("breaking %v: %s = %v, want %v", other, tc.what, got, tc.want)
			}
			if broken := tc.run(t, Break(tc.rule)); reflect.DeepEqual(broken, tc.want) {
				t.Fatalf("rule broken: %s = %v, the same as kept", tc.what, broken)
			}
		})
	}
}
