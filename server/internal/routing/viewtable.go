package routing

import (
	"hash/maphash"
	"slices"
	"strings"
	"time"
	"unsafe"
)

// viewTable is where the view keeps its entries, laid out for the garbage
// collector. At 100,000 agents the view holds about 160,000 entries; kept
// as Go structs with strings, maps of strings and pointers, that was about
// a million objects, and every collection marked them all: a cycle took
// 150–450 ms with the mark workers on the CPUs, often enough under load
// that the gate's p99 at 100,000 agents was six times that at 1,000 (with
// the collector off it was the same). So the table holds no pointers the
// collector must follow: agents and entries are records in slices without
// pointers, found through a map from a hash of the question's agent to an
// index (both without pointers, so never scanned); the agents' strings are
// in one byte arena; times are kept as instants. Only what is shared (a
// program's inputs, the short strings every entry repeats, the licenses an
// entry keeps, in one entry in five of a seeded center) is kept as Go
// values. The table is guarded by the view's lock.
type viewTable struct {
	seedID, seedExt maphash.Seed
	// byHash finds an agent by a hash of its id as loaded (how the feed
	// names it) or of an id it was asked by, spelled otherwise; byExt by a
	// hash of its external id. A hit is checked against the agent's own id
	// or external id, so a collision is a miss; a hash of an id as loaded
	// is never taken by another agent, so the feed always finds it.
	byHash map[uint64]int32
	byExt  map[uint64]int32
	// odd are the extra hashes of agents asked by an id spelled otherwise
	// than as loaded (rare), so dropping the agent drops them too.
	odd        map[int32][]uint64
	agents     []slabAgent
	freeAgents []int32
	entries    []slabEntry
	freeEnts   []int32
	held       []heldInputs
	freeHeld   []int32
	programs   []viewProgram
	progIdx    map[string]int32 // the last loaded of each program
	freeProgs  []int32
	short      []string // roles and certification states, each once
	shortIdx   map[string]uint16
	locs       []*time.Location
	arena      []byte // the agents' ids, e-mails and external ids
	garbage    int    // bytes of the arena no agent uses
	rewrites   int    // how often the arena was compacted
	n          int    // entries
}

// strRef is a string of the arena.
type strRef struct{ off, n uint32 }

// slabAgent is an agent as loaded, with its entries (a list through
// slabEntry.next).
type slabAgent struct {
	id, email, ext strRef
	role           uint16
	hasExt, active bool
	used           bool
	head           int32 // the first entry, -1 when none
}

// slabEntry is what one agent × program holds of its own.
type slabEntry struct {
	agent, next, program int32
	held                 int32 // the licenses and appointments kept, -1 when none
	certExp, certDue     int64 // unix nanoseconds
	certState            uint16
	certExpLoc           uint8
	certDueLoc           uint8
	flags                uint8
}

const (
	entryUsed uint8 = 1 << iota
	entryCert
	entryCertExp
	entryCertDue
	entryAssigned
)

// viewProgram is a program as loaded, shared by its entries.
type viewProgram struct {
	id, name, clientID string
	requirements       []LicenseRequirement
	states             []string // the states the requirements name (Input.states)
	servesOnly         bool
	refs               int // entries using it
}

// same reports whether in loaded the program as p holds it.
func (p *viewProgram) same(in *inputs) bool {
	return p.id == in.ProgramID && p.name == in.ProgramName && p.clientID == in.ClientID &&
		p.servesOnly == in.ServesOnly && sameRequirements(p.requirements, in.Requirements)
}

// heldInputs are an entry's licenses (those a requirement could use) and
// appointments with the program's client.
type heldInputs struct {
	licenses     []LicenseInput
	appointments []AppointmentInput
}

func newViewTable() viewTable {
	return viewTable{seedID: maphash.MakeSeed(), seedExt: maphash.MakeSeed(), byHash: map[uint64]int32{},
		byExt: map[uint64]int32{}, odd: map[int32][]uint64{}, progIdx: map[string]int32{}, shortIdx: map[string]uint16{},
		locs: []*time.Location{time.UTC}}
}

// clear forgets every entry.
func (t *viewTable) clear() {
	*t = viewTable{seedID: t.seedID, seedExt: t.seedExt, byHash: map[uint64]int32{}, byExt: map[uint64]int32{},
		odd: map[int32][]uint64{}, progIdx: map[string]int32{}, shortIdx: t.shortIdx, short: t.short, locs: t.locs,
		rewrites: t.rewrites}
}

