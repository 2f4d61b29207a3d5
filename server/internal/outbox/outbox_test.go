package outbox_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/outbox"
	"github.com/skillgate/skillgate/server/internal/testdb"
)

func TestEventsCommitWithTheirChange(t *testing.T) {
	t.Parallel()
	g := testdb.New(t)
	ctx := context.Background()
	at := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	errRollback := errors.New("rollback")
	err := g.Transaction(func(tx *gorm.DB) error {
		if _, err := outbox.Enqueue(ctx, tx, at, outbox.LicenseChanged, "", "license:1", map[string]string{"state": "verified"}); err != nil {
			return err
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatal(err)
	}
	err = g.Transaction(func(tx *gorm.DB) error {
		_, err := outbox.Enqueue(ctx, tx, at, outbox.CertificationChanged, "", "certification:2", map[string]string{"state": "certified"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	es, err := outbox.After(ctx, g, 0, 10)
	if err != nil || len(es) != 1 {
		t.Fatalf("got %d events (%v), want only the committed one", len(es), err)
	}
	if es[0].Type != outbox.CertificationChanged || !es[0].OccurredAt.Equal(at) || string(es[0].Payload) != `{"state": "certified"}` {
		t.Errorf("got %+v %s, want the certification event as written", es[0], es[0].Payload)
	}
}
