package auth

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
)

func TestUserJSON(t *testing.T) {
	u := User{
		ID:           "u1",
		Email:        "ann@example.org",
		Name:         "Ann Reviewer",
		Roles:        []cms.Role{cms.RoleReviewer},
		Credentials:  "PharmD",
		PasswordHash: "$argon2id$v=19$m=65536,t=2,p=2$c2FsdHNhbHQ$aGFzaGhhc2g",
		CreatedAt:    time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		UpdatedAt:    time.Date(2026, 2, 2, 3, 4, 5, 0, time.UTC),
		Enrolment:    &AccountToken{Hash: "enrolmenthashhex", ExpiresAt: time.Date(2026, 1, 5, 3, 4, 5, 0, time.UTC)},
		Reset:        &AccountToken{Hash: "resethashhex", ExpiresAt: time.Date(2026, 1, 2, 4, 4, 5, 0, time.UTC)},
	}
	// Marshal the user alone and inside a session, as the API sends both.
	for _, v := range []any{u, Session{AccessToken: "a", RefreshToken: "r", ExpiresIn: 900, User: u}} {
		data, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		for _, leak := range []string{"argon2", "passwordHash", "PasswordHash", "c2FsdHNhbHQ", "updatedAt", "UpdatedAt", "hashhex", "enrolment", "reset", "expiresAt"} {
			if strings.Contains(string(data), leak) {
				t.Errorf("JSON %s contains %q", data, leak)
			}
		}
	}
	data, err := json.Marshal(u)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"createdAt", "credentials", "disabled", "email", "id", "languages", "name", "passwordChangeRequired", "roles"}
	if !slices.Equal(keys, want) {
		t.Fatalf("user JSON keys = %v, want %v", keys, want)
	}
	if m["createdAt"] != "2026-01-02T03:04:05Z" {
		t.Errorf("createdAt = %v, want RFC 3339 UTC", m["createdAt"])
	}
}

func TestSessionJSON(t *testing.T) {
	data, err := json.Marshal(Session{})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"accessToken", "refreshToken", "expiresIn", "user"} {
		if _, ok := m[k]; !ok {
			t.Errorf("session JSON %s lacks %q", data, k)
		}
	}
	if len(m) != 4 {
		t.Errorf("session JSON %s has %d members, want 4", data, len(m))
	}
}

func TestRefreshTokenJSONHidesHash(t *testing.T) {
	data, err := json.Marshal(RefreshToken{Hash: "deadbeef", FamilyID: "f"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "deadbeef") {
		t.Fatalf("refresh token JSON %s contains the hash", data)
	}
}

func TestCheckEmail(t *testing.T) {
	tests := []struct {
		email string
		ok    bool
	}{
		{"ann@example.org", true},
		{"ann.lee+cms@mail.example.co.uk", true},
		{"o'brien@example.ie", true},
		{"zoë@bücher.de", true},
		{"", false},
		{"ann", false},
		{"ann@", false},
		{"@example.org", false},
		{"ann@localhost", false},
		{"ann@@example.org", false},
		{"a@b@example.org", false},
		{"ann lee@example.org", false},
		{"ann@exa mple.org", false},
		{"<ann@example.org>", false},
		{"ann@example..org", false},
		{"ann@-example.org", false},
		{".ann@example.org", false},
		{"ann..lee@example.org", false},
		{"ann@example.org.", false},
		{"ann@exam_ple.org", false},
		{strings.Repeat("a", 65) + "@example.org", false},
		{strings.Repeat("a", 64) + "@example.org", true},
		{"a@" + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 63) + "." + strings.Repeat("e", 57) + ".org", false}, // 255 bytes
		{"ann\x00@example.org", false},
		{"ann@example.org\xff", false},
	}
	for _, tc := range tests {
		t.Run(tc.email, func(t *testing.T) {
			msg := checkEmail(tc.email)
			if (msg == "") != tc.ok {
				t.Fatalf("checkEmail(%q) = %q, want ok=%v", tc.email, msg, tc.ok)
			}
		})
	}
}

