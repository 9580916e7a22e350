package api

import (
	"strings"
	"testing"
)

func TestReadPage(t *testing.T) {
	for _, c := range []struct {
		attrs    map[string]string
		want     string // CreateArgs
		warnings []string
	}{
		{nil, `{"scenario":"election","seed":1}`, nil},
		{map[string]string{"peers": "7", "seed": "42"}, `{"scenario":"election","seed":42,"peers":7}`, nil},
		{map[string]string{"scenario": "talk"}, `{"scenario":"talk","seed":1}`, nil},
		{map[string]string{"peers": "12", "seed": "x"}, `{"scenario":"election","seed":1}`, []string{`data-peers="12" ignored`, `data-seed="x" ignored`}},
		{map[string]string{"scenario": "talk", "peers": "5"}, `{"scenario":"talk","seed":1}`, []string{"data-peers ignored"}},
		{map[string]string{"scenario": "disruptive", "prevote": "1", "checkquorum": "0"}, `{"scenario":"disruptive","seed":1,"preVote":true}`, nil},
		{map[string]string{"prevote": "yes"}, `{"scenario":"election","seed":1}`, []string{`data-prevote="yes" ignored: give 1 or 0`}},
		{map[string]string{"scenario": "<b>"}, `{"scenario":"election","seed":1}`, []string{`data-scenario="<b>" ignored: known scenarios are election, disruptive, figure8, partition, talk`}},
	} {
		p := ReadPage(func(name string) (string, bool) { v, ok := c.attrs[name]; return v, ok })
		if got := string(p.CreateArgs()); got != c.want {
			t.Errorf("%v: create options %s, want %s", c.attrs, got, c.want)
		}
		if len(p.Warnings) != len(c.warnings) {
			t.Errorf("%v: warnings %q, want %q", c.attrs, p.Warnings, c.warnings)
			continue
		}
		for i, w := range c.warnings {
			if !strings.Contains(p.Warnings[i], w) {
				t.Errorf("%v: warning %q does not say %q", c.attrs, p.Warnings[i], w)
			}
		}
	}
	ready := ReadPage(func(string) (string, bool) { return "</script>", true })
	if j := string(ready.ReadyJSON([]byte(`{"run":1}`))); strings.Contains(j, "<") {
		t.Errorf("ready detail is not safe in HTML: %s", j)
	}
}
