package api

import (
	"strconv"

	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/lock"
	"github.com/raftplay/raftplay/raft/sim"
)

// DecodeDefinition reads a definition in the JSON form of raft/sim's
// TRACE.md: an object, or its JSON text (a share link, a file). Fields it
// does not know are ignored, as TRACE.md asks of readers; absent fields are
// zero, so the simulator's own validation explains what is missing. The
// playground draws up to sim.MaxDisplay peers, so it refuses more.
func DecodeDefinition(v any) (sim.Definition, *Error) {
	var def sim.Definition
	if text, ok := v.(string); ok {
		var err error
		if v, err = Parse([]byte(text)); err != nil {
			return def, asError(err, CodeBadArgument)
		}
	}
	f := object("definition", v, false)
	if f.err == nil && f.m == nil {
		return def, badArg("a definition is required (an object or its JSON text, as in TRACE.md)")
	}
	if version := f.int("version", 0, MaxSafeInt, 0); f.err == nil && version != sim.TraceVersion {
		return def, badArg("definition.version must be " + strconv.Itoa(sim.TraceVersion) + ", got " + itoa(version))
	}
	def.Seed = uint64(f.int("seed", 0, MaxSafeInt, 0))
	c := f.sub("config")
	def.Config = sim.Config{
		Peers:           int(c.int("peers", 1, sim.MaxDisplay, 0)),
		TickMs:          c.int("tickMs", 0, MaxSafeInt, 0),
		ElectionMinMs:   c.int("electionMinMs", 0, MaxSafeInt, 0),
		ElectionMaxMs:   c.int("electionMaxMs", 0, MaxSafeInt, 0),
		HeartbeatMs:     c.int("heartbeatMs", 0, MaxSafeInt, 0),
		ClientTimeoutMs: c.int("clientTimeoutMs", 0, MaxSafeInt, 0),
		SnapshotEvery:   int(c.int("snapshotEvery", 0, 1_000_000, 0)), // absent: never, as before snapshots existed
		MaxEntries:      int(c.int("maxEntries", 0, sim.MaxEntriesPerAppend, 0)),
		Net:             decodeLink(c.sub("net"), sim.Link{}),
	}
	if b, ok := sim.ParseBootstrap(c.oneOf("bootstrap", "all", "all", "talk")); ok {
		def.Config.Bootstrap = b
	}
	if err := c.done(); err != nil {
		return def, err
	}
	if f.err == nil {
		if err := def.Config.Validate(); err != nil {
			return def, outOfRange("definition.config: " + err.Error())
		}
	}
	list, _ := f.get("actions")
	actions, isList := list.([]any)
	switch {
	case f.err != nil:
	case list != nil && !isList:
		f.fail(badArg("definition.actions must be a list, got " + describe(list)))
	case len(actions) > sim.MaxActions:
		f.fail(tooLarge("definition.actions has " + strconv.Itoa(len(actions)) + " actions; the limit is " + strconv.Itoa(sim.MaxActions)))
	}
	for i := 0; i < len(actions) && f.err == nil; i++ {
		a, err := decodeAction("definition.actions["+strconv.Itoa(i)+"]", actions[i], def.Config.Peers, true)
		if err != nil {
			return def, err
		}
		def.Actions = append(def.Actions, a)
	}
	return def, f.done()
}

// decodeAction reads one action of a definition for a cluster of the given
// size; the simulator checks the rest when the run is made. A mark may
// carry a branch of actions (then) only if branch is true.
func decodeAction(what string, v any, peers int, branch bool) (sim.Action, *Error) {
	var a sim.Action
	f := object(what, v, false)
	if f.err == nil && f.m == nil {
		return a, badArg(what + " must be an object, got nothing")
	}
	a.At = f.int("at", 0, MaxSafeInt, 0)
	kind := f.str("kind", 64, "")
	if f.err != nil {
		return a, f.err
	}
	k, ok := sim.ParseActionKind(kind)
	if !ok {
		return a, badArg(what + ".kind: unknown action " + strconv.Quote(kind))
	}
	a.Kind = k
	id := func(key string) raft.ID {
		v, _ := f.get(key)
		id, err := peerNumber(f.name(key), v, peers)
		f.fail(err)
		return id
	}
	switch k {
	case sim.ActWrite, sim.ActRead:
		a.Peer = id("peer")
		a.Client = f.str("client", lock.MaxClientLen, "")
		if k == sim.ActWrite {
			a.Op = parseOp(f.oneOf("op", "", "lock", "unlock"))
		}
	case sim.ActCrash, sim.ActRestart, sim.ActTimeout:
		a.Peer = id("peer")
	case sim.ActTimers:
		a.Timers, _ = sim.ParseTimerMode(f.oneOf("mode", "", "spread", "align"))
	case sim.ActMark:
		m, err := decodeMark(what, f, peers, branch)
		f.fail(err)
		a.Mark = m
	case sim.ActCut, sim.ActRestore:
		a.From, a.To = id("from"), id("to")
	case sim.ActPartition:
		g, _ := f.get("groups")
		groups, err := decodeGroups(what+".groups", g, peers)
		f.fail(err)
		a.Groups = groups
	case sim.ActNetwork:
		l := decodeLink(f.sub("link"), sim.Link{})
		a.Link = &l
	case sim.ActDrop:
		a.Msg = uint64(f.int("msg", 0, MaxSafeInt, 0))
	}
	return a, f.done()
}

