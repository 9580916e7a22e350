package sitebuild

import (
	"bytes"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/raftplay/raftplay/server"
)

// ref is one reference from a file to another file of the site.
type ref struct {
	start, end int    // the path's bytes in the referring file (query and fragment excluded)
	target     string // the site file it resolves to
}

// scanner collects the references in one file and what is wrong with them.
type scanner struct {
	name    string
	content []byte
	files   map[string][]byte
	refs    []ref
	errs    []error
}

// scan finds the references in the file name, by its type.
func scan(name string, files map[string][]byte) ([]ref, []error) {
	s := &scanner{name: name, content: files[name], files: files}
	switch path.Ext(name) {
	case ".html":
		s.scanHTML()
	case ".js", ".mjs":
		s.scanJS()
	case ".css":
		s.scanCSS()
	}
	slices.SortFunc(s.refs, func(a, b ref) int { return a.start - b.start })
	s.refs = slices.CompactFunc(s.refs, func(a, b ref) bool { return a.start == b.start })
	return s.refs, s.errs
}

func (s *scanner) problem(offset int, format string, args ...any) {
	line := 1 + bytes.Count(s.content[:offset], []byte("\n"))
	s.errs = append(s.errs, fmt.Errorf("web/%s:%d: %s", s.name, line, fmt.Sprintf(format, args...)))
}

var urlScheme = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*:`)

// url handles the URL text at content[start:end]. A module specifier must
// be relative ("./", "../") and must resolve; any other URL is followed
// only when relative, and must resolve when it names a file of a type the
// site publishes (so "main.js" is checked, "#top" or "3" is not).
func (s *scanner) url(start, end int, module bool) {
	spec := string(s.content[start:end])
	if i := strings.IndexAny(spec, "?#"); i >= 0 {
		spec, end = spec[:i], start+i
	}
	switch {
	case module && !strings.HasPrefix(spec, "./") && !strings.HasPrefix(spec, "../"):
		s.problem(start, "import %q: import the site's own modules by relative path (./ or ../); the CSP allows no other scripts", spec)
		return
	case strings.HasPrefix(strings.ToLower(strings.TrimSpace(spec)), "javascript:"):
		s.problem(start, "javascript: URLs are inline scripts, which the CSP forbids")
		return
	case spec == "" || urlScheme.MatchString(spec) || strings.HasPrefix(spec, "//"):
		return // external or same-page: not ours to check
	case strings.HasPrefix(spec, "/"):
		s.problem(start, "%q is an absolute path, which breaks under a sub-path; use a relative URL", spec)
		return
	}
	target := path.Join(path.Dir(s.name), spec)
	if target == ".." || strings.HasPrefix(target, "../") {
		s.problem(start, "%q points outside the site", spec)
		return
	}
	if _, ok := s.files[target]; ok {
		s.refs = append(s.refs, ref{start: start, end: end, target: target})
		return
	}
	if _, known := server.ContentType(target); module || known {
		s.problem(start, "%q: no such file in the site", spec)
	}
}

// quoted matches a JS or CSS string literal; group 1 or 2 is its text.
const quoted = `(?:"([^"\n]*)"|'([^'\n]*)')`

// quotedText returns the offsets of the text of the quoted literal whose
// groups start at index g of a submatch index slice.
func quotedText(m []int, g int) (int, int, bool) {
	for i := g; i < g+2; i++ {
		if m[2*i] >= 0 {
			return m[2*i], m[2*i+1], true
		}
	}
	return 0, 0, false
}

var (
	htmlToken = regexp.MustCompile(`(?s)<!--.*?-->|<([a-zA-Z][a-zA-Z0-9-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>`)
	htmlAttr  = regexp.MustCompile(`([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>` + "`" + `]+)))?`)
	endScript = regexp.MustCompile(`(?i)</script\s*>`)
)

// scanHTML follows src, href and data-* attributes, and rejects what the
// CSP would block: inline scripts and styles, event-handler attributes.
func (s *scanner) scanHTML() {
	for _, m := range htmlToken.FindAllSubmatchIndex(s.content, -1) {
		if m[2] < 0 {
			continue // a comment
		}
		tag := strings.ToLower(string(s.content[m[2]:m[3]]))
		if tag == "style" {
			s.problem(m[0], "inline <style>: put styles in a .css file (the CSP allows only the site's own stylesheets)")
		}
		hasSrc := false
		for _, a := range htmlAttr.FindAllSubmatchIndex(s.content[m[4]:m[5]], -1) {
			name := strings.ToLower(string(s.content[m[4]+a[2] : m[4]+a[3]]))
			vs, ve, hasValue := -1, -1, false
			for g := 2; g <= 4; g++ {
				if a[2*g] >= 0 {
					vs, ve, hasValue = m[4]+a[2*g], m[4]+a[2*g+1], true
				}
			}
			switch {
			case name == "style":
				s.problem(m[4]+a[0], "style attribute: the CSP blocks inline styles; use a class and a .css file")
			case strings.HasPrefix(name, "on") && len(name) > 2:
				s.problem(m[4]+a[0], "%s attribute: the CSP blocks inline event handlers; use addEventListener in a module", name)
			case !hasValue:
			case name == "src" || name == "href" || strings.HasPrefix(name, "data-"):
				hasSrc = hasSrc || name == "src"
				s.url(vs, ve, false)
			}
		}
		if tag == "script" {
			s.checkScriptBody(m[1], hasSrc)
		}
	}
}

