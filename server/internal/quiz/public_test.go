package quiz

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
)

// forbiddenKeys name correctness data; none may appear in a public view.
var forbiddenKeys = []string{"correct", "weight", "feedback", "answers", "numbers", "pattern", "tolerance",
	"value", "min", "max", "is_range", "pairs", "right", "left", "reread", "source", "tags", "title", "bank"}

func loadFixtureBank(t *testing.T) *Bank {
	t.Helper()
	data, err := os.ReadFile("testdata/library/northbank/card-services/card-fees.gift")
	if err != nil {
		t.Fatal(err)
	}
	b, err := ParseGIFT("northbank/card-services/card-fees.gift", data)
	if err != nil {
		t.Fatalf("got error %v, want none", err)
	}
	return b
}

func loadFixtureQuiz(t *testing.T) *Quiz {
	t.Helper()
	data, err := os.ReadFile("testdata/library/northbank/card-services/card-basics.quiz.yaml")
	if err != nil {
		t.Fatal(err)
	}
	qz, err := ParseQuiz("northbank/card-services/card-basics.quiz.yaml", data)
	if err != nil {
		t.Fatalf("got error %v, want none", err)
	}
	return qz
}

// TestPublicTypeHasNoCorrectnessFields checks the type itself: whatever
// code fills it in, it has nowhere to put an answer key.
func TestPublicTypeHasNoCorrectnessFields(t *testing.T) {
	var walk func(rt reflect.Type, path string)
	walk = func(rt reflect.Type, path string) {
		switch rt.Kind() {
		case reflect.Slice, reflect.Pointer:
			walk(rt.Elem(), path)
		case reflect.Map:
			t.Errorf("%s: got a map, want only fixed fields", path)
		case reflect.Struct:
			for i := range rt.NumField() {
				f := rt.Field(i)
				name := strings.Split(f.Tag.Get("json"), ",")[0]
				for _, bad := range forbiddenKeys {
					if strings.EqualFold(name, bad) || strings.EqualFold(f.Name, bad) {
						t.Errorf("%s.%s: got a field named %q, want no correctness fields", path, f.Name, name)
					}
				}
				walk(f.Type, path+"."+f.Name)
			}
		case reflect.Interface:
			t.Errorf("%s: got an interface field, want only concrete fields", path)
		}
	}
	walk(reflect.TypeOf(PublicQuestion{}), "PublicQuestion")
}

// TestPublicViewCarriesNoAnswerKey marshals the public view of every
// fixture question and looks for correctness keys and values.
func TestPublicViewCarriesNoAnswerKey(t *testing.T) {
	var qs []Question
	qs = append(qs, loadFixtureBank(t).Questions...)
	qs = append(qs, loadFixtureQuiz(t).Questions...)
	for _, q := range gradeFixtures() {
		qs = append(qs, q)
	}
	for _, q := range qs {
		t.Run(q.Key(), func(t *testing.T) {
			data, err := json.Marshal(q.Public())
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]any
			if err := json.Unmarshal(data, &m); err != nil {
				t.Fatal(err)
			}
			var keys func(v any)
			keys = func(v any) {
				switch v := v.(type) {
				case map[string]any:
					for k, x := range v {
						for _, bad := range forbiddenKeys {
							if k == bad {
								t.Errorf("got key %q in %s, want none", k, data)
							}
						}
						keys(x)
					}
				case []any:
					for _, x := range v {
						keys(x)
					}
				}
			}
			keys(m)
			js := string(data)
			// Values of the key that are not shown anyway must not appear.
			for _, o := range q.Options {
				if o.Feedback != "" && strings.Contains(js, o.Feedback) {
					t.Errorf("got option feedback %q in %s", o.Feedback, js)
				}
			}
			if q.Feedback != "" && strings.Contains(js, q.Feedback) {
				t.Errorf("got general feedback %q in %s", q.Feedback, js)
			}
			for _, a := range q.Answers {
				if strings.Contains(js, a.Text) {
					t.Errorf("got accepted answer %q in %s", a.Text, js)
				}
			}
			if q.Pattern != "" && strings.Contains(js, strings.ReplaceAll(q.Pattern, `\`, `\\`)) {
				t.Errorf("got pattern in %s", js)
			}
			for _, p := range q.Pairs {
				if strings.Contains(js, p.ID) && strings.Contains(js, `"`+RightID(p.Right)+`"`) {
					// Both ids are shown, but never side by side as a pair.
					if strings.Contains(js, `"`+p.ID+`":"`+RightID(p.Right)) {
						t.Errorf("got pair %s → %s in %s", p.ID, p.Right, js)
					}
				}
			}
			if q.Type == Numeric && strings.Contains(js, "19.99") {
				t.Errorf("got numeric answer in %s", js)
			}
		})
	}
}

func TestPublicMatchingRightsDoNotFollowPairs(t *testing.T) {
	q := Question{ID: "m", Type: Matching, Text: "?", Points: 1, Pairs: []Pair{
		{ID: "p1", Left: "z-left", Right: "Zulu"}, {ID: "p2", Left: "a-left", Right: "Alpha"}, {ID: "p3", Right: "Mike"}, {ID: "p4", Left: "y", Right: "Zulu"},
	}}
	pq := q.Public()
	var rights []string
	for _, r := range pq.Rights {
		rights = append(rights, r.Text)
	}
	if want := []string{"Alpha", "Mike", "Zulu"}; !reflect.DeepEqual(rights, want) {
		t.Errorf("got rights %v, want %v (alphabetical, distinct, distractors included)", rights, want)
	}
	if len(pq.Lefts) != 3 {
		t.Errorf("got %d lefts, want 3 (distractors are not left items)", len(pq.Lefts))
	}
	for _, r := range pq.Rights {
		for _, l := range pq.Lefts {
			if r.ID == l.ID {
				t.Errorf("got right id %q equal to a left id", r.ID)
			}
		}
	}
}
