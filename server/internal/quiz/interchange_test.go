package quiz

import (
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/skillgate/skillgate/server/internal/apperr"
)

const everyFormFile = "northbank/card-services/every-form.gift"

func loadEveryFormGIFT(t *testing.T) *Bank {
	t.Helper()
	data, err := os.ReadFile("testdata/interchange/every-form.gift")
	if err != nil {
		t.Fatal(err)
	}
	b, err := ParseGIFT(everyFormFile, data)
	if err != nil {
		t.Fatalf("got error %v, want the file Moodle imports to import", err)
	}
	return b
}

func TestParseGIFTReadsEveryFormAsMoodleDoes(t *testing.T) {
	b := loadEveryFormGIFT(t)
	byID := map[string]Question{}
	for _, q := range b.Questions {
		byID[q.ID] = q
	}
	if len(byID) != len(b.Questions) || len(b.Questions) != 21 {
		t.Fatalf("got %d questions (%v), want 21 distinct", len(b.Questions), keys(b.Questions))
	}
	get := func(id string) Question {
		t.Helper()
		q, ok := byID[id]
		if !ok {
			t.Fatalf("got no question %q among %v", id, keys(b.Questions))
		}
		return q
	}
	owns := textID("Who owns the customer's problem until it is solved?", "")
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"repeated text: ids by occurrence", []string{b.Questions[0].ID, b.Questions[1].ID, b.Questions[3].ID, b.Questions[4].ID, b.Questions[5].ID},
			[]string{owns, owns + "-2", owns + "-3", owns + "-4", owns + "-5"}},
		{"repeated text: types", []Type{get(owns).Type, get(owns + "-3").Type, get(owns + "-5").Type}, []Type{SingleChoice, ShortAnswer, TrueFalse}},
		{"missing word", []string{get(b.Questions[2].ID).Text, get(b.Questions[2].ID).TextAfter}, []string{"An agent greets the caller", "verifying the account."}},
		{"category kept", get("aht").Category, "$course$/top/Call Handling"},
		{"category as tag", get("sla").Tags, []string{"call-handling/numbers"}},
		{"case-variant short answers merged", get("aht").Answers, []TextAnswer{
			{Text: "average handle time", Weight: 100}, {Text: "handle time", Weight: 50, Feedback: "Nearly: it is an average."}}},
		{"wildcard as pattern", []any{get("fcr").Pattern, len(get("fcr").Answers)}, []any{".*first call resolution.*", 0}},
		{"numeric ~%0%#feedback", get("abandon").WrongFeedback, "Look at the service-level table."},
		{"numeric answers", get("abandon").Numbers, []NumericAnswer{{Value: 5, Weight: 100, Feedback: "Exactly."}, {Value: 5, Tolerance: 2, Weight: 50, Feedback: "Close."}}},
		{"numeric ~#feedback", get("callback").WrongFeedback, "One day: 24 hours."},
		{"numeric range", get("wrap-up").Numbers, []NumericAnswer{{IsRange: true, Min: 30, Max: 60, Weight: 100}}},
		{"html sanitized", []string{get("html").Format, get("html").Text}, []string{FormatHTML, "Which tag makes text <b>bold</b>?"}},
		{"html options stay html", get("html").Options[0].Text, "&lt;b&gt;"},
		{"moodle: line breaks kept as html", []string{get("moodle").Format, get("moodle").Text}, []string{FormatHTML, "First line<br/>\nsecond line: which line is this?"}},
		{"moodle: plain answers escaped", get("moodle").Options[0].Text, "the second"},
		{"plain", []string{get("plain").Format, get("plain").Text}, []string{FormatPlain, "Is 2 < 3 & 4 > 3?"}},
		{"markdown", []string{get("markdown").Format, get("markdown").Text}, []string{"", "Is **escalation** the last step?"}},
		{"escapes", get("escapes").Options[0].Text, "~"},
		{"multiple response", get("listening").Type, MultipleResponse},
		{"matching distractor", get("match-metrics").Pairs[3], Pair{ID: "p4", Right: "calls per hour"}},
		{"true/false feedback", get("hold-time").Options[1].Feedback, "Check in at least every two minutes."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !reflect.DeepEqual(tc.got, tc.want) {
				t.Errorf("got %#v, want %#v", tc.got, tc.want)
			}
		})
	}
	if len(b.Skipped) != 2 || b.Skipped[0].Line != 82 || b.Skipped[1].Line != 84 {
		t.Errorf("got skipped %v, want the essay (line 82) and the description (line 84)", b.Skipped)
	}
	if len(b.Warnings) != 1 || b.Warnings[0].Line != 32 || !strings.Contains(b.Warnings[0].Message, `"Average Handle Time" is "average handle time" again`) {
		t.Errorf("got warnings %v, want the merged short answer at line 32", b.Warnings)
	}
}

