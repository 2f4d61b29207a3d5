package auth

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/audit"
	"github.com/skillgate/skillgate/server/internal/db"
)

// ScopeSCIMProvision lets an API key provision users and groups over SCIM
// (/scim/v2), and nothing else.
const ScopeSCIMProvision = "scim:provision"

// Provision is a user as the identity provider sends it over SCIM.
type Provision struct {
	// Email is SCIM's userName.
	Email       string
	DisplayName string
	// ExternalID is the provider's id for the user ("" for none).
	ExternalID string
	Active     bool
}

// check normalizes p and returns invalid naming the SCIM attribute.
func (p *Provision) check() error {
	email, err := normalizeEmail("userName", p.Email)
	if err != nil {
		return apperr.Invalidf("userName", "must be an email address such as name@example.com")
	}
	p.Email, p.DisplayName, p.ExternalID = email, strings.TrimSpace(p.DisplayName), strings.TrimSpace(p.ExternalID)
	if len(p.DisplayName) > 200 || len(p.ExternalID) > 200 {
		return apperr.Invalidf("displayName", "displayName and externalId are at most 200 characters")
	}
	return nil
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// ProvisionUser creates a user the identity provider provisions (an
// agent, unless its groups map to a role later), on behalf of actor (the
// provisioning API key). Invalid for a bad userName, conflict when the
// userName or externalId is taken.
func (s *Service) ProvisionUser(ctx context.Context, actor audit.Actor, in Provision) (*User, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	var out *User
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// The provider deleted this person once and now creates them again:
		// the same account comes back, with its history.
		if gone, err := deletedByEmail(ctx, tx, in.Email); err == nil {
			out = gone
			if err := markSCIMDeleted(tx, gone.ID, nil); err != nil {
				return db.Translate(err, "user")
			}
			if err := s.recorder.Record(ctx, tx, audit.Entry{Actor: actor, Action: "user.scim_restore", SubjectType: "user", SubjectID: gone.ID,
				After: map[string]any{"email": gone.Email}}); err != nil {
				return err
			}
			return s.replaceProvisioned(ctx, tx, actor, gone, in)
		} else if !apperr.Is(err, apperr.NotFound) {
			return err
		}
		users, err := s.createUsers(ctx, tx, actor, []CreateUserInput{{Email: in.Email, DisplayName: in.DisplayName, Role: RoleAgent, source: SourceSCIM}},
			func(int) string { return "" })
		if err != nil {
			return err
		}
		out = users[0]
		out.SCIMExternalID = optional(in.ExternalID)
		if err := saveProvisioned(tx, out); db.IsUniqueViolation(err) {
			return apperr.Wrap(apperr.Conflict, err, "a user with this externalId already exists")
		} else if err != nil {
			return db.Translate(err, "user")
		}
		return s.setActive(ctx, tx, actor, out, in.Active)
	})
	if err != nil {
		return nil, fmt.Errorf("auth: provision user: %w", err)
	}
	s.forgetSessions(out.ID)
	return out, nil
}

// ReplaceProvisioned sets what the identity provider decides of a user:
// userName (email), display name, externalId and active, on behalf of
// actor. A user created in Skillgate becomes the provider's ("scim").
// Deactivating ends every session of the user at once, through the same
// path as an admin's deactivation. Returns not_found, invalid, conflict,
// and forbidden for a break-glass admin while password sign-in is off.
func (s *Service) ReplaceProvisioned(ctx context.Context, actor audit.Actor, id string, in Provision) (*User, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	var out *User
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		u, err := s.provisionedByID(ctx, tx, id)
		if err != nil {
			return err
		}
		out = u
		return s.replaceProvisioned(ctx, tx, actor, u, in)
	})
	if err != nil {
		return nil, fmt.Errorf("auth: replace provisioned user: %w", err)
	}
	s.forgetSessions(out.ID)
	return out, nil
}

