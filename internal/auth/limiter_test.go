package auth

import (
	"fmt"
	"testing"
	"time"
)

func TestFailureLimiter(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	type step struct {
		op   string // "acquire", "release", "reset"
		key  string
		at   time.Duration // after t0
		wait time.Duration // for acquire: the expected wait (0: allowed)
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"three allowed then blocked until the first leaves the window", []step{
			{"acquire", "k", 0, 0},
			{"acquire", "k", time.Minute, 0},
			{"acquire", "k", 2 * time.Minute, 0},
			{"acquire", "k", 3 * time.Minute, 7 * time.Minute},
			{"acquire", "k", 10*time.Minute - time.Second, time.Second},
			{"acquire", "k", 10 * time.Minute, 0},
			{"acquire", "k", 10*time.Minute + time.Second, 59 * time.Second},
		}},
		{"keys are independent", []step{
			{"acquire", "a", 0, 0}, {"acquire", "a", 0, 0}, {"acquire", "a", 0, 0},
			{"acquire", "a", 0, 10 * time.Minute},
			{"acquire", "b", 0, 0},
		}},
		{"reset clears", []step{
			{"acquire", "k", 0, 0}, {"acquire", "k", 0, 0}, {"acquire", "k", 0, 0},
			{"reset", "k", 0, 0},
			{"acquire", "k", 0, 0},
		}},
		{"release uncounts one attempt", []step{
			{"acquire", "k", 0, 0}, {"acquire", "k", time.Second, 0}, {"acquire", "k", 2 * time.Second, 0},
			{"release", "k", 2 * time.Second, 0},
			{"acquire", "k", 3 * time.Second, 0},
			{"acquire", "k", 4 * time.Second, 10*time.Minute - 4*time.Second},
		}},
		{"a blocked attempt is not counted", []step{
			{"acquire", "k", 0, 0}, {"acquire", "k", 0, 0}, {"acquire", "k", 0, 0},
			{"acquire", "k", time.Minute, 9 * time.Minute},
			{"acquire", "k", 2 * time.Minute, 8 * time.Minute},
			{"acquire", "k", 10 * time.Minute, 0},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := newFailureLimiter(3, 10*time.Minute, 100)
			for i, s := range tc.steps {
				now := t0.Add(s.at)
				switch s.op {
				case "acquire":
					if got := l.acquire(s.key, now); got != s.wait {
						t.Fatalf("step %d: acquire(%s) at +%v = %v, want %v", i, s.key, s.at, got, s.wait)
					}
				case "release":
					l.release(s.key, now)
				case "reset":
					l.reset(s.key)
				}
			}
		})
	}
}

func TestFailureLimiterBounded(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	l := newFailureLimiter(2, time.Minute, 100)
	for i := range 10000 {
		l.acquire(fmt.Sprint("flood-", i), t0)
	}
	if n := l.len(); n != 100 {
		t.Fatalf("limiter remembers %d keys, want the bound 100", n)
	}
	// The most recent keys survive the flood.
	l.acquire("flood-9999", t0)
	if w := l.acquire("flood-9999", t0); w == 0 {
		t.Fatal("a recent key was evicted")
	}
	l.prune(t0.Add(time.Minute))
	if n := l.len(); n != 0 {
		t.Fatalf("after the window, prune left %d keys", n)
	}
}