// A file imported twice gives the same ids: re-import is idempotent.
func TestParseGIFTRepeatedQuestionIDsAreStable(t *testing.T) {
	a, b := loadEveryFormGIFT(t), loadEveryFormGIFT(t)
	if !reflect.DeepEqual(keys(a.Questions), keys(b.Questions)) {
		t.Errorf("got ids %v then %v, want the same", keys(a.Questions), keys(b.Questions))
	}
	two, err := ParseGIFT("c/p/bank.gift", []byte("::same::A{T}\n\n::same::B{F}\n\n::same-2::C{T}"))
	if err != nil {
		t.Fatal(err)
	}
	if got := questionIDs(two.Questions); !reflect.DeepEqual(got, []string{"same", "same-2", "same-2-2"}) {
		t.Errorf("got ids %v, want same, same-2, same-2-2", got)
	}
	if len(two.Warnings) != 2 || two.Warnings[0].Line != 3 || two.Warnings[1].Line != 5 {
		t.Errorf("got warnings %v, want the repeated titles at lines 3 and 5", two.Warnings)
	}
}

func questionIDs(qs []Question) []string {
	out := make([]string, len(qs))
	for i, q := range qs {
		out[i] = q.ID
	}
	return out
}

// demoQuestions are every question of the demo library (quizzes/): each
// bank's, and each quiz's inline questions, by where they come from.
func demoQuestions(t *testing.T) map[string][]Question {
	t.Helper()
	lib, err := LoadDir(os.DirFS("../../../quizzes"))
	if err != nil {
		t.Fatalf("got error %v loading the demo quizzes", err)
	}
	sets := map[string][]Question{}
	for _, b := range lib.Banks {
		sets[b.Source] = b.Questions
	}
	for _, qz := range lib.Quizzes {
		if len(qz.Questions) > 0 {
			sets[qz.Source] = qz.Questions
		}
	}
	if len(sets) < 5 {
		t.Fatalf("got %d question sets, want the demo library's banks and quizzes", len(sets))
	}
	return sets
}

// comparable drops what a round trip may change: where the question is
// written, its bank, and a title that only restates the id.
func comparable(qs []Question) []Question {
	out := make([]Question, len(qs))
	for i, q := range qs {
		q.Source, q.Bank = "", ""
		q.Text = strings.TrimSpace(q.Text) // YAML block scalars end with a line break
		if q.Title == q.ID {
			q.Title = ""
		}
		if q.Format == FormatMarkdown {
			q.Format = ""
		}
		out[i] = q
	}
	return out
}

func TestExportRoundTripsEveryDemoQuestion(t *testing.T) {
	parse := map[string]func(string, []byte) (*Bank, error){ExportMoodleXML: ParseMoodleXML, ExportGIFT: ParseGIFT}
	n := 0
	for src, qs := range demoQuestions(t) {
		for format, read := range parse {
			t.Run(format+" "+src, func(t *testing.T) {
				raw, ext, err := Export(format, qs)
				if err != nil {
					t.Fatalf("got error %v exporting", err)
				}
				b, err := read("c/p/export"+ext, raw)
				if err != nil {
					t.Fatalf("got error %v importing the export:\n%s", err, raw)
				}
				if len(b.Warnings) != 0 || len(b.Skipped) != 0 {
					t.Errorf("got warnings %v, skipped %v, want none", b.Warnings, b.Skipped)
				}
				kept := qs
				if format == ExportGIFT { // GIFT has no cloze questions: the export leaves them out
					kept = slices.DeleteFunc(slices.Clone(qs), func(q Question) bool { return q.Type == Cloze })
				}
				got, want := comparable(b.Questions), comparable(kept)
				if len(got) != len(want) {
					t.Fatalf("got %d questions back, want %d", len(got), len(want))
				}
				for i := range want {
					if !reflect.DeepEqual(got[i], want[i]) {
						t.Errorf("question %s:\ngot  %#v\nwant %#v", want[i].ID, got[i], want[i])
					}
				}
			})
			n += len(qs)
		}
	}
	if n < 100 {
		t.Errorf("round-tripped %d questions, want every demo question", n)
	}
}

