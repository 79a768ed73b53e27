package webhook

import (
	"math/rand/v2"
	"time"
)

// RetryPolicy is the retry schedule: after the n-th failed attempt the next one waits a
// random time in [0, min(Cap, Base·Factor^(n-1))) ("full jitter", so receivers that failed
// together are not hit together again), and after MaxAttempts attempts the delivery is
// marked failed.
type RetryPolicy struct {
	Base        time.Duration
	Factor      float64
	Cap         time.Duration
	MaxAttempts int
}

// DefaultRetryPolicy returns the production schedule: base 2 s, factor 2, cap 1 h, 12
// attempts (the ceilings add up to about 3 h 8 min; with full jitter the expected time to
// the last attempt is about half of that).
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{Base: 2 * time.Second, Factor: 2, Cap: time.Hour, MaxAttempts: 12}
}

// withDefaults fills unset fields from DefaultRetryPolicy.
func (p RetryPolicy) withDefaults() RetryPolicy {
	d := DefaultRetryPolicy()
	if p.Base <= 0 {
		p.Base = d.Base
	}
	if p.Factor < 1 {
		p.Factor = d.Factor
	}
	if p.Cap <= 0 {
		p.Cap = d.Cap
	}
	if p.Cap < p.Base {
		p.Cap = p.Base
	}
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = d.MaxAttempts
	}
	return p
}

// Ceiling returns the upper bound of the wait after the n-th failed attempt (n ≥ 1).
func (p RetryPolicy) Ceiling(n int) time.Duration {
	c := float64(p.Base)
	for i := 1; i < n && c < float64(p.Cap); i++ {
		c *= p.Factor
	}
	return time.Duration(min(c, float64(p.Cap)))
}

// Delay returns the jittered wait after the n-th failed attempt, from r in [0, 1).
func (p RetryPolicy) Delay(n int, r float64) time.Duration {
	return time.Duration(r * float64(p.Ceiling(n)))
}

// jitter returns a uniform random number in [0, 1).
func jitter() float64 { return rand.Float64() }
