// Package db opens Skillgate's PostgreSQL pool, runs the embedded goose
// migrations and translates database errors into apperr codes.
package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/skillgate/skillgate/server/internal/apperr"
)

// Options tune the connection pool.
type Options struct {
	MaxOpenConns int
	MaxIdleConns int
	// StatementTimeout is the server-side statement_timeout of every
	// connection, unless the URL sets one (0: none).
	StatementTimeout time.Duration
	// SlowStatement logs, as a warning, every statement that runs longer
	// than this (0: none). Failing statements are always logged.
	SlowStatement time.Duration
	// TCPTimeout closes a connection whose peer stops acknowledging data
	// or answering keepalive probes for this long (0: the system's
	// defaults, which wait minutes to hours).
	TCPTimeout time.Duration
	Logger     *slog.Logger
}

// connectTimeout bounds opening one connection, unless the URL's
// connect_timeout says otherwise: while the database is unreachable,
// requests fail after this rather than hanging.
const connectTimeout = 5 * time.Second

// Open connects to url with pgx's database/sql driver, checks the connection
// and hands the pool to GORM. The returned *gorm.DB owns the pool: close it
// with Close.
//
// The pool heals by itself after an outage: a connection that saw a network
// error is closed by pgx and discarded by database/sql (driver.Validator),
// the next request dials a new one, and idle connections are recycled after
// a minute so few dead ones linger. A partition (the peer silent, the
// connection still open) is found by TCP keepalive and TCP_USER_TIMEOUT
// (Options.TCPTimeout); until then each request's context deadline bounds
// its wait, for a connection from the pool as for a statement on one.
func Open(ctx context.Context, url string, opts Options) (*gorm.DB, error) {
	cc, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("db: open: %w", err)
	}
	if cc.ConnectTimeout == 0 {
		cc.ConnectTimeout = connectTimeout
	}
	cc.DialFunc = dialer(cc.ConnectTimeout, opts.TCPTimeout)
	if _, set := cc.RuntimeParams["statement_timeout"]; !set && opts.StatementTimeout > 0 {
		cc.RuntimeParams["statement_timeout"] = fmt.Sprint(opts.StatementTimeout.Milliseconds())
	}
	sqlDB := stdlib.OpenDB(*cc)
	if opts.MaxOpenConns <= 0 {
		opts.MaxOpenConns = 20
	}
	if opts.MaxIdleConns <= 0 {
		opts.MaxIdleConns = opts.MaxOpenConns
	}
	sqlDB.SetMaxOpenConns(opts.MaxOpenConns)
	sqlDB.SetMaxIdleConns(opts.MaxIdleConns)
	sqlDB.SetConnMaxIdleTime(time.Minute)
	sqlDB.SetConnMaxLifetime(30 * time.Minute)

	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(pingCtx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("db: connect: %w", err)
	}
	g, err := fromSQL(sqlDB, opts.Logger, opts.SlowStatement)
	if err != nil {
		sqlDB.Close()
		return nil, err
	}
	return g, nil
}

// FromSQL wraps an open pool in GORM with Skillgate's settings: translated
// errors, UTC timestamps, and failing queries logged through slog (slow
// ones are logged only by pools from Open with Options.SlowStatement).
func FromSQL(sqlDB *sql.DB, log *slog.Logger) (*gorm.DB, error) {
	return fromSQL(sqlDB, log, 0)
}

func fromSQL(sqlDB *sql.DB, log *slog.Logger, slow time.Duration) (*gorm.DB, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	g, err := gorm.Open(dialector{postgres.Dialector{Config: &postgres.Config{Conn: sqlDB}}}, &gorm.Config{
		TranslateError:         true,
		DisableAutomaticPing:   true, // Open pings; FromSQL must work while the database is down
		SkipDefaultTransaction: true,
		NowFunc:                func() time.Time { return time.Now().UTC() },
		Logger: sqlLogger{log: log, slow: slow, Interface: logger.NewSlogLogger(log, logger.Config{
			LogLevel:                  logger.Warn,
			IgnoreRecordNotFoundError: true,
			ParameterizedQueries:      true, // never log bound values, under Debug too (dialector.Explain ignores them too)
		})},
	})
	if err != nil {
		return nil, fmt.Errorf("db: gorm: %w", err)
	}
	return g, nil
}

// sqlLogger logs the statements that failed, as errors, and those that ran
// longer than slow (when it is not zero), as warnings, each with its SQL as
// sent (placeholders, never values) and how long it ran. A missing row or a
// duplicate key is not a failure: callers answer it with not_found or
// conflict (a double-click, a re-run seed), and the access log has the
// response. The SQL is rendered only for a statement that is logged:
// rendering every statement cost a few percent of a request's CPU.
type sqlLogger struct {
	logger.Interface // GORM's own messages (LogMode, Info, Warn, Error)
	log              *slog.Logger
	slow             time.Duration
}

