package quiz

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/skillgate/skillgate/server/internal/apperr"
)

func TestParseGIFTEveryForm(t *testing.T) {
	b := loadFixtureBank(t)
	if b.Client != "northbank" || b.Name != "card-fees" {
		t.Errorf("got bank %s/%s, want northbank/card-fees", b.Client, b.Name)
	}
	byID := map[string]Question{}
	for _, q := range b.Questions {
		byID[q.ID] = q
	}
	if len(byID) != len(b.Questions) || len(b.Questions) != 11 {
		t.Fatalf("got %d questions (%v), want 11 distinct", len(b.Questions), keys(b.Questions))
	}
	get := func(id string) Question {
		q, ok := byID[id]
		if !ok {
			t.Fatalf("got no question %q", id)
		}
		return q
	}

	tests := []struct {
		name string
		got  any
		want any
	}{
		{"single: type", get("late-fee").Type, SingleChoice},
		{"single: markdown text", get("late-fee").Text, "What is the **late fee** on a Classic card?"},
		{"single: format", get("late-fee").Format, ""},
		{"single: options", get("late-fee").Options, []Option{
			{ID: OptionID("$25"), Text: "$25", Weight: 100, Feedback: "Right: see the fee table."},
			{ID: OptionID("$40"), Text: "$40", Feedback: "That is the Platinum fee."},
			{ID: OptionID("$25 plus interest"), Text: "$25 plus interest", Weight: 50, Feedback: "Half right: interest is separate."},
		}},
		{"single: general feedback", get("late-fee").Feedback, "The fee table lists every fee."},
		{"single: category tag", get("late-fee").Tags, []string{"card-fees"}},
		{"single: source line", get("late-fee").Source, "northbank/card-services/card-fees.gift:6"},
		{"tf: id from title", get("annual-fee-waived").Title, "Annual fee waived"},
		{"tf: options and feedback", get("annual-fee-waived").Options, []Option{
			{ID: "true", Text: "True", Weight: 100, Feedback: "Yes, year one only."},
			{ID: "false", Text: "False", Feedback: "It is waived only in year one."},
		}},
		{"tf: general feedback", get("annual-fee-waived").Feedback, "See the fee table."},
		{"tf: FALSE", get("no-fee").Options[1].Weight, 100.0},
		{"multi: type", get("fee-kinds").Type, MultipleResponse},
		{"multi: weights", []float64{get("fee-kinds").Options[0].Weight, get("fee-kinds").Options[1].Weight, get("fee-kinds").Options[2].Weight}, []float64{50, 50, -100}},
		{"numeric: tolerance", get("apr").Numbers, []NumericAnswer{{Value: 19.99, Tolerance: 0.01, Weight: 100}}},
		{"numeric: plain format", get("apr").Format, FormatPlain},
		{"numeric: nested category tag", get("apr").Tags, []string{"card-fees/rates"}},
		{"numeric: range", get("grace").Numbers, []NumericAnswer{{IsRange: true, Min: 21, Max: 25, Weight: 100}}},
		{"numeric: range feedback", get("grace").Feedback, "Between 21 and 25 days."},
		{"numeric: several answers", get("penalty").Numbers, []NumericAnswer{
			{Value: 29.99, Weight: 100, Feedback: "Exact."},
			{Value: 29.99, Tolerance: 1, Weight: 50, Feedback: "Close enough for half."},
		}},
		{"numeric: html format", get("penalty").Format, FormatHTML},
		{"short: answers", get("bank-name").Answers, []TextAnswer{
			{Text: "Northbank", Weight: 100}, {Text: "North bank", Weight: 50, Feedback: "Nearly: one word."}, {Text: "NB", Weight: 100},
		}},
		{"matching: pairs and distractor", get("match-fees").Pairs, []Pair{
			{ID: "p1", Left: "Late fee", Right: "$25"}, {ID: "p2", Left: "Foreign transaction", Right: "3%"},
			{ID: "p3", Left: "Returned payment", Right: "$35"}, {ID: "p4", Right: "$99"},
		}},
		{"escapes: text", get("escapes").Text, "Escaped characters: ~ = # { } \\ and a\nnew line."},
		{"escapes: answer", get("escapes").Answers[0].Text, "a = b # c"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !reflect.DeepEqual(tc.got, tc.want) {
				t.Errorf("got %#v, want %#v", tc.got, tc.want)
			}
		})
	}

	t.Run("missing word", func(t *testing.T) {
		var mw *Question
		for i := range b.Questions {
			if b.Questions[i].TextAfter != "" {
				mw = &b.Questions[i]
			}
		}
		if mw == nil {
			t.Fatal("got no missing-word question")
		}
		if mw.Text != "Northbank cards have" || mw.TextAfter != "products." || mw.Type != SingleChoice || mw.Options[1].Weight != 100 {
			t.Errorf("got %+v, want before/after text and four as the answer", mw)
		}
		if !strings.HasPrefix(mw.ID, "q-") {
			t.Errorf("got id %q, want a q- content id for an untitled question", mw.ID)
		}
	})
	t.Run("skipped essay and description", func(t *testing.T) {
		if len(b.Skipped) != 2 {
			t.Fatalf("got %d skipped, want 2: %v", len(b.Skipped), b.Skipped)
		}
		if b.Skipped[0].Line != 48 || !strings.Contains(b.Skipped[0].Message, "essay") {
			t.Errorf("got %v, want the essay at line 48", b.Skipped[0])
		}
		if b.Skipped[1].Line != 50 || !strings.Contains(b.Skipped[1].Message, "description") {
			t.Errorf("got %v, want the description at line 50", b.Skipped[1])
		}
	})
}

