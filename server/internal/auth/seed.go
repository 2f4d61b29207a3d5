package auth

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/audit"
)

// DemoAccount is one seeded development login.
type DemoAccount struct {
	Email    string
	Password string
	Role     Role
}

// DemoAccounts are the development logins `skillgate user seed-demo`
// creates: one per role, with fixed, documented passwords. They exist only
// where someone ran seed-demo outside production.
var DemoAccounts = func() []DemoAccount {
	out := make([]DemoAccount, len(Roles))
	for i, r := range Roles {
		out[i] = DemoAccount{Email: string(r) + "@demo.skillgate.test", Password: string(r) + "-demo-skillgate", Role: r}
	}
	return out
}()

// SeedDemo makes sure every demo account exists, is active, has its
// documented password and belongs to every client that exists now. It is
// idempotent. Call it only in development: the caller refuses production.
func (s *Service) SeedDemo(ctx context.Context) ([]DemoAccount, error) {
	actor := audit.System("seed-demo")
	clients, err := s.clientSlugs(ctx)
	if err != nil {
		return nil, err
	}
	var clientIDs []string
	for _, id := range clients {
		clientIDs = append(clientIDs, id)
	}
	for _, d := range DemoAccounts {
		u, err := s.store.userByEmail(ctx, d.Email)
		switch {
		case apperr.Is(err, apperr.NotFound):
			if _, err := s.CreateUserAs(ctx, actor, CreateUserInput{
				Email: d.Email, DisplayName: "Demo " + string(d.Role), Role: d.Role, Password: d.Password, ClientIDs: clientIDs,
			}); err != nil {
				return nil, fmt.Errorf("auth: seed %s: %w", d.Email, err)
			}
			continue
		case err != nil:
			return nil, fmt.Errorf("auth: seed %s: %w", d.Email, err)
		}
		if err := s.reseed(ctx, actor, u, d, clientIDs); err != nil {
			return nil, fmt.Errorf("auth: seed %s: %w", d.Email, err)
		}
	}
	return DemoAccounts, nil
}

// reseed brings an existing demo account back to its documented state.
func (s *Service) reseed(ctx context.Context, actor audit.Actor, u *User, d DemoAccount, clientIDs []string) error {
	ok, err := s.hasher.Verify(ctx, d.Password, u.PasswordHash)
	if err != nil {
		return err
	}
	if !ok {
		if err := s.setPassword(ctx, actor, u.ID, d.Password); err != nil {
			return err
		}
	}
	now := s.clock.Now()
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := reactivateWithMemberships(tx, u.ID, clientIDs, now); err != nil {
			return err
		}
		return s.recorder.Record(ctx, tx, audit.Entry{
			Actor: actor, Action: "user.memberships", SubjectType: "user", SubjectID: u.ID,
			After: map[string]any{"client_ids": clientIDs, "active": true},
		})
	})
}
