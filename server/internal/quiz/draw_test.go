package quiz

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func keys(qs []Question) []string {
	out := make([]string, len(qs))
	for i, q := range qs {
		out[i] = q.Key()
	}
	return out
}

// taggedPool has n questions; question i carries the tags tagsOf(i).
func taggedPool(n int, tagsOf func(i int) []string) []Question {
	var pool []Question
	for i := range n {
		pool = append(pool, Question{ID: fmt.Sprintf("q%d", i), Type: SingleChoice, Text: "?", Points: 1, Tags: tagsOf(i),
			Options: []Option{{ID: "a", Text: "a", Weight: 100}, {ID: "b", Text: "b"}, {ID: "c", Text: "c"}, {ID: "d", Text: "d"}}})
	}
	return pool
}

func TestDrawIsDeterministicPerSeed(t *testing.T) {
	qz := loadFixtureQuiz(t)
	pool, ps := qz.Pool(map[string]*Bank{"card-fees": loadFixtureBank(t)})
	if len(ps) != 0 {
		t.Fatalf("got problems %v, want none", ps)
	}
	first, err := Draw(qz, pool, 42)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := Draw(qz, pool, 42)
	if !reflect.DeepEqual(first, again) {
		t.Errorf("got different draws for the same seed:\n%v\n%v", keys(first), keys(again))
	}
	if len(first) != qz.QuestionsPerAttempt {
		t.Errorf("got %d questions, want %d", len(first), qz.QuestionsPerAttempt)
	}
	differs := false
	for seed := uint64(1); seed < 20 && !differs; seed++ {
		other, _ := Draw(qz, pool, seed)
		differs = !reflect.DeepEqual(keys(first), keys(other))
	}
	if !differs {
		t.Errorf("got the same draw for 20 seeds, want the seed to matter")
	}
	// The pool itself is never reordered.
	pool2, _ := qz.Pool(map[string]*Bank{"card-fees": loadFixtureBank(t)})
	if !reflect.DeepEqual(pool, pool2) {
		t.Errorf("got the pool changed by Draw")
	}
}

func TestDrawHonoursQuotasAndNeverRepeats(t *testing.T) {
	// Tags overlap: every third question is "a", every second "b".
	pool := taggedPool(12, func(i int) []string {
		var tags []string
		if i%3 == 0 {
			tags = append(tags, "a")
		}
		if i%2 == 0 {
			tags = append(tags, "b")
		}
		return tags
	})
	qz := &Quiz{Slug: "t", QuestionsPerAttempt: 8, ShuffleQuestions: true, ShuffleOptions: true,
		Quotas: []TagQuota{{Tag: "a", Count: 4}, {Tag: "b", Count: 4}}}
	for seed := range uint64(200) {
		qs, err := Draw(qz, pool, seed)
		if err != nil {
			t.Fatalf("seed %d: got error %v, want none", seed, err)
		}
		if len(qs) != 8 {
			t.Fatalf("seed %d: got %d questions, want 8", seed, len(qs))
		}
		seen := map[string]bool{}
		a, b := 0, 0
		for _, q := range qs {
			if seen[q.ID] {
				t.Fatalf("seed %d: got %s twice", seed, q.ID)
			}
			seen[q.ID] = true
			if q.HasTag("a") {
				a++
			}
			if q.HasTag("b") {
				b++
			}
			if len(q.Options) != 4 {
				t.Fatalf("seed %d: got %d options, want 4", seed, len(q.Options))
			}
		}
		// 4 "a" (q0,q3,q6,q9) and 6 "b": the 4 "a" slots must take all four
		// a-questions, and b needs 4 distinct others or shared ones.
		if a < 4 || b < 4 {
			t.Fatalf("seed %d: got %d a and %d b, want at least 4 each", seed, a, b)
		}
	}
}

