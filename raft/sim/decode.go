package sim

import (
	"strconv"

	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/lock"
	"github.com/raftplay/raftplay/raft/sim/jsonio"
)

// Reading a definition back from its JSON form (TRACE.md): the decoder of
// what AppendJSON writes, for the playground (a share link, a dropped file)
// and raftsim -replay alike.

// MaxSafeInt is the largest integer a JavaScript number holds exactly:
// seeds, times and ids in a definition stay below it.
const MaxSafeInt = 1<<53 - 1

// DecodeDefinition reads a definition: its JSON text (a string) or the
// value jsonio.Parse made of it. Fields it does not know are ignored, as
// TRACE.md asks of readers; absent fields are zero, so Config.Validate
// explains what is missing. maxPeers bounds the cluster (the playground
// draws MaxDisplay peers). Errors name the field, with the playground's
// error codes.
func DecodeDefinition(v any, maxPeers int) (Definition, *jsonio.Error) {
	var def Definition
	if text, ok := v.(string); ok {
		var err error
		if v, err = jsonio.Parse([]byte(text)); err != nil {
			return def, err.(*jsonio.Error)
		}
	}
	f := jsonio.Object("definition", v, false)
	if f.Missing() {
		return def, jsonio.BadArg("a definition is required (an object or its JSON text, as in TRACE.md)")
	}
	if version := f.Int("version", 0, MaxSafeInt, 0); f.Err() == nil && version != TraceVersion {
		return def, jsonio.BadArg("definition.version must be " + strconv.Itoa(TraceVersion) + ", got " + strconv.FormatInt(version, 10))
	}
	def.Seed = uint64(f.Int("seed", 0, MaxSafeInt, 0))
	c := f.Sub("config")
	def.Config = Config{
		Peers:           int(c.Int("peers", 1, int64(maxPeers), 0)),
		TickMs:          c.Int("tickMs", 0, MaxSafeInt, 0),
		ElectionMinMs:   c.Int("electionMinMs", 0, MaxSafeInt, 0),
		ElectionMaxMs:   c.Int("electionMaxMs", 0, MaxSafeInt, 0),
		HeartbeatMs:     c.Int("heartbeatMs", 0, MaxSafeInt, 0),
		ClientTimeoutMs: c.Int("clientTimeoutMs", 0, MaxSafeInt, 0),
		SnapshotEvery:   int(c.Int("snapshotEvery", 0, 1_000_000, 0)), // absent: never, as before snapshots existed
		MaxEntries:      int(c.Int("maxEntries", 0, MaxEntriesPerAppend, 0)),
		Net:             DecodeLink(c.Sub("net"), Link{}),
	}
	if b, ok := ParseBootstrap(c.OneOf("bootstrap", "all", "all", "talk")); ok {
		def.Config.Bootstrap = b
	}
	broken, _ := c.Get("broken")
	def.Config.Broken = DecodeRules(c, c.Name("broken"), broken)
	def.Config.PreVote, def.Config.CheckQuorum = c.Flag("preVote"), c.Flag("checkQuorum")
	if err := c.Done(); err != nil {
		return def, err
	}
	if f.Err() == nil {
		if err := def.Config.Validate(); err != nil {
			return def, jsonio.OutOfRange("definition.config: " + err.Error())
		}
	}
	list, _ := f.Get("actions")
	actions, isList := list.([]any)
	switch {
	case f.Err() != nil:
	case list != nil && !isList:
		f.Fail(jsonio.BadArg("definition.actions must be a list, got " + jsonio.Describe(list)))
	case len(actions) > MaxActions:
		f.Fail(jsonio.TooLarge("definition.actions has " + strconv.Itoa(len(actions)) + " actions; the limit is " + strconv.Itoa(MaxActions)))
	}
	servers := def.Config.Peers // and one more for each new server added
	for i := 0; i < len(actions) && f.Err() == nil; i++ {
		a, err := DecodeAction("definition.actions["+strconv.Itoa(i)+"]", jsonio.Present(actions[i]), servers, true)
		if err != nil {
			return def, err
		}
		def.Actions = append(def.Actions, a)
		if servers = a.servers(servers); servers > maxPeers {
			return def, jsonio.BadArg("definition.actions[" + strconv.Itoa(i) + "]: adding " + a.Peer.String() +
				" would make more than " + strconv.Itoa(maxPeers) + " servers")
		}
	}
	return def, f.Done()
}

