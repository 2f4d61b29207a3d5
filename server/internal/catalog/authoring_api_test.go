package catalog_test

import (
	"fmt"
	"testing"

	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/catalog"
)

// authoringCall is one authoring endpoint called on one piece of content:
// it sends the request as who (n makes the text unique) and returns the status.
type authoringCall struct {
	name string
	send func(t *testing.T, d *demo, who string, n int) int
}

// authoringCalls are every authoring endpoint on module id; they succeed
// with a 2xx for whoever may author it.
func authoringCalls(id string) []authoringCall {
	edited := func(t *testing.T, d *demo, n int) string {
		var cur catalog.ModuleRead
		d.mustDo(t, "GET", "/api/v1/modules/"+id, "admin", nil, 200).JSON(t, &cur)
		return changeLine.ReplaceAllString(cur.Source, "") + fmt.Sprintf("\nReviewed, pass %d.\n", n)
	}
	return []authoringCall{
		{"publish a version", func(t *testing.T, d *demo, who string, n int) int {
			return d.do("POST", "/api/v1/modules/"+id+"/versions", who, map[string]string{"markdown": edited(t, d, n), "change": "material"}, nil).Status
		}},
		{"preview the module file", func(t *testing.T, d *demo, who string, n int) int {
			return d.do("POST", "/api/v1/preview", who, map[string]string{"markdown": edited(t, d, n), "module_id": id}, nil).Status
		}},
	}
}

// TestWhoMayAuthor is MayAuthor's table through the real router: admins
// author everything; trainers the content of their own clients and never
// core content; another client's content is not even visible (404).
func TestWhoMayAuthor(t *testing.T) {
	t.Parallel()
	d := newDemo(t)
	d.env.User("volt-trainer@x.test", auth.RoleTrainer, d.env.ClientID("voltcrate"))
	d.tok["voltTrainer"] = d.env.Login("volt-trainer@x.test")
	d.env.User("lone-trainer@x.test", auth.RoleTrainer)
	d.tok["loneTrainer"] = d.env.Login("lone-trainer@x.test")

	type want struct{ core, client int } // client: a fenmore-bank module
	cases := []struct {
		who  string
		want want
	}{
		{"admin", want{201, 201}},
		{"trainer", want{403, 201}}, // a trainer of fenmore-bank
		{"voltTrainer", want{403, 404}},
		{"loneTrainer", want{403, 404}},
		{"supervisor", want{403, 403}},
		{"compliance", want{403, 403}},
		{"agent", want{403, 403}},
		{"machine", want{403, 403}},
	}
	n := 0
	for _, tc := range cases {
		for _, content := range []struct {
			name string
			id   string
			want int
		}{{"core", d.mod["core"], tc.want.core}, {"client", d.mod["cardProducts"], tc.want.client}} {
			for _, call := range authoringCalls(content.id) {
				t.Run(tc.who+"/"+content.name+"/"+call.name, func(t *testing.T) {
					n++
					got := call.send(t, d, tc.who, n)
					want := content.want
					if want == 201 && call.name != "publish a version" {
						want = 200
					}
					if got != want {
						t.Errorf("got %d, want %d", got, want)
					}
				})
			}
		}
	}
	// Only the admin's versions of the core module were made: the refused
	// ones made no version.
	var versions struct{ Versions []catalog.VersionSummary }
	d.mustDo(t, "GET", "/api/v1/modules/"+d.mod["core"]+"/versions", "admin", nil, 200).JSON(t, &versions)
	if len(versions.Versions) != 2 || versions.Versions[0].PublishedBy == "" {
		t.Errorf("got %d versions of the core module, want 2 (the import's and the admin's)", len(versions.Versions))
	}
}
