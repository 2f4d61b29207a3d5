package licensing_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/auth"
)

func TestSubmitVerifyRejectRevoke(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	agentUser := env.User("agent@x.test", auth.RoleAgent)
	other := env.User("agent2@x.test", auth.RoleAgent)
	officer := env.User("compliance@x.test", auth.RoleCompliance)
	env.User("compliance2@x.test", auth.RoleCompliance)
	env.User("admin@x.test", auth.RoleAdmin)
	env.User("trainer@x.test", auth.RoleTrainer)
	agent := env.Login("agent@x.test")
	agent2 := env.Login("agent2@x.test")
	c1 := env.Login("compliance@x.test")
	c2 := env.Login("compliance2@x.test")
	admin := env.Login("admin@x.test")
	trainer := env.Login("trainer@x.test")

	tx := submit(t, env, agent, lic("TX", "TX-1", nil))
	if tx.Status != "pending" || tx.UserID != agentUser.ID {
		t.Fatalf("got %+v, want a pending license of the agent", tx)
	}
	own := submit(t, env, c1, lic("FL", "FL-9", nil)) // the officer's own license
	forAgent := submit(t, env, c1, lic("GA", "GA-1", map[string]any{"user_id": other.ID}))
	if forAgent.UserID != other.ID {
		t.Errorf("got holder %s, want %s", forAgent.UserID, other.ID)
	}
	toReject := submit(t, env, agent, lic("NC", "NC-1", nil))

	path := func(id, action string) string { return "/api/v1/licenses/" + id + action }
	cases := []struct {
		name       string
		method     string
		path       string
		token      string
		body       any
		wantStatus int
		wantCode   string
	}{
		{"signed out", "POST", "/api/v1/licenses", "", lic("TX", "X", nil), 401, "unauthorized"},
		{"trainer may not submit", "POST", "/api/v1/licenses", trainer, lic("TX", "X", nil), 403, "forbidden"},
		{"agent may not submit for another", "POST", "/api/v1/licenses", agent, lic("TX", "X", map[string]any{"user_id": other.ID}), 403, "forbidden"},
		{"compliance names an unknown holder", "POST", "/api/v1/licenses", c1, lic("TX", "X", map[string]any{"user_id": "00000000-0000-0000-0000-000000000000"}), 400, "invalid"},
		{"same license twice", "POST", "/api/v1/licenses", agent, lic("TX", "TX-1", nil), 409, "conflict"},
		{"agent may not verify", "POST", path(tx.ID, "/verify"), agent, map[string]string{}, 403, "forbidden"},
		{"admin may not verify", "POST", path(tx.ID, "/verify"), admin, map[string]string{}, 403, "forbidden"},
		{"compliance may not verify their own", "POST", path(own.ID, "/verify"), c1, map[string]string{}, 403, "forbidden"},
		{"compliance may not reject their own", "POST", path(own.ID, "/reject"), c1, map[string]string{"note": "no"}, 403, "forbidden"},
		{"another officer verifies it", "POST", path(own.ID, "/verify"), c2, nil, 200, ""},
		{"compliance verifies", "POST", path(tx.ID, "/verify"), c1, map[string]string{"note": "NIPR ok"}, 200, ""},
		{"verified twice", "POST", path(tx.ID, "/verify"), c2, nil, 409, "conflict"},
		{"reject needs a note", "POST", path(toReject.ID, "/reject"), c1, map[string]string{"note": " "}, 400, "invalid"},
		{"rejects", "POST", path(toReject.ID, "/reject"), c1, map[string]string{"note": "number not found in NIPR"}, 200, ""},
		{"rejects only pending", "POST", path(tx.ID, "/reject"), c1, map[string]string{"note": "x"}, 409, "conflict"},
		{"others cannot see it", "GET", path(tx.ID, ""), agent2, nil, 404, "not_found"},
		{"holder sees it", "GET", path(tx.ID, ""), agent, nil, 200, ""},
		{"admin sees it", "GET", path(tx.ID, ""), admin, nil, 200, ""},
		{"trainer cannot read licenses", "GET", "/api/v1/licenses", trainer, nil, 403, "forbidden"},
		{"agent lists only their own", "GET", "/api/v1/licenses?user_id=" + other.ID, agent, nil, 403, "forbidden"},
		{"unknown license", "GET", path("00000000-0000-0000-0000-000000000000", ""), c1, nil, 404, "not_found"},
		{"agent may not revoke", "POST", path(tx.ID, "/revoke"), agent, map[string]string{"reason": "x"}, 403, "forbidden"},
		{"revoke needs a reason", "POST", path(forAgent.ID, "/revoke"), admin, map[string]string{}, 400, "invalid"},
		{"admin revokes", "POST", path(forAgent.ID, "/revoke"), admin, map[string]string{"reason": "license surrendered"}, 200, ""},
		{"revoked is final", "PATCH", path(forAgent.ID, ""), c1, map[string]any{"npn": "42"}, 409, "conflict"},
		{"other agent may not edit", "PATCH", path(tx.ID, ""), agent2, map[string]any{"npn": "42"}, 404, "not_found"},
		{"admin may not edit", "PATCH", path(tx.ID, ""), admin, map[string]any{"npn": "42"}, 403, "forbidden"},
	}
	for _, tc := range cases {
		res := env.Do(apitest.Request{Method: tc.method, Path: tc.path, Token: tc.token, Body: tc.body})
		if res.Status != tc.wantStatus || res.Code() != tc.wantCode {
			t.Errorf("%s: got %d %s, want %d %q", tc.name, res.Status, res.Body, tc.wantStatus, tc.wantCode)
		}
	}

	var list struct{ Licenses []license }
	env.Do(apitest.Request{Method: "GET", Path: "/api/v1/licenses", Token: agent}).JSON(t, &list)
	if len(list.Licenses) != 2 {
		t.Errorf("got %d licenses for the agent, want their 2", len(list.Licenses))
	}
	for _, l := range list.Licenses {
		if l.UserID != agentUser.ID {
			t.Errorf("agent sees license of %s", l.UserID)
		}
	}
	env.Do(apitest.Request{Method: "GET", Path: "/api/v1/licenses?status=verified", Token: c1}).JSON(t, &list)
	if len(list.Licenses) != 2 {
		t.Errorf("got %d verified licenses, want 2 (%+v)", len(list.Licenses), list.Licenses)
	}
	var got license
	env.Do(apitest.Request{Method: "GET", Path: path(own.ID, ""), Token: c1}).JSON(t, &got)
	if got.Status != "verified" || got.UserID != officer.ID {
		t.Errorf("got %+v, want the officer's license verified by the other officer", got)
	}
	for action, want := range map[string]int{"license.submit": 4, "license.verify": 2, "license.reject": 1, "license.revoke": 1} {
		if n := env.AuditCount(action); n != want {
			t.Errorf("got %d %s audit rows, want %d", n, action, want)
		}
	}
	if n := len(licenseEvents(t, env, toReject.ID)); n != 2 {
		t.Errorf("got %d license.changed events for the rejected license, want 2 (submit, reject)", n)
	}
}

