package licensing_test

import (
	"maps"
	"testing"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/outbox"
)

// lic is a valid submission body for jurisdiction jur, with overrides.
func lic(jur, number string, over map[string]any) map[string]any {
	b := map[string]any{
		"npn": "1234567", "jurisdiction": jur, "license_number": number, "class": "insurance-producer",
		"lines_of_authority": []string{"life", "accident-and-health"}, "resident": jur == "TX",
		"issue_date": "2025-01-10", "effective_date": "2025-01-15", "expiry_date": "2027-01-31",
		"evidence": "NIPR PDB lookup 2026-02-27",
	}
	maps.Copy(b, over)
	return b
}

type license struct {
	ID         string   `json:"id"`
	UserID     string   `json:"user_id"`
	Status     string   `json:"status"`
	StatusNote string   `json:"status_note"`
	Lines      []string `json:"lines_of_authority"`
	ExpiryDate string   `json:"expiry_date"`
	VerifiedBy *string  `json:"verified_by"`
	CEHours    *float64 `json:"ce_hours"`
	UpdatedAt  string   `json:"updated_at"`
}

// submit posts a license and returns it, failing unless it is created.
func submit(t *testing.T, env *apitest.Env, token string, body map[string]any) license {
	t.Helper()
	res := env.Do(apitest.Request{Method: "POST", Path: "/api/v1/licenses", Token: token, Body: body})
	if res.Status != 201 {
		t.Fatalf("submit %v: got %d %s, want 201", body, res.Status, res.Body)
	}
	var l license
	res.JSON(t, &l)
	return l
}

// verify has compliance verify the license, failing unless it works.
func verify(t *testing.T, env *apitest.Env, token, id string) {
	t.Helper()
	res := env.Do(apitest.Request{Method: "POST", Path: "/api/v1/licenses/" + id + "/verify", Token: token, Body: map[string]string{"note": "checked"}})
	if res.Status != 200 {
		t.Fatalf("verify %s: got %d %s, want 200", id, res.Status, res.Body)
	}
}

// licenseEvents returns the license.changed events for a license.
func licenseEvents(t *testing.T, env *apitest.Env, id string) []outbox.Event {
	t.Helper()
	es, err := outbox.After(t.Context(), env.DB, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []outbox.Event
	for _, e := range es {
		if e.Type == outbox.LicenseChanged && e.Subject == "license:"+id {
			out = append(out, e)
		}
	}
	return out
}
