package catalog_test

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/app"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/catalog"
)

// demo is the demo library with one user per kind of viewer.
type demo struct {
	env *apitest.Env
	// tokens by viewer name: admin, compliance, trainer (fenmore-bank),
	// supervisor (voltcrate), agent (enrolled in fenmore-bank/card-services),
	// idle (an agent enrolled nowhere), machine (an API key).
	tok map[string]string
	// module ids: cardSales (listed by card-services only), fraudRules
	// (fraud-disputes only), cardProducts (both), volt (voltcrate), core
	// (staying-calm, listed by both fenmore programs).
	mod map[string]string
	// program ids: cards, fraud (fenmore-bank), volt (voltcrate).
	prog map[string]string
}

func newDemo(t *testing.T) *demo {
	t.Helper()
	return newDemoWith(t, nil)
}

// newDemoWith is newDemo with the app's configuration changed by edit.
func newDemoWith(t *testing.T, edit func(*app.Config)) *demo {
	t.Helper()
	env := apitest.NewWith(t, edit)
	env.ImportDemo()
	bank, volt := env.ClientID("fenmore-bank"), env.ClientID("voltcrate")
	d := &demo{env: env, tok: map[string]string{}, mod: map[string]string{}, prog: map[string]string{
		"cards": env.ProgramID("fenmore-bank", "card-services"),
		"fraud": env.ProgramID("fenmore-bank", "fraud-disputes"),
		"volt":  env.ProgramID("voltcrate", "customer-care"),
	}}
	users := []struct {
		name    string
		role    auth.Role
		clients []string
	}{
		{"admin", auth.RoleAdmin, nil},
		{"compliance", auth.RoleCompliance, nil},
		{"trainer", auth.RoleTrainer, []string{bank}},
		{"supervisor", auth.RoleSupervisor, []string{volt}},
		{"agent", auth.RoleAgent, []string{bank}},
		{"idle", auth.RoleAgent, []string{bank}},
	}
	var agent *auth.User
	for _, u := range users {
		created := env.User(u.name+"@x.test", u.role, u.clients...)
		d.tok[u.name] = env.Login(u.name + "@x.test")
		if u.name == "agent" {
			agent = created
		}
	}
	d.mustDo(t, "POST", "/api/v1/programs/"+d.prog["cards"]+"/enrollments", "admin", map[string]string{"user_id": agent.ID}, 201)
	var key struct{ Key string }
	d.mustDo(t, "POST", "/api/v1/api-keys", "admin", map[string]any{"name": "acd", "scopes": []string{auth.ScopeEligibilityRead}}, 201).JSON(t, &key)
	d.tok["machine"] = key.Key

	for name, m := range map[string][2]string{
		"cardSales": {bank, "card-sales-message"}, "fraudRules": {bank, "fraud-and-dispute-rules"},
		"cardProducts": {bank, "card-products"}, "volt": {volt, "voltcrate-care"}, "core": {"", "staying-calm"},
	} {
		mod, err := env.App.Catalog.ModuleBySlug(context.Background(), m[0], m[1])
		if err != nil {
			t.Fatalf("module %s: %v", m[1], err)
		}
		d.mod[name] = mod.ID
	}
	return d
}

func (d *demo) do(method, path, who string, body any, header map[string]string) *apitest.Response {
	return d.env.Do(apitest.Request{Method: method, Path: path, Token: d.tok[who], Body: body, Header: header})
}

// mustDo sends the request and fails the test unless it answers want.
func (d *demo) mustDo(t *testing.T, method, path, who string, body any, want int) *apitest.Response {
	t.Helper()
	res := d.do(method, path, who, body, nil)
	if res.Status != want {
		t.Fatalf("%s %s as %s: got %d %s, want %d", method, path, who, res.Status, res.Body, want)
	}
	return res
}

var changeLine = regexp.MustCompile(`(?m)^change: \w+\n`)

