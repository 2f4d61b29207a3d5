package routing_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkCheckThroughTheRouter is one single check answered from the
// view through the real router and every middleware (API key from the
// key cache), without a network: the server's own CPU and allocations per
// check, which set how often the collector runs under load:
// go test -run '^$' -bench CheckThroughTheRouter -benchmem ./server/internal/routing
func BenchmarkCheckThroughTheRouter(b *testing.B) {
	w := newWorldWith(b, true)
	ag := w.agent("bench")
	w.certify(ag.ID, w.cards, 90)
	w.mustAssign(ag.ID, w.cards)
	if _, res := w.check(ag.ID, w.cards, "TX"); res.Status != 200 {
		b.Fatalf("check: %d %s", res.Status, res.Body)
	}
	req := httptest.NewRequest("GET", "/api/v1/eligibility?agent="+ag.ID+"&program="+w.cards+"&state=TX", nil)
	req.Header.Set("Authorization", "Bearer "+w.key)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		w.env.App.Router.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("check: %d %s", rec.Code, rec.Body)
		}
	}
}
