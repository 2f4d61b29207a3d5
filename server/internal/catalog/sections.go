package catalog

import (
	"fmt"
	"slices"
	"strings"
)

// Client returns the library's client folder with the slug, nil when there
// is none.
func (l *Library) Client(slug string) *ClientFile {
	for _, c := range l.Clients {
		if c.Slug == slug {
			return c
		}
	}
	return nil
}

// Program returns the client's program with the slug, nil when there is
// none.
func (l *Library) Program(client, slug string) *ProgramFile {
	if c := l.Client(client); c != nil {
		for _, p := range c.Programs {
			if p.Slug == slug {
				return p
			}
		}
	}
	return nil
}

// SectionChecker checks the module sections that quizzes and role-plays
// point agents to ("re-read this"), rendering each module once. It is not
// safe for concurrent use.
type SectionChecker struct {
	lib      *Library
	renderer *Renderer
	headings map[*ModuleFile][]string
}

// SectionChecker returns a checker of sections against the library.
func (l *Library) SectionChecker() *SectionChecker {
	return &SectionChecker{lib: l, renderer: NewRenderer(), headings: map[*ModuleFile][]string{}}
}

// Problem says why agents of the client's program could not open target,
// "" when they can. target is "<module>#<heading>" or
// "core/<module>#<heading>" (a bare module when the heading is optional):
// the module must be one the program lists (under modules: or the
// refresher's modules: in program.yaml), and the heading one that the
// rendered module has.
func (c *SectionChecker) Problem(client, program, target string) string {
	prog, cf := c.lib.Program(client, program), c.lib.Client(client)
	if prog == nil || cf == nil {
		return fmt.Sprintf("there is no program %s/%s", client, program)
	}
	ref, heading, hasHeading := strings.Cut(target, "#")
	want := ModuleRef{Slug: strings.TrimPrefix(ref, corePrefix), Core: strings.HasPrefix(ref, corePrefix)}
	refs := prog.Modules
	if prog.Refresher != nil {
		refs = append(slices.Clip(refs), prog.Refresher.Modules...)
	}
	if !slices.ContainsFunc(refs, func(r ModuleRef) bool { return r.Core == want.Core && r.Slug == want.Slug }) {
		return fmt.Sprintf("%s is not one of the modules of %s, so its agents cannot open it", want, prog.File)
	}
	modules := cf.Modules
	if want.Core {
		modules = c.lib.Core
	}
	i := slices.IndexFunc(modules, func(m *ModuleFile) bool { return m.Slug == want.Slug })
	if i < 0 {
		return fmt.Sprintf("there is no module %s", want)
	}
	if ids := c.headingsOf(modules[i]); hasHeading && !slices.Contains(ids, heading) {
		return fmt.Sprintf("%s has no heading #%s; its headings are %s", modules[i].File, heading, strings.Join(ids, ", "))
	}
	return ""
}

// headingsOf returns the ids of the module's headings as it renders them.
func (c *SectionChecker) headingsOf(m *ModuleFile) []string {
	if ids, ok := c.headings[m]; ok {
		return ids
	}
	ids := []string{}
	if r, err := c.renderer.Render(m.Body); err == nil {
		for _, e := range r.TOC {
			ids = append(ids, e.ID)
		}
	}
	c.headings[m] = ids
	return ids
}