// edit publishes the module's current source with extra appended, as
// change, and returns the new version number.
func (d *demo) edit(t *testing.T, who, moduleID, extra, change string) int {
	t.Helper()
	var cur catalog.ModuleRead
	d.mustDo(t, "GET", "/api/v1/modules/"+moduleID, "admin", nil, 200).JSON(t, &cur)
	src := changeLine.ReplaceAllString(cur.Source, "") + "\n" + extra + "\n"
	var out catalog.ModuleRead
	d.mustDo(t, "POST", "/api/v1/modules/"+moduleID+"/versions", who, map[string]string{"markdown": src, "change": change}, 201).JSON(t, &out)
	return out.Version.Number
}

func TestContentVisibilityPerRoleAndClient(t *testing.T) {
	t.Parallel()
	d := newDemo(t)
	all := []string{"cardSales", "fraudRules", "cardProducts", "volt", "core"}
	cases := []struct {
		who      string
		modules  []string // visible modules; the others answer 404
		programs []string // visible programs
	}{
		{"admin", all, []string{"cards", "fraud", "volt"}},
		{"compliance", all, []string{"cards", "fraud", "volt"}},
		{"trainer", []string{"cardSales", "fraudRules", "cardProducts", "core"}, []string{"cards", "fraud"}},
		{"supervisor", []string{"volt", "core"}, []string{"volt"}},
		{"agent", []string{"cardSales", "cardProducts", "core"}, []string{"cards"}},
		{"idle", []string{"core"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.who, func(t *testing.T) {
			for _, m := range all {
				want := 404
				if slices.Contains(tc.modules, m) {
					want = 200
				}
				for _, path := range []string{"", "/versions", "/versions/1", "/diff?from=1&to=1"} {
					if res := d.do("GET", "/api/v1/modules/"+d.mod[m]+path, tc.who, nil, nil); res.Status != want {
						t.Errorf("GET module %s%s: got %d, want %d", m, path, res.Status, want)
					}
				}
				if res := d.do("POST", "/api/v1/modules/"+d.mod[m]+"/open", tc.who, nil, nil); res.Status != want {
					t.Errorf("open %s: got %d, want %d", m, res.Status, want)
				}
			}
			var list struct{ Programs []catalog.Program }
			d.mustDo(t, "GET", "/api/v1/programs", tc.who, nil, 200).JSON(t, &list)
			var got []string
			for _, p := range list.Programs {
				for name, id := range d.prog {
					if p.ID == id {
						got = append(got, name)
					}
				}
			}
			want := len(tc.programs)
			if tc.who == "admin" || tc.who == "compliance" {
				if err := d.env.DB.Raw("SELECT count(*) FROM programs").Scan(&want).Error; err != nil {
					t.Fatal(err)
				}
			}
			if len(list.Programs) != want {
				t.Errorf("GET programs: got %d programs (%v of ours), want %d", len(list.Programs), got, want)
			}
			for name, id := range d.prog {
				want := 404
				if slices.Contains(tc.programs, name) {
					want = 200
					if !slices.Contains(got, name) {
						t.Errorf("GET programs: got %v, want %s listed", got, name)
					}
				}
				for _, path := range []string{"", "/progress"} {
					if res := d.do("GET", "/api/v1/programs/"+id+path, tc.who, nil, nil); res.Status != want {
						t.Errorf("GET program %s%s: got %d, want %d", name, path, res.Status, want)
					}
				}
			}
		})
	}
	t.Run("API keys are refused", func(t *testing.T) {
		for _, path := range []string{"/api/v1/clients", "/api/v1/programs", "/api/v1/programs/" + d.prog["cards"],
			"/api/v1/modules/" + d.mod["core"], "/api/v1/search?q=calm"} {
			if res := d.do("GET", path, "machine", nil, nil); res.Status != 403 {
				t.Errorf("GET %s with an API key: got %d, want 403", path, res.Status)
			}
		}
	})
	t.Run("malformed and unknown ids are 404", func(t *testing.T) {
		for _, path := range []string{"/api/v1/modules/nope", "/api/v1/modules/" + d.prog["cards"], "/api/v1/programs/nope",
			"/api/v1/clients/nope", "/api/v1/modules/" + d.mod["core"] + "/versions/x", "/api/v1/modules/" + d.mod["core"] + "/versions/0"} {
			if res := d.do("GET", path, "admin", nil, nil); res.Status != 404 {
				t.Errorf("GET %s: got %d, want 404", path, res.Status)
			}
		}
	})
}

func TestProgramDetailListsRequirements(t *testing.T) {
	t.Parallel()
	d := newDemo(t)
	var p catalog.ProgramView
	d.mustDo(t, "GET", "/api/v1/programs/"+d.prog["cards"], "agent", nil, 200).JSON(t, &p)
	r := p.Requirements
	if p.Slug != "card-services" || len(r.Modules) != 11 || r.Modules[0].Slug != "identity-verification" || r.Modules[4].Slug != "active-listening" || !r.Modules[4].Core {
		t.Fatalf("got %s with modules %+v, want card-services' 11 modules in order", p.Slug, r.Modules)
	}
	for _, m := range r.Modules {
		if m.Title == "" || m.Minutes < 1 || m.Kind == "" || m.CurrentVersion != 1 {
			t.Errorf("got module %+v, want its current title, kind, minutes and version", m)
		}
	}
	if r.Policy.ValidDays < 1 || len(r.Onboarding) == 0 {
		t.Errorf("got policy %+v and %d onboarding items, want both", r.Policy, len(r.Onboarding))
	}
	var list struct{ Programs []catalog.Program }
	d.mustDo(t, "GET", "/api/v1/programs?client_id="+d.env.ClientID("voltcrate"), "admin", nil, 200).JSON(t, &list)
	if len(list.Programs) != 1 || list.Programs[0].ID != d.prog["volt"] {
		t.Errorf("got %+v, want only voltcrate's program", list.Programs)
	}
	if res := d.do("GET", "/api/v1/programs?client_id=bad", "admin", nil, nil); res.Status != 400 {
		t.Errorf("got %d, want 400 for a malformed client_id", res.Status)
	}
}

func TestSearchIsScopedPerUser(t *testing.T) {
	t.Parallel()
	d := newDemo(t)
	const word = "Zanzibarite"
	for _, m := range []string{"cardSales", "fraudRules", "volt", "core"} {
		d.edit(t, "admin", d.mod[m], "Remember the "+word+" rule.", "minor")
	}
	cases := []struct {
		who  string
		want []string
	}{
		{"admin", []string{"cardSales", "fraudRules", "volt", "core"}},
		{"trainer", []string{"cardSales", "fraudRules", "core"}},
		{"supervisor", []string{"volt", "core"}},
		{"agent", []string{"cardSales", "core"}},
		{"idle", []string{"core"}},
	}
	for _, tc := range cases {
		t.Run(tc.who, func(t *testing.T) {
			var body struct{ Results []catalog.SearchResult }
			d.mustDo(t, "GET", "/api/v1/search?q="+strings.ToLower(word), tc.who, nil, 200).JSON(t, &body)
			var got []string
			for _, r := range body.Results {
				for name, id := range d.mod {
					if r.ModuleID == id {
						got = append(got, name)
					}
				}
				if !strings.Contains(r.SnippetHTML, "<mark>"+word+"</mark>") {
					t.Errorf("got snippet %q, want %s marked", r.SnippetHTML, word)
				}
			}
			slices.Sort(got)
			want := slices.Sorted(slices.Values(tc.want))
			if !slices.Equal(got, want) || len(body.Results) != len(want) {
				t.Errorf("got %v (%d results), want %v", got, len(body.Results), want)
			}
		})
	}
	t.Run("limit and bad queries", func(t *testing.T) {
		var body struct{ Results []catalog.SearchResult }
		d.mustDo(t, "GET", "/api/v1/search?q="+word+"&limit=1", "admin", nil, 200).JSON(t, &body)
		if len(body.Results) != 1 {
			t.Errorf("got %d results, want 1", len(body.Results))
		}
		for _, q := range []string{"", "?q=", "?q=x&limit=-1", "?q=x&limit=51"} {
			if res := d.do("GET", "/api/v1/search"+q, "admin", nil, nil); res.Status != 400 {
				t.Errorf("search %q: got %d, want 400", q, res.Status)
			}
		}
	})
}

func TestVersionsDiffsAndETags(t *testing.T) {
	t.Parallel()
	d := newDemo(t)
	id := d.mod["cardProducts"]
	path := "/api/v1/modules/" + id
	first := d.mustDo(t, "GET", path, "agent", nil, 200)
	etag := first.Header.Get("ETag")
	if !strings.HasPrefix(etag, `"`) || first.Header.Get("Cache-Control") != "private, no-cache" {
		t.Fatalf("got ETag %q and Cache-Control %q, want a strong ETag and private, no-cache", etag, first.Header.Get("Cache-Control"))
	}
	var v1 catalog.ModuleRead
	first.JSON(t, &v1)
	if v1.Version.Number != 1 || v1.Version.HTML == "" || v1.Version.Markdown == "" || len(v1.Version.TOC) == 0 || v1.Kind != "product" || v1.ClientID == nil {
		t.Fatalf("got %+v, want version 1 rendered", v1)
	}

	// Revalidation: the same ETag answers 304 without a body, also among others or weak.
	for _, inm := range []string{etag, `"other", ` + etag, "W/" + etag, "*"} {
		res := d.do("GET", path, "agent", nil, map[string]string{"If-None-Match": inm})
		if res.Status != 304 || len(res.Body) != 0 || res.Header.Get("ETag") != etag {
			t.Errorf("If-None-Match %s: got %d with %d bytes, ETag %q, want 304, no body, the same ETag", inm, res.Status, len(res.Body), res.Header.Get("ETag"))
		}
	}
	if res := d.do("GET", path, "agent", nil, map[string]string{"If-None-Match": `"stale"`}); res.Status != 200 {
		t.Errorf("a stale ETag: got %d, want 200", res.Status)
	}
	// Visibility is checked before the 304: a hidden module is 404 whatever the ETag.
	if res := d.do("GET", "/api/v1/modules/"+d.mod["fraudRules"], "agent", nil, map[string]string{"If-None-Match": "*"}); res.Status != 404 {
		t.Errorf("hidden module with If-None-Match: got %d, want 404", res.Status)
	}

	if n := d.edit(t, "trainer", id, "The Platinum card now earns 3% cashback.", "material"); n != 2 {
		t.Fatalf("got version %d, want 2", n)
	}
	res := d.do("GET", path, "agent", nil, map[string]string{"If-None-Match": etag})
	if res.Status != 200 || res.Header.Get("ETag") == etag {
		t.Fatalf("after a new version: got %d with ETag %q, want 200 and a new ETag", res.Status, res.Header.Get("ETag"))
	}
	var cur catalog.ModuleRead
	res.JSON(t, &cur)
	if cur.Version.Number != 2 || cur.Version.ChangeKind != "material" || !strings.Contains(cur.Version.HTML, "3% cashback") {
		t.Errorf("got version %d (%s), want 2, material, with the new text", cur.Version.Number, cur.Version.ChangeKind)
	}

	var versions struct{ Versions []catalog.VersionSummary }
	d.mustDo(t, "GET", path+"/versions", "agent", nil, 200).JSON(t, &versions)
	if len(versions.Versions) != 2 || versions.Versions[0].Number != 2 || versions.Versions[1].Number != 1 {
		t.Errorf("got %+v, want versions 2 and 1", versions.Versions)
	}
	for n, wantText := range map[int]bool{1: false, 2: true} {
		res := d.mustDo(t, "GET", path+"/versions/"+strconv.Itoa(n), "agent", nil, 200)
		var got catalog.ModuleRead
		res.JSON(t, &got)
		if got.Version.Number != n || strings.Contains(got.Version.Markdown, "3% cashback") != wantText {
			t.Errorf("version %d: got number %d, want its own text", n, got.Version.Number)
		}
		if cc := res.Header.Get("Cache-Control"); cc != "private, max-age=3600" {
			t.Errorf("version %d: got Cache-Control %q, want private, max-age=3600", n, cc)
		}
		again := d.do("GET", path+"/versions/"+strconv.Itoa(n), "agent", nil, map[string]string{"If-None-Match": res.Header.Get("ETag")})
		if again.Status != 304 {
			t.Errorf("version %d revalidated: got %d, want 304", n, again.Status)
		}
	}
	if res := d.do("GET", path+"/versions/3", "agent", nil, nil); res.Status != 404 {
		t.Errorf("version 3: got %d, want 404", res.Status)
	}

	for _, q := range []string{"?from=1&to=2", ""} { // the default is the current version against the one before
		var diff catalog.VersionDiff
		d.mustDo(t, "GET", path+"/diff"+q, "agent", nil, 200).JSON(t, &diff)
		if diff.From != 1 || diff.To != 2 || diff.Added != 3 || diff.Removed != 1 || !strings.Contains(diff.Unified, "+The Platinum card now earns 3% cashback.") ||
			!strings.Contains(diff.Unified, "+change: material") {
			t.Fatalf("diff%s: got %+v, want version 1 to 2 with the new line added and the change line now material", q, diff)
		}
		var adds []string
		for _, h := range diff.Hunks {
			for _, l := range h.Lines {
				if l.Op == catalog.LineAdd {
					adds = append(adds, l.Text)
					if l.New < 1 || l.Old != 0 {
						t.Errorf("got added line numbers old %d new %d, want only new", l.Old, l.New)
					}
				}
			}
		}
		if !slices.Contains(adds, "The Platinum card now earns 3% cashback.") {
			t.Errorf("got added lines %q, want the new sentence", adds)
		}
	}
	if res := d.do("GET", path+"/diff?from=1&to=7", "agent", nil, nil); res.Status != 404 {
		t.Errorf("diff to a missing version: got %d, want 404", res.Status)
	}
	if res := d.do("GET", path+"/diff?from=-1", "agent", nil, nil); res.Status != 400 {
		t.Errorf("diff from -1: got %d, want 400", res.Status)
	}
}

func TestPublishThroughTheAPI(t *testing.T) {
	t.Parallel()
	d := newDemo(t)
	id := d.mod["cardProducts"]
	var cur catalog.ModuleRead
	d.mustDo(t, "GET", "/api/v1/modules/"+id, "admin", nil, 200).JSON(t, &cur)
	good := changeLine.ReplaceAllString(cur.Source, "") + "\nA new paragraph.\n"
	before := d.env.AuditCount("module.publish")
	cases := []struct {
		name, who, module, markdown, change string
		want                                int
		field                               string // a field the error must name
	}{
		{"unknown front matter kind", "trainer", id, strings.Replace(good, "kind: product", "kind: leaflet", 1), "minor", 400, "card-products.md:4"},
		{"slug of another module", "trainer", id, strings.Replace(good, "slug: card-products", "slug: other", 1), "minor", 400, "card-products.md:2"},
		{"no front matter", "trainer", id, "# Just a heading\n", "minor", 400, "card-products.md:1"},
		{"front matter disagrees with change", "trainer", id, cur.Source + "\nMore.\n", "material", 400, "card-products.md"},
		{"unknown change kind", "trainer", id, good, "huge", 400, "change"},
		{"missing markdown", "trainer", id, "", "minor", 400, "markdown"},
		{"agent may not publish", "agent", id, good, "minor", 403, ""},
		{"supervisor may not publish", "supervisor", id, good, "minor", 403, ""},
		{"trainer of another client sees no such module", "trainer", d.mod["volt"], good, "minor", 404, ""},
		{"unknown module", "trainer", "00000000-0000-0000-0000-000000000000", good, "minor", 404, ""},
		{"member trainer publishes", "trainer", id, good, "minor", 201, ""},
		{"the same text again", "trainer", id, good, "minor", 409, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := d.do("POST", "/api/v1/modules/"+tc.module+"/versions", tc.who, map[string]string{"markdown": tc.markdown, "change": tc.change}, nil)
			if res.Status != tc.want {
				t.Fatalf("got %d %s, want %d", res.Status, res.Body, tc.want)
			}
			if tc.field == "" {
				return
			}
			var e struct{ Fields map[string]string }
			res.JSON(t, &e)
			found := false
			for k := range e.Fields {
				found = found || strings.HasPrefix(k, tc.field)
			}
			if !found {
				t.Errorf("got fields %v, want one at %s", e.Fields, tc.field)
			}
		})
	}
	if got := d.env.AuditCount("module.publish") - before; got != 1 {
		t.Errorf("got %d publish audit entries, want 1", got)
	}
}

