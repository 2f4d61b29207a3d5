package catalog_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/catalog"
)

func TestModuleDraftEditSaveAndPublish(t *testing.T) {
	t.Parallel()
	d := newDemo(t)
	id := d.mod["cardProducts"]
	var cur catalog.ModuleRead
	d.mustDo(t, "GET", "/api/v1/modules/"+id, "admin", nil, 200).JSON(t, &cur)

	// Two trainers open the module's draft: it is one draft, shared.
	first := d.mustDo(t, "POST", "/api/v1/module-drafts", "trainer", map[string]any{"module_id": id}, 201)
	var dr catalog.DraftView
	first.JSON(t, &dr)
	again := d.mustDo(t, "POST", "/api/v1/module-drafts", "admin", map[string]any{"module_id": id}, 200)
	if again.Header.Get("ETag") != first.Header.Get("ETag") || strings.Contains(dr.Source, "\nchange:") || !strings.Contains(cur.Source, dr.Source[strings.Index(dr.Source, "\n---"):]) || dr.PublishedVersion != 1 || len(dr.Problems) != 0 {
		t.Fatalf("got draft %+v (ETag %s, then %s), want the current text at revision 1, ready", dr, first.Header.Get("ETag"), again.Header.Get("ETag"))
	}
	etag := first.Header.Get("ETag")
	path := "/api/v1/module-drafts/" + dr.ID

	// Agents never see drafts.
	if res := d.do("GET", path, "agent", nil, nil); res.Status != 403 {
		t.Errorf("agent reads a draft: got %d, want 403", res.Status)
	}
	// A save names the revision it edited.
	text1 := strings.Replace(dr.Source, "title: ", "title: Fenmore ", 1) + "\nA first draft line.\n"
	if res := d.do("PUT", path, "trainer", map[string]string{"markdown": text1}, nil); res.Status != 428 || !strings.Contains(string(res.Body), "If-Match") {
		t.Errorf("save without If-Match: got %d %s, want 428 naming If-Match", res.Status, res.Body)
	}
	saved := d.do("PUT", path, "trainer", map[string]string{"markdown": text1}, map[string]string{"If-Match": etag})
	if saved.Status != 200 || saved.Header.Get("ETag") == etag {
		t.Fatalf("save: got %d %s with ETag %s, want 200 and a new ETag", saved.Status, saved.Body, saved.Header.Get("ETag"))
	}
	// The second person saves on the revision they opened: 409 naming what changed, nothing overwritten.
	stale := d.do("PUT", path, "admin", map[string]string{"markdown": dr.Source + "\nThe admin's line.\n"}, map[string]string{"If-Match": etag})
	var conflict struct {
		Code   string
		Fields map[string]string
	}
	stale.JSON(t, &conflict)
	if stale.Status != 409 || conflict.Fields["title"] == "" || !strings.Contains(conflict.Fields["body"], "lines") || conflict.Fields["If-Match"] == "" || conflict.Fields["kind"] != "" {
		t.Fatalf("stale save: got %d %+v, want 409 naming title and body (only)", stale.Status, conflict)
	}
	d.mustDo(t, "GET", path, "admin", nil, 200).JSON(t, &dr)
	if dr.Source != text1 || dr.Revision != 2 {
		t.Fatalf("after the refused save: got revision %d, want the trainer's revision 2 kept", dr.Revision)
	}
	// The diff against the published version.
	var diff catalog.DraftDiff
	d.mustDo(t, "GET", path+"/diff", "trainer", nil, 200).JSON(t, &diff)
	if diff.From != 1 || !strings.Contains(diff.Unified, "+A first draft line.") || !strings.Contains(diff.Unified, "+title: Fenmore ") {
		t.Errorf("got diff %+v, want the added line and the new title against version 1", diff)
	}
	// Readers still see version 1.
	var seen catalog.ModuleRead
	d.mustDo(t, "GET", "/api/v1/modules/"+id, "agent", nil, 200).JSON(t, &seen)
	if seen.Version.Number != 1 || strings.Contains(seen.Version.Markdown, "first draft") {
		t.Errorf("agent reads version %d, want 1 without the draft", seen.Version.Number)
	}

	// A broken draft saves, lists its problems, and does not publish.
	broken := strings.Replace(text1, "kind: product", "kind: leaflet", 1)
	res := d.mustDoWith(t, "PUT", path, "trainer", map[string]string{"markdown": broken}, map[string]string{"If-Match": saved.Header.Get("ETag")}, 200)
	res.JSON(t, &dr)
	if dr.Problems["card-products.md:4"] == "" {
		t.Errorf("got problems %v, want one at card-products.md:4", dr.Problems)
	}
	etag = res.Header.Get("ETag")
	pub := d.do("POST", path+"/publish", "trainer", map[string]string{"change": "material"}, map[string]string{"If-Match": etag})
	if pub.Status != 400 || !strings.Contains(string(pub.Body), "card-products.md:4") {
		t.Errorf("publish a broken draft: got %d %s, want 400 at card-products.md:4", pub.Status, pub.Body)
	}
	res = d.mustDoWith(t, "PUT", path, "trainer", map[string]string{"markdown": text1}, map[string]string{"If-Match": etag}, 200)
	if pub := d.do("POST", path+"/publish", "trainer", map[string]string{"change": "material"}, map[string]string{"If-Match": etag}); pub.Status != 409 {
		t.Errorf("publish a stale revision: got %d, want 409", pub.Status)
	}
	before := d.env.AuditCount("module.publish")
	var out catalog.ModuleRead
	d.mustDoWith(t, "POST", path+"/publish", "trainer", map[string]string{"change": "material"}, map[string]string{"If-Match": res.Header.Get("ETag")}, 201).JSON(t, &out)
	if out.Version.Number != 2 || out.Version.ChangeKind != "material" || !strings.Contains(out.Version.HTML, "A first draft line.") {
		t.Errorf("got version %d (%s), want 2, material, with the draft's text", out.Version.Number, out.Version.ChangeKind)
	}
	if got := d.env.AuditCount("module.publish"); got != before+1 {
		t.Errorf("got %d module.publish audit entries, want %d", got, before+1)
	}
	if res := d.do("GET", path, "trainer", nil, nil); res.Status != 404 {
		t.Errorf("the published draft: got %d, want 404 (gone)", res.Status)
	}
}

