package catalog_test

import (
	"context"
	"testing"
	"time"

	"github.com/skillgate/skillgate/server/internal/app"
	"github.com/skillgate/skillgate/server/internal/changefeed"
	"github.com/skillgate/skillgate/server/internal/testwait"
)

// TestReaderCachesFollowTheFeed: with the eligibility view on, a module
// read answers from the readers' caches (the session, the agent's
// enrollments, the module with the programs listing it). Each input is
// changed with plain SQL, as any job or replica would: until the change
// feed is read the cached answer stands (the caches are really used), once
// it is read the answer changes, and without a read it changes anyway when
// the injected clock passes changefeed.MaxLag (the caches stop answering
// and the database is read).
func TestReaderCachesFollowTheFeed(t *testing.T) {
	t.Parallel()
	d := newDemoWith(t, func(c *app.Config) { c.EligibilityView = true })
	sync := func() {
		t.Helper()
		if err := d.env.App.Routing.SyncView(context.Background()); err != nil {
			t.Fatalf("read the feed: %v", err)
		}
	}
	module := func(name string) string { return "/api/v1/modules/" + d.mod[name] }
	steps := []struct {
		name      string
		who, path string
		sql       string
		args      []any
		want      int
		byClock   bool // the bound rather than the feed makes the change show
	}{
		{"module taken off the agent's program", "agent", module("cardSales"),
			`DELETE FROM program_modules WHERE module_id = ?`, []any{d.mod["cardSales"]}, 404, false},
		{"trainer's membership ended", "trainer", module("fraudRules"),
			`DELETE FROM memberships WHERE user_id = (SELECT id FROM users WHERE email = 'trainer@x.test')`, nil, 404, true},
		{"agent's enrollment revoked", "agent", module("cardProducts"),
			`UPDATE certifications SET state = 'revoked' WHERE program_id = ?`, []any{d.prog["cards"]}, 404, false},
		{"idle agent's session expiry moved back", "idle", module("core"),
			`UPDATE sessions SET expires_at = created_at WHERE user_id = (SELECT id FROM users WHERE email = 'idle@x.test')`, nil, 401, true},
		{"supervisor deactivated", "supervisor", module("volt"),
			`UPDATE users SET active = false WHERE email = 'supervisor@x.test'`, nil, 401, false},
		{"agent's session revoked", "agent", module("core"),
			`UPDATE sessions SET revoked_at = created_at WHERE user_id = (SELECT id FROM users WHERE email = 'agent@x.test')`, nil, 401, false},
	}
	for _, s := range steps {
		sync()
		d.mustDo(t, "GET", s.path, s.who, nil, 200) // kept
		if err := d.env.DB.Exec(s.sql, s.args...).Error; err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if res := d.do("GET", s.path, s.who, nil, nil); res.Status != 200 {
			t.Fatalf("%s, before the feed is read: got %d, want the cached 200", s.name, res.Status)
		}
		if s.byClock {
			d.env.Clock.Advance(changefeed.MaxLag + time.Millisecond)
		} else {
			sync()
		}
		if res := d.do("GET", s.path, s.who, nil, nil); res.Status != s.want {
			t.Errorf("%s: got %d, want %d", s.name, res.Status, s.want)
		}
	}
}

// TestSessionCacheForgetsWhatThisReplicaChanged: a user deactivated through
// the API is refused at once by the replica that did it, before any feed
// read (the others learn it from the feed, as above).
func TestSessionCacheForgetsWhatThisReplicaChanged(t *testing.T) {
	t.Parallel()
	d := newDemoWith(t, func(c *app.Config) { c.EligibilityView = true })
	if err := d.env.App.Routing.SyncView(context.Background()); err != nil {
		t.Fatal(err)
	}
	path := "/api/v1/modules/" + d.mod["core"]
	d.mustDo(t, "GET", path, "agent", nil, 200)
	var id string
	if err := d.env.DB.Raw(`SELECT id FROM users WHERE email = 'agent@x.test'`).Scan(&id).Error; err != nil {
		t.Fatal(err)
	}
	d.mustDo(t, "POST", "/api/v1/users/"+id+"/deactivate", "admin", nil, 200)
	if res := d.do("GET", path, "agent", nil, nil); res.Status != 401 {
		t.Errorf("after the deactivation on this replica: got %d, want 401 at once", res.Status)
	}
}

