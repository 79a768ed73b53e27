package notify

import (
	"context"
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

// mailBatch bounds the e-mails one pass sends.
const mailBatch = 50

// mailTimeout bounds one try: after it a claimed but unfinished try may be retried.
const mailTimeout = 2 * time.Minute

// SendDue sends the pending e-mails that are due and returns how many the server accepted.
// Each try is claimed first (ClaimMail), so two processes never send the same try; a
// failure is retried with a doubling delay and, after the last try, marked failed with
// its error, which the notification shows: nothing is ever reported sent that was not.
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
			m.State, m.Error = MailFailed, err.Error()
		case attempts >= s.cfg.MailAttempts:
			m.State, m.Error = MailFailed, err.Error()
			s.log.Warn("notification e-mail failed for good", "notification", n.ID, "attempts", attempts, "error", err)
		default:
			next := s.clock.Now().Add(s.retryDelay(attempts))
			m.NextAt, m.Error = &next, err.Error()
			s.log.Info("notification e-mail will be retried", "notification", n.ID, "attempts", attempts, "error", err)
		}
		if err := s.store.SetMail(ctx, n.ID, m); err != nil {
			return sent, err
		}
	}
	return sent, nil
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
		return noAddressError{"the account is disabled or gone: no e-mail"}
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
