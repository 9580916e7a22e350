package sitebuild

import (
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"path"
	"slices"

	"github.com/raftplay/raftplay/server"
)

// hashed reports whether a file gets a content-hashed name: the scripts,
// stylesheets and the wasm, which the page fetches on every visit and which
// can then be cached for good. Pages keep their names, so links to them
// last; images keep theirs and are revalidated.
func hashed(name string) bool {
	switch path.Ext(name) {
	case ".js", ".mjs", ".css", ".wasm":
		return true
	}
	return false
}

// assignNames returns the final name of every file. A hashed file's name
// must cover the names of the files it references (else a new version of
// a leaf module would leave its importer's name, and cached copy, stale),
// so files are named leaf first, in the order of the strongly connected
// components of the reference graph. A file's hash is that of its final
// bytes. Modules that import each other in a cycle cannot each hash the
// others' final names, so they share one digest of the whole cycle (each
// member's path and its content with the references leaving the cycle
// rewritten); any change to a member renames them all.
func assignNames(files map[string][]byte, refs map[string][]ref) map[string]string {
	names := map[string]string{}
	graph := map[string][]string{}
	for name := range files {
		if !hashed(name) {
			names[name] = name
			continue
		}
		graph[name] = nil
		for _, r := range refs[name] {
			if hashed(r.target) {
				graph[name] = append(graph[name], r.target)
			}
		}
	}
	for _, comp := range components(graph) {
		if len(comp) == 1 && !slices.Contains(graph[comp[0]], comp[0]) {
			name := comp[0]
			names[name] = server.HashedName(name, digest(rewrite(files[name], refs[name], names)))
			continue
		}
		h := sha256.New()
		for _, name := range comp {
			h.Write([]byte(name + "\x00"))
			h.Write(rewrite(files[name], refs[name], names)) // members not named yet stay as written
			h.Write([]byte("\x00"))
		}
		group := h.Sum(nil)
		for _, name := range comp {
			names[name] = server.HashedName(name, digest(append(slices.Clip(group), name...)))
		}
	}
	return names
}

func digest(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])[:server.HashLen]
}

// components returns the strongly connected components of graph, each
// sorted, in an order where every component comes after all components it
// has edges to (Tarjan's algorithm emits them that way). Nodes are visited
// in sorted order so the result is the same on every run.
func components(graph map[string][]string) [][]string {
	var (
		index   = map[string]int{}
		low     = map[string]int{}
		onStack = map[string]bool{}
		stack   []string
		out     [][]string
	)
	var visit func(v string)
	visit = func(v string) {
		index[v], low[v] = len(index), len(index)
		stack = append(stack, v)
		onStack[v] = true
		for _, w := range slices.Sorted(slices.Values(graph[v])) {
			if _, seen := index[w]; !seen {
				visit(w)
				low[v] = min(low[v], low[w])
			} else if onStack[w] {
				low[v] = min(low[v], index[w])
			}
		}
		if low[v] != index[v] {
			return
		}
		var comp []string
		for {
			w := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			onStack[w] = false
			comp = append(comp, w)
			if w == v {
				break
			}
		}
		slices.Sort(comp)
		out = append(out, comp)
	}
	for _, v := range slices.Sorted(maps.Keys(graph)) {
		if _, seen := index[v]; !seen {
			visit(v)
		}
	}
	return out
}
