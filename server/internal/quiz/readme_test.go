package quiz

import (
	"os"
	"strings"
	"testing"
)

// TestREADMEExamplesParse keeps quizzes/README.md honest: its full quiz
// example and its GIFT and Aiken examples are accepted as they are written.
func TestREADMEExamplesParse(t *testing.T) {
	data, err := os.ReadFile("../../../quizzes/README.md")
	if err != nil {
		t.Fatal(err)
	}
	block := func(after, fence string) string {
		s := string(data)
		i := strings.Index(s, after)
		if i < 0 {
			t.Fatalf("got no %q in the README", after)
		}
		s = s[i:]
		start := strings.Index(s, fence+"\n")
		if start < 0 {
			t.Fatalf("got no %q block after %q", fence, after)
		}
		s = s[start+len(fence)+1:]
		return s[:strings.Index(s, "```\n")]
	}
	gift := block("## Question banks", "```")
	bank, err := ParseGIFT("northbank/card-services/card-fees.gift", []byte(gift))
	if err != nil {
		t.Fatalf("got error in the README's GIFT example:\n%v", err)
	}
	if len(bank.Questions) != 9 {
		t.Errorf("got %d questions from the README's GIFT example, want 9", len(bank.Questions))
	}
	aiken := block("## Question banks: Aiken", "```")
	if b, err := ParseAiken("northbank/card-services/card-quick.aiken.txt", []byte(aiken)); err != nil || len(b.Questions) != 1 || b.Questions[0].Options[0].Weight != 100 {
		t.Errorf("got %v from the README's Aiken example, want its one question", err)
	}
	quiz := block("## A quiz", "```yaml")
	qz, err := ParseQuiz("northbank/card-services/card-basics.quiz.yaml", []byte(quiz))
	if err != nil {
		t.Fatalf("got error in the README's quiz example:\n%v", err)
	}
	rewards := &Bank{Client: "northbank", Name: "card-products", Questions: []Question{{ID: "r", Bank: "card-products", Type: TrueFalse,
		Text: "?", Points: 1, Tags: []string{"rewards"}, Options: trueFalseOptions(true, "", "")}}}
	pool, ps := qz.Pool(map[string]*Bank{"card-fees": bank, "card-products": rewards})
	if len(ps) != 0 {
		t.Fatalf("got %v, want the README's banks to resolve", ps)
	}
	if ps := CheckDraw(qz, pool); len(ps) != 0 {
		t.Errorf("got %v, want the README's quiz drawable", ps)
	}
}
