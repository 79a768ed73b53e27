package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/app"
)

// Accounts and signing (issue 11): nobody signs with a password someone else chose, whoever
// manages accounts cannot sign, signing has its own limiter, and people can change and
// reset their passwords.

// accountUser is the user JSON with the account fields these tests read.
type accountUser struct {
	User
	PasswordChangeRequired *bool `json:"passwordChangeRequired"`
	Enrolment              *struct {
		Token     string    `json:"token"`
		ExpiresAt time.Time `json:"expiresAt"`
	} `json:"enrolment"`
}

// issuedToken is the answer of a password reset.
type issuedToken struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// changeRequired fails the test unless the user JSON says passwordChangeRequired: want.
func changeRequired(tb testing.TB, r *Resp, want bool) accountUser {
	tb.Helper()
	var u accountUser
	r.Decode(tb, &u)
	if u.PasswordChangeRequired == nil || *u.PasswordChangeRequired != want {
		tb.Fatalf("want passwordChangeRequired %v: %s", want, r)
	}
	return u
}

// MustCreateOwnUser has admin create an account without a password, enrols it with
// password (so the password is its owner's own and it may sign) and signs it in.
func (s *Server) MustCreateOwnUser(tb testing.TB, admin *Client, email, password string, roles []string, credentials string) *Client {
	tb.Helper()
	r := admin.Do(tb, "POST", "/api/v1/manage/users", map[string]any{"email": email, "name": "User " + email,
		"roles": roles, "credentials": credentials})
	MustStatus(tb, r, 201)
	var u accountUser
	r.Decode(tb, &u)
	if u.Enrolment == nil || u.Enrolment.Token == "" {
		tb.Fatalf("no enrolment token: %s", r)
	}
	MustStatus(tb, s.Anon().Do(tb, "POST", "/api/v1/auth/enrol", map[string]string{"token": u.Enrolment.Token, "password": password}), 200)
	return s.LoginWith(tb, email, password)
}

// Finding 2: an admin gave itself the reviewer role (credentials "MD"), signed and
// published alone. Now nobody changes their own roles, and no account is admin and
// reviewer at once.
func TestAdminCannotGrantItselfSigning(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	tm := signIn(t, s)
	admin := tm.admin
	self := "/api/v1/manage/users/" + admin.User.ID

	MustProblem(t, admin.Do(t, "PATCH", self, map[string]any{"roles": []string{"admin", "reviewer"}, "credentials": "MD"}), 403, "self_modification", "roles")
	MustProblem(t, admin.Do(t, "PATCH", self, map[string]any{"roles": []string{"reviewer"}}), 403, "self_modification", "roles")
	MustProblem(t, admin.Do(t, "PATCH", self, map[string]any{"disabled": true}), 403, "self_modification", "disabled")
	// Its own name, and the roles it already has, are fine.
	MustStatus(t, admin.Do(t, "PATCH", self, map[string]any{"name": "Ada A. Admin", "roles": []string{"admin"}, "disabled": false}), 200)

	// Nor may another admin make an account admin and reviewer.
	MustProblem(t, admin.Do(t, "PATCH", "/api/v1/manage/users/"+tm.reviewer.User.ID, map[string]any{"roles": []string{"reviewer", "admin"}}), 422, "role_conflict", "roles")
	MustProblem(t, admin.Do(t, "POST", "/api/v1/manage/users", map[string]any{"email": "both-hats@example.com", "name": "Both Hats",
		"password": "a-long-enough-password", "roles": []string{"admin", "reviewer"}, "credentials": "MD"}), 422, "role_conflict", "roles")

	// The page the admin wanted to sign stays unsigned.
	p := tm.writer.Create(t, "admin-alone", Content("Admin alone"))
	p = tm.writer.MustAction(t, p.ID, "submit", nil)
	MustStatus(t, admin.Action(t, p.ID, "approve", map[string]any{"revision": p.Revision, "password": app.DemoPassword}), 403)
	MustProblem(t, admin.Action(t, p.ID, "publish", nil), 422, "approval_missing", "")
	me := admin.Do(t, "GET", "/api/v1/auth/me", nil)
	MustStatus(t, me, 200)
	if u := changeRequired(t, me, false); strings.Join(u.Roles, ",") != "admin" || u.Credentials != "" {
		t.Fatalf("the admin's account changed: %s", me.Body)
	}
}

