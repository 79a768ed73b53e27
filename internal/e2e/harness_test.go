// Package e2e holds Monograph's end-to-end tests: each boots the real server (app.Open,
// SeedDemo, Serve) on 127.0.0.1:0 over the real embedded store (or the MongoDB at
// MONGODB_URI), and talks to it over HTTP only, as a website or the web admin would. Tests
// that need a separate process (the data-dir lock, kill -9, the CLI) exec the monograph
// binary that TestMain builds.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/app"
	"github.com/monograph-cms/monograph/internal/auth"
	"github.com/monograph-cms/monograph/internal/teststore"
)

// binDir holds the monograph binary built for the tests that exec it.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "monograph-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	binDir = dir
	code := teststore.Main(m)
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

var (
	buildOnce sync.Once
	buildErr  error
)

// MustBinary builds cmd/monograph once per test run (only when a test needs it) and returns
// its path.
func MustBinary(tb testing.TB) string {
	tb.Helper()
	path := filepath.Join(binDir, "monograph")
	buildOnce.Do(func() {
		_, file, _, _ := runtime.Caller(0)
		root := filepath.Join(filepath.Dir(file), "..", "..")
		// nomsgpack as the Makefile builds it (gin's MessagePack codec is not used).
		cmd := exec.Command("go", "build", "-tags", "nomsgpack", "-o", path, "./cmd/monograph")
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		tb.Fatal(buildErr)
	}
	return path
}

// binaryEnv is the environment for exec'd binaries: the test's own, minus anything that
// would point the binary elsewhere than the flags say.
func binaryEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "MONGODB_URI=") || strings.HasPrefix(kv, "MONOGRAPH_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// FakeClock is the real clock plus an offset that tests advance (review dates, schedules,
// token expiry) without sleeping. Like cms.SystemClock it answers UTC milliseconds.
type FakeClock struct {
	mu     sync.Mutex
	offset time.Duration
}

// Now returns the shifted time.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	d := c.offset
	c.mu.Unlock()
	return time.Now().UTC().Add(d).Truncate(time.Millisecond)
}

// Advance moves the clock forward by d.
func (c *FakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

var (
	hasherOnce sync.Once
	hasher     *auth.Hasher
)

// cheapHasher returns argon2id with the smallest parameters NewHasher accepts: the tests
// exercise the logic, not the cost.
func cheapHasher(tb testing.TB) *auth.Hasher {
	hasherOnce.Do(func() {
		h, err := auth.NewHasher(auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32})
		if err != nil {
			panic(err)
		}
		hasher = h
	})
	return hasher
}

// startConfig is what MustStart is asked for.
type startConfig struct {
	dataDir  string
	database string
	noSeed   bool
	tweak    func(*app.Config)
}

// StartOption changes how MustStart boots the server.
type StartOption func(*startConfig)

// WithDataDir boots on an existing data dir instead of a fresh one.
func WithDataDir(dir string) StartOption { return func(c *startConfig) { c.dataDir = dir } }

// WithStoreOf boots on the store of an earlier server of this test (closed first): its
// data dir, and on the MongoDB adapter its database, so a test can restart the server.
func WithStoreOf(prev *Server) StartOption {
	return func(c *startConfig) { c.dataDir, c.database = prev.DataDir, prev.Database }
}

// WithoutDemo skips the demo users and sample page.
func WithoutDemo() StartOption { return func(c *startConfig) { c.noSeed = true } }

// WithConfig edits the configuration before the server opens.
func WithConfig(f func(*app.Config)) StartOption { return func(c *startConfig) { c.tweak = f } }

// Server is one running Monograph server for one test.
type Server struct {
	T       testing.TB
	App     *app.App
	URL     string
	Clock   *FakeClock
	DataDir string
	// Database is the MongoDB database the server used (unused on the embedded store).
	Database string
	HTTP     *http.Client

	closeOnce sync.Once
	closeErr  error
}

