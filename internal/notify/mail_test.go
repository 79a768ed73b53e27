package notify_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/monograph-cms/monograph/internal/mail"
	"github.com/monograph-cms/monograph/internal/mail/smtpsink"
	"github.com/monograph-cms/monograph/internal/notify"
	"github.com/monograph-cms/monograph/internal/sqlitestore"
	"github.com/monograph-cms/monograph/internal/storetest"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// An e-mail the SMTP server keeps refusing is retried with a growing delay, then marked
// failed with the server's answer: it is never reported sent, and nothing reaches the
// server. The embedded store and a real SMTP conversation, no stand-ins.
func TestRefusedMailIsRetriedThenFailedNeverSent(t *testing.T) {
	ctx := context.Background()
	store, err := sqlitestore.Open(ctx, sqlitestore.Config{DataDir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close(ctx) })
	sink := smtpsink.Start(t)
	sink.Refuse(true)
	sender, err := mail.New(mail.Config{URL: sink.URL(), From: "cms@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{t: storetest.At(0)}
	u := storetest.User("ann@example.org", c.Now())
	if err := store.InsertUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	svc := notify.New(notify.Config{MailAttempts: 3, MailRetryBase: time.Minute}, store, store, store, sender, c, slog.New(slog.DiscardHandler))
	n := storetest.Notification("ann@example.org", "ketamine", 1, notify.KindChangesRequested, c.Now())
	n.UserID = u.ID
	now := c.Now()
	n.Mail = notify.Mail{State: notify.MailPending, NextAt: &now}
	if err := store.InsertNotifications(ctx, []notify.Notification{n}); err != nil {
		t.Fatal(err)
	}
	mailOf := func() notify.Mail {
		list, err := store.Notifications(ctx, notify.Filter{UserID: u.ID})
		if err != nil || len(list) != 1 {
			t.Fatalf("Notifications: %v, %v", list, err)
		}
		return list[0].Mail
	}
	for try, delay := range []time.Duration{time.Minute, 2 * time.Minute} {
		if sent, err := svc.SendDue(ctx); err != nil || sent != 0 {
			t.Fatalf("try %d: sent %d, %v", try+1, sent, err)
		}
		m := mailOf()
		if m.State != notify.MailPending || m.Attempts != try+1 || m.Error == "" || m.NextAt == nil || !m.NextAt.Equal(c.Now().Add(delay)) {
			t.Fatalf("after try %d: %+v, want pending, retried in %v", try+1, m, delay)
		}
		// Not due before its delay.
		if sent, _ := svc.SendDue(ctx); sent != 0 || mailOf().Attempts != try+1 {
			t.Fatalf("try %d was retried before its delay", try+1)
		}
		c.Advance(delay)
	}
	if _, err := svc.SendDue(ctx); err != nil {
		t.Fatal(err)
	}
	m := mailOf()
	if m.State != notify.MailFailed || m.Attempts != 3 || m.SentAt != nil || !strings.Contains(m.Error, "451") {
		t.Fatalf("after the last try: %+v, want failed with the server's 451", m)
	}
	c.Advance(24 * time.Hour)
	if sent, _ := svc.SendDue(ctx); sent != 0 || mailOf().Attempts != 3 {
		t.Fatal("a failed e-mail was tried again")
	}
	if len(sink.Messages()) != 0 {
		t.Fatal("the sink kept a refused message")
	}
}
