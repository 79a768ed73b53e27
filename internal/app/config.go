// Package app wires Monograph together: config, store, services, HTTP server and background
// jobs. cmd/monograph parses the command line and calls it; tests boot it on 127.0.0.1:0.
package app

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/monograph-cms/monograph/internal/content"
	"github.com/monograph-cms/monograph/internal/delivery"
	"github.com/monograph-cms/monograph/internal/locale"
)

// Config is every setting, with defaults, overridden by environment variables and then
// flags, and validated before anything starts.
type Config struct {
	Addr     string // listen address
	DataDir  string // embedded store, JWT keys
	MongoURI string // when set, use this MongoDB instead of the embedded store
	Database string
	Demo     bool // create demo users and sample pages on first start; loopback only
	// Locales are the BCP 47 tags pages are published in, the source language first
	// ("en,es,cy"; default "en", and "en,es" with Demo): see LocaleSet.
	Locales string
	// SQLiteSynchronous is the embedded store's commit durability: "normal" (an
	// acknowledged change survives the process being killed) or "full" (it survives an OS
	// crash too, at the cost of an fsync per change).
	SQLiteSynchronous string

	KeyFile        string // Ed25519 signing keys (PEM); default <data>/jwt-keys.pem
	WebhookKeyFile string // key sealing webhook secrets; default <data>/webhook-secrets.key
	CasbinModel    string // override policies/model.conf
	CasbinPolicy   string // override policies/policy.csv
	TrustedProxies string // comma-separated addresses or CIDRs
	LogFormat      string // auto, json or text
	LogLevel       string // debug, info, warn, error

	ReviewIntervalDays int
	// Checks overrides pre-review check severities: "disclaimer_missing=blocker,...".
	Checks string

	CacheMaxAge          time.Duration
	StaleWhileRevalidate time.Duration
	ChangePoll           time.Duration // how often other processes' publications are noticed
	DeliveryCacheMB      int           // uncompressed page bytes kept for clients without gzip
	DeliverySpillDir     string        // where the spill file of identity bytes goes (SpillDir)
	MemoryLimitMB        int           // serve's soft heap limit (0: none); GOMEMLIMIT wins
	SchedulerInterval    time.Duration
	// Jobs runs the background jobs: the scheduler, the review-due notifier, the webhook
	// dispatcher, the session sweep and (on MongoDB) the store's repair sweep. Extra
	// processes that only serve delivery (and, on MongoDB, requests) may run without them.
	Jobs                bool
	WebhookAllowPrivate bool
	WebhookMaxAttempts  int           // delivery attempts before a delivery is marked failed
	WebhookRetryBase    time.Duration // first retry delay (doubling, full jitter, capped at WebhookRetryCap)
	WebhookRetryCap     time.Duration
	MaxBodyBytes        int64
	// SMTPURL turns notification e-mail on (internal/mail: smtp[s]://user:pass@host:port);
	// SMTPFrom is the sender; AdminURL the admin's address for links in e-mails.
	SMTPURL, SMTPFrom, AdminURL string
	SMTPRetryBase               time.Duration // first delay before an e-mail is retried
	ShutdownTimeout             time.Duration
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{
		Addr: "127.0.0.1:8080", DataDir: "./data", Database: "monograph", SQLiteSynchronous: "normal",
		LogFormat: "auto", LogLevel: "info",
		ReviewIntervalDays: 365,
		CacheMaxAge:        60 * time.Second, StaleWhileRevalidate: 300 * time.Second,
		ChangePoll: time.Second, SchedulerInterval: 5 * time.Second, Jobs: true,
		DeliveryCacheMB: delivery.DefaultHotBytes >> 20, MemoryLimitMB: 128,
		WebhookMaxAttempts: 12, WebhookRetryBase: 2 * time.Second, WebhookRetryCap: time.Hour,
		MaxBodyBytes: 1 << 20, ShutdownTimeout: 15 * time.Second,
	}
}

