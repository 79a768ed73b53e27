// Package webhook tells websites and their build systems about changes of what is live:
// webhook registrations with their signing secrets, the SSRF guard for destinations, the
// signature scheme (Sign, Verify), and the dispatcher that turns page events from the
// outbox into signed HTTP deliveries, retried with backoff and logged per webhook.
//
// The flow is crash-safe. The editorial service writes each event (page.published,
// page.unpublished, page.review_due) into the page document in the same conditional update
// as the change it reports; the pump moves it into the outbox collection (idempotently, by
// event id); the dispatcher fans each outbox event out to every subscribed webhook as one
// delivery document per (webhook, event), with `_id` "<webhookId>/<eventId>", and then sends
// the pending deliveries. Delivery is at least once: receivers dedupe by the event id.
package webhook

import (
	"context"
	"time"

	"github.com/monograph-cms/monograph/internal/editorial"
)

// Events lists the event names a webhook may subscribe to, in a stable order.
var Events = []string{editorial.EventPublished, editorial.EventUnpublished, editorial.EventReviewDue}

// Delivery statuses.
const (
	StatusPending   = "pending"
	StatusDelivered = "delivered"
	StatusFailed    = "failed"
)

// Webhook is one registration. The signing secret is stored only sealed (see Sealer).
type Webhook struct {
	ID          string    `bson:"_id" json:"id"`
	URL         string    `bson:"url" json:"url"`
	Events      []string  `bson:"events" json:"events"`
	Description string    `bson:"description" json:"description"`
	CreatedAt   time.Time `bson:"createdAt" json:"createdAt"`
	CreatedBy   string    `bson:"createdBy" json:"createdBy"`
	// SecretRotatedAt is when the current secret was made (creation or last rotation).
	SecretRotatedAt time.Time `bson:"secretRotatedAt" json:"secretRotatedAt"`
	// SealedSecret is the AES-256-GCM ciphertext of the signing secret, bound to the
	// webhook id; the key is outside the database, so a dump alone does not reveal it.
	SealedSecret []byte `bson:"sealedSecret" json:"-"`
	// KeyID names the sealing key (a fingerprint), so a wrong key file is reported clearly.
	KeyID string `bson:"keyId" json:"-"`
}

// Subscribed reports whether w wants events named event.
func (w Webhook) Subscribed(event string) bool {
	for _, e := range w.Events {
		if e == event {
			return true
		}
	}
	return false
}

// Delivery is one event for one webhook, and its log: status, attempts and the outcome of
// the last attempt. Its `_id` is DeliveryID(webhookID, eventID), so fanning an event out
// twice makes no second delivery.
type Delivery struct {
	ID         string    `bson:"_id" json:"id"`
	WebhookID  string    `bson:"webhookId" json:"webhookId"`
	EventID    string    `bson:"eventId" json:"eventId"`
	Event      string    `bson:"event" json:"event"`
	Slug       string    `bson:"slug" json:"slug"`
	Revision   int       `bson:"revision" json:"revision"`
	OccurredAt time.Time `bson:"occurredAt" json:"occurredAt"`
	Status     string    `bson:"status" json:"status"`
	// Attempts counts attempts started (an attempt is counted when it is claimed, so one
	// cut short by a crash still counts).
	Attempts int `bson:"attempts" json:"attempts"`
	// LastStatus is the HTTP status of the last answer, 0 when there was none.
	LastStatus    int       `bson:"lastStatus" json:"lastStatus"`
	LastError     string    `bson:"lastError" json:"lastError"`
	CreatedAt     time.Time `bson:"createdAt" json:"createdAt"`
	UpdatedAt     time.Time `bson:"updatedAt" json:"updatedAt"`
	NextAttemptAt time.Time `bson:"nextAttemptAt" json:"nextAttemptAt"`
	// DeliveredAt is set once a 2xx answer was received.
	DeliveredAt *time.Time `bson:"deliveredAt" json:"deliveredAt"`
	// AttemptLog records the outcome of each attempt, oldest first (at most
	// MaxAttemptLog: the latest ones).
	AttemptLog []Attempt `bson:"attemptLog" json:"attemptLog"`
	// LeaseUntil and LeaseOwner mark a delivery being sent by one dispatcher, so two
	// server processes do not both send it (see Store.ClaimDelivery).
	LeaseUntil time.Time `bson:"leaseUntil" json:"-"`
	LeaseOwner string    `bson:"leaseOwner" json:"-"`
}

