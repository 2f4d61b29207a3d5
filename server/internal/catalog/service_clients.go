package catalog

import (
	"context"
	"fmt"
	"strconv"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/audit"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/db"
)

// ClientInput is a new client. The slug is the client's folder name in the
// content library: an import updates the client with the same slug.
type ClientInput struct {
	Slug        string
	Name        string
	Industry    string
	Description string
}

// ClientPatch changes some of a client's fields (nil: unchanged). The slug
// cannot change: it is how the content library names the client.
type ClientPatch struct {
	Name        *string
	Industry    *string
	Description *string
}

// requireAdmin returns the principal when it is an admin. Errors:
// unauthorized, forbidden.
func requireAdmin(ctx context.Context) (*auth.Principal, error) {
	p := auth.FromContext(ctx)
	switch {
	case p == nil:
		return nil, apperr.E(apperr.Unauthorized, "sign in first")
	case !p.Is(auth.RoleAdmin):
		return nil, apperr.E(apperr.Forbidden, "only admins manage clients")
	}
	return p, nil
}

// CreateClient creates a client (admins only), audited as client.create, so
// memberships can be set up before the client's content is imported.
// Errors: unauthorized, forbidden, invalid (slug, name), conflict (the
// slug is taken).
func (s *Service) CreateClient(ctx context.Context, in ClientInput) (*Client, error) {
	p, err := requireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	f := apperr.Fields{}
	if !ValidSlug(in.Slug) {
		f.Add("slug", "must be lowercase letters, digits and hyphens, starting with a letter or digit, at most 63 characters")
	}
	if in.Name == "" {
		f.Add("name", "is required")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	var out *Client
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		out, err = s.insertClient(ctx, tx, p.Actor(), in)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("catalog: create client: %w", err)
	}
	return out, nil
}

// UpdateClient changes a client's name, industry or description (admins
// only), audited as client.update when anything changed. Errors:
// unauthorized, forbidden, not_found, invalid (name).
func (s *Service) UpdateClient(ctx context.Context, id string, in ClientPatch) (*Client, error) {
	p, err := requireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	if in.Name != nil && *in.Name == "" {
		return nil, apperr.Invalidf("name", "must not be empty")
	}
	var out *Client
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		cur, err := byID[Client](tx.Clauses(clause.Locking{Strength: "UPDATE"}), id, "client")
		if err != nil {
			return err
		}
		name, industry, desc := cur.Name, cur.Industry, cur.Description
		if in.Name != nil {
			name = *in.Name
		}
		if in.Industry != nil {
			industry = *in.Industry
		}
		if in.Description != nil {
			desc = *in.Description
		}
		if _, err := s.updateClient(ctx, tx, p.Actor(), cur, name, industry, desc); err != nil {
			return err
		}
		out = cur
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("catalog: update client: %w", err)
	}
	return out, nil
}

// insertClient writes a new client in tx and audits it as client.create.
func (s *Service) insertClient(ctx context.Context, tx *gorm.DB, actor audit.Actor, in ClientInput) (*Client, error) {
	now := s.now()
	row := &Client{ID: uuid.NewString(), Slug: in.Slug, Name: in.Name, Industry: in.Industry, Description: in.Description, CreatedAt: now, UpdatedAt: now}
	if err := tx.Create(row).Error; err != nil {
		return nil, db.Translate(err, "client "+strconv.Quote(in.Slug))
	}
	return row, s.audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: "client.create", SubjectType: "client",
		SubjectID: row.ID, ClientID: row.ID,
		After: map[string]any{"slug": row.Slug, "name": row.Name, "industry": row.Industry, "description": row.Description}})
}

// updateClient sets cur's name, industry and description in tx when they
// differ, auditing the change as client.update; it reports whether
// anything changed and leaves cur updated.
func (s *Service) updateClient(ctx context.Context, tx *gorm.DB, actor audit.Actor, cur *Client, name, industry, description string) (bool, error) {
	if cur.Name == name && cur.Industry == industry && cur.Description == description {
		return false, nil
	}
	before := map[string]any{"name": cur.Name, "industry": cur.Industry, "description": cur.Description}
	after := map[string]any{"name": name, "industry": industry, "description": description}
	now := s.now()
	upd := map[string]any{"name": name, "industry": industry, "description": description, "updated_at": now}
	if err := tx.Model(cur).Updates(upd).Error; err != nil {
		return false, db.Translate(err, "client "+strconv.Quote(cur.Slug))
	}
	cur.Name, cur.Industry, cur.Description, cur.UpdatedAt = name, industry, description, now
	return true, s.audit.Record(ctx, tx, audit.Entry{Actor: actor, Action: "client.update", SubjectType: "client",
		SubjectID: cur.ID, ClientID: cur.ID, Before: before, After: after})
}