// replaceProvisioned sets in on u (locked), auditing, in tx. Forbidden for
// a break-glass admin while password sign-in is off; conflict.
func (s *Service) replaceProvisioned(ctx context.Context, tx *gorm.DB, actor audit.Actor, u *User, in Provision) error {
	if s.cfg.Password.Off && slices.Contains(s.cfg.Password.BreakGlass, u.Email) {
		return errBreakGlassManaged
	}
	before := u.summary()
	next := *u
	next.Email, next.DisplayName, next.SCIMExternalID, next.Source = in.Email, in.DisplayName, optional(in.ExternalID), SourceSCIM
	if next.Email != u.Email || next.DisplayName != u.DisplayName || !equalPtr(next.SCIMExternalID, u.SCIMExternalID) || next.Source != u.Source {
		next.UpdatedAt = s.clock.Now()
		if err := saveProvisioned(tx, &next); db.IsUniqueViolation(err) {
			return apperr.Wrap(apperr.Conflict, err, "a user with this userName or externalId already exists")
		} else if err != nil {
			return db.Translate(err, "user")
		}
		*u = next
		if err := s.recorder.Record(ctx, tx, audit.Entry{
			Actor: actor, Action: "user.update", SubjectType: "user", SubjectID: u.ID, Before: before, After: u.summary(),
		}); err != nil {
			return err
		}
	}
	return s.setActive(ctx, tx, actor, u, in.Active)
}

// provisionedByID returns the user SCIM shows, locked, in tx: not_found for
// an unknown user and for one the provider deleted.
func (s *Service) provisionedByID(ctx context.Context, tx *gorm.DB, id string) (*User, error) {
	u, err := s.store.userByID(ctx, tx, id, tx != nil)
	if err != nil {
		return nil, err
	}
	if u.SCIMDeletedAt != nil {
		return nil, apperr.NotFoundf("user")
	}
	return u, nil
}

// LookupProvisioned returns a user as SCIM shows it. Returns not_found for
// an unknown user and for one the provider deleted (DeleteProvisioned).
func (s *Service) LookupProvisioned(ctx context.Context, id string) (*User, error) {
	return s.provisionedByID(ctx, nil, id)
}

// DeleteProvisioned is SCIM's DELETE of a user: Skillgate deletes nothing.
// The user is deactivated (every session ends, as by an admin), leaves
// every SCIM group (the group map taking back what those groups gave, as
// when the provider removes a member) and is hidden from SCIM: from then on
// it answers not_found, as RFC 7644 section 3.6 asks of a deleted
// resource, and a re-sent DELETE gets not_found too. Its history stays.
// Returns not_found, and forbidden for a break-glass admin while password
// sign-in is off.
func (s *Service) DeleteProvisioned(ctx context.Context, actor audit.Actor, id string) error {
	var touched []string
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		touched = nil
		// A group change locks the group, then its members: lock the
		// user's groups before the user, so the two never wait on each other.
		if err := lockGroupsOf(ctx, tx, id); err != nil {
			return err
		}
		u, err := s.provisionedByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if s.cfg.Password.Off && slices.Contains(s.cfg.Password.BreakGlass, u.Email) {
			return errBreakGlassManaged
		}
		if err := s.setActive(ctx, tx, actor, u, false); err != nil {
			return err
		}
		if touched, err = s.leaveGroups(ctx, tx, actor, u.ID); err != nil {
			return err
		}
		now := s.clock.Now()
		if err := markSCIMDeleted(tx, u.ID, &now); err != nil {
			return db.Translate(err, "user")
		}
		return s.recorder.Record(ctx, tx, audit.Entry{Actor: actor, Action: "user.scim_delete", SubjectType: "user", SubjectID: u.ID,
			After: map[string]any{"email": u.Email, "active": false}})
	})
	if err != nil {
		return fmt.Errorf("auth: delete provisioned user: %w", err)
	}
	s.forgetSessions(id)
	for _, u := range touched {
		s.forgetSessions(u)
	}
	return nil
}

// leaveGroups takes the user out of every SCIM group, as the provider's
// removal of a member would (each group change audited, the group map
// applied), in tx. It returns the users whose groups changed.
func (s *Service) leaveGroups(ctx context.Context, tx *gorm.DB, actor audit.Actor, userID string) ([]string, error) {
	groupIDs, err := groupIDsOf(ctx, tx, userID)
	if err != nil {
		return nil, err
	}
	var touched []string
	for _, gid := range groupIDs {
		t, err := s.changeGroupTx(ctx, tx, actor, &Group{ID: gid}, false, func(g *Group) ([]string, error) {
			return slices.DeleteFunc(slices.Clone(g.Members), func(m string) bool { return m == userID }), nil
		})
		if err != nil {
			return nil, err
		}
		touched = append(touched, t...)
	}
	return dedupe(touched), nil
}

// errBreakGlassManaged refuses provisioning changes to a break-glass admin:
// the way in when the identity provider is down is not the provider's to
// close.
var errBreakGlassManaged = apperr.E(apperr.Forbidden, "this is a break-glass admin account (PASSWORD_BREAK_GLASS): it is managed in Skillgate, not by the identity provider")

