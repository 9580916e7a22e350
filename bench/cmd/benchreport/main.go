// Command benchreport runs the project's benchmarks, prints their tables and
// rewrites BENCHMARKS.md at the root of the repository, with the machine,
// the Go version, the date and the exact commands. `make bench` runs it.
//
// BENCHMARKS.md is made of one block per section, between
// "<!-- begin ID -->" and "<!-- end ID -->" lines. A run rewrites the
// blocks of the sections it ran (all, or those named by -only) and keeps
// the others as they were, so a section that needs a special setup (a
// browser, say) can be refreshed on its own.
//
// To add a section: write a file with a func(*runner) (string, error) that
// measures and returns the section's Markdown, and list it in sections
// below. gotest.go builds and runs Go benchmarks and parses their output,
// for any module, package, GOOS/GOARCH and exec wrapper.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// section is one part of BENCHMARKS.md.
type section struct {
	id    string // the block's marker and the name -only takes
	title string
	run   func(r *runner) (string, error) // the Markdown under the title
}

// sections, in the order BENCHMARKS.md shows them. Add yours here.
var sections = []section{
	{id: "core", title: "Core: our raft.Node against etcd raft v3.6.0, and our peer runtime", run: runCore},
	{id: "runtime", title: "Runtime: Peer.Write against hashicorp/raft v1.8.0", run: runRuntime},
	{id: "sim", title: "Simulator speed: a busy 5-peer run, natively and in WebAssembly", run: runSim},
	{id: "page", title: "The page: first load, time to interactive, frames", run: runPage},
	{id: "scale", title: "Scale: peers and log length", run: runScale},
	{id: "disk", title: "On disk: Peer.Write on raft/disk against hashicorp/raft on raft-boltdb, and raftlock over loopback", run: runDisk},
}

// runner carries what every section needs.
type runner struct {
	root     string // the repository
	benchDir string // its bench/ module
	tmp      string // scratch directory for test binaries
	rounds   int    // how many times each benchmark runs
	n        int    // proposals per run, for the core workload
	smoke    bool   // a tiny run, to check that everything still works
	machine  machine
}

func main() {
	var (
		out    = flag.String("out", "", "Markdown file to rewrite (default: BENCHMARKS.md at the repository root; - for none)")
		only   = flag.String("only", "", "comma-separated section ids to run (default: all)")
		rounds = flag.Int("rounds", 5, "runs of each benchmark; tables show medians")
		n      = flag.Int("n", 200_000, "proposals per run of the core workload")
		smoke  = flag.Bool("smoke", false, "tiny inputs, one round: check that the benchmarks still run (numbers meaningless)")
	)
	flag.Parse()
	if err := run(*out, *only, *rounds, *n, *smoke); err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
}

func run(out, only string, rounds, n int, smoke bool) error {
	root, err := gitOutput("", "rev-parse", "--show-toplevel")
	if err != nil {
		return fmt.Errorf("finding the repository: %w", err)
	}
	if smoke {
		rounds, n = 1, min(n, 1000)
	}
	if rounds < 1 || n < 1 {
		return errors.New("-rounds and -n must be positive")
	}
	tmp, err := os.MkdirTemp("", "benchreport")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	r := &runner{
		root: root, benchDir: filepath.Join(root, "bench"), tmp: tmp,
		rounds: rounds, n: n, smoke: smoke,
	}
	if r.machine, err = readMachine(root); err != nil {
		return err
	}
	fmt.Println(r.machine.markdown())

	want := map[string]bool{}
	for _, id := range strings.Split(only, ",") {
		if id = strings.TrimSpace(id); id != "" {
			want[id] = true
		}
	}
	all := len(want) == 0
	blocks := map[string]string{}
	for _, s := range sections {
		if !all && !want[s.id] {
			continue
		}
		delete(want, s.id) // what is left names no section
		fmt.Fprintf(os.Stderr, "== %s\n", s.id)
		body, err := s.run(r)
		if err != nil {
			return fmt.Errorf("section %s: %w", s.id, err)
		}
		block := "## " + s.title + "\n\n" + strings.TrimSpace(body) + "\n"
		fmt.Println(block)
		blocks[s.id] = block
	}
	for id := range want {
		return fmt.Errorf("-only: no section %q", id)
	}

	if out == "-" {
		return nil
	}
	if out == "" {
		out = filepath.Join(root, "BENCHMARKS.md")
	}
	old, err := os.ReadFile(out)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	doc := assemble(r.machine, parseBlocks(old), blocks)
	if err := os.WriteFile(out, []byte(doc), 0o644); err != nil {
		return err
	}
	fmt.Fprintln(os.Stderr, "wrote", out)
	return nil
}

