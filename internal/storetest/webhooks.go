package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/storage"
	"github.com/monograph-cms/monograph/internal/webhook"
	"github.com/monograph-cms/monograph/internal/workflow"
)

func webhookTests() []test {
	return []test{
		{name: "InsertedWebhookIsRead", run: testWebhookRoundTrip},
		{name: "UnknownWebhookIsNotFound", run: testWebhookNotFound},
		{name: "WebhooksAreOldestFirst", run: testWebhooksOldestFirst},
		{name: "DeleteWebhookRemovesItsDeliveries", run: testDeleteWebhook},
		{name: "SetWebhookSecretRotatesOnlyTheSecret", run: testSetWebhookSecret},
	}
}

func insertWebhooks(tb testing.TB, s storage.Store, ws ...webhook.Webhook) {
	tb.Helper()
	for _, w := range ws {
		must(tb, s.InsertWebhook(tb.Context(), w), "InsertWebhook")
	}
}

func testWebhookRoundTrip(t *testing.T, s storage.Store) {
	w := Webhook("site", At(0))
	w.Events = []string{editorial.EventPublished}
	insertWebhooks(t, s, w)
	got, err := s.Webhook(t.Context(), w.ID)
	must(t, err, "Webhook")
	assertEqual(t, "Webhook", got, w)
}

func testWebhookNotFound(t *testing.T, s storage.Store) {
	insertWebhooks(t, s, Webhook("site", At(0)))
	unknown := ID("webhook/unknown")
	_, err := s.Webhook(t.Context(), unknown)
	wantCode(t, err, cms.CodeNotFound, "Webhook of an unknown id")
	wantCode(t, s.DeleteWebhook(t.Context(), unknown), cms.CodeNotFound, "DeleteWebhook of an unknown id")
	wantCode(t, s.SetWebhookSecret(t.Context(), unknown, []byte("x"), "key-2", At(time.Minute)), cms.CodeNotFound, "SetWebhookSecret of an unknown id")
}

func testWebhooksOldestFirst(t *testing.T, s storage.Store) {
	got, err := s.Webhooks(t.Context())
	must(t, err, "Webhooks")
	if len(got) != 0 {
		t.Fatalf("Webhooks of an empty store: %d", len(got))
	}
	b, a, c := Webhook("b", At(2*time.Minute)), Webhook("a", At(time.Minute)), Webhook("c", At(3*time.Minute))
	insertWebhooks(t, s, b, a, c)
	got, err = s.Webhooks(t.Context())
	must(t, err, "Webhooks")
	assertEqual(t, "Webhooks", got, []webhook.Webhook{a, b, c})
}

func testDeleteWebhook(t *testing.T, s storage.Store) {
	ctx := t.Context()
	gone, kept := Webhook("gone", At(0)), Webhook("kept", At(0))
	insertWebhooks(t, s, gone, kept)
	evs := commitOutbox(t, s, 2)
	for _, ev := range evs {
		must(t, s.FanOut(ctx, ev, []webhook.Delivery{Delivery(gone, ev, At(time.Hour)), Delivery(kept, ev, At(time.Hour))}, At(time.Hour)), "FanOut")
	}
	must(t, s.DeleteWebhook(ctx, gone.ID), "DeleteWebhook")

	_, err := s.Webhook(ctx, gone.ID)
	wantCode(t, err, cms.CodeNotFound, "Webhook after its deletion")
	hooks, err := s.Webhooks(ctx)
	must(t, err, "Webhooks")
	assertEqual(t, "Webhooks after a deletion", hooks, []webhook.Webhook{kept})
	ds, err := s.Deliveries(ctx, webhook.DeliveryFilter{WebhookID: gone.ID, Limit: 100})
	must(t, err, "Deliveries")
	if len(ds) != 0 {
		t.Errorf("Deliveries of a deleted webhook: got %d", len(ds))
	}
	pending, err := s.PendingDeliveries(ctx, 100)
	must(t, err, "PendingDeliveries")
	want := []string{webhook.DeliveryID(kept.ID, evs[0].ID), webhook.DeliveryID(kept.ID, evs[1].ID)}
	slices.Sort(want)
	got := ids(pending, func(d webhook.Delivery) string { return d.ID })
	slices.Sort(got)
	assertEqual(t, "PendingDeliveries after deleting a webhook (ids)", got, want)
	_, ok, err := s.ClaimDelivery(ctx, webhook.DeliveryID(gone.ID, evs[0].ID), "owner", At(2*time.Hour), At(3*time.Hour))
	if err != nil && !cms.IsCode(err, cms.CodeNotFound) {
		t.Fatalf("ClaimDelivery of a deleted delivery: %v", err)
	}
	if ok {
		t.Error("ClaimDelivery of a deleted webhook's delivery succeeded")
	}
}

