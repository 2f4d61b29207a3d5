package webhook

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// oldestUndeliveredQuery is the oldest event not yet delivered: not yet
// fanned out into deliveries, or with a delivery still pending or sending.
const oldestUndeliveredQuery = `
SELECT min(t) FROM (
  SELECT min(occurred_at) AS t FROM outbox_events WHERE webhook_fanned_out_at IS NULL
  UNION ALL
  SELECT min(occurred_at) FROM webhook_deliveries WHERE status IN ('pending', 'sending') AND event_seq IS NOT NULL
) pending`

// OutboxLag is the age of the oldest outbox event not yet delivered to
// every subscriber, and false when nothing waits.
func (s *Service) OutboxLag(ctx context.Context) (time.Duration, bool, error) {
	var oldest sql.NullTime
	if err := s.db.WithContext(ctx).Raw(oldestUndeliveredQuery).Scan(&oldest).Error; err != nil {
		return 0, false, fmt.Errorf("webhook: outbox lag: %w", err)
	}
	if !oldest.Valid {
		return 0, false, nil
	}
	return max(s.clock.Now().Sub(oldest.Time), 0), true, nil
}
