package certification_test

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	goqr "github.com/piglig/go-qr"

	"image/png"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/auth"
)

// certificate is a certificate as the API lists it.
type certificate struct {
	ID              string    `json:"id"`
	CertificationID string    `json:"certification_id"`
	Number          string    `json:"number"`
	HolderName      string    `json:"holder_name"`
	ProgramName     string    `json:"program_name"`
	ClientName      string    `json:"client_name"`
	IssuedAt        time.Time `json:"issued_at"`
	ExpiresAt       time.Time `json:"expires_at"`
	Status          string    `json:"status"`
	VerificationURL string    `json:"verification_url"`
	PDF             string    `json:"pdf"`
	Credential      string    `json:"credential"`
}

func (f *fixture) certificates(token string) []certificate {
	f.env.T.Helper()
	var out struct {
		Certificates []certificate `json:"certificates"`
	}
	f.do(token, "GET", "/api/v1/me/certificates", nil, 200, &out)
	return out.Certificates
}

// verifyPath is the API path answering a certificate's verification link.
func verifyPath(c certificate) string {
	_, id, _ := strings.Cut(c.VerificationURL, "/verify/")
	return "/api/v1/verify/" + id
}

// verification asks the public endpoint, without a token.
func (f *fixture) verification(c certificate) map[string]any {
	f.env.T.Helper()
	var v map[string]any
	f.do("", "GET", verifyPath(c), nil, 200, &v)
	return v
}

// verifyJWT checks a compact JWS with go-jose against the key set the
// server publishes, and nothing else: its header and payload.
func (f *fixture) verifyJWT(token string) (jose.Header, map[string]any) {
	f.env.T.Helper()
	t := f.env.T
	var set jose.JSONWebKeySet
	res := f.do("", "GET", "/api/v1/credentials/jwks", nil, 200, nil)
	if err := json.Unmarshal(res.Body, &set); err != nil {
		t.Fatalf("jwks: %v", err)
	}
	jws, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.EdDSA})
	if err != nil {
		t.Fatalf("parse the JWS: %v", err)
	}
	h := jws.Signatures[0].Protected
	keys := set.Key(h.KeyID)
	if len(keys) != 1 {
		t.Fatalf("kid %q: got %d published keys, want 1", h.KeyID, len(keys))
	}
	payload, err := jws.Verify(keys[0])
	if err != nil {
		t.Fatalf("signature: %v", err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatalf("payload: %v", err)
	}
	return h, claims
}

