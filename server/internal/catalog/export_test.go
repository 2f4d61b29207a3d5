package catalog_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/skillgate/skillgate/server/internal/catalog"
)

// TestExportedLibraryReimportsUnchanged: the demo library imported, then
// exported, then imported again changes nothing — and the same holds after
// a module was published in the app.
func TestExportedLibraryReimportsUnchanged(t *testing.T) {
	t.Parallel()
	d := newDemo(t)
	roundTrip := func(t *testing.T) {
		t.Helper()
		files, err := d.env.App.Catalog.ExportLibrary(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		if err := catalog.WriteLibrary(dir, files); err != nil {
			t.Fatal(err)
		}

		rep, err := d.env.App.Import(ctx, filepath.Join(dir, "content"), filepath.Join(dir, "quizzes"), catalog.ImportOptions{DryRun: true})
		if err != nil {
			t.Fatalf("import the export: %v", err)
		}
		if rep.Created != 0 || rep.Changed != 0 || rep.Unchanged == 0 {
			var moved []string
			for _, it := range rep.Items {
				if it.Outcome != catalog.OutcomeUnchanged {
					moved = append(moved, it.Kind+" "+it.Key+" "+it.Outcome)
				}
			}
			t.Errorf("got %d created, %d changed (%s), want 0 and 0", rep.Created, rep.Changed, strings.Join(moved, "; "))
		}
	}
	roundTrip(t)
	// Changed in the app: a new version of a module, a new module in a program.
	d.edit(t, "trainer", d.mod["cardProducts"], "A line written in the app.", "minor")
	res := d.mustDo(t, "POST", "/api/v1/module-drafts", "trainer", map[string]any{"program_id": d.prog["fraud"], "slug": "chargeback-windows"}, 201)
	var dr catalog.DraftView
	res.JSON(t, &dr)
	d.mustDoWith(t, "POST", "/api/v1/module-drafts/"+dr.ID+"/publish", "trainer", map[string]string{"change": "material"},
		map[string]string{"If-Match": res.Header.Get("ETag")}, 201)
	roundTrip(t)

	one, err := d.env.App.Catalog.ExportLibrary(ctx, "voltcrate")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range one {
		for _, other := range []string{"fenmore-bank", "larkspur-life", "cinder-valley-electric"} {
			if strings.Contains(f.Path, other) || strings.Contains(string(f.Data), other) {
				t.Errorf("voltcrate's export names %s in %s", other, f.Path)
			}
		}
	}
	if _, err := d.env.App.Catalog.ExportLibrary(ctx, "nope"); !isCode(err, "not_found") {
		t.Errorf("an unknown client: got %v, want not_found", err)
	}
}
