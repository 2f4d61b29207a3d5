package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/audit"
	"github.com/skillgate/skillgate/server/internal/csvimport"
	"github.com/skillgate/skillgate/server/internal/db"
)

// requireUser returns the signed-in user principal: unauthorized when none,
// forbidden for an API key.
func requireUser(ctx context.Context) (*Principal, error) {
	p := FromContext(ctx)
	switch {
	case p == nil:
		return nil, apperr.E(apperr.Unauthorized, "sign in first")
	case p.IsMachine():
		return nil, apperr.E(apperr.Forbidden, "this needs a signed-in user, not an API key")
	}
	return p, nil
}

func requireAdmin(ctx context.Context) (*Principal, error) {
	p, err := requireUser(ctx)
	if err != nil {
		return nil, err
	}
	if !p.Is(RoleAdmin) {
		return nil, apperr.E(apperr.Forbidden, "only an admin may do this")
	}
	return p, nil
}

// canSee reports whether p may read user u: admins and compliance see
// everyone, trainers and supervisors the members of their clients, agents
// only themselves.
func canSee(p *Principal, u *User) bool {
	switch {
	case p.UserID == u.ID, p.SeesAllClients():
		return true
	case p.Is(RoleTrainer, RoleSupervisor):
		return slices.ContainsFunc(u.ClientIDs, p.MemberOf)
	}
	return false
}

// Me returns the signed-in user. Unauthorized when signed out, forbidden
// for an API key.
func (s *Service) Me(ctx context.Context) (*User, error) {
	p, err := requireUser(ctx)
	if err != nil {
		return nil, err
	}
	return s.store.userByID(ctx, nil, p.UserID, false)
}

// UpdateMe changes the signed-in user's display name, the only thing users
// may change about themselves. Invalid for a name over 200 characters.
func (s *Service) UpdateMe(ctx context.Context, displayName string) (*User, error) {
	p, err := requireUser(ctx)
	if err != nil {
		return nil, err
	}
	name := strings.TrimSpace(displayName)
	if len([]rune(name)) > 200 {
		return nil, apperr.Invalidf("display_name", "must be at most 200 characters")
	}
	return s.update(ctx, p, p.UserID, func(u *User) error { u.DisplayName = name; return nil }, "")
}

// GetUser returns a user the caller may see: not_found when it does not
// exist, forbidden when it is outside the caller's clients (agents see only
// themselves).
func (s *Service) GetUser(ctx context.Context, id string) (*User, error) {
	p, err := requireUser(ctx)
	if err != nil {
		return nil, err
	}
	u, err := s.store.userByID(ctx, nil, id, false)
	if err != nil {
		return nil, err
	}
	if !canSee(p, u) {
		return nil, apperr.E(apperr.Forbidden, "you may not see this user")
	}
	return u, nil
}

// ListUsers lists users by email. Admins and compliance see everyone;
// trainers and supervisors the members of their clients (forbidden when
// they filter by a client they do not belong to); agents are forbidden.
func (s *Service) ListUsers(ctx context.Context, f UserFilter) ([]*User, error) {
	p, err := requireUser(ctx)
	if err != nil {
		return nil, err
	}
	if f.Role != "" && !f.Role.Valid() {
		return nil, apperr.Invalidf("role", "must be one of %s", roleList())
	}
	var within []string
	switch {
	case p.SeesAllClients():
	case p.Is(RoleTrainer, RoleSupervisor):
		if f.ClientID != "" && !p.MemberOf(f.ClientID) {
			return nil, apperr.E(apperr.Forbidden, "you do not belong to client %s", f.ClientID)
		}
		within = slices.Clone(p.ClientIDs)
	default:
		return nil, apperr.E(apperr.Forbidden, "agents may not list users")
	}
	return s.store.listUsers(ctx, f, within)
}

