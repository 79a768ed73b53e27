package app

import (
	"flag"
	"io"
	"strings"
	"testing"
	"time"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		change  func(*Config)
		wantErr string // "" = valid
	}{
		{"defaults", func(*Config) {}, ""},
		{"demo on loopback", func(c *Config) { c.Demo = true }, ""},
		{"demo on localhost", func(c *Config) { c.Demo, c.Addr = true, "localhost:8080" }, ""},
		{"demo on all interfaces", func(c *Config) { c.Demo, c.Addr = true, "0.0.0.0:8080" }, "--demo"},
		{"bad addr", func(c *Config) { c.Addr = "8080" }, "--addr"},
		{"no data dir, no MongoDB", func(c *Config) { c.DataDir = "" }, "--data"},
		{"no data dir with MongoDB", func(c *Config) { c.DataDir, c.MongoURI = "", "mongodb://db:27017" }, ""},
		{"bad proxy", func(c *Config) { c.TrustedProxies = "10.0.0.1, not-an-ip" }, "--trusted-proxies"},
		{"proxy CIDR", func(c *Config) { c.TrustedProxies = "10.0.0.0/8,127.0.0.1" }, ""},
		{"bad log format", func(c *Config) { c.LogFormat = "xml" }, "--log-format"},
		{"bad review interval", func(c *Config) { c.ReviewIntervalDays = 0 }, "--review-interval-days"},
		{"delivery cache too small", func(c *Config) { c.DeliveryCacheMB = 0 }, "--delivery-cache-mb"},
		{"memory limit too small", func(c *Config) { c.MemoryLimitMB = 8 }, "--memory-limit-mb"},
		{"unknown check", func(c *Config) { c.Checks = "spelling=blocker" }, "unknown check"},
		{"bad check level", func(c *Config) { c.Checks = "summary_missing=fatal" }, "warning or blocker"},
		{"check override", func(c *Config) { c.Checks = "references_missing=blocker" }, ""},
		{"poll too fast", func(c *Config) { c.ChangePoll = time.Millisecond }, "--change-poll"},
		{"webhook attempts", func(c *Config) { c.WebhookMaxAttempts = 0 }, "--webhook-max-attempts"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultConfig()
			tc.change(&c)
			err := c.Validate()
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("error %v, want one naming %q", err, tc.wantErr)
			}
		})
	}
}

// TestFlagsOverrideEnvironment: defaults < environment < flags.
func TestFlagsOverrideEnvironment(t *testing.T) {
	env := map[string]string{"MONOGRAPH_ADDR": "127.0.0.1:9000", "MONOGRAPH_DATA_DIR": "/env/data", "MONOGRAPH_DEMO": "true"}
	c := DefaultConfig()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c.BindFlags(fs, func(k string) string { return env[k] })
	if err := fs.Parse([]string{"--addr", "127.0.0.1:9100"}); err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9100" || c.DataDir != "/env/data" || !c.Demo || c.Database != "monograph" {
		t.Fatalf("config %+v", c)
	}
	sev, err := c.CheckSeverities()
	if err != nil || sev["disclaimer_missing"] != "blocker" {
		t.Fatalf("default severities %v, %v", sev, err)
	}
}

// The usage text a mistyped flag prints shows every flag's default, and the environment
// sets those defaults: the passwords of MONOGRAPH_SMTP_URL and MONGODB_URI must not be in
// it, while the values still apply.
func TestUsageNeverPrintsSecretsFromTheEnvironment(t *testing.T) {
	env := map[string]string{
		"MONOGRAPH_SMTP_URL": "smtp://mailuser:s3cret-smtp@mail.example.org:587",
		"MONGODB_URI":        "mongodb://dbuser:s3cret-db@db.example.org:27017/?authSource=admin&tlsCertificateKeyFilePassword=s3cret-key",
	}
	getenv := func(k string) string { return env[k] }
	var stderr strings.Builder
	err := Main(t.Context(), []string{"serve", "--nope"}, strings.NewReader(""), io.Discard, &stderr, getenv)
	if err == nil {
		t.Fatal("an unknown flag was accepted")
	}
	out := stderr.String()
	if !strings.Contains(out, "-smtp-url") || !strings.Contains(out, "-mongodb-uri") {
		t.Fatalf("the usage text lacks the flags:\n%s", out)
	}
	for _, secret := range []string{"s3cret-smtp", "s3cret-db", "s3cret-key"} {
		if strings.Contains(out, secret) {
			t.Errorf("the usage text shows %q:\n%s", secret, out)
		}
	}

	c := DefaultConfig()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c.BindFlags(fs, getenv)
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	if c.SMTPURL != env["MONOGRAPH_SMTP_URL"] || c.MongoURI != env["MONGODB_URI"] {
		t.Errorf("the environment's values did not apply: %q, %q", c.SMTPURL, c.MongoURI)
	}
	if err := fs.Parse([]string{"--smtp-url", "smtp://other@mail.example.org"}); err != nil || c.SMTPURL != "smtp://other@mail.example.org" {
		t.Errorf("the flag did not override the environment: %q (%v)", c.SMTPURL, err)
	}
}

func TestSpillDir(t *testing.T) {
	for _, tc := range []struct{ data, spill, want string }{
		{"./data", "", "./data"},
		{"./data", "/var/cache/monograph", "/var/cache/monograph"},
		{"./data", "off", ""},
		{"", "", ""},
	} {
		c := DefaultConfig()
		c.DataDir, c.DeliverySpillDir = tc.data, tc.spill
		if got := c.SpillDir(); got != tc.want {
			t.Errorf("data %q, --delivery-spill-dir %q: %q, want %q", tc.data, tc.spill, got, tc.want)
		}
	}
}