// BindFlags registers the settings on fs, with defaults taken from the environment
// (getenv) where set, so flags override environment and environment overrides defaults.
func (c *Config) BindFlags(fs *flag.FlagSet, getenv func(string) string) {
	str := func(p *string, name, env, usage string) {
		if v := getenv(env); v != "" {
			*p = v
		}
		fs.StringVar(p, name, *p, usage+" (env "+env+")")
	}
	str(&c.Addr, "addr", "MONOGRAPH_ADDR", "listen address")
	str(&c.DataDir, "data", "MONOGRAPH_DATA_DIR", "data dir of the embedded store and keys")
	str(&c.DeliverySpillDir, "delivery-spill-dir", "MONOGRAPH_DELIVERY_SPILL_DIR", "directory of the unlinked file holding uncompressed live pages beyond --delivery-cache-mb (default: the data dir; off: none, they are inflated)")
	secret := func(p *string, name, env, usage string) {
		if v := getenv(env); v != "" {
			*p = v
		}
		fs.Var(secretURL{p}, name, usage+" (env "+env+")")
	}
	secret(&c.MongoURI, "mongodb-uri", "MONGODB_URI", "MongoDB `URI`; empty = embedded store")
	str(&c.Database, "db", "MONOGRAPH_DB", "database name")
	str(&c.SQLiteSynchronous, "sqlite-synchronous", "MONOGRAPH_SQLITE_SYNCHRONOUS", "embedded store durability: normal (survives a killed process) or full (also an OS crash; one fsync per change)")
	str(&c.KeyFile, "jwt-keys", "MONOGRAPH_JWT_KEYS", "PEM file of Ed25519 signing keys (default <data>/jwt-keys.pem)")
	str(&c.WebhookKeyFile, "webhook-key", "MONOGRAPH_WEBHOOK_KEY_FILE", "key file sealing webhook secrets (default <data>/webhook-secrets.key)")
	str(&c.CasbinModel, "casbin-model", "MONOGRAPH_CASBIN_MODEL", "casbin model file (default: built in)")
	str(&c.CasbinPolicy, "casbin-policy", "MONOGRAPH_CASBIN_POLICY", "casbin policy file (default: built in)")
	str(&c.LogFormat, "log-format", "MONOGRAPH_LOG_FORMAT", "auto, json or text")
	str(&c.LogLevel, "log-level", "MONOGRAPH_LOG_LEVEL", "debug, info, warn or error")
	str(&c.Checks, "checks", "MONOGRAPH_CHECKS", "pre-review check severities, e.g. references_missing=blocker,summary_missing=warning")
	str(&c.Locales, "locales", "MONOGRAPH_LOCALES", "BCP 47 languages pages are published in, the source language first, e.g. en,es,cy (default en; en,es with --demo)")
	str(&c.TrustedProxies, "trusted-proxies", "MONOGRAPH_TRUSTED_PROXIES", "comma-separated proxy addresses or CIDRs whose X-Forwarded-For is believed (default: none)")
	secret(&c.SMTPURL, "smtp-url", "MONOGRAPH_SMTP_URL", "SMTP server of notification e-mail as a `URL`: smtp://user:pass@host:587 (STARTTLS), smtps://… or smtp://host:25?tls=none; empty = no e-mail")
	str(&c.SMTPFrom, "smtp-from", "MONOGRAPH_SMTP_FROM", "sender address of notification e-mail, e.g. \"Monograph <cms@example.org>\"")
	str(&c.AdminURL, "admin-url", "MONOGRAPH_ADMIN_URL", "the web admin's public address, for links in e-mail (default http://<addr>/admin)")
	boolean := func(p *bool, name, env, usage string) {
		if v, err := strconv.ParseBool(getenv(env)); err == nil {
			*p = v
		}
		fs.BoolVar(p, name, *p, usage+" (env "+env+")")
	}
	boolean(&c.Demo, "demo", "MONOGRAPH_DEMO", "create demo users and sample pages on first start (loopback only)")
	boolean(&c.Jobs, "jobs", "MONOGRAPH_JOBS", "run the background jobs (scheduler, review-due notices, audit sweep, webhooks); false for extra delivery processes")
	boolean(&c.WebhookAllowPrivate, "webhook-allow-private", "MONOGRAPH_WEBHOOK_ALLOW_PRIVATE", "let webhooks reach loopback/private addresses (tests and local development only)")
	integer := func(p *int, name, env, usage string) {
		if v, err := strconv.Atoi(getenv(env)); err == nil {
			*p = v
		}
		fs.IntVar(p, name, *p, usage+" (env "+env+")")
	}
	integer(&c.WebhookMaxAttempts, "webhook-max-attempts", "MONOGRAPH_WEBHOOK_MAX_ATTEMPTS", "webhook delivery attempts before giving up")
	integer(&c.DeliveryCacheMB, "delivery-cache-mb", "MONOGRAPH_DELIVERY_CACHE_MB", "MiB of uncompressed pages kept for clients that do not accept gzip (the rest are read from the spill file, see --delivery-spill-dir)")
	integer(&c.MemoryLimitMB, "memory-limit-mb", "MONOGRAPH_MEMORY_LIMIT_MB", "soft heap limit in MiB, raised only when live data needs more (0: none; GOMEMLIMIT overrides)")
	integer(&c.ReviewIntervalDays, "review-interval-days", "MONOGRAPH_REVIEW_INTERVAL_DAYS", "days until a medical review is due again")
	duration := func(p *time.Duration, name, env, usage string) {
		if v, err := time.ParseDuration(getenv(env)); err == nil {
			*p = v
		}
		fs.DurationVar(p, name, *p, usage+" (env "+env+")")
	}
	duration(&c.CacheMaxAge, "cache-max-age", "MONOGRAPH_CACHE_MAX_AGE", "delivery Cache-Control max-age")
	duration(&c.StaleWhileRevalidate, "cache-swr", "MONOGRAPH_CACHE_SWR", "delivery Cache-Control stale-while-revalidate")
	duration(&c.ChangePoll, "change-poll", "MONOGRAPH_CHANGE_POLL", "how often to look for publications by other server processes")
	duration(&c.WebhookRetryBase, "webhook-retry-base", "MONOGRAPH_WEBHOOK_RETRY_BASE", "first webhook retry delay (then doubling, with jitter)")
	duration(&c.WebhookRetryCap, "webhook-retry-cap", "MONOGRAPH_WEBHOOK_RETRY_CAP", "longest delay between webhook retries")
	duration(&c.SMTPRetryBase, "smtp-retry-base", "MONOGRAPH_SMTP_RETRY_BASE", "first delay before a failed notification e-mail is retried (doubling, at most 1h; 8 tries)")
	duration(&c.SchedulerInterval, "scheduler-interval", "MONOGRAPH_SCHEDULER_INTERVAL", "how often scheduled publications are checked")
}

