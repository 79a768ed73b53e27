package mail_test

import (
	"context"
	"strings"
	"testing"

	"github.com/monograph-cms/monograph/internal/mail"
	"github.com/monograph-cms/monograph/internal/mail/smtpsink"
	"github.com/monograph-cms/monograph/internal/notify"
)

// A message goes over a real SMTP conversation to the sink, with its subject and body.
func TestSendReachesTheSink(t *testing.T) {
	sink := smtpsink.Start(t)
	s, err := mail.New(mail.Config{URL: sink.URL(), From: "Monograph <cms@example.org>"})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Send(context.Background(), notify.Message{To: "ann@example.org", ToName: "Ann", Subject: "Changes requested to “Ketamine”", Text: "Please cite."})
	if err != nil {
		t.Fatal(err)
	}
	got := sink.Messages()
	if len(got) != 1 || got[0].Subject != "Changes requested to “Ketamine”" || got[0].To[0] != "ann@example.org" ||
		strings.TrimSpace(got[0].Body) != "Please cite." {
		t.Fatalf("the sink got %+v", got)
	}
}

// A refusal is an error, never a silent success; and no error or name shows the password.
func TestRefusalIsAnErrorWithoutThePassword(t *testing.T) {
	sink := smtpsink.Start(t)
	sink.Refuse(true)
	url := strings.Replace(sink.URL(), "smtp://", "smtp://user:s3cret-pass@", 1)
	s, err := mail.New(mail.Config{URL: url, From: "cms@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(s.String(), "s3cret-pass") {
		t.Errorf("String shows the password: %s", s)
	}
	err = s.Send(context.Background(), notify.Message{To: "ann@example.org", Subject: "x", Text: "y"})
	if err == nil {
		t.Fatal("a refused message was reported sent")
	}
	if strings.Contains(err.Error(), "s3cret-pass") {
		t.Errorf("the error shows the password: %v", err)
	}
	if len(sink.Messages()) != 0 {
		t.Errorf("the sink kept a refused message")
	}
}

func TestConfigErrorsNameTheSettingNotThePassword(t *testing.T) {
	for _, c := range []mail.Config{
		{URL: "http://u:s3cret-pass@host", From: "a@b.c"},
		{URL: "smtp://u:s3cret-pass@host?tls=maybe", From: "a@b.c"},
		{URL: "smtp://u:s3cret-pass@host:99999", From: "a@b.c"},
		{URL: "smtp://u:s3cret-pass@host", From: ""},
		{URL: "smtp://u:s3cret-pass@host", From: "not an address"},
	} {
		_, err := mail.New(c)
		if err == nil {
			t.Errorf("%+v: accepted", c.From)
			continue
		}
		if strings.Contains(err.Error(), "s3cret-pass") || !strings.Contains(err.Error(), "--smtp-") {
			t.Errorf("error %q: must name the setting and not show the password", err)
		}
	}
}
