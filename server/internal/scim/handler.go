// Package scim is SCIM 2.0 provisioning (RFC 7643, RFC 7644) at /scim/v2:
// the identity provider creates, changes and deactivates users and pushes
// groups, which the group map turns into roles and client memberships.
// It speaks SCIM's JSON and errors; auth keeps the users and groups, and
// deactivates through the same path as an admin, so a deprovisioned user's
// sessions end at once.
package scim

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/audit"
	"github.com/skillgate/skillgate/server/internal/auth"
)

// Identity is what provisioning needs of auth.
type Identity interface {
	Authenticate(ctx context.Context, credential string) (*auth.Principal, error)
	LookupProvisioned(ctx context.Context, id string) (*auth.User, error)
	DeleteProvisioned(ctx context.Context, actor audit.Actor, id string) error
	ProvisionUser(ctx context.Context, actor audit.Actor, in auth.Provision) (*auth.User, error)
	ReplaceProvisioned(ctx context.Context, actor audit.Actor, id string, in auth.Provision) (*auth.User, error)
	FindProvisioned(ctx context.Context, by, value string) ([]*auth.User, error)
	ListProvisioned(ctx context.Context, offset, limit int) ([]*auth.User, int64, error)
	CreateGroup(ctx context.Context, actor audit.Actor, in auth.GroupInput) (*auth.Group, error)
	ReplaceGroup(ctx context.Context, actor audit.Actor, id string, in auth.GroupInput) (*auth.Group, error)
	PatchGroup(ctx context.Context, actor audit.Actor, id string, displayName *string, add, remove []string) (*auth.Group, error)
	DeleteGroup(ctx context.Context, actor audit.Actor, id string) error
	GetGroup(ctx context.Context, id string) (*auth.Group, error)
	FindGroups(ctx context.Context, by, value string, offset, limit int) ([]*auth.Group, int64, error)
}

// Handler serves /scim/v2.
type Handler struct {
	ids  Identity
	base string
	log  *slog.Logger
}

// NewHandler returns the handler; base is the absolute URL of /scim/v2,
// for the resources' locations.
func NewHandler(ids Identity, base string, log *slog.Logger) *Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Handler{ids: ids, base: strings.TrimRight(base, "/"), log: log}
}

// Register adds the routes under rg (/scim/v2). The discovery documents
// need no credentials; everything else needs an API key with the
// scim:provision scope.
func (h *Handler) Register(rg *gin.RouterGroup) {
	rg.GET("/ServiceProviderConfig", h.serviceProviderConfig)
	rg.GET("/ResourceTypes", h.resourceTypes)
	rg.GET("/Schemas", h.schemas)
	p := rg.Group("", h.authenticate)
	p.GET("/Users", h.listUsers)
	p.POST("/Users", h.createUser)
	p.GET("/Users/:id", h.getUser)
	p.PUT("/Users/:id", h.replaceUser)
	p.PATCH("/Users/:id", h.patchUser)
	p.DELETE("/Users/:id", h.deleteUser)
	p.GET("/Groups", h.listGroups)
	p.POST("/Groups", h.createGroup)
	p.GET("/Groups/:id", h.getGroup)
	p.PUT("/Groups/:id", h.replaceGroup)
	p.PATCH("/Groups/:id", h.patchGroup)
	p.DELETE("/Groups/:id", h.deleteGroup)
}

// authenticate lets through an API key holding scim:provision.
func (h *Handler) authenticate(c *gin.Context) {
	scheme, cred, _ := strings.Cut(c.GetHeader("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(cred) == "" {
		c.Header("WWW-Authenticate", `Bearer realm="skillgate-scim"`)
		h.fail(c, &scimError{status: 401, detail: "send the provisioning token as Authorization: Bearer <token>"})
		return
	}
	p, err := h.ids.Authenticate(c.Request.Context(), strings.TrimSpace(cred))
	if err != nil {
		c.Header("WWW-Authenticate", `Bearer realm="skillgate-scim"`)
		h.fail(c, err)
		return
	}
	if !p.IsMachine() || !p.HasScope(auth.ScopeSCIMProvision) {
		h.fail(c, &scimError{status: 403, detail: "this needs an API key with the scim:provision scope"})
		return
	}
	c.Set("scim.actor", p.Actor())
	c.Next()
}

func actor(c *gin.Context) audit.Actor { return c.MustGet("scim.actor").(audit.Actor) }

// fail answers err in SCIM's error format and stops the request.
func (h *Handler) fail(c *gin.Context, err error) {
	var se *scimError
	if !errors.As(err, &se) {
		status, scimType := errorStatus(err)
		detail := "internal error"
		var ae *apperr.Error
		if status < 500 && errors.As(err, &ae) {
			detail = ae.Message
			for field, msg := range ae.Fields {
				detail += ": " + field + " " + msg
				break
			}
		}
		if status >= 500 {
			h.log.ErrorContext(c.Request.Context(), "scim request failed", "path", c.FullPath(), "err", err)
		}
		se = &scimError{status: status, scimType: scimType, detail: detail}
	}
	body := gin.H{"schemas": []string{schemaError}, "status": strconv.Itoa(se.status), "detail": se.detail}
	if se.scimType != "" {
		body["scimType"] = se.scimType
	}
	h.write(c, se.status, body)
	c.Abort()
}

func (h *Handler) write(c *gin.Context, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		c.Status(http.StatusInternalServerError)
		return
	}
	c.Data(status, contentType, b)
}

