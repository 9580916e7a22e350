package sitebuild

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/andybalholm/brotli"
	"github.com/raftplay/raftplay/server"
)

// A front-end with every kind of reference the build follows: HTML
// attributes, a module tree two levels deep, an import cycle, CSS @import
// and url(), and an asset URL made from import.meta.url.
func testWeb() fstest.MapFS {
	f := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	return fstest.MapFS{
		"index.html": f(`<!doctype html>
<html lang="en">
<head>
  <link rel="stylesheet" href="style.css">
  <script src="wasm_exec.js"></script>
  <script type="module" src="./main.js"></script>
  <!-- <script src="old.js"></script> -->
</head>
<body><div id="playground" data-wasm="raftplay.wasm" data-peers="3"><img src="img/logo.png" alt=""><a href="#top">top</a> <a href="https://raft.github.io/">Raft</a></div></body>
</html>
`),
		"main.js": f(`import { view } from "./render/view.js";
import "./cycle/a.js";
// import { old } from "./gone.js";
const label = "import"; console.log(label, "x");
const icon = new URL("img/logo.png", import.meta.url);
export { view, icon };
`),
		"render/view.js": f(`import { clamp } from "../util.js";
export const view = () => import("./lazy.js").then((m) => m.draw(clamp(1)));
`),
		"render/lazy.js": f(`export function draw() {}`),
		"util.js":        f(`export const clamp = (x) => x;`),
		"cycle/a.js":     f(`import { b } from './b.js';` + "\nexport const a = () => b;\n"),
		"cycle/b.js":     f(`import { a } from "./a.js";` + "\nexport const b = () => a;\n"),
		"style.css":      f(`@import "base.css"; /* url(gone.png) */ .logo { background: url(img/logo.png) } .x { mask: url("#m") }`),
		"base.css":       f(`body { margin: 0 }`),
		"img/logo.png":   f("\x89PNG not really"),
		// Not part of the site:
		"README.md":           f("notes"),
		"main.test.js":        f("import './nowhere.js';"),
		".eslintrc.json":      f("{}"),
		"node_modules/x/x.js": f("x"),
	}
}

var testWasm = []byte("\x00asm\x01\x00\x00\x00" + strings.Repeat("wasm body ", 200))

const testWasmExec = "// wasm_exec.js\nglobalThis.Go = class {};\n"

// build runs Build into a temp dir and returns the site as a map.
func build(t *testing.T, web fs.FS) (map[string][]byte, string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "site")
	if _, err := Build(Options{Web: web, Wasm: testWasm, WasmExec: []byte(testWasmExec), Out: out}); err != nil {
		t.Fatal(err)
	}
	return readTree(t, out), out
}

