package catalog

import (
	"context"
	"slices"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/changefeed"
)

// viewer is what the signed-in principal may see of the catalog. It is the
// one place visibility is decided; every read, search and progress call
// asks it:
//
//   - compliance, admin: everything;
//   - trainers, supervisors: the clients they are members of, with their
//     programs and modules, plus every core module;
//   - agents: the programs they are enrolled in, the modules those programs
//     list (not the rest of that client's modules) and every core module;
//     the clients of those programs;
//   - API keys: nothing (forbidden).
type viewer struct {
	all        bool
	agent      bool
	clientIDs  []string // staff: clients whose programs and modules are visible; agents: clients of their programs
	programIDs []string // agents: the programs they are enrolled in
	moduleIDs  []string // agents: the modules those programs list
}

// viewerOf decides visibility for the request's principal. Errors:
// unauthorized (no principal), forbidden (API keys).
func (s *Service) viewerOf(ctx context.Context) (*viewer, error) {
	programIDs, err := s.agentPrograms(ctx)
	if err != nil {
		return nil, err
	}
	v, err := s.viewerBase(ctx, programIDs)
	if err != nil || !v.agent || len(programIDs) == 0 {
		return v, err
	}
	if v.clientIDs, v.moduleIDs, err = s.ProgramScope(ctx, programIDs); err != nil {
		return nil, err
	}
	return v, nil
}

// agentPrograms returns the programs the principal is enrolled in when it
// is an agent (nil for anyone else), from the readers' cache when it holds
// them (at most changefeed.MaxLag old; callers never change the slice).
func (s *Service) agentPrograms(ctx context.Context) ([]string, error) {
	p := auth.FromContext(ctx)
	if p == nil || p.IsMachine() || p.SeesAllClients() || p.Is(auth.RoleTrainer, auth.RoleSupervisor) || s.enrollments == nil {
		return nil, nil
	}
	if ids, ok := s.enrolled.Get(p.UserID, s.clock.Now()); ok {
		return ids, nil
	}
	gen := s.enrolled.Begin()
	ids, err := s.enrollments.ProgramIDsForUser(ctx, p.UserID)
	if err != nil {
		return nil, err
	}
	s.enrolled.Put(p.UserID, ids, changefeed.User(p.UserID), gen)
	return ids, nil
}

// viewerBase is the principal's viewer before an agent's scope is read:
// an agent's carries programIDs and no clients or modules yet. Errors:
// unauthorized, forbidden.
func (s *Service) viewerBase(ctx context.Context, programIDs []string) (*viewer, error) {
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
	if programIDs == nil {
		programIDs = []string{}
	}
	return &viewer{agent: true, clientIDs: []string{}, programIDs: programIDs, moduleIDs: []string{}}, nil
}

// seesClient reports whether the viewer sees the client.
func (v *viewer) seesClient(clientID string) bool {
	return v.all || slices.Contains(v.clientIDs, clientID)
}

// seesProgram reports whether the viewer sees the program and its requirements.
func (v *viewer) seesProgram(p *Program) bool {
	if v.agent {
		return slices.Contains(v.programIDs, p.ID)
	}
	return v.seesClient(p.ClientID)
}

// seesModule reports whether the viewer may read the module.
func (v *viewer) seesModule(m *Module) bool {
	switch {
	case v.all || m.IsCore():
		return true
	case v.agent:
		return slices.Contains(v.moduleIDs, m.ID)
	}
	return v.seesClient(*m.ClientID)
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

// ListVisiblePrograms lists the programs the principal may see, by client
// and name; clientID, when not empty, keeps only that client's. Errors:
// unauthorized, forbidden.
func (s *Service) ListVisiblePrograms(ctx context.Context, clientID string) ([]Program, error) {
	v, err := s.viewerOf(ctx)
	if err != nil {
		return nil, err
	}
	all, err := s.ListAllPrograms(ctx)
	if err != nil {
		return nil, err
	}
	out := []Program{}
	for _, p := range all {
		if v.seesProgram(&p) && (clientID == "" || p.ClientID == clientID) {
			out = append(out, p)
		}
	}
	return out, nil
}

// visibleProgram returns the program when the viewer sees it, else not_found.
func (s *Service) visibleProgram(ctx context.Context, v *viewer, id string) (*Program, error) {
	p, err := s.ProgramByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !v.seesProgram(p) {
		return nil, apperr.NotFoundf("program")
	}
	return p, nil
}

// visibleModule returns the module when the viewer sees it, else not_found.
func (s *Service) visibleModule(ctx context.Context, v *viewer, id string) (*Module, error) {
	m, err := s.ModuleByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !v.seesModule(m) {
		return nil, apperr.NotFoundf("module")
	}
	return m, nil
}

// visibleModuleIDs lists the ids of every module the viewer may read.
func (s *Service) visibleModuleIDs(ctx context.Context, v *viewer) ([]string, error) {
	all, err := s.ListModules(ctx)
	if err != nil {
		return nil, err
	}
	ids := []string{}
	for _, m := range all {
		if v.seesModule(&m) {
			ids = append(ids, m.ID)
		}
	}
	return ids, nil
}
