package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/app"
	"github.com/monograph-cms/monograph/internal/mail/smtpsink"
	"github.com/monograph-cms/monograph/internal/notify"
	"github.com/monograph-cms/monograph/internal/storetest"
)

// NotificationJSON is one notification of GET /manage/notifications.
type NotificationJSON struct {
	ID         string     `json:"id"`
	Kind       string     `json:"kind"`
	Text       string     `json:"text"`
	PageID     string     `json:"pageId"`
	Title      string     `json:"title"`
	Comment    string     `json:"comment"`
	ReadAt     *time.Time `json:"readAt"`
	Email      string     `json:"email"`
	EmailError string     `json:"emailError"`
}

type notificationList struct {
	Data   []NotificationJSON `json:"data"`
	Unread int                `json:"unread"`
	Email  bool               `json:"email"`
}

const notificationsPath = "/api/v1/manage/notifications"

func (c *Client) notifications(tb testing.TB, query string) notificationList {
	tb.Helper()
	r := c.Do(tb, "GET", notificationsPath+query, nil)
	MustStatus(tb, r, 200)
	var out notificationList
	r.Decode(tb, &out)
	return out
}

// about returns the caller's notifications of kind about page.
func (c *Client) about(tb testing.TB, pageID, kind string) []NotificationJSON {
	tb.Helper()
	var out []NotificationJSON
	for _, n := range c.notifications(tb, "?limit=100").Data {
		if n.PageID == pageID && n.Kind == kind {
			out = append(out, n)
		}
	}
	return out
}