func testSetWebhookSecret(t *testing.T, s storage.Store) {
	w, other := Webhook("site", At(0)), Webhook("other", At(0))
	insertWebhooks(t, s, w, other)
	must(t, s.SetWebhookSecret(t.Context(), w.ID, []byte("sealed:new"), "key-2", At(time.Hour)), "SetWebhookSecret")
	want := w
	want.SealedSecret, want.KeyID, want.SecretRotatedAt = []byte("sealed:new"), "key-2", At(time.Hour)
	got, err := s.Webhook(t.Context(), w.ID)
	must(t, err, "Webhook")
	assertEqual(t, "the rotated webhook", got, want)
	got, err = s.Webhook(t.Context(), other.ID)
	must(t, err, "Webhook")
	assertEqual(t, "the other webhook", got, other)
}

// commitOutbox commits n audit-only changes of one draft page, each with one outbox
// event, the i-th at At((i+1) minutes), and returns the events: the outbox then holds
// exactly these.
func commitOutbox(tb testing.TB, s storage.Store, n int) []editorial.OutboxEvent {
	tb.Helper()
	p := MustCreate(tb, s, "outbox", "Outbox", At(0))
	var evs []editorial.OutboxEvent
	for i := range n {
		at := At(time.Duration(i+1) * time.Minute)
		ch := Next(p)
		ch.Page.Version = p.Version
		ev := OutboxEvent(ch.Page, editorial.EventReviewDue, 1, at)
		ch.Outbox = []editorial.OutboxEvent{ev}
		LinkEvent(ch, workflow.Event{Action: "review_due", Actor: workflow.SystemActor, Revision: 1}, "Scheduler", at)
		p = MustCommit(tb, s, ch)
		evs = append(evs, ev)
	}
	return evs
}

func outboxTests() []test {
	return []test{
		{name: "CommittedOutboxIsPendingOldestFirst", run: testPendingOutbox},
		{name: "FanOutCreatesDeliveriesAndMarksEventFannedOut", run: testFanOut},
		{name: "FanOutTwiceKeepsOneDeliveryPerWebhookAndEvent", run: testFanOutTwice},
		{name: "PruneOutboxRemovesOnlyEventsFannedOutBefore", run: testPruneOutbox},
	}
}

func testPendingOutbox(t *testing.T, s storage.Store) {
	ctx := t.Context()
	// Committed newest first: the outbox is ordered by event time, not by commit.
	b := PublishChange(t, MustCreate(t, s, "b", "Drug B", At(0)), At(2*time.Minute))
	MustCommit(t, s, b)
	a := PublishChange(t, MustCreate(t, s, "a", "Drug A", At(0)), At(time.Minute))
	MustCommit(t, s, a)
	c := UnpublishChange(t, b.Page, "withdrawn", At(3*time.Minute))
	MustCommit(t, s, c)
	want := []editorial.OutboxEvent{a.Outbox[0], b.Outbox[0], c.Outbox[0]}

	got, err := s.PendingOutbox(ctx, 100)
	must(t, err, "PendingOutbox")
	assertEqual(t, "PendingOutbox", got, want)
	got, err = s.PendingOutbox(ctx, 2)
	must(t, err, "PendingOutbox")
	assertEqual(t, "PendingOutbox with limit 2", got, want[:2])
}