func roleList() string {
	names := make([]string, len(Roles))
	for i, r := range Roles {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}

// checkNewUser validates a user to create, naming fields with prefix.
func checkNewUser(in *CreateUserInput, fields apperr.Fields, prefix string) {
	email, err := normalizeEmail(prefix+"email", in.Email)
	if err != nil {
		fields.Add(prefix+"email", "must be an email address such as name@example.com")
	}
	in.Email = email
	in.DisplayName = strings.TrimSpace(in.DisplayName)
	in.ExternalID = strings.TrimSpace(in.ExternalID)
	if !in.Role.Valid() {
		fields.Add(prefix+"role", "must be one of %s", roleList())
	}
	if in.Password != "" {
		if err := CheckPassword(prefix+"password", in.Password, in.Email); err != nil {
			var ae *apperr.Error
			if errors.As(err, &ae) {
				for k, v := range ae.Fields {
					fields.Add(k, "%s", v)
				}
			}
		}
	}
	for _, c := range in.ClientIDs {
		if uuid.Validate(c) != nil {
			fields.Add(prefix+"client_ids", "must be client ids")
		}
	}
}

// CreateUser creates a user (admins only). Invalid for bad fields or
// unknown clients, conflict for a taken email or external id, forbidden for
// anyone but an admin.
func (s *Service) CreateUser(ctx context.Context, in CreateUserInput) (*User, error) {
	p, err := requireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	return s.CreateUserAs(ctx, p.Actor(), in)
}

// CreateUserAs creates a user on behalf of actor without checking who asks
// (for operator tools such as `skillgate user create`). Invalid for bad
// fields or unknown clients, conflict for a taken email or
// external id.
func (s *Service) CreateUserAs(ctx context.Context, actor audit.Actor, in CreateUserInput) (*User, error) {
	fields := apperr.Fields{}
	checkNewUser(&in, fields, "")
	if err := fields.Err(); err != nil {
		return nil, err
	}
	var users []*User
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		users, err = s.createUsers(ctx, tx, actor, []CreateUserInput{in}, func(int) string { return "" })
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("auth: create user: %w", err)
	}
	return users[0], nil
}

// createUsers inserts validated users with their memberships and audits
// each; where names the field prefix of row i for errors.
func (s *Service) createUsers(ctx context.Context, tx *gorm.DB, actor audit.Actor, ins []CreateUserInput, where func(int) string) ([]*User, error) {
	now := s.clock.Now()
	var all []string
	for _, in := range ins {
		all = append(all, in.ClientIDs...)
	}
	known, err := s.cfg.Clients.ExistingClients(ctx, tx, all)
	if err != nil {
		return nil, err
	}
	fields := apperr.Fields{}
	for i, in := range ins {
		for _, c := range in.ClientIDs {
			if !known[c] {
				fields.Add(where(i)+"client_ids", "client %s does not exist", c)
			}
		}
	}
	if err := fields.Err(); err != nil {
		return nil, err
	}
	users := make([]*User, 0, len(ins))
	for i, in := range ins {
		u := &User{ID: uuid.NewString(), Email: in.Email, DisplayName: in.DisplayName, Role: in.Role,
			Active: true, CreatedAt: now, UpdatedAt: now, ClientIDs: dedupe(in.ClientIDs), Source: in.source}
		if u.Source == "" {
			u.Source = SourcePassword
		}
		if in.ExternalID != "" {
			u.ExternalID = &in.ExternalID
		}
		if in.Password != "" {
			if u.PasswordHash, err = s.hasher.Hash(ctx, in.Password); err != nil {
				return nil, err
			}
		}
		if err := tx.Omit("ClientIDs").Create(u).Error; err != nil {
			if apperr.Is(db.Translate(err, "user"), apperr.Conflict) {
				return nil, &apperr.Error{Code: apperr.Conflict, Message: "a user with this email or external id already exists",
					Fields: map[string]string{where(i) + "email": "a user with this email or external id already exists"}}
			}
			return nil, db.Translate(err, "user")
		}
		if err := setMemberships(tx, u.ID, u.ClientIDs, now); err != nil {
			return nil, err
		}
		if err := loadMemberships(tx, u); err != nil {
			return nil, err
		}
		if err := s.recorder.Record(ctx, tx, audit.Entry{
			Actor: actor, Action: "user.create", SubjectType: "user", SubjectID: u.ID, After: u.summary(),
		}); err != nil {
			return nil, err
		}
		users = append(users, u)
	}
	return users, nil
}

func dedupe(ids []string) []string {
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}

