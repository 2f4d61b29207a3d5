package library_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/catalog"
	"github.com/skillgate/skillgate/server/internal/library"
)

const (
	programPath  = "content/fenmore-bank/card-services/program.yaml"
	corePath     = "quizzes/_core/confused-elderly-caller.roleplay.yaml"
	quizPath     = "quizzes/fenmore-bank/card-services/card-services-certification.quiz.yaml"
	roleplayPath = "quizzes/fenmore-bank/card-services/traveler-payment-call.roleplay.yaml"
)

type draftFixture struct {
	*fixture
}

func newDraftFixture(t *testing.T) *draftFixture {
	t.Helper()
	f := newFixture(t)
	env := f.env
	for _, u := range []struct {
		name    string
		role    auth.Role
		clients []string
	}{
		{"other", auth.RoleTrainer, []string{env.ClientID("voltcrate")}},
		{"agent", auth.RoleAgent, []string{env.ClientID("fenmore-bank")}},
	} {
		env.User(u.name+"@x.test", u.role, u.clients...)
		f.tok[u.name] = env.Login(u.name + "@x.test")
	}
	return &draftFixture{f}
}

func (f *draftFixture) call(method, path, who string, body any, header map[string]string) *apitest.Response {
	return f.env.Do(apitest.Request{Method: method, Path: path, Token: f.tok[who], Body: body, Header: header})
}

// start opens a draft as who, failing unless it answers 200 or 201.
func (f *draftFixture) start(t *testing.T, who, client, kind, path string, body *string) library.Draft {
	t.Helper()
	req := map[string]any{"client": client, "kind": kind, "path": path}
	if body != nil {
		req["body"] = *body
	}
	res := f.call("POST", "/api/v1/library/drafts", who, req, nil)
	if res.Status != 201 && res.Status != 200 {
		t.Fatalf("start a draft of %s as %s: got %d %s", path, who, res.Status, res.Body)
	}
	var d library.Draft
	res.JSON(t, &d)
	if res.Header.Get("ETag") != d.Tag || d.Tag == "" {
		t.Fatalf("ETag %q, body etag %q", res.Header.Get("ETag"), d.Tag)
	}
	return d
}

func (f *draftFixture) save(who string, d library.Draft, etag, body string) *apitest.Response {
	return f.call("PUT", "/api/v1/library/drafts/"+d.ID, who, map[string]any{"body": body}, map[string]string{"If-Match": etag})
}

