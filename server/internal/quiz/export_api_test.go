package quiz_test

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/catalog"
	"github.com/skillgate/skillgate/server/internal/quiz"
)

// TestMoodleBanksImportAndExport: Moodle XML, Aiken and GIFT banks written
// in every form import (warnings and skipped items reported, re-import
// unchanged), and the client's trainers and admins export banks and
// quizzes in both formats, which import back with the same questions.
func TestMoodleBanksImportAndExport(t *testing.T) {
	t.Parallel()
	env := apitest.New(t)
	_, content, quizzes := apitest.CopyLibrary(t, "_testlibrary")
	dir := filepath.Join(quizzes, "northbank", "card-services")
	for from, to := range map[string]string{"every-form.xml": "xml-forms.xml", "every-form.aiken.txt": "aiken-forms.aiken.txt", "every-form.gift": "gift-forms.gift"} {
		raw, err := os.ReadFile(filepath.Join("testdata", "interchange", from))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, to), raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f := &fixture{t: t, env: env}
	f.edit(filepath.Join(dir, "graded.quiz.yaml"), "questions:\n", "banks: [xml-forms, aiken-forms, gift-forms]\nquestions:\n")

	rep := env.Import(content, quizzes)
	joined := strings.Join(rep.Warnings, "\n")
	for _, w := range []string{"xml-forms.xml:45: question aht: answer \"Average Handle Time\" is", "gift-forms.gift:32: question aht: answer \"Average Handle Time\" is"} {
		if !strings.Contains(joined, w) {
			t.Errorf("got warnings %q, want one with %q", rep.Warnings, w)
		}
	}
	if s := strings.Join(rep.Skipped, "\n"); strings.Contains(s, "xml-forms.xml:102: cloze") || !strings.Contains(s, "gift-forms.gift:82: essay") {
		t.Errorf("got skipped %q, want the essays and not the cloze", rep.Skipped)
	}
	outcome := func(rep *catalog.Report) string {
		for _, it := range rep.Items {
			if it.Key == "northbank/card-services/graded" {
				return it.Outcome
			}
		}
		return ""
	}
	if got := outcome(rep); got != catalog.OutcomeCreated {
		t.Errorf("first import: got %q, want created", got)
	}
	if got := outcome(env.Import(content, quizzes)); got != catalog.OutcomeUnchanged {
		t.Errorf("re-import of the same files: got %q, want unchanged (ids of repeated questions are stable)", got)
	}

	nb, sb := env.ClientID("northbank"), env.ClientID("southbank")
	env.User("trainer@nb.test", auth.RoleTrainer, nb)
	env.User("trainer@sb.test", auth.RoleTrainer, sb)
	env.User("super@nb.test", auth.RoleSupervisor, nb)
	env.User("admin@x.test", auth.RoleAdmin)
	trainer, other, super, admin := env.Login("trainer@nb.test"), env.Login("trainer@sb.test"), env.Login("super@nb.test"), env.Login("admin@x.test")
	var list struct{ Quizzes []quiz.QuizSummary }
	f.do("GET", "/api/v1/programs/"+env.ProgramID("northbank", "card-services")+"/quizzes", trainer, nil, 200).JSON(t, &list)
	graded := ""
	for _, q := range list.Quizzes {
		if q.Slug == "graded" {
			graded = q.ID
		}
	}

	// The exported quiz imports back as a bank with the same questions.
	for _, tc := range []struct {
		format, file, ctype string
		parse               func(string, []byte) (*quiz.Bank, error)
	}{
		{"gift", "graded.gift", "text/plain; charset=utf-8", quiz.ParseGIFT},
		{"moodle-xml", "graded.xml", "application/xml", quiz.ParseMoodleXML},
	} {
		res := f.do("GET", "/api/v1/quizzes/"+graded+"/export?format="+tc.format, trainer, nil, 200)
		if got := res.Header.Get("Content-Type"); got != tc.ctype {
			t.Errorf("%s: got content type %q, want %q", tc.format, got, tc.ctype)
		}
		if got := res.Header.Get("Content-Disposition"); got != "attachment; filename="+tc.file {
			t.Errorf("%s: got %q, want the attachment %s", tc.format, got, tc.file)
		}
		b, err := tc.parse("northbank/card-services/"+tc.file, res.Body)
		if err != nil {
			t.Fatalf("%s: got error %v importing the export", tc.format, err)
		}
		// graded's own, xml-forms (with its cloze, gapselect, ddwtos and image questions, which GIFT leaves out), aiken-forms, gift-forms
		if want := map[string]int{"gift": 6 + 8 + 3 + 21, "moodle-xml": 6 + 12 + 3 + 21}[tc.format]; len(b.Questions) != want {
			t.Errorf("%s: got %d questions back, want %d", tc.format, len(b.Questions), want)
		}
	}
	res := f.do("GET", "/api/v1/clients/"+nb+"/banks/xml-forms/export", admin, nil, 200)
	b, err := quiz.ParseMoodleXML("northbank/card-services/xml-forms.xml", res.Body)
	if err != nil {
		t.Fatalf("got error %v importing the exported bank", err)
	}
	var ids []string
	for _, q := range b.Questions {
		ids = append(ids, q.ID)
	}
	if want := []string{"ownership", "listening", "check-in", "aht", "fcr", "sla", "metrics", "ownership-2", "cloze", "warning-light", "greeting", "escalate"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("got the bank's ids %v, want %v in the file's order", ids, want)
	}
	// The images come back with the exported bank, embedded again.
	if light := b.Questions[9]; len(light.Files) != 2 || string(light.Files[0].Data) != string(redPNG(t)) {
		t.Errorf("got the files %v of the exported image question, want the red and blue lights with their content", light.Files)
	}

	// A stored version names its files by hash; the bytes are stored once.
	var withData, files int64
	env.DB.Raw(`SELECT count(*) FROM quiz_versions WHERE pool::text LIKE '%"data"%'`).Scan(&withData)
	env.DB.Raw(`SELECT count(*) FROM question_files`).Scan(&files)
	if withData != 0 || files != 2 {
		t.Errorf("got %d versions holding file data and %d stored files, want 0 and 2", withData, files)
	}

	// An image is served at its hash, to anyone who has the address (an
	// <img> carries no token), as an image only.
	red := "805924e65dff89ccbac4046a6995a73622a878f5ff9ec17678b4bc33ca55ea12"
	img := env.Do(apitest.Request{Method: "GET", Path: quiz.FileURL(red)})
	if img.Status != 200 || string(img.Body) != string(redPNG(t)) {
		t.Errorf("got %d with %d bytes, want 200 and the red light", img.Status, len(img.Body))
	}
	for h, want := range map[string]string{"Content-Type": "image/png", "X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'; sandbox"} {
		if got := img.Header.Get(h); got != want {
			t.Errorf("got %s %q, want %q", h, got, want)
		}
	}
	// An agent's attempt shows the images at their addresses, never Moodle's references.
	f.programID, f.trainer = env.ProgramID("northbank", "card-services"), trainer
	_, agent := f.enrolledAgent("agent@nb.test")
	var attempt quiz.AttemptView
	f.do("POST", "/api/v1/quizzes/"+graded+"/attempts", agent, nil, 201).JSON(t, &attempt)
	shown := ""
	for _, q := range attempt.Questions {
		if q.ID == "xml-forms/warning-light" {
			shown = q.Text
			for _, o := range q.Options {
				shown += " " + o.Text
			}
		}
	}
	if !strings.Contains(shown, `src="`+quiz.FileURL(red)+`"`) || strings.Contains(shown, "@@PLUGINFILE@@") {
		t.Errorf("got the image question shown as %q, want its images at their addresses", shown)
	}

	for _, path := range []string{quiz.FileURL(strings.Repeat("0", 64)), quiz.FileURL("not-a-hash")} {
		if res := env.Do(apitest.Request{Method: "GET", Path: path}); res.Status != 404 || res.Code() != "not_found" {
			t.Errorf("%s: got %d %s, want 404 not_found", path, res.Status, res.Body)
		}
	}

	for _, tc := range []struct {
		name, path, token string
		status            int
		code              string
	}{
		{"another client's trainer", "/api/v1/quizzes/" + graded + "/export", other, 404, "not_found"},
		{"another client's bank", "/api/v1/clients/" + nb + "/banks/xml-forms/export", other, 404, "not_found"},
		{"a supervisor", "/api/v1/quizzes/" + graded + "/export", super, 403, "forbidden"},
		{"an unknown format", "/api/v1/quizzes/" + graded + "/export?format=qti", trainer, 400, "invalid"},
		{"an unknown bank", "/api/v1/clients/" + nb + "/banks/nope/export", trainer, 404, "not_found"},
		{"a bank of a quiz-less name", "/api/v1/clients/" + nb + "/banks/Bad Name/export", trainer, 404, "not_found"},
		{"signed out", "/api/v1/quizzes/" + graded + "/export", "", 401, "unauthorized"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := env.Do(apitest.Request{Method: "GET", Path: strings.ReplaceAll(tc.path, " ", "%20"), Token: tc.token})
			if res.Status != tc.status || res.Code() != tc.code {
				t.Errorf("got %d %s, want %d %s", res.Status, res.Body, tc.status, tc.code)
			}
		})
	}
}

// redPNG is the red light of the Moodle XML fixture.
func redPNG(t *testing.T) []byte {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString("iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGM4IScHRAwQCgAfJgQRoo8irwAAAABJRU5ErkJggg==")
	if err != nil {
		t.Fatal(err)
	}
	return raw
}
