package server

import (
	"slices"
	"strconv"
	"strings"
)

// Content codings the site build precompresses, in the order the server
// prefers them when a client accepts both equally.
const (
	encBrotli = "br"
	encGzip   = "gzip"
)

// variantSuffix maps a content coding to the suffix of its precompressed file.
var variantSuffix = map[string]string{encBrotli: ".br", encGzip: ".gz"}

// acceptable returns the quality value ("q") the Accept-Encoding header
// gives coding, following RFC 9110 section 12.5.3: an explicit entry wins
// over "*", and a coding not mentioned is unacceptable unless "*" allows it.
// A malformed q counts as 0, so bad input can only make us send less.
func acceptable(header, coding string) float64 {
	q, wildcard := -1.0, -1.0
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(part, ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name != coding && name != "*" {
			continue
		}
		v := parseQ(params)
		if name == "*" {
			wildcard = v
		} else {
			q = v
		}
	}
	switch {
	case q >= 0:
		return q
	case wildcard >= 0:
		return wildcard
	}
	return 0
}

// parseQ reads "q=0.5" out of the parameters of one Accept-Encoding entry.
func parseQ(params string) float64 {
	for _, p := range strings.Split(params, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "q") {
			continue
		}
		q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || q < 0 || q > 1 {
			return 0
		}
		return q
	}
	return 1
}

// negotiate picks the coding to send from those available; "" is identity,
// always available. Any acceptable precompressed variant beats identity (it
// is the same bytes, smaller); between two, the higher q wins and a tie goes
// to brotli, the smaller file.
func negotiate(header string, available []string) string {
	best, bestQ := "", 0.0
	for _, coding := range []string{encBrotli, encGzip} {
		if !slices.Contains(available, coding) {
			continue
		}
		if q := acceptable(header, coding); q > bestQ {
			best, bestQ = coding, q
		}
	}
	return best
}
