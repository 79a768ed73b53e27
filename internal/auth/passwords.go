package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
)

// verifyPassword checks pw against the user's hash. An account without a password yet
// (enrolment pending) costs the same argon2 work and never matches, so its failures cannot
// be told from a wrong password by their timing.
func (s *Service) verifyPassword(u User, pw string) bool {
	if u.PasswordHash == "" {
		return s.hasher.VerifyDummy(pw)
	}
	return s.hasher.VerifyPassword(u.PasswordHash, pw)
}

// checkNewPassword applies the password policy to a new password sent as field.
func checkNewPassword(field, pw string) error {
	if err := ValidatePassword(pw); err != nil {
		return cms.InvalidField(field, err.(*cms.Error).Fields[0].Message)
	}
	return nil
}

// ChangePassword is the signed-in user setting a new password of their own: the current
// one is checked (a wrong one is cms.CodeInvalid naming currentPassword, and counts against
// the user's re-authentication limit, as a wrong signing password does), the new one must
// pass the policy and differ. The user's other sessions are revoked; sessionID, the one
// making the change, goes on.
func (s *Service) ChangePassword(ctx context.Context, actor cms.Principal, sessionID, current, next string) error {
	switch {
	case current == "":
		return cms.InvalidField("currentPassword", "required")
	case next == current:
		return cms.InvalidField("newPassword", "must differ from the current password")
	}
	if err := checkNewPassword("newPassword", next); err != nil {
		return err
	}
	now := s.clock.Now()
	key := limitKey(actor.UserID)
	if wait := s.reauth.acquire(key, now); wait > 0 {
		s.log.Warn("password change rate limited", "user", actor.UserID)
		return rateLimited(wait)
	}
	u, err := s.activeUser(ctx, actor.UserID, msgBadAccess)
	if err != nil {
		if !cms.IsCode(err, cms.CodeUnauthorized) {
			s.reauth.release(key, now) // a store outage is not a guess
		}
		return err
	}
	if !s.verifyPassword(u, current) {
		s.log.Info("password change refused", "user", u.ID, "reason", "wrong current password")
		return cms.InvalidField("currentPassword", "is not your current password")
	}
	s.reauth.reset(key)
	if err := s.storePassword(ctx, u.ID, next, false, nil, now); err != nil {
		return err
	}
	n, err := s.revokeSessions(ctx, u.ID, sessionID, now)
	if err != nil {
		return err
	}
	s.log.Info("password changed", "user", u.ID, "sessionsRevoked", n)
	s.record(ctx, actor, EventPasswordChanged, u, map[string]any{"sessionsRevoked": n})
	return nil
}

// errTokenInvalid is the one answer to every unusable one-time token, whatever the reason
// (unknown, spent, expired, superseded, for a disabled account), so none can be probed.
func errTokenInvalid(cause error) error {
	return &cms.Error{Code: cms.CodeTokenInvalid,
		Message: "the token is not valid: it is unknown, used, expired or replaced by a newer one",
		Fields:  []cms.FieldError{{Field: "token", Message: "not valid"}}, Err: cause}
}

// Enrol is the owner of an account created without a password setting their first one
// with the enrolment token. It returns the user. A token that cannot be used is
// cms.CodeTokenInvalid.
func (s *Service) Enrol(ctx context.Context, token, password string) (User, error) {
	u, err := s.spendToken(ctx, TokenEnrolment, token, password)
	if err != nil {
		return User{}, err
	}
	s.log.Info("enrolment completed", "user", u.ID)
	s.record(ctx, u.Principal(), EventEnrolmentCompleted, u, nil)
	return u, nil
}

// ResetPassword is a person setting a new password of their own with the reset token an
// admin issued for them. Every session of theirs is revoked. A token that cannot be used
// is cms.CodeTokenInvalid.
func (s *Service) ResetPassword(ctx context.Context, token, password string) error {
	u, err := s.spendToken(ctx, TokenReset, token, password)
	if err != nil {
		return err
	}
	n, err := s.revokeSessions(ctx, u.ID, "", u.UpdatedAt)
	if err != nil {
		return err
	}
	s.log.Info("password reset", "user", u.ID, "sessionsRevoked", n)
	s.record(ctx, u.Principal(), EventPasswordResetUsed, u, map[string]any{"sessionsRevoked": n})
	return nil
}

