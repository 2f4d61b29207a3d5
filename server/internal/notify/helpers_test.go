package notify_test

import (
	"context"
	"mime"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/notify"
)

// inboxOf lists the user's inbox through the API.
func inboxOf(t *testing.T, env *apitest.Env, token, query string) notify.Inbox {
	t.Helper()
	res := env.Do(apitest.Request{Method: "GET", Path: "/api/v1/me/notifications" + query, Token: token})
	if res.Status != 200 {
		t.Fatalf("GET inbox%s: got %d %s, want 200", query, res.Status, res.Body)
	}
	var in notify.Inbox
	res.JSON(t, &in)
	return in
}

// remind creates a notice through the service, failing the test on error.
func remind(t *testing.T, env *apitest.Env, userID, key, title string) {
	t.Helper()
	err := env.App.Notify.Remind(context.Background(), nil, notify.Reminder{UserID: uuid.MustParse(userID),
		Kind: "test.notice", Key: key, Title: title, Body: "body of " + key, Link: "/training"})
	if err != nil {
		t.Fatalf("remind %s: %v", key, err)
	}
}

// keys lists the notices' keys in order.
func keys(ns []notify.Notification) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.Key
	}
	return out
}

func day(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }

// world is a center with one agent enrolled in a demo program, and the
// records the reminder job reads, written as fixtures.
type world struct {
	t       *testing.T
	env     *apitest.Env
	agent   string // user id
	program string
	t0      time.Time
}

func newWorld(t *testing.T, env *apitest.Env) *world {
	t.Helper()
	env.ImportDemo()
	a := env.User("agent@x.test", auth.RoleAgent)
	return &world{t: t, env: env, agent: a.ID, program: env.ProgramID("fenmore-bank", "card-services"), t0: env.Clock.Now()}
}

func (w *world) exec(q string, args ...any) {
	w.t.Helper()
	if err := w.env.DB.Exec(q, args...).Error; err != nil {
		w.t.Fatalf("fixture %q: %v", q, err)
	}
}

// certification writes a record in state with its expiry (and refresher
// due date) and returns its id.
func (w *world) certification(state string, expires time.Time, refresherDue *time.Time) string {
	w.t.Helper()
	id := uuid.NewString()
	w.exec(`INSERT INTO certifications (id, user_id, program_id, state, enrolled_at, enrolled_by, certified_at, expires_at,
		refresher_due_at, refresher_opens_at, updated_at) VALUES (?, ?, ?, ?, ?, 'test', ?, ?, ?, ?, ?)`,
		id, w.agent, w.program, state, w.t0.Add(-day(400)), w.t0.Add(-day(300)), expires, refresherDue, expires.Add(-day(30)), w.t0)
	return id
}

// otherProgram returns a second demo program, for a second record.
func (w *world) otherProgram() string {
	return w.env.ProgramID("fenmore-bank", "fraud-disputes")
}

// license writes a verified license whose first invalid day is expiry.
func (w *world) license(expiry time.Time) string {
	w.t.Helper()
	id := uuid.NewString()
	w.exec(`INSERT INTO licenses (id, user_id, npn, jurisdiction, license_number, class, lines_of_authority, resident,
		issue_date, effective_date, expiry_date, status, submitted_by, submitted_at, created_at, updated_at)
		VALUES (?, ?, '1234567', 'TX', 'TX-998', 'insurance-producer', '{life}', true, ?, ?, ?, 'verified', 'test', ?, ?, ?)`,
		id, w.agent, w.t0.Add(-day(700)).Format("2006-01-02"), w.t0.Add(-day(700)).Format("2006-01-02"),
		expiry.Format("2006-01-02"), w.t0, w.t0, w.t0)
	return id
}

// sentBack writes a finished run of a demo scenario that a supervisor sent
// back at reviewedAt, and returns its id and the scenario's title.
func (w *world) sentBack(reviewedAt time.Time) (string, string) {
	w.t.Helper()
	var rp struct {
		ID, ClientID string
		Version      int
		Title        string
	}
	err := w.env.DB.Raw(`SELECT r.id, r.client_id, r.current_version AS version, v.title FROM roleplays r
		JOIN roleplay_versions v ON v.roleplay_id = r.id AND v.number = r.current_version
		WHERE r.program_id = ? ORDER BY r.slug LIMIT 1`, w.program).Scan(&rp).Error
	if err != nil || rp.ID == "" {
		w.t.Fatalf("a demo role-play of the program: %v", err)
	}
	id := uuid.NewString()
	w.exec(`INSERT INTO roleplay_runs (id, roleplay_id, version, user_id, client_id, program_id, state, mood,
		signoff_required, started_at, finished_at, passed, overall, reviewed_at, review_note)
		VALUES (?, ?, ?, ?, ?, ?, 'sent_back', 0, true, ?, ?, false, 82, ?, 'You skipped the verification step')`,
		id, rp.ID, rp.Version, w.agent, rp.ClientID, w.program, reviewedAt.Add(-time.Hour), reviewedAt.Add(-time.Minute), reviewedAt)
	return id, rp.Title
}

// noticeKeys lists every notice's key in the database, sorted.
func noticeKeys(t *testing.T, env *apitest.Env) []string {
	t.Helper()
	var ks []string
	if err := env.DB.Raw(`SELECT key FROM notifications ORDER BY key`).Scan(&ks).Error; err != nil {
		t.Fatal(err)
	}
	return ks
}

// mimeDecoder decodes RFC 2047 headers.
type mimeDecoder = mime.WordDecoder
