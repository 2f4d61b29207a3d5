package webhook_test

import (
	"context"
	"net/netip"
	"strings"
	"testing"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/audit"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/outbox"
	"github.com/skillgate/skillgate/server/internal/webhook"
)

func TestSecretIsShownOnceAndNeverStoredOrAuditedInTheClear(t *testing.T) {
	t.Parallel()
	f := newFixture(t, []string{outbox.LicenseChanged})
	if !strings.HasPrefix(f.secret, "whsec_") || len(f.secret) < 40 {
		t.Fatalf("got secret %q, want whsec_ and 32 random bytes", f.secret)
	}
	for _, path := range []string{"/api/v1/webhooks", "/api/v1/webhooks/" + f.hookID} {
		res := f.must(t, "GET", path, nil, 200)
		if strings.Contains(string(res.Body), f.secret) || strings.Contains(string(res.Body), `"secret"`) {
			t.Errorf("GET %s: got %s, want no secret", path, res.Body)
		}
	}
	var leaked int
	f.DB.Raw(`SELECT count(*) FROM webhook_subscriptions WHERE position(convert_to(?, 'UTF8') in secret_ciphertext) > 0`, f.secret).Scan(&leaked)
	if leaked != 0 {
		t.Error("the secret is stored in the clear")
	}

	var rotated webhook.WithSecret
	f.must(t, "POST", "/api/v1/webhooks/"+f.hookID+"/rotate-secret", nil, 200).JSON(t, &rotated)
	if rotated.Secret == "" || rotated.Secret == f.secret {
		t.Fatalf("got rotated secret %q, want a new one", rotated.Secret)
	}
	f.enqueue(t, outbox.LicenseChanged, map[string]any{"after": "rotation"})
	f.run(t)
	r := f.recv.requests()[0]
	if verify(rotated.Secret, r.Header, r.Body, f.Clock.Now()) != "" || verify(f.secret, r.Header, r.Body, f.Clock.Now()) == "" {
		t.Error("got a delivery not signed with the new secret alone, want the rotated secret in force at once")
	}

	var inAudit int
	f.DB.Raw(`SELECT count(*) FROM audit_log WHERE action LIKE 'webhook.%' AND (coalesce(before::text, '') LIKE '%whsec_%' OR coalesce(after::text, '') LIKE '%whsec_%')`).Scan(&inAudit)
	if inAudit != 0 {
		t.Errorf("got %d audit entries holding a secret, want none", inAudit)
	}
	for _, action := range []string{"webhook.create", "webhook.rotate"} {
		if n := f.AuditCount(action); n != 1 {
			t.Errorf("got %d %s audit entries, want 1", n, action)
		}
	}
}

func TestWhoManagesWebhooks(t *testing.T) {
	t.Parallel()
	f := newFixture(t, []string{outbox.LicenseChanged})
	f.User("compliance@example.com", auth.RoleCompliance)
	f.User("trainer@example.com", auth.RoleTrainer)
	key := func(scope string) string {
		var k struct{ Key string }
		f.must(t, "POST", "/api/v1/api-keys", map[string]any{"name": scope, "scopes": []string{scope}}, 201).JSON(t, &k)
		return k.Key
	}
	manageKey, readKey := key(auth.ScopeWebhooksManage), key(auth.ScopeEligibilityRead)
	body := map[string]any{"url": f.recv.URL, "event_types": []string{"eligibility.changed"}}
	for _, tc := range []struct {
		name  string
		token string
		want  int
	}{
		{"admin", f.admin, 201},
		{"API key with webhooks:manage", manageKey, 201},
		{"API key with eligibility:read", readKey, 403},
		{"compliance", f.Login("compliance@example.com"), 403},
		{"trainer", f.Login("trainer@example.com"), 403},
		{"nobody", "", 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if res := f.Do(apitest.Request{Method: "POST", Path: "/api/v1/webhooks", Body: body, Token: tc.token}); res.Status != tc.want {
				t.Errorf("create: got %d %s, want %d", res.Status, res.Body, tc.want)
			}
			want := tc.want
			if want == 201 {
				want = 200
			}
			if res := f.Do(apitest.Request{Method: "GET", Path: "/api/v1/webhooks/" + f.hookID + "/deliveries", Token: tc.token}); res.Status != want {
				t.Errorf("delivery log: got %d %s, want %d", res.Status, res.Body, want)
			}
		})
	}
	var created webhook.WithSecret
	res := f.Do(apitest.Request{Method: "POST", Path: "/api/v1/webhooks", Body: body, Token: manageKey})
	res.JSON(t, &created)
	if created.CreatedByKind != audit.ActorAPIKey {
		t.Errorf("got created_by_kind %q, want api_key", created.CreatedByKind)
	}
}

