package catalog_test

import (
	"strings"
	"testing"
	"time"

	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/catalog"
)

const newCardProducts = `---
slug: card-products
title: Northbank credit cards
kind: product
summary: The cards we support.
minutes: 12
---

# Northbank credit cards

The Platinum card now earns 3% cashback.
`

func TestPublish(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.importAll(t, catalog.ImportOptions{})
	c, _ := f.svc.ClientBySlug(ctx, "northbank")
	id := f.moduleID(t, "northbank", "card-products")
	core := f.moduleID(t, "", "staying-calm")
	trainer := &auth.Principal{UserID: "11111111-1111-1111-1111-111111111111", Role: auth.RoleTrainer, ClientIDs: []string{c.ID}}
	outsider := &auth.Principal{UserID: "22222222-2222-2222-2222-222222222222", Role: auth.RoleTrainer, ClientIDs: []string{"other"}}
	agent := &auth.Principal{UserID: "33333333-3333-3333-3333-333333333333", Role: auth.RoleAgent, ClientIDs: []string{c.ID}}
	admin := &auth.Principal{UserID: "55555555-5555-5555-5555-555555555555", Role: auth.RoleAdmin}
	cases := []struct {
		name             string
		p                *auth.Principal
		module, md, kind string
		wantCode         string
		wantField        string
	}{
		{"agent may not", agent, id, newCardProducts, "minor", "forbidden", ""},
		{"trainer of another client may not", outsider, id, newCardProducts, "minor", "forbidden", ""},
		{"unknown module", trainer, "44444444-4444-4444-4444-444444444444", newCardProducts, "minor", "not_found", ""},
		{"bad change kind", trainer, id, newCardProducts, "huge", "invalid", "change"},
		{"bad front matter", trainer, id, strings.Replace(newCardProducts, "kind: product", "kind: leaflet", 1), "minor", "invalid", "card-products.md:4"},
		{"slug of another module", trainer, id, strings.Replace(newCardProducts, "slug: card-products", "slug: other", 1), "minor", "invalid", "card-products.md:2"},
		{"front matter disagrees", trainer, id, strings.Replace(newCardProducts, "minutes: 12", "minutes: 12\nchange: minor", 1), "material", "invalid", "card-products.md"},
		{"outsider trainer may not edit core", outsider, core, strings.Replace(mustSource(t, f, core), "Breathe out", "Breathe slowly out", 1), "minor", "forbidden", ""},
		{"member trainer may not edit core", trainer, core, strings.Replace(mustSource(t, f, core), "Breathe out", "Breathe slowly out", 1), "material", "forbidden", ""},
		{"admin edits core", admin, core, strings.Replace(mustSource(t, f, core), "Breathe out", "Breathe slowly out", 1), "minor", "", ""},
		{"member trainer publishes", trainer, id, newCardProducts, "material", "", ""},
		{"same text again", trainer, id, newCardProducts, "material", "conflict", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v, err := f.svc.Publish(ctx, tc.p, tc.module, tc.md, tc.kind)
			if tc.wantCode == "" {
				if err != nil || v.Number != 2 || v.ChangeKind != tc.kind || v.PublishedBy != tc.p.UserID {
					t.Fatalf("got %+v %v, want version 2 by the trainer", v, err)
				}
				return
			}
			if !isCode(err, tc.wantCode) {
				t.Fatalf("got %v, want %s", err, tc.wantCode)
			}
			if tc.wantField != "" && !hasField(err, tc.wantField) {
				t.Errorf("got %v, want a problem at %s", err, tc.wantField)
			}
		})
	}
	cur, err := f.svc.ModuleWithCurrent(ctx, id)
	if err != nil || cur.Version.Minutes != 12 || !strings.Contains(cur.Version.HTML, "3% cashback") {
		t.Errorf("got %+v %v, want the published text current", cur, err)
	}
	var n int64
	f.db.Table("audit_log").Where("action = 'module.publish' AND actor_kind = 'user'").Count(&n)
	if n != 2 {
		t.Errorf("got %d publish audit rows by users, want 2", n)
	}
	// Published versions are immutable.
	if err := f.db.Exec("UPDATE module_versions SET html = 'x'").Error; err == nil || !strings.Contains(err.Error(), "immutable") {
		t.Errorf("got %v, want the update refused", err)
	}
}

func mustSource(t *testing.T, f *fixture, moduleID string) string {
	t.Helper()
	v, err := f.svc.Version(ctx, moduleID, 1)
	if err != nil {
		t.Fatal(err)
	}
	return v.Source
}

func TestPreviewRendersWithoutSaving(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	out, err := f.svc.Preview("# Hi\n\n<script>x</script>\n\n```say\nHello [name]\n```")
	if err != nil || !strings.Contains(out.HTML, `class="say-this"`) || strings.Contains(out.HTML, "<script") || len(out.TOC) != 1 {
		t.Errorf("got %+v %v", out, err)
	}
	if got := counts(t, f.db)["module_versions"]; got != 0 {
		t.Errorf("got %d versions, want none", got)
	}
}

