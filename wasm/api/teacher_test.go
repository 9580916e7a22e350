package api

import (
	"strings"
	"testing"
)

// The teacher's controls through the API: time out now, spread and align,
// with the simulator's refusals in words.
func TestTimeoutAndTimersCalls(t *testing.T) {
	s := newSession(t, Config{})
	s.call("create", map[string]any{"peers": 3, "seed": 2})
	s.call("timers", "align")
	s.fail(CodeBadArgument, []string{`"spread" or "align"`, `"sideways"`}, "timers", "sideways")
	s.fail(CodeBadArgument, []string{`"spread" or "align"`}, "timers")
	s.fail(CodeUnknownPeer, []string{"no peer 4"}, "timeout", 4)
	st := s.call("advance", 2000)
	lead := num(st["leader"])
	if lead == 0 {
		t.Fatalf("no leader after 2 s: %v", st)
	}
	s.fail(CodeRejected, []string{"leads", "no election timer"}, "timeout", lead)
	f := lead%3 + 1
	s.call("timeout", f)
	snap := s.call("snapshot")
	p := snap["peers"].([]any)[f-1].(map[string]any)
	if p["role"] != "candidate" || num(p["term"]) != num(st["term"])+1 {
		t.Fatalf("after timeout(%d): %v, want a candidate in term %d", f, p, num(st["term"])+1)
	}
	acts := s.call("definition")["actions"].([]any)
	if a := acts[len(acts)-1].(map[string]any); a["kind"] != "timeout" || num(a["peer"]) != f {
		t.Fatalf("the definition ends with %v, want the timeout of s%d", a, f)
	}
	if a := acts[0].(map[string]any); a["kind"] != "timers" || a["mode"] != "align" {
		t.Fatalf("the definition starts with %v, want timers align", a)
	}
}

// Figure 8 through the API: advance with untilMark stops at each stage;
// at (d), rewind goes back to (c) and the other future, (e), plays; a
// definition with a branch goes through replay and definition unchanged.
func TestFigure8RewindAndUntilMark(t *testing.T) {
	s := newSession(t, Config{})
	s.call("create", map[string]any{"scenario": "figure8", "seed": 1})
	s.fail(CodeRejected, []string{"no mark"}, "rewind")
	def := s.raw("definition")
	stages, cTime := playToMarks(t, s)
	st := s.call("rewind")
	if num(st["time"]) != cTime || num(st["pending"]) == 0 || num(st["run"]) != 2 {
		t.Fatalf("rewind() = %v, want a new run at %d ms with the branch pending", st, cTime)
	}
	more, _ := playToMarks(t, s)
	stages = append(stages, more...)
	want := "Figure 8 (a)|Figure 8 (b)|Figure 8 (c)|Figure 8 (d), one future of (c)|Figure 8 (e), the other future of (c)|Figure 8 (e), continued"
	if got := strings.Join(stages, "|"); got != want {
		t.Fatalf("stages\n  %s\nwant\n  %s", got, want)
	}
	// The definition with its branch crosses the API unchanged.
	s.call("replay", def)
	if again := s.raw("definition"); again != def {
		t.Fatalf("replay(definition) changed it:\n%.400s\n%.400s", def, again)
	}
	nested := `{"version":1,"config":{"peers":3,"tickMs":10,"electionMinMs":150,"electionMaxMs":300,"heartbeatMs":50,
		"net":{"latencyMinMs":10,"latencyMaxMs":30},"clientTimeoutMs":3000},"seed":1,"actions":[
		{"at":10,"kind":"mark","note":"a","rewind":0,"then":[{"at":5,"kind":"mark","note":"b","then":[]}]}]}`
	s.fail(CodeBadArgument, []string{"actions[0].then[0].then", "another branch"}, "replay", nested)
	s.fail(CodeBadArgument, []string{"the note is missing"}, "replay", strings.NewReplacer(`,"then":[]`, ``, `"note":"a"`, `"note":""`).Replace(nested))
}

// playToMarks advances the run with untilMark until no mark comes, and
// returns the stages it stopped at (each note up to its colon) and the
// time of stage (c).
func playToMarks(t *testing.T, s *session) (stages []string, cTime int64) {
	t.Helper()
	after := num(s.call("status")["seq"])
	for range 10 {
		st := s.call("advance", 3000, map[string]any{"after": after, "untilMark": true})
		evs := st["events"].(map[string]any)["events"].([]any)
		after = num(st["seq"])
		last := evs[len(evs)-1].(map[string]any)
		if last["kind"] != "mark" {
			return stages, cTime
		}
		if num(last["time"]) != num(st["time"]) {
			t.Fatalf("stopped at %v ms, after the mark at %v", st["time"], last["time"])
		}
		note := last["note"].(string)
		stages = append(stages, note[:strings.Index(note, ":")])
		if strings.HasPrefix(note, "Figure 8 (c)") {
			cTime = num(last["time"])
		}
		if strings.HasPrefix(note, "Figure 8 (d)") && num(last["rewind"]) != cTime {
			t.Fatalf("(d)'s mark rewinds to %v, want (c)'s time %d", last["rewind"], cTime)
		}
	}
	t.Fatal("more than 10 marks")
	return nil, 0
}
