package main

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/raftplay/raftplay/raft/sim"
)

func runCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// Figure 8 as a transcript: its stages (a) to (d), then the other future
// from (c), (e), and the checkers' verdict on both.
func TestFigure8Scenario(t *testing.T) {
	code, out, stderr := runCmd(t, "-scenario", "figure8", "-seed", "3")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	stages := regexp.MustCompile(`(?m)^ +[0-9.]+s  (Figure 8 \([a-e]\)[^:]*):`).FindAllStringSubmatch(out, -1)
	var got []string
	for _, st := range stages {
		got = append(got, st[1])
	}
	want := "Figure 8 (a), Figure 8 (b), Figure 8 (c), Figure 8 (d), one future of (c), Figure 8 (e), the other future of (c), Figure 8 (e), continued"
	if strings.Join(got, ", ") != want {
		t.Errorf("stages %q, want %s", got, want)
	}
	if !strings.Contains(out, "--- the other future, from ") || !strings.Contains(out, "safety: no violation") {
		t.Errorf("no other future or no verdict in:\n%s", out)
	}
}

// The talk's demo as a transcript: the five replies, in order, and the
// checkers' verdict.
func TestTalkScenario(t *testing.T) {
	code, out, stderr := runCmd(t, "-scenario", "talk")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	replies := regexp.MustCompile(`client (s\d)'s (lock|unlock) at (s\d) → (\w+)`).FindAllStringSubmatch(out, -1)
	var got []string
	for _, r := range replies {
		got = append(got, r[1]+" "+r[2]+" "+r[4])
	}
	want := []string{"s1 lock ok", "s2 lock error", "s2 unlock error", "s1 unlock ok", "s2 lock ok"}
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Errorf("replies %q, want %q", got, want)
	}
	for _, line := range []string{"safety: no violation", "linearizability: the 5 client operations form a linearizable history"} {
		if !strings.Contains(out, line) {
			t.Errorf("transcript lacks %q", line)
		}
	}
}

// A campaign run prints the command that replays it first; that command
// gives the same transcript, byte for byte.
func TestCampaignReplays(t *testing.T) {
	code, out, stderr := runCmd(t, "-campaign", "-seed", "42", "-peers", "5")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	first, _, _ := strings.Cut(out, "\n")
	cmd, ok := strings.CutPrefix(first, "# go run ./cmd/raftsim ")
	if !ok {
		t.Fatalf("first line %q does not give the command", first)
	}
	code, again, stderr := runCmd(t, strings.Fields(cmd)...)
	if code != 0 || again != out {
		t.Fatalf("replaying %q: exit %d, stderr %q, same transcript: %v", cmd, code, stderr, again == out)
	}
	for _, line := range []string{"safety: no violation", "linearizability: the", "liveness: settled at"} {
		if !strings.Contains(out, line) {
			t.Errorf("transcript lacks %q", line)
		}
	}
	if _, other, _ := runCmd(t, "-campaign", "-seed", "43", "-peers", "5"); other == out {
		t.Error("seed 43 gives seed 42's transcript")
	}
}

func TestCampaignSeeds(t *testing.T) {
	code, out, stderr := runCmd(t, "-campaign", "-seeds", "12", "-peers", "3")
	if code != 0 || !strings.Contains(out, "12 seeds (1..12), 3 peers: 0 failed") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, stderr)
	}
}

// -json prints the trace alone, in the documented form.
func TestJSON(t *testing.T) {
	for _, args := range [][]string{{"-scenario", "talk", "-json"}, {"-campaign", "-seed", "7", "-peers", "3", "-json"}} {
		code, out, stderr := runCmd(t, args...)
		var trace struct {
			Version int               `json:"version"`
			Events  []json.RawMessage `json:"events"`
		}
		if err := json.Unmarshal([]byte(out), &trace); err != nil || code != 0 {
			t.Fatalf("%v: exit %d, stderr %q, not a JSON trace: %v", args, code, stderr, err)
		}
		if trace.Version != 1 || len(trace.Events) == 0 {
			t.Errorf("%v: version %d, %d events", args, trace.Version, len(trace.Events))
		}
	}
}

