package catalog

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/skillgate/skillgate/server/internal/apperr"
)

// The revisions of drafts, shared by module drafts here and the library's
// drafts of every other file: a draft's ETag names its id and revision, a
// write sends the ETag it edited as If-Match, and a write based on an older
// revision is refused with what changed since.

// ErrNoIfMatch is a write to a draft without If-Match: precondition_required.
var ErrNoIfMatch = apperr.E(apperr.PreconditionRequired, "send If-Match with the ETag of the draft you edited, so nobody's save is overwritten")

// DraftETag is the ETag of revision rev of draft id.
func DraftETag(id string, rev int) string { return `"` + id + "." + strconv.Itoa(rev) + `"` }

// DraftBase reads the revision a write to draft id (now at revision
// current) was based on out of its If-Match value. Errors:
// precondition_required when ifMatch is missing, invalid (naming If-Match)
// when it is not an ETag of this draft's revisions.
func DraftBase(id string, current int, ifMatch string) (int, error) {
	if strings.TrimSpace(ifMatch) == "" {
		return 0, ErrNoIfMatch
	}
	rev := parseDraftETag(id, ifMatch)
	if rev == 0 || rev > current {
		return 0, apperr.Invalidf("If-Match", "%s is not an ETag of this draft (its current one is %s)", ifMatch, DraftETag(id, current))
	}
	return rev, nil
}

// parseDraftETag reads the revision out of an If-Match value for draft id;
// 0 when it names another draft or is malformed.
func parseDraftETag(id, tag string) int {
	tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
	rest, ok := strings.CutPrefix(strings.Trim(tag, `"`), id+".")
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(rest)
	if err != nil || n < 1 {
		return 0
	}
	return n
}

// DraftConflict is the conflict for a write based on revision rev of a
// draft that was saved since as revision current at savedAt; changed names
// what differs (a field or a file line → how), and becomes the error's
// fields with If-Match saying which revisions.
func DraftConflict(rev, current int, savedAt time.Time, changed map[string]string) error {
	what := make([]string, 0, len(changed))
	fields := make(map[string]string, len(changed)+1)
	for k, v := range changed {
		what = append(what, k)
		fields[k] = v
	}
	slices.Sort(what)
	fields["If-Match"] = fmt.Sprintf("you edited revision %d; revision %d was saved at %s", rev, current, savedAt.Format("2006-01-02 15:04:05 MST"))
	msg := fmt.Sprintf("the draft was saved by someone else since you opened it (revision %d, you edited %d)", current, rev)
	if len(what) > 0 {
		msg += ": changed " + strings.Join(what, ", ")
	}
	return &apperr.Error{Code: apperr.Conflict, Message: msg + "; reload it and apply your edit again", Fields: fields}
}

// Span says where hunk h changed the newer text: its first and last added
// lines, or (first == 0) where text was only taken out.
func (h DiffHunk) Span() (first, last, removedAt int) {
	before := h.NewStart - 1
	for _, l := range h.Lines {
		switch l.Op {
		case LineContext:
			if first == 0 && removedAt == 0 {
				before = l.New
			}
		case LineAdd:
			if first == 0 {
				first = l.New
			}
			last = l.New
		case LineDelete:
			if removedAt == 0 {
				removedAt = before + 1
			}
		}
	}
	return first, last, removedAt
}

// Where names where hunk h changed the newer text, as file lines (offset:
// the file line before the text diffed): "line 9", "lines 9–12", or
// "line 9 (removed lines)" where text was only taken out.
func (h DiffHunk) Where(offset int) string {
	first, last, removedAt := h.Span()
	switch {
	case first == 0:
		return fmt.Sprintf("line %d (removed lines)", removedAt+offset)
	case first == last:
		return fmt.Sprintf("line %d", first+offset)
	}
	return fmt.Sprintf("lines %d–%d", first+offset, last+offset)
}
