package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/auth"
	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/storage"
)

func userTests() []test {
	return []test{
		{name: "InsertedUserIsReadByEmailAndByID", run: testUserRoundTrip},
		{name: "DuplicateEmailIsConflict", run: testUserDuplicateEmail},
		{name: "UnknownUserIsNotFound", run: testUserNotFound},
		{name: "ListUsersIsOrderedByEmail", run: testListUsers},
		{name: "UpdateUserChangesOnlyMutableFields", run: testUpdateUser},
		{name: "UpdateOfUnknownUserIsNotFound", run: testUpdateUserNotFound},
		{name: "CountUsersCountsEveryUser", run: testCountUsers},
	}
}

func testUserRoundTrip(t *testing.T, s storage.Store) {
	u := User("ana@example.org", At(0))
	u.Roles = []cms.Role{cms.RoleReviewer, cms.RoleEditor}
	u.Disabled = true
	u.UpdatedAt = At(time.Minute)
	must(t, s.InsertUser(t.Context(), u), "InsertUser")
	byEmail, err := s.UserByEmail(t.Context(), u.Email)
	must(t, err, "UserByEmail")
	assertEqual(t, "UserByEmail", byEmail, u)
	byID, err := s.UserByID(t.Context(), u.ID)
	must(t, err, "UserByID")
	assertEqual(t, "UserByID", byID, u)
}

func testUserDuplicateEmail(t *testing.T, s storage.Store) {
	first := User("ana@example.org", At(0))
	must(t, s.InsertUser(t.Context(), first), "InsertUser")
	second := User("ana@example.org", At(time.Minute))
	second.ID, second.Name = ID("user/second"), "Another Ana"
	wantCode(t, s.InsertUser(t.Context(), second), cms.CodeConflict, "InsertUser with a taken email")

	_, err := s.UserByID(t.Context(), second.ID)
	wantCode(t, err, cms.CodeNotFound, "UserByID of the refused user")
	got, err := s.UserByEmail(t.Context(), first.Email)
	must(t, err, "UserByEmail")
	assertEqual(t, "the first user", got, first)
}

func testUserNotFound(t *testing.T, s storage.Store) {
	must(t, s.InsertUser(t.Context(), User("ana@example.org", At(0))), "InsertUser")
	_, err := s.UserByEmail(t.Context(), "bob@example.org")
	wantCode(t, err, cms.CodeNotFound, "UserByEmail of an unknown email")
	_, err = s.UserByID(t.Context(), ID("user/bob@example.org"))
	wantCode(t, err, cms.CodeNotFound, "UserByID of an unknown id")
}

func testListUsers(t *testing.T, s storage.Store) {
	got, err := s.ListUsers(t.Context())
	must(t, err, "ListUsers")
	if len(got) != 0 {
		t.Fatalf("ListUsers of an empty store: %d users", len(got))
	}
	var want []auth.User
	for i, email := range []string{"carl@example.org", "ana@example.org", "bob@example.org"} {
		u := User(email, At(time.Duration(i)*time.Minute))
		must(t, s.InsertUser(t.Context(), u), "InsertUser")
		want = append(want, u)
	}
	want = []auth.User{want[1], want[2], want[0]}
	got, err = s.ListUsers(t.Context())
	must(t, err, "ListUsers")
	assertEqual(t, "ListUsers", got, want)
}

