// Package httpapi is Monograph's HTTP layer and the only importer of gin: routing,
// middleware, problem+json errors and the handlers that translate HTTP to the services.
package httpapi

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/monograph-cms/monograph/internal/auth"
	"github.com/monograph-cms/monograph/internal/authz"
	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/locale"
	"github.com/monograph-cms/monograph/internal/notify"
	"github.com/monograph-cms/monograph/internal/reviews"
	"github.com/monograph-cms/monograph/internal/transparency"
	"github.com/monograph-cms/monograph/internal/webhook"
)

// Config holds the HTTP settings.
type Config struct {
	// MaxBodyBytes caps request bodies (413 beyond).
	MaxBodyBytes int64
	// TrustedProxies are the addresses whose X-Forwarded-For is believed; empty means the
	// client address is always the connection's peer.
	TrustedProxies []string
}

// Deps are the services the handlers call.
type Deps struct {
	Auth  *auth.Service
	Authz *authz.Enforcer
	Pages *editorial.Service
	Clock cms.Clock
	// Ready reports whether the store answers (for /readyz).
	Ready func(ctx context.Context) error
	// Admin is the built web admin, or nil when it was not built in.
	Admin fs.FS
	Log   *slog.Logger
	// Webhooks and Reviews (issue 7): webhook administration and reader reviews.
	Webhooks *webhook.Service
	Reviews  *reviews.Service
	// Transparency is the verifiable log (internal/transparency): its public routes
	// answer 503 without it.
	Transparency *transparency.Log
	// Locales are the configured languages (translations.go); zero: just "en".
	Locales locale.Set
	// Notify derives notifications and work queues (internal/notify; notifications.go).
	Notify *notify.Service
}

// Server is the HTTP API.
type Server struct {
	cfg    Config
	log    *slog.Logger
	auth   *auth.Service
	authz  *authz.Enforcer
	pages  *editorial.Service
	clock  cms.Clock
	ready  func(ctx context.Context) error
	admin  fs.FS
	engine *gin.Engine
	// webhooks and reviews serve issue 7's routes (webhooks.go, reviews.go).
	webhooks *webhook.Service
	reviews  *reviews.Service
	// transparency serves the verifiable record's routes (transparency.go).
	transparency *transparency.Log
	locales      locale.Set
	// notify serves notifications and queues; presence is who has a page open
	// (notifications.go, presence.go).
	notify   *notify.Service
	presence *presenceBoard

	// perms records the permission of every management route, keyed "METHOD /path", so
	// tests can check that every route has an explicit decision.
	perms map[string]authz.Permission
	// onDenied, when set, is told about authorization denials (for the audit trail).
	onDenied func(c *gin.Context, p cms.Principal, perm authz.Permission)
}

// New builds the server and its routes.
func New(cfg Config, d Deps) (*Server, error) {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	if err := e.SetTrustedProxies(cfg.TrustedProxies); err != nil {
		return nil, err
	}
	if len(cfg.TrustedProxies) == 0 {
		// Without trusted proxies gin would still read X-Real-Ip / X-Forwarded-For from
		// "trusted platforms"; the peer address is the only truth then.
		e.ForwardedByClientIP = false
	}
	e.HandleMethodNotAllowed = true
	s := &Server{
		cfg: cfg, log: d.Log, auth: d.Auth, authz: d.Authz, pages: d.Pages, clock: d.Clock,
		ready: d.Ready, admin: d.Admin,
		engine: e, perms: map[string]authz.Permission{},
		webhooks: d.Webhooks, reviews: d.Reviews, transparency: d.Transparency, locales: d.Locales,
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.clock == nil {
		s.clock = cms.SystemClock{}
	}
	s.onDenied = s.recordDenied
	s.notify, s.presence = d.Notify, newPresenceBoard()
	e.Use(withRequestID, s.recoverPanics, s.accessLog, securityHeaders, s.limitBodyMedia)
	e.NoRoute(func(c *gin.Context) { s.writeError(c, cms.Errorf(cms.CodeNotFound, "no such route")) })
	e.NoMethod(func(c *gin.Context) {
		s.writeError(c, &cms.Error{Code: cms.CodeMethodNotAllowed, Message: "this route does not answer " + c.Request.Method + " (see the Allow header)"})
	})
	s.routes()
	return s, nil
}

// Handler returns the http.Handler to serve.
func (s *Server) Handler() http.Handler { return s.engine }

// managed registers a management route on g (whose middleware authenticates): the handler
// runs only when casbin grants perm to one of the caller's roles.
func (s *Server) managed(g *gin.RouterGroup, method, path string, perm authz.Permission, h gin.HandlerFunc) {
	s.perms[method+" "+g.BasePath()+path] = perm
	g.Handle(method, path, s.authorize(perm), h)
}

func (s *Server) routes() {
	e := s.engine
	e.GET("/healthz", func(c *gin.Context) { ok(c, gin.H{"status": "ok"}) })
	e.GET("/readyz", s.readyz)
	e.GET("/api/openapi.json", s.openAPI)
	s.adminRoutes()

	a := e.Group("/api/v1/auth")
	a.POST("/login", s.login)
	a.POST("/refresh", s.refresh)
	session := a.Group("", s.authenticate)
	s.managed(session, http.MethodPost, "/logout", perm("self", "read"), s.logout)
	s.managed(session, http.MethodGet, "/me", perm("self", "read"), s.me)

	m := e.Group("/api/v1/manage", s.authenticate)
	s.managed(m, http.MethodPost, "/users", perm("user", "manage"), s.createUser)
	s.managed(m, http.MethodGet, "/users", perm("user", "manage"), s.listUsers)
	s.managed(m, http.MethodGet, "/users/:id", perm("user", "manage"), s.getUser)
	s.managed(m, http.MethodPatch, "/users/:id", perm("user", "manage"), s.patchUser)
	s.pageRoutes(m)
	s.webhookRoutes(m)
	s.reviewRoutes(e, m)
	s.previewRoutes(e, m)
	s.mediaRoutes(e, m)
	s.accountRoutes(a, session, m)
	s.transparencyRoutes(e)
	s.translationRoutes(e, m)
	s.notificationRoutes(m)
	s.presenceRoutes(m)
}

func perm(object, action string) authz.Permission {
	return authz.Permission{Object: object, Action: action}
}

func (s *Server) readyz(c *gin.Context) {
	if err := s.ready(c.Request.Context()); err != nil {
		s.writeError(c, &cms.Error{Code: cms.CodeUnavailable, Message: "the store does not answer", Err: err})
		return
	}
	ok(c, gin.H{"status": "ready"})
}
