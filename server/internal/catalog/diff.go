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

// UnifiedDiff returns the unified diff (as diff -u prints it, with three
// lines of context) that turns text a, named aName, into b, named bName; ""
// when they are the same. It also returns how many lines were added and
// removed.
func UnifiedDiff(aName, bName, a, b string) (diff string, added, removed int) {
	ops := diffLines(splitLines(a), splitLines(b))
	var out strings.Builder
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
		if out.Len() == 0 {
			fmt.Fprintf(&out, "--- %s\n+++ %s\n", aName, bName)
		}
		aStart, bStart := lineNumbers(ops[:lo])
		var aLen, bLen int
		for _, op := range ops[lo:hi] {
			if op.kind != opInsert {
				aLen++
			}
			if op.kind != opDelete {
				bLen++
			}
		}
		fmt.Fprintf(&out, "@@ -%s +%s @@\n", hunkRange(aStart, aLen), hunkRange(bStart, bLen))
		for _, op := range ops[lo:hi] {
			out.WriteByte(byte(op.kind))
			out.WriteString(op.line)
			out.WriteByte('\n')
			switch op.kind {
			case opInsert:
				added++
			case opDelete:
				removed++
			}
		}
		start = hi
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

// hunkRange formats "start,length" the way diff -u does: 1-based, and for
// an empty range the line before it.
func hunkRange(before, length int) string {
	switch length {
	case 0:
		return fmt.Sprintf("%d,0", before)
	case 1:
		return fmt.Sprintf("%d", before+1)
	}
	return fmt.Sprintf("%d,%d", before+1, length)
}
