package credential

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/auth"
	"github.com/skillgate/skillgate/server/internal/catalog"
	"github.com/skillgate/skillgate/server/internal/certification"
	"github.com/skillgate/skillgate/server/internal/clock"
)

// userFinder finds users without authorizing (the auth service).
type userFinder interface {
	LookupUser(ctx context.Context, id string) (*auth.User, error)
}

// clientFinder names clients (the catalog store).
type clientFinder interface {
	ClientByID(ctx context.Context, id string) (*catalog.Client, error)
}

// Options configure the service.
type Options struct {
	// BaseURL is Skillgate's public address (PUBLIC_URL), which every link
	// in a certificate and credential starts with.
	BaseURL string
	// IssuerName names the issuer on certificates and credentials.
	IssuerName string
	// SigningKey signs credentials (CREDENTIAL_SIGNING_KEY); nil in
	// development means the development key kept in the database.
	SigningKey ed25519.PrivateKey
	// RetiredKeys stay published so credentials they signed still verify.
	RetiredKeys []ed25519.PublicKey
	Log         *slog.Logger
}

// Service issues certificates and credentials and answers verifications.
type Service struct {
	db      *gorm.DB
	store   *Store
	users   userFinder
	clients clientFinder
	clock   clock.Clock
	opts    Options
	links   links

	mu   sync.Mutex
	keys *Keys
}

// NewService returns the credential service.
func NewService(g *gorm.DB, users userFinder, clients clientFinder, clk clock.Clock, opts Options) *Service {
	if opts.IssuerName == "" {
		opts.IssuerName = "Skillgate"
	}
	opts.BaseURL = strings.TrimRight(opts.BaseURL, "/")
	s := &Service{db: g, store: NewStore(g), users: users, clients: clients, clock: clk, opts: opts, links: links{opts.BaseURL}}
	if opts.SigningKey != nil {
		s.keys = NewKeys(opts.SigningKey, opts.RetiredKeys)
	}
	return s
}

// Store returns the service's store.
func (s *Service) Store() *Store { return s.store }

func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Second) }

// Keys returns the issuer's keys: the configured ones, or in development
// the key kept in the database, made on first use.
func (s *Service) Keys(ctx context.Context) (*Keys, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.keys != nil {
		return s.keys, nil
	}
	priv, err := s.store.devKey(ctx, func() ed25519.PrivateKey {
		_, k, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			panic(err) // crypto/rand does not fail on supported platforms
		}
		return k
	}, s.now())
	if err != nil {
		return nil, err
	}
	if s.opts.Log != nil {
		s.opts.Log.Warn("CREDENTIAL_SIGNING_KEY is not set: signing credentials with the development key kept in the database", "kid", KeyID(priv.Public().(ed25519.PublicKey)))
	}
	s.keys = NewKeys(priv, s.opts.RetiredKeys)
	return s.keys, nil
}

// verifyEncoding writes the 128-bit public ids: lower-case base32, no padding.
var verifyEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// VerifyIDLength is the length of a public verification id.
const VerifyIDLength = 26

func newVerifyID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return verifyEncoding.EncodeToString(b)
}

// wellFormed reports whether id could be a verification id, without the
// database: 26 characters of [a-z2-7].
func wellFormed(id string) bool {
	if len(id) != VerifyIDLength {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !(c >= 'a' && c <= 'z' || c >= '2' && c <= '7') {
			return false
		}
	}
	return true
}

// holderName is how a certificate names the agent: the display name, or
// the part of the email address before the @ when there is none (never the
// address itself, which the public page must not show).
func holderName(u *auth.User) string {
	if n := strings.TrimSpace(u.DisplayName); n != "" {
		return n
	}
	local, _, _ := strings.Cut(u.Email, "@")
	return local
}