func testFanOut(t *testing.T, s storage.Store) {
	ctx := t.Context()
	w1, w2 := Webhook("one", At(0)), Webhook("two", At(0))
	insertWebhooks(t, s, w1, w2)
	evs := commitOutbox(t, s, 2)
	d1, d2 := Delivery(w1, evs[0], At(time.Hour)), Delivery(w2, evs[0], At(time.Hour))
	must(t, s.FanOut(ctx, evs[0], []webhook.Delivery{d1, d2}, At(time.Hour)), "FanOut")

	pending, err := s.PendingOutbox(ctx, 100)
	must(t, err, "PendingOutbox")
	assertEqual(t, "PendingOutbox after fanning out the first event", pending, evs[1:])
	for _, d := range []webhook.Delivery{d1, d2} {
		got, err := s.Deliveries(ctx, webhook.DeliveryFilter{WebhookID: d.WebhookID, Limit: 100})
		must(t, err, "Deliveries")
		assertEqual(t, "Deliveries of webhook "+d.WebhookID, got, []webhook.Delivery{d})
	}
}

func testFanOutTwice(t *testing.T, s storage.Store) {
	ctx := t.Context()
	w1, w2 := Webhook("one", At(0)), Webhook("two", At(0))
	insertWebhooks(t, s, w1, w2)
	ev := commitOutbox(t, s, 1)[0]
	d1 := Delivery(w1, ev, At(time.Hour))
	must(t, s.FanOut(ctx, ev, []webhook.Delivery{d1}, At(time.Hour)), "FanOut")
	claimed, ok, err := s.ClaimDelivery(ctx, d1.ID, "owner", At(time.Hour), At(2*time.Hour))
	must(t, err, "ClaimDelivery")
	if !ok {
		t.Fatal("ClaimDelivery of a due delivery failed")
	}

	// Replayed (a crash before the event was marked): the existing delivery is left as it is.
	must(t, s.FanOut(ctx, ev, []webhook.Delivery{Delivery(w1, ev, At(3*time.Hour)), Delivery(w2, ev, At(3*time.Hour))}, At(3*time.Hour)), "FanOut again")
	got, err := s.Deliveries(ctx, webhook.DeliveryFilter{WebhookID: w1.ID, Limit: 100})
	must(t, err, "Deliveries")
	assertEqual(t, "Deliveries of the first webhook after a second fan-out", got, []webhook.Delivery{claimed})
	got, err = s.Deliveries(ctx, webhook.DeliveryFilter{WebhookID: w2.ID, Limit: 100})
	must(t, err, "Deliveries")
	assertEqual(t, "Deliveries of the second webhook", got, []webhook.Delivery{Delivery(w2, ev, At(3*time.Hour))})
	pending, err := s.PendingOutbox(ctx, 100)
	must(t, err, "PendingOutbox")
	if len(pending) != 0 {
		t.Errorf("PendingOutbox after fanning out twice: %v", pending)
	}
}

func testPruneOutbox(t *testing.T, s storage.Store) {
	ctx := t.Context()
	evs := commitOutbox(t, s, 3)
	must(t, s.FanOut(ctx, evs[0], nil, At(time.Hour)), "FanOut")
	must(t, s.FanOut(ctx, evs[1], nil, At(3*time.Hour)), "FanOut")
	// evs[2] is not fanned out: never pruned.
	for _, step := range []struct {
		before time.Time
		want   int
	}{
		{At(time.Hour), 0}, // "before": an event fanned out at the cutoff stays
		{At(2 * time.Hour), 1},
		{At(2 * time.Hour), 0},
		{At(100 * time.Hour), 1},
		{At(1000 * time.Hour), 0},
	} {
		n, err := s.PruneOutbox(ctx, step.before)
		must(t, err, "PruneOutbox")
		if n != step.want {
			t.Errorf("PruneOutbox(%v): removed %d, want %d", step.before, n, step.want)
		}
	}
	pending, err := s.PendingOutbox(ctx, 100)
	must(t, err, "PendingOutbox")
	assertEqual(t, "PendingOutbox after pruning", pending, evs[2:])
}

