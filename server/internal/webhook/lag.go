package webhook

import (
	"context"
	"fmt"
	"time"
)

// OutboxLag is the age of the oldest outbox event not yet delivered to
// every subscriber, and false when nothing waits.
func (s *Service) OutboxLag(ctx context.Context) (time.Duration, bool, error) {
	oldest, err := s.store.oldestUndelivered(ctx)
	if err != nil {
		return 0, false, fmt.Errorf("webhook: outbox lag: %w", err)
	}
	if !oldest.Valid {
		return 0, false, nil
	}
	return max(s.clock.Now().Sub(oldest.Time), 0), true, nil
}
