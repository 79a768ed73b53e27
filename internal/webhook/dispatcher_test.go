package webhook_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/storage"
	"github.com/monograph-cms/monograph/internal/storetest"
	"github.com/monograph-cms/monograph/internal/teststore"
	"github.com/monograph-cms/monograph/internal/webhook"
)

// receiver is a loopback HTTP server recording deliveries; answer decides each status.
type receiver struct {
	*httptest.Server
	conns  atomic.Int32 // connections accepted
	mu     sync.Mutex
	got    []received
	answer func(n int) int
}

type received struct {
	body   []byte
	header http.Header
	at     time.Time
}

func newReceiver(t *testing.T, answer func(n int) int) *receiver {
	t.Helper()
	r := &receiver{answer: answer}
	r.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, received{body: b, header: req.Header.Clone(), at: time.Now()})
		n := len(r.got)
		r.mu.Unlock()
		w.WriteHeader(r.answer(n))
		_, _ = io.WriteString(w, "answer "+http.StatusText(r.answer(n)))
	}))
	r.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			r.conns.Add(1)
		}
	}
	r.Start()
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

type fixture struct {
	store  storage.Store
	sealer *webhook.Sealer
	svc    *webhook.Service
	admin  cms.Principal
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	store := teststore.MustOpen(t)
	sealer, err := webhook.NewSealer(webhook.DeriveKey(make([]byte, 32), "webhook-secrets"))
	if err != nil {
		t.Fatal(err)
	}
	svc := webhook.NewService(store, sealer, webhook.Guard{AllowPrivate: true}, nil)
	return &fixture{store: store, sealer: sealer, svc: svc, admin: cms.Principal{UserID: "admin1", Name: "Ada"}}
}

func (f *fixture) dispatcher(cfg webhook.DispatcherConfig, guard webhook.Guard) *webhook.Dispatcher {
	if cfg.Retry.Base == 0 {
		cfg.Retry = webhook.RetryPolicy{Base: 5 * time.Millisecond, Factor: 2, Cap: 20 * time.Millisecond, MaxAttempts: 3}
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 2 * time.Second
	}
	return webhook.NewDispatcher(cfg, f.store, f.sealer, guard, nil, slog.New(slog.DiscardHandler))
}

func (f *fixture) register(t *testing.T, url string, events ...string) (webhook.Webhook, string) {
	t.Helper()
	w, secret, err := f.svc.Register(context.Background(), f.admin, webhook.Registration{URL: url, Events: events})
	if err != nil {
		t.Fatalf("register: %v", err)
	}
	return w, secret
}

// emit puts an event into the outbox as the editorial service does: in the store change of
// its page (here, a new page).
func (f *fixture) emit(t *testing.T, event, slug string, rev int) editorial.OutboxEvent {
	t.Helper()
	now := cms.SystemClock{}.Now()
	ch := storetest.NewPage(t, cms.NewID(), slug, storetest.Content(slug), now)
	ev := editorial.OutboxEvent{ID: cms.NewID(), Event: event, PageID: ch.Page.ID, Slug: slug, Revision: rev, At: now}
	ch.Outbox = []editorial.OutboxEvent{ev}
	storetest.MustCommit(t, f.store, ch)
	return ev
}

