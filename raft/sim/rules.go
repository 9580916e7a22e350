package sim

import (
	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/sim/jsonio"
)

// What each rule of the paper protects: the properties the checkers find
// failing when a run breaks it (raft.Rule). raft/sim/search shows each.
var protects = map[raft.Rule][]Property{
	raft.VoteAnyLog:        {LeaderCompleteness},
	raft.CommitOldTerms:    {LeaderCompleteness, StateMachineSafety},
	raft.ForgetVote:        {ElectionSafety},
	raft.ForgetTerm:        {ElectionSafety, LeaderCompleteness},
	raft.AppendUnchecked:   {LogMatching},
	raft.TruncateOnAppend:  {Majorities, LeaderCompleteness, StateMachineSafety},
	raft.ReadLocal:         {Linearizability},
	raft.ApplyRetries:      {ExactlyOnce},
	raft.LeaderIgnoresTerm: {ElectionSafety},
}

// Protects lists the properties rule r protects, the first the one a
// broken run most often fails.
func Protects(r raft.Rule) []Property { return protects[r] }

// AppendRulesJSON appends every rule a run can break as [{name, summary,
// protects}] (protects: property ids): the page's one source for them.
func AppendRulesJSON(b []byte) []byte {
	b = append(b, '[')
	for i, r := range raft.AllRules() {
		if i > 0 {
			b = append(b, ',')
		}
		w := jsonio.Writer{B: b}
		w.Open('{')
		w.Str("name", r.String())
		w.Str("summary", r.Summary())
		var ids []string
		for _, p := range Protects(r) {
			ids = append(ids, p.ID())
		}
		w.Strs("protects", ids)
		w.Close('}')
		b = w.B
	}
	return append(b, ']')
}
