// Package idempotency makes retried writes safe: a client sends an
// Idempotency-Key header on a write it may retry, the first request with
// that key runs, and every later request with the same key from the same
// principal gets the first one's answer instead of running again.
//
// Keys are kept in PostgreSQL (table idempotency_keys), so the guarantee
// holds across replicas. Duplicates that arrive while the first request is
// still running wait for its answer (up to Options.Wait), then get 409
// conflict with details.reason "idempotency_key_in_progress". The same key
// with a different request (method, route, path or body) gets 409 conflict
// with details.reason "idempotency_key_mismatch". Answers of 5xx and 429 are
// not kept: the key is released so a retry runs again.
package idempotency

import "time"

// Header is the request header that carries the key.
const Header = "Idempotency-Key"

// ReplayedHeader is set to "true" on an answer replayed from the store.
const ReplayedHeader = "Idempotent-Replayed"

// MaxKeyLength is the longest key accepted.
const MaxKeyLength = 255

// Reasons in the details of a 409 answer.
const (
	ReasonMismatch   = "idempotency_key_mismatch"
	ReasonInProgress = "idempotency_key_in_progress"
)

// Record is one key's row.
type Record struct {
	Principal   string
	Key         string
	Method      string
	Route       string
	RequestHash []byte
	Owner       string
	LockedUntil time.Time
	// Status is nil while the first request runs.
	Status      *int
	ContentType *string
	Response    []byte
	CreatedAt   time.Time
	CompletedAt *time.Time
	ExpiresAt   time.Time
}

// TableName is the table of records.
func (Record) TableName() string { return "idempotency_keys" }

// Options tune the middleware.
type Options struct {
	// TTL is how long a key's answer is kept (default 24 hours).
	TTL time.Duration
	// Lease is how long the first request owns its key before a retry may
	// take it over (default 90 seconds, longer than the server's write
	// timeout, so only a request whose server died loses its lease).
	Lease time.Duration
	// Wait is how long a duplicate waits for the first request's answer
	// before it gets 409 (default 10 seconds).
	Wait time.Duration
	// MaxResponseBytes is the largest answer kept (default 1 MiB); a larger
	// one is answered but not kept, and the key is released.
	MaxResponseBytes int
}

func (o Options) withDefaults() Options {
	if o.TTL <= 0 {
		o.TTL = 24 * time.Hour
	}
	if o.Lease <= 0 {
		o.Lease = 90 * time.Second
	}
	if o.Wait <= 0 {
		o.Wait = 10 * time.Second
	}
	if o.MaxResponseBytes <= 0 {
		o.MaxResponseBytes = 1 << 20
	}
	return o
}