func TestPreviewSavesNothing(t *testing.T) {
	t.Parallel()
	d := newDemo(t)
	versions := func() int {
		var n int
		if err := d.env.DB.Raw("SELECT count(*) FROM module_versions").Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := versions()
	var out catalog.PreviewResult
	d.mustDo(t, "POST", "/api/v1/preview", "trainer", map[string]string{"markdown": "# Hello\n\n<script>x()</script>\n\nBody *text*."}, 200).JSON(t, &out)
	if !strings.Contains(out.HTML, "<em>text</em>") || strings.Contains(out.HTML, "<script") || len(out.TOC) != 1 || out.TOC[0].Text != "Hello" {
		t.Errorf("got %+v, want rendered, sanitized HTML and a one-entry toc", out)
	}
	var cur catalog.ModuleRead
	d.mustDo(t, "GET", "/api/v1/modules/"+d.mod["cardProducts"], "trainer", nil, 200).JSON(t, &cur)
	d.mustDo(t, "POST", "/api/v1/preview", "trainer", map[string]string{"markdown": cur.Source, "module_id": d.mod["cardProducts"]}, 200).JSON(t, &out)
	if out.Title != cur.Version.Title || out.Minutes != cur.Version.Minutes || out.HTML != cur.Version.HTML {
		t.Errorf("got %q %d, want the module's own title, minutes and HTML", out.Title, out.Minutes)
	}
	bad := d.do("POST", "/api/v1/preview", "trainer", map[string]string{"markdown": strings.Replace(cur.Source, "minutes: 12", "minutes: soon", 1), "module_id": d.mod["cardProducts"]}, nil)
	if bad.Status != 400 || !strings.Contains(string(bad.Body), "card-products.md:6") {
		t.Errorf("got %d %s, want 400 naming card-products.md:6", bad.Status, bad.Body)
	}
	if res := d.do("POST", "/api/v1/preview", "trainer", map[string]string{"markdown": "x", "module_id": d.mod["volt"]}, nil); res.Status != 404 {
		t.Errorf("preview for another client's module: got %d, want 404", res.Status)
	}
	if res := d.do("POST", "/api/v1/preview", "agent", map[string]string{"markdown": "x"}, nil); res.Status != 403 {
		t.Errorf("agent preview: got %d, want 403", res.Status)
	}
	if got := versions(); got != before {
		t.Errorf("got %d versions, want %d: preview saved something", got, before)
	}
}

func TestProgressIsPinnedToTheVersionRead(t *testing.T) {
	t.Parallel()
	d := newDemo(t)
	id := d.mod["cardProducts"]
	progress := func() catalog.ModuleProgress {
		t.Helper()
		var p catalog.ProgramProgress
		d.mustDo(t, "GET", "/api/v1/programs/"+d.prog["cards"]+"/progress", "agent", nil, 200).JSON(t, &p)
		for _, m := range p.Modules {
			if m.ModuleID == id {
				return m
			}
		}
		t.Fatalf("got %+v, want card-products in the progress", p)
		return catalog.ModuleProgress{}
	}
	if p := progress(); p.Status != catalog.ReadingNotStarted || p.OpenedVersion != nil || p.CompletedVersion != nil {
		t.Fatalf("got %+v, want not started", p)
	}
	var row catalog.Progress
	d.mustDo(t, "POST", "/api/v1/modules/"+id+"/open", "agent", nil, 200).JSON(t, &row)
	if row.Version != 1 || row.CompletedAt != nil {
		t.Fatalf("got %+v, want version 1 opened", row)
	}
	if p := progress(); p.Status != catalog.ReadingOpened || *p.OpenedVersion != 1 {
		t.Errorf("got %+v, want opened", p)
	}
	d.env.Clock.Advance(10 * time.Minute)
	done := d.env.Clock.Now()
	d.mustDo(t, "POST", "/api/v1/modules/"+id+"/complete", "agent", map[string]int{"version": 1}, 200).JSON(t, &row)
	if row.CompletedAt == nil || !row.CompletedAt.Equal(done) {
		t.Fatalf("got %+v, want completed at %v", row, done)
	}
	d.env.Clock.Advance(time.Minute)
	d.mustDo(t, "POST", "/api/v1/modules/"+id+"/complete", "agent", map[string]int{"version": 1}, 200).JSON(t, &row)
	if !row.CompletedAt.Equal(done) {
		t.Errorf("a second completion: got %v, want the first (%v) kept", row.CompletedAt, done)
	}
	for _, body := range []any{map[string]int{"version": 2}, map[string]int{"version": 0}, map[string]string{"version": "1"}, map[string]any{}} {
		if res := d.do("POST", "/api/v1/modules/"+id+"/complete", "agent", body, nil); res.Status != 400 {
			t.Errorf("complete %v: got %d, want 400", body, res.Status)
		}
	}
	if res := d.do("POST", "/api/v1/modules/"+d.mod["fraudRules"]+"/complete", "agent", map[string]int{"version": 1}, nil); res.Status != 404 {
		t.Errorf("complete a hidden module: got %d, want 404", res.Status)
	}
	var whole catalog.ProgramProgress
	d.mustDo(t, "GET", "/api/v1/programs/"+d.prog["cards"]+"/progress", "agent", nil, 200).JSON(t, &whole)
	if whole.Completed != 1 || whole.Total != 11 {
		t.Errorf("got %d of %d completed, want 1 of 11", whole.Completed, whole.Total)
	}

	d.edit(t, "admin", id, "A typo fixed.", "minor")
	if p := progress(); p.Status != catalog.ReadingCompleted || p.CurrentVersion != 2 || *p.CompletedVersion != 1 || p.NewerMaterial {
		t.Errorf("after a minor version: got %+v, want still completed (version 1) with current version 2", p)
	}
	d.edit(t, "admin", id, "The Platinum card now earns 3% cashback.", "material")
	p := progress()
	if p.Status != catalog.ReadingOutdated || !p.NewerMaterial || p.CurrentVersion != 3 || *p.CompletedVersion != 1 || !p.CompletedAt.Equal(done) {
		t.Errorf("after a material version: got %+v, want outdated, completed version 1, current 3", p)
	}
	// Reading the new version again brings it back to completed.
	d.mustDo(t, "POST", "/api/v1/modules/"+id+"/complete", "agent", map[string]int{"version": 3}, 200)
	if p := progress(); p.Status != catalog.ReadingCompleted || *p.CompletedVersion != 3 || p.NewerMaterial {
		t.Errorf("after completing version 3: got %+v, want completed", p)
	}
}

func TestClientAdministration(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	env.User("admin@x.test", auth.RoleAdmin)
	env.User("trainer@x.test", auth.RoleTrainer)
	admin, trainer := env.Login("admin@x.test"), env.Login("trainer@x.test")
	post := func(token string, body any) *apitest.Response {
		return env.Do(apitest.Request{Method: "POST", Path: "/api/v1/clients", Token: token, Body: body})
	}
	// The admin sets up a demo client before its content is imported.
	res := post(admin, map[string]string{"slug": "voltcrate", "name": "Volt (placeholder)", "industry": "retail"})
	if res.Status != 201 {
		t.Fatalf("create: got %d %s, want 201", res.Status, res.Body)
	}
	var cl catalog.Client
	res.JSON(t, &cl)
	cases := []struct {
		name  string
		token string
		body  any
		want  int
		field string
	}{
		{"slug taken", admin, map[string]string{"slug": "voltcrate", "name": "Again"}, 409, ""},
		{"bad slug and no name", admin, map[string]string{"slug": "Volt Crate"}, 400, "name"},
		{"bad slug", admin, map[string]string{"slug": "Volt Crate", "name": "V"}, 400, "slug"},
		{"unknown field", admin, map[string]string{"slug": "v", "name": "V", "colour": "red"}, 400, "colour"},
		{"trainer may not", trainer, map[string]string{"slug": "v", "name": "V"}, 403, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := post(tc.token, tc.body)
			if res.Status != tc.want {
				t.Fatalf("got %d %s, want %d", res.Status, res.Body, tc.want)
			}
			if tc.field != "" && !strings.Contains(string(res.Body), `"`+tc.field+`"`) {
				t.Errorf("got %s, want field %s named", res.Body, tc.field)
			}
		})
	}
	patch := func(token, id string, body any) *apitest.Response {
		return env.Do(apitest.Request{Method: "PATCH", Path: "/api/v1/clients/" + id, Token: token, Body: body})
	}
	res = patch(admin, cl.ID, map[string]string{"description": "Consumer electronics."})
	var got catalog.Client
	res.JSON(t, &got)
	if res.Status != 200 || got.Description != "Consumer electronics." || got.Name != "Volt (placeholder)" {
		t.Errorf("patch: got %d %+v, want the description changed and the name kept", res.Status, got)
	}
	for _, tc := range []struct {
		name, token, id string
		body            any
		want            int
	}{
		{"slug is fixed", admin, cl.ID, map[string]string{"slug": "volt"}, 400},
		{"empty name", admin, cl.ID, map[string]string{"name": ""}, 400},
		{"unknown client", admin, "00000000-0000-0000-0000-000000000000", map[string]string{"name": "x"}, 404},
		{"trainer may not", trainer, cl.ID, map[string]string{"name": "x"}, 403},
	} {
		if res := patch(tc.token, tc.id, tc.body); res.Status != tc.want {
			t.Errorf("%s: got %d %s, want %d", tc.name, res.Status, res.Body, tc.want)
		}
	}
	if c, u := env.AuditCount("client.create"), env.AuditCount("client.update"); c != 1 || u != 1 {
		t.Errorf("got %d client.create and %d client.update entries, want 1 and 1", c, u)
	}
	// The import takes the admin's client over by its slug.
	env.ImportDemo()
	if id := env.ClientID("voltcrate"); id != cl.ID {
		t.Errorf("got client %s after the import, want the admin's %s", id, cl.ID)
	}
	res = env.Do(apitest.Request{Method: "GET", Path: "/api/v1/clients/" + cl.ID, Token: admin})
	res.JSON(t, &got)
	if got.Name != "Voltcrate" {
		t.Errorf("got name %q after the import, want client.yaml's", got.Name)
	}
}