// drain runs the dispatcher's steps until nothing is pending or the deadline passes.
func drain(t *testing.T, d *webhook.Dispatcher, f *fixture, deadline time.Duration) {
	t.Helper()
	ctx := context.Background()
	end := time.Now().Add(deadline)
	for time.Now().Before(end) {
		if _, err := d.FanOut(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := d.SendDue(ctx); err != nil {
			t.Fatal(err)
		}
		p, err := f.store.PendingDeliveries(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(p) == 0 {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (f *fixture) log(t *testing.T, hookID string) []webhook.Delivery {
	t.Helper()
	ds, err := f.svc.Deliveries(context.Background(), webhook.DeliveryFilter{WebhookID: hookID, Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func TestDeliverySignedAndRetried(t *testing.T) {
	f := newFixture(t)
	rcv := newReceiver(t, func(n int) int {
		if n == 1 {
			return http.StatusServiceUnavailable
		}
		return http.StatusNoContent
	})
	w, secret := f.register(t, rcv.URL+"/hook", editorial.EventPublished)
	ev := f.emit(t, editorial.EventPublished, "ketamine", 4)
	drain(t, f.dispatcher(webhook.DispatcherConfig{}, webhook.Guard{AllowPrivate: true}), f, 5*time.Second)

	reqs := rcv.requests()
	if len(reqs) != 2 {
		t.Fatalf("receiver got %d requests, want 2 (a 503, then a success)", len(reqs))
	}
	for i, r := range reqs {
		if err := webhook.Verify(secret, r.header.Get(webhook.SignatureHeader), r.body, time.Now(), 5*time.Minute); err != nil {
			t.Fatalf("request %d: signature: %v", i, err)
		}
		var p webhook.Payload
		if err := json.Unmarshal(r.body, &p); err != nil {
			t.Fatal(err)
		}
		if p.ID != ev.ID || p.Event != editorial.EventPublished || p.Slug != "ketamine" || p.Revision != 4 || !p.OccurredAt.Equal(ev.At) {
			t.Fatalf("payload %+v, event %+v", p, ev)
		}
		for h, want := range map[string]string{"Content-Type": "application/json", "User-Agent": "Monograph-Webhooks/1", "Monograph-Event-Id": ev.ID} {
			if got := r.header.Get(h); got != want {
				t.Errorf("%s = %q, want %q", h, got, want)
			}
		}
	}
	log := f.log(t, w.ID)
	if len(log) != 1 {
		t.Fatalf("log has %d deliveries", len(log))
	}
	d := log[0]
	if d.ID != webhook.DeliveryID(w.ID, ev.ID) || d.Status != webhook.StatusDelivered || d.Attempts != 2 || d.LastStatus != 204 || d.LastError != "" || d.DeliveredAt == nil {
		t.Fatalf("delivery log %+v", d)
	}
	if len(d.AttemptLog) != 2 || d.AttemptLog[0].Status != 503 || !strings.Contains(d.AttemptLog[0].Error, "HTTP 503") || d.AttemptLog[1].Status != 204 || d.AttemptLog[1].Error != "" {
		t.Fatalf("attempt log %+v", d.AttemptLog)
	}
	// Fanning out again (a replayed outbox event, e.g. after a crash between the fan-out and
	// its bookkeeping) makes no second delivery.
	if err := f.store.FanOut(context.Background(), ev, []webhook.Delivery{storetest.Delivery(w, ev, cms.SystemClock{}.Now())}, cms.SystemClock{}.Now()); err != nil {
		t.Fatal(err)
	}
	drain(t, f.dispatcher(webhook.DispatcherConfig{}, webhook.Guard{AllowPrivate: true}), f, time.Second)
	if n := len(rcv.requests()); n != 2 {
		t.Fatalf("a replayed event was delivered again (%d requests)", n)
	}
}

func TestDeliveryOutcomes(t *testing.T) {
	tests := []struct {
		name       string
		answer     int
		wantStatus string
		wantTries  int
		wantError  string
	}{
		{"success", 200, webhook.StatusDelivered, 1, ""},
		{"gives up after max attempts", 500, webhook.StatusFailed, 3, "HTTP 500"},
		{"redirect is a failure", 302, webhook.StatusFailed, 3, "redirects are not followed"},
		{"client error is retried too", 404, webhook.StatusFailed, 3, "HTTP 404"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			rcv := newReceiver(t, func(int) int { return tc.answer })
			w, _ := f.register(t, rcv.URL, editorial.EventPublished)
			f.emit(t, editorial.EventPublished, "a", 1)
			drain(t, f.dispatcher(webhook.DispatcherConfig{}, webhook.Guard{AllowPrivate: true}), f, 5*time.Second)
			log := f.log(t, w.ID)
			if len(log) != 1 {
				t.Fatalf("log %+v", log)
			}
			d := log[0]
			if d.Status != tc.wantStatus || d.Attempts != tc.wantTries || !strings.Contains(d.LastError, tc.wantError) || d.LastStatus != tc.answer {
				t.Fatalf("delivery %+v", d)
			}
			if n := len(rcv.requests()); n != tc.wantTries {
				t.Fatalf("receiver got %d requests, want %d", n, tc.wantTries)
			}
		})
	}
}

func TestFanOutSelectsWebhooks(t *testing.T) {
	f := newFixture(t)
	rcv := newReceiver(t, func(int) int { return 200 })
	pub, _ := f.register(t, rcv.URL+"/pub", editorial.EventPublished)
	unpub, _ := f.register(t, rcv.URL+"/unpub", editorial.EventUnpublished, editorial.EventReviewDue)
	f.emit(t, editorial.EventUnpublished, "a", 2)
	f.emit(t, editorial.EventReviewDue, "b", 3)
	// A webhook registered after the events does not receive them.
	time.Sleep(2 * time.Millisecond)
	late, _ := f.register(t, rcv.URL+"/late", editorial.EventUnpublished)
	drain(t, f.dispatcher(webhook.DispatcherConfig{}, webhook.Guard{AllowPrivate: true}), f, 5*time.Second)
	if n := len(f.log(t, pub.ID)); n != 0 {
		t.Errorf("page.published webhook got %d deliveries", n)
	}
	if n := len(f.log(t, unpub.ID)); n != 2 {
		t.Errorf("unpublished/review_due webhook got %d deliveries, want 2", n)
	}
	if n := len(f.log(t, late.ID)); n != 0 {
		t.Errorf("late webhook got %d deliveries", n)
	}
	if n := len(rcv.requests()); n != 2 {
		t.Errorf("receiver got %d requests, want 2", n)
	}
}

// TestDialTimeGuard registers a loopback webhook while private destinations are allowed,
// then delivers with a dispatcher that does not allow them (as if registration had been
// bypassed, or the name had been rebound): the attempt fails before connecting.
func TestDialTimeGuard(t *testing.T) {
	f := newFixture(t)
	rcv := newReceiver(t, func(int) int { return 200 })
	w, _ := f.register(t, strings.Replace(rcv.URL, "127.0.0.1", "localhost", 1), editorial.EventPublished)
	f.emit(t, editorial.EventPublished, "a", 1)
	drain(t, f.dispatcher(webhook.DispatcherConfig{}, webhook.Guard{}), f, 5*time.Second)
	log := f.log(t, w.ID)
	if len(log) != 1 || log[0].Status != webhook.StatusFailed || !strings.Contains(log[0].LastError, "refused") || !strings.Contains(log[0].LastError, "loopback") {
		t.Fatalf("log %+v", log)
	}
	if n := rcv.conns.Load(); n != 0 {
		t.Fatalf("the receiver saw %d connections", n)
	}
}

// TestTwoDispatchersSendOnce races two dispatchers (two server processes on one store):
// the lease makes each delivery go out once.
func TestTwoDispatchersSendOnce(t *testing.T) {
	teststore.SkipWithoutConcurrentAtomicity(t)
	f := newFixture(t)
	rcv := newReceiver(t, func(int) int { return 200 })
	w, _ := f.register(t, rcv.URL, editorial.EventPublished)
	for i := range 10 {
		f.emit(t, editorial.EventPublished, fmt.Sprintf("p%d", i), i+1)
	}
	a := f.dispatcher(webhook.DispatcherConfig{}, webhook.Guard{AllowPrivate: true})
	b := f.dispatcher(webhook.DispatcherConfig{}, webhook.Guard{AllowPrivate: true})
	if _, err := a.FanOut(context.Background()); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for _, d := range []*webhook.Dispatcher{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := d.SendDue(context.Background()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := len(rcv.requests()); n != 10 {
		t.Fatalf("receiver got %d requests, want 10", n)
	}
	for _, d := range f.log(t, w.ID) {
		if d.Status != webhook.StatusDelivered || d.Attempts != 1 {
			t.Fatalf("delivery %+v", d)
		}
	}
}

// TestRunWakesAndStops runs the loop: a wake-up delivers without waiting for the poll, and
// cancelling the context stops it.
func TestRunWakesAndStops(t *testing.T) {
	f := newFixture(t)
	got := make(chan struct{}, 1)
	rcv := newReceiver(t, func(int) int { got <- struct{}{}; return 200 })
	f.register(t, rcv.URL, editorial.EventPublished)
	d := f.dispatcher(webhook.DispatcherConfig{PollInterval: time.Hour, RescanInterval: time.Hour, ReleaseLeasesAtStart: true}, webhook.Guard{AllowPrivate: true})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	time.Sleep(50 * time.Millisecond) // the first pass found nothing
	f.emit(t, editorial.EventPublished, "a", 1)
	d.Wake()
	select {
	case <-got:
	case <-time.After(5 * time.Second):
		t.Fatal("no delivery after Wake")
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop")
	}
}

// TestRunFansOutABacklogAtOnce: events waiting in the outbox beyond one batch of 100 (a
// start after many publications, or many pages going live at one time) are all fanned out
// at once, not a batch per poll interval (at the default second, 10,000 events waited
// 100 s).
func TestRunFansOutABacklogAtOnce(t *testing.T) {
	f := newFixture(t)
	now := cms.SystemClock{}.Now()
	ch := storetest.NewPage(t, cms.NewID(), "backlog", storetest.Content("backlog"), now)
	for i := range 130 {
		ch.Outbox = append(ch.Outbox, editorial.OutboxEvent{ID: cms.NewID(), Event: editorial.EventPublished,
			PageID: ch.Page.ID, Slug: fmt.Sprintf("page-%d", i), Revision: 1, At: now})
	}
	storetest.MustCommit(t, f.store, ch)
	d := f.dispatcher(webhook.DispatcherConfig{PollInterval: time.Hour, RescanInterval: time.Hour}, webhook.Guard{AllowPrivate: true})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	end := time.Now().Add(30 * time.Second)
	for {
		pending, err := f.store.PendingOutbox(context.Background(), 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(pending) == 0 {
			return
		}
		if time.Now().After(end) {
			t.Fatalf("%d of 130 events still in the outbox after 30 s (poll interval an hour)", len(pending))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestServiceManagement(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	w, secret := f.register(t, "http://127.0.0.1:9/hook", editorial.EventPublished)
	if !strings.HasPrefix(secret, webhook.SecretPrefix) {
		t.Fatalf("secret %q", secret)
	}
	stored, err := f.svc.Get(ctx, w.ID)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(stored.SealedSecret), secret) {
		t.Fatal("secret stored in clear")
	}
	_, secret2, err := f.svc.RotateSecret(ctx, w.ID)
	if err != nil || secret2 == secret {
		t.Fatalf("rotate: %v", err)
	}
	again, _ := f.svc.Get(ctx, w.ID)
	if got, err := f.sealer.Open(again.SealedSecret, again.KeyID, again.ID); err != nil || got != secret2 {
		t.Fatalf("rotated secret opens to %q, %v", got, err)
	}
	invalid := []struct {
		name  string
		reg   webhook.Registration
		field string
	}{
		{"no events", webhook.Registration{URL: "http://127.0.0.1/"}, "events"},
		{"unknown event", webhook.Registration{URL: "http://127.0.0.1/", Events: []string{"page.deleted"}}, "events[0]"},
		{"repeated event", webhook.Registration{URL: "http://127.0.0.1/", Events: []string{"page.published", "page.published"}}, "events[1]"},
		{"bad url", webhook.Registration{URL: "gopher://x", Events: []string{"page.published"}}, "url"},
		{"long description", webhook.Registration{URL: "http://127.0.0.1/", Events: []string{"page.published"}, Description: strings.Repeat("d", 501)}, "description"},
	}
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := f.svc.Register(ctx, f.admin, tc.reg)
			e, ok := err.(*cms.Error)
			if !ok || e.Code != cms.CodeInvalid || e.Fields[0].Field != tc.field {
				t.Fatalf("err = %v, want invalid %s", err, tc.field)
			}
		})
	}
	if err := f.svc.Delete(ctx, w.ID); err != nil {
		t.Fatal(err)
	}
	for _, err := range []error{f.svc.Delete(ctx, w.ID), func() error { _, err := f.svc.Get(ctx, w.ID); return err }(), func() error { _, err := f.svc.Get(ctx, "../x"); return err }()} {
		if !cms.IsCode(err, cms.CodeNotFound) {
			t.Fatalf("after delete: %v", err)
		}
	}
}

func TestPrune(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rcv := newReceiver(t, func(int) int { return 200 })
	w, _ := f.register(t, rcv.URL, editorial.EventPublished)
	f.emit(t, editorial.EventPublished, "a", 1)
	drain(t, f.dispatcher(webhook.DispatcherConfig{}, webhook.Guard{AllowPrivate: true}), f, 5*time.Second)
	if n, err := f.store.PruneOutbox(ctx, time.Now().Add(-time.Hour)); err != nil || n != 0 {
		t.Fatalf("pruned %d recent outbox events (%v)", n, err)
	}
	if n, err := f.store.PruneDeliveries(ctx, time.Now().Add(-time.Hour)); err != nil || n != 0 {
		t.Fatalf("pruned %d recent deliveries (%v)", n, err)
	}
	if n, err := f.store.PruneOutbox(ctx, time.Now().Add(time.Second)); err != nil || n != 1 {
		t.Fatalf("pruned %d outbox events (%v), want 1", n, err)
	}
	if n, err := f.store.PruneDeliveries(ctx, time.Now().Add(time.Second)); err != nil || n != 1 {
		t.Fatalf("pruned %d deliveries (%v), want 1", n, err)
	}
	if len(f.log(t, w.ID)) != 0 {
		t.Fatal("the log still lists the pruned delivery")
	}
}
