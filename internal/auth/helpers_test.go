package auth

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
)

// asError is errors.As with a shorter name for the tables.
func asError(err error, target any) bool { return errors.As(err, target) }

// testClock is a settable clock.
type testClock struct {
	mu  sync.Mutex
	now time.Time
	// step, if set, passes on every reading: time that goes by while the code runs.
	step time.Duration
}

func newTestClock() *testClock {
	return &testClock{now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(c.step)
	return c.now
}

// StepEachReading makes d pass on every reading of the clock from now on.
func (c *testClock) StepEachReading(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.step = d
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// MustKeySet returns a new one-key KeySet.
func MustKeySet(tb testing.TB) *KeySet {
	tb.Helper()
	ks, err := GenerateKeySet()
	if err != nil {
		tb.Fatal(err)
	}
	return ks
}

// MustIssuer returns a TokenIssuer with issuer "test-iss", audience "test-aud" and a 15
// minute access lifetime.
func MustIssuer(tb testing.TB, ks *KeySet, clock cms.Clock) *TokenIssuer {
	tb.Helper()
	ti, err := NewTokenIssuer(ks, "test-iss", "test-aud", 15*time.Minute, clock)
	if err != nil {
		tb.Fatal(err)
	}
	return ti
}

// wantCode fails unless err is a *cms.Error with code and, if msg is not empty, that public
// message.
func wantCode(tb testing.TB, err error, code cms.Code, msg string) *cms.Error {
	tb.Helper()
	var e *cms.Error
	if !errors.As(err, &e) {
		tb.Fatalf("err = %v (%T), want a *cms.Error with code %s", err, err, code)
	}
	if e.Code != code {
		tb.Fatalf("code = %s (%v), want %s", e.Code, err, code)
	}
	if msg != "" && e.Message != msg {
		tb.Fatalf("message = %q, want %q", e.Message, msg)
	}
	return e
}
