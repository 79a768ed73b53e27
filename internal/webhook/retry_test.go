package webhook

import (
	"testing"
	"time"
)

func TestRetryPolicy(t *testing.T) {
	p := DefaultRetryPolicy()
	tests := []struct {
		n    int
		want time.Duration
	}{
		{1, 2 * time.Second},
		{2, 4 * time.Second},
		{3, 8 * time.Second},
		{11, 2048 * time.Second},
		{12, time.Hour},
		{40, time.Hour},
	}
	for _, tc := range tests {
		if got := p.Ceiling(tc.n); got != tc.want {
			t.Errorf("Ceiling(%d) = %v, want %v", tc.n, got, tc.want)
		}
	}
	if d := p.Delay(3, 0.5); d != 4*time.Second {
		t.Errorf("Delay(3, 0.5) = %v", d)
	}
	if d := p.Delay(3, 0); d != 0 {
		t.Errorf("Delay(3, 0) = %v", d)
	}
	for range 1000 {
		if r := jitter(); r < 0 || r >= 1 {
			t.Fatalf("jitter %v out of [0,1)", r)
		}
	}
	z := RetryPolicy{}.withDefaults()
	if z != DefaultRetryPolicy() {
		t.Errorf("zero policy defaults to %+v", z)
	}
	small := RetryPolicy{Base: time.Millisecond, Factor: 2, Cap: 10 * time.Millisecond, MaxAttempts: 3}.withDefaults()
	if small.Ceiling(10) != 10*time.Millisecond || small.MaxAttempts != 3 {
		t.Errorf("small policy %+v", small)
	}
}