// Finding 2, the other way: an admin creates a reviewer account with a password it chose
// and signs as that account. A password someone else chose is temporary: it signs in, it
// does not sign.
func TestChosenPasswordCannotSign(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	tm := signIn(t, s)
	const chosen = "the-admin-chose-this"
	r := tm.admin.Do(t, "POST", "/api/v1/manage/users", map[string]any{"email": "puppet@example.com", "name": "Pat Puppet",
		"password": chosen, "roles": []string{"reviewer"}, "credentials": "MD"})
	MustStatus(t, r, 201)
	created := changeRequired(t, r, true)
	if created.Enrolment != nil {
		t.Fatalf("a user created with a password has an enrolment token: %s", r)
	}
	puppet := s.LoginWith(t, "puppet@example.com", chosen)
	changeRequired(t, puppet.Do(t, "GET", "/api/v1/auth/me", nil), true)

	p := tm.writer.Create(t, "puppet-signed", Content("Puppet signed"))
	p = tm.writer.MustAction(t, p.ID, "submit", nil)
	MustProblem(t, puppet.Action(t, p.ID, "approve", map[string]any{"revision": p.Revision, "password": chosen}), 403, "password_change_required", "")
	MustProblem(t, tm.admin.Action(t, p.ID, "publish", nil), 422, "approval_missing", "")
	if got := tm.writer.Page(t, p.ID); got.State != "in_review" || got.Approval != nil {
		t.Fatalf("after the refused signature: state %s, approval %+v", got.State, got.Approval)
	}

	// Once its owner sets a password of their own, the account signs.
	const own = "pats-own-passphrase"
	MustStatus(t, puppet.Do(t, "POST", "/api/v1/auth/password", map[string]string{"currentPassword": chosen, "newPassword": own}), 204)
	changeRequired(t, puppet.Do(t, "GET", "/api/v1/auth/me", nil), false)
	p = puppet.MustAction(t, p.ID, "approve", map[string]any{"revision": p.Revision, "password": own})
	if p.State != "approved" {
		t.Fatalf("state after approve: %s", p.State)
	}

	// The demo accounts' passwords are their own.
	changeRequired(t, tm.reviewer.Do(t, "GET", "/api/v1/auth/me", nil), false)
	users := tm.admin.Do(t, "GET", "/api/v1/manage/users", nil)
	MustStatus(t, users, 200)
	if strings.Contains(string(users.Body), "token") || strings.Contains(string(users.Body), "$argon2") {
		t.Fatalf("the user list shows secrets: %s", users.Body)
	}
}

// Finding 8: ten wrong-password logins for a reviewer's email, from anywhere, blocked that
// reviewer's signing for 15 minutes. Signing has its own limiter, per signed-in user.
func TestFailedLoginsDoNotBlockSigning(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	tm := signIn(t, s)
	for i := range 12 {
		r := s.Anon().Do(t, "POST", "/api/v1/auth/login", map[string]string{"email": Reviewer, "password": fmt.Sprintf("guess-number-%d", i)})
		if r.Status != 401 && r.Status != 429 {
			t.Fatalf("guess %d: %s", i, r)
		}
	}
	MustProblem(t, s.Anon().Do(t, "POST", "/api/v1/auth/login", map[string]string{"email": Reviewer, "password": app.DemoPassword}), 429, "rate_limited", "")
	p := tm.writer.Create(t, "signs-anyway", Content("Signs anyway"))
	p = tm.writer.MustAction(t, p.ID, "submit", nil)
	tm.reviewer.Approve(t, p)

	// Wrong signing passwords are limited per user, and do not block that user's logins
	// (nor anybody else's signing).
	q := tm.writer.Create(t, "sign-limit", Content("Sign limit"))
	q = tm.writer.MustAction(t, q.ID, "submit", nil)
	limited := 0
	for i := range 15 {
		r := tm.reviewer2.Action(t, q.ID, "approve", map[string]any{"revision": q.Revision, "password": fmt.Sprintf("wrong-signature-%d", i)})
		switch r.Status {
		case 401:
			if limited != 0 {
				t.Fatalf("attempt %d: 401 after 429", i+1)
			}
		case 429:
			MustProblem(t, r, 429, "rate_limited", "")
			if limited == 0 {
				limited = i + 1
			}
		default:
			t.Fatalf("attempt %d: %s", i+1, r)
		}
	}
	if limited == 0 || limited > 11 {
		t.Fatalf("wrong signing passwords were not limited (first 429 at %d)", limited)
	}
	MustProblem(t, tm.reviewer2.Action(t, q.ID, "approve", map[string]any{"revision": q.Revision, "password": app.DemoPassword}), 429, "rate_limited", "")
	s.Login(t, Reviewer2)
	tm.reviewer.Approve(t, q)
	s.Clock.Advance(16 * time.Minute)
	w := s.Login(t, Writer)
	later := w.Create(t, "sign-later", Content("Sign later"))
	later = w.MustAction(t, later.ID, "submit", nil)
	s.Login(t, Reviewer2).Approve(t, later)
}