// The fixture that exercises every GIFT form round-trips too.
func TestExportRoundTripsEveryGIFTForm(t *testing.T) {
	qs := loadEveryFormGIFT(t).Questions
	for _, format := range []string{ExportMoodleXML, ExportGIFT} {
		raw, ext, err := Export(format, qs)
		if err != nil {
			t.Fatal(err)
		}
		b, err := map[string]func(string, []byte) (*Bank, error){ExportMoodleXML: ParseMoodleXML, ExportGIFT: ParseGIFT}[format]("northbank/card-services/every-form"+ext, raw)
		if err != nil {
			t.Fatalf("%s: got error %v importing:\n%s", format, err, raw)
		}
		got, want := comparable(b.Questions), comparable(qs)
		if !reflect.DeepEqual(got, want) {
			for i := range want {
				if i < len(got) && !reflect.DeepEqual(got[i], want[i]) {
					t.Errorf("%s: question %s:\ngot  %#v\nwant %#v", format, want[i].ID, got[i], want[i])
				}
			}
			t.Errorf("%s: got %d questions, want %d", format, len(got), len(want))
		}
	}
}

func TestExportRefusesAnUnknownFormatAndPatternOnlyQuestions(t *testing.T) {
	if _, _, err := Export("qti", nil); err == nil || !strings.Contains(err.Error(), "moodle-xml") {
		t.Errorf("got %v, want the formats named", err)
	}
	q := Question{ID: "p", Type: ShortAnswer, Text: "Q", Pattern: "a+", Points: 1}
	if _, _, err := Export(ExportGIFT, []Question{q}); err == nil || !strings.Contains(err.Error(), "graded only by its pattern") {
		t.Errorf("got %v, want the pattern-only question refused", err)
	}
}