// TestReaderCacheFollowsAPublish: a module's listing is cached with its
// current version; a change of the module row (here its slug, which is in
// the body) gives a new body and ETag once the feed is read, and an old
// ETag no longer answers 304.
func TestReaderCacheFollowsAPublish(t *testing.T) {
	t.Parallel()
	d := newDemoWith(t, func(c *app.Config) { c.EligibilityView = true })
	if err := d.env.App.Routing.SyncView(context.Background()); err != nil {
		t.Fatal(err)
	}
	path := "/api/v1/modules/" + d.mod["core"]
	etag := d.mustDo(t, "GET", path, "agent", nil, 200).Header.Get("ETag")
	if res := d.do("GET", path, "agent", nil, map[string]string{"If-None-Match": etag}); res.Status != 304 {
		t.Fatalf("If-None-Match of the current version: got %d, want 304", res.Status)
	}
	if err := d.env.DB.Exec(`UPDATE modules SET slug = 'staying-calm-renamed' WHERE id = ?`, d.mod["core"]).Error; err != nil {
		t.Fatal(err)
	}
	if err := d.env.App.Routing.SyncView(context.Background()); err != nil {
		t.Fatal(err)
	}
	res := d.do("GET", path, "agent", nil, map[string]string{"If-None-Match": etag})
	if res.Status != 200 || res.Header.Get("ETag") == etag {
		t.Fatalf("after the module changed: got %d with ETag %s, want 200 with a new ETag", res.Status, res.Header.Get("ETag"))
	}
	var m struct{ Slug string }
	res.JSON(t, &m)
	if m.Slug != "staying-calm-renamed" {
		t.Errorf("got slug %q, want staying-calm-renamed", m.Slug)
	}
}

// TestRunViewRefusesARevokedSession: with the poller running as in
// production, a session revoked by hand is refused without anyone asking
// the replica to read the feed.
func TestRunViewRefusesARevokedSession(t *testing.T) {
	t.Parallel()
	d := newDemoWith(t, func(c *app.Config) { c.EligibilityView = true })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go d.env.App.Routing.RunView(ctx)
	testwait.Until(t, "the first feed read", func() bool {
		age, _ := d.env.App.Routing.ViewStats()
		return age < time.Hour
	})
	path := "/api/v1/modules/" + d.mod["core"]
	d.mustDo(t, "GET", path, "agent", nil, 200)
	if err := d.env.DB.Exec(`UPDATE sessions SET revoked_at = created_at WHERE user_id = (SELECT id FROM users WHERE email = 'agent@x.test')`).Error; err != nil {
		t.Fatal(err)
	}
	testwait.Until(t, "the revoked session to be refused", func() bool {
		return d.do("GET", path, "agent", nil, nil).Status == 401
	})
}

// TestReaderCacheFollowsANewVersion: a version published by plain SQL (a
// new module_versions row and the module's current_version moved, as any
// replica's publish writes them) is served once the change feed is read,
// or once the injected clock passes changefeed.MaxLag without a read; until
// then the cached current version still answers (with its 304), and
// afterwards the old ETag no longer does.
func TestReaderCacheFollowsANewVersion(t *testing.T) {
	t.Parallel()
	d := newDemoWith(t, func(c *app.Config) { c.EligibilityView = true })
	sync := func() {
		t.Helper()
		if err := d.env.App.Routing.SyncView(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	publish := func(id string) {
		t.Helper()
		if err := d.env.DB.Exec(`INSERT INTO module_versions (id, module_id, number, title, summary, minutes, change_kind,
  source, markdown, html, toc, body_text, content_hash, created_at, published_kind, published_by)
SELECT gen_random_uuid(), v.module_id, v.number + 1, v.title || ' (revised)', v.summary, v.minutes, 'minor',
  v.source || E'\nRevised.\n', v.markdown || E'\nRevised.\n', v.html || '<p>Revised.</p>', v.toc, v.body_text || ' Revised.',
  v.content_hash || '-revised', now(), 'system', 'test'
FROM module_versions v JOIN modules m ON m.id = v.module_id AND v.number = m.current_version WHERE m.id = ?`, id).Error; err != nil {
			t.Fatal(err)
		}
		if err := d.env.DB.Exec(`UPDATE modules SET current_version = current_version + 1 WHERE id = ?`, id).Error; err != nil {
			t.Fatal(err)
		}
	}
	for _, byClock := range []bool{false, true} {
		sync()
		id := d.mod["core"]
		path := "/api/v1/modules/" + id
		first := d.mustDo(t, "GET", path, "agent", nil, 200)
		var before struct{ Version struct{ Number int } }
		first.JSON(t, &before)
		etag := first.Header.Get("ETag")
		publish(id)
		if res := d.do("GET", path, "agent", nil, map[string]string{"If-None-Match": etag}); res.Status != 304 {
			t.Fatalf("byClock %v, before the feed is read: got %d, want the cached 304", byClock, res.Status)
		}
		if byClock {
			d.env.Clock.Advance(changefeed.MaxLag + time.Millisecond)
		} else {
			sync()
		}
		res := d.do("GET", path, "agent", nil, map[string]string{"If-None-Match": etag})
		if res.Status != 200 || res.Header.Get("ETag") == etag {
			t.Fatalf("byClock %v, after: got %d with ETag %s, want 200 with a new ETag", byClock, res.Status, res.Header.Get("ETag"))
		}
		var after struct{ Version struct{ Number int } }
		res.JSON(t, &after)
		if after.Version.Number != before.Version.Number+1 {
			t.Errorf("byClock %v: got version %d, want %d", byClock, after.Version.Number, before.Version.Number+1)
		}
		if res := d.do("GET", path, "agent", nil, map[string]string{"If-None-Match": res.Header.Get("ETag")}); res.Status != 304 {
			t.Errorf("byClock %v: the new ETag: got %d, want 304", byClock, res.Status)
		}
	}
}