func TestSearchRanksAndHighlights(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.importAll(t, catalog.ImportOptions{})
	calm := f.moduleID(t, "", "staying-calm")
	cards := f.moduleID(t, "northbank", "card-products")
	verify := f.moduleID(t, "northbank", "verify-caller")
	all := []string{calm, cards, verify}

	hits, err := f.svc.Search(ctx, all, "cashback", 10)
	if err != nil || len(hits) != 1 || hits[0].ModuleID != cards {
		t.Fatalf("got %+v %v, want card-products", hits, err)
	}
	if want := catalog.SnippetStart + "cashback" + catalog.SnippetEnd; !strings.Contains(hits[0].Snippet, want) {
		t.Errorf("got snippet %q, want %q marked", hits[0].Snippet, want)
	}
	if strings.Contains(hits[0].Snippet, "|") {
		t.Errorf("got snippet %q, want plain text without table markup", hits[0].Snippet)
	}

	// "caller" is in verify-caller's title (weight A) and only in the body of staying-calm.
	hits, err = f.svc.Search(ctx, all, "caller", 10)
	if err != nil || len(hits) != 2 || hits[0].ModuleID != verify || hits[1].ModuleID != calm || hits[0].Rank <= hits[1].Rank {
		t.Fatalf("got %+v %v, want verify-caller ranked above staying-calm", hits, err)
	}
	// Only the given modules are searched.
	hits, err = f.svc.Search(ctx, []string{calm}, "caller", 10)
	if err != nil || len(hits) != 1 || hits[0].ModuleID != calm {
		t.Errorf("got %+v %v, want only staying-calm", hits, err)
	}
	if hits, err := f.svc.Search(ctx, nil, "caller", 10); err != nil || len(hits) != 0 {
		t.Errorf("got %+v %v, want nothing for no modules", hits, err)
	}
	if _, err := f.svc.Search(ctx, []string{"nope"}, "caller", 10); !isCode(err, "invalid") {
		t.Errorf("got %v, want invalid for a bad id", err)
	}
	// Search sees only current versions.
	trainer := &auth.Principal{UserID: "11111111-1111-1111-1111-111111111111", Role: auth.RoleAdmin}
	if _, err := f.svc.Publish(ctx, trainer, cards, newCardProducts, "material"); err != nil {
		t.Fatal(err)
	}
	if hits, err := f.svc.Search(ctx, all, "annual fee", 10); err != nil || len(hits) != 0 {
		t.Errorf("got %+v %v, want no hit in the old version's text", hits, err)
	}
}

func TestProgressAndChangesSince(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.importAll(t, catalog.ImportOptions{})
	user := "55555555-5555-5555-5555-555555555555"
	if err := f.db.Exec(`INSERT INTO users (id, email, role, created_at, updated_at) VALUES (?, 'reader@x.test', 'agent', now(), now())`, user).Error; err != nil {
		t.Fatal(err)
	}
	id := f.moduleID(t, "northbank", "card-products")
	opened := f.clock.Now()
	p, err := f.svc.OpenModule(ctx, user, id)
	if err != nil || p.Version != 1 || !p.OpenedAt.Equal(opened) || p.CompletedAt != nil {
		t.Fatalf("got %+v %v, want version 1 opened now", p, err)
	}
	f.clock.Advance(time.Hour)
	if p, err = f.svc.OpenModule(ctx, user, id); err != nil || !p.OpenedAt.Equal(opened) {
		t.Errorf("got %+v %v, want the first opening kept", p, err)
	}
	done := f.clock.Now()
	if p, err = f.svc.CompleteModule(ctx, user, id, 1); err != nil || p.CompletedAt == nil || !p.CompletedAt.Equal(done) {
		t.Errorf("got %+v %v, want completed now", p, err)
	}
	f.clock.Advance(time.Hour)
	if p, err = f.svc.CompleteModule(ctx, user, id, 1); err != nil || !p.CompletedAt.Equal(done) {
		t.Errorf("got %+v %v, want the first completion kept", p, err)
	}
	if _, err := f.svc.CompleteModule(ctx, user, id, 9); !isCode(err, "not_found") {
		t.Errorf("got %v, want not_found for a missing version", err)
	}

	admin := &auth.Principal{UserID: "11111111-1111-1111-1111-111111111111", Role: auth.RoleAdmin}
	minor := strings.Replace(mustSource(t, f, id), "every purchase", "every single purchase", 1)
	if _, err := f.svc.Publish(ctx, admin, id, minor, "minor"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Publish(ctx, admin, id, newCardProducts, "material"); err != nil {
		t.Fatal(err)
	}
	if p, err = f.svc.OpenModule(ctx, user, id); err != nil || p.Version != 3 {
		t.Errorf("got %+v %v, want the current version 3 pinned", p, err)
	}
	rows, err := f.svc.ListProgress(ctx, user, []string{id})
	if err != nil || len(rows) != 2 || rows[0].Version != 1 || rows[1].Version != 3 {
		t.Errorf("got %+v %v, want rows for versions 1 and 3", rows, err)
	}

	calm := f.moduleID(t, "", "staying-calm")
	pins := []catalog.Pin{{ModuleID: id, Version: 1}, {ModuleID: calm, Version: 1}}
	all, err := f.svc.ChangesSince(ctx, pins, false)
	if err != nil || len(all) != 2 || all[0].Number != 2 || all[1].Number != 3 {
		t.Errorf("got %+v %v, want versions 2 and 3", all, err)
	}
	material, err := f.svc.ChangesSince(ctx, pins, true)
	if err != nil || len(material) != 1 || material[0].Number != 3 || material[0].ChangeKind != "material" {
		t.Errorf("got %+v %v, want only material version 3", material, err)
	}
	none, err := f.svc.ChangesSince(ctx, []catalog.Pin{{ModuleID: id, Version: 3}}, false)
	if err != nil || len(none) != 0 {
		t.Errorf("got %+v %v, want nothing after the current version", none, err)
	}
}
