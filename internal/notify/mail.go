package notify

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/monograph-cms/monograph/internal/cms"
)

// Message is one e-mail.
type Message struct {
	To, ToName string
	Subject    string
	Text       string
}

// Mailer sends e-mail (internal/mail, over SMTP). Send returns nil only once the server
// accepted the message.
type Mailer interface {
	Send(ctx context.Context, m Message) error
}

// What a notification says of a failed e-mail: a kind of failure, never the server's
// address, account or answer (every recipient sees it; the log has the details).
const (
	MailRefused     = "the mail server refused the message"
	MailUnreachable = "the mail server could not be reached"
	MailBadAddress  = "the account's e-mail address was not accepted"
	MailNoAccount   = "the account is disabled or gone: no e-mail"
	MailNotSent     = "the message could not be sent"
	MailTurnedOff   = "e-mail was turned off before this message was sent"
)

// MailError is a Mailer's failure: Reason is one of the sentences above, for the
// recipient; Err the whole story, for the log.
type MailError struct {
	Reason string
	Err    error
}

func (e *MailError) Error() string { return e.Err.Error() }
func (e *MailError) Unwrap() error { return e.Err }

// mailReason is what the recipient is told of err.
func mailReason(err error) string {
	if me, ok := errors.AsType[*MailError](err); ok {
		return me.Reason
	}
	if errNoAddress(err) {
		return MailNoAccount
	}
	return MailNotSent
}

// PublicMailError returns a stored mail error as recipients may see it: one of the
// sentences above as it is, anything else (a record written by an older release, which
// kept the server's words) as the generic MailNotSent.
func PublicMailError(stored string) string {
	switch stored {
	case "", MailRefused, MailUnreachable, MailBadAddress, MailNoAccount, MailNotSent, MailTurnedOff:
		return stored
	}
	return MailNotSent
}

// mailBatch bounds the e-mails one pass sends.
const mailBatch = 50

// mailTimeout bounds one try: after it a claimed but unfinished try may be retried.
const mailTimeout = 2 * time.Minute

// SendDue sends the pending e-mails that are due and returns how many the server accepted.
// Each try is claimed first (ClaimMail), so two processes never send the same try; a
// failure is retried with a doubling delay and, after the last try, marked failed. The
// notification shows the kind of failure (mailReason), the log the whole error: nothing is
// ever reported sent that was not. A crash after the server accepted a message and before
// SetMail means it is sent again once the claim lapses: delivery is at least once.
func (s *Service) SendDue(ctx context.Context) (int, error) {
	if s.mailer == nil {
		return 0, nil
	}
	due, err := s.store.MailDue(ctx, s.clock.Now(), mailBatch)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, n := range due {
		now := s.clock.Now()
		won, err := s.store.ClaimMail(ctx, n.ID, n.Mail.Attempts, now.Add(mailTimeout))
		if err != nil {
			return sent, err
		}
		if !won {
			continue
		}
		attempts := n.Mail.Attempts + 1
		m := Mail{State: MailPending, Attempts: attempts}
		err = s.sendOne(ctx, n)
		switch {
		case err == nil:
			at := s.clock.Now()
			m.State, m.SentAt = MailSent, &at
			sent++
		case errNoAddress(err):
			m.State, m.Error = MailFailed, mailReason(err)
		case attempts >= s.cfg.MailAttempts:
			m.State, m.Error = MailFailed, mailReason(err)
			s.log.Warn("notification e-mail failed for good", "notification", n.ID, "attempts", attempts, "error", err)
		default:
			next := s.clock.Now().Add(s.retryDelay(attempts))
			m.NextAt, m.Error = &next, mailReason(err)
			s.log.Info("notification e-mail will be retried", "notification", n.ID, "attempts", attempts, "error", err)
		}
		if err := s.store.SetMail(ctx, n.ID, m); err != nil {
			return sent, err
		}
	}
	return sent, nil
}

