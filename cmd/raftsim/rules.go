package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"
	"strings"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/raftplay/raftplay/raft"
	"github.com/raftplay/raftplay/raft/sim"
	"github.com/raftplay/raftplay/raft/sim/lincheck"
	"github.com/raftplay/raftplay/raft/sim/search"
)

// Rules broken on purpose: -rules lists them, -break RULE runs the rule's
// campaign (raft/sim/search's plan: the shape that makes the situation the
// rule guards against frequent), one seed or a search of -seeds seeds.

// listRules prints the rules, one a line, the name first.
func listRules(w io.Writer) {
	for _, p := range search.Plans() {
		var protects []string
		for _, pr := range p.Protects {
			protects = append(protects, pr.String())
		}
		fmt.Fprintf(w, "%-20s %s; protects %s\n", p.Rule, p.Rule.Summary(), strings.Join(protects, " and "))
	}
}

// parseRules reads -break's comma-separated rule names.
func parseRules(s string) (raft.Rules, []raft.Rule, error) {
	var rules []raft.Rule
	for _, name := range strings.Split(s, ",") {
		r, ok := raft.ParseRule(strings.TrimSpace(name))
		if !ok {
			var known []string
			for _, r := range raft.AllRules() {
				known = append(known, r.String())
			}
			return raft.Rules{}, nil, fmt.Errorf("break: unknown rule %q (raftsim -rules lists them: %s)", name, strings.Join(known, ", "))
		}
		rules = append(rules, r)
	}
	return raft.Break(rules...), rules, nil
}

// campaignFlags copies, for each campaign flag, its option from src to
// dst: -break starts from its rule's campaign and keeps what the command
// line set.
var campaignFlags = map[string]func(dst, src *sim.CampaignOptions){
	"peers":          func(d, s *sim.CampaignOptions) { d.Peers = s.Peers },
	"clients":        func(d, s *sim.CampaignOptions) { d.Clients = s.Clients },
	"fault-ms":       func(d, s *sim.CampaignOptions) { d.FaultMs = s.FaultMs },
	"settle-ms":      func(d, s *sim.CampaignOptions) { d.SettleMs = s.SettleMs },
	"loss":           func(d, s *sim.CampaignOptions) { d.MaxLoss = s.MaxLoss },
	"dup":            func(d, s *sim.CampaignOptions) { d.Duplicate = s.Duplicate },
	"reorder":        func(d, s *sim.CampaignOptions) { d.Reorder = s.Reorder },
	"crashes":        func(d, s *sim.CampaignOptions) { d.Crashes = s.Crashes },
	"partitions":     func(d, s *sim.CampaignOptions) { d.Partitions = s.Partitions },
	"snapshot-every": func(d, s *sim.CampaignOptions) { d.SnapshotEvery = s.SnapshotEvery },
	"fault-every-ms": func(d, s *sim.CampaignOptions) { d.FaultEveryMs = s.FaultEveryMs },
	"bounce":         func(d, s *sim.CampaignOptions) { d.Bounce = s.Bounce },
	"max-entries":    func(d, s *sim.CampaignOptions) { d.MaxEntriesPerAppend = s.MaxEntriesPerAppend },
}

// breakCampaign is the campaign of -break: the plan of its first rule,
// with the rules broken and the options the command line set.
func breakCampaign(fs *flag.FlagSet, set sim.CampaignOptions, broken raft.Rules, first raft.Rule) sim.CampaignOptions {
	p, _ := search.PlanFor(first)
	o := p.Campaign
	fs.Visit(func(f *flag.Flag) {
		if copyOpt := campaignFlags[f.Name]; copyOpt != nil {
			copyOpt(&o, &set)
		}
	})
	o.Broken, o.Goroutines = broken, set.Goroutines
	return o
}