func testUpdateUser(t *testing.T, s storage.Store) {
	u := User("ana@example.org", At(0))
	u.UpdatedAt = At(time.Minute) // distinct from CreatedAt, so a mix-up shows
	must(t, s.InsertUser(t.Context(), u), "InsertUser")
	other := User("bob@example.org", At(0))
	must(t, s.InsertUser(t.Context(), other), "InsertUser")

	upd := u
	upd.Name, upd.Credentials, upd.Roles, upd.Disabled, upd.UpdatedAt = "Ana Updated", "PharmD", []cms.Role{cms.RoleAdmin}, true, At(time.Hour)
	// Never changed by UpdateUser:
	upd.Email, upd.PasswordHash, upd.CreatedAt = "changed@example.org", "$argon2id$changed", At(time.Hour)
	must(t, s.UpdateUser(t.Context(), upd), "UpdateUser")

	want := u
	want.Name, want.Credentials, want.Roles, want.Disabled, want.UpdatedAt = upd.Name, upd.Credentials, upd.Roles, upd.Disabled, upd.UpdatedAt
	got, err := s.UserByID(t.Context(), u.ID)
	must(t, err, "UserByID")
	assertEqual(t, "the updated user", got, want)
	got, err = s.UserByEmail(t.Context(), u.Email)
	must(t, err, "UserByEmail of the unchanged email")
	assertEqual(t, "the updated user by email", got, want)
	_, err = s.UserByEmail(t.Context(), upd.Email)
	wantCode(t, err, cms.CodeNotFound, "UserByEmail of the email UpdateUser must not store")
	got, err = s.UserByID(t.Context(), other.ID)
	must(t, err, "UserByID")
	assertEqual(t, "the other user", got, other)
}

func testUpdateUserNotFound(t *testing.T, s storage.Store) {
	wantCode(t, s.UpdateUser(t.Context(), User("ghost@example.org", At(0))), cms.CodeNotFound, "UpdateUser of an unknown user")
	n, err := s.CountUsers(t.Context())
	must(t, err, "CountUsers")
	if n != 0 {
		t.Errorf("CountUsers after updating an unknown user: %d", n)
	}
}

func testCountUsers(t *testing.T, s storage.Store) {
	for i := range 4 {
		n, err := s.CountUsers(t.Context())
		must(t, err, "CountUsers")
		if n != int64(i) {
			t.Fatalf("CountUsers: got %d, want %d", n, i)
		}
		must(t, s.InsertUser(t.Context(), User(fmt.Sprintf("user%d@example.org", i), At(0))), "InsertUser")
	}
}

func refreshTests() []test {
	return []test{
		{name: "SpendRefreshSpendsOnce", run: testSpendOnce},
		{name: "SpendRefreshOfUnknownHashIsNotFound", run: testSpendUnknown},
		{name: "SpendRefreshOfRevokedTokenIsConflict", run: testSpendRevoked},
		{name: "RevokeFamilyRevokesEveryRecordOfTheFamilyOnly", run: testRevokeFamily},
		{name: "FamilyStaysRevokedWhenARecordIsAddedLater", run: testRevokedFamilyNewRecord},
		{name: "FamilyRevocationSticksWithoutRecords", run: testFamilyWithoutRecords},
		{name: "DeleteExpiredRefreshKeepsUnexpiredSpentRecords", run: testDeleteExpiredRefresh},
		{name: "ConcurrentSpendsOfOneTokenHaveOneWinner", concurrent: true, run: testConcurrentSpend},
	}
}

func testSpendOnce(t *testing.T, s storage.Store) {
	tok := RefreshToken("token-1", "family-1", At(0), At(24*time.Hour))
	must(t, s.InsertRefresh(t.Context(), tok), "InsertRefresh")

	before, err := s.SpendRefresh(t.Context(), tok.Hash, At(time.Minute))
	must(t, err, "first SpendRefresh")
	assertEqual(t, "the record as it was before the spend", before, tok)

	again, err := s.SpendRefresh(t.Context(), tok.Hash, At(2*time.Minute))
	wantCode(t, err, cms.CodeConflict, "second SpendRefresh")
	spent := tok
	spentAt := At(time.Minute)
	spent.SpentAt = &spentAt
	assertEqual(t, "the record returned with the conflict", again, spent)
}