// spendToken checks a one-time token of kind and stores password as its owner's own,
// spending the token in the same conditional write. It returns the user as updated.
func (s *Service) spendToken(ctx context.Context, kind TokenKind, token, password string) (User, error) {
	if err := checkNewPassword("password", password); err != nil {
		return User{}, err
	}
	id, ok := tokenUserID(token)
	if !ok {
		return User{}, errTokenInvalid(errors.New("malformed token"))
	}
	now := s.clock.Now()
	u, err := s.users.UserByID(ctx, id)
	switch {
	case cms.IsCode(err, cms.CodeNotFound):
		return User{}, errTokenInvalid(err)
	case err != nil:
		return User{}, fmt.Errorf("auth: load user: %w", err)
	}
	stored := u.Enrolment
	if kind == TokenReset {
		stored = u.Reset
	}
	if !stored.matches(token, now) {
		return User{}, errTokenInvalid(fmt.Errorf("%s token does not match or expired", kind))
	}
	if u.Disabled {
		return User{}, errTokenInvalid(errors.New("user disabled"))
	}
	spend := &TokenSpend{Kind: kind, Hash: hashAccountToken(token)}
	if err := s.storePassword(ctx, u.ID, password, false, spend, now); err != nil {
		if cms.IsCode(err, cms.CodeConflict) || cms.IsCode(err, cms.CodeNotFound) {
			return User{}, errTokenInvalid(err) // spent or replaced meanwhile
		}
		return User{}, err
	}
	u.PasswordChangeRequired, u.Enrolment, u.Reset, u.UpdatedAt = false, nil, nil, now
	return u, nil
}

// SetPasswordByOperator is the command line setting the password of the user with this
// email. The password is temporary (the account cannot sign until its owner changes it)
// unless own says the operator is that person. Every session of the user is revoked.
func (s *Service) SetPasswordByOperator(ctx context.Context, email, password string, own bool) (User, error) {
	if err := ValidatePassword(password); err != nil {
		return User{}, err
	}
	u, err := s.users.UserByEmail(ctx, NormalizeEmail(email))
	switch {
	case cms.IsCode(err, cms.CodeNotFound):
		return User{}, &cms.Error{Code: cms.CodeNotFound, Message: fmt.Sprintf("no user has the email %s", NormalizeEmail(email)), Err: err}
	case err != nil:
		return User{}, fmt.Errorf("auth: load user: %w", err)
	}
	now := s.clock.Now()
	if err := s.storePassword(ctx, u.ID, password, !own, nil, now); err != nil {
		return User{}, err
	}
	n, err := s.revokeSessions(ctx, u.ID, "", now)
	if err != nil {
		return User{}, err
	}
	u.PasswordChangeRequired, u.Enrolment, u.Reset, u.UpdatedAt = !own, nil, nil, now
	s.log.Info("password set by operator", "user", u.ID, "temporary", !own, "sessionsRevoked", n)
	s.record(ctx, operator, EventPasswordSet, u, map[string]any{"temporary": !own, "sessionsRevoked": n})
	return u, nil
}

// storePassword hashes password and stores it for the user.
func (s *Service) storePassword(ctx context.Context, id, password string, changeRequired bool, spend *TokenSpend, now time.Time) error {
	hash, err := s.hasher.HashPassword(password)
	if err != nil {
		return err
	}
	err = s.users.SetPassword(ctx, id, PasswordUpdate{Hash: hash, ChangeRequired: changeRequired, At: now, Spend: spend})
	switch {
	case err == nil:
		return nil
	case cms.IsCode(err, cms.CodeConflict) || cms.IsCode(err, cms.CodeNotFound):
		return err
	default:
		return fmt.Errorf("auth: store password: %w", err)
	}
}

// revokeSessions revokes every session of the user but keep (which may be empty) and
// returns how many it revoked. A login that completes while this runs may open a session
// it does not see; that login knew the password as it is after the change, or started
// before it and its session ends no later than one refresh lifetime.
func (s *Service) revokeSessions(ctx context.Context, userID, keep string, now time.Time) (int, error) {
	families, err := s.refresh.UserFamilies(ctx, userID, now)
	if err != nil {
		return 0, fmt.Errorf("auth: list sessions: %w", err)
	}
	n := 0
	for _, f := range families {
		if f == keep {
			continue
		}
		if err := s.refresh.RevokeFamily(ctx, f, now); err != nil {
			return n, fmt.Errorf("auth: revoke session: %w", err)
		}
		n++
	}
	return n, nil
}
