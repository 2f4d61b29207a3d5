package catalog

import (
	"slices"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/auth"
)

// MayAuthor is the one rule of who may change training content: it returns
// nil when p may create, edit, draft or publish content owned by clientID
// ("" for core content: the _core modules and scenarios and the shared
// question banks every client certifies against), and forbidden otherwise.
//
//   - admins change everything;
//   - trainers change the content of the clients they are members of, and
//     never core content (a change to it moves every client's agents);
//   - nobody else (compliance, supervisors, agents, API keys) authors.
//
// Every authoring endpoint asks it, after the visibility check that turns
// another client's content into not_found.
func MayAuthor(p *auth.Principal, clientID string) error {
	switch {
	case p == nil || p.IsMachine():
		return apperr.E(apperr.Forbidden, "only trainers and admins author training content")
	case p.Is(auth.RoleAdmin):
		return nil
	case !p.Is(auth.RoleTrainer):
		return apperr.E(apperr.Forbidden, "only trainers and admins author training content")
	case clientID == "":
		return apperr.E(apperr.Forbidden, "core content serves every client: only an admin may change it")
	case !slices.Contains(p.ClientIDs, clientID):
		return apperr.E(apperr.Forbidden, "you are not a trainer of this content's client")
	}
	return nil
}

// mayAuthorModule is MayAuthor for module m.
func mayAuthorModule(p *auth.Principal, m *Module) error {
	if m.ClientID == nil {
		return MayAuthor(p, "")
	}
	return MayAuthor(p, *m.ClientID)
}