// bind reads a JSON body (application/scim+json or application/json).
func bind(c *gin.Context, v any) error {
	dec := json.NewDecoder(c.Request.Body)
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return badRequest("invalidSyntax", "the body is empty")
		}
		return badRequest("invalidSyntax", "the body is not valid JSON for this resource: %v", err)
	}
	return nil
}

// page reads startIndex (1-based) and count.
func page(c *gin.Context) (offset, limit, start int, err error) {
	start, limit = 1, defaultPageItems
	if v := c.Query("startIndex"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, 0, 0, badRequest("invalidValue", "startIndex must be a whole number")
		}
		start = max(n, 1)
	}
	if v := c.Query("count"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, 0, 0, badRequest("invalidValue", "count must be a whole number")
		}
		limit = min(max(n, 0), maxItemsPerPage)
	}
	return start - 1, limit, start, nil
}

func (h *Handler) listUsers(c *gin.Context) {
	offset, limit, start, err := page(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	var users []*auth.User
	var total int64
	if f := c.Query("filter"); f != "" {
		attr, value, ok := parseFilter(f, "userName", "externalId")
		if !ok {
			h.fail(c, badRequest("invalidFilter", `Skillgate filters users by userName eq "..." or externalId eq "..." only`))
			return
		}
		all, err := h.ids.FindProvisioned(c.Request.Context(), attr, value)
		if err != nil {
			h.fail(c, err)
			return
		}
		total = int64(len(all))
		users = all[min(offset, len(all)):min(offset+limit, len(all))]
	} else if users, total, err = h.ids.ListProvisioned(c.Request.Context(), offset, limit); err != nil {
		h.fail(c, err)
		return
	}
	res := listResponse{Schemas: []string{schemaList}, TotalResults: total, StartIndex: start, ItemsPerPage: len(users), Resources: []any{}}
	for _, u := range users {
		res.Resources = append(res.Resources, h.user(u))
	}
	h.write(c, http.StatusOK, res)
}

func (h *Handler) createUser(c *gin.Context) {
	var req userRequest
	if err := bind(c, &req); err != nil {
		h.fail(c, err)
		return
	}
	u, err := h.ids.ProvisionUser(c.Request.Context(), actor(c), req.provision())
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Header("Location", h.base+"/Users/"+u.ID)
	h.write(c, http.StatusCreated, h.user(u))
}

func (h *Handler) getUser(c *gin.Context) {
	u, err := h.ids.LookupProvisioned(c.Request.Context(), c.Param("id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	h.write(c, http.StatusOK, h.user(u))
}

func (h *Handler) replaceUser(c *gin.Context) {
	var req userRequest
	if err := bind(c, &req); err != nil {
		h.fail(c, err)
		return
	}
	u, err := h.ids.ReplaceProvisioned(c.Request.Context(), actor(c), c.Param("id"), req.provision())
	if err != nil {
		h.fail(c, err)
		return
	}
	h.write(c, http.StatusOK, h.user(u))
}

func (h *Handler) patchUser(c *gin.Context) {
	var req patchRequest
	if err := bind(c, &req); err != nil {
		h.fail(c, err)
		return
	}
	u, err := h.ids.LookupProvisioned(c.Request.Context(), c.Param("id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	p := auth.Provision{Email: u.Email, DisplayName: u.DisplayName, Active: u.Active}
	if u.SCIMExternalID != nil {
		p.ExternalID = *u.SCIMExternalID
	}
	if err := applyUserPatch(&p, req.Operations); err != nil {
		h.fail(c, err)
		return
	}
	if u, err = h.ids.ReplaceProvisioned(c.Request.Context(), actor(c), u.ID, p); err != nil {
		h.fail(c, err)
		return
	}
	h.write(c, http.StatusOK, h.user(u))
}

// deleteUser deactivates: Skillgate never deletes a user, whose history
// stays. The user leaves every group, and from then on SCIM answers 404
// for them (RFC 7644 section 3.6), a re-sent DELETE included; a POST of
// the same userName brings the account back, in no group.
func (h *Handler) deleteUser(c *gin.Context) {
	if err := h.ids.DeleteProvisioned(c.Request.Context(), actor(c), c.Param("id")); err != nil {
		h.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *Handler) listGroups(c *gin.Context) {
	offset, limit, start, err := page(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	attr, value := "", ""
	if f := c.Query("filter"); f != "" {
		var ok bool
		if attr, value, ok = parseFilter(f, "displayName", "externalId"); !ok {
			h.fail(c, badRequest("invalidFilter", `Skillgate filters groups by displayName eq "..." or externalId eq "..." only`))
			return
		}
	}
	groups, total, err := h.ids.FindGroups(c.Request.Context(), attr, value, offset, limit)
	if err != nil {
		h.fail(c, err)
		return
	}
	res := listResponse{Schemas: []string{schemaList}, TotalResults: total, StartIndex: start, ItemsPerPage: len(groups), Resources: []any{}}
	excludeMembers := strings.EqualFold(c.Query("excludedAttributes"), "members")
	for _, g := range groups {
		r := h.group(g)
		if excludeMembers {
			r.Members = nil
		}
		res.Resources = append(res.Resources, r)
	}
	h.write(c, http.StatusOK, res)
}

func (h *Handler) createGroup(c *gin.Context) {
	var req groupRequest
	if err := bind(c, &req); err != nil {
		h.fail(c, err)
		return
	}
	g, err := h.ids.CreateGroup(c.Request.Context(), actor(c), auth.GroupInput{DisplayName: req.DisplayName, ExternalID: req.ExternalID, Members: memberIDs(req.Members)})
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Header("Location", h.base+"/Groups/"+g.ID)
	h.write(c, http.StatusCreated, h.group(g))
}

func (h *Handler) getGroup(c *gin.Context) {
	g, err := h.ids.GetGroup(c.Request.Context(), c.Param("id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	h.write(c, http.StatusOK, h.group(g))
}

func (h *Handler) replaceGroup(c *gin.Context) {
	var req groupRequest
	if err := bind(c, &req); err != nil {
		h.fail(c, err)
		return
	}
	g, err := h.ids.ReplaceGroup(c.Request.Context(), actor(c), c.Param("id"), auth.GroupInput{DisplayName: req.DisplayName, ExternalID: req.ExternalID, Members: memberIDs(req.Members)})
	if err != nil {
		h.fail(c, err)
		return
	}
	h.write(c, http.StatusOK, h.group(g))
}

// patchGroup understands what Okta and Entra ID send: add and remove of
// members (by value list, or Okta's members[value eq "id"] path), replace
// of members (all of them) and of displayName, with a path or as an object.
func (h *Handler) patchGroup(c *gin.Context) {
	var req patchRequest
	if err := bind(c, &req); err != nil {
		h.fail(c, err)
		return
	}
	g, err := h.ids.GetGroup(c.Request.Context(), c.Param("id"))
	if err != nil {
		h.fail(c, err)
		return
	}
	var add, remove []string
	var displayName *string
	for _, op := range req.Operations {
		kind, path := strings.ToLower(op.Op), strings.ToLower(op.Path)
		var ms []member
		switch {
		case path == "members" && (kind == "add" || kind == "remove" || kind == "replace"):
			if len(op.Value) > 0 && json.Unmarshal(op.Value, &ms) != nil {
				h.fail(c, badRequest("invalidValue", "members must be a list of {\"value\": \"<user id>\"}"))
				return
			}
			switch kind {
			case "add":
				add = append(add, memberIDs(ms)...)
			case "remove":
				remove = append(remove, memberIDs(ms)...)
			case "replace":
				remove = append(remove, g.Members...)
				add = append(add, memberIDs(ms)...)
			}
		case kind == "remove" && strings.HasPrefix(path, "members["):
			id, ok := parseMemberPath(op.Path)
			if !ok {
				h.fail(c, badRequest("invalidFilter", `remove one member with members[value eq "<user id>"]`))
				return
			}
			remove = append(remove, id)
		case (kind == "replace" || kind == "add") && path == "displayname":
			s, err := asString(op.Value, "displayName")
			if err != nil {
				h.fail(c, err)
				return
			}
			displayName = &s
		case kind == "replace" && path == "":
			var v struct {
				DisplayName *string  `json:"displayName"`
				Members     []member `json:"members"`
			}
			if json.Unmarshal(op.Value, &v) != nil {
				h.fail(c, badRequest("invalidSyntax", "an operation without a path needs an object value"))
				return
			}
			if v.DisplayName != nil {
				displayName = v.DisplayName
			}
			if v.Members != nil {
				remove = append(remove, g.Members...)
				add = append(add, memberIDs(v.Members)...)
			}
		default:
			h.fail(c, badRequest("invalidPath", "Skillgate cannot %s %q of a group", op.Op, op.Path))
			return
		}
	}
	// A member both removed and added (a replace) stays.
	kept := remove[:0]
	for _, r := range remove {
		if !contains(add, r) {
			kept = append(kept, r)
		}
	}
	if g, err = h.ids.PatchGroup(c.Request.Context(), actor(c), g.ID, displayName, add, kept); err != nil {
		h.fail(c, err)
		return
	}
	h.write(c, http.StatusOK, h.group(g))
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (h *Handler) deleteGroup(c *gin.Context) {
	if err := h.ids.DeleteGroup(c.Request.Context(), actor(c), c.Param("id")); err != nil {
		h.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
