package auth

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/locale"
)

// DefaultRefreshTTL is how long a refresh token lives when no lifetime is configured. Each
// refresh issues a new token with a new full lifetime, so a session used at least this often
// stays open.
const DefaultRefreshTTL = 30 * 24 * time.Hour

// Limits configures login throttling. Failures are counted in a sliding window, per account
// (normalised email, known or not) and per client address; a key that reached its limit is
// refused with cms.CodeRateLimited until its oldest counted failure leaves the window.
type Limits struct {
	// AccountFailures is the failures allowed per email per Window (default 10): few enough
	// that online guessing of one account is hopeless, enough for a user fumbling a password.
	AccountFailures int
	// AddressFailures is the failures allowed per client address per Window (default 30):
	// higher, because an office may share one address.
	AddressFailures int
	// Window is the sliding window (default 15 minutes).
	Window time.Duration
	// MaxTrackedKeys bounds the keys each limiter remembers (default 10000: under 10 MB even
	// if every key is at its limit); beyond it the least recently failing key is forgotten.
	MaxTrackedKeys int
}

// Config configures the Service. Zero fields take the defaults of DefaultConfig.
type Config struct {
	Issuer     string        // JWT "iss" (default "monograph")
	Audience   string        // JWT "aud" of access tokens (default "monograph-manage")
	AccessTTL  time.Duration // access token lifetime, at most MaxAccessTTL (default 15 minutes)
	RefreshTTL time.Duration // refresh token lifetime (default 30 days)
	Limits     Limits
	// Locales are the configured languages: a user's languages must be among them.
	Locales locale.Set
}

// DefaultConfig returns the default configuration.
func DefaultConfig() Config {
	return Config{
		Issuer:     "monograph",
		Audience:   "monograph-manage",
		AccessTTL:  DefaultAccessTTL,
		RefreshTTL: DefaultRefreshTTL,
		Limits: Limits{
			AccountFailures: 10,
			AddressFailures: 30,
			Window:          15 * time.Minute,
			MaxTrackedKeys:  10000,
		},
	}
}

// withDefaults fills zero fields from DefaultConfig.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	c.Issuer = cmp.Or(c.Issuer, d.Issuer)
	c.Audience = cmp.Or(c.Audience, d.Audience)
	c.AccessTTL = cmp.Or(c.AccessTTL, d.AccessTTL)
	c.RefreshTTL = cmp.Or(c.RefreshTTL, d.RefreshTTL)
	c.Limits.AccountFailures = cmp.Or(c.Limits.AccountFailures, d.Limits.AccountFailures)
	c.Limits.AddressFailures = cmp.Or(c.Limits.AddressFailures, d.Limits.AddressFailures)
	c.Limits.Window = cmp.Or(c.Limits.Window, d.Limits.Window)
	c.Limits.MaxTrackedKeys = cmp.Or(c.Limits.MaxTrackedKeys, d.Limits.MaxTrackedKeys)
	return c
}

// validate fails fast on settings that cannot work.
func (c Config) validate() error {
	switch {
	case c.RefreshTTL < c.AccessTTL:
		return fmt.Errorf("refresh token lifetime %v is shorter than the access token lifetime %v", c.RefreshTTL, c.AccessTTL)
	case c.Limits.AccountFailures < 1 || c.Limits.AddressFailures < 1:
		return errors.New("login failure limits must be at least 1")
	case c.Limits.Window <= 0:
		return errors.New("login limit window must be positive")
	case c.Limits.MaxTrackedKeys < 1:
		return errors.New("login limiter size must be at least 1")
	}
	return nil
}

// Deps are the Service's collaborators. Users, Refresh and Keys are required.
type Deps struct {
	Users   UserStore
	Refresh RefreshStore
	Keys    *KeySet      // signing keys, see LoadOrCreateKeys
	Hasher  *Hasher      // nil: NewHasher(DefaultParams())
	Clock   cms.Clock    // nil: cms.SystemClock
	Logger  *slog.Logger // nil: discard
	NewID   func() string
}

// Session is what login and refresh answer: {"accessToken","refreshToken","expiresIn","user"}.
type Session struct {
	AccessToken  string `json:"accessToken"`
	RefreshToken string `json:"refreshToken"`
	ExpiresIn    int    `json:"expiresIn"` // seconds until the access token expires
	User         User   `json:"user"`
}

// Service authenticates users, keeps their sessions and administers them. It is safe for
// concurrent use.
type Service struct {
	cfg     Config
	users   UserStore
	refresh RefreshStore
	tokens  *TokenIssuer
	hasher  *Hasher
	clock   cms.Clock
	log     *slog.Logger
	newID   func() string
	account *failureLimiter
	address *failureLimiter
	// reauth limits failed re-authentications (signing, password change) per user id,
	// apart from the login limiters (see ReauthenticatePassword).
	reauth *failureLimiter
	// recorder takes account events into the audit trail (SetAccountRecorder); nil: none.
	recorder AccountRecorder
}

