package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/monograph-cms/monograph/internal/cms"
)

// Payload is the JSON body of every delivery. ID is the event's id, the same for every
// attempt and every webhook: receivers dedupe by it.
type Payload struct {
	ID         string    `json:"id"`
	Event      string    `json:"event"`
	Slug       string    `json:"slug"`
	Revision   int       `json:"revision"`
	OccurredAt time.Time `json:"occurredAt"`
}

// DispatcherConfig tunes the dispatcher; zero fields take the defaults in brackets.
type DispatcherConfig struct {
	// Retry is the retry schedule [DefaultRetryPolicy].
	Retry RetryPolicy
	// Timeout bounds one attempt: connect, TLS, request and answer [10 s].
	Timeout time.Duration
	// PollInterval is how often the outbox is looked at without a wake-up [1 s].
	PollInterval time.Duration
	// RescanInterval is how often pending deliveries are looked for when nothing is known
	// to be due (deliveries another process scheduled, or whose lease expired) [30 s].
	RescanInterval time.Duration
	// Lease is how long a claimed delivery is reserved for the claiming process; it must
	// exceed Timeout [Timeout + 20 s].
	Lease time.Duration
	// Concurrency is the number of attempts in flight at once [4].
	Concurrency int
	// OutboxRetention is how long fanned-out events stay in the outbox [24 h].
	OutboxRetention time.Duration
	// LogRetention is how long finished deliveries stay in the delivery log [30 days].
	LogRetention time.Duration
	// MaxResponseBytes is how much of an answer's body is read [4096].
	MaxResponseBytes int64
	// ReleaseLeasesAtStart frees every lease when Run starts: right only when this
	// process is the store's only user (the embedded store, whose data dir is locked), so
	// an attempt cut short by a crash is retried at once rather than after its lease.
	ReleaseLeasesAtStart bool
	// UserAgent is sent with every delivery [Monograph-Webhooks/1].
	UserAgent string
}

func (c DispatcherConfig) withDefaults() DispatcherConfig {
	c.Retry = c.Retry.withDefaults()
	if c.Timeout <= 0 {
		c.Timeout = 10 * time.Second
	}
	if c.PollInterval <= 0 {
		c.PollInterval = time.Second
	}
	if c.RescanInterval <= 0 {
		c.RescanInterval = 30 * time.Second
	}
	if c.Lease <= c.Timeout {
		c.Lease = c.Timeout + 20*time.Second
	}
	if c.Concurrency <= 0 {
		c.Concurrency = 4
	}
	if c.OutboxRetention <= 0 {
		c.OutboxRetention = 24 * time.Hour
	}
	if c.LogRetention <= 0 {
		c.LogRetention = 30 * 24 * time.Hour
	}
	if c.MaxResponseBytes <= 0 {
		c.MaxResponseBytes = 4096
	}
	if c.UserAgent == "" {
		c.UserAgent = "Monograph-Webhooks/1"
	}
	return c
}

// Dispatcher fans outbox events out to webhooks and sends the deliveries, with retries.
// Several processes may run one each on a shared MongoDB: a delivery is sent by the
// process that claimed its lease (Store.ClaimDelivery).
type Dispatcher struct {
	cfg    DispatcherConfig
	store  Store
	sealer *Sealer
	clock  cms.Clock
	client *http.Client
	log    *slog.Logger
	owner  string
	wake   chan struct{}
	// rand returns a number in [0, 1) for the jitter (replaceable in tests).
	rand func() float64
}

// NewDispatcher returns a Dispatcher sending through guard's checked HTTP client.
func NewDispatcher(cfg DispatcherConfig, store Store, sealer *Sealer, guard Guard, clock cms.Clock, log *slog.Logger) *Dispatcher {
	cfg = cfg.withDefaults()
	if clock == nil {
		clock = cms.SystemClock{}
	}
	if log == nil {
		log = slog.Default()
	}
	return &Dispatcher{
		cfg: cfg, store: store, sealer: sealer, clock: clock, log: log,
		client: guard.HTTPClient(cfg.Timeout), owner: cms.NewID(), wake: make(chan struct{}, 1), rand: jitter,
	}
}

