package catalog

import (
	"context"
	"slices"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/auth"
)

// viewer is what the signed-in principal may see of the catalog: every
// client (compliance, admin), or the listed clients and programs.
type viewer struct {
	all        bool
	clientIDs  []string // clients whose programs and modules are visible
	programIDs []string // agents: the programs they are enrolled in (nil for staff)
}

// viewerOf decides visibility for the request's principal. Errors:
// unauthorized (no principal), forbidden (API keys).
func (s *Service) viewerOf(ctx context.Context) (*viewer, error) {
	p := auth.FromContext(ctx)
	switch {
	case p == nil:
		return nil, apperr.E(apperr.Unauthorized, "sign in first")
	case p.IsMachine():
		return nil, apperr.E(apperr.Forbidden, "API keys cannot read training content")
	case p.SeesAllClients():
		return &viewer{all: true}, nil
	case p.Is(auth.RoleTrainer, auth.RoleSupervisor):
		return &viewer{clientIDs: p.ClientIDs}, nil
	}
	v := &viewer{programIDs: []string{}}
	if s.enrollments == nil {
		return v, nil
	}
	ids, err := s.enrollments.ProgramIDsForUser(ctx, p.UserID)
	if err != nil {
		return nil, err
	}
	v.programIDs = ids
	for _, id := range ids {
		prog, err := s.ProgramByID(ctx, id)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(v.clientIDs, prog.ClientID) {
			v.clientIDs = append(v.clientIDs, prog.ClientID)
		}
	}
	return v, nil
}

// seesClient reports whether the viewer sees the client.
func (v *viewer) seesClient(clientID string) bool {
	return v.all || slices.Contains(v.clientIDs, clientID)
}

// ListVisibleClients lists the clients the principal may see. Errors:
// unauthorized, forbidden.
func (s *Service) ListVisibleClients(ctx context.Context) ([]Client, error) {
	v, err := s.viewerOf(ctx)
	if err != nil {
		return nil, err
	}
	all, err := s.ListClients(ctx)
	if err != nil {
		return nil, err
	}
	out := []Client{}
	for _, c := range all {
		if v.seesClient(c.ID) {
			out = append(out, c)
		}
	}
	return out, nil
}

// VisibleClient returns a client the principal may see. A client they may
// not see is not_found, so ids cannot be probed.
func (s *Service) VisibleClient(ctx context.Context, id string) (*Client, error) {
	v, err := s.viewerOf(ctx)
	if err != nil {
		return nil, err
	}
	if !v.seesClient(id) {
		return nil, apperr.NotFoundf("client")
	}
	return s.ClientByID(ctx, id)
}