// MaxAttemptLog bounds a delivery's attempt log.
const MaxAttemptLog = 20

// Attempt is one attempt of a delivery.
type Attempt struct {
	At time.Time `bson:"at" json:"at"`
	// Status is the HTTP status answered, 0 when there was no answer.
	Status     int    `bson:"status" json:"status"`
	Error      string `bson:"error" json:"error"`
	DurationMS int64  `bson:"durationMs" json:"durationMs"`
}

// DeliveryID returns the `_id` of the delivery of one event to one webhook.
func DeliveryID(webhookID, eventID string) string { return webhookID + "/" + eventID }

// DeliveryFilter selects a page of one webhook's delivery log, newest first.
type DeliveryFilter struct {
	WebhookID string
	Limit     int
	// BeforeAt and BeforeID are the cursor: deliveries strictly older than
	// (BeforeAt, BeforeID) in (createdAt, _id) order.
	BeforeAt *time.Time
	BeforeID string
}

// Store keeps webhooks, the outbox and the deliveries. It is implemented by
// internal/mongostore; every write is a single-document insert or conditional update.
type Store interface {
	// InsertWebhook stores a new webhook.
	InsertWebhook(ctx context.Context, w Webhook) error
	// Webhook returns one webhook; cms.CodeNotFound if there is none.
	Webhook(ctx context.Context, id string) (Webhook, error)
	// Webhooks returns every webhook, oldest first.
	Webhooks(ctx context.Context) ([]Webhook, error)
	// DeleteWebhook removes a webhook and its delivery log; cms.CodeNotFound if there is
	// none.
	DeleteWebhook(ctx context.Context, id string) error
	// SetWebhookSecret replaces a webhook's sealed secret; cms.CodeNotFound if there is
	// no such webhook.
	SetWebhookSecret(ctx context.Context, id string, sealed []byte, keyID string, at time.Time) error

	// PendingOutbox returns up to limit outbox events not yet fanned out, oldest first.
	PendingOutbox(ctx context.Context, limit int) ([]editorial.OutboxEvent, error)
	// FanOut inserts the deliveries of one outbox event (a delivery that exists already is
	// left as it is), then marks the event fanned out at the given time.
	FanOut(ctx context.Context, ev editorial.OutboxEvent, ds []Delivery, at time.Time) error
	// PruneOutbox removes outbox events fanned out before the given time.
	PruneOutbox(ctx context.Context, before time.Time) (int, error)

	// PendingDeliveries returns up to limit pending deliveries (only _id, nextAttemptAt,
	// leaseUntil are filled), earliest nextAttemptAt first.
	PendingDeliveries(ctx context.Context, limit int) ([]Delivery, error)
	// ClaimDelivery takes the lease of a pending delivery whose time has come and whose
	// lease is free (expired) at now, counts the attempt, and returns the delivery as
	// updated. ok is false when another dispatcher holds it or it is not due or pending.
	ClaimDelivery(ctx context.Context, id, owner string, now, leaseUntil time.Time) (d Delivery, ok bool, err error)
	// FinishAttempt writes the outcome of an attempt (status, lastStatus, lastError,
	// updatedAt, nextAttemptAt, deliveredAt, attemptLog) and frees the lease, if owner still holds it.
	// ok is false when the lease was lost meanwhile.
	FinishAttempt(ctx context.Context, d Delivery, owner string) (ok bool, err error)
	// PruneDeliveries removes finished (delivered or failed) deliveries last updated
	// before the given time, and returns how many.
	PruneDeliveries(ctx context.Context, before time.Time) (int, error)
	// ReleaseLeases frees every lease (for a store only this process uses, at start).
	ReleaseLeases(ctx context.Context) error
	// Deliveries returns a page of one webhook's delivery log, newest first.
	Deliveries(ctx context.Context, f DeliveryFilter) ([]Delivery, error)
}