// UpdateUser changes a user (admins only). Changing the password ends every
// session of the user. Admins may not change their own role. Returns
// not_found, invalid, conflict (taken email or external id, own role) or
// forbidden.
func (s *Service) UpdateUser(ctx context.Context, id string, in UpdateUserInput) (*User, error) {
	p, err := requireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	fields := apperr.Fields{}
	if in.Email != nil {
		e, err := normalizeEmail("email", *in.Email)
		if err != nil {
			fields.Add("email", "must be an email address such as name@example.com")
		}
		in.Email = &e
	}
	if in.Role != nil && !in.Role.Valid() {
		fields.Add("role", "must be one of %s", roleList())
	}
	if err := fields.Err(); err != nil {
		return nil, err
	}
	if in.Role != nil && id == p.UserID && *in.Role != p.Role {
		return nil, apperr.E(apperr.Conflict, "you may not change your own role; ask another admin")
	}
	// The password is checked and hashed before the transaction, so that a
	// bad password changes nothing and no row lock waits for argon2.
	newHash := ""
	if in.Password != nil {
		cur, err := s.store.userByID(ctx, nil, id, false)
		if err != nil {
			return nil, err
		}
		email := cur.Email
		if in.Email != nil {
			email = *in.Email
		}
		if err := CheckPassword("password", *in.Password, email); err != nil {
			return nil, err
		}
		if newHash, err = s.hasher.Hash(ctx, *in.Password); err != nil {
			return nil, fmt.Errorf("auth: update user: %w", err)
		}
	}
	return s.update(ctx, p, id, func(u *User) error {
		if in.Email != nil {
			u.Email = *in.Email
		}
		if in.DisplayName != nil {
			u.DisplayName = strings.TrimSpace(*in.DisplayName)
		}
		if in.Role != nil {
			u.Role = *in.Role
		}
		if in.ExternalID != nil {
			if x := strings.TrimSpace(*in.ExternalID); x == "" {
				u.ExternalID = nil
			} else {
				u.ExternalID = &x
			}
		}
		return nil
	}, newHash)
}

// update locks a user, applies change, saves and audits it. A role change
// is audited as user.role_change, anything else as user.update. A non-empty
// passwordHash replaces the password and ends every session of the user in
// the same transaction.
func (s *Service) update(ctx context.Context, p *Principal, id string, change func(*User) error, passwordHash string) (*User, error) {
	var out *User
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		u, err := s.store.userByID(ctx, tx, id, true)
		if err != nil {
			return err
		}
		before := u.summary()
		oldRole := u.Role
		if err := change(u); err != nil {
			return err
		}
		u.UpdatedAt = s.clock.Now()
		err = updateUser(tx, u.ID, map[string]any{
			"email": u.Email, "display_name": u.DisplayName, "role": u.Role,
			"external_id": u.ExternalID, "updated_at": u.UpdatedAt,
		})
		if db.IsUniqueViolation(err) {
			return apperr.Wrap(apperr.Conflict, err, "a user with this email or external id already exists")
		}
		if err != nil {
			return fmt.Errorf("save user: %w", db.Translate(err, "user"))
		}
		if passwordHash != "" {
			if err := s.storePassword(ctx, tx, p.Actor(), u.ID, passwordHash); err != nil {
				return err
			}
		}
		action := "user.update"
		if u.Role != oldRole {
			action = "user.role_change"
		}
		out = u
		return s.recorder.Record(ctx, tx, audit.Entry{
			Actor: p.Actor(), Action: action, SubjectType: "user", SubjectID: u.ID, Before: before, After: u.summary(),
		})
	})
	if err != nil {
		return nil, fmt.Errorf("auth: update user: %w", err)
	}
	s.forgetSessions(out.ID)
	return out, nil
}

// SetActive deactivates (active=false, ending every session) or reactivates
// a user (admins only). Admins may not deactivate themselves (conflict),
// nor reactivate an account the identity provider deleted over SCIM
// (conflict: the provider is the source of truth for the accounts it
// provisions, and brings it back by creating it again) — except a
// break-glass admin while password sign-in is off, whose account is
// Skillgate's: reactivating it also takes it out of SCIM's deleted state.
// Returns not_found or forbidden.
func (s *Service) SetActive(ctx context.Context, id string, active bool) (*User, error) {
	p, err := requireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	if !active && id == p.UserID {
		return nil, apperr.E(apperr.Conflict, "you may not deactivate yourself")
	}
	actor := p.Actor()
	var out *User
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		u, err := s.store.userByID(ctx, tx, id, true)
		if err != nil {
			return err
		}
		out = u
		if active && u.SCIMDeletedAt != nil {
			if !s.cfg.Password.Off || !slices.Contains(s.cfg.Password.BreakGlass, u.Email) {
				return errSCIMDeleted
			}
			if err := markSCIMDeleted(tx, u.ID, nil); err != nil {
				return db.Translate(err, "user")
			}
			u.SCIMDeletedAt = nil
			if err := s.recorder.Record(ctx, tx, audit.Entry{Actor: actor, Action: "user.scim_restore", SubjectType: "user", SubjectID: u.ID,
				After: map[string]any{"email": u.Email, "break_glass": true}}); err != nil {
				return err
			}
		}
		return s.setActive(ctx, tx, actor, u, active)
	})
	if err != nil {
		return nil, fmt.Errorf("auth: set active: %w", err)
	}
	s.forgetSessions(out.ID)
	return out, nil
}

