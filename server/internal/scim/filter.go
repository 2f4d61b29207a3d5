package scim

import (
	"encoding/json"
	"regexp"
	"strings"
)

// eqFilter is the one filter form Skillgate answers: `<attribute> eq "<value>"`.
var eqFilter = regexp.MustCompile(`^\s*([A-Za-z][A-Za-z0-9]*)\s+(?i:eq)\s+("(?:[^"\\\x00-\x1f]|\\.)*")\s*$`)

// parseFilter reads `attr eq "value"` where attr is one of allowed (compared
// case-insensitively, as RFC 7644 says attribute names are) and returns the
// allowed spelling and the value. Anything else — another operator, a
// logical expression, an unquoted value, a second clause — is refused:
// ok is false.
func parseFilter(filter string, allowed ...string) (attr, value string, ok bool) {
	m := eqFilter.FindStringSubmatch(filter)
	if m == nil {
		return "", "", false
	}
	for _, a := range allowed {
		if strings.EqualFold(a, m[1]) {
			attr = a
		}
	}
	if attr == "" {
		return "", "", false
	}
	if err := json.Unmarshal([]byte(m[2]), &value); err != nil {
		return "", "", false
	}
	return attr, value, true
}

// memberPath reads `members[value eq "<id>"]`, the path Okta removes one
// member with.
var memberPath = regexp.MustCompile(`^(?i:members)\[(.*)\]$`)

func parseMemberPath(path string) (id string, ok bool) {
	m := memberPath.FindStringSubmatch(strings.TrimSpace(path))
	if m == nil {
		return "", false
	}
	_, id, ok = parseFilter(m[1], "value")
	return id, ok
}