// The rendered JSON of a version is kept, but nothing about who may read
// it: a changed enrollment or module is seen by the very next read.
func TestModuleReadCacheKeepsNoVisibility(t *testing.T) {
	t.Parallel()
	d := newDemo(t)
	path := "/api/v1/modules/" + d.mod["cardSales"]
	first := d.mustDo(t, "GET", path, "agent", nil, 200)
	second := d.mustDo(t, "GET", path, "agent", nil, 200)
	if string(first.Body) != string(second.Body) || first.Header.Get("ETag") != second.Header.Get("ETag") {
		t.Fatal("two reads of one version differ, want the same body and ETag")
	}
	// The module's kind changes (as a publish does): the body follows at once.
	if err := d.env.DB.Exec(`UPDATE modules SET kind = 'policy' WHERE id = ?`, d.mod["cardSales"]).Error; err != nil {
		t.Fatal(err)
	}
	var m catalog.ModuleRead
	d.mustDo(t, "GET", path, "agent", nil, 200).JSON(t, &m)
	if m.Kind != "policy" {
		t.Fatalf("got kind %q after the change, want policy", m.Kind)
	}
	// The enrollment is revoked with plain SQL: the next read is refused,
	// with or without the ETag it had.
	if err := d.env.DB.Exec(`UPDATE certifications SET state = 'revoked' WHERE program_id = ?`, d.prog["cards"]).Error; err != nil {
		t.Fatal(err)
	}
	for _, inm := range []string{"", first.Header.Get("ETag")} {
		if res := d.do("GET", path, "agent", nil, map[string]string{"If-None-Match": inm}); res.Status != 404 {
			t.Errorf("If-None-Match %q after the revocation: got %d, want 404", inm, res.Status)
		}
	}
	// Staff still read it; an idle agent never did.
	d.mustDo(t, "GET", path, "trainer", nil, 200)
	d.mustDo(t, "GET", path, "idle", nil, 404)
}