// NewService returns a Service. Zero config fields take their defaults; an unusable
// configuration or a missing dependency is an error.
func NewService(cfg Config, d Deps) (*Service, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("auth: config: %w", err)
	}
	if d.Users == nil || d.Refresh == nil {
		return nil, errors.New("auth: a user store and a refresh token store are required")
	}
	if d.Clock == nil {
		d.Clock = cms.SystemClock{}
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.NewID == nil {
		d.NewID = newID
	}
	if d.Hasher == nil {
		h, err := NewHasher(DefaultParams())
		if err != nil {
			return nil, err
		}
		d.Hasher = h
	}
	tokens, err := NewTokenIssuer(d.Keys, cfg.Issuer, cfg.Audience, cfg.AccessTTL, d.Clock)
	if err != nil {
		return nil, err
	}
	return &Service{
		cfg:     cfg,
		users:   d.Users,
		refresh: d.Refresh,
		tokens:  tokens,
		hasher:  d.Hasher,
		clock:   d.Clock,
		log:     d.Logger,
		newID:   d.NewID,
		account: newFailureLimiter(cfg.Limits.AccountFailures, cfg.Limits.Window, cfg.Limits.MaxTrackedKeys),
		address: newFailureLimiter(cfg.Limits.AddressFailures, cfg.Limits.Window, cfg.Limits.MaxTrackedKeys),
		reauth:  newFailureLimiter(cfg.Limits.AccountFailures, cfg.Limits.Window, cfg.Limits.MaxTrackedKeys),
	}, nil
}

// newID returns a random 128-bit identifier in lower-case base32 (26 characters).
func newID() string { return strings.ToLower(rand.Text()) }

// Tokens returns the token issuer, for preview tokens.
func (s *Service) Tokens() *TokenIssuer { return s.tokens }

// Hasher returns the password hasher, for tools that create users outside the Service.
func (s *Service) Hasher() *Hasher { return s.hasher }

// The public failure messages. Each is the same whatever the cause, so that a caller cannot
// tell an unknown email from a wrong password or a disabled account, or learn why a token
// was refused.
const (
	msgBadLogin   = "invalid email or password"
	msgBadAccess  = "invalid or expired access token"
	msgBadRefresh = "invalid or expired refresh token"
	msgBadReauth  = "password is incorrect"
)

func unauthorized(msg string, cause error) error {
	return &cms.Error{Code: cms.CodeUnauthorized, Message: msg, Err: cause}
}

func rateLimited(wait time.Duration) error {
	return &cms.Error{
		Code:              cms.CodeRateLimited,
		Message:           "too many failed attempts; try again later",
		RetryAfterSeconds: max(1, int(math.Ceil(wait.Seconds()))),
	}
}

// Limiter keys are bounded so that a megabyte "email" cannot be stored thousands of times;
// keys that long are never real emails or addresses, so truncation merging them is harmless.
func limitKey(s string) string {
	if len(s) > MaxEmailBytes+1 {
		return s[:MaxEmailBytes+1]
	}
	return s
}

// acquire counts one failure against the account and (if known) the address before the
// password is checked, and undoes it for a success. Counting first closes the race in which
// many concurrent guesses all pass a check made before any of them fails. It returns a
// rate-limit error if either key is blocked; then nothing is counted.
func (s *Service) acquire(account, address string, now time.Time) error {
	if wait := s.account.acquire(account, now); wait > 0 {
		s.log.Warn("login rate limited", "key", "account", "email", account, "address", address)
		return rateLimited(wait)
	}
	if address == "" {
		return nil
	}
	if wait := s.address.acquire(address, now); wait > 0 {
		s.account.release(account, now)
		s.log.Warn("login rate limited", "key", "address", "email", account, "address", address)
		return rateLimited(wait)
	}
	return nil
}

// release undoes acquire, when the attempt turns out not to be a failed guess.
func (s *Service) release(account, address string, now time.Time) {
	s.account.release(account, now)
	if address != "" {
		s.address.release(address, now)
	}
}

