package routing

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// randomJSON draws the values the hand-written encoders are checked with:
// strings that need escaping, invalid UTF-8, nil and empty slices and
// pointers, and times in other zones and with nanoseconds.
type randomJSON struct{ rng *rand.Rand }

var jsonPieces = []string{"", "a", "Zoë", "<b>&</b>", `"quoted"\`, "tab\tnew\nline\r", "\x00\x1f\x7f", "\u2028\u2029",
	"\xff\xfe bad", "日本語", "ca-producer", "life,health", "😀"}

var jsonZones = []*time.Location{time.UTC, time.FixedZone("x", -5*3600-30*60), time.FixedZone("y", 9*3600)}

func (r randomJSON) str() string {
	var sb strings.Builder
	for range r.rng.IntN(4) {
		sb.WriteString(jsonPieces[r.rng.IntN(len(jsonPieces))])
	}
	return sb.String()
}

func (r randomJSON) time() time.Time {
	rng := r.rng
	return time.Date(1990+rng.IntN(60), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), rng.IntN(24), rng.IntN(60),
		rng.IntN(60), rng.IntN(3)*rng.IntN(1e9), jsonZones[rng.IntN(len(jsonZones))])
}

func (r randomJSON) answer() Answer {
	rng, str := r.rng, r.str
	a := Answer{AgentID: str(), ProgramID: str(), State: str(), Eligible: rng.IntN(2) == 0, CheckedAt: r.time()}
	if rng.IntN(2) == 0 {
		x := str()
		a.ExternalID = &x
	}
	if rng.IntN(2) == 0 {
		v := r.time()
		a.ValidUntil = &v
	}
	switch rng.IntN(4) {
	case 0:
		cs := []string{}
		a.CoveredStates = &cs
	case 1:
		cs := []string{str(), str()}
		a.CoveredStates = &cs
	case 2:
		var cs []string
		a.CoveredStates = &cs
	}
	if rng.IntN(4) != 0 {
		a.Reasons = []Reason{}
		for range rng.IntN(3) {
			a.Reasons = append(a.Reasons, Reason{Code: str(), Message: str(), State: str(), Class: str(), Line: str()})
		}
	}
	return a
}

// TestRosterJSONMatchesMarshal checks the hand-written roster encoder
// against encoding/json on rosters drawn at random (randomJSON).
func TestRosterJSONMatchesMarshal(t *testing.T) {
	rnd := randomJSON{rand.New(rand.NewPCG(7, 28))}
	for i := range 300 {
		r := &Roster{ProgramID: rnd.str(), State: rnd.str(), CheckedAt: rnd.time()}
		if i%7 != 0 {
			r.Agents = []RosterEntry{}
		}
		for range rnd.rng.IntN(5) {
			r.Agents = append(r.Agents, RosterEntry{Email: rnd.str(), DisplayName: rnd.str(), AssignmentStatus: rnd.str(), Answer: rnd.answer()})
		}
		want, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendRosterJSON(nil, r); string(got) != string(want) {
			t.Fatalf("roster %d:\ngot  %s\nwant %s", i, got, want)
		}
	}
}

// TestAnswerJSONMatchesMarshal: a single check's answer is written by hand
// (appendAnswerJSON), byte for byte what encoding/json writes, on answers
// drawn at random (randomJSON).
func TestAnswerJSONMatchesMarshal(t *testing.T) {
	rnd := randomJSON{rand.New(rand.NewPCG(28, 2))}
	for i := range 500 {
		a := rnd.answer()
		want, err := json.Marshal(&a)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendAnswerJSON(nil, &a); string(got) != string(want) {
			t.Fatalf("answer %d:\ngot  %s\nwant %s", i, got, want)
		}
	}
}

// BenchmarkAnswerJSON compares a typical single answer (eligible, two
// covered states) written by hand and by encoding/json.
func BenchmarkAnswerJSON(b *testing.B) {
	ext, until, cs := "acd-1042", time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC), []string{"TX", "FL"}
	a := &Answer{AgentID: "6f1b8f7e-8d6a-4c1e-9d61-0d8f7c1c2a10", ExternalID: &ext, ProgramID: "0c7e3b1a-5d2f-4e8a-9b6c-1f2d3e4a5b6c",
		Eligible: true, Reasons: []Reason{}, ValidUntil: &until, CoveredStates: &cs, CheckedAt: time.Date(2026, 12, 7, 14, 0, 0, 123456000, time.UTC)}
	b.Run("by hand", func(b *testing.B) {
		b.ReportAllocs()
		buf := make([]byte, 0, 1024)
		for b.Loop() {
			buf = appendAnswerJSON(buf[:0], a)
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(a); err != nil {
				b.Fatal(err)
			}
		}
	})
}