// str is a string of the arena. The arena's bytes are never written again
// once a string holds them (it is only appended to, and compacting makes a
// new one), so the string may share them.
func (t *viewTable) str(r strRef) string {
	if r.n == 0 {
		return ""
	}
	return unsafe.String(&t.arena[r.off], int(r.n))
}

func (t *viewTable) keep(s string) strRef {
	r := strRef{off: uint32(len(t.arena)), n: uint32(len(s))}
	t.arena = append(t.arena, s...)
	return r
}

// shortOf is the index of a short string (a role, a certification state).
func (t *viewTable) shortOf(s string) (uint16, bool) {
	if i, ok := t.shortIdx[s]; ok {
		return i, true
	}
	if len(t.short) >= 1<<16-1 {
		return 0, false
	}
	t.short = append(t.short, s)
	t.shortIdx[s] = uint16(len(t.short) - 1)
	return uint16(len(t.short) - 1), true
}

// instant encodes a time as unix nanoseconds and its location's index.
func (t *viewTable) instant(x time.Time) (int64, uint8, bool) {
	if y := x.Year(); y < 1700 || y > 2200 {
		return 0, 0, false
	}
	loc := x.Location()
	i := slices.Index(t.locs, loc)
	if i < 0 {
		if len(t.locs) >= 255 {
			return 0, 0, false
		}
		t.locs = append(t.locs, loc)
		i = len(t.locs) - 1
	}
	return x.UnixNano(), uint8(i), true
}

func (t *viewTable) time(ns int64, loc uint8) time.Time { return time.Unix(0, ns).In(t.locs[loc]) }

func (t *viewTable) hashID(id string) uint64   { return maphash.String(t.seedID, id) }
func (t *viewTable) hashExt(ext string) uint64 { return maphash.String(t.seedExt, ext) }

// find returns the agent asked about, -1 when the table has none.
func (t *viewTable) find(asked Agent) int32 {
	if asked.ID != "" {
		if ai, ok := t.byHash[t.hashID(asked.ID)]; ok && strings.EqualFold(t.str(t.agents[ai].id), asked.ID) {
			return ai
		}
		return -1
	}
	if ai, ok := t.byExt[t.hashExt(asked.ExternalID)]; ok && t.agents[ai].hasExt && t.str(t.agents[ai].ext) == asked.ExternalID {
		return ai
	}
	return -1
}

// byID returns the agent loaded with this id, -1 when none.
func (t *viewTable) byID(id string) int32 {
	if ai, ok := t.byHash[t.hashID(id)]; ok && t.str(t.agents[ai].id) == id {
		return ai
	}
	return -1
}

// entry returns the agent's entry for the program, -1 when none.
func (t *viewTable) entry(ai int32, programID string) int32 {
	for ei := t.agents[ai].head; ei >= 0; ei = t.entries[ei].next {
		if t.programs[t.entries[ei].program].id == programID {
			return ei
		}
	}
	return -1
}

// inputsBox holds what an answer needs a pointer to, in one allocation.
type inputsBox struct {
	cert     CertificationInput
	exp, due time.Time
	ext      string
}

// inputs are the entry's inputs as loaded (less what compact strips), with
// At zero: the caller decides at its own instant.
func (t *viewTable) inputs(ai, ei int32) inputs {
	a, e := &t.agents[ai], &t.entries[ei]
	p := &t.programs[e.program]
	in := inputs{UserID: t.str(a.id), Role: t.short[a.role], Email: t.str(a.email), Active: a.active,
		ProgramID: p.id, ProgramName: p.name, ClientID: p.clientID, Requirements: p.requirements, states: p.states,
		ServesOnly: p.servesOnly, Assigned: e.flags&entryAssigned != 0}
	if a.hasExt || e.flags&entryCert != 0 {
		box := &inputsBox{}
		if a.hasExt {
			box.ext = t.str(a.ext)
			in.ExternalID = &box.ext
		}
		if e.flags&entryCert != 0 {
			box.cert.State = t.short[e.certState]
			if e.flags&entryCertExp != 0 {
				box.exp = t.time(e.certExp, e.certExpLoc)
				box.cert.ExpiresAt = &box.exp
			}
			if e.flags&entryCertDue != 0 {
				box.due = t.time(e.certDue, e.certDueLoc)
				box.cert.RefresherDueAt = &box.due
			}
			in.Cert = &box.cert
		}
	}
	if e.held >= 0 {
		h := &t.held[e.held]
		in.Licenses, in.Appointments = h.licenses, h.appointments
	}
	return in
}

