package notify_test

import (
	"context"
	"log/slog"
	"net"
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
// failed as refused: it is never reported sent, and nothing reaches the
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
		if m.State != notify.MailPending || m.Attempts != try+1 || m.Error != notify.MailRefused || m.NextAt == nil || !m.NextAt.Equal(c.Now().Add(delay)) {
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
	// The recipient is told what kind of failure it was, nothing of the server (its address,
	// account or answer: those are in the server's log).
	if m.State != notify.MailFailed || m.Attempts != 3 || m.SentAt != nil || m.Error != notify.MailRefused {
		t.Fatalf("after the last try: %+v, want failed with %q", m, notify.MailRefused)
	}
	c.Advance(24 * time.Hour)
	if sent, _ := svc.SendDue(ctx); sent != 0 || mailOf().Attempts != 3 {
		t.Fatal("a failed e-mail was tried again")
	}
	if len(sink.Messages()) != 0 {
		t.Fatal("the sink kept a refused message")
	}
}

// A server that cannot be reached is one generic sentence to the recipient: the SMTP
// account and host of the configuration stay out of every notification.
func TestUnreachableMailServerIsNamedWithoutItsAddress(t *testing.T) {
	ctx := context.Background()
	store, err := sqlitestore.Open(ctx, sqlitestore.Config{DataDir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close(ctx) })
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close() // nothing listens there now
	sender, err := mail.New(mail.Config{URL: "smtp://mailuser:s3cret-pass@" + addr + "?tls=none", From: "cms@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{t: storetest.At(0)}
	u := storetest.User("ann@example.org", c.Now())
	if err := store.InsertUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	svc := notify.New(notify.Config{}, store, store, store, sender, c, slog.New(slog.DiscardHandler))
	n := storetest.Notification("ann@example.org", "ketamine", 1, notify.KindChangesRequested, c.Now())
	n.UserID = u.ID
	now := c.Now()
	n.Mail = notify.Mail{State: notify.MailPending, NextAt: &now}
	if err := store.InsertNotifications(ctx, []notify.Notification{n}); err != nil {
		t.Fatal(err)
	}
	if sent, err := svc.SendDue(ctx); err != nil || sent != 0 {
		t.Fatalf("sent %d, %v", sent, err)
	}
	list, err := store.Notifications(ctx, notify.Filter{UserID: u.ID})
	if err != nil || len(list) != 1 {
		t.Fatalf("Notifications: %v, %v", list, err)
	}
	if m := list[0].Mail; m.State != notify.MailPending || m.Error != notify.MailUnreachable {
		t.Fatalf("mail %+v, want pending with %q", m, notify.MailUnreachable)
	}
}

// A record stored by an older release kept the server's words (its URL with the account
// name, its reply): recipients get the generic sentence instead.
func TestPublicMailErrorHidesStoredServerDetails(t *testing.T) {
	for stored, want := range map[string]string{
		"": "", notify.MailRefused: notify.MailRefused, notify.MailUnreachable: notify.MailUnreachable,
		"smtp smtp://mailuser@mail.example.org:587: 451 try later": notify.MailNotSent,
	} {
		if got := notify.PublicMailError(stored); got != want {
			t.Errorf("PublicMailError(%q) = %q, want %q", stored, got, want)
		}
	}
}

// E-mail that was pending when the server restarted without SMTP is marked off ("turned
// off before this message was sent"), not left pending for ever; sent ones stay sent.
func TestPendingMailIsSettledWhenEmailIsTurnedOff(t *testing.T) {
	ctx := context.Background()
	store, err := sqlitestore.Open(ctx, sqlitestore.Config{DataDir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close(ctx) })
	c := &clock{t: storetest.At(0)}
	now, later := c.Now(), c.Now().Add(time.Hour)
	pending := storetest.Notification("ann@example.org", "ketamine", 1, notify.KindChangesRequested, now)
	pending.Mail = notify.Mail{State: notify.MailPending, NextAt: &now}
	retrying := storetest.Notification("ann@example.org", "ketamine", 2, notify.KindApproved, now)
	retrying.Mail = notify.Mail{State: notify.MailPending, Attempts: 2, NextAt: &later, Error: notify.MailRefused}
	sent := storetest.Notification("ann@example.org", "ketamine", 3, notify.KindPublished, now)
	sent.Mail = notify.Mail{State: notify.MailSent, Attempts: 1, SentAt: &now}
	if err := store.InsertNotifications(ctx, []notify.Notification{pending, retrying, sent}); err != nil {
		t.Fatal(err)
	}
	svc := notify.New(notify.Config{}, store, store, store, nil, c, slog.New(slog.DiscardHandler))
	if n, err := svc.SettleMailTurnedOff(ctx); err != nil || n != 2 {
		t.Fatalf("settled %d (%v), want the 2 pending", n, err)
	}
	list, err := store.Notifications(ctx, notify.Filter{UserID: pending.UserID})
	if err != nil || len(list) != 3 {
		t.Fatalf("Notifications: %v, %v", list, err)
	}
	for _, n := range list {
		want := notify.MailNone
		if n.ID == sent.ID {
			want = notify.MailSent
		}
		if n.Mail.State != want || (want == notify.MailNone && n.Mail.Error != notify.MailTurnedOff) {
			t.Errorf("notification %d: mail %+v, want %q", n.Revision, n.Mail, want)
		}
	}
	if due, _ := store.MailDue(ctx, later.AddDate(1, 0, 0), 10); len(due) != 0 {
		t.Errorf("mail still due after settling: %d", len(due))
	}
}