func testSpendUnknown(t *testing.T, s storage.Store) {
	must(t, s.InsertRefresh(t.Context(), RefreshToken("token-1", "family-1", At(0), At(time.Hour))), "InsertRefresh")
	_, err := s.SpendRefresh(t.Context(), auth.HashRefreshToken("token-2"), At(time.Minute))
	wantCode(t, err, cms.CodeNotFound, "SpendRefresh of an unknown hash")
}

func testSpendRevoked(t *testing.T, s storage.Store) {
	tok := RefreshToken("token-1", "family-1", At(0), At(time.Hour))
	must(t, s.InsertRefresh(t.Context(), tok), "InsertRefresh")
	must(t, s.RevokeFamily(t.Context(), "family-1", At(time.Minute)), "RevokeFamily")
	got, err := s.SpendRefresh(t.Context(), tok.Hash, At(2*time.Minute))
	wantCode(t, err, cms.CodeConflict, "SpendRefresh of a revoked token")
	revoked := tok
	revokedAt := At(time.Minute)
	revoked.RevokedAt = &revokedAt
	assertEqual(t, "the record returned with the conflict", got, revoked)
}

func testRevokeFamily(t *testing.T, s storage.Store) {
	ctx := t.Context()
	f1a := RefreshToken("f1-a", "family-1", At(0), At(time.Hour))
	f1b := RefreshToken("f1-b", "family-1", At(time.Minute), At(time.Hour))
	f2 := RefreshToken("f2", "family-2", At(0), At(time.Hour))
	for _, tok := range []auth.RefreshToken{f1a, f1b, f2} {
		must(t, s.InsertRefresh(ctx, tok), "InsertRefresh")
	}
	must(t, s.RevokeFamily(ctx, "family-1", At(2*time.Minute)), "RevokeFamily")
	must(t, s.RevokeFamily(ctx, "family-1", At(3*time.Minute)), "RevokeFamily of a revoked family")
	must(t, s.RevokeFamily(ctx, "family-unknown", At(3*time.Minute)), "RevokeFamily of an unknown family")

	for family, want := range map[string]bool{"family-1": true, "family-2": false} {
		got, err := s.FamilyRevoked(ctx, family)
		must(t, err, "FamilyRevoked")
		if got != want {
			t.Errorf("FamilyRevoked(%s) = %v, want %v", family, got, want)
		}
	}
	for _, tok := range []auth.RefreshToken{f1a, f1b} {
		got, err := s.SpendRefresh(ctx, tok.Hash, At(4*time.Minute))
		wantCode(t, err, cms.CodeConflict, "SpendRefresh of a revoked family's token")
		if got.RevokedAt == nil || !got.RevokedAt.Equal(At(2*time.Minute)) {
			t.Errorf("revokedAt of %s: got %v, want the first revocation's time %v", tok.Hash, got.RevokedAt, At(2*time.Minute))
		}
	}
	_, err := s.SpendRefresh(ctx, f2.Hash, At(4*time.Minute))
	must(t, err, "SpendRefresh of another family's token")
}

func testRevokedFamilyNewRecord(t *testing.T, s storage.Store) {
	ctx := t.Context()
	must(t, s.InsertRefresh(ctx, RefreshToken("old", "family-1", At(0), At(time.Hour))), "InsertRefresh")
	must(t, s.RevokeFamily(ctx, "family-1", At(time.Minute)), "RevokeFamily")
	must(t, s.InsertRefresh(ctx, RefreshToken("rotated", "family-1", At(time.Minute), At(time.Hour))), "InsertRefresh")
	revoked, err := s.FamilyRevoked(ctx, "family-1")
	must(t, err, "FamilyRevoked")
	if !revoked {
		t.Error("FamilyRevoked = false after a record was added to a revoked family")
	}
}

