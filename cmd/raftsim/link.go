package main

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"errors"
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/raftplay/raftplay/raft/sim"
)

// Share links, as the playground makes and reads them (web/js/share.js):
// the fragment "#run=" + base64url(deflate-raw(the definition's JSON)) +
// "&t=" + the instant in virtual ms. The page refuses a fragment of more
// than maxLink characters, a definition of more than maxJSON bytes, and an
// instant past maxT.
const (
	maxLink = 64 * 1024
	maxJSON = 4 << 20
	maxT    = 3_600_000
)

// DefaultBase is where -link points: the playground as make run serves it.
const DefaultBase = "http://localhost:8080/"

// shareLink returns the playground's link to the run of def at instant t,
// and why the page would refuse it, if it would. Actions after t are left
// out: the run up to t is the same without them.
func shareLink(base string, def sim.Definition, t int64) (string, error) {
	t = max(0, min(t, maxT))
	keep := 0
	for keep < len(def.Actions) && def.Actions[keep].At <= t {
		keep++
	}
	def.Actions = def.Actions[:keep]
	def.Config.Goroutines = false // how the page runs its peers is its own choice
	var z bytes.Buffer
	zw, _ := flate.NewWriter(&z, flate.BestCompression) // no error: the level is valid
	zw.Write(def.AppendJSON(nil))
	zw.Close()
	frag := "run=" + base64.RawURLEncoding.EncodeToString(z.Bytes()) + "&t=" + strconv.FormatInt(t, 10)
	link := strings.TrimSuffix(base, "#") + "#" + frag
	if len(frag) > maxLink {
		return link, errors.New("the link is " + strconv.Itoa(len(frag)) + " characters long; the playground takes at most " + strconv.Itoa(maxLink))
	}
	return link, nil
}

// readShare reads a share link, its fragment, or the run= value with its
// t: the definition's JSON text and the instant. ok is false if text holds
// no run.
func readShare(text string) (defJSON []byte, t int64, ok bool, err error) {
	text = strings.TrimSpace(text)
	if i := strings.IndexByte(text, '#'); i >= 0 {
		text = text[i+1:]
	}
	if !strings.HasPrefix(text, "run=") && !strings.Contains(text, "&run=") {
		return nil, 0, false, nil
	}
	if len(text) > maxLink {
		return nil, 0, true, errors.New("the link's run is longer than the playground's " + strconv.Itoa(maxLink) + " characters")
	}
	q, err := url.ParseQuery(text)
	if err != nil {
		return nil, 0, true, errors.New("the link is damaged: " + err.Error())
	}
	if s := q.Get("t"); s != "" {
		if t, err = strconv.ParseInt(s, 10, 64); err != nil || t < 0 || t > maxT {
			return nil, 0, true, errors.New("the link's time t=" + s + " is not an instant of a run (0 to " + strconv.Itoa(maxT) + " ms)")
		}
	}
	packed, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(q.Get("run"), "="))
	if err != nil {
		return nil, 0, true, errors.New("the link's run is damaged (not base64url)")
	}
	defJSON, err = io.ReadAll(io.LimitReader(flate.NewReader(bytes.NewReader(packed)), maxJSON+1))
	switch {
	case err != nil:
		return nil, 0, true, errors.New("the link's run is damaged (" + err.Error() + ")")
	case len(defJSON) > maxJSON:
		return nil, 0, true, errors.New("the link's run is larger than " + strconv.Itoa(maxJSON) + " bytes")
	}
	return defJSON, t, true, nil
}