// DecodeRules reads the names of rules broken on purpose, v (nil: none):
// a list of raft.Rule names. An unknown name fails f with an error that
// lists the known ones.
func DecodeRules(f *jsonio.Fields, what string, v any) raft.Rules {
	if v == nil {
		return raft.Rules{}
	}
	list, ok := v.([]any)
	if !ok {
		f.Fail(jsonio.BadArg(what + " must be a list of rule names such as [\"vote-any-log\"], got " + jsonio.Describe(v)))
		return raft.Rules{}
	}
	var rules []raft.Rule
	for i, x := range list {
		name, _ := x.(string)
		r, ok := raft.ParseRule(name)
		if !ok {
			var known []string
			for _, r := range raft.AllRules() {
				known = append(known, r.String())
			}
			f.Fail(jsonio.BadArg(what + "[" + strconv.Itoa(i) + "]: unknown rule " + jsonio.Describe(x) + " (the rules: " + jsonio.JoinNames(known) + ")"))
			return raft.Rules{}
		}
		rules = append(rules, r)
	}
	return raft.Break(rules...)
}

// DecodeAction reads one action of a definition for a run of the given
// number of servers (an add may name one more: a new server); the
// simulator checks the rest when the run is made. A mark may
// carry a branch of actions (then) only if branch is true.
func DecodeAction(what string, v any, peers int, branch bool) (Action, *jsonio.Error) {
	var a Action
	f := jsonio.Object(what, v, false)
	if f.Missing() {
		return a, jsonio.BadArg(what + " must be an object, got nothing")
	}
	a.At = f.Int("at", 0, MaxSafeInt, 0)
	kind := f.Str("kind", 64, "")
	if f.Err() != nil {
		return a, f.Err()
	}
	k, ok := ParseActionKind(kind)
	if !ok {
		return a, jsonio.BadArg(what + ".kind: unknown action " + strconv.Quote(kind))
	}
	a.Kind = k
	id := func(key string) raft.ID {
		v, _ := f.Get(key)
		id, err := DecodePeer(f.Name(key), v, peers)
		if err != nil {
			f.Fail(err)
		}
		return id
	}
	switch k {
	case ActWrite, ActRead:
		a.Peer = id("peer")
		a.Client = f.Str("client", lock.MaxClientLen, "")
		if k == ActWrite {
			a.Op = ParseOp(f.OneOf("op", "", "lock", "unlock"))
		}
	case ActCrash, ActRestart, ActTimeout, ActTransfer, ActRemove:
		a.Peer = id("peer")
	case ActAdd:
		peers++ // a new server
		a.Peer = id("peer")
	case ActTimers:
		a.Timers, _ = ParseTimerMode(f.OneOf("mode", "", "spread", "align"))
	case ActMark:
		m, err := decodeMark(what, f, peers, branch)
		if err != nil {
			f.Fail(err)
		}
		a.Mark = m
	case ActCut, ActRestore:
		a.From, a.To = id("from"), id("to")
	case ActPartition:
		g, _ := f.Get("groups")
		groups, err := DecodeGroups(what+".groups", g, peers)
		if err != nil {
			f.Fail(err)
		}
		a.Groups = groups
	case ActNetwork:
		l := DecodeLink(f.Sub("link"), Link{})
		a.Link = &l
	case ActDrop:
		a.Msg = uint64(f.Int("msg", 0, MaxSafeInt, 0))
	}
	return a, f.Done()
}