// TestDraftScoping: every endpoint × every role, on a client's file and a
// core one: admins author both; a trainer their client's (core: 403);
// another client's trainer and a trainer of none get 404 on the client's
// and 403 on core; agents and supervisors 403.
func TestDraftScoping(t *testing.T) {
	t.Parallel()
	f := newDraftFixture(t)
	client := f.start(t, "admin", "fenmore-bank", "program", programPath, nil)
	core := f.start(t, "admin", "_core", "roleplay", corePath, nil)
	if !client.Published || !core.Published || client.Revision != 1 || client.UpdatedByName == "" {
		t.Fatalf("got %+v, want a published file's draft at version 1 with its author's name", client)
	}
	type want struct{ client, core int }
	ok := want{200, 200}
	cases := map[string]want{
		"admin": ok, "trainer": {200, 403}, "other": {404, 403}, "lone": {404, 403},
		"agent": {403, 403}, "supervisor": {403, 403},
	}
	endpoints := []struct {
		name string
		call func(who string, d library.Draft, client string) *apitest.Response
		// authorized is the status an author gets (the calls are made so as
		// to change nothing).
		authorized int
	}{
		{"start", func(who string, d library.Draft, client string) *apitest.Response {
			return f.call("POST", "/api/v1/library/drafts", who, map[string]any{"client": client, "kind": d.Kind, "path": d.Path}, nil)
		}, 200},
		{"get", func(who string, d library.Draft, _ string) *apitest.Response {
			return f.call("GET", "/api/v1/library/drafts/"+d.ID, who, nil, nil)
		}, 200},
		{"save", func(who string, d library.Draft, _ string) *apitest.Response {
			return f.save(who, d, d.Tag, d.Body)
		}, 200},
		{"check", func(who string, d library.Draft, _ string) *apitest.Response {
			return f.call("POST", "/api/v1/library/drafts/"+d.ID+"/check", who, nil, nil)
		}, 200},
		{"publish without If-Match", func(who string, d library.Draft, _ string) *apitest.Response {
			return f.call("POST", "/api/v1/library/drafts/"+d.ID+"/publish", who, nil, nil)
		}, 428},
		{"discard with a foreign ETag", func(who string, d library.Draft, _ string) *apitest.Response {
			return f.call("DELETE", "/api/v1/library/drafts/"+d.ID, who, nil, map[string]string{"If-Match": `"nope.1"`})
		}, 400},
		{"files", func(who string, _ library.Draft, client string) *apitest.Response {
			return f.call("GET", "/api/v1/library/files?client="+client, who, nil, nil)
		}, 200},
		{"file", func(who string, d library.Draft, client string) *apitest.Response {
			return f.call("GET", "/api/v1/library/file?client="+client+"&path="+d.Path, who, nil, nil)
		}, 200},
	}
	for who, w := range cases {
		for _, ep := range endpoints {
			for _, c := range []struct {
				what   string
				d      library.Draft
				client string
				want   int
			}{{"client", client, "fenmore-bank", w.client}, {"core", core, "_core", w.core}} {
				want := c.want
				if want == 200 {
					want = ep.authorized
				}
				t.Run(fmt.Sprintf("%s/%s/%s", who, ep.name, c.what), func(t *testing.T) {
					if res := ep.call(who, c.d, c.client); res.Status != want {
						t.Errorf("got %d %s, want %d", res.Status, res.Body, want)
					}
				})
			}
		}
		t.Run(who+"/list", func(t *testing.T) {
			res := f.call("GET", "/api/v1/library/drafts", who, nil, nil)
			if w.client == 403 && w.core == 403 {
				if res.Status != 403 {
					t.Errorf("got %d, want 403", res.Status)
				}
				return
			}
			var out struct{ Drafts []library.Draft }
			res.JSON(t, &out)
			var got []string
			for _, d := range out.Drafts {
				got = append(got, d.Client)
			}
			want := map[string]string{"admin": "_core fenmore-bank", "trainer": "fenmore-bank"}[who]
			if strings.Join(sortStrings(got), " ") != want {
				t.Errorf("got drafts of %v, want %q", got, want)
			}
		})
	}
	// Both drafts are still there, unchanged.
	for _, d := range []library.Draft{client, core} {
		res := f.call("GET", "/api/v1/library/drafts/"+d.ID, "admin", nil, nil)
		var got library.Draft
		res.JSON(t, &got)
		if res.Status != 200 || got.Revision != 1 {
			t.Errorf("%s after the table: got %d version %d, want 200 version 1", d.Path, res.Status, got.Revision)
		}
	}
}

func sortStrings(s []string) []string {
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return s
}

func TestDraftPathMustMatchClientAndKind(t *testing.T) {
	t.Parallel()
	f := newDraftFixture(t)
	body := "x: 1\n"
	for name, req := range map[string]map[string]any{
		"another client's path": {"client": "fenmore-bank", "kind": "program", "path": "content/voltcrate/customer-care/program.yaml"},
		"a kind mismatch":       {"client": "fenmore-bank", "kind": "quiz", "path": programPath},
		"a module":              {"client": "fenmore-bank", "kind": "program", "path": "content/fenmore-bank/card-services/card-products.md"},
		"a path upward":         {"client": "fenmore-bank", "kind": "quiz", "path": "quizzes/fenmore-bank/../voltcrate/x.quiz.yaml"},
		"a core program":        {"client": "_core", "kind": "program", "path": "content/_core/x/program.yaml"},
		"not a slug":            {"client": "fenmore-bank", "kind": "bank", "path": "quizzes/fenmore-bank/card-services/Fees.gift"},
	} {
		req["body"] = body
		t.Run(name, func(t *testing.T) {
			res := f.call("POST", "/api/v1/library/drafts", "admin", req, nil)
			var e struct{ Fields map[string]string }
			res.JSON(t, &e)
			if res.Status != 400 || e.Fields["path"] == "" {
				t.Errorf("got %d %s, want 400 naming path", res.Status, res.Body)
			}
		})
	}
	res := f.call("POST", "/api/v1/library/drafts", "trainer", map[string]any{"client": "fenmore-bank", "kind": "quiz", "path": "quizzes/fenmore-bank/card-services/none.quiz.yaml"}, nil)
	if res.Status != 404 {
		t.Errorf("no body and no published file: got %d %s, want 404", res.Status, res.Body)
	}
	if res := f.call("GET", "/api/v1/library/file?client=fenmore-bank&path=quizzes/fenmore-bank/card-services/none.quiz.yaml", "trainer", nil, nil); res.Status != 404 {
		t.Errorf("no published file: got %d, want 404", res.Status)
	}
}