// MustStart boots the app on 127.0.0.1:0 with a fresh data dir (or, with MONGODB_URI set, a
// database named from the test), demo users and the sample page seeded, cheap password
// hashing, a fake clock, and a background scheduler slow enough that tests drive
// RunScheduled themselves. The server is closed when the test ends.
func MustStart(tb testing.TB, opts ...StartOption) *Server {
	tb.Helper()
	sc := startConfig{}
	for _, o := range opts {
		o(&sc)
	}
	if sc.dataDir == "" {
		sc.dataDir = tb.TempDir()
	}
	cfg := app.DefaultConfig()
	cfg.Addr = "127.0.0.1:0"
	cfg.DataDir = sc.dataDir
	cfg.MongoURI = os.Getenv("MONGODB_URI")
	cfg.Database = sc.database
	if cfg.Database == "" {
		cfg.Database = teststore.DatabaseName(tb.Name())
	}
	cfg.LogLevel = "error"
	cfg.SchedulerInterval = time.Hour
	cfg.ShutdownTimeout = 5 * time.Second
	if sc.tweak != nil {
		sc.tweak(&cfg)
	}
	clock := &FakeClock{}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if os.Getenv("E2E_LOG") != "" {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	ctx := context.Background()
	a, err := app.Open(ctx, cfg, app.Options{Clock: clock, Logger: logger, Hasher: cheapHasher(tb)})
	if err != nil {
		tb.Fatalf("app.Open: %v", err)
	}
	s := &Server{T: tb, App: a, Clock: clock, DataDir: sc.dataDir, Database: cfg.Database,
		HTTP: &http.Client{Timeout: 60 * time.Second}}
	tb.Cleanup(func() { _ = s.Close() })
	if !sc.noSeed {
		if err := a.SeedDemo(ctx); err != nil {
			tb.Fatalf("SeedDemo: %v", err)
		}
	}
	if err := a.Serve(ctx); err != nil {
		tb.Fatalf("Serve: %v", err)
	}
	s.URL = a.URL()
	return s
}

// Close shuts the server down (once; later calls return the first result).
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		s.closeErr = s.App.Close(ctx)
	})
	return s.closeErr
}

// Demo users' emails.
const (
	Admin     = "admin@example.com"
	Writer    = "writer@example.com"
	Writer2   = "writer2@example.com"
	Reviewer  = "reviewer@example.com"
	Reviewer2 = "reviewer2@example.com"
	Editor    = "editor@example.com"
)

// Client makes requests as one user (or anonymously).
type Client struct {
	S            *Server
	Email        string
	Token        string
	RefreshToken string
	User         User
}

// User is the user JSON.
type User struct {
	ID          string   `json:"id"`
	Email       string   `json:"email"`
	Name        string   `json:"name"`
	Roles       []string `json:"roles"`
	Credentials string   `json:"credentials"`
	Disabled    bool     `json:"disabled"`
}

// Anon returns a client without credentials.
func (s *Server) Anon() *Client { return &Client{S: s} }

// Login signs in with the demo password.
func (s *Server) Login(tb testing.TB, email string) *Client {
	tb.Helper()
	return s.LoginWith(tb, email, app.DemoPassword)
}

// LoginWith signs in and fails the test unless it works.
func (s *Server) LoginWith(tb testing.TB, email, password string) *Client {
	tb.Helper()
	r := s.Anon().Do(tb, "POST", "/api/v1/auth/login", map[string]string{"email": email, "password": password})
	if r.Status != 200 {
		tb.Fatalf("login %s: %d %s", email, r.Status, r.Body)
	}
	var sess struct {
		AccessToken  string `json:"accessToken"`
		RefreshToken string `json:"refreshToken"`
		ExpiresIn    int    `json:"expiresIn"`
		User         User   `json:"user"`
	}
	r.Decode(tb, &sess)
	if sess.AccessToken == "" || sess.RefreshToken == "" || sess.ExpiresIn <= 0 || sess.ExpiresIn > 901 {
		tb.Fatalf("login %s: bad session %s", email, r.Body)
	}
	return &Client{S: s, Email: email, Token: sess.AccessToken, RefreshToken: sess.RefreshToken, User: sess.User}
}