func TestParseMoodleXMLEveryForm(t *testing.T) {
	data, err := os.ReadFile("testdata/interchange/every-form.xml")
	if err != nil {
		t.Fatal(err)
	}
	b, err := ParseMoodleXML("northbank/card-services/every-form.xml", data)
	if err != nil {
		t.Fatalf("got error %v, want none", err)
	}
	if b.Client != "northbank" || b.Name != "every-form" {
		t.Errorf("got bank %s/%s, want northbank/every-form", b.Client, b.Name)
	}
	byID := map[string]Question{}
	for _, q := range b.Questions {
		byID[q.ID] = q
	}
	light := byID["warning-light"]
	shown := light.Public()
	if got := questionIDs(b.Questions); !reflect.DeepEqual(got, []string{"ownership", "listening", "check-in", "aht", "fcr", "sla", "metrics", "ownership-2", "cloze", "warning-light", "greeting", "escalate"}) {
		t.Fatalf("got ids %v", got)
	}
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"single: type and points", []any{byID["ownership"].Type, byID["ownership"].Points}, []any{SingleChoice, 2}},
		{"single: html sanitized", byID["ownership"].Text, "<p>Who owns the customer&#39;s problem <b>until it is solved</b>?</p>"},
		{"single: options", byID["ownership"].Options, []Option{
			{ID: OptionID("<p>The agent who took the call</p>"), Text: "<p>The agent who took the call</p>", Weight: 100, Feedback: "Right."},
			{ID: OptionID("The next shift"), Text: "The next shift", Feedback: "No."},
			{ID: OptionID("Nobody"), Text: "Nobody", Weight: -50},
		}},
		{"single: general feedback", byID["ownership"].Feedback, "<p>The agent who took the call.</p>"},
		{"category and tags", []any{byID["ownership"].Category, byID["ownership"].Tags}, []any{"$course$/top/Call Handling", []string{"call-handling", "ownership", "call-handling/basics"}}},
		{"multiple: type", byID["listening"].Type, MultipleResponse},
		{"moodle auto-format", []string{byID["listening"].Format, byID["listening"].Text}, []string{FormatHTML, "Which of these show active listening?<br/>\nChoose every one that applies."}},
		{"truefalse", byID["check-in"].Options, []Option{{ID: OptionTrue, Text: "True", Weight: 100, Feedback: "Right."}, {ID: OptionFalse, Text: "False", Feedback: "Check in every two minutes."}}},
		{"plain text kept", []string{byID["check-in"].Format, byID["check-in"].Text}, []string{FormatPlain, "Holding for more than 2 minutes < needs a check-in & an apology."}},
		{"short: merged, zero-credit left out", byID["aht"].Answers, []TextAnswer{{Text: "average handle time", Weight: 100}, {Text: "handle time", Weight: 50, Feedback: "Nearly."}}},
		{"short: * is the wrong feedback", byID["aht"].WrongFeedback, "See the metrics module."},
		{"short: markdown", []string{byID["aht"].Format, byID["aht"].Text}, []string{"", "What does **AHT** stand for?"}},
		{"short: wildcard", byID["fcr"].Pattern, ".*first call resolution.*"},
		{"numeric", byID["sla"].Numbers, []NumericAnswer{{Value: 80, Tolerance: 5, Weight: 100, Feedback: "Yes."}, {Value: 80, Tolerance: 10, Weight: 50}}},
		{"numeric: * feedback", byID["sla"].WrongFeedback, "See the service-level table."},
		{"numeric: nested category", byID["sla"].Tags, []string{"call-handling/numbers"}},
		{"cloze: gaps from the text", []any{byID["cloze"].Type, byID["cloze"].Gaps}, []any{Cloze, []Gap{{ID: "1", Kind: GapShort, Weight: 1, Syntax: "SHORTANSWER", Answers: []TextAnswer{{Text: "average handle time", Weight: 100}}}}}},
		{"embedded files: the ones shown, by content", fileSummary(byID["warning-light"].Files), []string{
			"red light.png image/png 73 805924e65dff89ccbac4046a6995a73622a878f5ff9ec17678b4bc33ca55ea12",
			"blue.png image/png 73 bd3415deb39fbbc19f6da607e6ff5078a10d1133ad9bff6b999b958baa5295f7"}},
		{"embedded files: shown at their addresses", []string{shown.Text, shown.Options[1].Text}, []string{
			`<p>Which light warns of a dropped call? <img src="/api/v1/question-files/805924e65dff89ccbac4046a6995a73622a878f5ff9ec17678b4bc33ca55ea12" alt="a red light"></p>`,
			`<img src="/api/v1/question-files/bd3415deb39fbbc19f6da607e6ff5078a10d1133ad9bff6b999b958baa5295f7" alt="blue">`}},
		{"embedded files: the stored text keeps the reference", byID["warning-light"].Options[0].Text, `<img src="@@PLUGINFILE@@/red%20light.png" alt="red">`},
		{"gapselect: a choice gap per [[n]], the group's choices", []any{byID["greeting"].Type, byID["greeting"].Text}, []any{Cloze,
			`<p>Answer with &#34;{1:MULTICHOICE:=Good morning~%0%Hey}, this is {1:MULTICHOICE:=Northbank~%0%Bank \#1 \~ {best\}}&#34; &amp; smile.</p>`}},
		{"gapselect: choices escaped and read back", byID["greeting"].Gaps[1].Options, []Option{{ID: OptionID("Northbank"), Text: "Northbank", Weight: 100}, {ID: OptionID("Bank #1 ~ {best}"), Text: "Bank #1 ~ {best}"}}},
		{"ddwtos: as gapselect", byID["escalate"].Text, "<p>Escalate to {1:MULTICHOICE:=a supervisor~%0%the caller} after {1:MULTICHOICE:=10~%0%2} minutes.</p>"},
		{"matching", byID["metrics"].Pairs, []Pair{{ID: "p1", Left: "AHT", Right: "time per call"}, {ID: "p2", Left: "FCR", Right: "problems solved on the first contact"}, {ID: "p3", Right: "calls per hour"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !reflect.DeepEqual(tc.got, tc.want) {
				t.Errorf("got %#v, want %#v", tc.got, tc.want)
			}
		})
	}
	var skipped []string
	for _, s := range b.Skipped {
		skipped = append(skipped, s.String())
	}
	wantSkipped := []string{":92: essay", ":97: description", ":107: calculated"}
	if len(skipped) != len(wantSkipped) {
		t.Fatalf("got skipped %q, want %q", skipped, wantSkipped)
	}
	for i, w := range wantSkipped {
		if !strings.Contains(skipped[i], "every-form.xml"+w) {
			t.Errorf("got skipped %q, want %q", skipped[i], w)
		}
	}
	var warnings []string
	for _, w := range b.Warnings {
		warnings = append(warnings, w.String())
	}
	for _, w := range []string{":25: question \"Listening\": the combined feedback", ":45: question \"AHT\": Moodle compares its answers with case",
		":45: question \"AHT\": answer \"average hold time\" earns nothing", ":45: question aht: answer \"Average Handle Time\" is", ":85: question ownership-2: the id ownership",
		":142: question \"Escalate\": a drag-and-drop into text question is shown as a drop-down per gap"} {
		if !strings.Contains(strings.Join(warnings, "\n"), w) {
			t.Errorf("got warnings %q, want one with %q", warnings, w)
		}
	}
}

