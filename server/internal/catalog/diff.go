package catalog

import (
	"fmt"
	"strings"
)

// diffContext is how many unchanged lines surround each change in a hunk.
const diffContext = 3

// maxDiffCells bounds the LCS table (lines × lines after the common prefix
// and suffix are removed); past it the changed middle is shown as replaced
// wholesale, which is still a correct diff.
const maxDiffCells = 4_000_000

type opKind byte

const (
	opEqual  opKind = ' '
	opDelete opKind = '-'
	opInsert opKind = '+'
)

type diffOp struct {
	kind opKind
	line string
}

// splitLines splits s into lines without their line ends.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// diffLines is the shortest edit script from a to b (by longest common
// subsequence), deletions before insertions within a change.
func diffLines(a, b []string) []diffOp {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	ops := make([]diffOp, 0, len(a)+len(b))
	for _, l := range a[:pre] {
		ops = append(ops, diffOp{opEqual, l})
	}
	ops = append(ops, diffMiddle(a[pre:len(a)-suf], b[pre:len(b)-suf])...)
	for _, l := range a[len(a)-suf:] {
		ops = append(ops, diffOp{opEqual, l})
	}
	return ops
}

func diffMiddle(a, b []string) []diffOp {
	var ops []diffOp
	n, m := len(a), len(b)
	if n*m > maxDiffCells {
		for _, l := range a {
			ops = append(ops, diffOp{opDelete, l})
		}
		for _, l := range b {
			ops = append(ops, diffOp{opInsert, l})
		}
		return ops
	}
	// lcs[i][j] is the LCS length of a[i:] and b[j:].
	lcs := make([][]int32, n+1)
	for i := range lcs {
		lcs[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && a[i] == b[j]:
			ops = append(ops, diffOp{opEqual, a[i]})
			i++
			j++
		case j >= m || i < n && lcs[i+1][j] >= lcs[i][j+1]:
			ops = append(ops, diffOp{opDelete, a[i]})
			i++
		default:
			ops = append(ops, diffOp{opInsert, b[j]})
			j++
		}
	}
	return ops
}

// Diff line kinds, as DiffLine.Op.
const (
	LineContext = "context"
	LineAdd     = "add"
	LineDelete  = "del"
)

// DiffLine is one line of a hunk: unchanged context, added or deleted.
// Old and New are its 1-based line numbers on each side (0 where it has none).
type DiffLine struct {
	Op   string `json:"op"`
	Text string `json:"text"`
	Old  int    `json:"old,omitempty"`
	New  int    `json:"new,omitempty"`
}

// DiffHunk is one block of changes with its context, as a "@@ -a,b +c,d @@"
// block of a unified diff: OldStart and NewStart are 1-based (for an empty
// side, the line before it).
type DiffHunk struct {
	OldStart int        `json:"old_start"`
	OldLines int        `json:"old_lines"`
	NewStart int        `json:"new_start"`
	NewLines int        `json:"new_lines"`
	Lines    []DiffLine `json:"lines"`
}

// DiffHunks returns the hunks (three lines of context, as diff -u groups
// them) that turn text a into b; none when they are the same.
func DiffHunks(a, b string) []DiffHunk {
	ops := diffLines(splitLines(a), splitLines(b))
	hunks := []DiffHunk{}
	for start := 0; start < len(ops); {
		// Find the next change, then extend the hunk while changes are
		// within 2*context lines of each other.
		first := start
		for first < len(ops) && ops[first].kind == opEqual {
			first++
		}
		if first == len(ops) {
			break
		}
		lo := max(first-diffContext, start)
		hi := first
		for k := first; k < len(ops); k++ {
			if ops[k].kind != opEqual {
				hi = k + 1
			} else if k-hi >= 2*diffContext {
				break
			}
		}
		hi = min(hi+diffContext, len(ops))
		oldLine, newLine := lineNumbers(ops[:lo])
		h := DiffHunk{Lines: make([]DiffLine, 0, hi-lo)}
		h.OldStart, h.NewStart = oldLine+1, newLine+1
		for _, op := range ops[lo:hi] {
			l := DiffLine{Text: op.line}
			switch op.kind {
			case opInsert:
				newLine++
				l.Op, l.New = LineAdd, newLine
				h.NewLines++
			case opDelete:
				oldLine++
				l.Op, l.Old = LineDelete, oldLine
				h.OldLines++
			default:
				oldLine++
				newLine++
				l.Op, l.Old, l.New = LineContext, oldLine, newLine
				h.OldLines++
				h.NewLines++
			}
			h.Lines = append(h.Lines, l)
		}
		if h.OldLines == 0 {
			h.OldStart--
		}
		if h.NewLines == 0 {
			h.NewStart--
		}
		hunks = append(hunks, h)
		start = hi
	}
	return hunks
}

// UnifiedDiff returns the unified diff (as diff -u prints it, with three
// lines of context) that turns text a, named aName, into b, named bName; ""
// when they are the same. It also returns how many lines were added and
// removed.
func UnifiedDiff(aName, bName, a, b string) (diff string, added, removed int) {
	return formatUnified(aName, bName, DiffHunks(a, b))
}

// formatUnified prints hunks as a unified diff and counts their changes.
func formatUnified(aName, bName string, hunks []DiffHunk) (diff string, added, removed int) {
	if len(hunks) == 0 {
		return "", 0, 0
	}
	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", aName, bName)
	for _, h := range hunks {
		fmt.Fprintf(&out, "@@ -%s +%s @@\n", hunkRange(h.OldStart, h.OldLines), hunkRange(h.NewStart, h.NewLines))
		for _, l := range h.Lines {
			switch l.Op {
			case LineAdd:
				out.WriteByte('+')
				added++
			case LineDelete:
				out.WriteByte('-')
				removed++
			default:
				out.WriteByte(' ')
			}
			out.WriteString(l.Text)
			out.WriteByte('\n')
		}
	}
	return out.String(), added, removed
}

// lineNumbers counts the lines of a and b before ops' end.
func lineNumbers(ops []diffOp) (a, b int) {
	for _, op := range ops {
		if op.kind != opInsert {
			a++
		}
		if op.kind != opDelete {
			b++
		}
	}
	return a, b
}

// hunkRange formats "start,length" the way diff -u does (start is already
// 1-based, or the line before an empty range).
func hunkRange(start, length int) string {
	switch length {
	case 0:
		return fmt.Sprintf("%d,0", start)
	case 1:
		return fmt.Sprintf("%d", start)
	}
	return fmt.Sprintf("%d,%d", start, length)
}
