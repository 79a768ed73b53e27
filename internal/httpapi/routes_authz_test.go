package httpapi

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/monograph-cms/monograph/internal/authz"
	"github.com/monograph-cms/monograph/internal/cms"
)

// Roles, for the table.
const (
	W = cms.RoleWriter
	R = cms.RoleReviewer
	E = cms.RoleEditor
	A = cms.RoleAdmin
)

// publicRoutes answer without a token. Anything added here is reachable by the whole
// internet: add with care.
var publicRoutes = []string{
	"GET /",
	"GET /admin",
	"GET /admin/*file",
	"GET /healthz",
	"GET /readyz",
	"GET /api/openapi.json",
	"POST /api/v1/auth/login",
	"POST /api/v1/auth/refresh",
	// Enrolment and password reset: the credential is the one-time token in the body.
	"POST /api/v1/auth/enrol",
	"POST /api/v1/auth/reset",
	// Reader reviews: anyone may post one (held for moderation, rate limited) and read the
	// approved ones.
	"POST /api/v1/pages/:slug/reviews",
	"GET /api/v1/pages/:slug/reviews",
	// Preview: the credential is the page-scoped preview token in the query.
	"GET /api/v1/preview/pages/:id",
	"GET /api/v1/preview/pages/:id/media/:sha/:name",
	// The verifiable record: checkpoints, proofs and attestations are for anyone to check.
	"GET /api/v1/transparency/checkpoint",
	"GET /api/v1/transparency/key",
	"GET /api/v1/transparency/proof",
	"GET /api/v1/transparency/consistency",
	"GET /api/v1/pages/:slug/attestation",
	// The configured locales, for websites' language switchers.
	"GET /api/v1/locales",
}

// guardedRoutes is THE decision table: every route that needs a signed-in user, and the
// roles allowed to call it; every other role is refused (403). Written by hand, on
// purpose: a new route fails TestEveryRouteHasADecision until someone decides here who may
// call it, and a policy change that moves a decision fails until this table agrees.
var guardedRoutes = map[string][]cms.Role{
	// Session.
	"POST /api/v1/auth/logout": {W, R, E, A},
	"GET /api/v1/auth/me":      {W, R, E, A},
	// Everyone changes their own password.
	"POST /api/v1/auth/password": {W, R, E, A},

	// Users: admin only.
	"POST /api/v1/manage/users":      {A},
	"GET /api/v1/manage/users":       {A},
	"GET /api/v1/manage/users/:id":   {A},
	"PATCH /api/v1/manage/users/:id": {A},
	// Password reset tokens: admin only.
	"POST /api/v1/manage/users/:id/password-reset": {A},

	// Pages: everyone reads and saves; writers, editors and admins create and submit;
	// only reviewers judge medical content; editors and admins publish.
	"POST /api/v1/manage/pages":                     {W, E, A},
	"GET /api/v1/manage/pages":                      {W, R, E, A},
	"GET /api/v1/manage/pages/:id":                  {W, R, E, A},
	"PUT /api/v1/manage/pages/:id/content":          {W, R, E, A},
	"GET /api/v1/manage/pages/:id/revisions":        {W, R, E, A},
	"GET /api/v1/manage/pages/:id/revisions/:n":     {W, R, E, A},
	"GET /api/v1/manage/pages/:id/diff":             {W, R, E, A},
	"POST /api/v1/manage/pages/:id/submit":          {W, E, A},
	"POST /api/v1/manage/pages/:id/request-changes": {R},
	"POST /api/v1/manage/pages/:id/approve":         {R},
	"POST /api/v1/manage/pages/:id/publish":         {E, A},
	"POST /api/v1/manage/pages/:id/unpublish":       {R, E, A},
	"POST /api/v1/manage/pages/:id/cancel-schedule": {E, A},
	"GET /api/v1/manage/pages/:id/audit":            {W, R, E, A},
	"GET /api/v1/manage/audit":                      {R, E, A},
	"POST /api/v1/manage/pages/:id/preview-token":   {W, R, E, A},
	// The review cadence is the reviewers' and the desk's call, not the writers'.
	"PATCH /api/v1/manage/pages/:id": {R, E, A},
	"POST /api/v1/manage/render":     {W, R, E, A},
	// The pre-review checks of unsaved content: whoever may save.
	"POST /api/v1/manage/checks": {W, R, E, A},
	// Translations: whoever creates pages creates a translation; whoever saves rebases;
	// everyone reads what the source changed.
	"POST /api/v1/manage/pages/:id/translations": {W, E, A},
	"POST /api/v1/manage/pages/:id/rebase":       {W, R, E, A},
	"GET /api/v1/manage/pages/:id/source-diff":   {W, R, E, A},
	// XLIFF: everyone exports; whoever creates pages imports (an import may create).
	"GET /api/v1/manage/pages/:id/xliff":                      {W, R, E, A},
	"PUT /api/v1/manage/pages/:id/translations/:locale/xliff": {W, E, A},

	// Reader reviews: editors moderate (admins too).
	"GET /api/v1/manage/reviews":              {E, A},
	"POST /api/v1/manage/reviews/:id/approve": {E, A},
	"POST /api/v1/manage/reviews/:id/reject":  {E, A},

	// Notifications and work queues: everyone, each their own; presence on a page for
	// whoever reads it.
	"GET /api/v1/manage/notifications":         {W, R, E, A},
	"POST /api/v1/manage/notifications/read":   {W, R, E, A},
	"GET /api/v1/manage/queues":                {W, R, E, A},
	"GET /api/v1/manage/pages/:id/notified":    {W, R, E, A},
	"GET /api/v1/manage/pages/:id/presence":    {W, R, E, A},
	"POST /api/v1/manage/pages/:id/presence":   {W, R, E, A},
	"DELETE /api/v1/manage/pages/:id/presence": {W, R, E, A},

	// The image library: everyone sees it; writers, editors and admins upload and
	// describe; editors and admins delete.
	"POST /api/v1/manage/media":                {W, E, A},
	"GET /api/v1/manage/media":                 {W, R, E, A},
	"GET /api/v1/manage/media/:id":             {W, R, E, A},
	"PATCH /api/v1/manage/media/:id":           {W, E, A},
	"DELETE /api/v1/manage/media/:id":          {E, A},
	"GET /api/v1/manage/media/:id/files/:name": {W, R, E, A},

	// Webhooks: admin only.
	"POST /api/v1/manage/webhooks":                   {A},
	"GET /api/v1/manage/webhooks":                    {A},
	"GET /api/v1/manage/webhooks/:id":                {A},
	"DELETE /api/v1/manage/webhooks/:id":             {A},
	"POST /api/v1/manage/webhooks/:id/rotate-secret": {A},
	"GET /api/v1/manage/webhooks/:id/deliveries":     {A},
}