func TestNewModuleDraftIsListedInItsProgram(t *testing.T) {
	t.Parallel()
	d := newDemo(t)
	res := d.do("POST", "/api/v1/module-drafts", "trainer", map[string]any{"program_id": d.prog["cards"], "slug": "card-products"}, nil)
	if res.Status != 409 || !strings.Contains(string(res.Body), "slug") {
		t.Errorf("a taken slug: got %d %s, want 409 naming slug", res.Status, res.Body)
	}
	if res := d.do("POST", "/api/v1/module-drafts", "trainer", map[string]any{"program_id": d.prog["cards"], "slug": "Bad Slug"}, nil); res.Status != 400 {
		t.Errorf("a bad slug: got %d, want 400", res.Status)
	}
	res = d.mustDo(t, "POST", "/api/v1/module-drafts", "trainer", map[string]any{"program_id": d.prog["cards"], "slug": "travel-notices"}, 201)
	var dr catalog.DraftView
	res.JSON(t, &dr)
	if dr.ModuleID != nil || dr.PublishedVersion != 0 || !strings.Contains(dr.Source, "slug: travel-notices") || len(dr.Problems) != 0 {
		t.Fatalf("got %+v, want a new module's skeleton, ready to publish", dr)
	}
	var list struct{ Drafts []catalog.ModuleDraft }
	d.mustDo(t, "GET", "/api/v1/module-drafts", "trainer", nil, 200).JSON(t, &list)
	if len(list.Drafts) != 1 || list.Drafts[0].ID != dr.ID {
		t.Errorf("got drafts %+v, want the new one", list.Drafts)
	}
	d.mustDo(t, "GET", "/api/v1/module-drafts", "supervisor", nil, 403)

	text := "---\nslug: travel-notices\ntitle: Travel notices\nkind: procedure\nsummary: Setting a travel notice.\nminutes: 4\n---\n\n# Travel notices\n\nAsk where and when.\n"
	res = d.mustDoWith(t, "PUT", "/api/v1/module-drafts/"+dr.ID, "trainer", map[string]string{"markdown": text}, map[string]string{"If-Match": res.Header.Get("ETag")}, 200)
	before := d.env.AuditCount("program.update")
	var out catalog.ModuleRead
	d.mustDoWith(t, "POST", "/api/v1/module-drafts/"+dr.ID+"/publish", "trainer", map[string]string{"change": "material"},
		map[string]string{"If-Match": res.Header.Get("ETag")}, 201).JSON(t, &out)
	if out.Version.Number != 1 || out.Slug != "travel-notices" || out.Kind != "procedure" || out.ClientID == nil {
		t.Fatalf("got %+v, want version 1 of fenmore-bank's travel-notices", out)
	}
	if got := d.env.AuditCount("program.update"); got != before+1 {
		t.Errorf("got %d program.update entries, want %d", got, before+1)
	}
	var p catalog.ProgramView
	d.mustDo(t, "GET", "/api/v1/programs/"+d.prog["cards"], "agent", nil, 200).JSON(t, &p)
	var slugs []string
	for _, m := range p.Requirements.Modules {
		slugs = append(slugs, m.Slug)
	}
	if len(slugs) == 0 || slugs[len(slugs)-1] != "travel-notices" {
		t.Errorf("got the program's modules %v, want travel-notices last", slugs)
	}
	// The enrolled agent reads it.
	d.mustDo(t, "GET", "/api/v1/modules/"+out.ID, "agent", nil, 200)
	if slices.Contains(slugs[:len(slugs)-1], "travel-notices") {
		t.Errorf("got %v, want travel-notices listed once", slugs)
	}
}

// mustDoWith is mustDo with request headers.
func (d *demo) mustDoWith(t *testing.T, method, path, who string, body any, header map[string]string, want int) *apitest.Response {
	t.Helper()
	res := d.do(method, path, who, body, header)
	if res.Status != want {
		t.Fatalf("%s %s as %s: got %d %s, want %d", method, path, who, res.Status, res.Body, want)
	}
	return res
}
