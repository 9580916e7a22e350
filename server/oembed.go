package server

import (
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
// query and fragment, which is where a shared run is described.
const (
	embedPage     = "embed.html"
	defaultWidth  = 960
	defaultHeight = 640
	maxURLLength  = 4096
	providerName  = "Raft playground"
)

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

func serveOEmbed(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if f := q.Get("format"); f != "" && f != "json" {
		plainError(w, http.StatusNotImplemented) // what the oEmbed spec asks for
		return
	}
	width, okW := dimension(q.Get("maxwidth"), defaultWidth)
	height, okH := dimension(q.Get("maxheight"), defaultHeight)
	raw := q.Get("url")
	if !okW || !okH || raw == "" || len(raw) > maxURLLength {
		plainError(w, http.StatusBadRequest)
		return
	}
	embed, ok := embedURL(raw, r.Host)
	if !ok {
		notFound(w) // the spec's answer for a URL this provider does not serve
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
		ProviderURL:  (&url.URL{Scheme: embed.Scheme, Host: embed.Host, Path: "/"}).String(),
		HTML: fmt.Sprintf(`<iframe src="%s" width="%d" height="%d" title="%s" loading="lazy"></iframe>`,
			html.EscapeString(embed.String()), width, height, providerName),
		Width:  width,
		Height: height,
	})
}

// embedURL maps a link to one of our pages (the start page, index.html or
// embed.html, under any directory, on this host) to its embed.html, keeping
// query and fragment. Links elsewhere are not ours to embed.
func embedURL(raw, host string) (*url.URL, bool) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil ||
		!strings.EqualFold(u.Host, host) {
		return nil, false
	}
	dir, page := path.Split(u.Path)
	if dir == "" {
		dir = "/" // "https://host" with no path at all
	}
	if page != "" && page != "index.html" && page != embedPage {
		return nil, false
	}
	e := *u
	e.Path, e.RawPath = dir+embedPage, ""
	return &e, true
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
