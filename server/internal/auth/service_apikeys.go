package auth

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/audit"
	"github.com/skillgate/skillgate/server/internal/db"
)

// apiKeyPrefixLen is the length of the readable, random part of a key's
// prefix: sk_<8 hex>_<secret>.
const apiKeyPrefixLen = 8

// CreateAPIKey creates a machine key (admins only) and returns it with its
// secret, which is shown this once. Invalid for unknown scopes or an expiry
// in the past; forbidden for anyone but an admin.
func (s *Service) CreateAPIKey(ctx context.Context, in CreateAPIKeyInput) (*NewAPIKey, error) {
	p, err := requireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	fields := apperr.Fields{}
	if strings.TrimSpace(in.Name) == "" {
		fields.Add("name", "is required")
	}
	for _, sc := range in.Scopes {
		if !slices.Contains(Scopes, sc) {
			fields.Add("scopes", "unknown scope %q (known: %s)", sc, strings.Join(Scopes, ", "))
		}
	}
	if in.ExpiresAt != nil && !in.ExpiresAt.After(now) {
		fields.Add("expires_at", "must be in the future")
	}
	if err := fields.Err(); err != nil {
		return nil, err
	}
	b := make([]byte, apiKeyPrefixLen/2)
	_, _ = rand.Read(b)
	prefix := "sk_" + hex.EncodeToString(b)
	secret := randomToken("", 32)
	creator := p.UserID
	k := &NewAPIKey{
		APIKey: APIKey{ID: uuid.NewString(), Name: strings.TrimSpace(in.Name), Prefix: prefix, SecretHash: sha256Hex(secret),
			Scopes: TextArray(dedupe(in.Scopes)), CreatedBy: &creator, CreatedAt: now, ExpiresAt: in.ExpiresAt},
		Key: prefix + "_" + secret,
	}
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&k.APIKey).Error; err != nil {
			return db.Translate(err, "API key")
		}
		return s.recorder.Record(ctx, tx, audit.Entry{
			Actor: p.Actor(), Action: "api_key.create", SubjectType: "api_key", SubjectID: k.ID,
			After: map[string]any{"name": k.Name, "prefix": k.Prefix, "scopes": k.Scopes, "expires_at": k.ExpiresAt},
		})
	})
	if err != nil {
		return nil, fmt.Errorf("auth: create API key: %w", err)
	}
	return k, nil
}

// ListAPIKeys lists every key, newest first, without secrets (admins only).
func (s *Service) ListAPIKeys(ctx context.Context) ([]APIKey, error) {
	if _, err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	return s.store.listAPIKeys(ctx)
}

// RevokeAPIKey revokes a key at once (admins only). Revoking a revoked key
// changes nothing. Not_found for an unknown key.
func (s *Service) RevokeAPIKey(ctx context.Context, id string) error {
	p, err := requireAdmin(ctx)
	if err != nil {
		return err
	}
	if uuid.Validate(id) != nil {
		return apperr.NotFoundf("API key")
	}
	now := s.clock.Now()
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		k, err := lockAPIKey(tx, id)
		if err != nil {
			return err
		}
		if k.RevokedAt != nil {
			return nil
		}
		if err := revokeAPIKey(tx, id, now); err != nil {
			return err
		}
		return s.recorder.Record(ctx, tx, audit.Entry{
			Actor: p.Actor(), Action: "api_key.revoke", SubjectType: "api_key", SubjectID: id,
			Before: map[string]any{"name": k.Name, "prefix": k.Prefix}, After: map[string]any{"revoked_at": now},
		})
	})
	if err != nil {
		return fmt.Errorf("auth: revoke API key: %w", err)
	}
	s.keys.drop(id) // at once here; other replicas within APIKeyCacheTTL
	return nil
}
