package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/clock"
	"github.com/skillgate/skillgate/server/internal/logx"
)

// genesis is the prev_hash of the first row.
const genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// chainLock serializes appends (a transaction-scoped advisory lock held until
// the caller's transaction ends), so each row's prev_hash is the row before it
// in seq order, even with several replicas writing. The database function
// audit_append takes the same lock.
const chainLock = `SELECT pg_advisory_xact_lock(7365636172) -- "audit chain"`

const lastHash = `SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1`

// Recorder appends entries to the trail with times from its clock.
type Recorder struct {
	clock clock.Clock
	// pending holds the rows recorded in each transaction run by
	// Transaction, by the transaction's connection (*sql.Tx), until they are
	// appended just before it commits.
	pending sync.Map
}

// NewRecorder returns a recorder using clk for timestamps.
func NewRecorder(clk clock.Clock) *Recorder { return &Recorder{clock: clk} }

// Record appends e inside tx, which must be the transaction making the
// change. The request id is taken from ctx. It returns an internal error
// when the row cannot be written, which must abort the caller's transaction.
//
// In a transaction run by Transaction the row is built (and checked) now but
// appended when the transaction's work is done, just before it commits.
func (r *Recorder) Record(ctx context.Context, tx *gorm.DB, e Entry) error {
	row, err := r.build(ctx, e)
	if err != nil {
		return err
	}
	if p, ok := r.pending.Load(tx.Statement.ConnPool); ok {
		rows := p.(*[]Row)
		*rows = append(*rows, row)
		return nil
	}
	return appendRows(ctx, tx, []Row{row})
}

// Transaction runs fn in a transaction of g and appends the audit entries
// recorded in it (with Record, on the tx fn is given) after fn returns, just
// before the commit. The chain lock, which serializes every append on every
// replica, is then held only for the append and the commit, not for the
// rest of the transaction's work. When fn fails nothing is appended. fn must
// not roll back to a savepoint (a nested tx.Transaction) after recording.
func (r *Recorder) Transaction(ctx context.Context, g *gorm.DB, fn func(tx *gorm.DB) error) error {
	return g.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		key := tx.Statement.ConnPool
		var rows []Row
		r.pending.Store(key, &rows)
		defer r.pending.Delete(key)
		if err := fn(tx); err != nil {
			return err
		}
		r.pending.Delete(key) // a Record from here on appends at once
		return appendRows(ctx, tx, rows)
	})
}

// build turns e into a row without its place in the chain.
func (r *Recorder) build(ctx context.Context, e Entry) (Row, error) {
	if e.Action == "" || e.Actor.Kind == "" {
		return Row{}, fmt.Errorf("audit: record: action and actor are required")
	}
	before, err := canonicalJSON(e.Before)
	if err != nil {
		return Row{}, fmt.Errorf("audit: before: %w", err)
	}
	after, err := canonicalJSON(e.After)
	if err != nil {
		return Row{}, fmt.Errorf("audit: after: %w", err)
	}
	row := Row{
		ID:          uuid.NewString(),
		At:          r.clock.Now().UTC().Truncate(time.Microsecond), // Postgres keeps microseconds
		ActorKind:   e.Actor.Kind,
		ActorID:     e.Actor.ID,
		Action:      e.Action,
		SubjectType: e.SubjectType,
		SubjectID:   e.SubjectID,
		Before:      before,
		After:       after,
		RequestID:   logx.RequestID(ctx),
	}
	if e.ClientID != "" {
		c := e.ClientID
		row.ClientID = &c
	}
	return row, nil
}