// eventually retries cond until it holds (the notification job runs every second).
func notifiedEventually(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (c *Client) queue(tb testing.TB, name string) ([]string, bool) {
	tb.Helper()
	r := c.Do(tb, "GET", "/api/v1/manage/queues", nil)
	MustStatus(tb, r, 200)
	var out struct {
		Data []struct {
			Queue string `json:"queue"`
			Pages []Page `json:"pages"`
		} `json:"data"`
	}
	r.Decode(tb, &out)
	for _, q := range out.Data {
		if q.Queue == name {
			ids := []string{}
			for _, p := range q.Pages {
				ids = append(ids, p.ID)
			}
			return ids, true
		}
	}
	return nil, false
}

func containsID(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Issue 15, point 4: a reviewer's request for changes becomes exactly one notification
// for the writer (nobody else), the page is in the writer's "changes requested of me"
// queue, and reading it clears it from the unread count. Without SMTP nothing is mailed.
func TestRequestChangesNotifiesTheWriter(t *testing.T) {
	t.Parallel()
	sink := smtpsink.Start(t) // running, but not configured: it must receive nothing
	s := MustStart(t)
	tm := signIn(t, s)

	p := tm.writer.Create(t, "notified-page", Content("Notified page"))
	p = tm.writer.MustAction(t, p.ID, "submit", map[string]any{"note": "please review"})
	notifiedEventually(t, "the reviewers' review-requested notification", func() bool {
		return len(tm.reviewer.about(t, p.ID, "review_requested")) == 1 && len(tm.reviewer2.about(t, p.ID, "review_requested")) == 1
	})
	awaiting, ok := tm.reviewer.queue(t, "awaiting_review")
	if !ok || !containsID(awaiting, p.ID) {
		t.Fatalf("the reviewer's awaiting-review queue %v lacks the page", awaiting)
	}
	if _, ok := tm.writer.queue(t, "awaiting_review"); ok {
		t.Error("a writer has an awaiting-review queue")
	}

	p = tm.reviewer.MustAction(t, p.ID, "request-changes", map[string]any{"revision": p.Revision, "comment": "cite the dose"})
	notifiedEventually(t, "the writer's changes-requested notification", func() bool {
		return len(tm.writer.about(t, p.ID, "changes_requested")) > 0
	})
	got := tm.writer.about(t, p.ID, "changes_requested")
	if len(got) != 1 {
		t.Fatalf("the writer has %d changes-requested notifications, want exactly 1", len(got))
	}
	n := got[0]
	if n.Comment != "cite the dose" || n.Title != "Notified page" || n.ReadAt != nil || n.Email != "off" || !strings.Contains(n.Text, "requested changes") {
		t.Errorf("notification = %+v", n)
	}
	for name, c := range map[string]*Client{"writer2": tm.writer2, "reviewer": tm.reviewer, "reviewer2": tm.reviewer2, "editor": tm.editor} {
		if l := c.about(t, p.ID, "changes_requested"); len(l) != 0 {
			t.Errorf("%s was told about changes requested of the writer: %+v", name, l)
		}
	}
	// The reviewer's screen may say the writer will see the comment: one notification exists.
	r := tm.reviewer.Do(t, "GET", pagesPath+"/"+p.ID+"/notified?action=request_changes", nil)
	MustStatus(t, r, 200)
	if m := r.JSON(t); m["recorded"] != true || m["recipients"] != float64(1) {
		t.Errorf("notified = %v, want recorded with 1 recipient", m)
	}
	MustProblem(t, tm.reviewer.Do(t, "GET", pagesPath+"/"+p.ID+"/notified?action=dance", nil), 400, "invalid", "action")

	mine, ok := tm.writer.queue(t, "changes_requested")
	if !ok || !containsID(mine, p.ID) {
		t.Fatalf("the writer's changes-requested queue %v lacks the page", mine)
	}
	if theirs, _ := tm.writer2.queue(t, "changes_requested"); containsID(theirs, p.ID) {
		t.Error("writer2, who wrote nothing of the page, has it in changes-requested")
	}

	// Mark read: only one's own; the unread count follows.
	before := tm.writer.notifications(t, "").Unread
	r = tm.writer2.Do(t, "POST", notificationsPath+"/read", map[string]any{"ids": []string{n.ID}})
	MustStatus(t, r, 200)
	if m := r.JSON(t); m["marked"] != float64(0) {
		t.Errorf("writer2 marked the writer's notification: %v", m)
	}
	r = tm.writer.Do(t, "POST", notificationsPath+"/read", map[string]any{"ids": []string{n.ID}})
	MustStatus(t, r, 200)
	if m := r.JSON(t); m["marked"] != float64(1) || m["unread"] != float64(before-1) {
		t.Errorf("mark read = %v, want 1 marked and %d unread", m, before-1)
	}
	for _, u := range tm.writer.notifications(t, "?unread=true&limit=100").Data {
		if u.ID == n.ID {
			t.Error("a read notification is listed as unread")
		}
	}
	MustStatus(t, tm.writer.Do(t, "POST", notificationsPath+"/read", map[string]any{"all": true}), 200)
	if l := tm.writer.notifications(t, ""); l.Unread != 0 || l.Email {
		t.Errorf("after mark all: unread %d, email %v", l.Unread, l.Email)
	}

	// Bad input names the field.
	MustProblem(t, tm.writer.Do(t, "GET", notificationsPath+"?unread=maybe", nil), 400, "invalid", "unread")
	MustProblem(t, tm.writer.Do(t, "GET", notificationsPath+"?cursor=zzz", nil), 400, "invalid", "cursor")
	MustProblem(t, tm.writer.Do(t, "POST", notificationsPath+"/read", map[string]any{"ids": []string{"../x"}}), 400, "invalid", "ids[0]")
	MustProblem(t, tm.writer.Do(t, "POST", notificationsPath+"/read", map[string]any{"ids": []string{n.ID}, "all": true}), 400, "invalid", "ids")
	MustProblem(t, tm.writer.Do(t, "POST", notificationsPath+"/read", map[string]any{}), 400, "invalid", "ids")
	MustStatus(t, tm.writer.Do(t, "POST", notificationsPath+"/read", map[string]any{"everything": true}), 400)

	if m := sink.Messages(); len(m) != 0 {
		t.Errorf("SMTP is not configured, yet the sink received %d messages", len(m))
	}
}

// /notified counts the notifications that were stored, not the people the event would
// notify if it happened now: a reviewer account created after a submission was never
// told of it, and the writer's screen must not count them.
func TestNotifiedCountsTheStoredNotifications(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	tm := signIn(t, s)
	p := tm.writer.Create(t, "counted-page", Content("Counted page"))
	tm.writer.MustAction(t, p.ID, "submit", nil)
	notifiedEventually(t, "the reviewers' review-requested notifications", func() bool {
		return len(tm.reviewer.about(t, p.ID, "review_requested")) == 1 && len(tm.reviewer2.about(t, p.ID, "review_requested")) == 1
	})
	recipients := func() any {
		r := tm.writer.Do(t, "GET", pagesPath+"/"+p.ID+"/notified?action=submit", nil)
		MustStatus(t, r, 200)
		m := r.JSON(t)
		if m["recorded"] != true {
			t.Fatalf("notified = %v, want recorded", m)
		}
		return m["recipients"]
	}
	before := recipients()
	if n, _ := before.(float64); n < 2 {
		t.Fatalf("recipients = %v, want at least the two reviewers", before)
	}
	MustStatus(t, tm.admin.Do(t, "POST", "/api/v1/manage/users", map[string]any{"email": "late-reviewer@example.com",
		"name": "Lee Late", "roles": []string{"reviewer"}, "credentials": "MD"}), 201)
	if after := recipients(); after != before {
		t.Errorf("recipients = %v after a reviewer joined, want the %v notifications stored", after, before)
	}
}

// "My drafts" lists the writer's draft however many newer drafts others wrote (the queue
// once read only the 200 most recently updated pages of the state, then filtered them).
func TestMyDraftsFindsMyPageBehindManyOthers(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	tm := signIn(t, s)
	mine := tm.writer.Create(t, "behind-many", Content("Behind many"))
	ctx := t.Context()
	u, err := s.App.Store.UserByEmail(ctx, Writer2)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 205 {
		if _, err := s.App.Pages.Create(ctx, u.Principal(), fmt.Sprintf("other-draft-%03d", i), storetest.Content(fmt.Sprintf("Other %d", i)), ""); err != nil {
			t.Fatal(err)
		}
	}
	if drafts, ok := tm.writer.queue(t, "my_drafts"); !ok || !containsID(drafts, mine.ID) {
		t.Fatalf("the writer's drafts queue (%d pages) lacks their page behind 205 newer drafts of another writer", len(drafts))
	}
	theirs, _ := tm.writer2.queue(t, "my_drafts")
	if len(theirs) != notify.QueueLimit || containsID(theirs, mine.ID) {
		t.Errorf("writer2's drafts: %d pages (want the first %d), with the writer's: %v", len(theirs), notify.QueueLimit, containsID(theirs, mine.ID))
	}
	r := tm.writer2.Do(t, "GET", "/api/v1/manage/queues", nil)
	MustStatus(t, r, 200)
	var qs struct {
		Data []struct {
			Queue string `json:"queue"`
			More  bool   `json:"more"`
		} `json:"data"`
	}
	r.Decode(t, &qs)
	for _, q := range qs.Data {
		if q.Queue == "my_drafts" && !q.More {
			t.Error("writer2's drafts queue does not say there are more")
		}
	}
}

// A Spanish translation awaiting review is in the queue of the reviewer who reviews in
// Spanish, and not of one who does not (as only the first is notified and may sign it).
func TestAwaitingReviewFollowsTheReviewersLanguages(t *testing.T) {
	t.Parallel()
	_, tm := startTranslations(t)
	src := tm.published(t, "queued-source", "Queued source")
	r := tm.writer.Do(t, "POST", pagesPath+"/"+src.ID+"/translations", map[string]any{"locale": "es", "slug": "fuente-en-cola", "content": Content("Fuente en cola")})
	MustStatus(t, r, 201)
	tr := trDecode(t, r)
	tm.writer.MustAction(t, tr.ID, "submit", nil)
	notifiedEventually(t, "the Spanish reviewer's review-requested notification", func() bool {
		return len(tm.reviewer2.about(t, tr.ID, "review_requested")) == 1
	})
	if l := tm.reviewer.about(t, tr.ID, "review_requested"); len(l) != 0 {
		t.Errorf("the reviewer without Spanish was notified: %+v", l)
	}
	if q, _ := tm.reviewer2.queue(t, "awaiting_review"); !containsID(q, tr.ID) {
		t.Error("the Spanish reviewer's awaiting-review queue lacks the translation")
	}
	if q, _ := tm.reviewer.queue(t, "awaiting_review"); containsID(q, tr.ID) {
		t.Error("the awaiting-review queue of a reviewer without Spanish lists the translation they may not sign")
	}
}

// With SMTP configured the same event is mailed to the writer through a real SMTP
// conversation; a refusal is retried and shown as pending with its error, never as sent.
func TestNotificationEmailWhenSMTPIsConfigured(t *testing.T) {
	t.Parallel()
	sink := smtpsink.Start(t)
	s := MustStart(t, WithConfig(func(c *app.Config) {
		c.SMTPURL, c.SMTPFrom, c.SMTPRetryBase = sink.URL(), "Monograph <cms@example.org>", 200*time.Millisecond
		c.AdminURL = "https://cms.example.org/admin/"
	}))
	tm := signIn(t, s)
	p := tm.writer.Create(t, "mailed-page", Content("Mailed page"))
	p = tm.writer.MustAction(t, p.ID, "submit", nil)

	sink.Refuse(true)
	p = tm.reviewer.MustAction(t, p.ID, "request-changes", map[string]any{"revision": p.Revision, "comment": "cite the dose"})
	notifiedEventually(t, "a refused e-mail shown as pending with its error", func() bool {
		l := tm.writer.about(t, p.ID, "changes_requested")
		return len(l) == 1 && l[0].Email == "pending" && l[0].EmailError != ""
	})
	// The writer learns that the server refused, nothing of the server itself.
	if l := tm.writer.about(t, p.ID, "changes_requested"); l[0].EmailError != "the mail server refused the message" {
		t.Errorf("emailError = %q, want only the kind of failure", l[0].EmailError)
	}
	for _, m := range sink.Messages() {
		if containsID(m.To, Writer) && strings.Contains(m.Subject, "requested changes") {
			t.Fatal("the sink kept a refused message")
		}
	}
	sink.Refuse(false)
	notifiedEventually(t, "the retried e-mail accepted", func() bool {
		l := tm.writer.about(t, p.ID, "changes_requested")
		return len(l) == 1 && l[0].Email == "sent"
	})
	var got []smtpsink.Message
	for _, m := range sink.Messages() {
		if containsID(m.To, Writer) && strings.Contains(m.Subject, "requested changes") {
			got = append(got, m)
		}
	}
	if len(got) != 1 {
		t.Fatalf("the writer got %d changes-requested e-mails, want 1", len(got))
	}
	if body := got[0].Body; !strings.Contains(body, "cite the dose") || !strings.Contains(body, "Open the page: https://cms.example.org/admin/pages/"+p.ID) {
		t.Errorf("the e-mail lacks the comment or the link:\n%s", body)
	}
	if !tm.writer.notifications(t, "").Email {
		t.Error("the list says e-mail is off")
	}
}

// The job is idempotent: restarting the server, or even rewinding its cursor to where it
// started, derives no notification twice.
func TestNotificationJobIsIdempotentAcrossRestarts(t *testing.T) {
	t.Parallel()
	s := MustStart(t)
	start, err := s.App.Store.NotifyCursor(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	tm := signIn(t, s)
	p := tm.writer.Create(t, "restarted-page", Content("Restarted page"))
	p = tm.writer.MustAction(t, p.ID, "submit", nil)
	tm.reviewer.MustAction(t, p.ID, "request-changes", map[string]any{"revision": p.Revision, "comment": "again"})
	notifiedEventually(t, "the notification", func() bool { return len(tm.writer.about(t, p.ID, "changes_requested")) == 1 })
	before := tm.writer.notifications(t, "?limit=100")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s2 := MustStart(t, WithStoreOf(s))
	writer := s2.Login(t, Writer)
	ctx := t.Context()
	cursor, err := s2.App.Store.NotifyCursor(ctx)
	if err != nil || cursor <= start {
		t.Fatalf("cursor after restart = %d, %v", cursor, err)
	}
	// Rewind to before this test's events (as if the cursor were lost) and run the job again.
	if err := s2.App.Store.AdvanceNotifyCursor(ctx, cursor, start); err != nil {
		t.Fatal(err)
	}
	notifiedEventually(t, "the job to catch up again", func() bool {
		c, err := s2.App.Store.NotifyCursor(ctx)
		return err == nil && c >= cursor
	})
	after := writer.notifications(t, "?limit=100")
	if len(after.Data) != len(before.Data) || after.Unread != before.Unread {
		t.Fatalf("after a restart and a rewind: %d notifications (%d unread), before %d (%d unread)",
			len(after.Data), after.Unread, len(before.Data), before.Unread)
	}
	if l := writer.about(t, p.ID, "changes_requested"); len(l) != 1 {
		t.Fatalf("the writer has %d changes-requested notifications after the rewind", len(l))
	}
}
