package catalog_test

import (
	"fmt"
	"testing"

	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/catalog"
)

// authoringCall is one authoring endpoint called on one piece of content:
// send makes the request as who (n makes texts unique) and returns the
// status; ok is the status of a permitted call.
type authoringCall struct {
	name string
	ok   int
	send func(t *testing.T, d *demo, who string, n int) int
}

// content is one piece of content the table is run on: a module, and how
// to start a new module beside it.
type content struct {
	name     string
	moduleID string
	newOne   map[string]any // the body of POST /module-drafts for a new module there
}

// adminDraft returns the module's draft (started by the admin), saved with
// a text unique to n, and its ETag.
func adminDraft(t *testing.T, d *demo, moduleID string, n int) (id, etag string) {
	t.Helper()
	var dr catalog.DraftView
	res := d.do("POST", "/api/v1/module-drafts", "admin", map[string]any{"module_id": moduleID}, nil)
	if res.Status != 200 && res.Status != 201 {
		t.Fatalf("admin starts a draft: got %d %s", res.Status, res.Body)
	}
	res.JSON(t, &dr)
	res = d.do("PUT", "/api/v1/module-drafts/"+dr.ID, "admin", map[string]string{"markdown": dr.Source + fmt.Sprintf("\nDrafted, pass %d.\n", n)},
		map[string]string{"If-Match": res.Header.Get("ETag")})
	if res.Status != 200 {
		t.Fatalf("admin saves the draft: got %d %s", res.Status, res.Body)
	}
	return dr.ID, res.Header.Get("ETag")
}

// authoringCalls are every authoring endpoint on c.
func authoringCalls(c content) []authoringCall {
	id := c.moduleID
	edited := func(t *testing.T, d *demo, n int) string {
		var cur catalog.ModuleRead
		d.mustDo(t, "GET", "/api/v1/modules/"+id, "admin", nil, 200).JSON(t, &cur)
		return changeLine.ReplaceAllString(cur.Source, "") + fmt.Sprintf("\nReviewed, pass %d.\n", n)
	}
	return []authoringCall{
		{"publish a version", 201, func(t *testing.T, d *demo, who string, n int) int {
			return d.do("POST", "/api/v1/modules/"+id+"/versions", who, map[string]string{"markdown": edited(t, d, n), "change": "material"}, nil).Status
		}},
		{"preview the module file", 200, func(t *testing.T, d *demo, who string, n int) int {
			return d.do("POST", "/api/v1/preview", who, map[string]string{"markdown": edited(t, d, n), "module_id": id}, nil).Status
		}},
		{"start a draft of the module", 200, func(t *testing.T, d *demo, who string, n int) int {
			st := d.do("POST", "/api/v1/module-drafts", who, map[string]any{"module_id": id}, nil).Status
			if st == 201 {
				return 200
			}
			return st
		}},
		{"start a new module", 201, func(t *testing.T, d *demo, who string, n int) int {
			body := map[string]any{"slug": fmt.Sprintf("new-module-%d", n)}
			for k, v := range c.newOne {
				body[k] = v
			}
			return d.do("POST", "/api/v1/module-drafts", who, body, nil).Status
		}},
		{"read the draft", 200, func(t *testing.T, d *demo, who string, n int) int {
			dr, _ := adminDraft(t, d, id, n)
			return d.do("GET", "/api/v1/module-drafts/"+dr, who, nil, nil).Status
		}},
		{"diff the draft", 200, func(t *testing.T, d *demo, who string, n int) int {
			dr, _ := adminDraft(t, d, id, n)
			return d.do("GET", "/api/v1/module-drafts/"+dr+"/diff", who, nil, nil).Status
		}},
		{"save the draft", 200, func(t *testing.T, d *demo, who string, n int) int {
			dr, etag := adminDraft(t, d, id, n)
			return d.do("PUT", "/api/v1/module-drafts/"+dr, who, map[string]string{"markdown": edited(t, d, n)}, map[string]string{"If-Match": etag}).Status
		}},
		{"publish the draft", 201, func(t *testing.T, d *demo, who string, n int) int {
			dr, etag := adminDraft(t, d, id, n)
			return d.do("POST", "/api/v1/module-drafts/"+dr+"/publish", who, map[string]string{"change": "minor"}, map[string]string{"If-Match": etag}).Status
		}},
		{"discard the draft", 204, func(t *testing.T, d *demo, who string, n int) int {
			dr, _ := adminDraft(t, d, id, n)
			return d.do("DELETE", "/api/v1/module-drafts/"+dr, who, nil, nil).Status
		}},
	}
}

// TestWhoMayAuthor is MayAuthor's table through the real router, on every
// authoring endpoint: admins author everything; trainers the content of
// their own clients and never core content; another client's content is
// not even visible (404); nobody else authors (403).
func TestWhoMayAuthor(t *testing.T) {
	t.Parallel()
	d := newDemo(t)
	d.env.User("volt-trainer@x.test", auth.RoleTrainer, d.env.ClientID("voltcrate"))
	d.tok["voltTrainer"] = d.env.Login("volt-trainer@x.test")
	d.env.User("lone-trainer@x.test", auth.RoleTrainer)
	d.tok["loneTrainer"] = d.env.Login("lone-trainer@x.test")
	core := content{"core", d.mod["core"], map[string]any{"core": true}}
	client := content{"client", d.mod["cardProducts"], map[string]any{"program_id": d.prog["cards"]}} // fenmore-bank's

	type want struct{ core, client int } // 0: allowed
	cases := []struct {
		who  string
		want want
	}{
		{"admin", want{0, 0}},
		{"trainer", want{403, 0}}, // a trainer of fenmore-bank
		{"voltTrainer", want{403, 404}},
		{"loneTrainer", want{403, 404}},
		{"supervisor", want{403, 403}},
		{"compliance", want{403, 403}},
		{"agent", want{403, 403}},
		{"machine", want{403, 403}},
	}
	n := 0
	for _, tc := range cases {
		for _, c := range []content{core, client} {
			for _, call := range authoringCalls(c) {
				t.Run(tc.who+"/"+c.name+"/"+call.name, func(t *testing.T) {
					n++
					want := tc.want.core
					if c.name == "client" {
						want = tc.want.client
					}
					if want == 0 {
						want = call.ok
					}
					if got := call.send(t, d, tc.who, n); got != want {
						t.Errorf("got %d, want %d", got, want)
					}
				})
			}
		}
	}
	// Only the admin's versions of the core module were made (a publish
	// and a draft's publish): the refused ones made none.
	var versions struct{ Versions []catalog.VersionSummary }
	d.mustDo(t, "GET", "/api/v1/modules/"+d.mod["core"]+"/versions", "admin", nil, 200).JSON(t, &versions)
	if len(versions.Versions) != 3 {
		t.Errorf("got %d versions of the core module, want 3 (the import's and the admin's two)", len(versions.Versions))
	}
}
