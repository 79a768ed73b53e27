package notify

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/monograph-cms/monograph/internal/auth"
	"github.com/monograph-cms/monograph/internal/cms"
	"github.com/monograph-cms/monograph/internal/editorial"
)

// Pages is what the job and the queues read of the pages (editorial.Store has it all).
type Pages interface {
	LogSize(ctx context.Context) (int64, error)
	LogEvents(ctx context.Context, from, to int64) ([]editorial.AuditEvent, error)
	AuditEvents(ctx context.Context, f editorial.AuditFilter) ([]editorial.AuditEvent, error)
	PageSummaries(ctx context.Context, ids []string) ([]editorial.Page, error)
	ListPages(ctx context.Context, f editorial.ListFilter) ([]editorial.Page, error)
	RevisionSummaries(ctx context.Context, pageID string) ([]editorial.RevisionSummary, error)
}

// Users is what the job reads of the accounts (auth.UserStore has it).
type Users interface {
	ListUsers(ctx context.Context) ([]auth.User, error)
	UserByID(ctx context.Context, id string) (auth.User, error)
}

// Config holds the job's settings.
type Config struct {
	// Interval is how often the job looks for new events (default 1 s).
	Interval time.Duration
	// AdminURL is the web admin's address, for links in e-mails (e.g.
	// "https://cms.example.org/admin").
	AdminURL string
	// MailAttempts is how many tries an e-mail gets before it is marked failed (default 8);
	// MailRetryBase the first delay between tries, doubling up to an hour.
	MailAttempts  int
	MailRetryBase time.Duration
}

// Service derives notifications, answers a user's list and queues, and sends e-mail.
type Service struct {
	cfg    Config
	store  Store
	pages  Pages
	users  Users
	mailer Mailer // nil: e-mail is off
	clock  cms.Clock
	log    *slog.Logger
	wake   chan struct{}
	// stepMu runs one Step at a time in this process: the job and every /notified request
	// catch up through it, and a caller that waited finds the work done (one cheap look at
	// the cursor) instead of deriving the same batch again beside the others.
	stepMu sync.Mutex
}

// batch bounds the events one pass of the job reads.
const batch = 200

// New returns the service; mailer nil turns e-mail off.
func New(cfg Config, store Store, pages Pages, users Users, mailer Mailer, clock cms.Clock, log *slog.Logger) *Service {
	if cfg.Interval <= 0 {
		cfg.Interval = time.Second
	}
	if cfg.MailAttempts <= 0 {
		cfg.MailAttempts = 8
	}
	if cfg.MailRetryBase <= 0 {
		cfg.MailRetryBase = 30 * time.Second
	}
	if log == nil {
		log = slog.Default()
	}
	return &Service{cfg: cfg, store: store, pages: pages, users: users, mailer: mailer, clock: clock, log: log, wake: make(chan struct{}, 1)}
}

// MailEnabled reports whether e-mail is sent.
func (s *Service) MailEnabled() bool { return s.mailer != nil }

// Wake makes the job look for new events now rather than at its next tick.
func (s *Service) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run runs the job until ctx ends: derive notifications from new log events, then send
// the e-mails that are due.
func (s *Service) Run(ctx context.Context) {
	tick := time.NewTicker(s.cfg.Interval)
	defer tick.Stop()
	if n, err := s.SettleMailTurnedOff(ctx); err != nil && ctx.Err() == nil {
		s.log.Error("notification e-mail", "error", err)
	} else if n > 0 {
		s.log.Info("notification e-mail is off: e-mails still pending are marked not sent", "count", n)
	}
	for {
		if _, err := s.Step(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("notifications", "error", err)
		}
		if s.mailer != nil {
			if _, err := s.SendDue(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("notification e-mail", "error", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-s.wake:
		}
	}
}

// Step handles the log events after the cursor, in batches, and returns how many
// notifications it wrote. The cursor moves only after a batch's notifications are stored,
// and they are idempotent, so a crash in between only derives them again.
func (s *Service) Step(ctx context.Context) (int, error) {
	s.stepMu.Lock()
	defer s.stepMu.Unlock()
	written := 0
	for {
		from, err := s.store.NotifyCursor(ctx)
		if err != nil {
			return written, err
		}
		size, err := s.pages.LogSize(ctx)
		if err != nil || size <= from {
			return written, err
		}
		events, err := s.pages.LogEvents(ctx, from, min(size, from+batch))
		if err != nil {
			return written, err
		}
		// The log's size may count leaves whose events do not carry their index yet (on
		// MongoDB the sequencer writes them after the leaves' hashes): handle only the
		// leaves from the cursor on that are all there, and leave the rest for the next
		// pass, so the cursor never moves past an event the job has not read.
		events = contiguous(events, from)
		if len(events) == 0 {
			return written, nil
		}
		to := from + int64(len(events))
		ns, err := s.derive(ctx, events)
		if err != nil {
			return written, err
		}
		if len(ns) > 0 {
			if err := s.store.InsertNotifications(ctx, ns); err != nil {
				return written, err
			}
			written += len(ns)
		}
		if err := s.store.AdvanceNotifyCursor(ctx, from, to); err != nil {
			if cms.IsCode(err, cms.CodeVersionConflict) {
				continue // another process moved it; its notifications are the same
			}
			return written, err
		}
	}
}

// contiguous returns the leading events whose leaves are from, from+1, … without a gap.
func contiguous(events []editorial.AuditEvent, from int64) []editorial.AuditEvent {
	for i, e := range events {
		if e.LogIndex == nil || *e.LogIndex != from+int64(i) {
			return events[:i]
		}
	}
	return events
}

// List returns the caller's notifications, newest first.
func (s *Service) List(ctx context.Context, f Filter) ([]Notification, error) {
	return s.store.Notifications(ctx, f)
}

// Unread counts the caller's unread notifications.
func (s *Service) Unread(ctx context.Context, userID string) (int, error) {
	return s.store.UnreadNotifications(ctx, userID)
}

// MarkRead marks the user's notifications with these ids read (all when ids is nil).
func (s *Service) MarkRead(ctx context.Context, userID string, ids []string) (int, error) {
	return s.store.MarkNotificationsRead(ctx, userID, ids, s.clock.Now())
}
