package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/sim"
)

// -rules lists every rule, one a line, the name first.
func TestRules(t *testing.T) {
	code, out, _ := runCmd(t, "-rules")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != len(raft.AllRules()) {
		t.Fatalf("exit %d, %d lines for %d rules:\n%s", code, len(lines), len(raft.AllRules()), out)
	}
	for i, r := range raft.AllRules() {
		if name, _, _ := strings.Cut(lines[i], " "); name != r.String() || !strings.Contains(lines[i], "protects ") {
			t.Errorf("line %d is %q, want %v first and what it protects", i+1, lines[i], r)
		}
	}
}

// -break RULE -seeds N finds the first failing seed, names the property,
// and prints the command that replays that run; the command's run shows
// the same violation. -link makes a link that opens the run at the
// violation, and -replay of that link sees it too.
func TestBreakFindsAndReplays(t *testing.T) {
	code, out, stderr := runCmd(t, "-break", "vote-any-log", "-seeds", "10", "-link")
	if code != 1 {
		t.Fatalf("exit %d (want 1: a property failed), stderr %q\n%s", code, stderr, out)
	}
	for _, want := range []string{"seed 3 breaks a property", "Leader Completeness failed at 3.187 s",
		`"if a log entry is committed in a given term, then that entry will be present`, "reproduce with: go run ./cmd/raftsim "} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	violation := regexp.MustCompile(`Leader Completeness failed at [^\n]*`).FindString(out)
	cmd := regexp.MustCompile(`reproduce with: go run ./cmd/raftsim (.*)`).FindStringSubmatch(out)[1]
	link := regexp.MustCompile(`open in the playground: (\S+)`).FindStringSubmatch(out)[1]
	if !strings.HasPrefix(link, DefaultBase+"#run=") || !strings.HasSuffix(link, "&t=3187") {
		t.Errorf("link %q: want the playground at the violation's instant", link)
	}

	code, again, stderr := runCmd(t, strings.Fields(cmd)...)
	if code != 1 || !strings.Contains(again, violation) {
		t.Fatalf("%s: exit %d, stderr %q; want %q again", cmd, code, stderr, violation)
	}
	code, replayed, stderr := runCmd(t, "-replay", link)
	if code != 1 || !strings.Contains(replayed, violation) || !strings.Contains(replayed, "replay of a share link") {
		t.Fatalf("-replay of the link: exit %d, stderr %q; want %q:\n%s", code, stderr, violation, replayed)
	}
}

// With -break, options given on the command line win over the rule's
// campaign; the rest come from it.
func TestBreakKeepsOptionsGiven(t *testing.T) {
	_, out, _ := runCmd(t, "-break", "forget-vote", "-seed", "2", "-settle-ms", "3000", "-json")
	_, summary, _ := runCmd(t, "-break", "forget-vote", "-seed", "2", "-settle-ms", "3000")
	first, _, _ := strings.Cut(summary, "\n")
	for _, want := range []string{"-settle-ms 3000", "-peers 5", "-bounce", "-fault-every-ms 30", "-break forget-vote"} {
		if !strings.Contains(first, want) {
			t.Errorf("command %q lacks %q", first, want)
		}
	}
	if !strings.Contains(out, `"broken":["forget-vote"]`) {
		t.Error("the trace's definition does not record the broken rule")
	}
}

func TestBreakBadRule(t *testing.T) {
	code, _, stderr := runCmd(t, "-break", "vote-any", "-seeds", "3")
	if code != 2 || !strings.Contains(stderr, `unknown rule "vote-any"`) || !strings.Contains(stderr, "vote-any-log") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

// A trace document the playground exports replays to the same trace, byte
// for byte; so does a definition, and a share link the page made
// (testdata/talk-read-local.link: share.js's encodeRun, run by Node, of
// the talk's definition breaking read-local, at 2.5 s).
func TestReplay(t *testing.T) {
	dir := t.TempDir()
	code, trace, _ := runCmd(t, "-scenario", "talk", "-json")
	if code != 0 {
		t.Fatal("talk failed")
	}
	file := filepath.Join(dir, "talk.json")
	os.WriteFile(file, []byte(trace), 0o600)
	code, again, stderr := runCmd(t, "-replay", file, "-json")
	if code != 0 || again != trace {
		t.Fatalf("-replay of the trace: exit %d, stderr %q, same bytes: %v", code, stderr, again == trace)
	}

	code, out, stderr := runCmd(t, "-replay", filepath.Join("testdata", "talk-read-local.link"))
	if code != 0 {
		t.Fatalf("-replay of the page's link: exit %d, stderr %q", code, stderr)
	}
	for _, want := range []string{"replay of a share link: seed 1, 3 peers, 5 actions, to 2.500 s", "client s1's lock at s1 → ok"} {
		if !strings.Contains(out, want) {
			t.Errorf("transcript lacks %q:\n%s", want, out)
		}
	}
	text, _ := os.ReadFile(filepath.Join("testdata", "talk-read-local.link"))
	in, err := readReplay(string(text))
	if err != nil || !in.def.Config.Broken.Has(raft.ReadLocal) || in.until != 2500 {
		t.Fatalf("the page's link reads as %+v, %v", in, err)
	}
	// Go's link of the same definition reads back the same.
	link, err := shareLink(DefaultBase, in.def, 2500)
	if err != nil {
		t.Fatal(err)
	}
	back, err := readReplay(link)
	if err != nil || string(back.def.AppendJSON(nil)) != string(in.def.AppendJSON(nil)) {
		t.Fatalf("Go's link reads back as %+v, %v", back.def, err)
	}
}

func TestReplayBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(text), 0o600)
		return p
	}
	def := sim.Definition{Config: sim.DefaultConfig(), Seed: 1}
	unknownRule := strings.Replace(string(def.AppendJSON(nil)), `"bootstrap":"all"`, `"bootstrap":"all","broken":["vote-any"]`, 1)
	for _, tc := range []struct{ arg, want string }{
		{write("rule.json", unknownRule), `definition.config.broken[0]: unknown rule "vote-any" (a string) (the rules: vote-any-log,`},
		{write("bad.json", `{"version":1,`), "malformed JSON"},
		{"#run=%%%", "damaged"},
		{"run=AAAA&t=1", "damaged"},
		{"run=q1YqSy0qzszPU7JSMtQzUNJRSs7PS8tMBwA&t=99999999", "not an instant of a run"},
		{"no-such-file.json", `no file "no-such-file.json"`},
	} {
		code, _, stderr := runCmd(t, "-replay", tc.arg)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("-replay %q: exit %d, stderr %q, want %q", tc.arg, code, stderr, tc.want)
		}
	}
}
