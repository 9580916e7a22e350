package sim_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/sim"
)

// The five properties of the paper's Figure 3, in its words, and what
// each breakable rule protects.
func TestPropertiesQuoteThePaper(t *testing.T) {
	figure3 := map[sim.Property]string{
		sim.ElectionSafety:     "at most one leader can be elected in a given term.",
		sim.LeaderAppendOnly:   "a leader never overwrites or deletes entries in its log; it only appends new entries.",
		sim.LogMatching:        "if two logs contain an entry with the same index and term, then the logs are identical in all entries up through the given index.",
		sim.LeaderCompleteness: "if a log entry is committed in a given term, then that entry will be present in the logs of the leaders for all higher-numbered terms.",
		sim.StateMachineSafety: "if a server has applied a log entry at a given index to its state machine, no other server will ever apply a different log entry for the same index.",
	}
	for p, words := range figure3 {
		if p.Definition() != words || !strings.Contains(p.Source(), "Figure 3") {
			t.Errorf("%v: %q (%s), want Figure 3's %q", p, p.Definition(), p.Source(), words)
		}
	}
	var table []struct{ ID, Name, Definition, Source string }
	if err := json.Unmarshal(sim.AppendPropertiesJSON(nil), &table); err != nil || len(table) != len(sim.Properties()) {
		t.Fatalf("properties JSON: %v, %d entries", err, len(table))
	}
	for i, p := range sim.Properties() {
		if got, ok := sim.ParseProperty(p.ID()); !ok || got != p || table[i].ID != p.ID() || table[i].Definition == "" {
			t.Errorf("property %d: %+v", p, table[i])
		}
	}
	var rules []struct {
		Name     string
		Protects []string
	}
	if err := json.Unmarshal(sim.AppendRulesJSON(nil), &rules); err != nil || len(rules) != len(raft.AllRules()) {
		t.Fatalf("rules JSON: %v, %d entries", err, len(rules))
	}
	for i, r := range raft.AllRules() {
		if rules[i].Name != r.String() || len(sim.Protects(r)) == 0 || len(rules[i].Protects) != len(sim.Protects(r)) {
			t.Errorf("rule %v: %+v protects %v", r, rules[i], sim.Protects(r))
		}
	}
}

// Rules broken on purpose are part of the definition: written, read back,
// and an unknown one refused with the list of known ones.
func TestDefinitionCarriesBrokenRules(t *testing.T) {
	def := sim.Definition{Config: sim.DefaultConfig(), Seed: 7}
	def.Config.Broken = raft.Break(raft.ForgetVote, raft.ReadLocal)
	text := string(def.AppendJSON(nil))
	if !strings.Contains(text, `"broken":["forget-vote","read-local"]`) {
		t.Fatalf("definition JSON %s", text)
	}
	back, err := sim.DecodeDefinition(text, sim.MaxPeers)
	if err != nil || string(back.AppendJSON(nil)) != text {
		t.Fatalf("read back as %s, %v", back.AppendJSON(nil), err)
	}
	plain := sim.Definition{Config: sim.DefaultConfig(), Seed: 7}
	if strings.Contains(string(plain.AppendJSON(nil)), "broken") {
		t.Fatal("a definition that breaks nothing says broken")
	}
	for bad, words := range map[string]string{
		`["vote-any"]`: `definition.config.broken[0]: unknown rule "vote-any" (a string) (the rules: vote-any-log, commit-old-terms`,
		`"read-local"`: `definition.config.broken must be a list of rule names`,
		`[3]`:          `unknown rule 3`,
	} {
		_, err := sim.DecodeDefinition(strings.Replace(text, `["forget-vote","read-local"]`, bad, 1), sim.MaxPeers)
		if err == nil || !strings.Contains(err.Error(), words) {
			t.Errorf("broken %s: %v, want %q", bad, err, words)
		}
	}
}
