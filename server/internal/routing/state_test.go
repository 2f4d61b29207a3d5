package routing_test

import (
	"strings"
	"testing"

	"github.com/skillgate/skillgate/server/internal/apitest"
)

// TestUnknownCallerStateRefused: a caller state that is not one of the
// jurisdictions (a placeholder such as XX for "unknown") is refused with 400
// naming the field on every route that takes one, instead of being answered
// as a state the program does not license (eligible).
func TestUnknownCallerStateRefused(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	u := w.agent("una")
	w.certify(u.ID, w.sales, 120)
	w.licensedAndAppointed(u.ID, "2027-01-01", "TX")
	w.mustAssign(u.ID, w.sales)
	// Back to pending: una is licensed in no state the program requires.
	if err := w.env.DB.Exec(`UPDATE licenses SET status = 'pending' WHERE user_id = ?`, u.ID).Error; err != nil {
		t.Fatal(err)
	}
	batch := func(states ...string) map[string]any {
		var checks []map[string]string
		for _, s := range states {
			checks = append(checks, map[string]string{"agent": u.ID, "program": w.sales, "state": s})
		}
		return map[string]any{"checks": checks}
	}
	roster := "/api/v1/programs/" + w.sales + "/roster"
	programs := "/api/v1/agents/" + u.ID + "/programs"
	check := "/api/v1/eligibility?agent=" + u.ID + "&program=" + w.sales
	cases := []struct {
		name, method, path string
		body               any
		want               int
		field              string // the field the 400 names
	}{
		{"check XX", "GET", check + "&state=XX", nil, 400, "state"},
		{"check ZZ", "GET", check + "&state=ZZ", nil, 400, "state"},
		{"check lower-case xx", "GET", check + "&state=xx", nil, 400, "state"},
		{"check three letters", "GET", check + "&state=TEX", nil, 400, "state"},
		{"check TX", "GET", check + "&state=TX", nil, 200, ""},
		{"check territory gu", "GET", check + "&state=gu", nil, 200, ""},
		{"check unknown state left out", "GET", check, nil, 200, ""},
		{"batch XX in item 1", "POST", "/api/v1/eligibility/batch", batch("TX", "XX", "ZZ"), 400, "checks[1].state"},
		{"batch ZZ in item 2 named too", "POST", "/api/v1/eligibility/batch", batch("TX", "XX", "ZZ"), 400, "checks[2].state"},
		{"batch known states", "POST", "/api/v1/eligibility/batch", batch("TX", "DC", ""), 200, ""},
		{"roster XX", "GET", roster + "?state=XX", nil, 400, "state"},
		{"roster eligible ZZ", "GET", roster + "?eligible=true&state=ZZ", nil, 400, "state"},
		{"roster PR", "GET", roster + "?state=PR", nil, 200, ""},
		{"agent programs XX", "GET", programs + "?state=XX", nil, 400, "state"},
		{"agent programs VI", "GET", programs + "?state=VI", nil, 200, ""},
		{"license list XX", "GET", "/api/v1/licenses?jurisdiction=XX", nil, 400, "jurisdiction"},
		{"license list tx", "GET", "/api/v1/licenses?jurisdiction=tx", nil, 200, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := w.env.Do(apitest.Request{Method: tc.method, Path: tc.path, Body: tc.body, Token: w.adminTok})
			if res.Status != tc.want {
				t.Fatalf("got %d %s, want %d", res.Status, res.Body, tc.want)
			}
			var body struct {
				Code   string
				Fields map[string]string
				// the 200 answers: none may say eligible, una is licensed nowhere
				Eligible *bool
				Results  []struct{ Answer *struct{ Eligible bool } }
				Agents   []struct{ Eligible bool }
				Programs []struct{ Eligible bool }
			}
			res.JSON(t, &body)
			if tc.field != "" && (body.Code != "invalid" || body.Fields[tc.field] == "") {
				t.Errorf("got %s, want invalid naming %s", res.Body, tc.field)
			}
			eligible := body.Eligible != nil && *body.Eligible
			for _, r := range body.Results {
				eligible = eligible || (r.Answer != nil && r.Answer.Eligible)
			}
			for _, a := range body.Agents {
				eligible = eligible || a.Eligible
			}
			for _, p := range body.Programs {
				eligible = eligible || p.Eligible
			}
			// A known state the program does not license (GU, DC, PR, VI) is
			// eligible by design; TX and "unknown" must not be.
			if eligible && (strings.Contains(tc.path, "state=TX") || tc.name == "check unknown state left out") {
				t.Errorf("got %s, want una not eligible", res.Body)
			}
		})
	}
}
