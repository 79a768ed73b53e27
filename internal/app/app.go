package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/monograph-cms/monograph/internal/auth"
	"github.com/monograph-cms/monograph/internal/authz"
	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/delivery"
	"github.com/monograph-cms/monograph/internal/editorial"
	"github.com/monograph-cms/monograph/internal/httpapi"
	"github.com/monograph-cms/monograph/internal/media"
	"github.com/monograph-cms/monograph/internal/notify"
	"github.com/monograph-cms/monograph/internal/reviews"
	"github.com/monograph-cms/monograph/internal/storage"
	"github.com/monograph-cms/monograph/internal/transparency"
	"github.com/monograph-cms/monograph/internal/webhook"
	webadmin "github.com/monograph-cms/monograph/web-admin"
)

// Options are the seams tests use; production passes none.
type Options struct {
	Clock  cms.Clock
	Logger *slog.Logger
	// Hasher replaces the production argon2id parameters (tests use cheap ones).
	Hasher *auth.Hasher
}

// App is one Monograph server process (or, for the CLI commands, its store and services
// without the HTTP server).
type App struct {
	Config Config
	Log    *slog.Logger
	Clock  cms.Clock
	Store  storage.Store
	Auth   *auth.Service
	Pages  *editorial.Service
	// Delivery serves the read API for websites from memory.
	Delivery *delivery.Service
	// Webhooks, Dispatcher and Reviews are the integrations: webhook
	// administration, webhook delivery from the outbox, reader reviews.
	Webhooks   *webhook.Service
	Dispatcher *webhook.Dispatcher
	Reviews    *reviews.Service
	// Transparency is the verifiable log: signed checkpoints and proofs over every audit
	// event (transparency.go).
	Transparency *transparency.Log
	// Notify derives notifications from the audit log and sends their e-mail
	// (notifications.go).
	Notify *notify.Service

	server   *http.Server
	listener net.Listener
	stopBg   context.CancelFunc
	bg       sync.WaitGroup
}

// NewLogger returns the process logger: JSON when stderr is not a terminal (production,
// CI), text otherwise.
func NewLogger(cfg Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	format := cfg.LogFormat
	if format == "auto" {
		format = "json"
		if f, ok := w.(*os.File); ok {
			if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
				format = "text"
			}
		}
	}
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// Open validates the config, opens the store (taking the data dir's lock when embedded) and
// builds the services.
func Open(ctx context.Context, cfg Config, o Options) (*App, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	a := &App{Config: cfg, Log: o.Logger, Clock: o.Clock}
	if a.Log == nil {
		a.Log = NewLogger(cfg, os.Stderr)
	}
	if a.Clock == nil {
		a.Clock = cms.SystemClock{}
	}
	store, err := storage.Open(ctx, storage.Config{
		MongoURI: cfg.MongoURI, Database: cfg.Database, DataDir: cfg.DataDir, Synchronous: cfg.SQLiteSynchronous, Logger: a.Log,
	})
	if err != nil {
		return nil, err
	}
	a.Store = store
	if err := a.buildServices(o); err != nil {
		_ = store.Close(context.Background())
		return nil, err
	}
	return a, nil
}

func (a *App) buildServices(o Options) error {
	keyFile := a.Config.KeyFile
	if keyFile == "" {
		if a.Config.DataDir == "" {
			return errors.New("--jwt-keys: required when there is no --data dir")
		}
		keyFile = filepath.Join(a.Config.DataDir, "jwt-keys.pem")
	}
	keys, err := auth.LoadOrCreateKeys(keyFile)
	if err != nil {
		return fmt.Errorf("signing keys: %w", err)
	}
	a.Auth, err = auth.NewService(auth.Config{Locales: a.Config.LocaleSet()}, auth.Deps{
		Users: a.Store, Refresh: a.Store, Keys: keys, Hasher: o.Hasher, Clock: a.Clock, Logger: a.Log,
	})
	if err != nil {
		return err
	}
	severities, err := a.Config.CheckSeverities()
	if err != nil {
		return err
	}
	a.Pages = editorial.NewService(editorial.Config{
		DefaultReviewIntervalDays: a.Config.ReviewIntervalDays, CheckSeverities: severities,
	}, a.Store, a.Clock, a.Auth, a.Log)
	if a.Pages.Accounts, err = newRuleAccounts(a.Config, a.Auth); err != nil {
		return err
	}
	a.Pages.Locales = a.Config.LocaleSet()
	// The image library (docs/media.md), with the default limits (10 MiB, 40 megapixels).
	editorial.NewMediaLibrary(a.Pages, a.Store, media.DefaultLimits)
	a.Auth.SetAccountRecorder(a.Pages) // account events go on the accounts audit chain
	// Delivery: published pages from memory, updated in-process on every publish and
	// unpublish, and by polling the change counter when other processes share the store.
	a.Delivery = delivery.New(delivery.Config{
		MaxAge: a.Config.CacheMaxAge, StaleWhileRevalidate: a.Config.StaleWhileRevalidate,
		Poll: a.Config.ChangePoll, Exclusive: a.Store.Exclusive(), Logger: a.Log,
		HotBytes: int64(a.Config.DeliveryCacheMB) << 20, SpillDir: a.Config.SpillDir(), Derive: a.Pages.DeriveLive, Locales: a.Config.LocaleSet(),
		Media: a.Store,
	}, a.Store, a.Clock)
	a.Pages.OnLiveChange = a.Delivery.Apply
	if err := a.buildIntegrations(); err != nil {
		return err
	}
	a.Pages.OnOutbox = a.Dispatcher.Wake
	if err := a.buildNotify(); err != nil {
		return err
	}
	return a.buildTransparency()
}

