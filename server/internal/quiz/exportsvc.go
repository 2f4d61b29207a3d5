package quiz

import (
	"context"
	"regexp"
	"sort"

	"github.com/google/uuid"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/auth"
)

// ExportFile is questions written in an interchange format, ready to
// download.
type ExportFile struct {
	Name        string // the suggested file name: <slug><.xml|.gift>
	ContentType string
	Data        []byte
}

func (s *Service) exportFile(ctx context.Context, name, format string, qs []Question) (*ExportFile, error) {
	qs, err := s.store.LoadFileData(ctx, qs)
	if err != nil {
		return nil, err
	}
	data, ext, err := Export(format, qs)
	if err != nil {
		return nil, err
	}
	ctype := "text/plain; charset=utf-8"
	if format == ExportMoodleXML {
		ctype = "application/xml"
	}
	return &ExportFile{Name: name + ext, ContentType: ctype, Data: data}, nil
}

// exporter checks that the signed-in user may export the client's
// questions: the client's trainers and admins. Trainers of other clients
// get not_found (ids cannot be probed); other roles forbidden.
func exporter(ctx context.Context, clientID string) error {
	p, err := principal(ctx)
	if err != nil {
		return err
	}
	switch {
	case p.Is(auth.RoleAdmin), p.Is(auth.RoleTrainer) && p.MemberOf(clientID):
		return nil
	case p.Is(auth.RoleTrainer):
		return apperr.NotFoundf("quiz")
	}
	return apperr.E(apperr.Forbidden, "only the client's trainers and admins export questions")
}

// ExportQuiz writes the questions of the quiz's current version (its
// inline questions and the bank questions it draws) in format
// (ExportMoodleXML or ExportGIFT). Errors: unauthorized, forbidden,
// not_found, invalid (the format).
func (s *Service) ExportQuiz(ctx context.Context, quizID, format string) (*ExportFile, error) {
	if uuid.Validate(quizID) != nil {
		return nil, apperr.NotFoundf("quiz")
	}
	if err := checkExportFormat(format); err != nil {
		return nil, err
	}
	q, err := s.store.QuizByID(ctx, quizID)
	if err != nil {
		return nil, err
	}
	if err := exporter(ctx, q.ClientID); err != nil {
		return nil, err
	}
	v, err := s.store.CurrentVersion(ctx, q)
	if err != nil {
		return nil, err
	}
	return s.exportFile(ctx, q.Slug, format, v.Pool)
}

// ExportBank writes a question bank of the client in format: every
// question of the bank that the current version of one of the client's
// quizzes holds, in the order of the bank's file. A bank no quiz draws
// from is not imported, so it is not found. Errors: unauthorized,
// forbidden, not_found, invalid (the format).
func (s *Service) ExportBank(ctx context.Context, clientID, bank, format string) (*ExportFile, error) {
	if uuid.Validate(clientID) != nil || !slugRe.MatchString(bank) {
		return nil, apperr.NotFoundf("bank")
	}
	if err := checkExportFormat(format); err != nil {
		return nil, err
	}
	if err := exporter(ctx, clientID); err != nil {
		return nil, err
	}
	vs, err := s.store.CurrentVersionsOfClient(ctx, clientID)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var qs []Question
	for _, v := range vs {
		for _, q := range v.Pool {
			if q.Bank == bank && !seen[q.ID] {
				seen[q.ID] = true
				qs = append(qs, q)
			}
		}
	}
	if len(qs) == 0 {
		return nil, apperr.NotFoundf("bank")
	}
	sort.SliceStable(qs, func(i, j int) bool {
		_, a := splitSource(qs[i].Source)
		_, b := splitSource(qs[j].Source)
		return a < b
	})
	return s.exportFile(ctx, bank, format, qs)
}

var shaRe = regexp.MustCompile(`^[0-9a-f]{64}$`)

// QuestionFile returns a question's image by the SHA-256 of its content
// (the address FileURL gives it). It asks for no sign-in: an <img> carries
// no API token, and the address is known only to those shown the question.
// Errors: not_found.
func (s *Service) QuestionFile(ctx context.Context, sha string) (*QuestionFile, error) {
	if !shaRe.MatchString(sha) {
		return nil, apperr.NotFoundf("question file")
	}
	return s.store.FileByHash(ctx, sha)
}
