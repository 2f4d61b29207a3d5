package catalog_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/audit"
	"github.com/skillgate/skillgate/server/internal/catalog"
)

func outcomes(r *catalog.Report) map[string]string {
	out := map[string]string{}
	for _, it := range r.Items {
		out[it.Kind+" "+it.Key] = it.Outcome
	}
	return out
}

func TestImportIsIdempotent(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	first := f.importAll(t, catalog.ImportOptions{})
	want := map[string]string{
		"client northbank": "created", "program northbank/card-services": "created", "module core/staying-calm": "created",
		"module northbank/card-products": "created", "module northbank/verify-caller": "created",
	}
	if got := outcomes(first); !reflect.DeepEqual(got, want) || first.Created != 5 || first.ImportID == "" {
		t.Fatalf("got %+v (%d created), want %v", got, first.Created, want)
	}
	after1 := counts(t, f.db)
	if after1["module_versions"] != 3 || after1["audit_log"] != 5 || after1["content_imports"] != 1 || after1["program_modules"] != 3 {
		t.Fatalf("got %v, want 3 versions, 5 audit rows, 1 import, 3 program modules", after1)
	}

	second := f.importAll(t, catalog.ImportOptions{})
	if second.Unchanged != 5 || second.Created != 0 || second.Changed != 0 {
		t.Errorf("got %+v, want everything unchanged", second)
	}
	after2 := counts(t, f.db)
	after1["content_imports"]++
	if !reflect.DeepEqual(after2, after1) {
		t.Errorf("got %v, want %v (only one more import row)", after2, after1)
	}
	if _, err := audit.Seal(ctx, f.db); err != nil {
		t.Fatal(err)
	}
	if _, broken, err := audit.Verify(ctx, f.db); broken != nil || err != nil {
		t.Errorf("got %v %v, want an intact audit chain", broken, err)
	}
}

