package auth

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/monograph-cms/monograph/internal/cms"
)

// Token limits.
const (
	// MaxAccessTTL is the longest access token lifetime allowed (docs/security.md): a stolen access
	// token cannot be revoked faster than the per-request user and session checks in
	// Service.Authenticate, and it dies on its own within this time.
	MaxAccessTTL = 15 * time.Minute
	// DefaultAccessTTL is used when no access lifetime is configured.
	DefaultAccessTTL = MaxAccessTTL
	// DefaultPreviewTTL is used when IssuePreview is given no lifetime.
	DefaultPreviewTTL = time.Hour
	// MaxPreviewTTL bounds preview links: they travel in URLs, and work only while the
	// session that made them is open (Service.VerifyPreview).
	MaxPreviewTTL = 24 * time.Hour
	// MaxTokenBytes is the longest token string accepted. An Ed25519 access token is about
	// 400 bytes; refusing long input before parsing keeps hostile headers cheap.
	MaxTokenBytes = 4096
	// Leeway is the clock skew tolerated between the servers that issue and verify tokens.
	Leeway = 30 * time.Second
)

// Token types, carried in the "typ" claim so that one kind of token can never pass for
// another even if audiences were misconfigured to be equal.
const (
	typeAccess  = "access"
	typePreview = "preview"
)

// msgBadPreview is the public message of every refused preview token, whatever the cause.
const msgBadPreview = "invalid or expired preview token"

// Causes of token rejection. They go into cms.Error.Err (and so the log), never to the caller.
var (
	errTokenTooLong = errors.New("token longer than MaxTokenBytes")
	errUnknownKey   = errors.New("unknown key id")
	errWrongType    = errors.New("wrong token type")
	errMissingClaim = errors.New("missing sub, sid or jti claim")
	errWrongPage    = errors.New("preview token is for another page")
	// errMissingIssuedAt: iat is required, VerifyAccess reports it and lifetimes are
	// measured from it.
	errMissingIssuedAt = errors.New("missing iat claim")
	// errBadNumericDate: the JWT library would take "exp": "1700000000" (a string) and turn
	// 1e300 into an arbitrary time; only JSON numbers of seconds from 1970 to 9999 are dates.
	errBadNumericDate = errors.New("exp, iat and nbf must be JSON numbers of seconds from 1970 to 9999")
	errLifetime       = errors.New("token lives longer than its kind may")
)

// AccessClaims are the verified contents of an access token.
type AccessClaims struct {
	UserID    string // sub
	SessionID string // sid: the refresh token family, revoked on logout
	TokenID   string // jti
	IssuedAt  time.Time
	ExpiresAt time.Time
}

// PreviewClaims are the verified contents of a preview token: the page it shows and the
// session that asked for it, which must still be open for the token to work.
type PreviewClaims struct {
	PageID    string // page
	UserID    string // sub: the user who asked for the preview
	SessionID string // sid: that user's session (refresh token family)
	ExpiresAt time.Time
}

// tokenClaims is the JWT payload of access and preview tokens. It stays unexported so that no
// other package needs to import the JWT library.
type tokenClaims struct {
	jwt.RegisteredClaims
	Type      string `json:"typ"`
	SessionID string `json:"sid,omitempty"`
	PageID    string `json:"page,omitempty"`
}

// maxNumericDate is 9999-12-31T23:59:59Z, the last second a date claim may name.
const maxNumericDate = 253402300799

// UnmarshalJSON decodes the payload as the JWT library would, after refusing the date claims
// it would wrongly take: the library reads exp, iat and nbf through json.Number, which also
// accepts a JSON string ("exp": "1700000000"), and converts any float to int64 seconds, so
// 1e300 becomes an arbitrary time. Only JSON numbers from 0 to maxNumericDate pass; null or
// absent is left to the required-claim checks. Both decodings match keys the same
// (case-insensitive) way, so the checked values are the ones decoded.
func (c *tokenClaims) UnmarshalJSON(b []byte) error {
	var dates struct {
		ExpiresAt json.RawMessage `json:"exp"`
		IssuedAt  json.RawMessage `json:"iat"`
		NotBefore json.RawMessage `json:"nbf"`
	}
	if err := json.Unmarshal(b, &dates); err != nil {
		return err
	}
	for _, raw := range []json.RawMessage{dates.ExpiresAt, dates.IssuedAt, dates.NotBefore} {
		if err := checkNumericDate(raw); err != nil {
			return err
		}
	}
	type plain tokenClaims // without this method, so the standard decoding applies
	return json.Unmarshal(b, (*plain)(c))
}