// appendOne appends one row with the database function audit_append
// (migration 00018): it takes the chain lock, reads the chain head and
// inserts the row linked to it, in one round trip, hashing it in SQL exactly
// as hashRow from the content part Go computed. Go checks the hash.
const appendOne = `SELECT prev_hash, hash FROM audit_append(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// appendRows takes the chain lock (until tx ends) and appends rows in
// order, linked to the chain head: one row with audit_append, several with
// one multi-row insert after reading the head.
func appendRows(ctx context.Context, tx *gorm.DB, rows []Row) error {
	if len(rows) == 0 {
		return nil
	}
	tx = tx.WithContext(ctx)
	if len(rows) == 1 {
		r := &rows[0]
		var linked struct{ PrevHash, Hash string }
		err := tx.Raw(appendOne, r.ID, r.At, r.ActorKind, r.ActorID, r.Action, r.SubjectType, r.SubjectID, r.ClientID,
			jsonArg(r.Before), jsonArg(r.After), r.RequestID, contentPart(*r)).Scan(&linked).Error
		if err != nil {
			return fmt.Errorf("audit: append: %w", err)
		}
		r.PrevHash = linked.PrevHash
		if want := hashRow(*r); linked.Hash != want {
			return fmt.Errorf("audit: append: the database hashed row %s as %q, want %s", r.ID, linked.Hash, want)
		}
		r.Hash = linked.Hash
		return nil
	}
	if err := tx.Exec(chainLock).Error; err != nil {
		return fmt.Errorf("audit: lock chain: %w", err)
	}
	var prev string
	if err := tx.Raw(lastHash).Scan(&prev).Error; err != nil {
		return fmt.Errorf("audit: read chain head: %w", err)
	}
	if prev == "" {
		prev = genesis
	}
	for i := range rows {
		rows[i].PrevHash = prev
		rows[i].Hash = hashRow(rows[i])
		prev = rows[i].Hash
	}
	if err := tx.Omit("seq").Create(&rows).Error; err != nil {
		return fmt.Errorf("audit: append: %w", err)
	}
	return nil
}

// jsonArg passes canonical JSON to a jsonb parameter (nil as NULL).
func jsonArg(raw json.RawMessage) any {
	if raw == nil {
		return nil
	}
	return string(raw)
}

// hashRow is sha256 over the previous hash and the row's content, in a
// fixed field order with JSON in canonical form.
func hashRow(r Row) string {
	h := sha256.New()
	writeField(h, r.PrevHash)
	h.Write(contentPart(r))
	return hex.EncodeToString(h.Sum(nil))
}

// contentPart is what hashRow hashes after the previous hash: every other
// field, in order, as "<byte length>:<value>|".
func contentPart(r Row) []byte {
	client := ""
	if r.ClientID != nil {
		client = *r.ClientID
	}
	before, _ := recanonical(r.Before)
	after, _ := recanonical(r.After)
	var b bytes.Buffer
	for _, f := range []string{
		r.ID, r.At.UTC().Format(time.RFC3339Nano), r.ActorKind, r.ActorID, r.Action,
		r.SubjectType, r.SubjectID, client, string(before), string(after), r.RequestID,
	} {
		writeField(&b, f)
	}
	return b.Bytes()
}

func writeField(w io.Writer, f string) { fmt.Fprintf(w, "%d:%s|", len(f), f) }

// canonicalJSON marshals v so that the same value always gives the same
// bytes, whatever jsonb later does to spacing and key order.
func canonicalJSON(v any) (json.RawMessage, error) {
	if v == nil {
		return nil, nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return recanonical(raw)
}

func recanonical(raw json.RawMessage) (json.RawMessage, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var x any
	if err := json.Unmarshal(raw, &x); err != nil {
		return nil, err
	}
	return json.Marshal(x) // maps marshal with sorted keys
}

// Broken describes the first row at which the chain does not hold.
type Broken struct {
	Seq    int64
	ID     string
	Reason string
}

// Verify walks the whole chain in seq order and returns the first broken
// row, or nil when every row's hash and link hold. It reports how many rows
// it checked.
func Verify(ctx context.Context, db *gorm.DB) (checked int64, broken *Broken, err error) {
	prev := genesis
	var after int64
	for {
		var rows []Row
		if err := db.WithContext(ctx).Where("seq > ?", after).Order("seq").Limit(1000).Find(&rows).Error; err != nil {
			return checked, nil, fmt.Errorf("audit: verify: %w", err)
		}
		if len(rows) == 0 {
			return checked, nil, nil
		}
		for _, r := range rows {
			checked++
			switch {
			case r.PrevHash != prev:
				return checked, &Broken{r.Seq, r.ID, "its prev_hash does not match the row before it (a row was removed or reordered)"}, nil
			case hashRow(r) != r.Hash:
				return checked, &Broken{r.Seq, r.ID, "its content does not match its hash (the row was edited)"}, nil
			}
			prev = r.Hash
			after = r.Seq
		}
	}
}

// Filter selects audit rows for the log viewer and exports.
type Filter struct {
	ActorID     string
	Action      string // exact, or a prefix ending in "." such as "user."
	SubjectType string
	SubjectID   string
	ClientIDs   []string // when set, only rows of these clients
	From, To    time.Time
	BeforeSeq   int64 // keyset pagination: rows with seq < BeforeSeq
	Limit       int
}

// List returns matching rows, newest first.
func List(ctx context.Context, db *gorm.DB, f Filter) ([]Row, error) {
	q := db.WithContext(ctx).Model(&Row{})
	if f.ActorID != "" {
		q = q.Where("actor_id = ?", f.ActorID)
	}
	if f.Action != "" {
		if strings.HasSuffix(f.Action, ".") {
			q = q.Where("action LIKE ?", strings.ReplaceAll(f.Action, "%", `\%`)+"%")
		} else {
			q = q.Where("action = ?", f.Action)
		}
	}
	if f.SubjectType != "" {
		q = q.Where("subject_type = ?", f.SubjectType)
	}
	if f.SubjectID != "" {
		q = q.Where("subject_id = ?", f.SubjectID)
	}
	if f.ClientIDs != nil {
		q = q.Where("client_id IN ?", f.ClientIDs)
	}
	if !f.From.IsZero() {
		q = q.Where("at >= ?", f.From)
	}
	if !f.To.IsZero() {
		q = q.Where("at < ?", f.To)
	}
	if f.BeforeSeq > 0 {
		q = q.Where("seq < ?", f.BeforeSeq)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	var rows []Row
	if err := q.Order("seq DESC").Limit(f.Limit).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("audit: list: %w", err)
	}
	return rows, nil
}