// decodeMark reads a mark's note and, if branch allows, its branch.
func decodeMark(what string, f *fields, peers int, branch bool) (*sim.Mark, *Error) {
	m := &sim.Mark{Note: f.str("note", sim.MaxNote, "")}
	list, ok := f.get("then")
	if !ok {
		return m, f.err
	}
	acts, isList := list.([]any)
	switch {
	case !branch:
		return nil, badArg(what + ".then: a branch cannot hold another branch")
	case !isList:
		return nil, badArg(what + ".then must be a list of actions, got " + describe(list))
	case len(acts) > sim.MaxActions:
		return nil, tooLarge(what + ".then has " + strconv.Itoa(len(acts)) + " actions; the limit is " + strconv.Itoa(sim.MaxActions))
	}
	m.Rewind = f.int("rewind", 0, MaxSafeInt, 0)
	m.Then = make([]sim.Action, 0, len(acts))
	for i, v := range acts {
		a, err := decodeAction(what+".then["+strconv.Itoa(i)+"]", v, peers, false)
		if err != nil {
			return nil, err
		}
		m.Then = append(m.Then, a)
	}
	return m, f.err
}

func parseOp(s string) lock.Op {
	if s == "unlock" {
		return lock.OpUnlock
	}
	return lock.OpLock
}

// decodeGroups reads a partition: a list of lists of peer numbers from 1
// to peers, none in two groups.
func decodeGroups(what string, v any, peers int) ([][]raft.ID, *Error) {
	list, ok := v.([]any)
	if !ok {
		return nil, badArg(what + " must be a list of groups such as [[1, 2], [3]], got " + describe(v))
	}
	if len(list) < 1 || len(list) > peers {
		return nil, outOfRange(what + " must hold 1 to " + strconv.Itoa(peers) + " groups, got " + strconv.Itoa(len(list)))
	}
	groups := make([][]raft.ID, len(list))
	seen := make([]bool, peers+1)
	for i, g := range list {
		name := what + "[" + strconv.Itoa(i) + "]"
		ids, ok := g.([]any)
		if !ok {
			return nil, badArg(name + " must be a list of peer numbers, got " + describe(g))
		}
		if len(ids) > peers {
			return nil, outOfRange(name + " holds " + strconv.Itoa(len(ids)) + " peers; the cluster has " + strconv.Itoa(peers))
		}
		for j, x := range ids {
			id, err := peerNumber(name+"["+strconv.Itoa(j)+"]", x, peers)
			if err != nil {
				return nil, err
			}
			if seen[id] {
				return nil, badArg(what + ": " + id.String() + " is in two groups")
			}
			seen[id] = true
			groups[i] = append(groups[i], id)
		}
	}
	return groups, nil
}

// peerNumber reads a peer of a cluster of the given size.
func peerNumber(name string, v any, peers int) (raft.ID, *Error) {
	f, ok := v.(float64)
	if !ok {
		return 0, badArg(name + " must be a peer number from 1 to " + strconv.Itoa(peers) + ", got " + describe(v))
	}
	if f != float64(int64(f)) || f < 1 || f > float64(peers) {
		return 0, &Error{CodeUnknownPeer, name + ": no peer " + formatNum(f) + "; this cluster has s1 to s" + strconv.Itoa(peers)}
	}
	return raft.ID(f), nil
}
