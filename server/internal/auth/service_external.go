package auth

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/audit"
	"github.com/skillgate/skillgate/server/internal/db"
)

// GroupMap maps the identity provider's groups to a role and to client
// memberships, for OpenID Connect sign-in and SCIM alike. The provider
// decides what the map names and nothing else:
//
//   - the role becomes the most privileged role that one of the user's
//     groups maps to (admin, compliance, supervisor, trainer, agent in that
//     order); with no such group the role is left alone;
//   - a membership of a client that some group maps to is kept exactly
//     when one of the user's groups maps to it; memberships of clients the
//     map never names are left alone.
type GroupMap struct {
	// Roles maps a group's name to a role.
	Roles map[string]Role
	// Clients maps a group's name to client slugs.
	Clients map[string][]string
}

// Empty reports whether the map names nothing.
func (m GroupMap) Empty() bool { return len(m.Roles) == 0 && len(m.Clients) == 0 }

// roleRank orders roles from the least to the most privileged.
var roleRank = map[Role]int{RoleAgent: 1, RoleTrainer: 2, RoleSupervisor: 3, RoleCompliance: 4, RoleAdmin: 5}

// mappedRole is the most privileged role groups map to, or "".
func (m GroupMap) mappedRole(groups []string) Role {
	var best Role
	for _, g := range groups {
		if r, ok := m.Roles[g]; ok && roleRank[r] > roleRank[best] {
			best = r
		}
	}
	return best
}

// PasswordPolicy says who may sign in with a password.
type PasswordPolicy struct {
	// Off turns password sign-in off for everyone but BreakGlass.
	Off bool
	// BreakGlass are the email addresses (lower case) of the admins who may
	// still sign in with a password when Off: the way in when the identity
	// provider is down. Someone listed who is not an admin may not.
	BreakGlass []string
}

// allows reports whether the policy lets email try a password at all.
func (p PasswordPolicy) allows(email string) bool {
	return !p.Off || slices.Contains(p.BreakGlass, email)
}

// errPasswordOff answers a password sign-in the policy refuses.
var errPasswordOff = apperr.E(apperr.Forbidden, "password sign-in is turned off: sign in with your organization's identity provider")

// ExternalIdentity is who an identity provider says signed in, from a
// verified ID token.
type ExternalIdentity struct {
	// Issuer and Subject identify the person at the provider, for good.
	Issuer, Subject string
	// Email is the address the provider gives; EmailVerified says whether
	// the provider verified it (only a verified address links an account).
	Email         string
	EmailVerified bool
	// Name is the display name a new account takes.
	Name string
	// Groups are the provider's groups, for the GroupMap; nil when the
	// token carries no groups claim at all, which changes nothing (an
	// empty list is a user in no group).
	Groups []string
}

// ExternalSignIn is one sign-in with an identity provider.
type ExternalSignIn struct {
	Identity ExternalIdentity
	// CreateUsers creates an account (an agent, unless the groups map to a
	// role) for a verified email address that has none.
	CreateUsers bool
	// Groups maps the provider's groups to a role and memberships on every
	// sign-in; the zero map leaves them alone.
	Groups   GroupMap
	ClientIP string
}

// External sign-in refusals. Each is unauthorized and says what to do; the
// reason is audited. ErrExternalUnverified and ErrExternalInactive are
// returned as they are, for the caller to tell them apart.
var (
	errExternalNotLinked  = apperr.E(apperr.Unauthorized, "no Skillgate account matches this sign-in: ask an admin to create yours with the same email address")
	ErrExternalUnverified = apperr.E(apperr.Unauthorized, "your identity provider has not verified your email address, so it cannot be linked to a Skillgate account")
	ErrExternalInactive   = apperr.E(apperr.Unauthorized, "this account is deactivated")
	errExternalTaken      = apperr.E(apperr.Unauthorized, "this Skillgate account is already linked to another identity at this provider")
)