// WithToken returns a client that sends token as its bearer token.
func (c *Client) WithToken(token string) *Client {
	d := *c
	d.Token = token
	return &d
}

// Resp is a finished response.
type Resp struct {
	Method, Path string
	Status       int
	Header       http.Header
	Body         []byte
}

func (r *Resp) String() string {
	body := r.Body
	if len(body) > 2000 {
		body = append(body[:2000:2000], "…"...)
	}
	return fmt.Sprintf("%s %s → %d %s", r.Method, r.Path, r.Status, body)
}

// Decode decodes the body into v.
func (r *Resp) Decode(tb testing.TB, v any) {
	tb.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		tb.Fatalf("%s: decode body: %v", r, err)
	}
}

// JSON returns the body as a generic object.
func (r *Resp) JSON(tb testing.TB) map[string]any {
	tb.Helper()
	var m map[string]any
	r.Decode(tb, &m)
	return m
}

// Raw is a request body sent as is (with Content-Type application/json unless a header
// says otherwise).
type Raw []byte

// Try sends a request; safe from any goroutine. body: nil (none), Raw, or a value encoded
// as JSON. hdr are header name/value pairs.
func (c *Client) Try(method, path string, body any, hdr ...string) (*Resp, error) {
	var rd io.Reader
	var hasBody bool
	switch b := body.(type) {
	case nil:
	case Raw:
		rd, hasBody = bytes.NewReader(b), true
	default:
		enc, err := json.Marshal(b)
		if err != nil {
			return nil, err
		}
		rd, hasBody = bytes.NewReader(enc), true
	}
	req, err := http.NewRequest(method, c.S.URL+path, rd)
	if err != nil {
		return nil, err
	}
	if hasBody {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == "" {
			req.Header.Del(hdr[i])
		} else {
			req.Header.Set(hdr[i], hdr[i+1])
		}
	}
	res, err := c.S.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	return &Resp{Method: method, Path: path, Status: res.StatusCode, Header: res.Header, Body: b}, nil
}

// Do is Try that fails the test on a transport error.
func (c *Client) Do(tb testing.TB, method, path string, body any, hdr ...string) *Resp {
	tb.Helper()
	r, err := c.Try(method, path, body, hdr...)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	return r
}

// MustStatus fails the test unless the response has the status.
func MustStatus(tb testing.TB, r *Resp, status int) {
	tb.Helper()
	if r.Status != status {
		tb.Fatalf("want %d, got %s", status, r)
	}
}

// Problem is an RFC 9457 problem document with Monograph's members.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Code   string `json:"code"`
	Errors []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
	CurrentVersion int `json:"currentVersion"`
}

// MustProblem checks that r is a problem+json answer with the status and code and, when
// field is not empty, an error naming exactly that field.
func MustProblem(tb testing.TB, r *Resp, status int, code, field string) Problem {
	tb.Helper()
	if r.Status != status {
		tb.Fatalf("want %d %s, got %s", status, code, r)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		tb.Fatalf("want application/problem+json, got %q: %s", ct, r)
	}
	var p Problem
	r.Decode(tb, &p)
	if p.Status != status || p.Code != code || p.Type == "" || p.Title == "" {
		tb.Fatalf("want problem status %d code %q, got %s", status, code, r)
	}
	if field != "" {
		found := false
		for _, e := range p.Errors {
			if e.Field == field {
				found = true
			}
		}
		if !found {
			tb.Fatalf("want an error naming field %q, got %s", field, r)
		}
	}
	return p
}

// Signer is a person in a signature or publication record.
type Signer struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Credentials string `json:"credentials"`
}

