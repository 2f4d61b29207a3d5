package licensing

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"gopkg.in/yaml.v3"
	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/audit"
	"github.com/skillgate/skillgate/server/internal/catalog"
	"github.com/skillgate/skillgate/server/internal/certification"
	"github.com/skillgate/skillgate/server/internal/contentfile"
	"github.com/skillgate/skillgate/server/internal/jurisdiction"
)

// CEFile is the CE library's file name in the content folder.
const CEFile = "ce-requirements.yaml"

// CERequirement is the continuing education a state asks of a license class
// each renewal period: Hours in all, of which Categories[c] must be of
// category c. The period is the PeriodMonths before the license's expiry
// date (not before its effective date). Sample says the values are an
// example nobody has checked against the state's rules yet.
type CERequirement struct {
	State        string             `json:"state"`
	Class        string             `json:"class"`
	PeriodMonths int                `json:"period_months"`
	Hours        float64            `json:"hours"`
	Categories   map[string]float64 `json:"categories"`
	Sample       bool               `json:"sample"`
}

// checkRequirement checks a requirement's values, normalizing its state
// code and adding each problem to f by field ("categories.<name>" for one
// category's hours): the one check the library file and the admin page
// share.
func checkRequirement(r *CERequirement, f apperr.Fields) {
	if code, ok := jurisdiction.Parse(r.State); ok {
		r.State = code
	} else {
		f.Add("state", "must be %s", jurisdiction.Described)
	}
	if !catalog.ValidSlug(r.Class) {
		f.Add("class", "must be a license class slug such as insurance-producer")
	}
	if r.PeriodMonths < 1 || r.PeriodMonths > 120 {
		f.Add("period_months", "must be 1 to 120")
	}
	if r.Hours <= 0 || r.Hours > 500 {
		f.Add("hours", "must be more than 0 and at most 500")
	}
	sum := 0.0
	for _, c := range slices.Sorted(maps.Keys(r.Categories)) {
		h := r.Categories[c]
		if !catalog.ValidSlug(c) {
			f.Add("categories."+c, "%q is not a category slug such as ethics", c)
		} else if h <= 0 || h > 500 {
			f.Add("categories."+c, "must be more than 0 and at most 500")
		}
		sum += h
	}
	if r.Hours > 0 && sum > r.Hours {
		f.Add("categories", "the categories' hours (%g) are more than the requirement's hours (%g)", sum, r.Hours)
	}
}

// CECourse is a program or a module approved as a CE course in States:
// certifying on the program, or completing the module, earns Hours of
// Category in each of them. Exactly one of Program and Module is set.
type CECourse struct {
	Program     string   `json:"program"` // client/program
	ProgramName string   `json:"program_name"`
	ProgramID   string   `json:"program_id"`
	Module      string   `json:"module"` // client/module or core/module
	ModuleTitle string   `json:"module_title"`
	ModuleID    string   `json:"module_id"`
	States      []string `json:"states"`
	Approval    string   `json:"approval"`
	Hours       float64  `json:"hours"`
	Category    string   `json:"category"`
}

// title is the course's name on a credit.
func (c *CECourse) title() string {
	if c.Module != "" {
		return cmp.Or(c.ModuleTitle, c.Module)
	}
	return cmp.Or(c.ProgramName, c.Program)
}

// CELibrary is the CE library: imported from the file, its requirements
// maintained in the app since. Sample is the file's flag (its notice and
// courses are examples); each requirement carries its own.
type CELibrary struct {
	Sample       bool            `json:"sample"`
	Notice       string          `json:"notice"`
	Requirements []CERequirement `json:"requirements"`
	Courses      []CECourse      `json:"courses"`
	ImportedAt   *time.Time      `json:"imported_at"`
	// EditedAt and EditedBy: the requirements were changed in the app since
	// the file was last imported (nil when not); export them to the file.
	EditedAt *time.Time `json:"edited_at"`
	EditedBy string     `json:"edited_by,omitempty"`
}