func deliveryTests() []test {
	return []test{
		{name: "PendingDeliveriesAreEarliestFirst", run: testPendingDeliveries},
		{name: "ClaimDeliveryOnlyWhenDue", run: testClaimWhenDue},
		{name: "ClaimDeliveryFailsWhileLeased", run: testClaimLeased},
		{name: "ClaimDeliveryFailsWhenFinished", run: testClaimFinished},
		{name: "FinishAttemptOnlyByLeaseOwner", run: testFinishAttempt},
		{name: "FinishAttemptKeepsRetryPending", run: testFinishRetry},
		{name: "ReleaseLeasesFreesEveryLease", run: testReleaseLeases},
		{name: "PruneDeliveriesRemovesOnlyFinishedBefore", run: testPruneDeliveries},
		{name: "DeliveriesAreNewestFirstWithCursor", run: testDeliveriesCursor},
		{name: "ConcurrentClaimsOfOneDeliveryHaveOneWinner", concurrent: true, run: testConcurrentClaim},
	}
}

// deliveries inserts one webhook and, for each time in nextAttempt, one delivery of its own
// outbox event whose first attempt is due then; it returns the deliveries.
func deliveries(tb testing.TB, s storage.Store, nextAttempt ...time.Time) []webhook.Delivery {
	tb.Helper()
	w := Webhook("site", At(0))
	insertWebhooks(tb, s, w)
	evs := commitOutbox(tb, s, len(nextAttempt))
	out := make([]webhook.Delivery, len(evs))
	for i, ev := range evs {
		d := Delivery(w, ev, At(time.Hour))
		d.NextAttemptAt = nextAttempt[i]
		must(tb, s.FanOut(tb.Context(), ev, []webhook.Delivery{d}, At(time.Hour)), "FanOut")
		out[i] = d
	}
	return out
}

// claim claims delivery id and stops the test unless it is granted.
func claim(tb testing.TB, s storage.Store, id, owner string, now, until time.Time) webhook.Delivery {
	tb.Helper()
	d, ok, err := s.ClaimDelivery(tb.Context(), id, owner, now, until)
	must(tb, err, "ClaimDelivery")
	if !ok {
		tb.Fatalf("ClaimDelivery(%s) by %s at %v: refused", id, owner, now)
	}
	return d
}

// refuseClaim checks that a claim of delivery id is refused.
func refuseClaim(tb testing.TB, s storage.Store, id, owner string, now, until time.Time, why string) {
	tb.Helper()
	_, ok, err := s.ClaimDelivery(tb.Context(), id, owner, now, until)
	must(tb, err, "ClaimDelivery")
	if ok {
		tb.Errorf("ClaimDelivery(%s) by %s at %v granted; want it refused: %s", id, owner, now, why)
	}
}

// delivered finishes an attempt of d (claimed by owner) as delivered at at.
func delivered(d webhook.Delivery, at time.Time) webhook.Delivery {
	d.Status, d.LastStatus, d.LastError, d.UpdatedAt, d.DeliveredAt = webhook.StatusDelivered, 200, "", at, &at
	d.AttemptLog = append(d.AttemptLog, webhook.Attempt{At: at, Status: 200, DurationMS: 12})
	return d
}

// storedDelivery reads one delivery through its webhook's log.
func storedDelivery(tb testing.TB, s storage.Store, d webhook.Delivery) webhook.Delivery {
	tb.Helper()
	ds, err := s.Deliveries(tb.Context(), webhook.DeliveryFilter{WebhookID: d.WebhookID, Limit: everything})
	must(tb, err, "Deliveries")
	for _, got := range ds {
		if got.ID == d.ID {
			return got
		}
	}
	tb.Fatalf("delivery %s not in its webhook's log", d.ID)
	return webhook.Delivery{}
}