// errSCIMDeleted refuses an admin's reactivation of an account the identity
// provider deleted.
var errSCIMDeleted = apperr.E(apperr.Conflict, "the identity provider deleted this account (SCIM): it is managed there, and comes back when the provider creates it again (assign the person to Skillgate at the provider)")

// setActive deactivates (ending every session of the user) or reactivates
// the locked user u and audits it, in tx; the caller forgets the user's
// cached sessions after the commit. Nothing changes when u already is.
func (s *Service) setActive(ctx context.Context, tx *gorm.DB, actor audit.Actor, u *User, active bool) error {
	if u.Active == active {
		return nil
	}
	before := u.summary()
	now := s.clock.Now()
	u.Active, u.UpdatedAt, u.DeactivatedAt = active, now, nil
	if !active {
		u.DeactivatedAt = &now
	}
	if err := updateUser(tx, u.ID, map[string]any{
		"active": u.Active, "deactivated_at": u.DeactivatedAt, "updated_at": now,
	}); err != nil {
		return db.Translate(err, "user")
	}
	action := "user.reactivate"
	if !active {
		action = "user.deactivate"
		if err := revokeUserSessions(tx, u.ID, "deactivated", now); err != nil {
			return err
		}
	}
	return s.recorder.Record(ctx, tx, audit.Entry{
		Actor: actor, Action: action, SubjectType: "user", SubjectID: u.ID, Before: before, After: u.summary(),
	})
}

// SetMemberships replaces a user's client memberships (admins only).
// Invalid for unknown clients, not_found for an unknown user.
func (s *Service) SetMemberships(ctx context.Context, id string, clientIDs []string) (*User, error) {
	p, err := requireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	clientIDs = dedupe(clientIDs)
	var out *User
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		u, err := s.store.userByID(ctx, tx, id, true)
		if err != nil {
			return err
		}
		known, err := s.cfg.Clients.ExistingClients(ctx, tx, clientIDs)
		if err != nil {
			return err
		}
		fields := apperr.Fields{}
		for _, c := range clientIDs {
			if !known[c] {
				fields.Add("client_ids", "client %s does not exist", c)
			}
		}
		if err := fields.Err(); err != nil {
			return err
		}
		before := slices.Clone(u.ClientIDs)
		if err := setMemberships(tx, u.ID, clientIDs, s.clock.Now()); err != nil {
			return err
		}
		if err := loadMemberships(tx, u); err != nil {
			return err
		}
		out = u
		return s.recorder.Record(ctx, tx, audit.Entry{
			Actor: p.Actor(), Action: "user.memberships", SubjectType: "user", SubjectID: u.ID,
			Before: map[string]any{"client_ids": before}, After: map[string]any{"client_ids": clientIDs},
		})
	})
	if err != nil {
		return nil, fmt.Errorf("auth: set memberships: %w", err)
	}
	s.forgetSessions(out.ID)
	return out, nil
}

// MaxImportRows bounds a CSV import.
const MaxImportRows = 5000

// importColumns are the CSV columns; email and role are required.
var importColumns = []string{"email", "display_name", "role", "external_id", "clients"}