// Serve listens on the configured address, serves the API, and runs the background jobs
// (audit/outbox pump, scheduler, session sweep). It returns once listening.
func (a *App) Serve(ctx context.Context) error {
	enforcer, err := authz.New(a.Config.CasbinModel, a.Config.CasbinPolicy)
	if err != nil {
		return err
	}
	api, err := httpapi.New(httpapi.Config{MaxBodyBytes: a.Config.MaxBodyBytes, TrustedProxies: a.Config.TrustedProxyList()}, httpapi.Deps{
		Auth: a.Auth, Authz: enforcer, Pages: a.Pages, Clock: a.Clock, Ready: a.Store.Ping, Admin: webadmin.FS(), Log: a.Log,
		Webhooks: a.Webhooks, Reviews: a.Reviews, Transparency: a.Transparency,
		Notify: a.Notify, Locales: a.Config.LocaleSet(),
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", a.Config.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (is another server running? choose another --addr)", a.Config.Addr, err)
	}
	a.listener = ln
	a.server = &http.Server{
		Handler:           a.Delivery.Front(api.Handler()), // delivery paths skip gin
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		// Large enough that an oversized bearer token (e.g. 100 KB of junk) reaches the
		// authenticator and gets the API's 401 problem, not a bare 431; auth refuses any
		// token over auth.MaxTokenBytes before parsing it.
		MaxHeaderBytes: 256 << 10,
		ErrorLog:       slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
	}
	bgCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	a.stopBg = cancel
	// Delivery: load the live pages before listening, then keep them fresh.
	if err := a.Delivery.Reload(ctx); err != nil {
		cancel()
		_ = ln.Close()
		return fmt.Errorf("load published pages: %w", err)
	}
	a.bg.Add(1)
	go func() { defer a.bg.Done(); a.Delivery.Run(bgCtx) }()
	a.startIntegrations(ctx, bgCtx)
	a.startBackground(bgCtx)
	go func() {
		if err := a.server.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.Log.Error("http server stopped", "error", err)
		}
	}()
	return nil
}

// URL is the base URL the server listens on.
func (a *App) URL() string {
	if a.listener == nil {
		return ""
	}
	return "http://" + a.listener.Addr().String()
}

