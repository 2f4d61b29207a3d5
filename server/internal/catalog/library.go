package catalog

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/skillgate/skillgate/server/internal/jurisdiction"
	"github.com/skillgate/skillgate/server/internal/pgtext"
)

// CoreFolder is the folder of content/ that holds the core modules.
const CoreFolder = "_core"

// corePrefix marks a core module in program.yaml: "core/<slug>".
const corePrefix = "core/"

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// ValidSlug reports whether s is a slug: lowercase letters, digits and
// hyphens, starting with a letter or digit, at most 63 characters.
func ValidSlug(s string) bool { return slugRE.MatchString(s) }

// Library is a parsed and validated content tree.
type Library struct {
	ContentRoot string
	QuizRoot    string
	Core        []*ModuleFile
	Clients     []*ClientFile
}

// ClientFile is a client folder: its client.yaml, programs and modules.
type ClientFile struct {
	File        string
	Slug        string
	Name        string
	Industry    string
	Description string
	Programs    []*ProgramFile
	Modules     []*ModuleFile // from all of the client's program folders
}

// ProgramFile is a parsed program.yaml.
type ProgramFile struct {
	File        string
	Slug        string
	Name        string
	Description string
	Channels    []string
	Modules     []ModuleRef
	Quizzes     []string
	// QuizGates are the quizzes that open only once modules are completed
	// (program.yaml `quizzes: [{slug: x, opens_after: ...}]`).
	QuizGates []QuizGateFile
	Roleplays []RoleplayReq
	Licenses  []LicenseReq
	// ServesOnlyListedStates: the program serves callers only in the
	// states its licenses list.
	ServesOnlyListedStates bool
	Policy                 CertificationPolicy
	// Onboarding items name modules as written in program.yaml (Slug
	// "core/<slug>" for core modules); ModuleID is empty until imported.
	Onboarding []OnboardingItem
	// Refresher is the optional refresher set (nil when not declared).
	Refresher *RefresherFile
}

// RefresherFile is program.yaml's refresher block: the required modules to
// read again and the quiz to pass when a certification comes up for renewal.
type RefresherFile struct {
	Modules []ModuleRef
	Quiz    string
}

// QuizGateFile is one gated quiz: it opens once every module in Modules
// is completed.
type QuizGateFile struct {
	Quiz    string
	Modules []ModuleRef
	Line    int
}

// OpensAfterAllModules is the opens_after value that gates a quiz on every
// module the program requires.
const OpensAfterAllModules = "modules"

// ModuleRef names a module from program.yaml.
type ModuleRef struct {
	Core bool
	Slug string
	Line int
}

// String is the reference as written: "slug" or "core/slug".
func (r ModuleRef) String() string {
	if r.Core {
		return corePrefix + r.Slug
	}
	return r.Slug
}

func parseModuleRef(s string, line int) ModuleRef {
	if rest, ok := strings.CutPrefix(s, corePrefix); ok {
		return ModuleRef{Core: true, Slug: rest, Line: line}
	}
	return ModuleRef{Slug: s, Line: line}
}

// ModuleFile is a parsed module: its front matter and markdown body.
type ModuleFile struct {
	File     string
	Slug     string
	Title    string
	Kind     string
	Summary  string
	Minutes  int
	Change   string
	Source   string // the whole file, with line endings normalized
	Body     string // the markdown after the front matter
	BodyLine int    // the file line the body starts on
	slugLine int
}

// Hash identifies the module's text (front matter and body).
func (m *ModuleFile) Hash() string { return contentHash(m.Source) }

func contentHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// LoadLibrary reads and validates the content tree under contentRoot, with
// quizzes and role-plays under quizRoot. It returns every problem found,
// sorted by file and line; the library is only meaningful when there are none.
func LoadLibrary(contentRoot, quizRoot string) (*Library, Problems) {
	l := &loader{lib: &Library{ContentRoot: contentRoot, QuizRoot: quizRoot}}
	l.load()
	l.check()
	l.probs.sort()
	return l.lib, l.probs
}