// checkNumericDate accepts an absent or null claim or a JSON number of seconds in range.
func checkNumericDate(raw json.RawMessage) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	if raw[0] != '-' && (raw[0] < '0' || raw[0] > '9') {
		return errBadNumericDate // a string, boolean, object or array
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || f < 0 || f > maxNumericDate {
		return errBadNumericDate
	}
	return nil
}

// TokenIssuer signs and verifies access tokens and page preview tokens (EdDSA JWTs). It is
// safe for concurrent use.
type TokenIssuer struct {
	keys      *KeySet
	issuer    string
	audience  string
	accessTTL time.Duration
	clock     cms.Clock
	access    *jwt.Parser
	preview   *jwt.Parser
	verified  verifiedTokens
}

// NewTokenIssuer returns a TokenIssuer signing with keys.Signing(). Access tokens carry
// audience; preview tokens carry audience+"-preview", so neither verifies as the other.
// accessTTL 0 means DefaultAccessTTL; more than MaxAccessTTL is an error. A nil clock means
// cms.SystemClock.
func NewTokenIssuer(keys *KeySet, issuer, audience string, accessTTL time.Duration, clock cms.Clock) (*TokenIssuer, error) {
	switch {
	case keys == nil:
		return nil, errors.New("auth: token issuer needs a key set")
	case issuer == "":
		return nil, errors.New("auth: token issuer needs an issuer")
	case audience == "":
		return nil, errors.New("auth: token issuer needs an audience")
	case accessTTL < 0 || accessTTL > MaxAccessTTL:
		return nil, fmt.Errorf("auth: access token lifetime %v must be between 0 (default) and %v", accessTTL, MaxAccessTTL)
	}
	if accessTTL == 0 {
		accessTTL = DefaultAccessTTL
	}
	if clock == nil {
		clock = cms.SystemClock{}
	}
	parser := func(aud string) *jwt.Parser {
		return jwt.NewParser(
			jwt.WithValidMethods([]string{jwt.SigningMethodEdDSA.Alg()}),
			jwt.WithIssuer(issuer),
			jwt.WithAudience(aud),
			jwt.WithExpirationRequired(),
			jwt.WithNotBeforeRequired(),
			jwt.WithIssuedAt(),
			jwt.WithLeeway(Leeway),
			jwt.WithTimeFunc(clock.Now),
			jwt.WithStrictDecoding(),
		)
	}
	return &TokenIssuer{
		keys:      keys,
		issuer:    issuer,
		audience:  audience,
		accessTTL: accessTTL,
		clock:     clock,
		access:    parser(audience),
		preview:   parser(audience + "-preview"),
	}, nil
}

// AccessTTL returns the lifetime of new access tokens.
func (ti *TokenIssuer) AccessTTL() time.Duration { return ti.accessTTL }

// IssueAccess returns a signed access token for userID in the session (refresh token family)
// sessionID, and when it expires.
func (ti *TokenIssuer) IssueAccess(userID, sessionID string) (token string, expiresAt time.Time, err error) {
	if userID == "" || sessionID == "" {
		return "", time.Time{}, errors.New("auth: access token needs a user id and a session id")
	}
	c, exp := ti.claims(typeAccess, ti.audience, ti.accessTTL)
	c.Subject = userID
	c.SessionID = sessionID
	token, err = ti.sign(c)
	return token, exp, err
}

// VerifyAccess checks an access token's signature, algorithm, key id, issuer, audience,
// lifetime and type, and returns its claims. Every failure is a cms.CodeUnauthorized error
// with the same public message; the reason is in Err, for the log only.
func (ti *TokenIssuer) VerifyAccess(token string) (AccessClaims, error) {
	now := ti.clock.Now()
	if c, ok := ti.verified.get(token, now); ok {
		return c, nil
	}
	c, err := ti.parse(ti.access, token, typeAccess)
	if err == nil && (c.Subject == "" || c.SessionID == "" || c.ID == "") {
		err = errMissingClaim
	}
	if err != nil {
		return AccessClaims{}, &cms.Error{Code: cms.CodeUnauthorized, Message: "invalid or expired access token", Err: err}
	}
	claims := AccessClaims{
		UserID:    c.Subject,
		SessionID: c.SessionID,
		TokenID:   c.ID,
		IssuedAt:  c.IssuedAt.Time,
		ExpiresAt: c.ExpiresAt.Time,
	}
	ti.verified.put(token, claims, now)
	return claims, nil
}