// CertificationChanged follows a certification's transition inside its
// transaction (the certification service calls it before it writes the
// learning record and the outbox event): certified (earned, renewed or
// reinstated) issues a new certificate, refresher_due marks the current
// one, a completed refresher clears the mark, expired ends the
// certificates and revoked revokes them for good. It returns the newest
// certificate of the record, which the event and the learning record name
// (nil before the first).
func (s *Service) CertificationChanged(ctx context.Context, tx *gorm.DB, t certification.Transition, prog *catalog.Program) (*certification.CertificateRef, error) {
	c := t.Certification
	tx = tx.WithContext(ctx)
	var err error
	switch {
	case c.State == certification.Certified && (t.Reason == certification.ReasonRequirementsMet ||
		t.Reason == certification.ReasonRenewed || t.Reason == certification.ReasonReinstated):
		err = s.issue(ctx, tx, c, prog, t.Reason, t.At)
	case c.State == certification.Certified:
		err = clearRefresherDue(tx, c.ID)
	case c.State == certification.RefresherDue:
		err = markRefresherDue(tx, c.ID)
	case c.State == certification.Expired:
		err = endCertificates(tx, c.ID, t.At)
	case c.State == certification.Revoked:
		err = revokeCertificates(tx, c.ID, t.At)
	}
	if err != nil {
		return nil, err
	}
	latest, err := latestOf(tx, c.ID)
	if apperr.Is(err, apperr.NotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return s.ref(latest, t.At), nil
}

func (s *Service) ref(c *Certificate, now time.Time) *certification.CertificateRef {
	u := s.links.verify(c.VerifyID)
	return &certification.CertificateRef{Number: c.Number, CredentialID: u, VerificationURL: u, Status: string(c.StatusAt(now))}
}

func (s *Service) issue(ctx context.Context, tx *gorm.DB, c *certification.Certification, prog *catalog.Program, reason string, at time.Time) error {
	if c.ExpiresAt == nil {
		return fmt.Errorf("credential: issue: certification %s has no expiry", c.ID)
	}
	u, err := s.users.LookupUser(ctx, c.UserID)
	if err != nil {
		return fmt.Errorf("credential: issue: %w", err)
	}
	client, err := s.clients.ClientByID(ctx, prog.ClientID)
	if err != nil {
		return fmt.Errorf("credential: issue: %w", err)
	}
	if err := clearRefresherDue(tx, c.ID); err != nil {
		return err
	}
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	cert := &Certificate{ID: uuid.NewString(), CertificationID: c.ID, UserID: c.UserID, ProgramID: c.ProgramID,
		ClientID: prog.ClientID, VerifyID: newVerifyID(), HolderName: holderName(u), ProgramName: prog.Name,
		ClientName: client.Name, IssuedAt: at.UTC().Truncate(time.Second), ExpiresAt: c.ExpiresAt.UTC(), Reason: reason,
		IdentitySalt: hex.EncodeToString(salt)}
	return insertCertificate(tx, cert)
}

// mayDownload decides who gets a certificate: its holder, and staff who see
// its client (trainers and supervisors of the client, compliance, admins).
func mayDownload(p *auth.Principal, c *Certificate) bool {
	return c.UserID == p.UserID || p.SeesAllClients() || (p.Is(auth.RoleTrainer, auth.RoleSupervisor) && p.MemberOf(c.ClientID))
}

func (s *Service) view(c *Certificate, now time.Time) View {
	return View{ID: c.ID, CertificationID: c.CertificationID, Number: c.Number, HolderName: c.HolderName,
		ProgramName: c.ProgramName, ClientName: c.ClientName, IssuedAt: c.IssuedAt, ExpiresAt: c.ExpiresAt,
		Status: c.StatusAt(now), VerificationURL: s.links.verify(c.VerifyID),
		PDF: "/api/v1/certificates/" + c.ID + "/pdf", Credential: "/api/v1/certificates/" + c.ID + "/credential"}
}

// Mine lists the signed-in user's certificates, newest first. Errors:
// unauthorized.
func (s *Service) Mine(ctx context.Context) ([]View, error) {
	p := auth.FromContext(ctx)
	if p == nil {
		return nil, apperr.E(apperr.Unauthorized, "sign in first")
	}
	return s.listFor(ctx, p, p.UserID)
}

// ForUser lists an agent's certificates that the caller's clients cover
// (trainers and supervisors: their clients'; compliance and admins: all).
// Errors: unauthorized, forbidden (agents), not_found (no such user).
func (s *Service) ForUser(ctx context.Context, userID string) ([]View, error) {
	p := auth.FromContext(ctx)
	if p == nil {
		return nil, apperr.E(apperr.Unauthorized, "sign in first")
	}
	if !p.SeesAllClients() && !p.Is(auth.RoleTrainer, auth.RoleSupervisor) {
		return nil, apperr.E(apperr.Forbidden, "only staff see other people's certificates")
	}
	if uuid.Validate(userID) != nil {
		return nil, apperr.NotFoundf("user")
	}
	if _, err := s.users.LookupUser(ctx, userID); err != nil {
		return nil, err
	}
	return s.listFor(ctx, p, userID)
}

func (s *Service) listFor(ctx context.Context, p *auth.Principal, userID string) ([]View, error) {
	cs, err := s.store.ListForUser(ctx, userID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := []View{}
	for i := range cs {
		if mayDownload(p, &cs[i]) {
			out = append(out, s.view(&cs[i], now))
		}
	}
	return out, nil
}

// find returns a certificate the caller may download. Errors:
// unauthorized, not_found (also for one the caller may not see).
func (s *Service) find(ctx context.Context, id string) (*auth.Principal, *Certificate, error) {
	p := auth.FromContext(ctx)
	if p == nil {
		return nil, nil, apperr.E(apperr.Unauthorized, "sign in first")
	}
	if uuid.Validate(id) != nil {
		return nil, nil, apperr.NotFoundf("certificate")
	}
	c, err := s.store.ByID(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if !mayDownload(p, c) {
		return nil, nil, apperr.NotFoundf("certificate")
	}
	return p, c, nil
}

// PDF renders a certificate for its holder or staff who see its client:
// the PDF and its certificate number. Errors: unauthorized, not_found.
func (s *Service) PDF(ctx context.Context, id string) ([]byte, string, error) {
	_, c, err := s.find(ctx, id)
	if err != nil {
		return nil, "", err
	}
	b, err := certificatePDF(c, s.opts.IssuerName, s.links.verify(c.VerifyID), s.now())
	if err != nil {
		return nil, "", err
	}
	return b, c.Number, nil
}

// Credential signs the certificate's OpenBadgeCredential as a VC-JWT, for
// its holder (to put in a wallet): the JWT and the certificate number.
// Errors: unauthorized, forbidden (staff: only the holder takes the
// credential), not_found, conflict (revoked: the credential would not verify).
func (s *Service) Credential(ctx context.Context, id string) (string, string, error) {
	p, c, err := s.find(ctx, id)
	if err != nil {
		return "", "", err
	}
	if c.UserID != p.UserID {
		return "", "", apperr.E(apperr.Forbidden, "only the holder downloads the wallet credential; staff download the PDF")
	}
	if c.RevokedAt != nil {
		return "", "", apperr.E(apperr.Conflict, "certificate %s is revoked", c.Number)
	}
	u, err := s.users.LookupUser(ctx, c.UserID)
	if err != nil {
		return "", "", err
	}
	keys, err := s.Keys(ctx)
	if err != nil {
		return "", "", err
	}
	jwt, err := keys.Sign(TypJWT, CtyVC, buildCredential(s.links, s.opts.IssuerName, c, u.Email, s.now()))
	if err != nil {
		return "", "", err
	}
	return jwt, c.Number, nil
}

// Verify answers the public verification page: the holder's name, the
// program and client, the dates and the status as of now, and nothing
// else. An id that is not well formed is refused without reading the
// database. Errors: not_found.
func (s *Service) Verify(ctx context.Context, verifyID string) (*Verification, error) {
	if !wellFormed(verifyID) {
		return nil, apperr.NotFoundf("certificate")
	}
	c, err := s.store.ByVerifyID(ctx, verifyID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	return &Verification{HolderName: c.HolderName, ProgramName: c.ProgramName, ClientName: c.ClientName,
		IssuedAt: c.IssuedAt, ExpiresAt: c.ExpiresAt, Status: c.StatusAt(now), CheckedAt: now}, nil
}

// StatusList signs status list n (a BitstringStatusListCredential as a
// VC-JWT) as of now. Errors: not_found (no certificate has an index in it).
func (s *Service) StatusList(ctx context.Context, n int64) (string, error) {
	max, err := s.store.MaxStatusIndex(ctx)
	if err != nil {
		return "", err
	}
	if n < 0 || n > 0 && max < n*StatusListSize {
		return "", apperr.NotFoundf("status list")
	}
	now := s.now()
	from := n * StatusListSize
	set, err := s.store.SetBits(ctx, from, from+StatusListSize, now)
	if err != nil {
		return "", err
	}
	for i := range set {
		set[i] -= from
	}
	cred, err := buildStatusList(s.links, n, set, now)
	if err != nil {
		return "", err
	}
	keys, err := s.Keys(ctx)
	if err != nil {
		return "", err
	}
	return keys.Sign(TypJWT, CtyVC, cred)
}

// Issuer is the issuer's Open Badges Profile.
func (s *Service) Issuer() Profile {
	return Profile{Context: []string{ContextVC, ContextOB3}, ID: s.links.issuer(), Type: []string{"Profile"},
		Name: s.opts.IssuerName, URL: s.links.base}
}

// JWKS is the issuer's published keys.
func (s *Service) JWKS(ctx context.Context) (JWKS, error) {
	keys, err := s.Keys(ctx)
	if err != nil {
		return JWKS{}, err
	}
	return keys.JWKS(), nil
}