// hunt searches n seeds from first and prints the first violation found.
func hunt(stdout, stderr io.Writer, o sim.CampaignOptions, first uint64, n int, linTimeout time.Duration, ln linker) int {
	start := time.Now()
	fmt.Fprintf(stdout, "breaking %s: %s\n", o.Broken, summaries(o.Broken))
	fmt.Fprintf(stdout, "searching seeds %d to %d of: %s\n", first, first+uint64(n)-1, o.Command(first))
	f, err := search.Run(o, first, n, search.Options{Parallel: runtime.GOMAXPROCS(0), LinTimeout: linTimeout})
	if err != nil {
		fmt.Fprintln(stderr, "raftsim:", err)
		return 2
	}
	if f == nil {
		fmt.Fprintf(stdout, "no violation in %d seeds (%.1f s): try more seeds\n", n, time.Since(start).Seconds())
		return 0
	}
	fmt.Fprintf(stdout, "seed %d breaks a property (found in %.1f s):\n", f.Seed, time.Since(start).Seconds())
	explain(stdout, &f.Violation)
	fmt.Fprintf(stdout, "  reproduce with: %s\n", f.Command())
	ln.print(stdout, f.Definition, f.Violation.Time)
	return 1
}

func summaries(rs raft.Rules) string {
	var out []string
	for _, r := range rs.List() {
		out = append(out, r.Summary())
	}
	return strings.Join(out, "; ")
}

// explain prints a violation: the property, the paper's words, what
// happened, when, and what it involves.
func explain(w io.Writer, v *sim.Event) {
	d := v.Violation
	if d == nil {
		fmt.Fprintf(w, "  at %.3f s on %v: %s\n", float64(v.Time)/1000, v.Peer, v.Reason)
		return
	}
	fmt.Fprintf(w, "  %s failed at %.3f s (event %d): %s\n", d.Property, float64(v.Time)/1000, d.Cause, v.Reason)
	fmt.Fprintf(w, "  %s (%s): %q\n", d.Property, d.Property.Source(), d.Property.Definition())
	var parts []string
	if len(d.Peers) > 0 {
		var ps []string
		for _, p := range d.Peers {
			ps = append(ps, p.String())
		}
		parts = append(parts, "servers "+strings.Join(ps, " "))
	}
	if len(d.Entries) > 0 {
		var es []string
		for _, e := range d.Entries {
			es = append(es, fmt.Sprintf("%d (term %d)", e.Index, e.Term))
		}
		parts = append(parts, "entries "+strings.Join(es, ", "))
	}
	ids := func(what string, vs []uint64) {
		if len(vs) > 0 {
			var s []string
			for _, v := range vs {
				s = append(s, fmt.Sprintf("#%d", v))
			}
			parts = append(parts, what+" "+strings.Join(s, " "))
		}
	}
	ids("messages", d.Msgs)
	ids("requests", d.Reqs)
	if len(parts) > 0 {
		fmt.Fprintf(w, "  involved: %s\n", strings.Join(parts, "; "))
	}
}

// linker prints playground links (-link), or nothing.
type linker struct {
	on   bool
	base string
}

func (l linker) print(w io.Writer, def sim.Definition, t int64) {
	if !l.on {
		return
	}
	link, err := shareLink(l.base, def, t)
	fmt.Fprintf(w, "  open in the playground: %s\n", link)
	if err != nil {
		fmt.Fprintf(w, "  (the playground will refuse it: %v)\n", err)
	}
}

// printRun prints the link to a finished run: at its first violation,
// or at its end.
func (l linker) printRun(w io.Writer, s *sim.Sim) {
	t := s.Now()
	if vs := s.Violations(); len(vs) > 0 {
		t = vs[0].Time
	} else if r, v := lincheck.FirstViolation(s.History(), lincheck.Budget(s.History())); l.on && r == porcupine.Illegal {
		t = v.Time
	}
	def := s.Definition()
	if l.on {
		fmt.Fprintln(w, "playground:")
	}
	l.print(w, def, t)
}

// validBase checks -base.
func validBase(base string) error {
	if !strings.HasPrefix(base, "http://") && !strings.HasPrefix(base, "https://") {
		return errors.New("base must be the playground's http:// or https:// address, got " + base)
	}
	return nil
}