// TestGIFTRereadCommentPlacement: a reread comment inside a question is
// that question's; one after a question's answers, or between questions,
// is the next question's.
func TestGIFTRereadCommentPlacement(t *testing.T) {
	src := "::a::A{T}\n// reread: m#after-a\n\n::b::B{T}\n\n::c::C {\n// reread: m#inside-c\n=x ~y}"
	b, err := ParseGIFT("c/p/bank.gift", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, q := range b.Questions {
		got[q.ID] = q.Reread
	}
	want := map[string]string{"a": "", "b": "m#after-a", "c": "m#inside-c"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got rereads %v, want %v", got, want)
	}
}

func TestParseGIFTMoreForms(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		check func(t *testing.T, q Question)
	}{
		{"numeric without tolerance", "::n::How many?{#3}", func(t *testing.T, q Question) {
			if q.Type != Numeric || q.Numbers[0].Value != 3 || q.Numbers[0].Tolerance != 0 {
				t.Errorf("got %+v, want 3 exactly", q.Numbers)
			}
		}},
		{"numeric with feedback and negative", "::n::Below zero?{#-5:0.5#Brr}", func(t *testing.T, q Question) {
			if q.Numbers[0].Value != -5 || q.Numbers[0].Tolerance != 0.5 || q.Numbers[0].Feedback != "Brr" {
				t.Errorf("got %+v, want -5:0.5 with feedback", q.Numbers)
			}
		}},
		{"numeric weighted range answer", "::n::Q{#=%50%1..5 =3}", func(t *testing.T, q Question) {
			if len(q.Numbers) != 2 || !q.Numbers[0].IsRange || q.Numbers[0].Weight != 50 {
				t.Errorf("got %+v, want a 50%% range and an exact answer", q.Numbers)
			}
		}},
		{"TRUE lowercase and T", "::a::Yes?{true}\n\n::b::Yes?{T}", func(t *testing.T, q Question) {
			if q.Type != TrueFalse || q.Options[0].Weight != 100 {
				t.Errorf("got %+v, want true", q)
			}
		}},
		{"multiline question text", "::m::First line\nsecond line\n{=a ~b}", func(t *testing.T, q Question) {
			if q.Text != "First line\nsecond line" {
				t.Errorf("got %q, want two lines", q.Text)
			}
		}},
		{"answers across a blank line", "::m::Q {\n=a\n\n~b\n}", func(t *testing.T, q Question) {
			if len(q.Options) != 2 {
				t.Errorf("got %d options, want 2", len(q.Options))
			}
		}},
		{"CRLF and BOM", "\uFEFF::m::Q{=a ~b}\r\n", func(t *testing.T, q Question) {
			if q.ID != "m" || len(q.Options) != 2 {
				t.Errorf("got %+v, want question m", q)
			}
		}},
		{"format tag on answers", "::f::[html]Q{=[plain]a ~b#[markdown]**no**}", func(t *testing.T, q Question) {
			if q.Options[0].Text != "a" || q.Options[1].Feedback != "**no**" {
				t.Errorf("got %+v, want format tags dropped", q.Options)
			}
		}},
		{"negative weight on wrong choice of single", "::s::Q{=a ~%-50%b}", func(t *testing.T, q Question) {
			if q.Options[1].Weight != -50 {
				t.Errorf("got %v, want -50", q.Options[1].Weight)
			}
		}},
		{"numeric feedback for any other answer", "::n::Q{#=10:0#Right ~#Re-read the fee schedule}", func(t *testing.T, q Question) {
			if len(q.Numbers) != 1 || q.Numbers[0].Value != 10 || q.WrongFeedback != "Re-read the fee schedule" {
				t.Errorf("got %+v and %q, want 10 and the feedback for other answers", q.Numbers, q.WrongFeedback)
			}
			if _, fb := q.grade(Response{Text: "12"}); !slices.Equal(fb, []string{"Re-read the fee schedule"}) {
				t.Errorf("a wrong number: got feedback %q, want the ~ feedback", fb)
			}
			if _, fb := q.grade(Response{Text: "10"}); !slices.Equal(fb, []string{"Right"}) {
				t.Errorf("the right number: got feedback %q, want its own", fb)
			}
		}},
		{"numeric answers, the first without =", "::n::Born?{#1822:0 =%50%1822:2#Close}", func(t *testing.T, q Question) {
			want := []NumericAnswer{{Value: 1822, Weight: 100}, {Value: 1822, Tolerance: 2, Weight: 50, Feedback: "Close"}}
			if !reflect.DeepEqual(q.Numbers, want) {
				t.Errorf("got %+v, want %+v", q.Numbers, want)
			}
		}},
		{"general feedback after the last ####", "::t::Capped?{T#No.#Yes.####See the table.}", func(t *testing.T, q Question) {
			if q.Feedback != "See the table." || q.Options[0].Feedback != "Yes." || q.Options[1].Feedback != "No." {
				t.Errorf("got %q and %+v, want the general feedback and both answers'", q.Feedback, q.Options)
			}
		}},
		{"five hashes end an answer's feedback, as in Moodle", "::t::Capped?{T#No.#####See the table.}", func(t *testing.T, q Question) {
			if q.Feedback != "See the table." || q.Options[1].Feedback != "No." {
				t.Errorf("got %q and %+v, want the general feedback without a leading #", q.Feedback, q.Options)
			}
		}},
		{"reread comment before the question", "// reread: card-products#classic\n::r::Q{=x ~y}", func(t *testing.T, q Question) {
			if q.Reread != "card-products#classic" {
				t.Errorf("got reread %q, want card-products#classic", q.Reread)
			}
		}},
		{"reread comment inside the question, other comments ignored", "// About fees.\n::r::Q{\n// reread: core/empathy#naming-the-feeling\n=x ~y}", func(t *testing.T, q Question) {
			if q.Reread != "core/empathy#naming-the-feeling" {
				t.Errorf("got reread %q, want core/empathy#naming-the-feeling", q.Reread)
			}
		}},
		{"escaped colon in title", `::a\:b::Q{=x ~y}`, func(t *testing.T, q Question) {
			if q.Title != "a:b" || q.ID != "a-b" {
				t.Errorf("got title %q id %q, want a:b and a-b", q.Title, q.ID)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := ParseGIFT("c/p/bank.gift", []byte(tc.src))
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if len(b.Questions) == 0 {
				t.Fatal("got no questions")
			}
			tc.check(t, b.Questions[len(b.Questions)-1])
		})
	}
}

func TestParseGIFTErrorsNameFileAndLine(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // each "line: fragment"
	}{
		{"two correct single choice", "// c\n\n::q::Q{=a =b ~c}", []string{"3: exactly one correct option"}},
		{"multi weights not 100", "::q::Q{~%50%a ~%40%b ~c}", []string{"1: sum to 100"}},
		{"unclosed braces", "::a::ok{=x ~y}\n\n::q::Q{=a ~b\n", []string{"3: not closed"}},
		{"unclosed title", "::q Q{=a ~b}", []string{"1: closing ::"}},
		{"bad number", "::q::Q{#abc}", []string{"1: not a number"}},
		{"bad range", "::q::Q{#5..1}", []string{"1: low above high"}},
		{"negative tolerance", "::q::Q{#5:-1}", []string{"1: tolerance"}},
		{"matching one pair", "::q::Q{=a -> b}", []string{"1: at least 2 pairs"}},
		{"matching without arrow", "::q::Q{=a -> b =c -> d =e}", []string{"1: =left -> right"}},
		{"cannot tell type", "::q::Q{hello}", []string{"1: cannot tell the question type"}},
		{"text before answers", "::q::Q{oops =a ~b}", []string{"1: text before the first answer"}},
		{"bad weight", "::q::Q{~%500%a ~%50%b}", []string{"1: weight"}},
		{"unclosed weight", "::q::Q{~%50a ~b}", []string{"1: closing %"}},
		{"two answer blocks", "::q::Q{=a ~b} and {=c ~d}", []string{"1: one answer block"}},
		{"brace inside answers", "::q::Q{=a {~b}", []string{"1: must be escaped"}},
		{"wildcard short answer for part credit", "::q::Q{=AHT =%50%*handle*}", []string{"1: must give full credit"}},
		{"two wildcard short answers", "::q::Q{=*handle* =*time*}", []string{"1: one * wildcard answer"}},
		{"numeric ~ with a weight other than 0", "::q::Q{#5 ~%50%#no}", []string{"1: comes once and after every answer"}},
		{"skillgate comment that is not JSON", "// skillgate: {points: 2}\n::q::Q{T}", []string{"1: the skillgate extension is not valid"}},
		{"skillgate comment with an unknown key", "// skillgate: {\"colour\": 1}\n::q::Q{T}", []string{"1: the skillgate extension is not valid"}},
		{"skillgate comment without a question", "::q::Q{T}\n\n// skillgate: {\"points\": 2}\n", []string{"3: skillgate comment is not followed by a question"}},
		{"skillgate comment inside the answers", "::q::Q{\n=a\n// skillgate: {\"points\": 2}\n~b}", []string{"3: comes once, just before its question"}},
		{"skillgate comment on a skipped item", "// skillgate: {\"points\": 2}\n::e::Essay{}", []string{"1: skipped, so its skillgate comment"}},
		{"skillgate option ids that do not fit", "// skillgate: {\"option_ids\": [\"a\"]}\n::q::Q{=a ~b}", []string{"1: names 1 option ids for 2 options"}},
		{"skillgate points out of range", "// skillgate: {\"points\": 500}\n::q::Q{T}", []string{"2: points must be 1..100"}},
		{"short answer weight 0 only", "::q::Q{=%50%a}", []string{"1: weight 100"}},
		{"reread comment without a question", "::q::Q{T}\n\n// reread: m#h\n", []string{"3: not followed by a question"}},
		{"reread comment before a category", "// reread: m#h\n$CATEGORY: fees\n\n::q::Q{T}", []string{"1: not followed by a question"}},
		{"reread comment after a question, for the next one", "::a::A{T}\n// reread: m#h\n::b::B{T}", []string{"2: not followed by a question", "3: one answer block"}},
		{"reread comment on a skipped description", "// reread: card-products#classic\nJust text.", []string{"2: skipped, so its reread comment"}},
		{"numeric answer after the ~ feedback", "::q::Q{#10 ~#Not quite =%50%9:0}", []string{"1: comes once and after every answer"}},
		{"empty reread comment", "// reread:\n::q::Q{T}", []string{"1: names no section"}},
		{"two reread comments", "// reread: m#h\n// reread: m#i\n::q::Q{T}", []string{"2: one reread comment"}},
		{"bad reread", "// reread: somewhere\n::q::Q{T}", []string{"2: reread \"somewhere\" must be"}},
		{"numeric ~ with an answer", "::q::Q{#5\n~6#no}", []string{"2: comes once and after every answer"}},
		{"numeric without an answer", "::q::Q{# ~#no}", []string{"1: needs an answer"}},
		{"every problem at once", "::q::Q{#x}\n\n::r::R{=a =b ~c}\n\n::s::S{=a -> b}", []string{"1: not a number", "3: exactly one correct", "5: at least 2 pairs"}},
		{"bad file name", "::q::Q{T}", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			file := "c/p/bank.gift"
			if tc.want == nil {
				file, tc.want = "c/p/Bad Name.gift", []string{"1: a GIFT bank file is named"}
			}
			_, err := ParseGIFT(file, []byte(tc.src))
			if err == nil {
				t.Fatalf("got no error, want %v", tc.want)
			}
			if apperr.CodeOf(err) != apperr.Invalid {
				t.Errorf("got code %s, want invalid", apperr.CodeOf(err))
			}
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("got %T, want Problems inside", err)
			}
			if len(ps) != len(tc.want) {
				t.Errorf("got %d problems %v, want %d", len(ps), ps, len(tc.want))
			}
			for _, w := range tc.want {
				line, frag, _ := strings.Cut(w, ": ")
				if !strings.Contains(err.Error(), file+":"+line+": ") || !strings.Contains(ps.Error(), frag) {
					t.Errorf("got %q, want %s:%s naming %q", ps.Error(), file, line, frag)
				}
				if _, ok := err.(*apperr.Error).Fields[file+":"+line]; !ok {
					t.Errorf("got fields %v, want %s:%s", err.(*apperr.Error).Fields, file, line)
				}
			}
		})
	}
}
