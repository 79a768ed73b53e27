package auth

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
)

// testStore is the smallest UserStore and RefreshStore that honours the interface contracts,
// for this package's unit tests only. The application never uses it: the real store
// (internal/mongostore) is tested against the embedded database.
type testStore struct {
	mu      sync.Mutex
	users   map[string]User
	refresh map[string]RefreshToken
	calls   int // store method calls, to check that garbage is refused without a round trip
}

var (
	_ UserStore    = (*testStore)(nil)
	_ RefreshStore = (*testStore)(nil)
)

func newTestStore() *testStore {
	return &testStore{users: map[string]User{}, refresh: map[string]RefreshToken{}}
}

func (s *testStore) lock() func() {
	s.mu.Lock()
	s.calls++
	return s.mu.Unlock
}

func (s *testStore) InsertUser(_ context.Context, u User) error {
	defer s.lock()()
	for _, o := range s.users {
		if o.Email == u.Email {
			return cms.Errorf(cms.CodeConflict, "email taken")
		}
	}
	u.Roles = slices.Clone(u.Roles)
	s.users[u.ID] = u
	return nil
}

func (s *testStore) UserByEmail(_ context.Context, email string) (User, error) {
	defer s.lock()()
	for _, u := range s.users {
		if u.Email == email {
			return u, nil
		}
	}
	return User{}, cms.Errorf(cms.CodeNotFound, "user not found")
}

func (s *testStore) UserByID(_ context.Context, id string) (User, error) {
	defer s.lock()()
	u, ok := s.users[id]
	if !ok {
		return User{}, cms.Errorf(cms.CodeNotFound, "user not found")
	}
	return u, nil
}

func (s *testStore) ListUsers(context.Context) ([]User, error) {
	defer s.lock()()
	var out []User
	for _, u := range s.users {
		out = append(out, u)
	}
	return out, nil
}

func (s *testStore) UpdateUser(_ context.Context, u User) error {
	defer s.lock()()
	old, ok := s.users[u.ID]
	if !ok {
		return cms.Errorf(cms.CodeNotFound, "user not found")
	}
	old.Name, old.Credentials, old.Roles, old.Disabled, old.UpdatedAt = u.Name, u.Credentials, slices.Clone(u.Roles), u.Disabled, u.UpdatedAt
	s.users[u.ID] = old
	return nil
}

func (s *testStore) SetPassword(_ context.Context, id string, p PasswordUpdate) error {
	defer s.lock()()
	u, ok := s.users[id]
	if !ok {
		return cms.Errorf(cms.CodeNotFound, "user not found")
	}
	if p.Spend != nil {
		t := u.Enrolment
		if p.Spend.Kind == TokenReset {
			t = u.Reset
		}
		if t == nil || t.Hash != p.Spend.Hash || !p.At.Before(t.ExpiresAt) {
			return cms.Errorf(cms.CodeConflict, "token spent")
		}
	}
	u.PasswordHash, u.PasswordChangeRequired, u.UpdatedAt, u.Enrolment, u.Reset = p.Hash, p.ChangeRequired, p.At, nil, nil
	s.users[id] = u
	return nil
}

func (s *testStore) SetResetToken(_ context.Context, id string, t AccountToken, at time.Time) error {
	defer s.lock()()
	u, ok := s.users[id]
	if !ok {
		return cms.Errorf(cms.CodeNotFound, "user not found")
	}
	u.Reset, u.UpdatedAt = &t, at
	s.users[id] = u
	return nil
}

func (s *testStore) UserFamilies(_ context.Context, userID string, now time.Time) ([]string, error) {
	defer s.lock()()
	var out []string
	for _, t := range s.refresh {
		if t.UserID == userID && t.RevokedAt == nil && t.ExpiresAt.After(now) && !slices.Contains(out, t.FamilyID) {
			out = append(out, t.FamilyID)
		}
	}
	return out, nil
}

func (s *testStore) InsertRefresh(_ context.Context, t RefreshToken) error {
	defer s.lock()()
	s.refresh[t.Hash] = t
	return nil
}

