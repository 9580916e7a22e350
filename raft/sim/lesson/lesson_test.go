package lesson

import (
	"reflect"
	"strings"
	"testing"

	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/lock"
	"github.com/raftplay/raftplay/raft/sim"
)

// A caption's names of servers, messages and entries are found, and
// nothing else is taken for one.
func TestParse(t *testing.T) {
	for _, c := range []struct {
		caption string
		want    []Part
	}{
		{"s1 sends AppendEntries with entry 3 to s2's log.", []Part{
			{Text: "s1", Server: 1}, {Text: " sends "}, {Text: "AppendEntries", Msg: "AppendEntries"},
			{Text: " with "}, {Text: "entry 3", Entries: []uint64{3}}, {Text: " to "}, {Text: "s2", Server: 2}, {Text: "'s log."},
		}},
		{"Entries 2-4, then entries 6 and 7; #9; heartbeats", []Part{
			{Text: "Entries 2-4", Entries: []uint64{2, 3, 4}}, {Text: ", then "}, {Text: "entries 6 and 7", Entries: []uint64{6, 7}},
			{Text: "; "}, {Text: "#9", Entries: []uint64{9}}, {Text: "; "}, {Text: "heartbeats", Msg: "heartbeat"},
		}},
		{"servers s1s, ss2, entry 3rd, index, RequestVoter", []Part{{Text: "servers s1s, ss2, entry 3rd, index, RequestVoter"}}},
	} {
		if got := Parse(c.caption); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Parse(%q) =\n%+v\nwant\n%+v", c.caption, got, c.want)
		}
	}
}

// A step's drop rules drop what they name as it is sent, each drop an
// action of the run, and the outline's definition replays the same run.
func TestDropRules(t *testing.T) {
	l := &Lesson{
		Name: "drops", Title: "Drops",
		Run: sim.Definition{Config: sim.DefaultConfig(), Seed: 1},
		Steps: []Step{
			{Caption: "s1 stands.", Do: []sim.Action{{Kind: sim.ActTimeout, Peer: 1}}, Until: &Cond{Kind: Elected}},
			{
				Caption: "alice's lock reaches s2 only.",
				Do:      []sim.Action{{Kind: sim.ActWrite, Peer: 1, Client: "alice", Op: lock.OpLock}},
				Drop:    []Msg{{Type: "AppendEntries", To: []raft.ID{3}, Entries: true}},
				Until:   &Cond{Kind: Answered, Client: "alice"},
				Question: &Question{Ask: "Does s3 get it?", Options: []Option{
					{Text: "yes", If: Cond{Kind: Delivered, Msg: Msg{Type: "AppendEntries", To: []raft.ID{3}, Entries: true}}},
					{Text: "no", If: Cond{Kind: Not, Of: []Cond{{Kind: Delivered, Msg: Msg{Type: "AppendEntries", To: []raft.ID{3}, Entries: true}}}}},
				}},
			},
		},
	}
	out, err := Play(l, Options{})
	if err != nil {
		t.Fatal(err)
	}
	st := out.Steps[1]
	if st.Answer != 1 || st.Evidence != nil {
		t.Errorf("answer %d (evidence %v), want option 2, no: s3 got nothing", st.Answer+1, st.Evidence)
	}
	drops := 0
	for _, a := range out.Runs[0].Actions {
		if a.Kind == sim.ActDrop {
			drops++
		}
	}
	if drops == 0 || st.Actions != len(out.Runs[0].Actions) {
		t.Errorf("%d drops recorded, step 2 ends after %d of %d actions", drops, st.Actions, len(out.Runs[0].Actions))
	}
}

// A lesson whose run outgrows the limit on messages in flight fails with
// the simulator's reason, not as a step whose outcome never came.
func TestLessonMeetsTheInFlightLimit(t *testing.T) {
	c := sim.DefaultConfig()
	c.Peers, c.TickMs, c.HeartbeatMs, c.ElectionMinMs, c.ElectionMaxMs = 9, 1, 2, 3, 6
	c.Net = sim.Link{LatencyMinMs: 10_000, LatencyMaxMs: 10_000}
	for _, st := range []Step{
		{Caption: "Wait for a leader.", Until: &Cond{Kind: Elected}, WithinMs: 5000},
		{Caption: "Watch.", ForMs: 5000},
	} {
		l := &Lesson{Name: "storm", Title: "Storm", Run: sim.Definition{Config: c, Seed: 1}, Steps: []Step{st}}
		_, err := Play(l, Options{MaxInFlight: 1000})
		if err == nil || !strings.Contains(err.Error(), "step 1: the run stopped at") || !strings.Contains(err.Error(), "more than the limit of 1000") {
			t.Errorf("%s: %v", st.Caption, err)
		}
	}
}

