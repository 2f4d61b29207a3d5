package credential

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/clock"
	"github.com/skillgate/skillgate/server/internal/testdb"
)

func key(b byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{b}, ed25519.SeedSize))
}

// After a rotation the old key stays published, so what it signed still
// verifies with an independent library from the published set alone.
func TestRotationKeepsOldCredentialsVerifying(t *testing.T) {
	old, cur := key(1), key(2)
	before := NewKeys(old, nil)
	token, err := before.Sign(TypJWT, CtyVC, map[string]string{"id": "urn:example:1"})
	if err != nil {
		t.Fatal(err)
	}
	after := NewKeys(cur, []ed25519.PublicKey{old.Public().(ed25519.PublicKey), cur.Public().(ed25519.PublicKey)})
	set := after.JWKS()
	if len(set.Keys) != 2 || set.Keys[0].Kid != KeyID(cur.Public().(ed25519.PublicKey)) {
		t.Fatalf("published: got %+v, want the signing key first and the retired one (once each)", set.Keys)
	}
	raw, _ := json.Marshal(set)
	var jset jose.JSONWebKeySet
	if err := json.Unmarshal(raw, &jset); err != nil {
		t.Fatal(err)
	}
	for name, tok := range map[string]string{"signed before": token, "signed after": mustSign(t, after)} {
		jws, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.EdDSA})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		keys := jset.Key(jws.Signatures[0].Header.KeyID)
		if len(keys) != 1 {
			t.Fatalf("%s: kid %q found %d times", name, jws.Signatures[0].Header.KeyID, len(keys))
		}
		if _, err := jws.Verify(keys[0]); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	// Without the retired key, the old credential no longer verifies.
	if k := NewKeys(cur, nil).JWKS(); len(k.Keys) != 1 || k.Keys[0].Kid == KeyID(old.Public().(ed25519.PublicKey)) {
		t.Errorf("without retired keys: got %+v", k.Keys)
	}
}

func mustSign(t *testing.T, k *Keys) string {
	t.Helper()
	s, err := k.Sign(TypJWT, CtyVC, map[string]string{"id": "urn:example:2"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestKeysParseWhatTheyWrite(t *testing.T) {
	k := key(3)
	priv, err := MarshalPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := MarshalPublicKey(k.Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParsePrivateKey(priv)
	if err != nil || !got.Equal(k) {
		t.Errorf("private key: got %v, %v", got, err)
	}
	pubs, err := ParsePublicKeys(pub + priv)
	if err != nil || len(pubs) != 2 || !pubs[0].Equal(k.Public()) || !pubs[1].Equal(k.Public()) {
		t.Errorf("public keys: got %d, %v", len(pubs), err)
	}
	for _, bad := range []string{"", "not pem", pub, priv + priv, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"} {
		if _, err := ParsePrivateKey(bad); err == nil {
			t.Errorf("ParsePrivateKey(%.30q): got no error", bad)
		}
	}
	// RFC 8037 appendix A.3: the thumbprint of its example key.
	x := []byte{0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe, 0xd3, 0xc9, 0x64, 0x07, 0x3a,
		0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6, 0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a}
	if got := KeyID(ed25519.PublicKey(x)); got != "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k" {
		t.Errorf("thumbprint: got %s, want RFC 8037's kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k", got)
	}
}

// Bit i is the i-th bit from the left of the uncompressed list.
func TestEncodeListBitOrder(t *testing.T) {
	enc, err := encodeList([]int64{0, 9, StatusListSize - 1})
	if err != nil {
		t.Fatal(err)
	}
	gz, err := b64.DecodeString(strings.TrimPrefix(enc, "u"))
	if err != nil || enc[0] != 'u' {
		t.Fatalf("multibase: %q, %v", enc[:1], err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	bits, _ := io.ReadAll(zr)
	if len(bits) != StatusListSize/8 || bits[0] != 0x80 || bits[1] != 0x40 || bits[len(bits)-1] != 0x01 {
		t.Errorf("got %d bytes starting %x %x ending %x, want 16384 bytes, 80 40 … 01", len(bits), bits[0], bits[1], bits[len(bits)-1])
	}
	if _, err := encodeList([]int64{StatusListSize}); err == nil {
		t.Error("an index past the list: got no error")
	}
}

// A malformed id is refused before the database: with the database gone,
// it is still not_found, while a well-formed one needs the database.
func TestVerifyRefusesMalformedIDsWithoutTheDatabase(t *testing.T) {
	g := testdb.New(t)
	sqlDB, err := g.DB()
	if err != nil {
		t.Fatal(err)
	}
	svc := NewService(g, nil, nil, clock.NewManual(time.Now()), Options{BaseURL: "https://x.example"})
	if err := sqlDB.Close(); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"", "abc", strings.Repeat("a", 25), strings.Repeat("a", 27), strings.Repeat("A", 26),
		strings.Repeat("8", 26), "aaaaaaaaaaaaaaaaaaaaaaaaa'", strings.Repeat("é", 13)} {
		if _, err := svc.Verify(context.Background(), id); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("Verify(%q): got %v, want not_found without the database", id, err)
		}
	}
	if _, err := svc.Verify(context.Background(), newVerifyID()); err == nil || apperr.Is(err, apperr.NotFound) {
		t.Errorf("a well-formed id: got %v, want the closed database's error", err)
	}
	if id := newVerifyID(); !wellFormed(id) {
		t.Errorf("newVerifyID() = %q is not well formed", id)
	}
}

func TestStatusAt(t *testing.T) {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	past, future := now.Add(-time.Hour), now.Add(time.Hour)
	cases := []struct {
		name string
		c    Certificate
		want Status
	}{
		{"current", Certificate{ExpiresAt: future}, Valid},
		{"refresher due", Certificate{ExpiresAt: future, RefresherDue: true}, RefresherDue},
		{"past its expiry", Certificate{ExpiresAt: now}, Expired},
		{"certification ended", Certificate{ExpiresAt: future, EndedAt: &past}, Expired},
		{"revoked, even when expired", Certificate{ExpiresAt: past, RevokedAt: &past, RefresherDue: true}, Revoked},
	}
	for _, tc := range cases {
		if got := tc.c.StatusAt(now); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.name, got, tc.want)
		}
	}
}