// decodeMark reads a mark's note and, if branch allows, its branch.
func decodeMark(what string, f *jsonio.Fields, peers int, branch bool) (*Mark, *jsonio.Error) {
	m := &Mark{Note: f.Str("note", MaxNote, "")}
	list, ok := f.Get("then")
	if !ok {
		return m, f.Err()
	}
	acts, isList := list.([]any)
	switch {
	case !branch:
		return nil, jsonio.BadArg(what + ".then: a branch cannot hold another branch")
	case !isList:
		return nil, jsonio.BadArg(what + ".then must be a list of actions, got " + jsonio.Describe(list))
	case len(acts) > MaxActions:
		return nil, jsonio.TooLarge(what + ".then has " + strconv.Itoa(len(acts)) + " actions; the limit is " + strconv.Itoa(MaxActions))
	}
	m.Rewind = f.Int("rewind", 0, MaxSafeInt, 0)
	m.Then = make([]Action, 0, len(acts))
	for i, v := range acts {
		a, err := DecodeAction(what+".then["+strconv.Itoa(i)+"]", jsonio.Present(v), peers, false)
		if err != nil {
			return nil, err
		}
		m.Then = append(m.Then, a)
	}
	return m, f.Err()
}

// ParseOp reads a write's operation: "unlock", or else lock.
func ParseOp(s string) lock.Op {
	if s == "unlock" {
		return lock.OpUnlock
	}
	return lock.OpLock
}

// DecodeLink reads a link's settings over cur: fields left out keep their
// value. It is strict or lenient as f is.
func DecodeLink(f *jsonio.Fields, cur Link) Link {
	l := cur
	l.LatencyMinMs = f.Int("latencyMinMs", 1, MaxLatencyMs, l.LatencyMinMs)
	l.LatencyMaxMs = f.Int("latencyMaxMs", 1, MaxLatencyMs, l.LatencyMaxMs)
	l.Loss = f.Fraction("loss", l.Loss)
	l.Duplicate = f.Fraction("duplicate", l.Duplicate)
	l.Reorder = f.Fraction("reorder", l.Reorder)
	return l
}

// DecodeGroups reads a partition: a list of lists of peer numbers from 1
// to peers, none in two groups.
func DecodeGroups(what string, v any, peers int) ([][]raft.ID, *jsonio.Error) {
	list, ok := v.([]any)
	if !ok {
		return nil, jsonio.BadArg(what + " must be a list of groups such as [[1, 2], [3]], got " + jsonio.Describe(v))
	}
	if len(list) < 1 || len(list) > peers {
		return nil, jsonio.OutOfRange(what + " must hold 1 to " + strconv.Itoa(peers) + " groups, got " + strconv.Itoa(len(list)))
	}
	groups := make([][]raft.ID, len(list))
	seen := make([]bool, peers+1)
	for i, g := range list {
		name := what + "[" + strconv.Itoa(i) + "]"
		ids, ok := g.([]any)
		if !ok {
			return nil, jsonio.BadArg(name + " must be a list of peer numbers, got " + jsonio.Describe(jsonio.Present(g)))
		}
		if len(ids) > peers {
			return nil, jsonio.OutOfRange(name + " holds " + strconv.Itoa(len(ids)) + " peers; the cluster has " + strconv.Itoa(peers))
		}
		for j, x := range ids {
			id, err := DecodePeer(name+"["+strconv.Itoa(j)+"]", jsonio.Present(x), peers)
			if err != nil {
				return nil, err
			}
			if seen[id] {
				return nil, jsonio.BadArg(what + ": " + id.String() + " is in two groups")
			}
			seen[id] = true
			groups[i] = append(groups[i], id)
		}
	}
	return groups, nil
}

// DecodePeer reads a peer of a cluster of the given size.
func DecodePeer(name string, v any, peers int) (raft.ID, *jsonio.Error) {
	f, ok := v.(float64)
	if !ok {
		return 0, jsonio.BadArg(name + " must be a peer number from 1 to " + strconv.Itoa(peers) + ", got " + jsonio.Describe(v))
	}
	if f != float64(int64(f)) || f < 1 || f > float64(peers) {
		return 0, &jsonio.Error{Code: jsonio.CodeUnknownPeer, Msg: name + ": no peer " + jsonio.FormatNum(f) + "; this cluster has s1 to s" + strconv.Itoa(peers)}
	}
	return raft.ID(f), nil
}