// Wake asks the dispatcher to look at the outbox now (called after events were moved
// there). It never blocks.
func (d *Dispatcher) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run fans out and sends until ctx ends: at once when woken, otherwise every
// PollInterval for the outbox, and for pending deliveries when the earliest one is due
// or RescanInterval passed.
func (d *Dispatcher) Run(ctx context.Context) {
	if d.cfg.ReleaseLeasesAtStart {
		if err := d.store.ReleaseLeases(ctx); err != nil && ctx.Err() == nil {
			d.log.Error("webhooks: release leases", "error", err)
		}
	}
	var nextScan, lastPrune time.Time
	woken := true
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		n, events, err := d.fanOut(ctx)
		if err != nil && ctx.Err() == nil {
			d.log.Error("webhooks: fan-out", "error", err)
		}
		now := d.clock.Now()
		if woken || n > 0 || !now.Before(nextScan) {
			next, err := d.SendDue(ctx)
			if err != nil && ctx.Err() == nil {
				d.log.Error("webhooks: send", "error", err)
			}
			now = d.clock.Now()
			nextScan = now.Add(d.cfg.RescanInterval)
			if !next.IsZero() && next.Before(nextScan) {
				nextScan = next
			}
			woken = false
		}
		if now.Sub(lastPrune) > time.Hour {
			lastPrune = now
			if _, err := d.store.PruneOutbox(ctx, now.Add(-d.cfg.OutboxRetention)); err != nil && ctx.Err() == nil {
				d.log.Error("webhooks: prune outbox", "error", err)
			}
			if _, err := d.store.PruneDeliveries(ctx, now.Add(-d.cfg.LogRetention)); err != nil && ctx.Err() == nil {
				d.log.Error("webhooks: prune delivery log", "error", err)
			}
		}
		if events == outboxBatch && ctx.Err() == nil {
			// More events wait (a start after many publications, or many pages going live
			// at one time): take them now, not a batch per poll interval.
			continue
		}
		wait := d.cfg.PollInterval
		if until := nextScan.Sub(now); until < wait {
			wait = max(until, time.Millisecond)
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return
		case <-d.wake:
			woken = true
			timer.Stop() // Go ≥ 1.23 timers: no stale tick survives Stop or Reset
		case <-timer.C:
		}
	}
}

// FanOut turns outbox events into deliveries, one per subscribed webhook registered no
// later than the event happened, and marks the events fanned out. It returns the number
// of deliveries made. Replaying an event makes no second delivery (the `_id`s repeat).
func (d *Dispatcher) FanOut(ctx context.Context) (int, error) {
	n, _, err := d.fanOut(ctx)
	return n, err
}

// outboxBatch is how many outbox events one fan-out takes.
const outboxBatch = 100

// fanOut is FanOut, also returning how many outbox events it took: outboxBatch when more
// may be waiting.
func (d *Dispatcher) fanOut(ctx context.Context) (int, int, error) {
	events, err := d.store.PendingOutbox(ctx, outboxBatch)
	if err != nil || len(events) == 0 {
		return 0, 0, err
	}
	hooks, err := d.store.Webhooks(ctx)
	if err != nil {
		return 0, 0, err
	}
	n := 0
	for _, ev := range events {
		now := d.clock.Now()
		var ds []Delivery
		for _, w := range hooks {
			if !w.Subscribed(ev.Event) || w.CreatedAt.After(ev.At) {
				continue
			}
			ds = append(ds, Delivery{
				ID: DeliveryID(w.ID, ev.ID), WebhookID: w.ID, EventID: ev.ID, Event: ev.Event,
				Slug: ev.Slug, Revision: ev.Revision, OccurredAt: ev.At, Status: StatusPending,
				CreatedAt: now, UpdatedAt: now, NextAttemptAt: now,
			})
		}
		if err := d.store.FanOut(ctx, ev, ds, now); err != nil {
			return n, 0, err
		}
		n += len(ds)
	}
	return n, len(events), nil
}

// SendDue sends every pending delivery whose time has come (Concurrency at a time) and
// returns when the earliest remaining one falls due (zero when none is pending).
func (d *Dispatcher) SendDue(ctx context.Context) (time.Time, error) {
	const batch = 200
	pending, err := d.store.PendingDeliveries(ctx, batch)
	if err != nil {
		return time.Time{}, err
	}
	now := d.clock.Now()
	var next time.Time
	later := func(t time.Time) {
		if next.IsZero() || t.Before(next) {
			next = t
		}
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, d.cfg.Concurrency)
	for _, p := range pending {
		due := p.NextAttemptAt
		if p.LeaseUntil.After(due) {
			due = p.LeaseUntil
		}
		if due.After(now) {
			later(due)
			continue
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return next, ctx.Err()
		}
		wg.Add(1)
		go func(id string) {
			defer wg.Done()
			defer func() { <-sem }()
			if at, ok := d.attempt(ctx, id); ok && !at.IsZero() {
				mu.Lock()
				later(at)
				mu.Unlock()
			}
		}(p.ID)
	}
	wg.Wait()
	if len(pending) == batch {
		later(d.clock.Now()) // more than one batch: come back at once
	}
	return next, nil
}