// SignInExternal starts a session for a person an identity provider
// vouched for. The user is found by the identity (issuer, subject); the
// first time, an active user whose email address is the provider's
// verified address is linked to it (or, with CreateUsers, a user is
// created). Every sign-in and link is audited, as is every refusal. It
// returns unauthorized (with a message saying why) when no active user can
// be matched, invalid for an identity without issuer or subject.
func (s *Service) SignInExternal(ctx context.Context, in ExternalSignIn) (*Tokens, error) {
	id := in.Identity
	if id.Issuer == "" || id.Subject == "" || len(id.Subject) > 255 {
		return nil, apperr.Invalidf("sub", "the identity provider sent no usable subject")
	}
	email, emailErr := normalizeEmail("email", id.Email)
	now := s.clock.Now()
	var (
		tokens  *Tokens
		user    *User
		refusal error
		reason  string
		changed bool
	)
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		refusal, reason, changed = nil, "", false
		actor := audit.System("oidc")
		link, err := lockIdentity(tx, id.Issuer, id.Subject)
		switch {
		case err == nil:
			if user, err = s.store.userByID(ctx, tx, link.UserID, true); err != nil {
				return err
			}
		case !apperr.Is(err, apperr.NotFound):
			return err
		case emailErr != nil:
			refusal, reason = errExternalNotLinked, "no usable email"
		case !id.EmailVerified:
			refusal, reason = ErrExternalUnverified, "email not verified"
		default:
			user, err = lockUserByEmail(tx, email)
			switch {
			case apperr.Is(err, apperr.NotFound) && in.CreateUsers:
				if user, err = s.createExternalUser(ctx, tx, actor, email, in); err != nil {
					return err
				}
			case apperr.Is(err, apperr.NotFound):
				user, refusal, reason = nil, errExternalNotLinked, "no account"
			case err != nil:
				return err
			}
			if user != nil && refusal == nil {
				if taken, err := hasIdentityAt(tx, user.ID, id.Issuer); err != nil {
					return err
				} else if taken {
					refusal, reason = errExternalTaken, "account linked to another subject"
				} else if !user.Active {
					refusal, reason = ErrExternalInactive, "deactivated"
				} else if err := s.link(ctx, tx, user, id, email, now); err != nil {
					return err
				}
			}
		}
		if refusal == nil && !user.Active {
			refusal, reason = ErrExternalInactive, "deactivated"
		}
		if refusal != nil {
			subject, failActor := "", actor
			if user != nil {
				subject, failActor = user.ID, audit.Actor{Kind: audit.ActorUser, ID: user.ID}
			}
			return s.recorder.Record(ctx, tx, audit.Entry{
				Actor: failActor, Action: "auth.login_failed", SubjectType: "user", SubjectID: subject,
				After: map[string]any{"method": "oidc", "issuer": id.Issuer, "email": email, "client_ip": in.ClientIP, "reason": reason},
			})
		}
		if id.Groups != nil {
			if changed, err = s.applyGroups(ctx, tx, actor, user, in.Groups, id.Groups, nil); err != nil {
				return err
			}
		}
		if err := touchIdentity(tx, id.Issuer, id.Subject, now); err != nil {
			return err
		}
		sess := session{ID: uuid.NewString(), UserID: user.ID, CreatedAt: now, ExpiresAt: now.Add(SessionMaxAge)}
		if err := tx.Create(&sess).Error; err != nil {
			return db.Translate(err, "session")
		}
		if tokens, err = s.issue(tx, user.ID, sess, now); err != nil {
			return err
		}
		return s.recorder.Record(ctx, tx, audit.Entry{
			Actor: audit.Actor{Kind: audit.ActorUser, ID: user.ID}, Action: "auth.login",
			SubjectType: "session", SubjectID: sess.ID,
			After: map[string]any{"method": "oidc", "issuer": id.Issuer, "client_ip": in.ClientIP},
		})
	})
	if err != nil {
		return nil, fmt.Errorf("auth: external sign-in: %w", err)
	}
	if refusal != nil {
		return nil, refusal
	}
	if changed {
		s.forgetSessions(user.ID)
	}
	if err := loadMemberships(s.db.WithContext(ctx), user); err != nil {
		return nil, err
	}
	tokens.User = user
	return tokens, nil
}

// link records that the identity is the user's and audits it, in tx.
func (s *Service) link(ctx context.Context, tx *gorm.DB, u *User, id ExternalIdentity, email string, now time.Time) error {
	if err := insertIdentity(tx, &identity{Issuer: id.Issuer, Subject: id.Subject, UserID: u.ID, Email: email, CreatedAt: now}); err != nil {
		return err
	}
	if err := claimSource(tx, u.ID, SourceOIDC, now); err != nil {
		return err
	}
	if u.Source == SourcePassword {
		u.Source = SourceOIDC
	}
	return s.recorder.Record(ctx, tx, audit.Entry{
		Actor: audit.System("oidc"), Action: "user.identity_link", SubjectType: "user", SubjectID: u.ID,
		After: map[string]any{"issuer": id.Issuer, "subject": id.Subject, "email": email},
	})
}