// Login checks an email and password and opens a session. An unknown email, a wrong
// password and a disabled account all cost one argon2 verification and return the same
// cms.CodeUnauthorized error. Failures are limited per account and per clientIP (which may
// be empty if unknown); over the limit Login returns cms.CodeRateLimited with
// RetryAfterSeconds, before any password is checked. A success clears the account's count.
func (s *Service) Login(ctx context.Context, email, password, clientIP string) (Session, error) {
	now := s.clock.Now()
	email = NormalizeEmail(email)
	account, address := limitKey(email), limitKey(clientIP)
	if err := s.acquire(account, address, now); err != nil {
		return Session{}, err
	}

	var (
		u      User
		reason string
	)
	if checkEmail(email) != "" {
		s.hasher.VerifyDummy(password)
		reason = "malformed email"
	} else {
		var err error
		u, err = s.users.UserByEmail(ctx, email)
		switch {
		case cms.IsCode(err, cms.CodeNotFound):
			s.hasher.VerifyDummy(password)
			reason = "unknown email"
		case err != nil:
			s.release(account, address, now) // a store outage is not a guess
			return Session{}, fmt.Errorf("auth: login: %w", err)
		default:
			// Verified even for a disabled account, so that it costs the same.
			if !s.verifyPassword(u, password) {
				reason = "wrong password"
			} else if u.Disabled {
				reason = "account disabled"
			}
		}
	}
	if reason != "" {
		s.log.Info("login failed", "email", email, "address", clientIP, "reason", reason)
		s.recordLoginFailed(ctx, u, email, clientIP, reason)
		return Session{}, unauthorized(msgBadLogin, errors.New(reason))
	}

	s.account.reset(account)
	if address != "" {
		s.address.release(address, now)
	}
	sess, err := s.startSession(ctx, u, s.newID(), now)
	if err != nil {
		return Session{}, err
	}
	s.log.Info("login", "user", u.ID, "address", clientIP)
	s.record(ctx, u.Principal(), EventLoginSucceeded, u, addressData(clientIP))
	return sess, nil
}

// startSession issues a refresh token in family familyID and an access token with that
// session id.
func (s *Service) startSession(ctx context.Context, u User, familyID string, now time.Time) (Session, error) {
	token, hash := newRefreshToken()
	rec := RefreshToken{
		Hash:      hash,
		FamilyID:  familyID,
		UserID:    u.ID,
		CreatedAt: now,
		ExpiresAt: now.Add(s.cfg.RefreshTTL),
	}
	if err := s.refresh.InsertRefresh(ctx, rec); err != nil {
		return Session{}, fmt.Errorf("auth: store refresh token: %w", err)
	}
	access, exp, err := s.tokens.IssueAccess(u.ID, familyID)
	if err != nil {
		return Session{}, err
	}
	return Session{
		AccessToken:  access,
		RefreshToken: token,
		// What the token has left as the answer goes out: counted from now, the request's
		// start, it would include the password check and promise more than the token has.
		ExpiresIn: int(exp.Sub(s.clock.Now()) / time.Second),
		User:      u,
	}, nil
}

// Refresh spends a refresh token and returns a new session in the same family (same session
// id). Presenting a token that was already spent or revoked is taken as theft: the whole
// family is revoked, so the thief's and the owner's tokens all stop working. Unknown,
// expired, spent and revoked tokens, revoked families and missing or disabled users are all
// cms.CodeUnauthorized.
func (s *Service) Refresh(ctx context.Context, refreshToken string) (Session, error) {
	now := s.clock.Now()
	if !wellFormedRefreshToken(refreshToken) {
		return Session{}, unauthorized(msgBadRefresh, errors.New("malformed refresh token"))
	}
	old, err := s.refresh.SpendRefresh(ctx, HashRefreshToken(refreshToken), now)
	switch {
	case cms.IsCode(err, cms.CodeNotFound):
		return Session{}, unauthorized(msgBadRefresh, err)
	case cms.IsCode(err, cms.CodeConflict):
		if old.FamilyID != "" {
			if rerr := s.refresh.RevokeFamily(ctx, old.FamilyID, now); rerr != nil {
				return Session{}, fmt.Errorf("auth: revoke family after refresh token reuse: %w", rerr)
			}
		}
		s.log.Warn("refresh token reused; session revoked", "user", old.UserID, "session", old.FamilyID)
		return Session{}, unauthorized(msgBadRefresh, err)
	case err != nil:
		return Session{}, fmt.Errorf("auth: spend refresh token: %w", err)
	}
	if !now.Before(old.ExpiresAt) {
		return Session{}, unauthorized(msgBadRefresh, errors.New("refresh token expired"))
	}
	// Checked after spending: a logout racing with this refresh either revoked the token we
	// spent (SpendRefresh conflicts) or shows here.
	revoked, err := s.refresh.FamilyRevoked(ctx, old.FamilyID)
	if err != nil {
		return Session{}, fmt.Errorf("auth: check session: %w", err)
	}
	if revoked {
		return Session{}, unauthorized(msgBadRefresh, errors.New("session revoked"))
	}
	u, err := s.activeUser(ctx, old.UserID, msgBadRefresh)
	if err != nil {
		return Session{}, err
	}
	return s.startSession(ctx, u, old.FamilyID, now)
}

