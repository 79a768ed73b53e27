// Package smtpsink is a local SMTP server for tests: it accepts every message (or, while
// told to, refuses them) and keeps what it received, so tests check the mail Monograph
// really sent over a real SMTP conversation. It is built on github.com/emersion/go-smtp and
// imported by tests only, never by the server.
package smtpsink

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Message is one message the sink accepted.
type Message struct {
	From    string
	To      []string
	Subject string
	// Body is the text, decoded from its transfer encoding.
	Body string
	Raw  []byte
}

// Sink is a running SMTP server.
type Sink struct {
	Addr   string
	srv    *smtp.Server
	mu     sync.Mutex
	msgs   []Message
	refuse atomic.Bool
}

// Start runs a sink on 127.0.0.1 until the test ends.
func Start(tb testing.TB) *Sink {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s := &Sink{Addr: ln.Addr().String()}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{sink: s}, nil }))
	s.srv.Domain = "localhost"
	s.srv.ReadTimeout, s.srv.WriteTimeout = 10*time.Second, 10*time.Second
	go func() { _ = s.srv.Serve(ln) }()
	tb.Cleanup(func() { _ = s.srv.Close() })
	return s
}

// URL is the MONOGRAPH_SMTP_URL of the sink (no TLS: it is local).
func (s *Sink) URL() string { return "smtp://" + s.Addr + "?tls=none" }

// Refuse makes the sink refuse (or, with false, accept again) every message.
func (s *Sink) Refuse(on bool) { s.refuse.Store(on) }

// Messages returns what the sink accepted so far.
func (s *Sink) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

type session struct {
	sink *Sink
	from string
	to   []string
}

func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }
func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	x.from = from
	return nil
}
func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.to = append(x.to, to)
	return nil
}
func (x *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if x.sink.refuse.Load() {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	m := Message{From: x.from, To: x.to, Raw: raw}
	if pm, err := mail.ReadMessage(bytes.NewReader(raw)); err == nil {
		dec := new(mime.WordDecoder)
		if subj, err := dec.DecodeHeader(pm.Header.Get("Subject")); err == nil {
			m.Subject = subj
		}
		var body io.Reader = pm.Body
		if strings.EqualFold(pm.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
			body = quotedprintable.NewReader(body)
		}
		if b, err := io.ReadAll(body); err == nil {
			m.Body = string(b)
		}
	} else {
		return errors.New("not a message")
	}
	x.sink.mu.Lock()
	x.sink.msgs = append(x.sink.msgs, m)
	x.sink.mu.Unlock()
	return nil
}
