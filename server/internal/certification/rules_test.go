package certification

import (
	"testing"
	"time"

	"github.com/skillgate/skillgate/server/internal/catalog"
)

func TestNext(t *testing.T) {
	t.Parallel()
	pol := catalog.CertificationPolicy{ValidDays: 100, RefresherWindowDays: 10, MaterialChangeGraceDays: 5}
	certAt := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	exp := certAt.Add(days(100))
	opens := exp.Add(-days(10))
	at := func(d int) time.Time { return certAt.Add(days(d)) }
	record := func(s State, changed ...ChangedModule) *Certification {
		c := &Certification{State: s, ChangedModules: changed}
		if s != InTraining {
			c.CertifiedAt, c.ExpiresAt, c.RefresherOpensAt = &certAt, &exp, &opens
		}
		if s == RefresherDue {
			c.RefresherDueAt = &exp
		}
		return c
	}
	fees := ChangedModule{ModuleID: "m1", Slug: "fees", FromVersion: 1, ToVersion: 2}
	// progress builds a Progress: module m1 done or outdated, one quiz
	// passed (last pass at lastPass) or not.
	progress := func(moduleStatus string, quizPassed bool, lastPass time.Time) *Progress {
		v := 1
		p := &Progress{Modules: []ModuleStatus{{ModuleID: "m1", Slug: "fees", CurrentVersion: 2, CompletedVersion: &v,
			CompletedAt: &certAt, Status: moduleStatus}}}
		q := QuizStatus{Slug: "q", Passed: quizPassed}
		if quizPassed {
			q.LastPassAt = &lastPass
		}
		p.Quizzes = []QuizStatus{q}
		p.Complete = moduleStatus == ModuleDone && quizPassed
		return p
	}
	done := progress(ModuleDone, true, certAt)
	cases := []struct {
		name       string
		c          *Certification
		p          *Progress
		now        time.Time
		wantTo     State // "" for no transition
		wantReason string
		wantDue    *time.Time
		wantExp    *time.Time
	}{
		{"in training, requirements unmet", record(InTraining), progress(ModuleNotStarted, true, certAt), at(0), "", "", nil, nil},
		{"in training, requirements met", record(InTraining), done, at(0), Certified, ReasonRequirementsMet, nil, ptr(at(100))},
		{"certified, nothing due", record(Certified), done, at(50), "", "", nil, nil},
		{"certified, window opens", record(Certified), done, opens, RefresherDue, ReasonRefresherWindow, &exp, &exp},
		{"certified, material change", record(Certified), progress(ModuleOutdated, true, certAt), at(50), RefresherDue, ReasonMaterialChange, ptr(at(55)), &exp},
		{"certified, material change near expiry: due at expiry", record(Certified), progress(ModuleOutdated, true, certAt), at(98), RefresherDue, ReasonMaterialChange, &exp, &exp},
		{"certified, at expiry", record(Certified), done, exp, Expired, ReasonExpired, nil, &exp},
		{"material refresher, module reread", record(RefresherDue, fees), done, at(50), Certified, ReasonRefresherCompleted, nil, &exp},
		{"material refresher, not reread", record(RefresherDue, fees), progress(ModuleOutdated, true, certAt), at(50), "", "", nil, nil},
		{"material refresher reread once the window opened: renewal still due", record(RefresherDue, fees), done, at(95), RefresherDue, ReasonRefresherWindow, &exp, &exp},
		{"window refresher, old quiz pass", record(RefresherDue), done, at(95), "", "", nil, nil},
		{"window refresher, quiz passed again", record(RefresherDue), progress(ModuleDone, true, at(94)), at(95), Certified, ReasonRenewed, nil, ptr(at(195))},
		{"window refresher, expiry", record(RefresherDue), done, exp, Expired, ReasonExpired, nil, &exp},
		{"expired, renewed by a fresh pass", record(Expired), progress(ModuleDone, true, at(101)), at(102), Certified, ReasonRenewed, nil, ptr(at(202))},
		{"expired, no fresh pass", record(Expired), done, at(102), "", "", nil, nil},
		{"revoked stays", record(Revoked), done, at(50), "", "", nil, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ch := next(tc.c, tc.p, pol, tc.now)
			if tc.wantTo == "" {
				if ch != nil {
					t.Fatalf("got %s (%s), want no transition", ch.To, ch.Reason)
				}
				return
			}
			if ch == nil {
				t.Fatalf("got no transition, want %s", tc.wantTo)
			}
			if ch.To != tc.wantTo || ch.Reason != tc.wantReason {
				t.Errorf("got %s (%s), want %s (%s)", ch.To, ch.Reason, tc.wantTo, tc.wantReason)
			}
			if !sameTime(ch.RefresherDueAt, tc.wantDue) || !sameTime(ch.ExpiresAt, tc.wantExp) {
				t.Errorf("got due %v expires %v, want due %v expires %v", ch.RefresherDueAt, ch.ExpiresAt, tc.wantDue, tc.wantExp)
			}
		})
	}
}

