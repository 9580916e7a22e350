package server

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// Short links, where the deployment keeps them (the Cloudflare worker with
// a KV namespace bound; see package worker). The page's long link carries
// the whole run in its fragment (#run=...&t=...); a short link stores that
// fragment under an id made from its hash, so the same run at the same
// instant always gets the same link, and a link never changes once made.
//
//	GET  /r        {"shortLinks": true, "maxBytes": N}, or false (and why):
//	               the page asks before offering short links
//	POST /r        body: the fragment, text/plain; 201 {"id", "path"}
//	GET  /r/<id>   302 to ../#<fragment>: the page then replays the run;
//	               the link's view, controls and paused (README's table)
//	               go along: /r/<id>?view=ring 302 to ../?view=ring#...
//
// Where links are not kept (the localhost server answers GET /r with
// false; a static host has no /r at all) the page keeps the long link.
const (
	ShortLinkPath = "/r"
	// MaxShortLink is the longest fragment a short link keeps: the page's
	// own limit for a link (web/js/share.js), well under KV's 25 MiB.
	MaxShortLink = 64 * 1024
	shortIDLen   = 16 // base64url characters: 96 bits of SHA-256
)

// LinkStore keeps short links: a key-value store, such as Workers KV.
type LinkStore interface {
	// Ready returns nil if links can be kept now, or why not: for the
	// worker, that no KV namespace is bound.
	Ready() error
	// Get returns the value stored under key, and whether there is one.
	Get(key string) (string, bool, error)
	// Put stores value under key.
	Put(key, value string) error
}

// fragmentPattern is the shape of the page's long link (share.js): the
// run, its instant, then the panels' settings, form-encoded. Nothing in it
// can break out of the Location header it goes into.
var fragmentPattern = regexp.MustCompile(`^run=[A-Za-z0-9_-]+&t=[0-9]{1,9}(&[a-z]{1,16}=[A-Za-z0-9_.*+%-]{0,256})*$`)

// shortLinkID is the id of a fragment: the start of its SHA-256, base64url.
func shortLinkID(fragment string) string {
	sum := sha256.Sum256([]byte(fragment))
	return base64.RawURLEncoding.EncodeToString(sum[:])[:shortIDLen]
}

