package storetest

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/auth"
	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/storage"
)

// Accounts: temporary passwords, one-time enrolment and reset tokens, and the sessions a
// password change ends.
func accountTests() []test {
	return []test{
		{name: "AccountFieldsRoundTripAndUpdateUserKeepsThem", run: testAccountFieldsRoundTrip},
		{name: "SetPasswordClearsBothTokens", run: testSetPasswordClearsTokens},
		{name: "SetPasswordSpendsOnlyTheCurrentUnexpiredToken", run: testSetPasswordSpend},
		{name: "SetResetTokenReplacesTheEarlierOne", run: testSetResetTokenReplaces},
		{name: "UserFamiliesListsOpenSessionsOnly", run: testUserFamilies},
		{name: "ConcurrentSpendsOfOneTokenHaveOneWinner", concurrent: true, run: testConcurrentTokenSpend},
	}
}

const newHash = "$argon2id$v=19$m=65536,t=3,p=2$bmV3c2FsdA$bmV3aGFzaG5ld2hhc2g"

// tokenAt returns a stored token named name that expires at expires.
func tokenAt(name string, expires time.Time) *auth.AccountToken {
	return &auth.AccountToken{Hash: auth.HashRefreshToken("account-token/" + name), ExpiresAt: expires}
}

func testAccountFieldsRoundTrip(t *testing.T, s storage.Store) {
	u := User("ana@example.org", At(0))
	u.PasswordHash = "" // enrolment pending
	u.PasswordChangeRequired = true
	u.Enrolment = tokenAt("enrol", At(72*time.Hour))
	u.Reset = tokenAt("reset", At(time.Hour))
	must(t, s.InsertUser(t.Context(), u), "InsertUser")
	got, err := s.UserByID(t.Context(), u.ID)
	must(t, err, "UserByID")
	assertEqual(t, "UserByID", got, u)
	got, err = s.UserByEmail(t.Context(), u.Email)
	must(t, err, "UserByEmail")
	assertEqual(t, "UserByEmail", got, u)

	// UpdateUser changes none of them, whatever it is given.
	upd := u
	upd.Name, upd.UpdatedAt = "Ana Renamed", At(time.Minute)
	upd.PasswordChangeRequired, upd.Enrolment, upd.Reset = false, nil, tokenAt("other", At(time.Hour))
	must(t, s.UpdateUser(t.Context(), upd), "UpdateUser")
	want := u
	want.Name, want.UpdatedAt = upd.Name, upd.UpdatedAt
	got, err = s.UserByID(t.Context(), u.ID)
	must(t, err, "UserByID")
	assertEqual(t, "the updated user", got, want)

	// A user without tokens reads back without them.
	plain := User("bob@example.org", At(0))
	must(t, s.InsertUser(t.Context(), plain), "InsertUser")
	got, err = s.UserByID(t.Context(), plain.ID)
	must(t, err, "UserByID")
	assertEqual(t, "a user without tokens", got, plain)
}

func testSetPasswordClearsTokens(t *testing.T, s storage.Store) {
	u := User("ana@example.org", At(0))
	u.PasswordChangeRequired = true
	u.Enrolment, u.Reset = tokenAt("enrol", At(72*time.Hour)), tokenAt("reset", At(time.Hour))
	must(t, s.InsertUser(t.Context(), u), "InsertUser")
	other := User("bob@example.org", At(0))
	must(t, s.InsertUser(t.Context(), other), "InsertUser")

	must(t, s.SetPassword(t.Context(), u.ID, auth.PasswordUpdate{Hash: newHash, ChangeRequired: false, At: At(time.Minute)}), "SetPassword")
	want := u
	want.PasswordHash, want.PasswordChangeRequired, want.UpdatedAt, want.Enrolment, want.Reset = newHash, false, At(time.Minute), nil, nil
	got, err := s.UserByID(t.Context(), u.ID)
	must(t, err, "UserByID")
	assertEqual(t, "the user after SetPassword", got, want)
	got, err = s.UserByEmail(t.Context(), u.Email)
	must(t, err, "UserByEmail")
	assertEqual(t, "the user by email after SetPassword", got, want)

	// A temporary password sets the flag again.
	must(t, s.SetPassword(t.Context(), u.ID, auth.PasswordUpdate{Hash: newHash, ChangeRequired: true, At: At(2 * time.Minute)}), "SetPassword")
	got, err = s.UserByID(t.Context(), u.ID)
	must(t, err, "UserByID")
	if !got.PasswordChangeRequired || !got.UpdatedAt.Equal(At(2*time.Minute)) {
		t.Errorf("after a temporary SetPassword: %+v", got)
	}
	got, err = s.UserByID(t.Context(), other.ID)
	must(t, err, "UserByID")
	assertEqual(t, "the other user", got, other)
	wantCode(t, s.SetPassword(t.Context(), ID("user/ghost"), auth.PasswordUpdate{Hash: newHash, At: At(0)}), cms.CodeNotFound, "SetPassword of an unknown user")
}

