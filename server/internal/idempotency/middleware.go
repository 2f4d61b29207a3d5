package idempotency

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/clock"
	"github.com/skillgate/skillgate/server/internal/db"
	"github.com/skillgate/skillgate/server/internal/httpx"
	"github.com/skillgate/skillgate/server/internal/jobs"
)

// Service is the middleware and the cleanup job over a store.
type Service struct {
	store *Store
	clock clock.Clock
	opts  Options
	log   *slog.Logger
}

// NewService returns the idempotency service.
func NewService(store *Store, clk clock.Clock, opts Options, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{store: store, clock: clk, opts: opts.withDefaults(), log: log}
}

// Middleware honours the Idempotency-Key header on the routes it is
// installed on. It must run after authentication (keys are scoped per
// principal); a request without the header, or without a principal (it
// will be refused with 401 further on), passes through untouched.
func (s *Service) Middleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		key := c.GetHeader(Header)
		p := auth.FromContext(c.Request.Context())
		if key == "" || p == nil {
			c.Next()
			return
		}
		if !validKey(key) {
			httpx.Error(c, apperr.Invalidf(Header, "must be 1 to %d visible ASCII characters (a UUID is a good key)", MaxKeyLength))
			return
		}
		body, err := io.ReadAll(c.Request.Body)
		if err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				httpx.Error(c, apperr.E(apperr.TooLarge, "the request body is larger than %d bytes", tooLarge.Limit))
				return
			}
			httpx.Error(c, apperr.Wrap(apperr.Invalid, err, "could not read the request body"))
			return
		}
		c.Request.Body = io.NopCloser(bytes.NewReader(body))
		now := s.clock.Now()
		rec := &Record{
			Principal: principalOf(p), Key: key, Method: c.Request.Method, Route: c.FullPath(),
			RequestHash: requestHash(c.Request.Method, c.FullPath(), c.Request.URL.Path, c.Request.URL.RawQuery, body),
			Owner:       uuid.NewString(), LockedUntil: now.Add(s.opts.Lease), CreatedAt: now, ExpiresAt: now.Add(s.opts.TTL),
		}
		s.serve(c, rec)
	}
}

// serve claims the key and runs the handler, or answers from the store, or
// waits for the request that holds the key.
func (s *Service) serve(c *gin.Context, rec *Record) {
	ctx := c.Request.Context()
	deadline := time.Now().Add(s.opts.Wait)
	pause := 5 * time.Millisecond
	for {
		claimed, err := s.store.Claim(ctx, rec)
		if err != nil {
			httpx.Error(c, err)
			return
		}
		if claimed {
			s.run(c, rec)
			return
		}
		got, err := s.store.Get(ctx, rec.Principal, rec.Key)
		switch {
		case apperr.Is(err, apperr.NotFound):
			continue // released or expired and deleted since: claim again
		case err != nil:
			httpx.Error(c, err)
			return
		case !bytes.Equal(got.RequestHash, rec.RequestHash):
			httpx.Error(c, &apperr.Error{Code: apperr.Conflict,
				Message: "this Idempotency-Key was used for a different request: use a new key for a new request",
				Fields:  map[string]string{Header: "already used for a different request"},
				Details: map[string]string{"reason": ReasonMismatch}})
			return
		case got.Status != nil:
			ctype := "application/json; charset=utf-8"
			if got.ContentType != nil && *got.ContentType != "" {
				ctype = *got.ContentType
			}
			c.Header(ReplayedHeader, "true")
			c.Data(*got.Status, ctype, got.Response)
			c.Abort()
			return
		}
		// In progress: wait for its answer, looking once more at the deadline.
		left := time.Until(deadline)
		if left <= 0 {
			httpx.Error(c, &apperr.Error{Code: apperr.Conflict, RetryAfter: time.Second,
				Message: "a request with this Idempotency-Key is still being processed: retry shortly",
				Details: map[string]string{"reason": ReasonInProgress}})
			return
		}
		select {
		case <-ctx.Done():
			httpx.Error(c, ctx.Err())
			return
		case <-time.After(min(pause, left)):
		}
		pause = min(pause*2, 100*time.Millisecond)
	}
}