// requirement returns the library's requirement for the state and class.
func (lib *CELibrary) requirement(state, class string) *CERequirement {
	for i := range lib.Requirements {
		if r := &lib.Requirements[i]; r.State == state && r.Class == class {
			return r
		}
	}
	return nil
}

// CECredit is CE an agent earned in a state.
type CECredit struct {
	ID             string    `gorm:"column:id" json:"id"`
	UserID         string    `gorm:"column:user_id" json:"user_id"`
	Jurisdiction   string    `gorm:"column:jurisdiction" json:"jurisdiction"`
	Hours          float64   `gorm:"column:hours" json:"hours"`
	Category       string    `gorm:"column:category" json:"category"`
	CompletedOn    Date      `gorm:"column:completed_on" json:"completed_on"`
	Source         string    `gorm:"column:source" json:"source"` // course or external
	ProgramID      *string   `gorm:"column:program_id" json:"program_id"`
	ModuleID       *string   `gorm:"column:module_id" json:"module_id"`
	Title          string    `gorm:"column:title" json:"title"`
	ApprovalNumber string    `gorm:"column:approval_number" json:"approval_number"`
	Evidence       string    `gorm:"column:evidence" json:"evidence"`
	RecordedBy     string    `gorm:"column:recorded_by" json:"recorded_by"`
	CreatedAt      time.Time `gorm:"column:created_at;autoCreateTime:false" json:"created_at"`
}

// TableName names the table.
func (CECredit) TableName() string { return "ce_credits" }

// CECategory is one category's hours in a standing ("" is the total).
type CECategory struct {
	Category string  `json:"category"`
	Required float64 `json:"required"`
	Earned   float64 `json:"earned"`
}

// CEStanding is a license's CE this renewal period against its requirement.
type CEStanding struct {
	License     License      `json:"license"`
	Requirement bool         `json:"requirement"` // false: the library has none for its state and class
	Sample      bool         `json:"sample"`      // the requirement is a sample value
	PeriodStart *Date        `json:"period_start"`
	PeriodEnd   Date         `json:"period_end"` // the expiry date (exclusive)
	Required    float64      `json:"required_hours"`
	Earned      float64      `json:"earned_hours"`
	Categories  []CECategory `json:"categories"`
	Complete    bool         `json:"complete"`
	DaysLeft    int          `json:"days_left"`
	Email       string       `json:"email,omitempty"`
	DisplayName string       `json:"display_name,omitempty"`
}

// period is the renewal period of a license under req: the PeriodMonths
// before its expiry date, not before its effective date.
func period(l *License, req *CERequirement) Date {
	start := Date{l.ExpiryDate.AddDate(0, -req.PeriodMonths, 0)}
	if start.Before(l.EffectiveDate.Time) {
		start = l.EffectiveDate
	}
	return start
}

// standing computes a license's CE standing from the agent's credits.
func standing(lib *CELibrary, l License, credits []CECredit, today Date) CEStanding {
	st := CEStanding{License: l, PeriodEnd: l.ExpiryDate, Categories: []CECategory{},
		DaysLeft: int(l.ExpiryDate.Sub(today.Time).Hours() / 24)}
	req := lib.requirement(l.Jurisdiction, l.Class)
	if req == nil {
		st.Complete = true
		return st
	}
	st.Requirement, st.Required, st.Sample = true, req.Hours, req.Sample
	start := period(&l, req)
	st.PeriodStart = &start
	earned := map[string]float64{}
	for _, c := range credits {
		if c.Jurisdiction != l.Jurisdiction || c.CompletedOn.Before(start.Time) || !c.CompletedOn.Before(l.ExpiryDate.Time) {
			continue
		}
		st.Earned += c.Hours
		earned[c.Category] += c.Hours
	}
	st.Earned = round2(st.Earned)
	st.Complete = st.Earned >= st.Required
	cats := make([]string, 0, len(req.Categories))
	for c := range req.Categories {
		cats = append(cats, c)
	}
	sort.Strings(cats)
	for _, c := range cats {
		cc := CECategory{Category: c, Required: req.Categories[c], Earned: round2(earned[c])}
		st.Categories = append(st.Categories, cc)
		if cc.Earned < cc.Required {
			st.Complete = false
		}
	}
	return st
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }

