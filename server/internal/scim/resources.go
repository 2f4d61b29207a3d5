package scim

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/auth"
)

// The schema URNs.
const (
	schemaUser       = "urn:ietf:params:scim:schemas:core:2.0:User"
	schemaGroup      = "urn:ietf:params:scim:schemas:core:2.0:Group"
	schemaList       = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	schemaPatch      = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	schemaError      = "urn:ietf:params:scim:api:messages:2.0:Error"
	schemaSPConfig   = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
	schemaResource   = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
	schemaSchema     = "urn:ietf:params:scim:schemas:core:2.0:Schema"
	contentType      = "application/scim+json"
	maxItemsPerPage  = 200
	defaultPageItems = 100
)

type meta struct {
	ResourceType string    `json:"resourceType"`
	Created      time.Time `json:"created"`
	LastModified time.Time `json:"lastModified"`
	Location     string    `json:"location"`
}

type name struct {
	Formatted  string `json:"formatted,omitempty"`
	GivenName  string `json:"givenName,omitempty"`
	FamilyName string `json:"familyName,omitempty"`
}

type email struct {
	Value   string `json:"value"`
	Type    string `json:"type,omitempty"`
	Primary bool   `json:"primary,omitempty"`
}

// userResource is a user as SCIM shows it.
type userResource struct {
	Schemas     []string `json:"schemas"`
	ID          string   `json:"id"`
	ExternalID  string   `json:"externalId,omitempty"`
	UserName    string   `json:"userName"`
	DisplayName string   `json:"displayName,omitempty"`
	Name        *name    `json:"name,omitempty"`
	Active      bool     `json:"active"`
	Emails      []email  `json:"emails"`
	Meta        meta     `json:"meta"`
}

func (h *Handler) user(u *auth.User) userResource {
	r := userResource{Schemas: []string{schemaUser}, ID: u.ID, UserName: u.Email, DisplayName: u.DisplayName, Active: u.Active,
		Emails: []email{{Value: u.Email, Type: "work", Primary: true}},
		Meta:   meta{ResourceType: "User", Created: u.CreatedAt, LastModified: u.UpdatedAt, Location: h.base + "/Users/" + u.ID}}
	if u.SCIMExternalID != nil {
		r.ExternalID = *u.SCIMExternalID
	}
	if u.DisplayName != "" {
		r.Name = &name{Formatted: u.DisplayName}
	}
	return r
}

// userRequest is a user as a provider sends it (POST and PUT).
type userRequest struct {
	Schemas     []string `json:"schemas"`
	UserName    string   `json:"userName"`
	ExternalID  string   `json:"externalId"`
	DisplayName string   `json:"displayName"`
	Name        *name    `json:"name"`
	Active      *bool    `json:"active"`
	Emails      []email  `json:"emails"`
}

// provision reads what Skillgate keeps of a user request.
func (r userRequest) provision() auth.Provision {
	p := auth.Provision{Email: r.UserName, DisplayName: r.DisplayName, ExternalID: r.ExternalID, Active: r.Active == nil || *r.Active}
	if p.DisplayName == "" && r.Name != nil {
		p.DisplayName = r.Name.display()
	}
	return p
}

func (n *name) display() string {
	if n.Formatted != "" {
		return n.Formatted
	}
	return strings.TrimSpace(n.GivenName + " " + n.FamilyName)
}

// groupResource is a group as SCIM shows it.
type groupResource struct {
	Schemas     []string `json:"schemas"`
	ID          string   `json:"id"`
	ExternalID  string   `json:"externalId,omitempty"`
	DisplayName string   `json:"displayName"`
	Members     []member `json:"members"`
	Meta        meta     `json:"meta"`
}

type member struct {
	Value string `json:"value"`
	Ref   string `json:"$ref,omitempty"`
}

func (h *Handler) group(g *auth.Group) groupResource {
	r := groupResource{Schemas: []string{schemaGroup}, ID: g.ID, DisplayName: g.DisplayName, Members: []member{},
		Meta: meta{ResourceType: "Group", Created: g.CreatedAt, LastModified: g.UpdatedAt, Location: h.base + "/Groups/" + g.ID}}
	if g.ExternalID != nil {
		r.ExternalID = *g.ExternalID
	}
	for _, m := range g.Members {
		r.Members = append(r.Members, member{Value: m, Ref: h.base + "/Users/" + m})
	}
	return r
}

type groupRequest struct {
	Schemas     []string `json:"schemas"`
	DisplayName string   `json:"displayName"`
	ExternalID  string   `json:"externalId"`
	Members     []member `json:"members"`
}

