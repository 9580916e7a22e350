//go:build js && wasm

package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"syscall/js"
	"testing"

	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/lock"
	"github.com/raftplay/raftplay/raft/sim"
	"github.com/raftplay/raftplay/wasm/api"
)

// These tests run under Node (Go's go_js_wasm_exec): they call the API
// object on globalThis as the page does, and await its Promises.

func TestMain(m *testing.M) {
	b := install(findPage()) // no document under Node: no host, no events
	code := m.Run()
	b.release()
	os.Exit(code)
}

// await waits for a Promise. The test's goroutine blocks, Go goes idle and
// hands control back to the JS event loop, which settles the Promise.
func await(p js.Value) js.Value {
	ch := make(chan js.Value, 1)
	fn := js.FuncOf(func(_ js.Value, args []js.Value) any { ch <- args[0]; return nil })
	defer fn.Release()
	p.Call("then", fn)
	return <-ch
}

func raftplay() js.Value { return js.Global().Get("raftplay") }

// call calls raftplay[name](...args) and returns what its Promise gave.
func call(name string, args ...any) js.Value {
	return await(raftplay().Call(name, args...))
}

// ok calls and fails the test on an error object.
func ok(t testing.TB, name string, args ...any) js.Value {
	t.Helper()
	r := call(name, args...)
	if e := r.Get("error"); !e.IsUndefined() {
		t.Fatalf("%s: %s (%s)", name, e.String(), r.Get("code").String())
	}
	return r
}

func raftID(n int64) raft.ID { return raft.ID(n) }

func uint8Op(n int64) lock.Op { return lock.Op(n) }

// fails calls and wants an error object with code whose message holds
// every one of words.
func fails(t *testing.T, code string, words []string, name string, args ...any) {
	t.Helper()
	r := call(name, args...)
	if r.Get("code").IsUndefined() || r.Get("code").String() != code {
		t.Errorf("%s(%v) = %s, want code %s", name, args, stringify(r), code)
		return
	}
	msg := r.Get("error").String()
	for _, w := range words {
		if !strings.Contains(msg, w) {
			t.Errorf("%s: message %q does not say %q", name, msg, w)
		}
	}
}

func stringify(v js.Value) string { return js.Global().Get("JSON").Call("stringify", v).String() }

// The calls of API.md, and no others.
var apiCalls = []string{"add", "advance", "cancel", "crash", "create", "cut", "definition", "drop", "events", "exportTrace",
	"heal", "lesson", "network", "partition", "read", "remove", "replay", "restart", "restore", "rewind", "snapshot", "status", "step",
	"timeout", "timers", "transfer", "violations", "write"}

