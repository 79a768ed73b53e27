package reviews

import (
	"container/list"
	"net/netip"
	"sync"
	"time"
)

// Window is one rate limit: at most Limit submissions per Period.
type Window struct {
	Limit  int
	Period time.Duration
}

// limiter counts accepted submissions per client key in sliding windows. It remembers at
// most maxKeys keys (least recently seen evicted first), so a flood of distinct addresses
// costs bounded memory. It is safe for concurrent use.
type limiter struct {
	windows []Window
	keep    time.Duration // the longest period
	maxKeys int

	mu    sync.Mutex
	byKey map[string]*list.Element // values are *clientLog
	lru   *list.List               // front: most recent
}

type clientLog struct {
	key   string
	times []time.Time // oldest first, within keep
}

func newLimiter(windows []Window, maxKeys int) *limiter {
	l := &limiter{windows: windows, maxKeys: maxKeys, byKey: map[string]*list.Element{}, lru: list.New()}
	for _, w := range windows {
		l.keep = max(l.keep, w.Period)
	}
	return l
}

// allow counts a submission by key at now and returns 0, or counts nothing and returns how
// long until key may submit again. Checking and counting happen under one lock.
func (l *limiter) allow(key string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.byKey[key]
	if !ok {
		for l.lru.Len() >= l.maxKeys {
			oldest := l.lru.Back()
			delete(l.byKey, oldest.Value.(*clientLog).key)
			l.lru.Remove(oldest)
		}
		e = l.lru.PushFront(&clientLog{key: key})
		l.byKey[key] = e
	}
	l.lru.MoveToFront(e)
	cl := e.Value.(*clientLog)
	cut := now.Add(-l.keep)
	i := 0
	for i < len(cl.times) && !cl.times[i].After(cut) {
		i++
	}
	cl.times = cl.times[i:]
	var wait time.Duration
	for _, w := range l.windows {
		from := now.Add(-w.Period)
		n, first := 0, -1
		for j := len(cl.times) - 1; j >= 0 && cl.times[j].After(from); j-- {
			n, first = n+1, j
		}
		if n >= w.Limit {
			// The oldest submission that keeps the count at the limit must leave the window.
			wait = max(wait, cl.times[first+n-w.Limit].Add(w.Period).Sub(now))
		}
	}
	if wait > 0 {
		return wait
	}
	cl.times = append(cl.times, now)
	return 0
}

// clientKey returns the rate-limit key of a client address: the address itself for IPv4,
// its /64 for IPv6 (one subscriber usually holds a whole /64).
func clientKey(addr string) string {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.WithZone("").Prefix(64)
		return p.String()
	}
	return a.String()
}
