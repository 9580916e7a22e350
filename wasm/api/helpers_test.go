package api

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/raftplay/raftplay/raft"
)

// session drives a Worker the way the page does: calls with JSON
// arguments, answers as decoded JSON. Built without build tags, so it runs
// natively and under WebAssembly alike.
type session struct {
	t *testing.T
	w *Worker
}

func newSession(t *testing.T, c Config) *session {
	t.Helper()
	w := NewWorker(c)
	go w.Run()
	return &session{t, w}
}

// raw makes a call and returns its answer's JSON text. Arguments are Go
// values encoded as the page's JSON.stringify would, or json.RawMessage.
func (s *session) raw(name string, args ...any) string {
	s.t.Helper()
	texts := make([][]byte, len(args))
	for i, a := range args {
		if a == nil {
			continue
		}
		if t, ok := a.(jsText); ok { // as the bridge passes it
			texts[i] = []byte(t)
			continue
		}
		b, err := json.Marshal(a)
		if err != nil {
			s.t.Fatal(err)
		}
		texts[i] = b
	}
	done := make(chan string, 1)
	s.w.Submit(name, texts, func(answer []byte) { done <- string(answer) })
	return <-done
}

// call makes a call that must succeed and returns its answer.
func (s *session) call(name string, args ...any) map[string]any {
	s.t.Helper()
	m := decode(s.t, s.raw(name, args...))
	if e, ok := m["error"]; ok {
		s.t.Fatalf("%s(%v): %v (%v)", name, args, e, m["code"])
	}
	return m
}

// fail makes a call that must fail with code and a message holding each
// of words.
func (s *session) fail(code string, words []string, name string, args ...any) {
	s.t.Helper()
	m := decode(s.t, s.raw(name, args...))
	msg, _ := m["error"].(string)
	if m["code"] != code {
		s.t.Errorf("%s(%v) = %v, want code %s", name, args, m, code)
		return
	}
	for _, w := range words {
		if !strings.Contains(msg, w) {
			s.t.Errorf("%s(%v): message %q does not say %q", name, args, msg, w)
		}
	}
}

// jsText is an argument's text as the bridge hands it to Submit: for the
// numbers JSON cannot write, NaN, Infinity or -Infinity.
type jsText string

func decode(t *testing.T, text string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(text), &m); err != nil {
		t.Fatalf("answer is not a JSON object: %v\n%.300s", err, text)
	}
	return m
}

func num(v any) int64 { f, _ := v.(float64); return int64(f) }

func raftID(n int64) raft.ID { return raft.ID(n) }