type loader struct {
	lib   *Library
	probs Problems
}

// ignored reports whether a directory entry is not part of the library:
// hidden files and folders, and READMEs.
func ignored(name string) bool {
	return strings.HasPrefix(name, ".") || strings.EqualFold(name, "README.md")
}

func (l *loader) readDir(dir string) []os.DirEntry {
	entries, err := os.ReadDir(dir)
	if err != nil {
		l.probs.add(dir, 0, "cannot read the folder: %v", unwrapPath(err))
		return nil
	}
	return slices.DeleteFunc(entries, func(e os.DirEntry) bool { return ignored(e.Name()) })
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func (l *loader) readFile(path string) ([]byte, bool) {
	b, err := pgtext.ReadFile(path)
	var fe *pgtext.FileError
	switch {
	case errors.As(err, &fe):
		l.probs.add(path, fe.Line, "the file %s", fe.Problem)
		return nil, false
	case err != nil:
		l.probs.add(path, 0, "cannot read the file: %v", unwrapPath(err))
		return nil, false
	}
	return b, true
}

func (l *loader) load() {
	root := l.lib.ContentRoot
	for _, e := range l.readDir(root) {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(root, e.Name())
		if e.Name() == CoreFolder {
			l.lib.Core = l.loadModules(dir, true)
			continue
		}
		if !ValidSlug(e.Name()) {
			l.probs.add(dir, 0, "folder name %q is not a slug (lowercase letters, digits and hyphens)", e.Name())
			continue
		}
		if c := l.loadClient(dir, e.Name()); c != nil {
			l.lib.Clients = append(l.lib.Clients, c)
		}
	}
}

func (l *loader) loadClient(dir, slug string) *ClientFile {
	c := &ClientFile{File: filepath.Join(dir, "client.yaml")}
	data, ok := l.readFile(c.File)
	if !ok {
		return nil
	}
	d := newYAMLDoc(c.File, 0, &l.probs)
	root := d.Root(data)
	if root == nil {
		return nil
	}
	seen := d.Set(root, map[string]func(*yaml.Node){
		"slug":        func(v *yaml.Node) { c.Slug = d.slug(v, slug) },
		"name":        func(v *yaml.Node) { c.Name = d.Text(v, "name") },
		"industry":    func(v *yaml.Node) { c.Industry = d.Text(v, "industry") },
		"description": func(v *yaml.Node) { c.Description = d.Text(v, "description") },
	})
	d.Require(root, seen, "slug", "name")
	c.Slug = slug // the folder name is authoritative once checked
	for _, e := range l.readDir(dir) {
		if !e.IsDir() {
			continue
		}
		pdir := filepath.Join(dir, e.Name())
		if !ValidSlug(e.Name()) {
			l.probs.add(pdir, 0, "folder name %q is not a slug (lowercase letters, digits and hyphens)", e.Name())
			continue
		}
		if p := l.loadProgram(pdir, slug, e.Name()); p != nil {
			c.Programs = append(c.Programs, p)
		}
		c.Modules = append(c.Modules, l.loadModules(pdir, false)...)
	}
	return c
}

// slug checks a slug field against its folder or file name.
func (d *yamlDoc) slug(v *yaml.Node, want string) string {
	s := d.Text(v, "slug")
	switch {
	case s == "":
	case !ValidSlug(s):
		d.Errf(v, "slug %q is not a slug (lowercase letters, digits and hyphens, at most 63)", s)
	case s != want:
		d.Errf(v, "slug %q does not match its name on disk %q", s, want)
	}
	return s
}

func (l *loader) loadProgram(dir, clientSlug, slug string) *ProgramFile {
	p := &ProgramFile{File: filepath.Join(dir, "program.yaml"), Slug: slug, Policy: DefaultPolicy}
	data, ok := l.readFile(p.File)
	if !ok {
		return nil
	}
	d := newYAMLDoc(p.File, 0, &l.probs)
	root := d.Root(data)
	if root == nil {
		return nil
	}
	quizDir := filepath.Join(l.lib.QuizRoot, clientSlug, slug)
	var onboarding []*yaml.Node
	var refresher *yaml.Node
	var gates []gateNode
	var servesOnly *yaml.Node
	seen := d.Set(root, map[string]func(*yaml.Node){
		"slug":        func(v *yaml.Node) { d.slug(v, slug) },
		"name":        func(v *yaml.Node) { p.Name = d.Text(v, "name") },
		"description": func(v *yaml.Node) { p.Description = d.Text(v, "description") },
		"channels": func(v *yaml.Node) {
			items := d.List(v, "channels")
			for _, n := range items {
				ch := d.Text(n, "a channel")
				switch {
				case ch == "":
				case !slices.Contains(Channels, ch):
					d.Errf(n, "unknown channel %q (want one of %s)", ch, strings.Join(Channels, ", "))
				case slices.Contains(p.Channels, ch):
					d.Errf(n, "channel %q is listed twice", ch)
				default:
					p.Channels = append(p.Channels, ch)
				}
			}
			if items != nil && len(items) == 0 {
				d.Errf(v, "channels needs at least one channel")
			}
		},
		"modules": func(v *yaml.Node) {
			for _, n := range d.List(v, "modules") {
				s := d.Text(n, "a module")
				if s == "" {
					continue
				}
				ref := parseModuleRef(s, n.Line)
				if slices.ContainsFunc(p.Modules, func(r ModuleRef) bool { return r.String() == ref.String() }) {
					d.Errf(n, "module %q is listed twice", s)
					continue
				}
				p.Modules = append(p.Modules, ref)
			}
		},
		"quizzes": func(v *yaml.Node) {
			for _, n := range d.List(v, "quizzes") {
				s, gate := d.quiz(n)
				if s = l.checkPart(d, n, s, p.Quizzes, quizDir, ".quiz.yaml", "quiz"); s != "" {
					p.Quizzes = append(p.Quizzes, s)
					if gate != nil {
						gates = append(gates, gateNode{quiz: s, node: gate})
					}
				}
			}
		},
		"roleplays": func(v *yaml.Node) {
			for _, n := range d.List(v, "roleplays") {
				r, ok := d.roleplay(n)
				if !ok {
					continue
				}
				names := make([]string, len(p.Roleplays))
				for i, x := range p.Roleplays {
					names[i] = x.Slug
				}
				if r.Slug = l.checkPart(d, n, r.Slug, names, quizDir, ".roleplay.yaml", "role-play"); r.Slug != "" {
					p.Roleplays = append(p.Roleplays, r)
				}
			}
		},
		"licenses": func(v *yaml.Node) {
			for _, n := range d.List(v, "licenses") {
				if lic, ok := d.license(n); ok {
					p.Licenses = append(p.Licenses, lic)
				}
			}
		},
		"serves_only_listed_states": func(v *yaml.Node) {
			p.ServesOnlyListedStates = d.Flag(v, "serves_only_listed_states")
			servesOnly = v
		},
		"certification": func(v *yaml.Node) { d.policy(v, &p.Policy) },
		"onboarding":    func(v *yaml.Node) { onboarding = d.List(v, "onboarding") },
		"refresher":     func(v *yaml.Node) { refresher = v },
	})
	d.Require(root, seen, "slug", "name", "channels")
	if p.ServesOnlyListedStates && len(p.Licenses) == 0 {
		d.Errf(servesOnly, "serves_only_listed_states needs a licenses block listing the states served")
	}
	for _, g := range gates {
		if gate, ok := d.quizGate(g, p); ok {
			p.QuizGates = append(p.QuizGates, gate)
		}
	}
	for _, n := range onboarding {
		if it, ok := d.onboardingItem(n, p); ok {
			p.Onboarding = append(p.Onboarding, it)
		}
	}
	if refresher != nil {
		p.Refresher = l.refresher(d, refresher, p, quizDir)
	}
	return p
}

// refresher parses the refresher block: modules the program requires (each
// once) and a quiz of the program's folder (required).
func (l *loader) refresher(d *yamlDoc, n *yaml.Node, p *ProgramFile, quizDir string) *RefresherFile {
	if !d.IsMapping(n, "refresher") {
		return nil
	}
	r := &RefresherFile{}
	seen := d.Set(n, map[string]func(*yaml.Node){
		"modules": func(v *yaml.Node) {
			for _, x := range d.List(v, "modules") {
				s := d.Text(x, "a module")
				if s == "" {
					continue
				}
				ref := parseModuleRef(s, x.Line)
				switch {
				case !slices.ContainsFunc(p.Modules, func(m ModuleRef) bool { return m.String() == ref.String() }):
					d.Errf(x, "refresher module %q is not one of the program's modules", s)
				case slices.ContainsFunc(r.Modules, func(m ModuleRef) bool { return m.String() == ref.String() }):
					d.Errf(x, "refresher module %q is listed twice", s)
				default:
					r.Modules = append(r.Modules, ref)
				}
			}
		},
		"quiz": func(v *yaml.Node) {
			r.Quiz = l.checkPart(d, v, d.Text(v, "quiz"), nil, quizDir, ".quiz.yaml", "refresher quiz")
		},
	})
	d.Require(n, seen, "quiz")
	if r.Quiz == "" {
		return nil
	}
	return r
}

// checkPart checks a quiz or role-play slug: valid, not listed twice, and
// its file exists. It returns "" when the slug is unusable.
func (l *loader) checkPart(d *yamlDoc, n *yaml.Node, slug string, listed []string, dir, ext, what string) string {
	switch {
	case slug == "":
		return ""
	case !ValidSlug(slug):
		d.Errf(n, "%s %q is not a slug", what, slug)
		return ""
	case slices.Contains(listed, slug):
		d.Errf(n, "%s %q is listed twice", what, slug)
		return ""
	}
	path := filepath.Join(dir, slug+ext)
	if st, err := os.Stat(path); err != nil || st.IsDir() {
		d.Errf(n, "%s %q has no file %s", what, slug, path)
	}
	return slug
}

// gateNode is a quiz's opens_after, checked once the modules are known.
type gateNode struct {
	quiz string
	node *yaml.Node
}

// quiz reads a quiz entry: a slug, or {slug, opens_after}; gate is the
// opens_after node (nil when the quiz is not gated).
func (d *yamlDoc) quiz(n *yaml.Node) (slug string, gate *yaml.Node) {
	if n.Kind == yaml.ScalarNode {
		return d.Text(n, "a quiz"), nil
	}
	if !d.IsMapping(n, "a quiz") {
		return "", nil
	}
	seen := d.Set(n, map[string]func(*yaml.Node){
		"slug":        func(v *yaml.Node) { slug = d.Text(v, "slug") },
		"opens_after": func(v *yaml.Node) { gate = v },
	})
	d.Require(n, seen, "slug")
	return slug, gate
}

// quizGate checks a quiz's opens_after: "modules" (every module the
// program requires) or a list of the program's modules, each once.
func (d *yamlDoc) quizGate(g gateNode, p *ProgramFile) (QuizGateFile, bool) {
	gate := QuizGateFile{Quiz: g.quiz, Line: g.node.Line}
	if g.node.Kind == yaml.ScalarNode {
		if g.node.Value != OpensAfterAllModules {
			d.Errf(g.node, "quiz %q: opens_after must be %q (every module of the program) or a list of the program's modules",
				g.quiz, OpensAfterAllModules)
			return gate, false
		}
		if len(p.Modules) == 0 {
			d.Errf(g.node, "quiz %q opens after the program's modules, but the program lists none", g.quiz)
			return gate, false
		}
		gate.Modules = slices.Clone(p.Modules)
		return gate, true
	}
	items := d.List(g.node, "opens_after")
	if items == nil {
		return gate, false
	}
	ok := len(items) > 0
	if !ok {
		d.Errf(g.node, "quiz %q: opens_after lists no module", g.quiz)
	}
	for _, x := range items {
		s := d.Text(x, "a module")
		if s == "" {
			ok = false
			continue
		}
		ref := parseModuleRef(s, x.Line)
		switch {
		case !slices.ContainsFunc(p.Modules, func(m ModuleRef) bool { return m.String() == ref.String() }):
			d.Errf(x, "quiz %q opens after module %q, which is not one of the program's modules", g.quiz, s)
			ok = false
		case slices.ContainsFunc(gate.Modules, func(m ModuleRef) bool { return m.String() == ref.String() }):
			d.Errf(x, "quiz %q: opens_after lists module %q twice", g.quiz, s)
			ok = false
		default:
			gate.Modules = append(gate.Modules, ref)
		}
	}
	return gate, ok
}

func (d *yamlDoc) roleplay(n *yaml.Node) (RoleplayReq, bool) {
	var r RoleplayReq
	if n.Kind == yaml.ScalarNode {
		r.Slug = d.Text(n, "a role-play")
		return r, r.Slug != ""
	}
	if !d.IsMapping(n, "a role-play") {
		return r, false
	}
	seen := d.Set(n, map[string]func(*yaml.Node){
		"slug":    func(v *yaml.Node) { r.Slug = d.Text(v, "slug") },
		"signoff": func(v *yaml.Node) { r.Signoff = d.Flag(v, "signoff") },
	})
	d.Require(n, seen, "slug")
	return r, r.Slug != ""
}

func (d *yamlDoc) license(n *yaml.Node) (LicenseReq, bool) {
	var lic LicenseReq
	if !d.IsMapping(n, "a license") {
		return lic, false
	}
	ok := true
	seen := d.Set(n, map[string]func(*yaml.Node){
		"class": func(v *yaml.Node) {
			lic.Class = d.Text(v, "class")
			if lic.Class != "" && !ValidSlug(lic.Class) {
				d.Errf(v, "class %q is not a slug", lic.Class)
				ok = false
			}
		},
		"lines": func(v *yaml.Node) {
			items := d.List(v, "lines")
			for _, x := range items {
				if s := d.Text(x, "a line of authority"); s != "" && !slices.Contains(lic.Lines, s) {
					lic.Lines = append(lic.Lines, s)
				}
			}
			if items != nil && len(items) == 0 {
				d.Errf(v, "lines must not be empty")
			}
		},
		"appointment": func(v *yaml.Node) { lic.Appointment = d.Flag(v, "appointment") },
		"states": func(v *yaml.Node) {
			items := d.List(v, "states")
			for _, x := range items {
				s := d.Text(x, "a state")
				switch {
				case s == "":
				case !jurisdiction.Valid(s):
					d.Errf(x, "%q is not %s", s, jurisdiction.Described)
					ok = false
				case slices.Contains(lic.States, s):
					d.Errf(x, "state %q is listed twice", s)
				default:
					lic.States = append(lic.States, s)
				}
			}
			if items != nil && len(items) == 0 {
				d.Errf(v, "states must not be empty")
			}
		},
	})
	d.Require(n, seen, "class", "lines", "states")
	return lic, ok && lic.Class != "" && len(lic.Lines) > 0 && len(lic.States) > 0
}

func (d *yamlDoc) policy(n *yaml.Node, pol *CertificationPolicy) {
	if !d.IsMapping(n, "certification") {
		return
	}
	lines := map[string]*yaml.Node{}
	num := func(field string, dst *int) func(*yaml.Node) {
		return func(v *yaml.Node) {
			if x, ok := d.Whole(v, field); ok {
				*dst = x
				lines[field] = v
			}
		}
	}
	d.Set(n, map[string]func(*yaml.Node){
		"valid_days":                 num("valid_days", &pol.ValidDays),
		"refresher_window_days":      num("refresher_window_days", &pol.RefresherWindowDays),
		"material_change_grace_days": num("material_change_grace_days", &pol.MaterialChangeGraceDays),
	})
	at := func(f string) *yaml.Node { return cmpNode(lines[f], n) }
	if pol.ValidDays <= 0 {
		d.Errf(at("valid_days"), "valid_days must be more than 0")
		return
	}
	for _, f := range []struct {
		name string
		v    int
	}{{"refresher_window_days", pol.RefresherWindowDays}, {"material_change_grace_days", pol.MaterialChangeGraceDays}} {
		if f.v < 0 || f.v >= pol.ValidDays {
			d.Errf(at(f.name), "%s must be at least 0 and less than valid_days (%d)", f.name, pol.ValidDays)
		}
	}
}

func cmpNode(a, b *yaml.Node) *yaml.Node {
	if a != nil {
		return a
	}
	return b
}

func (d *yamlDoc) onboardingItem(n *yaml.Node, p *ProgramFile) (OnboardingItem, bool) {
	var it OnboardingItem
	if !d.IsMapping(n, "an onboarding item") {
		return it, false
	}
	dayOK := false
	var kinds []string
	seen := d.Set(n, map[string]func(*yaml.Node){
		"day": func(v *yaml.Node) {
			if it.Day, dayOK = d.Whole(v, "day"); dayOK && it.Day < 1 {
				d.Errf(v, "day must be 1 or more (day 1 is the first day)")
				dayOK = false
			}
		},
		ItemModule: func(v *yaml.Node) {
			kinds = append(kinds, ItemModule)
			it.Kind, it.Slug = ItemModule, d.Text(v, "module")
		},
		ItemQuiz: func(v *yaml.Node) { kinds = append(kinds, ItemQuiz); it.Kind, it.Slug = ItemQuiz, d.Text(v, "quiz") },
		ItemRoleplay: func(v *yaml.Node) {
			kinds = append(kinds, ItemRoleplay)
			it.Kind, it.Slug = ItemRoleplay, d.Text(v, "roleplay")
		},
	})
	d.Require(n, seen, "day")
	if len(kinds) != 1 {
		d.Errf(n, "an onboarding item needs exactly one of module, quiz, roleplay")
		return it, false
	}
	required := false
	switch it.Kind {
	case ItemModule:
		ref := parseModuleRef(it.Slug, 0)
		required = slices.ContainsFunc(p.Modules, func(r ModuleRef) bool { return r.String() == ref.String() })
	case ItemQuiz:
		required = slices.Contains(p.Quizzes, it.Slug)
	case ItemRoleplay:
		required = slices.ContainsFunc(p.Roleplays, func(r RoleplayReq) bool { return r.Slug == it.Slug })
	}
	if it.Slug != "" && !required {
		d.Errf(n, "onboarding names %s %q, which the program does not require", it.Kind, it.Slug)
		return it, false
	}
	return it, dayOK && it.Slug != ""
}

// loadModules parses every *.md file directly in dir.
func (l *loader) loadModules(dir string, core bool) []*ModuleFile {
	var mods []*ModuleFile
	for _, e := range l.readDir(dir) {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".md") {
			continue
		}
		path := filepath.Join(dir, e.Name())
		data, ok := l.readFile(path)
		if !ok {
			continue
		}
		m, probs := ParseModule(path, string(data), strings.TrimSuffix(e.Name(), ".md"), core)
		// A module with problems still counts as existing, so programs
		// listing it get no second, misleading error.
		l.probs = append(l.probs, probs...)
		mods = append(mods, m)
	}
	return mods
}

