package routing_test

import (
	"bytes"
	"sync"
	"testing"

	"github.com/skillgate/skillgate/server/internal/apitest"
)

// An assignment retried with the same Idempotency-Key (say, after a lost
// answer) is made once, and every retry gets the first 201, not a 409.
func TestAssignWithIdempotencyKeyOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a := w.agent("retry")
	w.certify(a.ID, w.cards, 365)
	const n = 20
	res := make([]*apitest.Response, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res[i] = w.env.Do(apitest.Request{Method: "POST", Path: "/api/v1/programs/" + w.cards + "/assignments",
				Token: w.adminTok, Header: map[string]string{"Idempotency-Key": "assign-retry-1"}, Body: map[string]string{"user_id": a.ID}})
		}()
	}
	wg.Wait()
	for i, r := range res {
		if r.Status != 201 || !bytes.Equal(r.Body, res[0].Body) {
			t.Fatalf("request %d: got %d %s, want the one 201 answer %s", i, r.Status, r.Body, res[0].Body)
		}
	}
	var rows int
	w.env.DB.Raw(`SELECT count(*) FROM assignments WHERE user_id = ? AND program_id = ?`, a.ID, w.cards).Scan(&rows)
	if rows != 1 || w.env.AuditCount("assignment.create") != 1 {
		t.Errorf("got %d assignments and %d assignment.create audits, want 1 and 1", rows, w.env.AuditCount("assignment.create"))
	}
	// Without the key, a second assignment is the service's own conflict.
	if r := w.assign(a.ID, w.cards); r.Status != 409 {
		t.Errorf("without a key: got %d %s, want 409", r.Status, r.Body)
	}
}
