package server

import (
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
)

// oEmbed (https://oembed.com) lets a course platform turn a playground link
// into an embedded playground: it asks
//
//	GET /oembed?url=<page URL>[&maxwidth=W][&maxheight=H][&format=json]
//
// and gets back an <iframe> of the page's embed.html, keeping the link's
// query and fragment, which is where a shared run is described, sized to
// show the link's view without scrolling. A short link (r/<id>, where the
// server keeps them) is embedded as the long link it stands for.
const (
	embedPage    = "embed.html"
	maxURLLength = 4096
	providerName = "Raft playground"
)

// frame is an iframe's size in CSS pixels.
type frame struct{ width, height int }

// viewFrames gives, for each view a link may ask for (its "view" query
// parameter, README's table), the smallest iframe that shows it without
// scrolling (e2e TestEmbedViews): the whole page needs its one-screen
// layout, the compact views less. A link without a view, or with one the
// page does not know, shows the whole page.
var viewFrames = map[string]frame{
	"":          {1024, 720},
	"ring":      {800, 480},
	"ring+logs": {800, 560},
}

// frameFor is the iframe size for a link's query.
func frameFor(query url.Values) frame {
	v := strings.ReplaceAll(strings.ToLower(query.Get("view")), " ", "+") // "+" reads as a space
	if f, ok := viewFrames[v]; ok {
		return f
	}
	return viewFrames[""]
}

// OEmbed is the oEmbed "rich" response.
type OEmbed struct {
	Type         string `json:"type"`
	Version      string `json:"version"`
	Title        string `json:"title"`
	ProviderName string `json:"provider_name"`
	ProviderURL  string `json:"provider_url"`
	HTML         string `json:"html"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
}

// oEmbed answers for one public address. Every answer is built from that
// address and the query's url, maxwidth and maxheight alone, never from the
// request's Host or other headers, so an answer is the same for everyone
// and no request can make a cache keep one that points elsewhere.
type oEmbed struct {
	base *url.URL // the page's directory, ending in "/"; nil: embed nothing
}

// newOEmbed checks a public URL: absolute http or https, no user, query or
// fragment. A URL naming a page (".../index.html") stands for its directory.
func newOEmbed(public string) (*oEmbed, error) {
	if public == "" {
		return &oEmbed{}, nil
	}
	u, err := url.Parse(public)
	if err != nil {
		return nil, fmt.Errorf("public URL %q: %w", public, err)
	}
	if u.Path == "" {
		u.Path = "/"
	}
	p, ok := canonical(u)
	switch {
	case u.Scheme != "http" && u.Scheme != "https", u.Host == "", u.Opaque != "":
		return nil, fmt.Errorf("public URL %q: give an absolute http or https URL, such as https://example.org/raft/", public)
	case u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return nil, fmt.Errorf("public URL %q: no user, query or fragment, only where the page is", public)
	case !ok:
		return nil, fmt.Errorf("public URL %q: the path is not in canonical form", public)
	}
	dir, page := path.Split(p)
	if page != "" && page != "index.html" && page != embedPage {
		dir += page + "/" // a directory given without its final slash
	}
	return &oEmbed{base: &url.URL{Scheme: u.Scheme, Host: strings.ToLower(u.Host), Path: dir}}, nil
}

func (o *oEmbed) serve(w http.ResponseWriter, r *http.Request, links LinkStore) {
	q := r.URL.Query()
	if f := q.Get("format"); f != "" && f != "json" {
		plainError(w, http.StatusNotImplemented) // what the oEmbed spec asks for
		return
	}
	raw := q.Get("url")
	if raw == "" || len(raw) > maxURLLength {
		plainError(w, http.StatusBadRequest)
		return
	}
	embed, err := o.embedURL(raw, links)
	if errors.Is(err, errStore) {
		plainError(w, http.StatusServiceUnavailable)
		return
	} else if err != nil {
		notFound(w) // the spec's answer for a URL this provider does not serve
		return
	}
	fits := frameFor(embed.Query())
	width, okW := dimension(q.Get("maxwidth"), fits.width)
	height, okH := dimension(q.Get("maxheight"), fits.height)
	if !okW || !okH {
		plainError(w, http.StatusBadRequest)
		return
	}
	h := w.Header()
	h.Set("Cache-Control", cacheOEmbed)
	h.Set("Access-Control-Allow-Origin", "*") // public data, for in-browser consumers
	writeJSON(w, OEmbed{
		Type:         "rich",
		Version:      "1.0",
		Title:        providerName,
		ProviderName: providerName,
		ProviderURL:  o.base.String(),
		HTML: fmt.Sprintf(`<iframe src="%s" width="%d" height="%d" title="%s" loading="lazy"></iframe>`,
			html.EscapeString(embed.String()), width, height, providerName),
		Width:  width,
		Height: height,
	})
}

// errStore: the short links' store did not answer.
var errStore = errors.New("the short links' store did not answer")

// embedURL maps a link to the page (the public URL's directory, or its
// index.html or embed.html) to embed.html there, keeping the link's query
// and fragment, which is where a shared run is described. A short link
// (r/<id> there, kept in links) maps to embed.html with the fragment it
// keeps and the link's view, controls and paused. The answer's scheme,
// host and path come from the public URL, not from the link: the link
// only has to name the same page, in canonical form.
func (o *oEmbed) embedURL(raw string, links LinkStore) (*url.URL, error) {
	notOurs := errors.New("not a link to this playground")
	if o.base == nil {
		return nil, notOurs
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != o.base.Scheme || u.User != nil || u.Opaque != "" ||
		!sameHost(u, o.base) {
		return nil, notOurs
	}
	if u.Path == "" {
		u.Path = "/" // "https://host" with no path at all
	}
	p, ok := canonical(u)
	if !ok {
		return nil, notOurs
	}
	page, under := strings.CutPrefix(p, o.base.Path)
	e := *o.base
	e.Path += embedPage
	switch id, short := strings.CutPrefix(page, ShortLinkPath[1:]+"/"); {
	case !under:
		return nil, notOurs
	case short && links != nil:
		fragment, err := shortLinkFragment(links, id)
		if err != nil {
			return nil, err
		}
		e.RawQuery, e.RawFragment = showing(u.Query()), fragment
		if e.Fragment, err = url.PathUnescape(fragment); err != nil {
			return nil, notOurs
		}
	case page != "" && page != "index.html" && page != embedPage:
		return nil, notOurs
	default:
		e.RawQuery, e.Fragment, e.RawFragment = u.RawQuery, u.Fragment, u.RawFragment
	}
	return &e, nil
}

// sameHost compares hosts as browsers do: case-insensitively, with the
// scheme's default port written or not.
func sameHost(a, b *url.URL) bool {
	port := func(u *url.URL) string {
		if p := u.Port(); p != "" {
			return p
		}
		if u.Scheme == "https" {
			return "443"
		}
		return "80"
	}
	return strings.EqualFold(a.Hostname(), b.Hostname()) && port(a) == port(b)
}

// dimension reads an optional maxwidth/maxheight: the result is def, capped
// by the parameter when one is given. ok is false for anything but a
// positive integer.
func dimension(s string, def int) (int, bool) {
	if s == "" {
		return def, true
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		return 0, false
	}
	return min(n, def), true
}
