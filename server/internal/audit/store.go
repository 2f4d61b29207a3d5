package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
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

// chainLockKey names the transaction-scoped advisory lock the sealer holds while
// it links rows, so one sealer at a time extends the chain, whichever
// replica it runs on.
const chainLockKey = 7365636172 // "audit chain"

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
// The row joins the hash chain once the transaction is over (Seal).
//
// In a transaction run by Transaction the row is built (and checked) now but
// appended, with the others recorded in it, by one insert when the
// transaction's work is done, just before it commits.
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
// before the commit, in one insert. When fn fails nothing is appended. fn
// must not roll back to a savepoint (a nested tx.Transaction) after
// recording.
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

// appendRows inserts rows, unsealed, in order.
func appendRows(ctx context.Context, tx *gorm.DB, rows []Row) error {
	if len(rows) == 0 {
		return nil
	}
	if err := tx.WithContext(ctx).Omit("seq", "chain_pos", "prev_hash", "hash").Create(&rows).Error; err != nil {
		return fmt.Errorf("audit: append: %w", err)
	}
	return nil
}

// SealBatch is how many rows one Seal transaction links at most.
const SealBatch = 1000

// Seal links the rows committed since the last seal into the hash chain and
// returns how many it linked. Under the chain lock (when another sealer
// holds it, Seal returns 0 at once) it reads the chain head and the unsealed
// rows it can see, in seq order, and gives each the next chain position,
// the hash before it and its own hash (hashRow over the row as stored,
// exactly as Verify recomputes it), in one update per batch. A row of a
// transaction still open is linked by a later seal, after these: the
// chain's order is the order of sealing.
func Seal(ctx context.Context, g *gorm.DB) (int, error) {
	total := 0
	for {
		n := 0
		err := g.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			var locked bool
			if err := tx.Raw(`SELECT pg_try_advisory_xact_lock(?)`, chainLockKey).Scan(&locked).Error; err != nil || !locked {
				return err
			}
			var head struct {
				ChainPos int64
				Hash     string
			}
			if err := tx.Raw(`SELECT chain_pos, hash FROM audit_log WHERE chain_pos IS NOT NULL ORDER BY chain_pos DESC LIMIT 1`).
				Scan(&head).Error; err != nil {
				return err
			}
			if head.Hash == "" {
				head.Hash = genesis
			}
			var rows []Row
			err := tx.Where("chain_pos IS NULL").Order("seq").Limit(SealBatch).Find(&rows).Error
			if err != nil || len(rows) == 0 {
				return err
			}
			// The batch goes as four array literals (numbers and hex digits
			// only, so nothing to escape): GORM would spread a slice into a list.
			seqs, positions := make([]string, len(rows)), make([]string, len(rows))
			prevs, hashes := make([]string, len(rows)), make([]string, len(rows))
			for i := range rows {
				head.ChainPos++
				prev := head.Hash
				rows[i].PrevHash = &prev
				h := hashRow(rows[i])
				seqs[i], positions[i] = strconv.FormatInt(rows[i].Seq, 10), strconv.FormatInt(head.ChainPos, 10)
				prevs[i], hashes[i] = head.Hash, h
				head.Hash = h
			}
			literal := func(xs []string) string { return "{" + strings.Join(xs, ",") + "}" }
			res := tx.Exec(`UPDATE audit_log a SET chain_pos = v.pos, prev_hash = v.prev, hash = v.hash
				FROM unnest(?::bigint[], ?::bigint[], ?::text[], ?::text[]) AS v(seq, pos, prev, hash)
				WHERE a.seq = v.seq AND a.chain_pos IS NULL`, literal(seqs), literal(positions), literal(prevs), literal(hashes))
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected != int64(len(rows)) {
				return fmt.Errorf("sealed %d of %d rows", res.RowsAffected, len(rows))
			}
			n = len(rows)
			return nil
		})
		if err != nil {
			return total, fmt.Errorf("audit: seal: %w", err)
		}
		total += n
		if n < SealBatch {
			return total, nil
		}
	}
}

// SealInterval is how often the server's sealer job (audit-seal, run by
// jobs.EveryQuietly) runs Seal: a row joins the chain within about this long
// of its commit.
const SealInterval = 200 * time.Millisecond

// hashRow is sha256 over the previous hash and the row's content, in a
// fixed field order with JSON in canonical form.
func hashRow(r Row) string {
	h := sha256.New()
	prev := ""
	if r.PrevHash != nil {
		prev = *r.PrevHash
	}
	writeField(h, prev)
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

// Verify walks the whole chain in chain order and returns the first broken
// row, or nil when every sealed row's position, link and hash hold. It
// reports how many rows it checked; rows not sealed yet are not among them
// (Unsealed counts them).
func Verify(ctx context.Context, db *gorm.DB) (checked int64, broken *Broken, err error) {
	prev := genesis
	var at int64
	for {
		var rows []Row
		if err := db.WithContext(ctx).Where("chain_pos > ?", at).Order("chain_pos").Limit(1000).Find(&rows).Error; err != nil {
			return checked, nil, fmt.Errorf("audit: verify: %w", err)
		}
		if len(rows) == 0 {
			return checked, nil, nil
		}
		for _, r := range rows {
			checked++
			switch {
			case *r.ChainPos != at+1 || *r.PrevHash != prev:
				return checked, &Broken{r.Seq, r.ID, "its prev_hash does not match the row before it (a row was removed or reordered)"}, nil
			case hashRow(r) != *r.Hash:
				return checked, &Broken{r.Seq, r.ID, "its content does not match its hash (the row was edited)"}, nil
			}
			prev = *r.Hash
			at = *r.ChainPos
		}
	}
}

// Unsealed counts the rows not linked into the chain yet, and returns when
// the oldest of them was written (nil when there are none). The sealer
// links rows within moments of their commit; an old unsealed row means no
// sealer is running.
func Unsealed(ctx context.Context, db *gorm.DB) (n int64, oldest *time.Time, err error) {
	var out struct {
		N      int64
		Oldest *time.Time
	}
	if err := db.WithContext(ctx).Raw(`SELECT count(*) AS n, min(at) AS oldest FROM audit_log WHERE chain_pos IS NULL`).
		Scan(&out).Error; err != nil {
		return 0, nil, fmt.Errorf("audit: unsealed: %w", err)
	}
	return out.N, out.Oldest, nil
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