// Finding 10: a password can be changed by its owner. The other sessions end; this one
// goes on.
func TestChangePassword(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	w := s.Login(t, Writer)
	other := s.Login(t, Writer)
	const path = "/api/v1/auth/password"
	MustProblem(t, w.Do(t, "POST", path, map[string]string{"currentPassword": "not-my-password", "newPassword": "a-brand-new-password"}), 400, "invalid", "currentPassword")
	MustProblem(t, w.Do(t, "POST", path, map[string]string{"currentPassword": app.DemoPassword, "newPassword": "short"}), 400, "invalid", "newPassword")
	MustProblem(t, w.Do(t, "POST", path, map[string]string{"currentPassword": app.DemoPassword, "newPassword": app.DemoPassword}), 400, "invalid", "newPassword")
	MustProblem(t, w.Do(t, "POST", path, map[string]any{"currentPassword": app.DemoPassword, "newPassword": "a-brand-new-password", "userId": "x"}), 400, "invalid", "userId")
	MustProblem(t, s.Anon().Do(t, "POST", path, map[string]string{"currentPassword": app.DemoPassword, "newPassword": "a-brand-new-password"}), 401, "unauthorized", "")
	MustStatus(t, w.Do(t, "POST", path, map[string]string{"currentPassword": app.DemoPassword, "newPassword": "a-brand-new-password"}), 204)

	MustStatus(t, w.Do(t, "GET", "/api/v1/auth/me", nil), 200)
	rr, _ := refresh(t, s, w.RefreshToken)
	MustStatus(t, rr, 200)
	MustProblem(t, other.Do(t, "GET", "/api/v1/auth/me", nil), 401, "unauthorized", "")
	rr, _ = refresh(t, s, other.RefreshToken)
	MustProblem(t, rr, 401, "unauthorized", "")
	MustProblem(t, s.Anon().Do(t, "POST", "/api/v1/auth/login", map[string]string{"email": Writer, "password": app.DemoPassword}), 401, "unauthorized", "")
	s.LoginWith(t, Writer, "a-brand-new-password")
}