// A step may add a new server: its conditions, its caption and the later
// steps' may name it, and the player follows its events (it used to index
// past the end of its roles and panic on the new server's first commit).
func TestAddedServer(t *testing.T) {
	l := &Lesson{
		Name: "grow", Title: "Grow",
		Run: sim.Definition{Config: sim.DefaultConfig(), Seed: 1},
		Steps: []Step{
			{Caption: "s1 stands.", Do: []sim.Action{{Kind: sim.ActTimeout, Peer: 1}}, Until: &Cond{Kind: Committed, Index: 2}},
			{
				Caption: "s1 adds s4, which catches up and votes.",
				Do:      []sim.Action{{Kind: sim.ActAdd, Peer: 4}},
				Until:   &Cond{Kind: Committed, Index: 4},
				Question: &Question{Ask: "Does s4 apply entry 3?", Options: []Option{
					{Text: "yes", If: Cond{Kind: Applied, Peer: 4, Index: 3}},
					{Text: "no", If: Cond{Kind: Not, Of: []Cond{{Kind: Applied, Peer: 4, Index: 3}}}},
				}},
			},
			{Caption: "s1 removes s4.", Do: []sim.Action{{Kind: sim.ActRemove, Peer: 4}}, Until: &Cond{Kind: Committed, Index: 5}},
		},
	}
	out, err := Play(l, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if st := out.Steps[1]; st.Answer != 0 || !reflect.DeepEqual(st.Servers, []raft.ID{1, 4}) {
		t.Errorf("step 2: answer %d, caption names %v; want yes (s4 caught up) and s1, s4", st.Answer+1, st.Servers)
	}

	// A tenth server is more than the page draws.
	c := sim.DefaultConfig()
	c.Peers = sim.MaxDisplay
	l = &Lesson{Name: "crowd", Title: "Crowd", Run: sim.Definition{Config: c, Seed: 1},
		Steps: []Step{{Caption: "One more.", Do: []sim.Action{{Kind: sim.ActAdd, Peer: sim.MaxDisplay + 1}}}}}
	if _, err := Play(l, Options{}); err == nil || err.Error() != "step 1: do[0]: the page draws at most 9 servers, and this adds s10" {
		t.Errorf("adding a tenth server: %v", err)
	}
}

// A step's "Plays until" names together the servers of parts that differ
// only in their server, and words the rest as before.
func TestDescribeNamesServersTogether(t *testing.T) {
	applied := func(id raft.ID) Cond { return Cond{Kind: Applied, Peer: id, Index: 3} }
	for _, c := range []struct {
		cond Cond
		want string
	}{
		{Cond{Kind: All, Of: []Cond{applied(2), applied(3), applied(4)}}, "s2, s3 and s4 apply entry 3"},
		{Cond{Kind: All, Of: []Cond{applied(2), {Kind: Committed, Index: 3}, applied(4)}}, "s2 and s4 apply entry 3, and the leader commits entry 3"},
		{Cond{Kind: All, Of: []Cond{applied(2), {Kind: Applied, Peer: 3, Index: 4}}}, "s2 applies entry 3, and s3 applies entry 4"},
		{Cond{Kind: Any, Of: []Cond{{Kind: Elected, Peer: 2}, {Kind: Elected, Peer: 3}}}, "s2 or s3 becomes leader"},
		{Cond{Kind: All, Of: []Cond{{Kind: Snapshotted, Peer: 1}, {Kind: Snapshotted, Peer: 2}}}, "s1 and s2 compact their logs into a snapshot"},
		{Cond{Kind: All, Of: []Cond{{Kind: TimedOut, Peer: 1}, {Kind: TimedOut, Peer: 2}}}, "s1's election timer runs out, and s2's election timer runs out"},
	} {
		if got := c.cond.Describe(); got != c.want {
			t.Errorf("%q, want %q", got, c.want)
		}
	}
}
