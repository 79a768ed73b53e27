package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/monograph-cms/monograph/internal/mail"
	"github.com/monograph-cms/monograph/internal/notify"
)

// buildNotify builds the notification service: in-app notifications always, e-mail when
// an SMTP server is configured (--smtp-url; off by default).
func (a *App) buildNotify() error {
	var mailer notify.Mailer
	if a.Config.SMTPURL != "" {
		s, err := mail.New(mail.Config{URL: a.Config.SMTPURL, From: a.Config.SMTPFrom})
		if err != nil {
			return err
		}
		mailer = s
		a.Log.Info("notification e-mail is on", "smtp", s.String()) // never the password
	}
	a.Notify = notify.New(notify.Config{AdminURL: a.adminURL(), MailRetryBase: a.Config.SMTPRetryBase}, a.Store, a.Store, a.Store, mailer, a.Clock, a.Log)
	return nil
}

// adminURL is the admin's address for links in e-mails: --admin-url, else the listen
// address.
func (a *App) adminURL() string {
	if a.Config.AdminURL != "" {
		return strings.TrimRight(a.Config.AdminURL, "/")
	}
	host, port, err := net.SplitHostPort(a.Config.Addr)
	if err != nil || port == "0" {
		return ""
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port) + "/admin"
}

// startNotify runs the notification job (deriving from the audit log, sending e-mail). Its
// cursor is read once before the server answers anything: on a database that had events
// before notifications existed, that read places it after them, and it must not also skip
// the first requests' events.
func (a *App) startNotify(ctx context.Context) {
	if _, err := a.Store.NotifyCursor(ctx); err != nil {
		a.Log.Error("notifications", "error", err)
	}
	a.bg.Add(1)
	go func() { defer a.bg.Done(); a.Notify.Run(ctx) }()
}

// validateSMTP checks the e-mail settings; errors never show the password.
func (c *Config) validateSMTP() error {
	if c.SMTPURL == "" {
		if c.SMTPFrom != "" {
			return errors.New("--smtp-from: set --smtp-url too (or neither)")
		}
		return nil
	}
	if _, err := mail.New(mail.Config{URL: c.SMTPURL, From: c.SMTPFrom}); err != nil {
		return err
	}
	if c.SMTPRetryBase < 0 {
		return fmt.Errorf("--smtp-retry-base %v: must not be negative", c.SMTPRetryBase)
	}
	return nil
}
