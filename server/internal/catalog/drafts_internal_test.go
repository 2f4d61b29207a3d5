package catalog

import "testing"

func TestChangedSinceNamesFieldsAndLines(t *testing.T) {
	before := "---\nslug: x\ntitle: A\nkind: product\nminutes: 3\n---\n\n# A\n\none\ntwo\nthree\nfour\nfive\nsix\n"
	cases := []struct {
		name, after string
		want        map[string]string
	}{
		{"a line added", before + "seven\n", map[string]string{"body": "changed at line 16"}},
		{"a line removed", "---\nslug: x\ntitle: A\nkind: product\nminutes: 3\n---\n\n# A\n\none\ntwo\nfour\nfive\nsix\n",
			map[string]string{"body": "changed at line 12 (removed lines)"}},
		{"title and two lines", "---\nslug: x\ntitle: B\nkind: product\nminutes: 3\n---\n\n# A\n\nONE\nTWO\nthree\nfour\nfive\nsix\n",
			map[string]string{"title": `now "B" (was "A")`, "body": "changed at lines 10–11"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := changedSince("x", before, tc.after)
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Errorf("%s: got %q, want %q", k, got[k], v)
				}
			}
		})
	}
}
