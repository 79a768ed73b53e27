package webhook

import (
	"context"
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/monograph-cms/monograph/internal/cms"
)

// MaxWebhooks bounds the registrations: every event is fanned out to each of them.
const MaxWebhooks = 100

// MaxDescription bounds a webhook's description, in characters.
const MaxDescription = 500

// Registration is what an administrator sends to register a webhook.
type Registration struct {
	URL         string
	Events      []string
	Description string
}

// Service manages webhook registrations and their secrets (the admin API).
type Service struct {
	store  Store
	sealer *Sealer
	guard  Guard
	clock  cms.Clock
}

// NewService returns a Service. guard decides which URLs may be registered.
func NewService(store Store, sealer *Sealer, guard Guard, clock cms.Clock) *Service {
	if clock == nil {
		clock = cms.SystemClock{}
	}
	return &Service{store: store, sealer: sealer, guard: guard, clock: clock}
}

// validateEvents checks that events is a non-empty list of known event names without
// repetition.
func validateEvents(events []string) []cms.FieldError {
	if len(events) == 0 {
		return []cms.FieldError{{Field: "events", Message: "required: at least one of " + fmt.Sprint(Events)}}
	}
	var errs []cms.FieldError
	for i, e := range events {
		field := fmt.Sprintf("events[%d]", i)
		switch {
		case !slices.Contains(Events, e):
			errs = append(errs, cms.FieldError{Field: field, Message: "unknown event; one of page.published, page.unpublished, page.review_due"})
		case slices.Contains(events[:i], e):
			errs = append(errs, cms.FieldError{Field: field, Message: "listed twice"})
		}
	}
	return errs
}

// Register validates and stores a webhook and returns it with its new secret, which is
// never shown again. Errors: cms.CodeInvalid naming url, events or description (a URL
// whose destination the guard refuses is invalid).
func (s *Service) Register(ctx context.Context, actor cms.Principal, r Registration) (Webhook, string, error) {
	fields := validateEvents(r.Events)
	if err := s.guard.CheckURL(ctx, r.URL); err != nil {
		e, ok := err.(*cms.Error)
		if !ok {
			return Webhook{}, "", err
		}
		fields = append(e.Fields, fields...)
	}
	if utf8.RuneCountInString(r.Description) > MaxDescription {
		fields = append(fields, cms.FieldError{Field: "description", Message: fmt.Sprintf("at most %d characters", MaxDescription)})
	}
	if len(fields) > 0 {
		return Webhook{}, "", cms.Invalid(fields...)
	}
	existing, err := s.store.Webhooks(ctx)
	if err != nil {
		return Webhook{}, "", err
	}
	if len(existing) >= MaxWebhooks {
		return Webhook{}, "", cms.Errorf(cms.CodeConflict, "at most %d webhooks; delete one first", MaxWebhooks)
	}
	now := s.clock.Now()
	w := Webhook{
		ID: cms.NewID(), URL: r.URL, Events: slices.Clone(r.Events), Description: r.Description,
		CreatedAt: now, CreatedBy: actor.UserID, SecretRotatedAt: now, KeyID: s.sealer.KeyID(),
	}
	secret := NewSecret()
	w.SealedSecret = s.sealer.Seal(secret, w.ID)
	if err := s.store.InsertWebhook(ctx, w); err != nil {
		return Webhook{}, "", err
	}
	return w, secret, nil
}

// List returns every webhook, oldest first.
func (s *Service) List(ctx context.Context) ([]Webhook, error) { return s.store.Webhooks(ctx) }

// Get returns one webhook; cms.CodeNotFound for an unknown or malformed id.
func (s *Service) Get(ctx context.Context, id string) (Webhook, error) {
	if !cms.ValidID(id) {
		return Webhook{}, cms.Errorf(cms.CodeNotFound, "webhook not found")
	}
	return s.store.Webhook(ctx, id)
}

// Delete removes a webhook and its delivery log; cms.CodeNotFound if there is none.
// Deliveries not yet sent are dropped.
func (s *Service) Delete(ctx context.Context, id string) error {
	if !cms.ValidID(id) {
		return cms.Errorf(cms.CodeNotFound, "webhook not found")
	}
	return s.store.DeleteWebhook(ctx, id)
}

// RotateSecret replaces a webhook's secret and returns the new one, shown this once.
// From then on every attempt, including retries of earlier events, is signed with it.
func (s *Service) RotateSecret(ctx context.Context, id string) (Webhook, string, error) {
	w, err := s.Get(ctx, id)
	if err != nil {
		return Webhook{}, "", err
	}
	secret := NewSecret()
	now := s.clock.Now()
	sealed := s.sealer.Seal(secret, w.ID)
	if err := s.store.SetWebhookSecret(ctx, w.ID, sealed, s.sealer.KeyID(), now); err != nil {
		return Webhook{}, "", err
	}
	w.SealedSecret, w.KeyID, w.SecretRotatedAt = sealed, s.sealer.KeyID(), now
	return w, secret, nil
}

// Deliveries returns a page of a webhook's delivery log, newest first; cms.CodeNotFound if
// there is no such webhook.
func (s *Service) Deliveries(ctx context.Context, f DeliveryFilter) ([]Delivery, error) {
	if _, err := s.Get(ctx, f.WebhookID); err != nil {
		return nil, err
	}
	return s.store.Deliveries(ctx, f)
}