// Mistakes get a message and exit code 2, never a panic.
func TestBadArguments(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "give -scenario NAME, -campaign, -break RULE, -replay FILE, -list or -rules"},
		{[]string{"-scenario", "nope"}, "unknown scenario nope"},
		{[]string{"-campaign", "-peers", "0"}, "-peers must be from 1 to 128, got 0"},
		{[]string{"-campaign", "-peers", "129"}, "-peers must be from 1 to 128, got 129"},
		{[]string{"-campaign", "-clients", "-1"}, "-clients must be from 0 to 1000, got -1"},
		{[]string{"-campaign", "-fault-ms", "-5"}, "-fault-ms must be from 0 to 86400000, got -5"},
		{[]string{"-campaign", "-seeds", "3", "-settle-ms", "0"}, "-settle-ms must be from 1 to 86400000, got 0"},
		{[]string{"-campaign", "-loss", "2"}, "-loss must be a probability from 0 to 1, got 2"},
		{[]string{"-campaign", "-seeds", "2", "-loss", "-1"}, "-loss must be a probability from 0 to 1, got -1"},
		{[]string{"-campaign", "-dup", "5"}, "-dup must be a probability from 0 to 1, got 5"},
		{[]string{"-campaign", "-reorder", "NaN"}, "-reorder must be a probability from 0 to 1, got NaN"},
		{[]string{"-campaign", "-reorder", "+Inf"}, "-reorder must be a probability from 0 to 1, got +Inf"},
		{[]string{"-campaign", "-snapshot-every", "-1"}, "-snapshot-every must be from 0 to 1000000, got -1"},
		{[]string{"-campaign", "-seeds", "-1"}, "-seeds must be 0 or more, got -1"},
		{[]string{"-campaign", "-lin-timeout", "-1s"}, "-lin-timeout must not be negative"},
		{[]string{"-campaign", "-loss", "3", "-dup", "NaN"}, "-dup must be a probability from 0 to 1, got NaN"}, // every problem at once
		{[]string{"-peers", "many"}, `invalid value "many"`},
		{[]string{"talk"}, `unexpected argument "talk"`},
	} {
		code, _, stderr := runCmd(t, tc.args...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%q: exit %d, stderr %q, want 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}

func TestList(t *testing.T) {
	if code, out, _ := runCmd(t, "-list"); code != 0 || !strings.Contains(out, "talk") {
		t.Errorf("-list: exit %d, %q", code, out)
	}
}

// A run that fails a check exits 1 and says how to replay it: here no
// cluster can settle within 1 ms of the faults stopping.
func TestFailureGivesReplayCommand(t *testing.T) {
	code, out, _ := runCmd(t, "-campaign", "-seeds", "2", "-peers", "3", "-settle-ms", "1")
	if code != 1 {
		t.Fatalf("exit %d, want 1:\n%s", code, out)
	}
	m := regexp.MustCompile(`reproduce with: go run ./cmd/raftsim (.*)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no replay command in\n%s", out)
	}
	code, replay, _ := runCmd(t, strings.Fields(m[1])...)
	if code != 1 || !strings.Contains(replay, "liveness: FAILED: not settled 1 ms after the faults stopped") {
		t.Errorf("replaying %q: exit %d, transcript ends\n%s", m[1], code, replay[max(0, len(replay)-400):])
	}
}

// hardHistory is a lock history no checker settles quickly: 2n concurrent
// operations whose outcome is unknown (any order of them is possible), and
// then a read of a state none of them can produce, which porcupine can only
// rule out by trying every order.
func hardHistory(n int) []sim.Op {
	var h []sim.Op
	for i := range n {
		c := "c" + strconv.Itoa(i)
		h = append(h, sim.Op{Client: c, Op: "lock", Call: uint64(1 + i), Outcome: sim.OutcomeTimeout},
			sim.Op{Client: c + "x", Op: "unlock", Call: uint64(1 + i), Outcome: sim.OutcomeTimeout})
	}
	return append(h, sim.Op{Client: "r", Op: "read", Call: 1000, Return: 1001, Outcome: "locked by nobody"})
}

// A linearizability check that runs out of time is unknown, said so with
// the seed, and not a failure (exit 0); safety and liveness still decide.
func TestUnknownIsNotFailure(t *testing.T) {
	var out strings.Builder
	if !verdict(&out, 265, nil, hardHistory(14), 50*time.Millisecond) {
		t.Errorf("an unknown check counted as a failure:\n%s", out.String())
	}
	if want := "linearizability: unknown for seed 265: the check of 29 client operations gave up after 50ms"; !strings.Contains(out.String(), want) {
		t.Errorf("verdict says\n%s\nwant %q", out.String(), want)
	}

	// Many seeds: each unknown run is listed with its seed and counted
	// apart from failures. The stand-in checker is what porcupine answers
	// when a harsh campaign's history outgrows the budget (seed 265 of the
	// command below, before the budget: Unknown after 10 minutes).
	defer func(c func([]sim.Op, time.Duration) porcupine.CheckResult) { checkHistory = c }(checkHistory)
	var budgets []time.Duration
	checkHistory = func(h []sim.Op, budget time.Duration) porcupine.CheckResult {
		budgets = append(budgets, budget)
		return porcupine.Unknown
	}
	code, got, stderr := runCmd(t, "-campaign", "-seeds", "1", "-seed", "265", "-peers", "3", "-clients", "8", "-loss", "1", "-dup", "1", "-reorder", "1", "-fault-ms", "3000")
	if code != 0 || !strings.Contains(got, "UNKNOWN seed 265: safe and settled") || !strings.Contains(got, "1 seeds (265..265), 3 peers: 0 failed, 1 unknown") {
		t.Errorf("exit %d, stderr %q, stdout\n%s", code, stderr, got)
	}
	if len(budgets) != 1 || budgets[0] < time.Second || budgets[0] > time.Minute {
		t.Errorf("the checker's budgets: %v, want one from 1 s to 1 min", budgets)
	}
}