func TestParseAikenEveryForm(t *testing.T) {
	data, err := os.ReadFile("testdata/interchange/every-form.aiken.txt")
	if err != nil {
		t.Fatal(err)
	}
	b, err := ParseAiken("northbank/card-services/every-form.aiken.txt", data)
	if err != nil {
		t.Fatalf("got error %v, want none", err)
	}
	owns := textID("Who owns the customer's problem until it is solved?", "")
	if got := questionIDs(b.Questions); !reflect.DeepEqual(got, []string{owns, textID("Which metric measures time per call?", ""), owns + "-2"}) {
		t.Fatalf("got ids %v", got)
	}
	q := b.Questions[0]
	if b.Name != "every-form" || q.Type != SingleChoice || q.Format != FormatPlain || q.Source != "northbank/card-services/every-form.aiken.txt:1" {
		t.Errorf("got bank %s, question %s %s at %s", b.Name, q.Type, q.Format, q.Source)
	}
	if q.Options[1].Text != "The agent who took the call" || q.Options[1].Weight != 100 || q.Options[0].Weight != 0 {
		t.Errorf("got options %+v, want B right", q.Options)
	}
	if b.Questions[1].Options[0].Text != "AHT" || b.Questions[1].Options[0].Weight != 100 {
		t.Errorf("got options %+v, want A) AHT right", b.Questions[1].Options)
	}
}

// checkProblems fails unless err is code invalid with exactly the
// problems want ("line: fragment"), each at file:line.
func checkProblems(t *testing.T, file string, err error, want []string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %v", want)
	}
	if apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("got code %s, want invalid", apperr.CodeOf(err))
	}
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("got %T, want Problems inside", err)
	}
	if len(ps) != len(want) {
		t.Errorf("got %d problems %v, want %d", len(ps), ps, len(want))
	}
	for _, w := range want {
		line, frag, _ := strings.Cut(w, ": ")
		found := false
		for _, p := range ps {
			found = found || (p.File == file && strconv.Itoa(p.Line) == line && strings.Contains(p.Message, frag))
		}
		if !found {
			t.Errorf("got %q, want %s:%s naming %q", ps.Error(), file, line, frag)
		}
	}
}