func (s *testStore) SpendRefresh(_ context.Context, hash string, now time.Time) (RefreshToken, error) {
	defer s.lock()()
	t, ok := s.refresh[hash]
	if !ok {
		return RefreshToken{}, cms.Errorf(cms.CodeNotFound, "refresh token not found")
	}
	if t.SpentAt != nil || t.RevokedAt != nil {
		return t, cms.Errorf(cms.CodeConflict, "refresh token already used")
	}
	spent := t
	spent.SpentAt = &now
	s.refresh[hash] = spent
	return t, nil
}

func (s *testStore) RevokeFamily(_ context.Context, familyID string, now time.Time) error {
	defer s.lock()()
	for h, t := range s.refresh {
		if t.FamilyID == familyID && t.RevokedAt == nil {
			t.RevokedAt = &now
			s.refresh[h] = t
		}
	}
	return nil
}

func (s *testStore) FamilyRevoked(_ context.Context, familyID string) (bool, error) {
	defer s.lock()()
	for _, t := range s.refresh {
		if t.FamilyID == familyID && t.RevokedAt != nil {
			return true, nil
		}
	}
	return false, nil
}

func (s *testStore) DeleteExpiredRefresh(_ context.Context, now time.Time) (int64, error) {
	defer s.lock()()
	var n int64
	for h, t := range s.refresh {
		if t.ExpiresAt.Before(now) {
			delete(s.refresh, h)
			n++
		}
	}
	return n, nil
}

func (s *testStore) callCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// harness is a Service over a testStore with a settable clock and cheap argon2.
type harness struct {
	svc   *Service
	store *testStore
	clock *testClock
}

const testPassword = "a long enough password"

// MustHarness returns a Service with small login limits (3 per account, 5 per address, per
// 15 minutes) and the users ann (writer, admin) and bob (reviewer), both with testPassword.
func MustHarness(tb testing.TB) *harness {
	tb.Helper()
	h := &harness{store: newTestStore(), clock: newTestClock()}
	svc, err := NewService(Config{
		Issuer:   "test-iss",
		Audience: "test-aud",
		Limits:   Limits{AccountFailures: 3, AddressFailures: 5, Window: 15 * time.Minute},
	}, Deps{
		Users:   h.store,
		Refresh: h.store,
		Keys:    MustKeySet(tb),
		Hasher:  MustHasher(tb),
		Clock:   h.clock,
	})
	if err != nil {
		tb.Fatal(err)
	}
	h.svc = svc
	for _, nu := range []NewUser{
		{Email: "ann@example.org", Name: "Ann", Password: testPassword, Roles: []cms.Role{cms.RoleWriter, cms.RoleAdmin}, OwnPassword: true},
		{Email: "bob@example.org", Name: "Bob", Password: testPassword, Roles: []cms.Role{cms.RoleReviewer}, Credentials: "PharmD", OwnPassword: true},
	} {
		if _, err := svc.CreateUser(context.Background(), nu); err != nil {
			tb.Fatal(err)
		}
	}
	return h
}

// TestExpiresInIsNoMoreThanTheTokenHasLeft: a session's expiresIn never promises more than
// the access token has left when the answer goes out, however long the login or refresh took.
// Found by CI: a login whose password check took over a second under load answered 902 for
// a 900-second token, counted from the moment the request came in, so a client refreshing
// on expiresIn would have used an expired token.
func TestExpiresInIsNoMoreThanTheTokenHasLeft(t *testing.T) {
	h := MustHarness(t)
	h.clock.StepEachReading(1500 * time.Millisecond)
	sess := h.MustLogin(t, "ann@example.org")
	refreshed, err := h.svc.Refresh(context.Background(), sess.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]Session{"login": sess, "refresh": refreshed} {
		if s.ExpiresIn > 900 || s.ExpiresIn < 890 {
			t.Errorf("%s: expiresIn %d for a 900-second token", name, s.ExpiresIn)
		}
	}
}

