package auth

import (
	"context"
	"errors"
	"fmt"

	"github.com/monograph-cms/monograph/internal/cms"
)

// ReauthenticatePassword checks the password of a signed-in user again, for an electronic
// signature. A mismatch (or an unknown or disabled user) is cms.CodeUnauthorized "password
// is incorrect".
//
// Failures are limited per signed-in user id, by a limiter of their own (Service.reauth):
// the login limiter counts per email whoever sends the attempts, so sharing it let anybody
// who knows a reviewer's email stop them signing. Over the limit the answer is
// cms.CodeRateLimited.
//
// The right password still does not sign when someone else chose it
// (cms.CodePasswordChangeRequired: an admin who set it could sign in the reviewer's name),
// or when the account also administers accounts (cms.CodeRoleConflict, for an account that
// got both roles before they were refused).
func (s *Service) ReauthenticatePassword(ctx context.Context, userID, password string) error {
	now := s.clock.Now()
	key := limitKey(userID)
	if wait := s.reauth.acquire(key, now); wait > 0 {
		s.log.Warn("re-authentication rate limited", "user", userID)
		return rateLimited(wait)
	}
	u, err := s.users.UserByID(ctx, userID)
	switch {
	case cms.IsCode(err, cms.CodeNotFound):
		s.hasher.VerifyDummy(password)
		return unauthorized(msgBadReauth, err)
	case err != nil:
		s.reauth.release(key, now) // a store outage is not a guess
		return fmt.Errorf("auth: load user: %w", err)
	}
	switch {
	case !s.verifyPassword(u, password):
		s.log.Info("re-authentication failed", "user", u.ID, "reason", "wrong password")
		return unauthorized(msgBadReauth, errors.New("wrong password"))
	case u.Disabled:
		s.log.Info("re-authentication failed", "user", u.ID, "reason", "account disabled")
		return unauthorized(msgBadReauth, errors.New("user disabled"))
	}
	s.reauth.reset(key)
	if err := checkRoleConflict(u.Roles); err != nil {
		return err
	}
	if u.PasswordChangeRequired {
		return cms.Errorf(cms.CodePasswordChangeRequired,
			"your password was set by someone else: set one of your own (POST /api/v1/auth/password) before signing")
	}
	return nil
}
