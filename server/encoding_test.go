package server

import "testing"

func TestNegotiate(t *testing.T) {
	both := []string{encBrotli, encGzip}
	for _, tc := range []struct {
		header    string
		available []string
		want      string
	}{
		{"", both, ""},
		{"identity", both, ""},
		{"br, gzip", both, "br"},
		{"gzip, deflate, br, zstd", both, "br"}, // what browsers send
		{"gzip", both, "gzip"},
		{"GZip", both, "gzip"},
		{"br;q=0, gzip", both, "gzip"},
		{"br;q=0.4, gzip;q=0.5", both, "gzip"},
		{"br;q=0.5, gzip;q=0.5", both, "br"},
		{"*", both, "br"},
		{"*;q=0", both, ""},
		{"*;q=0, gzip", both, "gzip"},
		{"br;q=0, *", both, "gzip"},
		{"br;q=abc", both, ""},
		{"br;q=2", both, ""},
		{"br ; q=1 , gzip", both, "br"},
		{"br, gzip", []string{encGzip}, "gzip"},
		{"br", []string{encGzip}, ""},
		{"br, gzip", nil, ""},
		{",,;;,=", both, ""},
	} {
		if got := negotiate(tc.header, tc.available); got != tc.want {
			t.Errorf("negotiate(%q, %v) = %q, want %q", tc.header, tc.available, got, tc.want)
		}
	}
}