func (h *harness) MustLogin(tb testing.TB, email string) Session {
	tb.Helper()
	sess, err := h.svc.Login(context.Background(), email, testPassword, "192.0.2.1")
	if err != nil {
		tb.Fatalf("login %s: %v", email, err)
	}
	return sess
}

func (h *harness) MustUser(tb testing.TB, email string) User {
	tb.Helper()
	u, err := h.store.UserByEmail(context.Background(), email)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

func TestLoginSuccess(t *testing.T) {
	h := MustHarness(t)
	ctx := context.Background()
	sess, err := h.svc.Login(ctx, "  ANN@example.org ", testPassword, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	if sess.ExpiresIn != 900 || sess.User.Email != "ann@example.org" || sess.User.PasswordHash == "" {
		t.Fatalf("session = %+v", sess)
	}
	if !wellFormedRefreshToken(sess.RefreshToken) {
		t.Fatalf("refresh token %q is not 32 bytes of base64url", sess.RefreshToken)
	}
	rec, ok := h.store.refresh[HashRefreshToken(sess.RefreshToken)]
	if !ok {
		t.Fatal("refresh token not stored by its hash")
	}
	if _, plain := h.store.refresh[sess.RefreshToken]; plain {
		t.Fatal("refresh token stored in plain")
	}
	if want := h.clock.Now().Add(DefaultRefreshTTL); !rec.ExpiresAt.Equal(want) {
		t.Fatalf("refresh expires %v, want %v", rec.ExpiresAt, want)
	}
	p, claims, err := h.svc.Authenticate(ctx, sess.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	if p.UserID != sess.User.ID || p.Email != "ann@example.org" || !p.Has(cms.RoleAdmin) || claims.SessionID != rec.FamilyID {
		t.Fatalf("principal = %+v, claims = %+v, family %s", p, claims, rec.FamilyID)
	}
}

func TestLoginFailuresLookAlike(t *testing.T) {
	h := MustHarness(t)
	ctx := context.Background()
	disabled := true
	if _, err := h.svc.UpdateUser(ctx, cms.Principal{}, h.MustUser(t, "bob@example.org").ID, UserPatch{Disabled: &disabled}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, email, password string
	}{
		{"unknown email", "nobody@example.org", testPassword},
		{"wrong password", "ann@example.org", "not the password at all"},
		{"empty password", "ann@example.org", ""},
		{"disabled user, right password", "bob@example.org", testPassword},
		{"malformed email", "not-an-email", testPassword},
		{"empty email", "", ""},
	}
	var first *cms.Error
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := h.svc.hasher.derivations.Load()
			// A fresh address each time, so the address limit stays out of the way.
			_, err := h.svc.Login(ctx, tc.email, tc.password, fmt.Sprintf("198.51.100.%d", i))
			e := wantCode(t, err, cms.CodeUnauthorized, "invalid email or password")
			if n := h.svc.hasher.derivations.Load() - before; n != 1 {
				t.Errorf("argon2 computations = %d, want exactly 1 whatever the failure", n)
			}
			if first == nil {
				first = e
				return
			}
			if e.Message != first.Message || e.Code != first.Code || len(e.Fields) != 0 || e.RetryAfterSeconds != 0 || e.Data != nil {
				t.Errorf("error %+v differs from %+v in what the caller sees", e, first)
			}
		})
	}
}