func TestParseMoodleXMLRefusalsNameFileLineAndRule(t *testing.T) {
	q := func(body string) string {
		return "<quiz>\n<question type=\"multichoice\">\n" + body + "\n</question>\n</quiz>"
	}
	mc := "<name><text>Q</text></name><questiontext format=\"html\"><text>Q?</text></questiontext>"
	tf := "<answer fraction=\"100\"><text>a</text></answer><answer fraction=\"0\"><text>b</text></answer>"
	img := func(name, format, encoding, data string) string {
		return "<name><text>Q</text></name><questiontext format=\"" + format + "\"><text><![CDATA[<img src=\"@@PLUGINFILE@@/" + name + "\">]]></text><file name=\"" + name + "\" path=\"/\" encoding=\"" + encoding + "\">" + data + "</file></questiontext>" + tf
	}
	tests := []struct {
		name string
		file string
		src  string
		want []string
	}{
		{"not XML", "", "<quiz>\n<question type=\"truefalse\">\n</quiz>", []string{"3: not well-formed XML"}},
		{"another root", "", "<?xml version=\"1.0\"?>\n<questions/>", []string{"2: root element is <quiz>"}},
		{"no quiz", "", "", []string{"1: no <quiz> element"}},
		{"other charset", "", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<quiz/>", []string{"1: save it as UTF-8"}},
		{"no type", "", "<quiz>\n<question>\n</question>\n</quiz>", []string{"2: no type attribute"}},
		{"no question text", "", q("<name><text>Q</text></name>"), []string{"2: no <questiontext>"}},
		{"an SVG image", "", q(img("map.svg", "html", "base64", "PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIG9ubG9hZD0iYWxlcnQoMSkiLz4=")),
			[]string{"2: question \"Q\": embedded file \"map.svg\" (text/plain; charset=utf-8): SVG images are refused (they can carry scripts)"}},
		{"a PDF", "", q(img("doc.pdf", "html", "base64", "JVBERi0xLjQKJcfsj6IK")), []string{"2: question \"Q\": embedded file \"doc.pdf\" (application/pdf): only PNG, JPEG, GIF and WebP images can be embedded"}},
		{"not base64", "", q(img("map.png", "html", "base64", "not*base64")), []string{"2: question \"Q\": embedded file \"map.png\": not valid base64"}},
		{"another encoding", "", q(img("map.png", "html", "hex", "00")), []string{"2: question \"Q\": embedded file \"map.png\": encoding \"hex\""}},
		{"too big", "", q(img("map.png", "html", "base64", bigPNG())), []string{"2: question \"Q\": embedded file \"map.png\": 1048577 bytes, more than the 1048576"}},
		{"a file that is not embedded", "", q("<name><text>Q</text></name><questiontext format=\"html\"><text><![CDATA[<img src=\"@@PLUGINFILE@@/map.png\">]]></text></questiontext>" + tf),
			[]string{"2: question \"Q\": refers to @@PLUGINFILE@@/map.png, but the question embeds no <file name=\"map.png\">"}},
		{"an image in a markdown question", "", q(img("map.png", "markdown", "base64", onePNG)), []string{"2: question \"Q\": shows the file \"map.png\", but only an HTML question"}},
		{"two files of one name", "", q("<name><text>Q</text></name><questiontext format=\"html\"><text><![CDATA[<img src=\"@@PLUGINFILE@@/map.png\">]]></text><file name=\"map.png\" encoding=\"base64\">" + onePNG + "</file></questiontext><generalfeedback format=\"html\"><text>x</text><file name=\"map.png\" encoding=\"base64\">R0lGODlhAQABAAAAACw=</file></generalfeedback>" + tf),
			[]string{"2: question \"Q\": embeds two different files named \"map.png\""}},
		{"gapselect gap without its choice", "", "<quiz>\n<question type=\"gapselect\">" + mc + "</question></quiz>", []string{"2: question \"Q\": it has no choices"}},
		{"gapselect gap past the choices", "", "<quiz>\n<question type=\"gapselect\"><name><text>Q</text></name><questiontext format=\"html\"><text>[[1]] [[3]]</text></questiontext><selectoption><text>a</text><group>1</group></selectoption><selectoption><text>b</text><group>1</group></selectoption></question></quiz>",
			[]string{"2: question \"Q\": the gap [[3]] names choice 3, but there are 2 choices"}},
		{"gapselect without gaps", "", "<quiz>\n<question type=\"gapselect\">" + mc + "<selectoption><text>a</text><group>1</group></selectoption></question></quiz>",
			[]string{"2: question \"Q\": its text has no gaps"}},
		{"ddwtos with a choice twice in a group", "", "<quiz>\n<question type=\"ddwtos\"><name><text>Q</text></name><questiontext format=\"html\"><text>[[1]]</text></questiontext><dragbox><text>a</text><group>1</group></dragbox><dragbox><text>a</text><group>1</group></dragbox></question></quiz>",
			[]string{"2: question q: gap 1 (text line 1):"}},
		{"fractional points", "", q(mc + "<defaultgrade>1.5</defaultgrade><answer fraction=\"100\"><text>a</text></answer><answer fraction=\"0\"><text>b</text></answer>"),
			[]string{"2: whole numbers from 1 to 100"}},
		{"fraction out of range", "", q(mc + "<answer fraction=\"150\"><text>a</text></answer><answer fraction=\"0\"><text>b</text></answer>"),
			[]string{"2: fraction \"150\" must be a percentage from -100 to 100"}},
		{"two right single choice answers", "", q(mc + "<answer fraction=\"100\"><text>a</text></answer><answer fraction=\"100\"><text>b</text></answer>"),
			[]string{"2: exactly one correct option"}},
		{"multiple weights not 100", "", q(mc + "<single>false</single><answer fraction=\"50\"><text>a</text></answer><answer fraction=\"40\"><text>b</text></answer>"),
			[]string{"2: sum to 100"}},
		{"true/false answer", "", "<quiz>\n<question type=\"truefalse\">" + mc + "<answer fraction=\"100\"><text>maybe</text></answer></question></quiz>",
			[]string{"2: true or false"}},
		{"graded units", "", "<quiz>\n<question type=\"numerical\">" + mc + "<answer fraction=\"100\"><text>5</text></answer><units><unit><multiplier>1</multiplier><unit_name>m</unit_name></unit></units><unitgradingtype>1</unitgradingtype></question></quiz>",
			[]string{"2: Moodle grades its units"}},
		{"not a number", "", "<quiz>\n<question type=\"numerical\">" + mc + "<answer fraction=\"100\"><text>five</text></answer></question></quiz>",
			[]string{"2: \"five\" is not a number"}},
		{"wildcard for part credit", "", "<quiz>\n<question type=\"shortanswer\">" + mc + "<answer fraction=\"100\"><text>a</text></answer><answer fraction=\"50\"><text>*b*</text></answer></question></quiz>",
			[]string{"2: must give full credit"}},
		{"matching with one pair", "", "<quiz>\n<question type=\"matching\">" + mc + "<subquestion><text>a</text><answer><text>b</text></answer></subquestion></question></quiz>",
			[]string{"2: at least 2 pairs"}},
		{"bad extension", "", q(mc + "<answer fraction=\"100\"><text>a</text></answer><answer fraction=\"0\"><text>b</text></answer><skillgate>{\"colour\":1}</skillgate>"),
			[]string{"2: the skillgate extension is not valid"}},
		{"bad file name", "c/p/Bad Name.xml", "<quiz/>", []string{"1: a Moodle XML bank file is named"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			file := tc.file
			if file == "" {
				file = "c/p/bank.xml"
			}
			_, err := ParseMoodleXML(file, []byte(tc.src))
			checkProblems(t, file, err, tc.want)
		})
	}
}

func TestParseAikenRefusalsNameFileLineAndRule(t *testing.T) {
	tests := []struct {
		name string
		file string
		src  string
		want []string
	}{
		{"answer without a question", "", "ANSWER: A", []string{"1: without a question"}},
		{"one option", "", "Q?\nA. yes\nANSWER: A", []string{"3: at least 2 options"}},
		{"answer names no option", "", "Q?\nA. yes\nB. no\nANSWER: C", []string{"4: ANSWER: C names no option (the options are A, B)"}},
		{"letter twice", "", "Q?\nA. yes\nA. no\nANSWER: A", []string{"3: option A is written twice"}},
		{"text after the options", "", "Q?\nA. yes\nB. no\nmore text\nANSWER: A", []string{"4: after the options comes ANSWER:"}},
		{"no answer line", "", "Q?\nA. yes\nB. no\n\nR?\nA. a\nB. b\nANSWER: A", []string{"1: no ANSWER: line after its options"}},
		{"no answer at the end", "", "Q?\nA. yes\nB. no", []string{"1: no ANSWER: line"}},
		{"no options", "", "Q?\n\nR?\nA. a\nB. b\nANSWER: A", []string{"1: no options"}},
		{"bad file name", "c/p/bank.txt", "Q?\nA. a\nB. b\nANSWER: A", []string{"1: an Aiken bank file is named"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			file := tc.file
			if file == "" {
				file = "c/p/bank.aiken.txt"
			}
			_, err := ParseAiken(file, []byte(tc.src))
			checkProblems(t, file, err, tc.want)
		})
	}
}

func TestLoadDirReadsEveryBankFormatAndKeepsNamesUnique(t *testing.T) {
	xml := []byte(`<quiz><question type="truefalse"><name><text>x</text></name><questiontext><text>X?</text></questiontext><answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text></answer></question></quiz>`)
	aiken := []byte("Q?\nA. a\nB. b\nANSWER: B\n")
	lib, err := LoadDir(fstest.MapFS{
		"nb/cards/xml-bank.xml":              {Data: xml},
		"nb/cards/more/aiken-bank.aiken.txt": {Data: aiken},
		"nb/cards/gift-bank.gift":            {Data: []byte("::g::G{T}")},
		"nb/cards/notes.txt":                 {Data: []byte("ignored")},
	})
	if err != nil {
		t.Fatalf("got error %v, want none", err)
	}
	if got := lib.BanksOf("nb"); len(got) != 3 || got["xml-bank"] == nil || got["aiken-bank"] == nil || got["gift-bank"] == nil {
		t.Errorf("got banks %v, want xml-bank, aiken-bank and gift-bank", got)
	}
	_, err = LoadDir(fstest.MapFS{
		"nb/cards/fees.gift": {Data: []byte("::g::G{T}")},
		"nb/cards/fees.xml":  {Data: xml},
	})
	checkProblems(t, "nb/cards/fees.xml", err, []string{"1: already has a bank \"fees\""})
	_, err = LoadDir(fstest.MapFS{"nb/top.xml": {Data: xml}})
	checkProblems(t, "nb/top.xml", err, []string{"1: bank files (GIFT, Moodle XML, Aiken) anywhere under <client>/<program>/"})
}

// A repeated question exported without the question it repeats keeps its
// id.
func TestExportKeepsTheIDOfARepeatedQuestionAlone(t *testing.T) {
	qs := loadEveryFormGIFT(t).Questions
	second := qs[1] // the second "Who owns…" question
	for _, format := range []string{ExportGIFT, ExportMoodleXML} {
		raw, ext, err := Export(format, []Question{second})
		if err != nil {
			t.Fatal(err)
		}
		read := map[string]func(string, []byte) (*Bank, error){ExportMoodleXML: ParseMoodleXML, ExportGIFT: ParseGIFT}[format]
		b, err := read("c/p/one"+ext, raw)
		if err != nil {
			t.Fatalf("%s: got error %v", format, err)
		}
		if len(b.Questions) != 1 || b.Questions[0].ID != second.ID {
			t.Errorf("%s: got ids %v, want %s", format, questionIDs(b.Questions), second.ID)
		}
	}
}

// onePNG is a 2×2 PNG, base64.
const onePNG = "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGM4IScHRAwQCgAfJgQRoo8irwAAAABJRU5ErkJggg=="

// bigPNG is a PNG of one byte more than MaxQuestionFileBytes, base64.
func bigPNG() string {
	raw, _ := base64.StdEncoding.DecodeString(onePNG)
	return base64.StdEncoding.EncodeToString(append(raw, make([]byte, MaxQuestionFileBytes+1-len(raw))...))
}

func fileSummary(fs []QuestionFile) []string {
	var out []string
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%s %s %d %s", f.Name, f.ContentType, f.Size, f.SHA256))
	}
	return out
}