// SettleMailTurnedOff runs when e-mail is off (no SMTP server configured): e-mails still
// pending from a run that had one will never be sent by this one, so they are marked off
// with MailTurnedOff, rather than shown pending for ever. Each is claimed first, so a
// process that does send (configured differently) keeps the ones it is trying. It returns
// how many it marked.
func (s *Service) SettleMailTurnedOff(ctx context.Context) (int, error) {
	if s.mailer != nil {
		return 0, nil
	}
	// Pending mails due at any time, retries scheduled far ahead included.
	farAhead := s.clock.Now().AddDate(100, 0, 0)
	marked := 0
	for {
		due, err := s.store.MailDue(ctx, farAhead, mailBatch)
		if err != nil || len(due) == 0 {
			return marked, err
		}
		before := marked
		for _, n := range due {
			won, err := s.store.ClaimMail(ctx, n.ID, n.Mail.Attempts, s.clock.Now().Add(mailTimeout))
			if err != nil {
				return marked, err
			}
			if !won {
				continue
			}
			if err := s.store.SetMail(ctx, n.ID, Mail{State: MailNone, Attempts: n.Mail.Attempts, Error: MailTurnedOff}); err != nil {
				return marked, err
			}
			marked++
		}
		if marked == before {
			return marked, nil // the rest are another process's to settle
		}
	}
}

// retryDelay doubles from MailRetryBase, at most an hour.
func (s *Service) retryDelay(attempts int) time.Duration {
	d := s.cfg.MailRetryBase
	for i := 1; i < attempts && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

type noAddressError struct{ msg string }

func (e noAddressError) Error() string { return e.msg }

func errNoAddress(err error) bool { _, ok := err.(noAddressError); return ok }

// sendOne writes and sends the e-mail of one notification to its user's current address;
// a disabled or deleted account gets none.
func (s *Service) sendOne(ctx context.Context, n Notification) error {
	u, err := s.users.UserByID(ctx, n.UserID)
	if cms.IsCode(err, cms.CodeNotFound) || (err == nil && u.Disabled) {
		return noAddressError{MailNoAccount}
	}
	if err != nil {
		return err
	}
	return s.mailer.Send(ctx, Message{To: u.Email, ToName: u.Name, Subject: Subject(n), Text: s.body(n)})
}

// Subject is a notification's one-line summary, the e-mail's subject and the admin's text.
func Subject(n Notification) string {
	title := n.Title
	if title == "" {
		title = n.Slug
	}
	switch n.Kind {
	case KindChangesRequested:
		return fmt.Sprintf("%s requested changes to “%s”", n.ActorName, title)
	case KindReviewRequested:
		return fmt.Sprintf("“%s” awaits medical review", title)
	case KindApproved:
		return fmt.Sprintf("%s approved “%s”", n.ActorName, title)
	case KindPublished:
		return fmt.Sprintf("“%s” was published", title)
	case KindReviewDue:
		return fmt.Sprintf("“%s” is due for its periodic medical review", title)
	case KindTranslationOutdated:
		return fmt.Sprintf("The translation “%s” is outdated: its source changed", title)
	}
	return title
}

func (s *Service) body(n Notification) string {
	var b strings.Builder
	b.WriteString(Subject(n))
	b.WriteString(fmt.Sprintf(" (revision %d).\n", n.Revision))
	if n.Comment != "" {
		b.WriteString("\nComment:\n")
		b.WriteString(n.Comment)
		b.WriteString("\n")
	}
	if s.cfg.AdminURL != "" {
		b.WriteString("\nOpen the page: ")
		b.WriteString(strings.TrimRight(s.cfg.AdminURL, "/") + "/pages/" + url.PathEscape(n.PageID))
		b.WriteString("\n")
	}
	b.WriteString("\nYou receive this because of your role on this Monograph page. Your notifications are also in the admin.\n")
	return b.String()
}
