package auth

import (
	"context"
	"slices"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/db"
)

// Group is a group the identity provider pushes over SCIM; IDP_GROUP_MAP
// maps its name to a role and client memberships.
type Group struct {
	ID          string    `gorm:"column:id"`
	DisplayName string    `gorm:"column:display_name"`
	ExternalID  *string   `gorm:"column:external_id"`
	CreatedAt   time.Time `gorm:"column:created_at"`
	UpdatedAt   time.Time `gorm:"column:updated_at"`
	// Members are the ids of the group's users (filled by the store).
	Members []string `gorm:"-"`
}

// TableName names the table.
func (Group) TableName() string { return "scim_groups" }

type groupMember struct {
	GroupID string `gorm:"column:group_id"`
	UserID  string `gorm:"column:user_id"`
}

func (groupMember) TableName() string { return "scim_group_members" }

// usersWhere returns users where column equals value (column is one of the
// fixed names the SCIM filter allows), with memberships, leaving out the
// users deleted over SCIM.
func (s *store) usersWhere(ctx context.Context, column, value string) ([]*User, error) {
	var users []*User
	q := s.db.WithContext(ctx).Where("scim_deleted_at IS NULL")
	switch column {
	case "email":
		q = q.Where("email = ?", value)
	case "scim_external_id":
		q = q.Where("scim_external_id = ?", value)
	default:
		return nil, apperr.Invalidf("filter", "cannot filter users by %s", column)
	}
	if err := q.Order("email").Find(&users).Error; err != nil {
		return nil, db.Translate(err, "users")
	}
	return users, loadMemberships(s.db.WithContext(ctx), users...)
}

// usersPage returns users by email from offset, and how many there are,
// leaving out the users deleted over SCIM.
func (s *store) usersPage(ctx context.Context, offset, limit int) ([]*User, int64, error) {
	var n int64
	if err := s.db.WithContext(ctx).Model(&User{}).Where("scim_deleted_at IS NULL").Count(&n).Error; err != nil {
		return nil, 0, db.Translate(err, "users")
	}
	var users []*User
	if err := s.db.WithContext(ctx).Where("scim_deleted_at IS NULL").Order("email").Offset(offset).Limit(limit).Find(&users).Error; err != nil {
		return nil, 0, db.Translate(err, "users")
	}
	return users, n, loadMemberships(s.db.WithContext(ctx), users...)
}

// saveProvisioned writes what the provider decides of a user, in tx.
func saveProvisioned(tx *gorm.DB, u *User) error {
	return updateUser(tx, u.ID, map[string]any{
		"email": u.Email, "display_name": u.DisplayName, "scim_external_id": u.SCIMExternalID,
		"source": u.Source, "updated_at": u.UpdatedAt,
	})
}

// markSCIMDeleted sets or clears (at nil) when the provider deleted the
// user over SCIM, in tx.
func markSCIMDeleted(tx *gorm.DB, userID string, at *time.Time) error {
	return updateUser(tx, userID, map[string]any{"scim_deleted_at": at})
}

// deletedByEmail returns the user deleted over SCIM whose email is email,
// locked, in tx. Errors: not_found.
func deletedByEmail(ctx context.Context, tx *gorm.DB, email string) (*User, error) {
	var u User
	if err := tx.WithContext(ctx).Clauses(lockingForUpdate).Where("email = ? AND scim_deleted_at IS NOT NULL", email).Take(&u).Error; err != nil {
		return nil, db.Translate(err, "user")
	}
	return &u, loadMemberships(tx.WithContext(ctx), &u)
}

// loadGroupMembers fills Members of each group, leaving out the users
// deleted over SCIM.
func loadGroupMembers(tx *gorm.DB, groups ...*Group) error {
	if len(groups) == 0 {
		return nil
	}
	ids := make([]string, len(groups))
	byID := map[string]*Group{}
	for i, g := range groups {
		ids[i], byID[g.ID] = g.ID, g
		g.Members = []string{}
	}
	var rows []groupMember
	// A user the provider deleted is no member of anything SCIM shows.
	if err := tx.Where("group_id IN ? AND user_id IN (SELECT id FROM users WHERE scim_deleted_at IS NULL)", ids).
		Order("user_id").Find(&rows).Error; err != nil {
		return db.Translate(err, "group members")
	}
	for _, r := range rows {
		byID[r.GroupID].Members = append(byID[r.GroupID].Members, r.UserID)
	}
	return nil
}

// groupByID returns a group with its members, locked when forUpdate, in tx
// (the store's pool when tx is nil). Errors: not_found.
func (s *store) groupByID(ctx context.Context, tx *gorm.DB, id string, forUpdate bool) (*Group, error) {
	if tx == nil {
		tx = s.db
	}
	if uuid.Validate(id) != nil {
		return nil, apperr.NotFoundf("group")
	}
	q := tx.WithContext(ctx)
	if forUpdate {
		q = q.Clauses(lockingForUpdate)
	}
	var g Group
	if err := q.Where("id = ?", id).Take(&g).Error; err != nil {
		return nil, db.Translate(err, "group")
	}
	return &g, loadGroupMembers(tx.WithContext(ctx), &g)
}