// startBackground runs the scheduler and the sweeps until ctx ends.
func (a *App) startBackground(ctx context.Context) {
	if !a.Config.Jobs {
		a.Log.Info("background jobs are off (--jobs=false): another process must run them")
		return
	}
	if bg, ok := a.Store.(interface{ RunBackground(context.Context) }); ok {
		// MongoDB without a replica set finishes, after a crash, the changes a process
		// wrote but did not yet copy to the audit and outbox collections.
		a.bg.Add(1)
		go func() { defer a.bg.Done(); bg.RunBackground(ctx) }()
	}
	a.startNotify(ctx)
	a.bg.Add(1)
	go func() {
		defer a.bg.Done()
		tick := time.NewTicker(a.Config.SchedulerInterval)
		defer tick.Stop()
		lastSweep := time.Time{}
		for {
			if n, err := a.Pages.RunScheduled(ctx); err != nil && ctx.Err() == nil {
				a.Log.Error("scheduler", "error", err)
			} else if n > 0 {
				a.Log.Info("scheduler published pages", "count", n)
			}
			if _, err := a.Pages.NotifyReviewDue(ctx); err != nil && ctx.Err() == nil {
				a.Log.Error("review-due notifier", "error", err)
			}
			if time.Since(lastSweep) > time.Hour {
				lastSweep = time.Now()
				if _, err := a.Auth.SweepExpired(ctx); err != nil && ctx.Err() == nil {
					a.Log.Error("session sweep", "error", err)
				}
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
}

// Close shuts down gracefully: stop accepting, finish in-flight requests, stop the
// background jobs, close the store.
func (a *App) Close(ctx context.Context) error {
	var errs []error
	if a.server != nil {
		sctx, cancel := context.WithTimeout(ctx, a.Config.ShutdownTimeout)
		errs = append(errs, a.server.Shutdown(sctx))
		cancel()
	}
	if a.stopBg != nil {
		a.stopBg()
		a.bg.Wait()
	}
	if a.Store != nil {
		errs = append(errs, a.Store.Close(ctx))
	}
	if a.Delivery != nil {
		errs = append(errs, a.Delivery.Close())
	}
	return errors.Join(errs...)
}

// buildIntegrations builds webhooks and reader reviews. Webhook secrets are
// sealed under a key file outside the database (<data>/webhook-secrets.key, or beside the
// JWT key file when there is no data dir), from which the key hashing reviewers' addresses
// is derived too.
func (a *App) buildIntegrations() error {
	keyFile := a.Config.WebhookKeyFile
	if keyFile == "" {
		dir := a.Config.DataDir
		if dir == "" {
			dir = filepath.Dir(a.Config.KeyFile)
		}
		keyFile = filepath.Join(dir, webhook.KeyFileName)
	}
	master, err := webhook.LoadOrCreateKeyFile(keyFile)
	if err != nil {
		return fmt.Errorf("webhook secrets key: %w", err)
	}
	// Live snapshots are sealed under a key derived from the same master key, kept outside
	// the store: a start trusts a stored snapshot only if its seal holds.
	a.Pages.SnapshotKey = webhook.DeriveKey(master, "live-snapshot-seal")
	sealer, err := webhook.NewSealer(webhook.DeriveKey(master, "webhook-secrets"))
	if err != nil {
		return err
	}
	guard := webhook.Guard{AllowPrivate: a.Config.WebhookAllowPrivate}
	a.Webhooks = webhook.NewService(a.Store, sealer, guard, a.Clock)
	a.Dispatcher = webhook.NewDispatcher(webhook.DispatcherConfig{
		Retry: webhook.RetryPolicy{Base: a.Config.WebhookRetryBase, Factor: 2, Cap: a.Config.WebhookRetryCap, MaxAttempts: a.Config.WebhookMaxAttempts},
		// This process alone uses the store, so a lease left by a crash is stale.
		ReleaseLeasesAtStart: a.Store.Exclusive(),
	}, a.Store, sealer, guard, a.Clock, a.Log)
	// "Is this slug live?" comes from delivery's snapshot when it can answer, else from
	// the store.
	live, _ := any(a.Delivery).(reviews.LiveChecker)
	a.Reviews = reviews.NewService(reviews.Config{ClientKey: webhook.DeriveKey(master, "reader-review-client")}, reviews.Deps{
		Store: a.Store, Live: live, Stats: reviewStatsToDelivery{a.Delivery}, Clock: a.Clock,
	})
	return nil
}

// reviewStatsToDelivery hands reader-review figures to delivery, all in one snapshot
// rebuild.
type reviewStatsToDelivery struct{ d *delivery.Service }

func (r reviewStatsToDelivery) SetReviewStats(stats map[string]reviews.PageStats) {
	m := make(map[string]delivery.ReviewStats, len(stats))
	for slug, st := range stats {
		m[slug] = delivery.ReviewStats{Count: st.Count, Average: st.Average}
	}
	r.d.SetAllReviewStats(m)
}

// startIntegrations publishes the reader-review figures to delivery and starts the
// webhook dispatcher.
func (a *App) startIntegrations(ctx, bgCtx context.Context) {
	if err := a.Reviews.PublishStats(ctx); err != nil {
		a.Log.Error("reader review statistics", "error", err)
	}
	if !a.Config.Jobs {
		return
	}
	a.bg.Add(1)
	go func() { defer a.bg.Done(); a.Dispatcher.Run(bgCtx) }()
}
