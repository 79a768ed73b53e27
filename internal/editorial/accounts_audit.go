package editorial

import (
	"context"
	"encoding/json"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
)

// RecordAccountEvent appends an event to the accounts chain: enrolment, a password change
// or reset, a change of roles or of the disabled flag, a failed or succeeded login. The
// chain is linked like a page's (each event names its predecessor's hash) and stored
// conditionally on its head, so two processes never fork it; the event records the actor's
// roles and request id. actor.UserID may be empty (a failed login for an unknown email):
// data then says who was meant. data must never hold a password or a token.
//
// It returns nothing: the caller's action has happened (or been refused) either way. A
// failure to record is logged as an error.
func (s *Service) RecordAccountEvent(ctx context.Context, actor cms.Principal, action string, data map[string]any) {
	if err := s.appendAccountEvent(ctx, actor, action, data); err != nil {
		s.log.Error("audit: could not record account event", "action", action, "actor", actor.UserID,
			"requestId", actor.RequestID, "error", err)
	}
}

// accountAppendAttempts bounds the retries when other requests append to the chain at the
// same moment (each retry re-reads the head).
const accountAppendAttempts = 8

func (s *Service) appendAccountEvent(ctx context.Context, actor cms.Principal, action string, data map[string]any) error {
	text := "{}"
	if len(data) > 0 {
		// json.Marshal sorts map keys, which makes the text canonical for these values.
		b, err := json.Marshal(data)
		if err != nil {
			return err
		}
		text = string(b)
	}
	var err error
	for range accountAppendAttempts {
		var head AuditHead
		if head, err = s.store.AccountsHead(ctx); err != nil {
			return err
		}
		e := NewAccountEvent(head, actor, action, text, s.clock.Now())
		err = s.store.AppendAuditEvent(ctx, e)
		if !cms.IsCode(err, cms.CodeVersionConflict) {
			return err
		}
	}
	return err
}

// NewAccountEvent returns the accounts chain's event following head: action by actor at
// time at, with data as canonical JSON text, linked and hashed.
func NewAccountEvent(head AuditHead, actor cms.Principal, action, data string, at time.Time) AuditEvent {
	prev := head.Hash
	if prev == "" {
		prev = GenesisHash
	}
	e := AuditEvent{
		Seq: head.Seq + 1, At: at.UTC().Truncate(time.Millisecond), Actor: actor.UserID, ActorName: actor.Name,
		Action: action, PageID: AccountsChain, Data: data, PrevHash: prev,
		ActorRoles: roleNames(actor.Roles), RequestID: actor.RequestID,
	}
	e.ID = EventID(AccountsChain, e.Seq)
	e.Hash = e.ComputeHash()
	return e
}

// VerifyAccountsChain reads the accounts chain and checks every link (VerifyChain). It
// returns the first broken link, or nil.
func (s *Service) VerifyAccountsChain(ctx context.Context) (*ChainBreak, error) {
	events, err := s.store.AuditEvents(ctx, AuditFilter{Accounts: true})
	if err != nil {
		return nil, err
	}
	head, err := s.store.AccountsHead(ctx)
	if err != nil {
		return nil, err
	}
	return VerifyChain(AccountsChain, events, head), nil
}
