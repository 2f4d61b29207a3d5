// Package testwait waits in tests for something to happen, never for time
// to pass. Until checks a condition until it holds and fails the test only
// when it still does not hold after Deadline: far longer than any busy
// machine needs, so only a run that is truly stuck fails.
package testwait

import (
	"testing"
	"time"
)

// Deadline is how long Until waits before it calls the run stuck.
const Deadline = 2 * time.Minute

// every is how often Until checks its condition.
const every = 5 * time.Millisecond

// Until calls done until it returns true, and fails t naming what it
// waited for when Deadline passes first. It returns how long it waited.
func Until(t testing.TB, what string, done func() bool) time.Duration {
	t.Helper()
	if d, ok := Within(Deadline, done); ok {
		return d
	}
	t.Fatalf("waited %s for %s: the run is stuck", Deadline, what)
	return 0
}

// Within calls done until it returns true or limit passes, and reports how
// long that took and whether done held. For tests whose subject is a time
// bound of the code itself (a request that must fail fast); waiting for an
// event uses Until.
func Within(limit time.Duration, done func() bool) (time.Duration, bool) {
	t0 := time.Now()
	tick := time.NewTicker(every)
	defer tick.Stop()
	timeout := time.NewTimer(limit)
	defer timeout.Stop()
	for !done() {
		select {
		case <-tick.C:
		case <-timeout.C:
			return time.Since(t0), done()
		}
	}
	return time.Since(t0), true
}