// Finding 10: an account created without a password gets a one-time enrolment token, with
// which its owner sets their own.
func TestEnrolment(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	admin := s.Login(t, Admin)
	r := admin.Do(t, "POST", "/api/v1/manage/users", map[string]any{"email": "Newcomer@Example.com", "name": "Nel Newcomer",
		"roles": []string{"reviewer"}, "credentials": "PharmD"})
	MustStatus(t, r, 201)
	u := changeRequired(t, r, true)
	if u.Enrolment == nil || len(u.Enrolment.Token) < 40 || u.Email != "newcomer@example.com" {
		t.Fatalf("enrolment: %s", r)
	}
	if d := u.Enrolment.ExpiresAt.Sub(s.Clock.Now()); d < 71*time.Hour || d > 73*time.Hour {
		t.Fatalf("enrolment expires in %v, want 72 h", d)
	}
	if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
		t.Fatalf("Cache-Control of an answer with a token: %q", cc)
	}
	// Shown once: reading the user again shows no token.
	again := admin.Do(t, "GET", "/api/v1/manage/users/"+u.ID, nil)
	MustStatus(t, again, 200)
	if strings.Contains(string(again.Body), u.Enrolment.Token) || strings.Contains(string(again.Body), "enrolment") {
		t.Fatalf("the token is shown again: %s", again.Body)
	}
	// No password, no login.
	MustProblem(t, s.Anon().Do(t, "POST", "/api/v1/auth/login", map[string]string{"email": "newcomer@example.com", "password": ""}), 401, "unauthorized", "")

	const enrol = "/api/v1/auth/enrol"
	MustProblem(t, s.Anon().Do(t, "POST", enrol, map[string]string{"token": u.Enrolment.Token, "password": "short"}), 400, "invalid", "password")
	MustProblem(t, s.Anon().Do(t, "POST", enrol, map[string]string{"token": u.Enrolment.Token + "x", "password": "nels-own-password"}), 400, "token_invalid", "token")
	MustProblem(t, s.Anon().Do(t, "POST", enrol, map[string]string{"token": "garbage", "password": "nels-own-password"}), 400, "token_invalid", "token")
	done := s.Anon().Do(t, "POST", enrol, map[string]string{"token": u.Enrolment.Token, "password": "nels-own-password"})
	MustStatus(t, done, 200)
	if got := changeRequired(t, done, false); got.ID != u.ID {
		t.Fatalf("enrolled user: %s", done.Body)
	}
	MustProblem(t, s.Anon().Do(t, "POST", enrol, map[string]string{"token": u.Enrolment.Token, "password": "another-password!"}), 400, "token_invalid", "token")
	nel := s.LoginWith(t, "newcomer@example.com", "nels-own-password")
	tm := signIn(t, s)
	p := tm.writer.Create(t, "nel-signs", Content("Nel signs"))
	p = tm.writer.MustAction(t, p.ID, "submit", nil)
	nel.MustAction(t, p.ID, "approve", map[string]any{"revision": p.Revision, "password": "nels-own-password"})

	// An enrolment token expires after 72 hours.
	r = admin.Do(t, "POST", "/api/v1/manage/users", map[string]any{"email": "late@example.com", "name": "Lou Late", "roles": []string{"writer"}})
	MustStatus(t, r, 201)
	late := changeRequired(t, r, true)
	s.Clock.Advance(72*time.Hour + time.Minute)
	MustProblem(t, s.Anon().Do(t, "POST", enrol, map[string]string{"token": late.Enrolment.Token, "password": "lous-own-password"}), 400, "token_invalid", "token")
}

