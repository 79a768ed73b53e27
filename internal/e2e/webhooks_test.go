package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/app"
	"github.com/monograph-cms/monograph/internal/webhook"
)

const webhooksPath = "/api/v1/manage/webhooks"

// whReceiver is a webhook receiver on 127.0.0.1 that records every request. answer
// decides each response from its number (1-based); it may block until the request's
// context ends (a receiver that hangs).
type whReceiver struct {
	srv    *httptest.Server
	mu     sync.Mutex
	got    []whRequest
	conns  atomic.Int32
	answer func(n int, r *http.Request) int
}

type whRequest struct {
	Body   []byte
	Header http.Header
}

func newWhReceiver(t *testing.T, answer func(n int, r *http.Request) int) *whReceiver {
	t.Helper()
	rc := &whReceiver{answer: answer}
	rc.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got = append(rc.got, whRequest{Body: b, Header: r.Header.Clone()})
		n := len(rc.got)
		rc.mu.Unlock()
		w.WriteHeader(rc.answer(n, r))
	}))
	rc.srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			rc.conns.Add(1)
		}
	}
	rc.srv.Start()
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *whReceiver) requests() []whRequest {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]whRequest(nil), rc.got...)
}

// whDelivery is one entry of GET /webhooks/:id/deliveries.
type whDelivery struct {
	ID            string     `json:"id"`
	EventID       string     `json:"eventId"`
	Event         string     `json:"event"`
	Slug          string     `json:"slug"`
	Revision      int        `json:"revision"`
	Status        string     `json:"status"`
	Attempts      int        `json:"attempts"`
	LastStatus    *int       `json:"lastStatus"`
	LastError     string     `json:"lastError"`
	CreatedAt     time.Time  `json:"createdAt"`
	UpdatedAt     time.Time  `json:"updatedAt"`
	NextAttemptAt *time.Time `json:"nextAttemptAt"`
	DeliveredAt   *time.Time `json:"deliveredAt"`
	AttemptLog    []struct {
		At     time.Time `json:"at"`
		Status int       `json:"status"`
		Error  string    `json:"error"`
	} `json:"attemptLog"`
}

// whRegister registers a webhook as admin and returns its id and secret.
func whRegister(t *testing.T, admin *Client, url string, events ...string) (string, string) {
	t.Helper()
	r := admin.Do(t, "POST", webhooksPath, map[string]any{"url": url, "events": events, "description": "test receiver"})
	MustStatus(t, r, 201)
	var out struct {
		ID     string   `json:"id"`
		URL    string   `json:"url"`
		Events []string `json:"events"`
		Secret string   `json:"secret"`
	}
	r.Decode(t, &out)
	if out.ID == "" || out.URL != url || !strings.HasPrefix(out.Secret, "whsec_") || len(out.Events) != len(events) {
		t.Fatalf("registration answer %s", r)
	}
	return out.ID, out.Secret
}

// whDeliveries returns a webhook's delivery log.
func whDeliveries(t *testing.T, admin *Client, id string) []whDelivery {
	t.Helper()
	r := admin.Do(t, "GET", webhooksPath+"/"+id+"/deliveries", nil)
	MustStatus(t, r, 200)
	var out struct {
		Data []whDelivery `json:"data"`
	}
	r.Decode(t, &out)
	return out.Data
}

// whPayload decodes and checks a delivery body and its signature.
func whPayload(t *testing.T, req whRequest, secret string) webhook.Payload {
	t.Helper()
	if err := webhook.Verify(secret, req.Header.Get("Monograph-Signature"), req.Body, time.Now(), 5*time.Minute); err != nil {
		t.Fatalf("signature of %s: %v", req.Body, err)
	}
	var p webhook.Payload
	if err := json.Unmarshal(req.Body, &p); err != nil {
		t.Fatal(err)
	}
	if req.Header.Get("Content-Type") != "application/json" || req.Header.Get("User-Agent") != "Monograph-Webhooks/1" || req.Header.Get("Monograph-Event-Id") != p.ID {
		t.Fatalf("headers %v", req.Header)
	}
	return p
}

