// Package mail sends Monograph's notification e-mails over SMTP, through
// github.com/wneessen/go-mail (the only importer of it). It implements notify.Mailer.
//
// The server is named by one URL, MONOGRAPH_SMTP_URL:
//
//	smtp://user:password@host:587             STARTTLS required (the default)
//	smtp://host:25?tls=opportunistic          STARTTLS when the server offers it
//	smtp://127.0.0.1:2525?tls=none            no TLS (a local relay or a test sink)
//	smtps://user:password@host:465            TLS from the first byte
//
// The password is never logged: Redacted is what messages show.
package mail

import (
	"context"
	"errors"
	"fmt"
	"net/textproto"
	"net/url"
	"strconv"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/monograph-cms/monograph/internal/notify"
)

// Config is one SMTP server and the sender address.
type Config struct {
	URL  string
	From string
	// Timeout bounds one connection and send (default 30 s).
	Timeout time.Duration
}

// Sender sends e-mail through one SMTP server.
type Sender struct {
	host     string
	opts     []gomail.Option
	from     string
	redacted string
}

var _ notify.Mailer = (*Sender)(nil)

// Redacted returns the URL with any password replaced, for messages and logs.
func Redacted(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(an SMTP URL that does not parse)"
	}
	return u.Redacted()
}

// New checks the configuration and returns a sender. Errors name the setting, never the
// password.
func New(cfg Config) (*Sender, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || u.Host == "" || u.Hostname() == "" {
		return nil, fmt.Errorf("--smtp-url %s: not an smtp:// or smtps:// URL with a host", Redacted(cfg.URL))
	}
	if cfg.From == "" {
		return nil, fmt.Errorf("--smtp-from: required with --smtp-url (the sender address)")
	}
	if err := gomail.NewMsg().From(cfg.From); err != nil {
		return nil, fmt.Errorf("--smtp-from %q: %v", cfg.From, err)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	opts := []gomail.Option{gomail.WithTimeout(cfg.Timeout)}
	port := 0
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil || port < 1 || port > 65535 {
			return nil, fmt.Errorf("--smtp-url %s: bad port", Redacted(cfg.URL))
		}
	}
	switch u.Scheme {
	case "smtps":
		opts = append(opts, gomail.WithSSL())
		if port == 0 {
			port = 465
		}
		if u.Query().Has("tls") {
			return nil, fmt.Errorf("--smtp-url %s: smtps is TLS already; tls= is for smtp://", Redacted(cfg.URL))
		}
	case "smtp":
		policy := gomail.TLSMandatory
		switch u.Query().Get("tls") {
		case "", "required":
		case "opportunistic":
			policy = gomail.TLSOpportunistic
		case "none":
			policy = gomail.NoTLS
		default:
			return nil, fmt.Errorf("--smtp-url %s: tls= is required, opportunistic or none", Redacted(cfg.URL))
		}
		opts = append(opts, gomail.WithTLSPolicy(policy))
		if port == 0 {
			port = 587
		}
	default:
		return nil, fmt.Errorf("--smtp-url %s: the scheme is smtp or smtps", Redacted(cfg.URL))
	}
	opts = append(opts, gomail.WithPort(port))
	if u.User != nil && u.User.Username() != "" {
		pass, _ := u.User.Password()
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(u.User.Username()), gomail.WithPassword(pass))
	}
	return &Sender{host: u.Hostname(), opts: opts, from: cfg.From, redacted: Redacted(cfg.URL)}, nil
}

// String names the server without its password.
func (s *Sender) String() string { return s.redacted }

// Send delivers one message; nil means the SMTP server accepted it. A failure is a
// *notify.MailError: its Reason (what the recipient is told) says only whether the server
// refused or could not be reached; the error's text, for the log, names the server.
func (s *Sender) Send(ctx context.Context, m notify.Message) error {
	msg := gomail.NewMsg()
	if err := msg.From(s.from); err != nil {
		return &notify.MailError{Reason: notify.MailNotSent, Err: fmt.Errorf("sender: %w", err)}
	}
	if err := msg.AddToFormat(m.ToName, m.To); err != nil {
		return &notify.MailError{Reason: notify.MailBadAddress, Err: fmt.Errorf("recipient: %w", err)}
	}
	msg.Subject(m.Subject)
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	c, err := gomail.NewClient(s.host, s.opts...)
	if err != nil {
		return &notify.MailError{Reason: notify.MailNotSent, Err: fmt.Errorf("smtp %s: %w", s.redacted, err)}
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return &notify.MailError{Reason: reason(err), Err: fmt.Errorf("smtp %s: %w", s.redacted, err)}
	}
	return nil
}

// reason tells a server that answered with a refusal (an SMTP reply code, at any step:
// greeting, login, sender, recipient, data) from one that was not reached or dropped the
// connection.
func reason(err error) string {
	if se, ok := errors.AsType[*gomail.SendError](err); ok && se.ErrorCode() > 0 {
		return notify.MailRefused
	}
	if _, ok := errors.AsType[*textproto.Error](err); ok {
		return notify.MailRefused
	}
	return notify.MailUnreachable
}
