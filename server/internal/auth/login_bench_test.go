package auth_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/skillgate/skillgate/server/internal/apitest"
	"github.com/skillgate/skillgate/server/internal/apperr"
	"github.com/skillgate/skillgate/server/internal/audit"
	"github.com/skillgate/skillgate/server/internal/auth"
)

// BenchmarkLoginTiming signs in b.N times with an unknown email and b.N
// times with a known email and a wrong password, alternating, through the
// real service and database, and prints both medians side by side: they
// must stay close (an unknown email is checked against a dummy argon2id
// hash and its failure audited like a wrong password's), so a regression
// that lets a caller tell which emails exist shows here. Run it with, e.g.:
// go test -run '^$' -bench LoginTiming -benchtime 30x ./server/internal/auth
func BenchmarkLoginTiming(b *testing.B) {
	env := apitest.New(b)
	ctx := context.Background()
	if _, err := env.App.Auth.CreateUserAs(ctx, audit.System("bench"), auth.CreateUserInput{
		Email: "known@bench.test", Role: auth.RoleAgent, Password: testPassword,
	}); err != nil {
		b.Fatal(err)
	}
	login := func(email string) time.Duration {
		// Past the throttle window each time, so no attempt is throttled.
		env.Clock.Advance(time.Hour)
		t0 := time.Now()
		_, err := env.App.Auth.Login(ctx, auth.LoginInput{Email: email, Password: "not-the-password-42", ClientIP: "192.0.2.1"})
		took := time.Since(t0)
		if !apperr.Is(err, apperr.Unauthorized) {
			b.Fatalf("login %s: got %v, want unauthorized", email, err)
		}
		return took
	}
	var unknown, wrong []time.Duration
	b.ResetTimer()
	for i := range b.N {
		// Alternate which goes first, so drift in the machine's load
		// falls on both alike; the first unknown email makes the dummy.
		if i%2 == 0 {
			unknown = append(unknown, login(fmt.Sprintf("nobody%d@bench.test", i)))
			wrong = append(wrong, login("known@bench.test"))
		} else {
			wrong = append(wrong, login("known@bench.test"))
			unknown = append(unknown, login(fmt.Sprintf("nobody%d@bench.test", i)))
		}
	}
	b.StopTimer()
	slices.Sort(unknown)
	slices.Sort(wrong)
	mu, mw := unknown[len(unknown)/2], wrong[len(wrong)/2]
	fmt.Printf("\nLogin timing, %d sign-ins each (argon2id %+v):\n| unknown email median | wrong password median | ratio |\n|---|---|---|\n| %.1f ms | %.1f ms | %.2f |\n",
		b.N, auth.DefaultArgon2, ms(mu), ms(mw), float64(mu)/float64(mw))
	b.ReportMetric(ms(mu), "unknown-email-median-ms")
	b.ReportMetric(ms(mw), "wrong-password-median-ms")
	// Far apart only when the work differs (skipping the hash for an
	// unknown email makes it about 20 times faster); closer differences are
	// this shared machine's noise, which the printed medians show.
	if r := float64(mu) / float64(mw); b.N >= 30 && (r < 0.67 || r > 1.5) {
		b.Errorf("unknown email median %s vs wrong password %s: want them within a factor of 1.5", mu, mw)
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
