package licensing

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/audit"
)

// CERequirementInput is a CE requirement as compliance edits it in the app,
// for the state and license class named in the path.
type CERequirementInput struct {
	PeriodMonths int                `json:"period_months"`
	Hours        float64            `json:"hours"`
	Categories   map[string]float64 `json:"categories"`
	// Sample: the values are an example not yet checked against the
	// state's rules (required, so that clearing it is a decision).
	Sample *bool `json:"sample"`
}

// SetCERequirement adds or replaces the CE library's requirement for a
// state and license class (compliance and admins), audited as
// ce.requirement.set with the values before and after. The requirements
// are then marked edited in the app until the library file is imported
// again (see ExportCELibrary). Errors: unauthorized, forbidden, invalid
// (naming each field: state, class, period_months, hours, categories,
// categories.<name>, sample), conflict (no library imported yet).
func (s *Service) SetCERequirement(ctx context.Context, state, class string, in CERequirementInput) (*CELibrary, error) {
	p, err := requireCompliance(ctx)
	if err != nil {
		return nil, err
	}
	r := CERequirement{State: strings.ToUpper(strings.TrimSpace(state)), Class: strings.TrimSpace(class),
		PeriodMonths: in.PeriodMonths, Hours: round2(in.Hours), Categories: map[string]float64{}}
	for c, h := range in.Categories {
		r.Categories[strings.TrimSpace(c)] = round2(h)
	}
	f := apperr.Fields{}
	checkRequirement(&r, f)
	if in.Sample == nil {
		f.Add("sample", "is required: true while the values are an example not yet checked against the state's rules")
	} else {
		r.Sample = *in.Sample
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	return s.editRequirements(ctx, p.Actor(), "ce.requirement.set", r.State, r.Class, func(lib *CELibrary, i int) (any, error) {
		if i < 0 {
			lib.Requirements = append(lib.Requirements, r)
		} else {
			lib.Requirements[i] = r
		}
		return r, nil
	})
}

// DeleteCERequirement removes the CE library's requirement for a state and
// license class (compliance and admins), audited as ce.requirement.delete.
// Errors: unauthorized, forbidden, not_found.
func (s *Service) DeleteCERequirement(ctx context.Context, state, class string) (*CELibrary, error) {
	p, err := requireCompliance(ctx)
	if err != nil {
		return nil, err
	}
	return s.editRequirements(ctx, p.Actor(), "ce.requirement.delete", strings.ToUpper(state), class, func(lib *CELibrary, i int) (any, error) {
		if i < 0 {
			return nil, apperr.E(apperr.NotFound, "no CE requirement for %s %s", state, class)
		}
		lib.Requirements = slices.Delete(lib.Requirements, i, i+1)
		return nil, nil
	})
}

// editRequirements changes the stored library's requirements with change
// (given the index of the state and class's requirement, -1 when none) in
// one transaction, keeping them ordered by state and class, and audits
// action with the requirement before and what change returns after.
func (s *Service) editRequirements(ctx context.Context, actor audit.Actor, action, state, class string,
	change func(lib *CELibrary, i int) (any, error)) (*CELibrary, error) {
	var out *CELibrary
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		row, err := lockCELibrary(tx)
		if err != nil {
			return err
		}
		if row == nil {
			return apperr.E(apperr.Conflict, "import the content library first: the CE library starts from content/%s", CEFile)
		}
		lib, err := row.decode()
		if err != nil {
			return err
		}
		i := slices.IndexFunc(lib.Requirements, func(r CERequirement) bool { return r.State == state && r.Class == class })
		var before any
		if i >= 0 {
			before = lib.Requirements[i]
		}
		after, err := change(lib, i)
		if err != nil {
			return err
		}
		slices.SortStableFunc(lib.Requirements, func(a, b CERequirement) int {
			return strings.Compare(a.State+" "+a.Class, b.State+" "+b.Class)
		})
		// The stored document holds what the file gives; when and by whom it
		// was imported and edited live in their columns.
		doc := *lib
		doc.ImportedAt, doc.EditedAt, doc.EditedBy = nil, nil, ""
		raw, err := json.Marshal(&doc)
		if err != nil {
			return err
		}
		now := s.now()
		if err := editCELibrary(tx, raw, hashOf(raw), now, actor.ID); err != nil {
			return err
		}
		lib.EditedAt, lib.EditedBy = &now, actor.ID
		out = lib
		return s.audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: action, SubjectType: "ce_requirement",
			SubjectID: state + " " + class, Before: before, After: after})
	})
	if err != nil {
		return nil, fmt.Errorf("licensing: edit CE requirements: %w", err)
	}
	return out, nil
}

// ExportCELibrary writes the CE library as content/ce-requirements.yaml
// reads it, requirements as maintained in the app, for compliance to
// commit to the content library (after which importing it clears the
// "edited in the app" mark). Compliance and admins. Errors: unauthorized,
// forbidden.
func (s *Service) ExportCELibrary(ctx context.Context) ([]byte, error) {
	if _, err := requireCompliance(ctx); err != nil {
		return nil, err
	}
	lib, err := s.store.CELibrary(ctx)
	if err != nil {
		return nil, err
	}
	return FormatCELibrary(lib), nil
}

// FormatCELibrary writes lib as the library file, with a header saying
// which values are samples.
func FormatCELibrary(lib *CELibrary) []byte {
	var b strings.Builder
	b.WriteString("# Continuing education (CE) requirements and approved CE courses.\n#\n")
	b.WriteString("# Written by Skillgate from the requirements as maintained in the app (Continuing education page).\n")
	b.WriteString("# SAMPLE VALUES are marked `sample: true`: they are examples, NOT a statement of any state's law.\n")
	b.WriteString("# Compliance checks each against the state insurance department's current rules before relying on it.\n")
	fmt.Fprintf(&b, "sample: %t\n", lib.Sample)
	if lib.Notice != "" {
		fmt.Fprintf(&b, "notice: %s\n", quoteYAML(lib.Notice))
	}
	b.WriteString("requirements:\n")
	if len(lib.Requirements) == 0 {
		b.WriteString("  []\n")
	}
	for _, r := range lib.Requirements {
		fmt.Fprintf(&b, "  - {state: %s, class: %s, period_months: %d, hours: %s", r.State, r.Class, r.PeriodMonths, num(r.Hours))
		if len(r.Categories) > 0 {
			var cs []string
			for _, c := range slices.Sorted(maps.Keys(r.Categories)) {
				cs = append(cs, c+": "+num(r.Categories[c]))
			}
			fmt.Fprintf(&b, ", categories: {%s}", strings.Join(cs, ", "))
		}
		if r.Sample != lib.Sample {
			fmt.Fprintf(&b, ", sample: %t", r.Sample)
		}
		b.WriteString("}\n")
	}
	b.WriteString("courses:\n")
	if len(lib.Courses) == 0 {
		b.WriteString("  []\n")
	}
	for _, c := range lib.Courses {
		what := "program: " + c.Program
		if c.Module != "" {
			what = "module: " + c.Module
		}
		fmt.Fprintf(&b, "  - {%s, states: [%s], approval: %s, hours: %s", what, strings.Join(c.States, ", "), quoteYAML(c.Approval), num(c.Hours))
		if c.Category != "" {
			fmt.Fprintf(&b, ", category: %s", c.Category)
		}
		b.WriteString("}\n")
	}
	return []byte(b.String())
}

// quoteYAML writes s as a YAML double-quoted scalar (a JSON string is one).
func quoteYAML(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}

// num writes hours without trailing zeros.
func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