// Finding 10: an admin issues a one-hour reset token for someone else; a newer one voids
// the older; using it ends every session of that user.
func TestPasswordReset(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	tm := signIn(t, s)
	resetPath := "/api/v1/manage/users/" + tm.reviewer.User.ID + "/password-reset"
	MustProblem(t, tm.editor.Do(t, "POST", resetPath, nil), 403, "forbidden", "")
	MustProblem(t, tm.admin.Do(t, "POST", "/api/v1/manage/users/nosuchuser/password-reset", nil), 404, "not_found", "")
	// An admin resets no password of its own this way: that would skip the current password.
	MustProblem(t, tm.admin.Do(t, "POST", "/api/v1/manage/users/"+tm.admin.User.ID+"/password-reset", nil), 403, "self_modification", "")

	issue := func() issuedToken {
		r := tm.admin.Do(t, "POST", resetPath, nil)
		MustStatus(t, r, 200)
		if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
			t.Fatalf("Cache-Control of an answer with a token: %q", cc)
		}
		var it issuedToken
		r.Decode(t, &it)
		if d := it.ExpiresAt.Sub(s.Clock.Now()); it.Token == "" || d < 59*time.Minute || d > 61*time.Minute {
			t.Fatalf("reset token: %s", r)
		}
		return it
	}
	first := issue()
	second := issue()
	const reset = "/api/v1/auth/reset"
	MustProblem(t, s.Anon().Do(t, "POST", reset, map[string]string{"token": first.Token, "password": "rosas-new-password"}), 400, "token_invalid", "token")
	MustProblem(t, s.Anon().Do(t, "POST", reset, map[string]string{"token": second.Token, "password": "short"}), 400, "invalid", "password")
	MustStatus(t, s.Anon().Do(t, "POST", reset, map[string]string{"token": second.Token, "password": "rosas-new-password"}), 204)
	MustProblem(t, s.Anon().Do(t, "POST", reset, map[string]string{"token": second.Token, "password": "rosas-newer-password"}), 400, "token_invalid", "token")

	// Every session of the reviewer ended; the new password is the owner's own and signs.
	MustProblem(t, tm.reviewer.Do(t, "GET", "/api/v1/auth/me", nil), 401, "unauthorized", "")
	rr, _ := refresh(t, s, tm.reviewer.RefreshToken)
	MustProblem(t, rr, 401, "unauthorized", "")
	rosa := s.LoginWith(t, Reviewer, "rosas-new-password")
	changeRequired(t, rosa.Do(t, "GET", "/api/v1/auth/me", nil), false)
	p := tm.writer.Create(t, "after-reset", Content("After reset"))
	p = tm.writer.MustAction(t, p.ID, "submit", nil)
	rosa.MustAction(t, p.ID, "approve", map[string]any{"revision": p.Revision, "password": "rosas-new-password"})

	// A reset token expires after an hour.
	third := issue()
	s.Clock.Advance(61 * time.Minute)
	MustProblem(t, s.Anon().Do(t, "POST", reset, map[string]string{"token": third.Token, "password": "rosas-newest-password"}), 400, "token_invalid", "token")
}

// Finding 10, command line: `users passwd` sets a password from stdin; it is temporary
// unless --own says the operator is that person. `users add` passwords likewise.
func TestUsersPasswdFromStdin(t *testing.T) {
	skipOnMongoRun(t)
	t.Parallel()
	dir := t.TempDir()
	run := func(stdin string, args ...string) (error, string, string) {
		return runBinary(t, stdin, append(args, "--data", dir)...)
	}
	if err, out, stderr := run("ops-chose-this-one\n", "users", "add", "--email", "rae@example.com", "--name", "Rae Reviewer", "--roles", "reviewer", "--credentials", "MD"); err != nil {
		t.Fatalf("users add: %v\n%s\n%s", err, out, stderr)
	}
	if err, out, stderr := run("my-own-password-1\n", "users", "add", "--own", "--email", "olga@example.com", "--name", "Olga Operator", "--roles", "admin"); err != nil {
		t.Fatalf("users add --own: %v\n%s\n%s", err, out, stderr)
	}
	if err, _, stderr := run("a-long-enough-password\n", "users", "add", "--email", "both@example.com", "--name", "Bo Both", "--roles", "admin,reviewer"); err == nil || !strings.Contains(stderr, "roles") {
		t.Fatalf("users add admin,reviewer: %v %s", err, stderr)
	}
	if err, _, stderr := run("another-long-password\n", "users", "passwd", "--email", "nobody@example.com"); err == nil || !strings.Contains(stderr, "nobody@example.com") {
		t.Fatalf("users passwd of an unknown email: %v %s", err, stderr)
	}
	if err, _, stderr := run("short\n", "users", "passwd", "--email", "rae@example.com"); err == nil || !strings.Contains(stderr, "password") {
		t.Fatalf("users passwd with a short password: %v %s", err, stderr)
	}

	start := func() *Server {
		return MustStart(t, WithDataDir(dir), WithoutDemo(), WithConfig(func(c *app.Config) { c.MongoURI = ""; c.Database = "monograph" }))
	}
	s := start()
	rae := s.LoginWith(t, "rae@example.com", "ops-chose-this-one")
	changeRequired(t, rae.Do(t, "GET", "/api/v1/auth/me", nil), true)
	olga := s.LoginWith(t, "olga@example.com", "my-own-password-1")
	changeRequired(t, olga.Do(t, "GET", "/api/v1/auth/me", nil), false)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	if err, out, stderr := run("ops-reset-password\n", "users", "passwd", "--email", "Rae@Example.com"); err != nil || !strings.Contains(out, "temporary") {
		t.Fatalf("users passwd: %v\n%s\n%s", err, out, stderr)
	}
	if err, out, stderr := run("olgas-new-password\n", "users", "passwd", "--own", "--email", "olga@example.com"); err != nil {
		t.Fatalf("users passwd --own: %v\n%s\n%s", err, out, stderr)
	}
	s = start()
	MustProblem(t, s.Anon().Do(t, "POST", "/api/v1/auth/login", map[string]string{"email": "rae@example.com", "password": "ops-chose-this-one"}), 401, "unauthorized", "")
	rae = s.LoginWith(t, "rae@example.com", "ops-reset-password")
	changeRequired(t, rae.Do(t, "GET", "/api/v1/auth/me", nil), true)
	olga = s.LoginWith(t, "olga@example.com", "olgas-new-password")
	changeRequired(t, olga.Do(t, "GET", "/api/v1/auth/me", nil), false)
}