func TestImportNewVersionOnChange(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.importAll(t, catalog.ImportOptions{})
	path := filepath.Join(f.content, "northbank", "card-services", "card-products.md")
	edit(t, path, "change: minor", "change: material")
	edit(t, path, "| Platinum | $95 | 2% cashback |", "| Platinum | $120 | 3% cashback |")

	rep := f.importAll(t, catalog.ImportOptions{Actor: audit.Actor{Kind: audit.ActorUser, ID: "trainer-1"}})
	if got := outcomes(rep)["module northbank/card-products"]; got != "changed" || rep.Changed != 1 || rep.Unchanged != 4 {
		t.Fatalf("got %+v, want card-products changed and the rest unchanged", rep)
	}
	id := f.moduleID(t, "northbank", "card-products")
	cur, err := f.svc.ModuleWithCurrent(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if cur.Module.CurrentVersion != 2 || cur.Version.ChangeKind != "material" || cur.Version.PublishedBy != "trainer-1" ||
		!strings.Contains(cur.Version.HTML, "$120") || len(cur.Version.TOC) != 1 {
		t.Errorf("got %+v, want version 2, material, by trainer-1, with the new fee", cur.Version.VersionSummary)
	}
	v1, err := f.svc.Version(ctx, id, 1)
	if err != nil || !strings.Contains(v1.HTML, "$95") {
		t.Errorf("got %v, want version 1 kept with the old fee", err)
	}
	versions, err := f.svc.ListVersions(ctx, id)
	if err != nil || len(versions) != 2 || versions[0].Number != 2 {
		t.Errorf("got %+v %v, want versions 2 and 1", versions, err)
	}
	d, err := f.svc.Diff(ctx, id, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"-change: minor\n", "+change: material\n", "-| Platinum | $95 | 2% cashback |\n", "+| Platinum | $120 | 3% cashback |\n"} {
		if !strings.Contains(d.Unified, w) {
			t.Errorf("got diff %q, want it to contain %q", d.Unified, w)
		}
	}
	if d.Added != 2 || d.Removed != 2 {
		t.Errorf("got +%d -%d, want +2 -2", d.Added, d.Removed)
	}
	var audits int64
	f.db.Table("audit_log").Where("action = 'module.publish' AND subject_id = ? AND actor_id = 'trainer-1'", id).Count(&audits)
	if audits != 1 {
		t.Errorf("got %d publish audit rows by the actor, want 1", audits)
	}
	if _, err := f.svc.Version(ctx, id, 3); !isCode(err, "not_found") {
		t.Errorf("got %v, want not_found for version 3", err)
	}
}

func TestImportUpdatesProgramAndClient(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.importAll(t, catalog.ImportOptions{})
	program := filepath.Join(f.content, "northbank", "card-services", "program.yaml")
	edit(t, program, "  - verify-caller\n", "")
	edit(t, program, "states: [TX, FL]", "states: [TX, FL, GA]")
	edit(t, filepath.Join(f.content, "northbank", "client.yaml"), "name: Northbank", "name: Northbank plc")
	rep := f.importAll(t, catalog.ImportOptions{})
	got := outcomes(rep)
	if got["program northbank/card-services"] != "changed" || got["client northbank"] != "changed" || rep.Changed != 2 {
		t.Fatalf("got %v, want the program and client changed", got)
	}
	c, _ := f.svc.ClientBySlug(ctx, "northbank")
	p, err := f.svc.ProgramBySlug(ctx, c.ID, "card-services")
	if err != nil || c.Name != "Northbank plc" {
		t.Fatalf("got %+v %v", c, err)
	}
	req, err := f.svc.ProgramRequirements(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	var slugs []string
	for _, m := range req.Modules {
		slugs = append(slugs, m.Slug)
	}
	if !reflect.DeepEqual(slugs, []string{"card-products", "staying-calm"}) || !req.Modules[1].Core {
		t.Errorf("got modules %v, want card-products then core staying-calm", slugs)
	}
	if !reflect.DeepEqual(req.Licenses, []catalog.LicenseReq{{Class: "insurance-producer", Lines: []string{"life", "accident-and-health"}, States: []string{"TX", "FL", "GA"}}}) {
		t.Errorf("got licenses %+v", req.Licenses)
	}
	if !reflect.DeepEqual(req.Roleplays, []catalog.RoleplayReq{{Slug: "disputed-fee", Signoff: true}}) || !reflect.DeepEqual(req.Quizzes, []string{"card-basics"}) {
		t.Errorf("got %+v %+v", req.Roleplays, req.Quizzes)
	}
	if req.Policy != catalog.DefaultPolicy || len(req.Onboarding) != 4 || req.Onboarding[0].ModuleID != req.Modules[0].ModuleID ||
		req.Onboarding[1].Slug != "core/staying-calm" || req.Onboarding[2] != (catalog.OnboardingItem{Day: 3, Kind: "quiz", Slug: "card-basics"}) {
		t.Errorf("got %+v %+v", req.Policy, req.Onboarding)
	}
	// The one-round-trip read certification makes gives the same.
	p2, req2, err := f.svc.ProgramAndRequirements(ctx, p.ID)
	if err != nil || !reflect.DeepEqual(p2, p) || !reflect.DeepEqual(req2, req) {
		t.Errorf("ProgramAndRequirements: got %+v %+v %v, want %+v %+v", p2, req2, err, p, req)
	}
	for _, id := range []string{"not-a-uuid", "00000000-0000-4000-8000-000000000000"} {
		if _, _, err := f.svc.ProgramAndRequirements(ctx, id); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("ProgramAndRequirements(%s): got %v, want not_found", id, err)
		}
	}
	if ps, err := f.svc.ListPrograms(ctx, c.ID); err != nil || len(ps) != 1 || !reflect.DeepEqual([]string(ps[0].Channels), []string{"voice", "chat"}) {
		t.Errorf("got %+v %v, want the one program with its channels", ps, err)
	}
	listing, err := f.svc.ProgramIDsListingModule(ctx, req.Modules[1].ModuleID)
	if err != nil || !reflect.DeepEqual(listing, []string{p.ID}) {
		t.Errorf("got %v %v, want the program listing the core module", listing, err)
	}
}

func TestImportDryRunWritesNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	empty := counts(t, f.db)
	rep := f.importAll(t, catalog.ImportOptions{DryRun: true})
	if rep.Created != 5 || rep.ImportID != "" || !rep.DryRun {
		t.Errorf("got %+v, want 5 would-be creations and no import id", rep)
	}
	if got := counts(t, f.db); !reflect.DeepEqual(got, empty) {
		t.Errorf("got %v after a dry run, want %v", got, empty)
	}
	f.importAll(t, catalog.ImportOptions{})
	before := counts(t, f.db)
	edit(t, filepath.Join(f.content, "_core", "staying-calm.md"), "slow down", "slow right down")
	rep = f.importAll(t, catalog.ImportOptions{DryRun: true})
	if outcomes(rep)["module core/staying-calm"] != "changed" {
		t.Errorf("got %+v, want the core module reported changed", rep.Items)
	}
	if got := counts(t, f.db); !reflect.DeepEqual(got, before) {
		t.Errorf("got %v after a dry run, want %v", got, before)
	}
}