// checkScriptBody rejects a <script> without src, or with a body.
func (s *scanner) checkScriptBody(after int, hasSrc bool) {
	end := endScript.FindIndex(s.content[after:])
	if !hasSrc || (end != nil && len(bytes.TrimSpace(s.content[after:after+end[0]])) > 0) {
		s.problem(after, "inline <script>: the CSP allows only script files from the site (<script src=...>)")
	}
}

var (
	// Static imports and re-exports are statements, so they start a line
	// (or follow a ";"); anchoring there keeps a string like "import" in
	// ordinary code from being taken for one.
	jsSpecifiers = []*regexp.Regexp{
		regexp.MustCompile(`(?m)(?:^|;)[ \t]*import\s*(?:[\w$*{},\s]+?\s*\bfrom\s*)?` + quoted),
		regexp.MustCompile(`(?m)(?:^|;)[ \t]*export\s*(?:\*(?:\s*as\s+[\w$]+)?|\{[\w$,\s]*\})\s*from\s*` + quoted),
		regexp.MustCompile(`\bimport\s*\(\s*` + quoted),
	}
	jsComputedImport = regexp.MustCompile(`\bimport\s*\(\s*[^"'\s)]`)
	jsAssetURL       = regexp.MustCompile(`\bnew\s+URL\s*\(\s*` + quoted + `\s*,\s*import\.meta\.url\s*\)`)
	// Comments that start a line: enough to keep commented-out imports out
	// of the way without a full JavaScript lexer.
	jsComment = regexp.MustCompile(`(?m)^[ \t]*(?://[^\n]*|/\*(?s:.*?)\*/)`)
)

// scanJS follows module specifiers and new URL("...", import.meta.url).
// Specifiers must be string literals: a computed import("./" + name) cannot
// follow the file to its hashed name, so it is rejected.
func (s *scanner) scanJS() {
	code := blank(s.content, jsComment)
	for _, re := range jsSpecifiers {
		for _, m := range re.FindAllSubmatchIndex(code, -1) {
			if start, end, ok := quotedText(m, 1); ok {
				s.url(start, end, true)
			}
		}
	}
	for _, m := range jsComputedImport.FindAllIndex(code, -1) {
		s.problem(m[0], "import() of a computed path: use a string literal so the build can follow it")
	}
	for _, m := range jsAssetURL.FindAllSubmatchIndex(code, -1) {
		if start, end, ok := quotedText(m, 1); ok {
			s.url(start, end, false)
		}
	}
}

var (
	cssComment = regexp.MustCompile(`(?s)/\*.*?\*/`)
	cssImport  = regexp.MustCompile(`@import\s+` + quoted)
	cssURL     = regexp.MustCompile(`\burl\(\s*(?:` + quoted + `|([^)"'\s]+))\s*\)`)
)

// scanCSS follows @import and url().
func (s *scanner) scanCSS() {
	code := blank(s.content, cssComment)
	for _, re := range []*regexp.Regexp{cssImport, cssURL} {
		for _, m := range re.FindAllSubmatchIndex(code, -1) {
			if start, end, ok := quotedText(m, 1); ok {
				s.url(start, end, false)
			} else if m[6] >= 0 {
				s.url(m[6], m[7], false)
			}
		}
	}
}

// blank returns a copy of content with every match of re replaced by
// spaces (newlines kept), so offsets and line numbers stay the same.
func blank(content []byte, re *regexp.Regexp) []byte {
	out := bytes.Clone(content)
	for _, m := range re.FindAllIndex(out, -1) {
		for i := m[0]; i < m[1]; i++ {
			if out[i] != '\n' {
				out[i] = ' '
			}
		}
	}
	return out
}

// rewrite returns content with each reference's file name replaced by the
// name in names, when it has one; the directory part of the reference is
// kept as written, since a hashed file stays in its directory.
func rewrite(content []byte, refs []ref, names map[string]string) []byte {
	var out bytes.Buffer
	last := 0
	for _, r := range refs {
		name, ok := names[r.target]
		if !ok {
			continue
		}
		text := string(content[r.start:r.end])
		dir := text[:strings.LastIndexByte(text, '/')+1]
		out.Write(content[last:r.start])
		out.WriteString(dir + path.Base(name))
		last = r.end
	}
	out.Write(content[last:])
	return out.Bytes()
}