// run runs the handler as the key's owner and keeps its answer, or
// releases the key when the answer is one a retry should not get (5xx,
// 429, too large to keep).
func (s *Service) run(c *gin.Context, rec *Record) {
	w := &capture{ResponseWriter: c.Writer, limit: s.opts.MaxResponseBytes}
	c.Writer = w
	defer func() {
		// Keep or release even when the handler panicked or the client
		// left, but never hang on a silent database.
		ctx, cancel := db.Detach(c.Request.Context(), db.DetachedTimeout)
		defer cancel()
		status := w.Status()
		p := recover()
		var settle func(context.Context) error
		if p != nil || status >= 500 || status == http.StatusTooManyRequests || w.overflow {
			settle = func(ctx context.Context) error { return s.store.Release(ctx, rec.Principal, rec.Key, rec.Owner) }
		} else {
			body, ctype, at := w.buf.Bytes(), w.Header().Get("Content-Type"), s.clock.Now()
			settle = func(ctx context.Context) error {
				return s.store.Complete(ctx, rec.Principal, rec.Key, rec.Owner, status, ctype, body, at)
			}
		}
		if err := settle(ctx); err != nil {
			// Typically the database is down (which is also why the
			// handler failed): keep trying in the background, so that
			// retries are not held up until the lease lapses.
			s.log.WarnContext(ctx, "idempotency: could not settle a key, retrying in the background", "err", err)
			go s.settleLater(context.WithoutCancel(ctx), settle)
		}
		if p != nil {
			panic(p)
		}
	}()
	c.Next()
}

// settleLater retries settle every second until it works or the key's
// lease lapses (after which a retry takes the key over anyway).
func (s *Service) settleLater(ctx context.Context, settle func(context.Context) error) {
	deadline := time.Now().Add(s.opts.Lease)
	for time.Now().Before(deadline) {
		time.Sleep(time.Second)
		attempt, cancel := db.Detach(ctx, db.DetachedTimeout)
		err := settle(attempt)
		cancel()
		if err == nil {
			return
		}
	}
	s.log.WarnContext(ctx, "idempotency: gave up settling a key; its lease has lapsed")
}

// RunOnce deletes expired keys in batches (the cleanup job).
func (s *Service) RunOnce(ctx context.Context) (int, error) {
	const size = 1000
	return jobs.Batches(ctx, size, func(ctx context.Context) (int, error) {
		return s.store.DeleteExpired(ctx, s.clock.Now(), size)
	})
}

// capture copies what the handler writes so it can be kept.
type capture struct {
	gin.ResponseWriter
	buf      bytes.Buffer
	limit    int
	overflow bool
}

func (w *capture) Write(b []byte) (int, error) {
	w.keep(b)
	return w.ResponseWriter.Write(b)
}

func (w *capture) WriteString(s string) (int, error) {
	w.keep([]byte(s))
	return w.ResponseWriter.WriteString(s)
}

func (w *capture) keep(b []byte) {
	if w.overflow {
		return
	}
	if w.buf.Len()+len(b) > w.limit {
		w.overflow = true
		w.buf.Reset()
		return
	}
	w.buf.Write(b)
}

func validKey(k string) bool {
	if len(k) < 1 || len(k) > MaxKeyLength {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

// principalOf names who a key belongs to: keys are scoped per user or API key.
func principalOf(p *auth.Principal) string {
	if p.IsMachine() {
		return "key:" + p.APIKeyID
	}
	return "user:" + p.UserID
}

// requestHash fingerprints what the key stands for: the method, the route,
// the concrete path, the query and the body.
func requestHash(method, route, path, query string, body []byte) []byte {
	h := sha256.New()
	for _, part := range []string{method, route, path, query} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	h.Write(body)
	return h.Sum(nil)
}
