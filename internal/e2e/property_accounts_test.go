package e2e

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/editorial"
)

// The account and import steps of TestPropertyNoUnapprovedLive: password resets, role
// changes, and importing a copy of a page (honest, then forged).

// resetPasswordStep: an admin issues a reset link for a random user (never the first
// writer, whose client reads the record, nor the admin), who sets a new password of their
// own with it; their sessions end, and this worker signs them in again.
func (pt *propTest) resetPasswordStep() step {
	var candidates []int
	for i, c := range pt.users {
		if c.Email != Writer && c.Email != Admin && c.User.ID != pt.tempUserID {
			candidates = append(candidates, i)
		}
	}
	i := candidates[pt.rng.IntN(len(candidates))]
	u := pt.users[i]
	newPassword := fmt.Sprintf("reset-password-%d", pt.rng.Uint32())
	return step{fmt.Sprintf("admin resets the password of %s", u.Email), func() (*Resp, error) {
		// One reset at a time, and no sign-in with a password read before it.
		pt.pwMu.Lock()
		defer pt.pwMu.Unlock()
		r, err := pt.admin().Try("POST", "/api/v1/manage/users/"+u.User.ID+"/password-reset", nil)
		if err != nil || r.Status != 200 {
			return r, err
		}
		var tok struct {
			Token string `json:"token"`
		}
		if err := json.Unmarshal(r.Body, &tok); err != nil {
			return nil, err
		}
		r, err = pt.s.Anon().Try("POST", "/api/v1/auth/reset", map[string]any{"token": tok.Token, "password": newPassword})
		if err != nil || r.Status != 204 {
			return r, err
		}
		pt.passwords[u.Email] = newPassword
		c, err := pt.s.Anon().login(u.Email, newPassword)
		if err != nil {
			return nil, err
		}
		pt.users[i] = c
		return r, nil
	}}
}

// toggleRoleStep: an admin gives the second writer the reviewer role, or takes it away, so
// approvals are signed by people whose roles change afterwards (the record keeps the roles
// they held when signing).
func (pt *propTest) toggleRoleStep() step {
	var w *Client
	for _, c := range pt.users {
		if c.Email == Writer2 {
			w = c
		}
	}
	return step{"admin toggles the reviewer role of " + Writer2, func() (*Resp, error) {
		r, err := pt.admin().Try("GET", "/api/v1/manage/users/"+w.User.ID, nil)
		if err != nil || r.Status != 200 {
			return r, err
		}
		var u User
		if err := json.Unmarshal(r.Body, &u); err != nil {
			return nil, err
		}
		roles := []string{"writer"}
		if !slices.Contains(u.Roles, "reviewer") {
			roles = append(roles, "reviewer")
		}
		return pt.admin().Try("PATCH", "/api/v1/manage/users/"+w.User.ID, map[string]any{"roles": roles, "credentials": "MD"})
	}}
}

func (pt *propTest) admin() *Client {
	for _, c := range pt.users {
		if c.Email == Admin {
			return c
		}
	}
	pt.fatalf("no admin")
	return nil
}

// importCopy exports a page and imports it under a new id and slug, as a library moved
// between stores would be: the copy must verify, be served exactly as the original's live
// revision, and satisfy the property too. The same export with the approved revision's
// text changed (its hash kept) must be refused.
func (pt *propTest) importCopy(p Page) {
	pt.t.Helper()
	copyOf := func() map[string]any {
		m := exportOf(pt.t, pt.s, p.ID)
		page := m["page"].(map[string]any)
		page["id"] = cms.NewID()
		page["slug"] = p.Slug + "-copy"
		fixIDs(m)
		return m
	}
	forged := copyOf()
	if revs := forged["revisions"].([]any); len(revs) > 0 {
		revs[len(revs)-1].(map[string]any)["content"].(map[string]any)["title"] = "Forged title"
		if checkImport(pt.t, pt.s, forged) == nil {
			pt.fatalf("an export whose latest revision's text was edited would be imported")
		}
	}
	m := copyOf()
	if err := checkImport(pt.t, pt.s, m); err != nil {
		pt.fatalf("an honest copy of the page is refused: %v", err)
	}
	b, _ := json.Marshal(m)
	var exp editorial.PageExport
	if err := json.Unmarshal(b, &exp); err != nil {
		pt.fatalf("%v", err)
	}
	checked, err := editorial.CheckImport(exp)
	if err != nil {
		pt.fatalf("%v", err)
	}
	if _, err := pt.s.App.Pages.Import(pt.t.Context(), checked); err != nil {
		pt.fatalf("import of an honest copy: %v", err)
	}
	id := m["page"].(map[string]any)["id"].(string)
	pt.log = append(pt.log, "imported a copy as "+id)
	cp := pt.read(id)
	if !sameLive(cp.Live, p.Live) && !(cp.Live != nil && p.Live != nil && cp.Live.ContentHash == p.Live.ContentHash) {
		pt.fatalf("the copy's live revision %+v, the original's %+v", cp.Live, p.Live)
	}
	pt.checkPage(cp)
	pt.checkHistory(cp)
}

// login signs in without failing the test (it runs inside a step).
func (c *Client) login(email, password string) (*Client, error) {
	r, err := c.Try("POST", "/api/v1/auth/login", map[string]string{"email": email, "password": password})
	if err != nil {
		return nil, err
	}
	if r.Status != 200 {
		return nil, fmt.Errorf("login %s: %s", email, r)
	}
	var sess struct {
		AccessToken  string `json:"accessToken"`
		RefreshToken string `json:"refreshToken"`
		User         User   `json:"user"`
	}
	if err := json.Unmarshal(r.Body, &sess); err != nil {
		return nil, err
	}
	return &Client{S: c.S, Email: email, Token: sess.AccessToken, RefreshToken: sess.RefreshToken, User: sess.User}, nil
}