func validShortID(id string) bool {
	if len(id) != shortIDLen {
		return false
	}
	for _, c := range []byte(id) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// EnableShortLinks adds the short-link routes, kept in store.
func (h *Handler) EnableShortLinks(store LinkStore) *Handler {
	h.links = store
	return h
}

// ShortLinkAnswer is the JSON of the short-link routes.
type ShortLinkAnswer struct {
	ShortLinks bool   `json:"shortLinks"`
	MaxBytes   int    `json:"maxBytes,omitempty"`
	ID         string `json:"id,omitempty"`
	Path       string `json:"path,omitempty"` // relative to the site's root
	Error      string `json:"error,omitempty"`
}

// serveShortLinks answers the routes under /r; it reports false for a
// path that is not one of them.
func (h *Handler) serveShortLinks(w http.ResponseWriter, r *http.Request, p string) bool {
	if h.links == nil && p == ShortLinkPath && r.Method != http.MethodPost {
		// The page asks; a server that keeps no links says so, rather
		// than answering 404 (which a browser logs as an error).
		w.Header().Set("Cache-Control", cacheNever)
		writeJSON(w, ShortLinkAnswer{})
		return true
	}
	if h.links == nil || (p != ShortLinkPath && !strings.HasPrefix(p, ShortLinkPath+"/")) {
		return false
	}
	w.Header().Set("Cache-Control", cacheNever)
	id, isLink := strings.CutPrefix(p, ShortLinkPath+"/")
	switch {
	case isLink && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		h.followShortLink(w, r, id)
	case !isLink && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		if err := h.links.Ready(); err != nil {
			writeJSON(w, ShortLinkAnswer{Error: unavailable(err)})
			return true
		}
		writeJSON(w, ShortLinkAnswer{ShortLinks: true, MaxBytes: MaxShortLink})
	case !isLink && r.Method == http.MethodPost:
		h.makeShortLink(w, r)
	default:
		w.Header().Set("Allow", map[bool]string{true: "GET, HEAD", false: "GET, HEAD, POST"}[isLink])
		plainError(w, http.StatusMethodNotAllowed)
	}
	return true
}

func unavailable(err error) string {
	return "Short links are not available here (" + err.Error() + "): use the long link, which holds the whole run."
}

func (h *Handler) makeShortLink(w http.ResponseWriter, r *http.Request) {
	refuse := func(code int, msg string) { writeJSONStatus(w, code, ShortLinkAnswer{Error: msg}) }
	if err := h.links.Ready(); err != nil {
		refuse(http.StatusServiceUnavailable, unavailable(err))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxShortLink+1))
	switch {
	case err != nil:
		refuse(http.StatusBadRequest, "The link could not be read: "+err.Error())
		return
	case len(body) > MaxShortLink:
		refuse(http.StatusRequestEntityTooLarge, "This run is too long for a short link (over "+
			strconv.Itoa(MaxShortLink/1024)+" KB): use the long link, which holds the whole run.")
		return
	case !fragmentPattern.Match(body):
		refuse(http.StatusBadRequest, "A short link keeps a link to a run (run=...&t=...), and this is not one.")
		return
	}
	fragment := string(body)
	id := shortLinkID(fragment)
	// Immutable: what is stored under an id is never replaced. The same
	// fragment gives the same id, so finding one there means it is done.
	old, found, err := h.links.Get(id)
	if err == nil && !found {
		err = h.links.Put(id, fragment)
	} else if err == nil && old != fragment {
		err = errors.New("another run is stored under id " + id)
	}
	if err != nil {
		refuse(http.StatusServiceUnavailable, "The short link could not be kept ("+err.Error()+"): use the long link.")
		return
	}
	writeJSONStatus(w, http.StatusCreated, ShortLinkAnswer{ShortLinks: true, ID: id, Path: ShortLinkPath[1:] + "/" + id})
}

func (h *Handler) followShortLink(w http.ResponseWriter, r *http.Request, id string) {
	fragment, err := shortLinkFragment(h.links, id)
	switch {
	case errors.Is(err, errStore) && h.links.Ready() != nil:
		writeJSONStatus(w, http.StatusServiceUnavailable, ShortLinkAnswer{Error: unavailable(h.links.Ready())})
		return
	case errors.Is(err, errStore):
		plainError(w, http.StatusServiceUnavailable)
		return
	case err != nil:
		notFound(w)
		return
	}
	// What an id names never changes, so the answer may be kept for good
	// (the query is part of what a cache keys on).
	w.Header().Set("Cache-Control", cacheImmutable)
	to := "../"
	if q := showing(r.URL.Query()); q != "" {
		to += "?" + q
	}
	w.Header().Set("Location", to+"#"+fragment)
	w.WriteHeader(http.StatusFound)
}

// shortLinkFragment is the fragment kept under id: errStore if the store
// did not answer, another error if there is none.
func shortLinkFragment(links LinkStore, id string) (string, error) {
	if !validShortID(id) {
		return "", errors.New("not a short link's id")
	}
	fragment, found, err := links.Get(id)
	switch {
	case err != nil:
		return "", errStore
	case !found || !fragmentPattern.MatchString(fragment):
		return "", errors.New("no link kept under " + id)
	}
	return fragment, nil
}

// showing keeps, of a short link's query, how the page shows the run (the
// parameters README's table calls view, controls and paused), each a word
// or two, and encodes them again: nothing else of a request's query goes
// into a redirect or an iframe.
func showing(q url.Values) string {
	kept := url.Values{}
	for _, name := range []string{"view", "controls", "paused"} {
		if v := q.Get(name); showingValue.MatchString(v) {
			kept.Set(name, v)
		}
	}
	return kept.Encode()
}

var showingValue = regexp.MustCompile(`^[A-Za-z0-9+ ]{1,16}$`)

// writeJSONStatus answers code with v as JSON.
func writeJSONStatus(w http.ResponseWriter, code int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = w.Write(append(b, '\n'))
}
