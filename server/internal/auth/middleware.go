package auth

import (
	"context"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/audit"
	"github.com/skillgate/skillgate/server/internal/db"
	"github.com/skillgate/skillgate/server/internal/httpx"
)

// Middleware authenticates every request of the group it is installed on.
// With no Authorization header it passes the request on without a principal
// (RequireUser then answers 401). With an invalid, expired, revoked or
// oversize credential it answers 401 at once. After the handler, a 403
// answer is audited as auth.denied (actor, method, route), so every
// authorization denial is on the record, whoever decided it.
func (s *Service) Middleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		header := c.Request.Header.Get("Authorization")
		if header != "" {
			p, err := s.authenticateHeader(c.Request.Context(), header)
			if err != nil {
				if apperr.CodeOf(err) == apperr.Unauthorized {
					c.Header("WWW-Authenticate", `Bearer realm="skillgate"`)
				}
				httpx.Error(c, err)
				return
			}
			c.Request = c.Request.WithContext(WithPrincipal(c.Request.Context(), p))
		}
		c.Next()
		if c.Writer.Status() == http.StatusForbidden {
			s.auditDenial(c)
		}
	}
}

// authenticateHeader reads "Bearer <credential>".
func (s *Service) authenticateHeader(ctx context.Context, header string) (*Principal, error) {
	if len(header) > maxCredentialBytes+len("Bearer ") {
		return nil, errBadToken
	}
	scheme, cred, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(cred) == "" {
		return nil, apperr.E(apperr.Unauthorized, "send credentials as Authorization: Bearer <token>")
	}
	return s.Authenticate(ctx, strings.TrimSpace(cred))
}

func (s *Service) auditDenial(c *gin.Context) {
	ctx, cancel := db.Detach(c.Request.Context(), s.cfg.LookupTimeout)
	defer cancel()
	actor := audit.System("anonymous")
	if p := FromContext(ctx); p != nil {
		actor = p.Actor()
	}
	route := c.FullPath()
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return s.recorder.Record(ctx, tx, audit.Entry{
			Actor: actor, Action: "auth.denied", SubjectType: "route", SubjectID: c.Request.Method + " " + route,
			After: map[string]any{"method": c.Request.Method, "route": route, "path": c.Request.URL.Path},
		})
	})
	if err != nil {
		s.cfg.Log.ErrorContext(ctx, "could not audit an authorization denial", "route", route, "err", err)
	}
}

// Current returns the request's principal, or nil when it carries none.
func Current(c *gin.Context) *Principal { return FromContext(c.Request.Context()) }

var (
	errSignIn       = apperr.E(apperr.Unauthorized, "sign in first")
	errNeedsUser    = apperr.E(apperr.Forbidden, "this needs a signed-in user, not an API key")
	errRole         = apperr.E(apperr.Forbidden, "your role may not do this")
	errScope        = apperr.E(apperr.Forbidden, "this API key lacks the scope this needs")
	errNeedsMachine = apperr.E(apperr.Forbidden, "this needs an API key")
)

// RequireUser lets through a signed-in user with one of roles (any role
// when none are listed). It answers 401 unauthorized without a principal and
// 403 forbidden for an API key or a user with another role.
func RequireUser(roles ...Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		p := Current(c)
		switch {
		case p == nil:
			httpx.Error(c, errSignIn)
		case p.IsMachine():
			httpx.Error(c, errNeedsUser)
		case len(roles) > 0 && !p.Is(roles...):
			httpx.Error(c, errRole)
		default:
			c.Next()
		}
	}
}

// RequireScope lets through an API key holding scope. It answers 401
// unauthorized without a principal and 403 forbidden for a user or a key
// without the scope.
func RequireScope(scope string) gin.HandlerFunc {
	return func(c *gin.Context) {
		p := Current(c)
		switch {
		case p == nil:
			httpx.Error(c, errSignIn)
		case !p.IsMachine():
			httpx.Error(c, errNeedsMachine)
		case !p.HasScope(scope):
			httpx.Error(c, errScope)
		default:
			c.Next()
		}
	}
}

// RequireUserOrScope lets through an API key holding scope or a signed-in
// user with one of roles (any role when none are listed): 401 without a
// principal, 403 otherwise.
func RequireUserOrScope(scope string, roles ...Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		p := Current(c)
		switch {
		case p == nil:
			httpx.Error(c, errSignIn)
		case p.IsMachine() && !p.HasScope(scope):
			httpx.Error(c, errScope)
		case !p.IsMachine() && len(roles) > 0 && !p.Is(roles...):
			httpx.Error(c, errRole)
		default:
			c.Next()
		}
	}
}
