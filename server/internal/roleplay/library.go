package roleplay

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/skillgate/skillgate/server/internal/contentfile"
	"github.com/skillgate/skillgate/server/internal/pgtext"
)

// LoadDir reads every scenario under the quizzes folder root:
// _core/<slug>.roleplay.yaml (core scenarios) and
// <client>/<program>/<slug>.roleplay.yaml (client scenarios, whole or
// extending a core one). It returns the client scenarios, resolved and
// checked, sorted by key, and the core scenarios. Every problem in every
// file is returned together, each naming file:line. A missing root is an
// empty library.
func LoadDir(root string) (scenarios, cores []*Scenario, ps contentfile.Problems) {
	type pending struct {
		ext                   *extension
		client, program, slug string
	}
	var exts []pending
	coreBySlug := map[string]*Scenario{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && path == root {
				return fs.SkipAll
			}
			ps = append(ps, contentfile.Problem{File: path, Line: 1, Message: "cannot read: " + err.Error()})
			return nil
		}
		if d.IsDir() || !strings.HasSuffix(d.Name(), FileSuffix) {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		parts := strings.Split(filepath.ToSlash(rel), "/")
		slug := strings.TrimSuffix(parts[len(parts)-1], FileSuffix)
		isCore := len(parts) == 2 && parts[0] == CoreFolder
		if !isCore && len(parts) != 3 {
			ps = append(ps, contentfile.Problem{File: path, Line: 1, Message: "role-plays live in " + CoreFolder + "/ or <client>/<program>/"})
			return nil
		}
		if !validSlug(slug) {
			ps = append(ps, contentfile.Problem{File: path, Line: 1, Message: "the file name " + slug + " is not a slug"})
			return nil
		}
		data, err := pgtext.ReadFile(path)
		var fe *pgtext.FileError
		switch {
		case errors.As(err, &fe):
			ps = append(ps, contentfile.Problem{File: path, Line: fe.Line, Message: "the file " + fe.Problem})
			return nil
		case err != nil:
			ps = append(ps, contentfile.Problem{File: path, Line: 1, Message: "cannot read: " + err.Error()})
			return nil
		}
		s, ext, fps := parseFile(path, data)
		ps = append(ps, fps...)
		switch {
		case ext != nil && isCore:
			ps = append(ps, contentfile.Problem{File: path, Line: ext.line, Message: "a core scenario cannot extend another"})
		case ext != nil:
			exts = append(exts, pending{ext, parts[0], parts[1], slug})
		case s != nil && len(fps) == 0:
			s.Slug = slug
			if !isCore {
				s.Client, s.Program = parts[0], parts[1]
			}
			cps := check(s)
			ps = append(ps, cps...)
			if len(cps) > 0 {
				return nil
			}
			if isCore {
				coreBySlug[slug] = s
				cores = append(cores, s)
			} else {
				scenarios = append(scenarios, s)
			}
		}
		return nil
	})
	if err != nil {
		ps = append(ps, contentfile.Problem{File: root, Line: 1, Message: err.Error()})
	}
	for _, p := range exts {
		core, ok := coreBySlug[p.ext.core]
		if !ok {
			if p.ext.core != "" && !coreFileExists(root, p.ext.core) {
				ps = append(ps, contentfile.Problem{File: p.ext.file, Line: p.ext.line,
					Message: "extends core/" + p.ext.core + ", but the quizzes folder has no " + CoreFolder + "/" + p.ext.core + FileSuffix})
			}
			continue // a core file with problems has reported them
		}
		s, rps := resolve(p.ext, core, p.client, p.program, p.slug)
		ps = append(ps, rps...)
		if s != nil {
			scenarios = append(scenarios, s)
		}
	}
	ps.Sort()
	sort.Slice(scenarios, func(i, j int) bool { return scenarios[i].Key() < scenarios[j].Key() })
	return scenarios, cores, ps
}

func coreFileExists(root, slug string) bool {
	st, err := os.Stat(filepath.Join(root, CoreFolder, slug+FileSuffix))
	return err == nil && !st.IsDir()
}
