package auth

import (
	"container/list"
	"slices"
	"sync"
	"time"
)

// failureLimiter counts failed attempts per key (an email or a client address) in a sliding
// window and blocks a key that reached the limit until its oldest counted failure leaves the
// window. Attempts are counted when they start (acquire) and uncounted if they succeed
// (release or reset), so concurrent guesses cannot all pass the check before any fails.
// It remembers at most maxKeys keys, evicting the least recently attempted one, so a flood of
// distinct keys costs bounded memory. The cost of that bound: a flood of more than maxKeys
// distinct keys within one window can push a key out early and so reset its count; the other
// limiter (address or account) and the argon2 cost of every attempt still apply. It is safe for
// concurrent use.
type failureLimiter struct {
	limit   int
	window  time.Duration
	maxKeys int

	mu    sync.Mutex
	byKey map[string]*list.Element // values are *failureLog
	lru   *list.List               // front: most recent attempt
}

// failureLog is one key's recent attempts, oldest first; it never holds more than limit.
type failureLog struct {
	key   string
	times []time.Time
}

func newFailureLimiter(limit int, window time.Duration, maxKeys int) *failureLimiter {
	return &failureLimiter{
		limit:   limit,
		window:  window,
		maxKeys: maxKeys,
		byKey:   make(map[string]*list.Element),
		lru:     list.New(),
	}
}

// acquire counts an attempt for key at now and returns 0, or, if key already has limit
// attempts inside the window, counts nothing and returns how long until it may try again.
// Counting and checking happen under one lock, so concurrent attempts cannot all slip in.
func (l *failureLimiter) acquire(key string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.byKey[key]
	if !ok {
		for l.lru.Len() >= l.maxKeys {
			oldest := l.lru.Back()
			delete(l.byKey, oldest.Value.(*failureLog).key)
			l.lru.Remove(oldest)
		}
		l.byKey[key] = l.lru.PushFront(&failureLog{key: key, times: []time.Time{now}})
		return 0
	}
	fl := e.Value.(*failureLog)
	fl.times = l.inWindow(fl.times, now)
	if len(fl.times) >= l.limit {
		return fl.times[len(fl.times)-l.limit].Add(l.window).Sub(now)
	}
	fl.times = append(fl.times, now)
	l.lru.MoveToFront(e)
	return 0
}

// release uncounts one attempt that acquire counted at now, when it was not a failure.
func (l *failureLimiter) release(key string, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.byKey[key]
	if !ok {
		return
	}
	fl := e.Value.(*failureLog)
	for i := len(fl.times) - 1; i >= 0; i-- {
		if fl.times[i].Equal(at) {
			fl.times = slices.Delete(fl.times, i, i+1)
			break
		}
	}
	if len(fl.times) == 0 {
		delete(l.byKey, key)
		l.lru.Remove(e)
	}
}

// reset forgets key's failures.
func (l *failureLimiter) reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.byKey[key]; ok {
		delete(l.byKey, key)
		l.lru.Remove(e)
	}
}

// prune drops keys with no attempt left inside the window, for the periodic sweep. It scans
// every key: at most maxKeys, a few milliseconds at worst, once per sweep.
func (l *failureLimiter) prune(now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for e := l.lru.Front(); e != nil; {
		next := e.Next()
		fl := e.Value.(*failureLog)
		if fl.times = l.inWindow(fl.times, now); len(fl.times) == 0 {
			delete(l.byKey, fl.key)
			l.lru.Remove(e)
		}
		e = next
	}
}

// len returns the number of keys remembered.
func (l *failureLimiter) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lru.Len()
}

// inWindow drops the attempts that are no longer inside the window ending at now.
func (l *failureLimiter) inWindow(times []time.Time, now time.Time) []time.Time {
	cut := now.Add(-l.window)
	i := 0
	for i < len(times) && !times[i].After(cut) {
		i++
	}
	return times[i:]
}