// sameAgent reports whether in loaded the agent as the table holds it.
func (t *viewTable) sameAgent(ai int32, in *inputs) bool {
	a := &t.agents[ai]
	return t.str(a.id) == in.UserID && t.short[a.role] == in.Role && t.str(a.email) == in.Email &&
		a.active == in.Active && a.hasExt == (in.ExternalID != nil) && (!a.hasExt || t.str(a.ext) == *in.ExternalID)
}

// encodeEntry lays in's own inputs out as an entry (agent, next and program
// are the caller's), false when something in them cannot be kept (a time
// out of range).
func (t *viewTable) encodeEntry(in *inputs) (slabEntry, bool) {
	e := slabEntry{held: -1, flags: entryUsed}
	if in.Assigned {
		e.flags |= entryAssigned
	}
	if c := in.Cert; c != nil {
		e.flags |= entryCert
		var ok bool
		if e.certState, ok = t.shortOf(c.State); !ok {
			return e, false
		}
		if c.ExpiresAt != nil {
			e.flags |= entryCertExp
			if e.certExp, e.certExpLoc, ok = t.instant(*c.ExpiresAt); !ok {
				return e, false
			}
		}
		if c.RefresherDueAt != nil {
			e.flags |= entryCertDue
			if e.certDue, e.certDueLoc, ok = t.instant(*c.RefresherDueAt); !ok {
				return e, false
			}
		}
	}
	return e, true
}

// put keeps in, loaded for the question asked about agent asked; false when
// it cannot be kept (another agent's id hashes alike, or a time out of
// range), and the view then reads the database for it each time.
func (t *viewTable) put(asked Agent, in *inputs) bool {
	role, ok := t.shortOf(in.Role)
	if !ok {
		return false
	}
	e, ok := t.encodeEntry(in)
	if !ok {
		return false
	}
	hID := t.hashID(in.UserID)
	ai, found := t.byHash[hID]
	if found && t.str(t.agents[ai].id) != in.UserID {
		return false // another agent's id (or a spelling of it) hashes alike: never shadow it
	}
	if found && !t.sameAgent(ai, in) {
		// Loaded otherwise than its other entries (the change is on its way
		// through the feed): this load replaces them.
		t.dropAgent(ai)
		found = false
	}
	if !found {
		if t.n >= maxViewEntries {
			for _, old := range t.byHash { // an arbitrary agent makes room
				t.dropAgent(old)
				break
			}
		}
		a := slabAgent{id: t.keep(in.UserID), email: t.keep(in.Email), role: role, active: in.Active, used: true, head: -1}
		if in.ExternalID != nil {
			a.ext, a.hasExt = t.keep(*in.ExternalID), true
		}
		ai = alloc(&t.agents, &t.freeAgents, a)
		t.byHash[hID] = ai
		if a.hasExt {
			t.byExt[t.hashExt(*in.ExternalID)] = ai
		}
	}
	if asked.ID != "" && asked.ID != in.UserID {
		h := t.hashID(asked.ID)
		if _, taken := t.byHash[h]; !taken {
			t.byHash[h] = ai
			t.odd[ai] = append(t.odd[ai], h)
		}
	}
	if len(in.Licenses) > 0 || len(in.Appointments) > 0 {
		e.held = alloc(&t.held, &t.freeHeld, heldInputs{licenses: in.Licenses, appointments: in.Appointments})
	}
	e.agent, e.program = ai, t.program(in)
	if ei := t.entry(ai, in.ProgramID); ei >= 0 {
		e.next = t.entries[ei].next
		t.release(ei)
		t.entries[ei] = e
		return true
	}
	e.next = t.agents[ai].head
	t.agents[ai].head = alloc(&t.entries, &t.freeEnts, e)
	t.n++
	return true
}

// alloc puts x in a free slot of the slice, or a new one, and returns its
// index.
func alloc[T any](xs *[]T, free *[]int32, x T) int32 {
	if n := len(*free); n > 0 {
		i := (*free)[n-1]
		*free = (*free)[:n-1]
		(*xs)[i] = x
		return i
	}
	*xs = append(*xs, x)
	return int32(len(*xs) - 1)
}

