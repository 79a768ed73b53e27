package e2e

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/app"
	"github.com/monograph-cms/monograph/internal/teststore"
)

// runBinary runs the monograph binary to completion (at most a minute) and returns its exit
// error and output.
func runBinary(tb testing.TB, stdin string, args ...string) (err error, stdout, stderr string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, MustBinary(tb), args...)
	cmd.Env = binaryEnv()
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	if ctx.Err() != nil {
		tb.Fatalf("monograph %v did not finish within a minute\nstdout: %s\nstderr: %s", args, out.String(), errOut.String())
	}
	return err, out.String(), errOut.String()
}

// Proc is a `monograph serve` process.
type Proc struct {
	Cmd    *exec.Cmd
	URL    string
	mu     sync.Mutex
	stderr bytes.Buffer
	done   chan struct{}
}

// Stderr returns what the process wrote to stderr so far.
func (p *Proc) Stderr() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

type lockedWriter struct{ p *Proc }

func (w lockedWriter) Write(b []byte) (int, error) {
	w.p.mu.Lock()
	defer w.p.mu.Unlock()
	return w.p.stderr.Write(b)
}

var servingLine = regexp.MustCompile(`serving on (http://\S+)`)

// StartProc execs `monograph serve` with args and waits until it prints its URL. The
// process is killed when the test ends if it still runs.
func StartProc(tb testing.TB, args ...string) *Proc {
	tb.Helper()
	cmd := exec.Command(MustBinary(tb), append([]string{"serve", "--addr", "127.0.0.1:0", "--log-level", "warn"}, args...)...)
	cmd.Env = binaryEnv()
	p := &Proc{Cmd: cmd, done: make(chan struct{})}
	cmd.Stderr = lockedWriter{p}
	out, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	go func() { _ = cmd.Wait(); close(p.done) }()
	tb.Cleanup(func() { p.Kill() })
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := servingLine.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case urls <- m[1]:
				default:
				}
			}
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	select {
	case p.URL = <-urls:
	case <-p.done:
		tb.Fatalf("monograph serve exited before serving: %v\n%s", cmd.ProcessState, p.Stderr())
	case <-time.After(90 * time.Second):
		tb.Fatalf("monograph serve did not start within 90s\n%s", p.Stderr())
	}
	return p
}

// Kill sends SIGKILL and waits for the process to die.
func (p *Proc) Kill() {
	if p.Cmd.Process != nil {
		_ = p.Cmd.Process.Kill()
	}
	<-p.done
}

// Server returns a Server handle for talking to the process over HTTP.
func (p *Proc) Server(tb testing.TB) *Server {
	return &Server{T: tb, URL: p.URL, Clock: &FakeClock{}, HTTP: &http.Client{Timeout: 30 * time.Second}}
}

// embeddedOnly forces the embedded store: these tests are about its data dir.
func embeddedOnly(c *app.Config) { c.MongoURI = "" }

// skipOnMongoRun skips a test that runs on the embedded store whichever store the run is
// for (the binary on a data dir, an in-process server forced to embeddedOnly): on the
// MongoDB adapter's run it would repeat the embedded store's run step for step, and make
// test runs the end-to-end tests on both.
func skipOnMongoRun(tb testing.TB) {
	tb.Helper()
	if teststore.Mongo() {
		tb.Skip("runs on the embedded store only: covered by the SQLite run")
	}
}

// Issue 2, Must show: a second `serve` (or `users add`) on a data dir in use → clear error,
// non-zero exit, the first server unaffected.
func TestSecondProcessOnDataDirInUse(t *testing.T) {
	t.Parallel()
	s := MustStart(t, WithConfig(embeddedOnly))
	w := s.Login(t, Writer)
	p := w.Create(t, "lock-test", Content("Lock test"))

	check := func(what string, err error, stderr string) {
		t.Helper()
		if err == nil {
			t.Fatalf("%s on a data dir in use exited 0\n%s", what, stderr)
		}
		if !strings.Contains(stderr, "in use by another Monograph process") || !strings.Contains(stderr, s.DataDir) {
			t.Fatalf("%s: unclear message: %s", what, stderr)
		}
	}
	err, _, stderr := runBinary(t, "", "serve", "--addr", "127.0.0.1:0", "--data", s.DataDir)
	check("serve", err, stderr)
	err, _, stderr = runBinary(t, "a-long-enough-password\n", "users", "add", "--data", s.DataDir,
		"--email", "late@example.com", "--name", "Late Comer", "--roles", "writer")
	check("users add", err, stderr)

	// The first server carries on: ready, logins, reads and writes.
	MustStatus(t, s.Anon().Do(t, "GET", "/readyz", nil), 200)
	w2 := s.Login(t, Writer2)
	got := w2.Page(t, p.ID)
	if got.Version != p.Version || got.Content["title"] != "Lock test" {
		t.Fatalf("page changed: %+v", got)
	}
	w2.MustSave(t, p.ID, got.Version, Content("Lock test, saved after"))
	if r := s.Anon().Do(t, "POST", "/api/v1/auth/login", map[string]string{"email": "late@example.com", "password": "a-long-enough-password"}); r.Status != 401 {
		t.Fatalf("the refused users add created a user: %s", r)
	}
}

