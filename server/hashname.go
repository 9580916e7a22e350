package server

import (
	"path"
	"strings"
)

// HashLen is the number of lowercase hex digits of a content hash in a file
// name: 48 bits, plenty to tell versions of one file apart.
const HashLen = 12

// HashedName puts hash between the stem and the extension of name:
// "render/svg.js" becomes "render/svg.0123456789ab.js". The site build names
// files this way and the handler recognises them by the same rule (IsHashed)
// to serve them as immutable.
func HashedName(name, hash string) string {
	ext := path.Ext(name)
	return strings.TrimSuffix(name, ext) + "." + hash + ext
}

// IsHashed reports whether name has the form HashedName produces.
func IsHashed(name string) bool {
	base := path.Base(name)
	ext := path.Ext(base)
	stem := strings.TrimSuffix(base, ext)
	dot := strings.LastIndexByte(stem, '.')
	if ext == "" || dot <= 0 {
		return false
	}
	return isLowerHex(stem[dot+1:], HashLen)
}

func isLowerHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, c := range []byte(s) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
