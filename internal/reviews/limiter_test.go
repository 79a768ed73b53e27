package reviews

import (
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	l := newLimiter([]Window{{Limit: 5, Period: time.Minute}, {Limit: 20, Period: time.Hour}}, 100)
	steps := []struct {
		name     string
		key      string
		at       time.Duration
		wantWait time.Duration
	}{
		{"1st", "a", 0, 0},
		{"2nd", "a", time.Second, 0},
		{"3rd", "a", 2 * time.Second, 0},
		{"4th", "a", 3 * time.Second, 0},
		{"5th", "a", 4 * time.Second, 0},
		{"6th in the minute", "a", 5 * time.Second, 55 * time.Second},
		{"other client unaffected", "b", 5 * time.Second, 0},
		{"refusals are not counted", "a", 30 * time.Second, 30 * time.Second},
		{"after the first left the window", "a", 60500 * time.Millisecond, 0},
		{"but not the second", "a", 60800 * time.Millisecond, 200 * time.Millisecond},
	}
	for _, s := range steps {
		if got := l.allow(s.key, t0.Add(s.at)); got != s.wantWait {
			t.Fatalf("%s: wait %v, want %v", s.name, got, s.wantWait)
		}
	}
	// The hourly limit: 20 spread over the hour, then refused until the first leaves it.
	h := newLimiter([]Window{{Limit: 5, Period: time.Minute}, {Limit: 20, Period: time.Hour}}, 100)
	for i := range 20 {
		if w := h.allow("c", t0.Add(time.Duration(i)*2*time.Minute)); w != 0 {
			t.Fatalf("submission %d refused (%v)", i, w)
		}
	}
	if w := h.allow("c", t0.Add(40*time.Minute)); w != 20*time.Minute {
		t.Fatalf("21st within the hour: wait %v, want 20m", w)
	}
	if w := h.allow("c", t0.Add(60*time.Minute)); w != 0 {
		t.Fatalf("after the first left the hour: wait %v", w)
	}
}

func TestLimiterBoundsKeys(t *testing.T) {
	l := newLimiter([]Window{{Limit: 1, Period: time.Minute}}, 3)
	now := time.Now()
	for _, k := range []string{"a", "b", "c", "d"} {
		l.allow(k, now)
	}
	if len(l.byKey) != 3 || l.lru.Len() != 3 {
		t.Fatalf("%d keys remembered, want 3", len(l.byKey))
	}
	if _, ok := l.byKey["a"]; ok {
		t.Fatal("the least recent key was not evicted")
	}
}

func TestClientKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"203.0.113.7", "203.0.113.7"},
		{"::ffff:203.0.113.7", "203.0.113.7"},
		{"2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"},
		{"2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"},
		{"not-an-ip", "not-an-ip"},
	}
	for _, tc := range tests {
		if got := clientKey(tc.in); got != tc.want {
			t.Errorf("clientKey(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