func testPendingDeliveries(t *testing.T, s storage.Store) {
	ds := deliveries(t, s, At(3*time.Hour), At(time.Hour), At(2*time.Hour), At(time.Hour+time.Minute))
	// A finished delivery is no longer pending.
	finished := claim(t, s, ds[1].ID, "owner", At(time.Hour), At(2*time.Hour))
	if ok, err := s.FinishAttempt(t.Context(), delivered(finished, At(time.Hour)), "owner"); err != nil || !ok {
		t.Fatalf("FinishAttempt: %v, %v", ok, err)
	}
	// A leased one still is.
	leased := claim(t, s, ds[3].ID, "owner", At(2*time.Hour), At(4*time.Hour))

	got, err := s.PendingDeliveries(t.Context(), 100)
	must(t, err, "PendingDeliveries")
	type due struct {
		ID                        string
		NextAttemptAt, LeaseUntil time.Time
	}
	var gotDue []due
	for _, d := range got {
		gotDue = append(gotDue, due{d.ID, d.NextAttemptAt, d.LeaseUntil})
	}
	want := []due{{ds[3].ID, ds[3].NextAttemptAt, leased.LeaseUntil}, {ds[2].ID, ds[2].NextAttemptAt, time.Time{}}, {ds[0].ID, ds[0].NextAttemptAt, time.Time{}}}
	assertEqual(t, "PendingDeliveries (id, nextAttemptAt, leaseUntil)", gotDue, want)
	got, err = s.PendingDeliveries(t.Context(), 2)
	must(t, err, "PendingDeliveries")
	assertEqual(t, "PendingDeliveries with limit 2 (ids)", ids(got, func(d webhook.Delivery) string { return d.ID }), []string{ds[3].ID, ds[2].ID})
}

func testClaimWhenDue(t *testing.T, s storage.Store) {
	d := deliveries(t, s, At(10*time.Minute))[0]
	refuseClaim(t, s, d.ID, "owner", At(10*time.Minute-time.Millisecond), At(20*time.Minute), "not due yet")
	got := claim(t, s, d.ID, "owner", At(10*time.Minute), At(11*time.Minute))
	want := d
	want.Attempts, want.LeaseOwner, want.LeaseUntil = 1, "owner", At(11*time.Minute)
	assertEqual(t, "the claimed delivery", got, want)
	assertEqual(t, "the stored delivery after the claim", storedDelivery(t, s, d), want)
}

func testClaimLeased(t *testing.T, s storage.Store) {
	d := deliveries(t, s, At(10*time.Minute))[0]
	claim(t, s, d.ID, "a", At(10*time.Minute), At(11*time.Minute))
	refuseClaim(t, s, d.ID, "b", At(10*time.Minute+30*time.Second), At(12*time.Minute), "leased by a")
	refuseClaim(t, s, d.ID, "a", At(10*time.Minute+30*time.Second), At(12*time.Minute), "leased by a already")
	// The lease expired: the attempt was cut short (a crash); the delivery is claimed again
	// and the lost attempt still counts.
	got := claim(t, s, d.ID, "b", At(11*time.Minute+time.Millisecond), At(12*time.Minute))
	if got.Attempts != 2 || got.LeaseOwner != "b" || !got.LeaseUntil.Equal(At(12*time.Minute)) {
		t.Errorf("claim after the lease expired: attempts %d, owner %q, lease until %v; want 2, b, %v",
			got.Attempts, got.LeaseOwner, got.LeaseUntil, At(12*time.Minute))
	}
}

func testClaimFinished(t *testing.T, s storage.Store) {
	ds := deliveries(t, s, At(time.Hour), At(time.Hour))
	for i, status := range []string{webhook.StatusDelivered, webhook.StatusFailed} {
		d := claim(t, s, ds[i].ID, "owner", At(time.Hour), At(2*time.Hour))
		d = delivered(d, At(time.Hour))
		if status == webhook.StatusFailed {
			d.Status, d.DeliveredAt, d.LastStatus, d.LastError = webhook.StatusFailed, nil, 410, "gone"
		}
		if ok, err := s.FinishAttempt(t.Context(), d, "owner"); err != nil || !ok {
			t.Fatalf("FinishAttempt: %v, %v", ok, err)
		}
		refuseClaim(t, s, d.ID, "owner", At(3*time.Hour), At(4*time.Hour), "it is "+status)
	}
}

