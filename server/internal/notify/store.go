package notify

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/db"
	"github.com/skillgate/skillgate/server/internal/queue"
)

// Store is the inbox and email queue SQL.
type Store struct{ db *gorm.DB }

// NewStore returns a store over g.
func NewStore(g *gorm.DB) *Store { return &Store{db: g} }

// insertNoticeQuery adds a notice unless the user already has one with the
// key; it returns the new row's id, or no row when it existed. Under two
// concurrent inserts of one key the second waits for the first to commit
// and then does nothing.
const insertNoticeQuery = `
INSERT INTO notifications (id, user_id, kind, key, title, body, link, due_at, due_date, created_at)
VALUES (@id, @user_id, @kind, @key, @title, @body, @link, @due_at, @due_date, @now)
ON CONFLICT (user_id, key) DO NOTHING
RETURNING id`

// insertNotice adds n in tx; it reports whether the notice is new.
func insertNotice(tx *gorm.DB, n *Notification) (bool, error) {
	var ids []string
	err := tx.Raw(insertNoticeQuery, map[string]any{"id": n.ID, "user_id": n.UserID, "kind": n.Kind, "key": n.Key,
		"title": n.Title, "body": n.Body, "link": n.Link, "due_at": n.DueAt, "due_date": n.DueDate, "now": n.CreatedAt}).Scan(&ids).Error
	if err != nil {
		return false, db.Translate(err, "notification")
	}
	return len(ids) == 1, nil
}

// queueEmail adds the pending email of a new notice, due at once.
func queueEmail(tx *gorm.DB, e *Email) error {
	if err := tx.Create(e).Error; err != nil {
		return db.Translate(err, "notification email")
	}
	return nil
}

// existing returns which of the reminders' (user, key) pairs have a notice
// already, as "user|key", reading in batches (by the unique index).
func (s *Store) existing(ctx context.Context, rs []Reminder) (map[string]bool, error) {
	out := map[string]bool{}
	for start := 0; start < len(rs); start += 1000 {
		pairs := make([][]any, 0, 1000)
		for _, r := range rs[start:min(start+1000, len(rs))] {
			pairs = append(pairs, []any{r.UserID.String(), r.Key})
		}
		var rows []struct{ UserID, Key string }
		err := s.db.WithContext(ctx).Model(&Notification{}).Select("user_id", "key").Where("(user_id, key) IN ?", pairs).Scan(&rows).Error
		if err != nil {
			return nil, fmt.Errorf("notify: existing reminders: %w", err)
		}
		for _, r := range rows {
			out[r.UserID+"|"+r.Key] = true
		}
	}
	return out, nil
}

// List returns a page of the user's notices, newest first, the count of
// notices the page was cut from, and the user's unread count.
func (s *Store) List(ctx context.Context, userID string, p Page) (*Inbox, error) {
	g := s.db.WithContext(ctx)
	q := g.Model(&Notification{}).Where("user_id = ?", userID)
	if p.UnreadOnly {
		q = q.Where("read_at IS NULL")
	}
	in := &Inbox{Notifications: []Notification{}}
	if err := q.Session(&gorm.Session{}).Count(&in.Total).Error; err != nil {
		return nil, fmt.Errorf("notify: count inbox: %w", err)
	}
	if err := q.Order("created_at DESC, id DESC").Limit(p.Limit).Offset(p.Offset).Find(&in.Notifications).Error; err != nil {
		return nil, fmt.Errorf("notify: list inbox: %w", err)
	}
	if err := g.Model(&Notification{}).Where("user_id = ? AND read_at IS NULL", userID).Count(&in.UnreadCount).Error; err != nil {
		return nil, fmt.Errorf("notify: count unread: %w", err)
	}
	return in, nil
}

// markReadQuery marks one of the user's notices read, keeping the first
// time it was read, and returns it.
const markReadQuery = `
UPDATE notifications SET read_at = COALESCE(read_at, @now)
WHERE id = @id AND user_id = @user_id
RETURNING *`

// MarkRead marks the user's notice read and returns it; not_found when the
// user has no such notice.
func (s *Store) MarkRead(ctx context.Context, userID, id string, now time.Time) (*Notification, error) {
	var ns []Notification
	err := s.db.WithContext(ctx).Raw(markReadQuery, map[string]any{"id": id, "user_id": userID, "now": now}).Scan(&ns).Error
	if err != nil {
		return nil, fmt.Errorf("notify: mark read: %w", err)
	}
	if len(ns) == 0 {
		return nil, apperr.NotFoundf("notification")
	}
	return &ns[0], nil
}

// MarkAllRead marks every unread notice of the user read and returns how
// many it marked.
func (s *Store) MarkAllRead(ctx context.Context, userID string, now time.Time) (int64, error) {
	res := s.db.WithContext(ctx).Model(&Notification{}).Where("user_id = ? AND read_at IS NULL", userID).Update("read_at", now)
	if res.Error != nil {
		return 0, fmt.Errorf("notify: mark all read: %w", res.Error)
	}
	return res.RowsAffected, nil
}

// Notification returns a notice by id; not_found when there is none.
func (s *Store) Notification(ctx context.Context, id string) (*Notification, error) {
	var n Notification
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&n).Error; err != nil {
		return nil, db.Translate(err, "notification")
	}
	return &n, nil
}

// Email returns the email queued for a notice; not_found when none is.
func (s *Store) Email(ctx context.Context, notificationID string) (*Email, error) {
	var e Email
	if err := s.db.WithContext(ctx).Where("notification_id = ?", notificationID).Take(&e).Error; err != nil {
		return nil, db.Translate(err, "notification email")
	}
	return &e, nil
}

// emailKind is the queue kind of notice emails: EmailRetryDelays, a
// 5-minute lease, 20 at a time, oldest due first.
var emailKind = queue.Kind{Name: "notify-email", Table: "notification_emails", Done: string(EmailSent),
	Schedule: EmailRetryDelays, Lease: 5 * time.Minute, Batch: 20, Order: "j.next_attempt_at, j.id"}