func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := fs.WalkDir(os.DirFS(dir), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files[p], err = os.ReadFile(filepath.Join(dir, p))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// named returns the built name of a source file, failing if there is not
// exactly one.
func named(t *testing.T, site map[string][]byte, source string) string {
	t.Helper()
	var found []string
	ext := path.Ext(source)
	stem := strings.TrimSuffix(source, ext)
	for name := range site {
		if name == source || (strings.HasPrefix(name, stem+".") && strings.HasSuffix(name, ext) && server.IsHashed(name)) {
			found = append(found, name)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%s built as %v", source, found)
	}
	return found[0]
}

func TestBuildNamesAndRewrites(t *testing.T) {
	site, _ := build(t, testWeb())

	for _, src := range []string{"main.js", "render/view.js", "render/lazy.js", "util.js", "cycle/a.js", "cycle/b.js", "style.css", "base.css", WasmName, WasmExecName} {
		if name := named(t, site, src); !server.IsHashed(name) {
			t.Errorf("%s kept its name; scripts, styles and the wasm get hashed names", src)
		}
	}
	for _, keep := range []string{"index.html", "embed.html", "404.html", "img/logo.png"} {
		if _, ok := site[keep]; !ok {
			t.Errorf("%s is missing or renamed", keep)
		}
	}
	for _, skip := range []string{"README.md", "main.test.js", ".eslintrc.json", "node_modules/x/x.js"} {
		if _, ok := site[skip]; ok {
			t.Errorf("%s was published", skip)
		}
	}

	index := string(site["index.html"])
	for _, want := range []string{
		`href="` + named(t, site, "style.css") + `"`,
		`src="` + named(t, site, WasmExecName) + `"`,
		`src="./` + named(t, site, "main.js") + `"`,
		`data-wasm="` + named(t, site, WasmName) + `"`,
		`data-peers="3"`, `src="img/logo.png"`, `href="#top"`, `<!-- <script src="old.js"></script> -->`,
	} {
		if !strings.Contains(index, want) {
			t.Errorf("index.html lacks %s:\n%s", want, index)
		}
	}

	main := string(site[named(t, site, "main.js")])
	view := string(site[named(t, site, "render/view.js")])
	a := string(site[named(t, site, "cycle/a.js")])
	b := string(site[named(t, site, "cycle/b.js")])
	css := string(site[named(t, site, "style.css")])
	for file, wants := range map[string][]string{
		main: {`from "./` + named(t, site, "render/view.js") + `"`, `import "./` + named(t, site, "cycle/a.js") + `"`,
			`new URL("img/logo.png", import.meta.url)`, `// import { old } from "./gone.js";`},
		view: {`from "../` + path.Base(named(t, site, "util.js")) + `"`, `import("./` + path.Base(named(t, site, "render/lazy.js")) + `")`},
		a:    {`from './` + path.Base(named(t, site, "cycle/b.js")) + `'`},
		b:    {`from "./` + path.Base(named(t, site, "cycle/a.js")) + `"`},
		css:  {`@import "` + named(t, site, "base.css") + `"`, `url(img/logo.png)`, `url("#m")`},
	} {
		for _, want := range wants {
			if !strings.Contains(file, want) {
				t.Errorf("missing %s in:\n%s", want, file)
			}
		}
	}
}

// A module that is not in a cycle is named after the hash of its final
// bytes, so anyone can check a name against its content.
func TestHashIsOfTheFinalBytes(t *testing.T) {
	site, _ := build(t, testWeb())
	for _, src := range []string{"main.js", "render/view.js", "util.js", "style.css", WasmName} {
		name := named(t, site, src)
		sum := sha256.Sum256(site[name])
		if want := server.HashedName(src, hex.EncodeToString(sum[:])[:server.HashLen]); name != want {
			t.Errorf("%s is named %s, want %s", src, name, want)
		}
	}
}

// Changing a leaf renames it and everything that imports it, directly or
// not, and nothing else.
func TestLeafChangeRenamesItsImporters(t *testing.T) {
	before, _ := build(t, testWeb())
	web := testWeb()
	web["util.js"] = &fstest.MapFile{Data: []byte(`export const clamp = (x) => Math.max(0, x);`)}
	after, _ := build(t, web)

	changed := map[string]bool{"util.js": true, "render/view.js": true, "main.js": true}
	for _, src := range []string{"main.js", "render/view.js", "render/lazy.js", "util.js", "cycle/a.js", "style.css", WasmExecName, WasmName} {
		renamed := named(t, before, src) != named(t, after, src)
		if renamed != changed[src] {
			t.Errorf("%s renamed = %v, want %v", src, renamed, changed[src])
		}
	}
	if bytes.Equal(before["index.html"], after["index.html"]) {
		t.Error("index.html still points at the old main.js")
	}
}

// Modules in a cycle share one digest: changing either renames both.
func TestCycleRenamesTogether(t *testing.T) {
	before, _ := build(t, testWeb())
	web := testWeb()
	web["cycle/b.js"] = &fstest.MapFile{Data: []byte(`import { a } from "./a.js";` + "\nexport const b = () => a() + 1;\n")}
	after, _ := build(t, web)
	for _, src := range []string{"cycle/a.js", "cycle/b.js", "main.js"} {
		if named(t, before, src) == named(t, after, src) {
			t.Errorf("%s kept its name after a change inside its cycle", src)
		}
	}
	if named(t, before, "render/view.js") != named(t, after, "render/view.js") {
		t.Error("render/view.js was renamed by a change it does not import")
	}
}

func TestBuildIsDeterministic(t *testing.T) {
	first, _ := build(t, testWeb())
	second, _ := build(t, testWeb())
	if len(first) != len(second) {
		t.Fatalf("%d files, then %d", len(first), len(second))
	}
	for name, b := range first {
		if !bytes.Equal(b, second[name]) {
			t.Errorf("%s differs between two builds of the same input", name)
		}
	}
}

func TestVariantsDecodeToTheFile(t *testing.T) {
	site, _ := build(t, testWeb())
	variants := 0
	for name, b := range site {
		var r io.Reader
		switch path.Ext(name) {
		case ".br":
			r = brotli.NewReader(bytes.NewReader(b))
		case ".gz":
			zr, err := gzip.NewReader(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			r = zr
		default:
			continue
		}
		variants++
		got, err := io.ReadAll(r)
		orig := strings.TrimSuffix(strings.TrimSuffix(name, ".br"), ".gz")
		if err != nil || !bytes.Equal(got, site[orig]) {
			t.Errorf("%s does not decode to %s (err %v)", name, orig, err)
		}
		if len(b) >= len(site[orig]) {
			t.Errorf("%s is no smaller than %s", name, orig)
		}
	}
	wasm := named(t, site, WasmName)
	for _, v := range []string{wasm + ".br", wasm + ".gz", "index.html.br"} {
		if _, ok := site[v]; !ok {
			t.Errorf("no %s", v)
		}
	}
	if _, ok := site["img/logo.png.br"]; ok {
		t.Error("compressed a png")
	}
	if variants == 0 {
		t.Fatal("no variants at all")
	}
}

func TestGeneratedPages(t *testing.T) {
	site, _ := build(t, testWeb())
	if string(site["404.html"]) != server.NotFoundPage {
		t.Error("404.html is not the server's 404 page")
	}
	embed := string(site["embed.html"])
	if !strings.Contains(embed, `<html data-embed lang="en">`) {
		t.Errorf("embed.html is not marked:\n%s", embed)
	}
	if strings.Replace(embed, " data-embed", "", 1) != string(site["index.html"]) {
		t.Error("embed.html differs from index.html by more than the marker")
	}

	web := testWeb()
	web["embed.html"] = &fstest.MapFile{Data: []byte(`<!doctype html><html><body>own</body></html>`)}
	site, _ = build(t, web)
	if !strings.Contains(string(site["embed.html"]), "own") {
		t.Error("the front-end's own embed.html was replaced")
	}
}

func TestWorkersAssets(t *testing.T) {
	dir := t.TempDir()
	out, workers := filepath.Join(dir, "site"), filepath.Join(dir, "workers")
	if _, err := Build(Options{Web: testWeb(), Wasm: testWasm, WasmExec: []byte(testWasmExec), Out: out, WorkersOut: workers}); err != nil {
		t.Fatal(err)
	}
	site, assets := readTree(t, out), readTree(t, workers)
	for name, b := range assets {
		if name == "_headers" {
			continue
		}
		if path.Ext(name) == ".br" || path.Ext(name) == ".gz" {
			t.Errorf("%s: Workers compresses by itself; no variants there", name)
		}
		if !bytes.Equal(b, site[name]) {
			t.Errorf("%s differs from the site's", name)
		}
	}
	want, err := server.CloudflareHeaders(os.DirFS(out))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(assets["_headers"], want) {
		t.Errorf("_headers:\n%s\nwant:\n%s", assets["_headers"], want)
	}
}

func TestBuildRefusesANonEmptyOut(t *testing.T) {
	out := t.TempDir()
	if err := os.WriteFile(filepath.Join(out, "keep.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Build(Options{Web: testWeb(), Wasm: testWasm, WasmExec: []byte(testWasmExec), Out: out}); err == nil {
		t.Fatal("Build wrote into a directory that was not empty")
	}
}

// Each bad input fails the build with a message that names the file, the
// line where there is one, and what to do.
func TestBuildRejects(t *testing.T) {
	for _, tc := range []struct {
		name, file, content string
		want                string
	}{
		{"inline script", "index.html", "<html>\n<script>alert(1)</script>", `web/index.html:2: inline <script>`},
		{"script with src and a body", "index.html", `<html><script src="wasm_exec.js">go()</script>`, "inline <script>"},
		{"inline importmap", "index.html", `<html><script type="importmap">{}</script>`, "inline <script>"},
		{"style element", "index.html", "<html><style>p{}</style>", "inline <style>"},
		{"style attribute", "index.html", `<html><p style="color:red">`, "style attribute"},
		{"event handler", "index.html", `<html><button onclick="go()">`, "onclick attribute"},
		{"javascript URL", "index.html", `<html><a href="javascript:go()">`, "javascript: URLs"},
		{"absolute path", "index.html", `<html><script src="/wasm_exec.js"></script>`, "absolute path"},
		{"missing file", "index.html", `<html><link rel="stylesheet" href="styles.css">`, `"styles.css": no such file`},
		{"escape", "index.html", `<html><img src="../secret.png">`, "outside the site"},
		{"bare specifier", "main.js", `import { html } from "lit";`, `import "lit"`},
		{"remote module", "main.js", `import x from "https://cdn.example/x.js";`, "relative path"},
		{"missing module", "main.js", "\n\nimport { y } from './nope.js';", `web/main.js:3: "./nope.js": no such file`},
		{"computed import", "main.js", "const m = await import(`./scenes/${name}.js`);", "computed path"},
		{"css missing", "style.css", `@import "nope.css";`, "no such file"},
		{"already hashed", "old.0123456789ab.js", "", "content-hashed already"},
		{"unknown type", "notes.docx", "", `no ".docx" files`},
		{"generated name", "wasm_exec.js", "", "the build provides this file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			web := testWeb()
			web[tc.file] = &fstest.MapFile{Data: []byte(tc.content)}
			out := filepath.Join(t.TempDir(), "site")
			_, err := Build(Options{Web: web, Wasm: testWasm, WasmExec: []byte(testWasmExec), Out: out})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if _, statErr := os.Stat(out); !os.IsNotExist(statErr) {
				t.Error("a failed build wrote output")
			}
		})
	}
}

func TestBuildReportsAllProblemsAtOnce(t *testing.T) {
	web := testWeb()
	web["index.html"] = &fstest.MapFile{Data: []byte(`<html><p style="x" onclick="y"><script>z</script>`)}
	_, err := Build(Options{Web: web, Wasm: testWasm, WasmExec: []byte(testWasmExec), Out: filepath.Join(t.TempDir(), "s")})
	if err == nil {
		t.Fatal("no error")
	}
	if n := len(regexp.MustCompile(`web/index.html:\d+:`).FindAllString(err.Error(), -1)); n != 3 {
		t.Fatalf("%d problems reported, want 3:\n%v", n, err)
	}
	if strings.Contains(err.Error(), EmbedName) {
		t.Fatalf("problems reported again for the embed.html derived from index.html:\n%v", err)
	}
}

func TestBuildNeedsIndexAndWasm(t *testing.T) {
	web := testWeb()
	delete(web, "index.html")
	if _, err := Build(Options{Web: web, Wasm: testWasm, WasmExec: []byte(testWasmExec), Out: t.TempDir()}); err == nil {
		t.Error("built a site with no index.html")
	}
	if _, err := Build(Options{Web: testWeb(), WasmExec: []byte(testWasmExec), Out: t.TempDir()}); err == nil {
		t.Error("built a site with no wasm")
	}
}