// ceLoader is the content import's part that reads the CE library file.
type ceLoader struct {
	svc    *Service
	mu     sync.Mutex
	loaded map[*catalog.Library]*CELibrary
}

// CEImporter returns the content import's part for the CE library
// (content/ce-requirements.yaml; no file keeps the library as it is).
func (s *Service) CEImporter() catalog.Part {
	return &ceLoader{svc: s, loaded: map[*catalog.Library]*CELibrary{}}
}

// Load reads and checks the CE library file against the library's programs.
func (cl *ceLoader) Load(lib *catalog.Library) catalog.Problems {
	file := filepath.Join(lib.ContentRoot, CEFile)
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return catalog.Problems{{File: file, Message: fmt.Sprintf("cannot read the file: %v", err)}}
	}
	known, names := map[string]bool{}, map[string]string{}
	for _, c := range lib.Clients {
		for _, p := range c.Programs {
			known[c.Slug+"/"+p.Slug] = true
			names[c.Slug+"/"+p.Slug] = p.Name
		}
		for _, m := range c.Modules {
			known[c.Slug+"/"+m.Slug] = true
			names[c.Slug+"/"+m.Slug] = m.Title
		}
	}
	for _, m := range lib.Core {
		known["core/"+m.Slug] = true
		names["core/"+m.Slug] = m.Title
	}
	out, ps := ParseCELibrary(file, data, known)
	if out != nil {
		for i := range out.Courses {
			if c := &out.Courses[i]; c.Module != "" {
				c.ModuleTitle = names[c.Module]
			} else {
				c.ProgramName = names[c.Program]
			}
		}
	}
	if len(ps) > 0 {
		res := make(catalog.Problems, len(ps))
		for i, p := range ps {
			res[i] = catalog.Problem(p)
		}
		return res
	}
	cl.mu.Lock()
	cl.loaded[lib] = out
	cl.mu.Unlock()
	return nil
}