func testSetPasswordSpend(t *testing.T, s storage.Store) {
	ctx := t.Context()
	u := User("ana@example.org", At(0))
	u.PasswordHash, u.PasswordChangeRequired = "", true
	u.Enrolment = tokenAt("enrol", At(72*time.Hour))
	u.Reset = tokenAt("reset", At(time.Hour))
	must(t, s.InsertUser(ctx, u), "InsertUser")
	spend := func(kind auth.TokenKind, name string, at time.Time) error {
		return s.SetPassword(ctx, u.ID, auth.PasswordUpdate{Hash: newHash, At: at,
			Spend: &auth.TokenSpend{Kind: kind, Hash: tokenAt(name, at).Hash}})
	}
	unchanged := func(what string) {
		t.Helper()
		got, err := s.UserByID(ctx, u.ID)
		must(t, err, "UserByID")
		assertEqual(t, what, got, u)
	}
	wantCode(t, spend(auth.TokenEnrolment, "other", At(time.Minute)), cms.CodeConflict, "spending a token the user does not have")
	wantCode(t, spend(auth.TokenEnrolment, "reset", At(time.Minute)), cms.CodeConflict, "spending the reset token as an enrolment token")
	wantCode(t, spend(auth.TokenReset, "enrol", At(time.Minute)), cms.CodeConflict, "spending the enrolment token as a reset token")
	wantCode(t, spend(auth.TokenReset, "reset", At(time.Hour)), cms.CodeConflict, "spending a reset token at its expiry")
	unchanged("the user after refused spends")
	wantCode(t, s.SetPassword(ctx, ID("user/ghost"), auth.PasswordUpdate{Hash: newHash, At: At(0),
		Spend: &auth.TokenSpend{Kind: auth.TokenEnrolment, Hash: u.Enrolment.Hash}}), cms.CodeNotFound, "spending for an unknown user")

	must(t, spend(auth.TokenEnrolment, "enrol", At(71*time.Hour)), "spending the enrolment token before its expiry")
	want := u
	want.PasswordHash, want.PasswordChangeRequired, want.UpdatedAt, want.Enrolment, want.Reset = newHash, false, At(71*time.Hour), nil, nil
	got, err := s.UserByID(ctx, u.ID)
	must(t, err, "UserByID")
	assertEqual(t, "the user after spending", got, want)
	wantCode(t, spend(auth.TokenEnrolment, "enrol", At(71*time.Hour)), cms.CodeConflict, "spending the enrolment token again")
}

func testSetResetTokenReplaces(t *testing.T, s storage.Store) {
	ctx := t.Context()
	u := User("ana@example.org", At(0))
	must(t, s.InsertUser(ctx, u), "InsertUser")
	first, second := tokenAt("first", At(time.Hour)), tokenAt("second", At(2*time.Hour))
	must(t, s.SetResetToken(ctx, u.ID, *first, At(time.Minute)), "SetResetToken")
	must(t, s.SetResetToken(ctx, u.ID, *second, At(2*time.Minute)), "SetResetToken")
	want := u
	want.Reset, want.UpdatedAt = second, At(2*time.Minute)
	got, err := s.UserByID(ctx, u.ID)
	must(t, err, "UserByID")
	assertEqual(t, "the user after two SetResetToken", got, want)
	wantCode(t, s.SetPassword(ctx, u.ID, auth.PasswordUpdate{Hash: newHash, At: At(3 * time.Minute),
		Spend: &auth.TokenSpend{Kind: auth.TokenReset, Hash: first.Hash}}), cms.CodeConflict, "spending the superseded token")
	must(t, s.SetPassword(ctx, u.ID, auth.PasswordUpdate{Hash: newHash, At: At(3 * time.Minute),
		Spend: &auth.TokenSpend{Kind: auth.TokenReset, Hash: second.Hash}}), "spending the newer token")
	wantCode(t, s.SetResetToken(ctx, ID("user/ghost"), *first, At(0)), cms.CodeNotFound, "SetResetToken of an unknown user")
}

func testUserFamilies(t *testing.T, s storage.Store) {
	ctx := t.Context()
	ana, bob := ID("user/ana"), ID("user/bob")
	rec := func(token, family, user string, expires time.Time) auth.RefreshToken {
		r := RefreshToken(token, family, At(0), expires)
		r.UserID = user
		return r
	}
	for _, r := range []auth.RefreshToken{
		rec("a1", "ana-open", ana, At(time.Hour)),
		rec("a2", "ana-open", ana, At(2*time.Hour)),
		rec("a3", "ana-second", ana, At(time.Hour)),
		rec("a4", "ana-revoked", ana, At(time.Hour)),
		rec("a5", "ana-expired", ana, At(time.Minute)),
		rec("b1", "bob-open", bob, At(time.Hour)),
	} {
		must(t, s.InsertRefresh(ctx, r), "InsertRefresh")
	}
	must(t, s.RevokeFamily(ctx, "ana-revoked", At(time.Second)), "RevokeFamily")
	got, err := s.UserFamilies(ctx, ana, At(30*time.Minute))
	must(t, err, "UserFamilies")
	slices.Sort(got)
	assertEqual(t, "ana's open sessions", got, []string{"ana-open", "ana-second"})
	got, err = s.UserFamilies(ctx, ID("user/nobody"), At(0))
	must(t, err, "UserFamilies of a user without sessions")
	if len(got) != 0 {
		t.Errorf("sessions of a user without any: %v", got)
	}
}

func testConcurrentTokenSpend(t *testing.T, s storage.Store) {
	ctx := t.Context()
	u := User("ana@example.org", At(0))
	u.Reset = tokenAt("reset", At(time.Hour))
	must(t, s.InsertUser(ctx, u), "InsertUser")
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.SetPassword(ctx, u.ID, auth.PasswordUpdate{Hash: newHash, At: At(time.Minute),
				Spend: &auth.TokenSpend{Kind: auth.TokenReset, Hash: u.Reset.Hash}})
		}()
	}
	wg.Wait()
	wins := 0
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		case !cms.IsCode(err, cms.CodeConflict):
			t.Errorf("a losing spend: %v, want conflict", err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d spends of one token succeeded, want 1", wins)
	}
}