// Approval is the page JSON's approval.
type Approval struct {
	Revision      int       `json:"revision"`
	ContentHash   string    `json:"contentHash"`
	Reviewer      Signer    `json:"reviewer"`
	SignedAt      time.Time `json:"signedAt"`
	Meaning       string    `json:"meaning"`
	Comment       string    `json:"comment"`
	NextReviewDue time.Time `json:"nextReviewDue"`
}

// Live is the page JSON's live.
type Live struct {
	Revision    int       `json:"revision"`
	PublishedAt time.Time `json:"publishedAt"`
	PublishedBy Signer    `json:"publishedBy"`
	ContentHash string    `json:"contentHash"`
}

// Page is the page JSON.
type Page struct {
	ID          string         `json:"id"`
	Slug        string         `json:"slug"`
	State       string         `json:"state"`
	Version     int            `json:"version"`
	Revision    int            `json:"revision"`
	Content     map[string]any `json:"content"`
	ContentHash string         `json:"contentHash"`
	Approval    *Approval      `json:"approval"`
	Live        *Live          `json:"live"`
	ScheduledAt *time.Time     `json:"scheduledAt"`
	Unpublished *struct {
		Revision int    `json:"revision"`
		Reason   string `json:"reason"`
	} `json:"unpublished"`
	CreatedBy struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"createdBy"`
}

// RevisionSummary is one entry of GET /pages/:id/revisions.
type RevisionSummary struct {
	Number      int       `json:"number"`
	Author      Signer    `json:"author"`
	CreatedAt   time.Time `json:"createdAt"`
	ContentHash string    `json:"contentHash"`
	Note        string    `json:"note"`
}

// AuditEvent is one event of GET /pages/:id/audit.
type AuditEvent struct {
	Seq        int             `json:"seq"`
	At         time.Time       `json:"at"`
	Actor      string          `json:"actor"`
	ActorName  string          `json:"actorName"`
	Action     string          `json:"action"`
	PageID     string          `json:"pageId"`
	Revision   int             `json:"revision"`
	Data       json.RawMessage `json:"data"`
	PrevHash   string          `json:"prevHash"`
	Hash       string          `json:"hash"`
	ActorRoles []string        `json:"actorRoles"`
	RequestID  string          `json:"requestId"`
}

// DataMap returns the event's data as a map.
func (e AuditEvent) DataMap() map[string]any {
	var m map[string]any
	_ = json.Unmarshal(e.Data, &m)
	return m
}

const pagesPath = "/api/v1/manage/pages"

// PageAt returns the page with this id; it fails the test unless that is a 200.
func (c *Client) Page(tb testing.TB, id string) Page {
	tb.Helper()
	r := c.Do(tb, "GET", pagesPath+"/"+id, nil)
	MustStatus(tb, r, 200)
	var p Page
	r.Decode(tb, &p)
	if etag := r.Header.Get("ETag"); etag != `"`+strconv.Itoa(p.Version)+`"` {
		tb.Fatalf("ETag %q does not match version %d", etag, p.Version)
	}
	return p
}

// Create creates a page and fails the test unless that is a 201.
func (c *Client) Create(tb testing.TB, slug string, content map[string]any) Page {
	tb.Helper()
	r := c.Do(tb, "POST", pagesPath, map[string]any{"slug": slug, "content": content})
	MustStatus(tb, r, 201)
	var p Page
	r.Decode(tb, &p)
	return p
}

// Save saves content on version and returns the response.
func (c *Client) Save(tb testing.TB, id string, version int, content any) *Resp {
	tb.Helper()
	return c.Do(tb, "PUT", pagesPath+"/"+id+"/content", content, "If-Match", `"`+strconv.Itoa(version)+`"`)
}

// MustSave saves and fails the test unless that is a 200.
func (c *Client) MustSave(tb testing.TB, id string, version int, content any) Page {
	tb.Helper()
	r := c.Save(tb, id, version, content)
	MustStatus(tb, r, 200)
	var p Page
	r.Decode(tb, &p)
	return p
}

// Action posts a workflow action and returns the response.
func (c *Client) Action(tb testing.TB, id, action string, body any) *Resp {
	tb.Helper()
	return c.Do(tb, "POST", pagesPath+"/"+id+"/"+action, body)
}

// MustAction posts a workflow action and fails the test unless that is a 200.
func (c *Client) MustAction(tb testing.TB, id, action string, body any) Page {
	tb.Helper()
	r := c.Action(tb, id, action, body)
	MustStatus(tb, r, 200)
	var p Page
	r.Decode(tb, &p)
	return p
}

// Revisions lists a page's revisions.
func (c *Client) Revisions(tb testing.TB, id string) []RevisionSummary {
	tb.Helper()
	r := c.Do(tb, "GET", pagesPath+"/"+id+"/revisions", nil)
	MustStatus(tb, r, 200)
	var out struct {
		Data []RevisionSummary `json:"data"`
	}
	r.Decode(tb, &out)
	return out.Data
}

// Audit lists a page's audit chain.
func (c *Client) Audit(tb testing.TB, id string) []AuditEvent {
	tb.Helper()
	r := c.Do(tb, "GET", pagesPath+"/"+id+"/audit", nil)
	MustStatus(tb, r, 200)
	var out struct {
		Data []AuditEvent `json:"data"`
	}
	r.Decode(tb, &out)
	return out.Data
}

// Approve signs the page's current revision with the demo password.
func (c *Client) Approve(tb testing.TB, p Page) Page {
	tb.Helper()
	return c.MustAction(tb, p.ID, "approve", map[string]any{"revision": p.Revision, "password": app.DemoPassword, "comment": "ok"})
}

// Delivery reports whether the public delivery routes are wired in (another part of the
// project adds them): a GET of the list answers something other than the no-such-route 404.
func (s *Server) Delivery(tb testing.TB) bool {
	tb.Helper()
	r := s.Anon().Do(tb, "GET", "/api/v1/pages", nil)
	return !(r.Status == 404 && bytes.Contains(r.Body, []byte("no such route")))
}

// Content returns valid page content that passes every blocking pre-review check; title
// makes it distinct.
func Content(title string) map[string]any {
	return map[string]any{
		"title":   title,
		"summary": "A test page about " + title + ".",
		"drug": map[string]any{
			"name": "Testamine", "genericName": "testamine hydrochloride",
			"brandNames": []string{"Testalar"}, "drugClasses": []string{"Test class"},
			"controlledStatus": []any{},
		},
		"sections": []any{
			map[string]any{"key": "overview", "title": "What is it?", "body": "First line.\nSecond line about " + title + ".\nThird line."},
			map[string]any{"key": "side_effects", "title": "Side effects", "body": "Nausea."},
		},
		"clinicalUses": []any{
			map[string]any{"name": "Testing", "description": "Used in *tests*.", "status": "approved"},
		},
		"routes":          []string{"oral"},
		"sideEffects":     map[string]any{"common": []string{"nausea"}, "serious": []string{}},
		"patientGuidance": []string{"Ask a clinician."},
		"references": []any{
			map[string]any{"title": "A study", "url": "https://example.org/study", "publisher": "Journal", "year": 2020},
		},
		"disclaimer": "For education only.",
		"tags":       []string{"test"},
	}
}

// clone deep-copies JSON-shaped content so a test can change one field.
func clone(m map[string]any) map[string]any {
	b, _ := json.Marshal(m)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return out
}

// eventually polls f until it returns nil or the timeout passes.
func eventually(tb testing.TB, timeout time.Duration, f func() error) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// jsonDecode is json.Unmarshal, for goroutines that cannot fail the test.
func jsonDecode(b []byte, v any) error { return json.Unmarshal(b, v) }
