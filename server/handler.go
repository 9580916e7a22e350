package server

import (
	"bytes"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
)

// Handler serves the playground: the built site and the stateless API. It
// is the one place that decides routes and response headers; the localhost
// server serves it directly, and the Workers build derives its _headers
// file from it (CloudflareHeaders).
type Handler struct {
	site  *site
	api   map[string]http.HandlerFunc
	links LinkStore // nil: no short links (see shortlink.go)
}

// Options configure a Handler.
type Options struct {
	// PublicURL is where the playground's page is, as its users reach it
	// ("https://example.org/raft/"). oEmbed answers are built from it and
	// embed only links to it, whatever a request's Host header says. Empty:
	// the server has no public address it can vouch for, and /oembed
	// embeds nothing (404).
	PublicURL string
}

// New returns the handler for the built site in fsys (the output of the
// site build: see package sitebuild).
func New(fsys fs.FS, o Options) (*Handler, error) {
	s, err := loadSite(fsys)
	if err != nil {
		return nil, err
	}
	h := &Handler{site: s}
	if h.api, err = apiRoutes(o, h); err != nil {
		return nil, err
	}
	return h, nil
}

// NewAPI returns a handler with the API routes only, for the Cloudflare
// worker: there the static files are served by the Workers assets binding
// before the worker runs, so everything else is a 404 here.
func NewAPI(o Options) (*Handler, error) {
	h := &Handler{site: &site{routes: map[string]*asset{}}}
	var err error
	if h.api, err = apiRoutes(o, h); err != nil {
		return nil, err
	}
	return h, nil
}

// ServeHTTP applies, in order: security headers on every response, GET and
// HEAD only, a canonical path, then the API, the site's files, or a 404 page.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	setSecurityHeaders(w.Header())
	if r.Method == http.MethodPost && h.links != nil { // the one route that takes a body
		if p, ok := canonicalPath(r); ok && h.serveShortLinks(w, r, p) {
			return
		}
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		plainError(w, http.StatusMethodNotAllowed)
		return
	}
	p, ok := canonicalPath(r)
	if !ok {
		plainError(w, http.StatusBadRequest)
		return
	}
	if api, ok := h.api[p]; ok {
		api(w, r)
		return
	}
	if h.serveShortLinks(w, r, p) {
		return
	}
	if a, ok := h.site.routes[p]; ok {
		serveAsset(w, r, a)
		return
	}
	notFound(w)
}

// canonicalPath returns the request's path if it is already in the one form
// the site's routes use, and false for anything that tries to escape or
// disguise itself: "." or ".." segments, empty segments ("//"), backslashes,
// control characters, or percent-encoded slashes and backslashes (which
// decode to a different path than a proxy in front of us might have seen).
// Routes are exact map keys, so nothing could be read outside the site even
// without this; rejecting these loudly keeps caches and logs honest.
func canonicalPath(r *http.Request) (string, bool) {
	return canonical(r.URL)
}

// canonical applies canonicalPath's rules to any URL's path.
func canonical(u *url.URL) (string, bool) {
	p := u.Path
	if !strings.HasPrefix(p, "/") {
		return "", false
	}
	raw := strings.ToLower(u.EscapedPath())
	if strings.Contains(raw, "%2f") || strings.Contains(raw, "%5c") {
		return "", false
	}
	for _, c := range []byte(p) {
		if c < 0x20 || c == 0x7f || c == '\\' {
			return "", false
		}
	}
	clean := path.Clean(p)
	if strings.HasSuffix(p, "/") && clean != "/" {
		clean += "/"
	}
	return p, clean == p
}

// serveAsset answers with the best representation the client accepts.
// http.ServeContent does the conditional (If-None-Match -> 304), Range and
// HEAD handling against the ETag set here. Range requests get the identity
// bytes, so a range means the same thing whatever the client accepts.
func serveAsset(w http.ResponseWriter, r *http.Request, a *asset) {
	coding := ""
	if r.Header.Get("Range") == "" {
		coding = negotiate(r.Header.Get("Accept-Encoding"), a.codings())
	}
	rep := a.rep(coding)
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("Cache-Control", a.cacheControl)
	if len(a.reps) > 1 {
		h.Set("Vary", "Accept-Encoding")
	}
	if rep.coding != "" {
		h.Set("Content-Encoding", rep.coding)
		// ServeContent omits Content-Length when a Content-Encoding is set
		// (it expects on-the-fly compression); ours is precompressed, and
		// the length lets the page show download progress.
		h.Set("Content-Length", strconv.Itoa(len(rep.body)))
	}
	h.Set("ETag", rep.etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(rep.body))
}

// plainError writes a short text error that is never cached.
func plainError(w http.ResponseWriter, code int) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", cacheNever)
	w.WriteHeader(code)
	_, _ = w.Write([]byte(http.StatusText(code) + "\n"))
}

// notFound writes the 404 page.
func notFound(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", cacheNever)
	w.WriteHeader(http.StatusNotFound)
	_, _ = w.Write([]byte(NotFoundPage))
}

// NotFoundPage is the body of every 404. It has no scripts and no styles,
// so it obeys the CSP as it stands, and no links, because it cannot know
// under which path the site is mounted. The site build also writes it as
// 404.html for static hosts that look for one.
const NotFoundPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Not found · Raft playground</title>
</head>
<body>
<h1>Not found</h1>
<p>There is no such page in the Raft playground. The playground itself is at the site's start page.</p>
</body>
</html>
`