// ParseCELibrary reads a CE library file; known holds the library's
// programs ("client/program") and modules ("client/module",
// "core/module"), which a course may name.
func ParseCELibrary(file string, data []byte, known map[string]bool) (*CELibrary, contentfile.Problems) {
	d := contentfile.NewDecoder(file)
	root := d.Document(data)
	if root == nil {
		return nil, d.Problems()
	}
	lib := &CELibrary{Requirements: []CERequirement{}, Courses: []CECourse{}}
	positive := func(n *yaml.Node, key string, max float64) float64 {
		v := d.Number(n, key)
		if v <= 0 || v > max {
			d.Errf(n, "%s must be more than 0 and at most %g", key, max)
		}
		return v
	}
	sampleSeen := false
	var samples []*bool // each requirement's own sample flag, if it has one
	for _, f := range d.Fields(root, "the CE library", "sample", "notice", "requirements", "courses") {
		switch f.Key {
		case "sample":
			lib.Sample, sampleSeen = d.Bool(f.V, "sample"), true
		case "notice":
			lib.Notice = strings.TrimSpace(d.Str(f.V, "notice"))
		case "requirements":
			seen := map[string]int{}
			for _, n := range d.Seq(f.V, "requirements") {
				var r CERequirement
				var sample *bool
				for _, g := range d.Fields(n, "a requirement", "state", "class", "period_months", "hours", "categories", "sample") {
					switch g.Key {
					case "state":
						r.State = d.Str(g.V, "state")
					case "class":
						r.Class = d.Str(g.V, "class")
					case "period_months":
						r.PeriodMonths = d.Int(g.V, "period_months")
					case "hours":
						r.Hours = d.Number(g.V, "hours")
					case "categories":
						r.Categories = map[string]float64{}
						for _, c := range d.Pairs(g.V, "categories") {
							r.Categories[c.Key] = d.Number(c.V, c.Key)
						}
					case "sample":
						b := d.Bool(g.V, "sample")
						sample = &b
					}
				}
				if r.State == "" || r.Class == "" || r.PeriodMonths == 0 || r.Hours == 0 {
					d.Errf(n, "a requirement needs state, class, period_months and hours")
					continue
				}
				if r.Categories == nil {
					r.Categories = map[string]float64{}
				}
				fields := apperr.Fields{}
				checkRequirement(&r, fields)
				for _, k := range slices.Sorted(maps.Keys(fields)) {
					if k == "categories" {
						d.Errf(n, "%s", fields[k])
					} else {
						d.Errf(n, "%s %s", k, fields[k])
					}
				}
				key := r.State + " " + r.Class
				if line, dup := seen[key]; dup {
					d.Errf(n, "%s is listed twice (first on line %d)", key, line)
				}
				seen[key] = n.Line
				samples = append(samples, sample)
				lib.Requirements = append(lib.Requirements, r)
			}
		case "courses":
			for _, n := range d.Seq(f.V, "courses") {
				var c CECourse
				for _, g := range d.Fields(n, "a course", "program", "module", "states", "approval", "hours", "category") {
					switch g.Key {
					case "program":
						c.Program = d.Str(g.V, "program")
						if !known[c.Program] {
							d.Errf(g.V, "no program %q (client/program) in the content library", c.Program)
						}
					case "module":
						c.Module = d.Str(g.V, "module")
						if !known[c.Module] {
							d.Errf(g.V, "no module %q (client/module or core/module) in the content library", c.Module)
						}
					case "states":
						for _, s := range d.Strs(g.V, "states") {
							code, ok := jurisdiction.Parse(s)
							if !ok {
								d.Errf(g.V, "%q is not %s", s, jurisdiction.Described)
							}
							c.States = append(c.States, code)
						}
					case "approval":
						c.Approval = d.Str(g.V, "approval")
					case "hours":
						c.Hours = positive(g.V, "hours", 100)
					case "category":
						c.Category = d.Str(g.V, "category")
						if c.Category != "" && !catalog.ValidSlug(c.Category) {
							d.Errf(g.V, "category %q is not a slug such as ethics", c.Category)
						}
					}
				}
				if (c.Program == "") == (c.Module == "") || len(c.States) == 0 || c.Approval == "" || c.Hours == 0 {
					d.Errf(n, "a course needs a program or a module (one of them), states, approval and hours")
					continue
				}
				lib.Courses = append(lib.Courses, c)
			}
		}
	}
	if !sampleSeen {
		d.Errf(root, "say whether the values are samples: sample: true until compliance has checked each against the state's rules")
	}
	for i, sample := range samples {
		lib.Requirements[i].Sample = lib.Sample
		if sample != nil {
			lib.Requirements[i].Sample = *sample
		}
	}
	return lib, d.Problems()
}