func TestLoginRateLimit(t *testing.T) {
	ctx := context.Background()

	t.Run("per account", func(t *testing.T) {
		h := MustHarness(t)
		for i := range 3 {
			_, err := h.svc.Login(ctx, "ann@example.org", "wrong password!", fmt.Sprint("198.51.100.", i))
			wantCode(t, err, cms.CodeUnauthorized, "")
		}
		before := h.svc.hasher.derivations.Load()
		// Blocked even with the right password and from another address, before any hashing.
		_, err := h.svc.Login(ctx, "ANN@example.org", testPassword, "203.0.113.9")
		e := wantCode(t, err, cms.CodeRateLimited, "")
		if e.RetryAfterSeconds <= 0 || e.RetryAfterSeconds > 15*60 {
			t.Fatalf("RetryAfterSeconds = %d", e.RetryAfterSeconds)
		}
		if h.svc.hasher.derivations.Load() != before {
			t.Fatal("a rate-limited login computed a hash")
		}
		// Other accounts are unaffected.
		h.MustLogin(t, "bob@example.org")
		// After the window, the account may log in again.
		h.clock.Advance(15*time.Minute + time.Second)
		h.MustLogin(t, "ann@example.org")
	})

	t.Run("unknown emails are limited too", func(t *testing.T) {
		h := MustHarness(t)
		for i := range 3 {
			_, err := h.svc.Login(ctx, "ghost@example.org", testPassword, fmt.Sprint("198.51.100.", i))
			wantCode(t, err, cms.CodeUnauthorized, "")
		}
		_, err := h.svc.Login(ctx, "ghost@example.org", testPassword, "203.0.113.9")
		wantCode(t, err, cms.CodeRateLimited, "")
	})

	t.Run("success resets the account count", func(t *testing.T) {
		h := MustHarness(t)
		fail := func() error {
			_, err := h.svc.Login(ctx, "ann@example.org", "wrong password!", "")
			return err
		}
		for range 2 {
			wantCode(t, fail(), cms.CodeUnauthorized, "")
		}
		h.MustLogin(t, "ann@example.org")
		for range 3 {
			wantCode(t, fail(), cms.CodeUnauthorized, "")
		}
		wantCode(t, fail(), cms.CodeRateLimited, "")
	})

	t.Run("per address", func(t *testing.T) {
		h := MustHarness(t)
		for i := range 5 {
			_, err := h.svc.Login(ctx, fmt.Sprintf("user%d@example.org", i), "wrong password!", "192.0.2.77")
			wantCode(t, err, cms.CodeUnauthorized, "")
		}
		_, err := h.svc.Login(ctx, "ann@example.org", testPassword, "192.0.2.77")
		e := wantCode(t, err, cms.CodeRateLimited, "")
		if e.RetryAfterSeconds <= 0 {
			t.Fatalf("RetryAfterSeconds = %d", e.RetryAfterSeconds)
		}
		// The refused attempt did not count against ann's account.
		h.MustLogin(t, "ann@example.org")
	})

	t.Run("concurrent guesses cannot slip past the limit", func(t *testing.T) {
		h := MustHarness(t)
		const n = 40
		errs := make(chan error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				_, err := h.svc.Login(ctx, "ann@example.org", "wrong password!", fmt.Sprint("198.51.100.", i))
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		counts := map[cms.Code]int{}
		for err := range errs {
			counts[cms.ErrorCode(err)]++
		}
		if counts[cms.CodeUnauthorized] != 3 || counts[cms.CodeRateLimited] != n-3 {
			t.Fatalf("outcomes = %v, want 3 unauthorized and %d rate limited", counts, n-3)
		}
	})
}

func TestRefreshRotation(t *testing.T) {
	h := MustHarness(t)
	ctx := context.Background()
	s1 := h.MustLogin(t, "bob@example.org")
	_, c1, err := h.svc.Authenticate(ctx, s1.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(10 * time.Minute)
	s2, err := h.svc.Refresh(ctx, s1.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if s2.RefreshToken == s1.RefreshToken || s2.AccessToken == s1.AccessToken {
		t.Fatal("refresh did not issue new tokens")
	}
	_, c2, err := h.svc.Authenticate(ctx, s2.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	if c2.SessionID != c1.SessionID {
		t.Fatalf("session id changed on refresh: %s → %s", c1.SessionID, c2.SessionID)
	}
	if s2.User.ID != s1.User.ID || s2.ExpiresIn != 900 {
		t.Fatalf("refreshed session = %+v", s2)
	}
	if rec := h.store.refresh[HashRefreshToken(s1.RefreshToken)]; rec.SpentAt == nil {
		t.Fatal("the old refresh token is not marked spent")
	}
	s3, err := h.svc.Refresh(ctx, s2.RefreshToken)
	if err != nil {
		t.Fatalf("second rotation: %v", err)
	}
	if _, _, err := h.svc.Authenticate(ctx, s3.AccessToken); err != nil {
		t.Fatal(err)
	}
}

func TestRefreshReuseRevokesFamily(t *testing.T) {
	h := MustHarness(t)
	ctx := context.Background()
	s1 := h.MustLogin(t, "bob@example.org")
	other := h.MustLogin(t, "bob@example.org") // another device: a separate family
	s2, err := h.svc.Refresh(ctx, s1.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	// The thief (or a confused client) presents the spent token again.
	_, err = h.svc.Refresh(ctx, s1.RefreshToken)
	wantCode(t, err, cms.CodeUnauthorized, "invalid or expired refresh token")
	// Everything in the family is now dead: the token the rotation issued...
	_, err = h.svc.Refresh(ctx, s2.RefreshToken)
	wantCode(t, err, cms.CodeUnauthorized, "invalid or expired refresh token")
	// ...and the family's access tokens.
	_, _, err = h.svc.Authenticate(ctx, s2.AccessToken)
	wantCode(t, err, cms.CodeUnauthorized, "invalid or expired access token")
	_, _, err = h.svc.Authenticate(ctx, s1.AccessToken)
	wantCode(t, err, cms.CodeUnauthorized, "")
	// The other device is untouched.
	if _, _, err := h.svc.Authenticate(ctx, other.AccessToken); err != nil {
		t.Fatalf("other session: %v", err)
	}
	if _, err := h.svc.Refresh(ctx, other.RefreshToken); err != nil {
		t.Fatalf("other session refresh: %v", err)
	}
}

func TestRefreshRefuses(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name  string
		setup func(t *testing.T, h *harness, s Session) string // returns the token to present
	}{
		{"garbage", func(*testing.T, *harness, Session) string { return "garbage" }},
		{"empty", func(*testing.T, *harness, Session) string { return "" }},
		{"unknown", func(*testing.T, *harness, Session) string { tok, _ := newRefreshToken(); return tok }},
		{"access token", func(_ *testing.T, _ *harness, s Session) string { return s.AccessToken }},
		{"expired", func(_ *testing.T, h *harness, s Session) string {
			h.clock.Advance(DefaultRefreshTTL)
			return s.RefreshToken
		}},
		{"logged out", func(t *testing.T, h *harness, s Session) string {
			_, c, err := h.svc.Authenticate(ctx, s.AccessToken)
			if err != nil {
				t.Fatal(err)
			}
			if err := h.svc.Logout(ctx, c); err != nil {
				t.Fatal(err)
			}
			return s.RefreshToken
		}},
		{"disabled user", func(t *testing.T, h *harness, s Session) string {
			yes := true
			if _, err := h.svc.UpdateUser(ctx, cms.Principal{}, s.User.ID, UserPatch{Disabled: &yes}); err != nil {
				t.Fatal(err)
			}
			return s.RefreshToken
		}},
		{"deleted user", func(_ *testing.T, h *harness, s Session) string {
			delete(h.store.users, s.User.ID)
			return s.RefreshToken
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := MustHarness(t)
			s := h.MustLogin(t, "bob@example.org")
			token := tc.setup(t, h, s)
			_, err := h.svc.Refresh(ctx, token)
			wantCode(t, err, cms.CodeUnauthorized, "invalid or expired refresh token")
		})
	}

	t.Run("malformed tokens never reach the store", func(t *testing.T) {
		h := MustHarness(t)
		before := h.store.callCount()
		for _, tok := range []string{"", "x", string(make([]byte, 43)), "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"} {
			_, err := h.svc.Refresh(ctx, tok)
			wantCode(t, err, cms.CodeUnauthorized, "")
		}
		if h.store.callCount() != before {
			t.Fatal("a malformed refresh token was looked up")
		}
	})
}

func TestLogout(t *testing.T) {
	h := MustHarness(t)
	ctx := context.Background()
	s := h.MustLogin(t, "ann@example.org")
	other := h.MustLogin(t, "ann@example.org")
	_, c, err := h.svc.Authenticate(ctx, s.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.svc.Logout(ctx, c); err != nil {
		t.Fatal(err)
	}
	_, _, err = h.svc.Authenticate(ctx, s.AccessToken)
	wantCode(t, err, cms.CodeUnauthorized, "invalid or expired access token")
	if _, _, err := h.svc.Authenticate(ctx, other.AccessToken); err != nil {
		t.Fatalf("logout ended another session: %v", err)
	}
	wantCode(t, h.svc.Logout(ctx, AccessClaims{}), cms.CodeUnauthorized, "")
}

func TestAuthenticateSeesChangesAtOnce(t *testing.T) {
	h := MustHarness(t)
	ctx := context.Background()
	s := h.MustLogin(t, "bob@example.org")
	ann := h.MustUser(t, "ann@example.org")

	roles := []cms.Role{cms.RoleEditor, cms.RoleReviewer}
	if _, err := h.svc.UpdateUser(ctx, cms.Principal{}, s.User.ID, UserPatch{Roles: &roles}); err != nil {
		t.Fatal(err)
	}
	p, _, err := h.svc.Authenticate(ctx, s.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.Roles, []cms.Role{cms.RoleReviewer, cms.RoleEditor}) || p.Credentials != "PharmD" {
		t.Fatalf("principal after role change = %+v", p)
	}

	yes := true
	if _, err := h.svc.UpdateUser(ctx, cms.Principal{}, s.User.ID, UserPatch{Disabled: &yes}); err != nil {
		t.Fatal(err)
	}
	_, _, err = h.svc.Authenticate(ctx, s.AccessToken)
	wantCode(t, err, cms.CodeUnauthorized, "invalid or expired access token")

	no := false
	if _, err := h.svc.UpdateUser(ctx, cms.Principal{}, s.User.ID, UserPatch{Disabled: &no}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.svc.Authenticate(ctx, s.AccessToken); err != nil {
		t.Fatalf("re-enabled user: %v", err)
	}

	// A token for a user that no longer exists.
	token, _, err := h.svc.Tokens().IssueAccess("no-such-user", "f")
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = h.svc.Authenticate(ctx, token)
	wantCode(t, err, cms.CodeUnauthorized, "invalid or expired access token")

	// An expired token.
	as := h.MustLogin(t, ann.Email)
	h.clock.Advance(15*time.Minute + Leeway + time.Second)
	_, _, err = h.svc.Authenticate(ctx, as.AccessToken)
	wantCode(t, err, cms.CodeUnauthorized, "invalid or expired access token")
}

func TestReauthenticatePassword(t *testing.T) {
	h := MustHarness(t)
	ctx := context.Background()
	bob := h.MustUser(t, "bob@example.org")
	if err := h.svc.ReauthenticatePassword(ctx, bob.ID, testPassword); err != nil {
		t.Fatal(err)
	}
	wantCode(t, h.svc.ReauthenticatePassword(ctx, "nobody", testPassword), cms.CodeUnauthorized, "password is incorrect")
	// Failed logins for bob's email, from anywhere, do not stop bob signing.
	for range 4 {
		_, _ = h.svc.Login(ctx, bob.Email, "wrong password!", "")
	}
	_, err := h.svc.Login(ctx, bob.Email, testPassword, "")
	wantCode(t, err, cms.CodeRateLimited, "")
	if err := h.svc.ReauthenticatePassword(ctx, bob.ID, testPassword); err != nil {
		t.Fatalf("failed logins blocked signing: %v", err)
	}
	// Failed signatures have their own limit, per user id, and do not block logins.
	h.clock.Advance(16 * time.Minute)
	for range 3 {
		wantCode(t, h.svc.ReauthenticatePassword(ctx, bob.ID, "wrong password!"), cms.CodeUnauthorized, "password is incorrect")
	}
	e := wantCode(t, h.svc.ReauthenticatePassword(ctx, bob.ID, testPassword), cms.CodeRateLimited, "")
	if e.RetryAfterSeconds <= 0 {
		t.Fatalf("RetryAfterSeconds = %d", e.RetryAfterSeconds)
	}
	h.MustLogin(t, bob.Email)
	h.clock.Advance(16 * time.Minute)
	if err := h.svc.ReauthenticatePassword(ctx, bob.ID, testPassword); err != nil {
		t.Fatal(err)
	}
}

func TestReauthenticateRefusesPasswordsNotTheOwners(t *testing.T) {
	h := MustHarness(t)
	ctx := context.Background()
	tmp, err := h.svc.CreateUser(ctx, NewUser{Email: "tim@example.org", Name: "Tim", Password: testPassword, Roles: []cms.Role{cms.RoleReviewer}})
	if err != nil {
		t.Fatal(err)
	}
	if !tmp.PasswordChangeRequired {
		t.Fatal("an operator's password for someone else is not temporary")
	}
	wantCode(t, h.svc.ReauthenticatePassword(ctx, tmp.ID, "wrong password!"), cms.CodeUnauthorized, "password is incorrect")
	wantCode(t, h.svc.ReauthenticatePassword(ctx, tmp.ID, testPassword), cms.CodePasswordChangeRequired, "")
	// An account that got both roles before they were refused cannot sign.
	both := h.MustUser(t, "bob@example.org")
	both.Roles = []cms.Role{cms.RoleReviewer, cms.RoleAdmin}
	h.store.users[both.ID] = both
	wantCode(t, h.svc.ReauthenticatePassword(ctx, both.ID, testPassword), cms.CodeRoleConflict, "")
}

func TestCreateUser(t *testing.T) {
	h := MustHarness(t)
	ctx := context.Background()
	u, err := h.svc.CreateUser(ctx, NewUser{Email: "Cat@Example.org", Name: "Cat", Password: "another long password", Roles: []cms.Role{cms.RoleEditor}})
	if err != nil {
		t.Fatal(err)
	}
	if u.ID == "" || u.Email != "cat@example.org" || !u.CreatedAt.Equal(h.clock.Now()) || u.PasswordHash == "another long password" {
		t.Fatalf("created %+v", u)
	}
	if _, err := h.svc.Login(ctx, "cat@example.org", "another long password", ""); err != nil {
		t.Fatalf("new user cannot log in: %v", err)
	}
	_, err = h.svc.CreateUser(ctx, NewUser{Email: "CAT@example.org", Name: "Cat 2", Password: "another long password", Roles: []cms.Role{cms.RoleWriter}})
	e := wantCode(t, err, cms.CodeConflict, "a user with this email already exists")
	if len(e.Fields) != 1 || e.Fields[0].Field != "email" {
		t.Fatalf("conflict fields = %+v", e.Fields)
	}
	before := h.svc.hasher.derivations.Load()
	_, err = h.svc.CreateUser(ctx, NewUser{Email: "x", Password: "short"})
	if e := wantCode(t, err, cms.CodeInvalid, ""); len(e.Fields) != 4 {
		t.Fatalf("fields = %+v, want email, name, password and roles", e.Fields)
	}
	if h.svc.hasher.derivations.Load() != before {
		t.Fatal("an invalid user's password was hashed")
	}
}

func TestUpdateUser(t *testing.T) {
	ctx := context.Background()
	yes := true
	writer := []cms.Role{cms.RoleWriter}
	admin := []cms.Role{cms.RoleAdmin}
	name := "Ann Lee"
	other := cms.Principal{UserID: "another-admin", Roles: admin}
	tests := []struct {
		name  string
		setup func(t *testing.T, h *harness)
		patch UserPatch
		code  cms.Code // "" for success
	}{
		{"rename", nil, UserPatch{Name: &name}, ""},
		{"demote the last admin", nil, UserPatch{Roles: &writer}, cms.CodeConflict},
		{"disable the last admin", nil, UserPatch{Disabled: &yes}, cms.CodeConflict},
		{"demote an admin when another exists", func(t *testing.T, h *harness) {
			bob := h.MustUser(t, "bob@example.org")
			if _, err := h.svc.UpdateUser(ctx, other, bob.ID, UserPatch{Roles: &admin}); err != nil {
				t.Fatal(err)
			}
		}, UserPatch{Roles: &writer}, ""},
		{"invalid", nil, UserPatch{Roles: &[]cms.Role{}}, cms.CodeInvalid},
		{"admin and reviewer", nil, UserPatch{Roles: &[]cms.Role{cms.RoleAdmin, cms.RoleReviewer}}, cms.CodeRoleConflict},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := MustHarness(t)
			if tc.setup != nil {
				tc.setup(t, h)
			}
			ann := h.MustUser(t, "ann@example.org")
			h.clock.Advance(time.Hour)
			u, err := h.svc.UpdateUser(ctx, other, ann.ID, tc.patch)
			if tc.code != "" {
				wantCode(t, err, tc.code, "")
				if got := h.MustUser(t, "ann@example.org"); !slices.Equal(got.Roles, ann.Roles) || got.Disabled != ann.Disabled {
					t.Fatal("a refused update changed the user")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			stored := h.MustUser(t, "ann@example.org")
			if !stored.UpdatedAt.Equal(h.clock.Now()) || stored.Name != u.Name || !slices.Equal(stored.Roles, u.Roles) {
				t.Fatalf("stored %+v, returned %+v", stored, u)
			}
		})
	}

	h := MustHarness(t)
	_, err := h.svc.UpdateUser(ctx, other, "nobody", UserPatch{Name: &name})
	wantCode(t, err, cms.CodeNotFound, "user not found")
	_, err = h.svc.GetUser(ctx, "nobody")
	wantCode(t, err, cms.CodeNotFound, "user not found")
}

func TestSweepExpired(t *testing.T) {
	h := MustHarness(t)
	ctx := context.Background()
	h.MustLogin(t, "ann@example.org")
	h.clock.Advance(DefaultRefreshTTL / 2)
	h.MustLogin(t, "bob@example.org")
	_, _ = h.svc.Login(ctx, "ghost@example.org", "x", "192.0.2.9")
	h.clock.Advance(DefaultRefreshTTL/2 + time.Second)
	n, err := h.svc.SweepExpired(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 || len(h.store.refresh) != 1 {
		t.Fatalf("swept %d, %d left; want 1 and 1", n, len(h.store.refresh))
	}
	if h.svc.account.len() != 0 || h.svc.address.len() != 0 {
		t.Fatal("sweep kept login failures older than the window")
	}
}

func TestNewServiceRejects(t *testing.T) {
	st := newTestStore()
	ks := MustKeySet(t)
	hasher := MustHasher(t)
	tests := []struct {
		name string
		cfg  Config
		deps Deps
	}{
		{"no stores", Config{}, Deps{Keys: ks, Hasher: hasher}},
		{"no keys", Config{}, Deps{Users: st, Refresh: st, Hasher: hasher}},
		{"access TTL too long", Config{AccessTTL: time.Hour}, Deps{Users: st, Refresh: st, Keys: ks, Hasher: hasher}},
		{"refresh shorter than access", Config{RefreshTTL: time.Minute}, Deps{Users: st, Refresh: st, Keys: ks, Hasher: hasher}},
		{"negative limit", Config{Limits: Limits{AccountFailures: -1}}, Deps{Users: st, Refresh: st, Keys: ks, Hasher: hasher}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewService(tc.cfg, tc.deps); err == nil {
				t.Fatal("NewService accepted it")
			}
		})
	}
	if _, err := NewService(Config{}, Deps{Users: st, Refresh: st, Keys: ks, Hasher: hasher}); err != nil {
		t.Fatalf("defaults: %v", err)
	}
}
