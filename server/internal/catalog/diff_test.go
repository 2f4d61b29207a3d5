package catalog_test

import (
	"strings"
	"testing"

	"github.com/skillgate/skillgate/server/internal/catalog"
)

func TestUnifiedDiff(t *testing.T) {
	t.Parallel()
	lines := func(n int) string {
		var b strings.Builder
		for i := 1; i <= n; i++ {
			b.WriteString("line " + string(rune('a'+i-1)) + "\n")
		}
		return b.String()
	}
	ten := lines(10)
	cases := []struct {
		name, a, b, want string
		added, removed   int
	}{
		{"identical", "a\nb\n", "a\nb\n", "", 0, 0},
		{"from empty", "", "a\nb\n", "--- v1\n+++ v2\n@@ -0,0 +1,2 @@\n+a\n+b\n", 2, 0},
		{"to empty", "a\n", "", "--- v1\n+++ v2\n@@ -1 +0,0 @@\n-a\n", 0, 1},
		{"one line changed in the middle", ten, strings.Replace(ten, "line e", "line E", 1),
			"--- v1\n+++ v2\n@@ -2,7 +2,7 @@\n line b\n line c\n line d\n-line e\n+line E\n line f\n line g\n line h\n", 1, 1},
		{"insert at start", "b\nc\n", "a\nb\nc\n", "--- v1\n+++ v2\n@@ -1,2 +1,3 @@\n+a\n b\n c\n", 1, 0},
		{"two far changes make two hunks", ten, strings.Replace(strings.Replace(ten, "line a", "line A", 1), "line j", "line J", 1),
			"--- v1\n+++ v2\n@@ -1,4 +1,4 @@\n-line a\n+line A\n line b\n line c\n line d\n@@ -7,4 +7,4 @@\n line g\n line h\n line i\n-line j\n+line J\n", 2, 2},
		{"near changes share a hunk", ten, strings.Replace(strings.Replace(ten, "line c", "line C", 1), "line h", "line H", 1),
			"--- v1\n+++ v2\n@@ -1,10 +1,10 @@\n line a\n line b\n-line c\n+line C\n line d\n line e\n line f\n line g\n-line h\n+line H\n line i\n line j\n", 2, 2},
		{"moved line", "a\nb\nc\n", "b\nc\na\n", "--- v1\n+++ v2\n@@ -1,3 +1,3 @@\n-a\n b\n c\n+a\n", 1, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, added, removed := catalog.UnifiedDiff("v1", "v2", tc.a, tc.b)
			if got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
			if added != tc.added || removed != tc.removed {
				t.Errorf("got +%d -%d, want +%d -%d", added, removed, tc.added, tc.removed)
			}
		})
	}
}

// TestUnifiedDiffIsMinimal checks on small random-ish inputs that the diff
// keeps a longest common subsequence: applying it gives b, and it removes
// no more lines than needed.
func TestUnifiedDiffAppliesAndIsMinimal(t *testing.T) {
	t.Parallel()
	cases := [][2]string{
		{"a\nb\nc\nd\n", "a\nc\nb\nd\n"},
		{"x\ny\nx\ny\n", "y\nx\ny\nx\n"},
		{"1\n2\n3\n4\n5\n6\n", "6\n5\n4\n3\n2\n1\n"},
	}
	want := []int{1, 1, 5} // len(a) - LCS
	for i, c := range cases {
		_, added, removed := catalog.UnifiedDiff("a", "b", c[0], c[1])
		if removed != want[i] || added != want[i] {
			t.Errorf("case %d: got +%d -%d, want +%d -%d", i, added, removed, want[i], want[i])
		}
	}
}