// groupsWhere returns groups where column equals value (display_name or
// external_id), or every group from offset when column is "".
func (s *store) groupsWhere(ctx context.Context, column, value string, offset, limit int) ([]*Group, int64, error) {
	q := s.db.WithContext(ctx).Model(&Group{})
	switch column {
	case "":
	case "display_name":
		q = q.Where("display_name = ?", value)
	case "external_id":
		q = q.Where("external_id = ?", value)
	default:
		return nil, 0, apperr.Invalidf("filter", "cannot filter groups by %s", column)
	}
	var n int64
	if err := q.Count(&n).Error; err != nil {
		return nil, 0, db.Translate(err, "groups")
	}
	var groups []*Group
	if err := q.Order("display_name").Offset(offset).Limit(limit).Find(&groups).Error; err != nil {
		return nil, 0, db.Translate(err, "groups")
	}
	return groups, n, loadGroupMembers(s.db.WithContext(ctx), groups...)
}

// saveGroup inserts or updates a group's name and external id, in tx.
func saveGroup(tx *gorm.DB, g *Group, create bool) error {
	var err error
	if create {
		err = tx.Omit("Members").Create(g).Error
	} else {
		err = tx.Model(&Group{}).Where("id = ?", g.ID).Updates(map[string]any{
			"display_name": g.DisplayName, "external_id": g.ExternalID, "updated_at": g.UpdatedAt}).Error
	}
	if db.IsUniqueViolation(err) {
		return apperr.Wrap(apperr.Conflict, err, "a group with this displayName or externalId already exists")
	}
	return db.Translate(err, "group")
}

// setGroupMembers replaces the group's members, in tx.
func setGroupMembers(tx *gorm.DB, groupID string, userIDs []string) error {
	if err := tx.Where("group_id = ?", groupID).Delete(&groupMember{}).Error; err != nil {
		return db.Translate(err, "group members")
	}
	if len(userIDs) == 0 {
		return nil
	}
	rows := make([]groupMember, len(userIDs))
	for i, u := range userIDs {
		rows[i] = groupMember{GroupID: groupID, UserID: u}
	}
	return db.Translate(tx.Create(&rows).Error, "group members (unknown user)")
}

// deleteGroup removes a group and its members, in tx.
func deleteGroup(tx *gorm.DB, id string) error {
	return db.Translate(tx.Where("id = ?", id).Delete(&Group{}).Error, "group")
}

// groupIDsOf returns the ids of the user's groups, by id, in tx.
func groupIDsOf(ctx context.Context, tx *gorm.DB, userID string) ([]string, error) {
	if uuid.Validate(userID) != nil {
		return nil, nil
	}
	var ids []string
	err := tx.WithContext(ctx).Model(&groupMember{}).Where("user_id = ?", userID).Order("group_id").Pluck("group_id", &ids).Error
	return ids, db.Translate(err, "groups")
}

// lockGroupsOf locks the user's groups, by id, in tx.
func lockGroupsOf(ctx context.Context, tx *gorm.DB, userID string) error {
	ids, err := groupIDsOf(ctx, tx, userID)
	if err != nil || len(ids) == 0 {
		return err
	}
	var locked []string
	err = tx.WithContext(ctx).Model(&Group{}).Clauses(lockingForUpdate).Where("id IN ?", ids).Order("id").Pluck("id", &locked).Error
	return db.Translate(err, "groups")
}

// groupNamesOf returns the names of the user's groups, in tx.
func groupNamesOf(tx *gorm.DB, userID string) ([]string, error) {
	var names []string
	err := tx.Model(&Group{}).Where("id IN (SELECT group_id FROM scim_group_members WHERE user_id = ?)", userID).
		Order("display_name").Pluck("display_name", &names).Error
	return names, db.Translate(err, "groups")
}

// lockUsers locks the users of ids SCIM shows, by id, in tx (ids that are
// no user's are left out).
func lockUsers(tx *gorm.DB, ids []string) error {
	valid := slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return uuid.Validate(id) != nil })
	if len(valid) == 0 {
		return nil
	}
	var locked []string
	err := tx.Model(&User{}).Clauses(lockingForUpdate).Where("id IN ? AND scim_deleted_at IS NULL", valid).Order("id").Pluck("id", &locked).Error
	return db.Translate(err, "users")
}

// existingUsers returns which of ids are users SCIM shows (not deleted
// over SCIM), in tx.
func existingUsers(tx *gorm.DB, ids []string) (map[string]bool, error) {
	valid := []string{}
	for _, id := range ids {
		if uuid.Validate(id) == nil {
			valid = append(valid, id)
		}
	}
	out := map[string]bool{}
	if len(valid) == 0 {
		return out, nil
	}
	var found []string
	if err := tx.Model(&User{}).Where("id IN ? AND scim_deleted_at IS NULL", valid).Pluck("id", &found).Error; err != nil {
		return nil, db.Translate(err, "users")
	}
	for _, id := range found {
		out[id] = true
	}
	return out, nil
}