// ParseModule parses and validates a module file's front matter; slug is
// the name the file must declare and core whether it is a core module.
func ParseModule(file, src, slug string, core bool) (*ModuleFile, Problems) {
	return parseModule(file, src, slug, core, true)
}

// parseModule is ParseModule; requireChange says whether the front matter
// must have a change field (Publish takes the change kind separately).
func parseModule(file, src, slug string, core, requireChange bool) (*ModuleFile, Problems) {
	var probs Problems
	m := &ModuleFile{File: file, Slug: slug, Source: normalize(src)}
	lines := strings.SplitAfter(m.Source, "\n")
	if len(lines) == 0 || strings.TrimRight(lines[0], "\n") != "---" {
		probs.add(file, 1, "a module starts with YAML front matter between --- lines")
		return m, probs
	}
	end := -1
	for i := 1; i < len(lines); i++ {
		if t := strings.TrimRight(lines[i], "\n"); t == "---" || t == "..." {
			end = i
			break
		}
	}
	if end < 0 {
		probs.add(file, 1, "the front matter is not closed by a --- line")
		return m, probs
	}
	m.Body = strings.Join(lines[end+1:], "")
	m.BodyLine = end + 2
	d := newYAMLDoc(file, 1, &probs)
	root := d.Root([]byte(strings.Join(lines[1:end], "")))
	if root == nil {
		return m, probs
	}
	minutesOK := false
	seen := d.Set(root, map[string]func(*yaml.Node){
		"slug":    func(v *yaml.Node) { d.slug(v, slug); m.slugLine = v.Line + 1 },
		"title":   func(v *yaml.Node) { m.Title = d.Text(v, "title") },
		"summary": func(v *yaml.Node) { m.Summary = d.Text(v, "summary") },
		"kind": func(v *yaml.Node) {
			m.Kind = d.Text(v, "kind")
			switch {
			case m.Kind == "":
			case !slices.Contains(ModuleKinds, m.Kind):
				d.Errf(v, "unknown kind %q (want one of %s)", m.Kind, strings.Join(ModuleKinds, ", "))
			case core && m.Kind != KindCoreSkill:
				d.Errf(v, "a module in %s must have kind %s", CoreFolder, KindCoreSkill)
			case !core && m.Kind == KindCoreSkill:
				d.Errf(v, "kind %s is only for modules in %s", KindCoreSkill, CoreFolder)
			}
		},
		"minutes": func(v *yaml.Node) {
			if m.Minutes, minutesOK = d.Whole(v, "minutes"); minutesOK && m.Minutes < 1 {
				d.Errf(v, "minutes must be 1 or more")
			}
		},
		"change": func(v *yaml.Node) {
			if m.Change = d.Text(v, "change"); m.Change != "" && m.Change != ChangeMinor && m.Change != ChangeMaterial {
				d.Errf(v, "change must be %s or %s, got %q", ChangeMinor, ChangeMaterial, m.Change)
			}
		},
	})
	d.Require(root, seen, "slug", "title", "kind", "minutes")
	if requireChange {
		d.Require(root, seen, "change")
	}
	return m, probs
}

