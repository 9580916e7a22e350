package api

import (
	"slices"
	"strings"
	"testing"
)

// add and remove through the API: a new server appears in the snapshot,
// is a learner, then a voter; the majority grows; past limits.servers an
// add is refused by name; a removed server leaves every configuration;
// the share link's definition replays it.
func TestAddAndRemoveServers(t *testing.T) {
	s := newSession(t, Config{Check: true})
	s.call("create", map[string]any{"peers": 3, "seed": 4})
	s.fail(CodeRejected, []string{"leads"}, "add")
	s.call("advance", 1500)
	s.call("add")
	peers := s.call("snapshot")["peers"].([]any)
	if len(peers) != 4 {
		t.Fatalf("%d servers after add, want 4", len(peers))
	}
	s.call("advance", 1500)
	leader := leaderOf(s)
	m := peerOf(s, leader)
	if ids(m["members"]) != "1 2 3 4" || num(m["majority"]) != 3 || m["learners"] != nil {
		t.Fatalf("the leader's members %v, learners %v, majority %v; want s4 a voter of 4, majority 3", m["members"], m["learners"], m["majority"])
	}
	for range 5 {
		s.call("add")
		s.call("advance", 1500)
	}
	if n := len(s.call("snapshot")["peers"].([]any)); n != MaxServers {
		t.Fatalf("%d servers after five more adds, want %d", n, MaxServers)
	}
	s.fail(CodeOutOfRange, []string{"up to 9 servers"}, "add")

	s.call("remove", leader)
	s.call("advance", 1500)
	next := leaderOf(s)
	if next == 0 || next == leader {
		t.Fatalf("leader %v after s%v removed itself", next, leader)
	}
	if got := ids(peerOf(s, next)["members"]); strings.Contains(" "+got+" ", " "+itoa(leader)+" ") {
		t.Fatalf("members %s still hold the removed s%v", got, leader)
	}
	s.call("add", leader) // back again
	s.call("advance", 1500)
	if got := ids(peerOf(s, leaderOf(s))["members"]); !strings.Contains(" "+got+" ", " "+itoa(leader)+" ") {
		t.Fatalf("members %s: s%v was not added back", got, leader)
	}
	acts := s.call("definition")["actions"].([]any)
	var kinds []string
	for _, a := range acts {
		kinds = append(kinds, a.(map[string]any)["kind"].(string))
	}
	if !slices.Contains(kinds, "add") || !slices.Contains(kinds, "remove") {
		t.Fatalf("the definition's actions %v lack add and remove", kinds)
	}
}

func leaderOf(s *session) int64 {
	var id, term int64
	for _, p := range s.call("snapshot")["peers"].([]any) {
		if m := p.(map[string]any); m["role"] == "leader" && m["up"] == true && num(m["term"]) >= term {
			id, term = num(m["id"]), num(m["term"])
		}
	}
	return id
}

func peerOf(s *session, id int64) map[string]any {
	return s.call("snapshot")["peers"].([]any)[id-1].(map[string]any)
}

func ids(v any) string {
	var out []string
	list, _ := v.([]any)
	for _, x := range list {
		out = append(out, itoa(num(x)))
	}
	return strings.Join(out, " ")
}

func itoa(n int64) string { return raftID(n).String()[1:] }