// Apply stores the loaded CE library in tx when it changed, audited as
// ce.library.import.
func (cl *ceLoader) Apply(ctx context.Context, tx *gorm.DB, run *catalog.ImportRun) error {
	cl.mu.Lock()
	lib := cl.loaded[run.Library]
	delete(cl.loaded, run.Library)
	cl.mu.Unlock()
	if lib == nil {
		return nil
	}
	for i := range lib.Courses {
		if c := &lib.Courses[i]; c.Module != "" {
			c.ModuleID = run.ModuleIDs[c.Module]
		} else {
			c.ProgramID = run.ProgramIDs[c.Program]
		}
	}
	raw, err := json.Marshal(lib)
	if err != nil {
		return err
	}
	hash := hashOf(raw)
	cur, err := lockCELibrary(tx)
	if err != nil {
		return err
	}
	// The file seeds the library and wins only when it changed since it
	// was last imported: edits made in the app stay until then.
	if cur != nil && cur.FileHash != nil && *cur.FileHash == hash {
		run.Report.Add("ce-library", CEFile, catalog.OutcomeUnchanged, 0)
		return nil
	}
	if err := importCELibrary(tx, raw, hash, cl.svc.now()); err != nil {
		return err
	}
	outcome := catalog.OutcomeChanged
	if cur == nil {
		outcome = catalog.OutcomeCreated
	}
	run.Report.Add("ce-library", CEFile, outcome, 0)
	after := map[string]any{"hash": hash, "sample": lib.Sample, "requirements": len(lib.Requirements), "courses": len(lib.Courses)}
	entry := audit.Entry{Actor: run.Actor, Action: "ce.library.import", SubjectType: "ce_library", SubjectID: "1", After: after}
	if cur != nil && cur.EditedAt != nil {
		// The changed file replaces requirements edited in the app: the
		// audit entry keeps them.
		old, err := cur.decode()
		if err != nil {
			return err
		}
		entry.Before = map[string]any{"requirements": old.Requirements, "edited_at": old.EditedAt, "edited_by": old.EditedBy}
		after["replaced_app_edits"] = true
	}
	return cl.svc.audit.Record(ctx, tx, entry)
}

// hashOf is the hex SHA-256 of a stored library document.
func hashOf(doc []byte) string {
	sum := sha256.Sum256(doc)
	return hex.EncodeToString(sum[:])
}

// CELibrary returns the imported CE library (empty when none was imported)
// to compliance and admins. Errors: unauthorized, forbidden.
func (s *Service) CELibrary(ctx context.Context) (*CELibrary, error) {
	if _, err := requireCompliance(ctx); err != nil {
		return nil, err
	}
	return s.store.CELibrary(ctx)
}

// RecordCEInput is external CE compliance records for an agent.
type RecordCEInput struct {
	UserID         string  `json:"user_id"`
	Jurisdiction   string  `json:"jurisdiction"`
	Hours          float64 `json:"hours"`
	Category       string  `json:"category"`
	CompletedOn    string  `json:"completed_on"`
	Title          string  `json:"title"`
	ApprovalNumber string  `json:"approval_number"`
	Evidence       string  `json:"evidence"`
}

// RecordCECredit records CE an agent completed outside Skillgate, with
// evidence (compliance only), audited as ce.credit.record. Errors:
// unauthorized, forbidden, invalid (naming each field).
func (s *Service) RecordCECredit(ctx context.Context, in RecordCEInput) (*CECredit, error) {
	p, err := requireOfficer(ctx, "record CE for")
	if err != nil {
		return nil, err
	}
	f := apperr.Fields{}
	c := &CECredit{ID: uuid.NewString(), Source: "external", RecordedBy: p.Actor().ID}
	if err := s.checkHolder(ctx, in.UserID); err != nil {
		f.Add("user_id", "%s", err)
	}
	c.UserID = in.UserID
	if code, ok := jurisdiction.Parse(in.Jurisdiction); ok {
		c.Jurisdiction = code
	} else {
		f.Add("jurisdiction", "must be %s", jurisdiction.Described)
	}
	if in.Hours <= 0 || in.Hours > 100 {
		f.Add("hours", "must be more than 0 and at most 100")
	}
	c.Hours = round2(in.Hours)
	c.Category = strings.ToLower(strings.TrimSpace(in.Category))
	if c.Category != "" && !catalog.ValidSlug(c.Category) {
		f.Add("category", "must be a category slug such as ethics, or empty for general hours")
	}
	if d := parseDay(in.CompletedOn, nil, f, "completed_on"); d != nil {
		c.CompletedOn = *d
		if d.After(s.clock.Now()) {
			f.Add("completed_on", "must not be in the future")
		}
	} else if strings.TrimSpace(in.CompletedOn) == "" {
		f.Add("completed_on", "is required")
	}
	if c.Title = checkText(in.Title, 200, f, "title", true); c.Title == "" {
		f.Add("title", "is required: the course's name")
	}
	c.ApprovalNumber = checkText(in.ApprovalNumber, 100, f, "approval_number", true)
	if c.Evidence = checkText(in.Evidence, 2000, f, "evidence", false); c.Evidence == "" {
		f.Add("evidence", "is required: the certificate or roster it is recorded from")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	c.CreatedAt = s.now()
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := insertCECredit(tx, c); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, audit.Entry{Actor: p.Actor(), Action: "ce.credit.record", SubjectType: "ce_credit",
			SubjectID: c.ID, After: map[string]any{"user_id": c.UserID, "jurisdiction": c.Jurisdiction, "hours": c.Hours,
				"category": c.Category, "completed_on": c.CompletedOn.String(), "title": c.Title}})
	})
	if err != nil {
		return nil, fmt.Errorf("licensing: record CE: %w", err)
	}
	return c, nil
}

