package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/pgtext"
)

// checkJSON walks a JSON body that decoded without error and refuses, as
// invalid naming the field ("checks[2].state"), text PostgreSQL cannot store
// (a NUL, escaped as \u0000, or bytes that are not UTF-8, which the decoder
// would silently replace) and duplicate keys in an object at any depth.
// Keys are duplicates when encoding/json would bind them to the same field
// (it matches names without regard to case): a proxy or firewall that reads
// the first of two keys must not see another request than Skillgate, which
// reads the last.
func checkJSON(raw []byte) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	type frame struct {
		object  bool
		keys    map[string]bool
		key     string // the object's current key
		wantKey bool
		index   int // the array's current index
	}
	var stack []*frame
	path := func(last string) string {
		var b strings.Builder
		for _, f := range stack {
			switch {
			case f.object && f.key != "":
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(f.key)
			case !f.object:
				b.WriteString("[" + strconv.Itoa(f.index) + "]")
			}
		}
		if last != "" {
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(last)
		}
		if b.Len() == 0 {
			return "body"
		}
		return b.String()
	}
	// valueDone moves the enclosing frame past a complete value.
	valueDone := func() {
		if n := len(stack); n > 0 {
			if f := stack[n-1]; f.object {
				f.key, f.wantKey = "", true
			} else {
				f.index++
			}
		}
	}
	for {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return decodeError(err)
		}
		var top *frame
		if n := len(stack); n > 0 {
			top = stack[n-1]
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				stack = append(stack, &frame{object: t == '{', keys: map[string]bool{}, wantKey: true})
			case '}', ']':
				stack = stack[:len(stack)-1]
				valueDone()
			}
		case string:
			// A bad value is named by its path, a bad key by its object's.
			isKey := top != nil && top.object && top.wantKey
			what := "%s"
			if isKey {
				what = "has a key that %s"
			}
			// The decoder replaces bytes that are not UTF-8 by U+FFFD, so
			// they are looked for in the token's own input.
			problem := pgtext.Problem(t)
			if problem == "" && !utf8.Valid(raw[start:dec.InputOffset()]) {
				problem = pgtext.InvalidUTF8
			}
			if problem != "" {
				return apperr.Invalidf(path(""), what, problem)
			}
			if !isKey {
				valueDone()
				continue
			}
			folded := foldKey(t)
			if top.keys[folded] {
				return apperr.Invalidf(path(t), "is given twice: give each key once")
			}
			top.keys[folded] = true
			top.key, top.wantKey = t, false
		default:
			valueDone()
		}
	}
}

// foldKey folds a key the way encoding/json matches keys to fields.
func foldKey(k string) string {
	return strings.Map(func(r rune) rune { return unicode.ToLower(unicode.ToUpper(r)) }, k)
}

// ValidText refuses a request whose query parameters or path parameters
// hold text PostgreSQL cannot store (a NUL, bytes that are not UTF-8) with
// invalid naming the parameter, before any handler reads them. JSON bodies
// are checked by BindJSON, CSV uploads by csvimport.
func ValidText() gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := checkParams(c); err != nil {
			Error(c, err)
			return
		}
		c.Next()
	}
}

func checkParams(c *gin.Context) error {
	for _, p := range c.Params {
		if problem := pgtext.Problem(p.Value); problem != "" {
			return apperr.Invalidf(p.Key, "%s", problem)
		}
	}
	raw := c.Request.URL.RawQuery
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		k, v, _ := strings.Cut(pair, "=")
		// A pair that does not unescape is dropped by the query parser, so
		// no handler reads it.
		key, err := url.QueryUnescape(k)
		if err != nil {
			continue
		}
		if problem := pgtext.Problem(key); problem != "" {
			return apperr.Invalidf("query", "a parameter name %s", problem)
		}
		val, err := url.QueryUnescape(v)
		if err != nil {
			continue
		}
		if problem := pgtext.Problem(val); problem != "" {
			return apperr.Invalidf(key, "%s", problem)
		}
	}
	return nil
}