// Logout revokes the session (refresh token family) of the access token, so its refresh
// tokens stop working and Authenticate refuses its access tokens.
func (s *Service) Logout(ctx context.Context, claims AccessClaims) error {
	if claims.SessionID == "" {
		return unauthorized(msgBadAccess, errors.New("no session id"))
	}
	if err := s.refresh.RevokeFamily(ctx, claims.SessionID, s.clock.Now()); err != nil {
		return fmt.Errorf("auth: logout: %w", err)
	}
	s.log.Info("logout", "user", claims.UserID, "session", claims.SessionID)
	return nil
}

// Authenticate verifies a bearer access token (the token alone, without "Bearer ") and loads
// its user from the store on every call, so that disabling a user, changing roles or logging
// out applies to the very next request. It returns the principal with the user's current
// roles. An invalid token, an unknown or disabled user and a revoked session are all
// cms.CodeUnauthorized; store failures keep their own codes.
func (s *Service) Authenticate(ctx context.Context, bearerToken string) (cms.Principal, AccessClaims, error) {
	claims, err := s.tokens.VerifyAccess(bearerToken)
	if err != nil {
		return cms.Principal{}, AccessClaims{}, err
	}
	u, err := s.activeUser(ctx, claims.UserID, msgBadAccess)
	if err != nil {
		return cms.Principal{}, AccessClaims{}, err
	}
	revoked, err := s.refresh.FamilyRevoked(ctx, claims.SessionID)
	if err != nil {
		return cms.Principal{}, AccessClaims{}, fmt.Errorf("auth: check session: %w", err)
	}
	if revoked {
		return cms.Principal{}, AccessClaims{}, unauthorized(msgBadAccess, errors.New("session revoked"))
	}
	return u.Principal(), claims, nil
}

// VerifyPreview checks a preview token for pageID and that the session which asked for it
// is still open: its user exists and is enabled and the session was not logged out (or
// revoked for refresh token reuse). It returns the user's principal, whose current roles
// the caller checks. A preview link must not outlive the access that made it. Every
// refusal is cms.CodeUnauthorized with the same message; store failures keep their codes.
func (s *Service) VerifyPreview(ctx context.Context, token, pageID string) (cms.Principal, error) {
	claims, err := s.tokens.VerifyPreview(token, pageID)
	if err != nil {
		return cms.Principal{}, err
	}
	u, err := s.activeUser(ctx, claims.UserID, msgBadPreview)
	if err != nil {
		return cms.Principal{}, err
	}
	revoked, err := s.refresh.FamilyRevoked(ctx, claims.SessionID)
	if err != nil {
		return cms.Principal{}, fmt.Errorf("auth: check session: %w", err)
	}
	if revoked {
		return cms.Principal{}, unauthorized(msgBadPreview, errors.New("session revoked"))
	}
	return u.Principal(), nil
}

// activeUser loads an enabled user; unknown and disabled are cms.CodeUnauthorized with msg.
func (s *Service) activeUser(ctx context.Context, id, msg string) (User, error) {
	u, err := s.users.UserByID(ctx, id)
	switch {
	case cms.IsCode(err, cms.CodeNotFound):
		return User{}, unauthorized(msg, err)
	case err != nil:
		return User{}, fmt.Errorf("auth: load user: %w", err)
	case u.Disabled:
		return User{}, unauthorized(msg, errors.New("user disabled"))
	}
	return u, nil
}

// ListUsers returns every user.
func (s *Service) ListUsers(ctx context.Context) ([]User, error) {
	users, err := s.users.ListUsers(ctx)
	if err != nil {
		return nil, fmt.Errorf("auth: list users: %w", err)
	}
	if users == nil {
		users = []User{}
	}
	return users, nil
}

// GetUser returns the user with this id, or cms.CodeNotFound.
func (s *Service) GetUser(ctx context.Context, id string) (User, error) {
	u, err := s.users.UserByID(ctx, id)
	if err != nil {
		if cms.IsCode(err, cms.CodeNotFound) {
			return User{}, &cms.Error{Code: cms.CodeNotFound, Message: "user not found", Err: err}
		}
		return User{}, fmt.Errorf("auth: get user: %w", err)
	}
	return u, nil
}

// SweepExpired deletes expired refresh token records and forgets login failures that left
// the window. The server calls it periodically.
func (s *Service) SweepExpired(ctx context.Context) (int64, error) {
	now := s.clock.Now()
	s.account.prune(now)
	s.address.prune(now)
	s.reauth.prune(now)
	n, err := s.refresh.DeleteExpiredRefresh(ctx, now)
	if err != nil {
		return n, fmt.Errorf("auth: sweep refresh tokens: %w", err)
	}
	return n, nil
}