// program returns the index of in's program as the table shares it (the
// last loaded, when in loaded it alike), counting the entry that will use it.
func (t *viewTable) program(in *inputs) int32 {
	pi, ok := t.progIdx[in.ProgramID]
	if !ok || !t.programs[pi].same(in) {
		if ok {
			delete(t.progIdx, in.ProgramID)
			t.freeProgram(pi)
		}
		pi = alloc(&t.programs, &t.freeProgs, viewProgram{id: in.ProgramID, name: in.ProgramName, clientID: in.ClientID,
			requirements: in.Requirements, states: requiredStates(Input{Requirements: in.Requirements}), servesOnly: in.ServesOnly})
		t.progIdx[in.ProgramID] = pi
	}
	t.programs[pi].refs++
	return pi
}

// freeProgram frees a program no entry uses that is no longer the last
// loaded of its id.
func (t *viewTable) freeProgram(pi int32) {
	p := &t.programs[pi]
	if cur, ok := t.progIdx[p.id]; p.refs > 0 || ok && cur == pi {
		return
	}
	*p = viewProgram{}
	t.freeProgs = append(t.freeProgs, pi)
}

// release gives back what entry ei holds (its program's count, its held
// licenses), before the entry is freed or overwritten.
func (t *viewTable) release(ei int32) {
	e := &t.entries[ei]
	if e.held >= 0 {
		t.held[e.held] = heldInputs{}
		t.freeHeld = append(t.freeHeld, e.held)
	}
	t.programs[e.program].refs--
	t.freeProgram(e.program)
}

// dropAgent removes an agent and its entries.
func (t *viewTable) dropAgent(ai int32) {
	a := &t.agents[ai]
	for ei := a.head; ei >= 0; {
		next := t.entries[ei].next
		t.release(ei)
		t.entries[ei] = slabEntry{}
		t.freeEnts = append(t.freeEnts, ei)
		t.n--
		ei = next
	}
	for _, h := range append(t.odd[ai], t.hashID(t.str(a.id))) {
		if cur, ok := t.byHash[h]; ok && cur == ai {
			delete(t.byHash, h)
		}
	}
	if h := t.hashExt(t.str(a.ext)); a.hasExt {
		if cur, ok := t.byExt[h]; ok && cur == ai {
			delete(t.byExt, h)
		}
	}
	delete(t.odd, ai)
	t.garbage += int(a.id.n + a.email.n + a.ext.n)
	*a = slabAgent{head: -1}
	t.freeAgents = append(t.freeAgents, ai)
	t.compactArena()
}

// dropEntries removes the agent's entries of the program (every program's
// when programID is ""), and the agent with its last entry.
func (t *viewTable) dropEntries(ai int32, programID string) {
	prev := int32(-1)
	for ei := t.agents[ai].head; ei >= 0; {
		next := t.entries[ei].next
		if t.programs[t.entries[ei].program].id != programID {
			prev, ei = ei, next
			continue
		}
		if prev < 0 {
			t.agents[ai].head = next
		} else {
			t.entries[prev].next = next
		}
		t.release(ei)
		t.entries[ei] = slabEntry{}
		t.freeEnts = append(t.freeEnts, ei)
		t.n--
		ei = next
	}
	if t.agents[ai].head < 0 {
		t.dropAgent(ai)
	}
}

// dropProgram removes every entry of the program.
func (t *viewTable) dropProgram(programID string) {
	pi, ok := t.progIdx[programID]
	delete(t.progIdx, programID)
	if ok {
		t.freeProgram(pi)
	}
	for ei := range t.entries {
		e := &t.entries[ei]
		if e.flags&entryUsed != 0 && t.programs[e.program].id == programID {
			t.dropEntries(e.agent, programID)
		}
	}
}

// compactArena rewrites the arena when most of it is garbage. Strings
// already handed out keep the old one alive until they are gone.
func (t *viewTable) compactArena() {
	if t.garbage < 1<<20 || t.garbage < len(t.arena)/2 {
		return
	}
	arena := make([]byte, 0, len(t.arena)-t.garbage)
	move := func(r strRef) strRef {
		n := strRef{off: uint32(len(arena)), n: r.n}
		arena = append(arena, t.str(r)...)
		return n
	}
	for i := range t.agents {
		if a := &t.agents[i]; a.used {
			a.id, a.email, a.ext = move(a.id), move(a.email), move(a.ext)
		}
	}
	t.arena, t.garbage = arena, 0
	t.rewrites++
}
