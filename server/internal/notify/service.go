package notify

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/clock"
	"github.com/skillgate/skillgate/server/internal/queue"
)

// userFinder finds users without authorizing (the auth service): the
// sender reads the address an email goes to.
type userFinder interface {
	LookupUser(ctx context.Context, id string) (*auth.User, error)
}

// Options configure the service.
type Options struct {
	// Mail sends each notice by email too; nil means in-app only (nothing
	// is queued).
	Mail *MailConfig
	// PublicURL is the web app's address ("https://skillgate.example.com"),
	// put before a notice's link in emails; empty leaves links as paths.
	PublicURL string
	// Log receives the sender's failures (nil: discarded).
	Log *slog.Logger
	// Sources are the domains the reminder job reads.
	Sources Sources
}

// Service keeps the inbox, creates reminders and sends their emails.
type Service struct {
	db      *gorm.DB
	store   *Store
	users   userFinder
	clock   clock.Clock
	opts    Options
	mailer  mailer
	sources Sources
	emails  *queue.Queue[Email]
}

// NewService wires the service. Call SetSources before running the
// reminder job.
func NewService(g *gorm.DB, users userFinder, clk clock.Clock, opts Options) *Service {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	s := &Service{db: g, store: NewStore(g), users: users, clock: clk, opts: opts, sources: opts.Sources,
		emails: queue.New[Email](g, clk, emailKind, opts.Log)}
	if opts.Mail != nil {
		s.mailer = &smtpMailer{cfg: *opts.Mail}
	}
	return s
}

// Store returns the service's store.
func (s *Service) Store() *Store { return s.store }

func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

var kindPattern = regexp.MustCompile(`^[a-z][a-z0-9_.-]{0,62}$`)

// check names every problem of r.
func (r Reminder) check() error {
	f := apperr.Fields{}
	if r.UserID == uuid.Nil {
		f.Add("user_id", "is required")
	}
	if !kindPattern.MatchString(r.Kind) {
		f.Add("kind", "must be lowercase letters, digits and ._- (at most 63), starting with a letter")
	}
	if r.Key == "" || len(r.Key) > 200 {
		f.Add("key", "is required, at most 200 bytes")
	}
	if strings.TrimSpace(r.Title) == "" || utf8.RuneCountInString(r.Title) > 200 {
		f.Add("title", "is required, at most 200 characters")
	}
	if utf8.RuneCountInString(r.Body) > 4000 {
		f.Add("body", "must be at most 4000 characters")
	}
	if r.DueDate != "" {
		if _, err := time.Parse(dayLayout, r.DueDate); err != nil {
			f.Add("due_date", "must be a date like 2026-03-02")
		}
	}
	if len(r.Link) > 2000 {
		f.Add("link", "must be at most 2000 bytes")
	}
	return f.Err()
}

// Remind puts a notice in the user's inbox, inside tx (the caller's
// transaction; nil runs one of its own), unless the user already has one
// with r.Key: then it does nothing and returns nil. With email configured,
// a new notice also queues its email in the same transaction. Errors:
// invalid (r's fields), not_found (no such user).
func (s *Service) Remind(ctx context.Context, tx *gorm.DB, r Reminder) error {
	_, err := s.remind(ctx, tx, r)
	return err
}

// remind is Remind, reporting whether the notice is new.
func (s *Service) remind(ctx context.Context, tx *gorm.DB, r Reminder) (bool, error) {
	if err := r.check(); err != nil {
		return false, err
	}
	now := s.now()
	n := &Notification{ID: uuid.NewString(), UserID: r.UserID.String(), Kind: r.Kind, Key: r.Key, Title: r.Title,
		Body: r.Body, Link: r.Link, CreatedAt: now}
	if r.DueAt != nil {
		due := r.DueAt.UTC()
		n.DueAt = &due
		day := Day(due.Format(dayLayout))
		n.DueDate = &day
	}
	if r.DueDate != "" {
		day := Day(r.DueDate)
		n.DueDate = &day
	}
	created := false
	write := func(tx *gorm.DB) error {
		var err error
		if created, err = insertNotice(tx, n); err != nil || !created || s.mailer == nil {
			return err
		}
		return queueEmail(tx, &Email{ID: uuid.NewString(), NotificationID: n.ID, Status: EmailPending,
			NextAttemptAt: &now, CreatedAt: now, UpdatedAt: now})
	}
	var err error
	if tx != nil {
		// A savepoint, so a failure here leaves the caller's transaction usable.
		err = tx.WithContext(ctx).Transaction(write)
	} else {
		err = s.db.WithContext(ctx).Transaction(write)
	}
	if apperr.Is(err, apperr.Conflict) { // the only foreign key: the user
		return false, apperr.NotFoundf("user %s", r.UserID)
	}
	if err != nil {
		return false, fmt.Errorf("notify: remind %s: %w", r.Key, err)
	}
	return created, nil
}

// signedInUser is the principal of an inbox call: a person, never an API key.
func signedInUser(ctx context.Context) (*auth.Principal, error) {
	p := auth.FromContext(ctx)
	switch {
	case p == nil:
		return nil, apperr.E(apperr.Unauthorized, "sign in first")
	case p.IsMachine():
		return nil, apperr.E(apperr.Forbidden, "API keys have no inbox")
	}
	return p, nil
}

// Inbox returns a page of the signed-in user's notices, newest first, with
// their unread count. Errors: unauthorized, forbidden (API keys).
func (s *Service) Inbox(ctx context.Context, p Page) (*Inbox, error) {
	who, err := signedInUser(ctx)
	if err != nil {
		return nil, err
	}
	if p.Limit == 0 {
		p.Limit = 20
	}
	return s.store.List(ctx, who.UserID, p)
}

// MarkRead marks one of the signed-in user's notices read (the first time
// counts) and returns it. Errors: unauthorized, forbidden, not_found (also
// for another user's notice).
func (s *Service) MarkRead(ctx context.Context, id string) (*Notification, error) {
	who, err := signedInUser(ctx)
	if err != nil {
		return nil, err
	}
	if uuid.Validate(id) != nil {
		return nil, apperr.NotFoundf("notification")
	}
	return s.store.MarkRead(ctx, who.UserID, id, s.now())
}

// MarkAllRead marks every unread notice of the signed-in user read and
// returns how many. Errors: unauthorized, forbidden.
func (s *Service) MarkAllRead(ctx context.Context) (int64, error) {
	who, err := signedInUser(ctx)
	if err != nil {
		return 0, err
	}
	return s.store.MarkAllRead(ctx, who.UserID, s.now())
}