func TestDrawWithoutShuffleKeepsAuthoredOrder(t *testing.T) {
	pool := taggedPool(6, func(int) []string { return nil })
	qz := &Quiz{Slug: "t", QuestionsPerAttempt: 3}
	qs, err := Draw(qz, pool, 7)
	if err != nil {
		t.Fatal(err)
	}
	last := -1
	for _, q := range qs {
		var i int
		fmt.Sscanf(q.ID, "q%d", &i)
		if i <= last {
			t.Errorf("got order %v, want the pool's order", keys(qs))
		}
		last = i
		if q.Options[0].ID != "a" || q.Options[3].ID != "d" {
			t.Errorf("got options reordered without shuffle_options")
		}
	}
}

func TestDrawShufflesOptions(t *testing.T) {
	pool := taggedPool(1, func(int) []string { return nil })
	qz := &Quiz{Slug: "t", ShuffleOptions: true}
	orders := map[string]bool{}
	for seed := range uint64(30) {
		qs, err := Draw(qz, pool, seed)
		if err != nil {
			t.Fatal(err)
		}
		o := ""
		for _, op := range qs[0].Options {
			o += op.ID
		}
		orders[o] = true
	}
	if len(orders) < 5 {
		t.Errorf("got %d option orders over 30 seeds, want shuffling", len(orders))
	}
	if pool[0].Options[0].ID != "a" {
		t.Errorf("got the pool's options reordered")
	}
}

func TestDrawAndCheckRefuseImpossiblePools(t *testing.T) {
	pool := taggedPool(4, func(i int) []string {
		if i < 2 {
			return []string{"x", "y"}
		}
		return nil
	})
	tests := []struct {
		name string
		qz   Quiz
	}{
		{"more than the pool", Quiz{QuestionsPerAttempt: 5}},
		{"quota larger than its tag", Quiz{QuestionsPerAttempt: 3, Quotas: []TagQuota{{Tag: "x", Count: 3, Line: 4}}}},
		{"overlapping quotas need more distinct questions", Quiz{QuestionsPerAttempt: 4, Quotas: []TagQuota{{Tag: "x", Count: 2}, {Tag: "y", Count: 1}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.qz.Slug, tc.qz.Source = "t", "t.quiz.yaml"
			if _, err := Draw(&tc.qz, pool, 1); err == nil {
				t.Errorf("got a draw, want an error")
			}
			if ps := CheckDraw(&tc.qz, pool); len(ps) == 0 {
				t.Errorf("got no problems from CheckDraw, want one")
			}
		})
	}
	ok := Quiz{Slug: "t", QuestionsPerAttempt: 4, Quotas: []TagQuota{{Tag: "x", Count: 1}, {Tag: "y", Count: 1}}}
	if ps := CheckDraw(&ok, pool); len(ps) != 0 {
		t.Errorf("got problems %v, want none", ps)
	}
}

func TestOptionIDsSayNothingOfPosition(t *testing.T) {
	parse := func(src string) []Option {
		t.Helper()
		b, err := ParseGIFT("northbank/card-services/ids.gift", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		return b.Questions[0].Options
	}
	rightFirst := parse("::q:: Late fee? {=$25 ~$40 ~$10}")
	rightLast := parse("::q:: Late fee? {~$40 ~$10 =$25}")
	ids := map[string]string{}
	for _, o := range rightFirst {
		ids[o.Text] = o.ID
		if o.ID != OptionID(o.Text) || !slugRe.MatchString(o.ID) {
			t.Errorf("option %q: got id %q, want %q, a slug", o.Text, o.ID, OptionID(o.Text))
		}
		if len(o.ID) <= 2 {
			t.Errorf("option %q: got id %q, which looks like a position", o.Text, o.ID)
		}
	}
	for _, o := range rightLast {
		if ids[o.Text] != o.ID {
			t.Errorf("option %q: got id %q written last, %q written first; want the same", o.Text, o.ID, ids[o.Text])
		}
	}
	if _, err := ParseGIFT("northbank/card-services/ids.gift", []byte("::q:: Late fee? {=$25 ~$40 ~$25}")); err == nil ||
		!strings.Contains(err.Error(), `option "$25" is written twice`) {
		t.Errorf("two options with one text: got %v, want them refused", err)
	}
}
