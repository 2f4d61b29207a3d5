package certification

import (
	"context"
	"slices"
	"sync"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/db"
)

// evaluationBatch bounds how many evaluations one batch takes.
const evaluationBatch = 64

// evaluations coalesces the evaluations that follow evidence changes
// (EvidenceChanged): the requests that arrive while a batch runs wait for
// the next one, which reads each kind of evidence once for all its agents
// (assessMany) and clears the marks of those the rules leave as they are in
// one update. Each caller still returns only once its own record is
// settled. A request alone is a batch of one; under load, a batch of n
// costs about what one evaluation did, instead of n of them.
type evaluations struct {
	mu      sync.Mutex
	pending []*evaluation
	running bool
}

// evaluation is one record to evaluate, for one caller.
type evaluation struct {
	ctx               context.Context // the caller's, for a transition's audit entry
	userID, programID string
	err               error
	done              chan struct{}
}

// evaluateBatched evaluates the agent's records of the programs in the next
// batch and returns once they are settled: the first error, if any, one
// other than not_found first.
func (s *Service) evaluateBatched(ctx context.Context, userID string, programIDs ...string) error {
	es := make([]*evaluation, len(programIDs))
	for i, id := range programIDs {
		es[i] = &evaluation{ctx: ctx, userID: userID, programID: id, done: make(chan struct{})}
	}
	b := &s.batch
	b.mu.Lock()
	b.pending = append(b.pending, es...)
	start := !b.running
	b.running = true
	b.mu.Unlock()
	if start {
		go s.drain()
	}
	var first error
	for _, e := range es {
		select {
		case <-e.done:
		case <-ctx.Done():
			// The batch goes on without this caller; the records stay
			// marked for the job if it fails.
			return ctx.Err()
		}
		if e.err != nil && (first == nil || apperr.Is(first, apperr.NotFound)) {
			first = e.err
		}
	}
	return first
}

// drain runs batches until no evaluation is pending.
func (s *Service) drain() {
	b := &s.batch
	for {
		b.mu.Lock()
		n := min(len(b.pending), evaluationBatch)
		if n == 0 {
			b.pending, b.running = nil, false
			b.mu.Unlock()
			return
		}
		batch := slices.Clone(b.pending[:n])
		b.pending = slices.Delete(b.pending, 0, n)
		b.mu.Unlock()
		s.evaluateMany(batch)
		for _, e := range batch {
			close(e.done)
		}
	}
}

// evaluateMany evaluates a batch, program by program. A failure fails the
// evaluations of its program; their records stay marked for the job.
func (s *Service) evaluateMany(batch []*evaluation) {
	var programs []string
	byProgram := map[string][]*evaluation{}
	for _, e := range batch {
		if byProgram[e.programID] == nil {
			programs = append(programs, e.programID)
		}
		byProgram[e.programID] = append(byProgram[e.programID], e)
	}
	for _, id := range programs {
		if err := s.evaluateProgram(id, byProgram[id]); err != nil {
			for _, e := range byProgram[id] {
				if e.err == nil {
					e.err = err
				}
			}
		}
	}
}

// evaluateProgram evaluates the agents' records of one program as Evaluate
// does, with the reads shared: the records, then the evidence, then the
// marks cleared where the rules call for no transition. A record the rules
// move is settled on its own (conclude), and one that changed since it was
// read is evaluated again on its own (Evaluate).
func (s *Service) evaluateProgram(programID string, es []*evaluation) error {
	// The batch's reads serve several callers: bounded, not theirs.
	ctx, cancel := context.WithTimeout(context.Background(), db.DetachedTimeout)
	defer cancel()
	byUser := map[string][]*evaluation{}
	var users []string
	for _, e := range es {
		if byUser[e.userID] == nil {
			users = append(users, e.userID)
		}
		byUser[e.userID] = append(byUser[e.userID], e)
	}
	fail := func(userID string, err error) {
		for _, e := range byUser[userID] {
			e.err = err
		}
	}
	prog, req, err := s.programs.ProgramAndRequirements(ctx, programID)
	if err != nil {
		return err
	}
	seen, err := s.store.findMany(ctx, users, programID)
	if err != nil {
		return err
	}
	found := users[:0:0]
	for _, u := range users {
		if seen[u] == nil {
			fail(u, apperr.NotFoundf("enrollment"))
			continue
		}
		found = append(found, u)
	}
	progress, err := s.assessMany(ctx, found, prog, req)
	if err != nil {
		return err
	}
	now, pol := s.now(), policyOf(prog)
	var marked []*Certification
	var again []string
	for _, u := range found {
		c := seen[u]
		switch {
		case next(c, progress[u], pol, now) != nil:
			cctx, cancel := db.Detach(byUser[u][0].ctx, db.DetachedTimeout)
			out, err := s.conclude(cctx, c, prog, progress[u])
			cancel()
			if err != nil {
				fail(u, err)
			} else if out == nil {
				again = append(again, u)
			}
		case c.NeedsEvaluation:
			marked = append(marked, c)
		}
	}
	cleared, err := clearMarks(s.db.WithContext(ctx), marked)
	if err != nil {
		return err
	}
	for _, c := range marked {
		if !cleared[c.ID] {
			again = append(again, c.UserID)
		}
	}
	for _, u := range again {
		ectx, cancel := db.Detach(byUser[u][0].ctx, db.DetachedTimeout)
		if _, err := s.Evaluate(ectx, u, programID); err != nil {
			fail(u, err)
		}
		cancel()
	}
	return nil
}