// secretURL is a string flag holding a URL that may carry credentials (a password in its
// user info or query). The flag package prints every flag's default in the usage text (on
// --help and on any mistyped flag), and defaults come from the environment: String shows
// the URL with its password and query replaced, so the usage never prints a secret.
type secretURL struct{ p *string }

func (f secretURL) Set(v string) error { *f.p = v; return nil }

func (f secretURL) String() string {
	if f.p == nil || *f.p == "" {
		return ""
	}
	u, err := url.Parse(*f.p)
	if err != nil {
		return "xxxxx"
	}
	if u.RawQuery != "" {
		u.RawQuery = "xxxxx"
	}
	return u.Redacted()
}

// Validate fails fast, naming the setting, on values that cannot work.
func (c *Config) Validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("--addr %q: %v", c.Addr, err))
	}
	if c.MongoURI == "" && c.DataDir == "" {
		errs = append(errs, errors.New("--data: required for the embedded store (or set MONGODB_URI)"))
	}
	switch c.SQLiteSynchronous {
	case "normal", "full":
	default:
		errs = append(errs, fmt.Errorf("--sqlite-synchronous %q: use normal or full", c.SQLiteSynchronous))
	}
	if c.Demo {
		host, _, _ := net.SplitHostPort(c.Addr)
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			errs = append(errs, fmt.Errorf("--demo: demo users have published passwords, so demo mode listens on loopback only (got --addr %s)", c.Addr))
		}
	}
	for _, p := range c.TrustedProxyList() {
		if net.ParseIP(p) == nil {
			if _, _, err := net.ParseCIDR(p); err != nil {
				errs = append(errs, fmt.Errorf("--trusted-proxies: %q is not an IP address or CIDR", p))
			}
		}
	}
	switch c.LogFormat {
	case "auto", "json", "text":
	default:
		errs = append(errs, fmt.Errorf("--log-format %q: use auto, json or text", c.LogFormat))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("--log-level %q: use debug, info, warn or error", c.LogLevel))
	}
	if c.ReviewIntervalDays < 1 || c.ReviewIntervalDays > 3650 {
		errs = append(errs, fmt.Errorf("--review-interval-days %d: between 1 and 3650", c.ReviewIntervalDays))
	}
	if c.DeliveryCacheMB < 1 || c.DeliveryCacheMB > 1<<20 {
		errs = append(errs, fmt.Errorf("--delivery-cache-mb %d: between 1 and 1048576", c.DeliveryCacheMB))
	}
	if c.MemoryLimitMB != 0 && (c.MemoryLimitMB < 32 || c.MemoryLimitMB > 1<<20) {
		errs = append(errs, fmt.Errorf("--memory-limit-mb %d: 0 (none) or between 32 and 1048576", c.MemoryLimitMB))
	}
	if c.WebhookMaxAttempts < 1 || c.WebhookMaxAttempts > 100 {
		errs = append(errs, fmt.Errorf("--webhook-max-attempts %d: between 1 and 100", c.WebhookMaxAttempts))
	}
	if c.WebhookRetryBase <= 0 || c.WebhookRetryCap < c.WebhookRetryBase {
		errs = append(errs, fmt.Errorf("--webhook-retry-base %v, --webhook-retry-cap %v: positive, and the cap at least the base", c.WebhookRetryBase, c.WebhookRetryCap))
	}
	if _, err := c.CheckSeverities(); err != nil {
		errs = append(errs, err)
	}
	if _, err := locale.Parse(c.Locales); err != nil {
		errs = append(errs, fmt.Errorf("--locales %q: %v", c.Locales, err))
	}
	if err := c.validateSMTP(); err != nil {
		errs = append(errs, err)
	}
	for name, d := range map[string]time.Duration{"--cache-max-age": c.CacheMaxAge, "--cache-swr": c.StaleWhileRevalidate} {
		if d < 0 {
			errs = append(errs, fmt.Errorf("%s: must not be negative", name))
		}
	}
	for name, d := range map[string]time.Duration{"--change-poll": c.ChangePoll, "--scheduler-interval": c.SchedulerInterval} {
		if d < 10*time.Millisecond {
			errs = append(errs, fmt.Errorf("%s %v: at least 10ms", name, d))
		}
	}
	return errors.Join(errs...)
}