func (l sqlLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	took := time.Since(begin)
	// A statement cut short because its caller went away (a client closed
	// the connection, a page was left) is not the database failing: no line.
	// One that ran out of its deadline is, and is logged.
	left := errors.Is(err, context.Canceled) || (err != nil && errors.Is(ctx.Err(), context.Canceled))
	failed := err != nil && !left && !errors.Is(err, gorm.ErrRecordNotFound) && !errors.Is(err, gorm.ErrDuplicatedKey)
	slow := l.slow > 0 && took > l.slow
	if !failed && !slow {
		return
	}
	sql, rows := fc()
	attrs := []slog.Attr{slog.Duration("duration", took), slog.String("sql", sql)}
	if rows >= 0 {
		attrs = append(attrs, slog.Int64("rows", rows))
	}
	if failed {
		l.log.LogAttrs(ctx, slog.LevelError, "SQL statement failed", append(attrs, slog.String("error", err.Error()))...)
		return
	}
	l.log.LogAttrs(ctx, slog.LevelWarn, "slow SQL statement", append(attrs, slog.Duration("threshold", l.slow))...)
}

// dialector is GORM's PostgreSQL dialector, except that it renders a
// statement for a log line as it was sent, placeholders and all, never with
// its bound values inlined: they may be secrets (session ids, emails), and
// GORM renders every Raw(...).Scan's SQL through logger.Recorder whether it
// is logged or not, which cost about 2% of a request's CPU.
type dialector struct{ postgres.Dialector }

// Explain returns sql unchanged.
func (dialector) Explain(sql string, _ ...any) string { return sql }

// CheckDurability returns a warning for each server setting that lets a
// committed transaction be lost in a crash (fsync or synchronous_commit
// off): Skillgate answers 2xx only after a commit, which means nothing if
// the commit is not on disk.
func CheckDurability(ctx context.Context, g *gorm.DB) ([]string, error) {
	var warnings []string
	for _, setting := range []string{"fsync", "synchronous_commit"} {
		var v string
		if err := g.WithContext(ctx).Raw("SELECT current_setting(?)", setting).Scan(&v).Error; err != nil {
			return nil, fmt.Errorf("db: check %s: %w", setting, err)
		}
		if v == "off" {
			warnings = append(warnings, fmt.Sprintf("PostgreSQL %s is off: a crash can lose transactions Skillgate has already acknowledged", setting))
		}
	}
	return warnings, nil
}

// Close closes the pool behind g.
func Close(g *gorm.DB) error {
	sqlDB, err := g.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Translate turns a database error into an apperr: a missing row becomes
// not_found naming what, a unique or foreign-key violation becomes conflict,
// a lost or refused connection or a timeout becomes unavailable. Other errors
// are returned wrapped, as internal.
func Translate(err error, what string) error {
	if err == nil {
		return nil
	}
	var ae *apperr.Error
	switch {
	case errors.As(err, &ae):
		return err
	case errors.Is(err, gorm.ErrRecordNotFound), errors.Is(err, sql.ErrNoRows):
		return apperr.NotFoundf("%s", what)
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return apperr.Wrap(apperr.Conflict, err, "%s already exists", what)
	case errors.Is(err, gorm.ErrForeignKeyViolated):
		return apperr.Wrap(apperr.Conflict, err, "%s refers to something that does not exist or is still referenced", what)
	case IsUnavailable(err):
		return apperr.Wrap(apperr.Unavailable, err, "the database is unavailable, try again shortly")
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23505":
			return apperr.Wrap(apperr.Conflict, err, "%s already exists", what)
		case "23503":
			return apperr.Wrap(apperr.Conflict, err, "%s refers to something that does not exist or is still referenced", what)
		case "40001", "40P01":
			return apperr.Wrap(apperr.Conflict, err, "a concurrent change to %s won, retry", what)
		}
	}
	return fmt.Errorf("%s: %w", what, err)
}

// IsUnavailable reports whether err means the database could not be reached
// or did not answer in time (as opposed to rejecting the statement).
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, sql.ErrConnDone) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, io.ErrUnexpectedEOF) || pgconn.Timeout(err) {
		// A connection lost mid-statement surfaces as an unexpected EOF or
		// a bad connection; database/sql retries the latter only before
		// anything was sent.
		return true
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return true
	}
	var connErr *pgconn.ConnectError
	if errors.As(err, &connErr) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// Class 08: connection exception; 57P01-57P03: admin shutdown, crash, cannot connect now.
		return len(pgErr.Code) == 5 && (pgErr.Code[:2] == "08" || pgErr.Code == "57P01" || pgErr.Code == "57P02" || pgErr.Code == "57P03")
	}
	return pgconn.SafeToRetry(err)
}

// DetachedTimeout bounds work Detach hands on by default.
const DetachedTimeout = 10 * time.Second

// Detach returns a context for work that must outlive its caller's
// cancellation (settling a key, an audit entry, evaluating after a commit)
// without hanging on a silent database: it keeps ctx's values, is not
// canceled with ctx, and ends after d.
func Detach(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), d)
}