// TestConcurrentDraftSaves: two saves based on one ETag: one is saved, the
// other refused with 409 naming the lines the first changed; saving again
// from the new ETag works; a save without If-Match is 428.
func TestConcurrentDraftSaves(t *testing.T) {
	t.Parallel()
	f := newDraftFixture(t)
	d := f.start(t, "trainer", "fenmore-bank", "program", programPath, nil)
	if again := f.start(t, "admin", "fenmore-bank", "program", programPath, nil); again.ID != d.ID {
		t.Fatalf("starting again made another draft %s, want %s", again.ID, d.ID)
	}
	bodies := []string{
		strings.Replace(d.Body, "valid_days: 365", "valid_days: 300", 1),
		strings.Replace(d.Body, "refresher_window_days: 30", "refresher_window_days: 20", 1),
	}
	var wg sync.WaitGroup
	res := make([]*apitest.Response, 2)
	for i := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res[i] = f.save([]string{"trainer", "admin"}[i], d, d.Tag, bodies[i])
		}()
	}
	wg.Wait()
	if res[0].Status+res[1].Status != 200+409 {
		t.Fatalf("got %d and %d, want one 200 and one 409", res[0].Status, res[1].Status)
	}
	lost := res[0]
	if lost.Status == 200 {
		lost = res[1]
	}
	var e struct {
		Code   string
		Fields map[string]string
	}
	lost.JSON(t, &e)
	line := false
	for k := range e.Fields {
		line = line || strings.HasPrefix(k, programPath+":")
	}
	if e.Code != "conflict" || !line || e.Fields["If-Match"] == "" {
		t.Errorf("the refused save: got %s %v, want conflict naming %s:<line> and If-Match", e.Code, e.Fields, programPath)
	}
	cur := f.call("GET", "/api/v1/library/drafts/"+d.ID, "trainer", nil, nil)
	var now library.Draft
	cur.JSON(t, &now)
	if now.Revision != 2 || cur.Header.Get("ETag") != now.Tag {
		t.Fatalf("got version %d, want 2", now.Revision)
	}
	if r := f.save("trainer", now, now.Tag, now.Body+"# more\n"); r.Status != 200 {
		t.Errorf("a save from the current ETag: got %d %s", r.Status, r.Body)
	}
	if r := f.call("PUT", "/api/v1/library/drafts/"+d.ID, "trainer", map[string]any{"body": "x"}, nil); r.Status != 428 {
		t.Errorf("a save without If-Match: got %d, want 428", r.Status)
	}
	if r := f.call("DELETE", "/api/v1/library/drafts/"+d.ID, "trainer", nil, nil); r.Status != 204 {
		t.Errorf("discard: got %d", r.Status)
	}
	if r := f.call("GET", "/api/v1/library/drafts/"+d.ID, "trainer", nil, nil); r.Status != 404 {
		t.Errorf("a discarded draft: got %d, want 404", r.Status)
	}
}

func (f *draftFixture) publish(who string, d library.Draft) *apitest.Response {
	return f.call("POST", "/api/v1/library/drafts/"+d.ID+"/publish", who, nil, map[string]string{"If-Match": d.Tag})
}

