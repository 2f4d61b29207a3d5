package onboarding

import (
	"fmt"
	"strings"
	"testing"

	"github.com/skillgate/skillgate/server/internal/catalog"
	"github.com/skillgate/skillgate/server/internal/certification"
)

func TestRefresherItems(t *testing.T) {
	t.Parallel()
	changed := &certification.Certification{ChangedModules: []certification.ChangedModule{
		{ModuleID: "m2", Slug: "verify-caller", FromVersion: 1, ToVersion: 2, Diff: "/api/v1/modules/m2/diff?from=1&to=2"}}}
	unchanged := &certification.Certification{}
	withSet := &catalog.Requirements{Quizzes: []string{"basics", "advanced"},
		Refresher: &catalog.RefresherPlan{Modules: []catalog.RefresherModule{{ModuleID: "m1", Slug: "fees"}}, Quiz: "refresh"}}
	without := &catalog.Requirements{Quizzes: []string{"basics", "advanced"}}
	tests := []struct {
		name   string
		c      *certification.Certification
		req    *catalog.Requirements
		window bool
		want   string
	}{
		{"material change, refresher declared: the change and the refresher quiz", changed, withSet, false, "module verify-caller 1→2, quiz refresh"},
		{"window, refresher declared: the set and the quiz", unchanged, withSet, true, "module fees, quiz refresh"},
		{"window after a change, refresher declared", changed, withSet, true, "module verify-caller 1→2, module fees, quiz refresh"},
		{"material change, no refresher: the change only", changed, without, false, "module verify-caller 1→2"},
		{"window, no refresher: every required quiz", unchanged, without, true, "quiz basics, quiz advanced"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, it := range refresherItems(tc.c, tc.req, tc.window) {
				s := it.Kind + " " + it.Slug
				if it.ToVersion > 0 {
					s += fmt.Sprintf(" %d→%d", it.FromVersion, it.ToVersion)
				}
				got = append(got, s)
			}
			if strings.Join(got, ", ") != tc.want {
				t.Errorf("got %s, want %s", strings.Join(got, ", "), tc.want)
			}
		})
	}
}
