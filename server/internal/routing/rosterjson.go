package routing

import (
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
)

// rosterBuffers holds the buffers uncached rosters are encoded into.
var rosterBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

// appendRosterJSON appends r as JSON, byte for byte what encoding/json's
// Marshal writes for it (TestRosterJSONMatchesMarshal checks), without
// reflection: a roster of thousands of agents is encoded in a fraction of
// the time.
func appendRosterJSON(b []byte, r *Roster) []byte {
	b = append(b, `{"program_id":`...)
	b = appendJSONString(b, r.ProgramID)
	if r.State != "" {
		b = append(b, `,"state":`...)
		b = appendJSONString(b, r.State)
	}
	b = append(b, `,"checked_at":`...)
	b = appendJSONTime(b, r.CheckedAt)
	b = append(b, `,"agents":`...)
	if r.Agents == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range r.Agents {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendRosterEntryJSON(b, &r.Agents[i])
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

func appendRosterEntryJSON(b []byte, e *RosterEntry) []byte {
	b = append(b, `{"email":`...)
	b = appendJSONString(b, e.Email)
	b = append(b, `,"display_name":`...)
	b = appendJSONString(b, e.DisplayName)
	b = append(b, `,"assignment_status":`...)
	b = appendJSONString(b, e.AssignmentStatus)
	b = append(b, ',')
	return append(appendAnswerFields(b, &e.Answer), '}')
}

// appendAnswerJSON appends a as JSON, byte for byte what encoding/json's
// Marshal writes for it (TestAnswerJSONMatchesMarshal checks): a single
// check's answer is encoded without reflection.
func appendAnswerJSON(b []byte, a *Answer) []byte {
	b = append(b, '{')
	return append(appendAnswerFields(b, a), '}')
}

// appendAnswerFields appends a's fields, without the braces.
func appendAnswerFields(b []byte, e *Answer) []byte {
	b = append(b, `"agent_id":`...)
	b = appendJSONString(b, e.AgentID)
	b = append(b, `,"external_id":`...)
	if e.ExternalID == nil {
		b = append(b, "null"...)
	} else {
		b = appendJSONString(b, *e.ExternalID)
	}
	b = append(b, `,"program_id":`...)
	b = appendJSONString(b, e.ProgramID)
	if e.State != "" {
		b = append(b, `,"state":`...)
		b = appendJSONString(b, e.State)
	}
	b = append(b, `,"eligible":`...)
	b = strconv.AppendBool(b, e.Eligible)
	b = append(b, `,"reasons":`...)
	if e.Reasons == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, r := range e.Reasons {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendReasonJSON(b, &r)
		}
		b = append(b, ']')
	}
	b = append(b, `,"valid_until":`...)
	if e.ValidUntil == nil {
		b = append(b, "null"...)
	} else {
		b = appendJSONTime(b, *e.ValidUntil)
	}
	if e.CoveredStates != nil {
		b = append(b, `,"covered_states":`...)
		b = appendJSONStrings(b, *e.CoveredStates)
	}
	b = append(b, `,"checked_at":`...)
	return appendJSONTime(b, e.CheckedAt)
}

func appendReasonJSON(b []byte, r *Reason) []byte {
	b = append(b, `{"code":`...)
	b = appendJSONString(b, r.Code)
	b = append(b, `,"message":`...)
	b = appendJSONString(b, r.Message)
	for _, f := range [...]struct{ name, v string }{{`,"state":`, r.State}, {`,"class":`, r.Class}, {`,"line":`, r.Line}} {
		if f.v != "" {
			b = append(b, f.name...)
			b = appendJSONString(b, f.v)
		}
	}
	return append(b, '}')
}

func appendJSONStrings(b []byte, xs []string) []byte {
	if xs == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range xs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	return append(b, ']')
}

// appendJSONTime appends t as time.Time's MarshalJSON does (RFC 3339 with
// nanoseconds, quoted).
func appendJSONTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s quoted as encoding/json does by default: <, >
// and & escaped for HTML, U+2028 and U+2029 escaped, invalid UTF-8 as
// U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
