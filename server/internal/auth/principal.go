// Package auth is identity and access: users, roles, client memberships,
// passwords, access and refresh tokens, API keys, and the Gin middleware
// that authenticates a request and the helpers that authorize it.
package auth

import (
	"context"
	"slices"

	"github.com/skillgate/skillgate/server/internal/audit"
)

// Role is what a person does in Skillgate.
type Role string

// The roles.
const (
	RoleAgent      Role = "agent"
	RoleTrainer    Role = "trainer"
	RoleSupervisor Role = "supervisor"
	RoleCompliance Role = "compliance"
	RoleAdmin      Role = "admin"
)

// Roles lists every role.
var Roles = []Role{RoleAgent, RoleTrainer, RoleSupervisor, RoleCompliance, RoleAdmin}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// API key scopes.
const (
	ScopeEligibilityRead = "eligibility:read"
	ScopeWebhooksManage  = "webhooks:manage"
)

// Principal is who is making a request: a signed-in user or a machine
// holding an API key.
type Principal struct {
	UserID string // set for users
	Email  string
	Role   Role // users only
	// ClientIDs are the clients a trainer, supervisor or agent belongs to.
	// Compliance and admin act on every client regardless.
	ClientIDs []string

	// SessionID is the sign-in session of a user's access token.
	SessionID string

	APIKeyID string   // set for machines
	Scopes   []string // API key scopes
}

// IsMachine reports whether the principal is an API key.
func (p *Principal) IsMachine() bool { return p.APIKeyID != "" }

// Is reports whether the principal is a user with one of the roles.
func (p *Principal) Is(roles ...Role) bool {
	return !p.IsMachine() && slices.Contains(roles, p.Role)
}

// SeesAllClients reports whether the principal acts on every client
// (compliance and admin).
func (p *Principal) SeesAllClients() bool { return p.Is(RoleCompliance, RoleAdmin) }

// MemberOf reports whether the principal may act on the client's data:
// compliance and admin always, others only for their memberships.
func (p *Principal) MemberOf(clientID string) bool {
	return p.SeesAllClients() || (!p.IsMachine() && slices.Contains(p.ClientIDs, clientID))
}

// HasScope reports whether an API key principal holds the scope.
func (p *Principal) HasScope(scope string) bool {
	return p.IsMachine() && slices.Contains(p.Scopes, scope)
}

// Actor is the principal as an audit actor.
func (p *Principal) Actor() audit.Actor {
	if p.IsMachine() {
		return audit.Actor{Kind: audit.ActorAPIKey, ID: p.APIKeyID}
	}
	return audit.Actor{Kind: audit.ActorUser, ID: p.UserID}
}

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the request's principal, or nil when unauthenticated.
func FromContext(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}
