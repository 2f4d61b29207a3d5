package httpx

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/pgtext"
)

// checkJSON scans a JSON body that decoded without error and refuses, as
// invalid naming the field ("checks[2].state"), text PostgreSQL cannot store
// (a NUL, escaped as \u0000, or bytes that are not UTF-8, which the decoder
// would silently replace) and duplicate keys in an object at any depth.
// Keys are duplicates when encoding/json would bind them to the same field
// (it matches names without regard to case): a proxy or firewall that reads
// the first of two keys must not see another request than Skillgate, which
// reads the last. The body is known to be valid JSON, so the scan only
// follows its structure; it allocates little, as eligibility batches pass
// through it on the hot path.
func checkJSON(raw []byte) error {
	s := jsonScan{raw: raw}
	s.space()
	return s.value()
}

// jsonScan is checkJSON's position in the body and the path to it.
type jsonScan struct {
	raw  []byte
	i    int
	path []pathSeg
}

// pathSeg is one step of the path: an object's key (quoted, as in the
// body) or an array's index.
type pathSeg struct {
	key   []byte
	index int // -1 for a key
}

// field names the current path ("body" at the top).
func (s *jsonScan) field() string {
	var b strings.Builder
	for _, p := range s.path {
		if p.index >= 0 {
			b.WriteString("[" + strconv.Itoa(p.index) + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(jsonKey(p.key))
	}
	if b.Len() == 0 {
		return "body"
	}
	return b.String()
}

func (s *jsonScan) space() {
	for s.i < len(s.raw) && (s.raw[s.i] == ' ' || s.raw[s.i] == '\t' || s.raw[s.i] == '\n' || s.raw[s.i] == '\r') {
		s.i++
	}
}

func (s *jsonScan) value() error {
	if s.i >= len(s.raw) {
		return nil
	}
	switch s.raw[s.i] {
	case '{':
		return s.object()
	case '[':
		s.i++
		for n := 0; ; n++ {
			s.space()
			if s.raw[s.i] == ']' {
				s.i++
				return nil
			}
			s.path = append(s.path, pathSeg{index: n})
			if err := s.value(); err != nil {
				return err
			}
			s.path = s.path[:len(s.path)-1]
			s.space()
			if s.raw[s.i] == ',' {
				s.i++
			}
		}
	case '"':
		if problem := s.str(); problem != "" {
			return apperr.Invalidf(s.field(), "%s", problem)
		}
		return nil
	}
	for s.i < len(s.raw) && !strings.ContainsRune(",]} \t\n\r", rune(s.raw[s.i])) {
		s.i++ // a number, true, false or null
	}
	return nil
}

// maxLinearKeys is how many keys an object's duplicates are looked for
// among by comparing them one by one before a map is worth it.
const maxLinearKeys = 16

func (s *jsonScan) object() error {
	s.i++
	var buf [maxLinearKeys][]byte
	keys := buf[:0] // folded keys, while there are few
	var seen map[string]bool
	for {
		s.space()
		if s.raw[s.i] == '}' {
			s.i++
			return nil
		}
		start := s.i
		if problem := s.str(); problem != "" {
			return apperr.Invalidf(s.field(), "has a key that %s", problem)
		}
		quoted := s.raw[start:s.i]
		folded := foldedKey(quoted)
		dup := seen[string(folded)]
		for _, k := range keys {
			dup = dup || bytes.Equal(k, folded)
		}
		if dup {
			s.path = append(s.path, pathSeg{key: quoted, index: -1})
			return apperr.Invalidf(s.field(), "is given twice: give each key once")
		}
		switch {
		case seen != nil:
			seen[string(folded)] = true
		case len(keys) < maxLinearKeys:
			keys = append(keys, folded)
		default:
			seen = map[string]bool{string(folded): true}
			for _, k := range keys {
				seen[string(k)] = true
			}
			keys = nil
		}
		s.space()
		s.i++ // the colon
		s.space()
		s.path = append(s.path, pathSeg{key: quoted, index: -1})
		if err := s.value(); err != nil {
			return err
		}
		s.path = s.path[:len(s.path)-1]
		s.space()
		if s.raw[s.i] == ',' {
			s.i++
		}
	}
}

// str moves past the string at s.i and returns what PostgreSQL could not
// store in it, or "".
func (s *jsonScan) str() string {
	s.i++ // the opening quote
	for s.i < len(s.raw) {
		switch c := s.raw[s.i]; {
		case c == '"':
			s.i++
			return ""
		case c == '\\':
			if s.raw[s.i+1] == 'u' && string(s.raw[s.i+2:s.i+6]) == "0000" {
				return pgtext.NUL
			}
			if s.raw[s.i+1] == 'u' {
				s.i += 6
			} else {
				s.i += 2
			}
		case c < utf8.RuneSelf:
			s.i++
		default:
			r, n := utf8.DecodeRune(s.raw[s.i:])
			if r == utf8.RuneError && n <= 1 {
				return pgtext.InvalidUTF8
			}
			s.i += n
		}
	}
	return ""
}

// foldedKey is a quoted key unescaped and folded (foldKey); a key of
// lower-case ASCII letters, digits and punctuation is its own folded form
// and costs nothing.
func foldedKey(quoted []byte) []byte {
	plain := quoted[1 : len(quoted)-1]
	for _, c := range plain {
		if c == '\\' || c >= utf8.RuneSelf || (c >= 'A' && c <= 'Z') {
			return []byte(foldKey(jsonKey(quoted)))
		}
	}
	return plain
}

// jsonKey is the key of a quoted JSON string, unescaped.
func jsonKey(quoted []byte) string {
	if bytes.IndexByte(quoted, '\\') < 0 {
		return string(quoted[1 : len(quoted)-1])
	}
	var k string
	_ = json.Unmarshal(quoted, &k) // valid: the body decoded
	return k
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