// createExternalUser creates the account of a first sign-in (just-in-time
// creation), in tx: an agent unless the groups map to a role.
func (s *Service) createExternalUser(ctx context.Context, tx *gorm.DB, actor audit.Actor, email string, in ExternalSignIn) (*User, error) {
	role := in.Groups.mappedRole(in.Identity.Groups)
	if role == "" {
		role = RoleAgent
	}
	name := strings.TrimSpace(in.Identity.Name)
	if len(name) > 200 {
		name = name[:200]
	}
	users, err := s.createUsers(ctx, tx, actor, []CreateUserInput{{Email: email, DisplayName: name, Role: role, source: SourceOIDC}},
		func(int) string { return "" })
	if err != nil {
		return nil, err
	}
	return users[0], nil
}

// applyGroups brings the user's role and memberships in line with the
// groups through m (see GroupMap), auditing each change, in tx. lost are
// the groups the user had until now and no longer has (known over SCIM,
// nil at sign-in): when they mapped to a role and no group left does, the
// role they gave goes back to agent. It reports whether anything changed.
func (s *Service) applyGroups(ctx context.Context, tx *gorm.DB, actor audit.Actor, u *User, m GroupMap, groups, lost []string) (bool, error) {
	if m.Empty() {
		return false, nil
	}
	now := s.clock.Now()
	changed := false
	// A break-glass admin stays an admin whatever the provider's groups say.
	breakGlass := s.cfg.Password.Off && slices.Contains(s.cfg.Password.BreakGlass, u.Email)
	role := m.mappedRole(groups)
	if gave := m.mappedRole(lost); role == "" && gave != "" && u.Role == gave {
		role = RoleAgent
	}
	if role != "" && role != u.Role && !breakGlass {
		before := u.summary()
		if err := saveRole(tx, u.ID, role, now); err != nil {
			return false, err
		}
		u.Role, changed = role, true
		if err := s.recorder.Record(ctx, tx, audit.Entry{
			Actor: actor, Action: "user.role_change", SubjectType: "user", SubjectID: u.ID, Before: before, After: u.summary(),
		}); err != nil {
			return false, err
		}
	}
	if len(m.Clients) == 0 {
		return changed, nil
	}
	slugs, err := s.cfg.Clients.ClientIDsBySlug(ctx)
	if err != nil {
		return false, err
	}
	managed, want := map[string]bool{}, map[string]bool{}
	for g, list := range m.Clients {
		for _, slug := range list {
			id, ok := slugs[slug]
			if !ok {
				s.cfg.Log.WarnContext(ctx, "a group maps to a client that does not exist", "group", g, "client", slug)
				continue
			}
			managed[id] = true
			if slices.Contains(groups, g) {
				want[id] = true
			}
		}
	}
	next := []string{}
	for _, c := range u.ClientIDs {
		if !managed[c] {
			next = append(next, c)
		}
	}
	for c := range want {
		next = append(next, c)
	}
	next = dedupe(next)
	if slices.Equal(next, dedupe(u.ClientIDs)) {
		return changed, nil
	}
	before := slices.Clone(u.ClientIDs)
	if err := setMemberships(tx, u.ID, next, now); err != nil {
		return false, err
	}
	if err := loadMemberships(tx, u); err != nil {
		return false, err
	}
	return true, s.recorder.Record(ctx, tx, audit.Entry{
		Actor: actor, Action: "user.memberships", SubjectType: "user", SubjectID: u.ID,
		Before: map[string]any{"client_ids": before}, After: map[string]any{"client_ids": next},
	})
}

// ExternalSignInFailed audits a sign-in the provider's answer could not
// prove (a bad state, an ID token that failed a check): reason says which,
// never a token.
func (s *Service) ExternalSignInFailed(ctx context.Context, issuer, reason, clientIP string) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return s.recorder.Record(ctx, tx, audit.Entry{
			Actor: audit.System("oidc"), Action: "auth.login_failed", SubjectType: "user",
			After: map[string]any{"method": "oidc", "issuer": issuer, "client_ip": clientIP, "reason": reason},
		})
	})
}

// SignInMethods says how people may sign in, for the login page.
type SignInMethods struct {
	// Password is false when password sign-in is off (break-glass admins
	// may still use it).
	Password bool `json:"password"`
	// Provider names the identity provider ("" when there is none).
	Provider string `json:"provider,omitempty"`
}

// Methods returns how people may sign in.
func (s *Service) Methods() SignInMethods {
	return SignInMethods{Password: !s.cfg.Password.Off, Provider: s.cfg.ProviderName}
}