func testFinishAttempt(t *testing.T, s storage.Store) {
	ctx := t.Context()
	d := deliveries(t, s, At(time.Hour))[0]
	claimed := claim(t, s, d.ID, "a", At(time.Hour), At(2*time.Hour))
	done := delivered(claimed, At(time.Hour+time.Second))

	ok, err := s.FinishAttempt(ctx, done, "b")
	must(t, err, "FinishAttempt by another owner")
	if ok {
		t.Error("FinishAttempt by a dispatcher not holding the lease succeeded")
	}
	assertEqual(t, "the delivery after another owner's FinishAttempt", storedDelivery(t, s, d), claimed)

	ok, err = s.FinishAttempt(ctx, done, "a")
	must(t, err, "FinishAttempt")
	if !ok {
		t.Fatal("FinishAttempt by the lease owner failed")
	}
	// How a freed lease is recorded is the store's business (FinishAttemptKeepsRetryPending
	// checks that it is free).
	got := storedDelivery(t, s, d)
	want := done
	want.LeaseOwner, want.LeaseUntil = got.LeaseOwner, got.LeaseUntil
	assertEqual(t, "the finished delivery", got, want)

	ok, err = s.FinishAttempt(ctx, done, "a")
	must(t, err, "FinishAttempt again")
	if ok {
		t.Error("a second FinishAttempt after the lease was freed succeeded")
	}
}

func testFinishRetry(t *testing.T, s storage.Store) {
	d := deliveries(t, s, At(time.Hour))[0]
	claimed := claim(t, s, d.ID, "a", At(time.Hour), At(2*time.Hour))
	retry := claimed
	retry.LastStatus, retry.LastError, retry.UpdatedAt, retry.NextAttemptAt = 503, "unavailable", At(time.Hour), At(time.Hour+5*time.Minute)
	retry.AttemptLog = []webhook.Attempt{{At: At(time.Hour), Status: 503, Error: "unavailable", DurationMS: 40}}
	if ok, err := s.FinishAttempt(t.Context(), retry, "a"); err != nil || !ok {
		t.Fatalf("FinishAttempt: %v, %v", ok, err)
	}
	// Freed, pending, due later: another dispatcher takes it when it is due.
	refuseClaim(t, s, d.ID, "b", At(time.Hour+time.Minute), At(3*time.Hour), "the retry is not due")
	got := claim(t, s, d.ID, "b", At(time.Hour+5*time.Minute), At(3*time.Hour))
	want := retry
	want.Attempts, want.LeaseOwner, want.LeaseUntil = 2, "b", At(3*time.Hour)
	assertEqual(t, "the delivery claimed for its retry", got, want)
}

func testReleaseLeases(t *testing.T, s storage.Store) {
	ds := deliveries(t, s, At(time.Hour), At(time.Hour), At(time.Hour))
	for _, d := range ds[:2] {
		claim(t, s, d.ID, "crashed", At(time.Hour), At(100*time.Hour))
	}
	must(t, s.ReleaseLeases(t.Context()), "ReleaseLeases")
	for _, d := range ds {
		got := claim(t, s, d.ID, "restarted", At(2*time.Hour), At(3*time.Hour))
		if got.LeaseOwner != "restarted" {
			t.Errorf("owner after the claim: %q", got.LeaseOwner)
		}
	}
}

