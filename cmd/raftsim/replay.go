package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/raftplay/raftplay/raft/sim"
	"github.com/raftplay/raftplay/raft/sim/jsonio"
)

// maxFile bounds what -replay reads: the playground's largest argument.
const maxFile = 8 << 20

// afterLastAction is how long a replay without an end runs past the
// definition's last action, for the requests and faults it started.
const afterLastAction = 5000

// replayInput is a run to replay: its definition and where to stop.
type replayInput struct {
	def   sim.Definition
	until int64
	from  string // what the input was, for the transcript's first line
}

// readReplay reads -replay's argument: a file holding a definition (as
// the playground's definition() gives it), a trace document (its
// exportTrace), or a share link; or the link itself. A link stops at its
// instant t, a trace document at its last event, a definition five seconds
// after its last action.
func readReplay(arg string) (replayInput, error) {
	text, err := readSmall(arg)
	switch {
	case err == nil:
	case errors.Is(err, os.ErrNotExist):
		text = []byte(arg) // perhaps the link itself
	default:
		return replayInput{}, err
	}
	in := replayInput{until: -1}
	defJSON, t, isLink, err := readShare(string(text))
	if err != nil {
		return in, err
	}
	var v any
	if isLink {
		in.until, in.from = t, "share link"
		if v, err = jsonio.Parse(defJSON); err != nil {
			return in, errors.New("the link's run is not JSON: " + err.Error())
		}
	} else {
		if v, err = jsonio.Parse(text); err != nil {
			if os.IsNotExist(statErr(arg)) {
				return in, errors.New("no file " + strconv.Quote(arg) + ", and it is not a share link either")
			}
			return in, errors.New(arg + ": " + err.Error())
		}
		in.from = "definition"
		if doc, ok := v.(map[string]any); ok && doc["definition"] != nil {
			in.from = "trace document"
			in.until = lastEventTime(doc["events"])
			v = doc["definition"]
		}
	}
	def, derr := sim.DecodeDefinition(v, sim.MaxPeers)
	if derr != nil {
		return in, derr
	}
	in.def = def
	if in.until < 0 {
		in.until = afterLastAction
		if n := len(def.Actions); n > 0 {
			in.until += def.Actions[n-1].At
		}
	}
	return in, nil
}

func readSmall(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxFile+1))
	if err == nil && len(b) > maxFile {
		err = errors.New(path + " is larger than " + strconv.Itoa(maxFile) + " bytes")
	}
	return b, err
}

func statErr(path string) error {
	_, err := os.Stat(path)
	return err
}

// lastEventTime is the time of a trace document's last event, or -1.
func lastEventTime(events any) int64 {
	list, _ := events.([]any)
	if len(list) == 0 {
		return -1
	}
	last, _ := list[len(list)-1].(map[string]any)
	t, ok := last["time"].(float64)
	if !ok || t < 0 {
		return -1
	}
	return int64(t)
}

// replay runs the definition to its end and returns the run.
func replay(in replayInput) (*sim.Sim, error) {
	s, err := sim.New(in.def, sim.Options{TraceLimit: -1, Check: true, History: true})
	if err != nil {
		return nil, errors.New("the definition does not run: " + err.Error())
	}
	s.RunUntil(in.until)
	return s, nil
}

// replayRun is -replay: the transcript (or, with -json, the trace
// document, with the whole definition) and the checkers' verdict.
func replayRun(stdout, stderr io.Writer, arg string, until int64, jsonOut, verbose bool, ln linker) int {
	in, err := readReplay(arg)
	if err != nil {
		fmt.Fprintln(stderr, "raftsim: -replay:", err)
		return 2
	}
	if until >= 0 {
		in.until = until
	}
	s, err := replay(in)
	if err != nil {
		fmt.Fprintln(stderr, "raftsim: -replay:", err)
		return 2
	}
	defer s.Close()
	out := notes(stdout, jsonOut)
	fmt.Fprintf(out, "# replay of a %s: seed %d, %d peers, %d actions, to %.3f s\n", in.from, in.def.Seed, in.def.Config.Peers, len(in.def.Actions), float64(in.until)/1000)
	if jsonOut {
		stdout.Write(s.AppendTrace(nil, in.def))
	} else {
		print(stdout, s, false, verbose)
	}
	ok := verdict(out, in.def.Seed, s.Violations(), s.History(), 0)
	ln.printRun(out, s)
	return exitCode(ok)
}