// Account events go to the audit trail on their own chain, and never carry a password or
// a token. Skipped until the trail is wired to the auth service.
func TestAccountEventsAudited(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	admin := s.Login(t, Admin)
	MustProblem(t, s.Anon().Do(t, "POST", "/api/v1/auth/login", map[string]string{"email": Writer, "password": "wrong-password-secret"}), 401, "unauthorized", "")
	r := admin.Do(t, "POST", "/api/v1/manage/users", map[string]any{"email": "eve@example.com", "name": "Eve Enrolled", "roles": []string{"writer"}})
	MustStatus(t, r, 201)
	u := changeRequired(t, r, true)
	MustStatus(t, s.Anon().Do(t, "POST", "/api/v1/auth/enrol", map[string]string{"token": u.Enrolment.Token, "password": "eves-own-password"}), 200)
	eve := s.LoginWith(t, "eve@example.com", "eves-own-password")
	MustStatus(t, eve.Do(t, "POST", "/api/v1/auth/password", map[string]string{"currentPassword": "eves-own-password", "newPassword": "eves-second-password"}), 204)
	rr := admin.Do(t, "POST", "/api/v1/manage/users/"+u.ID+"/password-reset", nil)
	MustStatus(t, rr, 200)
	var reset issuedToken
	rr.Decode(t, &reset)
	MustStatus(t, s.Anon().Do(t, "POST", "/api/v1/auth/reset", map[string]string{"token": reset.Token, "password": "eves-third-password"}), 204)
	MustStatus(t, admin.Do(t, "PATCH", "/api/v1/manage/users/"+u.ID, map[string]any{"roles": []string{"writer", "editor"}}), 200)
	MustStatus(t, admin.Do(t, "PATCH", "/api/v1/manage/users/"+u.ID, map[string]any{"disabled": true}), 200)

	list := admin.Do(t, "GET", "/api/v1/manage/audit?scope=accounts&limit=100", nil)
	MustStatus(t, list, 200)
	var out struct {
		Data []AuditEvent `json:"data"`
	}
	list.Decode(t, &out)
	actions := map[string]int{}
	for _, e := range out.Data {
		actions[e.Action]++
		if e.PageID != "" {
			t.Errorf("account event with a pageId: %+v", e)
		}
	}
	if actions["login_succeeded"] == 0 {
		t.Skipf("account events are not in the audit trail yet (the auth service's account recorder is not wired): %v", actions)
	}
	for _, want := range []string{"login_failed", "login_succeeded", "user_created", "enrolment_completed", "password_changed",
		"password_reset_issued", "password_reset_used", "roles_changed", "user_disabled"} {
		if actions[want] == 0 {
			t.Errorf("no %s event; got %v", want, actions)
		}
	}
	for _, secret := range []string{"wrong-password-secret", "eves-own-password", "eves-second-password", "eves-third-password", u.Enrolment.Token, reset.Token} {
		if strings.Contains(string(list.Body), secret) {
			t.Errorf("the audit trail holds a secret %q", secret)
		}
	}
}
