package credential

import (
	"testing"
	"time"
)

// BenchmarkCertificatePDF is one certificate rendered (the PDF endpoint's
// work past its one read).
func BenchmarkCertificatePDF(b *testing.B) {
	c := &Certificate{Number: "SG-2026-000042", HolderName: "Dana Whitfield", ProgramName: "Card services, inbound voice",
		ClientName: "Fenmore Bank", IssuedAt: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), ExpiresAt: time.Date(2027, 3, 2, 9, 0, 0, 0, time.UTC)}
	for b.Loop() {
		if _, err := certificatePDF(c, "Skillgate", "https://skillgate.example.com/verify/cninsbuyuzdn3lk7yddh7uvrxi", c.IssuedAt); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStatusList is one status list built and signed with 1,000 bits
// set (the status endpoint's work past its one read).
func BenchmarkStatusList(b *testing.B) {
	set := make([]int64, 1000)
	for i := range set {
		set[i] = int64(i * 131)
	}
	keys := NewKeys(key(9), nil)
	l := links{"https://skillgate.example.com"}
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for b.Loop() {
		cred, err := buildStatusList(l, 0, set, now)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := keys.Sign(TypJWT, CtyVC, cred); err != nil {
			b.Fatal(err)
		}
	}
}