// IssuePreview returns a signed token that lets its bearer see the latest revision of one
// page, and when it expires. The token names the user who asked for it and their session
// (refresh token family), so that Service.VerifyPreview can refuse it once that user is
// disabled or that session logged out. ttl 0 means DefaultPreviewTTL; a negative ttl or one
// over MaxPreviewTTL is a cms.CodeInvalid error on the field "ttl".
func (ti *TokenIssuer) IssuePreview(pageID, userID, sessionID string, ttl time.Duration) (token string, expiresAt time.Time, err error) {
	if pageID == "" || userID == "" || sessionID == "" {
		return "", time.Time{}, errors.New("auth: preview token needs a page id, a user id and a session id")
	}
	if ttl < 0 || ttl > MaxPreviewTTL {
		return "", time.Time{}, cms.InvalidField("ttl", fmt.Sprintf("must be at most %v", MaxPreviewTTL))
	}
	if ttl == 0 {
		ttl = DefaultPreviewTTL
	}
	c, exp := ti.claims(typePreview, ti.audience+"-preview", ttl)
	c.PageID = pageID
	c.Subject = userID
	c.SessionID = sessionID
	token, err = ti.sign(c)
	return token, exp, err
}

// VerifyPreview checks that token is a valid, unexpired preview token for pageID, naming the
// user and session that asked for it, and returns its claims. It does not know whether that
// user and session are still active: Service.VerifyPreview checks that. Every failure is a
// cms.CodeUnauthorized error with the same public message.
func (ti *TokenIssuer) VerifyPreview(token, pageID string) (PreviewClaims, error) {
	c, err := ti.parse(ti.preview, token, typePreview)
	switch {
	case err != nil:
	case c.PageID == "" || c.PageID != pageID:
		err = errWrongPage
	case c.Subject == "" || c.SessionID == "" || c.ID == "":
		// Tokens issued before previews were bound to a session carry neither.
		err = errMissingClaim
	}
	if err != nil {
		return PreviewClaims{}, &cms.Error{Code: cms.CodeUnauthorized, Message: msgBadPreview, Err: err}
	}
	return PreviewClaims{PageID: c.PageID, UserID: c.Subject, SessionID: c.SessionID, ExpiresAt: c.ExpiresAt.Time}, nil
}

// claims returns the registered claims common to every token, and the expiry. Times are
// truncated to seconds, as JWT NumericDates are, so the returned expiry equals the claim.
func (ti *TokenIssuer) claims(typ, audience string, ttl time.Duration) (tokenClaims, time.Time) {
	now := ti.clock.Now().Truncate(time.Second)
	exp := now.Add(ttl)
	return tokenClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    ti.issuer,
			Audience:  jwt.ClaimStrings{audience},
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(exp),
			ID:        rand.Text(),
		},
		Type: typ,
	}, exp
}

// sign signs c with the signing key and names that key in the header, so verifiers holding
// several keys (during rotation) pick the right one without trying each.
func (ti *TokenIssuer) sign(c tokenClaims) (string, error) {
	k := ti.keys.Signing()
	t := jwt.NewWithClaims(jwt.SigningMethodEdDSA, c)
	t.Header["kid"] = k.ID
	s, err := t.SignedString(k.Private)
	if err != nil {
		return "", fmt.Errorf("auth: sign token: %w", err)
	}
	return s, nil
}

// parse verifies token with p and checks its type.
func (ti *TokenIssuer) parse(p *jwt.Parser, token, typ string) (tokenClaims, error) {
	// Checked before any parsing: the JWT library splits and base64-decodes the whole input,
	// which for megabytes of dots or junk would be work an attacker gets for free.
	if len(token) > MaxTokenBytes {
		return tokenClaims{}, errTokenTooLong
	}
	var c tokenClaims
	if _, err := p.ParseWithClaims(token, &c, ti.keyFor); err != nil {
		return tokenClaims{}, err
	}
	if c.Type != typ {
		return tokenClaims{}, errWrongType
	}
	// The parser requires exp and nbf but has no option to require iat.
	if c.IssuedAt == nil {
		return tokenClaims{}, errMissingIssuedAt
	}
	// No token of ours lives longer than its kind allows, nor ends before it begins; one
	// that does was not made by IssueAccess or IssuePreview.
	maxLife := MaxAccessTTL
	if typ == typePreview {
		maxLife = MaxPreviewTTL
	}
	if life := c.ExpiresAt.Sub(c.IssuedAt.Time); life <= 0 || life > maxLife {
		return tokenClaims{}, errLifetime
	}
	return c, nil
}

// keyFor returns the public key named by the token's kid header. The parser has already
// pinned the algorithm to EdDSA, so the key is never used with another algorithm.
func (ti *TokenIssuer) keyFor(t *jwt.Token) (any, error) {
	kid, _ := t.Header["kid"].(string)
	pub, ok := ti.keys.Lookup(kid)
	if !ok {
		return nil, fmt.Errorf("%w %q", errUnknownKey, kid)
	}
	return pub, nil
}