// RunCECourseCredits records the credit of every course the CE library
// approves, in each of its states where the agent holds a license
// (verified or pending): for a program, once per certification on it (by
// the day it was earned); for a module, once per latest completion of it
// (by its day). Audited as the system. Safe on several replicas: unique
// indexes keep each credit once. It returns how many it recorded.
func (s *Service) RunCECourseCredits(ctx context.Context) (int, error) {
	lib, err := s.store.CELibrary(ctx)
	if err != nil || len(lib.Courses) == 0 {
		return 0, err
	}
	type earned struct {
		userID string
		on     Date
		course CECourse
	}
	var todo []earned
	byProgram, byModule := map[string][]CECourse{}, map[string][]CECourse{}
	var moduleIDs []string
	for _, c := range lib.Courses {
		switch {
		case c.ModuleID != "":
			byModule[c.ModuleID] = append(byModule[c.ModuleID], c)
			moduleIDs = append(moduleIDs, c.ModuleID)
		case c.ProgramID != "":
			byProgram[c.ProgramID] = append(byProgram[c.ProgramID], c)
		}
	}
	if len(byProgram) > 0 {
		certs, err := s.certs.ListByStates(ctx, certification.Certified, certification.RefresherDue)
		if err != nil {
			return 0, err
		}
		for _, cert := range certs {
			for _, course := range byProgram[cert.ProgramID] {
				if cert.CertifiedAt != nil {
					todo = append(todo, earned{cert.UserID, DateOf(*cert.CertifiedAt), course})
				}
			}
		}
	}
	if len(moduleIDs) > 0 {
		done, err := s.programs.LatestModuleCompletions(ctx, moduleIDs)
		if err != nil {
			return 0, err
		}
		for _, m := range done {
			for _, course := range byModule[m.ModuleID] {
				todo = append(todo, earned{m.UserID, DateOf(m.CompletedAt), course})
			}
		}
	}
	users := make([]string, len(todo))
	for i, e := range todo {
		users[i] = e.userID
	}
	ls, err := s.store.ForUsers(ctx, users)
	if err != nil {
		return 0, err
	}
	states := map[string][]string{}
	for _, l := range ls {
		if !slices.Contains(states[l.UserID], l.Jurisdiction) && (l.Status == Verified || l.Status == Pending) {
			states[l.UserID] = append(states[l.UserID], l.Jurisdiction)
		}
	}
	actor := audit.System("ce-course-credits")
	n := 0
	now := s.now()
	for _, e := range todo {
		for _, st := range e.course.States {
			if !slices.Contains(states[e.userID], st) {
				continue
			}
			c := &CECredit{ID: uuid.NewString(), UserID: e.userID, Jurisdiction: st, Hours: e.course.Hours, Category: e.course.Category,
				CompletedOn: e.on, Source: "course", Title: e.course.title(), ApprovalNumber: e.course.Approval,
				RecordedBy: actor.ID, CreatedAt: now}
			after := map[string]any{"user_id": c.UserID, "jurisdiction": st, "hours": c.Hours, "category": c.Category,
				"approval": e.course.Approval, "completed_on": c.CompletedOn.String()}
			if id := e.course.ModuleID; id != "" {
				c.ModuleID, after["module_id"] = &id, id
			} else {
				id := e.course.ProgramID
				c.ProgramID, after["program_id"] = &id, id
			}
			err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
				isNew, err := insertCourseCredit(tx, c)
				if err != nil || !isNew {
					return err
				}
				n++
				return s.audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: "ce.credit.course", SubjectType: "ce_credit",
					SubjectID: c.ID, After: after})
			})
			if err != nil {
				return n, fmt.Errorf("licensing: CE course credit: %w", err)
			}
		}
	}
	return n, nil
}

