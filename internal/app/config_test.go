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