func TestImportErrorsNameFileAndLineAndWriteNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.importAll(t, catalog.ImportOptions{})
	before := counts(t, f.db)
	nb := filepath.Join("northbank", "card-services")
	cases := []struct {
		name   string
		break_ func(content, quizzes string)
		want   []string // "file:line: message" fragments, file relative to the content root
	}{
		{"unknown kind", func(c, _ string) {
			edit(t, filepath.Join(c, nb, "card-products.md"), "kind: product", "kind: brochure")
		},
			[]string{filepath.Join(nb, "card-products.md") + `:4: unknown kind "brochure"`}},
		{"core kind outside core", func(c, _ string) {
			edit(t, filepath.Join(c, nb, "card-products.md"), "kind: product", "kind: core-skill")
		},
			[]string{filepath.Join(nb, "card-products.md") + ":4: kind core-skill is only for modules in _core"}},
		{"client kind in core", func(c, _ string) {
			edit(t, filepath.Join(c, "_core", "staying-calm.md"), "kind: core-skill", "kind: policy")
		},
			[]string{filepath.Join("_core", "staying-calm.md") + ":4: a module in _core must have kind core-skill"}},
		{"missing module", func(c, _ string) { edit(t, filepath.Join(c, nb, "program.yaml"), "  - verify-caller", "  - ghost") },
			[]string{filepath.Join(nb, "program.yaml") + `:7: module "ghost" does not exist in client northbank`}},
		{"missing core module", func(c, _ string) {
			edit(t, filepath.Join(c, nb, "program.yaml"), "  - core/staying-calm", "  - core/zen")
		},
			[]string{filepath.Join(nb, "program.yaml") + `:8: module "core/zen" does not exist`,
				filepath.Join(nb, "program.yaml") + `:24: onboarding names module "core/staying-calm", which the program does not require`}},
		{"module listed twice", func(c, _ string) {
			edit(t, filepath.Join(c, nb, "program.yaml"), "  - verify-caller", "  - card-products")
		},
			[]string{filepath.Join(nb, "program.yaml") + `:7: module "card-products" is listed twice`}},
		{"duplicate module slug", func(c, _ string) {
			write(t, filepath.Join(c, "northbank", "fraud", "program.yaml"), "slug: fraud\nname: Fraud\nchannels: [voice]\n")
			b, _ := os.ReadFile(filepath.Join(c, nb, "card-products.md"))
			write(t, filepath.Join(c, "northbank", "fraud", "card-products.md"), string(b))
		}, []string{filepath.Join("northbank", "fraud", "card-products.md") + `:2: module slug "card-products" is already used by`}},
		{"module slug mismatch", func(c, _ string) {
			edit(t, filepath.Join(c, nb, "card-products.md"), "slug: card-products", "slug: cards")
		},
			[]string{filepath.Join(nb, "card-products.md") + `:2: slug "cards" does not match its name on disk "card-products"`}},
		{"client slug mismatch", func(c, _ string) {
			edit(t, filepath.Join(c, "northbank", "client.yaml"), "slug: northbank", "slug: southbank")
		},
			[]string{filepath.Join("northbank", "client.yaml") + `:1: slug "southbank" does not match`}},
		{"duplicate field", func(c, _ string) { edit(t, filepath.Join(c, "northbank", "client.yaml"), "", "name: Again\n") },
			[]string{filepath.Join("northbank", "client.yaml") + `:6: name is given twice (first on line 2)`}},
		{"unknown field", func(c, _ string) { edit(t, filepath.Join(c, "northbank", "client.yaml"), "", "colour: blue\n") },
			[]string{filepath.Join("northbank", "client.yaml") + `:6: unknown field "colour"`}},
		{"bad state", func(c, _ string) {
			edit(t, filepath.Join(c, nb, "program.yaml"), "states: [TX, FL]", "states: [TX, ZZ]")
		},
			[]string{filepath.Join(nb, "program.yaml") + `:17: "ZZ" is not a two-letter US state code`}},
		{"placeholder state", func(c, _ string) {
			edit(t, filepath.Join(c, nb, "program.yaml"), "states: [TX, FL]", "states: [XX, FL]")
		},
			[]string{filepath.Join(nb, "program.yaml") + `:17: "XX" is not a two-letter US state code, DC, or a territory (AS, GU, MP, PR, VI)`}},
		{"empty lines", func(c, _ string) {
			edit(t, filepath.Join(c, nb, "program.yaml"), "lines: [life, accident-and-health]", "lines: []")
		},
			[]string{filepath.Join(nb, "program.yaml") + `:16: lines must not be empty`}},
		{"unknown channel", func(c, _ string) { edit(t, filepath.Join(c, nb, "program.yaml"), "[voice, chat]", "[voice, fax]") },
			[]string{filepath.Join(nb, "program.yaml") + `:3: unknown channel "fax"`}},
		{"missing quiz file", func(_, q string) { os.Remove(filepath.Join(q, nb, "card-basics.quiz.yaml")) },
			[]string{filepath.Join(nb, "program.yaml") + `:10: quiz "card-basics" has no file`}},
		{"missing roleplay file", func(_, q string) { os.Remove(filepath.Join(q, nb, "disputed-fee.roleplay.yaml")) },
			[]string{filepath.Join(nb, "program.yaml") + `:12: role-play "disputed-fee" has no file`}},
		{"refresher window too long", func(c, _ string) {
			edit(t, filepath.Join(c, nb, "program.yaml"), "refresher_window_days: 30", "refresher_window_days: 400")
		}, []string{filepath.Join(nb, "program.yaml") + `:20: refresher_window_days must be at least 0 and less than valid_days (365)`}},
		{"onboarding day zero", func(c, _ string) {
			edit(t, filepath.Join(c, nb, "program.yaml"), "{day: 1, module: card-products}", "{day: 0, module: card-products}")
		}, []string{filepath.Join(nb, "program.yaml") + `:23: day must be 1 or more`}},
		{"onboarding names something not required", func(c, _ string) {
			edit(t, filepath.Join(c, nb, "program.yaml"), "{day: 3, quiz: card-basics}", "{day: 3, quiz: other}")
		}, []string{filepath.Join(nb, "program.yaml") + `:25: onboarding names quiz "other", which the program does not require`}},
		{"onboarding with two things", func(c, _ string) {
			edit(t, filepath.Join(c, nb, "program.yaml"), "{day: 3, quiz: card-basics}", "{day: 3, quiz: card-basics, module: card-products}")
		}, []string{filepath.Join(nb, "program.yaml") + `:25: an onboarding item needs exactly one of module, quiz, roleplay`}},
		{"NUL in a module", func(c, _ string) {
			edit(t, filepath.Join(c, nb, "card-products.md"), "kind: product", "kind: pro\x00duct")
		},
			[]string{filepath.Join(nb, "card-products.md") + `:4: the file must not contain a NUL character`,
				filepath.Join(nb, "program.yaml") + `:6: module "card-products" does not exist`}}, // unread, so missing
		{"invalid UTF-8 in program.yaml", func(c, _ string) {
			edit(t, filepath.Join(c, nb, "program.yaml"), "states: [TX, FL]", "states: [TX, F\xffL]")
		},
			[]string{filepath.Join(nb, "program.yaml") + `:17: the file must be valid UTF-8 text`}},
		{"no front matter", func(c, _ string) { write(t, filepath.Join(c, "_core", "staying-calm.md"), "# Just markdown\n") },
			[]string{filepath.Join("_core", "staying-calm.md") + `:1: a module starts with YAML front matter`}},
		{"front matter syntax error", func(c, _ string) {
			edit(t, filepath.Join(c, nb, "verify-caller.md"), "title: Verifying the caller", "title: a: b")
		},
			[]string{filepath.Join(nb, "verify-caller.md") + `:3: invalid YAML`}},
		{"minutes not a number", func(c, _ string) { edit(t, filepath.Join(c, nb, "card-products.md"), "minutes: 15", "minutes: lots") },
			[]string{filepath.Join(nb, "card-products.md") + `:6: minutes must be a whole number, got "lots"`}},
		{"missing change", func(c, _ string) { edit(t, filepath.Join(c, nb, "card-products.md"), "change: minor\n", "") },
			[]string{filepath.Join(nb, "card-products.md") + `:2: change is required`}},
		{"missing client.yaml", func(c, _ string) { os.Remove(filepath.Join(c, "northbank", "client.yaml")) },
			[]string{filepath.Join("northbank", "client.yaml") + `: cannot read the file`}},
		{"bad folder name", func(c, _ string) { write(t, filepath.Join(c, "North Bank", "client.yaml"), "slug: x\n") },
			[]string{`North Bank: folder name "North Bank" is not a slug`}},
		{"every error at once", func(c, _ string) {
			edit(t, filepath.Join(c, nb, "card-products.md"), "kind: product", "kind: brochure")
			edit(t, filepath.Join(c, nb, "program.yaml"), "states: [TX, FL]", "states: [TX, ZZ]")
			edit(t, filepath.Join(c, "northbank", "client.yaml"), "name: Northbank\n", "")
		}, []string{
			filepath.Join(nb, "card-products.md") + `:4: unknown kind`,
			filepath.Join(nb, "program.yaml") + `:17: "ZZ"`,
			filepath.Join("northbank", "client.yaml") + `:1: name is required`,
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root := copyLibrary(t)
			content, quizzes := filepath.Join(root, "content"), filepath.Join(root, "quizzes")
			edit(t, filepath.Join(content, nb, "card-products.md"), "cashback", "cash back") // a change that would be written
			tc.break_(content, quizzes)
			rep, err := f.svc.Import(ctx, content, quizzes, catalog.ImportOptions{})
			var probs catalog.Problems
			if !errors.As(err, &probs) || rep != nil {
				t.Fatalf("got %v, %v; want problems", rep, err)
			}
			msg := err.Error()
			for _, w := range tc.want {
				if !strings.Contains(msg, filepath.Join(content, w)) && !strings.Contains(msg, content+string(filepath.Separator)+w) {
					t.Errorf("got:\n%s\nwant a line containing %q", msg, w)
				}
			}
			if len(probs) != len(tc.want) {
				t.Errorf("got %d problems:\n%s\nwant %d", len(probs), msg, len(tc.want))
			}
			if got := counts(t, f.db); !reflect.DeepEqual(got, before) {
				t.Errorf("got %v, want the database untouched: %v", got, before)
			}
		})
	}
}

func TestConcurrentImportsSerialize(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	reports := make(chan *catalog.Report, 2)
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			rep, err := f.svc.Import(ctx, f.content, f.quizzes, catalog.ImportOptions{})
			reports <- rep
			errs <- err
		}()
	}
	var created, unchanged int
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatalf("got %v, want both imports to succeed one after the other", err)
		}
		rep := <-reports
		for _, it := range rep.Items {
			switch it.Outcome {
			case catalog.OutcomeCreated:
				created++
			case catalog.OutcomeUnchanged:
				unchanged++
			}
		}
	}
	if created == 0 || created != unchanged {
		t.Errorf("got %d created and %d unchanged, want the second import to find everything the first created", created, unchanged)
	}
}
