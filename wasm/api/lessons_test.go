package api

import (
	"flag"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/raftplay/raftplay/raft/sim"
	"github.com/raftplay/raftplay/raft/sim/lesson"
)

// The lessons the page offers: web/lessons/*.json, in the order of
// web/lessons/index.json.
const lessonDir = "../../web/lessons"

var transcript = flag.Bool("lesson.transcript", false, "print each lesson step by step, with every event, for authors")

// Every lesson loads and checks (every step's condition reached within its
// bound, every question with exactly one option that happens, every name in
// a caption on screen), and the run at every step, replayed from its prefix
// of the definition as the page replays it, is the run the lesson played:
// the same trace, byte for byte, with each question's answer in it.
func TestLessons(t *testing.T) {
	index := readIndex(t)
	files, _ := filepath.Glob(filepath.Join(lessonDir, "*.json"))
	if len(files) != len(index)+1 {
		t.Errorf("web/lessons has %d lesson files and index.json lists %d lessons: list each file once", len(files)-1, len(index))
	}
	for _, entry := range index {
		t.Run(entry.name, func(t *testing.T) {
			text, err := os.ReadFile(filepath.Join(lessonDir, entry.name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			l, aerr := DecodeLesson(string(text))
			if aerr != nil {
				t.Fatalf("decoding: %v", aerr)
			}
			if l.Name != entry.name || l.Title != entry.title {
				t.Errorf("the lesson is %q, %q; index.json says %q, %q", l.Name, l.Title, entry.name, entry.title)
			}
			if n := len(l.Steps); n < 5 || n > 15 {
				t.Errorf("%d steps; a lesson has 5 to 15", n)
			}
			var opts lesson.Options
			events := make([][]string, len(l.Steps))
			if *transcript {
				opts.Event = func(i int, e *sim.Event) {
					events[i] = append(events[i], fmt.Sprintf("   %6d  %s", e.Time, e.Describe()))
				}
			}
			out, err := lesson.Play(l, opts)
			if *transcript {
				printTranscript(l, out, events) // up to the failure, if it fails
			}
			if err != nil {
				t.Fatal(err)
			}
			again, err := lesson.Play(l, lesson.Options{Goroutines: true})
			if err != nil {
				t.Fatal(err)
			}
			for i := range out.Steps {
				if a, b := out.Steps[i], again.Steps[i]; a.Hash != b.Hash || a.End != b.End || a.Answer != b.Answer {
					t.Errorf("step %d: played twice, it ends at %d and %d with traces %x and %x", i+1, a.End, b.End, a.Hash, b.Hash)
				}
			}
			checkPrefixes(t, out)
		})
	}
}

// checkPrefixes replays each step's prefix of the definition to the step's
// end, peers on goroutines as in the page, and compares the traces.
func checkPrefixes(t *testing.T, out *lesson.Outline) {
	t.Helper()
	for i, st := range out.Steps {
		def := out.Runs[st.Run]
		def.Actions = def.Actions[:st.Actions]
		def.Config.Goroutines = true
		s, err := sim.New(def, sim.Options{TraceLimit: -1})
		if err != nil {
			t.Fatalf("step %d: %v", i+1, err)
		}
		s.RunUntil(st.End)
		evs, _ := s.Events(0)
		h := fnv.New64a()
		var b []byte
		for k := range evs {
			b = evs[k].AppendJSON(b[:0])
			h.Write(b)
		}
		if h.Sum64() != st.Hash {
			t.Errorf("step %d: replaying its %d actions to %d ms gives another trace than the lesson played", i+1, st.Actions, st.End)
		}
		// The question's answer is an event of the replayed run: the run
		// the page shows, not only the one the lesson played.
		if e := st.Evidence; e != nil && (e.Seq > uint64(len(evs)) || evs[e.Seq-1].Describe() != e.Describe() || evs[e.Seq-1].Time != e.Time) {
			t.Errorf("step %d: the answer's event, %q at %d ms, is not in the replayed run", i+1, e.Describe(), e.Time)
		}
		s.Close()
	}
}

// printTranscript prints each step as an author checks it: where it
// starts and ends, its caption and question, the option that happened,
// and every event of the run during it. Without an outline (the lesson
// failed its checks), it prints the steps as far as they played.
func printTranscript(l *lesson.Lesson, out *lesson.Outline, events [][]string) {
	for i := range l.Steps {
		s := &l.Steps[i]
		answer := -1
		if out != nil {
			st := out.Steps[i]
			answer = st.Answer
			fmt.Printf("\n== %s step %d, %d to %d ms\n%s\n", l.Name, i+1, st.Start, st.End, s.Caption)
		} else if len(events[i]) > 0 || i == 0 {
			fmt.Printf("\n== %s step %d\n%s\n", l.Name, i+1, s.Caption)
		} else {
			break
		}
		if q := s.Question; q != nil {
			fmt.Printf("?? %s\n", q.Ask)
			for k, o := range q.Options {
				mark := "  "
				if k == answer {
					mark = "=>"
				}
				fmt.Printf("%s %s: %s\n", mark, o.Text, o.Why)
			}
		}
		for _, line := range events[i] {
			fmt.Println(line)
		}
	}
}

type indexEntry struct{ name, title string }

// readIndex reads web/lessons/index.json: [{"name": ..., "title": ...}].
func readIndex(t *testing.T) []indexEntry {
	t.Helper()
	text, err := os.ReadFile(filepath.Join(lessonDir, "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := Parse(text)
	if err != nil {
		t.Fatalf("index.json: %v", err)
	}
	list, _ := v.([]any)
	var out []indexEntry
	for _, x := range list {
		m, _ := x.(map[string]any)
		name, _ := m["name"].(string)
		title, _ := m["title"].(string)
		if name == "" || strings.ContainsAny(name, "/.") {
			t.Fatalf("index.json: %v is not {name, title}", x)
		}
		out = append(out, indexEntry{name, title})
	}
	if len(out) == 0 {
		t.Fatal("index.json lists no lessons")
	}
	return out
}

// A broken lesson gives the error docs/LESSONS.md documents, word for word.
func TestLessonErrors(t *testing.T) {
	doc, err := os.ReadFile("../../docs/LESSONS.md")
	if err != nil {
		t.Fatal(err)
	}
	// A valid lesson of three servers, each case breaking one thing.
	base := func(steps string) string {
		return `{"version": 1, "name": "broken", "title": "Broken", "run": {"peers": 3, "seed": 1}, "steps": [` + steps + `]}`
	}
	elect := `{"caption": "s1 and s2 wait.", "until": {"elected": {}}}`
	for _, c := range []struct{ lesson, want string }{
		{base(`{"caption": "x", "untill": {"elected": {}}}`), `lesson.steps[0] has no field "untill" (known: `},
		{base(`{"caption": "x", "do": [{"kind": "crash", "peer": 7}]}`), `lesson.steps[0].do[0].peer: no peer 7; this cluster has s1 to s3`},
		{base(elect + `,{"caption": "x", "do": [{"kind": "crash", "peer": 1}], "until": {"elected": {}}, "within": 100}`), `step 2: until: a leader is elected: it did not happen within 100 ms`},
		{base(elect + `,{"caption": "x", "for": 10, "question": {"ask": "?", "options": [{"text": "a", "if": {"crashed": {}}}, {"text": "b", "if": {"elected": {}}}]}}`), `step 2: question: none of its options happened, so it has no right answer`},
		{base(elect + `,{"caption": "x", "for": 100, "question": {"ask": "?", "options": [{"text": "a", "if": {"sent": {}}}, {"text": "b", "if": {"delivered": {}}}]}}`), `step 2: question: options 1 and 2 all happened; exactly one must`},
		{base(`{"caption": "s4 waits."}`), `step 1: caption: it names s4, but the run has s1 to s3`},
		{base(`{"caption": "An InstallSnapshot?", "for": 10}`), `step 1: caption: it names InstallSnapshot, but no InstallSnapshot message is in flight during this step`},
		{base(`{"caption": "Look at entry 9."}`), `step 1: caption: it names entry 9, but no server's log reaches index 9 during this step`},
		{base(`{"caption": "x", "until": {"answered": {"client": "bob"}}}`), `step 1: it waits for an answer to client "bob", who has sent no request by this step`},
		{base(`{"caption": "x", "do": [{"kind": "crash", "peer": 2}]},{"caption": "y", "do": [{"kind": "crash", "peer": 2}]}`), `step 2: do[0] (crash): s2 is already down`},
		{base(`{"caption": "x", "until": {"not": {"elected": {}}}}`), `step 1: until: until needs something that happens; "not" is for a question's options`},
		{base(elect + `,{"caption": "x", "from": 2}`), `step 2: from: from names an earlier step, and step 2 is not one`},
	} {
		l, aerr := DecodeLesson(c.lesson)
		var got string
		if aerr != nil {
			got = aerr.Msg
		} else if _, err := lesson.Play(l, lesson.Options{}); err != nil {
			got = err.Error()
		}
		if !strings.HasPrefix(got, c.want) {
			t.Errorf("%s\n got: %s\nwant: %s", c.lesson, got, c.want)
		}
		if !strings.Contains(string(doc), "`"+c.want) {
			t.Errorf("docs/LESSONS.md does not give the error %q", c.want)
		}
	}
}

// The lesson call answers the outline the page follows: replaying a step's
// run to its start and advancing to its end gives the step's end, with the
// answer's event among the events. A lesson that does not check is
// rejected with the lesson's error.
func TestLessonCall(t *testing.T) {
	text, err := os.ReadFile(filepath.Join(lessonDir, "partition.json"))
	if err != nil {
		t.Fatal(err)
	}
	s := newSession(t, Config{})
	s.call("create")
	out := s.call("lesson", string(text))
	steps, _ := out["steps"].([]any)
	if out["name"] != "partition" || len(steps) != 7 {
		t.Fatalf("outline %v with %d steps", out["name"], len(steps))
	}
	runs, _ := out["runs"].([]any)
	st := steps[2].(map[string]any) // step 3: bob's lock on the small side
	def := runs[num(st["run"])].(map[string]any)
	def["actions"] = def["actions"].([]any)[:num(st["actions"])]
	start, end := num(st["start"]), num(st["end"])
	if got := num(s.call("replay", def, start)["time"]); got != start {
		t.Fatalf("replayed to %d, want the step's start %d", got, start)
	}
	status := s.call("advance", end-start, map[string]any{"after": 0})
	if num(status["time"]) != end || num(status["pending"]) != 0 {
		t.Errorf("advanced to %d ms with %d actions pending, want the step's end %d with none", num(status["time"]), num(status["pending"]), end)
	}
	q := st["question"].(map[string]any)
	if q["options"].([]any)[num(q["answer"])] != "No" {
		t.Errorf("step 3's answer is %v, want No", q["options"].([]any)[num(q["answer"])])
	}
	if h := q["happened"].(map[string]any); h["by"] != true || num(h["time"]) != end {
		t.Errorf("a \"not\" answer happened %v, want by the step's end", h)
	}
	parts, _ := st["parts"].([]any)
	if p := parts[0].(map[string]any); p["text"] != "Client bob sends lock to " || parts[1].(map[string]any)["server"] != float64(1) {
		t.Errorf("the caption's parts begin %v, %v", parts[0], parts[1])
	}
	s.fail(CodeRejected, []string{`lesson "broken"`, "step 1: caption: it names s4"}, "lesson",
		`{"version": 1, "name": "broken", "title": "Broken", "run": {"seed": 1}, "steps": [{"caption": "s4 waits."}]}`)
	s.fail(CodeBadArgument, []string{`unknown condition "electd"`}, "lesson",
		`{"version": 1, "name": "broken", "title": "Broken", "run": {"seed": 1}, "steps": [{"caption": "x", "until": {"electd": {}}}]}`)
}

// A lesson may name a server an earlier step added, in its actions as in
// its conditions; one the steps never add is still unknown.
func TestLessonNamesAnAddedServer(t *testing.T) {
	steps := `{"caption": "x", "until": {"committed": {"index": 2}}},
		{"caption": "s4 joins.", "do": [{"kind": "add", "peer": 4}], "until": {"applied": {"peer": 4, "index": 4}}},
		{"caption": "s4 leaves.", "do": [{"kind": "remove", "peer": 4}], "until": {"committed": {"index": 5}}}`
	l, aerr := DecodeLesson(`{"version": 1, "name": "grow", "title": "Grow", "run": {"peers": 3, "seed": 1}, "steps": [` + steps + `]}`)
	if aerr != nil {
		t.Fatal(aerr)
	}
	if _, err := lesson.Play(l, lesson.Options{}); err != nil {
		t.Fatal(err)
	}
	_, aerr = DecodeLesson(`{"version": 1, "name": "grow", "title": "Grow", "run": {"peers": 3, "seed": 1}, "steps": [` + steps +
		`, {"caption": "x", "do": [{"kind": "crash", "peer": 5}]}]}`)
	if aerr == nil || aerr.Msg != "lesson.steps[3].do[0].peer: no peer 5; this cluster has s1 to s4" {
		t.Errorf("crashing s5, never added: %v", aerr)
	}
}