// Issue 7, Must show: publish → a delivery whose signature verifies with the secret; the
// receiver answering 503 first → a retry that succeeds; the delivery log shows both.
func TestWebhookPublishDeliveredSignedAndRetried(t *testing.T) {
	t.Parallel()
	s := MustStart(t, WithConfig(func(c *app.Config) { c.WebhookAllowPrivate = true }))
	tm := signIn(t, s)
	rcv := newWhReceiver(t, func(n int, _ *http.Request) int {
		if n == 1 {
			return http.StatusServiceUnavailable
		}
		return http.StatusNoContent
	})
	id, secret := whRegister(t, tm.admin, rcv.srv.URL+"/hooks/monograph", "page.published")

	// The secret is shown once: never in the list, the webhook, or anywhere after.
	for _, path := range []string{webhooksPath, webhooksPath + "/" + id} {
		r := tm.admin.Do(t, "GET", path, nil)
		MustStatus(t, r, 200)
		if strings.Contains(string(r.Body), secret) || strings.Contains(string(r.Body), "secret\"") {
			t.Fatalf("%s shows the secret: %s", path, r)
		}
	}

	p := tm.published(t, "webhook-page", "Webhook page")

	eventually(t, 20*time.Second, func() error {
		if n := len(rcv.requests()); n < 2 {
			return fmt.Errorf("receiver has %d requests, want 2 (503, then the retry)", n)
		}
		return nil
	})
	reqs := rcv.requests()
	first, second := whPayload(t, reqs[0], secret), whPayload(t, reqs[1], secret)
	if first.ID == "" || first.ID != second.ID {
		t.Fatalf("the retry carries another event id: %q vs %q", first.ID, second.ID)
	}
	if first.Event != "page.published" || first.Slug != "webhook-page" || first.Revision != p.Revision || first.OccurredAt.IsZero() {
		t.Fatalf("payload %+v", first)
	}
	if err := webhook.Verify("whsec_wrong", reqs[1].Header.Get("Monograph-Signature"), reqs[1].Body, time.Now(), 5*time.Minute); err == nil {
		t.Fatal("a wrong secret verifies")
	}

	var log []whDelivery
	eventually(t, 10*time.Second, func() error {
		log = whDeliveries(t, tm.admin, id)
		if len(log) != 1 || log[0].Status != "delivered" {
			return fmt.Errorf("log %+v", log)
		}
		return nil
	})
	d := log[0]
	if d.EventID != first.ID || d.ID != id+"/"+first.ID || d.Attempts != 2 || d.LastStatus == nil || *d.LastStatus != 204 ||
		d.DeliveredAt == nil || d.NextAttemptAt != nil || d.Slug != "webhook-page" || d.Event != "page.published" {
		t.Fatalf("delivery %+v", d)
	}
	if len(d.AttemptLog) != 2 || d.AttemptLog[0].Status != 503 || d.AttemptLog[0].Error == "" || d.AttemptLog[1].Status != 204 {
		t.Fatalf("attempt log %+v", d.AttemptLog)
	}

	// Rotation: the new secret signs from now on; the old one no longer verifies.
	r := tm.admin.Do(t, "POST", webhooksPath+"/"+id+"/rotate-secret", nil)
	MustStatus(t, r, 200)
	var rot struct {
		Secret string `json:"secret"`
	}
	r.Decode(t, &rot)
	if !strings.HasPrefix(rot.Secret, "whsec_") || rot.Secret == secret {
		t.Fatalf("rotate: %s", r)
	}
	tm.editor.MustAction(t, p.ID, "unpublish", map[string]any{"reason": "test"})
	p2 := tm.approvedAgain(t, p)
	tm.editor.MustAction(t, p2.ID, "publish", nil)
	eventually(t, 20*time.Second, func() error {
		if n := len(rcv.requests()); n < 3 {
			return fmt.Errorf("receiver has %d requests, want 3", n)
		}
		return nil
	})
	third := rcv.requests()[2]
	if whPayload(t, third, rot.Secret).ID == first.ID {
		t.Fatal("the second publication reused the event id")
	}
	if err := webhook.Verify(secret, third.Header.Get("Monograph-Signature"), third.Body, time.Now(), 5*time.Minute); err == nil {
		t.Fatal("the old secret still verifies after rotation")
	}
	// The webhook subscribed to page.published only: the unpublish made no delivery.
	if n := len(whDeliveries(t, tm.admin, id)); n != 2 {
		t.Fatalf("%d deliveries, want 2 (two publications)", n)
	}

	// Delete: 204, then 404; the log is gone with it.
	MustStatus(t, tm.admin.Do(t, "DELETE", webhooksPath+"/"+id, nil), 204)
	MustProblem(t, tm.admin.Do(t, "GET", webhooksPath+"/"+id, nil), 404, "not_found", "")
	MustProblem(t, tm.admin.Do(t, "GET", webhooksPath+"/"+id+"/deliveries", nil), 404, "not_found", "")
	MustProblem(t, tm.admin.Do(t, "DELETE", webhooksPath+"/"+id, nil), 404, "not_found", "")
}

// approvedAgain resubmits a page (after an unpublish) and has the reviewer sign it again.
func (tm *team) approvedAgain(tb testing.TB, p Page) Page {
	tb.Helper()
	c := Content("Webhook page, revised")
	cur := tm.writer.Page(tb, p.ID)
	q := tm.writer.MustSave(tb, p.ID, cur.Version, c)
	q = tm.writer.MustAction(tb, q.ID, "submit", nil)
	return tm.reviewer.Approve(tb, q)
}