func TestSubscriptionLifecycleAndValidation(t *testing.T) {
	t.Parallel()
	f := newFixture(t, []string{outbox.LicenseChanged})
	for _, tc := range []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"unknown type", map[string]any{"url": f.recv.URL, "event_types": []string{"user.created"}}, "event_types"},
		{"no types", map[string]any{"url": f.recv.URL, "event_types": []string{}}, "event_types"},
		{"not a URL", map[string]any{"url": "acd.example.com/hook", "event_types": []string{"license.changed"}}, "url"},
		{"ftp", map[string]any{"url": "ftp://acd.example.com/hook", "event_types": []string{"license.changed"}}, "url"},
		{"credentials in the URL", map[string]any{"url": "https://u:p@acd.example.com/", "event_types": []string{"license.changed"}}, "url"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := f.Do(apitest.Request{Method: "POST", Path: "/api/v1/webhooks", Body: tc.body, Token: f.admin, NoValidate: true})
			var e struct{ Fields map[string]string }
			res.JSON(t, &e)
			if res.Status != 400 || e.Fields[tc.field] == "" {
				t.Errorf("got %d %s, want 400 naming %s", res.Status, res.Body, tc.field)
			}
		})
	}

	var sub webhook.Subscription
	f.must(t, "PATCH", "/api/v1/webhooks/"+f.hookID, map[string]any{"description": "ACD east",
		"event_types": []string{"license.changed", "eligibility.changed", "license.changed"}}, 200).JSON(t, &sub)
	if sub.Description != "ACD east" || strings.Join(sub.EventTypes, ",") != "eligibility.changed,license.changed" {
		t.Errorf("got %q %v, want the description and the types once each, in canonical order", sub.Description, sub.EventTypes)
	}
	var ping webhook.Delivery
	f.must(t, "POST", "/api/v1/webhooks/"+f.hookID+"/ping", nil, 200).JSON(t, &ping)
	got := f.recv.requests()
	if ping.Status != webhook.Succeeded || ping.EventType != webhook.PingEvent || len(got) != 1 || got[0].Env.Type != "ping" ||
		verify(f.secret, got[0].Header, got[0].Body, f.Clock.Now()) != "" || !strings.Contains(string(got[0].Env.Data), f.hookID) {
		t.Errorf("got ping %+v and %d requests, want one signed ping naming the webhook", ping, len(got))
	}
	if d := f.delivery(t, ping.ID); d.History == nil || len(*d.History) != 1 || string(d.Payload) == "" {
		t.Errorf("got %+v, want the ping in the delivery log with its attempt and payload", d)
	}
	f.must(t, "DELETE", "/api/v1/webhooks/"+f.hookID, nil, 204)
	f.must(t, "GET", "/api/v1/webhooks/"+f.hookID, nil, 404)
	f.must(t, "GET", "/api/v1/webhook-deliveries/"+ping.ID, nil, 404)
	f.must(t, "GET", "/api/v1/webhooks/not-a-uuid", nil, 404)
	for _, action := range []string{"webhook.update", "webhook.delete"} {
		if n := f.AuditCount(action); n != 1 {
			t.Errorf("got %d %s audit entries, want 1", n, action)
		}
	}
}

// production is a webhook service as production configures it, with a
// resolver the test controls.
func production(t *testing.T, f *fixture, dns map[string]string) *webhook.Service {
	t.Helper()
	svc, err := webhook.NewService(f.DB, audit.NewRecorder(f.Clock), f.Clock, webhook.Options{
		Key: f.App.Config.JWTSecret, RequireHTTPS: true,
		LookupHost: func(_ context.Context, host string) ([]netip.Addr, error) {
			a, err := netip.ParseAddr(dns[host])
			return []netip.Addr{a}, err
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func TestProductionRefusesInternalAddresses(t *testing.T) {
	t.Parallel()
	f := newFixture(t, []string{outbox.LicenseChanged})
	dns := map[string]string{"acd.example.com": "93.184.215.14", "intranet.example.com": "10.1.2.3", "meta.example.com": "169.254.169.254"}
	svc := production(t, f, dns)
	admin, err := f.App.Auth.LookupUserByEmail(context.Background(), "admin@example.com")
	if err != nil {
		t.Fatal(err)
	}
	ctx := auth.WithPrincipal(context.Background(), &auth.Principal{UserID: admin.ID, Role: auth.RoleAdmin})
	for _, tc := range []struct {
		url string
		ok  bool
	}{
		{"https://acd.example.com/hook", true},
		{"http://acd.example.com/hook", false},
		{"https://127.0.0.1/hook", false},
		{"https://localhost:8443/hook", false},
		{"https://[::1]/hook", false},
		{"https://intranet.example.com/hook", false},
		{"https://meta.example.com/latest", false},
		{"https://169.254.169.254/latest", false},
		{"https://[::ffff:10.0.0.1]/hook", false},
		{"https://100.64.0.1/hook", false},
		// Numeric hosts are read as inet_aton reads them, without DNS.
		{"https://2130706433/hook", false},
		{"https://0x7f000001/hook", false},
		{"https://0177.0.0.1/hook", false},
		{"https://127.1/hook", false},
		{"https://0xa9fea9fe/latest", false},
		{"https://134744072/hook", false}, // 8.8.8.8, but resolvers disagree on the form
		{"https://93.184.215.14/hook", true},
		{"https://4294967296/hook", false},
	} {
		_, err := svc.Create(ctx, webhook.CreateInput{URL: tc.url, EventTypes: []string{outbox.LicenseChanged}})
		if (err == nil) != tc.ok {
			t.Errorf("%s: got %v, want accepted %v", tc.url, err, tc.ok)
		}
	}

	// DNS changes after the check: the delivery is refused, not sent.
	dns["acd.example.com"] = "127.0.0.1"
	f.enqueue(t, outbox.LicenseChanged, map[string]any{"n": 1})
	if _, err := svc.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	var lastErrors []string
	f.DB.Raw(`SELECT d.last_error FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id WHERE s.url = ?`, "https://acd.example.com/hook").Scan(&lastErrors)
	if len(lastErrors) != 1 || !strings.Contains(lastErrors[0], "refused") {
		t.Errorf("got %q, want the delivery refused for its internal address", lastErrors)
	}
}
