// Package attention answers a staff member's "what needs my attention
// today": per role, a few sections (agents behind in the cohorts they train,
// role-play runs waiting for sign-off, assigned agents who may not take
// contacts, licenses to verify or expiring, failing webhooks...), each with
// a count, the top few items by name and a link to the web app's page where
// they are handled.
//
// It owns no table and decides nothing: every figure comes from the service
// that owns it, called with the caller's context, so each service's own
// role and client scoping applies (a trainer of one client never sees
// another's agents here, because the cohort, roster and review services do
// not show them).
package attention

import "time"

// TopItems is how many items a section names; its count covers all.
const TopItems = 5

// Windows and thresholds of the sections.
const (
	// LowPassRate: a quiz whose cohort pass rate is below it needs a look.
	LowPassRate = 0.7
	// EndingWithin: an agent routable now whose eligibility ends within it.
	EndingWithin = 7 * 24 * time.Hour
	// ExpiringDays: licenses expiring within this many days (the
	// compliance reports' widest window).
	ExpiringDays = 90
	// KeyWindow: an API key expiring within it, or unused for it.
	KeyWindow = 30 * 24 * time.Hour
	// StartingWithin: a cohort starting within it is listed with the
	// cohorts under way.
	StartingWithin = 7 * 24 * time.Hour
)

// Section kinds, stable for API consumers and tests.
const (
	KindAgentsBehind      = "agents_behind"
	KindCohortsToday      = "cohorts_today"
	KindQuizzesFailing    = "quizzes_failing"
	KindReviewsWaiting    = "reviews_waiting"
	KindNotRoutable       = "assigned_not_routable"
	KindEligibilityEnding = "eligibility_ending"
	KindVerification      = "verification_queue"
	KindLicensesExpiring  = "licenses_expiring"
	KindLicenseGaps       = "license_gaps"
	KindWebhooksFailing   = "webhooks_failing"
	KindAPIKeys           = "api_keys"
	KindUsersNoClient     = "users_without_client"
)

// Item is one thing needing attention, by name.
type Item struct {
	// Name is the person's display name (email when they have none), or
	// the quiz's, webhook's or key's name.
	Name string `json:"name"`
	// Email is the person's, when the item is a person.
	Email string `json:"email,omitempty"`
	// Detail says, in words, why it needs attention.
	Detail string `json:"detail"`
	// Link is the web app's page where it is handled.
	Link string `json:"link"`
	// At is when it started waiting or when it runs out, when there is one.
	At *time.Time `json:"at,omitempty"`
}

// Section is one kind of work: how many, the top few and where to go.
type Section struct {
	Kind  string `json:"kind"`
	Title string `json:"title"`
	// Count is the number of items in all; Items are the first TopItems.
	Count int `json:"count"`
	// Note summarizes the section in words when a count alone does not
	// ("2 within 30 days, 1 within 60, 0 within 90").
	Note  string `json:"note,omitempty"`
	Link  string `json:"link"`
	Items []Item `json:"items"`
}

// Attention is a staff member's sections, in the order their role reads them.
type Attention struct {
	Role     string    `json:"role"`
	AsOf     time.Time `json:"as_of"`
	Sections []Section `json:"sections"`
}