// CEStandings returns the CE standing of a user's licenses (verified or
// pending): the agent's own, or anyone's for compliance and admins.
// Errors: unauthorized, forbidden.
func (s *Service) CEStandings(ctx context.Context, userID string) ([]CEStanding, []CECredit, error) {
	p, err := requireUser(ctx)
	if err != nil {
		return nil, nil, err
	}
	if userID == "" {
		userID = p.UserID
	}
	if userID != p.UserID && !p.SeesAllClients() {
		return nil, nil, apperr.E(apperr.Forbidden, "you may see only your own CE")
	}
	if uuid.Validate(userID) != nil {
		return nil, nil, apperr.Invalidf("user_id", "must be a user id")
	}
	lib, err := s.store.CELibrary(ctx)
	if err != nil {
		return nil, nil, err
	}
	ls, err := s.store.ForUsers(ctx, []string{userID})
	if err != nil {
		return nil, nil, err
	}
	credits, err := s.store.CECredits(ctx, []string{userID})
	if err != nil {
		return nil, nil, err
	}
	today := DateOf(s.clock.Now())
	out := []CEStanding{}
	for _, l := range ls {
		if l.Status == Verified || l.Status == Pending {
			out = append(out, standing(lib, l, credits, today))
		}
	}
	return out, credits, nil
}

// CEWindowDays are the days before a license's expiry at which incomplete
// CE is reminded of.
var CEWindowDays = []int{90, 60, 30}

// CEAtRisk lists the verified licenses in force today that expire within
// 90 days and whose CE for the period is incomplete, soonest first, with
// the holder's names (no permission check: for the reminder job and the
// report).
func (s *Service) CEAtRisk(ctx context.Context) ([]CEStanding, error) {
	lib, err := s.store.CELibrary(ctx)
	if err != nil {
		return nil, err
	}
	today := DateOf(s.clock.Now())
	ls, err := s.store.List(ctx, Filter{ExpiringWithinDays: CEWindowDays[0]}, today)
	if err != nil {
		return nil, err
	}
	var users []string
	for _, l := range ls {
		users = append(users, l.UserID)
	}
	credits, err := s.store.CECredits(ctx, users)
	if err != nil {
		return nil, err
	}
	who, err := s.holders(ctx, users)
	if err != nil {
		return nil, err
	}
	out := []CEStanding{}
	for _, l := range ls {
		st := standing(lib, l, credits, today)
		if st.Complete {
			continue
		}
		st.Email, st.DisplayName = who[l.UserID].email, who[l.UserID].name
		out = append(out, st)
	}
	return out, nil
}

// CEReport is CEAtRisk for compliance and admins. Errors: unauthorized,
// forbidden.
func (s *Service) CEReport(ctx context.Context) ([]CEStanding, error) {
	if _, err := requireCompliance(ctx); err != nil {
		return nil, err
	}
	return s.CEAtRisk(ctx)
}