func testPruneDeliveries(t *testing.T, s storage.Store) {
	ctx := t.Context()
	ds := deliveries(t, s, At(time.Hour), At(time.Hour), At(time.Hour), At(time.Hour))
	finish := func(d webhook.Delivery, status string, at time.Time) {
		c := claim(t, s, d.ID, "owner", At(time.Hour), At(100*time.Hour))
		c = delivered(c, at)
		if status == webhook.StatusFailed {
			c.Status, c.DeliveredAt = webhook.StatusFailed, nil
		}
		if ok, err := s.FinishAttempt(ctx, c, "owner"); err != nil || !ok {
			t.Fatalf("FinishAttempt: %v, %v", ok, err)
		}
	}
	finish(ds[0], webhook.StatusDelivered, At(2*time.Hour))
	finish(ds[1], webhook.StatusFailed, At(2*time.Hour))
	finish(ds[2], webhook.StatusDelivered, At(5*time.Hour))
	// ds[3] stays pending, however old.

	for _, step := range []struct {
		before time.Time
		want   int
	}{{At(2 * time.Hour), 0}, {At(3 * time.Hour), 2}, {At(3 * time.Hour), 0}} {
		n, err := s.PruneDeliveries(ctx, step.before)
		must(t, err, "PruneDeliveries")
		if n != step.want {
			t.Errorf("PruneDeliveries(%v): removed %d, want %d", step.before, n, step.want)
		}
	}
	left, err := s.Deliveries(ctx, webhook.DeliveryFilter{WebhookID: ds[0].WebhookID, Limit: 100})
	must(t, err, "Deliveries")
	got := ids(left, func(d webhook.Delivery) string { return d.ID })
	slices.Sort(got)
	want := []string{ds[2].ID, ds[3].ID}
	slices.Sort(want)
	assertEqual(t, "deliveries left after pruning (ids)", got, want)
}

func testDeliveriesCursor(t *testing.T, s storage.Store) {
	ctx := t.Context()
	w, other := Webhook("site", At(0)), Webhook("other", At(0))
	insertWebhooks(t, s, w, other)
	evs := commitOutbox(t, s, 7)
	// Fanned out at four instants, several events at the same one: the id breaks the ties.
	created := []time.Duration{1, 2, 2, 2, 3, 3, 4}
	var all []webhook.Delivery
	for i, ev := range evs {
		at := At(created[i] * time.Hour)
		d := Delivery(w, ev, at)
		must(t, s.FanOut(ctx, ev, []webhook.Delivery{d, Delivery(other, ev, at)}, at), "FanOut")
		all = append(all, d)
	}
	slices.SortFunc(all, func(a, b webhook.Delivery) int { return newestFirst(a.CreatedAt, a.ID, b.CreatedAt, b.ID) })

	got, err := s.Deliveries(ctx, webhook.DeliveryFilter{WebhookID: w.ID, Limit: 100})
	must(t, err, "Deliveries")
	assertEqual(t, "Deliveries", got, all)
	got, err = s.Deliveries(ctx, webhook.DeliveryFilter{WebhookID: w.ID, Limit: 3})
	must(t, err, "Deliveries")
	assertEqual(t, "Deliveries with limit 3", got, all[:3])

	var walked []webhook.Delivery
	f := webhook.DeliveryFilter{WebhookID: w.ID, Limit: 2}
	for range len(all) + 1 {
		batch, err := s.Deliveries(ctx, f)
		must(t, err, "Deliveries")
		if len(batch) == 0 {
			break
		}
		walked = append(walked, batch...)
		last := batch[len(batch)-1]
		f.BeforeAt, f.BeforeID = &last.CreatedAt, last.ID
	}
	assertEqual(t, "Deliveries walked two at a time", walked, all)
}

func testConcurrentClaim(t *testing.T, s storage.Store) {
	d := deliveries(t, s, At(time.Hour))[0]
	got := make([]webhook.Delivery, racers)
	oks := make([]bool, racers)
	errs := race(racers, func(i int) error {
		var err error
		got[i], oks[i], err = s.ClaimDelivery(t.Context(), d.ID, fmt.Sprintf("dispatcher-%d", i), At(time.Hour), At(2*time.Hour))
		return err
	})
	winner := -1
	for i := range racers {
		must(t, errs[i], "ClaimDelivery")
		if oks[i] {
			if winner >= 0 {
				t.Fatalf("dispatchers %d and %d both claimed the delivery", winner, i)
			}
			winner = i
		}
	}
	if winner < 0 {
		t.Fatal("no dispatcher claimed the delivery")
	}
	stored := storedDelivery(t, s, d)
	if stored.Attempts != 1 || stored.LeaseOwner != fmt.Sprintf("dispatcher-%d", winner) {
		t.Errorf("after %d concurrent claims: attempts %d, owner %q; want 1, dispatcher-%d", racers, stored.Attempts, stored.LeaseOwner, winner)
	}
	assertEqual(t, "the winner's claimed delivery", got[winner], stored)
}
