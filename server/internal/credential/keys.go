package credential

import (
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
)

// b64 is base64url without padding, as JOSE writes it.
var b64 = base64.RawURLEncoding

// JWK is an Ed25519 public key as a JSON Web Key (RFC 8037).
type JWK struct {
	Kty string `json:"kty"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Kid string `json:"kid"`
	Alg string `json:"alg"`
	Use string `json:"use"`
}

// JWKS is a JSON Web Key Set.
type JWKS struct {
	Keys []JWK `json:"keys"`
}

// KeyID is the key's RFC 7638 thumbprint: base64url(SHA-256) of the
// required members of its JWK, in lexical order.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256([]byte(`{"crv":"Ed25519","kty":"OKP","x":"` + b64.EncodeToString(pub) + `"}`))
	return b64.EncodeToString(sum[:])
}

func jwkOf(pub ed25519.PublicKey) JWK {
	return JWK{Kty: "OKP", Crv: "Ed25519", X: b64.EncodeToString(pub), Kid: KeyID(pub), Alg: "EdDSA", Use: "sig"}
}

// Keys are the issuer's keys: the one that signs, and the retired ones
// whose public halves stay published so credentials they signed still
// verify.
type Keys struct {
	signing ed25519.PrivateKey
	retired []ed25519.PublicKey
}

// NewKeys returns the key set that signs with signing and also publishes
// retired (a retired key equal to the signing key is published once).
func NewKeys(signing ed25519.PrivateKey, retired []ed25519.PublicKey) *Keys {
	return &Keys{signing: signing, retired: retired}
}

// KeyID is the signing key's id.
func (k *Keys) KeyID() string { return KeyID(k.signing.Public().(ed25519.PublicKey)) }

// JWKS is every published key, the signing key first.
func (k *Keys) JWKS() JWKS {
	out := JWKS{Keys: []JWK{jwkOf(k.signing.Public().(ed25519.PublicKey))}}
	seen := map[string]bool{out.Keys[0].Kid: true}
	for _, pub := range k.retired {
		if j := jwkOf(pub); !seen[j.Kid] {
			seen[j.Kid] = true
			out.Keys = append(out.Keys, j)
		}
	}
	return out
}

// Sign returns the compact JWS (a JWT) of payload with the signing key:
// header {alg: EdDSA, kid, typ, cty when not ""}.
func (k *Keys) Sign(typ, cty string, payload any) (string, error) {
	h := map[string]string{"alg": "EdDSA", "kid": k.KeyID(), "typ": typ}
	if cty != "" {
		h["cty"] = cty
	}
	hb, err := json.Marshal(h)
	if err != nil {
		return "", err
	}
	pb, err := json.Marshal(payload)
	if err != nil {
		return "", fmt.Errorf("credential: sign: %w", err)
	}
	input := b64.EncodeToString(hb) + "." + b64.EncodeToString(pb)
	sig := ed25519.Sign(k.signing, []byte(input))
	return input + "." + b64.EncodeToString(sig), nil
}

// ParsePrivateKey reads an Ed25519 private key: PEM "PRIVATE KEY" (PKCS #8,
// what `openssl genpkey -algorithm ed25519` writes).
func ParsePrivateKey(text string) (ed25519.PrivateKey, error) {
	keys, err := parsePEM(text, true)
	if err != nil {
		return nil, err
	}
	if len(keys) != 1 || keys[0].priv == nil {
		return nil, errors.New("want exactly one PEM PRIVATE KEY block (an Ed25519 key, PKCS #8)")
	}
	return keys[0].priv, nil
}

// ParsePublicKeys reads one or more Ed25519 keys in PEM: "PUBLIC KEY"
// blocks (PKIX, `openssl pkey -pubout`) or "PRIVATE KEY" blocks, of which
// only the public half is kept.
func ParsePublicKeys(text string) ([]ed25519.PublicKey, error) {
	keys, err := parsePEM(text, false)
	if err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return nil, errors.New("no PEM block found")
	}
	out := make([]ed25519.PublicKey, len(keys))
	for i, k := range keys {
		out[i] = k.pub
	}
	return out, nil
}

type parsedKey struct {
	priv ed25519.PrivateKey
	pub  ed25519.PublicKey
}

func parsePEM(text string, privateOnly bool) ([]parsedKey, error) {
	var out []parsedKey
	rest := []byte(text)
	for n := 1; ; n++ {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		switch b.Type {
		case "PRIVATE KEY":
			k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
			if err != nil {
				return nil, fmt.Errorf("PEM block %d: %v", n, err)
			}
			priv, ok := k.(ed25519.PrivateKey)
			if !ok {
				return nil, fmt.Errorf("PEM block %d: not an Ed25519 key (%T)", n, k)
			}
			out = append(out, parsedKey{priv: priv, pub: priv.Public().(ed25519.PublicKey)})
		case "PUBLIC KEY":
			if privateOnly {
				return nil, fmt.Errorf("PEM block %d: a PUBLIC KEY, want the PRIVATE KEY", n)
			}
			k, err := x509.ParsePKIXPublicKey(b.Bytes)
			if err != nil {
				return nil, fmt.Errorf("PEM block %d: %v", n, err)
			}
			pub, ok := k.(ed25519.PublicKey)
			if !ok {
				return nil, fmt.Errorf("PEM block %d: not an Ed25519 key (%T)", n, k)
			}
			out = append(out, parsedKey{pub: pub})
		default:
			return nil, fmt.Errorf("PEM block %d: type %q, want PRIVATE KEY or PUBLIC KEY", n, b.Type)
		}
	}
	return out, nil
}

// MarshalPrivateKey writes key as PEM PKCS #8, the form ParsePrivateKey reads.
func MarshalPrivateKey(key ed25519.PrivateKey) (string, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", err
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), nil
}

// MarshalPublicKey writes key as PEM PKIX, for CREDENTIAL_RETIRED_KEYS.
func MarshalPublicKey(key ed25519.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(key)
	if err != nil {
		return "", err
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})), nil
}
