package credential

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The contexts and the schema an Open Badges 3.0 credential names.
const (
	ContextVC  = "https://www.w3.org/ns/credentials/v2"
	ContextOB3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
	SchemaOB3  = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)

// StatusListSize is how many certificates one status list holds: the
// Bitstring Status List's minimum (16 KiB of bits), for group privacy.
const StatusListSize = 131072

// The JOSE types of what is signed (VC-JOSE-COSE): a credential as a JWT,
// and its content type.
const (
	TypJWT = "vc+jwt"
	CtyVC  = "vc"
)

// links makes Skillgate's public addresses from its base URL.
type links struct{ base string }

func (l links) verify(verifyID string) string { return l.base + "/verify/" + verifyID }
func (l links) issuer() string                { return l.base + "/api/v1/credentials/issuer" }
func (l links) statusList(n int64) string {
	return l.base + "/api/v1/credentials/status/" + strconv.FormatInt(n, 10)
}

// Profile is the issuer (Open Badges Profile).
type Profile struct {
	Context []string `json:"@context,omitempty"`
	ID      string   `json:"id"`
	Type    []string `json:"type"`
	Name    string   `json:"name"`
	URL     string   `json:"url,omitempty"`
}

// IdentityObject names the credential's subject (Open Badges IdentityObject).
type IdentityObject struct {
	Type         string `json:"type"`
	IdentityHash string `json:"identityHash"`
	IdentityType string `json:"identityType"`
	Hashed       bool   `json:"hashed"`
	Salt         string `json:"salt,omitempty"`
}

// Criteria says how the achievement is earned.
type Criteria struct {
	Narrative string `json:"narrative"`
}

// Achievement is what was earned: the program's certification.
type Achievement struct {
	ID              string   `json:"id"`
	Type            []string `json:"type"`
	AchievementType string   `json:"achievementType"`
	Name            string   `json:"name"`
	Description     string   `json:"description"`
	Criteria        Criteria `json:"criteria"`
	Creator         *Profile `json:"creator,omitempty"`
}

// AchievementSubject is who earned it.
type AchievementSubject struct {
	Type        []string         `json:"type"`
	Identifier  []IdentityObject `json:"identifier"`
	Achievement Achievement      `json:"achievement"`
}

// StatusEntry is the credential's BitstringStatusListEntry.
type StatusEntry struct {
	ID                   string `json:"id"`
	Type                 string `json:"type"`
	StatusPurpose        string `json:"statusPurpose"`
	StatusListIndex      string `json:"statusListIndex"`
	StatusListCredential string `json:"statusListCredential"`
}

// Schema is a credentialSchema entry.
type Schema struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

// OpenBadgeCredential is the credential, with the JWT claims VC-JOSE-COSE
// allows beside it (iss, jti, nbf, exp, iat), which repeat and never
// contradict its properties.
type OpenBadgeCredential struct {
	Context           []string           `json:"@context"`
	ID                string             `json:"id"`
	Type              []string           `json:"type"`
	Name              string             `json:"name"`
	Description       string             `json:"description"`
	Issuer            Profile            `json:"issuer"`
	ValidFrom         string             `json:"validFrom"`
	ValidUntil        string             `json:"validUntil"`
	CredentialSubject AchievementSubject `json:"credentialSubject"`
	CredentialStatus  StatusEntry        `json:"credentialStatus"`
	CredentialSchema  []Schema           `json:"credentialSchema"`
	Iss               string             `json:"iss"`
	Jti               string             `json:"jti"`
	Nbf               int64              `json:"nbf"`
	Exp               int64              `json:"exp"`
	Iat               int64              `json:"iat"`
}

// dateTime is the XML Schema dateTime with a Z that VC 2.0 wants.
func dateTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// identityHash is Open Badges' salted hash of an identity: sha256$<hex>.
func identityHash(value, salt string) string {
	sum := sha256.Sum256([]byte(value + salt))
	return "sha256$" + hex.EncodeToString(sum[:])
}