// TestPublishProgramDraft: a program.yaml change publishes as an import of
// it would (the program changed, audited as the trainer), the draft is
// gone, and the export then holds the file as published.
func TestPublishProgramDraft(t *testing.T) {
	t.Parallel()
	f := newDraftFixture(t)
	d := f.start(t, "trainer", "fenmore-bank", "program", programPath, nil)
	body := strings.Replace(d.Body, "name: Card services, inbound voice", "name: Card services, every channel", 1)
	body = strings.Replace(body, "valid_days: 365", "valid_days: 400", 1)
	if body == d.Body {
		t.Fatalf("nothing to change in %s", d.Body)
	}
	res := f.save("trainer", d, d.Tag, body)
	res.JSON(t, &d)

	chk := f.call("POST", "/api/v1/library/drafts/"+d.ID+"/check", "trainer", nil, nil)
	var c library.CheckResult
	chk.JSON(t, &c)
	if !c.OK || c.Report == nil || !c.Report.DryRun || c.Report.Changed == 0 {
		t.Fatalf("check: got %s, want ok with a dry run changing the program", chk.Body)
	}
	audits := f.env.AuditCount("program.update")
	res = f.publish("trainer", d)
	if res.Status != 200 {
		t.Fatalf("publish: got %d %s", res.Status, res.Body)
	}
	var out struct{ Report catalog.Report }
	res.JSON(t, &out)
	changed := false
	for _, it := range out.Report.Items {
		changed = changed || (it.Outcome == "changed" && strings.Contains(it.Key, "card-services"))
	}
	if out.Report.DryRun || out.Report.ImportID == "" || !changed {
		t.Errorf("publish: got %+v, want an applied import changing card-services", out.Report)
	}
	if n := f.env.AuditCount("program.update"); n != audits+1 {
		t.Errorf("got %d program.update audit entries after publishing, want %d", n, audits+1)
	}
	var actor string
	if err := f.env.DB.Raw(`SELECT actor_id FROM audit_log WHERE action = 'program.update' ORDER BY seq DESC LIMIT 1`).Scan(&actor).Error; err != nil {
		t.Fatal(err)
	}
	if actor == "" {
		t.Errorf("the audit entry names no actor")
	}
	if r := f.call("GET", "/api/v1/library/drafts/"+d.ID, "trainer", nil, nil); r.Status != 404 {
		t.Errorf("the published draft: got %d, want 404", r.Status)
	}
	file := f.call("GET", "/api/v1/library/file?client=fenmore-bank&path="+programPath, "trainer", nil, nil)
	if !strings.Contains(string(file.Body), "every channel") || !strings.Contains(string(file.Body), "400") {
		t.Errorf("the published file: got %s", file.Body)
	}
	prog, err := catalog.NewStore(f.env.DB).ProgramBySlug(t.Context(), f.env.ClientID("fenmore-bank"), "card-services")
	if err != nil || prog.Name != "Card services, every channel" {
		t.Errorf("the program: got %+v %v", prog, err)
	}
}