// Issue 2: `monograph users add` reads the password from stdin; the user can then log in on
// `serve` over the same data dir.
func TestUsersAddFromStdin(t *testing.T) {
	skipOnMongoRun(t)
	t.Parallel()
	dir := t.TempDir()
	add := func(stdin string, args ...string) (error, string, string) {
		return runBinary(t, stdin, append([]string{"users", "add", "--data", dir}, args...)...)
	}
	err, out, stderr := add("correct horse battery\n", "--email", "Nina@Example.com", "--name", "Nina Nurse",
		"--roles", "writer,reviewer", "--credentials", "RN")
	if err != nil || !strings.Contains(out, "created user nina@example.com") {
		t.Fatalf("users add: %v\n%s\n%s", err, out, stderr)
	}
	// A short password, a taken email and a bad role are refused with the reason.
	err, _, stderr = add("short\n", "--email", "x@example.com", "--name", "X", "--roles", "writer")
	if err == nil || !strings.Contains(stderr, "password") {
		t.Fatalf("short password: %v %s", err, stderr)
	}
	err, _, stderr = add("another long password\n", "--email", "nina@example.com", "--name", "Nina Two", "--roles", "writer")
	if err == nil || !strings.Contains(stderr, "email") {
		t.Fatalf("taken email: %v %s", err, stderr)
	}
	err, _, stderr = add("another long password\n", "--email", "y@example.com", "--name", "Y", "--roles", "superuser")
	if err == nil || !strings.Contains(stderr, "roles") {
		t.Fatalf("bad role: %v %s", err, stderr)
	}

	s := MustStart(t, WithDataDir(dir), WithoutDemo(), WithConfig(func(c *app.Config) { c.MongoURI = ""; c.Database = "monograph" }))
	n := s.LoginWith(t, "nina@example.com", "correct horse battery")
	me := n.Do(t, "GET", "/api/v1/auth/me", nil)
	MustStatus(t, me, 200)
	var u User
	me.Decode(t, &u)
	if u.Name != "Nina Nurse" || u.Credentials != "RN" || strings.Join(u.Roles, ",") != "writer,reviewer" {
		t.Fatalf("user: %s", me.Body)
	}
}

// auditVerifyAvailable reports whether the binary implements `audit verify` yet.
func auditVerifyAvailable(tb testing.TB) bool {
	err, out, stderr := runBinary(tb, "", "audit", "verify", "--data", tb.TempDir())
	if err != nil && strings.Contains(stderr, "not implemented") {
		return false
	}
	if err != nil {
		tb.Logf("audit verify on an empty data dir: %v\n%s%s", err, out, stderr)
	}
	return true
}

// Issue 4, Must show: `monograph audit verify` walks every chain and exits non-zero naming
// the first broken link; a stored event altered through the driver is caught.
func TestAuditVerifyCatchesAlteredEvent(t *testing.T) {
	skipOnMongoRun(t)
	t.Parallel()
	if !auditVerifyAvailable(t) {
		t.Skip("`monograph audit verify` is not implemented yet")
	}
	s := MustStart(t, WithConfig(embeddedOnly))
	w := s.Login(t, Writer)
	p := w.Create(t, "verify-me", Content("Verify me"))
	c := Content("Verify me, edited")
	p = w.MustSave(t, p.ID, p.Version, c)
	p = w.MustAction(t, p.ID, "submit", nil)
	db := s.App.Config.Database
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	err, out, stderr := runBinary(t, "", "audit", "verify", "--data", s.DataDir, "--db", db)
	if err != nil {
		t.Fatalf("audit verify on an intact store: %v\n%s%s", err, out, stderr)
	}

	// Alter event 2 (the save) in the database file, as someone with access to it could.
	MustTamperSQL(t, s.DataDir, `UPDATE audit SET actor_name = 'Mallory' WHERE page_id = ? AND seq = 2`, p.ID)

	err, out, stderr = runBinary(t, "", "audit", "verify", "--data", s.DataDir, "--db", db)
	all := out + stderr
	if err == nil {
		t.Fatalf("audit verify exited 0 on an altered event:\n%s", all)
	}
	if !regexp.MustCompile(`page ` + p.ID + `\b.*\b(event|seq) 2\b`).MatchString(all) {
		t.Fatalf("audit verify does not name page %s and event 2:\n%s", p.ID, all)
	}
}
