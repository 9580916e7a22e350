package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// goBench is a Go benchmark binary: built once by `go test -c` in the
// package's directory (as bin, which .gitignore's *.test covers), run as
// many rounds as asked, removed by clean.
type goBench struct {
	dir  string   // the package's directory
	bin  string   // the binary's name, e.g. "core.test"
	env  []string // extra environment for the build, e.g. GOOS=js GOARCH=wasm
	exec []string // a wrapper to run the binary with (go_js_wasm_exec), or none
}

// build compiles the test binary and returns the command, as a reader would
// type it from the repository's root.
func (g *goBench) build(r *runner) (string, error) {
	args := []string{"test", "-c", "-o", g.bin, "."}
	cmd := exec.Command("go", args...)
	cmd.Dir = g.dir
	cmd.Env = append(os.Environ(), g.env...)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go %s: %w", strings.Join(args, " "), err)
	}
	return shellLine(r, g.dir, g.env, append([]string{"go"}, args...)), nil
}

// clean removes the binary.
func (g *goBench) clean() { os.Remove(filepath.Join(g.dir, g.bin)) }

// run runs the benchmarks matching pattern once (every sub-benchmark once,
// in order) and returns their results. The binary runs in the package's
// directory, as `go test` would.
func (g *goBench) run(pattern string, args ...string) ([]result, error) {
	argv := append(slices.Clone(g.exec), "./"+g.bin, "-test.run=^$", "-test.bench="+pattern, "-test.benchmem")
	argv = append(argv, args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = g.dir
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s: %w\n%s", strings.Join(argv, " "), err, out.String())
	}
	rs := parseBench(out.String())
	if len(rs) == 0 {
		return nil, fmt.Errorf("%s: no benchmark ran\n%s", strings.Join(argv, " "), out.String())
	}
	return rs, nil
}

// runLine is the command run renders, as a reader would type it from the
// repository's root.
func (g *goBench) runLine(r *runner, pattern string, args ...string) string {
	argv := append(slices.Clone(g.exec), "./"+g.bin, "-test.run='^$'", "-test.bench='"+pattern+"'", "-test.benchmem")
	return shellLine(r, g.dir, nil, append(argv, args...))
}

// shellLine renders a command as a reader would type it from the root.
func shellLine(r *runner, dir string, env, argv []string) string {
	var b strings.Builder
	if rel, err := filepath.Rel(r.root, dir); err == nil && rel != "." {
		b.WriteString("cd " + rel + " && ")
	}
	for _, e := range env {
		b.WriteString(e + " ")
	}
	b.WriteString(strings.Join(argv, " "))
	return b.String()
}

// result is one line of `go test -bench` output.
type result struct {
	name    string             // without the -GOMAXPROCS suffix
	metrics map[string]float64 // by unit: ns/op, B/op, allocs/op, custom ones
}

var procsSuffix = regexp.MustCompile(`-\d+$`)

func parseBench(out string) []result {
	var rs []result
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		if _, err := strconv.Atoi(f[1]); err != nil {
			continue
		}
		r := result{name: procsSuffix.ReplaceAllString(f[0], ""), metrics: map[string]float64{}}
		for i := 2; i+1 < len(f); i += 2 {
			if v, err := strconv.ParseFloat(f[i], 64); err == nil {
				r.metrics[f[i+1]] = v
			}
		}
		rs = append(rs, r)
	}
	return rs
}

// samples gathers, over rounds, every value of every metric by benchmark.
type samples map[string]map[string][]float64

func (s samples) add(rs []result) {
	for _, r := range rs {
		if s[r.name] == nil {
			s[r.name] = map[string][]float64{}
		}
		for u, v := range r.metrics {
			s[r.name][u] = append(s[r.name][u], v)
		}
	}
}

// median returns the median of a benchmark's metric, and whether there is
// one.
func (s samples) median(name, unit string) (float64, bool) {
	vs := s[name][unit]
	if len(vs) == 0 {
		return 0, false
	}
	return median(vs), true
}

func median(vs []float64) float64 {
	vs = slices.Clone(vs)
	sort.Float64s(vs)
	if len(vs)%2 == 1 {
		return vs[len(vs)/2]
	}
	return (vs[len(vs)/2-1] + vs[len(vs)/2]) / 2
}

// roundResults holds each round's results, by benchmark and metric, for
// ratios taken within a round (both sides measured under the same load).
type roundResults []map[string]map[string]float64

// next starts a round.
func (rr *roundResults) next() { *rr = append(*rr, map[string]map[string]float64{}) }

// add records results in the current round.
func (rr roundResults) add(rs []result) {
	for _, res := range rs {
		rr[len(rr)-1][res.name] = res.metrics
	}
}

// pairedRatio is the median over rounds of a/b for one metric, each
// round's a and b coming from the same run, in bold, with its range.
func (rr roundResults) pairedRatio(a, b, unit string) string {
	var vs []float64
	for _, round := range rr {
		if x, y := round[a][unit], round[b][unit]; x > 0 && y > 0 {
			vs = append(vs, x/y)
		}
	}
	if len(vs) == 0 {
		return "–"
	}
	lo, hi := vs[0], vs[0]
	for _, v := range vs {
		lo, hi = min(lo, v), max(hi, v)
	}
	if len(vs) == 1 {
		return fmt.Sprintf("**%.2f**", vs[0])
	}
	return fmt.Sprintf("**%.2f** (%.2f–%.2f)", median(vs), lo, hi)
}

// commandOutput runs a command and returns its trimmed output.
func commandOutput(dir, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	return strings.TrimSpace(string(out)), err
}

func gitOutput(dir string, args ...string) (string, error) {
	return commandOutput(dir, "git", args...)
}
