package auth

import (
	"context"

	"github.com/monograph-cms/monograph/internal/cms"
)

// AccountRecorder takes account events into the audit trail, on a chain of their own
// (the editorial service implements it). Event data never holds a password or a token.
type AccountRecorder interface {
	RecordAccountEvent(ctx context.Context, actor cms.Principal, action string, data map[string]any)
}

// The account events' actions. Every event's data names the account it is about
// ("userId", "email"), except a failed login for an email that has no account.
const (
	EventLoginSucceeded      = "login_succeeded"
	EventLoginFailed         = "login_failed"          // "reason"; "address" when known
	EventUserCreated         = "user_created"          // "roles", "credentials", "passwordOrigin": own, temporary or enrolment
	EventEnrolmentCompleted  = "enrolment_completed"   // the owner set their first password
	EventPasswordChanged     = "password_changed"      // by its owner; "sessionsRevoked"
	EventPasswordResetIssued = "password_reset_issued" // "expiresAt"
	EventPasswordResetUsed   = "password_reset_used"   // "sessionsRevoked"
	EventPasswordSet         = "password_set_by_operator"
	EventRolesChanged        = "roles_changed"   // "from", "to"
	EventUserDisabled        = "user_disabled"   //
	EventUserEnabled         = "user_enabled"    //
	EventProfileChanged      = "profile_changed" // "name" and/or "credentials": {"from","to"}
)

// operator is the actor of changes made on the command line, by whoever runs it on the
// server: there is no signed-in user.
var operator = cms.Principal{Name: "operator (command line)"}

// SetAccountRecorder makes the service hand account events to r (nil: to nobody). Call it
// while wiring, before the service is used.
func (s *Service) SetAccountRecorder(r AccountRecorder) { s.recorder = r }

type requestIDKey struct{}

// WithRequestID returns ctx carrying the id of the request, for the account events of
// requests made without a signed-in user (login, enrolment, reset), whose actor carries
// no request id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// record hands one account event about subject (which may be the zero User, for a failed
// login of an unknown email) to the recorder, if there is one.
func (s *Service) record(ctx context.Context, actor cms.Principal, action string, subject User, data map[string]any) {
	if s.recorder == nil {
		return
	}
	if actor.RequestID == "" {
		actor.RequestID, _ = ctx.Value(requestIDKey{}).(string)
	}
	if data == nil {
		data = map[string]any{}
	}
	if subject.ID != "" {
		data["userId"] = subject.ID
		data["email"] = subject.Email
	}
	s.recorder.RecordAccountEvent(ctx, actor, action, data)
}

// addressData is the event data of a login: the client address, when known.
func addressData(clientIP string) map[string]any {
	data := map[string]any{}
	if clientIP != "" {
		data["address"] = clientIP
	}
	return data
}

// recordLoginFailed records a failed login. For an account (u known) the actor is that
// account, whoever tried; for an email without one the actor is nobody and the email is
// kept only if it looks like one (what was typed there may be a password).
func (s *Service) recordLoginFailed(ctx context.Context, u User, email, clientIP, reason string) {
	data := addressData(clientIP)
	data["reason"] = reason
	var actor cms.Principal
	if u.ID != "" {
		actor = u.Principal()
	} else if checkEmail(email) == "" {
		data["email"] = email
	}
	s.record(ctx, actor, EventLoginFailed, u, data)
}
