package quiz

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/skillgate/skillgate/server/internal/apperr"
)

// rng is a seeded source with its own bounded-int and shuffle, so a draw
// depends only on the seed (PCG's output is fixed by its specification; the
// standard library's shuffle algorithm is not promised to stay the same).
type rng struct{ src *rand.PCG }

func newRNG(seed uint64) *rng { return &rng{src: rand.NewPCG(seed, 0x5ca1ab1e5eed)} }

// intn returns a uniform int in [0, n), n > 0, by rejection sampling.
func (r *rng) intn(n int) int {
	un := uint64(n)
	limit := math.MaxUint64 - math.MaxUint64%un
	for {
		if x := r.src.Uint64(); x < limit {
			return int(x % un)
		}
	}
}

// perm returns a random permutation of [0, n) (Fisher–Yates).
func (r *rng) perm(n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	for i := n - 1; i > 0; i-- {
		j := r.intn(i + 1)
		p[i], p[j] = p[j], p[i]
	}
	return p
}

// Draw picks an attempt's questions from pool as the quiz says: its tag
// quotas first, then the rest of QuestionsPerAttempt (every question when it
// is 0) from the whole pool, never the same question twice; questions and
// options shuffled when the quiz says so. The same quiz, pool and seed give
// the same draw, so an attempt can be stored as its seed and quiz version.
// The returned questions are copies; pool is not changed.
//
// Returns invalid when the pool cannot satisfy the quiz (CheckDraw says so
// ahead of time).
func Draw(qz *Quiz, pool []Question, seed uint64) ([]Question, error) {
	r := newRNG(seed)
	n := qz.QuestionsPerAttempt
	if n == 0 {
		n = len(pool)
	}
	if n > len(pool) {
		return nil, apperr.E(apperr.Invalid, "quiz %s draws %d questions from a pool of %d", qz.Slug, n, len(pool))
	}
	order := r.perm(len(pool)) // the draw's preference among questions
	picked, err := fillQuotas(qz, pool, order)
	if err != nil {
		return nil, err
	}
	chosen := make([]bool, len(pool))
	count := 0
	for _, i := range picked {
		chosen[i] = true
		count++
	}
	for _, i := range order {
		if count >= n {
			break
		}
		if !chosen[i] {
			chosen[i] = true
			count++
		}
	}

	var idx []int
	if qz.ShuffleQuestions {
		for _, i := range r.perm(len(pool)) {
			if chosen[i] {
				idx = append(idx, i)
			}
		}
	} else {
		for i := range pool {
			if chosen[i] {
				idx = append(idx, i)
			}
		}
	}
	out := make([]Question, len(idx))
	for k, i := range idx {
		q := pool[i]
		q.Options = append([]Option(nil), q.Options...)
		q.Pairs = append([]Pair(nil), q.Pairs...)
		if qz.ShuffleOptions && q.Type != TrueFalse {
			shuffled := make([]Option, len(q.Options))
			for to, from := range r.perm(len(q.Options)) {
				shuffled[to] = q.Options[from]
			}
			q.Options = shuffled
			pairs := make([]Pair, len(q.Pairs))
			for to, from := range r.perm(len(q.Pairs)) {
				pairs[to] = q.Pairs[from]
			}
			q.Pairs = pairs
			// A cloze question's choice gaps are shuffled too (Moodle's MCS), so the order written never gives the right option away.
			gaps := append([]Gap(nil), q.Gaps...)
			for g := range gaps {
				if len(gaps[g].Options) == 0 {
					continue
				}
				opts := make([]Option, len(gaps[g].Options))
				for to, from := range r.perm(len(opts)) {
					opts[to] = gaps[g].Options[from]
				}
				gaps[g].Options = opts
			}
			q.Gaps = gaps
		}
		out[k] = q
	}
	return out, nil
}

// fillQuotas assigns a distinct question to every quota slot, preferring
// questions early in order. It is a maximum bipartite matching (Kuhn's
// augmenting paths), so overlapping tags never make a satisfiable quiz fail
// whatever the seed.
func fillQuotas(qz *Quiz, pool []Question, order []int) ([]int, error) {
	var slots [][]int // per slot, candidate pool indexes in preference order
	for _, qt := range qz.Quotas {
		var cands []int
		for _, i := range order {
			if pool[i].HasTag(qt.Tag) {
				cands = append(cands, i)
			}
		}
		for range qt.Count {
			slots = append(slots, cands)
		}
	}
	owner := make([]int, len(pool)) // pool index → slot+1, 0 when free
	var try func(slot int, seen []bool) bool
	try = func(slot int, seen []bool) bool {
		for _, i := range slots[slot] {
			if seen[i] {
				continue
			}
			seen[i] = true
			if owner[i] == 0 || try(owner[i]-1, seen) {
				owner[i] = slot + 1
				return true
			}
		}
		return false
	}
	for s := range slots {
		if !try(s, make([]bool, len(pool))) {
			return nil, apperr.E(apperr.Invalid, "quiz %s: the pool cannot fill its tag quotas (%s) with distinct questions", qz.Slug, quotaList(qz.Quotas))
		}
	}
	var picked []int
	for i, o := range owner {
		if o != 0 {
			picked = append(picked, i)
		}
	}
	return picked, nil
}

func quotaList(qs []TagQuota) string {
	s := ""
	for i, q := range qs {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%d × %s", q.Count, q.Tag)
	}
	return s
}

// CheckDraw reports, with the quiz file's lines, why the pool cannot give
// every attempt its questions: more questions per attempt than the pool
// holds, quotas asking for more than questions_per_attempt, a tag quota
// larger than the questions with that tag, or quotas that together need
// more distinct questions than there are.
func CheckDraw(qz *Quiz, pool []Question) Problems {
	var ps Problems
	sum := 0
	for _, qt := range qz.Quotas {
		sum += qt.Count
	}
	if qz.QuestionsPerAttempt > 0 && sum > qz.QuestionsPerAttempt {
		ps.Add(qz.Source, qz.line("quotas"), "the quotas ask for %d questions but questions_per_attempt is %d", sum, qz.QuestionsPerAttempt)
		return ps // the quotas themselves are to be rethought first
	}
	if qz.QuestionsPerAttempt > len(pool) {
		ps.Add(qz.Source, qz.line("questions_per_attempt"), "questions_per_attempt is %d but the pool has %d questions", qz.QuestionsPerAttempt, len(pool))
	}
	for _, qt := range qz.Quotas {
		have := 0
		for i := range pool {
			if pool[i].HasTag(qt.Tag) {
				have++
			}
		}
		if qt.Count > have {
			ps.Add(qz.Source, qt.Line, "quota for tag %q asks for %d questions but the pool has %d with that tag", qt.Tag, qt.Count, have)
		}
	}
	if len(ps) == 0 {
		order := make([]int, len(pool))
		for i := range order {
			order[i] = i
		}
		if _, err := fillQuotas(qz, pool, order); err != nil {
			ps.Add(qz.Source, qz.line("quotas"), "the tag quotas overlap: %d questions cannot fill them all with distinct questions", len(pool))
		}
	}
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Line < ps[j].Line })
	return ps
}
