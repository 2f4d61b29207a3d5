package routing

import (
	"slices"
	"testing"

	"github.com/skillgate/skillgate/server/internal/apperr"
)

// TestSkillsCatalog: the catalog names every program, lists the states its
// licenses cover, and refuses two programs whose slugs make one skill.
func TestSkillsCatalog(t *testing.T) {
	t.Parallel()
	prog := func(id, client, slug string, reqs ...LicenseRequirement) *snapProgram {
		return &snapProgram{program: program{ID: id, Name: slug, ClientID: client, Requirements: reqs}, Slug: slug, ClientSlug: client}
	}
	sn := &snapshot{Programs: []*snapProgram{
		prog("p1", "acme", "card-services"),
		prog("p2", "acme", "sales", LicenseRequirement{Class: "x", States: []string{"TX", "FL"}}, LicenseRequirement{Class: "y", States: []string{"FL", "AZ"}}),
	}}
	cat, byName, err := skills(sn)
	if err != nil {
		t.Fatal(err)
	}
	if cat[0].Skill != "acme__card_services" || len(cat[0].States) != 0 || byName["acme__card_services"].ID != "p1" {
		t.Errorf("got %+v, want acme__card_services for p1 with no states", cat[0])
	}
	if !slices.Equal(cat[1].States, []string{"AZ", "FL", "TX"}) {
		t.Errorf("got states %v, want AZ FL TX once each", cat[1].States)
	}
	// Slugs with "--" can collide: both of these make ab__c__d.
	clash := &snapshot{Programs: []*snapProgram{prog("a", "ab", "c--d"), prog("b", "ab--c", "d")}}
	if _, _, err := skills(clash); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("ab/c--d and ab--c/d: got %v, want conflict", err)
	}
}