func equalPtr(a, b *string) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

// FindProvisioned returns the users whose userName (by "userName") or
// externalId (by "externalId") is value.
func (s *Service) FindProvisioned(ctx context.Context, by, value string) ([]*User, error) {
	column := map[string]string{"userName": "email", "externalId": "scim_external_id"}[by]
	if by == "userName" {
		value = strings.ToLower(strings.TrimSpace(value))
	}
	return s.store.usersWhere(ctx, column, value)
}

// ListProvisioned returns a page of users by email and the number of users.
func (s *Service) ListProvisioned(ctx context.Context, offset, limit int) ([]*User, int64, error) {
	return s.store.usersPage(ctx, offset, limit)
}

// GroupInput is a group as the identity provider sends it.
type GroupInput struct {
	DisplayName string
	ExternalID  string
	// Members are user ids.
	Members []string
}

func (g *GroupInput) check() error {
	g.DisplayName, g.ExternalID = strings.TrimSpace(g.DisplayName), strings.TrimSpace(g.ExternalID)
	if g.DisplayName == "" || len(g.DisplayName) > 200 || len(g.ExternalID) > 200 {
		return apperr.Invalidf("displayName", "is required, at most 200 characters")
	}
	g.Members = dedupe(g.Members)
	return nil
}

// CreateGroup creates a group with its members and applies the group map
// to them. Invalid (unknown member), conflict (taken displayName or
// externalId).
func (s *Service) CreateGroup(ctx context.Context, actor audit.Actor, in GroupInput) (*Group, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	g := &Group{ID: uuid.NewString(), DisplayName: in.DisplayName, ExternalID: optional(in.ExternalID), CreatedAt: now, UpdatedAt: now}
	return s.changeGroup(ctx, actor, g, true, func(*Group) ([]string, error) { return in.Members, nil })
}

// ReplaceGroup sets a group's name, external id and members.
// Returns not_found, invalid, conflict.
func (s *Service) ReplaceGroup(ctx context.Context, actor audit.Actor, id string, in GroupInput) (*Group, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	return s.changeGroupByID(ctx, actor, id, func(g *Group) ([]string, error) {
		g.DisplayName, g.ExternalID = in.DisplayName, optional(in.ExternalID)
		return in.Members, nil
	})
}

// PatchGroup renames a group (when displayName is not nil) and adds and
// removes members. Returns not_found, invalid, conflict.
func (s *Service) PatchGroup(ctx context.Context, actor audit.Actor, id string, displayName *string, add, remove []string) (*Group, error) {
	return s.changeGroupByID(ctx, actor, id, func(g *Group) ([]string, error) {
		if displayName != nil {
			name := strings.TrimSpace(*displayName)
			if name == "" || len(name) > 200 {
				return nil, apperr.Invalidf("displayName", "is required, at most 200 characters")
			}
			g.DisplayName = name
		}
		members := slices.DeleteFunc(append(slices.Clone(g.Members), add...), func(m string) bool { return slices.Contains(remove, m) })
		return dedupe(members), nil
	})
}

// DeleteGroup removes a group and applies the group map to its former
// members. Returns not_found.
func (s *Service) DeleteGroup(ctx context.Context, actor audit.Actor, id string) error {
	_, err := s.changeGroupByID(ctx, actor, id, func(*Group) ([]string, error) { return nil, nil })
	if err != nil {
		return err
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := deleteGroup(tx, id); err != nil {
			return err
		}
		return s.recorder.Record(ctx, tx, audit.Entry{Actor: actor, Action: "group.delete", SubjectType: "group", SubjectID: id})
	})
}

// GetGroup returns a group with its members. Returns not_found.
func (s *Service) GetGroup(ctx context.Context, id string) (*Group, error) {
	return s.store.groupByID(ctx, nil, id, false)
}

// FindGroups returns the groups whose displayName (by "displayName") or
// externalId (by "externalId") is value, or a page of every group when by
// is "", with the number of groups matched.
func (s *Service) FindGroups(ctx context.Context, by, value string, offset, limit int) ([]*Group, int64, error) {
	column := map[string]string{"": "", "displayName": "display_name", "externalId": "external_id"}[by]
	return s.store.groupsWhere(ctx, column, value, offset, limit)
}

func (s *Service) changeGroupByID(ctx context.Context, actor audit.Actor, id string, change func(*Group) ([]string, error)) (*Group, error) {
	return s.changeGroup(ctx, actor, &Group{ID: id}, false, change)
}