func TestAPIObject(t *testing.T) {
	o := raftplay()
	if v := o.Get("version"); v.Int() != 1 {
		t.Fatalf("version %v", v)
	}
	var names []string
	keys := js.Global().Get("Object").Call("keys", o)
	for i := range keys.Length() {
		k := keys.Index(i).String()
		if o.Get(k).Type() == js.TypeFunction {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	if !slices.Equal(names, apiCalls) {
		t.Fatalf("calls %v, want %v", names, apiCalls)
	}
	sc := o.Get("scenarios")
	if sc.Length() < 2 || sc.Index(0).Get("name").String() != "election" || sc.Index(1).Get("summary").Type() != js.TypeString {
		t.Fatalf("scenarios %s", stringify(sc))
	}
	// The page reads its limits here rather than repeating them.
	lim := o.Get("limits")
	if lim.Get("peers").Int() != sim.MaxDisplay || lim.Get("seed").Int() != api.MaxSafeInt || lim.Get("advanceMs").Int() != api.MaxAdvanceMs ||
		lim.Get("clientName").Int() != sim.MaxClientName {
		t.Fatalf("limits %s", stringify(lim))
	}
}

// Every call once, through JavaScript, with good arguments.
func TestEveryCall(t *testing.T) {
	st := ok(t, "create", map[string]any{"peers": 3, "seed": 2})
	if st.Get("time").Int() != 0 {
		t.Fatalf("create: %s", stringify(st))
	}
	st = ok(t, "advance", 1500, map[string]any{"after": 0, "snapshot": true})
	if st.Get("leader").Int() == 0 || st.Get("events").Get("events").Length() == 0 || st.Get("snapshot").Get("peers").Length() != 3 {
		t.Fatalf("advance: %.300s", stringify(st))
	}
	ok(t, "step", map[string]any{"after": st.Get("seq").Int()})
	ok(t, "write", map[string]any{"client": "alice", "op": "lock", "peer": 1})
	ok(t, "read", map[string]any{"client": "bob", "peer": 2})
	ok(t, "crash", 3)
	ok(t, "restart", 3)
	ok(t, "partition", []any{[]any{1}, []any{2, 3}})
	ok(t, "heal")
	ok(t, "cut", 1, 2)
	ok(t, "restore", 1, 2)
	ok(t, "network", map[string]any{"latencyMinMs": 20, "latencyMaxMs": 40, "loss": 0, "duplicate": 0.1, "reorder": 0.1})
	var id int
	for id == 0 {
		snap := ok(t, "step", map[string]any{"snapshot": true}).Get("snapshot")
		if m := snap.Get("messages"); m.Length() > 0 {
			id = m.Index(0).Get("id").Int()
		}
	}
	ok(t, "drop", id)
	ok(t, "status")
	ok(t, "snapshot")
	ok(t, "events", 0, 10)
	def := ok(t, "definition")
	if def.Get("actions").Length() != 10 {
		t.Fatalf("definition has %d actions, want 10", def.Get("actions").Length())
	}
	tr := ok(t, "exportTrace").Get("json").String()
	if !strings.HasPrefix(tr, `{"version":1,"definition":`) {
		t.Fatalf("exportTrace: %.100s", tr)
	}
	ok(t, "replay", def, 1000)
	ok(t, "replay", stringify(def)) // a share link's text
}

func TestBadArguments(t *testing.T) {
	ok(t, "create")
	fn := js.FuncOf(func(js.Value, []js.Value) any { return nil })
	defer fn.Release()
	cyclic := js.Global().Get("Object").New()
	cyclic.Set("self", cyclic)
	huge := js.Global().Get("String").New("x").Call("repeat", api.MaxInput+1)

	fails(t, "bad_argument", []string{"argument 1", "not data"}, "crash", fn)
	fails(t, "bad_argument", []string{"argument 1", "not data"}, "crash", js.Global().Call("BigInt", 2))
	fails(t, "bad_argument", []string{"argument 1", "not data"}, "replay", cyclic)
	fails(t, "too_large", []string{"limit"}, "replay", huge)
	fails(t, "bad_argument", []string{"peer must be a peer number", `"two"`}, "crash", "two")
	fails(t, "unknown_peer", []string{"no peer 4", "s1 to s3"}, "restart", 4)
	fails(t, "out_of_range", []string{"options.peers", "1 to 9"}, "create", map[string]any{"peers": 10})
	fails(t, "out_of_range", []string{"ms must be from 0"}, "advance", -1)
	fails(t, "bad_argument", []string{"takes 1 argument"}, "crash", 1, 2)
	fails(t, "bad_argument", []string{`no field "clinet"`}, "write", map[string]any{"clinet": "a", "op": "lock", "peer": 1})
	fails(t, "rejected", []string{"already running"}, "restart", 1)
	if st := ok(t, "status"); st.Get("actions").Int() != 0 {
		t.Fatalf("bad calls were recorded: %s", stringify(st))
	}
}

// A panic inside a call answers an error object; the runtime lives on.
func TestPanicBecomesErrorObject(t *testing.T) {
	b := newBridge(api.Config{Goroutines: true})
	b.worker.Add("explode", 0, func(*api.Session, []byte, []any) ([]byte, *api.Error) {
		var p *struct{ n int }
		p.n++ // a nil pointer, as a bug would be
		return nil, nil
	})
	go b.worker.Run()
	await(b.call("create", nil).(js.Value))
	r := await(b.call("explode", nil).(js.Value))
	if r.Get("code").String() != "internal" || !strings.Contains(r.Get("error").String(), "nil pointer") {
		t.Fatalf("explode: %s", stringify(r))
	}
	if r := await(b.call("advance", []js.Value{js.ValueOf(10)}).(js.Value)); r.Get("code").String() != "stopped" {
		t.Fatalf("after the panic: %s", stringify(r))
	}
	if r := await(b.call("create", nil).(js.Value)); !r.Get("error").IsUndefined() {
		t.Fatalf("create after the panic: %s", stringify(r))
	}
	ok(t, "status") // the page's own API is untouched
}

// The same definitions give the same traces here, peers on goroutines and
// driven through the page's API one frame at a time, as natively with
// peers inline (wasm/api's TestNativeTraces writes RAFTPLAY_TRACES).
func TestSameTraceAsNative(t *testing.T) {
	path := os.Getenv("RAFTPLAY_TRACES")
	if path == "" {
		t.Skip("RAFTPLAY_TRACES not set: run `make wasm-test`, which writes the native traces first")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct { // wasm/api's TraceCase
		Name       string
		Until      int64
		Definition json.RawMessage
		Events     uint64
		SHA256     string
	}
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 3 {
		t.Fatalf("%s holds %d cases", path, len(cases))
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			ok(t, "replay", string(c.Definition), 0)
			var seen uint64
			for now := int64(0); now < c.Until; {
				ms := min(250, c.Until-now)
				st := ok(t, "advance", ms, map[string]any{"after": seen})
				now += int64(ms)
				batch := st.Get("events")
				evs := batch.Get("events")
				if n := evs.Length(); n > 0 {
					if first := uint64(evs.Index(0).Get("seq").Int()); first != seen+1 && !batch.Get("gap").Bool() {
						t.Fatalf("batch starts at %d after %d", first, seen)
					}
					seen = uint64(evs.Index(n - 1).Get("seq").Int())
				}
			}
			if seen != c.Events {
				t.Fatalf("%d events here, %d natively", seen, c.Events)
			}
			sum := sha256.Sum256([]byte(ok(t, "exportTrace").Get("json").String()))
			if got := hex.EncodeToString(sum[:]); got != c.SHA256 {
				t.Fatalf("trace hash %s here, %s natively", got, c.SHA256)
			}
		})
	}
}

// Long work gives the page turns: JS timers run while a replay computes.
func TestLongReplayYields(t *testing.T) {
	ticks := 0
	tick := js.FuncOf(func(js.Value, []js.Value) any { ticks++; return nil })
	defer tick.Release()
	timer := js.Global().Call("setInterval", tick, 0)
	defer js.Global().Call("clearInterval", timer)
	ok(t, "create", map[string]any{"peers": 9})
	def := ok(t, "definition")
	st := ok(t, "replay", def, 120_000)
	if st.Get("time").Int() != 120_000 {
		t.Fatalf("replay: %s", stringify(st))
	}
	if ticks < 3 {
		t.Fatalf("JS timers ran %d times during a replay of 2 minutes of 9 peers", ticks)
	}
	t.Logf("a JS timer ran %d times during the replay", ticks)
}

// A create made while a replay computes takes over.
func TestCreateCancelsReplay(t *testing.T) {
	ok(t, "create", map[string]any{"peers": 9})
	def := ok(t, "definition")
	long := raftplay().Call("replay", def, 3_600_000)
	st := ok(t, "create", map[string]any{"peers": 2})
	if r := await(long); r.Get("code").String() != "canceled" {
		t.Fatalf("the long replay answered %s", stringify(r))
	}
	if st.Get("time").Int() != 0 || ok(t, "snapshot").Get("peers").Length() != 2 {
		t.Fatalf("the run is not the new one: %s", stringify(st))
	}
}