// Issue 7, Must show: webhooks pointed at link-local, private, IPv4-mapped loopback or a
// name resolving to loopback are refused at registration (400 naming url) without the
// config allowance, and never connected to. The dial-time check is unit-tested in
// internal/webhook (TestGuardControl, TestGuardRefusesBeforeConnecting).
func TestWebhookPrivateDestinationsRefused(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	tm := signIn(t, s)
	rcv := newWhReceiver(t, func(int, *http.Request) int { return 200 })
	_, port, _ := net.SplitHostPort(rcv.srv.Listener.Addr().String())
	for _, url := range []string{
		"http://169.254.169.254/latest/meta-data/",
		"http://10.0.0.1/",
		"http://[::ffff:127.0.0.1]:" + port + "/",
		"http://localhost:" + port + "/",
		"http://127.0.0.1:" + port + "/",
		"http://[::1]:" + port + "/",
		"http://100.64.0.1/",
		"http://[fd00::1]/",
		"http://0.0.0.0:" + port + "/",
	} {
		r := tm.admin.Do(t, "POST", webhooksPath, map[string]any{"url": url, "events": []string{"page.published"}})
		MustProblem(t, r, 400, "invalid", "url")
	}
	for _, bad := range []map[string]any{
		{"url": "ftp://example.com/", "events": []string{"page.published"}},
		{"url": "https://user:pw@example.com/", "events": []string{"page.published"}},
		{"url": "https://example.com/" + strings.Repeat("a", 2050), "events": []string{"page.published"}},
		{"url": "/relative", "events": []string{"page.published"}},
		{"url": map[string]any{"$gt": ""}, "events": []string{"page.published"}},
	} {
		MustProblem(t, tm.admin.Do(t, "POST", webhooksPath, bad), 400, "invalid", "url")
	}
	MustProblem(t, tm.admin.Do(t, "POST", webhooksPath, map[string]any{"url": "http://10.0.0.1/", "events": []string{}}), 400, "invalid", "events")
	MustProblem(t, tm.admin.Do(t, "POST", webhooksPath, map[string]any{"url": "http://10.0.0.1/", "events": []string{"page.deleted"}}), 400, "invalid", "events[0]")
	MustProblem(t, tm.admin.Do(t, "POST", webhooksPath, map[string]any{"url": "http://10.0.0.1/", "events": []string{"page.published"}, "secret": "mine"}), 400, "invalid", "secret")
	// Only admins manage webhooks.
	for _, c := range []*Client{tm.writer, tm.reviewer, tm.editor} {
		MustProblem(t, c.Do(t, "GET", webhooksPath, nil), 403, "forbidden", "")
		MustProblem(t, c.Do(t, "POST", webhooksPath, map[string]any{"url": "https://example.com/", "events": []string{"page.published"}}), 403, "forbidden", "")
	}
	MustProblem(t, s.Anon().Do(t, "GET", webhooksPath, nil), 401, "unauthorized", "")

	r := tm.admin.Do(t, "GET", webhooksPath, nil)
	MustStatus(t, r, 200)
	if !strings.Contains(string(r.Body), `"data":[]`) {
		t.Fatalf("refused webhooks were stored: %s", r)
	}
	time.Sleep(100 * time.Millisecond)
	if n := rcv.conns.Load(); n != 0 {
		t.Fatalf("the loopback receiver saw %d connections", n)
	}
}

// Issue 7, Must show: a kill -9 between the publish and the delivery → the delivery still
// happens after restart, with the same event id. The receiver hangs until the first
// process is dead, so that process cannot have delivered.
func TestWebhookDeliveredAfterKill(t *testing.T) {
	skipOnMongoRun(t)
	t.Parallel()
	var up atomic.Bool
	rcv := newWhReceiver(t, func(_ int, r *http.Request) int {
		if !up.Load() {
			<-r.Context().Done() // hang until the sender goes away
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	})
	dir := t.TempDir()
	p1 := StartProc(t, "--data", dir, "--demo", "--webhook-allow-private")
	s1 := p1.Server(t)
	tm := signIn(t, s1)
	id, secret := whRegister(t, tm.admin, rcv.srv.URL+"/hook", "page.published")
	page := tm.approved(t, "crash-webhook", "Crash webhook")
	tm.editor.MustAction(t, page.ID, "publish", nil) // acknowledged: the event is stored
	p1.Kill()

	up.Store(true)
	p2 := StartProc(t, "--data", dir, "--webhook-allow-private")
	s2 := p2.Server(t)
	admin2 := s2.Login(t, Admin)
	eventually(t, 45*time.Second, func() error {
		log := whDeliveries(t, admin2, id)
		if len(log) != 1 || log[0].Status != "delivered" {
			return fmt.Errorf("delivery log after restart: %+v\n%s", log, p2.Stderr())
		}
		return nil
	})
	reqs := rcv.requests()
	if len(reqs) == 0 {
		t.Fatal("no request reached the receiver")
	}
	pl := whPayload(t, reqs[len(reqs)-1], secret) // the one answered 200, sent by p2
	if pl.Event != "page.published" || pl.Slug != "crash-webhook" || pl.Revision != page.Revision {
		t.Fatalf("payload %+v", pl)
	}
	// Every request, from either process, carries the same event id: receivers dedupe.
	for _, r := range reqs {
		if got := r.Header.Get("Monograph-Event-Id"); got != pl.ID {
			t.Fatalf("event ids differ: %s vs %s", got, pl.ID)
		}
	}
	if log := whDeliveries(t, admin2, id); log[0].EventID != pl.ID || log[0].Attempts < 1 {
		t.Fatalf("log %+v", log[0])
	}
}