func memberIDs(ms []member) []string {
	out := make([]string, 0, len(ms))
	for _, m := range ms {
		out = append(out, m.Value)
	}
	return out
}

type listResponse struct {
	Schemas      []string `json:"schemas"`
	TotalResults int64    `json:"totalResults"`
	StartIndex   int      `json:"startIndex"`
	ItemsPerPage int      `json:"itemsPerPage"`
	Resources    []any    `json:"Resources"`
}

// patchRequest is RFC 7644's PatchOp.
type patchRequest struct {
	Schemas    []string  `json:"schemas"`
	Operations []patchOp `json:"Operations"`
}

type patchOp struct {
	Op    string          `json:"op"`
	Path  string          `json:"path"`
	Value json.RawMessage `json:"value"`
}

// scimError is a refusal in SCIM's format (RFC 7644 §3.12).
type scimError struct {
	status   int
	scimType string
	detail   string
}

func (e *scimError) Error() string {
	return fmt.Sprintf("scim: %d %s: %s", e.status, e.scimType, e.detail)
}

func badRequest(scimType, format string, args ...any) error {
	return &scimError{status: 400, scimType: scimType, detail: fmt.Sprintf(format, args...)}
}

// asBool reads a boolean that Entra ID may send as the string "True".
func asBool(raw json.RawMessage) (bool, error) {
	var b bool
	if err := json.Unmarshal(raw, &b); err == nil {
		return b, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		switch strings.ToLower(s) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
	}
	return false, badRequest("invalidValue", "active must be true or false")
}

func asString(raw json.RawMessage, attr string) (string, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", badRequest("invalidValue", "%s must be a string", attr)
	}
	return s, nil
}

// applyUserPatch applies the operations to p, the user as it stands. It
// understands replace and add (the same for single-valued attributes) of
// active, userName, displayName, externalId and the parts of name, with a
// path or as an object value (Okta's form), and remove of externalId and
// displayName. Emails follow userName and are not patched on their own.
func applyUserPatch(p *auth.Provision, ops []patchOp) error {
	for _, op := range ops {
		kind := strings.ToLower(op.Op)
		if kind != "replace" && kind != "add" && kind != "remove" {
			return badRequest("invalidSyntax", "op must be add, replace or remove, not %q", op.Op)
		}
		if op.Path == "" {
			if kind == "remove" {
				return badRequest("noTarget", "remove needs a path")
			}
			var values map[string]json.RawMessage
			if err := json.Unmarshal(op.Value, &values); err != nil {
				return badRequest("invalidSyntax", "an operation without a path needs an object value")
			}
			for attr, v := range values {
				if err := setUserAttr(p, attr, v); err != nil {
					return err
				}
			}
			continue
		}
		if kind == "remove" {
			switch strings.ToLower(op.Path) {
			case "externalid":
				p.ExternalID = ""
			case "displayname":
				p.DisplayName = ""
			default:
				return badRequest("mutability", "%s cannot be removed", op.Path)
			}
			continue
		}
		if err := setUserAttr(p, op.Path, op.Value); err != nil {
			return err
		}
	}
	return nil
}

func setUserAttr(p *auth.Provision, attr string, v json.RawMessage) error {
	var err error
	switch strings.ToLower(attr) {
	case "active":
		p.Active, err = asBool(v)
	case "username":
		p.Email, err = asString(v, "userName")
	case "displayname", "name.formatted":
		p.DisplayName, err = asString(v, attr)
	case "externalid":
		p.ExternalID, err = asString(v, "externalId")
	case "name":
		var n name
		if json.Unmarshal(v, &n) != nil {
			return badRequest("invalidValue", "name must be an object")
		}
		if d := n.display(); d != "" {
			p.DisplayName = d
		}
	case "name.givenname", "name.familyname", `emails[type eq "work"].value`, "emails", "schemas", "id", "meta":
		// Parts Skillgate keeps no separate copy of, or ignores.
	default:
		return badRequest("invalidPath", "%s is not an attribute Skillgate keeps", attr)
	}
	return err
}

// errorStatus maps a service error to SCIM's status and scimType.
func errorStatus(err error) (int, string) {
	switch apperr.CodeOf(err) {
	case apperr.Invalid:
		return 400, "invalidValue"
	case apperr.NotFound:
		return 404, ""
	case apperr.Conflict:
		return 409, "uniqueness"
	case apperr.Unauthorized:
		return 401, ""
	case apperr.Forbidden:
		return 403, ""
	case apperr.TooManyRequests:
		return 429, ""
	case apperr.Unavailable:
		return 503, ""
	}
	return 500, ""
}
