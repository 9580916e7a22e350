package raft

import (
	"encoding/binary"
	"slices"
	"testing"
)

// Configurations, peer ids and message addresses: what a user or a network
// can get wrong is an error, never a panic or a silent mix-up.

func TestInvalidConfigIsAnError(t *testing.T) {
	for name, mod := range map[string]func(*Config){
		"id 0":                            func(c *Config) { c.ID = None },
		"no heartbeat":                    func(c *Config) { c.HeartbeatInterval = 0 },
		"election timeout <= heartbeat":   func(c *Config) { c.ElectionTimeoutMin = c.HeartbeatInterval },
		"max timeout below min":           func(c *Config) { c.ElectionTimeoutMax = c.ElectionTimeoutMin - 1 },
		"negative MaxEntriesPerAppend":    func(c *Config) { c.MaxEntriesPerAppend = -1 },
		"negative MaxAppendBytes":         func(c *Config) { c.MaxAppendBytes = -1 },
		"negative MaxCommandBytes":        func(c *Config) { c.MaxCommandBytes = -1 },
		"negative heartbeat":              func(c *Config) { c.HeartbeatInterval = -5 },
		"zero config but for the peer id": func(c *Config) { *c = Config{ID: 1} },
	} {
		cfg := DefaultConfig(1)
		mod(&cfg)
		if _, err := NewNode(cfg, Stored{}); err == nil {
			t.Errorf("%s: NewNode accepted %+v", name, cfg)
		}
	}
	if _, err := NewNode(DefaultConfig(1), Stored{}); err != nil {
		t.Fatalf("DefaultConfig refused: %v", err)
	}
	cfg := DefaultConfig(1)
	cfg.ElectionTimeoutMax = cfg.ElectionTimeoutMin // a fixed timeout is allowed
	if _, err := NewNode(cfg, Stored{}); err != nil {
		t.Fatalf("fixed timeout refused: %v", err)
	}
}

func TestInvalidMembersAreAnError(t *testing.T) {
	many := make([]ID, MaxPeers+1)
	for i := range many {
		many[i] = ID(i + 1)
	}
	for name, ms := range map[string][]ID{
		"none":      nil,
		"id 0":      {1, 0, 2},
		"duplicate": {1, 2, 1},
		"too many":  many,
	} {
		if _, err := ConfigEntry(ms); err == nil {
			t.Errorf("ConfigEntry(%s) accepted", name)
		}
		n := newNode(t, 1, HardState{}, nil)
		if err := n.SetConfiguration(ms); err == nil {
			t.Errorf("SetConfiguration(%s) accepted", name)
		}
		if n.log.lastIndex() != 0 || n.HasReady() {
			t.Errorf("a refused SetConfiguration(%s) changed the node", name)
		}
	}
	n := newNode(t, 1, HardState{}, nil)
	if err := n.SetConfiguration([]ID{2, 3}); err == nil {
		t.Error("SetConfiguration without the peer itself accepted")
	}
	if _, err := ConfigEntry(many[:MaxPeers]); err != nil {
		t.Errorf("MaxPeers members refused: %v", err)
	}
}

// The talk's set_configuration: the first peer writes the configuration,
// elects itself, and brings in the others, who had no configuration.
func TestSetConfigurationBootstrapsTheCluster(t *testing.T) {
	c := emptyCluster(t, 3)
	for _, id := range c.ids {
		c.restart(id)
	}
	for _, id := range c.ids {
		if c.node(id).isVoter() {
			t.Fatalf("%v is a voter before any configuration", id)
		}
	}
	c.tick(2, 100) // with no configuration, nobody starts elections
	if c.node(2).term != 0 || len(c.queue) != 0 {
		t.Fatal("an unconfigured peer started an election")
	}
	if err := c.node(1).SetConfiguration([]ID{3, 1, 2}); err != nil {
		t.Fatal(err)
	}
	c.flush(1)
	c.stabilize(all)
	c.tick(1, 2)
	c.stabilize(all)
	for _, id := range c.ids {
		n := c.node(id)
		if !slices.Equal(n.members, []ID{1, 2, 3}) || n.leader != 1 || n.commit != 2 {
			t.Fatalf("%v: members %v, leader %v, commit %d; want [s1 s2 s3], s1, 2", id, n.members, n.leader, n.commit)
		}
	}
	if err := c.node(2).SetConfiguration([]ID{1, 2, 3}); err == nil {
		t.Fatal("SetConfiguration on a peer that already belongs to a cluster accepted")
	}
}