var blockRE = regexp.MustCompile(`(?ms)^<!-- begin ([a-z0-9-]+) -->\n(.*?)^<!-- end ([a-z0-9-]+) -->\n`)

// parseBlocks returns the section blocks of an existing BENCHMARKS.md.
func parseBlocks(doc []byte) map[string]string {
	blocks := map[string]string{}
	for _, m := range blockRE.FindAllSubmatch(doc, -1) {
		if string(m[1]) == string(m[3]) {
			blocks[string(m[1])] = string(m[2])
		}
	}
	return blocks
}

// assemble writes the document: the header, then every known section's
// block, new or kept, in the order of sections.
func assemble(m machine, old, fresh map[string]string) string {
	var b bytes.Buffer
	b.WriteString("# Benchmarks\n\n")
	b.WriteString("<!-- Written by `make bench` (bench/cmd/benchreport): change the generator, not this file. -->\n\n")
	b.WriteString("`make bench` measures everything below and rewrites this file; `make test` runs every\n")
	b.WriteString("benchmark once on a tiny input (`make bench-smoke`) so none can rot. Each section says\n")
	b.WriteString("when and how it was measured; budgets are in the design's \"Budgets\" section.\n\n")
	b.WriteString("Last run on this machine:\n\n")
	b.WriteString(m.markdown())
	b.WriteString("\n")
	for _, s := range sections {
		block, ok := fresh[s.id]
		if !ok {
			block, ok = old[s.id]
		}
		if !ok {
			continue
		}
		fmt.Fprintf(&b, "<!-- begin %s -->\n%s<!-- end %s -->\n\n", s.id, block, s.id)
	}
	return strings.TrimRight(b.String(), "\n") + "\n"
}

// machine describes where the numbers were measured.
type machine struct {
	cpu    string
	cores  int
	goVer  string
	date   time.Time
	commit string
}

func readMachine(root string) (machine, error) {
	m := machine{date: time.Now().UTC(), cpu: "unknown"}
	if info, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(info), "\n") {
			k, v, ok := strings.Cut(line, ":")
			k = strings.TrimSpace(k)
			if ok && k == "model name" && m.cpu == "unknown" {
				m.cpu = strings.TrimSpace(v)
			}
			if ok && k == "processor" {
				m.cores++
			}
		}
	}
	v, err := commandOutput("", "go", "version")
	if err != nil {
		return m, err
	}
	m.goVer = strings.TrimPrefix(v, "go version ")
	m.commit = describeCommit(root)
	return m, nil
}

func (m machine) markdown() string {
	return fmt.Sprintf("- CPU: %s, %d cores\n- Go: %s\n- Date: %s\n- Commit: %s\n",
		m.cpu, m.cores, m.goVer, m.date.Format("2006-01-02 15:04 MST"), m.commit)
}

// describeCommit names the commit measured, and says so if the work tree
// had changes to what was measured: the given paths (git pathspecs; none
// means the whole tree), test files aside.
func describeCommit(root string, paths ...string) string {
	c, err := gitOutput(root, "rev-parse", "--short", "HEAD")
	if err != nil {
		return "unknown"
	}
	args := append([]string{"status", "--porcelain", "--untracked-files=no", "--", ":!*_test.go"}, paths...)
	if st, err := gitOutput(root, args...); err == nil && st != "" {
		c += " (with uncommitted changes)"
	}
	return c
}

// measured is a section's first sentences: when, at which commit (and
// whether the paths measured had changes), and how busy the machine was.
func measured(r *runner, start time.Time, load0, load1 string, paths ...string) string {
	return fmt.Sprintf("Measured %s, commit %s. Load average %s at the start, %s at the end (%d cores: above %d, other work competed for them). ",
		start.UTC().Format("2006-01-02 15:04 MST"), describeCommit(r.root, paths...), load0, load1, r.machine.cores, r.machine.cores)
}

// loadAverage returns the 1-minute load average, or "?".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	if f := strings.Fields(string(b)); len(f) > 0 {
		return f[0]
	}
	return "?"
}