func TestValidationNamesFields(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	env.User("agent@x.test", auth.RoleAgent)
	agent := env.Login("agent@x.test")
	cases := []struct {
		name string
		body map[string]any
		want []string
	}{
		{"npn letters", lic("TX", "1", map[string]any{"npn": "12ab"}), []string{"npn"}},
		{"npn too long", lic("TX", "1", map[string]any{"npn": "12345678901"}), []string{"npn"}},
		{"unknown state", lic("ZZ", "1", nil), []string{"jurisdiction"}},
		{"placeholder state", lic("XX", "1", nil), []string{"jurisdiction"}},
		{"class not a slug", lic("TX", "1", map[string]any{"class": "Insurance Producer!"}), []string{"class"}},
		{"no lines", lic("TX", "1", map[string]any{"lines_of_authority": []string{}}), []string{"lines_of_authority"}},
		{"bad date", lic("TX", "1", map[string]any{"issue_date": "01/10/2025"}), []string{"issue_date"}},
		{"effective before issue", lic("TX", "1", map[string]any{"effective_date": "2025-01-01"}), []string{"effective_date"}},
		{"expiry not after effective", lic("TX", "1", map[string]any{"expiry_date": "2025-01-15"}), []string{"expiry_date"}},
		{"negative ce hours", lic("TX", "1", map[string]any{"ce_hours": -1}), []string{"ce_hours"}},
		{"several at once", map[string]any{"npn": "x", "jurisdiction": "TX"}, []string{"npn", "license_number", "class", "resident", "expiry_date"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := env.Do(apitest.Request{Method: "POST", Path: "/api/v1/licenses", Token: agent, Body: tc.body})
			var body struct {
				Code   string
				Fields map[string]string
			}
			res.JSON(t, &body)
			if res.Status != 400 || body.Code != "invalid" {
				t.Fatalf("got %d %s, want 400 invalid", res.Status, res.Body)
			}
			for _, f := range tc.want {
				if body.Fields[f] == "" {
					t.Errorf("got fields %v, want one naming %s", body.Fields, f)
				}
			}
		})
	}
}