func TestDecodeMembers(t *testing.T) {
	for _, ms := range [][]ID{{1}, {1, 2, 3}, {7, 3, 5}, {1 << 40, 2}} {
		e, err := ConfigEntry(ms)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeMembers(e.Data)
		if want := slices.Sorted(slices.Values(ms)); err != nil || !slices.Equal(got, want) {
			t.Fatalf("DecodeMembers(encode(%v)) = %v, %v; want %v", ms, got, err, want)
		}
	}
	enc := func(vs ...uint64) []byte {
		var b []byte
		for _, v := range vs {
			b = binary.AppendUvarint(b, v)
		}
		return b
	}
	for name, data := range map[string][]byte{
		"empty":          nil,
		"no members":     enc(0),
		"short":          enc(3, 1, 2),
		"trailing bytes": append(enc(2, 1, 2), 0),
		"unsorted":       enc(2, 2, 1),
		"duplicate":      enc(2, 1, 1),
		"id 0":           enc(2, 0, 1),
		"too many":       enc(MaxPeers+1, 1),
		"huge count":     enc(1 << 62),
		"bad varint":     {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01},
	} {
		if ms, err := DecodeMembers(data); err == nil {
			t.Errorf("DecodeMembers(%s) = %v, want an error", name, ms)
		}
	}
}

// A message that is not for this peer, claims to come from nobody or from
// the peer itself, or has an unknown type, is refused with an error and
// changes nothing.
func TestStepRefusesMisaddressedMessages(t *testing.T) {
	for name, m := range map[string]Message{
		"addressed to s2":      {Type: MsgVote, From: 3, To: 2, Term: 9},
		"addressed to nobody":  {Type: MsgVote, From: 3, To: None, Term: 9},
		"from nobody":          {Type: MsgVote, From: None, To: 1, Term: 9},
		"from itself":          {Type: MsgVote, From: 1, To: 1, Term: 9},
		"type 0":               {From: 2, To: 1, Term: 9},
		"type past the last":   {Type: MsgReadResp + 1, From: 2, To: 1, Term: 9},
		"forward from nobody":  {Type: MsgProp, To: 1, Entries: []Entry{cmd("x")}},
		"read reply to s2":     {Type: MsgReadResp, From: 3, To: 2},
		"append to s3 from s2": {Type: MsgApp, From: 2, To: 3, Term: 9, PrevLogIndex: 1, PrevLogTerm: 1},
	} {
		c := settled(t)
		n := c.node(1)
		before := n.Status()
		if err := n.Step(m); err == nil {
			t.Errorf("%s: accepted", name)
		}
		if after := n.Status(); after.Term != before.Term || after.Role != before.Role || n.HasReady() {
			t.Errorf("%s: the refused message changed the node", name)
		}
	}
}

// Peers outside the configuration may talk to a peer (a new member learning
// its configuration, say), but they never count toward a leader's majority.
func TestLeaderIgnoresProgressFromNonMembers(t *testing.T) {
	c := settled(t)
	if err := c.node(1).Propose(cmd("x")); err != nil {
		t.Fatal(err)
	}
	c.flush(1)
	c.drop(all)
	for _, stranger := range []ID{4, 9} {
		stepOK(t, c.node(1), Message{Type: MsgAppResp, From: stranger, To: 1, Term: 2, Success: true, MatchIndex: 3})
	}
	if n := c.node(1); n.commit != 2 {
		t.Fatalf("commit = %d after acknowledgments from non-members, want 2", n.commit)
	}
	// Nor a member claiming an entry the leader does not have.
	stepOK(t, c.node(1), Message{Type: MsgAppResp, From: 2, To: 1, Term: 2, Success: true, MatchIndex: 99})
	if pr := c.node(1).Status().Progress[0]; pr.MatchIndex > 3 {
		t.Fatalf("s2's match index = %d, beyond the leader's log", pr.MatchIndex)
	}
}