// TestPublishBrokenDraft: a file the importer refuses: check lists the
// problem at its file and line, publish answers 400 with it, and nothing is
// written (the program as it was, the draft still there).
func TestPublishBrokenDraft(t *testing.T) {
	t.Parallel()
	f := newDraftFixture(t)
	d := f.start(t, "trainer", "fenmore-bank", "program", programPath, nil)
	body := strings.Replace(d.Body, "name: Card services, inbound voice", "name: Renamed", 1)
	body = strings.Replace(body, "  - card-products\n", "  - no-such-module\n", 1)
	if !strings.Contains(body, "no-such-module") {
		t.Fatalf("nothing to break in %s", d.Body)
	}
	f.save("trainer", d, d.Tag, body).JSON(t, &d)
	wantLine := 0
	for i, l := range strings.Split(body, "\n") {
		if strings.Contains(l, "no-such-module") {
			wantLine = i + 1
		}
	}
	var c library.CheckResult
	f.call("POST", "/api/v1/library/drafts/"+d.ID+"/check", "trainer", nil, nil).JSON(t, &c)
	if c.OK || len(c.Problems) == 0 || c.Problems[0].File != programPath || c.Problems[0].Line != wantLine {
		t.Fatalf("check: got %+v, want a problem at %s:%d", c, programPath, wantLine)
	}
	audits := f.env.AuditCount("program.update")
	res := f.publish("trainer", d)
	var e struct {
		Code     string
		Fields   map[string]string
		Problems []library.Problem
	}
	res.JSON(t, &e)
	key := fmt.Sprintf("%s:%d", programPath, wantLine)
	if res.Status != 400 || e.Code != "invalid" || e.Fields[key] == "" || len(e.Problems) == 0 || e.Problems[0].Line != wantLine {
		t.Errorf("publish: got %d %s, want 400 naming %s", res.Status, res.Body, key)
	}
	if n := f.env.AuditCount("program.update"); n != audits {
		t.Errorf("audit entries: got %d, want %d (nothing written)", n, audits)
	}
	prog, err := catalog.NewStore(f.env.DB).ProgramBySlug(t.Context(), f.env.ClientID("fenmore-bank"), "card-services")
	if err != nil || prog.Name != "Card services, inbound voice" {
		t.Errorf("the program: got %q %v, want it unchanged", prog.Name, err)
	}
	if r := f.call("GET", "/api/v1/library/drafts/"+d.ID, "trainer", nil, nil); r.Status != 200 {
		t.Errorf("the draft after a refused publish: got %d, want 200", r.Status)
	}
}

// TestPublishNewQuizAndRoleplay: a new quiz file and a new role-play file
// (copies of published ones under new names) publish as new items
// together with the program.yaml draft that lists them; alone, the
// importer refuses them as a file it would refuse them, naming the program.
func TestPublishNewQuizAndRoleplay(t *testing.T) {
	t.Parallel()
	f := newDraftFixture(t)
	prog := f.start(t, "trainer", "fenmore-bank", "program", programPath, nil)
	var drafts []library.Draft
	for _, c := range []struct{ kind, from, to string }{
		{"quiz", quizPath, "quizzes/fenmore-bank/card-services/card-refresher-check.quiz.yaml"},
		{"roleplay", roleplayPath, "quizzes/fenmore-bank/card-services/second-traveler.roleplay.yaml"},
	} {
		var file struct{ Body string }
		res := f.call("GET", "/api/v1/library/file?client=fenmore-bank&path="+c.from, "trainer", nil, nil)
		res.JSON(t, &file)
		if res.Status != 200 || file.Body == "" {
			t.Fatalf("%s: got %d", c.from, res.Status)
		}
		d := f.start(t, "trainer", "fenmore-bank", c.kind, c.to, &file.Body)
		if d.Published {
			t.Errorf("%s: a new file's draft says published", c.to)
		}
		drafts = append(drafts, d)
	}
	res := f.publish("trainer", drafts[0])
	if res.Status != 400 || !strings.Contains(string(res.Body), "program.yaml") || strings.Contains(string(res.Body), "/tmp") {
		t.Errorf("a quiz no program lists: got %d %s, want 400 naming the program.yaml by its library path", res.Status, res.Body)
	}
	body := strings.Replace(prog.Body, "  - card-services-certification\n", "  - card-services-certification\n  - card-refresher-check\n", 1)
	body = strings.Replace(body, "roleplays:\n", "roleplays:\n  - slug: second-traveler\n    signoff: false\n", 1)
	if !strings.Contains(body, "card-refresher-check") || !strings.Contains(body, "second-traveler") {
		t.Fatalf("cannot list the new files in %s", prog.Body)
	}
	f.save("trainer", prog, prog.Tag, body).JSON(t, &prog)
	with := map[string]any{"with": []string{drafts[0].ID, drafts[1].ID}}
	var c library.CheckResult
	f.call("POST", "/api/v1/library/drafts/"+prog.ID+"/check", "trainer", with, nil).JSON(t, &c)
	if !c.OK {
		t.Fatalf("check with the new files: got %+v", c.Problems)
	}
	res = f.call("POST", "/api/v1/library/drafts/"+prog.ID+"/publish", "trainer", with, map[string]string{"If-Match": prog.Tag})
	if res.Status != 200 {
		t.Fatalf("publish: got %d %s", res.Status, res.Body)
	}
	var out struct{ Report catalog.Report }
	res.JSON(t, &out)
	for _, key := range []string{"card-refresher-check", "second-traveler"} {
		created := false
		for _, it := range out.Report.Items {
			created = created || (it.Outcome == "created" && strings.Contains(it.Key, key))
		}
		if !created {
			t.Errorf("publish: got %+v, want %s created", out.Report.Items, key)
		}
	}
	for _, d := range append(drafts, prog) {
		if r := f.call("GET", "/api/v1/library/drafts/"+d.ID, "trainer", nil, nil); r.Status != 404 {
			t.Errorf("%s after publishing: got %d, want the draft gone", d.Path, r.Status)
		}
		if r := f.call("GET", "/api/v1/library/file?client=fenmore-bank&path="+d.Path, "trainer", nil, nil); r.Status != 200 {
			t.Errorf("%s after publishing: got %d, want the published file", d.Path, r.Status)
		}
	}
	other := f.start(t, "admin", "voltcrate", "program", "content/voltcrate/customer-care/program.yaml", nil)
	if r := f.call("POST", "/api/v1/library/drafts/"+other.ID+"/check", "admin", map[string]any{"with": []string{drafts[0].ID}}, nil); r.Status != 400 {
		t.Errorf("with a gone draft: got %d, want 400 naming with", r.Status)
	}
}