// normalize drops a byte-order mark and turns CRLF and CR line ends into LF.
func normalize(s string) string {
	s = strings.TrimPrefix(s, "\ufeff")
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// check validates what spans files: module slugs unique within a client or
// the core, and every module a program lists exists.
func (l *loader) check() {
	core := l.uniqueModules(l.lib.Core)
	for _, c := range l.lib.Clients {
		own := l.uniqueModules(c.Modules)
		for _, p := range c.Programs {
			for _, r := range p.Modules {
				set, where := own, "client "+c.Slug
				if r.Core {
					set, where = core, filepath.Join(l.lib.ContentRoot, CoreFolder)
				}
				if _, ok := set[r.Slug]; !ok {
					l.probs.add(p.File, r.Line, "module %q does not exist in %s", r.String(), where)
				}
			}
		}
		sort.Slice(c.Programs, func(i, j int) bool { return c.Programs[i].Slug < c.Programs[j].Slug })
	}
}

func (l *loader) uniqueModules(mods []*ModuleFile) map[string]*ModuleFile {
	bySlug := map[string]*ModuleFile{}
	for _, m := range mods {
		if first, ok := bySlug[m.Slug]; ok {
			l.probs.add(m.File, m.slugLine, "module slug %q is already used by %s", m.Slug, first.File)
			continue
		}
		bySlug[m.Slug] = m
	}
	return bySlug
}
