package server

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkServeHTTP is the handler's own cost per request, without the
// network: negotiation, headers and the copy of a small page. The loopback
// load test is cmd/servebench (make bench-server).
func BenchmarkServeHTTP(b *testing.B) {
	h, err := New(testSite(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Accept-Encoding", "gzip, deflate, br, zstd")
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatal(rec.Code)
		}
	}
}
