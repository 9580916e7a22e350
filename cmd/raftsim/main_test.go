package main

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

func runCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// The talk's demo as a transcript: the five replies, in order, and the
// checkers' verdict.
func TestTalkScenario(t *testing.T) {
	code, out, stderr := runCmd(t, "-scenario", "talk")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	replies := regexp.MustCompile(`client (s\d)'s (lock|unlock) at (s\d) -> (\w+)`).FindAllStringSubmatch(out, -1)
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
		{nil, "give -scenario NAME, -campaign or -list"},
		{[]string{"-scenario", "nope"}, "unknown scenario nope"},
		{[]string{"-campaign", "-peers", "0"}, "need peers >= 1"},
		{[]string{"-campaign", "-seeds", "3", "-settle-ms", "0"}, "settle-ms > 0"},
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
