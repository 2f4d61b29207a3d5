package catalog

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/apperr"
)

// LibraryFile is one file of a library export, by its path in the library
// ("content/fenmore-bank/client.yaml", "quizzes/_core/x.roleplay.yaml").
type LibraryFile struct {
	Path string
	Data []byte
}

// ExportLibrary writes the library in the content/ + quizzes/ layout that
// Import reads, so importing it changes nothing: every module's current
// version (a client's module in the folder of the first program listing
// it, by slug), each client.yaml and program.yaml from the catalog's rows,
// and the files the catalog keeps as imported (quizzes, banks, role-plays,
// the CE library, READMEs: library_files). clientSlug "" exports every
// client; otherwise that client's content with the core content it may
// use, and nothing that names another client (no top-level files: the CE
// library and the READMEs name every client). Errors: not_found (client).
//
// writers write the files other domains keep in tables (the CE library
// edited in the app): theirs replace the kept file of the same path.
func (s *Service) ExportLibrary(ctx context.Context, clientSlug string, writers ...LibraryWriter) ([]LibraryFile, error) {
	clients, err := s.ListClients(ctx)
	if err != nil {
		return nil, err
	}
	if clientSlug != "" {
		i := slices.IndexFunc(clients, func(c Client) bool { return c.Slug == clientSlug })
		if i < 0 {
			return nil, apperr.NotFoundf("client %q", clientSlug)
		}
		clients = clients[i : i+1]
	}
	mods, err := s.ListModules(ctx)
	if err != nil {
		return nil, err
	}
	var out []LibraryFile
	folderOf := map[string]string{} // module id → its folder
	for _, c := range clients {
		data, err := marshalYAML(clientYAML{Slug: c.Slug, Name: c.Name, Industry: c.Industry, Description: c.Description})
		if err != nil {
			return nil, err
		}
		out = append(out, LibraryFile{Path: path.Join("content", c.Slug, "client.yaml"), Data: data})
		progs, err := s.ListPrograms(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		slices.SortFunc(progs, func(a, b Program) int { return strings.Compare(a.Slug, b.Slug) })
		for i := range progs {
			r, err := s.Requirements(ctx, &progs[i])
			if err != nil {
				return nil, err
			}
			dir := path.Join("content", c.Slug, progs[i].Slug)
			data, err := marshalYAML(programYAMLOf(&progs[i], r))
			if err != nil {
				return nil, fmt.Errorf("catalog: export program %s/%s: %w", c.Slug, progs[i].Slug, err)
			}
			out = append(out, LibraryFile{Path: path.Join(dir, "program.yaml"), Data: data})
			for _, m := range r.Modules {
				if _, ok := folderOf[m.ModuleID]; !ok && !m.Core {
					folderOf[m.ModuleID] = dir
				}
			}
		}
	}
	exported := map[string]bool{}
	for _, c := range clients {
		exported[c.ID] = true
	}
	for i := range mods {
		m := &mods[i]
		dir := path.Join("content", CoreFolder)
		if m.ClientID != nil {
			if !exported[*m.ClientID] {
				continue
			}
			if dir = folderOf[m.ID]; dir == "" {
				continue // listed by no program: the file layout has no place for it
			}
		}
		v, err := s.Version(ctx, m.ID, m.CurrentVersion)
		if err != nil {
			return nil, err
		}
		out = append(out, LibraryFile{Path: path.Join(dir, m.Slug+".md"), Data: []byte(v.Source)})
	}
	kept, err := s.libraryFiles(ctx)
	if err != nil {
		return nil, err
	}
	for _, w := range writers {
		theirs, err := w.LibraryFiles(ctx)
		if err != nil {
			return nil, fmt.Errorf("catalog: export library: %w", err)
		}
		for _, f := range theirs {
			if i := slices.IndexFunc(kept, func(k LibraryFile) bool { return k.Path == f.Path }); i >= 0 {
				kept[i] = f
			} else {
				kept = append(kept, f)
			}
		}
	}
	for _, f := range kept {
		if clientSlug == "" || keptFor(f.Path, clientSlug) {
			out = append(out, f)
		}
	}
	slices.SortFunc(out, func(a, b LibraryFile) int { return strings.Compare(a.Path, b.Path) })
	return out, nil
}

// LibraryWriter writes a domain's files of a library export from its own
// tables (the licensing service's CE library).
type LibraryWriter interface {
	LibraryFiles(ctx context.Context) ([]LibraryFile, error)
}

// keptFor reports whether a kept file belongs in one client's export: its
// own and the core ones; not the library's top-level files (the CE
// library and the READMEs name other clients).
func keptFor(p, clientSlug string) bool {
	parts := strings.Split(p, "/")
	return len(parts) > 2 && (parts[1] == clientSlug || parts[1] == CoreFolder)
}

// WriteLibrary writes files under dir (created as needed).
func WriteLibrary(dir string, files []LibraryFile) error {
	for _, f := range files {
		to := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(to, f.Data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

type clientYAML struct {
	Slug        string `yaml:"slug"`
	Name        string `yaml:"name"`
	Industry    string `yaml:"industry,omitempty"`
	Description string `yaml:"description,omitempty"`
}

type programYAML struct {
	Slug                   string           `yaml:"slug"`
	Name                   string           `yaml:"name"`
	Channels               []string         `yaml:"channels,flow"`
	Description            string           `yaml:"description,omitempty"`
	Modules                []string         `yaml:"modules,omitempty"`
	Quizzes                []any            `yaml:"quizzes,omitempty"`
	Roleplays              []roleplayYAML   `yaml:"roleplays,omitempty"`
	Licenses               []licenseYAML    `yaml:"licenses,omitempty"`
	ServesOnlyListedStates bool             `yaml:"serves_only_listed_states,omitempty"`
	Certification          policyYAML       `yaml:"certification"`
	Onboarding             []map[string]any `yaml:"onboarding,omitempty"`
	Refresher              *refresherYAML   `yaml:"refresher,omitempty"`
}

type roleplayYAML struct {
	Slug    string `yaml:"slug"`
	Signoff bool   `yaml:"signoff"`
}

type licenseYAML struct {
	Class       string   `yaml:"class"`
	Lines       []string `yaml:"lines,flow"`
	States      []string `yaml:"states,flow"`
	Appointment bool     `yaml:"appointment,omitempty"`
}

type policyYAML struct {
	ValidDays               int `yaml:"valid_days"`
	RefresherWindowDays     int `yaml:"refresher_window_days"`
	MaterialChangeGraceDays int `yaml:"material_change_grace_days"`
}

type refresherYAML struct {
	Modules []string `yaml:"modules,flow"`
	Quiz    string   `yaml:"quiz"`
}

type quizGateYAML struct {
	Slug       string   `yaml:"slug"`
	OpensAfter []string `yaml:"opens_after,flow"`
}

// programYAMLOf is program.yaml for p and its requirements r: importing it
// gives the same program (the same spec hash).
func programYAMLOf(p *Program, r *Requirements) programYAML {
	ref := map[string]string{} // module id → as program.yaml names it
	out := programYAML{Slug: p.Slug, Name: p.Name, Channels: p.Channels, Description: p.Description,
		ServesOnlyListedStates: p.ServesOnlyListedStates,
		Certification:          policyYAML{r.Policy.ValidDays, r.Policy.RefresherWindowDays, r.Policy.MaterialChangeGraceDays}}
	for _, m := range r.Modules {
		ref[m.ModuleID] = moduleRefString(m.Core, m.Slug)
		out.Modules = append(out.Modules, ref[m.ModuleID])
	}
	for _, q := range r.Quizzes {
		g := r.GateOf(q)
		if g == nil {
			out.Quizzes = append(out.Quizzes, q)
			continue
		}
		gate := quizGateYAML{Slug: q}
		for _, id := range g.ModuleIDs {
			gate.OpensAfter = append(gate.OpensAfter, ref[id])
		}
		out.Quizzes = append(out.Quizzes, gate)
	}
	for _, x := range r.Roleplays {
		out.Roleplays = append(out.Roleplays, roleplayYAML(x))
	}
	for _, l := range r.Licenses {
		out.Licenses = append(out.Licenses, licenseYAML{Class: l.Class, Lines: l.Lines, States: l.States, Appointment: l.Appointment})
	}
	for _, it := range r.Onboarding {
		out.Onboarding = append(out.Onboarding, map[string]any{"day": it.Day, it.Kind: it.Slug})
	}
	if r.Refresher != nil {
		out.Refresher = &refresherYAML{Modules: []string{}, Quiz: r.Refresher.Quiz}
		for _, m := range r.Refresher.Modules {
			out.Refresher.Modules = append(out.Refresher.Modules, m.Slug)
		}
	}
	return out
}

// programFileOf is the ProgramFile an import of programYAMLOf(p, r) reads:
// its spec hash is the program's as the files would have it.
func programFileOf(p *Program, r *Requirements) *ProgramFile {
	y := programYAMLOf(p, r)
	f := &ProgramFile{Slug: p.Slug, Name: p.Name, Description: p.Description, Channels: y.Channels,
		ServesOnlyListedStates: p.ServesOnlyListedStates, Policy: r.Policy}
	for _, m := range y.Modules {
		f.Modules = append(f.Modules, parseModuleRef(m, 0))
	}
	for _, q := range y.Quizzes {
		switch q := q.(type) {
		case string:
			f.Quizzes = append(f.Quizzes, q)
		case quizGateYAML:
			f.Quizzes = append(f.Quizzes, q.Slug)
			g := QuizGateFile{Quiz: q.Slug}
			for _, m := range q.OpensAfter {
				g.Modules = append(g.Modules, parseModuleRef(m, 0))
			}
			f.QuizGates = append(f.QuizGates, g)
		}
	}
	f.Roleplays = r.Roleplays
	f.Licenses = r.Licenses
	for _, it := range r.Onboarding {
		f.Onboarding = append(f.Onboarding, OnboardingItem{Day: it.Day, Kind: it.Kind, Slug: it.Slug})
	}
	if y.Refresher != nil {
		f.Refresher = &RefresherFile{Quiz: y.Refresher.Quiz}
		for _, m := range y.Refresher.Modules {
			f.Refresher.Modules = append(f.Refresher.Modules, parseModuleRef(m, 0))
		}
	}
	return f
}

func moduleRefString(core bool, slug string) string {
	return ModuleRef{Core: core, Slug: slug}.String()
}

func marshalYAML(v any) ([]byte, error) {
	var b strings.Builder
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return []byte(b.String()), nil
}

// keepLibraryFiles records, in tx, the files of the imported tree that the
// catalog does not write back from its rows: every file under quizRoot and
// the files directly in contentRoot. Paths are kept relative to the
// library ("quizzes/…", "content/…").
func keepLibraryFiles(tx *gorm.DB, contentRoot, quizRoot, importID string, at time.Time) error {
	var files []LibraryFile
	top, err := os.ReadDir(contentRoot)
	if err != nil {
		return err
	}
	for _, e := range top {
		if e.Type().IsRegular() && !ignored(e.Name()) {
			data, err := os.ReadFile(filepath.Join(contentRoot, e.Name()))
			if err != nil {
				return err
			}
			files = append(files, LibraryFile{Path: "content/" + e.Name(), Data: data})
		}
	}
	if quizRoot != "" {
		err = filepath.WalkDir(quizRoot, func(p string, e fs.DirEntry, err error) error {
			if err != nil {
				if os.IsNotExist(err) && p == quizRoot {
					return fs.SkipAll
				}
				return err
			}
			if ignored(e.Name()) && p != quizRoot {
				if e.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if !e.Type().IsRegular() {
				return nil
			}
			rel, err := filepath.Rel(quizRoot, p)
			if err != nil {
				return err
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			files = append(files, LibraryFile{Path: "quizzes/" + filepath.ToSlash(rel), Data: data})
			return nil
		})
		if err != nil {
			return err
		}
	}
	return upsertLibraryFiles(tx, files, importID, at)
}