func TestValidateNewUser(t *testing.T) {
	good := NewUser{Email: "  Ann@Example.ORG ", Name: " Ann ", Password: "long enough password", Roles: []cms.Role{cms.RoleEditor, cms.RoleWriter, cms.RoleEditor}, Credentials: " PharmD "}
	got, err := validateNewUser(good, false)
	if err != nil {
		t.Fatal(err)
	}
	want := NewUser{Email: "ann@example.org", Name: "Ann", Password: "long enough password", Roles: []cms.Role{cms.RoleWriter, cms.RoleEditor}, Credentials: "PharmD"}
	if got.Email != want.Email || got.Name != want.Name || got.Credentials != want.Credentials || !slices.Equal(got.Roles, want.Roles) {
		t.Fatalf("normalised = %+v, want %+v", got, want)
	}

	tests := []struct {
		name   string
		in     NewUser
		fields []string
	}{
		{"everything wrong at once", NewUser{Email: "nope", Password: "short", Roles: []cms.Role{"wizard", "writer"}, Credentials: strings.Repeat("x", 101)},
			[]string{"email", "name", "credentials", "password", "roles[0]"}},
		{"no roles", NewUser{Email: "a@b.org", Name: "A", Password: "long enough password"}, []string{"roles"}},
		{"name too long", NewUser{Email: "a@b.org", Name: strings.Repeat("n", 201), Password: "long enough password", Roles: []cms.Role{"writer"}}, []string{"name"}},
		{"name only spaces", NewUser{Email: "a@b.org", Name: "   ", Password: "long enough password", Roles: []cms.Role{"writer"}}, []string{"name"}},
		{"control character in name", NewUser{Email: "a@b.org", Name: "A\nB", Password: "long enough password", Roles: []cms.Role{"writer"}}, []string{"name"}},
		{"email too long", NewUser{Email: strings.Repeat("a", 250) + "@b.org", Name: "A", Password: "long enough password", Roles: []cms.Role{"writer"}}, []string{"email"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := validateNewUser(tc.in, false)
			e := wantCode(t, err, cms.CodeInvalid, "")
			var got []string
			for _, f := range e.Fields {
				got = append(got, f.Field)
			}
			if !slices.Equal(got, tc.fields) {
				t.Fatalf("fields = %v, want %v", got, tc.fields)
			}
		})
	}
}

func TestApplyPatch(t *testing.T) {
	u := User{ID: "u1", Name: "Ann", Roles: []cms.Role{cms.RoleWriter}, Credentials: "RN"}
	ptr := func(s string) *string { return &s }
	yes := true
	roles := func(r ...cms.Role) *[]cms.Role { return &r }

	tests := []struct {
		name   string
		patch  UserPatch
		want   User
		fields []string
	}{
		{"empty patch", UserPatch{}, u, nil},
		{"name", UserPatch{Name: ptr(" Ann Lee ")}, User{ID: "u1", Name: "Ann Lee", Roles: u.Roles, Credentials: "RN"}, nil},
		{"clear credentials", UserPatch{Credentials: ptr("")}, User{ID: "u1", Name: "Ann", Roles: u.Roles}, nil},
		{"roles", UserPatch{Roles: roles(cms.RoleAdmin, cms.RoleReviewer)}, User{ID: "u1", Name: "Ann", Roles: []cms.Role{cms.RoleReviewer, cms.RoleAdmin}, Credentials: "RN"}, nil},
		{"disable", UserPatch{Disabled: &yes}, User{ID: "u1", Name: "Ann", Roles: u.Roles, Credentials: "RN", Disabled: true}, nil},
		{"bad everything", UserPatch{Name: ptr(""), Credentials: ptr(strings.Repeat("c", 101)), Roles: roles()}, User{}, []string{"name", "credentials", "roles"}},
		{"unknown role", UserPatch{Roles: roles("root")}, User{}, []string{"roles[0]"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := applyPatch(u, tc.patch)
			if tc.fields != nil {
				e := wantCode(t, err, cms.CodeInvalid, "")
				var fields []string
				for _, f := range e.Fields {
					fields = append(fields, f.Field)
				}
				if !slices.Equal(fields, tc.fields) {
					t.Fatalf("fields = %v, want %v", fields, tc.fields)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Name != tc.want.Name || got.Credentials != tc.want.Credentials || got.Disabled != tc.want.Disabled || !slices.Equal(got.Roles, tc.want.Roles) {
				t.Fatalf("patched = %+v, want %+v", got, tc.want)
			}
		})
	}
}