func testFamilyWithoutRecords(t *testing.T, s storage.Store) {
	ctx := t.Context()
	must(t, s.InsertRefresh(ctx, RefreshToken("token", "family-1", At(0), At(time.Hour))), "InsertRefresh")
	must(t, s.RevokeFamily(ctx, "family-1", At(time.Minute)), "RevokeFamily")
	// Revoking a family without records is not an error, and the revocation sticks (a
	// session whose records were swept must stay revoked); a family never revoked is not.
	must(t, s.RevokeFamily(ctx, "family-unknown", At(time.Minute)), "RevokeFamily of a family without records")
	for family, want := range map[string]bool{"family-never-revoked": false, "family-unknown": true, "family-1": true} {
		got, err := s.FamilyRevoked(ctx, family)
		must(t, err, "FamilyRevoked")
		if got != want {
			t.Errorf("FamilyRevoked(%s) = %v, want %v", family, got, want)
		}
	}
}

func testDeleteExpiredRefresh(t *testing.T, s storage.Store) {
	ctx := t.Context()
	now := At(time.Hour)
	expired := RefreshToken("expired", "f", At(0), now.Add(-time.Millisecond))
	expiredSpent := RefreshToken("expired-spent", "f", At(0), now.Add(-time.Minute))
	expiresNow := RefreshToken("expires-now", "f", At(0), now)
	spent := RefreshToken("spent", "f", At(0), now.Add(time.Hour))
	fresh := RefreshToken("fresh", "f", At(0), now.Add(time.Hour))
	for _, tok := range []auth.RefreshToken{expired, expiredSpent, expiresNow, spent, fresh} {
		must(t, s.InsertRefresh(ctx, tok), "InsertRefresh")
	}
	for _, tok := range []auth.RefreshToken{expiredSpent, spent} {
		_, err := s.SpendRefresh(ctx, tok.Hash, At(time.Minute))
		must(t, err, "SpendRefresh")
	}

	n, err := s.DeleteExpiredRefresh(ctx, now)
	must(t, err, "DeleteExpiredRefresh")
	if n != 2 {
		t.Errorf("DeleteExpiredRefresh: deleted %d, want 2 (the records expired before now)", n)
	}
	n, err = s.DeleteExpiredRefresh(ctx, now)
	must(t, err, "DeleteExpiredRefresh")
	if n != 0 {
		t.Errorf("DeleteExpiredRefresh again: deleted %d, want 0", n)
	}
	for _, tc := range []struct {
		name string
		tok  auth.RefreshToken
		code cms.Code
	}{
		{"expired before now", expired, cms.CodeNotFound},
		{"spent, expired before now", expiredSpent, cms.CodeNotFound},
		{"spent, unexpired (kept: reuse detection needs it)", spent, cms.CodeConflict},
		{"expiring at now", expiresNow, ""},
		{"unexpired", fresh, ""},
	} {
		_, err := s.SpendRefresh(ctx, tc.tok.Hash, now)
		if cms.ErrorCode(err) != tc.code {
			t.Errorf("SpendRefresh after the deletion of a record %s: got %v, want code %q", tc.name, err, tc.code)
		}
	}
}

func testConcurrentSpend(t *testing.T, s storage.Store) {
	tok := RefreshToken("token-1", "family-1", At(0), At(time.Hour))
	must(t, s.InsertRefresh(t.Context(), tok), "InsertRefresh")
	records := make([]auth.RefreshToken, racers)
	errs := race(racers, func(i int) error {
		var err error
		records[i], err = s.SpendRefresh(t.Context(), tok.Hash, At(time.Duration(i+1)*time.Millisecond))
		return err
	})
	w := oneWinner(t, errs, cms.CodeConflict)
	assertEqual(t, "the winner's record (as before the spend)", records[w], tok)
	for i, r := range records {
		if i != w && (r.Hash != tok.Hash || r.SpentAt == nil || !r.SpentAt.Equal(At(time.Duration(w+1)*time.Millisecond))) {
			t.Errorf("racer %d's conflict record: %+v, want the record spent by the winner at %v", i, r, At(time.Duration(w+1)*time.Millisecond))
		}
	}
}