// isSessionRoute reports whether a route under /api/v1/auth needs a token.
func isSessionRoute(path string) bool {
	return strings.HasPrefix(path, "/api/v1/auth/") && path != "/api/v1/auth/login" && path != "/api/v1/auth/refresh"
}

// newRouteOnlyServer builds the server with only the enforcer: the routes are inspected,
// no handler that needs a service is run.
func newRouteOnlyServer(t *testing.T) (*Server, *authz.Enforcer) {
	t.Helper()
	enf, err := authz.New("", "")
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{}, Deps{Authz: enf, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return s, enf
}

// Issue 2, Must show: a table test walks every registered route × every role; a route
// without an explicit decision fails, so no route can ship unguarded.
func TestEveryRouteHasADecision(t *testing.T) {
	s, enf := newRouteOnlyServer(t)
	registered := map[string]bool{}
	for _, r := range s.engine.Routes() {
		registered[r.Method+" "+r.Path] = true
	}
	keys := make([]string, 0, len(registered))
	for k := range registered {
		keys = append(keys, k)
	}
	sort.Strings(keys)

	for _, key := range keys {
		_, path, _ := strings.Cut(key, " ")
		perm, guarded := s.perms[key]
		allowed, inTable := guardedRoutes[key]
		public := slices.Contains(publicRoutes, key)
		switch {
		case public && (guarded || inTable):
			t.Errorf("%s is listed as public but has a permission or a table entry", key)
		case public:
		case !inTable:
			t.Errorf("%s has no decision: add it to guardedRoutes (or, if it must be public, to publicRoutes)", key)
		case !guarded:
			t.Errorf("%s is in the table but registered without a permission (use Server.managed)", key)
		default:
			for _, role := range cms.AllRoles {
				want := slices.Contains(allowed, role)
				if got := enf.Allowed([]cms.Role{role}, perm); got != want {
					t.Errorf("%s (%s) for %s: casbin says allowed=%v, the table says %v", key, perm, role, got, want)
				}
			}
			if !enf.Allowed(allowed, perm) || enf.Allowed(nil, perm) || enf.Allowed([]cms.Role{"root"}, perm) {
				t.Errorf("%s: multi-role, no-role or unknown-role decisions are wrong", key)
			}
		}
		if !public && !strings.HasPrefix(path, "/api/v1/manage/") && !isSessionRoute(path) {
			t.Errorf("%s is neither public nor under /api/v1/manage or the session routes", key)
		}
	}
	for key := range guardedRoutes {
		if !registered[key] {
			t.Errorf("the table lists %s, which is not registered (remove it)", key)
		}
	}
	for _, key := range publicRoutes {
		if !registered[key] {
			t.Errorf("publicRoutes lists %s, which is not registered (remove it)", key)
		}
	}
	for key := range s.perms {
		if !registered[key] {
			t.Errorf("perms records %s, which is not a registered route", key)
		}
	}
}

// Every guarded route refuses a request without a token (401) before any handler or
// service runs: the guard is on the route, not in the handler.
func TestGuardedRoutesNeedAToken(t *testing.T) {
	s, _ := newRouteOnlyServer(t)
	h := s.Handler()
	for key := range guardedRoutes {
		method, path, _ := strings.Cut(key, " ")
		path = strings.NewReplacer(":id", "aaaaaaaaaaaaaaaaaaaa", ":n", "1").Replace(path)
		for _, auth := range []string{"", "Bearer", "Basic YTpi", "bearer x"} {
			req := httptest.NewRequest(method, path, strings.NewReader("{}"))
			req.Header.Set("Content-Type", "application/json")
			if auth != "" {
				req.Header.Set("Authorization", auth)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusUnauthorized || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/problem+json") {
				t.Errorf("%s with Authorization %q: %d %s", key, auth, rec.Code, rec.Body)
			}
		}
	}
}