// Every form of the Moodle XML fixture comes back the same through a
// Moodle XML export, images included (embedded again where they are
// shown); a GIFT export leaves out the question with images, saying so.
func TestExportRoundTripsEveryMoodleXMLForm(t *testing.T) {
	data, err := os.ReadFile("testdata/interchange/every-form.xml")
	if err != nil {
		t.Fatal(err)
	}
	b, err := ParseMoodleXML("northbank/card-services/every-form.xml", data)
	if err != nil {
		t.Fatal(err)
	}
	raw, _, err := Export(ExportMoodleXML, b.Questions)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(raw), `<file name="red light.png" path="/" encoding="base64">`); n != 2 {
		t.Errorf("got the red light embedded %d times, want 2 (the text and the option that show it)", n)
	}
	back, err := ParseMoodleXML("northbank/card-services/every-form.xml", raw)
	if err != nil {
		t.Fatalf("got error %v importing:\n%s", err, raw)
	}
	got, want := comparable(back.Questions), comparable(b.Questions)
	if len(got) != len(want) {
		t.Fatalf("got %d questions back, want %d", len(got), len(want))
	}
	for i := range want { // a repeated title is exported as the question's id (TestExportKeepsTheIDOfARepeatedQuestionAlone)
		if slugify(want[i].Title) != want[i].ID {
			want[i].Title = ""
		}
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("question %s:\ngot  %#v\nwant %#v", want[i].ID, got[i], want[i])
		}
	}
	gift, _, err := Export(ExportGIFT, b.Questions)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(gift), "// skipped: every-form/warning-light shows images, which GIFT cannot carry") {
		t.Errorf("got GIFT\n%s\nwant the question with images left out, saying so", gift)
	}
	// Without its files' content (a stored version keeps only their
	// hashes), an export is refused rather than written without images.
	if _, _, err := Export(ExportMoodleXML, withoutFileData(b.Questions)); err == nil || !strings.Contains(err.Error(), "is not loaded") {
		t.Errorf("got %v, want the export refused", err)
	}
}

// GIFT and Aiken carry no files: a GIFT question that shows one is refused
// at its line.
func TestParseGIFTRefusesPluginFiles(t *testing.T) {
	_, err := ParseGIFT("c/p/bank.gift", []byte("// c\n::map::[html]<img src=\"@@PLUGINFILE@@/map.png\"> Where?{=here ~there}"))
	checkProblems(t, "c/p/bank.gift", err, []string{"2: question map: shows the file \"map.png\" (@@PLUGINFILE@@/map.png), which is not embedded: only Moodle XML carries files"})
}