// statusBit fetches a credential's status list, verifies it, and reads the
// credential's bit.
func (f *fixture) statusBit(status map[string]any) bool {
	f.env.T.Helper()
	t := f.env.T
	listURL, _ := status["statusListCredential"].(string)
	_, path, ok := strings.Cut(listURL, "/api/v1/")
	if !ok {
		t.Fatalf("statusListCredential %q is not one of Skillgate's", listURL)
	}
	res := f.do("", "GET", "/api/v1/"+path, nil, 200, nil)
	if ct := res.Header.Get("Content-Type"); ct != "application/vc+jwt" {
		t.Errorf("status list content type: got %q, want application/vc+jwt", ct)
	}
	h, list := f.verifyJWT(string(res.Body))
	if h.ExtraHeaders["typ"] != "vc+jwt" {
		t.Errorf("status list typ: got %v, want vc+jwt", h.ExtraHeaders["typ"])
	}
	// Bitstring Status List: a VerifiableCredential of type
	// BitstringStatusListCredential whose subject is a BitstringStatusList
	// with the entry's purpose and the encoded list.
	if !hasAll(list["type"], "VerifiableCredential", "BitstringStatusListCredential") || list["id"] != listURL ||
		first(list["@context"]) != "https://www.w3.org/ns/credentials/v2" {
		t.Errorf("status list credential: got type %v id %v context %v", list["type"], list["id"], list["@context"])
	}
	subject, _ := list["credentialSubject"].(map[string]any)
	if subject["type"] != "BitstringStatusList" || subject["statusPurpose"] != status["statusPurpose"] {
		t.Errorf("status list subject: got %v", subject)
	}
	enc, _ := subject["encodedList"].(string)
	if !strings.HasPrefix(enc, "u") {
		t.Fatalf("encodedList: got %.20q, want multibase base64url (u…)", enc)
	}
	gz, err := base64.RawURLEncoding.DecodeString(enc[1:])
	if err != nil {
		t.Fatalf("encodedList: %v", err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatalf("encodedList: %v", err)
	}
	bits, err := io.ReadAll(zr)
	if err != nil || len(bits) < 131072/8 {
		t.Fatalf("encodedList: got %d bytes, %v; want at least 16 KiB (131,072 entries)", len(bits), err)
	}
	i, err := strconv.Atoi(status["statusListIndex"].(string))
	if err != nil {
		t.Fatalf("statusListIndex %v: %v", status["statusListIndex"], err)
	}
	return bits[i/8]&(0x80>>(i%8)) != 0
}

func hasAll(v any, want ...string) bool {
	list, _ := v.([]any)
	for _, w := range want {
		found := false
		for _, x := range list {
			found = found || x == w
		}
		if !found {
			return false
		}
	}
	return true
}

func first(v any) any {
	if list, _ := v.([]any); len(list) > 0 {
		return list[0]
	}
	return nil
}

var dateTimeZ = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$`)

// checkOpenBadge checks the credential against what Open Badges 3.0 and
// the VC Data Model 2.0 require of an OpenBadgeCredential (written from the
// specifications' text), and the VC-JOSE-COSE header.
func checkOpenBadge(t *testing.T, h jose.Header, vc map[string]any, want certificate) {
	t.Helper()
	if h.Algorithm != "EdDSA" || h.KeyID == "" || h.ExtraHeaders["typ"] != "vc+jwt" || h.ExtraHeaders["cty"] != "vc" {
		t.Errorf("JOSE header: got alg %q kid %q extra %v, want EdDSA, a kid, typ vc+jwt, cty vc", h.Algorithm, h.KeyID, h.ExtraHeaders)
	}
	// @context: an ordered set, VC 2.0 first, then Open Badges 3.0.
	ctx, _ := vc["@context"].([]any)
	if len(ctx) < 2 || ctx[0] != "https://www.w3.org/ns/credentials/v2" || !strings.HasPrefix(ctx[1].(string), "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0") {
		t.Errorf("@context: got %v", vc["@context"])
	}
	if !hasAll(vc["type"], "VerifiableCredential", "OpenBadgeCredential") {
		t.Errorf("type: got %v", vc["type"])
	}
	if vc["id"] != want.VerificationURL {
		t.Errorf("id: got %v, want the verification link %s", vc["id"], want.VerificationURL)
	}
	if name, _ := vc["name"].(string); name == "" {
		t.Error("name: missing")
	}
	issuer, _ := vc["issuer"].(map[string]any)
	if id, _ := issuer["id"].(string); !strings.HasPrefix(id, "http") || !hasAll(issuer["type"], "Profile") || issuer["name"] == "" {
		t.Errorf("issuer: got %v, want a Profile with a URI id and a name", vc["issuer"])
	}
	for _, k := range []string{"validFrom", "validUntil"} {
		if s, _ := vc[k].(string); !dateTimeZ.MatchString(s) {
			t.Errorf("%s: got %v, want a dateTime in UTC (Z)", k, vc[k])
		}
	}
	if vc["validFrom"] != want.IssuedAt.UTC().Format(time.RFC3339) || vc["validUntil"] != want.ExpiresAt.UTC().Format(time.RFC3339) {
		t.Errorf("validity: got %v to %v, want %s to %s", vc["validFrom"], vc["validUntil"], want.IssuedAt, want.ExpiresAt)
	}
	subject, _ := vc["credentialSubject"].(map[string]any)
	if !hasAll(subject["type"], "AchievementSubject") {
		t.Errorf("credentialSubject.type: got %v", subject["type"])
	}
	ids, _ := subject["identifier"].([]any)
	if subject["id"] == nil && len(ids) == 0 {
		t.Error("credentialSubject: neither id nor identifier")
	}
	for _, x := range ids {
		o, _ := x.(map[string]any)
		_, hashed := o["hashed"].(bool)
		if o["type"] != "IdentityObject" || !hashed || o["identityHash"] == "" || o["identityType"] == "" {
			t.Errorf("identifier: got %v, want an IdentityObject", o)
		}
		if o["identityType"] == "name" && o["identityHash"] != want.HolderName {
			t.Errorf("name identifier: got %v, want %s", o["identityHash"], want.HolderName)
		}
		if o["identityType"] == "emailAddress" && (o["hashed"] != true || !strings.HasPrefix(o["identityHash"].(string), "sha256$")) {
			t.Errorf("email identifier: got %v, want a salted sha256 hash, never the address", o)
		}
	}
	a, _ := subject["achievement"].(map[string]any)
	criteria, _ := a["criteria"].(map[string]any)
	if id, _ := a["id"].(string); !strings.Contains(id, ":") || !hasAll(a["type"], "Achievement") || a["name"] == "" || a["description"] == "" ||
		(criteria["id"] == nil && criteria["narrative"] == nil) {
		t.Errorf("achievement: got %v, want id, type Achievement, name, description and criteria", a)
	}
	st, _ := vc["credentialStatus"].(map[string]any)
	if st["type"] != "BitstringStatusListEntry" || st["statusPurpose"] != "revocation" {
		t.Errorf("credentialStatus: got %v", st)
	}
	if _, err := strconv.Atoi(st["statusListIndex"].(string)); err != nil {
		t.Errorf("statusListIndex: got %v, want an integer as a string", st["statusListIndex"])
	}
	// The JWT claims repeat the credential and never contradict it.
	if vc["iss"] != issuer["id"] || vc["jti"] != vc["id"] ||
		int64(vc["nbf"].(float64)) != want.IssuedAt.Unix() || int64(vc["exp"].(float64)) != want.ExpiresAt.Unix() {
		t.Errorf("JWT claims: got iss %v jti %v nbf %v exp %v", vc["iss"], vc["jti"], vc["nbf"], vc["exp"])
	}
}

// The whole life of a certificate: issued with the certification, shown by
// the public page, carried as a credential; revocation flips the page, the
// JSON and the status list bit at once; reinstatement issues a new one.
func TestCertificateLifecycle(t *testing.T) {
	t.Parallel()
	f := setup(t)
	env := f.env
	u := env.User("dana@x.test", auth.RoleAgent, f.acme)
	agent := env.Login("dana@x.test")
	f.do(agent, "PATCH", "/api/v1/me", map[string]string{"display_name": "Dana Whitfield"}, 200, nil)
	f.do(f.trainer, "POST", "/api/v1/programs/"+f.program+"/enrollments", map[string]string{"user_id": u.ID}, 201, nil)
	if got := f.certificates(agent); len(got) != 0 {
		t.Fatalf("in training: got %d certificates, want none", len(got))
	}
	f.read(agent, "fees", 1)
	f.read(agent, "verify-caller", 1)
	f.takeQuiz(agent, "false")
	run, _ := f.playRoleplay(agent)
	f.do(f.supervisor, "POST", "/api/v1/runs/"+run+"/review", map[string]string{"decision": "approve"}, 200, nil)
	record := f.mine(agent)
	if record.State != "certified" {
		t.Fatalf("got %s, want certified", record.State)
	}

	certs := f.certificates(agent)
	if len(certs) != 1 {
		t.Fatalf("certified: got %d certificates, want 1", len(certs))
	}
	c := certs[0]
	if !regexp.MustCompile(`^SG-2026-\d{6}$`).MatchString(c.Number) || c.HolderName != "Dana Whitfield" || c.Status != "valid" ||
		c.CertificationID != record.ID || !c.ExpiresAt.Equal(*record.ExpiresAt) || c.ClientName == "" || c.ProgramName == "" {
		t.Errorf("certificate: got %+v", c)
	}
	if !regexp.MustCompile(`/verify/[a-z2-7]{26}$`).MatchString(c.VerificationURL) {
		t.Errorf("verification link: got %q, want /verify/ and 26 characters of base32 (128 bits)", c.VerificationURL)
	}

	// The public page: only these facts, and no email or id of anything.
	res := f.do("", "GET", verifyPath(c), nil, 200, nil)
	var v map[string]any
	res.JSON(t, &v)
	keys := []string{}
	for k := range v {
		keys = append(keys, k)
	}
	if len(keys) != 7 || v["holder_name"] != "Dana Whitfield" || v["status"] != "valid" || v["program_name"] != c.ProgramName || v["client_name"] != c.ClientName {
		t.Errorf("verification: got %v, want holder, program, client, issued, expires, status and checked_at", v)
	}
	for what, secret := range map[string]string{"email": "dana@x.test", "user id": u.ID, "certification id": record.ID,
		"certificate id": c.ID, "program id": f.program, "client id": f.acme, "certificate number": c.Number} {
		if bytes.Contains(res.Body, []byte(secret)) {
			t.Errorf("verification leaks the %s: %s", what, res.Body)
		}
	}

	// The wallet credential verifies with the published keys only.
	res = f.do(agent, "GET", c.Credential, nil, 200, nil)
	if ct := res.Header.Get("Content-Type"); ct != "application/vc+jwt" || !strings.Contains(res.Header.Get("Content-Disposition"), c.Number) {
		t.Errorf("credential download: got %q, %q", ct, res.Header.Get("Content-Disposition"))
	}
	token := string(res.Body)
	h, vc := f.verifyJWT(token)
	checkOpenBadge(t, h, vc, c)
	if bytes.Contains(res.Body, []byte("dana@x.test")) {
		t.Error("the credential carries the email address in clear")
	}
	// A changed payload does not verify.
	parts := strings.Split(token, ".")
	forged := strings.Replace(string(mustB64(t, parts[1])), "Dana Whitfield", "Mallory Fake", 1)
	jws, err := jose.ParseSignedCompact(parts[0]+"."+base64.RawURLEncoding.EncodeToString([]byte(forged))+"."+parts[2], []jose.SignatureAlgorithm{jose.EdDSA})
	if err != nil {
		t.Fatal(err)
	}
	var set jose.JSONWebKeySet
	_ = json.Unmarshal(f.do("", "GET", "/api/v1/credentials/jwks", nil, 200, nil).Body, &set)
	if _, err := jws.Verify(set.Key(h.KeyID)[0]); err == nil {
		t.Error("a forged credential verified")
	}
	status := vc["credentialStatus"].(map[string]any)
	if f.statusBit(status) {
		t.Error("status bit set before revocation")
	}

	// Revoked: the page, the JSON and the status list say so at once.
	f.do(f.compliance, "POST", "/api/v1/certifications/"+record.ID+"/revoke", map[string]string{"reason": "fraud"}, 200, nil)
	if v := f.verification(c); v["status"] != "revoked" {
		t.Errorf("after revocation: got %v, want revoked", v["status"])
	}
	if !f.statusBit(status) {
		t.Error("status bit clear after revocation")
	}
	if res := env.Do(apitest.Request{Method: "GET", Path: c.Credential, Token: agent}); res.Status != 409 {
		t.Errorf("credential of a revoked certificate: got %d, want 409", res.Status)
	}
	var payload string
	env.DB.Raw(`SELECT payload::text FROM outbox_events WHERE type = 'certification.changed' AND payload->>'to' = 'revoked'`).Scan(&payload)
	var ev struct {
		Certificate *struct {
			Number          string `json:"number"`
			CredentialID    string `json:"credential_id"`
			VerificationURL string `json:"verification_url"`
			Status          string `json:"status"`
		} `json:"certificate"`
	}
	_ = json.Unmarshal([]byte(payload), &ev)
	if ev.Certificate == nil || ev.Certificate.Number != c.Number || ev.Certificate.VerificationURL != c.VerificationURL ||
		ev.Certificate.CredentialID != c.VerificationURL || ev.Certificate.Status != "revoked" {
		t.Errorf("webhook event: got %s, want the certificate, revoked", payload)
	}

	// Reinstated: a new certificate; the revoked one stays revoked.
	f.do(f.compliance, "POST", "/api/v1/certifications/"+record.ID+"/reinstate", map[string]string{"reason": "cleared"}, 200, nil)
	certs = f.certificates(agent)
	if len(certs) != 2 || certs[0].Status != "valid" || certs[1].ID != c.ID || certs[1].Status != "revoked" || certs[0].Number == c.Number {
		t.Fatalf("after reinstatement: got %+v, want a new valid certificate and the revoked one", certs)
	}
	if v := f.verification(c); v["status"] != "revoked" {
		t.Errorf("old certificate after reinstatement: got %v, want revoked", v["status"])
	}
	if v := f.verification(certs[0]); v["status"] != "valid" {
		t.Errorf("new certificate: got %v, want valid", v["status"])
	}
}

func mustB64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The refresher window shows as "refresher due" (still valid); renewal
// issues a new certificate; expiry ends them and sets their status bits.
func TestCertificateRefresherRenewalAndExpiry(t *testing.T) {
	t.Parallel()
	f := setup(t)
	env := f.env
	_, agent, _ := f.certify("agent@x.test")
	first := f.certificates(agent)[0]

	env.Clock.Set(first.ExpiresAt.Add(-29 * 24 * time.Hour))
	if _, err := env.App.Certification.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if v := f.verification(first); v["status"] != "refresher_due" {
		t.Errorf("window open: got %v, want refresher_due", v["status"])
	}
	agent = env.Login("agent@x.test")
	if !f.takeQuiz(agent, "false") {
		t.Fatal("quiz failed")
	}
	certs := f.certificates(agent)
	if len(certs) != 2 || certs[0].Status != "valid" || !certs[0].ExpiresAt.After(first.ExpiresAt) {
		t.Fatalf("renewed: got %+v, want a new certificate expiring later", certs)
	}
	if v := f.verification(first); v["status"] != "valid" {
		t.Errorf("the first certificate after renewal: got %v, want valid until its own expiry", v["status"])
	}
	agent = env.Login("agent@x.test")
	token := string(f.do(agent, "GET", certs[0].Credential, nil, 200, nil).Body)
	_, vc := f.verifyJWT(token)
	status := vc["credentialStatus"].(map[string]any)

	env.Clock.Set(certs[0].ExpiresAt.Add(time.Hour))
	if _, err := env.App.Certification.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, c := range []certificate{first, certs[0]} {
		if v := f.verification(c); v["status"] != "expired" {
			t.Errorf("%s after expiry: got %v, want expired", c.Number, v["status"])
		}
	}
	if !f.statusBit(status) {
		t.Error("status bit clear after the certification expired")
	}
}

// Who may download a certificate's PDF and credential.
func TestCertificateDownloadScoping(t *testing.T) {
	t.Parallel()
	f := setup(t)
	env := f.env
	_, agent, _ := f.certify("agent@x.test")
	c := f.certificates(agent)[0]
	_, other := f.agent("other@x.test")
	env.User("admin@x.test", auth.RoleAdmin)
	admin := env.Login("admin@x.test")
	var globex struct {
		ID string `json:"id"`
	}
	f.do(admin, "POST", "/api/v1/clients", map[string]string{"slug": "globex", "name": "Globex"}, 201, &globex)
	env.User("trainer@globex.test", auth.RoleTrainer, globex.ID)
	outsider := env.Login("trainer@globex.test")
	agentID := f.id(`SELECT id FROM users WHERE email = 'agent@x.test'`)

	cases := []struct {
		who                  string
		token                string
		pdf, credential, use int
	}{
		{"holder", agent, 200, 200, 403},
		{"another agent", other, 404, 404, 403},
		{"trainer of the client", f.trainer, 200, 403, 200},
		{"supervisor of the client", f.supervisor, 200, 403, 200},
		{"trainer of another client", outsider, 404, 404, 200},
		{"compliance", f.compliance, 200, 403, 200},
		{"admin", admin, 200, 403, 200},
		{"nobody signed in", "", 401, 401, 401},
	}
	for _, tc := range cases {
		for _, rq := range []struct {
			path string
			want int
		}{{c.PDF, tc.pdf}, {c.Credential, tc.credential}, {"/api/v1/users/" + agentID + "/certificates", tc.use}} {
			res := env.Do(apitest.Request{Method: "GET", Path: rq.path, Token: tc.token})
			if res.Status != rq.want {
				t.Errorf("%s GET %s: got %d %.200s, want %d", tc.who, rq.path, res.Status, res.Body, rq.want)
			}
		}
	}
	// The outsider's list is empty; the client's trainer sees it.
	for who, tc := range map[string]struct {
		token string
		n     int
	}{"trainer of another client": {outsider, 0}, "trainer of the client": {f.trainer, 1}} {
		var out struct {
			Certificates []certificate `json:"certificates"`
		}
		f.do(tc.token, "GET", "/api/v1/users/"+agentID+"/certificates", nil, 200, &out)
		if len(out.Certificates) != tc.n {
			t.Errorf("%s: got %d certificates, want %d", who, len(out.Certificates), tc.n)
		}
	}
	for _, path := range []string{"/api/v1/certificates/00000000-0000-0000-0000-000000000000/pdf", "/api/v1/certificates/not-a-uuid/credential"} {
		if res := env.Do(apitest.Request{Method: "GET", Path: path, Token: admin, NoValidate: true}); res.Status != 404 {
			t.Errorf("GET %s: got %d, want 404", path, res.Status)
		}
	}
}

// Verification refuses guesses (malformed ids before any read) and is
// rate-limited per client address.
func TestVerificationGuessesAndRateLimit(t *testing.T) {
	t.Parallel()
	f := setup(t)
	env := f.env
	_, agent, _ := f.certify("agent@x.test")
	c := f.certificates(agent)[0]
	n := 1 // verifications so far from the test's address
	for _, id := range []string{"abc", strings.Repeat("a", 25), strings.Repeat("A", 26), strings.Repeat("1", 26), strings.Repeat("a", 27),
		"aaaaaaaaaaaaaaaaaaaaaaaaa%27", strings.Repeat("b", 26)} {
		res := env.Do(apitest.Request{Method: "GET", Path: "/api/v1/verify/" + id})
		n++
		if res.Status != 404 || res.Code() != "not_found" {
			t.Errorf("verify %q: got %d %s, want 404 not_found", id, res.Status, res.Body)
		}
	}
	for ; n <= 60; n++ {
		f.do("", "GET", verifyPath(c), nil, 200, nil)
	}
	res := env.Do(apitest.Request{Method: "GET", Path: verifyPath(c)})
	if res.Status != 429 || res.Code() != "too_many_requests" || res.Header.Get("Retry-After") == "" {
		t.Errorf("request 61 in a minute: got %d %s (Retry-After %q), want 429 with Retry-After", res.Status, res.Body, res.Header.Get("Retry-After"))
	}
	// Another address is not held back by this one.
	res = env.Do(apitest.Request{Method: "GET", Path: verifyPath(c), Header: map[string]string{"X-Forwarded-For": "198.51.100.7"}})
	if res.Status != 429 {
		t.Errorf("a forged X-Forwarded-For from an untrusted peer: got %d, want still limited (429)", res.Status)
	}
	env.Clock.Advance(time.Minute)
	f.do("", "GET", verifyPath(c), nil, 200, nil)
}

// The PDF opens, names the certificate number and the verification link,
// and its QR code reads as that link.
func TestCertificatePDF(t *testing.T) {
	t.Parallel()
	f := setup(t)
	_, agent, _ := f.certify("agent@x.test")
	c := f.certificates(agent)[0]
	res := f.do(agent, "GET", c.PDF, nil, 200, nil)
	if ct := res.Header.Get("Content-Type"); ct != "application/pdf" {
		t.Errorf("content type: got %q", ct)
	}
	pdf := res.Body
	if !bytes.HasPrefix(pdf, []byte("%PDF-1.")) || !bytes.Contains(pdf[len(pdf)-32:], []byte("%%EOF")) || !bytes.Contains(pdf, []byte("startxref")) {
		t.Fatalf("not a whole PDF: %.40q … %q", pdf, pdf[len(pdf)-32:])
	}
	text := pdfText(t, pdf)
	for _, want := range []string{c.Number, c.VerificationURL, c.ProgramName, c.ClientName, "agent", "Certificate of Certification"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF does not show %q", want)
		}
	}
	// Rendered as a person sees it, the QR code reads as the link.
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		t.Log("pdftoppm not installed: the rendered page and its QR code are not checked")
		return
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "certificate.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("pdftoppm", "-png", "-r", "150", "-singlefile", in, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v: %s", err, out)
	}
	fh, err := os.Open(filepath.Join(dir, "page.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	img, err := png.Decode(fh)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() <= b.Dy() {
		t.Errorf("page: got %dx%d, want landscape", b.Dx(), b.Dy())
	}
	got, err := goqr.Decode(img)
	if err != nil || got != c.VerificationURL {
		t.Errorf("QR code on the rendered page: got %q, %v; want %s", got, err, c.VerificationURL)
	}
}

// pdfText is every string a PDF shows: its content streams inflated.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	var out strings.Builder
	rest := pdf
	for {
		i := bytes.Index(rest, []byte("stream\n"))
		if i < 0 {
			break
		}
		rest = rest[i+len("stream\n"):]
		j := bytes.Index(rest, []byte("\nendstream"))
		if j < 0 {
			t.Fatal("a stream without its end")
		}
		data := rest[:j]
		rest = rest[j+len("\nendstream"):]
		zr, err := zlib.NewReader(bytes.NewReader(data))
		if err != nil {
			out.Write(data)
			continue
		}
		b, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("a stream does not inflate: %v", err)
		}
		out.Write(b)
	}
	out.Write(pdf) // the document's own dictionaries (the link, the metadata)
	return out.String()
}