func TestProgramWithoutQuizzesIsNotRenewedByEvidence(t *testing.T) {
	t.Parallel()
	opens := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := &Progress{Complete: true}
	if p.renewed(&opens) {
		t.Error("got renewed, want not: nothing fresh to show")
	}
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

// TestNextWithDeclaredRefresher: with program.yaml's refresher block, a
// material refresher also wants the refresher quiz passed since the record
// entered refresher_due, and a renewal wants only the refresher quiz passed
// since the window opened (not the program's other quizzes again).
func TestNextWithDeclaredRefresher(t *testing.T) {
	t.Parallel()
	pol := catalog.CertificationPolicy{ValidDays: 100, RefresherWindowDays: 10, MaterialChangeGraceDays: 5}
	certAt := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	exp := certAt.Add(days(100))
	opens := exp.Add(-days(10))
	at := func(d int) time.Time { return certAt.Add(days(d)) }
	since := at(50)
	record := func() *Certification {
		return &Certification{State: RefresherDue, CertifiedAt: &certAt, ExpiresAt: &exp, RefresherOpensAt: &opens,
			RefresherDueAt: ptr(at(55)), RefresherSince: &since,
			ChangedModules: []ChangedModule{{ModuleID: "m1", Slug: "fees", FromVersion: 1, ToVersion: 2}}}
	}
	// progress: every requirement met (the program's quiz passed at
	// certification only), the refresher quiz last passed at refresherPass.
	progress := func(refresherPass *time.Time) *Progress {
		v := 2
		return &Progress{Complete: true,
			Modules:   []ModuleStatus{{ModuleID: "m1", Slug: "fees", CurrentVersion: 2, CompletedVersion: &v, CompletedAt: &since, Status: ModuleDone}},
			Quizzes:   []QuizStatus{{Slug: "q", Passed: true, LastPassAt: &certAt}},
			Refresher: &RefresherStatus{Quiz: "r", LastPassAt: refresherPass, Modules: []string{"m1"}}}
	}
	cases := []struct {
		name       string
		p          *Progress
		now        time.Time
		wantTo     State
		wantReason string
	}{
		{"material: reread, no refresher quiz", progress(nil), at(51), "", ""},
		{"material: refresher quiz passed before the refresher", progress(ptr(at(40))), at(51), "", ""},
		{"material: reread and refresher quiz passed", progress(ptr(at(51))), at(52), Certified, ReasonRefresherCompleted},
		{"window: refresher quiz passed since it opened renews", progress(ptr(at(91))), at(92), Certified, ReasonRenewed},
		{"window: refresher quiz passed before it opened", progress(ptr(at(51))), at(92), RefresherDue, ReasonRefresherWindow},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ch := next(record(), tc.p, pol, tc.now)
			switch {
			case tc.wantTo == "" && ch != nil:
				t.Fatalf("got %s (%s), want no transition", ch.To, ch.Reason)
			case tc.wantTo != "" && (ch == nil || ch.To != tc.wantTo || ch.Reason != tc.wantReason):
				t.Fatalf("got %+v, want %s (%s)", ch, tc.wantTo, tc.wantReason)
			}
		})
	}
}
