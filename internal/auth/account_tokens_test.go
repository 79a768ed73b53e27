package auth

import (
	"strings"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
)

func TestAccountTokenFormat(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	issued, stored := newAccountToken("user1", now.Add(time.Hour))
	if !strings.HasPrefix(issued.Token, "user1.") || stored.Hash == "" || strings.Contains(stored.Hash, issued.Token) || !stored.ExpiresAt.Equal(issued.ExpiresAt) {
		t.Fatalf("issued %+v, stored %+v", issued, stored)
	}
	other, _ := newAccountToken("user1", now.Add(time.Hour))
	secret := strings.TrimPrefix(issued.Token, "user1.")
	tests := []struct {
		name   string
		token  string
		userID string // "" when malformed
		match  bool
		at     time.Time
	}{
		{"the token", issued.Token, "user1", true, now},
		{"at its expiry", issued.Token, "user1", false, now.Add(time.Hour)},
		{"another token of the user", other.Token, "user1", false, now},
		{"the secret for another user", "user2." + secret, "user2", false, now},
		{"no user id", "." + secret, "", false, now},
		{"no secret", "user1.", "", false, now},
		{"no dot", "user1" + secret, "", false, now},
		{"a short secret", issued.Token[:len(issued.Token)-1], "", false, now},
		{"padding", issued.Token[:len(issued.Token)-1] + "=", "", false, now},
		{"a long user id", strings.Repeat("u", maxTokenUserID+1) + "." + secret, "", false, now},
		{"empty", "", "", false, now},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id, ok := tokenUserID(tc.token)
			if ok != (tc.userID != "") || id != tc.userID {
				t.Fatalf("tokenUserID(%q) = %q, %v; want %q", tc.token, id, ok, tc.userID)
			}
			if got := stored.matches(tc.token, tc.at); got != tc.match {
				t.Fatalf("matches = %v, want %v", got, tc.match)
			}
		})
	}
	var none *AccountToken
	if none.matches(issued.Token, now) {
		t.Fatal("no stored token matched")
	}
}

func TestValidateNewUserAccounts(t *testing.T) {
	base := NewUser{Email: "a@b.org", Name: "A", Roles: []cms.Role{cms.RoleWriter}}
	tests := []struct {
		name     string
		roles    []cms.Role
		password string
		optional bool
		code     cms.Code // "" for valid
	}{
		{"no password, for enrolment", nil, "", true, ""},
		{"no password, on the command line", nil, "", false, cms.CodeInvalid},
		{"a short password, even for enrolment", nil, "short", true, cms.CodeInvalid},
		{"admin and reviewer", []cms.Role{cms.RoleAdmin, cms.RoleReviewer}, "long enough password", false, cms.CodeRoleConflict},
		{"admin, writer and editor", []cms.Role{cms.RoleAdmin, cms.RoleWriter, cms.RoleEditor}, "long enough password", false, ""},
		{"reviewer and writer", []cms.Role{cms.RoleReviewer, cms.RoleWriter}, "long enough password", false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := base
			in.Password = tc.password
			if tc.roles != nil {
				in.Roles = tc.roles
			}
			_, err := validateNewUser(in, tc.optional)
			if tc.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			e := wantCode(t, err, tc.code, "")
			if tc.code == cms.CodeRoleConflict && (len(e.Fields) != 1 || e.Fields[0].Field != "roles") {
				t.Fatalf("fields = %+v, want roles", e.Fields)
			}
		})
	}
}