func TestEditAfterVerificationResetsToPending(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	env.User("agent@x.test", auth.RoleAgent)
	env.User("compliance@x.test", auth.RoleCompliance)
	agent := env.Login("agent@x.test")
	officer := env.Login("compliance@x.test")
	l := submit(t, env, agent, lic("TX", "TX-1", nil))
	verify(t, env, officer, l.ID)
	path := "/api/v1/licenses/" + l.ID

	// CE hours are not substantive: the license stays verified.
	var got license
	res := env.Do(apitest.Request{Method: "PATCH", Path: path, Token: agent, Body: map[string]any{"ce_hours": 12.5}})
	res.JSON(t, &got)
	if res.Status != 200 || got.Status != "verified" || got.CEHours == nil || *got.CEHours != 12.5 {
		t.Fatalf("CE hours: got %d %s, want 200, still verified, 12.5 hours", res.Status, res.Body)
	}
	// Unchanged values change nothing.
	if res := env.Do(apitest.Request{Method: "PATCH", Path: path, Token: agent, Body: map[string]any{"jurisdiction": "tx"}}); res.Status != 400 {
		t.Errorf("no-op edit: got %d %s, want 400", res.Status, res.Body)
	}
	before := len(licenseEvents(t, env, l.ID))
	got = license{}
	res = env.Do(apitest.Request{Method: "PATCH", Path: path, Token: agent, Body: map[string]any{"lines_of_authority": []string{"life"}}})
	res.JSON(t, &got)
	if res.Status != 200 || got.Status != "pending" || got.VerifiedBy != nil || got.UpdatedAt != apitest.Start.Format(time.RFC3339) {
		t.Fatalf("substantive edit: got %d %s, want 200 pending, no verifier", res.Status, res.Body)
	}
	es := licenseEvents(t, env, l.ID)
	if len(es) != before+1 {
		t.Fatalf("got %d events, want %d", len(es), before+1)
	}
	var payload map[string]any
	if err := json.Unmarshal(es[len(es)-1].Payload, &payload); err != nil {
		t.Fatal(err)
	}
	if payload["status"] != "pending" || payload["previous_status"] != "verified" {
		t.Errorf("got event %v, want verified → pending", payload)
	}
	if n := env.AuditCount("license.update"); n != 2 {
		t.Errorf("got %d license.update audit rows, want 2", n)
	}

	var hist struct {
		Events []struct {
			Action     string   `json:"action"`
			FromStatus string   `json:"from_status"`
			ToStatus   string   `json:"to_status"`
			Changed    []string `json:"changed"`
		}
	}
	env.Do(apitest.Request{Method: "GET", Path: path + "/history", Token: agent}).JSON(t, &hist)
	var steps []string
	for _, e := range hist.Events {
		steps = append(steps, e.Action+":"+e.FromStatus+">"+e.ToStatus)
	}
	want := []string{"submit:>pending", "verify:pending>verified", "update:verified>verified", "update:verified>pending"}
	if len(steps) != len(want) {
		t.Fatalf("got history %v, want %v", steps, want)
	}
	for i := range want {
		if steps[i] != want[i] {
			t.Errorf("history step %d: got %s, want %s", i, steps[i], want[i])
		}
	}
	if last := hist.Events[len(hist.Events)-1]; len(last.Changed) != 1 || last.Changed[0] != "lines_of_authority" {
		t.Errorf("got changed %v, want [lines_of_authority]", last.Changed)
	}
	// Back to pending, it can be verified again.
	verify(t, env, officer, l.ID)
}