// changeGroup creates or changes a group (change returns its members),
// then applies the group map to every user who joined or left it, auditing
// each change.
func (s *Service) changeGroup(ctx context.Context, actor audit.Actor, g *Group, create bool, change func(*Group) ([]string, error)) (*Group, error) {
	var touched []string
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		touched, err = s.changeGroupTx(ctx, tx, actor, g, create, change)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("auth: change group: %w", err)
	}
	for _, u := range touched {
		s.forgetSessions(u)
	}
	return g, nil
}

// changeGroupTx is changeGroup in tx; it returns the users whose groups
// changed, whose cached sessions the caller forgets after the commit.
func (s *Service) changeGroupTx(ctx context.Context, tx *gorm.DB, actor audit.Actor, g *Group, create bool, change func(*Group) ([]string, error)) ([]string, error) {
	var touched []string
	if !create {
		cur, err := s.store.groupByID(ctx, tx, g.ID, true)
		if err != nil {
			return nil, err
		}
		*g = *cur
	}
	before := map[string]any{"display_name": g.DisplayName, "external_id": g.ExternalID, "members": slices.Clone(g.Members)}
	members, err := change(g)
	if err != nil {
		return nil, err
	}
	members = dedupe(members)
	// Whose groups change: who joins or leaves, and every member, old or
	// new, when the group is renamed (the map goes by the group's name).
	renamed := !create && g.DisplayName != before["display_name"]
	for _, m := range append(slices.Clone(g.Members), members...) {
		if renamed || slices.Contains(g.Members, m) != slices.Contains(members, m) {
			touched = append(touched, m)
		}
	}
	touched = dedupe(touched)
	// Lock them, in one order, before anything is written: a user the
	// provider deletes meanwhile (DeleteProvisioned locks the user after
	// their groups) is then either out of every group first, or refused here.
	if err := lockUsers(tx, touched); err != nil {
		return nil, err
	}
	known, err := existingUsers(tx, members)
	if err != nil {
		return nil, err
	}
	for _, m := range members {
		if !known[m] {
			return nil, apperr.Invalidf("members", "user %s does not exist (or the provider deleted it)", m)
		}
	}
	var namesBefore map[string][]string
	if !s.cfg.Groups.Empty() {
		if namesBefore, err = groupNamesOfEach(tx, touched); err != nil {
			return nil, err
		}
	}
	g.UpdatedAt = s.clock.Now()
	if err := saveGroup(tx, g, create); err != nil {
		return nil, err
	}
	if err := setGroupMembers(tx, g.ID, members); err != nil {
		return nil, err
	}
	g.Members = members
	action := "group.update"
	if create {
		action, before = "group.create", nil
	}
	if err := s.recorder.Record(ctx, tx, audit.Entry{Actor: actor, Action: action, SubjectType: "group", SubjectID: g.ID, Before: before,
		After: map[string]any{"display_name": g.DisplayName, "external_id": g.ExternalID, "members": g.Members}}); err != nil {
		return nil, err
	}
	return touched, s.applyGroupsOf(ctx, tx, actor, namesBefore)
}

// groupNamesOfEach returns the names of each user's groups, in tx.
func groupNamesOfEach(tx *gorm.DB, userIDs []string) (map[string][]string, error) {
	out := make(map[string][]string, len(userIDs))
	for _, id := range userIDs {
		names, err := groupNamesOf(tx, id)
		if err != nil {
			return nil, err
		}
		out[id] = names
	}
	return out, nil
}

// applyGroupsOf applies the group map to each user of namesBefore (user id
// → the names of their groups before the change) by their SCIM groups now,
// in tx: a group renamed, joined or left changes its members' role and
// memberships at once, and a group name they lost takes back what it gave.
func (s *Service) applyGroupsOf(ctx context.Context, tx *gorm.DB, actor audit.Actor, namesBefore map[string][]string) error {
	if s.cfg.Groups.Empty() {
		return nil
	}
	ids := make([]string, 0, len(namesBefore))
	for id := range namesBefore {
		ids = append(ids, id)
	}
	slices.Sort(ids) // lock users in one order
	for _, id := range ids {
		u, err := s.store.userByID(ctx, tx, id, true)
		if err != nil {
			return err
		}
		names, err := groupNamesOf(tx, id)
		if err != nil {
			return err
		}
		lost := slices.DeleteFunc(slices.Clone(namesBefore[id]), func(n string) bool { return slices.Contains(names, n) })
		if _, err := s.applyGroups(ctx, tx, actor, u, s.cfg.Groups, names, lost); err != nil {
			return err
		}
	}
	return nil
}
