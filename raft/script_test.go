package raft

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Interaction scripts: testdata/scripts/*.txt drive a cluster command by
// command, and each command's output is checked against the text under it,
// so a script reads like a lesson and fails like a test. After an intended
// change of behaviour, rewrite the expected output with
//
//	go test ./raft/ -run TestScripts -args -update-scripts
//
// and read the diff.
//
// A script is blocks of "> command" followed by its output, separated by
// blank lines; lines starting with "#" are comments. Commands:
//
//	cluster N [max-entries=K]  N bootstrapped peers, s1..sN (the first command);
//	                           at most K entries per AppendEntries
//	load ID TERM LOGTERMS      restart ID from storage holding term TERM and a
//	                           log of these terms, e.g. "load 2 3 1,1,2,2"
//	timeout ID                 tick ID until its election timer fires
//	tick ID [N]                N ticks (default 1)
//	campaign ID                start an election now
//	propose ID TEXT...         a client write at ID
//	read ID RID                a ReadIndex request named RID at ID
//	deliver [FILTER]           deliver the messages in flight now (responses
//	                           wait for the next deliver)
//	stabilize [FILTER]         deliver until nothing is in flight
//	drop [FILTER]              lose the messages in flight
//	crash ID, restart ID       lose everything not in storage; start again
//	status                     one line per peer
//
// FILTER is "to=ID", "from=ID", "type=RequestVote", or several of them:
// "to=2 to=3 type=AppendEntries" is AppendEntries to s2 or s3.
// Every input prints what changed: roles, terms, votes, leaders, logs,
// commits, entries applied and reads answered.

var updateScripts = flag.Bool("update-scripts", false, "rewrite the expected output of testdata/scripts")

func TestScripts(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "scripts", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) { runScript(t, file) })
	}
}

type scriptBlock struct {
	comments []string
	cmd      string
	want     string
}

func parseScript(t *testing.T, file string) []scriptBlock {
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var blocks []scriptBlock
	var cur *scriptBlock
	var comments []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "> "):
			blocks = append(blocks, scriptBlock{comments: comments, cmd: strings.TrimPrefix(line, "> ")})
			cur, comments = &blocks[len(blocks)-1], nil
		case line == "":
			cur = nil
		case cur != nil:
			cur.want += line + "\n"
		case strings.HasPrefix(line, "#"):
			comments = append(comments, line)
		default:
			t.Fatalf("%s: output with no command: %q", file, line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return blocks
}

func runScript(t *testing.T, file string) {
	blocks := parseScript(t, file)
	s := &scriptRun{t: t}
	var out strings.Builder
	for i, b := range blocks {
		got := s.run(b.cmd)
		if !*updateScripts && got != b.want {
			t.Fatalf("%s, command %d (> %s):\n--- got\n%s--- want\n%s", file, i+1, b.cmd, got, b.want)
		}
		for _, c := range b.comments {
			out.WriteString(c + "\n")
		}
		fmt.Fprintf(&out, "> %s\n%s\n", b.cmd, got)
	}
	if *updateScripts {
		if err := os.WriteFile(file, []byte(strings.TrimSuffix(out.String(), "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

type scriptRun struct {
	t   *testing.T
	c   *cluster
	out strings.Builder
}

func (s *scriptRun) printf(format string, args ...any) { fmt.Fprintf(&s.out, format, args...) }

func (s *scriptRun) id(arg string) ID {
	v, err := strconv.ParseUint(strings.TrimPrefix(arg, "s"), 10, 64)
	if err != nil || s.c.cfgs[ID(v)].ID == None {
		s.t.Fatalf("bad peer %q", arg)
	}
	return ID(v)
}

func (s *scriptRun) num(arg string) int {
	v, err := strconv.Atoi(arg)
	if err != nil {
		s.t.Fatalf("bad number %q", arg)
	}
	return v
}

func (s *scriptRun) filter(args []string) func(Message) bool {
	// Conditions on one key are alternatives; different keys must all hold.
	byKey := map[string][]func(Message) bool{}
	var keys []string
	for _, a := range args {
		k, v, _ := strings.Cut(a, "=")
		var f func(Message) bool
		switch k {
		case "to":
			f = to(s.id(v))
		case "from":
			f = from(s.id(v))
		case "type":
			f = func(m Message) bool { return m.Type.String() == v }
		default:
			s.t.Fatalf("bad filter %q", a)
		}
		if byKey[k] == nil {
			keys = append(keys, k)
		}
		byKey[k] = append(byKey[k], f)
	}
	return func(m Message) bool {
		for _, k := range keys {
			ok := false
			for _, f := range byKey[k] {
				ok = ok || f(m)
			}
			if !ok {
				return false
			}
		}
		return true
	}
}

func (s *scriptRun) run(line string) string {
	s.out.Reset()
	args := strings.Fields(line)
	if len(args) == 0 {
		s.t.Fatal("empty command")
	}
	verb, args := args[0], args[1:]
	arg := func(i int) string {
		if i >= len(args) {
			s.t.Fatalf("%s: missing argument %d", verb, i+1)
		}
		return args[i]
	}
	if verb == "cluster" {
		s.c = newCluster(s.t, s.num(arg(0)))
		if len(args) > 1 {
			k, v, _ := strings.Cut(args[1], "=")
			if k != "max-entries" {
				s.t.Fatalf("bad cluster option %q", args[1])
			}
			for _, id := range s.c.ids {
				cfg := s.c.cfgs[id]
				cfg.MaxEntriesPerAppend = s.num(v)
				s.c.cfgs[id] = cfg
				s.c.restart(id)
			}
		}
		s.printf("%s\n", strings.Join(s.statusLines(), "\n"))
		return s.out.String()
	}
	if s.c == nil {
		s.t.Fatal("the first command must be cluster")
	}
	switch verb {
	case "load":
		id, term := s.id(arg(0)), uint64(s.num(arg(1)))
		var ts []uint64
		for _, x := range strings.Split(arg(2), ",") {
			ts = append(ts, uint64(s.num(x)))
		}
		s.c.load(id, HardState{Term: term}, logOf(s.c.ids, ts...))
		s.printf("%s\n", s.statusLine(id))
	case "timeout":
		id := s.id(arg(0))
		s.observe(func() {
			n, term, k := s.c.node(id), s.c.node(id).term, 0
			for n.term == term {
				if k++; k > 1000 {
					s.t.Fatalf("%v does not time out", id)
				}
				n.Tick()
			}
			s.printf("%v: %d ticks without hearing from a leader\n", id, k)
		})
	case "tick":
		id, k := s.id(arg(0)), 1
		if len(args) > 1 {
			k = s.num(args[1])
		}
		s.observe(func() {
			for range k {
				s.c.node(id).Tick()
			}
		})
	case "campaign":
		id := s.id(arg(0))
		s.observe(func() { s.c.node(id).Campaign() })
	case "propose":
		id := s.id(arg(0))
		s.observe(func() {
			if err := s.c.node(id).Propose(cmd(strings.Join(args[1:], " "))); err != nil {
				s.printf("%v: %v\n", id, err)
			}
		})
	case "read":
		id, rid := s.id(arg(0)), uint64(s.num(arg(1)))
		s.observe(func() {
			if err := s.c.node(id).ReadIndex(rid); err != nil {
				s.printf("%v: %v\n", id, err)
			}
		})
	case "deliver", "stabilize":
		keep := s.filter(args)
		for round := 0; ; round++ {
			now := s.c.take(keep)
			rest := s.c.queue
			s.c.queue = nil
			for _, m := range now {
				if s.c.nodes[m.To] == nil {
					s.printf("%s (lost: %v is down)\n", fmtMsg(m), m.To)
					continue
				}
				s.printf("%s\n", fmtMsg(m))
				s.observe(func() { s.c.step(m) }, "  ")
			}
			s.c.queue = append(rest, s.c.queue...)
			if verb == "deliver" || len(now) == 0 {
				break
			}
		}
	case "drop":
		for _, m := range s.c.take(s.filter(args)) {
			s.printf("%s (dropped)\n", fmtMsg(m))
		}
	case "crash":
		id := s.id(arg(0))
		s.c.crash(id)
		s.printf("%v crashed\n", id)
	case "restart":
		id := s.id(arg(0))
		s.c.restart(id)
		s.printf("%s\n", s.statusLine(id))
	case "status":
		s.printf("%s\n", strings.Join(s.statusLines(), "\n"))
	default:
		s.t.Fatalf("unknown command %q", verb)
	}
	if s.out.Len() == 0 {
		s.printf("(nothing)\n")
	}
	return s.out.String()
}

// observe runs f, lets every node's Ready out, and prints what changed.
func (s *scriptRun) observe(f func(), indent ...string) {
	in := strings.Join(indent, "")
	before := map[ID]Status{}
	applied, reads, queued := map[ID]int{}, map[ID]int{}, len(s.c.queue)
	for _, id := range s.c.ids {
		if n := s.c.nodes[id]; n != nil {
			before[id] = n.Status()
			applied[id], reads[id] = len(s.c.applied[id]), len(s.c.reads[id])
		}
	}
	f()
	for _, id := range s.c.ids {
		s.c.flush(id)
	}
	for _, id := range s.c.ids {
		n := s.c.nodes[id]
		b, ok := before[id]
		if n == nil || !ok {
			continue
		}
		a := n.Status()
		var ch []string
		if a.Role != b.Role || a.Term != b.Term {
			ch = append(ch, fmt.Sprintf("%v in term %d", a.Role, a.Term))
		}
		if a.Vote != b.Vote && a.Vote != None && a.Vote != id {
			ch = append(ch, fmt.Sprintf("votes for %v", a.Vote))
		}
		if a.Leader != b.Leader && a.Leader != None && a.Role != Leader {
			ch = append(ch, fmt.Sprintf("follows %v", a.Leader))
		}
		if a.LastIndex != b.LastIndex || a.LastTerm != b.LastTerm {
			ch = append(ch, "log "+fmtLog(n.Entries(1, a.LastIndex)))
		}
		if a.Commit != b.Commit {
			ch = append(ch, fmt.Sprintf("commit %d", a.Commit))
		}
		if es := s.c.applied[id][applied[id]:]; len(es) > 3 {
			ch = append(ch, fmt.Sprintf("applies entries %d to %d", es[0].Index, es[len(es)-1].Index))
		} else {
			for _, e := range es {
				ch = append(ch, "applies "+fmtEntry(e))
			}
		}
		for _, r := range s.c.reads[id][reads[id]:] {
			ch = append(ch, fmt.Sprintf("read %d may answer at index %d", r.ID, r.Index))
		}
		if len(ch) > 0 {
			s.printf("%s%v: %s\n", in, id, strings.Join(ch, ", "))
		}
	}
	if k := len(s.c.queue) - queued; k > 0 && in == "" {
		s.printf("%d message%s in flight\n", k, map[bool]string{true: "s"}[k > 1])
	}
}

func (s *scriptRun) statusLines() []string {
	var out []string
	for _, id := range s.c.ids {
		out = append(out, s.statusLine(id))
	}
	return out
}

func (s *scriptRun) statusLine(id ID) string {
	n := s.c.nodes[id]
	if n == nil {
		return fmt.Sprintf("%v: down", id)
	}
	st := n.Status()
	line := fmt.Sprintf("%v: %-9v term %d", id, st.Role, st.Term)
	if st.Vote != None {
		line += fmt.Sprintf(", voted %v", st.Vote)
	}
	if st.Leader != None && st.Role != Leader {
		line += fmt.Sprintf(", follows %v", st.Leader)
	}
	line += fmt.Sprintf(", commit %d, log %s", st.Commit, fmtLog(n.Entries(1, st.LastIndex)))
	if len(st.Progress) > 0 {
		var ms []string
		for _, pr := range st.Progress {
			ms = append(ms, fmt.Sprintf("%v=%d", pr.ID, pr.MatchIndex))
		}
		line += ", match " + strings.Join(ms, " ")
	}
	return line
}

// fmtLog shows a log by terms, as the paper's figures do, marking the
// configuration (c) and noops (n).
func fmtLog(es []Entry) string {
	if len(es) == 0 {
		return "(empty)"
	}
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = strconv.FormatUint(e.Term, 10) + map[EntryType]string{EntryConfig: "c", EntryNoop: "n"}[e.Type]
	}
	return strings.Join(parts, " ")
}

func fmtEntry(e Entry) string {
	switch e.Type {
	case EntryCommand:
		return fmt.Sprintf("%d %q", e.Index, e.Data)
	case EntryConfig:
		ms, _ := DecodeMembers(e.Data)
		return fmt.Sprintf("%d config %v", e.Index, ms)
	}
	return fmt.Sprintf("%d %v", e.Index, e.Type)
}

func fmtMsg(m Message) string {
	head := fmt.Sprintf("%v->%v %v", m.From, m.To, m.Type)
	switch m.Type {
	case MsgVote:
		return fmt.Sprintf("%s term %d, last entry (%d, %d)", head, m.Term, m.LastLogIndex, m.LastLogTerm)
	case MsgVoteResp:
		return fmt.Sprintf("%s term %d, %s", head, m.Term, map[bool]string{true: "granted", false: "denied"}[m.VoteGranted])
	case MsgApp:
		es := "heartbeat"
		if len(m.Entries) > 0 {
			es = "entries " + fmtLog(m.Entries)
		}
		return fmt.Sprintf("%s term %d, prev (%d, %d), %s, commit %d", head, m.Term, m.PrevLogIndex, m.PrevLogTerm, es, m.LeaderCommit)
	case MsgAppResp:
		if m.Success {
			return fmt.Sprintf("%s term %d, ok, match %d", head, m.Term, m.MatchIndex)
		}
		if m.ConflictIndex == 0 {
			return fmt.Sprintf("%s term %d, refused (stale term)", head, m.Term)
		}
		return fmt.Sprintf("%s term %d, refused, conflict term %d from index %d", head, m.Term, m.ConflictTerm, m.ConflictIndex)
	case MsgProp:
		if len(m.Entries) == 1 {
			return fmt.Sprintf("%s %q", head, m.Entries[0].Data)
		}
		return head
	case MsgRead:
		return fmt.Sprintf("%s read %d", head, m.Round)
	case MsgReadResp:
		return fmt.Sprintf("%s read %d at index %d", head, m.Round, m.ReadIndex)
	}
	return head
}