// TrustedProxyList returns the trusted proxies as a list.
func (c *Config) TrustedProxyList() []string {
	var out []string
	for _, p := range strings.Split(c.TrustedProxies, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// CheckSeverities returns the default pre-review check severities with the overrides of
// --checks applied.
func (c *Config) CheckSeverities() (map[string]content.Severity, error) {
	sev := content.DefaultCheckSeverities()
	for _, item := range strings.Split(c.Checks, ",") {
		if item = strings.TrimSpace(item); item == "" {
			continue
		}
		id, level, _ := strings.Cut(item, "=")
		if _, known := sev[id]; !known {
			return nil, fmt.Errorf("--checks: unknown check %q (known: %s)", id, strings.Join(content.CheckIDs, ", "))
		}
		switch content.Severity(level) {
		case content.SeverityWarning, content.SeverityBlocker:
			sev[id] = content.Severity(level)
		default:
			return nil, fmt.Errorf("--checks: %s=%q: use warning or blocker", id, level)
		}
	}
	return sev, nil
}

// SpillDir is where delivery keeps its spill file: --delivery-spill-dir, or the data dir;
// empty (none, pages beyond the hot cache are inflated) for "off".
func (c Config) SpillDir() string {
	if c.DeliverySpillDir == "off" {
		return ""
	}
	return cmp.Or(c.DeliverySpillDir, c.DataDir)
}
