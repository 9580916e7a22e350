package api

import (
	"maps"
	"math"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// MaxQueued is how many calls may wait for the worker before new ones are
// answered "busy": a page that awaits its calls never gets near it.
const MaxQueued = 256

// Worker runs the page's calls, in order, on its own goroutine (Run), so
// that the page's callbacks only enqueue and never wait.
type Worker struct {
	ss    Session
	calls map[string]call

	mu     sync.Mutex
	queue  []*request
	wake   chan struct{}
	latest atomic.Uint64 // bumped by each call that supersedes the ones before it

	yield func(Progress)
	buf   []byte
}

type request struct {
	name  string
	c     call
	args  []any
	gen   uint64
	reply func([]byte)
}

// Config sets up a Worker.
type Config struct {
	// Goroutines runs each peer on its own goroutine (the browser does).
	Goroutines bool
	// Window is how many recent events a run keeps; 0 means TraceWindow.
	Window int
	// Check runs the simulator's safety checkers after every event.
	Check bool
	// Budget is the wall time of one slice of long work.
	Budget time.Duration
	// Yield is called between slices of long work; in a browser it returns
	// once the page had a turn. Nil: go straight on.
	Yield func(Progress)
}

// NewWorker returns a worker with no run yet. Start its Run on a goroutine.
func NewWorker(c Config) *Worker {
	if c.Window == 0 {
		c.Window = TraceWindow
	}
	w := &Worker{
		calls: calls,
		wake:  make(chan struct{}, 1),
		yield: c.Yield,
		ss:    Session{goroutines: c.Goroutines, window: c.Window, check: c.Check, budget: c.Budget},
	}
	return w
}

// Names lists the calls, sorted: the methods of the page's API object.
func (w *Worker) Names() []string {
	names := make([]string, 0, len(w.calls))
	for n := range w.calls {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Add adds a call, or replaces one; call it before Run. The search
// worker adds its calls so (wasm/hunt); tests reach paths no real call
// should (a panic inside a call). A call that makes no run answers with
// or without one.
func (w *Worker) Add(name string, args int, fn Handler) {
	w.calls = maps.Clone(w.calls)
	w.calls[name] = call{fn: fn, args: args, standalone: true}
}

// Submit queues a call. args holds each argument's JSON text, nil for an
// argument left out; a number JSON cannot write comes as JavaScript spells
// it (NaN, Infinity, -Infinity), so that the error can name it. reply gets
// the answer (a JSON object, valid only during the call) exactly once: on
// the worker's goroutine, or at once here when the call cannot even be
// queued. Submit never waits.
func (w *Worker) Submit(name string, args [][]byte, reply func([]byte)) {
	c, ok := w.calls[name]
	if !ok {
		reply(ErrorJSON(nil, badArg("raftplay has no call "+strconv.Quote(name))))
		return
	}
	if len(args) > c.args {
		reply(ErrorJSON(nil, badArg(name+" takes "+plural(c.args, "argument")+", got "+strconv.Itoa(len(args)))))
		return
	}
	r := &request{name: name, c: c, args: make([]any, len(args)), reply: reply}
	for i, text := range args {
		if text == nil {
			continue
		}
		if f, ok := nonFinite[string(text)]; ok {
			r.args[i] = f
			continue
		}
		v, err := Parse(text)
		if err != nil {
			e := asError(err, CodeBadArgument)
			reply(ErrorJSON(nil, &Error{Code: e.Code, Msg: name + ", argument " + strconv.Itoa(i+1) + ": " + e.Msg}))
			return
		}
		r.args[i] = v
	}
	if c.supersedes {
		r.gen = w.latest.Add(1)
	} else {
		r.gen = w.latest.Load()
	}
	w.mu.Lock()
	if len(w.queue) >= MaxQueued {
		w.mu.Unlock()
		reply(ErrorJSON(nil, &Error{Code: CodeBusy, Msg: strconv.Itoa(MaxQueued) + " calls are already waiting: await each call before making the next"}))
		return
	}
	w.queue = append(w.queue, r)
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default: // already awake
	}
}

// nonFinite reads the arguments JSON has no text for.
var nonFinite = map[string]float64{"NaN": math.NaN(), "Infinity": math.Inf(1), "-Infinity": math.Inf(-1)}

func plural(n int, what string) string {
	switch n {
	case 0:
		return "no " + what + "s"
	case 1:
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}

// Run answers calls as they come, forever.
func (w *Worker) Run() {
	for range w.wake {
		for r := w.next(); r != nil; r = w.next() {
			r.reply(w.handle(r))
		}
	}
}

func (w *Worker) next() *request {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.queue) == 0 {
		return nil
	}
	r := w.queue[0]
	w.queue[0] = nil
	w.queue = w.queue[1:]
	return r
}

// handle runs one call and returns its answer. A panic inside it becomes an
// "internal" error and stops the run, which may be half-way through an
// event; the worker and the page go on.
func (w *Worker) handle(r *request) (answer []byte) {
	ss := &w.ss
	defer func() {
		if p := recover(); p != nil {
			msg := PanicText(p)
			stack := make([]byte, 16<<10)
			stack = stack[:runtime.Stack(stack, false)]
			println("raftplay: panic in " + r.name + ": " + msg + "\n" + string(stack)) // the console, without package os
			if ss.sim != nil {
				ss.stopped = r.name + ": " + msg
			}
			answer = ErrorJSON(w.buf[:0], &Error{Code: CodeInternal, Msg: "internal error in " + r.name + ": " + msg +
				" (this is a bug; the run was stopped: its definition() still answers, so it can be reported; create or replay a new run)"})
		}
	}()
	if w.latest.Load() != r.gen {
		return ErrorJSON(w.buf[:0], errCanceled)
	}
	if r.c.standalone {
		// needs no run
	} else if !r.c.anyTime {
		switch {
		case ss.sim == nil:
			return ErrorJSON(w.buf[:0], &Error{Code: CodeNoRun, Msg: "there is no run yet: call create or replay first"})
		case ss.stopped != "":
			return ErrorJSON(w.buf[:0], &Error{Code: CodeStopped, Msg: "the run was stopped by an internal error (" + ss.stopped + "): create or replay a new run"})
		}
	} else if ss.sim == nil && !r.c.newRun {
		return ErrorJSON(w.buf[:0], &Error{Code: CodeNoRun, Msg: "there is no run yet: call create or replay first"})
	}
	ss.pause = func(p Progress) bool {
		if w.yield != nil {
			w.yield(p)
		}
		return w.latest.Load() == r.gen
	}
	answer, err := r.c.fn(ss, w.buf[:0], r.args)
	if err != nil {
		answer = ErrorJSON(w.buf[:0], err)
	}
	w.buf = answer[:0] // keep the grown buffer for the next answer
	return answer
}

// PanicText is what a recovered panic says.
func PanicText(p any) string {
	switch p := p.(type) {
	case error:
		return p.Error()
	case string:
		return p
	}
	return "a panic"
}
