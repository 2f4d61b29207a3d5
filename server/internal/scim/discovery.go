package scim

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// What Skillgate supports, as RFC 7643 §5 describes it: PATCH and filters
// (userName, externalId and displayName with eq), no bulk, no sort, no
// ETags, no password changes; bearer tokens.
func (h *Handler) serviceProviderConfig(c *gin.Context) {
	h.write(c, http.StatusOK, gin.H{
		"schemas":        []string{schemaSPConfig},
		"patch":          gin.H{"supported": true},
		"bulk":           gin.H{"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
		"filter":         gin.H{"supported": true, "maxResults": maxItemsPerPage},
		"changePassword": gin.H{"supported": false},
		"sort":           gin.H{"supported": false},
		"etag":           gin.H{"supported": false},
		"authenticationSchemes": []gin.H{{
			"type": "oauthbearertoken", "name": "Bearer token", "primary": true,
			"description": "An API key with the scim:provision scope, sent as Authorization: Bearer sk_...",
		}},
		"meta": gin.H{"resourceType": "ServiceProviderConfig", "location": h.base + "/ServiceProviderConfig"},
	})
}

func (h *Handler) resourceTypes(c *gin.Context) {
	types := []gin.H{
		{"schemas": []string{schemaResource}, "id": "User", "name": "User", "endpoint": "/Users", "schema": schemaUser,
			"meta": gin.H{"resourceType": "ResourceType", "location": h.base + "/ResourceTypes/User"}},
		{"schemas": []string{schemaResource}, "id": "Group", "name": "Group", "endpoint": "/Groups", "schema": schemaGroup,
			"meta": gin.H{"resourceType": "ResourceType", "location": h.base + "/ResourceTypes/Group"}},
	}
	h.write(c, http.StatusOK, listResponse{Schemas: []string{schemaList}, TotalResults: 2, StartIndex: 1, ItemsPerPage: 2,
		Resources: []any{types[0], types[1]}})
}

func attr(name, typ string, required bool, extra gin.H) gin.H {
	a := gin.H{"name": name, "type": typ, "multiValued": false, "required": required, "caseExact": false,
		"mutability": "readWrite", "returned": "default", "uniqueness": "none"}
	for k, v := range extra {
		a[k] = v
	}
	return a
}

func (h *Handler) schemas(c *gin.Context) {
	user := gin.H{"schemas": []string{schemaSchema}, "id": schemaUser, "name": "User", "description": "A Skillgate user",
		"attributes": []gin.H{
			attr("userName", "string", true, gin.H{"uniqueness": "server", "description": "The user's work email address"}),
			attr("displayName", "string", false, nil),
			attr("externalId", "string", false, gin.H{"caseExact": true, "uniqueness": "server"}),
			attr("active", "boolean", false, gin.H{"description": "false deactivates the user and ends every session at once"}),
			attr("name", "complex", false, gin.H{"subAttributes": []gin.H{
				attr("formatted", "string", false, nil), attr("givenName", "string", false, nil), attr("familyName", "string", false, nil)}}),
			attr("emails", "complex", false, gin.H{"multiValued": true, "mutability": "readOnly",
				"description": "The userName, as the one work email", "subAttributes": []gin.H{attr("value", "string", false, nil)}}),
		},
		"meta": gin.H{"resourceType": "Schema", "location": h.base + "/Schemas/" + schemaUser}}
	group := gin.H{"schemas": []string{schemaSchema}, "id": schemaGroup, "name": "Group",
		"description": "A group of the identity provider; IDP_GROUP_MAP maps its name to a role and client memberships",
		"attributes": []gin.H{
			attr("displayName", "string", true, gin.H{"uniqueness": "server"}),
			attr("externalId", "string", false, gin.H{"caseExact": true, "uniqueness": "server"}),
			attr("members", "complex", false, gin.H{"multiValued": true, "subAttributes": []gin.H{
				attr("value", "string", false, gin.H{"mutability": "immutable"})}}),
		},
		"meta": gin.H{"resourceType": "Schema", "location": h.base + "/Schemas/" + schemaGroup}}
	h.write(c, http.StatusOK, listResponse{Schemas: []string{schemaList}, TotalResults: 2, StartIndex: 1, ItemsPerPage: 2,
		Resources: []any{user, group}})
}