// buildCredential is the certificate's OpenBadgeCredential, signed at now.
func buildCredential(l links, issuerName string, c *Certificate, email string, now time.Time) *OpenBadgeCredential {
	issuer := Profile{ID: l.issuer(), Type: []string{"Profile"}, Name: issuerName, URL: l.base}
	list, bit := c.StatusIndex/StatusListSize, c.StatusIndex%StatusListSize
	statusURL := l.statusList(list)
	id := l.verify(c.VerifyID)
	identifiers := []IdentityObject{{Type: "IdentityObject", IdentityType: "name", Hashed: false, IdentityHash: c.HolderName}}
	if email != "" {
		identifiers = append(identifiers, IdentityObject{Type: "IdentityObject", IdentityType: "emailAddress", Hashed: true,
			IdentityHash: identityHash(strings.ToLower(email), c.IdentitySalt), Salt: c.IdentitySalt})
	}
	name := fmt.Sprintf("%s — %s", c.ProgramName, c.ClientName)
	return &OpenBadgeCredential{
		Context:     []string{ContextVC, ContextOB3},
		ID:          id,
		Type:        []string{"VerifiableCredential", "OpenBadgeCredential"},
		Name:        name,
		Description: fmt.Sprintf("Certificate %s: %s is certified for %s, a program of %s.", c.Number, c.HolderName, c.ProgramName, c.ClientName),
		Issuer:      issuer,
		ValidFrom:   dateTime(c.IssuedAt),
		ValidUntil:  dateTime(c.ExpiresAt),
		CredentialSubject: AchievementSubject{
			Type:       []string{"AchievementSubject"},
			Identifier: identifiers,
			Achievement: Achievement{
				ID: "urn:uuid:" + c.ProgramID, Type: []string{"Achievement"}, AchievementType: "Certification",
				Name:        name,
				Description: fmt.Sprintf("Certified to take contacts for %s (%s) at a contact center that trains with %s.", c.ProgramName, c.ClientName, issuerName),
				Criteria: Criteria{Narrative: "Read every module the program requires, passed its quizzes and role-plays " +
					"(signed off by a supervisor where the program asks), and keeps the certification current with refreshers."},
				Creator: &Profile{ID: issuer.ID, Type: issuer.Type, Name: issuer.Name},
			},
		},
		CredentialStatus: StatusEntry{ID: statusURL + "#" + strconv.FormatInt(bit, 10), Type: "BitstringStatusListEntry",
			StatusPurpose: "revocation", StatusListIndex: strconv.FormatInt(bit, 10), StatusListCredential: statusURL},
		CredentialSchema: []Schema{{ID: SchemaOB3, Type: "1EdTechJsonSchemaValidator2019"}},
		Iss:              issuer.ID,
		Jti:              id,
		Nbf:              c.IssuedAt.Unix(),
		Exp:              c.ExpiresAt.Unix(),
		Iat:              now.Unix(),
	}
}

// StatusListSubject is the status list itself (BitstringStatusList).
type StatusListSubject struct {
	ID            string `json:"id"`
	Type          string `json:"type"`
	StatusPurpose string `json:"statusPurpose"`
	EncodedList   string `json:"encodedList"`
}

// StatusListCredential is a BitstringStatusListCredential, with its JWT claims.
type StatusListCredential struct {
	Context           []string          `json:"@context"`
	ID                string            `json:"id"`
	Type              []string          `json:"type"`
	Issuer            string            `json:"issuer"`
	ValidFrom         string            `json:"validFrom"`
	CredentialSubject StatusListSubject `json:"credentialSubject"`
	Iss               string            `json:"iss"`
	Jti               string            `json:"jti"`
	Iat               int64             `json:"iat"`
	Nbf               int64             `json:"nbf"`
}

// encodeList is the Bitstring Status List encoding of the set bits (each
// an index within the list): StatusListSize bits, index 0 the left-most bit
// of the first byte, GZIP-compressed, multibase base64url ("u" prefix).
func encodeList(set []int64) (string, error) {
	bits := make([]byte, StatusListSize/8)
	for _, i := range set {
		if i < 0 || i >= StatusListSize {
			return "", fmt.Errorf("credential: status bit %d out of range", i)
		}
		bits[i/8] |= 0x80 >> (i % 8)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(bits); err != nil {
		return "", err
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	return "u" + b64.EncodeToString(buf.Bytes()), nil
}

func buildStatusList(l links, list int64, set []int64, now time.Time) (*StatusListCredential, error) {
	enc, err := encodeList(set)
	if err != nil {
		return nil, err
	}
	url := l.statusList(list)
	return &StatusListCredential{
		Context: []string{ContextVC}, ID: url, Type: []string{"VerifiableCredential", "BitstringStatusListCredential"},
		Issuer: l.issuer(), ValidFrom: dateTime(now),
		CredentialSubject: StatusListSubject{ID: url + "#list", Type: "BitstringStatusList", StatusPurpose: "revocation", EncodedList: enc},
		Iss:               l.issuer(), Jti: url, Iat: now.Unix(), Nbf: now.Unix(),
	}, nil
}