// ImportUsers creates users from CSV (admins only), all or nothing. The
// header names the columns: email and role are required, display_name,
// external_id and clients (client slugs or ids separated by ';') optional.
// Imported users have no password until an admin sets one. Every problem
// is reported at once as an invalid error whose fields are "row N.column"
// (N counting the header as row 1).
func (s *Service) ImportUsers(ctx context.Context, r io.Reader) ([]*User, error) {
	p, err := requireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	fields := apperr.Fields{}
	rows, err := csvimport.Read(r, csvimport.Spec{What: "users", Columns: importColumns, Required: []string{"email", "role"}, MaxRows: MaxImportRows}, fields)
	if err != nil {
		return nil, err
	}
	if err := fields.Err(); err != nil {
		return nil, err
	}
	slugs, err := s.clientSlugs(ctx)
	if err != nil {
		return nil, err
	}
	var ins []CreateUserInput
	var lines []int
	seenEmail, seenExt := map[string]int{}, map[string]int{}
	for _, row := range rows {
		line, get := row.Line, row.Get
		prefix := fmt.Sprintf("row %d.", line)
		in := CreateUserInput{Email: get("email"), DisplayName: get("display_name"), Role: Role(strings.ToLower(get("role"))), ExternalID: get("external_id")}
		for _, c := range strings.Split(get("clients"), ";") {
			if c = strings.TrimSpace(c); c == "" {
				continue
			}
			if id, ok := slugs[strings.ToLower(c)]; ok {
				c = id
			}
			if uuid.Validate(c) != nil {
				fields.Add(prefix+"clients", "no client %q", c)
				continue
			}
			in.ClientIDs = append(in.ClientIDs, c)
		}
		checkNewUser(&in, fields, prefix)
		if first, dup := seenEmail[in.Email]; dup && in.Email != "" {
			fields.Add(prefix+"email", "repeats row %d", first)
		}
		seenEmail[in.Email] = line
		if first, dup := seenExt[in.ExternalID]; dup && in.ExternalID != "" {
			fields.Add(prefix+"external_id", "repeats row %d", first)
		}
		seenExt[in.ExternalID] = line
		ins = append(ins, in)
		lines = append(lines, line)
	}
	if err := s.checkTaken(ctx, ins, lines, fields); err != nil {
		return nil, err
	}
	if err := fields.Err(); err != nil {
		return nil, err
	}
	var users []*User
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		users, err = s.createUsers(ctx, tx, p.Actor(), ins, func(i int) string { return fmt.Sprintf("row %d.", lines[i]) })
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("auth: import users: %w", err)
	}
	return users, nil
}

// clientSlugs maps client slugs to ids.
func (s *Service) clientSlugs(ctx context.Context) (map[string]string, error) {
	return s.cfg.Clients.ClientIDsBySlug(ctx)
}

// checkTaken reports rows whose email or external id already belongs to a user.
func (s *Service) checkTaken(ctx context.Context, ins []CreateUserInput, rows []int, fields apperr.Fields) error {
	emails, exts := []string{}, []string{}
	for _, in := range ins {
		emails = append(emails, in.Email)
		if in.ExternalID != "" {
			exts = append(exts, in.ExternalID)
		}
	}
	taken, err := s.store.takenIdentities(ctx, emails, exts)
	if err != nil {
		return err
	}
	for _, t := range taken {
		for i, in := range ins {
			if in.Email == t.Email {
				fields.Add(fmt.Sprintf("row %d.email", rows[i]), "a user with this email already exists")
			}
			if t.ExternalID != nil && in.ExternalID == *t.ExternalID {
				fields.Add(fmt.Sprintf("row %d.external_id", rows[i]), "a user with this external id already exists")
			}
		}
	}
	return nil
}

// LookupUser returns a user by id with memberships, without any
// authorization check: for other services that have already authorized
// their caller. Returns not_found.
func (s *Service) LookupUser(ctx context.Context, id string) (*User, error) {
	return s.store.userByID(ctx, nil, id, false)
}

// PeopleByID returns the email and name of each user among ids, without
// any authorization check: for other services that have already authorized
// their caller (the audit log names the people in it). Unknown ids are left
// out.
func (s *Service) PeopleByID(ctx context.Context, ids []string) ([]Person, error) {
	return s.store.peopleByID(ctx, ids)
}

// LookupUserByEmail returns a user by email address (compared lower-cased),
// without memberships or any authorization check: for other services that
// have already authorized their caller (e.g. a CSV import naming people by
// email). Returns not_found.
func (s *Service) LookupUserByEmail(ctx context.Context, email string) (*User, error) {
	return s.store.userByEmail(ctx, strings.ToLower(strings.TrimSpace(email)))
}