// attempt claims and sends one delivery and records the outcome. It returns the next
// attempt's time when the delivery stays pending.
func (d *Dispatcher) attempt(ctx context.Context, id string) (time.Time, bool) {
	now := d.clock.Now()
	del, ok, err := d.store.ClaimDelivery(ctx, id, d.owner, now, now.Add(d.cfg.Lease))
	if err != nil || !ok {
		if err != nil && ctx.Err() == nil {
			d.log.Error("webhooks: claim delivery", "delivery", id, "error", err)
		}
		return time.Time{}, false
	}
	started := time.Now()
	status, failure, permanent := d.send(ctx, del)
	if ctx.Err() != nil {
		// Shutting down: leave the lease to expire (or to be released at the next start);
		// the attempt is retried then.
		return time.Time{}, false
	}
	now = d.clock.Now()
	del.UpdatedAt, del.LastStatus, del.LastError = now, status, failure
	del.AttemptLog = append(del.AttemptLog, Attempt{At: now, Status: status, Error: failure, DurationMS: time.Since(started).Milliseconds()})
	if len(del.AttemptLog) > MaxAttemptLog {
		del.AttemptLog = del.AttemptLog[len(del.AttemptLog)-MaxAttemptLog:]
	}
	switch {
	case failure == "":
		del.Status, del.DeliveredAt = StatusDelivered, &now
	case permanent || del.Attempts >= d.cfg.Retry.MaxAttempts:
		del.Status = StatusFailed
	default:
		del.Status = StatusPending
		del.NextAttemptAt = now.Add(d.cfg.Retry.Delay(del.Attempts, d.rand()))
	}
	ok, err = d.store.FinishAttempt(context.WithoutCancel(ctx), del, d.owner)
	switch {
	case err != nil:
		d.log.Error("webhooks: record attempt", "delivery", id, "error", err)
	case !ok:
		d.log.Warn("webhooks: lease lost during an attempt (longer than the lease?)", "delivery", id)
	}
	level := slog.LevelInfo
	if failure != "" {
		level = slog.LevelWarn
	}
	d.log.Log(ctx, level, "webhook delivery", "delivery", id, "event", del.Event, "status", del.Status,
		"attempt", del.Attempts, "httpStatus", status, "error", failure)
	if del.Status == StatusPending {
		return del.NextAttemptAt, true
	}
	return time.Time{}, true
}

// send makes one HTTP attempt. It returns the HTTP status (0 if none), a failure
// description ("" on success), and whether retrying is pointless.
func (d *Dispatcher) send(ctx context.Context, del Delivery) (int, string, bool) {
	w, err := d.store.Webhook(ctx, del.WebhookID)
	if cms.IsCode(err, cms.CodeNotFound) {
		return 0, "the webhook was deleted", true
	}
	if err != nil {
		return 0, "could not load the webhook: " + string(cms.ErrorCode(err)), false
	}
	secret, err := d.sealer.Open(w.SealedSecret, w.KeyID, w.ID)
	if err != nil {
		// Retryable: the operator may restore the right key file.
		return 0, err.Error(), false
	}
	body, _ := json.Marshal(Payload{ID: del.EventID, Event: del.Event, Slug: del.Slug, Revision: del.Revision, OccurredAt: del.OccurredAt.UTC()})
	actx, cancel := context.WithTimeout(ctx, d.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return 0, "invalid URL: " + err.Error(), true
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", d.cfg.UserAgent)
	req.Header.Set("Monograph-Event-Id", del.EventID)
	req.Header.Set("Monograph-Event", del.Event)
	req.Header.Set("Monograph-Delivery-Attempt", fmt.Sprint(del.Attempts))
	req.Header.Set(SignatureHeader, Sign(secret, body, d.clock.Now()))
	resp, err := d.client.Do(req)
	if err != nil {
		var de *DestinationError
		if errors.As(err, &de) {
			return 0, de.Error(), false
		}
		return 0, truncate(describeError(err), 500), false
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, d.cfg.MaxResponseBytes))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return resp.StatusCode, "", false
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		return resp.StatusCode, fmt.Sprintf("HTTP %d: redirects are not followed; register the final URL", resp.StatusCode), false
	default:
		msg := fmt.Sprintf("HTTP %d", resp.StatusCode)
		if s := printable(snippet, 200); s != "" {
			msg += ": " + s
		}
		return resp.StatusCode, msg, false
	}
}

// describeError shortens a client error: the request URL is known to the reader of the
// log, so only the cause is kept.
func describeError(err error) string {
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) && ue.Unwrap() != nil {
		err = ue.Unwrap()
	}
	if errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "Client.Timeout") {
		return "timed out: " + err.Error()
	}
	return err.Error()
}

// printable returns up to n bytes of b as one line of valid UTF-8, for the log.
func printable(b []byte, n int) string {
	s := strings.ToValidUTF8(string(b), "�")
	s = strings.Join(strings.Fields(s), " ")
	return truncate(s, n)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}
