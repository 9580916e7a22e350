package sitebuild

import (
	"maps"
	"os"
	"path"
	"regexp"
	"slices"
	"testing"
)

var (
	// staticImport matches `import ... from "x"`, `import "x"` and
	// `export ... from "x"` at the start of a line.
	staticImport = regexp.MustCompile(`(?m)^(?:import|export)\s+(?:[^"';]*?\sfrom\s*)?["']([^"']+)["']`)
	// dynamicImport matches import("x").
	dynamicImport = regexp.MustCompile(`\bimport\(\s*["']([^"']+)["']`)
	modulePreload = regexp.MustCompile(`<link rel="modulepreload" href="([^"]+)"`)
)

// TestIndexPreloadsItsModules: the real page preloads every module its
// start needs (main.js, what main.js imports, statically or with import(),
// and what those import statically), so none is fetched only once the one
// importing it has arrived, a round trip late, holding up the start.
func TestIndexPreloadsItsModules(t *testing.T) {
	const web = "../../web"
	index, err := os.ReadFile(path.Join(web, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	var preloaded []string
	for _, m := range modulePreload.FindAllSubmatch(index, -1) {
		preloaded = append(preloaded, string(m[1]))
	}
	needed := map[string]bool{}
	var visit func(name string, followDynamic bool)
	visit = func(name string, followDynamic bool) {
		if needed[name] {
			return
		}
		needed[name] = true
		src, err := os.ReadFile(path.Join(web, name))
		if err != nil {
			t.Fatal(err)
		}
		matches := staticImport.FindAllSubmatch(src, -1)
		if followDynamic {
			matches = append(matches, dynamicImport.FindAllSubmatch(src, -1)...)
		}
		for _, m := range matches {
			visit(path.Join(path.Dir(name), string(m[1])), false)
		}
	}
	visit("main.js", true)
	if len(needed) < 10 {
		t.Fatalf("found only %d modules from main.js: the import patterns no longer match the code", len(needed))
	}
	for _, name := range slices.Sorted(maps.Keys(needed)) {
		if name != "main.js" && !slices.Contains(preloaded, name) {
			t.Errorf("web/index.html does not preload %s, which the page's start imports", name)
		}
	}
}