// TestDoublePublish: publishing one draft twice at once publishes it once:
// the other answer is 404 or 409, and the program has one new version.
func TestDoublePublish(t *testing.T) {
	t.Parallel()
	f := newDraftFixture(t)
	d := f.start(t, "trainer", "fenmore-bank", "program", programPath, nil)
	f.save("trainer", d, d.Tag, strings.Replace(d.Body, "valid_days: 365", "valid_days: 200", 1)).JSON(t, &d)
	audits := f.env.AuditCount("program.update")
	var wg sync.WaitGroup
	res := make([]*apitest.Response, 2)
	for i := range res {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res[i] = f.publish("trainer", d)
		}()
	}
	wg.Wait()
	ok, refused := 0, 0
	for _, r := range res {
		switch r.Status {
		case 200:
			ok++
		case 404, 409:
			refused++
		default:
			t.Errorf("got %d %s", r.Status, r.Body)
		}
	}
	if ok != 1 || refused != 1 {
		t.Errorf("got %d and %d, want one 200 and one 404/409", res[0].Status, res[1].Status)
	}
	if n := f.env.AuditCount("program.update"); n != audits+1 {
		t.Errorf("got %d program.update entries, want %d", n, audits+1)
	}
}

// TestNewClientDraft: an admin writes a new client's client.yaml and
// publishes it; a trainer cannot start one (the client is not theirs: 404).
func TestNewClientDraft(t *testing.T) {
	t.Parallel()
	f := newDraftFixture(t)
	body := "slug: harbor-gas\nname: Harbor Gas\nindustry: utility\ndescription: A gas utility.\n"
	req := map[string]any{"client": "harbor-gas", "kind": "client", "path": "content/harbor-gas/client.yaml", "body": body}
	if res := f.call("POST", "/api/v1/library/drafts", "trainer", req, nil); res.Status != 404 {
		t.Errorf("a trainer starts a new client: got %d %s, want 404", res.Status, res.Body)
	}
	b := body
	d := f.start(t, "admin", "harbor-gas", "client", "content/harbor-gas/client.yaml", &b)
	if res := f.publish("admin", d); res.Status != 200 {
		t.Fatalf("publish: got %d %s", res.Status, res.Body)
	}
	if id := f.env.ClientID("harbor-gas"); id == "" {
		t.Errorf("no client harbor-gas after publishing")
	}
}
