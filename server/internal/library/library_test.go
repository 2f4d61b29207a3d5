package library_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/catalog"
	"github.com/skillgate/skillgate/server/internal/library"
)

type fixture struct {
	env *apitest.Env
	tok map[string]string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	env := apitest.New(t)
	env.ImportDemo()
	f := &fixture{env: env, tok: map[string]string{}}
	for _, u := range []struct {
		name    string
		role    auth.Role
		clients []string
	}{
		{"admin", auth.RoleAdmin, nil},
		{"trainer", auth.RoleTrainer, []string{env.ClientID("fenmore-bank")}},
		{"lone", auth.RoleTrainer, nil},
		{"supervisor", auth.RoleSupervisor, []string{env.ClientID("fenmore-bank")}},
	} {
		env.User(u.name+"@x.test", u.role, u.clients...)
		f.tok[u.name] = env.Login(u.name + "@x.test")
	}
	return f
}

func (f *fixture) do(method, path, who string, body any) *apitest.Response {
	return f.env.Do(apitest.Request{Method: method, Path: path, Token: f.tok[who], Body: body})
}

func TestExportWhoAndFormats(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cases := []struct {
		who, query string
		want       int
		ctype      string
	}{
		{"admin", "", 200, "application/gzip"},
		{"admin", "?format=zip", 200, "application/zip"},
		{"admin", "?client=voltcrate", 200, "application/gzip"},
		{"admin", "?client=nope", 404, ""},
		{"admin", "?format=rar", 400, ""},
		{"trainer", "", 400, ""}, // trainers name their client
		{"trainer", "?client=fenmore-bank&format=zip", 200, "application/zip"},
		{"trainer", "?client=voltcrate", 404, ""},
		{"lone", "?client=fenmore-bank", 404, ""},
		{"supervisor", "?client=fenmore-bank", 403, ""},
	}
	for _, tc := range cases {
		t.Run(tc.who+tc.query, func(t *testing.T) {
			res := f.do("GET", "/api/v1/library/export"+tc.query, tc.who, nil)
			if res.Status != tc.want {
				t.Fatalf("got %d %s, want %d", res.Status, res.Body, tc.want)
			}
			if tc.want == 200 && (res.Header.Get("Content-Type") != tc.ctype || !strings.Contains(res.Header.Get("Content-Disposition"), "attachment")) {
				t.Errorf("got %s (%s), want an attachment of %s", res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"), tc.ctype)
			}
		})
	}
}

// TestUploadedExportImportsUnchanged: the export, uploaded back, reports
// nothing created or changed, in both formats; a broken file in it is
// refused whole, named by its path in the archive and its line.
func TestUploadedExportImportsUnchanged(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, format := range []string{"tar.gz", "zip"} {
		archive := f.do("GET", "/api/v1/library/export?format="+format, "admin", nil)
		if archive.Status != 200 {
			t.Fatalf("export: got %d", archive.Status)
		}
		if res := f.do("POST", "/api/v1/library/import?dry_run=true", "trainer", archive.Body); res.Status != 403 {
			t.Errorf("a trainer uploads: got %d, want 403", res.Status)
		}
		var rep catalog.Report
		res := f.do("POST", "/api/v1/library/import?dry_run=false", "admin", archive.Body)
		if res.Status != 200 {
			t.Fatalf("%s: got %d %s", format, res.Status, res.Body)
		}
		res.JSON(t, &rep)
		if rep.DryRun || rep.ImportID == "" || rep.Created != 0 || rep.Changed != 0 || rep.Unchanged == 0 {
			t.Errorf("%s: got %+v created/changed, want an applied import changing nothing", format, rep)
		}
	}

	files, err := f.env.App.Catalog.ExportLibrary(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	changed, broken := 0, 0
	for i, file := range files {
		switch {
		case file.Path == "content/voltcrate/customer-care/program.yaml":
			files[i].Data = bytes.Replace(file.Data, []byte("valid_days:"), []byte("valid_days: -5\n  x_valid_days:"), 1)
			broken++
		case strings.HasSuffix(file.Path, "/card-products.md"):
			files[i].Data = append(file.Data, []byte("\nA new line.\n")...)
			changed++
		}
	}
	if changed != 1 || broken != 1 {
		t.Fatalf("found %d and %d files to edit, want 1 and 1", changed, broken)
	}
	var buf bytes.Buffer
	if err := library.Pack(&buf, library.FormatZip, files, time.Now()); err != nil {
		t.Fatal(err)
	}
	res := f.do("POST", "/api/v1/library/import?dry_run=true", "admin", buf.Bytes())
	var e struct{ Fields map[string]string }
	res.JSON(t, &e)
	found := false
	for k := range e.Fields {
		found = found || strings.HasPrefix(k, "content/voltcrate/customer-care/program.yaml:")
	}
	if res.Status != 400 || !found {
		t.Errorf("a broken program.yaml: got %d %v, want 400 naming content/voltcrate/customer-care/program.yaml:<line>", res.Status, e.Fields)
	}
}

func TestUploadRefusesWhatIsNotALibrary(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	evil := func(name string) []byte {
		var buf bytes.Buffer
		if err := library.Pack(&buf, library.FormatTarGz, []catalog.LibraryFile{{Path: name, Data: []byte("x")}}, time.Now()); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	for name, body := range map[string][]byte{
		"not an archive":   []byte("hello"),
		"a path upward":    evil("../content/x.md"),
		"an absolute path": evil("/etc/content/x"),
		"no library files": evil("notes/readme.txt"),
	} {
		t.Run(name, func(t *testing.T) {
			res := f.do("POST", "/api/v1/library/import?dry_run=true", "admin", body)
			if res.Status != 400 || !strings.Contains(string(res.Body), "archive") {
				t.Errorf("got %d %s, want 400 naming archive", res.Status, res.Body)
			}
		})
	}
	if res := f.do("POST", "/api/v1/library/import", "admin", evil("content/x")); res.Status != 400 {
		t.Errorf("without dry_run: got %d, want 400", res.Status)
	}
}

// TestExportWritesTheCELibraryAsEditedInTheApp: once compliance edits a CE
// requirement in the app, the library export writes the CE file as
// maintained there, not as last imported.
func TestExportWritesTheCELibraryAsEditedInTheApp(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ce := func() string {
		files, err := f.env.App.ExportLibrary(t.Context(), "")
		if err != nil {
			t.Fatal(err)
		}
		for _, file := range files {
			if file.Path == "content/ce-requirements.yaml" {
				return string(file.Data)
			}
		}
		t.Fatal("the export has no content/ce-requirements.yaml")
		return ""
	}
	if before := ce(); strings.Contains(before, "Written by Skillgate") {
		t.Fatalf("before any edit: got the written file, want the imported one")
	}
	res := f.do("PUT", "/api/v1/ce/requirements/WY/insurance-producer", "admin",
		map[string]any{"period_months": 24, "hours": 17, "categories": map[string]int{}, "sample": true})
	if res.Status != 200 {
		t.Fatalf("edit a CE requirement: got %d %s", res.Status, res.Body)
	}
	if after := ce(); !strings.Contains(after, "Written by Skillgate") || !strings.Contains(after, "WY") {
		t.Errorf("after the edit: got %.300s, want the file written from the app with WY", after)
	}
}
